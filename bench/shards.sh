#!/usr/bin/env bash
# Benchmark: sharded pipelines. Copies one collection between the same two fake Milvus servers as
# N = 1, 2 and 4 shards at once (`mvs-export --shard I/N | mvs-import --shard I/N`, N pipelines), and
# once more as 4 shards through `mvs-migrate start -j 4`; rows/s, the CPU seconds of every process
# (the tools from /usr/bin/time -f, the servers from /proc/PID/stat) and what limits the scaling.
#
# Run on its own it writes bench/shards-results.md:
#   bench/shards.sh [--rows N] [--dim D] [--runs R] [--max-load L] [-o FILE]
# (defaults 200000 rows, dim 128, 3 runs; it first waits up to 10 minutes for a 1-minute load average
# below L, default 1.5, 0 = do not wait)
# Sourced by a driver that has sourced bench/lib.sh, it defines bench_shards, which writes
# $BT/section-shards.md (settings SHARDS_ROWS, SHARDS_DIM, SHARDS_RUNS).

# shards_pipelines N: the N pipelines at once, each stage under /usr/bin/time (N = 1: no --shard).
shards_pipelines() {
	local n=$1 i pids=() rc=0 shard=()
	for i in $(seq 0 $((n - 1))); do
		[ "$n" -gt 1 ] && shard=(--shard "$i/$n")
		{
			timed "$BT/export.$i.time" mvs-export -q --uri "$src_URI" --collection bench "${shard[@]}" |
				timed "$BT/import.$i.time" mvs-import --uri "$dst_URI" "${shard[@]}" 2>"$BT/import.$i.err"
		} &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || rc=$?; done
	return "$rc"
}

# shards_migrate N: the same through mvs-migrate start -j N.
shards_migrate() {
	cat >"$BT/migration.yaml" <<EOF
dumper: {worker: {workMode: milvus2x}}
meta: {mode: config, collection: bench}
source: {milvus2x: {endpoint: '$src_URI'}}
target: {milvus2x: {endpoint: '$dst_URI'}}
EOF
	timed "$BT/migrate.time" mvs-migrate start -q -j "$1" -c "$BT/migration.yaml"
}

# shards_run KIND N: one copy into a fresh target server (KIND pipes or migrate); appends
# "seconds cpu_exports cpu_imports cpu_src cpu_dst cpu_machine cpu_migrate" to $BT/shards-KIND-N.runs.
shards_run() {
	local kind=$1 n=$2 a b s0 s1 d0 d1 m0 m1 i rows=0 ce=0 ci=0 cm=0
	bench_fake_start dst
	rm -f "$BT"/export.*.time "$BT"/import.*.time "$BT"/import.*.err
	s0=$(cpu_ticks "$src_PID"); d0=$(cpu_ticks "$dst_PID"); m0=$(machine_busy_ticks)
	a=$(now_ns)
	if [ "$kind" = pipes ]; then
		bench_wait shards_pipelines "$n" || { cat "$BT"/import.*.err >&2; die "shards: $n pipelines failed"; }
	else
		bench_wait shards_migrate "$n" || die "shards: mvs-migrate start -j $n failed"
	fi
	b=$(now_ns)
	s1=$(cpu_ticks "$src_PID"); d1=$(cpu_ticks "$dst_PID"); m1=$(machine_busy_ticks)
	if [ "$kind" = pipes ]; then
		for i in $(seq 0 $((n - 1))); do
			rows=$((rows + $(sed -n 's/^mvs-import: imported \([0-9]*\) rows.*/\1/p' "$BT/import.$i.err")))
			ce=$(calc "$ce + $(cpu_s "$BT/export.$i.time")")
			ci=$(calc "$ci + $(cpu_s "$BT/import.$i.time")")
		done
		[ "$rows" = "$SHARDS_ROWS" ] || die "shards: $n pipelines imported $rows rows, not $SHARDS_ROWS"
	else
		# /usr/bin/time counts the children mvs-migrate waited for: every tool of every shard
		cm=$(cpu_s "$BT/migrate.time")
	fi
	bench_stop "$dst_PID"
	echo "$(elapsed_s "$a" "$b") $ce $ci $(ticks_to_s $((s1 - s0))) $(ticks_to_s $((d1 - d0))) $(ticks_to_s $((m1 - m0))) $cm" \
		>>"$BT/shards-$kind-$n.runs"
}

shards_col() { awk -v n="$2" '{ print $n }' "$1"; }

