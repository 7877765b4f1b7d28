#!/usr/bin/env bash
# The image of `make image` and the README's "In a container" commands:
# - labelled with the Makefile's VERSION, runs as a user that is not root, every tool on PATH at that
#   version, and only runtime packages (no compiler, no -dev package);
# - the README's `docker run` lines run as written, with src:19530 and dst:19530 standing for test servers
#   (fake-milvus on the docker bridge's address, reachable from the host network, which these containers
#   use): the copy through a pipe, the archive to a file and its import, the digest with a password from
#   the environment each give the source's exact rows (official Node SDK) or digest;
# - the REST server line (the image's default command, port 8080 published on a free loopback port):
#   without the token a request is refused (401); with it POST /api/v1/start copies the collection of
#   the mounted migration.yaml exactly.
. "$MVS_TOP/tests/docker/lib.sh"
need_node
unset MILVUS_PASSWORD MILVUS_TOKEN MVS_REST_TOKEN

version=$(sed -n 's/^VERSION := //p' "$MVS_TOP/Makefile")
[ "$MVS_IMAGE" = "mvs:$version" ] || fail "the tier's image is $MVS_IMAGE, not mvs:$version"
label() { docker image inspect -f "{{index .Config.Labels \"org.opencontainers.image.$1\"}}" "$MVS_IMAGE"; }
[ "$(label version)" = "$version" ] || fail "label version: $(label version)"
[ "$(label title)" = mvs ] || fail "label title: $(label title)"
[ "$(docker image inspect -f '{{.Config.User}}' "$MVS_IMAGE")" = mvs ] || fail "the image does not run as mvs"
docker run --rm "$MVS_IMAGE" sh -c 'id -u; for t in mvs-cat mvs-diff mvs-export mvs-import mvs-map mvs-migrate; do
	$t --version; done; command -v cc gcc protoc-c || true; dpkg-query -W -f "\${Package}\n" | grep -e "-dev$" || true' \
	>"$T/inside" 2>&1 || { cat "$T/inside" >&2; fail "the tools do not run in the image"; }
[ "$(head -n 1 "$T/inside")" != 0 ] || fail "the image runs as root"
[ "$(grep -c " $version\$" "$T/inside")" = 6 ] || { cat "$T/inside" >&2; fail "not every tool at version $version"; }
[ "$(wc -l <"$T/inside")" = 7 ] || { cat "$T/inside" >&2; fail "build tools or -dev packages in the image"; }
note "$MVS_IMAGE: version $version, user mvs, 6 tools, no build packages"

# the README's commands
awk '/^## In a container/{f=1} f && /^```sh/{b=1; next} f && /^```/{b=0} f && /^## / && !/In a container/{exit} b' \
	"$MVS_TOP/README.md" | grep -e '^docker run' -e '^curl' >"$T/readme" || true
[ "$(grep -c '^docker run' "$T/readme")" -ge 5 ] || { cat "$T/readme" >&2; fail "README.md: no docker run commands under 'In a container'"; }
grep -q "docker run .*$MVS_IMAGE" "$T/readme" || fail "the README does not name $MVS_IMAGE"

gw=$(docker network inspect bridge -f '{{(index .IPAM.Config 0).Gateway}}') || fail "no docker bridge network"
fake_start src --host "$gw"
fake_start asrc --host "$gw" --user root --password 'src-Secret'
fake_start dst --host "$gw"
sdk seed --uri "$src_URI" --scenario varchar-pk --collection docs --rows 300 >/dev/null
sdk seed --uri "$asrc_URI" --user root --password 'src-Secret' --scenario varchar-pk --collection docs --rows 300 >/dev/null
sdk dump --uri "$src_URI" --collection docs --out "$T/src.jsonl"

