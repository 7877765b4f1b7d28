#!/usr/bin/env bash
# mvs-migrate server run under careless and hostile clients: with 100 idle and 100 half-sent connections
# open and a synchronous migration running, 20000 requests at 40 at once all succeed and healthy answers
# each time in under a second (issue 16's bound); the held connections are closed by the server's idle
# timeout; a body announced over 64 KiB gets 413 at once; a malformed request gets 400; a port in use
# is one line naming the address and the cause; a SIGTERM with a synchronous start waiting stops
# cleanly. The bearer token (--token-file or MVS_REST_TOKEN): 401 without it or with a wrong one, healthy
# and docs open, `--token` refused, the token never shown; a warning when bound beyond loopback without.
. "$MVS_TOP/tests/lib.sh"
migrate=$MVS_BIN/mvs-migrate
client=$MVS_TOP/tests/shell/migrate_rest_load.py
bin=$T/bin
mkdir -p "$T/cfg"

# Stand-ins: export waits for $bin/gate when $bin/use-gate exists.
standin "$bin/mvs-export" <<'EOF'
if [ -e "$d/use-gate" ]; then
	while [ ! -e "$d/gate" ]; do sleep 0.05; done
fi
export_end 100
EOF
standin "$bin/mvs-map" <<<'cat'
standin "$bin/mvs-import" <<'EOF'
cat >/dev/null
echo "mvs-import: imported 100 rows (4096 bytes) into c in 0.1 s (900 rows/s)" >&2
end_rows=100
EOF
cat >"$T/cfg/migration.yaml" <<'EOF'
dumper: {worker: {workMode: milvus2x}}
meta: {mode: config, collection: c}
source: {milvus2x: {endpoint: 'src:1'}}
target: {milvus2x: {endpoint: 'dst:2'}}
EOF

# server NAME ARGS...: starts `mvs-migrate server run -p 0 ARGS` with the stand-ins, output in
# $T/NAME.out and $T/NAME.err; sets pid and addr.
server() {
	local name=$1; shift
	spawn env MVS_BIN="$bin" "$migrate" server run -p 0 --config-dir "$T/cfg" "$@" >"$T/$name.out" 2>"$T/$name.err"
	pid=$SPAWNED_PID
	wait_listening "$name" "$pid" "$T/$name.out" "$T/$name.err" 'mvs-migrate: listening on'
	addr=$LISTEN_ADDR
}
# job_of NAME: the jobId the server NAME logged last (on stdout, as milvus-migration; or stderr).
job_of() { cat "$T/$1.out" "$T/$1.err" | sed -n 's/^mvs-migrate: jobId is //p' | tail -n 1; }
# wait_job NAME BEFORE: waits (10 s at most) for a jobId other than BEFORE, and sets id to it.
wait_job() {
	for _ in $(seq 1 200); do
		id=$(job_of "$1")
		[ "$id" != "$2" ] && return 0
		sleep 0.05
	done
	fail "no job started"
}

server main
url=http://$addr/api/v1

# A synchronous start that waits on the gate while the load runs.
touch "$bin/use-gate"
curl -s -o "$T/start.body" -XPOST "$url/start" &
curl_pid=$!
wait_job main ""

python3 "$client" "$addr" load 20000 /api/v1/healthy "/api/v1/get_job?jobId=$id" /api/v1/docs >"$T/load" ||
	{ cat "$T/load" "$T/main.err" >&2; fail "under load"; }
note "$(head -n 1 "$T/load")"
curl -s "$url/get_job?jobId=$id" | grep -qF '"jobStatus":"running"' || fail "the job did not run through the load"
touch "$bin/gate"
wait "$curl_pid" || fail "curl of the synchronous start failed"
grep -qE "^\{\"code\":0,\"msg\":\"success\",\"data\":\{\"jobId\":\"$id\"\}," "$T/start.body" ||
	{ cat "$T/start.body" >&2; fail "synchronous start's reply"; }
rm -f "$bin/gate"

# Oversized, malformed: answered at once, and the connection closed.
printf 'POST /api/v1/start HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n' | python3 "$client" "$addr" raw >"$T/raw"
[ "$(cat "$T/raw")" = $'HTTP/1.1 413 Content Too Large\nclosed' ] || { cat "$T/raw" >&2; fail "413"; }
head -c 65537 /dev/zero | tr '\0' ' ' >"$T/big.json"
status=$(curl -s -o "$T/body" -w '%{http_code}' --data-binary "@$T/big.json" "$url/start")
[ "$status" = 413 ] && grep -qF '{"code":500,"msg":"request body larger than 65536 bytes",' "$T/body" ||
	{ cat "$T/body" >&2; fail "413 through curl: $status"; }