bench_shards() {
	local sec=$BT/section-shards.md n i kind base
	local rows=$SHARDS_ROWS dim=$SHARDS_DIM
	say "shards: $rows rows, dim $dim: seeding the source server"
	bench_fake_start src
	"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows "$rows" --dim "$dim" |
		mvs-import -q --uri "$src_URI" --collection bench --create-index --load || die "shards: seeding failed"
	rm -f "$BT"/shards-*.runs
	for i in $(seq 1 "$SHARDS_RUNS"); do
		for n in 1 2 4; do
			say "shards: run $i of $SHARDS_RUNS, $n shard(s)"
			shards_run pipes "$n"
		done
		say "shards: run $i of $SHARDS_RUNS, mvs-migrate -j 4"
		shards_run migrate 4
	done
	bench_stop "$src_PID"

	{
		echo "## Sharded pipelines: N shards at once between the same two servers"
		echo
		echo "Machine: $(machine_line)."
		echo
		echo "Two fake Milvus servers (\`tests/fake-milvus/server.js\`, Node $(node --version), one process each) on"
		echo "loopback ports; the source holds $rows rows of \`mvs-gen --scenario wide --dim $dim\` (Int64 keys 0..$((rows - 1)),"
		echo "so the remainder split is exactly even). Each run copies into a fresh, empty target server;"
		echo "$SHARDS_RUNS runs of each, medians. Shard I of N runs"
		echo
		echo '```sh'
		echo 'mvs-export -q --uri SRC --collection bench --shard I/N | mvs-import --uri DST --shard I/N'
		echo '```'
		echo
		echo "(N = 1: the plain pipeline, without \`--shard\`), the N pipelines at once; the last line is"
		echo "\`mvs-migrate start -q -j 4\` with the same two endpoints. CPU s = user + system seconds (the tools"
		echo "from \`/usr/bin/time -f\`, summed over the shards; the servers from \`/proc/PID/stat\`; \"machine\" is"
		echo "every CPU of the machine from \`/proc/stat\`)."
		echo
		md_row "shards" "median s" "rows/s" "speed-up" "CPU s: exports" "imports" "source server" "target server" "machine"
		md_row "---" "---:" "---:" "---:" "---:" "---:" "---:" "---:" "---:"
		base=$(shards_col "$BT/shards-pipes-1.runs" 1 | median)
		for n in 1 2 4; do
			local f=$BT/shards-pipes-$n.runs t
			t=$(shards_col "$f" 1 | median)
			md_row "$n" "$t" "$(calc '%.0f' "$rows / $t")" "$(calc '%.2f' "$base / $t")x" \
				"$(shards_col "$f" 2 | median)" "$(shards_col "$f" 3 | median)" "$(shards_col "$f" 4 | median)" \
				"$(shards_col "$f" 5 | median)" "$(shards_col "$f" 6 | median)"
		done
		local f=$BT/shards-migrate-4.runs t
		t=$(shards_col "$f" 1 | median)
		md_row "4, \`mvs-migrate -j 4\`" "$t" "$(calc '%.0f' "$rows / $t")" "$(calc '%.2f' "$base / $t")x" \
			"$(shards_col "$f" 7 | median) (all tools)" "" "$(shards_col "$f" 4 | median)" \
			"$(shards_col "$f" 5 | median)" "$(shards_col "$f" 6 | median)"
		echo
		echo "All runs (s): $(for n in 1 2 4; do printf 'N=%s: %s; ' "$n" "$(shards_col "$BT/shards-pipes-$n.runs" 1 | paste -sd' ')"; done)"
		echo "mvs-migrate -j 4: $(shards_col "$BT/shards-migrate-4.runs" 1 | paste -sd' ')."
		echo
		shards_analysis
	} >"$sec"
}

