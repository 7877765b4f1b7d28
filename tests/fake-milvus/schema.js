// Collection schema checks done by Milvus on CreateCollection, and the field model the store and the
// query engine work from (type, dim, limits, default value, nullability, function outputs).
'use strict';

const { DataType } = require('./proto');
const { fail, MilvusError, Code } = require('./errors');

const MAX_FIELDS = 64;
const MAX_DIM = 32768;
const MAX_VARCHAR_LENGTH = 65535;
const MAX_ARRAY_CAPACITY = 4096;
const MAX_SHARDS = 16;
const MAX_PARTITIONS = 1024;
const MAX_PARTITIONS_23 = 4096;	// Milvus 2.3's rootCoord.maxPartitionNum
const DEFAULT_PARTITION_KEY_PARTITIONS = 64;
const FIRST_FIELD_ID = 100;
const FUNCTION_BM25 = 1;

const TYPE_NAME = Object.fromEntries(Object.entries(DataType).map(([k, v]) => [v, k]));

const DENSE_VECTORS = new Set([DataType.FloatVector, DataType.BinaryVector, DataType.Float16Vector,
	DataType.BFloat16Vector, DataType.Int8Vector]);
const ARRAY_ELEMENTS = new Set([DataType.Bool, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64,
	DataType.Float, DataType.Double, DataType.VarChar]);
const SUPPORTED = new Set([...ARRAY_ELEMENTS, DataType.Array, DataType.JSON, DataType.Text, DataType.Geometry,
	...DENSE_VECTORS, DataType.SparseFloatVector]);

function isVector(type) {
	return DENSE_VECTORS.has(type) || type === DataType.SparseFloatVector;
}

function typeName(type) {
	return TYPE_NAME[type] || String(type);
}

// Bytes per row of a dense vector of this type and dim.
function vectorRowBytes(type, dim) {
	switch (type) {
	case DataType.FloatVector: return dim * 4;
	case DataType.BinaryVector: return dim / 8;
	case DataType.Float16Vector:
	case DataType.BFloat16Vector: return dim * 2;
	case DataType.Int8Vector: return dim;
	default: return 0;
	}
}

function kvMap(list) {
	const m = new Map();
	for (const kv of list || [])
		m.set(kv.key, kv.value);
	return m;
}

// Go's strconv.ParseBool, which Milvus uses for boolean properties and query params.
function parseBool(s) {
	if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s))
		return true;
	if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s))
		return false;
	return undefined;
}

function checkName(kind, name) {
	if (!name)
		throw fail.invalid(`${kind} name should not be empty`);
	if (name.length > 255)
		throw fail.invalid(`the length of a ${kind} name must be less than 255 characters`);
	if (!/^[A-Za-z_]/.test(name))
		throw fail.invalid(`Invalid ${kind} name: ${name}. the first character of a ${kind} name must be an underscore or letter`);
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
		throw fail.invalid(`Invalid ${kind} name: ${name}. ${kind} name can only contain numbers, letters and underscores`);
}

function intParam(params, key, field) {
	const raw = params.get(key);
	if (raw === undefined)
		return undefined;
	if (!/^[+-]?\d+$/.test(String(raw).trim()))
		throw fail.invalid(`the value of ${key} (${raw}) of field ${field} must be an integer`);
	return Number(raw);
}

// The default value in the store's representation, checked against the field type.
function defaultValueOf(f, dv) {
	const slot = dv.data;
	const want = {
		[DataType.Bool]: 'bool_data', [DataType.Int8]: 'int_data', [DataType.Int16]: 'int_data',
		[DataType.Int32]: 'int_data', [DataType.Int64]: 'long_data', [DataType.Float]: 'float_data',
		[DataType.Double]: 'double_data', [DataType.VarChar]: 'string_data', [DataType.Text]: 'string_data',
		[DataType.JSON]: 'bytes_data', [DataType.Geometry]: 'string_data',
	}[f.type];
	if (!want)
		throw fail.invalid(`${typeName(f.type)} field ${f.name} does not support default value`);
	if (slot !== want)
		throw fail.invalid(`type (${typeName(f.type)}) of field (${f.name}) is not equal to the type(${slot}) of default_value`);
	const v = dv[slot];
	switch (f.type) {
	case DataType.Bool: return v ? 1 : 0;
	case DataType.Int8:
		if (v < -128 || v > 127)
			throw fail.invalid(`the default value ${v} of field ${f.name} is out of range [-128, 127]`);
		return v;
	case DataType.Int16:
		if (v < -32768 || v > 32767)
			throw fail.invalid(`the default value ${v} of field ${f.name} is out of range [-32768, 32767]`);
		return v;
	case DataType.Int64: return BigInt(v);
	case DataType.VarChar:
		if (Buffer.byteLength(v) > f.maxLength)
			throw fail.invalid(`the length (${Buffer.byteLength(v)}) of string exceeds max length (${f.maxLength})`);
		return v;
	case DataType.JSON: return Buffer.from(v);
	default: return v;
	}
}

