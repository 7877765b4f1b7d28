#!/usr/bin/env bash
# mvs-export --fields, --filter and --partition export exactly what they select (compared with the
# seeded rows, projected and filtered the same way), the header follows the selection (fields,
# functions, partitions), and selections that do not fit the collection fail before any row is read.
. "$MVS_TOP/tests/lib.sh"
need_node
# compare_rows EXPECT STREAM: the stream's rows are exactly the seeded ones (sdk.js compare, told
# the field types by the stream's header so Float values compare as float32)
compare_rows() {
	{ printf '{"schema":'; mvs-cat --header "$2" | tr -d '\n'; printf '}\n'; mvs-cat "$2"; } >"$T/compare.jsonl"
	sdk compare "$1" "$T/compare.jsonl" >/dev/null
}

# pick EXPECT KEYS JS_FILTER: the seeded rows (JSON Lines) with only KEYS ("" = all; "$partition" stays)
# and only the rows for which the JavaScript expression JS_FILTER (over r) holds.
cat >"$T/pick.js" <<'EOF'
const fs = require('fs');
const jsonl = require(process.env.MVS_TOP + '/tests/node/jsonl.js');
const [file, keys, cond] = process.argv.slice(2);
const test = new Function('r', `return (${cond});`);
const out = [];
for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
	const r = jsonl.parse(line);
	if (!test(r))
		continue;
	if (!keys) {
		out.push(line);
		continue;
	}
	const p = {};
	for (const k of ['$partition', ...keys.split(',')])
		if (k in r)
			p[k] = r[k];
	out.push(jsonl.stringify(p));
}
process.stdout.write(out.map((l) => l + '\n').join(''));
EOF
pick() { node "$T/pick.js" "$@"; }

# header KEY: one key of the header of $T/out.mvs, as JSON
header() {
	mvs-cat --header "$T/out.mvs" | node -e '
		const h = JSON.parse(require("fs").readFileSync(0, "utf8"));
		process.stdout.write(JSON.stringify(process.argv[1].split(".").reduce((o, k) => o && o[k], h)) + "\n");
	' "$1"
}
field_names() { header fields | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).map((f) => f.name).join(",") + "\n")'; }

# same EXPECTED: the rows of $T/out.mvs are exactly EXPECTED's
same() {
	mvs-cat "$T/out.mvs" >"$T/got"
	[ "$(wc -l <"$T/got")" -eq "$(wc -l <"$1")" ] || fail "$(wc -l <"$T/got") rows exported, $(wc -l <"$1") expected"
	compare_rows "$1" "$T/out.mvs" || fail "exported rows differ from the expected ones"
}

fake_start src
sdk seed --uri "$src_URI" --scenario all-types --expect "$T/all.expect" >/dev/null
sdk seed --uri "$src_URI" --scenario bm25 --expect "$T/bm25.expect" >/dev/null
sdk seed --uri "$src_URI" --scenario partition-key >/dev/null

note "--fields: kept in the order given, the primary key first, \$meta last"
mvs-export -q --uri "$src_URI" --collection all_types --fields fv,i32 --fields vc -o "$T/out.mvs"
[ "$(field_names)" = 'id,fv,i32,vc,$meta' ] || fail "--fields: header fields $(field_names)"
pick "$T/all.expect" 'id,fv,i32,vc,$meta' true >"$T/want"
same "$T/want"
[ "$(header indexes | grep -o '"field":"[a-z0-9]*"' | sort | tr '\n' ' ')" = '"field":"fv" ' ] ||
	fail "--fields: indexes of dropped fields kept: $(header indexes)"

note "--fields on a BM25 collection: the function follows its input"
mvs-export --uri "$src_URI" --collection bm25 --fields text,dense -o "$T/out.mvs" 2>"$T/err"
[ "$(field_names)" = 'doc_id,text,dense,sparse' ] || fail "bm25 --fields text,dense: $(field_names)"
header functions | grep -q '"name":"text_bm25"' || fail "bm25: function dropped with its input kept"
pick "$T/bm25.expect" doc_id,text,dense true >"$T/want"
same "$T/want"
mvs-export --uri "$src_URI" --collection bm25 --fields doc_id,dense -o "$T/out.mvs" 2>"$T/err"
[ "$(field_names)" = 'doc_id,dense' ] || fail "bm25 --fields doc_id,dense: $(field_names)"
[ "$(header functions)" = undefined ] || [ "$(header functions)" = '[]' ] || fail "bm25: function kept without its input"
grep -q 'dropping function "text_bm25"' "$T/err" || { cat "$T/err" >&2; fail "bm25: no note about the dropped function"; }

