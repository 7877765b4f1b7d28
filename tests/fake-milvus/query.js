// Query execution: query_params (limit, offset, iterator, collection_id), output_fields expansion,
// count(*), the PK-ordered scan over an MVCC snapshot, optional iterator page jitter, and the result
// columns in Milvus's shape (nullable scalars full length with valid_data, nullable vectors compact,
// $meta as a dynamic JSON column). With env.p.v23 it answers as Milvus 2.3.5 does: its errors, every read
// at the latest data (guarantee_timestamp makes no snapshot, no session_ts), the primary key listed in
// output_fields, dynamic keys answered with the whole $meta, and its reduce of the shards' answers
// (reduce23: repeated keys, reduce_stop_for_best, a row keyed INT64_MAX never returned).
'use strict';

const { DataType } = require('./proto');
const { fail, MilvusError, Code } = require('./errors');
const { compile } = require('./expr');
const { parseBool, kvMap } = require('./schema');
const { keyHash } = require('./hash');

const MAX_QUERY_RESULT_WINDOW = 16384;
const INT64_MAX = 9223372036854775807n;

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

function filterContext(coll, p) {
	return {
		field: (name) => coll.byName.get(name),
		dynamic: coll.dynamic,
		accessor: (f) => makeAccessor(coll.store, f),
		pk: coll.pk,
		v23: !!(p && p.v23),
	};
}

function runtimeError(msg) {
	return new MilvusError(Code.UNEXPECTED, msg);
}

