#!/usr/bin/env bash
# The EXAMPLES of man/mvs-import.1 run as written (the "$ " lines, in order, in one directory), with
# src.example:19530 and dst.example:19530 standing for test servers, the source holding a collection
# "docs" seeded with the official SDK, so the documentation cannot rot.
. "$MVS_TOP/tests/lib.sh"
need_node
command -v gzip >/dev/null || { echo "gzip is not installed"; exit 77; }

fake_start src
fake_start dst
sdk seed --uri "$src_URI" --scenario wide --collection docs --dim 8 --rows 100 >/dev/null

cd "$T"
# "$ " lines of .EX blocks, with the roff escapes for '-' and '\' undone
sed -n '/^\.EX/,/^\.EE/s/^\$ //p' "$MVS_TOP/man/mvs-import.1" | sed 's/\\-/-/g; s/\\e/\\/g' >examples
[ "$(wc -l <examples)" -ge 5 ] || fail "examples not found"
ran=0
: >log
while IFS= read -r example; do
	run=${example//src.example:19530/$src_URI}
	run=${run//dst.example:19530/$dst_URI}
	rc=0
	bash -c "$run" >out 2>err </dev/null || rc=$?
	[ $rc -eq 0 ] || { cat err >&2; fail "exit $rc: $example"; }
	[ ! -s out ] || fail "printed on stdout: $example"
	cat err >>log
	ran=$((ran + 1))
done <examples
note "$ran examples ran"

# what they did: docs copied three times (the last one upserted over its first copy)
[ "$(grep -c '^mvs-import: imported 100 rows ([0-9]* bytes) into docs in ' log)" = 2 ] || { cat log >&2; fail "docs imports"; }
[ "$(grep -c '^mvs-import: imported 100 rows ([0-9]* bytes) into docs_copy in ' log)" = 2 ] || { cat log >&2; fail "docs_copy imports"; }
grep -q '^mvs-import: created database "archive"$' log || fail "database archive not created"
sdk dump --uri "$src_URI" --collection docs --out src.jsonl
sdk dump --uri "$dst_URI" --collection docs_copy --out copy.jsonl
sdk compare src.jsonl copy.jsonl --ignore-schema-keys collection.name >/dev/null || fail "docs_copy differs from docs"
