#!/usr/bin/env bash
# The fault knobs of tests/fake-milvus as the official Node SDK sees them: injected UNAVAILABLE is
# retried by the SDK (and fails without retries), rate limits come back as code 8 / RateLimit, and a
# server that dies after N rows breaks the client mid-way with exit status 137 on the server.
. "$MVS_TOP/tests/lib.sh"

need_node

fake_start U --unavailable-every 4
sdk seed --uri "$U_URI" --scenario all-types --rows 30 --batch 5 --expect "$T/u.expect" ||
	fail "the SDK's retries should ride over injected UNAVAILABLE"
sdk dump --uri "$U_URI" --collection all_types --out "$T/u.dump" --batch 4
sdk compare "$T/u.dump" "$T/u.expect" >/dev/null || fail "rows lost or doubled under UNAVAILABLE"
fake_start U0 --unavailable-every 2
expect_exit 4 sdk seed --uri "$U0_URI" --scenario auto-id --retries 0
grep -q 'gRPC error 14' "$T/stderr" || { cat "$T/stderr"; fail "UNAVAILABLE without retries"; }

fake_start R --rate-limit-every 3
expect_exit 3 sdk seed --uri "$R_URI" --scenario partition-key --rows 100 --batch 10
grep -q 'rate limit exceeded (code 8, error_code RateLimit)' "$T/stderr" || { cat "$T/stderr"; fail "rate limit"; }

fake_start L --flush-rate-limit 1
sdk seed --uri "$L_URI" --scenario auto-id --rows 5
expect_exit 3 sdk call --uri "$L_URI" --method Flush --request '{"collection_names":["auto_id"]}' >/dev/null
grep -q 'code 8' "$T/stderr" || fail "first flush should be rate limited"
sdk call --uri "$L_URI" --method Flush --request '{"collection_names":["auto_id"]}' >/dev/null || fail "second flush"

fake_start X --exit-after-rows 25
expect_exit 4 sdk seed --uri "$X_URI" --scenario auto-id --rows 60 --batch 10 --retries 0
rc=0
wait "$X_PID" || rc=$?
[ "$rc" -eq 137 ] || fail "server exited with $rc, not 137"
note "ok"
