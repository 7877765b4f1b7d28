#!/usr/bin/env bash
# A tool that would wait on a terminal says so at once: mvs-import, mvs-cat and mvs-map with nothing
# piped in and no file named refuse to read a binary stream from a terminal (exit 2, with the way on),
# as they refuse to write one to a terminal. mvs-export -o DIR fails before it connects, not at the
# rename after the last row. (The terminal is a pseudo-terminal made by script(1).)
. "$MVS_TOP/tests/lib.sh"
command -v script >/dev/null || { echo "script(1) is not installed"; exit 77; }

# on_terminal CMD: runs CMD with a pseudo-terminal as stdin and stdout; its output in $T/tty.out
on_terminal() {
	local rc=0
	timeout 10 script -qec "$1" /dev/null </dev/null >"$T/tty.out" 2>&1 || rc=$?
	return "$rc"
}

for cmd in "mvs-import --uri 127.0.0.1:9" "mvs-cat --verify" "mvs-map -o $T/out.mvs"; do
	rc=0
	on_terminal "$cmd" || rc=$?
	[ "$rc" = 2 ] || { cat "$T/tty.out" >&2; fail "$cmd on a terminal: exit $rc, not 2 (124 means it waited)"; }
	grep -q "refusing to read a binary stream from a terminal; pipe one in" "$T/tty.out" ||
		{ cat "$T/tty.out" >&2; fail "$cmd on a terminal does not say why"; }
done
on_terminal "mvs-cat --verify - </dev/null" && fail "mvs-cat accepted an empty stream"
grep -q "refusing to read" "$T/tty.out" && fail "a redirected stdin was taken for the terminal"
note "reading from a terminal refused at once"

mkdir "$T/dir"
expect_exit 3 mvs-export --uri 127.0.0.1:9 --collection c -o "$T/dir"
grep -qF "it is a directory" "$T/stderr" || { cat "$T/stderr" >&2; fail "-o DIR does not say it is a directory"; }
! grep -q "Milvus" "$T/stderr" || fail "-o DIR was noticed only after trying the server"
[ ! -e "$T/dir.part" ] || fail "-o DIR left $T/dir.part behind"
note "-o DIR refused before connecting"
