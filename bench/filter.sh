# Benchmark 1, stream filter speed (sourced by bench/run): mvs-map passthrough and --fields selection,
# and mvs-cat --verify, over one stream file of dim-768 vectors, against cat over the same file into
# the same sink. Writes the section to $BT/section-filter.md.
# Settings: FILTER_ROWS (rows of the stream), RUNS (runs per command), VERIFY_RUNS.

bench_filter() {
	local f=$BT/wide768.mvs sec=$BT/section-filter.md
	local rows=$FILTER_ROWS size fields i
	local -a t_cat=() t_pass=() t_sel=() t_ver=() c_cat=() c_pass=() c_sel=() c_ver=()

	say "filter: generating $rows rows of dim 768 (mvs-gen --scenario wide)"
	"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows "$rows" --dim 768 >"$f"
	size=$(stat -c %s "$f")
	# the selection keeps the primary key and the vector field, named as the header names them
	fields=$(mvs-cat --header "$f" | node -e '
		const h = JSON.parse(require("fs").readFileSync(0, "utf8"));
		const pk = h.fields.find((x) => x.primary_key).name;
		const vec = h.fields.find((x) => /Vector$/.test(x.type)).name;
		console.log(`${pk},${vec}`);')
	cat "$f" >/dev/null	# warm the page cache
	mvs-map <"$f" | cmp -s - "$f" || die "filter: mvs-map passthrough does not reproduce its input"

	for i in $(seq 1 "$RUNS"); do
		local a b
		say "filter: run $i of $RUNS"
		a=$(now_ns); timed "$BT/t" cat <"$f" | cat >/dev/null; b=$(now_ns)
		t_cat+=("$(elapsed_s "$a" "$b")"); c_cat+=("$(cpu_s "$BT/t")")
		a=$(now_ns); timed "$BT/t" mvs-map <"$f" | cat >/dev/null; b=$(now_ns)
		t_pass+=("$(elapsed_s "$a" "$b")"); c_pass+=("$(cpu_s "$BT/t")")
		a=$(now_ns); timed "$BT/t" mvs-map --fields "$fields" <"$f" | cat >/dev/null; b=$(now_ns)
		t_sel+=("$(elapsed_s "$a" "$b")"); c_sel+=("$(cpu_s "$BT/t")")
	done
	for i in $(seq 1 "$VERIFY_RUNS"); do
		local a b
		say "filter: mvs-cat --verify, run $i of $VERIFY_RUNS"
		a=$(now_ns); bench_wait timed "$BT/t" mvs-cat --verify -q <"$f"; b=$(now_ns)
		t_ver+=("$(elapsed_s "$a" "$b")"); c_ver+=("$(cpu_s "$BT/t")")
	done

	local m_cat m_pass m_sel m_ver mbs_cat mbs_pass mbs_sel mbs_ver r_pass r_sel r_ver
	m_cat=$(printf '%s\n' "${t_cat[@]}" | median)
	m_pass=$(printf '%s\n' "${t_pass[@]}" | median)
	m_sel=$(printf '%s\n' "${t_sel[@]}" | median)
	m_ver=$(printf '%s\n' "${t_ver[@]}" | median)
	mbs_cat=$(calc '%.0f' "$size / $m_cat / 1e6")
	mbs_pass=$(calc '%.0f' "$size / $m_pass / 1e6")
	mbs_sel=$(calc '%.0f' "$size / $m_sel / 1e6")
	mbs_ver=$(calc '%.0f' "$size / $m_ver / 1e6")
	r_pass=$(calc '%.0f' "100 * $m_cat / $m_pass")
	r_sel=$(calc '%.0f' "100 * $m_cat / $m_sel")
	r_ver=$(calc '%.0f' "100 * $m_cat / $m_ver")
	local met_pass met_sel
	met_pass=$(awk -v r="$r_pass" 'BEGIN { print (r >= 70) ? "**met**" : "**not met**" }')
	met_sel=$(awk -v r="$r_sel" 'BEGIN { print (r >= 50) ? "**met**" : "**not met**" }')

	{
		echo "## 1. Stream filter speed"
		echo
		echo "Machine: $(machine_line)."
		echo
		echo "Input: one file of $rows rows, $size bytes ($(calc '%.2f' "$size / 1073741824") GiB), made by"
		echo "\`mvs-gen --scenario wide --rows $rows --dim 768\` (Int64 \`id\`, Int32, Float, VarChar and a"
		echo "768-dim FloatVector per row), in a temporary directory, read once before timing so that every run"
		echo "reads it from the page cache. The sink of every command is the same: a pipe into \`cat > /dev/null\`"
		echo "(GNU cat copies with read/write; no splice or sendfile shortcut on either side). Commands run in turn"
		echo "($RUNS rounds; mvs-cat --verify $VERIFY_RUNS times); wall-clock time of the whole pipeline, median of the runs;"
		echo "CPU = user + system seconds of the measured process (not the sink), median."
		echo
		md_row "command" "median s" "MB/s" "% of cat" "CPU s" "target"
		md_row "---" "---:" "---:" "---:" "---:" "---"
		md_row "\`cat < f \| cat > /dev/null\` (baseline)" "$m_cat" "$mbs_cat" "100" \
			"$(printf '%s\n' "${c_cat[@]}" | median)" ""
		md_row "\`mvs-map < f \| cat > /dev/null\` (passthrough)" "$m_pass" "$mbs_pass" "$r_pass" \
			"$(printf '%s\n' "${c_pass[@]}" | median)" "≥ 70%: $met_pass"
		md_row "\`mvs-map --fields $fields < f \| cat > /dev/null\` (selection)" "$m_sel" "$mbs_sel" "$r_sel" \
			"$(printf '%s\n' "${c_sel[@]}" | median)" "≥ 50%: $met_sel"
		md_row "\`mvs-cat --verify -q < f\`" "$m_ver" "$mbs_ver" "$r_ver" \
			"$(printf '%s\n' "${c_ver[@]}" | median)" "none set"
		echo
		echo "All runs (seconds): cat ${t_cat[*]}; passthrough ${t_pass[*]}; selection ${t_sel[*]};"
		echo "verify ${t_ver[*]}. MB = 10^6 bytes of the input file."
		echo
		local cpu_ratio
		cpu_ratio=$(calc '%.2f' "$(printf '%s\n' "${c_pass[@]}" | median) / $(printf '%s\n' "${c_cat[@]}" | median)")
		echo "Reading the figures: mvs-map raises the capacity of its output pipe to 1 MiB (\`F_SETPIPE_SZ\` in"
		echo "lib/stream/mvs_stream.c) and writes whole 1 MiB frames, while cat writes 128 KiB at a time into a 64 KiB"
		echo "pipe; so the two pipelines wake their sinks differently, and their wall-clock times also depend on"
		echo "how the scheduler places two busy processes on $(nproc) shared cores (see the spread of the runs). The"
		echo "CPU column compares the work per byte: mvs-map spends ${cpu_ratio}x the CPU time of cat on"
		echo "passthrough (reading, checking the framing and every value, XXH3 over the input and again over the"
		echo "output, writing the rows frames on from its input buffer; a selection also copies the kept"
		echo "values into new frames). Where the pipeline is CPU-bound, the"
		echo "wall-clock ratio tends to the inverse of that: $(calc '%.0f' "100 / $cpu_ratio")% of cat."
		echo
	} >"$sec"
	rm -f "$f"
}
