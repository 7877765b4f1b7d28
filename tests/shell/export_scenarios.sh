#!/usr/bin/env bash
# mvs-export of every seed scenario gives exactly the rows and values the official Node SDK wrote
# (compared through mvs-cat with sdk.js compare): every data type with nullable fields, defaults and
# a dynamic field; VarChar primary keys with quotes, backslashes, control and non-ASCII characters;
# named partitions (markers), a partition key (no markers), auto-ID keys, and a BM25 function (kept in
# the header, its output left out of the rows). Each one also with 7-row pages.
. "$MVS_TOP/tests/lib.sh"
need_node
# compare_rows EXPECT STREAM: the stream's rows are exactly the seeded ones (sdk.js compare, told
# the field types by the stream's header so Float values compare as float32)
compare_rows() {
	{ printf '{"schema":'; mvs-cat --header "$2" | tr -d '\n'; printf '}\n'; mvs-cat "$2"; } >"$T/compare.jsonl"
	sdk compare "$1" "$T/compare.jsonl" >/dev/null
}

fake_start src

# header KEY: one key of the header of $T/out.mvs, as JSON
header() {
	mvs-cat --header "$T/out.mvs" | node -e '
		const h = JSON.parse(require("fs").readFileSync(0, "utf8"));
		process.stdout.write(JSON.stringify(process.argv[1].split(".").reduce((o, k) => o && o[k], h)) + "\n");
	' "$1"
}

# check SCENARIO COLLECTION [export options...]: seeds, exports, compares.
check() {
	local scenario=$1 collection=$2; shift 2
	sdk seed --uri "$src_URI" --scenario "$scenario" --drop --expect "$T/$scenario.expect" >/dev/null
	for pages in "" "--batch-size 7"; do
		# shellcheck disable=SC2086
		mvs-export --uri "$src_URI" --collection "$collection" $pages "$@" -o "$T/out.mvs" 2>"$T/err" ||
			{ cat "$T/err" >&2; fail "$scenario: export ${pages:-(default pages)} failed"; }
		grep -q "^mvs-export: exported $(wc -l <"$T/$scenario.expect") rows from $collection in " "$T/err" ||
			{ cat "$T/err" >&2; fail "$scenario: summary line"; }
		mvs-cat --verify "$T/out.mvs" >/dev/null
		mvs-cat "$T/out.mvs" >"$T/$scenario.got"
		compare_rows "$T/$scenario.expect" "$T/out.mvs" ||
			fail "$scenario: exported rows differ from the seeded ones ${pages:-(default pages)}"
	done
	note "$scenario: $(wc -l <"$T/$scenario.got") rows exact"
}

check all-types all_types
# every type, with its properties, in the header
[ "$(header collection.enable_dynamic_field)" = true ] || fail "all-types: dynamic flag"
[ "$(header partitions)" = '["_default","p1","p2"]' ] || fail "all-types: partitions $(header partitions)"
header fields | node -e '
	const f = JSON.parse(require("fs").readFileSync(0, "utf8"));
	const by = Object.fromEntries(f.map((x) => [x.name, x]));
	const want = { id: "Int64", bool: "Bool", i8: "Int8", i16: "Int16", i32: "Int32", i64: "Int64",
		f32: "Float", f64: "Double", vc: "VarChar", js: "JSON", arr_i32: "Array", arr_vc: "Array",
		fv: "FloatVector", bv: "BinaryVector", f16v: "Float16Vector", bf16v: "BFloat16Vector",
		i8v: "Int8Vector", sv: "SparseFloatVector", $meta: "JSON" };
	for (const [n, t] of Object.entries(want))
		if (!by[n] || by[n].type !== t) throw new Error(`field ${n}: ${JSON.stringify(by[n])}`);
	const ok = by.id.primary_key && by.bool.nullable && by.i32.default === 7 && by.vc.max_length === 64 &&
		by.arr_vc.element_type === "VarChar" && by.arr_vc.max_capacity === 4 && by.fv.dim === 8 &&
		by.bv.dim === 16 && by.$meta.dynamic && f[f.length - 1].name === "$meta" &&
		by.id.description === "primary key";
	if (!ok) throw new Error("field properties: " + JSON.stringify(f));
' || fail "all-types: header fields"
header indexes | grep -q '"field":"fv"' || fail "all-types: indexes $(header indexes)"
header indexes | grep -q '"field":"i64"' || fail "all-types: scalar index $(header indexes)"
[ "$(header source.server_version)" = '"v2.6.0"' ] || fail "all-types: source version"
[ "$(header source.database)" = '"default"' ] || fail "all-types: source database"
header tool | grep -q '^"mvs-export ' || fail "all-types: tool"
header created | grep -Eq '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"$' || fail "all-types: created"
[ "$(header collection.properties)" = '{"collection.ttl.seconds":"0"}' ] ||
	fail "all-types: properties $(header collection.properties)"

check varchar-pk varchar_pk
grep -q '"pk":"with\\"quote"' "$T/varchar-pk.got" || fail "varchar-pk: quoted key"
grep -q '"pk":"new\\nline"' "$T/varchar-pk.got" || fail "varchar-pk: key with a newline"
grep -q '"pk":"日本"' "$T/varchar-pk.got" || fail "varchar-pk: non-ASCII key"

check partition-key partition_key
[ "$(header collection.num_partitions)" = 8 ] || fail "partition-key: num_partitions"
[ "$(header partitions)" = undefined ] || [ "$(header partitions)" = '[]' ] ||
	fail "partition-key: partitions listed: $(header partitions)"
! grep -q '"\$partition"' "$T/partition-key.got" || fail "partition-key: partition markers written"

check auto-id auto_id
header fields | grep -q '"auto_id":true' || fail "auto-id: auto_id flag"

check bm25 bm25
header functions | node -e '
	const fns = JSON.parse(require("fs").readFileSync(0, "utf8"));
	if (fns.length !== 1 || fns[0].name !== "text_bm25" || fns[0].type !== 1 ||
	    fns[0].input_fields[0] !== "text" || fns[0].output_fields[0] !== "sparse")
		throw new Error(JSON.stringify(fns));
' || fail "bm25: function not in the header"
header fields | grep -q '"name":"sparse","type":"SparseFloatVector","type_id":104,"function_output":true' ||
	fail "bm25: output field $(header fields)"
! grep -q '"sparse"' "$T/bm25.got" || fail "bm25: the function output is in the rows"
[ "$(header collection.num_partitions)" = undefined ] || [ "$(header collection.num_partitions)" = 0 ] ||
	fail "bm25: num_partitions without a partition key: $(header collection.num_partitions)"
