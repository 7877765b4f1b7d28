#!/usr/bin/env bash
# mvs-migrate start's pipeline runner, with stand-in tools (small shell scripts in $T/bin that record
# their command line and secrets and write the real tools' status events): milvus-migration-style log
# lines and percent; each child gets its own secret in its environment and none in argv; the stage
# that really failed is named with its exit status (not the stages that died of the closed pipe, nor
# those reporting an upstream failure); differing row counts fail; tools found next to mvs-migrate.
. "$MVS_TOP/tests/lib.sh"
migrate=$MVS_BIN/mvs-migrate
bin=$T/bin

# Stand-ins. Control files in $bin: fail (name of the stage that fails), rows, imported, flood,
# use-gate/gate (export waits for gate).
standin "$bin/mvs-export" <<'EOF'
printf '%s\n' "$@" >"$d/export.args"
echo "${MILVUS_PASSWORD-unset}" >"$d/export.password"
echo "${MILVUS_TOKEN-unset}" >"$d/export.token"
if [ -e "$d/use-gate" ]; then while [ ! -e "$d/gate" ]; do sleep 0.05; done; fi
if grep -qx export "$d/fail" 2>/dev/null; then
	echo "mvs-export: error: collection \"c\" is not loaded: load it or pass --load" >&2
	exit 6
fi
[ -e "$d/flood" ] && exec yes data
rows=$(cat "$d/rows" 2>/dev/null || echo 100)
progress $((rows / 2)) 50.0
echo "data"
export_end "$rows"
EOF
standin "$bin/mvs-map" <<'EOF'
printf '%s\n' "$@" >"$d/map.args"
echo "${MILVUS_PASSWORD-unset}${MILVUS_TOKEN-unset}" >"$d/map.password"
if grep -qx map "$d/fail" 2>/dev/null; then
	echo "mvs-map: error: --fields: no field \"vec\" in collection \"c\"" >&2
	exit 2
fi
cat
EOF
standin "$bin/mvs-import" <<'EOF'
printf '%s\n' "$@" >"$d/import.args"
echo "${MILVUS_PASSWORD-unset}" >"$d/import.password"
echo "${MILVUS_TOKEN-unset}" >"$d/import.token"
import_fail_if import
import_whole_stream
rows=$(cat "$d/imported" 2>/dev/null || cat "$d/rows" 2>/dev/null || echo 100)
progress "$rows" null
echo "mvs-import: created collection \"c\"" >&2
echo "mvs-import: imported $rows rows (4096 bytes) into c in 0.1 s (900 rows/s)" >&2
end_rows=$rows
EOF

cat >"$T/migration.yaml" <<'EOF'
dumper:
  worker:
    workMode: milvus2x
meta:
  mode: config
  version: 2.3.0
  collection: c
source:
  milvus2x:
    endpoint: src:19530
    username: reader
    password: ${SRC_PW}
target:
  milvus2x:
    endpoint: dst:19530
    token: ${DST_TOKEN}
