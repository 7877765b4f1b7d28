# Shared by the reliability tests (tests/shell/rel_*.sh), sourced after tests/lib.sh: a TCP proxy that
# breaks the network on cue (tests/tools/tcp-fault.js) and a wait that polls a log for a line.

# proxy_start NAME HOST:PORT [tcp-fault options...]: starts tests/tools/tcp-fault.js in front of
# HOST:PORT on a free loopback port; sets NAME_URI, NAME_PID and NAME_LOG (its stderr: one line per
# fault).
proxy_start() {
	local name=$1 to=$2; shift 2
	local out=$T/proxy-$name.out log=$T/proxy-$name.log
	spawn node "$MVS_TOP/tests/tools/tcp-fault.js" --to "$to" "$@" >"$out" 2>"$log"
	wait_listening "tcp-fault $name" "$SPAWNED_PID" "$out" "$log" 'tcp-fault listening on'
	printf -v "${name}_URI" '%s' "$LISTEN_ADDR"
	printf -v "${name}_PID" '%s' "$SPAWNED_PID"
	printf -v "${name}_LOG" '%s' "$log"
}

# wait_for_line FILE REGEX [PID]: polls FILE until a line matches REGEX (fails when PID, if given,
# exits first). No deadline of its own: tests/run's per-test timeout bounds it.
wait_for_line() {
	local file=$1 re=$2 pid=${3:-}
	until grep -Eq -- "$re" "$file" 2>/dev/null; do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			grep -Eq -- "$re" "$file" 2>/dev/null && return 0
			fail "process $pid ended before \"$re\" appeared in $file"
		fi
		sleep 0.05
	done
}
