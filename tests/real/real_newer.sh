#!/usr/bin/env bash
# Features newer than Milvus 2.3 (nullable fields, default values, float16/bfloat16/sparse/int8 vectors,
# Geometry and Text, several vector fields, functions) stay covered by tests/fake-milvus; into a real 2.3
# target mvs-import refuses a stream that needs one of them before it creates anything, naming the
# feature, the field, the server's version and the version that brought it (exit 8). With those fields
# mapped away the rest of the same stream goes in, judged by pymilvus.
. "$MVS_TOP/tests/real/lib.sh"
dst=$MVS_REAL_DST

"$MVS_TESTTOOLS/mvs-gen" --scenario all-types --rows 50 >"$T/gen.mvs"
expect_exit 8 mvs-import --uri "$dst" --collection newer -q "$T/gen.mvs"
has_line "$T/stderr" "the newer feature is not named with both versions" -E \
	'needs a nullable field \(field "n_i64"\), which Milvus v2\.3\.[0-9]+[^ ]* lacks \(it came with Milvus 2\.5\)'
newer_fields=n_i64,tag,js,geo,doc,f16v,bf16v,i8v,sv,bm25
mvs-map -q --exclude "$newer_fields" "$T/gen.mvs" >"$T/fewer.mvs"
expect_exit 8 mvs-import --uri "$dst" --collection newer -q "$T/fewer.mvs"
has_line "$T/stderr" "two vector fields are not refused by name" -F 'needs more than one vector field (field "bv")'
judge count "$dst" newer 2>/dev/null && fail "a refused stream created its collection"
note "refused before creating anything: nullable field, then two vector fields"

mvs-map -q --exclude "$newer_fields,bv" "$T/gen.mvs" >"$T/old.mvs"
mvs-import --uri "$dst" --collection newer --create-index --load -q "$T/old.mvs" || fail "the 2.3 subset did not import"
judge dump "$dst" newer "$T/dst.jsonl"
[ "$(wc -l <"$T/dst.jsonl")" = 50 ] || fail "pymilvus reads $(wc -l <"$T/dst.jsonl") rows, not 50"
note "without the newer fields the stream goes in: 50 rows"
