// Insert/Upsert validation and conversion: the FieldData columns of a request are checked the way the
// Milvus proxy checks them (field set, type and slot per type, dims, max_length, max_capacity, compact
// nullable data, default values, auto-ID, dynamic $meta, NaN, sparse rows) and turned into the store's
// columns, full length, with defaults and placeholders filled in. With a 2.3 profile (p.v23) the request
// is first checked as Milvus 2.3.5 checks it (validate23: its order, codes and words), and what 2.3 takes
// that 2.6 refuses (NaN in Float/Double fields, static field names in $meta, a null $meta) goes through.
'use strict';

const { DataType, floatsOf } = require('./proto');
const { fail, MilvusError, Code } = require('./errors');
const { typeName, vectorRowBytes, parseBool } = require('./schema');
const { goJsonError, goJsonKind } = require('./gojson');
const { keyHash } = require('./hash');

const JSON_MAX_LENGTH = 65536;

// The ScalarField / VectorField member each type must use.
const SLOT = {
	[DataType.Bool]: 'bool_data', [DataType.Int8]: 'int_data', [DataType.Int16]: 'int_data',
	[DataType.Int32]: 'int_data', [DataType.Int64]: 'long_data', [DataType.Float]: 'float_data',
	[DataType.Double]: 'double_data', [DataType.VarChar]: 'string_data', [DataType.Text]: 'string_data',
	[DataType.JSON]: 'json_data', [DataType.Array]: 'array_data', [DataType.Geometry]: 'geometry_wkt_data',
	[DataType.FloatVector]: 'float_vector', [DataType.BinaryVector]: 'binary_vector',
	[DataType.Float16Vector]: 'float16_vector', [DataType.BFloat16Vector]: 'bfloat16_vector',
	[DataType.SparseFloatVector]: 'sparse_float_vector', [DataType.Int8Vector]: 'int8_vector',
};

const INT_RANGE = {
	[DataType.Int8]: [-128, 127],
	[DataType.Int16]: [-32768, 32767],
	[DataType.Int32]: [-2147483648, 2147483647],
};

function paramInvalid(expected, actual, msg) {
	return fail.invalidParam(expected, actual, msg);
}

function lowerName(type) {
	return typeName(type).toLowerCase();
}

// Pulls the values array of a FieldData for field f, or throws "array type mismatch".
function slotValues(fd, f) {
	const slot = SLOT[f.type];
	const vector = f.type >= 100;
	const holder = vector ? fd.vectors : fd.scalars;
	if (!holder || holder.data !== slot)
		return undefined;
	const v = holder[slot];
	switch (slot) {
	case 'binary_vector': case 'float16_vector': case 'bfloat16_vector': case 'int8_vector':
		return v;
	case 'float_vector':
		return v.data instanceof Uint8Array ? v.data : Buffer.from(floatsOf(v.data).buffer);
	case 'float_data':
		return floatsOf(v.data);
	case 'sparse_float_vector':
		return v.contents;
	default:
		return v.data;
	}
}

function mismatch(f) {
	return paramInvalid(`need ${lowerName(f.type)} array`, 'got nil', `${lowerName(f.type)} field '${f.name}' is illegal, array type mismatch`);
}

function checkFinite(v, name) {
	if (!Number.isFinite(v))
		throw fail.invalid(`the float data of field ${name} contains NaN or infinity (${v})`);
}

function halfIsFinite(h, bf16) {
	return bf16 ? (h & 0x7F80) !== 0x7F80 : (h & 0x7C00) !== 0x7C00;
}

function checkSparseRow(buf, name, row) {
	if (buf.length % 8 !== 0)
		throw fail.invalid(`invalid data length in sparse float vector of field ${name}, row ${row}: ${buf.length}`);
	let prev = -1;
	for (let o = 0; o < buf.length; o += 8) {
		const idx = buf.readUInt32LE(o);
		const val = buf.readFloatLE(o + 4);
		if (idx === 0xFFFFFFFF)
			throw fail.invalid(`sparse vector index must be less than 2^32-1, field ${name}, row ${row}`);
		if (idx <= prev)
			throw fail.invalid(`unsorted or same indices in sparse float vector, field ${name}, row ${row}`);
		if (!Number.isFinite(val))
			throw fail.invalid(`sparse vector value must be finite, field ${name}, row ${row}`);
		if (val < 0)
			throw fail.invalid(`sparse vector value must not be negative, field ${name}, row ${row}`);
		prev = idx;
	}
}

