#!/usr/bin/env bash
# An endpoint nobody listens on: the client retries within its bounds (attempts and total time) and
# then fails with "cannot reach Milvus at HOST:PORT" and the server exit code; a bad URI is a usage error.
. "$MVS_TOP/tests/lib.sh"
need_node
probe=$MVS_TESTTOOLS/mvs-probe

# A loopback port that was free a moment ago: start a fake, note its address, stop it.
fake_start gone
kill "$gone_PID"
wait "$gone_PID" 2>/dev/null || true

expect_exit 6 "$probe" --uri "$gone_URI" --attempts 4 version
grep -q "^mvs-probe: error: cannot reach Milvus at $gone_URI: .*(after 4 attempts); it never answered: is the address right and the server up?$" "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "unreachable message"; }

# The time budget ends the retries before the attempt budget does.
expect_exit 6 "$probe" --uri "http://$gone_URI" --attempts 1000 --retry-total 2 --backoff 1 version
grep -q "cannot reach Milvus at $gone_URI" "$T/stderr" || { cat "$T/stderr" >&2; fail "unreachable message"; }
attempts=$(sed -n 's/.*(after \([0-9]*\) attempts).*/\1/p' "$T/stderr")
[ -n "$attempts" ] && [ "$attempts" -lt 1000 ] || fail "retries not bounded by time: $(cat "$T/stderr")"

expect_exit 2 "$probe" --uri "ftp://$gone_URI" version
grep -q 'bad Milvus URI "ftp://' "$T/stderr" || fail "bad URI message: $(cat "$T/stderr")"
