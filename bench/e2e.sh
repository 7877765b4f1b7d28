# Benchmark 2, end to end (sourced by bench/run): `mvs-export | mvs-import` between two fake Milvus
# servers against bench/sdk-copy.js (the official Node SDK's queryIterator + insert) on the same
# servers, for each ROWSxDIM of E2E_SIZES. A fresh target server per run (so every run creates its
# collection and inserts into an empty server); CPU seconds of every process, the servers' from /proc.
# Writes the section to $BT/section-e2e.md. Settings: E2E_SIZES, E2E_RUNS.

# The two copies, run through bench_wait (so that a signal stops them at once).
e2e_copy_mvs() {
	timed "$BT/a.time" mvs-export -q --uri "$src_URI" --collection bench |
		timed "$BT/b.time" mvs-import --uri "$dst_URI" 2>"$BT/import.err"
}

e2e_copy_sdk() {
	timed "$BT/a.time" node "$MVS_TOP/bench/sdk-copy.js" --src "$src_URI" --dst "$dst_URI" \
		--collection bench >"$BT/sdk.out"
}

# e2e_run KIND: one copy (KIND mvs or sdk) from $src_URI into a fresh target server; appends
# "seconds rows bytes cpu_a cpu_b cpu_src cpu_dst rss_a rss_b cpu_machine" to $BT/e2e-KIND.runs
# (for sdk, a = the node script and b = 0; cpu_machine = CPU seconds of the whole machine meanwhile).
e2e_run() {
	local kind=$1 a b s0 s1 d0 d1 m0 m1 rows bytes cpu_a cpu_b=0 rss_a rss_b=0
	local re='^mvs-import: imported \([0-9]*\) rows (\([0-9]*\) bytes).*'
	bench_fake_start dst
	s0=$(cpu_ticks "$src_PID"); d0=$(cpu_ticks "$dst_PID"); m0=$(machine_busy_ticks)
	a=$(now_ns)
	if [ "$kind" = mvs ]; then
		bench_wait e2e_copy_mvs || { cat "$BT/import.err" >&2; die "e2e: mvs-export | mvs-import failed"; }
	else
		bench_wait e2e_copy_sdk || die "e2e: bench/sdk-copy.js failed"
	fi
	b=$(now_ns)
	s1=$(cpu_ticks "$src_PID"); d1=$(cpu_ticks "$dst_PID"); m1=$(machine_busy_ticks)
	bench_stop "$dst_PID"
	if [ "$kind" = mvs ]; then
		rows=$(sed -n "s/$re/\\1/p" "$BT/import.err")
		bytes=$(sed -n "s/$re/\\2/p" "$BT/import.err")
		E2E_BYTES=$bytes
		cpu_b=$(cpu_s "$BT/b.time"); rss_b=$(time_field "$BT/b.time" 4)
	else
		rows=$(sed -n 's/^{"rows":\([0-9]*\),.*/\1/p' "$BT/sdk.out")
		bytes=$E2E_BYTES
	fi
	cpu_a=$(cpu_s "$BT/a.time"); rss_a=$(time_field "$BT/a.time" 4)
	[ "$rows" = "$E2E_ROWS" ] || die "e2e: $kind copied '$rows' rows, not $E2E_ROWS"
	echo "$(elapsed_s "$a" "$b") $rows $bytes $cpu_a $cpu_b $(ticks_to_s $((s1 - s0))) $(ticks_to_s $((d1 - d0))) $rss_a $rss_b $(ticks_to_s $((m1 - m0)))" \
		>>"$BT/e2e-$kind.runs"
}

# e2e_seed ROWS DIM: fills the source server.
e2e_seed() {
	"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows "$1" --dim "$2" |
		mvs-import -q --uri "$src_URI" --collection bench --create-index --load
}

# col FILE N: column N of every line of FILE, one a line.
col() { awk -v n="$2" '{ print $n }' "$1"; }

