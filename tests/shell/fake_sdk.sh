#!/usr/bin/env bash
# The official Node SDK against tests/fake-milvus: every scenario is seeded with the SDK, read back with
# the SDK and compared with what was inserted; plus auth, "collection not loaded" (code 101), the query
# result window, and compare's own ability to spot a difference.
. "$MVS_TOP/tests/lib.sh"

need_node

fake_start F

for scenario in all-types varchar-pk partition-key auto-id bm25 wide; do
	note "scenario $scenario"
	collection=${scenario//-/_}
	sdk seed --uri "$F_URI" --scenario "$scenario" --dim 32 --expect "$T/$scenario.expect" ||
		fail "seed $scenario"
	sdk dump --uri "$F_URI" --collection "$collection" --out "$T/$scenario.dump" --batch 7 || fail "dump $scenario"
	sdk compare "$T/$scenario.dump" "$T/$scenario.expect" || fail "$scenario: dump differs from what was inserted"
done

# What the dumps say about the schemas.
schema() { head -n 1 "$T/$1.dump"; }
schema all-types | grep -q '"partitions":\["_default","p1","p2"\]' || fail "all-types partitions"
schema all-types | grep -q '"enable_dynamic_field":true' || fail "all-types dynamic field"
! schema all-types | grep -q '"\$meta"' || fail "DescribeCollection must not list \$meta"
schema all-types | grep -q '"name":"i32","type":"Int32".*"default":7' || fail "all-types default value"
schema partition-key | grep -q '"num_partitions":8' || fail "partition-key num_partitions"
grep -q '"\$partition"' "$T/partition-key.expect" && fail "partition-key rows must not carry \$partition"
grep -q '"\$partition":"p1"' "$T/varchar-pk.expect" || fail "varchar-pk rows must carry \$partition"
schema bm25 | grep -q '"function_output":true' || fail "bm25 output field"
tail -n +2 "$T/bm25.dump" | grep -q '"sparse"' && fail "bm25 function output returned as data"
[ "$(sdk count --uri "$F_URI" --collection all_types)" = 60 ] || fail "count(*)"
[ "$(sdk count --uri "$F_URI" --collection all_types --expr 'id > 9007199254740992')" = 6 ] ||
	fail "Int64 filter beyond 2^53"

# compare notices a changed value and names the row and field.
sed '3s/"i8":[-0-9]*/"i8":99/' "$T/all-types.expect" >"$T/changed.expect"
expect_exit 1 sdk compare "$T/all-types.dump" "$T/changed.expect"
grep -q 'field i8' "$T/stderr" || { cat "$T/stderr"; fail "compare did not name the field"; }
head -n 5 "$T/all-types.expect" >"$T/short.expect"
expect_exit 1 sdk compare "$T/all-types.dump" "$T/short.expect"
grep -q 'only in' "$T/stderr" || fail "compare did not report missing rows"
sed '1s/"consistency_level":"Bounded"/"consistency_level":"Strong"/' "$T/all-types.dump" >"$T/changed.dump"
expect_exit 1 sdk compare "$T/all-types.dump" "$T/changed.dump"
sdk compare "$T/all-types.dump" "$T/changed.dump" --ignore-schema-keys consistency_level >/dev/null ||
	fail "--ignore-schema-keys"

# Milvus errors as the SDK sees them.
sdk release --uri "$F_URI" --collection all_types
expect_exit 3 sdk query --uri "$F_URI" --collection all_types --expr 'id > 0'
grep -q 'collection not loaded.*code 101' "$T/stderr" || { cat "$T/stderr"; fail "unloaded query"; }
sdk load --uri "$F_URI" --collection all_types
expect_exit 3 sdk query --uri "$F_URI" --collection all_types --expr 'id > 0' --limit 16000 --offset 385
grep -q 'invalid max query result window' "$T/stderr" || { cat "$T/stderr"; fail "offset+limit > 16384"; }
[ "$(sdk query --uri "$F_URI" --collection all_types --expr 'id > 0' --limit 16000 --offset 384 | wc -l)" = 0 ] ||
	fail "offset 384 should skip every row"
expect_exit 3 sdk seed --uri "$F_URI" --scenario auto-id --collection 'bad name'

# Authentication.
fake_start A --user alice --password 's3cret:x'
expect_exit 4 sdk count --uri "$A_URI" --user alice --password wrong --collection auto_id
grep -q 'gRPC error 16' "$T/stderr" || { cat "$T/stderr"; fail "wrong password"; }
expect_exit 4 sdk count --uri "$A_URI" --collection auto_id
sdk seed --uri "$A_URI" --user alice --password 's3cret:x' --scenario auto-id --rows 10
[ "$(sdk count --uri "$A_URI" --user alice --password 's3cret:x' --collection auto_id)" = 10 ] || fail "count with auth"

# Databases through the dbname header.
sdk call --uri "$F_URI" --method CreateDatabase --request '{"db_name":"other"}' >/dev/null
sdk seed --uri "$F_URI" --db other --scenario varchar-pk --rows 5
[ "$(sdk count --uri "$F_URI" --db other --collection varchar_pk)" = 5 ] || fail "count in database other"
[ "$(sdk count --uri "$F_URI" --collection varchar_pk)" = 40 ] || fail "count in database default"
note "ok"