# same WHAT: dst's docs (indexed and loaded here) holds the source's rows; then it is dropped
same() {
	sdk create-index --uri "$dst_URI" --collection docs --field vec --index-type HNSW --metric L2 \
		--params '{"M":16,"efConstruction":64}' >/dev/null
	sdk load --uri "$dst_URI" --collection docs >/dev/null
	sdk dump --uri "$dst_URI" --collection docs --out "$T/dst.jsonl"
	sdk compare "$T/src.jsonl" "$T/dst.jsonl" >"$T/compare" 2>&1 || { cat "$T/compare" >&2; fail "$1: the target differs"; }
	sdk drop --uri "$dst_URI" --collection docs >/dev/null
}

# readme PATTERN: the README's lines that match PATTERN, run in $T/run as written but for the endpoints,
# this test's labels and the host network; their stdout in $T/out
mkdir -m 777 "$T/run"
readme() {
	local cmd
	cmd=$(grep -e "$1" "$T/readme") || fail "no README line matches $1"
	cmd=${cmd//src:19530/$src_URI}
	cmd=${cmd//dst:19530/$dst_URI}
	cmd=${cmd//docker run /docker run --network host $LABELS }
	(cd "$T/run" && bash -c "$cmd") >"$T/out" 2>"$T/err" </dev/null ||
		{ cat "$T/err" >&2; fail "README: $cmd"; }
}
readme 'mvs-export.* | docker run .* mvs-import'
same "the pipe between two containers"
readme 'mvs-export .* -o docs.mvs'
[ -f "$T/run/docs.mvs" ] && [ "$(stat -c %u "$T/run/docs.mvs")" = "$(id -u)" ] || fail "docs.mvs is not the user's file"
readme 'mvs-import --uri dst:19530 <docs.mvs'
same "the archive"
digest=$(docker run --rm -i "$MVS_IMAGE" mvs-cat --digest <"$T/run/docs.mvs")
src_URI=$asrc_URI MILVUS_PASSWORD='src-Secret' readme 'MILVUS_PASSWORD'
[ "$(cat "$T/out")" = "$digest" ] || fail "the digest with a password, $(cat "$T/out"), is not the archive's, $digest"
note "README: pipe, archive, password: exact"

# the REST server, published on a free loopback port, its config mounted from $T/run
plain_config "$T/run/migration.yaml" docs "$asrc_URI" "$dst_URI"
sed -i 's/^    endpoint: '"$asrc_URI"'$/&\n    username: root\n    password: ${SOURCE_PASSWORD}/' "$T/run/migration.yaml"
chmod 644 "$T/run/migration.yaml"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=$(grep '^docker run -d .*-p 8080:8080' "$T/readme") || fail "no REST server line in the README"
server=${server//-p 8080:8080/-p 127.0.0.1:$port:8080}
server=${server//docker run /docker run $LABELS }
server=${server//--name mvs-rest/--name mvs-rest-${T##*/}}
export MVS_REST_TOKEN=rest-Token SOURCE_PASSWORD='src-Secret'
(cd "$T/run" && bash -c "$server") >/dev/null || fail "README: $server"
for i in $(seq 1 100); do
	code=$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$port/api/v1/start" -XPOST) || code=none
	[ "$code" != none ] && [ "$code" != 000 ] && break
	[ "$i" -lt 100 ] || { docker logs "mvs-rest-${T##*/}" >&2; fail "the REST server did not answer"; }
	sleep 0.1
done
[ "$code" = 401 ] || fail "POST /api/v1/start without the token: HTTP $code, not 401"
curl_line=$(grep '^curl .*api/v1/start' "$T/readme") || fail "no curl line in the README"
curl_line=${curl_line//localhost:8080/127.0.0.1:$port}
bash -c "$curl_line" >"$T/reply" 2>"$T/curl.err" || { cat "$T/curl.err" >&2; fail "README: $curl_line"; }
grep -q '^{"code":0,"msg":"success"' "$T/reply" || { cat "$T/reply" >&2; docker logs "mvs-rest-${T##*/}" >&2; fail "the migration did not succeed"; }
same "POST /api/v1/start"
docker logs "mvs-rest-${T##*/}" 2>&1 | grep -qe src-Secret -e rest-Token && fail "a secret in the server's log"
note "README: the REST server refuses a request without the token and copies with it"
