#!/usr/bin/env bash
# mvs-migrate's command line and config handling through the binary: --help/--version, usage errors,
# where the config is looked for, the exact warning and error messages (typo with line:column, YAML
# syntax, bad values, unset ${VAR}) with exit status 10, and --dry-run's exact output, which holds
# $VARS and never a secret's value.
. "$MVS_TOP/tests/lib.sh"
migrate=$MVS_BIN/mvs-migrate

# expect_stderr CODE WANT CMD...: exit CODE and a stderr line equal to WANT.
expect_stderr() {
	local code=$1 want=$2; shift 2
	expect_exit "$code" "$@"
	grep -qxF -- "$want" "$T/stderr" || { cat "$T/stderr" >&2; fail "missing stderr line: $want"; }
}

"$migrate" --help >"$T/help" || fail "--help failed"
grep -q '^Usage: mvs-migrate start' "$T/help" || fail "--help has no usage line"
"$migrate" start --help | grep -q 'server run' || fail "start --help"
"$migrate" --version | grep -qx 'mvs-migrate (mvs) [0-9.]*' || fail "--version"
expect_stderr 2 "mvs-migrate: missing command: start, server or version" "$migrate"
expect_stderr 2 "mvs-migrate: unknown command 'begin' (start, server or version)" "$migrate" begin
expect_stderr 2 "mvs-migrate: unknown option '--bogus'" "$migrate" start --bogus
expect_stderr 2 "mvs-migrate: option '-c' needs a value" "$migrate" start -c
expect_stderr 2 "mvs-migrate: start: unexpected argument 'extra'" "$migrate" start extra
expect_stderr 2 "mvs-migrate: server: unexpected argument 'stop' (server, or server run)" "$migrate" server stop
expect_stderr 2 "mvs-migrate: invalid value for --port: '70000' (a whole number from 0 to 65535)" \
	"$migrate" server run -p 70000

# The seed document's example (endpoints filled in, secrets from the environment).
mkdir -p "$T/work/configs"
seed_config "$T/work/configs/migration.yaml" src_table_name 127.0.0.1:19530 127.0.0.1:19531 xxxx

# No config anywhere: a clear error, nothing started.
(cd "$T" && expect_stderr 10 "mvs-migrate: error: no config: neither migration.yaml nor configs/migration.yaml exists here (give -c FILE)" "$migrate" start)

# ./configs/migration.yaml is found; an unset variable is named with its place.
(cd "$T/work" && env -u SRC_PASSWORD -u DST_PASSWORD "$migrate" start --dry-run >"$T/out" 2>"$T/stderr") && fail "unset variables accepted"
grep -qxF 'mvs-migrate: configs/migration.yaml:16:15: error: source.milvus2x.password: environment variable SRC_PASSWORD is not set' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "unset SRC_PASSWORD not reported"; }
grep -qxF 'mvs-migrate: configs/migration.yaml:22:15: error: target.milvus2x.password: environment variable DST_PASSWORD is not set' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "unset DST_PASSWORD not reported"; }
grep -qxF 'mvs-migrate: error: configs/migration.yaml: invalid config; nothing was started' "$T/stderr" || fail "no summary line"
[ -s "$T/out" ] && fail "output despite an invalid config"

# --dry-run: the exact pipeline, the secrets as the variables the config named.
export SRC_PASSWORD='s3cr3t-src' DST_PASSWORD="it's-dst"
(cd "$T/work" && "$migrate" start --dry-run >"$T/out" 2>"$T/stderr") || { cat "$T/stderr" >&2; fail "--dry-run failed"; }
cat >"$T/want" <<'EOF'
MILVUS_PASSWORD="$SRC_PASSWORD" mvs-export --uri 127.0.0.1:19530 --user xxxx --collection src_table_name --batch-size 500 | mvs-map | MILVUS_PASSWORD="$DST_PASSWORD" mvs-import --uri 127.0.0.1:19531 --user xxxx
EOF
diff -u "$T/want" "$T/out" || fail "--dry-run output differs"
[ -s "$T/stderr" ] && { cat "$T/stderr" >&2; fail "--dry-run of a clean config printed diagnostics"; }

# Literal secrets, every option, several collections: quoted words, our $VAR names, no values.
cat >"$T/full.yaml" <<'EOF'
dumper:
  worker:
    workMode: milvus2x
meta:
  mode: config
  version: 2.4.0
  fields:
    - name: id
    - name: vec
  createIndex: true
  collections:
    - name: docs
    - name: "it's"
      target: copy of it
      filter: name == "x y"
  milvus:
    shardNum: 4
    closeDynamicField: true
    consistencyLevel: bounded
source:
  milvus2x:
    endpoint: src:19530
    token: literal-token-value
    database: db1
target:
  milvus2x:
    endpoint: dst:19530
    username: root
    password: "pa ss'word"
    database: db2
    writeMode: upsert
    grpc:
      maxCallSendMsgSize: 1048576