// Builds the field model from one decoded FieldSchema; id is the server-assigned field ID.
function buildField(fs, id, collectionName, p) {
	const params = kvMap(fs.type_params);
	const f = {
		id,
		name: fs.name,
		type: fs.data_type,
		isPk: !!fs.is_primary_key,
		autoId: !!fs.autoID,
		nullable: !!fs.nullable,
		isPartitionKey: !!fs.is_partition_key,
		isClusteringKey: !!fs.is_clustering_key,
		isFunctionOutput: !!fs.is_function_output,
		isDynamic: false,
		dim: 0,
		maxLength: 0,
		maxCapacity: 0,
		elementType: fs.element_type || 0,
		hasDefault: false,
		defaultValue: undefined,
		params,
		schema: fs,
	};
	if (!(p && p.v23))
		checkName('field', f.name);
	if (!SUPPORTED.has(f.type))
		throw fail.invalid(`data type ${typeName(f.type)} of field ${f.name} is not supported`);
	if (DENSE_VECTORS.has(f.type)) {
		const dim = intParam(params, 'dim', f.name);
		if (dim === undefined)
			throw fail.invalid(`dimension is not defined in field type params of field ${f.name}, check type param \`dim\` for vector field`);
		const minDim = p && p.v23 ? 1 : 2;	// 2.3 takes dim 1
		if (dim < minDim || dim > MAX_DIM)
			throw fail.invalid(`invalid dimension: ${dim} of field ${f.name}. ${typeName(f.type)} dimension should be in range ${minDim} ~ ${MAX_DIM}`);
		if (f.type === DataType.BinaryVector && dim % 8 !== 0)
			throw fail.invalid(`invalid dimension: ${dim} of field ${f.name}. binary vector dimension should be multiple of 8.`);
		f.dim = dim;
	} else if (f.type === DataType.SparseFloatVector && params.has('dim')) {
		throw fail.invalid(`dim should not be specified for sparse vector field ${f.name}`);
	}
	if (f.type === DataType.VarChar || (f.type === DataType.Array && f.elementType === DataType.VarChar)) {
		const maxLength = intParam(params, 'max_length', f.name);
		if (maxLength === undefined)
			throw fail.invalid(`type param(max_length) should be specified for the field(${f.name}) of collection ${collectionName}`);
		if (maxLength <= 0 || maxLength > MAX_VARCHAR_LENGTH)
			throw fail.invalid(`the maximum length specified for the field(${f.name}) should be in (0, ${MAX_VARCHAR_LENGTH}], but got ${maxLength} instead`);
		f.maxLength = maxLength;
	}
	if (f.type === DataType.Array) {
		if (!ARRAY_ELEMENTS.has(f.elementType))
			throw fail.invalid(`element type ${typeName(f.elementType)} is not supported`);
		const cap = intParam(params, 'max_capacity', f.name);
		if (cap === undefined)
			throw fail.invalid(`type param(max_capacity) should be specified for array field ${f.name}`);
		if (cap <= 0 || cap > MAX_ARRAY_CAPACITY)
			throw fail.invalid(`the maximum capacity specified for a Array should be in (0, ${MAX_ARRAY_CAPACITY}]`);
		f.maxCapacity = cap;
	}
	if (f.autoId && !f.isPk)
		throw fail.invalid(`only primary field can speficy AutoID with true, field name = ${f.name}`);
	if (fs.default_value && fs.default_value.data) {
		if (f.isPk)
			throw fail.invalid(`primary field ${f.name} not support default value`);
		f.defaultValue = defaultValueOf(f, fs.default_value);
		f.hasDefault = true;
	}
	return f;
}

