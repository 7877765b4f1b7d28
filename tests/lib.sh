# Shared by the shell tests (source it first). Gives: a private temp dir $T removed on exit, background
# processes started with `spawn` stopped by pid on exit (even on failure), `fail`, `expect_exit`, fake
# Milvus servers (fake_start) on free loopback ports and the wait for a server's port (wait_listening),
# and for the mvs-migrate tests stand-in tools (standin), the seed document's config (seed_config) and
# a plain one (plain_config).
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

# wait_listening NAME PID OUT LOG LINE: waits (10 s at most) for the line "LINE HOST:PORT" that the
# server PID prints to OUT once it listens (on a port it chose), and sets LISTEN_ADDR to HOST:PORT.
# Fails the test naming NAME, and shows LOG, when the server exits first or never prints the line.
wait_listening() {
	local name=$1 pid=$2 out=$3 log=$4 line=$5
	LISTEN_ADDR=""
	for _ in $(seq 1 200); do
		LISTEN_ADDR=$(sed -n "s/^$line //p" "$out" | head -n 1)
		[ -n "$LISTEN_ADDR" ] && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "$name exited at start"; }
		sleep 0.05
	done
	cat "$log" >&2
	fail "$name did not start"
}

# has_line FILE WHAT [GREP OPTION] PATTERN: fails with WHAT, showing FILE, unless a line of FILE
# matches PATTERN.
has_line() {
	local file=$1 what=$2
	shift 2
	grep -q "$@" "$file" || { cat "$file" >&2; fail "$what"; }
}

# need_node: skips the test (exit 77) where node or the npm packages under tests/ (the official SDK,
# whose service definitions the fake server loads) are missing.
need_node() {
	command -v node >/dev/null || { echo "node is not installed"; exit 77; }
	[ -d "$MVS_TOP/tests/node_modules/@zilliz/milvus2-sdk-node" ] ||
		{ echo "tests/node_modules missing (make test-deps)"; exit 77; }
}

# sdk ARGS...: tests/node/sdk.js, the official SDK's side of the tests (seed, dump, compare...).
sdk() { node "$MVS_TOP/tests/node/sdk.js" "$@"; }

# fake_start NAME [server options...]: starts tests/fake-milvus on a free loopback port (the server
# binds port 0 and prints "fake-milvus listening on HOST:PORT"); sets NAME_URI and NAME_PID.
fake_start() {
	local name=$1; shift
	local log=$T/fake-$name.log
	spawn node "$MVS_TOP/tests/fake-milvus/server.js" --port 0 "$@" >"$log" 2>&1
	wait_listening "fake-milvus $name" "$SPAWNED_PID" "$log" "$log" 'fake-milvus listening on'
	printf -v "${name}_URI" '%s' "$LISTEN_ADDR"
	printf -v "${name}_PID" '%s' "$SPAWNED_PID"
}

# standin FILE: writes the stand-in tool FILE, the sh script on stdin after a prologue, and makes it
# executable (the mvs-migrate tests run it in place of a real tool). The prologue sets d to FILE's
# folder, where a test leaves control files and the stand-ins their records, and defines the real
# tools' behaviour that several stand-ins share:
#   status EVENT          an event on the status channel (fd 3, which mvs-migrate opens); the end event,
#                         with the exit code and $end_rows, is written when the stand-in exits
#   progress ROWS PCT     a progress event (PCT: percent, or null)
#   export_end ROWS       mvs-export's last progress, the stream's end (END) and its summary
#   import_fail_if WORD   when a line of $d/fail is WORD: mvs-import's failed Insert (exit 6)
#   import_whole_stream   reads the stream; unless its last line is END: mvs-import's truncation (exit 4)
standin() {
	mkdir -p "$(dirname "$1")"
	{
		cat <<'EOF'
#!/bin/sh
d=$(dirname "$0")
status() { { printf '{"v":1,"event":%s}\n' "$1" >&3; } 2>/dev/null || true; }
progress() { status "\"progress\",\"rows\":$1,\"percent\":$2"; }
end_rows=0
trap 'rc=$?; status "\"end\",\"exit\":$rc,\"rows\":$end_rows"' EXIT
export_end() {
	progress "$1" 100.0
	echo END
	end_rows=$1
	echo "mvs-export: exported $1 rows from c in 0.1 s (1000 rows/s)" >&2
}
import_fail_if() {
	if grep -qx "$1" "$d/fail" 2>/dev/null; then
		echo "mvs-import: error: Insert: rate limit exceeded (code 8); 0 rows written" >&2
		exit 6
	fi
}
import_whole_stream() {
	if [ "$(tail -n 1)" != END ]; then
		echo "mvs-import: error: truncated or corrupt stream at byte 5" >&2
		exit 4
	fi
}
EOF
		cat
	} >"$1"
	chmod +x "$1"
}

# seed_config FILE COLLECTION SOURCE TARGET USER: the example migration.yaml of the seed document
# (milvus-migration's) with that collection, the endpoints SOURCE and TARGET, USER on both sides, and
# the passwords as ${SRC_PASSWORD} and ${DST_PASSWORD}.
seed_config() {
	cat >"$1" <<EOF
dumper:
  worker:
    workMode: milvus2x
    reader:
      bufferSize: 500

meta:
  mode: config
  version: 2.3.0
  collection: $2

source:
  milvus2x:
    endpoint: $3
    username: $5
    password: \${SRC_PASSWORD}

target:
  milvus2x:
    endpoint: $4
    username: $5
    password: \${DST_PASSWORD}
EOF
}

# plain_config FILE COLLECTION SOURCE TARGET [PARALLELISM]: a migration.yaml that copies COLLECTION
# from SOURCE to TARGET without credentials, as PARALLELISM shard pipelines (default 1).
plain_config() {
	cat >"$1" <<EOF
dumper:
  worker:
    workMode: milvus2x
    parallelism: ${5:-1}
meta:
  mode: config
  collection: $2
source:
  milvus2x:
    endpoint: $3
target:
  milvus2x:
    endpoint: $4
EOF
}
