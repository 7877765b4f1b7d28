#!/usr/bin/env bash
# A secret typed on the command line is refused by name and never printed: --password, --pass,
# --passwd, --token and every other abbreviation of --password-file / --token-file (which getopt would
# otherwise take, with the secret as the file name to complain about), with or without '=', in
# mvs-export, mvs-import and mvs-migrate; the message says how to pass it (MILVUS_PASSWORD,
# --password-file). An unknown option with '=' in any tool is named without its value.
. "$MVS_TOP/tests/lib.sh"
secret='S3cret!x9'
unset MILVUS_PASSWORD MILVUS_TOKEN

# refused WANT TOOL ARGS...: exit 2 (usage), the secret nowhere in the output, WANT in the message
refused() {
	local want=$1; shift
	expect_exit 2 "$@"
	! grep -qF "$secret" "$T/stderr" || fail "the secret was printed: $* -> $(cat "$T/stderr")"
	grep -qF -- "$want" "$T/stderr" || { cat "$T/stderr" >&2; fail "no '$want' in the refusal of: $*"; }
}

for spelling in --password --pass --passwd --password-f; do
	refused "MILVUS_PASSWORD" mvs-import --uri 127.0.0.1:9 --user root "$spelling" "$secret" /dev/null
	refused "'$spelling'" mvs-export --uri 127.0.0.1:9 --collection c --user root "$spelling=$secret"
done
for spelling in --token --tok --token-fil; do
	refused "MILVUS_TOKEN" mvs-import --uri 127.0.0.1:9 "$spelling" "$secret" /dev/null
	refused "--token-file" mvs-export --uri 127.0.0.1:9 --collection c "$spelling=$secret"
done
refused "MILVUS_PASSWORD" mvs-migrate start -c /dev/null --password="$secret"
refused "MILVUS_PASSWORD" mvs-migrate server run --pass "$secret"
note "secret spellings refused without echoing the value"

# Unknown options are named without a value, in every tool.
refused "unknown option '--passcode'" mvs-map --passcode="$secret" /dev/null
refused "unknown option '--passcode'" mvs-cat --passcode="$secret" /dev/null
refused "unknown option '--passcode'" mvs-migrate start --passcode="$secret"

# The right spellings still work: a password file, and a value that only looks like an option.
printf '%s\n' "$secret" >"$T/pw"
chmod 600 "$T/pw"
expect_exit 0 mvs-import --help
rc=0
mvs-import --uri 127.0.0.1:9 --user root --password-file "$T/pw" -q /dev/null 2>"$T/stderr" || rc=$?
[ "$rc" != 2 ] || { cat "$T/stderr" >&2; fail "--password-file was refused as a usage error"; }
! grep -qF "$secret" "$T/stderr" || fail "the password from the file was printed"
rc=0
mvs-import --uri 127.0.0.1:9 --collection --password -q /dev/null 2>"$T/stderr" || rc=$?
[ "$rc" != 2 ] || { cat "$T/stderr" >&2; fail "a collection named --password was taken for the option"; }
note "--password-file and option-like values pass"
