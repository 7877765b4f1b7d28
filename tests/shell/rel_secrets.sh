#!/usr/bin/env bash
# Secrets stay secret. While a migration with passwords runs (held mid-way by a stalled connection),
# no process's command line (/proc/*/cmdline) holds a password, and each stage's environment holds
# only its own; the migration's log, the tools' messages (also on failure) and the stream's bytes hold
# none. Credentials in a URI or a config endpoint are refused without being repeated. A password or
# token file, or a config holding a password, that others may read draws a warning. (--dry-run shows
# ${VAR} names, never values: migrate_config.sh.)
. "$MVS_TOP/tests/lib.sh"
. "$MVS_TOP/tests/tools/faults.sh"
need_node
unset MILVUS_PASSWORD MILVUS_TOKEN
export SRC_PW='src-Secret-7f3a' DST_PW='dst-Secret-91c2'
secrets=(-e "$SRC_PW" -e "$DST_PW" -e wrong-Secret-55d0)

# no_secret FILE WHAT: FILE holds none of the secrets
no_secret() {
	! grep -aqF "${secrets[@]}" "$1" || { grep -aF "${secrets[@]}" "$1" | head -5 >&2; fail "$2 holds a secret"; }
}

# The test servers take their passwords on their command line: they are left out of the scans.
fake_start src --user root --password "$SRC_PW"
fake_start dst --user root --password "$DST_PW"
sdk seed --uri "$src_URI" --user root --password "$SRC_PW" --scenario varchar-pk --rows 20000 >/dev/null

# ---- a migration held mid-way: command lines and environments ----
proxy_start hold "$src_URI" --stall-after-bytes 100000
cat >"$T/migration.yaml" <<EOF
dumper: {worker: {workMode: milvus2x, reader: {bufferSize: 500}}}
meta: {mode: config, collection: varchar_pk}
source: {milvus2x: {endpoint: '$hold_URI', username: root, password: '\${SRC_PW}'}}
target: {milvus2x: {endpoint: '$dst_URI', username: root, password: '\${DST_PW}'}}
EOF
chmod 600 "$T/migration.yaml"
mvs-migrate start -c "$T/migration.yaml" >"$T/migrate.log" 2>&1 &
migrate=$!
wait_for_line "$hold_LOG" '^tcp-fault: stalled' "$migrate"
: >"$T/cmdlines"
for f in /proc/[0-9]*/cmdline; do
	pid=${f#/proc/}
	pid=${pid%/cmdline}
	[ "$pid" = "$src_PID" ] || [ "$pid" = "$dst_PID" ] && continue
	{ line=$(tr '\0' ' ' <"$f") && echo "$pid: $line" >>"$T/cmdlines"; } 2>/dev/null || true	# gone meanwhile
done
no_secret "$T/cmdlines" "a process's command line"
# the stages are the children of this mvs-migrate; each has its own secret as MILVUS_PASSWORD (the
# environment, unlike the command line, is private to the user; the ${VAR}s of the config are
# inherited as they are)
stage_pid() {
	local f ppid rest
	for f in /proc/[0-9]*/stat; do
		{ read -r _ _ _ ppid rest <"$f"; } 2>/dev/null || continue
		[ "$ppid" = "$migrate" ] || continue
		f=${f%/stat}
		tr '\0' ' ' <"$f/cmdline" 2>/dev/null | grep -q "\(^\|[ /]\)$1 " && { echo "${f#/proc/}"; return 0; }
	done
	fail "$1 was not running during the scan"
}
env_of() {
	tr '\0' '\n' <"/proc/$(stage_pid "$1")/environ"
}
for tool in mvs-export mvs-map mvs-import; do
	grep -q "^$(stage_pid $tool): " "$T/cmdlines" || fail "$tool started after the scan"
done
env_of mvs-export | grep -qxF "MILVUS_PASSWORD=$SRC_PW" || fail "mvs-export has not the source password"
env_of mvs-import | grep -qxF "MILVUS_PASSWORD=$DST_PW" || fail "mvs-import has not the target password"
! env_of mvs-map | grep -q '^MILVUS_\(PASSWORD\|TOKEN\)=' || fail "mvs-map got a secret"
! env_of mvs-export | grep -qxF "MILVUS_PASSWORD=$DST_PW" || fail "mvs-export got the target password"
! env_of mvs-import | grep -qxF "MILVUS_PASSWORD=$SRC_PW" || fail "mvs-import got the source password"
kill -USR1 "$hold_PID"
wait "$migrate" || { cat "$T/migrate.log" >&2; fail "the migration failed"; }
grep -q 'Migration Success' "$T/migrate.log" || fail "no success line"
no_secret "$T/migrate.log" "the migration's log"
note "$(wc -l <"$T/cmdlines") command lines scanned while mvs-migrate, mvs-export, mvs-map and mvs-import ran: no secret"

# ---- the stream, messages on success and failure ----
MILVUS_PASSWORD=$SRC_PW mvs-export --uri "$src_URI" --user root --collection varchar_pk --progress \
	-o "$T/pw.mvs" 2>"$T/export.log"
MILVUS_TOKEN=root:$SRC_PW mvs-export --uri "$src_URI" --collection varchar_pk -o "$T/token.mvs" 2>>"$T/export.log"
cat "$T/pw.mvs" "$T/token.mvs" | mvs-cat --header >"$T/headers"
for f in "$T/pw.mvs" "$T/token.mvs" "$T/headers" "$T/export.log"; do no_secret "$f" "${f##*/}"; done
MILVUS_PASSWORD=wrong-Secret-55d0 expect_exit 7 mvs-export --uri "$src_URI" --user root --collection varchar_pk -o "$T/x.mvs"
no_secret "$T/stderr" "mvs-export's message for a wrong password"
MILVUS_PASSWORD=wrong-Secret-55d0 expect_exit 7 mvs-import --uri "$dst_URI" --user root "$T/pw.mvs"
no_secret "$T/stderr" "mvs-import's message for a wrong password"
sed "s/\${DST_PW}/wrong-Secret-55d0/" "$T/migration.yaml" >"$T/wrong.yaml"
chmod 600 "$T/wrong.yaml"
expect_exit 7 mvs-migrate start -c "$T/wrong.yaml"
no_secret "$T/stderr" "mvs-migrate's log of a refused password"
note "stream bytes, headers and messages (also of refused passwords): no secret"

# ---- credentials in a URI or an endpoint: refused, not repeated ----
expect_exit 2 mvs-export --uri "http://root:$SRC_PW@$src_URI" --collection varchar_pk
grep -q 'credentials do not go in the URI' "$T/stderr" || { cat "$T/stderr" >&2; fail "URI with credentials: message"; }
no_secret "$T/stderr" "the message about a URI with credentials"
expect_exit 2 mvs-import --uri "root:$DST_PW@$dst_URI" "$T/pw.mvs"
no_secret "$T/stderr" "mvs-import's message about a URI with credentials"
sed "s|endpoint: '$dst_URI'|endpoint: 'http://root:$DST_PW@$dst_URI'|" "$T/migration.yaml" >"$T/userinfo.yaml"
expect_exit 10 mvs-migrate start --dry-run -c "$T/userinfo.yaml"
grep -q 'target.milvus2x.endpoint: credentials do not go in the endpoint' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "endpoint with credentials: message"; }
no_secret "$T/stderr" "the message about an endpoint with credentials"
note "credentials in a URI or an endpoint: refused without repeating them"

