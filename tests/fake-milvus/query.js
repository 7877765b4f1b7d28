// Query execution: query_params (limit, offset, iterator, collection_id), output_fields expansion,
// count(*), the PK-ordered scan over an MVCC snapshot, optional iterator page jitter, and the result
// columns in Milvus's shape (nullable scalars full length with valid_data, nullable vectors compact,
// $meta as a dynamic JSON column).
'use strict';

const { DataType } = require('./proto');
const { fail, MilvusError, Code } = require('./errors');
const { compile } = require('./expr');
const { parseBool, kvMap } = require('./schema');

const MAX_QUERY_RESULT_WINDOW = 16384;

// Value accessor of a field for the filter: (gid) -> value or null. Int64 as BigInt, Bool as boolean.
function makeAccessor(store, f) {
	if (f.isPk && store.intPk)
		return (gid) => store.pkInt.a[gid];
	if (f.isPk)
		return (gid) => store.pkStr[gid];
	const segs = store.segments;
	const idx = f.index;
	const isBool = f.type === DataType.Bool;
	return (gid) => {
		const s = segs[store.segOf.a[gid]];
		const c = s.cols[idx];
		const i = gid - s.base;
		if (c.valid && !c.valid[i])
			return null;
		return isBool ? c.data[i] === 1 : c.data[i];
	};
}

function filterContext(coll) {
	return {
		field: (name) => coll.byName.get(name),
		dynamic: coll.dynamic,
		accessor: (f) => makeAccessor(coll.store, f),
		pk: coll.pk,
	};
}

function runtimeError(msg) {
	return new MilvusError(Code.UNEXPECTED, msg);
}

function parseQueryParams(list) {
	const p = kvMap(list);
	const out = { limit: undefined, offset: 0, iterator: false, collectionId: undefined };
	for (const key of ['reduce_stop_for_best', 'iterator']) {
		if (p.has(key) && parseBool(p.get(key)) === undefined)
			throw fail.invalid(`value for ${key === 'iterator' ? 'iterator field' : key} is invalid: invalid parameter[expected=true or false][actual=${p.get(key)}]`);
	}
	out.iterator = parseBool(p.get('iterator')) === true;
	if (p.has('collection_id')) {
		if (!/^-?\d+$/.test(p.get('collection_id')))
			throw fail.invalid('value for collection id is invalid');
		out.collectionId = p.get('collection_id');
	}
	if (p.has('limit')) {
		const raw = p.get('limit');
		if (!/^-?\d+$/.test(raw.trim()))
			throw runtimeError(`limit [${raw}] is invalid`);
		out.limit = Number(raw);
		if (p.has('offset')) {
			const off = p.get('offset');
			if (!/^-?\d+$/.test(off.trim()))
				throw runtimeError(`offset [${off}] is invalid`);
			out.offset = Number(off);
		}
		let problem = null;
		if (out.offset < 0)
			problem = `offset [${out.offset}] is invalid, should be gte than 0`;
		else if (out.limit <= 0)
			problem = `limit [${out.limit}] is invalid, should be greater than 0`;
		else if (out.offset + out.limit > MAX_QUERY_RESULT_WINDOW)
			problem = `(offset+limit) should be in range [1, ${MAX_QUERY_RESULT_WINDOW}], but got ${out.offset + out.limit}`;
		if (problem)
			throw runtimeError(`invalid max query result window, ${problem}`);
	}
	return out;
}

// Expands output_fields: returns {fields: [field], dynamicKeys: [name] | null (all of $meta), names}.
function resolveOutputs(coll, requested) {
	const fields = [];
	const seen = new Set();
	let dynamicKeys = null, wantMeta = false;
	const add = (f) => {
		if (!seen.has(f)) {
			seen.add(f);
			fields.push(f);
		}
	};
	const userNames = [];
	for (const raw of requested) {
		const name = raw.trim();
		if (name === '*') {
			for (const f of coll.fields) {
				if (!f.isFunctionOutput)
					add(f);
			}
			if (coll.dynamic)
				wantMeta = true;
			userNames.push(...coll.fields.filter((f) => !f.isFunctionOutput).map((f) => f.name));
			continue;
		}
		const f = coll.byName.get(name);
		if (f) {
			if (f.isFunctionOutput)
				throw runtimeError(`not allowed to retrieve raw data of field ${name}`);
			add(f);
			if (f.isDynamic)
				wantMeta = true;
			userNames.push(name);
			continue;
		}
		if (!coll.dynamic)
			throw runtimeError(`field ${name} not exist`);
		dynamicKeys = dynamicKeys || [];
		dynamicKeys.push(name);
		userNames.push(name);
	}
	if (dynamicKeys || wantMeta)
		add(coll.byName.get('$meta'));
	if (wantMeta)
		dynamicKeys = null;
	add(coll.pk);
	return { fields, dynamicKeys, names: [...new Set(userNames)] };
}

