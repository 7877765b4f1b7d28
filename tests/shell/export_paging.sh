#!/usr/bin/env bash
# mvs-export's primary-key paging: pages that come back shorter or longer than asked (--page-jitter,
# as Milvus's reduce_stop_for_best does) and small pages (--batch-size 7) still give exactly the seeded
# rows, for Int64 and VarChar keys and across partitions; and the whole collection is read from one
# MVCC snapshot (session_ts), so rows inserted or deleted while the export runs do not change it.
. "$MVS_TOP/tests/lib.sh"
need_node
# compare_rows EXPECT STREAM: the stream's rows are exactly the seeded ones (sdk.js compare, told
# the field types by the stream's header so Float values compare as float32)
compare_rows() {
	{ printf '{"schema":'; mvs-cat --header "$2" | tr -d '\n'; printf '}\n'; mvs-cat "$2"; } >"$T/compare.jsonl"
	sdk compare "$1" "$T/compare.jsonl" >/dev/null
}

# exact URI COLLECTION EXPECT [options]: the export's rows are exactly EXPECT's
exact() {
	local uri=$1 collection=$2 expect=$3; shift 3
	mvs-export -q --uri "$uri" --collection "$collection" "$@" -o "$T/out.mvs"
	mvs-cat "$T/out.mvs" >"$T/got"
	[ "$(wc -l <"$T/got")" -eq "$(wc -l <"$expect")" ] ||
		fail "$collection $*: $(wc -l <"$T/got") rows, $(wc -l <"$expect") expected"
	compare_rows "$expect" "$T/out.mvs" || fail "$collection $*: rows differ"
}

note "jittered pages"
fake_start jit --page-jitter
sdk seed --uri "$jit_URI" --scenario varchar-pk --rows 300 --expect "$T/vc.expect" >/dev/null
sdk seed --uri "$jit_URI" --scenario all-types --rows 120 --expect "$T/at.expect" >/dev/null
sdk seed --uri "$jit_URI" --scenario wide --rows 40000 --dim 4 --expect "$T/wide.expect" >/dev/null
for pages in 1 7 ""; do
	exact "$jit_URI" varchar_pk "$T/vc.expect" ${pages:+--batch-size "$pages"}
	exact "$jit_URI" all_types "$T/at.expect" ${pages:+--batch-size "$pages"}
done
# full-window pages (16384 asked, up to 24576 given) and a page-size bound from --max-recv-bytes
exact "$jit_URI" wide "$T/wide.expect" --batch-size 16384
exact "$jit_URI" wide "$T/wide.expect" --max-recv-bytes 65536 --batch-size 999

note "one MVCC snapshot for the whole export"
fake_start snap
sdk seed --uri "$snap_URI" --scenario wide --rows 60000 --dim 8 >/dev/null
# Passes the stream through; after its first bytes arrived (the export has read its first page and
# holds its snapshot) it inserts rows after the last key and deletes the last ten, then lets the
# rest through. The export blocks on the full pipe meanwhile, so most pages are read afterwards.
cat >"$T/meddle.js" <<'EOF'
const { MilvusClient } = require(process.env.MVS_TOP + '/tests/node_modules/@zilliz/milvus2-sdk-node');
const client = new MilvusClient({ address: process.argv[2], logLevel: 'error' });
const check = (what, st) => {
	if (st.error_code !== 'Success')
		throw new Error(`${what}: ${JSON.stringify(st)}`);
};
process.stdin.once('data', async (first) => {
	process.stdin.pause();
	process.stdout.write(first);
	const data = Array.from({ length: 10 }, (_, i) => ({
		id: String(1000000 + i), vec: Array(8).fill(0.5), title: `late ${i}`, score: 1, cat: 1,
	}));
	check('insert', (await client.insert({ collection_name: 'wide', data })).status);
	check('delete', (await client.delete({ collection_name: 'wide', filter: 'id >= 59990 and id < 60000' })).status);
	process.stderr.write('meddled\n');
	process.stdin.pipe(process.stdout);
	process.stdin.resume();
});
EOF
mvs-export -q --uri "$snap_URI" --collection wide --batch-size 1000 | node "$T/meddle.js" "$snap_URI" >"$T/snap.mvs" 2>"$T/meddle.err"
grep -q meddled "$T/meddle.err" || { cat "$T/meddle.err" >&2; fail "the rows were not changed during the export"; }
mvs-cat --verify "$T/snap.mvs" | grep -q ', 60000 rows,' || fail "snapshot: row count $(mvs-cat --verify "$T/snap.mvs")"
mvs-cat "$T/snap.mvs" >"$T/got"
grep -q '"id":59999,' "$T/got" || fail "snapshot: a row deleted during the export is missing"
! grep -q '"id":1000000,' "$T/got" || fail "snapshot: a row inserted during the export was exported"
# the changes are real: a new export sees them
mvs-export -q --uri "$snap_URI" --collection wide -o "$T/after.mvs"
mvs-cat "$T/after.mvs" >"$T/got"
grep -q '"id":1000000,' "$T/got" && ! grep -q '"id":59999,' "$T/got" || fail "the changes did not happen"
