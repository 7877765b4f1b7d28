#!/usr/bin/env bash
# Authentication against a real Milvus 2.3.5 with common.security.authorizationEnabled: export from and
# import into it as root with the default password (MILVUS_PASSWORD, --password-file), as a second user
# (role admin) with --password-file and a "user:password" token from --token-file, as root with a token
# from MILVUS_TOKEN, and through mvs-migrate with ${VARS} in migration.yaml (MILVUS_PASSWORD for each
# stage); every copy judged row by row with pymilvus. No credentials, a wrong or old password, a wrong
# token and an unknown user are exit 7 at once with a clear message and create nothing; a user without
# privileges is exit 7 "permission denied". No password, token or base64 of one appears in any output
# of the tools or in the stream.
. "$MVS_TOP/tests/real/lib.sh"
unset MILVUS_PASSWORD MILVUS_TOKEN

root_pw='Root-pw.4YqZ7' mover_pw='Mover-pw.8JcW2' nobody_pw='Nobody-pw.3XbN5' wrong_pw='Wrong-pw.6TfR1'
export ROOT_PW=$root_pw MOVER_PW=$mover_pw NOBODY_PW=$nobody_pw  # for admin(), never on a command line

real_start a --auth
a=$a_URI
export MVS_REAL_USER=root MVS_REAL_PASSWORD=Milvus  # judge's credentials: Milvus's default root password
o=$T/out  # every output of the tools goes here, to be searched for secrets at the end
mkdir -p "$o"

# admin PYTHON: runs PYTHON with pymilvus connected to the auth server as root (judge's credentials)
admin() {
	"$MVS_REAL_PY" -c "
import os, sys
from pymilvus import connections, utility, Role
host, port = sys.argv[1].rsplit(':', 1)
connections.connect(host=host, port=port, user='root', password=os.environ['MVS_REAL_PASSWORD'])
$1" "$a"
}

# same_as_books COLLECTION: the collection on the auth server holds exactly the rows of books
same_as_books() {
	judge dump "$a" "$1" "$T/$1.jsonl"
	# byte-equal canonical dumps are equal; otherwise judge compare decides and says where they differ
	cmp -s "$T/books.jsonl" "$T/$1.jsonl" && cmp -s "$T/books.jsonl.partitions" "$T/$1.jsonl.partitions" ||
		judge compare "$T/books.jsonl" "$T/$1.jsonl" || fail "$1 differs from books"
}

# refused CODE NAME CMD...: CMD exits CODE within 5 s (a refusal is not retried); its stderr is kept as
# $o/NAME.err (and in $T/stderr)
refused() {
	local code=$1 name=$2 start=$SECONDS; shift 2
	expect_exit "$code" "$@"
	cp "$T/stderr" "$o/$name.err"
	[ $((SECONDS - start)) -le 5 ] || fail "$name: refused only after $((SECONDS - start)) s (retried?)"
}

judge seed "$a" vectors books --rows 300 --dim 8 --load >/dev/null
judge dump "$a" books "$T/books.jsonl"
note "a server with authorizationEnabled, books seeded by pymilvus as root [${SECONDS}s]"

# Without credentials the server refuses, and says how to give them.
refused 7 none mvs-export --uri "$a" --collection books -q -o "$o/none.mvs"
has_line "$T/stderr" "no credentials: message" -x "mvs-export: error: authentication failed at $a: missing authorization in header (give --user with MILVUS_PASSWORD or --password-file, or a token)"
[ ! -e "$o/none.mvs" ] || fail "no credentials: an output file was left"

# root with the default password: from MILVUS_PASSWORD (export) and from --password-file (import).
printf 'Milvus\n' >"$T/root.pw"
chmod 600 "$T/root.pw"
MILVUS_PASSWORD=Milvus mvs-export --uri "$a" --user root --collection books 2>"$o/env-export.err" |
	mvs-import --uri "$a" --user root --password-file "$T/root.pw" --collection by_root --create-index --load \
		2>"$o/file-import.err" >"$o/file-import.out" ||
	{ cat "$o/env-export.err" "$o/file-import.err" >&2; fail "MILVUS_PASSWORD export | --password-file import failed"; }
