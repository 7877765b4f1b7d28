# Benchmark: real Milvus servers (sourced by bench/run). Two real Milvus 2.3.5 standalone servers
# (tests/real/milvus_server.py, the PyPI package `milvus` in build/venv-real), started into
# build/bench/real/{src,dst} and stopped by their pids on exit (also on failure or interruption). For each
# ROWSxDIM of REAL_SIZES, the source is seeded once (tests/real/judge.py seed ... vectors --load), then
# three copies of it and the reading side alone alternate, REAL_RUNS times each, each copy into a new
# target collection that is dropped after the run:
#   mvs   mvs-export | mvs-import                   (the pipeline)
#   py    bench/pymilvus-copy.py                    (the baseline: query_iterator + insert, then flush)
#   file  mvs-import < the same stream, from a file (the ceiling: no export running)
#   read  mvs-export > /dev/null                    (to see what reading alone costs)
# Rows/s, MB/s, CPU seconds of every client process (/usr/bin/time) and of each server (/proc/PID/stat
# before and after), peak RSS of the clients, and what limits the pipeline. Writes $BT/section-real.md.

REAL_DIR=$BENCH_BUILD/real
REAL_VENV=$MVS_TOP/build/venv-real
REAL_PY=$REAL_VENV/bin/python
REAL_SERVER=$MVS_TOP/tests/real/milvus_server.py
REAL_OK=0
REAL_SETTLE_PCT=30	# the servers are idle when both together use less than this % of a core over 2 s
REAL_OTHERS_PCT=50	# and the machine is quiet when the other processes use less than this

# On exit: stop the servers by the pids they recorded; remove their data after a complete benchmark,
# keep it (with the logs) after a failure.
real_stop_servers() {
	local n
	for n in src dst; do
		[ -f "$REAL_DIR/$n/pid" ] && [ -x "$REAL_PY" ] && "$REAL_PY" "$REAL_SERVER" stop "$REAL_DIR/$n"
	done
	if [ "$REAL_OK" = 1 ]; then
		rm -rf "$REAL_DIR/src" "$REAL_DIR/dst" "$REAL_DIR/src.port" "$REAL_DIR/dst.port"
		rmdir "$REAL_DIR" 2>/dev/null
	elif [ -d "$REAL_DIR/src" ] || [ -d "$REAL_DIR/dst" ]; then
		say "real: the servers' data and logs are kept in $REAL_DIR/{src,dst}"
	fi
	return 0
}

# The virtual environment of the real tier, made by `tests/real/tier up` (which also starts two servers:
# stopped again at once).
real_venv() {
	[ -x "$REAL_PY" ] && return 0
	say "real: build/venv-real is missing: making it with tests/real/tier up && tests/real/tier down"
	MVS_REAL_DIR=$BENCH_BUILD/real-venv "$MVS_TOP/tests/real/tier" up &&
		MVS_REAL_DIR=$BENCH_BUILD/real-venv "$MVS_TOP/tests/real/tier" down
}
real_venv_down() { MVS_REAL_DIR=$BENCH_BUILD/real-venv "$MVS_TOP/tests/real/tier" down >/dev/null 2>&1; return 0; }

real_start_one() { "$REAL_PY" "$REAL_SERVER" start "$REAL_DIR/$1" >"$REAL_DIR/$1.port"; }

real_start_both() {
	local rc=0 a b
	real_start_one src & a=$!
	real_start_one dst & b=$!
	wait "$a" || rc=$?
	wait "$b" || rc=$?
	return "$rc"
}

