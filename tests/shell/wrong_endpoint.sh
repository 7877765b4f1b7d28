#!/usr/bin/env bash
# A wrong endpoint fails fast and says why: until the server has answered once, a transport failure
# (nobody listening, a name that does not resolve) gets the short first-contact budget, not the
# minute of retries meant for connections that broke (those are tests/shell/client_retry.sh and
# rel_faults.sh), and the message names the cause and the likely mistake. On a terminal each retry a
# person waits for is one line.
. "$MVS_TOP/tests/lib.sh"

# A port nobody listens on: bind one, then close it.
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

# fast_failure NAME URI CAUSE: exit 6 with CAUSE and the hint, after fewer than the 10 attempts
fast_failure() {
	expect_exit 6 mvs-export --uri "$2" --collection docs -o "$T/out.mvs"
	grep -q "cannot reach Milvus at .*$3.*; it never answered: is the address right and the server up?" "$T/stderr" ||
		{ cat "$T/stderr" >&2; fail "$1: the message does not name the cause"; }
	local attempts
	attempts=$(sed -n 's/.*(after \([0-9]*\) attempts).*/\1/p' "$T/stderr")
	[ -n "$attempts" ] && [ "$attempts" -lt 10 ] ||
		{ cat "$T/stderr" >&2; fail "$1: retried as long as for a broken connection"; }
	note "$1: failed after $attempts attempts: $3"
}
fast_failure "refused" "127.0.0.1:$port" "Connection refused"
fast_failure "unknown host" "no-such-host.invalid:19530" "no-such-host.invalid"

command -v script >/dev/null || { note "script(1) missing: the terminal retry lines are not checked"; exit 0; }
timeout 20 script -qec "mvs-export --uri 127.0.0.1:$port --collection docs -o $T/out.mvs" /dev/null \
	</dev/null >"$T/tty.raw" 2>&1 || true
"$MVS_TOP/tests/tools/tty-render" <"$T/tty.raw" >"$T/tty.out"	# what the terminal shows
grep -q "^mvs-export: retrying Connect at 127.0.0.1:$port in [0-9.]* s (attempt [0-9]*/10): " "$T/tty.out" ||
	{ cat "$T/tty.out" >&2; fail "no retry line on a terminal"; }
grep -q "retrying" "$T/stderr" && fail "retry lines went to a stderr that is not a terminal"
note "retries shown on a terminal only"
