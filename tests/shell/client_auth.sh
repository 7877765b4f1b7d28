#!/usr/bin/env bash
# Authentication: the password from MILVUS_PASSWORD or --password-file, a token from MILVUS_TOKEN; a wrong
# password fails at once (no retries) with a clear message and exit code 7; secrets are never options.
. "$MVS_TOP/tests/lib.sh"
need_node
probe=$MVS_TESTTOOLS/mvs-probe
unset MILVUS_PASSWORD MILVUS_TOKEN

fake_start auth --user root --password Milvus --verbose

MILVUS_PASSWORD=Milvus "$probe" --uri "$auth_URI" --user root version >"$T/out"
[ "$(cat "$T/out")" = v2.6.0 ] || fail "version with the right password"

printf 'Milvus\n' >"$T/pw"
chmod 600 "$T/pw"
"$probe" --uri "$auth_URI" --user root --password-file "$T/pw" databases 2>"$T/err" >"$T/out"
grep -q '^default$' "$T/out" || fail "databases with a password file"
[ ! -s "$T/err" ] || fail "unexpected stderr: $(cat "$T/err")"

chmod 644 "$T/pw"
"$probe" --uri "$auth_URI" --user root --password-file "$T/pw" version 2>"$T/err" >/dev/null
grep -q "warning: password file $T/pw is readable by others" "$T/err" || fail "no warning for a readable password file"

MILVUS_TOKEN=root:Milvus "$probe" --uri "$auth_URI" health >"$T/out"
[ "$(cat "$T/out")" = healthy ] || fail "health with a token"

before=$(grep -c 'UNAUTHENTICATED' "$T/fake-auth.log" || true)
MILVUS_PASSWORD=wrong expect_exit 7 "$probe" --uri "$auth_URI" --user root version
grep -qx "mvs-probe: error: authentication failed for user \"root\" at $auth_URI" "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "auth failure message"; }
after=$(grep -c 'UNAUTHENTICATED' "$T/fake-auth.log")
[ $((after - before)) -eq 1 ] || fail "the refused call was retried ($((after - before)) attempts)"

expect_exit 7 "$probe" --uri "$auth_URI" version
grep -q "error: authentication failed at $auth_URI" "$T/stderr" || fail "no-credentials message: $(cat "$T/stderr")"

expect_exit 2 "$probe" --uri "$auth_URI" --user root version
grep -q 'no password for user "root": set MILVUS_PASSWORD or pass --password-file FILE' "$T/stderr" ||
	fail "missing password message: $(cat "$T/stderr")"
expect_exit 2 "$probe" --uri "$auth_URI" --user root --password-file "$T/missing" version
grep -q "cannot read password file $T/missing: No such file or directory" "$T/stderr" ||
	fail "missing password file message: $(cat "$T/stderr")"
