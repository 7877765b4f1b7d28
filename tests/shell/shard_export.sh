#!/usr/bin/env bash
# mvs-export --shard I/N against the fake server: for an Int64-key collection with negative keys (and
# the extremes of int64) and a VarChar-key collection with quotes, backslashes, non-ASCII and astral
# keys, the 4 shards together hold exactly the rows of the whole export (no loss, no duplicates), also
# with --filter and --partition; VarChar shards are balanced; each shard names its filter; 0/1 is the
# whole collection; bad --shard values are usage errors.
. "$MVS_TOP/tests/lib.sh"
need_node

fake_start src

node "$MVS_TOP/tests/shell/shard_seed.js" "$src_URI" ints words

# export_rows COLLECTION OUT [OPTIONS...]: the rows as sorted mvs-cat lines
export_rows() {
	local c=$1 out=$2
	shift 2
	mvs-export --uri "$src_URI" --collection "$c" "$@" 2>>"$T/export.err" | mvs-cat | LC_ALL=C sort >"$out"
}

# shards COLLECTION N [OPTIONS...]: N shard exports must add up to the whole export exactly
shards() {
	local c=$1 n=$2 i
	shift 2
	export_rows "$c" "$T/all" "$@"
	[ -s "$T/all" ] || fail "$c: the whole export is empty"
	: >"$T/export.err"
	for i in $(seq 0 $((n - 1))); do
		export_rows "$c" "$T/shard.$i" --shard "$i/$n" "$@"
	done
	LC_ALL=C sort -m "$T"/shard.* >"$T/union"
	[ -z "$(uniq -d "$T/union")" ] || fail "$c $*: a row in two shards: $(uniq -d "$T/union" | head -n 2)"
	cmp -s "$T/all" "$T/union" || { diff "$T/all" "$T/union" | head >&2; fail "$c $*: shards differ from the whole"; }
	for i in $(seq 0 $((n - 1))); do
		grep -q "^mvs-export: collection \"$c\": shard $i/$n: " "$T/export.err" || fail "$c: no filter line for shard $i"
	done
	note "$c $*: $n shards of $(wc -l <"$T/all") rows: $(wc -l "$T"/shard.* | sed '$d' | awk '{print $1}' | xargs)"
	rm -f "$T"/shard.*
}

shards ints 4
# negative keys go to the shards of their residues (Go's remainder: -1 % 4 == -1, so shard 3)
export_rows ints "$T/s0" --shard 0/4
grep -q '"id":-9223372036854775808,' "$T/s0" || fail "INT64_MIN is not in shard 0"
export_rows ints "$T/s3" --shard 3/4
grep -q '"id":9223372036854775807,' "$T/s3" || fail "INT64_MAX is not in shard 3"
grep -q '"id":-1,' "$T/s3" || fail "-1 is not in shard 3"
grep -q '^mvs-export: collection "ints": shard 3/4: (id % 4 == 3 or id % 4 == -1)$' "$T/export.err" ||
	fail "shard 3 filter: $(cat "$T/export.err")"
# the header records the shard, and mvs-map carries it on
mvs-export -q --uri "$src_URI" --collection ints --shard 3/4 | mvs-map | mvs-cat --header >"$T/header.json"
grep -qF '"shard":{"index":3,"count":4,"filter":"(id % 4 == 3 or id % 4 == -1)"}' "$T/header.json" ||
	fail "header: $(cat "$T/header.json")"
shards ints 3 --filter 'n >= 100'
shards ints 4 --partition p1 --partition p2
shards ints 7 --batch-size 5

shards words 4
# 300 keys, small enough for exact boundaries: 75 rows each
for i in 0 1 2 3; do
	export_rows words "$T/w" --shard "$i/4"
	[ "$(wc -l <"$T/w")" -eq 75 ] || fail "words shard $i/4 holds $(wc -l <"$T/w") rows, not 75"
done
grep -q '^mvs-export: collection "words": shard 0/4: id < ".*" (split points - [0-9a-f]*)$' "$T/export.err" ||
	fail "words: shard 0 line: $(grep 'shard 0/4' "$T/export.err")"
grep -q '^mvs-export: collection "words": shard 3/4: id >= ".*" (split points [0-9a-f]* -)$' "$T/export.err" ||
	fail "words: shard 3 line: $(grep 'shard 3/4' "$T/export.err")"
shards words 5 --filter 'n < 250'
shards words 2 --batch-size 7

# 0/1 is everything, without a filter line
export_rows words "$T/all"
: >"$T/export.err"
export_rows words "$T/one" --shard 0/1
cmp -s "$T/all" "$T/one" || fail "--shard 0/1 is not the whole collection"
grep -q shard "$T/export.err" && fail "--shard 0/1 printed a filter"

# usage errors
for bad in 4/4 1/0 x 1 -1/4 0/1025; do
	expect_exit 2 mvs-export --uri "$src_URI" --collection ints --shard "$bad" -o "$T/bad.mvs"
	grep -q -- '--shard' "$T/stderr" || fail "--shard $bad: $(cat "$T/stderr")"
done
note "bad --shard values refused"
