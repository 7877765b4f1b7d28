#!/usr/bin/env bash
# mvs-migrate server run, driven with curl against stand-in tools: milvus-migration's envelope on every
# reply, healthy, bad JSON and keys of the wrong type in the body, a body too large, a message that is
# not UTF-8, unknown routes and jobs, a synchronous start -> get_job success, an async start with a
# second start refused while it runs, a failing stage and a bad config reported through the reply and
# get_job, no secret shown, and a clean stop on SIGTERM.
. "$MVS_TOP/tests/lib.sh"
migrate=$MVS_BIN/mvs-migrate
bin=$T/bin
mkdir -p "$T/cfg"

# Stand-ins: export waits for $bin/gate when $bin/use-gate exists; $bin/fail names a failing stage.
standin "$bin/mvs-export" <<'EOF'
if [ -e "$d/use-gate" ]; then
	progress 10 10.0
	while [ ! -e "$d/gate" ]; do sleep 0.05; done
fi
export_end 100
EOF
standin "$bin/mvs-map" <<<'cat'
standin "$bin/mvs-import" <<'EOF'
cat >/dev/null
if grep -qx import "$d/fail" 2>/dev/null; then
	echo 'mvs-import: error: CreateCollection "c": dim 8 != 16 "quoted"' >&2
	exit 8
fi
echo "mvs-import: imported 100 rows (4096 bytes) into c in 0.1 s (900 rows/s)" >&2
end_rows=100
EOF
cat >"$T/cfg/migration.yaml" <<'EOF'
dumper: {worker: {workMode: milvus2x}}
meta: {mode: config, collection: c}
source: {milvus2x: {endpoint: 'src:1'}}
target: {milvus2x: {endpoint: 'dst:2'}}
EOF
printf 'meta:\n  mode: config\n collection: x\n' >"$T/cfg/broken.yaml"

spawn env MVS_BIN="$bin" "$migrate" server run -p 0 --config-dir "$T/cfg" >"$T/server.out" 2>"$T/server.err"
server=$SPAWNED_PID
wait_listening server "$server" "$T/server.out" "$T/server.err" 'mvs-migrate: listening on'
addr=$LISTEN_ADDR
case $addr in 127.0.0.1:[0-9]*) ;; *) fail "not bound to loopback: $addr" ;; esac
url=http://$addr/api/v1

