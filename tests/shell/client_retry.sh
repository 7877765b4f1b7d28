#!/usr/bin/env bash
# The Milvus client's retries against the fake server's fault knobs: rate-limited writes (code 8)
# succeed after retries, injected UNAVAILABLE failures are retried (sync and async calls, Insert retried
# as Upsert on request), and rate-limited Flush calls are retried; no row is lost or doubled.
. "$MVS_TOP/tests/lib.sh"
need_node
probe=$MVS_TESTTOOLS/mvs-probe

note "rate limit: every 3rd Insert answers code 8"
fake_start rl --rate-limit-every 3 --flush-rate-limit 2 --verbose
"$probe" --uri "$rl_URI" create-test docs >/dev/null
"$probe" --uri "$rl_URI" insert-test docs 1000 --batch 50 --inflight 4 >"$T/out"
grep -q '^inserted 1000 ' "$T/out" || fail "insert-test: $(cat "$T/out")"
grep -q 'Insert .* -> code=8' "$T/fake-rl.log" || fail "the fake never rate-limited an Insert"
"$probe" --uri "$rl_URI" flush docs >/dev/null
[ "$(grep -c 'Flush .* -> code=8' "$T/fake-rl.log")" -eq 2 ] || fail "expected 2 rate-limited Flush calls"
"$probe" --uri "$rl_URI" load docs >/dev/null
[ "$("$probe" --uri "$rl_URI" count docs)" = 1000 ] || fail "count after rate-limited inserts"

note "UNAVAILABLE on every 2nd call"
fake_start un --unavailable-every 2 --verbose
"$probe" --uri "$un_URI" create-test docs >/dev/null
"$probe" --uri "$un_URI" describe docs >"$T/out"
grep -q '^field vec 101$' "$T/out" || fail "describe: $(cat "$T/out")"
"$probe" --uri "$un_URI" insert-test docs 500 --batch 50 --inflight 3 >"$T/out"
grep -q '^inserted 500 ' "$T/out" || fail "insert-test: $(cat "$T/out")"
"$probe" --uri "$un_URI" insert-test docs 300 --start 500 --batch 50 --inflight 3 --retry-as-upsert >"$T/out"
grep -q '^inserted 300 ' "$T/out" || fail "insert-test --retry-as-upsert: $(cat "$T/out")"
grep -q 'Upsert .* -> code=0' "$T/fake-un.log" || fail "no Insert was retried as an Upsert"
grep -q 'UNAVAILABLE (injected)' "$T/fake-un.log" || fail "the fake injected no failure"
"$probe" --uri "$un_URI" load docs >/dev/null
[ "$("$probe" --uri "$un_URI" count docs)" = 800 ] || fail "count after retried inserts"

note "retries are bounded: a server that always rate-limits"
fake_start always --rate-limit-every 1
"$probe" --uri "$always_URI" create-test docs >/dev/null
expect_exit 6 "$probe" --uri "$always_URI" --attempts 3 insert-test docs 10
grep -q 'error: Insert failed at '"$always_URI"': rate limit exceeded (code 8, after 3 attempts)' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "rate-limit give-up message"; }