# real_settle: waits (at most 60 s, 2 s windows) until the two servers are idle (together under
# REAL_SETTLE_PCT% of a core), so that the background work of the previous step (flushes, compaction,
# dropping a collection) does not count in the next run; unless MAX_LOAD is 0 (--quick), also, for the
# first 30 s, until the rest of the machine is quiet (other processes under REAL_OTHERS_PCT% of a core).
# Sets REAL_OTHERS: the other processes' share of a core (%) in the last window.
real_settle() {
	local i t0 t1 m0 m1 servers others=0
	for i in $(seq 1 30); do
		t0=$(($(cpu_ticks "$REAL_SRC_PID") + $(cpu_ticks "$REAL_DST_PID"))); m0=$(machine_busy_ticks)
		sleep 2
		t1=$(($(cpu_ticks "$REAL_SRC_PID") + $(cpu_ticks "$REAL_DST_PID"))); m1=$(machine_busy_ticks)
		servers=$(((t1 - t0) * 50 / CLK_TCK))
		others=$(((m1 - m0 - (t1 - t0)) * 50 / CLK_TCK))
		[ "$others" -ge 0 ] || others=0
		REAL_OTHERS=$others
		[ "$servers" -lt "$REAL_SETTLE_PCT" ] || continue
		[ "$MAX_LOAD" = 0 ] || [ "$i" -gt 15 ] || [ "$others" -lt "$REAL_OTHERS_PCT" ] || continue
		return 0
	done
	say "real: after 60 s the servers still used ${servers}% of a core: measuring anyway"
}

# The three copies, run through bench_wait.
real_copy_mvs() {
	{
		rc=0
		timed "$BT/e.time" mvs-export -q --uri "$REAL_SRC" --collection "$REAL_SOURCE" || rc=$?
		# the end of the copy phase: the time, the machine's and the servers' CPU ticks so far
		echo "$(now_ns) $(machine_busy_ticks) $(cpu_ticks "$REAL_SRC_PID") $(cpu_ticks "$REAL_DST_PID")" >"$BT/export.end"
		exit "$rc"
	} | timed "$BT/i.time" mvs-import --uri "$REAL_DST" --collection "$REAL_TARGET" 2>"$BT/import.err"
}

real_copy_py() {
	timed "$BT/p.time" "$REAL_PY" "$MVS_TOP/bench/pymilvus-copy.py" --src "$REAL_SRC" --dst "$REAL_DST" \
		--collection "$REAL_SOURCE" --target "$REAL_TARGET" >"$BT/py.out"
}

real_copy_read() {
	timed "$BT/e.time" mvs-export -q --uri "$REAL_SRC" --collection "$REAL_SOURCE" >/dev/null
}

real_copy_file() {
	timed "$BT/i.time" mvs-import --uri "$REAL_DST" --collection "$REAL_TARGET" "$REAL_FILE" 2>"$BT/import.err"
}

real_drop() { "$REAL_PY" "$MVS_TOP/bench/real-util.py" drop "$@"; }

# json_num FILE KEY: the number KEY of the one-line JSON object in FILE.
json_num() { sed -n "s/.*\"$2\": \\([0-9.e+-]*\\).*/\\1/p" "$1"; }