# call METHOD PATH [BODY]: the reply body in $T/body, the HTTP status in $status.
call() {
	local method=$1 path=$2
	if [ $# -ge 3 ]; then
		status=$(curl -s -o "$T/body" -w '%{http_code}' -X "$method" --data-binary "$3" "$url$path")
	else
		status=$(curl -s -o "$T/body" -w '%{http_code}' -X "$method" "$url$path")
	fi
}
# expect_reply HTTP CODE MSG: status and envelope (code and msg exact).
expect_reply() {
	[ "$status" = "$1" ] || { cat "$T/body" >&2; fail "HTTP $status, expected $1"; }
	grep -qF "{\"code\":$2,\"msg\":$3," "$T/body" || { cat "$T/body" >&2; fail "expected code $2 msg $3"; }
	grep -qE '"requestId":".+"}$' "$T/body" || { cat "$T/body" >&2; fail "no requestId"; }
}
job_id() { sed -n 's/.*"jobId":"\(start_[0-9A-Za-z]\{21\}\)".*/\1/p' "$T/body"; }

call GET /healthy
expect_reply 200 0 '"success"'
grep -qE '^\{"code":0,"msg":"success","data":"ok","requestId":"req-[0-9A-Za-z]{21}"\}$' "$T/body" || fail "healthy body"

status=$(curl -s -o "$T/body" -w '%{http_code}' -H 'RequestId: my-req-1' "$url/healthy")
grep -qF '"requestId":"my-req-1"}' "$T/body" || fail "RequestId header not echoed"

# Bad bodies (libjansson's words and byte position for bad JSON; ours for a key of the wrong type).
call POST /start '{"async": tru}'
expect_reply 200 500 "\"bad JSON in the request body at byte 13: invalid token near 'tru'\""
call POST /start '{"async": true'
expect_reply 200 500 "\"bad JSON in the request body at byte 14: '}' expected near end of file\""
call POST /start '{} x'
expect_reply 200 500 "\"bad JSON in the request body at byte 4: end of file expected near 'x'\""
call POST /start "$(printf '{"config": "m\377.yaml"}')"
expect_reply 200 500 "\"bad JSON in the request body at byte 13: unable to decode byte 0xff near '\\\"m'\""
call POST /start '[1]'
expect_reply 200 500 '"bad JSON in the request body at byte 0: expected a JSON object"'
call POST /start ' "x"'
expect_reply 200 500 '"bad JSON in the request body at byte 1: expected a JSON object"'
call POST /start '{"async": "yes"}'
expect_reply 200 500 '"bad request body: async must be true or false"'
call POST /start '{"requestId": 7}'
expect_reply 200 500 '"bad request body: requestId must be a string"'
grep -qE '"requestId":"req-[0-9A-Za-z]{21}"}$' "$T/body" || fail "requestId 7 echoed"
call POST /start '{"requestId": "r-2", "config": null, "async": 1}'
expect_reply 200 500 '"bad request body: config must be a string (the path of a migration.yaml)"'
grep -qF '"requestId":"r-2"}' "$T/body" || { cat "$T/body" >&2; fail "requestId of a body with a bad key"; }
call POST /start '{"config": "a\u0000b", "other": "\u0000"}'
expect_reply 200 500 '"bad request body: config must not contain \\u0000"'
head -c 65537 /dev/zero | tr '\0' ' ' >"$T/big.json"
call POST /start "@$T/big.json"
expect_reply 413 500 '"request body larger than 65536 bytes"'
# A message that is not UTF-8 (here the jobId of the query) is sent with U+FFFD in its place.
call GET '/get_job?jobId=x%FFy'
expect_reply 200 500 "\"no job with jobId \\\"x$(printf '\357\277\275')y\\\"\""
call GET '/get_job?jobId=start_nope'
expect_reply 200 500 '"no job with jobId \"start_nope\""'
call GET /get_job
expect_reply 200 500 '"jobId is required: GET /api/v1/get_job?jobId=ID"'
call GET /nowhere
expect_reply 404 500 '"no such route: GET /api/v1/nowhere (routes: GET /api/v1/healthy, POST /api/v1/start, GET /api/v1/get_job?jobId=ID, GET /api/v1/docs)"'
call GET /start
expect_reply 405 500 '"/api/v1/start wants POST, not GET"'

# A synchronous start (no body, as the seed document's curl): configs dir's migration.yaml.
call POST /start
expect_reply 200 0 '"success"'
id=$(job_id)
[ -n "$id" ] || fail "no jobId in $(cat "$T/body")"
call GET "/get_job?jobId=$id"
expect_reply 200 0 '"success"'
grep -qF "\"data\":{\"jobId\":\"$id\",\"jobStatus\":\"success\",\"jobProcess\":100,\"msg\":\"\",\"totalTasks\":1,\"finishTasks\":1,\"rows\":{\"exported\":100,\"imported\":100},\"collection\":\"c\",\"pipelines\":[{\"shard\":\"0/1\",\"export\":{\"rows\":100,\"done\":true,\"percent\":100.0},\"import\":{\"rows\":100,\"done\":true}}]}" "$T/body" ||
	{ cat "$T/body" >&2; fail "get_job after a synchronous start"; }
grep -qxF "mvs-migrate: jobId is $id" "$T/server.out" || fail "server log has no jobId line"
# A body of white space only is no body.
call POST /start $' \r\n\t'
expect_reply 200 0 '"success"'

# An async start; a second start while it runs is refused; then it finishes.
touch "$bin/use-gate"
call POST /start '{"async": true, "requestId": "r-\u00e9\"1"}'
expect_reply 200 0 '"success"'
grep -qF '"requestId":"r-é\"1"}' "$T/body" || { cat "$T/body" >&2; fail "requestId from the body"; }
id=$(job_id)
call GET "/get_job?jobId=$id"
grep -qF '"jobStatus":"running"' "$T/body" || { cat "$T/body" >&2; fail "async job not running"; }
# its pipeline's progress, from the stages' status channels
for _ in $(seq 1 100); do
	grep -qF '"pipelines":[{"shard":"0/1","export":{"rows":10,"done":false,"percent":10.0},"import":{"rows":0,"done":false}}]' "$T/body" && break
	sleep 0.05
	call GET "/get_job?jobId=$id"
done
grep -qF '"pipelines":[{"shard":"0/1","export":{"rows":10,"done":false,"percent":10.0},"import":{"rows":0,"done":false}}]' "$T/body" ||
	{ cat "$T/body" >&2; fail "get_job does not show the running pipeline's progress"; }
call POST /start '{}'
expect_reply 200 500 "\"a migration is already running (jobId $id); one runs at a time: follow it with GET /api/v1/get_job?jobId=$id\""
touch "$bin/gate"
for _ in $(seq 1 600); do
	call GET "/get_job?jobId=$id"
	grep -qF '"jobStatus":"running"' "$T/body" || break
	sleep 0.05
done
grep -qF "\"jobStatus\":\"success\",\"jobProcess\":100" "$T/body" || { cat "$T/body" >&2; fail "async job did not succeed"; }
rm -f "$bin/use-gate" "$bin/gate"

# A failing stage: code 500 with the stage and its message, and the same in get_job.
echo import >"$bin/fail"
call POST /start '{"config": "migration.yaml"}'
expect_reply 200 500 '"stage mvs-import: CreateCollection \"c\": dim 8 != 16 \"quoted\""'
id=$(job_id)
call GET "/get_job?jobId=$id"
grep -qF '"jobStatus":"fail","jobProcess":0,"msg":"stage mvs-import: CreateCollection \"c\": dim 8 != 16 \"quoted\"","totalTasks":1,"finishTasks":0' "$T/body" ||
	{ cat "$T/body" >&2; fail "get_job of a failed job"; }
rm -f "$bin/fail"

# A bad config: its errors are the reply; the job exists and failed.
call POST /start '{"config": "broken.yaml"}'
expect_reply 200 500 "\"$T/cfg/broken.yaml:3:2: error: YAML syntax: did not find expected key (while parsing a block mapping at line 1, column 1)\""
id=$(job_id)
call GET "/get_job?jobId=$id"
grep -qF '"jobStatus":"fail"' "$T/body" || fail "bad config job not failed"
call POST /start "{\"config\": \"$T/none.yaml\"}"
expect_reply 200 500 "\"$T/none.yaml: error: cannot open: No such file or directory\""

# A secret never shows, in the reply or in the server's log, even in the message about a bad one.
cat >"$T/cfg/secret.yaml" <<'EOF'
dumper: {worker: {workMode: milvus2x}}
meta: {mode: config, collection: c}
source: {milvus2x: {endpoint: 'src:1', password: 'hunter2${s3cr-t}'}}
target: {milvus2x: {endpoint: 'dst:2'}}
EOF
call POST /start '{"config": "secret.yaml"}'
expect_reply 200 500 "\"$T/cfg/secret.yaml:3:50: error: source.milvus2x.password: a \\\"\${...}\\\" that is not an environment variable reference (a name of letters, digits and _; the value is a secret, so it is not shown)\""
! grep -q 'hunter2\|s3cr' "$T/body" "$T/server.err" || { cat "$T/body" "$T/server.err" >&2; fail "a secret was shown"; }

# SIGTERM stops the server cleanly.
kill -TERM "$server"
rc=0
wait "$server" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/server.err" >&2; fail "server exited $rc on SIGTERM"; }
exit 0
