// Canonical forms for comparing collections: the schema as the official SDK describes it (collection
// settings, every field property, functions, partitions, indexes), and rows in the mvs-cat JSON format
// (CONTRACTS.md) built from SDK row objects (what the SDK inserts or what its query returns).
'use strict';

const { DataType } = require('@zilliz/milvus2-sdk-node');
const { Raw, number } = require('./jsonl');

const TYPE_ID = Object.fromEntries(Object.entries(DataType).filter(([, v]) => typeof v === 'number'));

function sortedObject(pairs) {
	const out = {};
	for (const [k, v] of [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
		out[k] = v;
	return out;
}

function kvObject(list) {
	return sortedObject((list || []).map((kv) => [kv.key, kv.value]));
}

function typeId(name) {
	return typeof name === 'number' ? name : TYPE_ID[name];
}

function typeName(id) {
	return Object.keys(TYPE_ID).find((k) => TYPE_ID[k] === id) || String(id);
}

// One value in mvs-cat form for a field of type `type` (element type for arrays).
function catValue(type, elementType, v) {
	if (v === null || v === undefined)
		return null;
	switch (type) {
	case DataType.Bool: return !!v;
	case DataType.Int8: case DataType.Int16: case DataType.Int32: return Number(v);
	case DataType.Int64: return BigInt(v);
	case DataType.Float: return number(Math.fround(Number(v)), 9);
	case DataType.Double: return number(Number(v), 17);
	case DataType.VarChar: case DataType.Text: case DataType.Geometry: return String(v);
	case DataType.JSON: return typeof v === 'string' ? new Raw(v) : v;
	case DataType.Array: return Array.from(v, (e) => catValue(elementType, DataType.None, e));
	case DataType.FloatVector: case DataType.Float16Vector: case DataType.BFloat16Vector:
		return Array.from(v, (x) => number(Math.fround(x), 9));
	case DataType.BinaryVector: return Array.from(v, Number);
	case DataType.Int8Vector: return Array.from(v, (x) => (x > 127 ? x - 256 : Number(x)));
	case DataType.SparseFloatVector: {
		const out = {};
		for (const k of Object.keys(v).map(Number).sort((a, b) => a - b))
			out[String(k)] = number(Math.fround(v[k]), 9);
		return out;
	}
	default:
		throw new Error(`no mvs-cat form for data type ${type}`);
	}
}

function defaultOf(f) {
	if (f.default_value === null || f.default_value === undefined)
		return null;
	const t = typeId(f.data_type);
	const v = f.default_value;
	if (t === DataType.JSON)
		return new Raw(Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
	return catValue(t, DataType.None, v);
}

// desc: SDK describeCollection() result; partitions: ShowPartitions names; indexes: DescribeIndex list.
function normalizeSchema(desc, partitions, indexes) {
	const s = desc.schema;
	const hasPartitionKey = s.fields.some((f) => f.is_partition_key);
	const collection = {
		name: desc.collection_name,
		description: s.description || '',
		shards_num: Number(desc.shards_num),
		consistency_level: String(desc.consistency_level),
		enable_dynamic_field: !!s.enable_dynamic_field,
		num_partitions: hasPartitionKey ? Number(desc.num_partitions) : 0,
		properties: kvObject(desc.properties),
	};
	const fields = s.fields.map((f) => {
		const tp = kvObject(f.type_params);
		return {
			name: f.name,
			type: typeName(typeId(f.data_type)),
			type_id: typeId(f.data_type),
			description: f.description || '',
			primary_key: !!f.is_primary_key,
			auto_id: !!f.autoID,
			nullable: !!f.nullable,
			partition_key: !!f.is_partition_key,
			clustering_key: !!f.is_clustering_key,
			function_output: !!f.is_function_output,
			dim: tp.dim ? Number(tp.dim) : 0,
			max_length: tp.max_length ? Number(tp.max_length) : 0,
			max_capacity: tp.max_capacity ? Number(tp.max_capacity) : 0,
			element_type: typeId(f.element_type) ? typeName(typeId(f.element_type)) : '',
			default: defaultOf(f),
			type_params: tp,
			index_params: kvObject(f.index_params),
		};
	});
	const functions = (s.functions || []).map((fn) => ({
		name: fn.name,
		description: fn.description || '',
		type: String(fn.type),
		input_fields: fn.input_field_names,
		output_fields: fn.output_field_names,
		params: kvObject(fn.params),
	}));
	return {
		collection,
		fields,
		functions,
		partitions: [...partitions].sort(),
		indexes: indexes.map((d) => ({ field: d.field_name, name: d.index_name, params: kvObject(d.params) }))
			.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0)),
	};
}

// The fields a stream row carries (function outputs excluded), then $meta when dynamic fields are on.
function rowFields(schema) {
	const list = schema.fields.filter((f) => !f.function_output);
	if (schema.collection.enable_dynamic_field)
		list.push({ name: '$meta', type_id: DataType.JSON, dynamic: true });
	return list;
}

// An mvs-cat row object from an SDK row. For input rows the dynamic keys are the keys that are not
// fields; query results carry them in "$meta". partition: the "$partition" value or undefined.
function catRow(schema, row, partition) {
	const out = {};
	if (partition !== undefined)
		out.$partition = partition;
	const known = new Set(schema.fields.map((f) => f.name));
	for (const f of rowFields(schema)) {
		if (f.dynamic) {
			let meta = row.$meta;
			if (meta === undefined) {
				meta = {};
				for (const k of Object.keys(row)) {
					if (!known.has(k))
						meta[k] = row[k];
				}
			}
			out.$meta = meta;
			continue;
		}
		let v = row[f.name];
		if (v === undefined && f.default !== null)
			v = f.default;
		out[f.name] = v instanceof Raw || typeof v === 'bigint' ? v
			: catValue(f.type_id, f.element_type ? TYPE_ID[f.element_type] : DataType.None, v);
	}
	return out;
}

module.exports = { normalizeSchema, catRow };
