#!/usr/bin/env bash
# TLS against real Milvus 2.3.5 servers, with certificates made here by openssl (a CA; a server
# certificate for localhost and 127.0.0.1; a client certificate): one server with one-way TLS (tlsMode 1),
# one with mutual TLS (tlsMode 2). Export from the one-way server | import into the mutual one, and back
# through mvs-migrate with the tls.* keys, every row judged by pymilvus over TLS. openssl s_client shows
# the servers present the certificate and the mutual one asks for a client's. What must fail fails with
# exit 6 and a message that says what to do: a name the certificate does not hold (--tls-server-name, or
# connecting by another address), a CA that did not sign it, TLS to a plain server (these at once, not
# retried), plain gRPC to a TLS server, mutual TLS without a client certificate or with one the server
# does not trust.
. "$MVS_TOP/tests/real/lib.sh"
unset MILVUS_PASSWORD MILVUS_TOKEN

# ---- certificates ----
c=$T/certs
mkdir -p "$c"
ssl() { openssl "$@" >>"$T/openssl.log" 2>&1 || { cat "$T/openssl.log" >&2; fail "openssl $1 failed"; }; }
# cert NAME CN EXTENSIONS [CA]: a key and a certificate for CN signed by CA (default: the test CA)
cert() {
	local name=$1 cn=$2 ext=$3 ca=${4:-ca}
	ssl req -newkey rsa:2048 -nodes -keyout "$c/$name.key" -out "$c/$name.csr" -subj "/CN=$cn"
	printf '%b' "$ext" >"$c/$name.ext"
	ssl x509 -req -in "$c/$name.csr" -CA "$c/$ca.pem" -CAkey "$c/$ca.key" -CAcreateserial -days 2 \
		-extfile "$c/$name.ext" -out "$c/$name.pem"
}
ssl req -x509 -newkey rsa:2048 -nodes -keyout "$c/ca.key" -out "$c/ca.pem" -days 2 -subj "/CN=mvs test CA"
ssl req -x509 -newkey rsa:2048 -nodes -keyout "$c/other-ca.key" -out "$c/other-ca.pem" -days 2 -subj "/CN=other CA"
cert server localhost 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
cert client 'mvs client' 'extendedKeyUsage=clientAuth\n'
cert stranger 'stranger' 'extendedKeyUsage=clientAuth\n' other-ca  # a client the servers do not trust

real_start t1 --tls-mode 1 --cert-dir "$c"
real_start t2 --tls-mode 2 --cert-dir "$c"
t1=$t1_URI t2=$t2_URI
mutual=(--tls-ca "$c/ca.pem" --tls-cert "$c/client.pem" --tls-key "$c/client.key")
judge1() { MVS_REAL_TLS_CA=$c/ca.pem judge "$@"; }
judge2() { MVS_REAL_TLS_CA=$c/ca.pem MVS_REAL_TLS_CERT=$c/client.pem MVS_REAL_TLS_KEY=$c/client.key judge "$@"; }
# same_dump A B: byte-equal canonical dumps are equal; otherwise judge compare decides and says where
same_dump() { cmp -s "$1" "$2" && cmp -s "$1.partitions" "$2.partitions" || judge compare "$1" "$2"; }

# The servers speak TLS with this certificate; the mutual one asks for a client certificate of this CA.
openssl s_client -connect "$t1" -servername localhost -CAfile "$c/ca.pem" -verify_return_error </dev/null \
	>"$T/s_client1" 2>&1 || { cat "$T/s_client1" >&2; fail "openssl s_client could not verify $t1"; }
has_line "$T/s_client1" "one-way TLS: not our server certificate" -E 'subject=.*CN ?= ?localhost'
has_line "$T/s_client1" "one-way TLS: the certificate does not verify" -F 'Verify return code: 0 (ok)'
has_line "$T/s_client1" "one-way TLS: the server asks for a client certificate" -F 'No client certificate CA names sent'
openssl s_client -connect "$t2" -servername localhost -CAfile "$c/ca.pem" </dev/null >"$T/s_client2" 2>&1 || true
has_line "$T/s_client2" "mutual TLS: the server does not ask for a client certificate" -F 'Acceptable client certificate CA names'
grep -A1 -F 'Acceptable client certificate CA names' "$T/s_client2" | grep -q 'mvs test CA' ||
	{ cat "$T/s_client2" >&2; fail "mutual TLS: the server does not ask for a certificate of the test CA"; }
