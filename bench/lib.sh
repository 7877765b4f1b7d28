# Shared by bench/run and the benchmark scripts it sources (bench/*.sh): a private temp dir $BT removed
# on exit, background processes started with bench_spawn stopped by pid on exit (even on failure),
# fake Milvus servers on free loopback ports, and the measuring helpers (wall clock, /usr/bin/time,
# CPU ticks of a running process from /proc, medians). The same ideas as tests/lib.sh, kept apart so
# that benchmarks can stop and restart servers in the middle of a run.
set -eu
set -o pipefail
: "${MVS_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${MVS_BIN:=$MVS_TOP/bin}"
: "${MVS_TESTTOOLS:=$MVS_TOP/build/tests/tools}"
export MVS_TOP MVS_BIN MVS_TESTTOOLS
export PATH="$MVS_BIN:$PATH"
BT=$(mktemp -d "${TMPDIR:-/tmp}/mvs-bench.XXXXXX")
CLK_TCK=$(getconf CLK_TCK)
_bench_pids=()
_bench_exit_hooks=()

# _bench_kill_tree PID: stops PID and its descendants, children first, by pid.
_bench_kill_tree() {
	local child
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do _bench_kill_tree "$child"; done
	kill "$1" 2>/dev/null || true
}

_bench_cleanup() {
	local pid hook
	# a second signal (or the first one, still pending for the children forked below) must not cut
	# the cleanup short: bash would die of it and leave the servers running
	trap '' INT TERM HUP
	for pid in "${_bench_pids[@]}"; do _bench_kill_tree "$pid"; done
	# after the processes above (a server start in progress has written its pid file by now)
	for hook in "${_bench_exit_hooks[@]+"${_bench_exit_hooks[@]}"}"; do "$hook" || true; done
	for pid in "${_bench_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$BT"
}
trap _bench_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "bench: error: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

# bench_spawn CMD...: runs CMD in the background, remembered for cleanup; sets SPAWNED_PID.
bench_spawn() {
	"$@" &
	SPAWNED_PID=$!
	_bench_pids+=("$SPAWNED_PID")
}

# bench_on_exit FUNCTION: runs FUNCTION on exit (also on failure or interruption), after the processes
# started with bench_spawn and bench_wait were stopped: for what is not a child of this shell (servers
# that detach, stopped by the pid they record).
bench_on_exit() { _bench_exit_hooks+=("$1"); }

# bench_wait CMD...: runs CMD (a command or a shell function) in the background and waits for it, so
# that a signal stops the run at once (bash runs traps only between foreground commands) and the
# cleanup stops CMD's processes too. Returns CMD's exit status.
bench_wait() {
	local pid rc=0
	"$@" <&0 &	# an explicit redirection: a background command would otherwise read /dev/null
	pid=$!
	_bench_pids+=("$pid")
	wait "$pid" || rc=$?
	_bench_forget "$pid"
	return "$rc"
}

_bench_forget() {
	local keep=() p
	for p in "${_bench_pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	_bench_pids=("${keep[@]+"${keep[@]}"}")
}

# bench_stop PID: stops a process started with bench_spawn and forgets it.
bench_stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	_bench_forget "$1"
}

# bench_fake_start NAME [server options...]: starts tests/fake-milvus on a free loopback port; sets
# NAME_URI and NAME_PID.
bench_fake_start() {
	local name=$1; shift
	local log=$BT/fake-$name.log
	bench_spawn node "$MVS_TOP/tests/fake-milvus/server.js" --port 0 "$@" >"$log" 2>&1
	local pid=$SPAWNED_PID i addr=""
	for i in $(seq 1 400); do
		addr=$(sed -n '/^fake-milvus listening on /{s///p;q}' "$log")
		[ -n "$addr" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "fake-milvus $name exited at start"; }
		sleep 0.05
	done
	[ -n "$addr" ] || { cat "$log" >&2; die "fake-milvus $name did not start"; }
	printf -v "${name}_URI" '%s' "$addr"
	printf -v "${name}_PID" '%s' "$pid"
}

# cpu_ticks PID: user + system CPU time of a running process so far, in clock ticks.
cpu_ticks() {
	# fields after the ")" of the command name: state is $1, utime $12, stime $13
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# machine_busy_ticks: CPU time the whole machine has been busy (all CPUs, all processes), in ticks.
machine_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# ticks_to_s TICKS: seconds.
ticks_to_s() { awk -v t="$1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }'; }

now_ns() { date +%s%N; }

# elapsed_s START_NS END_NS: seconds between two now_ns readings.
elapsed_s() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# median: the median of the numbers on stdin, one a line (the mean of the middle two for an even count).
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.10g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPR: awk arithmetic, printed with printf format FMT (default %.2f): calc '%.1f' '1/3'.
calc() {
	local fmt='%.2f'
	[ $# -eq 2 ] && { fmt=$1; shift; }
	awk "BEGIN { printf \"$fmt\", $1 }"
}

# timed OUT CMD...: runs CMD under /usr/bin/time; OUT gets "elapsed user system maxrss_kib".
timed() {
	local out=$1; shift
	/usr/bin/time -f '%e %U %S %M' -o "$out" "$@"
}

# time_field FILE N: field N (1 elapsed, 2 user, 3 system, 4 peak RSS KiB) of the last line of FILE.
time_field() { tail -n 1 "$1" | awk -v n="$2" '{ print $n }'; }

# cpu_s FILE: user + system seconds of a timed run.
cpu_s() { tail -n 1 "$1" | awk '{ printf "%.2f", $2 + $3 }'; }

# Markdown helpers: a table row from the arguments.
md_row() {
	local out="|" c
	for c in "$@"; do out="$out $c |"; done
	echo "$out"
}

# The machine, for the head of every section.
machine_line() {
	local model mem
	model=$(sed -n '/^model name[[:space:]]*: /{s///p;q}' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "$(nproc) CPUs ($model), $mem RAM, Linux $(uname -r), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# wait_quiet MAX_LOAD TRIES: waits (10 s steps) until the 1-minute load average is below MAX_LOAD;
# gives up after TRIES steps with a note (the result then says what the load was).
wait_quiet() {
	local max=$1 tries=$2 i load
	for i in $(seq 1 "$tries"); do
		load=$(cut -d' ' -f1 /proc/loadavg)
		awk -v l="$load" -v m="$max" 'BEGIN { exit !(l < m) }' && return 0
		[ "$i" -eq 1 ] && say "load average $load >= $max: waiting for a quieter machine"
		sleep 10
	done
	say "load average still $(cut -d' ' -f1 /proc/loadavg): measuring anyway"
}
