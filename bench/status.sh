#!/usr/bin/env bash
# Benchmark: the cost of the status channel (--status-fd, lib/stream/mvs_status.c), which turns every
# row into its canonical form and hashes it for the row digest of mvs-stream(5). Sourced by bench/run,
# or run alone (bench/status.sh [OPTION]..., the same as bench/run [OPTION]... status). Measures, in
# one run, each command with and without `--status-fd 3 3>/dev/null`: mvs-map passthrough and
# mvs-cat --verify on two generated streams (best wall time of STATUS_RUNS runs, and callgrind
# instruction counts on a smaller stream), and end to end `mvs-export | mvs-import` between two fake
# Milvus servers, next to `mvs-migrate start` (which always turns the channel on).
# Writes the section to $BT/section-status.md.
# Settings: STATUS_SHAPES (ROWSxDIM,...), STATUS_IR_SHAPES, STATUS_E2E (ROWSxDIM), STATUS_RUNS.

# best: the smallest of the numbers on stdin.
best() { sort -g | head -n 1; }

# pct NEW BASE: the overhead of NEW over BASE in percent, signed.
pct() { calc '%+.1f' "100 * ($1 - $2) / $2"; }

# status_wall OUT CMD...: appends the wall seconds of one run of CMD (stdin from $STATUS_IN) to OUT.
status_wall() {
	local out=$1 a b; shift
	a=$(now_ns)
	bench_wait "$@" <"$STATUS_IN" >/dev/null || die "status: '$*' failed"
	b=$(now_ns)
	echo "$(elapsed_s "$a" "$b")" >>"$out"
}
st_map() { mvs-map; }
st_map_s() { mvs-map --status-fd 3 3>/dev/null; }
st_cat() { mvs-cat --verify -q; }
st_cat_s() { mvs-cat --verify -q --status-fd 3 3>/dev/null; }

# status_ir FILE CMD...: instructions (callgrind Ir) of CMD reading FILE.
status_ir() {
	local f=$1; shift
	valgrind --tool=callgrind --callgrind-out-file="$BT/cg.out" "$@" <"$f" >/dev/null 2>"$BT/cg.err" ||
		{ cat "$BT/cg.err" >&2; die "status: callgrind of '$*' failed"; }
	sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$BT/cg.out"
}

