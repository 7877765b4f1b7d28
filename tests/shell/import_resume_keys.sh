#!/usr/bin/env bash
# The resume command mvs-import prints after a failure, run exactly as printed (only SOURCE and "(the
# same options)" filled in), with VarChar keys of several KiB full of double and single quotes,
# backslashes, $, backticks, spaces, tabs, newlines and non-ASCII UTF-8: the printed filter is one
# shell word holding a valid Milvus filter literal of the whole last key written (not cut short,
# whatever its length), and the resume gives the target exactly the source's rows, none missing, none
# doubled. Two failures of `mvs-export | mvs-import`: the target answers an Insert with bytes that are
# not a reply (its rows may be there: the resume is an upsert), and the source answers a Query page
# with such bytes (the export aborts; the resume is a plain insert into a target that keeps duplicate
# keys, so a row written twice would show).
. "$MVS_TOP/tests/lib.sh"
need_node

# seed.js URI KEYS_FILE: the collection "keys" (pk VarChar, n Int64, vec), 300 rows whose keys are
# 6 to 18 KiB of awkward text, zero-padded row numbers first (so key order is row order); writes the
# keys in order to KEYS_FILE as JSON.
cat >"$T/seed.js" <<'EOF'
const fs = require('fs');
const { MilvusClient, DataType } = require(process.env.MVS_TOP + '/tests/node_modules/@zilliz/milvus2-sdk-node');
const [uri, keysFile] = process.argv.slice(2);
const check = (what, r) => {
	const st = r && r.status ? r.status : r;
	if (st.error_code !== 'Success')
		throw new Error(`${what}: ${JSON.stringify(st)}`);
};
const piece = `"double" 'single' '\\'' back\\slash \\" \\\\ $HOME \${x} \`id\` $(true); a  b\ttab\nnew line ü € 😀 ß `;
const key = (i) => `${String(i).padStart(4, '0')} ${piece.repeat(60 + (i % 7) * 20)}end of ${i} "'\\`;
(async () => {
	const client = new MilvusClient({ address: uri, logLevel: 'error' });
	check('create', await client.createCollection({ collection_name: 'keys', fields: [
		{ name: 'pk', data_type: DataType.VarChar, is_primary_key: true, max_length: 65535 },
		{ name: 'n', data_type: DataType.Int64 },
		{ name: 'vec', data_type: DataType.FloatVector, dim: 4 },
	] }));
	const keys = [];
	for (let from = 0; from < 300; from += 50) {
		const data = [];
		for (let i = from; i < from + 50; i++) {
			keys.push(key(i));
			data.push({ pk: key(i), n: String(i), vec: [i, 0.5, -1, i % 3] });
		}
		check('insert', await client.insert({ collection_name: 'keys', data }));
	}
	check('index', await client.createIndex({ collection_name: 'keys', field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' }));
	check('load', await client.loadCollectionSync({ collection_name: 'keys' }));
	fs.writeFileSync(keysFile, JSON.stringify(keys));
})().catch((e) => {
	console.error(e);
	process.exit(1);
});
EOF

# lastkey.js FILTER KEYS_FILE ROWS: the filter is `pk > "LITERAL"` (Milvus's escapes) whose text is
# the key of row ROWS-1, whole; prints that key's length in bytes.
cat >"$T/lastkey.js" <<'EOF'
const [filter, keysFile, rows] = process.argv.slice(2);
const keys = JSON.parse(require('fs').readFileSync(keysFile, 'utf8'));
const m = /^pk > "((?:[^"\\]|\\.)*)"$/s.exec(filter);
if (!m)
	throw new Error(`not one quoted key: ${filter.slice(0, 60)}...${filter.slice(-60)} (${filter.length} chars)`);
const esc = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
const text = m[1].replace(/\\(x[0-9a-f]{2}|.)/g, (_, e) => e[0] === 'x' ? String.fromCharCode(parseInt(e.slice(1), 16)) : esc[e]);
if (text !== keys[rows - 1])
	throw new Error(`the literal (${Buffer.byteLength(text)} bytes) is not the key of row ${rows - 1} (${Buffer.byteLength(keys[rows - 1])} bytes)`);
console.log(Buffer.byteLength(text));
EOF

fake_start src
node "$T/seed.js" "$src_URI" "$T/keys.json"
sdk dump --uri "$src_URI" --collection keys --out "$T/src.jsonl" >/dev/null
rows=$(($(wc -l <"$T/src.jsonl") - 1))
[ "$rows" -eq 300 ] || fail "the source holds $rows rows"

