#!/usr/bin/env bash
# Faults while `mvs-export | mvs-import` runs, each ending either in the exact row set or in a clear
# message with a documented exit status, after which the resume the report prints gives the exact
# row set (no row lost, none doubled; checked with the official Node SDK: sdk.js dump/compare):
# - the source is killed (kill -9) mid-export: mvs-export 6, mvs-import 5 with the rows written and a
#   resume command, which run against the restarted source completes the copy;
# - the target dies mid-import (the fake exits abruptly): mvs-import 6; the fake's rows die with it, so
#   the report's fallback (the whole stream again with --mode upsert) into a fresh target;
# - the network to the target goes away for good mid-import, with writes in flight: mvs-import 6, and
#   the report says which rows may or may not be there; its resume completes the copy exactly;
# - the network to the target drops (connections cut right after a write reached the server, then
#   3 s in which nothing gets through), and the same on the source side: both complete exactly;
# - mvs-migrate into a target that rate-limits every 3rd write and the first 2 flushes: exact. (The
#   same limits on mvs-import alone: import_limits.sh and import_scenarios.sh.)
# Faults are placed by bytes, not timers (tests/tools/tcp-fault.js). The three failing cases wait for
# the client's retries to run out (~10 s each with the default 10 attempts), so they run in the
# background, each against its own servers, while the others run.
. "$MVS_TOP/tests/lib.sh"
. "$MVS_TOP/tests/tools/faults.sh"
need_node
unset MILVUS_PASSWORD MILVUS_TOKEN
survived=0

# exact URI COLLECTION EXPECT WHAT: the collection (indexed and loaded) holds exactly EXPECT's rows
# (sdk.js count, dump and compare). The targets keep a duplicate key on Insert as Milvus does
# (--insert-duplicates), so a row written twice shows in count(*).
exact() {
	local count
	count=$(sdk count --uri "$1" --collection "$2") || fail "$4: count failed"
	[ "$count" -eq "$(wc -l <"$3")" ] || fail "$4: count(*) is $count, expected $(wc -l <"$3")"
	sdk dump --uri "$1" --collection "$2" --out "$T/dump.jsonl" >/dev/null || fail "$4: dump failed"
	sdk compare "$3" "$T/dump.jsonl" >"$T/compare" 2>&1 || { head -20 "$T/compare" >&2; fail "$4: rows differ"; }
	note "$4: $(($(wc -l <"$T/dump.jsonl") - 1)) rows exact"
}

# header_json STREAM: the first unit's header as JSON, also when the stream ends in damage
header_json() {
	mvs-cat --header "$1" 2>/dev/null | head -n 1 || true
}

# resume REPORT STREAM SOURCE_URI --uri TARGET [IMPORT_OPTIONS...]: carries out the resume mvs-import
# printed in REPORT: the export it names (SOURCE replaced), into mvs-import with --mode upsert when the
# report says so, then the partitions after the one named, in the order of STREAM's header; or, when
# the report offers only that, the whole collection again with --mode upsert.
resume() {
	local report=$1 stream=$2 src=$3 line cmd mode="" part="" rest coll
	shift 3
	coll=$(header_json "$stream" | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).collection.name)')
	line=$(sed -n 's/^mvs-import: to resume, import the rest\( with --mode upsert, which replaces the rows that may be there\)\{0,1\}: //p' "$report")
	if [ -z "$line" ]; then
		grep -q '^mvs-import: to resume, import the whole stream again with --mode upsert' "$report" ||
			{ cat "$report" >&2; fail "no resume in the report"; }
		mvs-export --uri "$src" --collection "$coll" -q | mvs-import "$@" --mode upsert -q ||
			fail "resume: the whole stream again failed"
		return 0
	fi
	case $line in
	*" | mvs-import --mode upsert (otherwise the same options)") cmd=${line% | mvs-import *}; mode="--mode upsert" ;;
	*" | mvs-import (the same options)") cmd=${line% | mvs-import *} ;;
	*) fail "resume command not understood: $line" ;;
	esac
	local import_args=("$@")
	eval "set -- $cmd"
	[ "$1 $2 $3 $4 $5" = "mvs-export --uri SOURCE --collection $coll" ] || fail "resume command: $line"
	shift 5
	[ "${1:-}" = --partition ] && part=$2
	# shellcheck disable=SC2086
	mvs-export --uri "$src" --collection "$coll" "$@" -q | mvs-import "${import_args[@]}" $mode -q ||
		fail "resume: $line failed"
	[ -n "$part" ] || return 0
	rest=$(header_json "$stream" | node -e '
		const p = JSON.parse(require("fs").readFileSync(0, "utf8")).partitions, i = p.indexOf(process.argv[1]);
		if (i < 0) process.exit(1);
		process.stdout.write(p.slice(i + 1).map((x) => "--partition " + x).join(" "));
	' "$part") || fail "resume: partition $part is not in the stream's header"
	[ -n "$rest" ] || return 0
	# shellcheck disable=SC2086
	mvs-export --uri "$src" --collection "$coll" $rest -q | mvs-import "${import_args[@]}" $mode -q ||
		fail "resume: the partitions after $part failed"
}