bench_e2e() {
	local sec=$BT/section-e2e.md size rows dim i
	{
		echo "## 2. End to end: \`mvs-export | mvs-import\` against the Node SDK"
		echo
		echo "Machine: $(machine_line)."
		echo
		echo "Two fake Milvus servers (\`tests/fake-milvus/server.js\`, Node $(node --version), one process each) on"
		echo "loopback ports. The source is seeded once per size with"
		echo "\`mvs-gen --scenario wide --rows N --dim D | mvs-import --uri SRC --collection bench --create-index --load\`."
		echo "Each run starts a fresh, empty target server, so both tools create the collection and insert into it."
		echo "Runs alternate between the two commands ($E2E_RUNS each); medians. Commands:"
		echo
		echo '```sh'
		echo 'mvs-export -q --uri SRC --collection bench | mvs-import --uri DST'
		echo 'node bench/sdk-copy.js --src SRC --dst DST --collection bench   # the baseline'
		echo '```'
		echo
		echo "\`bench/sdk-copy.js\` is what a user would write with \`@zilliz/milvus2-sdk-node\`: describe the source,"
		echo "create the same collection on the target, then \`queryIterator\` (pages of at most 16 MiB, at most"
		echo "16384 rows: the same page size mvs-export picks) and one \`insert\` per page, in sequence."
		echo "MB/s counts the bytes of the mvs stream of the collection (the same data volume for both);"
		echo "MB = 10^6 bytes. CPU s = user + system seconds of each process over the run (mvs tools and the"
		echo "script from \`/usr/bin/time\`, the servers from \`/proc/PID/stat\` before and after). The raw figures"
		echo "of every run are kept in build/bench/e2e-ROWSxDIM-{mvs,sdk}.runs (columns: seconds, rows, stream"
		echo "bytes, CPU s of mvs-export or the script, of mvs-import, of the source and target servers, peak RSS"
		echo "KiB of the two, CPU s of the whole machine)."
		echo
	} >"$sec"

	for size in ${E2E_SIZES//,/ }; do
		rows=${size%x*}; dim=${size#*x}
		E2E_ROWS=$rows; E2E_BYTES=0
		rm -f "$BT/e2e-mvs.runs" "$BT/e2e-sdk.runs"
		say "e2e: $rows rows, dim $dim: seeding the source server"
		bench_fake_start src
		bench_wait e2e_seed "$rows" "$dim" || die "e2e: seeding the source server failed"
		for i in $(seq 1 "$E2E_RUNS"); do
			say "e2e: $rows rows, dim $dim: run $i of $E2E_RUNS (mvs)"
			e2e_run mvs
			say "e2e: $rows rows, dim $dim: run $i of $E2E_RUNS (sdk-copy.js)"
			e2e_run sdk
		done
		bench_stop "$src_PID"
		e2e_section "$rows" "$dim" >>"$sec"
	done
}

# e2e_section ROWS DIM: the table and the analysis of one size, from $BT/e2e-{mvs,sdk}.runs.
e2e_section() {
	local rows=$1 dim=$2 m s k
	local mt st bytes mrs srs mmb smb ratio met
	mt=$(col "$BT/e2e-mvs.runs" 1 | median); st=$(col "$BT/e2e-sdk.runs" 1 | median)
	bytes=$(col "$BT/e2e-mvs.runs" 3 | median)
	mrs=$(calc '%.0f' "$rows / $mt"); srs=$(calc '%.0f' "$rows / $st")
	mmb=$(calc '%.1f' "$bytes / $mt / 1e6"); smb=$(calc '%.1f' "$bytes / $st / 1e6")
	ratio=$(calc '%.1f' "$st / $mt")
	met=$(awk -v r="$ratio" 'BEGIN { print (r >= 5) ? "**met**" : "**not met**" }')
	# medians of the CPU columns: 4 a, 5 b, 6 source server, 7 target server, 8-9 peak RSS KiB
	local -a mc sc
	for k in 4 5 6 7 8 9 10; do
		mc[$k]=$(col "$BT/e2e-mvs.runs" "$k" | median)
		sc[$k]=$(col "$BT/e2e-sdk.runs" "$k" | median)
	done
	cp "$BT/e2e-mvs.runs" "$BENCH_BUILD/e2e-${rows}x$dim-mvs.runs"
	cp "$BT/e2e-sdk.runs" "$BENCH_BUILD/e2e-${rows}x$dim-sdk.runs"
	echo "### $rows rows, dim $dim ($bytes stream bytes, $(calc '%.0f' "$bytes / $rows") bytes a row)"
	echo
	md_row "copy" "median s" "rows/s" "MB/s" "vs SDK" "target"
	md_row "---" "---:" "---:" "---:" "---:" "---"
	md_row "\`mvs-export \| mvs-import\`" "$mt" "$mrs" "$mmb" "${ratio}x" "≥ 5x: $met"
	md_row "\`node bench/sdk-copy.js\` (baseline)" "$st" "$srs" "$smb" "1x" ""
	echo
	md_row "CPU seconds (median)" "mvs-export" "mvs-import" "sdk-copy.js" "source server" "target server" "all"
	md_row "---" "---:" "---:" "---:" "---:" "---:" "---:"
	md_row "mvs pipeline, ${mt} s wall" "${mc[4]}" "${mc[5]}" "" "${mc[6]}" "${mc[7]}" \
		"$(calc "${mc[4]} + ${mc[5]} + ${mc[6]} + ${mc[7]}")"
	md_row "SDK script, ${st} s wall" "" "" "${sc[4]}" "${sc[6]}" "${sc[7]}" \
		"$(calc "${sc[4]} + ${sc[6]} + ${sc[7]}")"
	echo
	echo "Peak RSS: mvs-export $(calc '%.1f' "${mc[8]} / 1024") MiB, mvs-import $(calc '%.1f' "${mc[9]} / 1024") MiB,"
	echo "sdk-copy.js $(calc '%.1f' "${sc[8]} / 1024") MiB. All runs (s): mvs $(col "$BT/e2e-mvs.runs" 1 | paste -sd' ');"
	echo "SDK $(col "$BT/e2e-sdk.runs" 1 | paste -sd' ')."
	echo
	# What limits the pipeline: each process's share of the wall time (100% = one core busy all along).
	local share_e share_i share_s share_d total
	share_e=$(calc '%.0f' "100 * ${mc[4]} / $mt"); share_i=$(calc '%.0f' "100 * ${mc[5]} / $mt")
	share_s=$(calc '%.0f' "100 * ${mc[6]} / $mt"); share_d=$(calc '%.0f' "100 * ${mc[7]} / $mt")
	total=$(calc '%.0f' "100 * (${mc[4]} + ${mc[5]} + ${mc[6]} + ${mc[7]}) / $mt")
	local busiest others bound ours busy idle
	ours=$(calc "${mc[4]} + ${mc[5]} + ${mc[6]} + ${mc[7]}")
	# the rest of the machine, per run: all CPU time (from /proc/stat) less the copy's four processes
	others=$(awk '{ o = $10 - ($4 + $5 + $6 + $7); print (o < 0 ? 0 : o) }' "$BT/e2e-mvs.runs" | median)
	busy=$(calc '%.0f' "100 * ($ours + $others) / ($mt * $(nproc))")
	busy=$(awk -v b="$busy" 'BEGIN { print (b > 100) ? 100 : b }')
	idle=$(calc '%.0f' "100 - $busy")
	bound=$(printf '%s\n' "${mc[4]}" "${mc[5]}" "${mc[6]}" "${mc[7]}" "$(calc "$ours / $(nproc)")" | sort -g | tail -n 1)
	busiest=$(printf '%s source-server\n%s target-server\n%s mvs-export\n%s mvs-import\n' \
		"$share_s" "$share_d" "$share_e" "$share_i" | sort -rn | awk 'NR == 1')
	echo "What limits the mvs pipeline: over its ${mt} s, the source server was busy ${share_s}% of one core,"
	echo "the target server ${share_d}%, mvs-export ${share_e}%, mvs-import ${share_i}% (all together ${total}%,"
	echo "of $(nproc) cores). The busiest process is the ${busiest#* } (${busiest%% *}% of a core). The mvs tools spend"
	echo "$(calc '%.0f' "100 * (${mc[4]} + ${mc[5]}) / $ours")% of the CPU of the copy, the two Node servers (one JavaScript thread each, turning"
	echo "every column from and into protobuf) the other $(calc '%.0f' "100 * (${mc[6]} + ${mc[7]}) / $ours")%: the test servers, not mvs, are the expensive part."
	echo "If CPU were the only limit, the copy could not take less than ${bound} s here (the larger of the"
	echo "busiest process's CPU time and the four processes' CPU time spread over $(nproc) cores); it took ${mt} s."
	echo "Other processes on the machine used ${others} CPU s meanwhile (/proc/stat, median of the runs), so the"
	echo "machine's cores were ${busy}% busy during the copy: $(awk -v b="$busy" -v o="$others" -v t="$mt" -v n="$(nproc)" 'BEGIN {
		if (b >= 90 && o > 0.25 * t * n) print "saturated, by the copy and by other work on the machine, so on a quiet machine the copy would come closer to the CPU bound above (the servers would still take most of the CPU).";
		else if (b >= 90) print "the copy is CPU-bound, and the servers take most of the CPU.";
		else print "besides CPU, the copy waits (" (100 - b) "% of the cores idle) on round trips: mvs-export keeps one query page ahead and mvs-import four insert batches in flight, but each test server works on one request at a time." }')"
	echo
	echo "With the SDK script, the script itself is the bottleneck: ${sc[4]} CPU s in ${st} s, its one"
	echo "JavaScript thread busy $(calc '%.0f' "100 * ${sc[4]} / $st")% of the time (it turns every page into JavaScript row objects and back),"
	echo "the servers only ${sc[6]} + ${sc[7]} CPU s; its peak RSS is $(calc '%.0f' "${sc[8]} / 1024") MiB."
	echo
}