# The end-to-end copies (each into a fresh target server, started by status_e2e_run).
st_e2e_plain() {
	mvs-export -q --uri "$src_URI" --collection bench | mvs-import -q --uri "$dst_URI"
}
st_e2e_status() {
	mvs-export -q --uri "$src_URI" --collection bench --status-fd 3 3>/dev/null |
		mvs-import -q --uri "$dst_URI" --status-fd 3 3>/dev/null
}
st_e2e_migrate() {
	cat >"$BT/migration.yaml" <<YAML
dumper:
  worker:
    workMode: milvus2x
meta:
  mode: config
  collection: bench
source:
  milvus2x:
    endpoint: ${src_URI#*://}
target:
  milvus2x:
    endpoint: ${dst_URI#*://}
YAML
	mvs-migrate start -q -c "$BT/migration.yaml"
}

# status_e2e_run KIND: one copy (st_e2e_KIND) into a fresh target server; appends its wall seconds
# to $BT/st-e2e-KIND.runs.
status_e2e_run() {
	local a b
	bench_fake_start dst
	a=$(now_ns)
	bench_wait "st_e2e_$1" </dev/null || die "status: end-to-end copy '$1' failed"
	b=$(now_ns)
	bench_stop "$dst_PID"
	echo "$(elapsed_s "$a" "$b")" >>"$BT/st-e2e-$1.runs"
}

bench_status() {
	local sec=$BT/section-status.md shape rows dim f k i base runs
	{
		echo "## The status channel (\`--status-fd\`): what the row digest costs"
		echo
		echo "Machine: $(machine_line)."
		echo
		echo "With \`--status-fd N\` a tool turns every row it passes into its canonical form and hashes it"
		echo "(XXH3-64) for the row digest of mvs-stream(5) DIGEST; without it none of that runs. mvs-migrate"
		echo "always turns it on for its export, map and import stages. Each command below runs with and without"
		echo "\`--status-fd 3 3>/dev/null\`, in turn, in the same run. Streams from \`mvs-gen --scenario wide"
		echo "--rows N --dim D\` (Int64 \`id\`, Int32, Float, VarChar and a D-dim FloatVector) in a file read from"
		echo "the page cache; output to /dev/null. Wall = best of $STATUS_RUNS runs (all runs kept in"
		echo "build/bench/status-*.runs); instructions = callgrind Ir of one run on the smaller stream named"
		echo "(\`perf stat -e instructions\` is not supported on this machine), which does not vary between runs."
		echo
		echo '```sh'
		echo 'mvs-map < f >/dev/null                       # vs: mvs-map --status-fd 3 3>/dev/null < f'
		echo 'mvs-cat --verify -q < f                      # vs: mvs-cat --verify -q --status-fd 3 3>/dev/null < f'
		echo 'valgrind --tool=callgrind CMD < small-f      # instructions'
		echo '```'
		echo
		md_row "stream" "command" "wall s, off" "wall s, on" "wall overhead" "Ir off (stream)" "Ir on" "Ir overhead"
		md_row "---" "---" "---:" "---:" "---:" "---:" "---:" "---:"
	} >"$sec"

	local -a shapes irs
	shapes=(${STATUS_SHAPES//,/ }); irs=(${STATUS_IR_SHAPES//,/ })
	for i in "${!shapes[@]}"; do
		shape=${shapes[$i]}; rows=${shape%x*}; dim=${shape#*x}
		f=$BT/st-$shape.mvs
		say "status: generating $shape"
		"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows "$rows" --dim "$dim" >"$f"
		cat "$f" >/dev/null
		STATUS_IN=$f
		rm -f "$BT"/st-w-*.runs
		for k in $(seq 1 "$STATUS_RUNS"); do
			for c in st_map st_map_s st_cat st_cat_s; do status_wall "$BT/st-w-$c.runs" "$c"; done
		done
		local small=${irs[$i]} sf=$BT/st-small.mvs
		"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows "${small%x*}" --dim "${small#*x}" >"$sf"
		say "status: callgrind on $small"
		local ir_map ir_map_s ir_cat ir_cat_s
		ir_map=$(status_ir "$sf" "$MVS_BIN/mvs-map")
		ir_map_s=$(status_ir "$sf" "$MVS_BIN/mvs-map" --status-fd 2)
		ir_cat=$(status_ir "$sf" "$MVS_BIN/mvs-cat" --verify -q)
		ir_cat_s=$(status_ir "$sf" "$MVS_BIN/mvs-cat" --verify -q --status-fd 2)
		for c in st_map st_map_s st_cat st_cat_s; do cp "$BT/st-w-$c.runs" "$BENCH_BUILD/status-$shape-$c.runs"; done
		local wm wms wc wcs
		wm=$(best <"$BT/st-w-st_map.runs"); wms=$(best <"$BT/st-w-st_map_s.runs")
		wc=$(best <"$BT/st-w-st_cat.runs"); wcs=$(best <"$BT/st-w-st_cat_s.runs")
		if [ "$i" = 0 ]; then
			STATUS_MAP_SMALL=$(pct "$wms" "$wm"); STATUS_IR_SMALL=$(pct "$ir_map_s" "$ir_map")
		else
			STATUS_MAP_WIDE=$(pct "$wms" "$wm"); STATUS_IR_WIDE=$(pct "$ir_map_s" "$ir_map")
		fi
		md_row "${rows}x$dim ($(stat -c %s "$f") bytes)" "\`mvs-map\` passthrough" "$wm" "$wms" "$(pct "$wms" "$wm")%" \
			"$ir_map ($small)" "$ir_map_s" "$(pct "$ir_map_s" "$ir_map")%" >>"$sec"
		md_row "" "\`mvs-cat --verify -q\`" "$wc" "$wcs" "$(pct "$wcs" "$wc")%" \
			"$ir_cat ($small)" "$ir_cat_s" "$(pct "$ir_cat_s" "$ir_cat")%" >>"$sec"
		rm -f "$f" "$sf"
	done

	rows=${STATUS_E2E%x*}; dim=${STATUS_E2E#*x}
	say "status: end to end, $rows rows, dim $dim: seeding the source server"
	bench_fake_start src
	bench_wait e2e_seed "$rows" "$dim" || die "status: seeding the source server failed"
	rm -f "$BT"/st-e2e-*.runs
	for k in $(seq 1 "$STATUS_RUNS"); do
		for c in plain status migrate; do
			say "status: end to end, run $k of $STATUS_RUNS ($c)"
			status_e2e_run "$c"
		done
	done
	bench_stop "$src_PID"
	local ep es em
	ep=$(best <"$BT/st-e2e-plain.runs"); es=$(best <"$BT/st-e2e-status.runs"); em=$(best <"$BT/st-e2e-migrate.runs")
	for c in plain status migrate; do cp "$BT/st-e2e-$c.runs" "$BENCH_BUILD/status-e2e-$STATUS_E2E-$c.runs"; done
	STATUS_E2E_ON=$(pct "$es" "$ep"); STATUS_E2E_MIG=$(pct "$em" "$ep")
	{
		echo
		echo "End to end, ${rows} rows, dim ${dim}, between two fake Milvus servers (\`tests/fake-milvus\`, seeded as in"
		echo "section 2; a fresh target server for every run); best of $STATUS_RUNS runs:"
		echo
		md_row "copy" "wall s" "vs plain"
		md_row "---" "---" "---:"
		md_row "\`mvs-export -q --uri SRC --collection bench \| mvs-import -q --uri DST\`" "$ep" "baseline"
		md_row "the same, both with \`--status-fd 3 3>/dev/null\`" "$es" "$(pct "$es" "$ep")%"
		md_row "\`mvs-migrate start -q -c migration.yaml\` (export \| map \| import, status on)" "$em" "$(pct "$em" "$ep")%"
		echo
		echo "All runs (s): plain $(paste -sd' ' "$BT/st-e2e-plain.runs"); status $(paste -sd' ' "$BT/st-e2e-status.runs");"
		echo "migrate $(paste -sd' ' "$BT/st-e2e-migrate.runs")."
		echo
		echo "What it means: on a stream read from the page cache, the status channel costs mvs-map passthrough"
		echo "${STATUS_MAP_SMALL}% wall time (${STATUS_IR_SMALL}% instructions) on small rows and ${STATUS_MAP_WIDE}% wall"
		echo "(${STATUS_IR_WIDE}% instructions) on dim-768 rows, and mvs-cat --verify about as much: canonicalizing and"
		echo "hashing every row is about as much work again as reading, checking and writing it, so a tool that"
		echo "only moves bytes gets up to twice as slow. End to end against the fake servers"
		echo "much less of it shows: with the channel on, \`mvs-export | mvs-import\` took ${STATUS_E2E_ON}% and mvs-migrate"
		echo "(three stages, all with the channel on) ${STATUS_E2E_MIG}% against the plain copy (compare the spread"
		echo "of the runs above), because the copy mostly waits on the servers (section 2) and much of the"
		echo "tools' extra CPU fits in that wait; against a faster server the tool figures above are the bound."
		echo
	} >>"$sec"
}

# Run alone: bench/status.sh [bench/run options] is bench/run status [options].
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	exec "$(cd "$(dirname "$0")" && pwd)/run" "$@" status
fi