# Two sources with the same rows: one to kill, one that stays (the restarted source, for resumes).
fake_start src
sdk seed --uri "$src_URI" --scenario varchar-pk --rows 20000 --expect "$T/vpk.expect" >/dev/null
fake_start srck
sdk seed --uri "$srck_URI" --scenario varchar-pk --rows 20000 --expect "$T/vpk2.expect" >/dev/null
cmp -s "$T/vpk.expect" "$T/vpk2.expect" || fail "the two sources hold different rows"
mvs-export --uri "$src_URI" --collection varchar_pk -q -o "$T/vpk.mvs"
done_opts=(--create-index --load)	# for the imports that are meant to complete

# ---- the slow ones, started in the background ----
# The target dies mid-import (the fake exits abruptly once it took 9000 rows).
fake_start dying --exit-after-rows 9000 --insert-duplicates
mvs-import --uri "$dying_URI" --batch-rows 1000 "$T/vpk.mvs" 2>"$T/dying.err" &
dying_import=$!
# The network to the target goes away for good: stalled while a write is in flight, after ~100 kB of
# answers (they list the keys written: ~65 kB for the first partition, ~195 kB in all), then the
# proxy is killed.
fake_start dstg --insert-duplicates
proxy_start gone "$dstg_URI" --stall-after-bytes 100000
mvs-import --uri "$gone_URI" --batch-rows 500 --inflight 1 "$T/vpk.mvs" 2>"$T/gone.err" &
gone_import=$!
wait_for_line "$gone_LOG" '^tcp-fault: stalled' "$gone_import"
kill -9 "$gone_PID"
# The source is killed mid-export: the stall holds the export after ~300 kB of its ~700 kB.
fake_start dstk --insert-duplicates
proxy_start snet "$srck_URI" --stall-after-bytes 300000
{ mvs-export --uri "$snet_URI" --collection varchar_pk --batch-size 500 2>"$T/export.err" | tee "$T/cut.mvs" |
	mvs-import --uri "$dstk_URI" --batch-rows 700 2>"$T/killed.err"; } &
pipeline=$!
wait_for_line "$snet_LOG" '^tcp-fault: stalled' "$pipeline"
kill -9 "$srck_PID"
kill -USR1 "$snet_PID"

# ---- the quick ones ----
note "the network to the target drops for 3 s"
fake_start dst --insert-duplicates
proxy_start tnet "$dst_URI" --drop-after-bytes 300000 --hold-seconds 3
mvs-export --uri "$src_URI" --collection varchar_pk -q |
	mvs-import --uri "$tnet_URI" --batch-rows 500 --inflight 4 "${done_opts[@]}" 2>"$T/err" ||
	{ cat "$T/err" "$tnet_LOG" >&2; fail "target network drop: import failed"; }
grep -q '^tcp-fault: cut [1-9]' "$tnet_LOG" && grep -q '^tcp-fault: forwarding again' "$tnet_LOG" ||
	{ cat "$tnet_LOG" >&2; fail "target network drop: the proxy did not cut"; }
exact "$dst_URI" varchar_pk "$T/vpk.expect" "network to the target cut and held 3 s"
survived=$((survived + 1))

note "the network to the source drops for 3 s"
sdk drop --uri "$dst_URI" --collection varchar_pk >/dev/null
proxy_start snet2 "$src_URI" --drop-after-bytes 3000 --hold-seconds 3
mvs-export --uri "$snet2_URI" --collection varchar_pk --batch-size 500 -q |
	mvs-import --uri "$dst_URI" "${done_opts[@]}" -q || { cat "$snet2_LOG" >&2; fail "source network drop: failed"; }
