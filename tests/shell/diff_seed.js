// Seeds the collections of the mvs-diff tests (tests/shell/diff_*.sh) through the official Node SDK:
//   node diff_seed.js URI NAME...
// books:     30 rows: id 1..30 (Int64 key), title "books I", year 2010+I, vec [I, 0.5, -1, 2] (dim 4),
//            for I = id - 1, over the partitions _default, novels and poems (I % 3)
// books_old: books as an older copy that drifted: no row 7, a row 31 (in _default), and row 5 with
//            the title "changed"
// notes:     12 rows with auto-ID keys (the server makes them): text "note I", vec (dim 4)
// Each has a FLAT index on vec and is loaded.
'use strict';

const { MilvusClient, DataType } = require(`${process.env.MVS_TOP}/tests/node_modules/@zilliz/milvus2-sdk-node`);

function check(what, r) {
	const st = r && r.status ? r.status : r;
	if (st.error_code !== 'Success')
		throw new Error(`${what}: ${JSON.stringify(st)}`);
}

async function finish(client, name) {
	check('index', await client.createIndex({ collection_name: name, field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' }));
	check('load', await client.loadCollectionSync({ collection_name: name }));
}

async function books(client, name, drift) {
	check('create', await client.createCollection({ collection_name: name, fields: [
		{ name: 'id', data_type: DataType.Int64, is_primary_key: true },
		{ name: 'title', data_type: DataType.VarChar, max_length: 128 },
		{ name: 'year', data_type: DataType.Int64 },
		{ name: 'vec', data_type: DataType.FloatVector, dim: 4 },
	] }));
	const parts = ['_default', 'novels', 'poems'];
	for (const p of parts.slice(1))
		check('partition', await client.createPartition({ collection_name: name, partition_name: p }));
	const ids = [...Array(30).keys()].map((i) => i + 1);
	if (drift)
		ids.splice(ids.indexOf(7), 1, 31);
	for (const id of ids) {
		const i = id - 1;
		const title = drift && id === 5 ? 'changed' : `books ${i}`;
		const data = [{ id: String(id), title, year: String(2010 + i), vec: [i, 0.5, -1, 2] }];
		check('insert', await client.insert({ collection_name: name, partition_name: parts[i % 3], data }));
	}
	await finish(client, name);
}

async function notes(client) {
	check('create', await client.createCollection({ collection_name: 'notes', fields: [
		{ name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: true },
		{ name: 'text', data_type: DataType.VarChar, max_length: 64 },
		{ name: 'vec', data_type: DataType.FloatVector, dim: 4 },
	] }));
	const data = [...Array(12).keys()].map((i) => ({ text: `note ${i}`, vec: [i, 1, 2, 3] }));
	check('insert', await client.insert({ collection_name: 'notes', data }));
	await finish(client, 'notes');
}

const COLLECTIONS = {
	books: (client) => books(client, 'books', false),
	books_old: (client) => books(client, 'books_old', true),
	notes,
};

(async () => {
	const [uri, ...names] = process.argv.slice(2);
	const client = new MilvusClient({ address: uri, logLevel: 'error' });
	for (const name of names) {
		if (!COLLECTIONS[name])
			throw new Error(`unknown collection ${name}`);
		await COLLECTIONS[name](client);
	}
	await client.closeConnection();
})().catch((e) => {
	console.error(e);
	process.exit(1);
});
