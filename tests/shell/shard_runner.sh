#!/usr/bin/env bash
# mvs-migrate running shards, with stand-in tools (shell scripts in $T/bin that record their command
# lines and print the real tools' lines): --parallel / dumper.worker.parallelism give every export
# and import its --shard I/N; progress and percent add up the shards; the tools' lines are passed on
# naming the shard; a failing shard stops the others and fails the migration naming it; neighbouring
# shards that report different split points fail it; --dry-run prints a line per shard.
. "$MVS_TOP/tests/lib.sh"
migrate=$MVS_BIN/mvs-migrate
bin=$T/bin

# Control files in $bin: fail ("import 2": the import of shard 2 fails), gate (when use-gate exists,
# the exports of the other shards wait for it, a minute at most, and leave waited.I behind), skew
# (shard 2 reports a split point of its own).
standin "$bin/mvs-export" <<'EOF'
shard=whole
prev=
for a in "$@"; do [ "$prev" = --shard ] && shard=$a; prev=$a; done
i=${shard%/*} n=${shard#*/}
printf '%s\n' "$@" >"$d/export.args.${i}"
if [ -e "$d/use-gate" ] && ! grep -qx "import $i" "$d/fail" 2>/dev/null; then
	k=0
	while [ ! -e "$d/gate" ] && [ $k -lt 600 ]; do sleep 0.1; k=$((k + 1)); done
	echo "$i" >"$d/waited.$i"	# not reached when stopped
fi
if [ "$shard" != whole ]; then
	lo=-; hi=-
	[ "$i" -gt 0 ] && lo=6b$i
	[ "$i" -lt $((n - 1)) ] && hi=6b$((i + 1))
	[ -e "$d/skew" ] && [ "$i" = 2 ] && lo=7a7a
	echo "mvs-export: collection \"c\": shard $shard: pk >= \"k$i\" (split points $lo $hi)" >&2
