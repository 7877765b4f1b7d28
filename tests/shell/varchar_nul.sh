#!/usr/bin/env bash
# VarChar values holding U+0000 (valid UTF-8, which Milvus accepts) go through every tool byte for byte:
# primary keys with NUL bytes in every position (paged 3 rows at a time, so `pk > "..."` filters carry
# them), values with NUL alone, leading, trailing and repeated, NUL in VarChar arrays, JSON strings, the
# dynamic field and a default value. Rows are written and checked with the official Node SDK
# (varchar_nul.js), never with mvs: export | import, export | map | import, three key-range shards, and
# the resume mvs-import prints after a cut stream (its key escaped, with its length). mvs-cat shows
# U+0000 as \u0000.
. "$MVS_TOP/tests/lib.sh"
need_node
rows() { node "$MVS_TOP/tests/shell/varchar_nul.js" "$@"; }

fake_start src
fake_start dst
rows seed "$src_URI"
rows check "$src_URI" nul || fail "the source does not hold the seeded rows"

note "export | import, pages of 3 rows"
mvs-export -q --uri "$src_URI" --collection nul --batch-size 3 -o "$T/nul.mvs"
mvs-cat --verify "$T/nul.mvs" >/dev/null
mvs-import -q --uri "$dst_URI" --create-index --load "$T/nul.mvs"
rows check "$dst_URI" nul || fail "export | import changed the rows"

note "mvs-cat shows U+0000 as \\u0000"
mvs-cat "$T/nul.mvs" | sed 's/"pad":"x*/"pad":"x.../' >"$T/rows.jsonl"
has_line "$T/rows.jsonl" "mvs-cat: a key of NUL bytes" -F '"pk":"\u0000\u0000\u0000",'
has_line "$T/rows.jsonl" "mvs-cat: a repeated NUL" -F '"s":"rep\u0000\u0000\u0000eat",'
has_line "$T/rows.jsonl" "mvs-cat: NUL in an array" -F '"tags":["\u0000","x\u0000y","","\u0000\u0000"],'
mvs-cat --header "$T/nul.mvs" >"$T/header.json"
has_line "$T/header.json" "mvs-cat: the default value" -F '"default":"d\u0000v"'

note "export | map | import"
mvs-export -q --uri "$src_URI" --collection nul --batch-size 3 |
	mvs-map -q --fields pk,s,vec,tags --collection mapped |
	mvs-import -q --uri "$dst_URI" --create-index --load
rows check "$dst_URI" mapped pk vec s tags || fail "export | map | import changed the rows"

note "three key-range shards"
for i in 0 1 2; do
	mvs-export --uri "$src_URI" --collection nul --shard "$i/3" --batch-size 4 2>>"$T/shards.err" |
		mvs-import -q --uri "$dst_URI" --collection sharded --shard "$i/3" --create-index --load ||
		{ cat "$T/shards.err" >&2; fail "shard $i/3 failed"; }
done
rows check "$dst_URI" sharded || fail "the shards changed the rows"
# 62 keys split evenly, at a boundary that holds U+0000 itself
[ "$(grep -Ec '^mvs-export: exported 2[01] rows from nul' "$T/shards.err")" -eq 3 ] ||
	{ cat "$T/shards.err" >&2; fail "uneven shards"; }
has_line "$T/shards.err" "no boundary with U+0000" -E '^mvs-export: collection "nul": shard 1/3: .*\\x00'

note "a cut stream and the resume mvs-import prints"
size=$(wc -c <"$T/nul.mvs")
head -c $((size * 3 / 4)) "$T/nul.mvs" >"$T/cut.mvs"
expect_exit 4 mvs-import --uri "$dst_URI" --collection resumed --batch-rows 5 "$T/cut.mvs"
cp "$T/stderr" "$T/report"
# the last key written, escaped as a filter literal, with its length: every key holds a NUL byte
has_line "$T/report" "no escaped last key with its length" -E \
	"^mvs-import: [1-9][0-9]* rows were written into \"resumed\": the stream's rows up to the last primary key written, \".*\\\\x00.*\" \\([0-9]+ bytes\\) in partition \"_default\", and none after it$"
line=$(sed -n 's/^mvs-import: to resume, import the rest: //p' "$T/report")
[ -n "$line" ] || { cat "$T/report" >&2; fail "no resume command"; }
eval "set -- ${line% | mvs-import (the same options)}"
[ "$1 $2 $3 $4 $5 $6 $7 $8" = "mvs-export --uri SOURCE --collection nul --partition _default --filter" ] ||
	fail "resume command: $line"
filter=$9
mvs-export -q --uri "$src_URI" --collection nul --partition _default --batch-size 3 --filter "$filter" |
	mvs-import -q --uri "$dst_URI" --collection resumed --create-index --load || fail "the resume failed"
rows check "$dst_URI" resumed || fail "the resumed copy differs from the source"
note "resumed after $filter"
