#!/usr/bin/env bash
# mvs-migrate as a drop-in for milvus-migration (man mvs-migrate, COMPATIBILITY), with the real tools
# between two fake Milvus servers: milvus-migration's documented command lines as written
# (`start --config=F`, its batch script's loop of `start -t="$collection" -c=F`, `server run -p PORT`,
# `server -p :PORT` as its container starts it, `version`), a config using YAML merge keys, dotted keys,
# an endpoint naming the database (host:port/db) and a username without password (a target without
# authentication), each copy checked row for row with the official Node SDK; milvus-migration's log
# lines on stdout, diagnostics on stderr; values starting with '=' never taken as names.
. "$MVS_TOP/tests/lib.sh"
need_node
version=$(mvs-export --version 2>&1) || { echo "mvs-export is not available"; exit 77; }
case $version in *"not implemented"*) echo "mvs-export is not implemented yet"; exit 77 ;; esac
unset MILVUS_PASSWORD MILVUS_TOKEN

fake_start src --user root --password Milvus
fake_start dst		# no authentication: milvus-migration's empty password is accepted
for c in docs collection1 collection2 collection3 served; do
	sdk seed --uri "$src_URI" --user root --password Milvus --scenario varchar-pk --collection "$c" >/dev/null
done
export SRC_PASSWORD=Milvus

# same SOURCE [TARGET [DB]]: the target collection holds exactly the source's rows.
same() {
	local db=()
	[ -n "${3:-}" ] && db=(--db "$3")
	sdk dump --uri "$src_URI" --user root --password Milvus --collection "$1" --out "$T/src.jsonl"
	sdk dump --uri "$dst_URI" "${db[@]}" --collection "${2:-$1}" --out "$T/dst.jsonl"
	sdk compare "$T/src.jsonl" "$T/dst.jsonl" --ignore-schema-keys collection,indexes >/dev/null ||
		fail "${2:-$1}: the target differs from the source $1"
}

# Merge keys, dotted keys at the top and inside a mapping, the database in the endpoint's path, a
# username without password.
cat >"$T/merged.yaml" <<EOF
x-credentials: &credentials
  username: root
  password: \${SRC_PASSWORD}
dumper.worker.workMode: milvus2x
dumper.worker.reader.bufferSize: 7
meta:
  mode: config
  version: 2.3.0
  createIndex: true
  load: true
meta.collection: docs
source:
  milvus2x:
    <<: *credentials
    endpoint: $src_URI
target:
  milvus2x.endpoint: $dst_URI/compat
  milvus2x.username: root
EOF
mvs-migrate start --config="$T/merged.yaml" >"$T/out" 2>"$T/err" || { cat "$T/err" >&2; fail "start --config=F failed"; }
grep -qx 'mvs-migrate: \["\[Starter\] Migration Success!"\] \[Cost=[0-9.]*\]' "$T/out" || { cat "$T/out" >&2; fail "no success line on stdout"; }
grep -qx 'mvs-migrate: jobId is start_[0-9A-Za-z]*' "$T/out" || fail "no jobId line on stdout"
grep -qxF 'mvs-migrate: ["=================>JobProcess!"] [Percent=100]' "$T/out" || fail "no Percent=100 on stdout"
grep -q 'Migration Success\|JobProcess\|jobId' "$T/err" && { cat "$T/err" >&2; fail "milvus-migration's lines on stderr"; }
grep -qv '^mvs-migrate: \[\|^mvs-migrate: jobId is ' "$T/out" && { cat "$T/out" >&2; fail "diagnostics on stdout"; }
has_line "$T/err" "no warning about the username without password" -F 'target.milvus2x.username "root" has no password: connecting without credentials'
has_line "$T/err" "the anchor's key is not reported" -F 'unknown key "x-credentials" at the top level (ignored)'
same docs docs compat
note "start --config=F: merge keys, dotted keys, host:port/db, username without password: docs copied exactly"