has_line "$o/env-export.err" "MILVUS_PASSWORD: no export summary" 'exported 300 rows from books'
has_line "$o/file-import.err" "--password-file: no import summary" 'imported 300 rows'
! grep -q 'warning' "$o/file-import.err" || fail "--password-file (mode 600): $(cat "$o/file-import.err")"
same_as_books by_root
note "root, default password: MILVUS_PASSWORD export | --password-file import, 300 rows equal [${SECONDS}s]"

# root gets a password that can be searched for; a second user with the admin role, a third with none.
admin "
utility.reset_password('root', 'Milvus', os.environ['ROOT_PW'])
utility.create_user('mover', os.environ['MOVER_PW'])
Role('admin').add_user('mover')
utility.create_user('nobody', os.environ['NOBODY_PW'])"
export MVS_REAL_PASSWORD=$root_pw

# The old password no longer works: exit 7 at once, nothing written.
MILVUS_PASSWORD=Milvus refused 7 old-pw mvs-export --uri "$a" --user root --collection books -q -o "$o/old.mvs"
has_line "$T/stderr" "old password: message" -x "mvs-export: error: authentication failed for user \"root\" at $a"
[ ! -e "$o/old.mvs" ] && [ ! -e "$o/old.mvs.part" ] || fail "old password: an output file was left"

# mover with --password-file: export to a file.
printf '%s\n' "$mover_pw" >"$T/mover.pw"
chmod 600 "$T/mover.pw"
mvs-export --uri "$a" --user mover --password-file "$T/mover.pw" --collection books -o "$o/books.mvs" \
	2>"$o/file-export.err" || { cat "$o/file-export.err" >&2; fail "--password-file: export failed"; }
mvs-cat --verify "$o/books.mvs" 2>"$o/verify.err" >"$o/verify.out" || fail "the exported stream does not verify"

# mover's "user:password" token from --token-file: import the file.
printf 'mover:%s\n' "$mover_pw" >"$T/mover.token"
chmod 600 "$T/mover.token"
mvs-import --uri "$a" --token-file "$T/mover.token" --collection by_token --create-index --load "$o/books.mvs" \
	2>"$o/token-import.err" >"$o/token-import.out" || { cat "$o/token-import.err" >&2; fail "--token-file: import failed"; }
same_as_books by_token
note "mover (role admin): --password-file export, --token-file (user:password) import, equal [${SECONDS}s]"

# root's "user:password" token from MILVUS_TOKEN: the same rows as the stream judged above.
MILVUS_TOKEN="root:$root_pw" mvs-export --uri "$a" --collection books -o "$o/token.mvs" 2>"$o/token-export.err" ||
	{ cat "$o/token-export.err" >&2; fail "MILVUS_TOKEN: export failed"; }
mvs-cat "$o/books.mvs" >"$o/books.jsonl" 2>"$o/cat.err"
mvs-cat "$o/token.mvs" >"$o/token.jsonl" 2>>"$o/cat.err"
[ "$(wc -l <"$o/token.jsonl")" -eq 300 ] && cmp -s "$o/books.jsonl" "$o/token.jsonl" ||
	fail "MILVUS_TOKEN: the export differs from the one judged equal"
note "root with MILVUS_TOKEN: export, the same 300 rows [${SECONDS}s]"

# mvs-migrate: the passwords come from ${VARS} in migration.yaml, each stage gets only its own.
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
    collection: by_migrate
source:
  milvus2x:
    endpoint: $a
    username: mover
    password: \${SRC_PASSWORD}
target:
  milvus2x:
    endpoint: $a
    username: root
    password: \${DST_PASSWORD}
EOF
SRC_PASSWORD=$mover_pw DST_PASSWORD=$root_pw mvs-migrate start --dry-run -c "$T/migration.yaml" >"$o/migrate-dry.out" 2>"$o/migrate-dry.err" ||
	{ cat "$o/migrate-dry.err" >&2; fail "mvs-migrate --dry-run failed"; }