// Scans rows in PK order: visible at snapshot seq, in the partitions, matching the filter. Calls
// visit(gid) for each match; visit returns false to stop.
function scan(coll, snapshotSeq, partSet, filter, visit) {
	const store = coll.store;
	store.ensureIndex();
	const sorted = store.sorted.a;
	const end = store.indexed;
	const range = filter ? filter.range : {};
	let pos = range.lo === undefined ? 0 : store.lowerBound(range.lo, range.loStrict);
	const hasHi = range.hi !== undefined;
	for (; pos < end; pos++) {
		const gid = sorted[pos];
		if (hasHi) {
			const c = store.comparePk(store.pkOf(gid), range.hi);
			if (c > 0 || (c === 0 && range.hiStrict))
				break;
		}
		if (!store.visible(gid, snapshotSeq))
			continue;
		if (partSet && !partSet.has(store.part.a[gid]))
			continue;
		if (filter && !filter.test(gid))
			continue;
		if (visit(gid) === false)
			break;
	}
}

function int64Strings(values) {
	const out = new Array(values.length);
	for (let i = 0; i < values.length; i++)
		out[i] = String(values[i]);
	return out;
}

// Gathers one column of values for the given rows: returns {values, valid (Array<bool>) | null}.
function gather(store, f, gids) {
	const n = gids.length;
	const values = new Array(n);
	const dense = f.type >= 100 && f.type !== DataType.SparseFloatVector;
	let valid = null;
	for (let r = 0; r < n; r++) {
		const [seg, i] = store.locate(gids[r]);
		const c = seg.cols[f.index];
		values[r] = dense ? c.data.subarray(i * c.width, (i + 1) * c.width) : c.data[i];
		if (c.valid) {
			valid = valid || new Array(n).fill(true);
			valid[r] = c.valid[i] === 1;
		}
	}
	return { values, valid };
}

const ARRAY_SLOT = {
	[DataType.Bool]: 'bool_data', [DataType.Int8]: 'int_data', [DataType.Int16]: 'int_data',
	[DataType.Int32]: 'int_data', [DataType.Int64]: 'long_data', [DataType.Float]: 'float_data',
	[DataType.Double]: 'double_data', [DataType.VarChar]: 'string_data',
};

function scalarField(f, values) {
	switch (f.type) {
	case DataType.Bool: return { bool_data: { data: values.map((v) => v === 1) } };
	case DataType.Int8: case DataType.Int16: case DataType.Int32: return { int_data: { data: Int32Array.from(values) } };
	case DataType.Int64: return { long_data: { data: int64Strings(values) } };
	case DataType.Float: return { float_data: { data: Float32Array.from(values) } };
	case DataType.Double: return { double_data: { data: Float64Array.from(values) } };
	case DataType.VarChar: case DataType.Text: return { string_data: { data: values } };
	case DataType.Geometry: return { geometry_wkt_data: { data: values } };
	case DataType.JSON: return { json_data: { data: values } };
	case DataType.Array: {
		const slot = ARRAY_SLOT[f.elementType];
		return {
			array_data: {
				element_type: f.elementType,
				data: values.map((list) => ({
					[slot]: { data: f.elementType === DataType.Int64 ? int64Strings(list) : list },
				})),
			},
		};
	}
	default:
		throw new Error(`no scalar output for type ${f.type}`);
	}
}

function vectorField(f, values, valid) {
	// Nullable vectors come back compact: only the valid rows' data, plus valid_data.
	const rows = valid ? values.filter((_, r) => valid[r]) : values;
	if (f.type === DataType.SparseFloatVector) {
		let dim = 0;
		for (const b of rows) {
			if (b.length)
				dim = Math.max(dim, b.readUInt32LE(b.length - 8) + 1);
		}
		return { dim: String(dim), sparse_float_vector: { contents: rows, dim: String(dim) } };
	}
	const bytes = Buffer.concat(rows);
	const dim = String(f.dim);
	switch (f.type) {
	case DataType.FloatVector: return { dim, float_vector: { data: bytes } };	// raw float32 bytes
	case DataType.BinaryVector: return { dim, binary_vector: bytes };
	case DataType.Float16Vector: return { dim, float16_vector: bytes };
	case DataType.BFloat16Vector: return { dim, bfloat16_vector: bytes };
	case DataType.Int8Vector: return { dim, int8_vector: bytes };
	default:
		throw new Error(`no vector output for type ${f.type}`);
	}
}