# What limits the scaling, from the medians: each process's share of the wall time.
shards_analysis() {
	local n t s d e i m cores own others
	cores=$(nproc)
	echo "What limits the scaling: each process's CPU seconds over the wall time (100% = one core busy all"
	echo "along; medians). \"Others\" is what the rest of the machine used meanwhile."
	echo
	md_row "shards" "source server" "target server" "exports (sum)" "imports (sum)" "others" "machine (of ${cores} cores)"
	md_row "---" "---:" "---:" "---:" "---:" "---:" "---:"
	for n in 1 2 4; do
		local f=$BT/shards-pipes-$n.runs
		t=$(shards_col "$f" 1 | median)
		e=$(shards_col "$f" 2 | median); i=$(shards_col "$f" 3 | median)
		s=$(shards_col "$f" 4 | median); d=$(shards_col "$f" 5 | median); m=$(shards_col "$f" 6 | median)
		others=$(awk -v m="$m" -v o="$(calc "$e + $i + $s + $d")" 'BEGIN { printf "%.2f", (m > o ? m - o : 0) }')
		md_row "$n" "$(calc '%.0f' "100 * $s / $t")%" "$(calc '%.0f' "100 * $d / $t")%" \
			"$(calc '%.0f' "100 * $e / $t")%" "$(calc '%.0f' "100 * $i / $t")%" \
			"$(calc '%.0f' "100 * $others / $t")%" "$(calc '%.0f' "100 * $m / $t / $cores")%"
	done
	echo
	# the figures the text quotes: N = 1 and N = 4
	local f1=$BT/shards-pipes-1.runs f4=$BT/shards-pipes-4.runs
	local t1 t4 s1 d1 e1 i1 s4 d4 e4 i4 m1 m4 busiest
	t1=$(shards_col "$f1" 1 | median); t4=$(shards_col "$f4" 1 | median)
	e1=$(shards_col "$f1" 2 | median); i1=$(shards_col "$f1" 3 | median)
	s1=$(shards_col "$f1" 4 | median); d1=$(shards_col "$f1" 5 | median); m1=$(shards_col "$f1" 6 | median)
	e4=$(shards_col "$f4" 2 | median); i4=$(shards_col "$f4" 3 | median)
	s4=$(shards_col "$f4" 4 | median); d4=$(shards_col "$f4" 5 | median); m4=$(shards_col "$f4" 6 | median)
	own=$(calc '%.0f' "100 * ($s1 + $d1 + $e1 + $i1) / $t1")
	busiest=$(printf '%s the source server\n%s the target server\n' \
		"$(calc '%.0f' "100 * $s4 / $t4")" "$(calc '%.0f' "100 * $d4 / $t4")" | sort -rn | head -n 1)
	local busy1 busy4 others1
	busy1=$(calc '%.0f' "100 * $m1 / $t1 / $cores"); busy4=$(calc '%.0f' "100 * $m4 / $t4 / $cores")
	others1=$(awk -v m="$m1" -v o="$(calc "$e1 + $i1 + $s1 + $d1")" -v t="$t1" 'BEGIN { printf "%.0f", (m > o ? 100 * (m - o) / t : 0) }')
	if [ "$busy1" -ge 90 ]; then
		echo "The machine was busy already with one pipeline: the copy's four processes used ${own}% of a core"
		echo "and other processes ${others1}%, ${busy1}% of the ${cores} cores in all. There was no idle CPU for more"
		echo "pipelines to use, so these runs show what shards cost under contention, not what they gain."
	else
		echo "With one pipeline the copy's four processes keep ${own}% of a core busy and the machine is ${busy1}%"
		echo "busy: a single pipeline leaves CPU unused, because its stages wait on each other's round trips"
		echo "(each test server works on one request at a time, and a page travels query, stream, insert)."
		echo "That idle CPU is what shards can use."
	fi
	echo "With 4 shards the busiest process is ${busiest#* } at ${busiest%% *}% of a core, and the machine is"
	echo "${busy4}% busy."
	echo "Three things limit the speed-up here:"
	echo
	echo "- The servers: each fake server is one Node.js process with one JavaScript thread; every"
	echo "  shard's queries (or inserts) queue on it, so a server near 100% of a core cannot answer faster"
	echo "  however many shards ask. The target, which decodes and stores every column, is the heavier one."
	echo "- The cores: ${cores} cores are shared by both servers, the 2N tools and anything else running; once"
	echo "  the machine is busy, more shards only add scheduling (and the \"others\" column shows how much of"
	echo "  the machine was not ours during the runs)."
	echo "- The filter, a little: each shard's pages scan past the other shards' keys, so the source"
	echo "  tests \`id % N == I\` on N passes over the keys in all (a cheap test next to building the"
	echo "  result columns); the source server used ${s1} CPU s for one pipeline, ${s4} s for 4 shards."
	echo
	echo "The tools themselves use $(calc '%.0f' "100 * ($e1 + $i1) / ($s1 + $d1 + $e1 + $i1)")% of the CPU of a one-pipeline copy"
	echo "($(calc '%.0f' "100 * ($e4 + $i4) / ($s4 + $d4 + $e4 + $i4)")% with 4 shards), so they are not what limits it. A real Milvus spreads"
	echo "queries over query nodes and inserts over its shards' channels and data nodes, so there the"
	echo "same shards scale further, up to the nodes' cores and the network; and across machines (GNU"
	echo "parallel \`-S\`, a Kubernetes Indexed Job) the tools' CPU is not shared either."
	echo
}

# On its own: options, lib.sh, the run, bench/shards-results.md.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	here=$(cd "$(dirname "$0")" && pwd)
	MVS_TOP=$(dirname "$here")
	. "$here/lib.sh"
	SHARDS_ROWS=200000
	SHARDS_DIM=128
	SHARDS_RUNS=3
	max_load=1.5
	out=$here/shards-results.md
	while [ $# -gt 0 ]; do
		case $1 in
		--rows) SHARDS_ROWS=${2:?--rows needs a value}; shift ;;
		--dim) SHARDS_DIM=${2:?--dim needs a value}; shift ;;
		--runs) SHARDS_RUNS=${2:?--runs needs a value}; shift ;;
		--max-load) max_load=${2:?--max-load needs a value}; shift ;;
		-o) out=${2:?-o needs a value}; shift ;;
		--help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
		*) echo "bench/shards.sh: unknown argument '$1'" >&2; exit 2 ;;
		esac
		shift
	done
	[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package 'time')"
	[ -x "$MVS_TESTTOOLS/mvs-gen" ] || die "$MVS_TESTTOOLS/mvs-gen is missing: run make"
	[ "$max_load" = 0 ] || wait_quiet "$max_load" 60
	bench_shards
	cp "$BT/section-shards.md" "$out"
	say "written to $out"
fi