# resume NAME REPORT TARGET_URI WRITTEN MODE: checks REPORT's rows-written line (WRITTEN rows) and
# runs its resume command (into mvs-import --mode MODE: insert or upsert) with sh -c, SOURCE replaced
# by the source's URI and the options in parentheses by the target's; then the target holds exactly
# the source's rows (count(*) and every value).
resume() {
	local name=$1 report=$2 dst=$3 written=$4 mode=$5 line cmd bytes count
	grep -q "^mvs-import: $written rows were written into \"keys\": the stream's rows up to the last primary key written, \"" \
		"$report" || { cat "$report" >&2; fail "$name: no rows written line"; }
	line=$(sed -n 's/^mvs-import: to resume, import the rest\( with --mode upsert, which replaces the rows that may be there\)\{0,1\}: //p' "$report")
	[ -n "$line" ] || { cat "$report" >&2; fail "$name: no resume command"; }
	# the collection has one partition, _default: none after it to export
	! grep "^mvs-import: then export the partitions after" "$report" | grep -vq '"_default"' ||
		{ cat "$report" >&2; fail "$name: partitions after _default?"; }
	case $line in
	"mvs-export --uri SOURCE --collection keys "*" | mvs-import --mode upsert (otherwise the same options)")
		[ "$mode" = upsert ] || fail "$name: the resume upserts"
		cmd="${line% (otherwise the same options)} --uri $dst --collection keys -q" ;;
	"mvs-export --uri SOURCE --collection keys "*" | mvs-import (the same options)")
		[ "$mode" = insert ] || fail "$name: the resume inserts"
		cmd="${line% (the same options)} --uri $dst --collection keys -q" ;;
	*) fail "$name: resume command not understood: ${line:0:200}..." ;;
	esac
	cmd="mvs-export --uri $src_URI${cmd#mvs-export --uri SOURCE}"
	# the filter, as the shell hands it to mvs-export: the whole last key written, as a literal
	eval "set -- ${cmd%% | mvs-import *}"
	while [ $# -gt 0 ] && [ "$1" != --filter ]; do shift; done
	[ $# -ge 2 ] || fail "$name: no --filter in: ${line:0:200}..."
	bytes=$(node "$T/lastkey.js" "$2" "$T/keys.json" "$written") || { cat "$report" >&2; fail "$name: the printed filter"; }
	[ "$bytes" -gt 3000 ] || fail "$name: the last key written has only $bytes bytes"
	sh -c "$cmd" || fail "$name: the printed resume failed: ${cmd:0:200}..."
	sdk create-index --uri "$dst" --collection keys --field vec --index-type FLAT --metric L2 >/dev/null
	sdk load --uri "$dst" --collection keys >/dev/null
	count=$(sdk count --uri "$dst" --collection keys)
	[ "$count" -eq "$rows" ] || fail "$name: count(*) is $count after the resume, not $rows"
	sdk dump --uri "$dst" --collection keys --out "$T/dst.jsonl" >/dev/null
	sdk compare "$T/src.jsonl" "$T/dst.jsonl" --ignore-schema-keys indexes >"$T/compare" 2>&1 ||
		{ head -c 2000 "$T/compare" >&2; fail "$name: the resumed copy differs from the source"; }
	note "$name: resumed ($mode) after the key of row $written ($bytes bytes; a ${#line}-byte command): $rows rows exact"
}

# written REPORT: the number of rows REPORT says were written (fails when none)
written() {
	local n
	n=$(sed -n 's/^mvs-import: \([0-9]*\) rows were written into "keys".*/\1/p' "$1")
	[ "${n:-0}" -gt 0 ] || { cat "$1" >&2; fail "no rows written: $1"; }
	echo "$n"
}

# The target answers the 20th Insert (requests of 10 rows, one at a time) with bytes that are not a
# reply: the rows of the batches before it are written, that request's rows are uncertain (they are
# there), so the resume upserts. (The first batch, sent once the collection exists, spans several
# requests; the 20th falls well after it.)
fake_start dst --malformed-reply Insert:20 --insert-duplicates
rc=0
mvs-export --uri "$src_URI" --collection keys -q |
	mvs-import --uri "$dst_URI" --collection keys --batch-rows 10 --inflight 1 -q 2>"$T/report" || rc=$?
[ $rc -eq 6 ] || { cat "$T/report" >&2; fail "bad Insert reply: mvs-import exited $rc, not 6"; }
resume "bad Insert reply" "$T/report" "$dst_URI" "$(written "$T/report")" upsert

# The source answers a Query page with bytes that are not a reply: mvs-export aborts its stream after
# the rows before it, mvs-import writes them and stops (exit 5); the resume inserts the rest.
fake_start srcq --malformed-reply Query:5
node "$T/seed.js" "$srcq_URI" "$T/keys2.json"
cmp -s "$T/keys.json" "$T/keys2.json" || fail "the two sources hold different keys"
fake_start dst2 --insert-duplicates
rc=0
mvs-export --uri "$srcq_URI" --collection keys --batch-size 40 -q 2>/dev/null |
	mvs-import --uri "$dst2_URI" --collection keys --batch-rows 10 -q 2>"$T/report2" || rc=$?
[ $rc -eq 5 ] || { cat "$T/report2" >&2; fail "bad Query reply: mvs-import exited $rc, not 5"; }
resume "bad Query reply" "$T/report2" "$dst2_URI" "$(written "$T/report2")" insert
