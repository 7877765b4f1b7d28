// Test collections seeded with the official SDK: schema (SDK createCollection arguments), named
// partitions, deterministic rows (SDK row objects), and the indexes to build before loading.
'use strict';

const { DataType, FunctionType } = require('@zilliz/milvus2-sdk-node');

// Deterministic pseudo-random numbers (mulberry32).
function rng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6D2B79F5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function indexFor(field) {
	switch (field.data_type) {
	case DataType.FloatVector:
		return { index_type: 'HNSW', metric_type: 'L2', params: { M: 16, efConstruction: 64 } };
	case DataType.BinaryVector:
		return { index_type: 'BIN_FLAT', metric_type: 'HAMMING' };
	case DataType.Float16Vector:
	case DataType.BFloat16Vector:
		return { index_type: 'FLAT', metric_type: 'L2' };
	case DataType.Int8Vector:
		return { index_type: 'HNSW', metric_type: 'COSINE', params: { M: 16, efConstruction: 64 } };
	case DataType.SparseFloatVector:
		return { index_type: 'SPARSE_INVERTED_INDEX', metric_type: field.is_function_output ? 'BM25' : 'IP' };
	default:
		return null;
	}
}

function allTypesRow(i) {
	const row = {};
	// Primary keys: small ones, plus every tenth beyond 2^53 to prove Int64 exactness.
	row.id = i % 10 === 9 ? String((1n << 62n) + BigInt(i)) : String(i * 3 + 1);
	if (i % 5 !== 0)
		row.bool = i % 2 === 0;
	else
		row.bool = null;
	row.i8 = ((i * 37) % 256) - 128;
	row.i16 = i % 7 === 0 ? null : ((i * 1231) % 65536) - 32768;
	if (i % 4 !== 0)
		row.i32 = i * 100003 - 5000000;	// i % 4 == 0: omitted, the server fills the default 7
	row.i64 = i % 3 === 0 ? String(INT64_MAX - BigInt(i)) : i % 3 === 1 ? String(INT64_MIN + BigInt(i)) : String(i * 12345);
	row.f32 = i % 6 === 0 ? null : (i - 20) * 0.375;
	row.f64 = (Math.PI * i) / 7;
	row.vc = i % 8 === 0 ? null : `s${i}-"q"\\é'${'x'.repeat(i % 5)}`;
	row.js = { i, name: `n${i}`, tags: ['a', i % 2 ? 'b' : 'c'], nested: { x: i * 0.5, ok: i % 2 === 0 }, s: 'quote" back\\slash ünï' };
	row.arr_i32 = i % 9 === 0 ? null : Array.from({ length: i % 5 }, (_, k) => k * 1000 - i);
	row.arr_vc = Array.from({ length: i % 4 }, (_, k) => `e${k}_${i}`);
	row.fv = Array.from({ length: 8 }, (_, j) => (i + j) * 0.25 - 3);
	row.bv = [i & 255, (i * 7) & 255];
	row.f16v = [(i % 16) * 0.25 - 2, 0.5, -0.25 * (i % 3), 1];
	row.bf16v = [(i % 32) * 0.5 - 8, -1.25, 0.75 * (i % 4), 2];
	row.i8v = [((i * 3) % 256) - 128, -1, 0, 127];
	row.sv = { [i % 10]: 0.5 + (i % 7) * 0.25, [10 + (i % 5)]: 1.25, [100 + i]: 2 };
	switch (i % 4) {
	case 1: row.color = 'red'; break;
	case 2: row.n = i; row.tags = ['x', 'y']; break;
	case 3: row.nested = { deep: [1, 2, { k: 'v' }] }; row['key with space'] = true; break;
	default: break;
	}
	return row;
}

const VARCHAR_PKS = ['plain', 'with"quote', "it's", 'back\\slash', 'mix\\"\'end', 'naïve', '日本', '😀 emoji',
	'\uE000 private', 'tab\there', 'new\nline', 'Z', 'a', 'ä', '0', ' leading space'];

