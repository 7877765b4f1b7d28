#!/usr/bin/env node
// Protocol checks of tests/fake-milvus with a raw gRPC client (the official proto definitions, no SDK
// logic in between): schema validation, insert validation, query semantics, MVCC iterator sessions,
// errors and the fault knobs. Usage: fake_protocol.js --uri HOST:PORT [--user U --password P] CHECK
// where CHECK is one of the groups below. Prints "ok: CHECK" or the first failed expectation (exit 1).
'use strict';

const assert = require('assert');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');
const milvusJson = require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js').default;

const OPTS = { keepCase: true, longs: String, enums: Number, defaults: true, oneofs: true };
const Service = grpc.loadPackageDefinition(protoLoader.fromJSON(milvusJson, OPTS)).milvus.proto.milvus.MilvusService;
const root = protobuf.Root.fromJSON(milvusJson);
const CollectionSchema = root.lookupType('milvus.proto.schema.CollectionSchema');
const DT = root.lookupEnum('milvus.proto.schema.DataType').values;

// ---- client ----

let client, metadata;

function rpc(method, req, md) {
	return new Promise((resolve) => {
		client[method](req, md || metadata, { deadline: Date.now() + 60000 }, (err, res) => resolve({ err, res }));
	});
}

async function ok(method, req) {
	const { err, res } = await rpc(method, req);
	assert.ifError(err);
	const st = res.status && typeof res.status === 'object' ? res.status : res;
	assert.strictEqual(st.code, 0, `${method} failed: ${st.reason}`);
	return res;
}

// Expects a failed Status with the merr code (and legacy error_code when given) and reason substring.
async function failsWith(method, req, code, reasonPart, legacy) {
	const { err, res } = await rpc(method, req);
	assert.ifError(err);
	const st = res.status && typeof res.status === 'object' ? res.status : res;
	assert.strictEqual(st.code, code, `${method}: expected code ${code}, got ${st.code} (${st.reason})`);
	if (reasonPart)
		assert.ok(st.reason.includes(reasonPart), `${method}: reason "${st.reason}" lacks "${reasonPart}"`);
	if (legacy !== undefined)
		assert.strictEqual(st.error_code, legacy, `${method}: legacy error_code ${st.error_code} != ${legacy}`);
	return st;
}

async function grpcFails(method, req, grpcCode) {
	const { err } = await rpc(method, req);
	assert.ok(err, `${method}: expected gRPC error ${grpcCode}, got success`);
	assert.strictEqual(err.code, grpcCode, `${method}: gRPC code ${err.code} (${err.details}) != ${grpcCode}`);
	return err;
}

// ---- request builders ----

const kv = (obj) => Object.entries(obj).map(([key, value]) => ({ key, value: String(value) }));

function field(name, type, extra) {
	const f = { name, data_type: type, ...extra };
	if (extra && extra.params) {
		f.type_params = kv(extra.params);
		delete f.params;
	}
	return f;
}

function createReq(name, fields, extra) {
	const schema = { name, fields, enable_dynamic_field: !!(extra && extra.dynamic), functions: (extra && extra.functions) || [] };
	const bytes = CollectionSchema.encode(CollectionSchema.fromObject(schema)).finish();
	return { collection_name: name, schema: bytes, shards_num: 1, properties: kv((extra && extra.properties) || {}),
		num_partitions: (extra && extra.num_partitions) || 0 };
}

const col = {
	int64: (name, values, valid) => ({ type: DT.Int64, field_name: name, scalars: { long_data: { data: values.map(String) } }, valid_data: valid || [] }),
	int32: (name, values, valid, type) => ({ type: type || DT.Int32, field_name: name, scalars: { int_data: { data: values } }, valid_data: valid || [] }),
	str: (name, values, valid) => ({ type: DT.VarChar, field_name: name, scalars: { string_data: { data: values } }, valid_data: valid || [] }),
	json: (name, values, dynamic) => ({ type: DT.JSON, field_name: name, is_dynamic: !!dynamic,
		scalars: { json_data: { data: values.map((v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v))) } } }),
	arrayInt: (name, rows) => ({ type: DT.Array, field_name: name,
		scalars: { array_data: { element_type: DT.Int32, data: rows.map((r) => ({ int_data: { data: r } })) } } }),
	fvec: (name, dim, rows, valid) => ({ type: DT.FloatVector, field_name: name, vectors: { dim, float_vector: { data: rows.flat() } }, valid_data: valid || [] }),
	sparse: (name, rows) => ({ type: DT.SparseFloatVector, field_name: name, vectors: { dim: 1000,
		sparse_float_vector: { dim: 1000, contents: rows.map((pairs) => {
			const b = Buffer.alloc(pairs.length * 8);
			pairs.forEach(([i, v], k) => {
				b.writeUInt32LE(i, k * 8);
				b.writeFloatLE(v, k * 8 + 4);
			});
			return b;
		}) } } }),
};

