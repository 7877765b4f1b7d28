#!/usr/bin/env bash
# The EXAMPLES of man/mvs-export.1 run as written (the "$ " lines, in order, in one directory), with
# src.example:19530 and dst.example:19530 standing for test servers holding a "books" collection
# (partitions novels and poems) and a "shop" database, so the documentation cannot rot. Examples
# with --user run against a third server that requires the user "backup".
. "$MVS_TOP/tests/lib.sh"
need_node

fake_start src
fake_start dst
fake_start auth --user backup --password 'b4ckup'

# seed.js URI [USER PASSWORD]: books (id, title, year, vec; 30 rows over _default, novels, poems) in
# the default database, orders in database "shop"
cat >"$T/seed.js" <<'EOF'
const { MilvusClient, DataType } = require(process.env.MVS_TOP + '/tests/node_modules/@zilliz/milvus2-sdk-node');
const [uri, username, password] = process.argv.slice(2);
const check = (what, r) => {
	const st = r && r.status ? r.status : r;
	if (st.error_code !== 'Success')
		throw new Error(`${what}: ${JSON.stringify(st)}`);
};
async function collection(client, name, partitions, rows) {
	check('create', await client.createCollection({ collection_name: name, fields: [
		{ name: 'id', data_type: DataType.Int64, is_primary_key: true },
		{ name: 'title', data_type: DataType.VarChar, max_length: 128 },
		{ name: 'year', data_type: DataType.Int64 },
		{ name: 'vec', data_type: DataType.FloatVector, dim: 4 },
	] }));
	for (const p of partitions)
		check('partition', await client.createPartition({ collection_name: name, partition_name: p }));
	const parts = ['_default', ...partitions];
	for (let i = 0; i < rows; i++) {
		const data = [{ id: String(i + 1), title: `${name} ${i}`, year: String(2010 + i), vec: [i, 0.5, -1, 2] }];
		check('insert', await client.insert({ collection_name: name, partition_name: parts[i % parts.length], data }));
	}
	check('index', await client.createIndex({ collection_name: name, field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' }));
	check('load', await client.loadCollectionSync({ collection_name: name }));
}
(async () => {
	const auth = username ? { username, password } : {};
	const client = new MilvusClient({ address: uri, logLevel: 'error', ...auth });
	await collection(client, 'books', ['novels', 'poems'], 30);
	check('database', await client.createDatabase({ db_name: 'shop' }));
	const shop = new MilvusClient({ address: uri, logLevel: 'error', database: 'shop', ...auth });
	await collection(shop, 'orders', [], 5);
})().catch((e) => {
	console.error(e);
	process.exit(1);
});
EOF
node "$T/seed.js" "$src_URI"
node "$T/seed.js" "$auth_URI" backup 'b4ckup'

cd "$T"
printf 'b4ckup\n' >pass.txt
chmod 600 pass.txt
have_zstd=false
command -v zstd >/dev/null && have_zstd=true

# "$ " lines of .EX blocks, with the roff escapes for '-' and '\' undone
sed -n '/^\.EX/,/^\.EE/s/^\$ //p' "$MVS_TOP/man/mvs-export.1" | sed 's/\\-/-/g; s/\\e/\\/g' >examples
[ -s examples ] || fail "no examples found"
ran=0
while IFS= read -r example; do
	case "$example" in
	*zstd*) $have_zstd || { note "zstd missing: $example"; continue; } ;;
	esac
	src=$src_URI
	case "$example" in *--user*) src=$auth_URI ;; esac
	run=${example//src.example:19530/$src}
	run=${run//dst.example:19530/$dst_URI}
	rc=0
	bash -c "$run" >out 2>err </dev/null || rc=$?
	[ $rc -eq 0 ] || { cat err >&2; fail "exit $rc: $example"; }
	! grep -v -e '^mvs-export: exported [0-9]* rows from ' -e '^mvs-import: ' err >&2 || fail "printed on stderr: $example"
	ran=$((ran + 1))
done <examples
note "$ran examples ran"

# what the examples did
mvs-export -q --uri "$dst_URI" --collection books | mvs-cat --verify |
	grep -q '^ok: collection books, 30 rows, 3 partitions' || fail "books not copied to dst"
mvs-cat --verify shop.mvs | grep -q '^ok: collection orders, 5 rows' || fail "shop.mvs: $(mvs-cat --verify shop.mvs)"
if $have_zstd; then
	zstd -dc books.mvs.zst | mvs-cat --verify | grep -q '^ok: collection books, 30 rows, 3 partitions' ||
		fail "books.mvs.zst"
fi
mvs-cat --header recent.mvs | grep -q '"fields":\[{"name":"id".*{"name":"title".*{"name":"vec"[^]]*\],"partitions":\["novels","poems"\]' ||
	fail "recent.mvs: header $(mvs-cat --header recent.mvs)"
mvs-cat recent.mvs | node -e '
	const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => JSON.parse(l));
	// years 2010 + i for i = 0..29; novels hold i % 3 == 1, poems i % 3 == 2; year >= 2020 means i >= 10
	const want = [...Array(30).keys()].filter((i) => i >= 10 && i % 3 !== 0).map((i) => i + 1).sort((a, b) => a - b);
	const got = rows.map((r) => r.id).sort((a, b) => a - b);
	if (JSON.stringify(got) !== JSON.stringify(want) || rows.some((r) => "year" in r))
		throw new Error("recent.mvs rows: " + JSON.stringify(rows));
' || fail "recent.mvs: rows"