note "--filter: server-side, combined with the paging expression"
mvs-export --progress --uri "$src_URI" --collection all_types --filter 'i8 > 100 or i8 < -100' --batch-size 7 \
	-o "$T/out.mvs" 2>"$T/err"
pick "$T/all.expect" '' 'r.i8 > 100 || r.i8 < -100' >"$T/want"
[ -s "$T/want" ] || fail "the filter selects nothing; the test proves nothing"
same "$T/want"
grep -q "^mvs-export: $(wc -l <"$T/want") rows (100.0%)" "$T/err" ||
	{ cat "$T/err" >&2; fail "--filter: progress total is not the filtered count(*)"; }
mvs-export -q --uri "$src_URI" --collection all_types --filter 'vc like "s1%" and id > 10' -o "$T/out.mvs"
pick "$T/all.expect" '' 'r.vc !== null && r.vc.startsWith("s1") && r.id > 10' >"$T/want"
same "$T/want"

note "--partition: only those partitions, in the order given"
mvs-export -q --uri "$src_URI" --collection all_types --partition p2 --partition p1 --batch-size 5 -o "$T/out.mvs"
[ "$(header partitions)" = '["p2","p1"]' ] || fail "--partition: header partitions $(header partitions)"
pick "$T/all.expect" '' 'r.$partition === "p1" || r.$partition === "p2"' >"$T/want"
same "$T/want"
mvs-cat "$T/out.mvs" | node -e '
	const parts = require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => JSON.parse(l).$partition);
	const order = parts.filter((p, i) => i === 0 || parts[i - 1] !== p);
	if (order.join() !== "p2,p1") throw new Error("partition order: " + order.join());
' || fail "--partition: rows not in the order of the options"
mvs-export -q --uri "$src_URI" --collection all_types --partition p1 --filter 'i8 > 0' --fields fv -o "$T/out.mvs"
pick "$T/all.expect" 'id,fv,$meta' 'r.$partition === "p1" && r.i8 > 0' >"$T/want"
same "$T/want"

note "selections that do not fit fail before any row is read"
expect_exit 2 mvs-export --uri "$src_URI" --collection all_types --fields fv,nope -o "$T/bad.mvs"
grep -q 'no field "nope" in collection "all_types"' "$T/stderr" || { cat "$T/stderr" >&2; fail "--fields nope: message"; }
[ ! -e "$T/bad.mvs" ] && [ ! -e "$T/bad.mvs.part" ] || fail "a failed export left a file behind"
expect_exit 2 mvs-export --uri "$src_URI" --collection all_types --fields i32 -o "$T/bad.mvs"
grep -q 'no vector field' "$T/stderr" || { cat "$T/stderr" >&2; fail "--fields without a vector: message"; }
expect_exit 2 mvs-export --uri "$src_URI" --collection all_types --partition nope -o "$T/bad.mvs"
grep -q 'collection "all_types" has no partition "nope"' "$T/stderr" || { cat "$T/stderr" >&2; fail "--partition nope: message"; }
expect_exit 2 mvs-export --uri "$src_URI" --collection partition_key --partition _default -o "$T/bad.mvs"
grep -q 'has a partition key' "$T/stderr" || { cat "$T/stderr" >&2; fail "--partition on a partition-key collection: message"; }
# the second collection's mistake stops the export before the first is read
expect_exit 2 mvs-export --uri "$src_URI" --collection all_types --collection bm25 --partition p1 -o "$T/bad.mvs"
grep -q 'collection "bm25" has no partition "p1"' "$T/stderr" || { cat "$T/stderr" >&2; fail "second collection: message"; }
! grep -q 'exported' "$T/stderr" || fail "rows were read before all collections were checked"
expect_exit 6 mvs-export --uri "$src_URI" --collection bm25 --filter 'no_such_field > 1' -o "$T/bad.mvs"
grep -q 'no_such_field' "$T/stderr" || { cat "$T/stderr" >&2; fail "bad --filter: message"; }
expect_exit 6 mvs-export --uri "$src_URI" --collection all_types --filter 'i8 >' -o "$T/bad.mvs"
[ ! -e "$T/bad.mvs" ] && [ ! -e "$T/bad.mvs.part" ] || fail "a failed export left a file behind"