function checkJson(buf, name, row) {
	if (buf.length > JSON_MAX_LENGTH)
		throw paramInvalid('valid length json string', 'length exceeds max length',
			`the length (${buf.length}) of json field (${name}) exceeds max length (${JSON_MAX_LENGTH})`);
	try {
		JSON.parse(buf.toString('utf8'));
	} catch (e) {
		throw fail.invalid(`invalid JSON in field ${name}, row ${row}: ${e.message}`);
	}
}

// Converts one array element list (a ScalarField) for an Array field.
// v23: validate23 did 2.3's checks (2.3 takes NaN; it checks VarChar elements only when the request
// names their type).
function arrayElements(sf, f, row, v23) {
	const slot = SLOT[f.elementType];
	if (!sf || sf.data !== slot)
		throw paramInvalid(`${lowerName(f.elementType)} array`, `${sf && sf.data || 'nil'} array`, 'insert data does not match');
	const vals = slot === 'float_data' ? Array.from(floatsOf(sf[slot].data)) : sf[slot].data;
	if (vals.length > f.maxCapacity)
		throw paramInvalid('valid length array', 'array length exceeds max capacity',
			`the length (${vals.length}) of ${row}th array exceeds max capacity (${f.maxCapacity})`);
	switch (f.elementType) {
	case DataType.Int8: case DataType.Int16: {
		const [lo, hi] = INT_RANGE[f.elementType];
		vals.forEach((v, i) => {
			if (v < lo || v > hi)
				throw paramInvalid("integer doesn't overflow", 'out of range', `the ${i}th element (${v}) out of range: [${lo}, ${hi}]`);
		});
		return vals.slice();
	}
	case DataType.Int64:
		return vals.map((v) => BigInt(v));
	case DataType.Float:
	case DataType.Double:
		if (!v23)
			vals.forEach((v) => checkFinite(v, f.name));
		return vals.slice();
	case DataType.VarChar:
		if (v23)
			return vals.slice();
		vals.forEach((v, i) => {
			const len = Buffer.byteLength(v);
			if (len > f.maxLength)
				throw fail.invalid(`length of VarChar array field "${f.name}" exceeds max length, row number: ${row}, array index: ${i}, length: ${len}, max length: ${f.maxLength}`);
		});
		return vals.slice();
	default:
		return vals.slice();
	}
}

// Builds the full-length store column of a scalar field from its compact values and validity.
function scalarColumn(f, vals, valid, n, v23) {
	const fill = f.hasDefault ? f.defaultValue : undefined;
	const at = valid ? validIndex(valid) : null;	// at[row] = index into vals, or -1
	const get = (row) => (at ? at[row] : row);
	let data;
	switch (f.type) {
	case DataType.Bool:
		data = new Uint8Array(n);
		for (let r = 0; r < n; r++) {
			const k = get(r);
			data[r] = k >= 0 ? (vals[k] ? 1 : 0) : (fill || 0);
		}
		break;
	case DataType.Int8: case DataType.Int16: case DataType.Int32: {
		const [lo, hi] = INT_RANGE[f.type];
		data = new Int32Array(n);
		for (let r = 0; r < n; r++) {
			const k = get(r);
			if (k >= 0) {
				const v = vals[k];
				if (v < lo || v > hi)
					throw paramInvalid("integer doesn't overflow", 'out of range', `the ${k}th element (${v}) out of range: [${lo}, ${hi}]`);
				data[r] = v;
			} else {
				data[r] = fill || 0;
			}
		}
		break;
	}
	case DataType.Int64:
		data = new BigInt64Array(n);
		for (let r = 0; r < n; r++) {
			const k = get(r);
			data[r] = k >= 0 ? BigInt(vals[k]) : (fill || 0n);
		}
		break;
	case DataType.Float: case DataType.Double:
		data = f.type === DataType.Float ? new Float32Array(n) : new Float64Array(n);
		for (let r = 0; r < n; r++) {
			const k = get(r);
			if (k >= 0) {
				if (!v23)	// 2.3 stores NaN and infinities in Float and Double fields
					checkFinite(vals[k], f.name);
				data[r] = vals[k];
			} else {
				data[r] = fill || 0;
			}
		}
		break;
	case DataType.VarChar: case DataType.Text: case DataType.Geometry:
		data = new Array(n);
		for (let r = 0; r < n; r++) {
			const k = get(r);
			if (k >= 0) {
				const v = vals[k];
				if (f.type === DataType.VarChar && !f.autoId) {
					const len = Buffer.byteLength(v);
					if (len > f.maxLength)
						throw fail.invalid(`length of varchar field ${f.name} exceeds max length, row number: ${k}, length: ${len}, max length: ${f.maxLength}`);
				}
				data[r] = v;
			} else {
				data[r] = fill === undefined ? '' : fill;
			}
		}
		break;
	case DataType.JSON:
		data = new Array(n);
		for (let r = 0; r < n; r++) {
			const k = get(r);
			if (k >= 0) {
				checkJson(vals[k], f.name, k);
				data[r] = vals[k];
			} else {
				data[r] = fill === undefined ? Buffer.alloc(0) : fill;
			}
		}
		break;
	case DataType.Array:
		data = new Array(n);
		for (let r = 0; r < n; r++) {
			const k = get(r);
			data[r] = k >= 0 ? arrayElements(vals[k], f, k, v23) : [];
		}
		break;
	default:
		throw fail.invalid(`data type ${typeName(f.type)} is not supported by fake-milvus`);
	}
	// After filling, only nullable fields keep validity (a default value makes a row valid).
	let keep = null;
	if (f.nullable && valid && !f.hasDefault)
		keep = valid;
	return { data, valid: keep };
}