fi
progress 50 50.0
echo data
export_end 100
EOF
standin "$bin/mvs-map" <<<'cat'
standin "$bin/mvs-import" <<'EOF'
shard=whole
prev=
for a in "$@"; do [ "$prev" = --shard ] && shard=$a; prev=$a; done
i=${shard%/*}
printf '%s\n' "$@" >"$d/import.args.${i}"
import_fail_if "import $i"
import_whole_stream
echo "mvs-import: created collection \"c\"" >&2
echo "mvs-import: imported 100 rows (4096 bytes) into c in 0.1 s (900 rows/s)" >&2
end_rows=100
EOF

cat >"$T/migration.yaml" <<'EOF'
dumper:
  worker:
    workMode: milvus2x
    parallelism: 3
meta:
  mode: config
  collection: c
source:
  milvus2x:
    endpoint: src:19530
target:
  milvus2x:
    endpoint: dst:19530
EOF
reset() { rm -f "$bin"/fail "$bin"/use-gate "$bin"/gate "$bin"/skew "$bin"/*.args.* "$bin"/waited.*; }

# -j 4: four pipelines, each with its shard
MVS_BIN=$bin "$migrate" start -j 4 -c "$T/migration.yaml" >"$T/log" 2>&1 || { cat "$T/log" >&2; fail "-j 4 failed"; }
for i in 0 1 2 3; do
	printf '%s\n' --uri src:19530 --collection c --shard "$i/4" --status-fd 3 | diff - "$bin/export.args.$i" ||
		fail "shard $i: mvs-export arguments"
	printf '%s\n' --uri dst:19530 --shard "$i/4" --status-fd 3 | diff - "$bin/import.args.$i" ||
		fail "shard $i: mvs-import arguments"
	grep -qxF "mvs-import: shard $i/4: created collection \"c\"" "$T/log" || fail "shard $i: line not passed on"
	grep -qxF "mvs-export: collection \"c\": shard $i/4: pk >= \"k$i\" (split points $([ $i = 0 ] && echo - || echo 6b$i) $([ $i = 3 ] && echo - || echo 6b$((i + 1))))" "$T/log" ||
		fail "shard $i: filter line"
done
grep -qxF 'mvs-migrate: migrating collection c (1 of 1) as 4 shards' "$T/log" || fail "no shards in the start line"
grep -q '^mvs-migrate: collection c: 400 rows in .* s (.* rows/s)$' "$T/log" || fail "shards not added up"
grep -qxF 'mvs-migrate: ["=================>JobProcess!"] [Percent=100]' "$T/log" || fail "no Percent=100"
grep -q 'Migration Success' "$T/log" || fail "no success line"
note "-j 4: four shard pipelines"

# dumper.worker.parallelism: 3, and --progress sums the shards
reset
MVS_BIN=$bin "$migrate" start --progress -c "$T/migration.yaml" 2>"$T/log" || { cat "$T/log" >&2; fail "parallelism 3 failed"; }
[ -e "$bin/export.args.2" ] && [ ! -e "$bin/export.args.3" ] || fail "parallelism: 3 did not make 3 shards"
grep -qxF -- '--shard' "$bin/import.args.2" && grep -qxF 2/3 "$bin/import.args.2" || fail "shard 2/3 import arguments"
grep -q '^mvs-migrate: collection c: 300 rows in ' "$T/log" || fail "3 shards not added up"
grep -q '^mvs-migrate: c: [0-9]* rows exported, [0-9]* imported ([0-9]*%), [0-9]* rows/s$' "$T/log" ||
	{ cat "$T/log" >&2; fail "no progress line"; }

# -j 1: no shards at all
reset
MVS_BIN=$bin "$migrate" start -q -j 1 -c "$T/migration.yaml" || fail "-j 1 failed"
grep -q -- --shard "$bin/export.args.whole" "$bin/import.args.whole" && fail "-j 1 passed --shard"
[ -e "$bin/export.args.0" ] && fail "-j 1 ran shards"

# A failing shard stops the others and is named; its exit status is the migration's.
reset
echo "import 2" >"$bin/fail"
touch "$bin/use-gate"
expect_exit 6 env MVS_BIN="$bin" "$migrate" start -j 4 -c "$T/migration.yaml" >"$T/stdout"
grep -qxF 'mvs-migrate: error: Migration failed: shard 2/4: stage mvs-import: Insert: rate limit exceeded (code 8); 0 rows written' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "failing shard not named"; }
[ "$(grep -c 'rate limit exceeded' "$T/stderr")" = 1 ] ||
	{ cat "$T/stderr" >&2; fail "the shard's error is told more than once"; }
for i in 0 1 3; do
	[ -e "$bin/waited.$i" ] && fail "shard $i was not stopped: it waited for the gate to the end"
done
grep -q 'Migration Success' "$T/stdout" "$T/stderr" && fail "success reported on failure"
note "a failing shard stops the others and is named"

# Neighbouring shards that split the keys at different points fail the migration.
reset
touch "$bin/skew"
expect_exit 9 env MVS_BIN="$bin" "$migrate" start -j 4 -c "$T/migration.yaml"
grep -qxF 'mvs-migrate: error: Migration failed: shards 1/4 and 2/4 of collection c split the keys at different points (the source changed while they started): rows may be missing or doubled; copy it again while nothing writes to the source' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "split mismatch not reported"; }

# --dry-run: a line per shard
MVS_BIN=$bin "$migrate" start -c "$T/migration.yaml" -j 2 --dry-run >"$T/dry" || fail "--dry-run failed"
cat >"$T/want" <<'EOF'
mvs-export --uri src:19530 --collection c --shard 0/2 | mvs-map | mvs-import --uri dst:19530 --shard 0/2
mvs-export --uri src:19530 --collection c --shard 1/2 | mvs-map | mvs-import --uri dst:19530 --shard 1/2
EOF
diff "$T/want" "$T/dry" || fail "--dry-run lines"

# bad values
expect_exit 2 "$migrate" start -j 0 -c "$T/migration.yaml"
grep -q -- '--parallel' "$T/stderr" || fail "-j 0: $(cat "$T/stderr")"
expect_exit 2 "$migrate" start -j 65 -c "$T/migration.yaml"
sed 's/parallelism: 3/parallelism: 0/' "$T/migration.yaml" >"$T/bad.yaml"
expect_exit 10 "$migrate" start -c "$T/bad.yaml"
grep -qF 'bad.yaml:4:18: error: dumper.worker.parallelism: expected a whole number from 1 to 64, found "0"' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "parallelism: 0 not refused"; }
sed 's/parallelism: 3/paralelism: 3/' "$T/migration.yaml" >"$T/typo.yaml"
MVS_BIN=$bin "$migrate" start -q -c "$T/typo.yaml" 2>"$T/log" || fail "typo config failed"
grep -qF 'typo.yaml:4:5: warning: unknown key "paralelism" in dumper.worker (did you mean "parallelism"?)' "$T/log" ||
	{ cat "$T/log" >&2; fail "no suggestion for paralelism"; }
exit 0