grep -q '^tcp-fault: cut [1-9]' "$snet2_LOG" || { cat "$snet2_LOG" >&2; fail "source network drop: no cut"; }
exact "$dst_URI" varchar_pk "$T/vpk.expect" "network to the source cut and held 3 s"
survived=$((survived + 1))

note "mvs-migrate into a target that rate-limits every 3rd write and 2 flushes"
fake_start busy --rate-limit-every 3 --flush-rate-limit 2 --insert-duplicates --verbose
printf '%s\n' 'dumper: {worker: {workMode: milvus2x, reader: {bufferSize: 700}}}' \
	'meta: {mode: config, collection: varchar_pk, createIndex: true, load: true}' \
	"source: {milvus2x: {endpoint: '$src_URI'}}" "target: {milvus2x: {endpoint: '$busy_URI'}}" >"$T/migration.yaml"
mvs-migrate start -q -c "$T/migration.yaml" || fail "rate-limited migration failed"
[ "$(grep -c 'Flush .* -> code=8' "$T/fake-busy.log")" -eq 2 ] || fail "the target did not refuse 2 flushes"
grep -q '\(Insert\|Upsert\) .* -> code=8' "$T/fake-busy.log" || fail "the target never rate-limited a write"
exact "$busy_URI" varchar_pk "$T/vpk.expect" "mvs-migrate with every 3rd write and 2 flushes rate-limited"
survived=$((survived + 1))

# ---- the slow ones: their reports, and the resumes they print ----
# job_exits PID CODE WHAT FILE...: waits for a background job; unless it exits with CODE, shows the
# files and fails.
job_exits() {
	local pid=$1 want=$2 what=$3 rc=0
	shift 3
	wait "$pid" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$@" >&2; fail "$what exit $rc, expected $want"; }
}
note "the source was killed mid-export"
job_exits "$pipeline" 5 "source killed: mvs-import" "$T/export.err" "$T/killed.err"
has_line "$T/export.err" "source killed: mvs-export's message" "^mvs-export: error: cannot reach Milvus at $snet_URI: .*(after [0-9]* attempts)$"
has_line "$T/killed.err" "source killed: mvs-import did not report the upstream failure" "^mvs-import: error: upstream failed: mvs-export [0-9.]*: cannot reach Milvus at $snet_URI"
has_line "$T/killed.err" "source killed: no report of the rows written" -E '^mvs-import: [1-9][0-9]* rows were written into "varchar_pk": .* and none after it$'
# the source is back (src holds the same rows)
resume "$T/killed.err" "$T/cut.mvs" "$src_URI" --uri "$dstk_URI" "${done_opts[@]}"
exact "$dstk_URI" varchar_pk "$T/vpk.expect" "source killed mid-export, then resumed as the report says"
survived=$((survived + 1))

note "the target died mid-import"
job_exits "$dying_import" 6 "target died: mvs-import" "$T/dying.err"
has_line "$T/dying.err" "target died: message" "^mvs-import: error: cannot reach Milvus at $dying_URI: "
has_line "$T/dying.err" "target died: no resume offered" '^mvs-import: \(to resume, \|or \)import the whole stream again with --mode upsert'
# its rows died with it (a real Milvus keeps them): a fresh target, and the report's fallback
fake_start dst2 --insert-duplicates
mvs-import --uri "$dst2_URI" --mode upsert "${done_opts[@]}" -q "$T/vpk.mvs" || fail "target died: the whole stream again failed"
exact "$dst2_URI" varchar_pk "$T/vpk.expect" "target died, then the whole stream again with --mode upsert"
survived=$((survived + 1))

note "the network to the target went away for good"
job_exits "$gone_import" 6 "network gone: mvs-import" "$T/gone.err"
has_line "$T/gone.err" "network gone: message" "^mvs-import: error: cannot reach Milvus at $gone_URI: "
has_line "$T/gone.err" "network gone: the report does not say that some writes may have landed" -E '^mvs-import: [0-9]+ more rows went out in requests that failed without a clear answer'
has_line "$T/gone.err" "network gone: the resume does not replace rows" '^mvs-import: to resume, import the rest with --mode upsert, which replaces the rows that may be there: '
resume "$T/gone.err" "$T/vpk.mvs" "$src_URI" --uri "$dstg_URI" "${done_opts[@]}"
exact "$dstg_URI" varchar_pk "$T/vpk.expect" "network to the target gone mid-import, then resumed as the report says"
survived=$((survived + 1))
note "$survived faults: rows lost 0, rows doubled 0"
