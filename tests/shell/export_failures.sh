#!/usr/bin/env bash
# mvs-export when things go wrong: an unloaded collection (the message says to load it; --load does),
# a server that dies mid-export (abort frame, "upstream failed" downstream, non-zero exit), a failed
# export with -o (no file left), a reader that closes the pipe (quiet), a terminal on standard output,
# and authentication.
. "$MVS_TOP/tests/lib.sh"
need_node
# compare_rows EXPECT STREAM: the stream's rows are exactly the seeded ones (sdk.js compare, told
# the field types by the stream's header so Float values compare as float32)
compare_rows() {
	{ printf '{"schema":'; mvs-cat --header "$2" | tr -d '\n'; printf '}\n'; mvs-cat "$2"; } >"$T/compare.jsonl"
	sdk compare "$1" "$T/compare.jsonl" >/dev/null
}

fake_start src
sdk seed --uri "$src_URI" --scenario varchar-pk --expect "$T/vc.expect" >/dev/null

note "an unloaded collection: a clear error, or --load"
sdk release --uri "$src_URI" --collection varchar_pk >/dev/null
expect_exit 6 mvs-export --uri "$src_URI" --collection varchar_pk -o "$T/out.mvs"
grep -q '^mvs-export: error: collection "varchar_pk" is not loaded (load it, or pass --load)$' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "unloaded: message"; }
[ ! -e "$T/out.mvs" ] && [ ! -e "$T/out.mvs.part" ] || fail "unloaded: a file was left behind"
# on a pipe, the next stage learns why from the abort frame
rc=0
mvs-export --uri "$src_URI" --collection varchar_pk 2>/dev/null | mvs-cat >/dev/null 2>"$T/cat.err" || rc=$?
[ "$rc" -eq 5 ] || fail "unloaded: mvs-cat exit $rc"
grep -q 'upstream failed: mvs-export [0-9.]*: collection "varchar_pk" is not loaded' "$T/cat.err" ||
	{ cat "$T/cat.err" >&2; fail "unloaded: no abort frame"; }
mvs-export --uri "$src_URI" --collection varchar_pk --load -o "$T/out.mvs" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "--load: export failed"; }
compare_rows "$T/vc.expect" "$T/out.mvs" || fail "--load: rows differ"

note "a closed pipe ends the export quietly"
sdk seed --uri "$src_URI" --scenario wide --rows 6000 --dim 64 >/dev/null
rc=0
mvs-export --uri "$src_URI" --collection wide 2>"$T/err" | head -c 100 >/dev/null || rc=$?
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "| head -c 100: mvs-export printed something"; }
[ "$rc" -eq 141 ] || fail "| head -c 100: exit $rc (expected the SIGPIPE status 141)"

note "a terminal on standard output is refused without -f"
script -qec "mvs-export --uri $src_URI --collection varchar_pk; echo \"exit \$?\"" /dev/null >"$T/tty" 2>&1 || true
grep -q 'refusing to write a binary stream to a terminal' "$T/tty" || { cat "$T/tty" >&2; fail "terminal: message"; }
grep -q 'exit 2' "$T/tty" || { cat "$T/tty" >&2; fail "terminal: exit status"; }

note "the server dies mid-export"
fake_start dying --exit-after-rows 9000
sdk seed --uri "$dying_URI" --scenario wide --rows 6000 --dim 8 >/dev/null	# 6000 of the 9000
mvs-export --uri "$dying_URI" --collection wide --batch-size 500 2>"$T/err" | mvs-cat >"$T/got" 2>"$T/cat.err" &&
	status=("${PIPESTATUS[@]}") || status=("${PIPESTATUS[@]}")
[ "${status[0]}" -eq 6 ] || { cat "$T/err" >&2; fail "dying server: mvs-export exit ${status[0]}, expected 6"; }
[ "${status[1]}" -eq 5 ] || { cat "$T/cat.err" >&2; fail "dying server: mvs-cat exit ${status[1]}, expected 5"; }
grep -q '^mvs-export: error: ' "$T/err" || { cat "$T/err" >&2; fail "dying server: no error from mvs-export"; }
grep -q '^mvs-cat: error: upstream failed: mvs-export ' "$T/cat.err" ||
	{ cat "$T/cat.err" >&2; fail "dying server: mvs-cat did not see the abort frame"; }
rows=$(wc -l <"$T/got")
[ "$rows" -ge 3000 ] && [ "$rows" -lt 6000 ] || fail "dying server: $rows rows before the abort"

note "authentication: password from the environment or a file, never the command line"
fake_start auth --user alice --password 'se cret'
sdk seed --uri "$auth_URI" --user alice --password 'se cret' --scenario varchar-pk >/dev/null
MILVUS_PASSWORD='se cret' mvs-export -q --uri "$auth_URI" --user alice --collection varchar_pk -o "$T/out.mvs"
compare_rows "$T/vc.expect" "$T/out.mvs" || fail "auth: rows differ"
printf 'se cret\n' >"$T/pw"
chmod 600 "$T/pw"
mvs-export -q --uri "$auth_URI" --user alice --password-file "$T/pw" --collection varchar_pk -o "$T/out.mvs"
printf 'alice:se cret' >"$T/token"
chmod 600 "$T/token"
mvs-export -q --uri "$auth_URI" --token-file "$T/token" --collection varchar_pk -o "$T/out.mvs"
MILVUS_PASSWORD=wrong expect_exit 7 mvs-export --uri "$auth_URI" --user alice --collection varchar_pk -o "$T/out.mvs"
grep -q 'authentication failed' "$T/stderr" || { cat "$T/stderr" >&2; fail "auth: message"; }