note "openssl s_client: both servers present the localhost certificate; the mutual one asks for a client certificate [${SECONDS}s]"

# ---- copies through TLS, judged ----
judge1 seed "$t1" vectors books --rows 300 --dim 8 --load >/dev/null
judge1 dump "$t1" books "$T/books.jsonl"
# one-way TLS by name (https://localhost)
mvs-export --uri "https://localhost:${t1##*:}" --tls-ca "$c/ca.pem" --collection books -o "$T/books.mvs" 2>"$T/export1.err" ||
	{ cat "$T/export1.err" >&2; fail "export over one-way TLS failed"; }
has_line "$T/export1.err" "one-way TLS: no export summary" 'exported 300 rows from books'

# The slow refusals run in the background meanwhile: a connection the server closes is retried (10
# attempts, some 12 s), since a server that is starting or going away closes connections too.
# later NAME CMD...: runs CMD in the background; check_later NAME WHAT LINE: it exited 6 with LINE.
later() {
	local name=$1; shift
	spawn bash -c '"$@" >/dev/null 2>"$0.err"; echo $? >"$0.rc"' "$T/$name" "$@"
}
check_later() {
	local name=$1 what=$2 line=$3
	for _ in $(seq 1 900); do [ -s "$T/$name.rc" ] && break; sleep 0.1; done
	[ "$(cat "$T/$name.rc" 2>/dev/null)" = 6 ] ||
		{ cat "$T/$name.err" >&2; fail "$what: exit $(cat "$T/$name.rc" 2>/dev/null), not 6"; }
	has_line "$T/$name.err" "$what: message" -x -E "$line"
}
later plain mvs-export --uri "$t1" --collection books -q -o "$T/plain.mvs"
later nocert mvs-import --uri "$t2" --tls-ca "$c/ca.pem" --collection never "$T/books.mvs"
later stranger mvs-export --uri "$t2" --tls-ca "$c/ca.pem" --tls-cert "$c/stranger.pem" --tls-key "$c/stranger.key" \
	--collection books -q -o "$T/stranger.mvs"

# mutual TLS by address (127.0.0.1 is in the certificate too)
mvs-import --uri "$t2" "${mutual[@]}" --create-index --load "$T/books.mvs" 2>"$T/import2.err" ||
	{ cat "$T/import2.err" >&2; fail "import over mutual TLS failed"; }
judge2 dump "$t2" books "$T/t2.books.jsonl"
same_dump "$T/books.jsonl" "$T/t2.books.jsonl" || fail "books on the mutual-TLS server differs"
note "export over one-way TLS, import over mutual TLS: 300 rows equal [${SECONDS}s]"

# back with mvs-migrate: the source with a client certificate, the target checked as localhost
cat >"$T/migration.yaml" <<EOF
dumper:
  worker:
    workMode: milvus2x
meta:
  mode: config
  collection: books
  createIndex: true
  load: true
  milvus:
    collection: back
source:
  milvus2x:
    endpoint: $t2
    tls:
      caFile: $c/ca.pem
      certFile: $c/client.pem
      keyFile: $c/client.key
target:
  milvus2x:
    endpoint: $t1
    tls:
      caFile: $c/ca.pem
      serverName: localhost
EOF
mvs-migrate start -c "$T/migration.yaml" >"$T/migrate.out" 2>"$T/migrate.err" ||
	{ cat "$T/migrate.out" "$T/migrate.err" >&2; fail "mvs-migrate over mutual and one-way TLS failed"; }
