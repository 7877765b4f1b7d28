#!/usr/bin/env bash
# mvs-migrate --verify (and meta.verify) between two fake Milvus servers: an exact copy, as 2 shards,
# passes and says so; the sum of the shards' digests is the whole's, as mvs-cat --digest gives it; a
# row changed in the target before the check fails with exit 9 and mvs-diff names the row and field;
# an auto-ID copy whose target made new keys is verified without the key; a stage that ends without
# the end event of its status channel fails the migration.
. "$MVS_TOP/tests/lib.sh"
need_node
unset MILVUS_PASSWORD MILVUS_TOKEN

fake_start src
fake_start dst
sdk seed --uri "$src_URI" --scenario varchar-pk --rows 300 >/dev/null
sdk seed --uri "$src_URI" --scenario auto-id >/dev/null

# config FILE COLLECTION TARGET [EXTRA META LINES]: indexes and loads the target, as a check needs
config() {
	cat >"$1" <<EOF
dumper: {worker: {workMode: milvus2x}}
meta:
  mode: config
  collection: $2
  createIndex: true
  load: true
${4:-}
  milvus:
    collection: $3
source: {milvus2x: {endpoint: '$src_URI'}}
target: {milvus2x: {endpoint: '$dst_URI'}}
EOF
}

# An exact copy as 2 shards, checked with --verify.
config "$T/a.yaml" varchar_pk copy_a
mvs-migrate start --verify -j 2 -c "$T/a.yaml" >"$T/a.out" 2>"$T/a.log" || { cat "$T/a.log" >&2; fail "--verify of an exact copy failed"; }
grep -q '^mvs-migrate: collection varchar_pk: verified: the target holds exactly the 300 rows copied (digest [0-9a-f]\{16\})$' "$T/a.log" ||
	{ cat "$T/a.log" >&2; fail "no verified line"; }
digest=$(sed -n 's/.*(digest \([0-9a-f]\{16\}\))$/\1/p' "$T/a.log")
# the same digest, as one line, from the source and from the target
mvs-export --uri "$src_URI" --collection varchar_pk -q | mvs-cat --digest >"$T/src.digest"
mvs-export --uri "$dst_URI" --collection copy_a -q | mvs-cat --digest >"$T/dst.digest"
[ "$(cut -d' ' -f2,3 "$T/src.digest")" = "300 $digest" ] || fail "the source's digest is not the shards' sum: $(cat "$T/src.digest") vs $digest"
[ "$(cut -d' ' -f2,3 "$T/dst.digest")" = "300 $digest" ] || fail "the target's digest differs: $(cat "$T/dst.digest")"
note "2 shards verified, digest $digest"

# meta.verify does the same without the option.
config "$T/b.yaml" varchar_pk copy_b "  verify: true"
mvs-migrate start -q -c "$T/b.yaml" 2>"$T/b.log" || { cat "$T/b.log" >&2; fail "meta.verify of an exact copy failed"; }
mvs-migrate start -c "$T/b.yaml" 2>"$T/b.log" || { cat "$T/b.log" >&2; fail "meta.verify, again, failed"; }
grep -q 'verified: the target holds exactly the 300 rows copied' "$T/b.log" || { cat "$T/b.log" >&2; fail "meta.verify did not verify"; }

# A row changed in the target before the check: tools in $T/bin, where mvs-export, when it reads the
# target's copy_c, first upserts one row of it with another note.
mkdir "$T/bin"
for t in mvs-export mvs-map mvs-import mvs-cat mvs-diff; do ln -s "$(command -v $t)" "$T/bin/$t"; done
cat >"$T/change.js" <<'EOF'
const { MilvusClient } = require(`${process.argv[2]}/tests/node_modules/@zilliz/milvus2-sdk-node`);
(async () => {
	const c = new MilvusClient({ address: process.argv[3] });
	const [row] = (await c.query({ collection_name: 'copy_c', filter: 'pk == "k00200"', output_fields: ['pk', 'vec', 'note'] })).data;
	if (!row) throw new Error('no row k00200 in copy_c');
	const r = await c.upsert({ collection_name: 'copy_c', partition_name: 'p2', data: [{ pk: row.pk, vec: row.vec, note: 'changed' }] });
	if (r.status.error_code !== 'Success') throw new Error(JSON.stringify(r.status));
})().catch((e) => { console.error(e.message); process.exit(1); });
EOF
rm "$T/bin/mvs-export"
cat >"$T/bin/mvs-export" <<EOF
#!/bin/sh
case " \$* " in *" --collection copy_c "*) node '$T/change.js' '$MVS_TOP' '$dst_URI' || exit 1 ;; esac
exec '$(command -v mvs-export)' "\$@"
EOF
chmod +x "$T/bin/mvs-export"
config "$T/c.yaml" varchar_pk copy_c
rc=0
MVS_BIN=$T/bin mvs-migrate start --verify -c "$T/c.yaml" >"$T/c.out" 2>"$T/c.log" || rc=$?
[ $rc -eq 9 ] || { cat "$T/c.log" >&2; fail "a changed row: exit $rc, not 9"; }
grep -q '^mvs-migrate: error: Migration failed: verification failed: collection varchar_pk: the target holds 300 rows with digest [0-9a-f]*, the copy read 300 rows with digest '"$digest"'$' "$T/c.log" ||
	{ cat "$T/c.log" >&2; fail "no verification failure message"; }
grep -q 'pk="k00200" field note: "row 200" vs "changed"' "$T/c.log" || { cat "$T/c.log" >&2; fail "mvs-diff did not name the row and field"; }
note "a changed row fails with exit 9, named by mvs-diff"

# Auto-ID: the target makes new keys (meta.milvus.autoId: true), so the check leaves the key out.
cat >"$T/d.yaml" <<EOF
dumper: {worker: {workMode: milvus2x}}
meta:
  mode: config
  collection: auto_id
  createIndex: true
  load: true
  milvus:
    collection: auto_copy
    autoId: "true"
source: {milvus2x: {endpoint: '$src_URI'}}
target: {milvus2x: {endpoint: '$dst_URI'}}
EOF
mvs-migrate start --verify -c "$T/d.yaml" 2>"$T/d.log" || { cat "$T/d.log" >&2; fail "--verify of an auto-ID copy failed"; }
grep -q 'verified: the target holds exactly the 100 rows copied (digest [0-9a-f]*, without the primary key: the target made new keys)$' "$T/d.log" ||
	{ cat "$T/d.log" >&2; fail "auto-ID copy not verified without the key"; }

# A stage that ends without its final status: mvs-map run without its --status-fd.
rm "$T/bin/mvs-map"
cat >"$T/bin/mvs-map" <<EOF
#!/bin/sh
n=\$#; i=0
for a in "\$@"; do i=\$((i + 1)); [ \$i -le \$((n - 2)) ] && set -- "\$@" "\$a"; done
shift \$n
exec '$(command -v mvs-map)' "\$@"
EOF
chmod +x "$T/bin/mvs-map"
config "$T/e.yaml" varchar_pk copy_e
rc=0
MVS_BIN=$T/bin mvs-migrate start -c "$T/e.yaml" >"$T/e.out" 2>"$T/e.log" || rc=$?
[ $rc -ne 0 ] || { cat "$T/e.log" >&2; fail "a stage without its final status: exit 0"; }
grep -q 'stage mvs-map: exited 0 without the end event of its status channel' "$T/e.log" || { cat "$T/e.log" >&2; fail "missing final status not named"; }
note "a missing final status fails the migration"