function validIndex(valid) {
	const at = new Int32Array(valid.length);
	let k = 0;
	for (let r = 0; r < valid.length; r++)
		at[r] = valid[r] ? k++ : -1;
	return at;
}

// A dense vector column: one Buffer of n rows (null rows zero-filled), plus validity when nullable.
function vectorColumn(f, fd, vals, valid, validCount, n, v23) {
	// 2.3 reads the rows with the schema's dim, whatever VectorField.dim says
	const dim = v23 ? f.dim : Number(fd.vectors.dim);
	if (dim !== f.dim)
		throw paramInvalid(f.dim, dim, `the dim (${dim}) of field data(${f.name}) is not equal to schema dim (${f.dim})`);
	const width = vectorRowBytes(f.type, f.dim);
	let bytes;
	if (f.type === DataType.FloatVector) {
		const count = vals.length >> 2;	// raw float32 bytes
		if (count % dim !== 0)
			throw fail.invalid(`the length(${count}) of float data should divide the dim(${dim})`);
		if (count / dim !== validCount)
			throw paramInvalid(validCount, count / dim, `the num_rows (${count / dim}) of field (${f.name}) is not equal to passed num_rows (${validCount})`);
		const fa = floatsOf(vals);
		for (let i = 0; i < fa.length; i++) {
			if (!Number.isFinite(fa[i]))
				throw fail.invalid(`float vector field ${f.name} contains NaN or infinity at row ${Math.floor(i / dim)}`);
		}
		bytes = Buffer.from(fa.buffer, fa.byteOffset, fa.byteLength);
	} else {
		bytes = vals;
		if (bytes.length % width !== 0 || bytes.length / width !== validCount)
			throw paramInvalid(validCount, bytes.length / width, `the num_rows (${bytes.length / width}) of field (${f.name}) is not equal to passed num_rows (${validCount})`);
		if (f.type === DataType.Float16Vector || f.type === DataType.BFloat16Vector) {
			const bf16 = f.type === DataType.BFloat16Vector;
			for (let o = 0; o < bytes.length; o += 2) {
				if (!halfIsFinite(bytes.readUInt16LE(o), bf16))
					throw fail.invalid(`${lowerName(f.type)} field ${f.name} contains NaN or infinity at row ${Math.floor(o / width)}`);
			}
		}
		bytes = Buffer.from(bytes);	// own copy: the request buffer is not ours to keep
	}
	if (!valid)
		return { data: bytes, valid: null, width };
	const full = Buffer.alloc(n * width);
	let k = 0;
	for (let r = 0; r < n; r++) {
		if (valid[r])
			bytes.copy(full, r * width, k++ * width, k * width);
	}
	return { data: full, valid, width };
}