EOF
"$migrate" start -c "$T/full.yaml" --dry-run >"$T/out" 2>"$T/stderr" || { cat "$T/stderr" >&2; fail "--dry-run failed"; }
cat >"$T/want" <<'EOF'
MILVUS_TOKEN="$SOURCE_TOKEN" mvs-export --uri src:19530 --db db1 --collection docs --fields id,vec | mvs-map --shards 4 --consistency Bounded --dynamic off | MILVUS_PASSWORD="$TARGET_PASSWORD" mvs-import --uri dst:19530 --db db2 --user root --create-db --mode upsert --create-index --max-send-bytes 1048576
MILVUS_TOKEN="$SOURCE_TOKEN" mvs-export --uri src:19530 --db db1 --collection 'it'\''s' --fields id,vec --filter 'name == "x y"' | mvs-map --collection 'copy of it' --shards 4 --consistency Bounded --dynamic off | MILVUS_PASSWORD="$TARGET_PASSWORD" mvs-import --uri dst:19530 --db db2 --user root --create-db --mode upsert --create-index --max-send-bytes 1048576
EOF
diff -u "$T/want" "$T/out" || fail "--dry-run output differs (several collections)"
for secret in literal-token-value "ss'word" s3cr3t-src; do
	grep -qF -- "$secret" "$T/out" && fail "--dry-run output holds a secret value"
done

# -t NAME (milvus-migration's --table) replaces the collection, on both sides; not with a list.
(cd "$T/work" && "$migrate" start -t other_name --dry-run >"$T/out" 2>"$T/stderr") || { cat "$T/stderr" >&2; fail "-t failed"; }
grep -qF -- '--collection other_name --batch-size 500 | mvs-map | ' "$T/out" || { cat "$T/out" >&2; fail "-t not applied"; }
expect_stderr 2 "mvs-migrate: error: -t/--table: the config lists 2 collections; it replaces one (meta.collection)" \
	"$migrate" start -c "$T/full.yaml" -t x --dry-run

# A typo is a warning with line:column and a suggestion; the config still runs.
cat >"$T/typo.yaml" <<'EOF'
dumper:
    worker:
        workMode: milvus2x
meta:
    mode: config
    collection: c
    colection: typo
source: {milvus2x: {endpoint: 'a:1', usrname: me}}
target: {milvus2x: {endpoint: 'b:2'}}
EOF
"$migrate" start -c "$T/typo.yaml" --dry-run >"$T/out" 2>"$T/stderr" || { cat "$T/stderr" >&2; fail "typo refused"; }
cat >"$T/want" <<EOF
mvs-migrate: $T/typo.yaml:7:5: warning: unknown key "colection" in meta (did you mean "collection"?)
mvs-migrate: $T/typo.yaml:8:38: warning: unknown key "usrname" in source.milvus2x (did you mean "username"?)
EOF
diff -u "$T/want" "$T/stderr" || fail "typo warnings differ"
grep -q 'mvs-export --uri a:1 --collection c' "$T/out" || fail "typo config did not run"

# YAML syntax errors: libyaml's problem with line and column.
printf 'meta:\n  mode: config\n collection: x\n' >"$T/syntax.yaml"
expect_stderr 10 "mvs-migrate: $T/syntax.yaml:3:2: error: YAML syntax: did not find expected key (while parsing a block mapping at line 1, column 1)" \
	"$migrate" start -c "$T/syntax.yaml" --dry-run
printf 'meta:\n\tmode: config\n' >"$T/tab.yaml"
expect_stderr 10 "mvs-migrate: $T/tab.yaml:2:1: error: YAML syntax: found character that cannot start any token (while scanning for the next token at line 2, column 1); indent with spaces: YAML does not allow tabs there" \
	"$migrate" start -c "$T/tab.yaml" --dry-run

# Wrong values say what is allowed; all problems come in one run.
cat >"$T/bad.yaml" <<'EOF'
dumper: {worker: {workMode: faiss, reader: {bufferSize: lots}}}
meta: {mode: config, collection: c, milvus: {shardNum: 32, consistencyLevel: Weak, autoId: maybe}}
source: {milvus2x: {endpoint: 'a:1'}}
target: {milvus2x: {endpoint: 'b:2', writeMode: replace}}
EOF
expect_exit 10 "$migrate" start -c "$T/bad.yaml"
cat >"$T/want" <<EOF
mvs-migrate: $T/bad.yaml:1:29: error: dumper.worker.workMode: "faiss" is not supported: mvs migrates Milvus 2.x to Milvus 2.x (allowed: milvus2x)
mvs-migrate: $T/bad.yaml:1:57: error: dumper.worker.reader.bufferSize: expected a whole number up to 16384, found "lots"
mvs-migrate: $T/bad.yaml:2:56: error: meta.milvus.shardNum: expected a whole number from 0 to 16, found "32"
mvs-migrate: $T/bad.yaml:2:78: error: meta.milvus.consistencyLevel: invalid value "Weak" (allowed: Strong, Session, Bounded, Eventually, Customized)
mvs-migrate: $T/bad.yaml:2:92: error: meta.milvus.autoId: invalid value "maybe" (allowed: true, false, or empty for the source's setting)
mvs-migrate: $T/bad.yaml:4:49: error: target.milvus2x.writeMode: invalid value "replace" (allowed: insert, upsert)
mvs-migrate: error: $T/bad.yaml: invalid config; nothing was started
EOF
diff -u "$T/want" "$T/stderr" || fail "bad value messages differ"

expect_stderr 10 "mvs-migrate: $T/missing.yaml: error: cannot open: No such file or directory" \
	"$migrate" start -c "$T/missing.yaml"
exit 0