EOF
export SRC_PW=source-secret DST_TOKEN=target-token
reset() { rm -f "$bin"/fail "$bin"/rows "$bin"/imported "$bin"/flood "$bin"/use-gate "$bin"/gate "$bin"/*.args; }

# Success: log lines, percent, and where each secret went. A MILVUS_PASSWORD of our own must not
# reach a child that the config gives none.
MVS_BIN=$bin MILVUS_PASSWORD=leaked "$migrate" start -c "$T/migration.yaml" >"$T/log" 2>&1 ||
	{ cat "$T/log" >&2; fail "start failed"; }
grep -qE '^mvs-migrate: jobId is start_[0-9A-Za-z]{21}$' "$T/log" || fail "no jobId line"
grep -qxF 'mvs-migrate: ["=================>JobProcess!"] [Percent=0]' "$T/log" || fail "no Percent=0"
grep -qxF 'mvs-migrate: ["=================>JobProcess!"] [Percent=99]' "$T/log" || fail "no Percent=99"
grep -qxF 'mvs-migrate: ["=================>JobProcess!"] [Percent=100]' "$T/log" || fail "no Percent=100"
grep -qE '^mvs-migrate: \["\[Starter\] Migration Success!"\] \[Cost=[0-9]+\.[0-9]{3}\]$' "$T/log" ||
	fail "no success line"
grep -qxF 'mvs-import: created collection "c"' "$T/log" || fail "a stage's note was not passed on"
grep -q '^mvs-migrate: collection c: 100 rows in .* s (.* rows/s)$' "$T/log" || fail "no collection summary"
grep -q '^mvs-export: 50 rows' "$T/log" && fail "progress lines of a stage were passed on"
[ "$(cat "$bin/export.password")" = source-secret ] || fail "mvs-export did not get the source password"
[ "$(cat "$bin/export.token")" = unset ] || fail "mvs-export got a token"
[ "$(cat "$bin/import.token")" = target-token ] || fail "mvs-import did not get the target token"
[ "$(cat "$bin/import.password")" = unset ] || fail "mvs-import got a password: $(cat "$bin/import.password")"
[ "$(cat "$bin/map.password")" = unsetunset ] || fail "mvs-map got a secret"
cat "$bin"/*.args >"$T/argv"
grep -qe source-secret -e target-token -e leaked "$T/argv" && fail "a secret is in a command line"
printf '%s\n' --uri src:19530 --user reader --collection c --status-fd 3 | diff - "$bin/export.args" ||
	fail "mvs-export arguments"
printf '%s\n' --uri dst:19530 --status-fd 3 | diff - "$bin/import.args" || fail "mvs-import arguments"

# -q: nothing on success.
MVS_BIN=$bin "$migrate" start -q -c "$T/migration.yaml" >"$T/log" 2>&1 || fail "start -q failed"
[ -s "$T/log" ] && { cat "$T/log" >&2; fail "start -q printed something"; }

# --progress: rows lines of our own.
MVS_BIN=$bin "$migrate" start --progress -c "$T/migration.yaml" 2>"$T/log" || fail "start --progress failed"
grep -q '^mvs-migrate: c: 50 rows exported, 0 imported (0%), [0-9]* rows/s$' "$T/log" ||
	{ cat "$T/log" >&2; fail "no progress line"; }

# The target fails: its exit status and message; the earlier stages died of the closed pipe.
reset
touch "$bin/flood"
echo import >"$bin/fail"
expect_exit 6 env MVS_BIN="$bin" "$migrate" start -c "$T/migration.yaml" >"$T/stdout"
grep -qxF 'mvs-migrate: error: Migration failed: stage mvs-import: Insert: rate limit exceeded (code 8); 0 rows written' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "failing target not named"; }
# the cause once, with its stage: not also as the stage's own error line
[ "$(grep -c 'rate limit exceeded' "$T/stderr")" = 1 ] || { cat "$T/stderr" >&2; fail "the cause is told more than once"; }
grep -q 'Migration Success' "$T/stdout" "$T/stderr" && fail "success reported on failure"

# The target fails while the source still waits: the runner stops the source.
reset
touch "$bin/use-gate"
echo import >"$bin/fail"
expect_exit 6 env MVS_BIN="$bin" "$migrate" start -c "$T/migration.yaml"
grep -qxF 'mvs-migrate: error: Migration failed: stage mvs-import: Insert: rate limit exceeded (code 8); 0 rows written' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "failing target not named (stopped source)"; }

# The source fails: named, not the import that saw a truncated stream.
reset
echo export >"$bin/fail"
expect_exit 6 env MVS_BIN="$bin" "$migrate" start -c "$T/migration.yaml"
grep -qxF 'mvs-migrate: error: Migration failed: stage mvs-export: collection "c" is not loaded: load it or pass --load' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "failing source not named"; }

# The middle stage fails.
reset
echo map >"$bin/fail"
expect_exit 2 env MVS_BIN="$bin" "$migrate" start -c "$T/migration.yaml"
grep -qxF 'mvs-migrate: error: Migration failed: stage mvs-map: --fields: no field "vec" in collection "c"' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "failing map not named"; }

# Every stage succeeds but the counts differ.
reset
echo 90 >"$bin/imported"
expect_exit 9 env MVS_BIN="$bin" "$migrate" start -c "$T/migration.yaml"
grep -qxF 'mvs-migrate: error: Migration failed: stage mvs-import: row counts differ: mvs-export exported 100 rows, mvs-import imported 90' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "count mismatch not reported"; }

# A missing tool is reported before anything starts.
reset
mkdir -p "$T/empty"
expect_exit 1 env MVS_BIN="$T/empty" "$migrate" start -c "$T/migration.yaml"
grep -qxF "mvs-migrate: error: Migration failed: cannot run $T/empty/mvs-export: No such file or directory (set MVS_BIN to the directory holding mvs-export, mvs-map and mvs-import)" "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "missing tool not reported"; }

# Without MVS_BIN the tools are the ones next to mvs-migrate.
cp "$migrate" "$bin/mvs-migrate"
env -u MVS_BIN "$bin/mvs-migrate" start -q -c "$T/migration.yaml" || fail "tools next to mvs-migrate not used"
[ -e "$bin/export.args" ] || fail "the stand-in export did not run"

# Several collections run in turn; a failure names the collection.
cat >"$T/two.yaml" <<'EOF'
dumper: {worker: {workMode: milvus2x}}
meta: {mode: config, collections: [a, {name: b, target: b2}]}
source: {milvus2x: {endpoint: 'src:1'}}
target: {milvus2x: {endpoint: 'dst:2'}}
EOF
reset
MVS_BIN=$bin "$migrate" start -c "$T/two.yaml" >"$T/log" 2>&1 || { cat "$T/log" >&2; fail "two collections failed"; }
grep -qxF 'mvs-migrate: migrating collection a (1 of 2)' "$T/log" || fail "first collection not logged"
grep -qxF 'mvs-migrate: migrating collection b to b2 (2 of 2)' "$T/log" || fail "second collection not logged"
grep -qxF 'mvs-migrate: ["=================>JobProcess!"] [Percent=50]' "$T/log" || fail "no Percent=50"
grep -q '^mvs-migrate: migrated 200 rows in 2 collections in ' "$T/log" || fail "no total"
printf '%s\n' --collection b2 --status-fd 3 | diff - "$bin/map.args" || fail "second collection not renamed"
echo import >"$bin/fail"
expect_exit 6 env MVS_BIN="$bin" "$migrate" start -c "$T/two.yaml"
grep -qxF 'mvs-migrate: error: Migration failed: stage mvs-import: Insert: rate limit exceeded (code 8); 0 rows written (collection a, 1 of 2)' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "failing collection not named"; }
exit 0