function sparseColumn(f, vals, valid, validCount, n) {
	if (vals.length !== validCount)
		throw paramInvalid(validCount, vals.length, `the num_rows (${vals.length}) of field (${f.name}) is not equal to passed num_rows (${validCount})`);
	vals.forEach((b, i) => checkSparseRow(b, f.name, i));
	const data = new Array(n);
	let k = 0;
	for (let r = 0; r < n; r++)
		data[r] = !valid || valid[r] ? Buffer.from(vals[k++]) : Buffer.alloc(0);
	return { data, valid: valid || null };
}

function dynamicColumn(coll, fd, n, v23) {
	const vals = fd.scalars && fd.scalars.data === 'json_data' ? fd.scalars.json_data.data : null;
	if (!vals)
		throw mismatch({ type: DataType.JSON, name: '$meta' });
	if (vals.length !== n)
		throw paramInvalid(n, vals.length, `the num_rows (${vals.length}) of field ($meta) is not equal to passed num_rows (${n})`);
	const data = new Array(n);
	for (let r = 0; r < n; r++) {
		const buf = vals[r];
		if (buf.length > JSON_MAX_LENGTH)
			throw paramInvalid('valid length dynamic field', 'length exceeds max length',
				`the length (${buf.length}) of dynamic field exceeds max length (${JSON_MAX_LENGTH})`);
		let obj;
		try {
			obj = JSON.parse(buf.toString('utf8'));
		} catch (e) {
			throw fail.invalid(`the dynamic field data of row ${r} is not valid JSON: ${e.message}`);
		}
		if (v23 && obj === null) {	// 2.3 takes (and keeps) null for "no dynamic keys"
			data[r] = Buffer.from(buf);
			continue;
		}
		if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
			throw fail.invalid(`the dynamic field data of row ${r} must be a JSON object`);
		for (const key of Object.keys(obj)) {
			if (key === '$meta')
				throw fail.invalid(`dynamic field name cannot be $meta (row ${r})`);
			if (coll.byName.has(key) && !v23)	// 2.3 takes static field names as dynamic keys
				throw fail.invalid(`dynamic field name cannot include the static field name: ${key}`);
		}
		data[r] = Buffer.from(buf);
	}
	return { data, valid: null };
}

// The partition of a partition-key value: Milvus's key hash (hash.js) modulo num_partitions.
function partitionKeyHash(v) {
	return keyHash(v);
}

