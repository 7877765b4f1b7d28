# Shared by the shell tests (source it first). Gives: a private temp dir $T removed on exit, background
# processes started with `spawn` stopped by pid on exit (even on failure), `fail`, `expect_exit`, and
# fake Milvus servers (fake_start) on free loopback ports.
set -eu
set -o pipefail
: "${MVS_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${MVS_BIN:=$MVS_TOP/bin}"
: "${MVS_TESTTOOLS:=$MVS_TOP/build/tests/tools}"
export PATH="$MVS_BIN:$PATH"
T=$(mktemp -d "${TMPDIR:-/tmp}/mvs-test.XXXXXX")
_pids=()

_cleanup() {
	local pid
	for pid in "${_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*"; }

# expect_exit CODE CMD...: runs CMD, fails the test unless it exits with CODE. stderr goes to $T/stderr.
expect_exit() {
	local want=$1 rc=0; shift
	"$@" 2>"$T/stderr" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$T/stderr" >&2; fail "expected exit $want, got $rc: $*"; }
}

# spawn CMD...: runs CMD in the background, remembered for cleanup; sets SPAWNED_PID.
spawn() {
	"$@" &
	SPAWNED_PID=$!
	_pids+=("$SPAWNED_PID")
}

# fake_start NAME [server options...]: starts tests/fake-milvus on a free loopback port (the server
# binds port 0 and prints "fake-milvus listening on HOST:PORT"); sets NAME_URI and NAME_PID.
fake_start() {
	local name=$1; shift
	local log=$T/fake-$name.log
	spawn node "$MVS_TOP/tests/fake-milvus/server.js" --port 0 "$@" >"$log" 2>&1
	local pid=$SPAWNED_PID i addr=""
	for i in $(seq 1 200); do
		addr=$(sed -n 's/^fake-milvus listening on //p' "$log" | head -n 1)
		[ -n "$addr" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "fake-milvus $name exited at start"; }
		sleep 0.05
	done
	[ -n "$addr" ] || { cat "$log" >&2; fail "fake-milvus $name did not start"; }
	printf -v "${name}_URI" '%s' "$addr"
	printf -v "${name}_PID" '%s' "$pid"
}