judge1 dump "$t1" back "$T/t1.back.jsonl"
same_dump "$T/books.jsonl" "$T/t1.back.jsonl" || fail "back on the one-way TLS server differs"
note "mvs-migrate with tls.caFile/certFile/keyFile/serverName, mutual -> one-way: 300 rows equal [${SECONDS}s]"

# ---- refusals that come at once (a handshake that fails on the certificate is not retried) ----
# quick CMD...: CMD exits 6 within 5 s; its stderr in $T/stderr
quick() {
	local start=$SECONDS
	expect_exit 6 "$@"
	[ $((SECONDS - start)) -le 5 ] || fail "refused only after $((SECONDS - start)) s (retried?): $*"
}
# (gRPC core's own words in the middle: "failed to connect to all addresses; last error: UNKNOWN: ...")
quick mvs-export --uri "$t1" --tls-ca "$c/ca.pem" --tls-server-name other.example --collection books -q -o "$T/x.mvs"
has_line "$T/stderr" "--tls-server-name other.example: message" -E "^mvs-export: error: cannot reach Milvus at $t1: .*Peer name other.example is not in peer certificate; the server's TLS certificate does not hold that name: connect by a name it holds, or give one with --tls-server-name\$"
[ ! -e "$T/x.mvs" ] && [ ! -e "$T/x.mvs.part" ] || fail "a refused export left a file"
other=127.0.0.2:${t1##*:}  # the same server by an address its certificate does not hold
quick mvs-import --uri "$other" --tls-ca "$c/ca.pem" --collection never "$T/books.mvs"
has_line "$T/stderr" "an address not in the certificate: message" -E "^mvs-import: error: cannot reach Milvus at $other: .*Peer name 127.0.0.2 is not in peer certificate; the server's TLS certificate does not hold that name: connect by a name it holds, or give one with --tls-server-name\$"
has_line "$T/stderr" "an address not in the certificate: what was written" -x -F 'mvs-import: no rows of this unit were written into "never"'
quick mvs-export --uri "$t1" --tls-ca "$c/other-ca.pem" --collection books -q -o "$T/x.mvs"
has_line "$T/stderr" "a CA that did not sign the certificate: message" -E "^mvs-export: error: cannot reach Milvus at $t1: .*Ssl handshake failed: SSL_ERROR_SSL: .*certificate verify failed; the server's TLS certificate is not signed by a CA this client trusts: give that CA with --tls-ca\$"
quick mvs-export --uri "https://$MVS_REAL_SRC" --collection books -q -o "$T/x.mvs"
has_line "$T/stderr" "TLS to a plain server: message" -E "^mvs-export: error: cannot reach Milvus at $MVS_REAL_SRC: .*Ssl handshake failed: SSL_ERROR_SSL: .*wrong version number; the server does not speak TLS on this port: drop https:// and the --tls options\$"
note "a name or address not in the certificate, an untrusted CA, TLS to a plain server: exit 6 at once [${SECONDS}s]"

# ---- the slow refusals: the server really requires TLS, and mutual TLS a trusted client ----
# (the transport's words vary: "Socket closed", "Endpoint read failed", "Connection reset")
check_later plain "plain gRPC to a TLS server" "mvs-export: error: cannot reach Milvus at $t1: .* \\(after [0-9]+ attempts\\); the server closed the connection: if it expects TLS, use an https:// URI or --tls-ca"
[ ! -e "$T/plain.mvs" ] || fail "plain gRPC: an output file was left"
check_later nocert "mutual TLS without a client certificate" "mvs-import: error: cannot reach Milvus at $t2: .* \\(after [0-9]+ attempts\\); the server closed the TLS connection: if it requires mutual TLS, give a client certificate with --tls-cert and --tls-key"
check_later stranger "mutual TLS with an untrusted client certificate" "mvs-export: error: cannot reach Milvus at $t2: .* \\(after [0-9]+ attempts\\); the server closed the TLS connection: if it requires mutual TLS, it may not trust this client certificate"
note "plain gRPC to a TLS server, mutual TLS without or with an untrusted client certificate: exit 6 after the retries [${SECONDS}s]"
