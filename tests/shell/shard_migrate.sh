#!/usr/bin/env bash
# mvs-migrate with dumper.worker.parallelism: 4 and the real tools between two fake servers: an
# Int64-key collection with negative keys and a VarChar-key collection, each copied as 4 shards at
# once, give exactly the source's rows (checked with the official Node SDK: no loss, no duplicates);
# a re-run with upsert keeps them exact; each shard's import verifies its own rows (an extra row
# among one shard's keys fails that shard, named); a shard whose import fails fails the whole
# migration, named, and the other shards stop.
. "$MVS_TOP/tests/lib.sh"
need_node
unset MILVUS_PASSWORD MILVUS_TOKEN

fake_start src
fake_start dst
fake_start locked --user root --password secret
node "$MVS_TOP/tests/shell/shard_seed.js" "$src_URI" ints words

cat >"$T/migration.yaml" <<EOF
dumper:
  worker:
    workMode: milvus2x
    parallelism: 4
    reader:
      bufferSize: 16
meta:
  mode: config
  createIndex: true
  load: true
  collections: [ints, words]
source:
  milvus2x:
    endpoint: $src_URI
target:
  milvus2x:
    endpoint: $dst_URI
EOF

# same COLLECTION [TARGET]: the target holds exactly the source's rows
same() {
	sdk dump --uri "$src_URI" --collection "$1" --out "$T/src.jsonl"
	sdk dump --uri "$dst_URI" --collection "${2:-$1}" --out "$T/dst.jsonl"
	sdk compare "$T/src.jsonl" "$T/dst.jsonl" >"$T/compare" || { cat "$T/compare" >&2; fail "${2:-$1} differs from $1"; }
}

mvs-migrate start -c "$T/migration.yaml" >"$T/log" 2>&1 || { cat "$T/log" >&2; fail "start failed"; }
grep -qxF 'mvs-migrate: migrating collection ints (1 of 2) as 4 shards' "$T/log" || fail "ints not sharded"
grep -qxF 'mvs-migrate: migrating collection words (2 of 2) as 4 shards' "$T/log" || fail "words not sharded"
grep -q '^mvs-migrate: collection ints: 400 rows in ' "$T/log" || { cat "$T/log" >&2; fail "ints: not 400 rows"; }
grep -q '^mvs-migrate: collection words: 300 rows in ' "$T/log" || fail "words: not 300 rows"
for i in 0 1 2 3; do
	grep -q "^mvs-import: shard $i/4: imported [0-9]* rows .* into words" "$T/log" || fail "words shard $i: no summary"
done
grep -q 'Migration Success' "$T/log" || fail "no success line"
same ints
same words
note "ints and words copied as 4 shards each, exactly"

# Again with upsert over the same target, -j 3: still exact (the shards verify their own rows)
sed 's/endpoint: '"$dst_URI"'/endpoint: '"$dst_URI"'\n    writeMode: upsert/' "$T/migration.yaml" >"$T/upsert.yaml"
mvs-migrate start -q -j 3 -c "$T/upsert.yaml" || fail "upsert re-run failed"
same ints
same words
note "an upsert re-run as 3 shards keeps them exact"

# A row among shard 1's keys that the source does not have: shard 1's import finds it
sdk call --uri "$dst_URI" --method Insert --request '{"collection_name": "words", "num_rows": 1, "fields_data": [
	{"type": "VarChar", "field_name": "id", "scalars": {"string_data": {"data": ["a-0x"]}}},
	{"type": "Int64", "field_name": "n", "scalars": {"long_data": {"data": [-1]}}},
	{"type": "FloatVector", "field_name": "vec", "vectors": {"dim": 2, "float_vector": {"data": [0, 0]}}}]}' >/dev/null ||
	fail "cannot insert the extra row"
expect_exit 9 mvs-migrate start -j 4 -c "$T/upsert.yaml"
grep -q '^mvs-migrate: error: Migration failed: shard 0/4: stage mvs-import: collection "words" holds 76 rows among shard 0/4'"'"'s keys after the import, 75 were written (did it hold rows with these keys before, or did another writer add some?) (collection words, 2 of 2)$' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "extra row not found by its shard"; }
note "a shard's import counts its own keys"

# Shard 2's import goes to a server that refuses it: the migration fails naming shard 2
wrap=$T/wrap
mkdir -p "$wrap"
ln -s "$MVS_BIN/mvs-export" "$wrap/mvs-export"
ln -s "$MVS_BIN/mvs-map" "$wrap/mvs-map"
cat >"$wrap/mvs-import" <<EOF
#!/bin/sh
case "\$*" in
*"--shard 2/4"*) MILVUS_PASSWORD=wrong exec "$MVS_BIN/mvs-import" "\$@" --uri "$locked_URI" --user root ;;
esac
exec "$MVS_BIN/mvs-import" "\$@"
EOF
chmod +x "$wrap/mvs-import"
sed 's/collections: \[ints, words\]/collections: [{name: ints, target: ints_b}]/' "$T/migration.yaml" >"$T/locked.yaml"
expect_exit 7 env MVS_BIN="$wrap" mvs-migrate start -c "$T/locked.yaml" >"$T/stdout"
grep -q '^mvs-migrate: error: Migration failed: shard 2/4: stage mvs-import: .*auth' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "failing shard not named"; }
grep -q 'Migration Success' "$T/stdout" "$T/stderr" && fail "success reported"
note "a failing shard fails the migration: $(grep 'Migration failed' "$T/stderr")"
exit 0
