#!/usr/bin/env bash
# Several Insert calls in flight at once on one client: all complete, every row arrives exactly once;
# and a request over the server's size limit fails at once (RESOURCE_EXHAUSTED, not retried).
. "$MVS_TOP/tests/lib.sh"
need_node
probe=$MVS_TESTTOOLS/mvs-probe

fake_start m --max-recv-bytes 10000 --verbose
"$probe" --uri "$m_URI" create-test docs >/dev/null
"$probe" --uri "$m_URI" insert-test docs 3000 --batch 100 --inflight 8 >"$T/out"
[ "$(cat "$T/out")" = "inserted 3000 (at most 8 in flight)" ] || fail "insert-test: $(cat "$T/out")"
"$probe" --uri "$m_URI" load docs >/dev/null
[ "$("$probe" --uri "$m_URI" count docs)" = 3000 ] || fail "count after concurrent inserts"

before=$(grep -c 'Insert ' "$T/fake-m.log")
expect_exit 6 "$probe" --uri "$m_URI" insert-test docs 1000 --start 5000 --batch 1000 --inflight 1
grep -q "error: Insert request too large for $m_URI" "$T/stderr" || { cat "$T/stderr" >&2; fail "too-large message"; }
after=$(grep -c 'Insert ' "$T/fake-m.log" || true)
[ "$after" -le $((before + 1)) ] || fail "a too-large Insert was retried"
