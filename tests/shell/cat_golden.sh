#!/usr/bin/env bash
# mvs-cat against expected outputs (tests/golden): rows and headers of every data type with partition
# markers, a VarChar primary key with quotes and non-ASCII text, --verify summaries of concatenated
# units, --limit, stdin, JSON validity by an independent parser, and the command-line manners.
. "$MVS_TOP/tests/lib.sh"
. "$MVS_TOP/tests/golden/compare.sh"
gen=$MVS_TESTTOOLS/mvs-gen

"$gen" --rows 4 --partitions 2 >"$T/all.mvs"
mvs-cat "$T/all.mvs" >"$T/all.jsonl"
golden cat_all_types.jsonl "$T/all.jsonl"
json_lines "$T/all.jsonl"
mvs-cat --header "$T/all.mvs" >"$T/all_header.json"
golden cat_all_types_header.json "$T/all_header.json"
json_lines "$T/all_header.json"
mvs-cat - <"$T/all.mvs" | cmp - "$T/all.jsonl" || fail "stdin and file differ"
mvs-cat <"$T/all.mvs" | cmp - "$T/all.jsonl" || fail "no argument is stdin"

"$gen" --scenario varchar-pk --rows 3 >"$T/vpk.mvs"
mvs-cat "$T/vpk.mvs" >"$T/vpk.jsonl"
golden cat_varchar_pk.jsonl "$T/vpk.jsonl"
json_lines "$T/vpk.jsonl"
mvs-cat --header "$T/vpk.mvs" >"$T/vpk_header.json"
golden cat_varchar_pk_header.json "$T/vpk_header.json"

# concatenated units: one summary line each; the first unit is the single-unit stream
"$gen" --rows 4 --partitions 2 --units 2 >"$T/two.mvs"
mvs-cat --verify "$T/two.mvs" >"$T/verify.txt"
golden cat_verify.txt "$T/verify.txt"
[ -z "$(mvs-cat --verify -q "$T/two.mvs")" ] || fail "--verify -q printed something"
mvs-cat "$T/two.mvs" >"$T/two.jsonl"
[ "$(wc -l <"$T/two.jsonl")" -eq 8 ] || fail "two units: expected 8 rows"
head -n 4 "$T/two.jsonl" | cmp - "$T/all.jsonl" || fail "unit 1 of two differs"
[ "$(mvs-cat --header "$T/two.mvs" | wc -l)" -eq 2 ] || fail "--header: one line per unit"
cat "$T/all.mvs" "$T/vpk.mvs" | mvs-cat >"$T/mixed.jsonl"
cat "$T/all.jsonl" "$T/vpk.jsonl" | cmp - "$T/mixed.jsonl" || fail "cat of two streams"

# --limit stops after N rows, across units
mvs-cat --limit 2 "$T/all.mvs" | cmp - <(head -n 2 "$T/all.jsonl") || fail "--limit 2"
mvs-cat --limit 6 "$T/two.mvs" | cmp - <(head -n 6 "$T/two.jsonl") || fail "--limit 6 across units"
[ -z "$(mvs-cat --limit 0 "$T/all.mvs")" ] || fail "--limit 0 printed rows"

# manners
mvs-cat --help >"$T/help" || fail "--help failed"
grep -q '^Usage: mvs-cat ' "$T/help" || fail "--help: no usage line"
mvs-cat --version | grep -q '^mvs-cat (mvs) [0-9]' || fail "--version"
expect_exit 2 mvs-cat --bogus "$T/all.mvs"
grep -q "Try 'mvs-cat --help'." "$T/stderr" || fail "usage error without the hint"
expect_exit 2 mvs-cat --verify --limit 3 "$T/all.mvs"
expect_exit 2 mvs-cat --limit x "$T/all.mvs"
expect_exit 2 mvs-cat "$T/all.mvs" "$T/all.mvs"
expect_exit 3 mvs-cat "$T/missing.mvs"
grep -q "mvs-cat: error: cannot open $T/missing.mvs" "$T/stderr" || fail "missing file message"