const SCENARIOS = {
	'all-types': {
		collection: 'all_types',
		defaultRows: 60,
		partitions: ['p1', 'p2'],
		create: () => ({
			enable_dynamic_field: true,
			fields: [
				{ name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false, description: 'primary key' },
				{ name: 'bool', data_type: DataType.Bool, nullable: true },
				{ name: 'i8', data_type: DataType.Int8 },
				{ name: 'i16', data_type: DataType.Int16, nullable: true },
				{ name: 'i32', data_type: DataType.Int32, default_value: 7 },
				{ name: 'i64', data_type: DataType.Int64 },
				{ name: 'f32', data_type: DataType.Float, nullable: true },
				{ name: 'f64', data_type: DataType.Double },
				{ name: 'vc', data_type: DataType.VarChar, max_length: 64, nullable: true },
				{ name: 'js', data_type: DataType.JSON },
				{ name: 'arr_i32', data_type: DataType.Array, element_type: DataType.Int32, max_capacity: 8, nullable: true },
				{ name: 'arr_vc', data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: 4, max_length: 16 },
				{ name: 'fv', data_type: DataType.FloatVector, dim: 8 },
				{ name: 'bv', data_type: DataType.BinaryVector, dim: 16 },
				{ name: 'f16v', data_type: DataType.Float16Vector, dim: 4 },
				{ name: 'bf16v', data_type: DataType.BFloat16Vector, dim: 4 },
				{ name: 'i8v', data_type: DataType.Int8Vector, dim: 4 },
				{ name: 'sv', data_type: DataType.SparseFloatVector },
			],
			properties: { 'collection.ttl.seconds': '0' },
		}),
		scalarIndexes: [{ field_name: 'i64', index_type: 'STL_SORT' }],
		row: allTypesRow,
		partitionOf: (i) => ['_default', 'p1', 'p2'][i % 3],
	},
	'varchar-pk': {
		collection: 'varchar_pk',
		defaultRows: 40,
		partitions: ['p1', 'p2'],
		create: () => ({
			fields: [
				{ name: 'pk', data_type: DataType.VarChar, is_primary_key: true, max_length: 64 },
				{ name: 'vec', data_type: DataType.FloatVector, dim: 4 },
				{ name: 'note', data_type: DataType.VarChar, max_length: 64 },
			],
		}),
		row: (i) => ({
			pk: i < VARCHAR_PKS.length ? VARCHAR_PKS[i] : `k${String(i).padStart(5, '0')}`,
			vec: [i * 0.5, -i * 0.25, 1, (i % 3) * 0.125],
			note: `row ${i}`,
		}),
		partitionOf: (i) => ['_default', 'p1', 'p2'][i % 3],
	},
	'partition-key': {
		collection: 'partition_key',
		defaultRows: 200,
		partitions: [],
		create: () => ({
			num_partitions: 8,
			fields: [
				{ name: 'id', data_type: DataType.Int64, is_primary_key: true },
				{ name: 'tenant', data_type: DataType.VarChar, max_length: 32, is_partition_key: true },
				{ name: 'vec', data_type: DataType.FloatVector, dim: 8 },
			],
		}),
		row: (i) => ({ id: String(i + 1), tenant: `t${i % 13}`, vec: Array.from({ length: 8 }, (_, j) => (i * 8 + j) * 0.125) }),
	},
	'auto-id': {
		collection: 'auto_id',
		defaultRows: 100,
		partitions: [],
		create: () => ({
			fields: [
				{ name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: true },
				{ name: 'vec', data_type: DataType.FloatVector, dim: 8 },
				{ name: 'title', data_type: DataType.VarChar, max_length: 64 },
			],
		}),
		row: (i) => ({ vec: Array.from({ length: 8 }, (_, j) => (i - j) * 0.5), title: `title ${i}` }),
	},
	bm25: {
		collection: 'bm25',
		defaultRows: 50,
		partitions: [],
		create: () => ({
			fields: [
				{ name: 'doc_id', data_type: DataType.Int64, is_primary_key: true },
				{ name: 'text', data_type: DataType.VarChar, max_length: 512, enable_analyzer: true },
				{ name: 'sparse', data_type: DataType.SparseFloatVector },
				{ name: 'dense', data_type: DataType.FloatVector, dim: 8 },
			],
			functions: [{
				name: 'text_bm25', description: 'BM25 of text', type: FunctionType.BM25,
				input_field_names: ['text'], output_field_names: ['sparse'], params: {},
			}],
		}),
		row: (i) => ({
			doc_id: String(i + 1),
			text: `document ${i} talks about ${['cats', 'dogs', 'vectors', 'milvus'][i % 4]} and more`,
			dense: Array.from({ length: 8 }, (_, j) => (i + j) * 0.125),
		}),
	},
	// Keys at both ends of Int64, INT64_MAX among them (Milvus 2.3 counts that row but never returns it),
	// on two shards.
	'int64-max': {
		collection: 'int64_max',
		defaultRows: 20,
		partitions: [],
		create: () => ({
			shards_num: 2,
			fields: [
				{ name: 'id', data_type: DataType.Int64, is_primary_key: true },
				{ name: 'vec', data_type: DataType.FloatVector, dim: 4 },
			],
		}),
		row: (i) => ({
			id: String(i === 0 ? INT64_MAX : i === 1 ? INT64_MIN : i === 2 ? INT64_MAX - 1n : BigInt(i) * 7919n - 50000n),
			vec: [i, -i, 0.5, 0.25],
		}),
	},
	wide: {
		collection: 'wide',
		defaultRows: 1000,
		partitions: [],
		create: (opts) => ({
			fields: [
				{ name: 'id', data_type: DataType.Int64, is_primary_key: true },
				{ name: 'vec', data_type: DataType.FloatVector, dim: opts.dim },
				{ name: 'title', data_type: DataType.VarChar, max_length: 64 },
				{ name: 'score', data_type: DataType.Double },
				{ name: 'cat', data_type: DataType.Int32 },
			],
		}),
		row: (i, opts) => {
			const next = rng(i + 1);
			const vec = new Array(opts.dim);
			for (let j = 0; j < opts.dim; j++)
				vec[j] = Math.fround(next() * 2 - 1);
			return { id: String(i), vec, title: `item ${i}`, score: next() * 1000, cat: i % 100 };
		},
		// Bulk seeding sends these columns straight to Insert (the SDK's row conversion is slow).
		columns: (from, to, opts) => {
			const n = to - from, dim = opts.dim;
			const cols = { id: new Array(n), vec: new Float32Array(n * dim), title: new Array(n),
				score: new Float64Array(n), cat: new Int32Array(n) };
			for (let r = 0; r < n; r++) {
				const i = from + r;
				const next = rng(i + 1);
				for (let j = 0; j < dim; j++)
					cols.vec[r * dim + j] = next() * 2 - 1;
				cols.id[r] = String(i);
				cols.title[r] = `item ${i}`;
				cols.score[r] = next() * 1000;
				cols.cat[r] = i % 100;
			}
			return [
				{ type: DataType.Int64, field_name: 'id', scalars: { long_data: { data: cols.id } } },
				{ type: DataType.FloatVector, field_name: 'vec', vectors: { dim, float_vector: { data: cols.vec } } },
				{ type: DataType.VarChar, field_name: 'title', scalars: { string_data: { data: cols.title } } },
				{ type: DataType.Double, field_name: 'score', scalars: { double_data: { data: cols.score } } },
				{ type: DataType.Int32, field_name: 'cat', scalars: { int_data: { data: cols.cat } } },
			];
		},
	},
};

module.exports = { SCENARIOS, indexFor };