function parseQueryParams(list, v23) {
	const p = kvMap(list);
	const out = { limit: undefined, offset: 0, iterator: false, collectionId: undefined };
	// 2.3 does not check the iterator flag's value
	for (const key of v23 ? ['reduce_stop_for_best'] : ['reduce_stop_for_best', 'iterator']) {
		if (p.has(key) && parseBool(p.get(key)) === undefined)
			throw fail.invalidParam('true or false', p.get(key), `value for ${key === 'iterator' ? 'iterator field' : key} is invalid`);
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
// v23: dynamic keys are answered with the whole $meta, and the primary key is listed among the names.
function resolveOutputs(coll, requested, v23) {
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
	if (wantMeta || v23)
		dynamicKeys = null;
	add(coll.pk);
	if (v23)
		userNames.push(coll.pk.name);
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

function scalarField(f, values, v23) {
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
				// 2.3 answers an empty array as a ScalarField with no member set
				data: values.map((list) => (v23 && !list.length ? {} : {
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
function outputColumn(coll, f, gids, dynamicKeys, v23) {
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
		fd.scalars = scalarField(f, values, v23);
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
	const v23 = !!(env.p && env.p.v23);
	const invalid = (msg) => (v23 ? fail.unexpected(msg) : fail.invalid(msg));
	const params = parseQueryParams(req.query_params, v23);
	if (params.collectionId !== undefined && params.collectionId !== String(coll.id))
		throw fail.invalid('Input collection id is not consistent to collectionID in the context,alias or database may have changed');
	const outputs = req.output_fields.length ? req.output_fields : [coll.pk.name];
	const isCount = outputs.length === 1 && outputs[0].trim().toLowerCase() === 'count(*)';
	if (v23 && !isCount && outputs.some((o) => o.trim().toLowerCase() === 'count(*)'))
		throw fail.unexpected('parse output field name failed: count(*)');
	const expr = req.expr.trim();
	if (!expr && params.limit === undefined && !isCount)
		throw invalid('empty expression should be used with limit');
	if (isCount && params.limit !== undefined)
		throw invalid('count entities with pagination is not allowed');
	let partSet = null;
	if (req.partition_names.length) {
		if (coll.partitionKey)
			throw invalid('not support manually specifying the partition names if partition key mode is used');
		partSet = new Set(req.partition_names.map((name) => {
			const i = coll.partitionIndexOf(name);
			if (i < 0)
				throw v23 ? fail.unexpected(`partition name ${name} not found`) : fail.partitionNotFound(name);
			return i;
		}));
	}
	const resolved = isCount ? null : resolveOutputs(coll, outputs, v23);
	const filter = expr ? compile(expr, filterContext(coll, env.p)) : null;
	if (env.checkLoaded)	// 2.3 checks the load state after the request (Execute after PreExecute)
		env.checkLoaded();

	// MVCC: an iterator's first page (guarantee_timestamp 0) opens a session at "now"; later pages pass
	// that session_ts back and read the same snapshot. Everything else reads all writes (Strong). Milvus
	// 2.3 has no session_ts: every read sees the latest data.
	const gts = BigInt(req.guarantee_timestamp || 0);
	let sessionTs = 0n, snapshot = env.clock.lastSeq;
	if (params.iterator && gts === 0n && !v23)
		sessionTs = env.clock.now();
	else if (params.iterator && !v23)
		snapshot = env.clock.seqAt(gts);

	const result = { collection_name: coll.name, primary_field_name: coll.pk.name };
	if (!v23)	// 2.3 has no session_ts field
		result.session_ts = String(sessionTs);
	if (isCount) {
		let count = 0;
		scan(coll, snapshot, partSet, filter, () => {
			count++;
		});
		result.fields_data = [{
			type: DataType.Int64, field_name: 'count(*)', field_id: '0', is_dynamic: false, valid_data: [],
			scalars: { long_data: { data: [String(count)] } },
		}];
		result.output_fields = v23 ? [] : ['count(*)'];
		return result;
	}
	let want = params.limit === undefined ? Infinity : params.limit;
	if (params.iterator && params.limit !== undefined)
		want = env.pageJitter(want);
	let skip = params.offset;
	let gids = [];
	if (v23) {
		const stop = parseBool(kvMap(req.query_params).get('reduce_stop_for_best')) === true;
		gids = reduce23(coll, snapshot, partSet, filter, params, params.limit === undefined ? undefined : want, stop);
	} else {
		scan(coll, snapshot, partSet, filter, (gid) => {
			if (skip > 0) {
				skip--;
				return true;
			}
			gids.push(gid);
			return gids.length < want;
		});
	}
	const page = params.iterator && env.shapePage ? env.shapePage(String(gts === 0n ? sessionTs : gts), gids) : gids;
	result.fields_data = resolved.fields.map((f) => outputColumn(coll, f, page, resolved.dynamicKeys, v23));
	result.output_fields = resolved.names;
	env.onRows(page.length);
	return result;
}

// Milvus 2.3.5's reduce of a Query, measured against the real server. Rows live in shards (channels:
// key hash % shards_num, hash.js). Each shard answers the first W row versions of its filtered rows in
// key order, a key that an Insert repeated counting once per version, keeping the first version of each
// key: W is offset+limit, or without a limit the number of distinct live keys in the shard (so a shard
// holding repeated keys loses as many of its largest matching keys). The proxy merges the shards' rows
// in key order, skips offset and keeps limit rows; with reduce_stop_for_best it merges until one shard's
// answer runs out (even a short one), so a page may hold more or fewer than limit rows, and rows past that
// point come on the next page (pk > last). No merge ever picks the
// key INT64_MAX (the minimum starts at INT64_MAX and only a smaller key replaces it): such a row is
// never returned, although count(*) counts it.
function reduce23(coll, snapshot, partSet, filter, params, limit, stopForBest) {
	const store = coll.store;
	const shards = Math.max(1, coll.shardsNum || 1);
	const shardOf = (gid) => (shards === 1 ? 0 : keyHash(store.pkOf(gid)) % shards);
	const window = limit === undefined ? null : params.offset + limit;
	let W;
	if (window === null) {
		W = new Array(shards).fill(0);	// distinct live keys per shard
		let last;
		scan(coll, snapshot, null, null, (gid) => {
			const pk = store.pkOf(gid);
			if (last === undefined || store.comparePk(pk, last) !== 0)
				W[shardOf(gid)]++;
			last = pk;
		});
	} else {
		W = new Array(shards).fill(window);
	}
	const answers = Array.from({ length: shards }, () => []);
	const seen = new Array(shards).fill(0);
	const last = new Array(shards);
	let open = shards;
	scan(coll, snapshot, partSet, filter, (gid) => {
		const pk = store.pkOf(gid);
		const c = shardOf(gid);
		if (seen[c] >= W[c])
			return true;
		if (store.intPk && pk === INT64_MAX) {
			W[c] = seen[c];	// its merge stops there
		} else {
			if (!seen[c] || store.comparePk(pk, last[c]) !== 0)
				answers[c].push(gid);
			last[c] = pk;
			seen[c]++;
		}
		if (seen[c] >= W[c] && --open === 0)
			return false;
		return true;
	});
	const cursors = new Array(shards).fill(0);
	const merged = [];
	for (;;) {
		if (stopForBest && window !== null && answers.some((a, c) => a.length && cursors[c] >= a.length))
			break;
		let sel = -1;
		for (let c = 0; c < shards; c++) {
			if (cursors[c] < answers[c].length &&
			    (sel < 0 || store.comparePk(store.pkOf(answers[c][cursors[c]]), store.pkOf(answers[sel][cursors[sel]])) < 0))
				sel = c;
		}
		if (sel < 0)
			break;
		merged.push(answers[sel][cursors[sel]++]);
	}
	const from = Math.min(params.offset, merged.length);
	if (stopForBest || limit === undefined)
		return merged.slice(from);
	return merged.slice(from, from + limit);
}

// Row ids matching a Delete expression (live rows, now). p: the compatibility profile.
function matchRows(coll, expr, partIndex, clock, p) {
	const filter = compile(expr, filterContext(coll, p));
	const gids = [];
	const partSet = partIndex === undefined ? null : new Set([partIndex]);
	scan(coll, clock.lastSeq, partSet, filter, (gid) => {
		gids.push(gid);
	});
	gids.ast = filter.ast;
	return gids;
}

module.exports = { runQuery, matchRows };
