#!/usr/bin/env bash
# mvs-map field selection, renaming and settings against expected outputs (tests/golden), the notes
# it prints, every refusal with its exact message and exit status (and the abort frame that tells the
# next stage), per-unit application to concatenated streams, --limit, and -o FILE.
. "$MVS_TOP/tests/lib.sh"
. "$MVS_TOP/tests/golden/compare.sh"
gen=$MVS_TESTTOOLS/mvs-gen

"$gen" --rows 4 --partitions 2 >"$T/all.mvs"
"$gen" --scenario varchar-pk --rows 3 --partitions 2 >"$T/vpk.mvs"

# --fields keeps and orders; BM25 stays with its input and output
mvs-map -q --fields id,fv,name,bm25,tag "$T/all.mvs" >"$T/fields.mvs"
mvs-cat --verify -q "$T/fields.mvs" || fail "--fields output does not verify"
mvs-cat "$T/fields.mvs" >"$T/fields.jsonl"
golden map_fields.jsonl "$T/fields.jsonl"
mvs-cat --header "$T/fields.mvs" >"$T/fields_header.json"
golden map_fields_header.json "$T/fields_header.json"

# --exclude, --rename and every setting at once
mvs-map -q --exclude name,sv,bf16v --rename fv:embedding,i8v:int8_embedding --dynamic off \
	--collection mapped --description "mapped by mvs-map" --shards 4 --consistency eventually \
	"$T/all.mvs" >"$T/exclude.mvs"
mvs-cat --verify -q "$T/exclude.mvs" || fail "--exclude output does not verify"
mvs-cat "$T/exclude.mvs" >"$T/exclude.jsonl"
golden map_exclude.jsonl "$T/exclude.jsonl"
mvs-cat --header "$T/exclude.mvs" >"$T/exclude_header.json"
golden map_exclude_header.json "$T/exclude_header.json"

# a VarChar primary key, reordered and renamed
mvs-map -q --fields vec,pk --rename pk:key,vec:embedding "$T/vpk.mvs" >"$T/vpk_map.mvs"
mvs-cat "$T/vpk_map.mvs" >"$T/vpk.jsonl"
golden map_varchar_pk.jsonl "$T/vpk.jsonl"
mvs-cat --header "$T/vpk_map.mvs" >"$T/vpk_header.json"
golden map_varchar_pk_header.json "$T/vpk_header.json"

# --dynamic on without $meta: the flag only, rows untouched
mvs-map --dynamic on "$T/vpk.mvs" >"$T/dyn.mvs"
mvs-cat --header "$T/dyn.mvs" | grep -q '"enable_dynamic_field":true' || fail "--dynamic on: no flag"
mvs-cat --header "$T/dyn.mvs" | grep -q '"\$meta"' && fail "--dynamic on added a \$meta field"
mvs-cat "$T/dyn.mvs" | cmp - <(mvs-cat "$T/vpk.mvs") || fail "--dynamic on changed rows"

# notes on stderr, unless -q
mvs-map --exclude name "$T/all.mvs" >/dev/null 2>"$T/notes"
cat >"$T/want" <<'END'
mvs-map: collection "gen_0": dropping function "name_bm25": its input field "name" is not kept
mvs-map: collection "gen_0": dropping field "bm25": function "name_bm25" filled it
END
diff -u "$T/want" "$T/notes" || fail "notes"
mvs-map -q --exclude name "$T/all.mvs" 2>"$T/notes" >/dev/null
[ ! -s "$T/notes" ] || fail "-q printed notes"

# refuse ARGS... MESSAGE: exit 2, exactly MESSAGE on stderr, and an abort frame for the next stage
refuse() {
	local msg=${*: -1} rc=0
	set -- "${@:1:$#-1}"
	mvs-map "$@" "$T/all.mvs" >"$T/refused.mvs" 2>"$T/stderr" || rc=$?
	[ $rc -eq 2 ] || fail "mvs-map $*: exit $rc, expected 2"
	printf '%s\n' "$msg" | diff -u - <(grep -v '^mvs-map: collection ' "$T/stderr") ||
		fail "mvs-map $*: message"
	expect_exit 5 mvs-cat "$T/refused.mvs"
	grep -qF "upstream failed: mvs-map" "$T/stderr" || fail "mvs-map $*: no abort frame"
}
refuse --fields id,b "mvs-map: error: --fields keeps no vector field; Milvus needs at least one"
refuse --exclude fv,bv,f16v,bf16v,i8v,sv,name \
	"mvs-map: error: --exclude keeps no vector field; Milvus needs at least one"
refuse --fields fv,b \
	'mvs-map: error: --fields must keep the primary key "id" of collection "gen_0" (it is not auto-ID)'
refuse --fields id,fv,nosuch,other 'mvs-map: error: --fields: no field "nosuch", "other" in collection "gen_0" (its fields: id, b, i8, i16, i32, n_i64, f, d, name, tag, js, geo, doc, arr_i, arr_s, fv, bv, f16v, bf16v, i8v, sv, bm25, $meta)'
refuse --exclude id 'mvs-map: error: --exclude cannot drop the primary key "id" of collection "gen_0"'
refuse --fields id,fv,bm25 \
	'mvs-map: error: --fields keeps "bm25", the output of function "name_bm25", but not its input field "name"'