# milvus-migration's batch script, as written (testfiles/milvus2x/batch_collection_migration.sh).
cat >"$T/migration.yml" <<EOF
dumper: {worker: {workMode: milvus2x}}
meta: {mode: config, version: 2.3.0, collection: docs, milvus: {collection: elsewhere}, createIndex: true, load: true}
source: {milvus2x: {endpoint: '$src_URI', username: root, password: '\${SRC_PASSWORD}'}}
target: {milvus2x: {endpoint: '$dst_URI'}}
EOF
collections=("collection1" "collection2" "collection3")
for collection in "${collections[@]}"; do
	echo "BatchMigration==> $collection"
	mvs-migrate start -t="$collection" -c="$T/migration.yml"
done >"$T/batch.out" 2>"$T/batch.err" || { cat "$T/batch.err" >&2; fail "the batch script failed"; }
[ "$(grep -c 'Migration Success' "$T/batch.out")" = 3 ] || { cat "$T/batch.out" "$T/batch.err" >&2; fail "not 3 successes"; }
for collection in "${collections[@]}"; do same "$collection"; done
note "start -t=NAME -c=F in a loop: 3 collections copied exactly, to their own names"

# The same options before the command, and every pflag spelling, give the same pipeline.
mvs-migrate start --dry-run -c "$T/migration.yml" -t collection1 >"$T/want" || fail "--dry-run failed"
for args in "-c=$T/migration.yml -t=collection1 start --dry-run" "--config=$T/migration.yml start --table=collection1 --dry-run" \
	"start -c$T/migration.yml -tcollection1 --dry-run=true" "start --config $T/migration.yml --table collection1 --dry-run"; do
	# shellcheck disable=SC2086
	mvs-migrate $args >"$T/got" || fail "mvs-migrate $args failed"
	cmp -s "$T/want" "$T/got" || { diff "$T/want" "$T/got" >&2; fail "mvs-migrate $args: another pipeline"; }
done
expect_exit 2 mvs-migrate start -t =collection1 -c "$T/migration.yml"
has_line "$T/stderr" "-t =NAME: no refusal" -xF "mvs-migrate: invalid value for -t: '=collection1' starts with '=' (write -t VALUE or -t=VALUE)"
expect_exit 2 mvs-migrate start --config==x
expect_exit 2 mvs-migrate start -c=
note "pflag spellings before and after the command: one pipeline; a value starting with '=' refused"

# version, as a command.
mvs-migrate version >"$T/version" || fail "version failed"
grep -qx 'mvs-migrate (mvs) [0-9][0-9.]*' "$T/version" || { cat "$T/version" >&2; fail "version: $(cat "$T/version")"; }

# server run -p PORT (a free one), with -c: POST /api/v1/start copies the config's collection.
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
sed 's/collection: docs, milvus: {collection: elsewhere}/collection: served/' "$T/migration.yml" >"$T/server.yml"
spawn mvs-migrate server run -p "$port" -c "$T/server.yml" >"$T/server1.out" 2>"$T/server1.err"
server1=$SPAWNED_PID
wait_listening "server run" "$server1" "$T/server1.out" "$T/server1.err" 'mvs-migrate: listening on'
[ "$LISTEN_ADDR" = "127.0.0.1:$port" ] || fail "server run -p $port listens on $LISTEN_ADDR"
curl -s -X POST "http://$LISTEN_ADDR/api/v1/start" >"$T/start.json"
grep -q '^{"code":0,"msg":"success","data":{"jobId":"start_' "$T/start.json" || { cat "$T/start.json" >&2; fail "REST start"; }
same served
has_line "$T/server1.err" "no word on listening beyond loopback" -F 'listening on 127.0.0.1 only; --bind 0.0.0.0 listens on every interface'
kill "$server1"
wait "$server1" 2>/dev/null || true
note "server run -p PORT -c F: POST /api/v1/start copied the config's collection exactly"

# server -p :PORT, as milvus-migration's container starts it.
spawn mvs-migrate server -p :0 >"$T/server2.out" 2>"$T/server2.err"
server2=$SPAWNED_PID
wait_listening "server -p :0" "$server2" "$T/server2.out" "$T/server2.err" 'mvs-migrate: listening on'
curl -s "http://$LISTEN_ADDR/api/v1/healthy" | grep -q '"code":0' || fail "server -p :0: not healthy"
kill "$server2"
wait "$server2" 2>/dev/null || true
note "server -p :PORT (no run) serves"
exit 0