// Go's strconv.ParseInt(s, 10, 64), as Milvus 2.3 parses dim, max_length and max_capacity: the value,
// or its error as the reason of a failed CreateCollection (code 65535).
function goParseInt(raw) {
	const s = String(raw);
	if (!/^[+-]?\d+$/.test(s))
		throw fail.unexpected(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
	const v = BigInt(s);
	if (v > 9223372036854775807n || v < -9223372036854775808n)
		throw fail.unexpected(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
	return Number(v);
}

// Milvus 2.3's field-name check (code 1701, FieldNameInvalid).
function checkFieldName23(name) {
	const bad = (why) => new MilvusError(Code.FIELD_NAME_INVALID, `${why}: field name invalid[field=${name}]`);
	if (!name)
		throw bad('field name should not be empty');
	if (name.length > 255)
		throw bad(`Invalid field name: ${name}. The length of a field name must be less than 255 characters.`);
	if (!/^[A-Za-z_]/.test(name))
		throw bad(`Invalid field name: ${name}. The first character of a field name must be an underscore or letter.`);
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
		throw bad(`Invalid field name: ${name}. Field name cannot only contain numbers, letters, and underscores.`);
}

// The CreateCollection checks of Milvus 2.3.5, with its codes (mostly 65535) and wording, measured
// against the real server. Runs before the common model building, which then finds nothing to refuse
// among the features 2.3 has.
function validate23(req, schema) {
	const name = req.collection_name;
	checkName('collection', name);
	if (schema.name !== name)
		throw fail.invalidParam('collection name matches schema name', "don't match", `collection name = ${name}, schema.Name=${schema.name}`);
	if ((req.shards_num || 0) > MAX_SHARDS)
		throw fail.unexpected(`maximum shards's number should be limited to ${MAX_SHARDS}`);
	const fields = schema.fields || [];
	if (fields.length > MAX_FIELDS)
		throw fail.unexpected(`maximum field's number should be limited to ${MAX_FIELDS}`);
	const seen = new Set();
	for (const f of fields) {
		if (seen.has(f.name))
			throw fail.unexpected('duplicated field name');
		seen.add(f.name);
	}
	const pks = fields.filter((f) => f.is_primary_key);
	if (!pks.length)
		throw fail.unexpected('primary key is not specified');
	if (pks.length > 1)
		throw fail.unexpected(`there are more than one primary key, field name = ${pks[0].name}, ${pks[1].name}`);
	if (pks[0].data_type !== DataType.Int64 && pks[0].data_type !== DataType.VarChar)
		throw fail.unexpected('the data type of primary key should be Int64 or VarChar');
	for (const f of fields)
		checkFieldName23(f.name);
	for (const f of fields) {
		if (f.autoID && !f.is_primary_key)
			throw fail.unexpected(`only primary field can speficy AutoID with true, field name = ${f.name}`);
	}
	const pkeys = fields.filter((f) => f.is_partition_key);
	if (pkeys.length > 1)
		throw fail.unexpected(`there are more than one partition key, field name = ${pkeys[0].name}, ${pkeys[1].name}`);
	if (pkeys.length) {
		if (pkeys[0].is_primary_key)
			throw fail.unexpected('the partition key field must not be primary field');
		if (pkeys[0].data_type !== DataType.Int64 && pkeys[0].data_type !== DataType.VarChar)
			throw fail.unexpected('the data type of partition key should be Int64 or VarChar');
		const n = Number(req.num_partitions || 0);
		if (n > MAX_PARTITIONS_23)
			throw fail.unexpected(`partition number (${n}) exceeds max configuration (${MAX_PARTITIONS_23}), collection: ${name}`);
	} else if (Number(req.num_partitions || 0) > 0) {
		throw fail.unexpected('num_partitions should only be specified with partition key field enabled');
	}
	const vectors = fields.filter((f) => isVector(f.data_type));
	if (vectors.length > 1)
		throw fail.unexpected(`multiple vector fields is not supported, fields name: ${vectors.map((f) => f.name).join(', ')}`);
	for (const f of fields) {
		const params = kvMap(f.type_params);
		if (f.data_type === DataType.None)
			throw fail.unexpected('data type None is not valid');
		if (f.data_type === DataType.String)
			throw fail.unexpected('string data type not supported yet, please use VarChar type instead');
		if (f.data_type === DataType.FloatVector || f.data_type === DataType.BinaryVector) {
			if (!params.has('dim'))
				throw fail.unexpected('dimension is not defined in field type params, check type param `dim` for vector field');
			const dim = goParseInt(params.get('dim'));
			if (dim < 1 || dim > MAX_DIM)
				throw fail.unexpected(`invalid dimension: ${dim}. should be in range 1 ~ ${MAX_DIM}`);
			if (f.data_type === DataType.BinaryVector && dim % 8 !== 0)
				throw fail.unexpected(`invalid dimension: ${dim}. should be multiple of 8. `);
		}
		if (f.data_type === DataType.Array) {
			if (!f.element_type)
				throw fail.unexpected('element data type None is not valid');
			if (!ARRAY_ELEMENTS.has(f.element_type))
				throw fail.unexpected(`element type ${typeName(f.element_type)} is not supported`);
			if (!params.has('max_capacity'))
				throw fail.unexpected(`type param(max_capacity) should be specified for array field of collection ${name}`);
			const cap = goParseInt(params.get('max_capacity'));
			if (cap <= 0 || cap > MAX_ARRAY_CAPACITY)
				throw fail.unexpected(`the maximum capacity specified for a Array should be in (0, ${MAX_ARRAY_CAPACITY}]`);
		}
		if (f.data_type === DataType.VarChar || (f.data_type === DataType.Array && f.element_type === DataType.VarChar)) {
			if (!params.has('max_length'))
				throw fail.unexpected(`type param(max_length) should be specified for varChar field of collection ${name}`);
			const len = goParseInt(params.get('max_length'));
			if (len <= 0 || len > MAX_VARCHAR_LENGTH)
				throw fail.invalid(`the maximum length specified for a VarChar should be in (0, ${MAX_VARCHAR_LENGTH}]`);
		}
	}
}

// Validates a CreateCollection request the way Milvus's proxy and rootcoord do and returns the collection
// model (without storage): {name, description, fields, pk, partitionKey, dynamic, functions, ...}.
// p: the compatibility profile (compat.js).
function buildCollectionModel(req, schema, p) {
	const name = req.collection_name;
	if (p && p.v23)
		validate23(req, schema);
	checkName('collection', name);
	if (schema.name !== name)
		throw fail.invalid(`collection name [${name}] not matches schema name [${schema.name}]`);
	if ((schema.struct_array_fields || []).length)
		throw fail.invalid('struct array fields are not supported by fake-milvus');
	const inFields = schema.fields || [];
	if (!inFields.length)
		throw fail.invalid('schema does not contain any field');
	if (inFields.length > MAX_FIELDS)
		throw fail.invalid(`maximum field's number should be limited to ${MAX_FIELDS}`);
	const seen = new Set();
	const fields = inFields.map((fs, i) => {
		if (fs.name === '$meta')
			throw fail.invalid('Invalid field name: $meta. field name $meta is reserved for the dynamic field');
		if (seen.has(fs.name))
			throw fail.invalid(`duplicated field name ${fs.name} found`);
		seen.add(fs.name);
		return buildField(fs, FIRST_FIELD_ID + i, name, p);
	});
	const pks = fields.filter((f) => f.isPk);
	if (pks.length === 0)
		throw fail.invalid('primary key is not specified');
	if (pks.length > 1)
		throw fail.invalid(`there are more than one primary key, field name = ${pks[0].name}, ${pks[1].name}`);
	const pk = pks[0];
	if (pk.type !== DataType.Int64 && pk.type !== DataType.VarChar)
		throw fail.invalid('the data type of primary key should be Int64 or VarChar');
	if (pk.nullable)
		throw fail.invalid('primary field not support null');
	if (!fields.some((f) => isVector(f.type)) && !(p && p.v23))	// 2.3 takes a collection without vectors
		throw fail.invalid('schema does not contain vector field');
	const pkeys = fields.filter((f) => f.isPartitionKey);
	if (pkeys.length > 1)
		throw fail.invalid(`there are more than one partition key, field name = ${pkeys[0].name}, ${pkeys[1].name}`);
	const partitionKey = pkeys[0] || null;
	if (partitionKey) {
		if (partitionKey.isPk)
			throw fail.invalid('the partition key field must not be primary field');
		if (partitionKey.type !== DataType.Int64 && partitionKey.type !== DataType.VarChar)
			throw fail.invalid('the data type of partition key should be Int64 or VarChar');
		if (partitionKey.nullable)
			throw fail.invalid('partition key field not support nullable');
	}
	let numPartitions = Number(req.num_partitions || 0);
	if (partitionKey) {
		if (numPartitions === 0)
			numPartitions = DEFAULT_PARTITION_KEY_PARTITIONS;
		const max = p && p.v23 ? MAX_PARTITIONS_23 : MAX_PARTITIONS;
		if (numPartitions < 0 || numPartitions > max)
			throw fail.invalid(`partition number (${numPartitions}) exceeds max configuration (${max})`);
	} else if (numPartitions > 0) {
		throw fail.invalid('num_partitions should only be specified with partition key field enabled');
	}
	let shardsNum = req.shards_num || 1;
	if (p && p.v23 && shardsNum < 0)
		shardsNum = 1;	// 2.3 takes a negative shards_num as the default
	if (shardsNum < 0 || shardsNum > MAX_SHARDS)
		throw fail.invalid(`maximum shards's number should be limited to ${MAX_SHARDS}`);

	const byName = new Map(fields.map((f) => [f.name, f]));
	const functions = buildFunctions(schema.functions || [], byName);
	for (const f of fields) {
		if (f.isFunctionOutput && !functions.some((fn) => fn.outputFields.includes(f)))
			throw fail.invalid(`field ${f.name} is marked as function output but no function outputs it`);
	}
	const dynamic = !!schema.enable_dynamic_field;
	if (dynamic) {
		fields.push({
			id: FIRST_FIELD_ID + fields.length, name: '$meta', type: DataType.JSON, isPk: false, autoId: false,
			nullable: false, isPartitionKey: false, isClusteringKey: false, isFunctionOutput: false, isDynamic: true,
			dim: 0, maxLength: 0, maxCapacity: 0, elementType: 0, hasDefault: false, defaultValue: undefined,
			params: new Map(), schema: null,
		});
	}
	fields.forEach((f, i) => { f.index = i; });
	const properties = (req.properties || []).map((kv) => ({ key: kv.key, value: kv.value }));
	return {
		name,
		description: schema.description || '',
		schemaAutoId: !!schema.autoID && !(p && p.v23),	// 2.3 does not keep the schema's autoID
		schemaProperties: (schema.properties || []).map((kv) => ({ key: kv.key, value: kv.value })),
		fields,
		byName: new Map(fields.map((f) => [f.name, f])),
		pk,
		partitionKey,
		dynamic,
		functions,
		shardsNum,
		consistencyLevel: req.consistency_level || 0,
		properties,
		numPartitions,
	};
}

function buildFunctions(list, byName) {
	const names = new Set();
	return list.map((fn, i) => {
		if (!fn.name)
			throw fail.invalid('function name should not be empty');
		if (names.has(fn.name))
			throw fail.invalid(`duplicate function name: ${fn.name}`);
		names.add(fn.name);
		if (fn.type !== FUNCTION_BM25)
			throw fail.invalid(`function type ${fn.type} of function ${fn.name} is not supported by fake-milvus (only BM25)`);
		const inputs = fn.input_field_names.map((n) => {
			const f = byName.get(n);
			if (!f)
				throw fail.invalid(`function input field not found: ${n}`);
			return f;
		});
		const outputs = fn.output_field_names.map((n) => {
			const f = byName.get(n);
			if (!f)
				throw fail.invalid(`function output field not found: ${n}`);
			return f;
		});
		if (inputs.length !== 1 || inputs[0].type !== DataType.VarChar)
			throw fail.invalid(`BM25 function ${fn.name} needs exactly one VarChar input field`);
		if (parseBool(inputs[0].params.get('enable_analyzer')) !== true)
			throw fail.invalid(`BM25 function input field ${inputs[0].name} must set enable_analyzer to true`);
		if (outputs.length !== 1 || outputs[0].type !== DataType.SparseFloatVector)
			throw fail.invalid(`BM25 function ${fn.name} needs exactly one SparseFloatVector output field`);
		outputs[0].isFunctionOutput = true;
		return {
			id: FIRST_FIELD_ID + i,
			name: fn.name,
			description: fn.description || '',
			type: fn.type,
			inputFields: inputs,
			outputFields: outputs,
			params: (fn.params || []).map((kv) => ({ key: kv.key, value: kv.value })),
		};
	});
}

// The FieldSchema DescribeCollection returns for a user field.
function describeField(f) {
	const fs = f.schema;
	return {
		fieldID: String(f.id),
		name: f.name,
		is_primary_key: f.isPk,
		description: fs.description || '',
		data_type: f.type,
		type_params: (fs.type_params || []).map((kv) => ({ key: kv.key, value: kv.value })),
		index_params: (fs.index_params || []).map((kv) => ({ key: kv.key, value: kv.value })),
		autoID: f.autoId,
		state: 0,
		element_type: f.elementType,
		default_value: f.hasDefault ? fs.default_value : null,
		is_dynamic: false,
		is_partition_key: f.isPartitionKey,
		is_clustering_key: f.isClusteringKey,
		nullable: f.nullable,
		is_function_output: f.isFunctionOutput,
	};
}

function describeFunction(fn) {
	return {
		name: fn.name,
		id: String(fn.id),
		description: fn.description,
		type: fn.type,
		input_field_names: fn.inputFields.map((f) => f.name),
		input_field_ids: fn.inputFields.map((f) => String(f.id)),
		output_field_names: fn.outputFields.map((f) => f.name),
		output_field_ids: fn.outputFields.map((f) => String(f.id)),
		params: fn.params,
	};
}

module.exports = {
	buildCollectionModel, describeField, describeFunction, isVector, vectorRowBytes, typeName, kvMap, parseBool, checkName,
};