function insertReq(collection, n, fields, extra) {
	return { collection_name: collection, num_rows: n, fields_data: fields, ...extra };
}

function queryReq(collection, expr, outputs, params, extra) {
	return { collection_name: collection, expr, output_fields: outputs || [], query_params: kv(params || {}), ...extra };
}

function column(res, name) {
	const f = res.fields_data.find((x) => x.field_name === name);
	assert.ok(f, `no column ${name} in result (${res.fields_data.map((x) => x.field_name)})`);
	return f;
}

function values(res, name) {
	const f = column(res, name);
	if (f.scalars)
		return f.scalars[f.scalars.data].data;
	return f.vectors;
}

const range = (n, from) => Array.from({ length: n }, (_, i) => i + (from || 0));

// A loaded collection "docs": id Int64 PK, v FloatVector dim 2, s VarChar(16) nullable, n Int32 default 5.
async function makeDocs(name, rows, extra) {
	await ok('CreateCollection', createReq(name, [
		field('id', DT.Int64, { is_primary_key: true }),
		field('v', DT.FloatVector, { params: { dim: 2 } }),
		field('s', DT.VarChar, { params: { max_length: 16 }, nullable: true }),
		field('n', DT.Int32, { default_value: { int_data: 5 } }),
	], extra));
	if (rows.length)
		await ok('Insert', insertReq(name, rows.length, [col.int64('id', rows), col.fvec('v', 2, rows.map((i) => [i, -i]))]));
	await ok('CreateIndex', { collection_name: name, field_name: 'v', extra_params: kv({ index_type: 'FLAT', metric_type: 'L2' }) });
	await ok('LoadCollection', { collection_name: name });
}

// ---- check groups ----

const checks = {};

checks.schema = async () => {
	const v = field('v', DT.FloatVector, { params: { dim: 4 } });
	const pk = field('id', DT.Int64, { is_primary_key: true });
	const bad = [
		[[v], 'primary key is not specified'],
		[[pk, field('id2', DT.Int64, { is_primary_key: true }), v], 'more than one primary key'],
		[[field('id', DT.Float, { is_primary_key: true }), v], 'primary key should be Int64 or VarChar'],
		[[pk, field('v', DT.FloatVector)], 'dimension is not defined'],
		[[pk, field('v', DT.FloatVector, { params: { dim: 1 } })], 'invalid dimension'],
		[[pk, field('b', DT.BinaryVector, { params: { dim: 12 } })], 'multiple of 8'],
		[[pk, v, field('s', DT.VarChar)], 'max_length'],
		[[pk, v, field('a', DT.Array, { element_type: DT.Int32 })], 'max_capacity'],
		[[pk, v, field('$meta', DT.JSON)], '$meta'],
		[[pk, v, field('k1', DT.Int64, { is_partition_key: true }), field('k2', DT.Int64, { is_partition_key: true })], 'more than one partition key'],
		[[pk, field('x', DT.Int64)], 'vector field'],
	];
	for (const [fields, msg] of bad)
		await failsWith('CreateCollection', createReq('bad', fields), 1100, msg, 5);
	const mismatch = createReq('bad', [pk, v]);
	mismatch.collection_name = 'other';
	await failsWith('CreateCollection', mismatch, 1100, 'not matches schema name');
	await failsWith('CreateCollection', createReq('bad', [pk, v], { num_partitions: 4 }), 1100, 'partition key');

	// Partition-key collections: 64 server-made partitions by default, no CreatePartition.
	await ok('CreateCollection', createReq('pk_coll', [pk, v, field('t', DT.VarChar, { params: { max_length: 8 }, is_partition_key: true })]));
	const parts = await ok('ShowPartitions', { collection_name: 'pk_coll' });
	assert.strictEqual(parts.partition_names.length, 64);
	assert.strictEqual(parts.partition_names[0], '_default_0');
	await failsWith('CreatePartition', { collection_name: 'pk_coll', partition_name: 'p' }, 1100, 'partition key');
	// Same request again is accepted; a different one is not.
	await ok('CreateCollection', createReq('pk_coll', [pk, v, field('t', DT.VarChar, { params: { max_length: 8 }, is_partition_key: true })]));
	await failsWith('CreateCollection', createReq('pk_coll', [pk, v]), 1100, 'duplicate collection');

	// DescribeCollection: user fields only ($meta dropped), IDs from 100, properties kept.
	await ok('CreateCollection', createReq('dyn', [pk, v], { dynamic: true, properties: { 'collection.ttl.seconds': 60 } }));
	const d = await ok('DescribeCollection', { collection_name: 'dyn' });
	assert.deepStrictEqual(d.schema.fields.map((f) => f.name), ['id', 'v']);
	assert.deepStrictEqual(d.schema.fields.map((f) => f.fieldID), ['100', '101']);
	assert.strictEqual(d.schema.enable_dynamic_field, true);
	assert.deepStrictEqual(d.properties, [{ key: 'collection.ttl.seconds', value: '60' }]);
	assert.strictEqual(d.shards_num, 1);
	assert.ok(BigInt(d.update_timestamp) > 0n);
	await failsWith('DescribeCollection', { collection_name: 'nope' }, 100, 'collection not found', 4);

	// Databases: dbname metadata routes calls; unknown database is code 800.
	await ok('CreateDatabase', { db_name: 'second' });
	const md = new grpc.Metadata();
	for (const [k, val] of metadata.toJSON ? Object.entries(metadata.getMap()) : [])
		md.set(k, val);
	md.set('dbname', 'second');
	const { res } = await rpc('HasCollection', { collection_name: 'dyn' }, md);
	assert.strictEqual(res.value, false);
	const dbs = await ok('ListDatabases', {});
	assert.deepStrictEqual(dbs.db_names, ['default', 'second']);
	await failsWith('HasCollection', { db_name: 'missing', collection_name: 'x' }, 800, 'database not found');
	await ok('DropDatabase', { db_name: 'second' });

	// Index and load: load needs an index on every vector field (code 700).
	await failsWith('LoadCollection', { collection_name: 'dyn' }, 700, 'index not found', 25);
	await failsWith('DescribeIndex', { collection_name: 'dyn' }, 700, 'index not found', 25);
	await ok('CreateIndex', { collection_name: 'dyn', field_name: 'v', extra_params: kv({ index_type: 'HNSW', metric_type: 'L2', params: '{"M":8}' }) });
	const idx = await ok('DescribeIndex', { collection_name: 'dyn' });
	assert.strictEqual(idx.index_descriptions[0].index_name, '_default_idx_101');
	assert.deepStrictEqual(idx.index_descriptions[0].params, kv({ index_type: 'HNSW', metric_type: 'L2', params: '{"M":8}' }));
	assert.strictEqual((await ok('GetIndexState', { collection_name: 'dyn', field_name: 'v' })).state, 3);
	assert.strictEqual((await ok('GetLoadState', { collection_name: 'dyn' })).state, 1);
	await ok('LoadCollection', { collection_name: 'dyn' });
	assert.strictEqual((await ok('GetLoadState', { collection_name: 'dyn' })).state, 3);
	assert.strictEqual((await ok('GetLoadingProgress', { collection_name: 'dyn' })).progress, '100');
	await failsWith('DropIndex', { collection_name: 'dyn', field_name: 'v' }, 1100, 'release it first');
	await ok('ReleaseCollection', { collection_name: 'dyn' });
	await ok('DropIndex', { collection_name: 'dyn', field_name: 'v' });
	await ok('DropCollection', { collection_name: 'dyn' });
	assert.strictEqual((await ok('HasCollection', { collection_name: 'dyn' })).value, false);
};