// Go's %v of a float64 that is not a number or is infinite.
function goFloat(v) {
	return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

// Milvus 2.3.5's answer to a field whose data is missing or in the wrong ScalarField/VectorField member.
function missing23(f, n) {
	switch (f.type) {
	case DataType.Int8: case DataType.Int16:
		return fail.invalidParam('need int array', 'got nil', `field '${f.name}' is illegal, array type mismatch`);
	case DataType.VarChar:
		return fail.invalidParam('need string array', 'got nil', `varchar field '${f.name}' is illegal, array type mismatch`);
	case DataType.JSON:
		return fail.invalidParam('need json array', 'got nil', `json field '${f.name}' is illegal, array type mismatch`);
	case DataType.Array:
		return fail.invalidParam(`need ${typeName(f.elementType)} array`, 'got nil', `array field '${f.name}' is illegal, array type mismatch`);
	case DataType.FloatVector:
		return fail.invalidParam('need float vector', 'got nil', `float vector field '${f.name}' is illegal, array type mismatch`);
	case DataType.BinaryVector:
		return fail.invalidParam(n, n, `the num_rows (0) of field (${f.name}) is not equal to passed num_rows (${n})`);
	default:
		return fail.unexpected('%!s(<nil>) is not supported now');
	}
}

// The member names 2.3 prints for an Array's elements ("insert data does not match").
const ELEMENT_NAME_23 = {
	[DataType.Bool]: 'bool', [DataType.Int8]: 'int', [DataType.Int16]: 'int', [DataType.Int32]: 'int',
	[DataType.Int64]: 'long', [DataType.Float]: 'float', [DataType.Double]: 'double', [DataType.VarChar]: 'string',
};
const MEMBER_NAME_23 = {
	bool_data: 'BoolData', int_data: 'IntData', long_data: 'LongData', float_data: 'FloatData',
	double_data: 'DoubleData', string_data: 'StringData', array_data: 'ArrayData', json_data: 'JsonData',
};

function varcharTooLong23(len, i, max) {
	return fail.invalidParam('valid length string', 'string length exceeds max length',
		`the length (${len}) of ${i}th string exceeds max length (${max})`);
}

// The checks Milvus 2.3.5's proxy makes on an Insert/Upsert, in its order and words (measured against
// the real server): the dynamic field's JSON, duplicate field names, the number of fields (missing
// fields other than the primary key are filled in first, so an unknown field shows as one too many),
// then each field (data member, row count, vector length, NaN in vectors, VarChar length in bytes, Int8
// and Int16 range, array capacity and element type, VarChar elements only when the request names the
// element type), and last the JSON fields: an object or null, else code 1001 "IO failed: ...".
function validate23(coll, req, upsert) {
	const n = req.num_rows;
	const names = req.fields_data.map((fd) => (fd.is_dynamic ? fd.field_name || '$meta' : fd.field_name));
	const dynamic = req.fields_data.filter((fd) => fd.is_dynamic);
	if (coll.dynamic) {
		for (const fd of dynamic) {
			const rows = fd.scalars && fd.scalars.data === 'json_data' ? fd.scalars.json_data.data : [];
			for (const buf of rows) {
				const err = goJsonError(buf);
				if (err)
					throw fail.unexpected(err);
				const kind = goJsonKind(buf);
				if (kind !== 'object' && kind !== 'null')
					throw fail.unexpected(`json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
				if (kind === 'object' && Object.prototype.hasOwnProperty.call(JSON.parse(buf.toString('utf8')), '$meta'))
					throw fail.unexpected('cannot set json key to: $meta');
			}
		}
		if (!dynamic.length)
			names.push('$meta');	// the proxy adds an empty dynamic field
	}
	const seen = new Set();
	for (const name of names) {
		if (seen.has(name))
			throw fail.invalid(`duplicated field ${name} found`);
		seen.add(name);
	}
	const user = coll.fields.filter((f) => !f.isDynamic && !f.isFunctionOutput);
	const needed = user.filter((f) => !(f.isPk && f.autoId)).length + (coll.dynamic ? 1 : 0);
	const filled = user.filter((f) => !f.isPk && !seen.has(f.name)).length;
	if (names.length + filled !== needed)
		throw fail.invalidParam(needed, names.length + filled, 'the number of fields is less than needed');
	if (upsert && coll.pk.autoId && !seen.has(coll.pk.name))
		throw fail.invalid(`upsert can not assign primary field data when auto id enabled ${coll.pk.name}`);
	const byName = new Map(req.fields_data.filter((fd) => !fd.is_dynamic).map((fd) => [fd.field_name, fd]));
	const rowsMismatch = (count, f) =>
		fail.invalidParam(n, n, `the num_rows (${count}) of field (${f.name}) is not equal to passed num_rows (${n})`);
	const checked = [];
	for (const f of user) {
		const fd = byName.get(f.name);
		if (!fd && ((f.isPk && f.autoId) || f.nullable || f.hasDefault))
			continue;
		const newer = (f.type >= 100 && f.type !== DataType.FloatVector && f.type !== DataType.BinaryVector) ||
			f.type === DataType.Text || f.type === DataType.Geometry;
		if (newer || f.nullable || f.hasDefault || (fd && (fd.valid_data || []).length))
			continue;	// features newer than 2.3: the common checks
		const vals = fd ? slotValues(fd, f) : undefined;
		if (vals === undefined)
			throw missing23(f, n);
		if (f.type === DataType.FloatVector) {
			if (vals.length / 4 % f.dim !== 0)
				throw fail.unexpected(`the length(${vals.length / 4}) of float data should divide the dim(${f.dim})`);
			if (vals.length / 4 / f.dim !== n)
				throw rowsMismatch(vals.length / 4 / f.dim, f);
		} else if (f.type === DataType.BinaryVector) {
			if ((vals.length * 8) % f.dim !== 0)
				throw fail.unexpected(`the num(${vals.length * 8}) of all bits should divide the dim(${f.dim})`);
			if (vals.length * 8 / f.dim !== n)
				throw rowsMismatch(vals.length * 8 / f.dim, f);
		} else if (f.type < 100 && vals.length !== n) {
			throw rowsMismatch(vals.length, f);
		}
		checked.push([f, fd, vals]);
	}
	for (const [f, fd, vals] of checked) {
		switch (f.type) {
		case DataType.FloatVector: {
			const fa = floatsOf(vals);
			for (let i = 0; i < fa.length; i++) {
				if (!Number.isFinite(fa[i]))
					throw fail.unexpected(`value '${goFloat(fa[i])}' is not a number or infinity`);
			}
			break;
		}
		case DataType.VarChar:
			vals.forEach((v, i) => {
				const len = Buffer.byteLength(v);
				if (len > f.maxLength && !f.autoId)
					throw varcharTooLong23(len, i, f.maxLength);
			});
			break;
		case DataType.Int8: case DataType.Int16: {
			const [lo, hi] = INT_RANGE[f.type];
			vals.forEach((v, i) => {
				if (v < lo || v > hi)
					throw paramInvalid("integer doesn't overflow", 'out of range', `the ${i}th element (${v}) out of range: [${lo}, ${hi}]`);
			});
			break;
		}
		case DataType.Array: {
			const slot = SLOT[f.elementType];
			const named = fd.scalars.array_data.element_type;
			vals.forEach((sf, row) => {
				if (!sf || sf.data !== slot) {
					throw fail.invalidParam(`${ELEMENT_NAME_23[f.elementType]} array`,
						`*schemapb.ScalarField_${MEMBER_NAME_23[sf && sf.data] || 'nil'} array`, 'insert data does not match');
				}
				const elems = slot === 'float_data' ? floatsOf(sf[slot].data) : sf[slot].data;	// raw float bytes
				if (elems.length > f.maxCapacity) {
					throw paramInvalid('valid length array', 'array length exceeds max capacity',
						`the length (${elems.length}) of ${row}th array exceeds max capacity (${f.maxCapacity})`);
				}
				if (f.elementType === DataType.VarChar && named === DataType.VarChar) {
					elems.forEach((v, i) => {
						const len = Buffer.byteLength(v);
						if (len > f.maxLength)
							throw varcharTooLong23(len, i, f.maxLength);
					});
				}
			});
			break;
		}
		default:
			break;
		}
	}
	for (const [f, , vals] of checked) {
		if (f.type !== DataType.JSON)
			continue;
		for (const buf of vals) {
			if (buf.length > JSON_MAX_LENGTH)
				throw paramInvalid('valid length json string', 'length exceeds max length',
					`the length (${buf.length}) of json field (${f.name}) exceeds max length (${JSON_MAX_LENGTH})`);
		}
		for (const buf of vals) {
			const err = goJsonError(buf);
			if (err)
				throw new MilvusError(Code.IO_FAILED, `IO failed: ${err}`);
			const kind = goJsonKind(buf);
			if (kind !== 'object' && kind !== 'null')
				throw new MilvusError(Code.IO_FAILED, `IO failed: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
		}
	}
}

// Validates an Insert/Upsert request against the collection and returns
// {cols, n, pks, parts, generatedIds} ready for Store.append. p: the compatibility profile.
function ingest(coll, req, upsert, allocIds, p) {
	const v23 = !!(p && p.v23);
	const n = req.num_rows;
	if (!n || n <= 0)
		throw paramInvalid('invalid num_rows', String(n || 0), 'num_rows should be greater than 0');
	if (v23)
		validate23(coll, req, upsert);
	if (upsert && req.partial_update)
		throw fail.invalid('partial update is not supported by fake-milvus');
	const byField = new Map();
	let dynamicFd = null;
	for (const fd of req.fields_data) {
		if (fd.is_dynamic) {
			if (!coll.dynamic)
				throw fail.invalid(`Attempt to insert an unexpected field \`${fd.field_name || '$meta'}\` to collection without enabling dynamic field`);
			if (dynamicFd)
				throw fail.invalid('duplicated dynamic field data in insert request');
			dynamicFd = fd;
			continue;
		}
		const f = coll.byName.get(fd.field_name);
		if (!f || f.isDynamic) {
			throw fail.invalid(`Attempt to insert an unexpected field \`${fd.field_name}\` to collection` +
				(coll.dynamic ? '' : ' without enabling dynamic field'));
		}
		if (byField.has(f))
			throw fail.invalid(`duplicated field name ${f.name} found`);
		if (f.isFunctionOutput)
			throw fail.invalid(`field ${f.name} is the output field of a function and must not be provided`);
		if (fd.type && fd.type !== f.type && !v23)	// 2.3 does not look at FieldData.type
			throw fail.invalid(`the data type of field ${f.name} in the request (${typeName(fd.type)}) differs from the schema (${typeName(f.type)})`);
		byField.set(f, fd);
	}
	const allowAutoId = parseBool(coll.propertyMap().get('allow_insert_auto_id')) === true;
	const cols = new Array(coll.fields.length).fill(null);
	let pks = null, generated = false;
	for (const f of coll.fields) {
		if (f.isDynamic) {
			cols[f.index] = dynamicFd ? dynamicColumn(coll, dynamicFd, n, v23)
				: { data: Array.from({ length: n }, () => Buffer.from('{}')), valid: null };
			continue;
		}
		if (f.isFunctionOutput)
			continue;
		const fd = byField.get(f);
		if (f.isPk && f.autoId) {
			if (fd && !upsert && !allowAutoId)
				throw fail.invalid(`can not assign primary field data when auto id enabled ${f.name}`);
			if (!fd && upsert)
				throw fail.invalid(`must assign pk when upsert, primary field: ${f.name}`);
			if (!fd) {
				pks = allocIds(n, f.type);
				generated = true;
				cols[f.index] = f.type === DataType.Int64 ? { data: BigInt64Array.from(pks), valid: null }
					: { data: pks.slice(), valid: null };
				continue;
			}
		}
		if (!fd) {
			if (!f.nullable && !f.hasDefault)
				throw fail.invalid(`fieldSchema(${f.name}) has no corresponding fieldData pass in`);
			// Omitted entirely: every row null, or the default value.
			cols[f.index] = f.type >= 100 ? emptyVectorColumn(f, n) : scalarColumn(f, [], new Uint8Array(n), n);
			continue;
		}
		cols[f.index] = fieldColumn(f, fd, n, v23);
		if (f.isPk)
			pks = f.type === DataType.Int64 ? Array.from(cols[f.index].data) : cols[f.index].data;
	}
	const parts = routePartitions(coll, req, cols, n, v23);
	return { cols, n, pks, parts, generated };
}

function emptyVectorColumn(f, n) {
	if (f.type === DataType.SparseFloatVector)
		return { data: Array.from({ length: n }, () => Buffer.alloc(0)), valid: new Uint8Array(n) };
	const width = vectorRowBytes(f.type, f.dim);
	return { data: Buffer.alloc(n * width), valid: new Uint8Array(n), width };
}

function fieldColumn(f, fd, n, v23) {
	const vd = fd.valid_data || [];
	let valid = null, validCount = n;
	if (f.nullable || f.hasDefault) {
		if (vd.length) {
			if (vd.length !== n)
				throw paramInvalid(n, vd.length, `the length of valid_data of field(${f.name}) is wrong`);
			valid = Uint8Array.from(vd, (b) => (b ? 1 : 0));
			validCount = valid.reduce((a, b) => a + b, 0);
		}
	} else if (vd.some((b) => !b)) {
		throw fail.invalid(`the field ${f.name} is not nullable, but valid_data marks null rows`);
	}
	let vals = slotValues(fd, f);
	if (vals === undefined) {
		if (validCount !== 0)
			throw mismatch(f);
		vals = f.type >= 100 && f.type !== DataType.SparseFloatVector ? Buffer.alloc(0) : [];
	}
	if (f.type === DataType.SparseFloatVector)
		return sparseColumn(f, vals, valid, validCount, n);
	if (f.type >= 100) {
		if (vals.length !== 0 || validCount !== 0)
			return vectorColumn(f, fd, vals, valid, validCount, n, v23);
		return emptyVectorColumn(f, n);
	}
	if (vals.length !== validCount) {
		if (valid)
			throw paramInvalid(validCount, vals.length, 'the length of field is wrong');
		throw paramInvalid(n, vals.length, `the num_rows (${vals.length}) of field (${f.name}) is not equal to passed num_rows (${n})`);
	}
	return scalarColumn(f, vals, valid, n, v23);
}

function routePartitions(coll, req, cols, n, v23) {
	const parts = new Uint16Array(n);
	if (coll.partitionKey) {
		if (req.partition_name) {
			const msg = 'not support manually specifying the partition names if partition key mode is used';
			throw v23 ? fail.unexpected(msg) : fail.invalid(msg);
		}
		const col = cols[coll.partitionKey.index].data;
		for (let r = 0; r < n; r++)
			parts[r] = partitionKeyHash(col[r]) % coll.numPartitions;
		return parts;
	}
	const name = req.partition_name || '_default';
	const idx = coll.partitionIndexOf(name);
	if (idx < 0)
		throw fail.partitionNotFound(name);
	parts.fill(idx);
	return parts;
}

module.exports = { ingest };