# ---- secret files and configs that others may read ----
printf '%s\n' "$SRC_PW" >"$T/pw"
printf 'root:%s\n' "$DST_PW" >"$T/token"
chmod 600 "$T/pw" "$T/token"
mvs-export -q --uri "$src_URI" --user root --password-file "$T/pw" --collection varchar_pk -o "$T/a.mvs" 2>"$T/err"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "a private password file drew a message"; }
chmod 644 "$T/pw" "$T/token"
mvs-export -q --uri "$src_URI" --user root --password-file "$T/pw" --collection varchar_pk -o "$T/a.mvs" 2>"$T/err"
grep -qx "mvs-export: warning: password file $T/pw is readable by others" "$T/err" || { cat "$T/err" >&2; fail "no warning from mvs-export"; }
mvs-import -q --uri "$dst_URI" --token-file "$T/token" --collection copy "$T/a.mvs" 2>"$T/err"
grep -qx "mvs-import: warning: token file $T/token is readable by others" "$T/err" || { cat "$T/err" >&2; fail "no warning from mvs-import"; }
# a config with the password written in it
sed "s/'\${DST_PW}'/'$DST_PW'/" "$T/migration.yaml" >"$T/literal.yaml"
chmod 600 "$T/literal.yaml"
mvs-migrate start --dry-run -c "$T/literal.yaml" >/dev/null 2>"$T/err"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "a private config drew a message"; }
chmod 644 "$T/literal.yaml" "$T/migration.yaml"
mvs-migrate start --dry-run -c "$T/literal.yaml" >/dev/null 2>"$T/err"
grep -qxF "mvs-migrate: $T/literal.yaml: warning: the file holds a password or token and is readable by others (chmod 600 it, or write the secret as \${VAR} and set VAR in the environment)" "$T/err" ||
	{ cat "$T/err" >&2; fail "no warning for a readable config holding a password"; }
mvs-migrate start --dry-run -c "$T/migration.yaml" >/dev/null 2>"$T/err"	# only ${VAR}s
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "a config with \${VAR} secrets drew a message"; }
note "readable password file, token file and config with a password: warned"
