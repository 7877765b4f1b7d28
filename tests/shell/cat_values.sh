#!/usr/bin/env bash
# Values that cannot be trusted: a str that is not UTF-8 and a JSON field that is not JSON, patched
# into an all-types stream. mvs-cat --verify names unit, row and field and exits 4; plain mvs-cat
# prints the rows before and then fails the same way (never invalid JSON); mvs-map checks the values
# it copies the same way, and a change only the trailer's checksum can see is caught there.
. "$MVS_TOP/tests/lib.sh"
gen=$MVS_TESTTOOLS/mvs-gen

"$gen" --rows 4 >"$T/all.mvs"
mvs-cat --verify -q "$T/all.mvs" || fail "the unpatched stream does not verify"

# patch FILE TEXT BYTE: overwrites the first byte of the first occurrence of TEXT
patch() {
	local off
	off=$(grep -obUaF "$2" "$1" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || fail "\"$2\" not found in $1"
	printf '%b' "$3" | dd of="$1" bs=1 seek="$off" conv=notrunc status=none
}

# row 2 (id 2): doc "document 1 about things" starts with 0xff
cp "$T/all.mvs" "$T/utf8.mvs"
patch "$T/utf8.mvs" "document 1 about" '\377'
expect_exit 4 mvs-cat --verify "$T/utf8.mvs"
grep -qF "mvs-cat: error: $T/utf8.mvs: unit 1 (collection \"gen_0\"), row 2: field \"doc\": string is not valid UTF-8" \
	"$T/stderr" || fail "--verify: wrong message for invalid UTF-8"
rc=0
mvs-cat "$T/utf8.mvs" >"$T/out.jsonl" 2>"$T/stderr" || rc=$?
[ $rc -eq 4 ] || fail "mvs-cat without --verify: exit $rc, expected 4"
[ "$(wc -l <"$T/out.jsonl")" -eq 1 ] || fail "the row before the bad one should be printed"
grep -qF 'row 2: field "doc": invalid UTF-8 at byte 0' "$T/stderr" || fail "mvs-cat: wrong message"
expect_exit 4 mvs-map -o "$T/mapped.mvs" "$T/utf8.mvs"
grep -qF "mvs-map: error: $T/utf8.mvs: unit 1 (collection \"gen_0\"), row 2: field \"doc\": string is not valid UTF-8" \
	"$T/stderr" || fail "mvs-map should name the row and the field"
if [ -e "$T/mapped.mvs" ] || [ -e "$T/mapped.mvs.part" ]; then fail "mvs-map left a file behind"; fi

# row 2: the JSON field's text starts with '<' instead of '{'
cp "$T/all.mvs" "$T/json.mvs"
patch "$T/json.mvs" '{"r": 1,' '<'
expect_exit 4 mvs-cat --verify "$T/json.mvs"
grep -qF 'row 2: field "js": not a JSON text (unexpected character at byte 0)' "$T/stderr" ||
	fail "--verify: wrong message for a bad JSON text"

# a Geometry text changed ("QOINT (2 2)"): still a valid string, only the checksum can tell
cp "$T/all.mvs" "$T/vec.mvs"
patch "$T/vec.mvs" "POINT (2 2)" 'Q'
expect_exit 4 mvs-cat --verify "$T/vec.mvs"
grep -q "checksum mismatch in unit 1" "$T/stderr" || fail "--verify: checksum not reported"
expect_exit 4 mvs-map -o "$T/mapped.mvs" "$T/vec.mvs"
grep -q "checksum mismatch in unit 1" "$T/stderr" || fail "mvs-map: checksum not reported"