refuse --exclude '$meta' \
	'mvs-map: error: --exclude: "$meta" is the dynamic field; it is kept unless --dynamic off'
refuse --rename name:tag 'mvs-map: error: --rename: collection "gen_0" would have two fields named "tag"'
refuse --rename nosuch:x 'mvs-map: error: --rename: no field "nosuch" in collection "gen_0" (its fields: id, b, i8, i16, i32, n_i64, f, d, name, tag, js, geo, doc, arr_i, arr_s, fv, bv, f16v, bf16v, i8v, sv, bm25, $meta)'
refuse --exclude b --rename b:c 'mvs-map: error: --rename: field "b" of collection "gen_0" is not kept'

# usage errors: exit 2 with the hint, no output at all
usage() {
	local rc=0
	mvs-map "$@" "$T/all.mvs" >"$T/out" 2>"$T/stderr" || rc=$?
	[ $rc -eq 2 ] || fail "mvs-map $*: exit $rc, expected 2"
	grep -qF "Try 'mvs-map --help'." "$T/stderr" || fail "mvs-map $*: no hint"
	[ ! -s "$T/out" ] || fail "mvs-map $*: wrote output"
}
usage --fields id,fv --exclude b
grep -qxF "mvs-map: --fields and --exclude cannot be combined" "$T/stderr" || fail "combined message"
usage --fields id,,fv
usage --fields id,fv,id
usage --rename fv
usage --rename fv:2vec
grep -qxF "mvs-map: field name \"2vec\" must start with a letter or '_'" "$T/stderr" || fail "name rule"
usage --rename fv:a-b
usage --rename '$meta:m'
usage --collection 'my books'
usage --consistency sometimes
usage --dynamic maybe
usage --shards 0
usage --shards 17
usage --limit -1
usage --bogus
usage "$T/all.mvs"	# two inputs

# every unit of a concatenated stream; a unit that lacks a field ends the output with an abort
"$gen" --scenario varchar-pk --rows 3 --units 2 >"$T/two.mvs"
cat "$T/two.mvs" "$T/all.mvs" >"$T/three.mvs"
expect_exit 2 mvs-map -q --fields pk,vec -o "$T/three_out.mvs" "$T/three.mvs"
[ ! -e "$T/three_out.mvs" ] || fail "-o kept a failed output"
rc=0
mvs-map -q --fields pk,vec "$T/three.mvs" 2>"$T/stderr" | mvs-cat --verify >"$T/verify" 2>"$T/stderr2" ||
	rc=$?
[ $rc -eq 5 ] || fail "mvs-cat after a failed unit: exit $rc, expected 5"
grep -qF -- '--fields: no field "pk", "vec" in collection "gen_0"' "$T/stderr" || fail "unit 3 message"
[ "$(grep -c '^ok: collection gen_[01], 3 rows' "$T/verify")" -eq 2 ] || fail "units 1 and 2 lost"
expect_exit 2 mvs-map --collection books -o "$T/books.mvs" "$T/two.mvs"
grep -qF 'mvs-map: error: --collection books: the stream holds collections "gen_0" and "gen_1"; map them separately' \
	"$T/stderr" || fail "--collection over two collections"

# --limit N keeps N rows of each unit, with valid trailers
mvs-map --limit 2 "$T/two.mvs" | mvs-cat --verify >"$T/verify"
[ "$(grep -c '^ok: collection gen_[01], 2 rows' "$T/verify")" -eq 2 ] || fail "--limit 2"
mvs-map --limit 0 "$T/all.mvs" | mvs-cat --verify | grep -q '^ok: collection gen_0, 0 rows' ||
	fail "--limit 0"
mvs-map --limit 3 "$T/all.mvs" | mvs-cat | cmp - <(mvs-cat --limit 3 "$T/all.mvs") || fail "--limit 3"

# -o FILE appears complete or not at all
mvs-map -o "$T/copy.mvs" "$T/all.mvs" || fail "-o failed"
cmp "$T/copy.mvs" "$T/all.mvs" || fail "-o output differs"
[ ! -e "$T/copy.mvs.part" ] || fail "-o left FILE.part"
head -c 1000 "$T/all.mvs" >"$T/cut.mvs"
expect_exit 4 mvs-map -o "$T/cut_out.mvs" "$T/cut.mvs"
if [ -e "$T/cut_out.mvs" ] || [ -e "$T/cut_out.mvs.part" ]; then fail "-o kept a truncated output"; fi
expect_exit 3 mvs-map -o "$T/no/such/dir/x.mvs" "$T/all.mvs"
expect_exit 3 mvs-map "$T/missing.mvs"

mvs-map --help | grep -q '^Usage: mvs-map ' || fail "--help"
mvs-map --version | grep -q '^mvs-map (mvs) [0-9]' || fail "--version"