// One result FieldData for field f over rows gids.
function outputColumn(coll, f, gids, dynamicKeys) {
	const store = coll.store;
	let values, valid = null;
	if (f.isPk) {
		values = store.intPk ? gids.map((g) => store.pkInt.a[g]) : gids.map((g) => store.pkStr[g]);
	} else {
		({ values, valid } = gather(store, f, gids));
	}
	const fd = { type: f.type, field_name: f.name, field_id: String(f.id), is_dynamic: !!f.isDynamic, valid_data: [] };
	if (f.isDynamic && dynamicKeys) {
		values = values.map((buf) => {
			const obj = JSON.parse(buf.toString('utf8'));
			const picked = {};
			for (const k of dynamicKeys) {
				if (k in obj)
					picked[k] = obj[k];
			}
			return Buffer.from(JSON.stringify(picked));
		});
	}
	if (f.type >= 100) {
		fd.vectors = vectorField(f, values, valid);
	} else {
		fd.scalars = scalarField(f, values);
	}
	if (valid)
		fd.valid_data = valid;
	else if (f.nullable)
		fd.valid_data = new Array(gids.length).fill(true);
	return fd;
}

// Runs a Query against collection coll. env: {clock, pageJitter(limit) -> limit', onRows(n), and
// optionally shapePage(session, gids) -> gids: the fault knobs that damage iterator pages}.
// Returns the QueryResults object (without status).
function runQuery(coll, req, env) {
	const params = parseQueryParams(req.query_params);
	if (params.collectionId !== undefined && params.collectionId !== String(coll.id))
		throw fail.invalid('Input collection id is not consistent to collectionID in the context,alias or database may have changed');
	const outputs = req.output_fields.length ? req.output_fields : [coll.pk.name];
	const isCount = outputs.length === 1 && outputs[0].trim().toLowerCase() === 'count(*)';
	const expr = req.expr.trim();
	if (!expr && params.limit === undefined && !isCount)
		throw fail.invalid('empty expression should be used with limit');
	if (isCount && params.limit !== undefined)
		throw fail.invalid('count entities with pagination is not allowed');
	let partSet = null;
	if (req.partition_names.length) {
		if (coll.partitionKey)
			throw fail.invalid('not support manually specifying the partition names if partition key mode is used');
		partSet = new Set(req.partition_names.map((name) => {
			const i = coll.partitionIndexOf(name);
			if (i < 0)
				throw fail.partitionNotFound(name);
			return i;
		}));
	}
	const resolved = isCount ? null : resolveOutputs(coll, outputs);
	const filter = expr ? compile(expr, filterContext(coll)) : null;

	// MVCC: an iterator's first page (guarantee_timestamp 0) opens a session at "now"; later pages pass
	// that session_ts back and read the same snapshot. Everything else reads all writes (Strong).
	const gts = BigInt(req.guarantee_timestamp || 0);
	let sessionTs = 0n, snapshot = env.clock.lastSeq;
	if (params.iterator && gts === 0n)
		sessionTs = env.clock.now();
	else if (params.iterator)
		snapshot = env.clock.seqAt(gts);

	const result = { collection_name: coll.name, primary_field_name: coll.pk.name, session_ts: String(sessionTs) };
	if (isCount) {
		let count = 0;
		scan(coll, snapshot, partSet, filter, () => {
			count++;
		});
		result.fields_data = [{
			type: DataType.Int64, field_name: 'count(*)', field_id: '0', is_dynamic: false, valid_data: [],
			scalars: { long_data: { data: [String(count)] } },
		}];
		result.output_fields = ['count(*)'];
		return result;
	}
	let want = params.limit === undefined ? Infinity : params.limit;
	if (params.iterator && params.limit !== undefined)
		want = env.pageJitter(want);
	let skip = params.offset;
	const gids = [];
	scan(coll, snapshot, partSet, filter, (gid) => {
		if (skip > 0) {
			skip--;
			return true;
		}
		gids.push(gid);
		return gids.length < want;
	});
	const page = params.iterator && env.shapePage ? env.shapePage(String(gts === 0n ? sessionTs : gts), gids) : gids;
	result.fields_data = resolved.fields.map((f) => outputColumn(coll, f, page, resolved.dynamicKeys));
	result.output_fields = resolved.names;
	env.onRows(page.length);
	return result;
}

// Row ids matching a Delete expression (live rows, now).
function matchRows(coll, expr, partIndex, clock) {
	const filter = compile(expr, filterContext(coll));
	const gids = [];
	const partSet = partIndex === undefined ? null : new Set([partIndex]);
	scan(coll, clock.lastSeq, partSet, filter, (gid) => {
		gids.push(gid);
	});
	return gids;
}

module.exports = { runQuery, matchRows };
