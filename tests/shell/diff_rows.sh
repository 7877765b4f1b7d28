#!/usr/bin/env bash
# mvs-diff: a planted changed value, a missing row and an extra row are each named by key and field
# (Int64 keys with partitions; VarChar keys with quotes and astral characters); identical exports of
# differently named collections are identical (exit 0); --fields, --max, --unordered (also past one
# in-memory run, through temporary files that are gone afterwards), --ignore-pk, --ignore-partitions;
# input out of export order is refused (exit 2), a damaged stream is exit 4, an abort frame exit 5.
. "$MVS_TOP/tests/lib.sh"
need_node
gen=$MVS_TESTTOOLS/mvs-gen

fake_start src
fake_start dst
node "$MVS_TOP/tests/shell/diff_seed.js" "$src_URI" books
node "$MVS_TOP/tests/shell/diff_seed.js" "$dst_URI" books_old
node "$MVS_TOP/tests/shell/shard_seed.js" "$src_URI" words
cd "$T"

# expect_diff CODE WANT-FILE ARGS...: mvs-diff ARGS exits CODE and prints WANT-FILE exactly
expect_diff() {
	local code=$1 want=$2
	shift 2
	expect_exit "$code" mvs-diff "$@" >out
	cmp -s "$want" out || { diff "$want" out >&2; fail "mvs-diff $*: output"; }
	[ ! -s stderr ] || { cat stderr >&2; fail "mvs-diff $*: stderr"; }
}

mvs-export -q --uri "$src_URI" --collection books -o books.mvs
mvs-export -q --uri "$dst_URI" --collection books_old -o old.mvs

# a changed value, a missing row, an extra row
cat >want <<'EOF'
only in A: pk=7
only in B: pk=31
partition "novels" pk=5 field title: "books 4" vs "changed"
books vs books_old: 30 rows in A, 30 in B: 1 only in A, 1 only in B, 1 changed
EOF
expect_diff 1 want books.mvs old.mvs
# the other way round, B's name first
cat >want <<'EOF'
only in B: pk=7
only in A: pk=31
partition "novels" pk=5 field title: "changed" vs "books 4"
books_old vs books: 30 rows in A, 30 in B: 1 only in A, 1 only in B, 1 changed
EOF
expect_diff 1 want old.mvs books.mvs
# --max: fewer lines, the same summary
printf '%s\n' 'only in A: pk=7' \
	'books vs books_old: 30 rows in A, 30 in B: 1 only in A, 1 only in B, 1 changed' >want
expect_diff 1 want --max 1 books.mvs old.mvs
# --fields: only the year, where only the missing and extra rows differ
printf '%s\n' 'only in A: pk=7' 'only in B: pk=31' \
	'books vs books_old: 30 rows in A, 30 in B: 1 only in A, 1 only in B, 0 changed' >want
expect_diff 1 want --fields year books.mvs old.mvs
expect_exit 2 mvs-diff --fields nope books.mvs old.mvs
grep -q '^mvs-diff: error: A: field "nope" is not in collection "books"$' stderr || fail "--fields nope: $(cat stderr)"

# identical rows in collections of other names: identical, from files or two pipes
mvs-import -q --uri "$dst_URI" --collection books_copy --create-index --load books.mvs
echo 'books vs books_copy: 30 rows in A, 30 in B: identical' >want
expect_diff 0 want books.mvs <(mvs-export -q --uri "$dst_URI" --collection books_copy)
mvs-export -q --uri "$src_URI" --collection words -o words.mvs
mvs-import -q --uri "$dst_URI" --collection words_copy --create-index --load words.mvs
echo 'words vs words_copy: 300 rows in A, 300 in B: identical' >want
expect_diff 0 want <(mvs-export -q --uri "$src_URI" --collection words --batch-size 13) \
	<(mvs-export -q --uri "$dst_URI" --collection words_copy)
note "identical: books, words under other names"

# VarChar keys: a missing row and a changed one, named by their keys as JSON
mvs-map --limit 299 words.mvs >fewer.mvs
expect_exit 1 mvs-diff words.mvs fewer.mvs >out
last=$(mvs-cat words.mvs | tail -n 1 | node -e 'process.stdout.write(JSON.stringify(JSON.parse(require("fs").readFileSync(0, "utf8")).id))')
grep -qxF "only in A: pk=$last" out || fail "VarChar key: $(cat out), want $last"
# (and mvs-map --rename makes the field names differ: a difference of fields, the values still compared)
mvs-map --rename n:count words.mvs >renamed.mvs
expect_exit 1 mvs-diff words.mvs renamed.mvs >out
printf '%s\n' 'field n: only in A' 'field count: only in B' \
	'words vs words: 300 rows in A, 300 in B: 0 only in A, 0 only in B, 0 changed, fields differ' >want
cmp -s want out || { diff want out >&2; fail "renamed field"; }
echo 'words vs words: 300 rows in A, 300 in B: identical' >want
expect_diff 0 want --fields id,vec words.mvs renamed.mvs

