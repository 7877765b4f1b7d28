# Profiles (sourced by bench/run): where the CPU time of mvs-map (passthrough and selection),
# mvs-cat --verify, mvs-export and mvs-import goes, as flat profiles (self time per function) from
# `perf record` with the software cpu-clock event, or from valgrind's callgrind when perf cannot
# sample here. Writes the section to $BT/section-profile.md. Settings: PROFILE_ROWS (dim-768 rows).

PROFILE_TOP=14

# profiler_kind: perf when it can sample on this machine, else callgrind, else none.
profiler_kind() {
	if command -v perf >/dev/null && perf record -q -e cpu-clock -o "$BT/probe.data" true >/dev/null 2>&1; then
		echo perf
	elif command -v valgrind >/dev/null; then
		echo callgrind
	else
		echo none
	fi
}

# prof NAME CMD...: runs CMD under the profiler (stdin/stdout as given), data in $BT/NAME.prof.
# With PROF_CALLERS=1 perf also records call chains (DWARF unwinding), for prof_callers.
prof() {
	local name=$1; shift
	case $PROFILER in
	perf)
		if [ "${PROF_CALLERS:-0}" = 1 ]; then
			perf record -q -F 999 -e cpu-clock --call-graph dwarf,16384 -o "$BT/$name.prof" -- "$@" 2>>"$BT/perf.log"
		else
			perf record -q -F 1999 -e cpu-clock -o "$BT/$name.prof" -- "$@" 2>>"$BT/perf.log"
		fi
		;;
	callgrind) valgrind -q --tool=callgrind --callgrind-out-file="$BT/$name.prof" "$@" 2>>"$BT/perf.log" ;;
	esac
}

# prof_report NAME: the top functions by self time, as "percent  function  (object)" lines.
prof_report() {
	local name=$1
	case $PROFILER in
	perf)
		perf report -i "$BT/$name.prof" --stdio --no-children --sort dso,sym 2>/dev/null |
			awk -v top="$PROFILE_TOP" 'n < top && /^ *[0-9.]+%/ { n++; pct = $1; dso = $2
				sub(/^ *[0-9.]+% +[^ ]+ +\[[^]]*\] +/, ""); printf "%7s  %s  (%s)\n", pct, $0, dso }'
		;;
	callgrind)
		callgrind_annotate "$BT/$name.prof" 2>/dev/null |
			awk -v top="$PROFILE_TOP" 'n < top && /^ *[0-9,]+ \(/ { n++; print }'
		;;
	esac
}

# prof_callers NAME: with call chains, the functions by inclusive time (self + callees), leaving out
# the entry points and unnamed frames: which mvs, gRPC or protobuf-c call the time is spent under.
prof_callers() {
	perf report -i "$BT/$1.prof" --stdio --children --sort sym 2>/dev/null |
		awk -v top=22 'n < top && /^ *[0-9.]+% +[0-9.]+% +\[/ {
			sym = $0; sub(/^ *[0-9.]+% +[0-9.]+% +\[[^]]*\] +/, "", sym)
			if (sym ~ /^(0x|_start|main$|__libc_start|_dl_|entry_SYSCALL|do_syscall)/) next
			n++; printf "%7s %7s  %s\n", $1, $2, sym }'
}

bench_profile() {
	local sec=$BT/section-profile.md f=$BT/prof.mvs g=$BT/prof-out.mvs rows=$PROFILE_ROWS vrows
	PROFILER=$(profiler_kind)
	[ "$PROFILER" = callgrind ] && rows=$((rows / 10))
	vrows=$((rows / 5))
	{
		echo "## 5. Profiles of the hot paths"
		echo
		echo "Machine: $(machine_line)."
		echo
	} >"$sec"
	if [ "$PROFILER" = none ]; then
		echo "Neither perf nor valgrind is installed here: no profiles." >>"$sec"
		return 0
	fi
	say "profile: $PROFILER, $rows rows of dim 768"
	"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows "$rows" --dim 768 >"$f"
	"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows "$vrows" --dim 768 >"$BT/prof-small.mvs"
	cat "$f" >/dev/null
	prof map-pass mvs-map <"$f" | cat >/dev/null
	prof map-sel mvs-map --fields id,vec <"$f" | cat >/dev/null
	prof verify mvs-cat --verify -q <"$BT/prof-small.mvs"
	bench_fake_start psrc
	bench_fake_start pdst
	mvs-import -q --uri "$psrc_URI" --collection bench --create-index --load <"$f"
	prof export mvs-export -q --uri "$psrc_URI" --collection bench >"$g"
	prof import mvs-import -q --uri "$pdst_URI" <"$g"
	if [ "$PROFILER" = perf ]; then
		PROF_CALLERS=1 prof export-callers mvs-export -q --uri "$psrc_URI" --collection bench >/dev/null
		PROF_CALLERS=1 prof import-callers mvs-import -q --uri "$pdst_URI" --collection callers <"$g"
	fi
	bench_stop "$psrc_PID"
	bench_stop "$pdst_PID"
	rm -f "$f" "$g" "$BT/prof-small.mvs"

	{
		if [ "$PROFILER" = perf ]; then
			echo "Flat profiles (self time per function, top $PROFILE_TOP) from"
			echo "\`perf record -F 1999 -e cpu-clock\` (hardware counters are not available on this virtual machine)"
			echo "and \`perf report --no-children --sort dso,sym\`. Inputs: a stream of $rows rows of"
			echo "\`mvs-gen --scenario wide --dim 768\` (mvs-cat --verify: $vrows rows), and for export and import"
			echo "a fake Milvus server holding it. Symbols of libraries without debug information may show as"
			echo "addresses."
		else
			echo "Flat profiles (instructions per function, top $PROFILE_TOP) from valgrind's callgrind on a stream"
			echo "of $rows rows of \`mvs-gen --scenario wide --dim 768\` (perf cannot sample on this machine)."
		fi
		local name cmd
		for name in map-pass map-sel verify export import; do
			case $name in
			map-pass) cmd="mvs-map < f.mvs | cat > /dev/null" ;;
			map-sel) cmd="mvs-map --fields id,vec < f.mvs | cat > /dev/null" ;;
			verify) cmd="mvs-cat --verify -q < small.mvs" ;;
			export) cmd="mvs-export -q --uri SRC --collection bench > out.mvs" ;;
			import) cmd="mvs-import -q --uri DST < out.mvs" ;;
			esac
			echo
			echo "\`$cmd\`:"
			echo
			echo '```'
			prof_report "$name"
			echo '```'
		done
		if [ "$PROFILER" = perf ]; then
			for name in export import; do
				echo
				echo "mvs-$name again, with call chains (\`perf record --call-graph dwarf\`, \`perf report --children\`):"
				echo "inclusive % (the function and what it calls), then self %, by function."
				echo
				echo '```'
				prof_callers "$name-callers"
				echo '```'
			done
		fi
		echo
	} >>"$sec"
}
