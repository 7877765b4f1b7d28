#!/usr/bin/env bash
# tests/fake-milvus at the protocol level (a raw gRPC client with the official definitions): schema and
# insert validation, query semantics, iterator sessions, errors, and each fault knob on its own server.
. "$MVS_TOP/tests/lib.sh"

need_node
[ -d "$MVS_TOP/tests/node_modules/@grpc/grpc-js" ] || { echo "tests/node_modules missing (make test-deps)"; exit 77; }
check() { node "$MVS_TOP/tests/node/fake_protocol.js" "$@"; }

fake_start F
for group in schema insert query; do
	check --uri "$F_URI" "$group" || fail "protocol check $group"
done

fake_start R --rate-limit-every 2
check --uri "$R_URI" rate-limit || fail "--rate-limit-every"
fake_start L --flush-rate-limit 2
check --uri "$L_URI" flush-rate-limit || fail "--flush-rate-limit"
fake_start U --unavailable-every 3
check --uri "$U_URI" unavailable || fail "--unavailable-every"
fake_start J --page-jitter
check --uri "$J_URI" page-jitter || fail "--page-jitter"
fake_start A --user root --password 'Milvus'
check --uri "$A_URI" --user root --password 'Milvus' auth || fail "--user/--password"
fake_start M --max-recv-bytes 1048576
check --uri "$M_URI" max-recv || fail "--max-recv-bytes"

fake_start X --exit-after-rows 5
check --uri "$X_URI" exit-after-rows || fail "--exit-after-rows"
rc=0
wait "$X_PID" || rc=$?
[ "$rc" -eq 137 ] || fail "server with --exit-after-rows exited with $rc, not 137"

# A bad option is a usage error; --version is what GetVersion reports.
expect_exit 2 node "$MVS_TOP/tests/fake-milvus/server.js" --bogus
fake_start V --version v2.5.4
[ "$(node "$MVS_TOP/tests/node/sdk.js" call --uri "$V_URI" --method GetVersion | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')" = v2.5.4 ] ||
	fail "--version"
note "ok"