has_line "$o/migrate-dry.out" "--dry-run: the source password is not shown as \$SRC_PASSWORD" -F 'SRC_PASSWORD'
SRC_PASSWORD=$mover_pw DST_PASSWORD=$root_pw mvs-migrate start -c "$T/migration.yaml" >"$o/migrate.out" 2>"$o/migrate.err" ||
	{ cat "$o/migrate.out" "$o/migrate.err" >&2; fail "mvs-migrate with passwords from \${VARS} failed"; }
has_line "$o/migrate.out" "mvs-migrate: no success line" -F 'Migration Success!'
same_as_books by_migrate
SRC_PASSWORD=$mover_pw DST_PASSWORD=$wrong_pw refused 7 migrate-wrong mvs-migrate start -c "$T/migration.yaml"
has_line "$T/stderr" "mvs-migrate, wrong target password: mvs-import's message" -F "authentication failed for user \"root\" at $a"
note "mvs-migrate with \${SRC_PASSWORD}/\${DST_PASSWORD}: equal; a wrong one: exit 7 [${SECONDS}s]"

# A wrong password, a wrong token: exit 7 at once, a clear message, nothing created.
MILVUS_PASSWORD=$wrong_pw refused 7 wrong-export mvs-export --uri "$a" --user root --collection books -q -o "$o/wrong.mvs"
has_line "$T/stderr" "wrong password, export: message" -x "mvs-export: error: authentication failed for user \"root\" at $a"
MILVUS_PASSWORD=$wrong_pw refused 7 wrong-import mvs-import --uri "$a" --user mover --collection never "$o/books.mvs"
has_line "$T/stderr" "wrong password, import: message" -x "mvs-import: error: authentication failed for user \"mover\" at $a"
has_line "$T/stderr" "wrong password, import: what was written" -x 'mvs-import: no rows of this unit were written into "never"'
MILVUS_TOKEN="mover:$wrong_pw" refused 7 wrong-token mvs-import --uri "$a" --collection never "$o/books.mvs"
has_line "$T/stderr" "wrong token: message" -x "mvs-import: error: authentication failed at $a: the token was refused: auth check failure, please check username and password are correct"
MILVUS_PASSWORD=$mover_pw refused 7 no-user mvs-export --uri "$a" --user ghost --collection books -q -o "$o/ghost.mvs"
has_line "$T/stderr" "unknown user: message" -x "mvs-export: error: authentication failed for user \"ghost\" at $a"
note "wrong password, wrong token, unknown user: exit 7, $(head -n 1 "$o/wrong-export.err") [${SECONDS}s]"

# A user without privileges: permission denied, exit 7, nothing created.
MILVUS_PASSWORD=$nobody_pw refused 7 nobody-export mvs-export --uri "$a" --user nobody --collection books -q -o "$o/nobody.mvs"
has_line "$T/stderr" "no privileges, export: message" "^mvs-export: error: permission denied for user \"nobody\" at $a: [A-Za-z]*: Privilege[A-Za-z]*: permission deny to nobody\$"
MILVUS_PASSWORD=$nobody_pw refused 7 nobody-import mvs-import --uri "$a" --user nobody --collection never "$o/books.mvs"
has_line "$T/stderr" "no privileges, import: message" -x "mvs-import: error: cannot create collection \"never\": permission denied for user \"nobody\" at $a: CreateCollection: PrivilegeCreateCollection: permission deny to nobody"
note "no privileges: exit 7, $(head -n 1 "$o/nobody-import.err") [${SECONDS}s]"
[ "$(admin "print(utility.has_collection('never'))")" = False ] || fail "a refused import created the collection"

# No secret in any output: stdout, stderr, the stream, the migrate summary.
b64() { printf '%s' "$1" | base64 -w0; }
for secret in "$root_pw" "$mover_pw" "$nobody_pw" "$wrong_pw" "$(b64 "root:$root_pw")" "$(b64 "mover:$mover_pw")" \
	"$(b64 "mover:$wrong_pw")" "$(b64 root:Milvus)"; do
	if grep -rlaF -- "$secret" "$o" >"$T/leaks"; then
		fail "a secret appears in: $(tr '\n' ' ' <"$T/leaks")"
	fi
done
note "no password, token or base64 of one in $(find "$o" -type f | wc -l) output files [${SECONDS}s]"