# real_run KIND I: one copy (KIND mvs, py or file) into a new target collection, dropped afterwards, or
# (KIND read) mvs-export alone into /dev/null.
# Appends to $BT/real-KIND.runs: 1 seconds, 2 rows, 3 stream bytes, CPU s of 4 mvs-export, 5 mvs-import,
# 6 the script, 7 the source server, 8 the target server; peak RSS KiB of 9 mvs-export, 10 mvs-import,
# 11 the script; 12 CPU s of the whole machine; 13 the 1-minute load average before the run; 14 s from
# mvs-export's exit to mvs-import's (mvs only); the script's own 15 flush and wait s, 16 pymilvus import
# s, 17 query_iterator + insert s; 18 the other processes' % of a core in the 2 s before the run; the
# copy phase of the pipeline (from the start to mvs-export's exit): 19 s, CPU s of 20 the machine, 21 the
# source server, 22 the target server.
real_run() {
	local kind=$1 i=$2 a b s0 s1 d0 d1 m0 m1 load rows bytes
	local ce=0 ci=0 cp=0 re=0 ri=0 rp=0 tail=0 pflush=0 pimport=0 pcopy=0 phase="0 0 0 0" e_ns e_m e_s e_d
	local sre='^mvs-import: imported \([0-9]*\) rows (\([0-9]*\) bytes).*'
	REAL_TARGET=bench_copy_${kind}_$i
	rm -f "$BT"/e.time "$BT"/i.time "$BT"/p.time "$BT/export.end" "$BT/import.err" "$BT/py.out"
	[ "$kind" = file ] && cat "$REAL_FILE" >/dev/null	# in the page cache, as the pipe's data is
	real_settle
	load=$(cut -d' ' -f1 /proc/loadavg)
	s0=$(cpu_ticks "$REAL_SRC_PID"); d0=$(cpu_ticks "$REAL_DST_PID"); m0=$(machine_busy_ticks)
	a=$(now_ns)
	bench_wait "real_copy_$kind" || {
		[ -f "$BT/import.err" ] && cat "$BT/import.err" >&2
		die "real: the $kind copy of $REAL_SOURCE failed"
	}
	b=$(now_ns)
	s1=$(cpu_ticks "$REAL_SRC_PID"); d1=$(cpu_ticks "$REAL_DST_PID"); m1=$(machine_busy_ticks)
	if [ "$kind" = py ]; then
		rows=$(json_num "$BT/py.out" rows)
		bytes=$REAL_BYTES
		cp=$(cpu_s "$BT/p.time"); rp=$(time_field "$BT/p.time" 4)
		pflush=$(json_num "$BT/py.out" flush_s); pimport=$(json_num "$BT/py.out" import_s)
		pcopy=$(json_num "$BT/py.out" copy_s)
	elif [ "$kind" = read ]; then
		rows=$REAL_ROWS bytes=$REAL_BYTES
	else
		rows=$(sed -n "s/$sre/\\1/p" "$BT/import.err")
		bytes=$(sed -n "s/$sre/\\2/p" "$BT/import.err")
		REAL_BYTES=$bytes
		ci=$(cpu_s "$BT/i.time"); ri=$(time_field "$BT/i.time" 4)
	fi
	if [ "$kind" = mvs ] || [ "$kind" = read ]; then
		ce=$(cpu_s "$BT/e.time"); re=$(time_field "$BT/e.time" 4)
	fi
	if [ "$kind" = mvs ]; then
		read -r e_ns e_m e_s e_d <"$BT/export.end"
		tail=$(elapsed_s "$e_ns" "$b")
		phase="$(elapsed_s "$a" "$e_ns") $(ticks_to_s $((e_m - m0))) $(ticks_to_s $((e_s - s0))) $(ticks_to_s $((e_d - d0)))"
	fi
	[ "$rows" = "$REAL_ROWS" ] || die "real: the $kind copy wrote '$rows' rows, not $REAL_ROWS"
	[ "$kind" = read ] || bench_wait real_drop "$REAL_DST" "$REAL_TARGET" || die "real: cannot drop $REAL_TARGET"
	echo "$(elapsed_s "$a" "$b") $rows $bytes $ce $ci $cp $(ticks_to_s $((s1 - s0))) $(ticks_to_s $((d1 - d0))) $re $ri $rp $(ticks_to_s $((m1 - m0))) $load $tail $pflush $pimport $pcopy $REAL_OTHERS $phase" \
		>>"$BT/real-$kind.runs"
}

real_seed() {
	"$REAL_PY" "$MVS_TOP/tests/real/judge.py" seed "$REAL_SRC" vectors "$REAL_SOURCE" --rows "$1" --dim "$2" --load >/dev/null &&
		mvs-export -q --uri "$REAL_SRC" --collection "$REAL_SOURCE" -o "$REAL_FILE"
}

