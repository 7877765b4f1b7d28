#!/usr/bin/env bash
# mvs-migrate with the real tools between two fake Milvus servers: the seed document's config (endpoints
# and credentials filled in) copies a collection exactly (checked with the official Node SDK after
# indexing and loading the target, as the document says to); selective fields and the target overrides
# (collection, shardNum, closeDynamicField, consistencyLevel) show in the target's schema; a target
# that refuses the credentials makes start fail with the stage and its exit status; the REST flow
# start -> get_job -> success with curl. Skips while mvs-export is not implemented.
. "$MVS_TOP/tests/lib.sh"
need_node
version=$(mvs-export --version 2>&1) || { echo "mvs-export is not available"; exit 77; }
case $version in *"not implemented"*) echo "mvs-export is not implemented yet"; exit 77 ;; esac
unset MILVUS_PASSWORD MILVUS_TOKEN

fake_start src --user root --password Milvus
fake_start dst --user root --password Other-Secret
sdk seed --uri "$src_URI" --user root --password Milvus --scenario varchar-pk >/dev/null
sdk seed --uri "$src_URI" --user root --password Milvus --scenario all-types >/dev/null
export SRC_PASSWORD=Milvus DST_PASSWORD=Other-Secret

# The seed document's example; passwords through ${VAR}.
seed_config "$T/migration.yaml" varchar_pk "$src_URI" "$dst_URI" root
mvs-migrate start -c "$T/migration.yaml" >"$T/log" 2>&1 || { cat "$T/log" >&2; fail "seed config: start failed"; }
grep -q '^mvs-migrate: \["\[Starter\] Migration Success!"\] \[Cost=' "$T/log" || fail "no success line"
grep -q '^mvs-import: imported 40 rows' "$T/log" || { cat "$T/log" >&2; fail "seed config: not 40 rows"; }
# As the document says: index and load the target, then compare everything.
sdk create-index --uri "$dst_URI" --user root --password Other-Secret --collection varchar_pk --field vec \
	--index-type HNSW --metric L2 --params '{"M":16,"efConstruction":64}' >/dev/null
sdk load --uri "$dst_URI" --user root --password Other-Secret --collection varchar_pk >/dev/null
sdk dump --uri "$src_URI" --user root --password Milvus --collection varchar_pk --out "$T/src.jsonl"
sdk dump --uri "$dst_URI" --user root --password Other-Secret --collection varchar_pk --out "$T/dst.jsonl"
sdk compare "$T/src.jsonl" "$T/dst.jsonl" >/dev/null || fail "seed config: target differs from the source"
note "seed config: varchar_pk copied exactly"

# Selective fields and every target override; our createIndex and load additions.
cat >"$T/overrides.yaml" <<EOF
dumper: {worker: {workMode: milvus2x, reader: {bufferSize: 7}}}
meta:
  mode: config
  collection: all_types
  fields:
    - name: id
    - name: fv
    - name: vc
  createIndex: true
  load: true
  milvus:
    collection: all_types_copy
    shardNum: 3
    closeDynamicField: true
    consistencyLevel: Strong
source: {milvus2x: {endpoint: '$src_URI', username: root, password: '\${SRC_PASSWORD}'}}
target: {milvus2x: {endpoint: '$dst_URI', username: root, password: '\${DST_PASSWORD}'}}
EOF
mvs-migrate start -q -c "$T/overrides.yaml" || fail "overrides: start failed"
sdk describe --uri "$dst_URI" --user root --password Other-Secret --collection all_types_copy >"$T/desc.json"
node -e '
	const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	const names = d.fields.map((f) => f.name).join(",");
	const c = d.collection;
	if (names !== "id,fv,vc") throw new Error("fields " + names);
	if (c.shards_num !== 3 || c.consistency_level !== "Strong" || c.enable_dynamic_field !== false)
		throw new Error("collection " + JSON.stringify(c));
' "$T/desc.json" || fail "overrides: target schema"
[ "$(sdk count --uri "$dst_URI" --user root --password Other-Secret --collection all_types_copy)" = \
	"$(sdk count --uri "$src_URI" --user root --password Milvus --collection all_types)" ] || fail "overrides: row count"
note "fields and target overrides applied"

# A target that refuses the password: non-zero, naming the stage.
DST_PASSWORD=wrong expect_exit 7 mvs-migrate start -c "$T/migration.yaml" >"$T/stdout"
grep -q '^mvs-migrate: error: Migration failed: stage mvs-import: ' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "failing target: no failure line"; }
grep -q 'Migration Success' "$T/stdout" "$T/stderr" && fail "failing target: success reported"
grep -qe Other-Secret -e "$SRC_PASSWORD" "$T/stderr" && fail "a password in the log"

# The REST flow.
mkdir -p "$T/srv/configs"
sed 's/collection: varchar_pk/collection: all_types/' "$T/migration.yaml" >"$T/srv/configs/migration.yaml"
sdk drop --uri "$dst_URI" --user root --password Other-Secret --collection all_types >/dev/null 2>&1 || true
: >"$T/server.out"
(cd "$T/srv" && exec mvs-migrate server run -p 0 >"$T/server.out" 2>"$T/server.err") &
server=$!
_pids+=("$server")
wait_listening server "$server" "$T/server.out" "$T/server.err" 'mvs-migrate: listening on'
addr=$LISTEN_ADDR
curl -s -X POST "http://$addr/api/v1/start" >"$T/start.json"
grep -q '^{"code":0,"msg":"success","data":{"jobId":"start_' "$T/start.json" || { cat "$T/start.json" >&2; fail "REST start"; }
id=$(sed -n 's/.*"jobId":"\(start_[0-9A-Za-z]*\)".*/\1/p' "$T/start.json")
curl -s "http://$addr/api/v1/get_job?jobId=$id" >"$T/job.json"
grep -qF "\"jobStatus\":\"success\",\"jobProcess\":100,\"msg\":\"\",\"totalTasks\":1,\"finishTasks\":1,\"rows\":{\"exported\":60,\"imported\":60}" "$T/job.json" ||
	{ cat "$T/job.json" >&2; fail "REST get_job"; }
note "REST start -> get_job: success, 60 rows"
exit 0
