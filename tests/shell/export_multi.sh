#!/usr/bin/env bash
# mvs-export of several collections: repeated --collection and --all write one stream unit per
# collection, concatenated, in the order given (--all: by name), each the same as its own export;
# --db picks the database, and the header says which one.
. "$MVS_TOP/tests/lib.sh"
need_node

fake_start src
for scenario in varchar-pk bm25 auto-id; do
	sdk seed --uri "$src_URI" --scenario "$scenario" >/dev/null
done

note "repeated --collection: units in the order given, each as exported alone"
mvs-export --uri "$src_URI" --collection varchar_pk --collection bm25 -o "$T/two.mvs" 2>"$T/err"
[ "$(grep -c '^mvs-export: exported [0-9]* rows from ' "$T/err")" -eq 2 ] || { cat "$T/err" >&2; fail "summary lines"; }
mvs-cat --verify "$T/two.mvs" | sed 's/, [0-9]* bytes$//' >"$T/verify"
printf '%s\n' 'ok: collection varchar_pk, 40 rows, 3 partitions' 'ok: collection bm25, 50 rows, 1 partition' |
	diff - "$T/verify" || fail "repeated --collection: units"
mvs-export -q --uri "$src_URI" --collection varchar_pk -o "$T/a.mvs"
mvs-export -q --uri "$src_URI" --collection bm25 -o "$T/b.mvs"
cat "$T/a.mvs" "$T/b.mvs" | mvs-cat >"$T/separate"
mvs-cat "$T/two.mvs" >"$T/together"
cmp -s "$T/separate" "$T/together" || fail "repeated --collection: rows differ from separate exports"

note "--all: every collection of the database, by name"
mvs-export -q --uri "$src_URI" --all -o "$T/all.mvs"
mvs-cat --verify "$T/all.mvs" | sed 's/, [0-9]* rows.*//' >"$T/verify"
printf 'ok: collection %s\n' auto_id bm25 varchar_pk | diff - "$T/verify" || fail "--all: units"
mvs-cat "$T/all.mvs" | grep -c . >"$T/n"
[ "$(cat "$T/n")" -eq 190 ] || fail "--all: $(cat "$T/n") rows, expected 100 + 50 + 40"

note "--db: another database"
sdk call --uri "$src_URI" --method CreateDatabase --request '{"db_name":"shop"}' >/dev/null
sdk seed --uri "$src_URI" --db shop --scenario varchar-pk --collection goods --expect "$T/goods.expect" >/dev/null
mvs-export -q --uri "$src_URI" --db shop --all -o "$T/shop.mvs"
mvs-cat --verify "$T/shop.mvs" | grep -q '^ok: collection goods, 40 rows, 3 partitions' ||
	fail "--db: $(mvs-cat --verify "$T/shop.mvs")"
mvs-cat --header "$T/shop.mvs" | grep -q '"source":{"server_version":"v2.6.0","database":"shop"}' ||
	fail "--db: header source $(mvs-cat --header "$T/shop.mvs")"
mvs-cat "$T/shop.mvs" >"$T/goods.got"
sdk compare "$T/goods.expect" "$T/goods.got" >/dev/null || fail "--db: rows differ"
expect_exit 6 mvs-export --uri "$src_URI" --db shop --collection bm25 -o "$T/none.mvs"
grep -q 'bm25' "$T/stderr" || { cat "$T/stderr" >&2; fail "--db: a collection of another database"; }
