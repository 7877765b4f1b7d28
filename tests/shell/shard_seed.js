// Seeds the collections of the shard tests (tests/shell/shard_*.sh) through the official Node SDK:
//   node shard_seed.js URI NAME...
// ints:  400 rows, Int64 keys from about -2^62 to 2^62 with both extremes of int64, partitions p1, p2
// words: 300 rows, VarChar keys with quotes, backslashes, spaces, non-ASCII and astral characters
// books: 120 rows, Int64 keys from -60 to 59
// Each has fields id (the key), n (Int64, the row number) and vec (FloatVector, dim 2), a FLAT index,
// and is loaded.
'use strict';

const { MilvusClient, DataType } = require(`${process.env.MVS_TOP}/tests/node_modules/@zilliz/milvus2-sdk-node`);

function check(what, r) {
	const st = r && r.status ? r.status : r;
	if (st.error_code !== 'Success')
		throw new Error(`${what}: ${JSON.stringify(st)}`);
}

async function make(client, name, pkType, keys, partitions) {
	const pk = pkType === DataType.VarChar ? { max_length: 64 } : {};
	check('create', await client.createCollection({ collection_name: name, fields: [
		{ name: 'id', data_type: pkType, is_primary_key: true, ...pk },
		{ name: 'n', data_type: DataType.Int64 },
		{ name: 'vec', data_type: DataType.FloatVector, dim: 2 },
	] }));
	for (const p of partitions)
		check('partition', await client.createPartition({ collection_name: name, partition_name: p }));
	const parts = ['_default', ...partitions];
	for (let part = 0; part < parts.length; part++) {
		const data = [];
		keys.forEach((k, i) => {
			if (i % parts.length === part)
				data.push({ id: k, n: String(i), vec: [i, -i] });
		});
		check('insert', await client.insert({ collection_name: name, partition_name: parts[part], data }));
	}
	check('index', await client.createIndex({ collection_name: name, field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' }));
	check('load', await client.loadCollectionSync({ collection_name: name }));
}

const COLLECTIONS = {
	ints: (client) => {
		const keys = ['-9223372036854775808', '9223372036854775807', '0', '-1', '1'];
		for (let i = 1; keys.length < 400; i++)
			keys.push(String(BigInt(i) * (i % 2 ? -1n : 1n) * (i % 7 === 0 ? 1234567890123n : 9973n) + BigInt(i % 5)));
		return make(client, 'ints', DataType.Int64, keys, ['p1', 'p2']);
	},
	words: (client) => {
		const parts = ['a', 'B', 'q"uote', 'back\\slash', 'é', 'ü', '中文', '😀', 'z z', '~'];
		const keys = [];
		for (let i = 0; i < 300; i++)
			keys.push(`${parts[i % parts.length]}${parts[(i * 7) % parts.length]}-${i}`);
		return make(client, 'words', DataType.VarChar, keys, []);
	},
	books: (client) => {
		const keys = [];
		for (let i = -60; i < 60; i++)
			keys.push(String(i));
		return make(client, 'books', DataType.Int64, keys, []);
	},
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