checks.insert = async () => {
	await ok('CreateCollection', createReq('t', [
		field('id', DT.Int64, { is_primary_key: true }),
		field('v', DT.FloatVector, { params: { dim: 2 } }),
		field('s', DT.VarChar, { params: { max_length: 4 }, nullable: true }),
		field('n', DT.Int32, { default_value: { int_data: 5 } }),
		field('i8', DT.Int8, { nullable: true }),
		field('a', DT.Array, { element_type: DT.Int32, params: { max_capacity: 2 }, nullable: true }),
		field('sp', DT.SparseFloatVector),
	], { dynamic: true }));
	const base = (n) => [col.int64('id', range(n)), col.fvec('v', 2, range(n).map((i) => [i, i])), col.sparse('sp', range(n).map((i) => [[i, 1]]))];
	const ins = (n, extra, req) => rpc('Insert', insertReq('t', n, [...base(n), ...extra], req));
	const insertFails = async (n, extra, msg, req) => {
		const { err, res } = await ins(n, extra, req);
		assert.ifError(err);
		assert.strictEqual(res.status.code, 1100, `expected refusal (${msg}), got ${res.status.code} ${res.status.reason}`);
		assert.ok(res.status.reason.includes(msg), `reason "${res.status.reason}" lacks "${msg}"`);
	};
	await insertFails(2, [col.str('zz', ['a', 'b'])], 'unexpected field');
	await insertFails(2, [col.str('s', ['a', 'toolong'])], 'exceeds max length');
	await insertFails(2, [col.str('s', ['a'], [true, true])], 'the length of field is wrong');
	await insertFails(2, [col.str('s', ['a', 'b'], [true, false])], 'the length of field is wrong');
	await insertFails(2, [col.str('s', ['a'], [true])], 'valid_data');
	await insertFails(2, [col.int32('i8', [1, 300], [], DT.Int8)], 'out of range');
	await insertFails(2, [col.arrayInt('a', [[1, 2, 3], [1]])], 'exceeds max capacity');
	await insertFails(2, [col.json('$meta', [[1], {}], true)], 'JSON object');
	await insertFails(2, [col.json('$meta', [{ id: 1 }, {}], true)], 'static field name');
	await insertFails(0, [], 'num_rows');
	await failsWith('Insert', insertReq('t', 1, base(1), { partition_name: 'nope' }), 200, 'partition not found');
	let r = await rpc('Insert', insertReq('t', 2, [col.int64('id', [1, 2]), col.fvec('v', 2, [[1, 1]]), col.sparse('sp', [[[1, 1]], [[2, 1]]])]));
	assert.strictEqual(r.res.status.code, 1100, 'short float vector accepted');
	r = await rpc('Insert', insertReq('t', 1, [col.int64('id', [1]), col.fvec('v', 3, [[1, 1, 1]]), col.sparse('sp', [[[1, 1]]])]));
	assert.ok(r.res.status.reason.includes('dim'), 'wrong dim accepted');
	r = await rpc('Insert', insertReq('t', 1, [col.int64('id', [1]), col.fvec('v', 2, [[NaN, 1]]), col.sparse('sp', [[[1, 1]]])]));
	assert.ok(r.res.status.reason.includes('NaN'), 'NaN accepted');
	r = await rpc('Insert', insertReq('t', 1, [col.int64('id', [1]), col.fvec('v', 2, [[1, 1]]), col.sparse('sp', [[[5, 1], [3, 1]]])]));
	assert.ok(r.res.status.reason.includes('indices'), 'unsorted sparse accepted');
	r = await rpc('Insert', insertReq('t', 1, [col.fvec('v', 2, [[1, 1]]), col.sparse('sp', [[[1, 1]]])]));
	assert.ok(r.res.status.reason.includes('id'), 'missing pk accepted');

	// Valid: compact nullable data, omitted default and nullable fields, dynamic keys.
	const res = await ok('Insert', insertReq('t', 3, [...base(3), col.str('s', ['x', 'z'], [true, false, true]),
		col.json('$meta', [{ k: 1 }, {}, { k: 'v' }], true)]));
	assert.deepStrictEqual(res.IDs.int_id.data, ['0', '1', '2']);
	assert.strictEqual(res.insert_cnt, '3');
	assert.ok(BigInt(res.timestamp) > 0n);
	await ok('CreateIndex', { collection_name: 't', field_name: 'v', extra_params: kv({ metric_type: 'L2' }) });
	await ok('CreateIndex', { collection_name: 't', field_name: 'sp', extra_params: kv({ metric_type: 'IP' }) });
	await ok('LoadCollection', { collection_name: 't' });
	const q = await ok('Query', queryReq('t', 'id >= 0', ['*']));
	assert.deepStrictEqual(values(q, 'id'), ['0', '1', '2']);
	const s = column(q, 's');
	assert.deepStrictEqual(s.valid_data, [true, false, true], 'nullable scalar comes back full length');
	assert.strictEqual(values(q, 's').length, 3);
	assert.deepStrictEqual(values(q, 'n'), [5, 5, 5], 'default value filled');
	assert.deepStrictEqual(column(q, 'i8').valid_data, [false, false, false]);
	const meta = column(q, '$meta');
	assert.strictEqual(meta.is_dynamic, true);
	assert.deepStrictEqual(values(q, '$meta').map((b) => JSON.parse(b)), [{ k: 1 }, {}, { k: 'v' }]);
	assert.deepStrictEqual(column(q, 'v').vectors.float_vector.data, [0, 0, 1, 1, 2, 2]);
	const dynKey = await ok('Query', queryReq('t', 'k == 1 or k == "v"', ['k']));
	assert.deepStrictEqual(values(dynKey, 'id'), ['0', '2']);
	assert.deepStrictEqual(values(dynKey, '$meta').map((b) => JSON.parse(b)), [{ k: 1 }, { k: 'v' }]);

	// Nullable vectors: compact data in, compact data plus valid_data out.
	await ok('CreateCollection', createReq('nv', [field('id', DT.Int64, { is_primary_key: true }),
		field('v', DT.FloatVector, { params: { dim: 2 }, nullable: true })]));
	await failsWith('Insert', insertReq('nv', 3, [col.int64('id', [1, 2, 3]), col.fvec('v', 2, [[1, 1], [2, 2], [3, 3]], [true, false, true])]),
		1100, 'num_rows');
	await ok('Insert', insertReq('nv', 3, [col.int64('id', [1, 2, 3]), col.fvec('v', 2, [[1, 1], [3, 3]], [true, false, true])]));
	await ok('CreateIndex', { collection_name: 'nv', field_name: 'v', extra_params: kv({ metric_type: 'L2' }) });
	await ok('LoadCollection', { collection_name: 'nv' });
	const nv = column(await ok('Query', queryReq('nv', 'id > 0', ['v'])), 'v');
	assert.deepStrictEqual(nv.valid_data, [true, false, true]);
	assert.deepStrictEqual(nv.vectors.float_vector.data, [1, 1, 3, 3]);

	// Duplicate PK on Insert: the newest wins; Upsert replaces.
	await ok('Insert', insertReq('t', 1, [col.int64('id', [1]), col.fvec('v', 2, [[7, 7]]), col.sparse('sp', [[[1, 2]]])]));
	await ok('Upsert', insertReq('t', 1, [col.int64('id', [2]), col.fvec('v', 2, [[9, 9]]), col.sparse('sp', [[[1, 2]]])]));
	const q2 = await ok('Query', queryReq('t', 'id in [1, 2]', ['v']));
	assert.deepStrictEqual(column(q2, 'v').vectors.float_vector.data, [7, 7, 9, 9]);
	const stats = await ok('GetCollectionStatistics', { collection_name: 't' });
	assert.deepStrictEqual(stats.stats, [{ key: 'row_count', value: '3' }]);

	// Auto-ID: refused unless allow_insert_auto_id; generated otherwise.
	await ok('CreateCollection', createReq('auto', [field('id', DT.Int64, { is_primary_key: true, autoID: true }),
		field('v', DT.FloatVector, { params: { dim: 2 } })]));
	r = await rpc('Insert', insertReq('auto', 1, [col.int64('id', [5]), col.fvec('v', 2, [[1, 1]])]));
	assert.ok(r.res.status.reason.includes('auto id'), `auto-ID PK accepted: ${r.res.status.reason}`);
	const gen = await ok('Insert', insertReq('auto', 2, [col.fvec('v', 2, [[1, 1], [2, 2]])]));
	assert.strictEqual(gen.IDs.int_id.data.length, 2);
	await ok('AlterCollection', { collection_name: 'auto', properties: kv({ allow_insert_auto_id: 'true' }) });
	const kept = await ok('Insert', insertReq('auto', 1, [col.int64('id', [5]), col.fvec('v', 2, [[1, 1]])]));
	assert.deepStrictEqual(kept.IDs.int_id.data, ['5']);

	// Partition-key collections route rows themselves and refuse partition_name.
	await ok('CreateCollection', createReq('pkey', [field('id', DT.Int64, { is_primary_key: true }),
		field('v', DT.FloatVector, { params: { dim: 2 } }), field('t', DT.VarChar, { params: { max_length: 8 }, is_partition_key: true })], { num_partitions: 4 }));
	const pkRows = [col.int64('id', [1, 2]), col.fvec('v', 2, [[1, 1], [2, 2]]), col.str('t', ['a', 'b'])];
	r = await rpc('Insert', insertReq('pkey', 2, pkRows, { partition_name: '_default_0' }));
	assert.ok(r.res.status.reason.includes('partition key'), 'partition_name accepted on a partition-key collection');
	await ok('Insert', insertReq('pkey', 2, pkRows));

	// BM25 outputs: never accepted on insert, never returned.
	await ok('CreateCollection', createReq('bm', [field('id', DT.Int64, { is_primary_key: true }),
		field('text', DT.VarChar, { params: { max_length: 64, enable_analyzer: 'true' } }),
		field('sp', DT.SparseFloatVector)], { functions: [{ name: 'f', type: 1, input_field_names: ['text'], output_field_names: ['sp'] }] }));
	r = await rpc('Insert', insertReq('bm', 1, [col.int64('id', [1]), col.str('text', ['hello']), col.sparse('sp', [[[1, 1]]])]));
	assert.ok(r.res.status.reason.includes('function'), 'function output accepted');
	await ok('Insert', insertReq('bm', 1, [col.int64('id', [1]), col.str('text', ['hello world'])]));
	const bmDesc = await ok('DescribeCollection', { collection_name: 'bm' });
	assert.strictEqual(bmDesc.schema.fields[2].is_function_output, true);
	await ok('CreateIndex', { collection_name: 'bm', field_name: 'sp', extra_params: kv({ index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' }) });
	await ok('LoadCollection', { collection_name: 'bm' });
	const bq = await ok('Query', queryReq('bm', '', ['*'], { limit: 10 }));
	assert.deepStrictEqual(bq.fields_data.map((f) => f.field_name).sort(), ['id', 'text']);
	await failsWith('Query', queryReq('bm', '', ['sp'], { limit: 10 }), 65535, 'not allowed to retrieve raw data');
};

checks.query = async () => {
	const ids = ['1', '2', '5', '6', '9007199254740993', '9007199254740992', '-3', '9223372036854775807'];
	await ok('CreateCollection', createReq('q', [
		field('id', DT.Int64, { is_primary_key: true }),
		field('v', DT.FloatVector, { params: { dim: 2 } }),
		field('s', DT.VarChar, { params: { max_length: 16 } }),
	]));
	await failsWith('Query', queryReq('q', 'id > 0', ['id']), 101, 'not loaded', 1);
	await ok('CreatePartition', { collection_name: 'q', partition_name: 'p1' });
	await ok('Insert', insertReq('q', 4, [col.int64('id', ids.slice(0, 4)), col.fvec('v', 2, [[1, 1], [2, 2], [3, 3], [4, 4]]),
		col.str('s', ['b', 'a"q', "it's", 'z\\'])]));
	await ok('Insert', insertReq('q', 4, [col.int64('id', ids.slice(4)), col.fvec('v', 2, [[5, 5], [6, 6], [7, 7], [8, 8]]),
		col.str('s', ['日本', 'naïve', '😀', '\uE000'])], { partition_name: 'p1' }));
	await ok('CreateIndex', { collection_name: 'q', field_name: 'v', extra_params: kv({ metric_type: 'L2' }) });
	await ok('LoadCollection', { collection_name: 'q' });
	const pks = async (expr, params, extra) => values(await ok('Query', queryReq('q', expr, ['id'], params, extra)), 'id');

	assert.deepStrictEqual(await pks('', { limit: 100 }), ['-3', '1', '2', '5', '6', '9007199254740992', '9007199254740993', '9223372036854775807']);
	assert.deepStrictEqual(await pks('id > 5'), ['6', '9007199254740992', '9007199254740993', '9223372036854775807']);
	assert.deepStrictEqual(await pks('id > 9007199254740992'), ['9007199254740993', '9223372036854775807']);
	assert.deepStrictEqual(await pks('id == 9007199254740993'), ['9007199254740993']);
	assert.deepStrictEqual(await pks('id % 4 == 1'), ['1', '5', '9007199254740993']);
	assert.deepStrictEqual(await pks('id in [1, 6, 7]'), ['1', '6']);
	assert.deepStrictEqual(await pks('id not in [1, 6] && id < 10'), ['-3', '2', '5']);
	assert.deepStrictEqual(await pks('(id < 2 or id > 9007199254740993) and not (id == -3)'), ['1', '9223372036854775807']);
	assert.deepStrictEqual(await pks('id >= 2 || id <= -3', { limit: 2, offset: 1 }), ['2', '5']);
	assert.deepStrictEqual(await pks('1 < id < 6'), ['2', '5']);
	assert.deepStrictEqual(await pks('s > "a"'), ['-3', '1', '2', '5', '6', '9007199254740992', '9007199254740993', '9223372036854775807']);
	assert.deepStrictEqual(await pks('s < "b"'), ['2']);
	assert.deepStrictEqual(await pks('s == "a\\"q"'), ['2']);
	assert.deepStrictEqual(await pks("s == 'it\\'s'"), ['5']);
	assert.deepStrictEqual(await pks('s == "z\\\\"'), ['6']);
	// UTF-8 byte order: U+E000 sorts before U+1F600 (UTF-16 order would say the opposite).
	assert.deepStrictEqual(await pks('s > "\uE000"'), ['-3']);
	assert.deepStrictEqual(await pks('s like "na%"'), ['9007199254740992']);
	assert.deepStrictEqual(await pks('id > 0', {}, { partition_names: ['p1'] }), ['9007199254740992', '9007199254740993', '9223372036854775807']);
	await failsWith('Query', queryReq('q', 'id > 0', ['id'], {}, { partition_names: ['nope'] }), 200, 'partition not found');

	// Limits and errors as Milvus words them.
	await failsWith('Query', queryReq('q', '', ['id']), 1100, 'empty expression should be used with limit');
	await failsWith('Query', queryReq('q', 'id > 0', ['id'], { limit: 16000, offset: 385 }), 65535,
		'invalid max query result window, (offset+limit) should be in range [1, 16384], but got 16385', 1);
	await ok('Query', queryReq('q', 'id > 0', ['id'], { limit: 16000, offset: 384 }));
	await failsWith('Query', queryReq('q', '', ['count(*)'], { limit: 5 }), 1100, 'count entities with pagination is not allowed');
	await failsWith('Query', queryReq('q', 'id >', ['id']), 1100, 'cannot parse expression');
	await failsWith('Query', queryReq('q', 'nope > 1', ['id']), 1100, 'field nope not exist');
	await failsWith('Query', queryReq('q', 'id > 0', ['nope']), 65535, 'field nope not exist');
	await failsWith('Query', queryReq('q', 's > 1', ['id']), 1100, 'not supported');
	await failsWith('Query', queryReq('q', 'id > 0', ['id'], { collection_id: 1 }), 1100, 'collection id');
	const count = await ok('Query', queryReq('q', '', [' COUNT(*) ']));
	assert.deepStrictEqual(values(count, 'count(*)'), ['8']);
	const cnt = await ok('Query', queryReq('q', 'id > 5', ['count(*)']));
	assert.deepStrictEqual(values(cnt, 'count(*)'), ['4']);

	// Output: the PK always comes back; '*' includes vectors.
	const star = await ok('Query', queryReq('q', 'id == 2', ['s']));
	assert.deepStrictEqual(star.fields_data.map((f) => f.field_name).sort(), ['id', 's']);
	assert.strictEqual(star.primary_field_name, 'id');
	const all = await ok('Query', queryReq('q', 'id == 2', ['*']));
	assert.deepStrictEqual(all.fields_data.map((f) => f.field_name).sort(), ['id', 's', 'v']);

	// MVCC iterator session: page 1 opens a snapshot, later pages with guarantee_timestamp = session_ts
	// do not see rows written afterwards; a plain query does.
	const it = { limit: 3, iterator: 'True', reduce_stop_for_best: 'False' };
	const first = await ok('Query', queryReq('q', '', ['id'], it));
	const session = first.session_ts;
	assert.ok(BigInt(session) > 0n, 'no session_ts');
	assert.deepStrictEqual(values(first, 'id'), ['-3', '1', '2']);
	await ok('Insert', insertReq('q', 1, [col.int64('id', [3]), col.fvec('v', 2, [[1, 1]]), col.str('s', ['new'])]));
	await ok('Upsert', insertReq('q', 1, [col.int64('id', [5]), col.fvec('v', 2, [[1, 1]]), col.str('s', ['changed'])]));
	const second = await ok('Query', queryReq('q', 'id > 2', ['id', 's'], it, { guarantee_timestamp: session }));
	assert.deepStrictEqual(values(second, 'id'), ['5', '6', '9007199254740992']);
	assert.deepStrictEqual(values(second, 's'), ["it's", 'z\\', 'naïve'], 'snapshot shows the pre-upsert row');
	assert.strictEqual(second.session_ts, '0');
	assert.deepStrictEqual(await pks('id > 2 and id < 6'), ['3', '5']);
	const now = await ok('Query', queryReq('q', 'id == 5', ['s']));
	assert.deepStrictEqual(values(now, 's'), ['changed']);

	// Delete, DropPartition.
	const del = await ok('Delete', { collection_name: 'q', expr: 'id in [3, 5]' });
	assert.strictEqual(del.delete_cnt, '2');
	await failsWith('DropPartition', { collection_name: 'q', partition_name: 'p1' }, 1100, 'release it first');
	await ok('ReleaseCollection', { collection_name: 'q' });
	await ok('DropPartition', { collection_name: 'q', partition_name: 'p1' });
	await ok('LoadCollection', { collection_name: 'q' });
	assert.deepStrictEqual(await pks('', { limit: 100 }), ['1', '2', '6']);
	assert.strictEqual((await ok('HasPartition', { collection_name: 'q', partition_name: 'p1' })).value, false);

	// VarChar primary keys: order and escaped literals.
	await ok('CreateCollection', createReq('vq', [field('pk', DT.VarChar, { is_primary_key: true, params: { max_length: 16 } }),
		field('v', DT.FloatVector, { params: { dim: 2 } })]));
	const vks = ['b', 'a"q', "it's", 'z\\', '😀', '\uE000', 'a'];
	await ok('Insert', insertReq('vq', vks.length, [col.str('pk', vks), col.fvec('v', 2, vks.map(() => [1, 1]))]));
	await ok('CreateIndex', { collection_name: 'vq', field_name: 'v', extra_params: kv({ metric_type: 'L2' }) });
	await ok('LoadCollection', { collection_name: 'vq' });
	const vpk = async (expr) => values(await ok('Query', queryReq('vq', expr, ['pk'], { limit: 100 })), 'pk');
	assert.deepStrictEqual(await vpk(''), ['a', 'a"q', 'b', "it's", 'z\\', '\uE000', '😀']);
	assert.deepStrictEqual(await vpk('pk > "a\\"q"'), ['b', "it's", 'z\\', '\uE000', '😀']);
	assert.deepStrictEqual(await vpk("pk > 'it\\'s'"), ['z\\', '\uE000', '😀']);
	assert.deepStrictEqual(await vpk("pk > ''"), ['a', 'a"q', 'b', "it's", 'z\\', '\uE000', '😀']);

	// Flush.
	const fl = await ok('Flush', { collection_names: ['q'] });
	assert.ok(fl.coll_segIDs.q.data.length > 0);
	assert.ok(BigInt(fl.coll_flush_ts.q) > 0n);
	assert.strictEqual((await ok('GetFlushState', { segmentIDs: fl.coll_segIDs.q.data, flush_ts: fl.coll_flush_ts.q, collection_name: 'q' })).flushed, true);

	// Unimplemented RPCs answer a failed Status, not a hang.
	await failsWith('Search', { collection_name: 'q' }, 10, 'not implemented');
};

// --- fault knobs (the server is started with the matching option) ---

checks['rate-limit'] = async () => {	// --rate-limit-every 2
	await makeDocs('docs', []);
	const one = (id) => insertReq('docs', 1, [col.int64('id', [id]), col.fvec('v', 2, [[1, 1]])]);
	await ok('Insert', one(1));
	const st = await failsWith('Insert', one(2), 8, 'rate limit exceeded', 49);
	assert.strictEqual(st.retriable, true);
	await ok('Upsert', one(2));
	await failsWith('Upsert', one(3), 8, 'rate limit', 49);
	const q = await ok('Query', queryReq('docs', '', ['count(*)']));
	assert.deepStrictEqual(values(q, 'count(*)'), ['2'], 'a refused write stored rows');
};

checks['flush-rate-limit'] = async () => {	// --flush-rate-limit 2
	await makeDocs('docs', [1]);
	await failsWith('Flush', { collection_names: ['docs'] }, 8, 'rate limit', 49);
	await failsWith('Flush', { collection_names: ['docs'] }, 8, 'rate limit', 49);
	await ok('Flush', { collection_names: ['docs'] });
};

checks.unavailable = async () => {	// --unavailable-every 3
	for (let i = 0; i < 5; i++)
		await ok('GetVersion', {});	// exempt
	await ok('HasCollection', { collection_name: 'x' });
	await ok('HasCollection', { collection_name: 'x' });
	await grpcFails('HasCollection', { collection_name: 'x' }, grpc.status.UNAVAILABLE);
	await ok('ListDatabases', {});
	await ok('ListDatabases', {});
	await grpcFails('ListDatabases', {}, grpc.status.UNAVAILABLE);
};

checks['exit-after-rows'] = async () => {	// --exit-after-rows 5 (the shell test checks the exit status)
	await makeDocs('docs', [1, 2, 3]);
	await ok('Insert', insertReq('docs', 2, [col.int64('id', [4, 5]), col.fvec('v', 2, [[1, 1], [2, 2]])]));
	const { err } = await rpc('Query', queryReq('docs', '', ['id'], { limit: 10 }));
	assert.ok(err && err.code === grpc.status.UNAVAILABLE, 'server still answering after the row budget');
};

checks['page-jitter'] = async () => {	// --page-jitter
	const n = 100;
	await makeDocs('docs', range(n));
	const it = { limit: 10, iterator: 'True', reduce_stop_for_best: 'True' };
	const sizes = [];
	const seen = [];
	let session = '0', last = null;
	for (;;) {
		const r = await ok('Query', queryReq('docs', last === null ? '' : `id > ${last}`, ['id'], it, { guarantee_timestamp: session }));
		if (session === '0')
			session = r.session_ts;
		const page = values(r, 'id');
		if (!page.length)
			break;
		sizes.push(page.length);
		seen.push(...page);
		last = page[page.length - 1];
	}
	assert.deepStrictEqual(seen, range(n).map(String), 'jittered pages lost or repeated rows');
	assert.ok(sizes.some((s) => s < 10) && sizes.some((s) => s > 10), `no jitter: ${sizes}`);
	const plain = values(await ok('Query', queryReq('docs', '', ['id'], { limit: 10 })), 'id');
	assert.strictEqual(plain.length, 10, 'jitter outside iterators');
};

checks.auth = async (opts) => {	// --user U --password P
	const none = new grpc.Metadata();
	let r = await rpc('HasCollection', { collection_name: 'x' }, none);
	assert.ok(r.err && r.err.code === grpc.status.UNAUTHENTICATED, 'call without credentials accepted');
	const wrong = new grpc.Metadata();
	wrong.set('authorization', Buffer.from(`${opts.user}:wrong`).toString('base64'));
	r = await rpc('Connect', {}, wrong);
	assert.ok(r.err && r.err.code === grpc.status.UNAUTHENTICATED, 'wrong password accepted');
	await ok('HasCollection', { collection_name: 'x' });
};

checks['max-recv'] = async () => {	// --max-recv-bytes 1048576
	await makeDocs('docs', []);
	const n = 150000;	// 150000 rows * 2 floats * 4 bytes: over 1 MiB
	await grpcFails('Insert', insertReq('docs', n, [col.int64('id', range(n)), col.fvec('v', 2, range(n).map((i) => [i, i]))]),
		grpc.status.RESOURCE_EXHAUSTED);
	await ok('Insert', insertReq('docs', 100, [col.int64('id', range(100)), col.fvec('v', 2, range(100).map((i) => [i, i]))]));
};

async function main() {
	const args = process.argv.slice(2);
	const opts = {};
	const names = [];
	for (let i = 0; i < args.length; i++) {
		if (args[i].startsWith('--'))
			opts[args[i].slice(2)] = args[++i];
		else
			names.push(args[i]);
	}
	if (!opts.uri || names.length !== 1 || !checks[names[0]]) {
		process.stderr.write(`usage: fake_protocol.js --uri HOST:PORT [--user U --password P] {${Object.keys(checks).join('|')}}\n`);
		process.exit(2);
	}
	client = new Service(opts.uri, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
	metadata = new grpc.Metadata();
	if (opts.user)
		metadata.set('authorization', Buffer.from(`${opts.user}:${opts.password}`).toString('base64'));
	try {
		await checks[names[0]](opts);
	} catch (e) {
		process.stderr.write(`FAIL: ${names[0]}: ${e.message}\n${e.stack.split('\n').find((l) => l.includes('fake_protocol.js:')) || ''}\n`);
		process.exit(1);
	}
	process.stdout.write(`ok: ${names[0]}\n`);
	process.exit(0);
}

main();
