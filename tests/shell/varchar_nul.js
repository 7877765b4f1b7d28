// The rows of tests/shell/varchar_nul.sh, written and checked through the official Node SDK (never
// through mvs):
//   node varchar_nul.js seed URI                      creates, fills, indexes and loads collection "nul"
//   node varchar_nul.js check URI COLLECTION [FIELD...] the collection holds exactly those rows (only the
//                                                      given fields; all of them by default) and field d
//                                                      has the default value "d\0v"
// Every primary key and many values hold U+0000: alone, leading, trailing, repeated, next to quotes and
// backslashes, in keys that are prefixes of each other (so the keys' order depends on the NUL bytes),
// in VarChar arrays, in JSON strings, in the dynamic field and in a default value. Field pad makes each
// row about 60 KB, so a stream of the collection spans four rows frames.
'use strict';

const { MilvusClient, DataType } = require(`${process.env.MVS_TOP}/tests/node_modules/@zilliz/milvus2-sdk-node`);

const STEMS = ['', 'a', 'a\0', 'q"', 'b\\', "it's", '\u00e9', '\u{1F600}'];
const TAILS = ['\0', '\0\0', '\0a', '\0\0\0', 'a\0b', '\x01\0', '\n\0', '\0"\\'];
const KEYS = [...new Set(STEMS.flatMap((s) => TAILS.map((t) => s + t)))];
const VALUES = ['\0', '\0lead', 'trail\0', 'rep\0\0\0eat', '\0\0', '', 'plain', 'mid\0dle \u65e5\0\u{1F600}'];
const TAGS = ['\0', 'x\0y', '', '\0\0'];
const DEFAULT = 'd\0v';
const PAD = 60000;

function row(i) {
	const r = {
		pk: KEYS[i],
		vec: [i, -i],
		s: VALUES[i % VALUES.length],
		pad: `${'x'.repeat(PAD)}\0${i}`,
		tags: TAGS.slice(0, i % (TAGS.length + 1)),
		j: { k: 'a\0b', n: i, arr: ['\0', `\0${i}\0`] },
		extra: `dyn\0${i}`,
	};
	if (i % 3 !== 0)
		r.d = `v\0${i}`;
	return r;
}

function check(what, r) {
	const st = r && r.status ? r.status : r;
	if (st.error_code !== 'Success')
		throw new Error(`${what}: ${JSON.stringify(st)}`);
}

async function seed(client) {
	check('create', await client.createCollection({
		collection_name: 'nul',
		enable_dynamic_field: true,
		fields: [
			{ name: 'pk', data_type: DataType.VarChar, is_primary_key: true, max_length: 32 },
			{ name: 'vec', data_type: DataType.FloatVector, dim: 2 },
			{ name: 's', data_type: DataType.VarChar, max_length: 64 },
			{ name: 'pad', data_type: DataType.VarChar, max_length: PAD + 16 },
			{ name: 'tags', data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: 4, max_length: 8 },
			{ name: 'j', data_type: DataType.JSON },
			{ name: 'd', data_type: DataType.VarChar, max_length: 16, default_value: DEFAULT },
		],
	}));
	check('insert', await client.insert({ collection_name: 'nul', data: KEYS.map((_, i) => row(i)) }));
	check('index', await client.createIndex({ collection_name: 'nul', field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' }));
	check('load', await client.loadCollectionSync({ collection_name: 'nul' }));
}

// Orders keys as Milvus does: by their UTF-8 bytes.
const byKey = (a, b) => Buffer.compare(Buffer.from(a.pk, 'utf8'), Buffer.from(b.pk, 'utf8'));

// One row's fields, in a fixed order, as JSON text (U+0000 shows as \u0000). Query results hold the
// dynamic key in $meta; a row left without d holds the default value.
function canonical(r, fields) {
	const out = {};
	for (const f of fields) {
		if (f === 'extra' && r.$meta)
			out[f] = r.$meta.extra;
		else
			out[f] = f === 'd' && r.d === undefined ? DEFAULT : r[f];
	}
	return JSON.stringify(out);
}

async function verify(client, collection, fields) {
	const desc = await client.describeCollection({ collection_name: collection });
	check('describe', desc);
	if (fields.includes('d')) {
		const d = desc.schema.fields.find((f) => f.name === 'd');
		if (!d || d.default_value !== DEFAULT)
			throw new Error(`${collection}: default value of d is ${JSON.stringify(d && d.default_value)}, want ${JSON.stringify(DEFAULT)}`);
	}
	const res = await client.query({ collection_name: collection, filter: '', limit: 16384, output_fields: ['*'] });
	check('query', res);
	const want = KEYS.map((_, i) => row(i)).sort(byKey).map((r) => canonical(r, fields));
	const got = res.data.sort(byKey).map((r) => canonical(r, fields));
	if (got.length !== want.length)
		throw new Error(`${collection}: ${got.length} rows, ${want.length} expected`);
	for (let i = 0; i < want.length; i++) {
		if (got[i] === want[i])
			continue;
		let at = 0;
		while (got[i][at] === want[i][at])
			at++;
		const from = Math.max(0, at - 60);
		throw new Error(`${collection}: row ${i} differs at character ${at}:\n  got  ...${got[i].slice(from, at + 80)}\n  want ...${want[i].slice(from, at + 80)}`);
	}
}

(async () => {
	const [cmd, uri, collection, ...fields] = process.argv.slice(2);
	const client = new MilvusClient({ address: uri, logLevel: 'error' });
	if (cmd === 'seed')
		await seed(client);
	else if (cmd === 'check')
		await verify(client, collection, fields.length ? fields : ['pk', 'vec', 's', 'pad', 'tags', 'j', 'extra', 'd']);
	else
		throw new Error(`unknown command ${cmd}`);
	await client.closeConnection();
})().catch((e) => {
	console.error(e.message || e);
	process.exit(1);
});
