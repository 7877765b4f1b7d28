#!/usr/bin/env bash
# A usage error is one message and one hint, never getopt's own line before the tool's: an unknown
# option and an option without its value, in every tool that takes options this way.
. "$MVS_TOP/tests/lib.sh"

# once TOOL OPTION MESSAGE: TOOL OPTION exits 2 with exactly "TOOL: MESSAGE" and the hint on stderr
once() {
	local tool=$1 option=$2 message=$3
	expect_exit 2 "$tool" "$option" </dev/null
	printf "%s: %s\nTry '%s --help'.\n" "$tool" "$message" "$tool" | cmp -s - "$T/stderr" ||
		{ cat "$T/stderr" >&2; fail "$tool $option: not one message"; }
}
for tool in mvs-cat mvs-map mvs-diff mvs-export mvs-import; do
	once "$tool" --bogus "unknown option '--bogus'"
	once "$tool" -x "unknown option '-x'"
done
once mvs-cat --limit "option '--limit' needs a value"
once mvs-cat --fields "option '--fields' needs a value"
once mvs-map --fields "option '--fields' needs a value"
once mvs-diff --max "option '--max' needs a value"
note "one usage message each"
# mvs-diff's help, as every tool's (help_options.sh)
mvs-diff -h >"$T/short" && mvs-diff --help >"$T/long" && cmp -s "$T/short" "$T/long" &&
	grep -q '^Usage: mvs-diff' "$T/short" || fail "mvs-diff -h and --help"