bench_real() {
	local sec=$BT/section-real.md size rows dim i kind
	bench_on_exit real_stop_servers
	if [ ! -x "$REAL_PY" ]; then
		bench_on_exit real_venv_down	# tier up starts two servers: stopped on an interruption too
		bench_wait real_venv || die "real: cannot make build/venv-real"
	fi
	# The tools, copied once: every run uses the same binaries even when bin/ is rebuilt meanwhile.
	mkdir -p "$BT/bin"
	cp "$MVS_BIN/mvs-export" "$MVS_BIN/mvs-import" "$BT/bin/" || die "real: cannot copy the tools"
	PATH=$BT/bin:$PATH
	mkdir -p "$REAL_DIR"
	rm -rf "$REAL_DIR/src" "$REAL_DIR/dst" "$REAL_DIR/src.port" "$REAL_DIR/dst.port"
	say "real: starting two Milvus servers in $REAL_DIR"
	bench_wait real_start_both || die "real: a Milvus server did not start (logs: $REAL_DIR/{src,dst}/logs)"
	REAL_SRC=127.0.0.1:$(cat "$REAL_DIR/src.port"); REAL_DST=127.0.0.1:$(cat "$REAL_DIR/dst.port")
	REAL_SRC_PID=$(cat "$REAL_DIR/src/pid"); REAL_DST_PID=$(cat "$REAL_DIR/dst/pid")
	REAL_FILE=$BT/real-stream.mvs
	local milvus pymilvus
	milvus=$("$REAL_PY" -c 'import importlib.metadata as m; print(m.version("milvus"))')
	pymilvus=$("$REAL_PY" -c 'import pymilvus; print(pymilvus.__version__)')
	{
		echo "## Real Milvus: \`mvs-export | mvs-import\` against pymilvus, and the ceiling"
		echo
		echo "Machine: $(machine_line)."
		echo
		echo "Two real Milvus $milvus standalone servers (the PyPI package \`milvus\`, started with"
		echo "\`tests/real/milvus_server.py start build/bench/real/{src,dst}\`, one process each, default"
		echo "configuration) on loopback ports; the clients are pymilvus $pymilvus and the mvs tools ($(mvs-export --version | head -n 1),"
		echo "copied from ${MVS_BIN#"$MVS_TOP"/} at the start). For each size the"
		echo "source collection is seeded once with \`tests/real/judge.py seed SRC vectors bench_ROWSxDIM --rows N --dim D --load\`"
		echo "(Int64 key, VarChar \`title\`, FloatVector \`vec\`; flushed, HNSW index, loaded). Then three copies"
		echo "and, to see the reading side apart, \`mvs-export\` alone into /dev/null alternate, $REAL_RUNS runs each;"
		echo "each copy goes into a new collection of the target server, dropped after the run. Before each run"
		echo "the harness waits (60 s at most) until both servers are idle (together under ${REAL_SETTLE_PCT}% of a core"
		echo "over 2 s), so that the background work of the previous run does not count,"
		if [ "$MAX_LOAD" = 0 ]; then
			echo "but not for the rest of the machine (\`--max-load 0\`). Commands:"
		else
			echo "and (30 s at most) until the other processes of the machine use under ${REAL_OTHERS_PCT}% of a core (after bench/run"
			echo "waited for a 1-minute load average under $MAX_LOAD before the benchmark, 10 minutes at most). Commands:"
		fi
		echo
		echo '```sh'
		echo 'mvs-export -q --uri SRC --collection bench_ROWSxDIM | mvs-import --uri DST --collection T      # the pipeline'
		echo 'build/venv-real/bin/python bench/pymilvus-copy.py --src SRC --dst DST --collection bench_ROWSxDIM --target T   # the baseline'
		echo 'mvs-import --uri DST --collection T FILE                                                      # the ceiling'
		echo 'mvs-export -q --uri SRC --collection bench_ROWSxDIM > /dev/null                               # reading alone'
		echo '```'
		echo
		echo "\`bench/pymilvus-copy.py\` is what a user would write with pymilvus: \`Collection(src).schema\`, create"
		echo "the same collection (and shard count) on the target, \`query_iterator\` over every field with the page"
		echo "mvs-export reads (at most 8192 rows and about 8 MiB), \`insert\` each page (a list of row dicts, as the"
		echo "iterator returns them), then \`flush()\` and a check of \`num_entities\`. FILE is the stream of the"
		echo "source collection written once by \`mvs-export -o FILE\` (not timed) and read once before each run,"
		echo "so that it comes from the page cache."
		echo
		echo "**The timed region** is the same for all three: from the start of the command(s) to the exit of the"
		echo "last process. It includes process start-up, connecting, describing the source, creating the"
		echo "target collection, every row read and inserted, the flush of the target and the wait until it is"
		echo "persisted, and the row count check (mvs-import: Flush, GetFlushState until flushed, then the"
		echo "collection statistics, as it does at the end of every unit it created; the script: \`flush()\`,"
		echo "which waits too, then \`num_entities\`). No index is built on the target and nothing is loaded."
		echo "The Python interpreter's start-up and \`import pymilvus\` count for the script (shown apart below)."
		echo
		echo "MB/s counts the bytes of the mvs stream of the collection (the same data for all three; MB = 10^6"
		echo "bytes). CPU s = user + system seconds over the run: the clients from \`/usr/bin/time\`, each server"
		echo "from \`/proc/PID/stat\` (utime + stime of the milvus process, all its threads) before and after;"
		echo "\"machine\" is every CPU of the machine from \`/proc/stat\`, \"others\" that less the client and server"
		echo "processes (other work on the machine). Medians of the runs. The raw figures of every run are kept"
		echo "in build/bench/real-ROWSxDIM-{mvs,py,file,read}.runs (columns in bench/real.sh, real_run)."
		echo
	} >"$sec"

	for size in ${REAL_SIZES//,/ }; do
		rows=${size%x*}; dim=${size#*x}
		REAL_ROWS=$rows; REAL_BYTES=0; REAL_SOURCE=bench_${rows}x$dim
		rm -f "$BT"/real-*.runs
		say "real: $rows rows, dim $dim: seeding the source server"
		bench_wait real_seed "$rows" "$dim" || die "real: seeding $REAL_SOURCE failed"
		for i in $(seq 1 "$REAL_RUNS"); do
			for kind in mvs py file read; do
				say "real: $rows rows, dim $dim: run $i of $REAL_RUNS ($kind)"
				real_run "$kind" "$i"
			done
		done
		bench_wait real_drop "$REAL_SRC" "$REAL_SOURCE" || die "real: cannot drop $REAL_SOURCE"
		rm -f "$REAL_FILE"
		for kind in mvs py file read; do cp "$BT/real-$kind.runs" "$BENCH_BUILD/real-$size-$kind.runs"; done
		real_section "$rows" "$dim" >>"$sec"
	done
	REAL_OK=1
}

rcol() { awk -v n="$2" '{ print $n }' "$BT/real-$1.runs"; }
rmed() { rcol "$1" "$2" | median; }

# real_section ROWS DIM: the tables and the analysis of one size, from $BT/real-{mvs,py,file}.runs.
real_section() {
	local rows=$1 dim=$2 k n
	local -A M P F R
	for k in $(seq 1 22); do
		M[$k]=$(calc "$(rmed mvs "$k")"); P[$k]=$(calc "$(rmed py "$k")")
		F[$k]=$(calc "$(rmed file "$k")"); R[$k]=$(calc "$(rmed read "$k")")
	done
	local bytes mt=${M[1]} pt=${P[1]} ft=${F[1]}
	local speedup ceil share met1 met2 met3
	bytes=$(calc '%.0f' "$(rmed mvs 3)")
	speedup=$(calc '%.1f' "$pt / $mt")
	ceil=$(calc '%.0f' "100 * $ft / $mt")
	share=$(calc '%.1f' "100 * (${M[4]} + ${M[5]}) / (${M[7]} + ${M[8]})")
	met1=$(awk -v r="$speedup" 'BEGIN { print (r >= 5) ? "**met**" : "**not met**" }')
	met2=$(awk -v r="$(calc '%.4f' "$ft / $mt")" 'BEGIN { print (r >= 0.9) ? "**met**" : "**not met**" }')
	met3=$(awk -v r="$share" 'BEGIN { print (r < 10) ? "**met**" : "**not met**" }')
	# other work on the machine during each run: the machine's CPU less the five processes'
	local -A O
	for k in mvs py file read; do
		O[$k]=$(calc "$(awk '{ o = $12 - ($4 + $5 + $6 + $7 + $8); print (o < 0 ? 0 : o) }' "$BT/real-$k.runs" | median)")
	done
	echo "### $rows rows, dim $dim ($bytes stream bytes, $(calc '%.0f' "$bytes / $rows") bytes a row)"
	echo
	md_row "copy" "median s" "rows/s" "MB/s" "vs script" "% of ceiling" "runs (s)"
	md_row "---" "---:" "---:" "---:" "---:" "---:" "---"
	md_row "\`mvs-export \| mvs-import\`" "$mt" "$(calc '%.0f' "$rows / $mt")" "$(calc '%.1f' "$bytes / $mt / 1e6")" \
		"${speedup}x" "${ceil}%" "$(rcol mvs 1 | paste -sd' ')"
	md_row "\`pymilvus-copy.py\` (baseline)" "$pt" "$(calc '%.0f' "$rows / $pt")" "$(calc '%.1f' "$bytes / $pt / 1e6")" \
		"1x" "$(calc '%.0f' "100 * $ft / $pt")%" "$(rcol py 1 | paste -sd' ')"
	md_row "\`mvs-import FILE\` (ceiling)" "$ft" "$(calc '%.0f' "$rows / $ft")" "$(calc '%.1f' "$bytes / $ft / 1e6")" \
		"$(calc '%.1f' "$pt / $ft")x" "100%" "$(rcol file 1 | paste -sd' ')"
	echo
	md_row "CPU s (median)" "mvs-export" "mvs-import" "script" "source server" "target server" "machine" "others"
	md_row "---" "---:" "---:" "---:" "---:" "---:" "---:" "---:"
	md_row "pipeline" "${M[4]}" "${M[5]}" "" "${M[7]}" "${M[8]}" "${M[12]}" "${O[mvs]}"
	md_row "pymilvus script" "" "" "${P[6]}" "${P[7]}" "${P[8]}" "${P[12]}" "${O[py]}"
	md_row "ceiling" "" "${F[5]}" "" "${F[7]}" "${F[8]}" "${F[12]}" "${O[file]}"
	md_row "\`mvs-export > /dev/null\` alone, ${R[1]} s" "${R[4]}" "" "" "${R[7]}" "${R[8]}" "${R[12]}" "${O[read]}"
	echo
	echo "Peak RSS: mvs-export $(calc '%.1f' "${M[9]} / 1024") MiB, mvs-import $(calc '%.1f' "${M[10]} / 1024") MiB"
	echo "(from a file: $(calc '%.1f' "${F[10]} / 1024") MiB), the pymilvus script $(calc '%.1f' "${P[11]} / 1024") MiB."
	echo "1-minute load average before the runs: pipeline $(rcol mvs 13 | paste -sd' '); script"
	echo "$(rcol py 13 | paste -sd' '); ceiling $(rcol file 13 | paste -sd' '); reading alone $(rcol read 13 | paste -sd' ')."
	echo "Other processes in the 2 s before each run (% of a core): pipeline $(rcol mvs 18 | paste -sd' '); script"
	echo "$(rcol py 18 | paste -sd' '); ceiling $(rcol file 18 | paste -sd' '); reading alone $(rcol read 18 | paste -sd' ')."
	echo
	md_row "target" "measured" "result"
	md_row "---" "---:" "---"
	md_row "pipeline ≥ 5x the pymilvus script" "${speedup}x" "$met1"
	md_row "pipeline ≥ 90% of the ceiling (its rows/s over the ceiling's)" "${ceil}%" "$met2"
	md_row "mvs-export + mvs-import < 10% of the servers' CPU" \
		"$share% ($(calc "${M[4]} + ${M[5]}") of $(calc "${M[7]} + ${M[8]}") s)" "$met3"
	echo
	# What limits the pipeline.
	local busy ours fbusy fours
	ours=$(calc "${M[4]} + ${M[5]} + ${M[7]} + ${M[8]}")
	busy=$(calc '%.0f' "100 * (${M[12]}) / ($mt * $(nproc))"); [ "$busy" -le 100 ] || busy=100
	fours=$(calc "${F[5]} + ${F[7]} + ${F[8]}")
	fbusy=$(calc '%.0f' "100 * (${F[12]}) / ($ft * $(nproc))"); [ "$fbusy" -le 100 ] || fbusy=100
	echo "What limits the pipeline: over its $mt s the source server used ${M[7]} CPU s"
	echo "($(calc '%.0f' "100 * ${M[7]} / $mt")% of one core), the target server ${M[8]} s ($(calc '%.0f' "100 * ${M[8]} / $mt")%), mvs-export ${M[4]} s and"
	echo "mvs-import ${M[5]} s ($(calc '%.0f' "100 * (${M[4]} + ${M[5]}) / $mt")% together): the servers spend $(calc '%.0f' "100 * (${M[7]} + ${M[8]}) / $ours")% of the copy's CPU."
	echo "The machine's $(nproc) cores were ${busy}% busy (all processes, ${O[mvs]} CPU s of them other work)."
	echo "From a file the target server alone used ${F[8]} CPU s in $ft s (the source server ${F[7]} s, idle),"
	echo "the machine ${fbusy}% busy. mvs-import exited $(calc '%.2f' "${M[14]}") s after mvs-export (the last inserts in flight,"
	echo "the flush and its wait, the count). The flush and its wait alone, timed inside the script"
	echo "(\`flush()\`, the same request and wait on the same server), took ${P[15]} s: a fixed cost of the target"
	echo "server whatever the client, $(calc '%.0f' "100 * ${P[15]} / $mt")% of the pipeline's time and $(calc '%.0f' "100 * ${P[15]} / $ft")% of the ceiling's."
	echo
	local pbusy
	pbusy=$(calc '%.0f' "100 * ${M[20]} / (${M[19]} * $(nproc))"); [ "$pbusy" -le 100 ] || pbusy=100
	echo "Reading and writing: mvs-export alone (into /dev/null, no import running) takes ${R[1]} s, the source"
	echo "server using ${R[7]} CPU s ($(calc '%.0f' "100 * ${R[7]} / ${R[1]}")% of a core); the ceiling's inserts take about $(calc "$ft - ${P[15]}") s (its time"
	echo "less the flush above), the target server using ${F[8]} CPU s. With each side at its own speed the"
	echo "pipeline would take about max(${R[1]}, $(calc "$ft - ${P[15]}")) + ${P[15]} = $(awk -v r="${R[1]}" -v w="$(calc "$ft - ${P[15]}")" -v f="${P[15]}" 'BEGIN { printf "%.2f", (r > w ? r : w) + f }') s; it took $mt s. In the pipeline"
	echo "mvs-export was done after ${M[19]} s (the copy phase); meanwhile the machine's $(nproc) cores were ${pbusy}% busy"
	echo "(${M[20]} CPU s: the source server ${M[21]} s, the target server ${M[22]} s, the rest the mvs tools and other"
	echo "work). $(awk -v b="$pbusy" -v s="${M[21]}" -v d="${M[22]}" -v m="${M[20]}" -v n="$(nproc)" 'BEGIN {
		if (b >= 85 && s + d < 0.7 * m) printf "The cores were saturated, but mostly by other work on the machine (%.2f CPU s): the pipeline'"'"'s figures here say more about the machine'"'"'s load than about the copy.", m - s - d;
		else if (b >= 85) printf "The copy phase is CPU-bound: the two servers together need more CPU than the %d cores give, so the source server'"'"'s query work (%s CPU s, which the ceiling does not pay) slows the target server'"'"'s ingest and the other way round.", n, s;
		else print "The cores were not saturated in the copy phase: reading and writing wait on each other (mvs-export one Query ahead, mvs-import four Inserts in flight) more than on the CPU." }')"
	echo
	echo "The baseline: \`import pymilvus\` took ${P[16]} s of the script's $pt s, its \`query_iterator\` +"
	echo "\`insert\` loop ${P[17]} s; the script used ${P[6]} CPU s ($(calc '%.0f' "100 * ${P[6]} / $pt")% of one core), the servers"
	echo "$(calc "${P[7]} + ${P[8]}") s. $(awk -v c="${P[6]}" -v t="$pt" -v s="$(calc "${P[7]} + ${P[8]}")" 'BEGIN {
		if (c > 0.7 * t && c > s) print "The script itself is its bottleneck: one Python thread turning every row into Python objects (a list of floats per vector) and back into protobuf.";
		else print "The script is not CPU-bound on its own thread: it waits on the servers between its sequential requests." }')"
	echo
}