# --unordered: whole rows, named by their row numbers (mvs-cat's line numbers)
expect_exit 1 mvs-diff --unordered books.mvs old.mvs >out
grep -q '^books vs books_old: 30 rows in A, 30 in B: 2 only in A, 2 only in B$' out || fail "--unordered: $(cat out)"
rows_a=$(sed -n 's/^only in A: row //p' out | sort -n | xargs)
ids=$(for r in $rows_a; do mvs-cat books.mvs | sed -n "${r}p" | sed 's/.*"id":\([0-9]*\).*/\1/'; done | sort -n | xargs)
[ "$ids" = "5 7" ] || fail "--unordered: rows $rows_a of A are ids $ids, want 5 7"
# --ignore-pk (new auto-IDs: diff_man_examples.sh): a copy compares equal, a changed row does not
expect_diff 0 <(echo 'books vs books_copy: 30 rows in A, 30 in B: identical') --ignore-pk books.mvs \
	<(mvs-export -q --uri "$dst_URI" --collection books_copy)
expect_exit 1 mvs-diff --ignore-pk books.mvs old.mvs >out
grep -q ': 2 only in A, 2 only in B$' out || fail "--ignore-pk: $(cat out)"

# past one in-memory run of row hashes: temporary files in $TMPDIR, removed
"$gen" --scenario wide --rows 300000 --dim 2 --partitions 3 >big.mvs
mvs-map --limit 299990 big.mvs >big2.mvs
mkdir tmp
TMPDIR=$T/tmp expect_exit 1 mvs-diff --unordered --max 0 big.mvs big2.mvs >out
grep -qx 'gen_0 vs gen_0: 300000 rows in A, 299990 in B: 10 only in A, 0 only in B' out || fail "big: $(cat out)"
[ -z "$(ls -A tmp)" ] || fail "temporary files left: $(ls tmp)"
TMPDIR=$T/tmp expect_exit 0 mvs-diff --unordered --max 0 big.mvs big.mvs >/dev/null
note "--unordered over 300000 rows: 10 only in A"

# input a merge cannot compare: refused, and --unordered compares it
"$gen" --scenario varchar-pk --rows 12 >unsorted.mvs	# keys "key "1"...", "key "10"..." out of order
expect_exit 2 mvs-diff unsorted.mvs unsorted.mvs
grep -q '^mvs-diff: error: A is not in export order: row 11 (pk="key \\"10\\".*) does not follow the key before it' stderr ||
	fail "unsorted: $(cat stderr)"
echo 'gen_0 vs gen_0: 12 rows in A, 12 in B: identical' >want
expect_diff 0 want --unordered unsorted.mvs unsorted.mvs
# --ignore-partitions over several partitions: keys restart in each, so not in one order
expect_exit 2 mvs-diff --ignore-partitions books.mvs books.mvs
grep -q 'ignore-partitions needs keys that increase across the partitions' stderr || fail "$(cat stderr)"
echo 'books vs books: 30 rows in A, 30 in B: identical' >want
expect_diff 0 want --ignore-partitions --unordered books.mvs books.mvs
# ... and over a stream without partition frames it merges
"$gen" --scenario wide --rows 40 --dim 2 >one.mvs
echo 'gen_0 vs gen_0: 40 rows in A, 40 in B: identical' >want
expect_diff 0 want --ignore-partitions one.mvs one.mvs

# partitions only one stream has: their rows are its alone; partitions in another order: refused
mvs-export -q --uri "$src_URI" --collection books --partition novels --partition poems -o two_parts.mvs
expect_exit 1 mvs-diff books.mvs two_parts.mvs >out
[ "$(grep -c '^only in A: pk=' out)" -eq 10 ] && ! grep -q 'partition' out &&
	grep -qx 'books vs books: 30 rows in A, 20 in B: 10 only in A, 0 only in B, 0 changed' out ||
	fail "partitions: $(cat out)"
mvs-export -q --uri "$src_URI" --collection books --partition poems --partition novels -o swapped.mvs
expect_exit 2 mvs-diff books.mvs swapped.mvs
grep -q 'list partitions "novels" and "poems" in different orders' stderr || fail "swapped: $(cat stderr)"
echo 'books vs books: 20 rows in A, 20 in B: identical' >want
expect_diff 0 want --unordered two_parts.mvs swapped.mvs

# units: paired in order, an extra one is a difference
cat books.mvs books.mvs >two.mvs
expect_exit 1 mvs-diff two.mvs books.mvs >out
grep -qx 'unit 2 (collection books, 30 rows): only in A' out || fail "units: $(cat out)"

# damaged input, an abort frame, usage
head -c 1000 books.mvs >cut.mvs
expect_exit 4 mvs-diff books.mvs cut.mvs
grep -q '^mvs-diff: error: .*truncated stream' stderr || fail "truncated: $(cat stderr)"
"$gen" --scenario wide --rows 40 --dim 2 --abort-after 20 >aborted.mvs || true
expect_exit 5 mvs-diff one.mvs aborted.mvs
grep -q '^mvs-diff: error: .*upstream failed' stderr || fail "abort: $(cat stderr)"
expect_exit 2 mvs-diff books.mvs
expect_exit 2 mvs-diff - - <books.mvs
expect_exit 3 mvs-diff books.mvs nothing-here.mvs
