#!/usr/bin/env bash
# A closed pipe downstream is not an error: `mvs-cat | head -1` and `mvs-map | head -c 100` stop
# quietly (no message, the status of a SIGPIPE death), also when SIGPIPE is ignored by the parent,
# and only the stage that failed speaks in a longer pipeline. mvs-map refuses to write binary to a
# terminal unless -f (tested through script(1) when it is there).
. "$MVS_TOP/tests/lib.sh"
gen=$MVS_TESTTOOLS/mvs-gen
set +o pipefail

# far more than any pipe buffer (some kernels take a whole megabyte-sized write at once), so that
# the writers really meet the closed pipe
"$gen" --scenario wide --rows 6000 --partitions 2 >"$T/big.mvs"
mvs-cat --limit 1 "$T/big.mvs" >"$T/first"

# quiet CMD: runs "CMD | head -c 100"; CMD must die of SIGPIPE (141) and print nothing
quiet() {
	local rc
	bash -c "$1 2>\"$T/err\" | head -c 100 >\"$T/head\"; exit \${PIPESTATUS[0]}" && rc=0 || rc=$?
	[ "$rc" -eq 141 ] || fail "$1 | head: exit $rc, expected 141 (SIGPIPE)"
	[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "$1 | head: printed a message"; }
	[ "$(wc -c <"$T/head")" -eq 100 ] || fail "$1 | head: output lost"
}

mvs-cat "$T/big.mvs" 2>"$T/err" | head -n 1 >"$T/head_line"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 141 ] || fail "mvs-cat | head -1: exit $rc, expected 141"
[ ! -s "$T/err" ] || fail "mvs-cat | head -1: printed a message"
cmp "$T/head_line" "$T/first" || fail "mvs-cat | head -1: wrong first line"

for ignore in "" "trap '' PIPE; "; do
	quiet "${ignore}mvs-cat '$T/big.mvs'"
	quiet "${ignore}mvs-cat --header '$T/big.mvs' '$T/big.mvs' 2>/dev/null; mvs-cat '$T/big.mvs'"
	quiet "${ignore}mvs-map '$T/big.mvs'"
	quiet "${ignore}mvs-map -q --fields id,vec,title '$T/big.mvs'"
	quiet "${ignore}mvs-map --collection big <'$T/big.mvs'"
done

# in a longer pipeline nobody complains
bash -c "cat '$T/big.mvs' | mvs-map -q --exclude title 2>'$T/err1' | mvs-cat 2>'$T/err2' | head -n 1 >/dev/null" ||
	true
if [ -s "$T/err1" ] || [ -s "$T/err2" ]; then fail "a pipeline into head printed messages"; fi

# a terminal on stdout: refused without -f (script(1) gives the tool a pseudo-terminal)
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
	rc=0
	script -qec "mvs-map '$T/big.mvs'" /dev/null >"$T/tty" 2>&1 || rc=$?
	[ $rc -eq 2 ] || fail "mvs-map to a terminal: exit $rc, expected 2"
	grep -q "refusing to write a binary stream to a terminal" "$T/tty" || fail "terminal message"
	script -qec "mvs-map -f '$T/big.mvs' | head -c 10" /dev/null >/dev/null 2>&1 ||
		fail "mvs-map -f to a terminal failed"
	rc=0
	script -qec "mvs-cat --limit 1 '$T/big.mvs'" /dev/null >"$T/tty" 2>&1 || rc=$?
	[ $rc -eq 0 ] || fail "mvs-cat to a terminal: exit $rc"
else
	note "script(1) with a pseudo-terminal is not available: terminal refusal not tested"
fi