printf 'GET /api/v1/healthy HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n' | python3 "$client" "$addr" raw >"$T/raw"
[ "$(cat "$T/raw")" = $'HTTP/1.1 400 Bad Request\nclosed' ] || { cat "$T/raw" >&2; fail "400"; }

# A port in use: one line with the address and the cause.
expect_exit 1 "$migrate" server run -p "${addr##*:}"
[ "$(cat "$T/stderr")" = "mvs-migrate: error: cannot listen on $addr: Address already in use" ] ||
	{ cat "$T/stderr" >&2; fail "port in use"; }

# SIGTERM while a synchronous start waits: its job is stopped and the server ends cleanly.
curl -s -o /dev/null -XPOST "$url/start" &
curl_pid=$!
wait_job main "$id"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/main.err" >&2; fail "server exited $rc on SIGTERM during a synchronous start"; }
wait "$curl_pid" || true
rm -f "$bin/use-gate"

# The bearer token, from a file; healthy and docs are open.
token='tok-7Hq2Zp9x'
printf '%s\n' "$token" >"$T/token"
chmod 600 "$T/token"
server tok --token-file "$T/token"
url=http://$addr/api/v1
# status PATH [CURL ARGS...]: the HTTP status; the reply in $T/body, its headers in $T/head.
status() { local path=$1; shift; curl -s -D "$T/head" -o "$T/body" -w '%{http_code}' "$@" "$url$path"; }
[ "$(status /get_job)" = 401 ] || fail "get_job without the token"
grep -qF '{"code":500,"msg":"this server wants a bearer token: send the header \"Authorization: Bearer TOKEN\"",' "$T/body" ||
	{ cat "$T/body" >&2; fail "401 body"; }
grep -qi '^WWW-Authenticate: Bearer' "$T/head" || fail "401 without WWW-Authenticate"
[ "$(status /get_job -H 'Authorization: Bearer wrong')" = 401 ] || fail "get_job with a wrong token"
[ "$(status /start -XPOST -d '{}')" = 401 ] || fail "start without the token"
[ "$(status /nowhere)" = 401 ] || fail "an unknown route without the token"
[ "$(status /get_job -H "Authorization: Bearer $token")" = 200 ] || fail "get_job with the token"
grep -qF '"msg":"jobId is required' "$T/body" || { cat "$T/body" >&2; fail "get_job with the token"; }
[ "$(status /healthy)" = 200 ] || fail "healthy is open"
[ "$(status /docs)" = 200 ] || fail "docs is open"
grep -qF '"data":{"manual":"man mvs-migrate (section REST API)","routes":"GET /api/v1/healthy, POST /api/v1/start, GET /api/v1/get_job?jobId=ID, GET /api/v1/docs"}' "$T/body" ||
	{ cat "$T/body" >&2; fail "docs"; }
kill -TERM "$pid"
wait "$pid" || fail "token server's exit"

# From the environment, bound beyond loopback: no warning with a token, one line without.
MVS_REST_TOKEN=$token server env --bind 0.0.0.0
url=http://127.0.0.1:${addr##*:}/api/v1
[ "$(status /get_job)" = 401 ] || fail "MVS_REST_TOKEN not required"
[ "$(status /get_job -H "authorization: bearer $token")" = 200 ] || fail "MVS_REST_TOKEN not accepted"
! grep -q warning "$T/env.err" || { cat "$T/env.err" >&2; fail "a warning with a token"; }
server open --bind 0.0.0.0
[ "$(grep -c warning "$T/open.err")" = 1 ] &&
	grep -qxF "mvs-migrate: warning: listening on $addr without a token: anyone who can reach it can start a migration (set MVS_REST_TOKEN or give --token-file FILE)" "$T/open.err" ||
	{ cat "$T/open.err" >&2; fail "no warning without a token beyond loopback"; }

expect_exit 2 "$migrate" server run -p 0 --token "$token"
grep -qF -- "set MVS_REST_TOKEN or use --token-file FILE" "$T/stderr" && ! grep -qF "$token" "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "--token not refused, or shown"; }
expect_exit 2 "$migrate" server run -p 0 --token-file "$T/none"
grep -qxF "mvs-migrate: error: cannot read token file $T/none: No such file or directory" "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "missing token file"; }
! grep -rqF "$token" "$T"/*.out "$T"/*.err "$T/stderr" "$T/body" "$T/head" "$T/load" ||
	fail "the token was shown"
exit 0
