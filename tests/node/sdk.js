#!/usr/bin/env node
// sdk.js: drives a Milvus server (real or tests/fake-milvus) with the official Node SDK
// (@zilliz/milvus2-sdk-node): seeds test collections, dumps collections to canonical JSON Lines
// (schema line + mvs-cat rows), compares such files, and a few small helpers for shell tests.
// Exit codes: 0 ok, 1 files differ / failure, 2 usage, 3 the server answered an error Status,
// 4 gRPC error (UNAUTHENTICATED, UNAVAILABLE, RESOURCE_EXHAUSTED, ...).
'use strict';

const fs = require('fs');
const { MilvusClient, DataType, ErrorCode, LoadState, promisify } = require('@zilliz/milvus2-sdk-node');
const { SCENARIOS, indexFor } = require('./scenarios');
const { BulkInserter } = require('./bulk');
const { normalizeSchema, catRow } = require('./normalize');
const jsonl = require('./jsonl');

const USAGE = `Usage: sdk.js COMMAND [options]
Commands (server options: --uri HOST:PORT [--db DB] [--user U --password P] [--retries N]):
  seed --scenario NAME [--rows N] [--collection C] [--dim D] [--batch N] [--drop] [--expect FILE]
       scenarios: ${Object.keys(SCENARIOS).join(', ')}; --expect writes the inserted rows as mvs-cat
       JSON Lines sorted by primary key ("$partition" first when there are named partitions).
  dump --collection C [--out FILE] [--batch N]
       first line {"schema": ...} (collection, fields, functions, partitions, indexes), then the rows.
  compare FILE_A FILE_B [--ignore-schema-keys k1,k2] [--pk NAME]
       files: dump output, seed --expect files or mvs-cat output; rows are matched by primary key.
       An ignored key "k" drops schema.k and schema.collection.k; "fields.k" drops k from every field.
  count --collection C [--expr E]
  describe --collection C
  query --collection C [--expr E] [--limit N] [--offset N] [--output f1,f2] [--partitions p1,p2]
  create-index --collection C --field F [--index-type T] [--metric M] [--params JSON] [--index-name N]
  load --collection C | release --collection C | drop --collection C
  call --method RPC [--request JSON]     raw RPC through the SDK's channel pool; prints the response
`;

class CliError extends Error {
	constructor(exitCode, message) {
		super(message);
		this.exitCode = exitCode;
	}
}

const usage = (msg) => new CliError(2, `${msg}\nTry 'sdk.js --help'.`);

const VALUE_OPTS = new Set(['uri', 'db', 'user', 'password', 'retries', 'scenario', 'rows', 'collection', 'dim',
	'batch', 'expect', 'out', 'ignore-schema-keys', 'pk', 'expr', 'limit', 'offset', 'output', 'partitions',
	'field', 'index-type', 'metric', 'params', 'index-name', 'method', 'request']);
const FLAG_OPTS = new Set(['drop']);

function parseArgs(argv) {
	const opts = {};
	const positional = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--help' || a === '-h') {
			process.stdout.write(USAGE);
			process.exit(0);
		}
		if (a.startsWith('--')) {
			const name = a.slice(2);
			if (FLAG_OPTS.has(name)) {
				opts[name] = true;
			} else if (VALUE_OPTS.has(name)) {
				if (i + 1 >= argv.length)
					throw usage(`option --${name} needs a value`);
				opts[name] = argv[++i];
			} else {
				throw usage(`unknown option ${a}`);
			}
		} else {
			positional.push(a);
		}
	}
	return { cmd: positional.shift(), positional, opts };
}

function need(opts, name) {
	if (opts[name] === undefined)
		throw usage(`--${name} is required`);
	return opts[name];
}

function intOpt(opts, name, dflt) {
	if (opts[name] === undefined)
		return dflt;
	if (!/^\d+$/.test(opts[name]))
		throw usage(`--${name} needs a non-negative integer`);
	return Number(opts[name]);
}

// ---- talking to the server ----

function statusFailed(st) {
	return st && ((st.error_code && st.error_code !== ErrorCode.SUCCESS) || (st.code && st.code !== 0));
}

function statusError(rpc, st) {
	return new CliError(3, `${rpc} failed: ${st.reason} (code ${st.code}, error_code ${st.error_code})`);
}

// Runs an SDK call; gRPC errors become exit 4, failed Status (bare or in .status) exit 3.
async function rpc(name, fn) {
	let res;
	try {
		res = await fn();
	} catch (e) {
		if (e instanceof CliError)
			throw e;
		if (e && typeof e.code === 'number' && e.details !== undefined)
			throw new CliError(4, `${name}: gRPC error ${e.code}: ${e.details}`);
		if (e && e.error_code !== undefined)
			throw statusError(name, e);
		if (e && e.status && e.status.error_code !== undefined)
			throw statusError(name, e.status);
		throw new CliError(1, `${name}: ${e && e.message || e}`);
	}
	const st = res && res.status && typeof res.status === 'object' ? res.status : res;
	if (statusFailed(st))
		throw statusError(name, st);
	return res;
}

async function connect(opts) {
	const config = {
		address: need(opts, 'uri'),
		logLevel: 'error',
		maxRetries: intOpt(opts, 'retries', 3),
		timeout: 120000,
	};
	if (opts.db)
		config.database = opts.db;
	if (opts.user !== undefined || opts.password !== undefined) {
		config.username = opts.user || '';
		config.password = opts.password || '';
	}
	const client = new MilvusClient(config);
	await rpc('Connect', () => client.connectPromise);
	return client;
}

async function waitLoaded(client, collection) {
	for (;;) {
		const res = await rpc('GetLoadState', () => client.getLoadState({ collection_name: collection }));
		if (res.state === LoadState.LoadStateLoaded)
			return;
		await new Promise((r) => setTimeout(r, 50));
	}
}

async function describe(client, collection) {
	const desc = await rpc('DescribeCollection', () => client.describeCollection({ collection_name: collection, cache: false }));
	const parts = await rpc('ShowPartitions', () => client.showPartitions({ collection_name: collection }));
	const idx = await client.describeIndex({ collection_name: collection });
	let indexes = [];
	if (idx.status.error_code === ErrorCode.SUCCESS)
		indexes = idx.index_descriptions;
	else if (idx.status.error_code !== ErrorCode.IndexNotExist && idx.status.code !== 700)
		throw statusError('DescribeIndex', idx.status);
	return normalizeSchema(desc, parts.partition_names, indexes);
}

// ---- rows ----

function pkName(schema) {
	return schema.fields.find((f) => f.primary_key).name;
}

// Orders PK values: Int64 numerically, VarChar by UTF-8 bytes (as Milvus does).
function comparePk(a, b) {
	if (typeof a === 'bigint' || typeof a === 'number' || typeof b === 'bigint' || typeof b === 'number') {
		const x = BigInt(a), y = BigInt(b);
		return x < y ? -1 : x > y ? 1 : 0;
	}
	return Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8'));
}

function writeLines(file, lines) {
	const text = lines.map((l) => `${l}\n`).join('');
	if (!file || file === '-')
		process.stdout.write(text);
	else
		fs.writeFileSync(file, text);
}

function sortRows(schema, rows) {
	const pk = pkName(schema);
	return rows.sort((a, b) => comparePk(a[pk], b[pk]));
}

function hasNamedPartitions(schema) {
	return schema.collection.num_partitions === 0 && schema.partitions.some((p) => p !== '_default');
}

// A VarChar literal for filters: double-quoted with backslash escapes.
function quote(s) {
	return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

// ---- commands ----

async function seed(opts) {
	const name = need(opts, 'scenario');
	const sc = SCENARIOS[name];
	if (!sc)
		throw usage(`unknown scenario "${name}" (one of: ${Object.keys(SCENARIOS).join(', ')})`);
	const collection = opts.collection || sc.collection;
	const rows = intOpt(opts, 'rows', sc.defaultRows);
	const dim = intOpt(opts, 'dim', 768);
	const genOpts = { dim };
	const spec = sc.create(genOpts);
	const rowBytes = name === 'wide' ? dim * 4 + 64 : 512;
	const batch = intOpt(opts, 'batch', Math.max(1, Math.min(5000, Math.floor((8 << 20) / rowBytes))));
	const client = await connect(opts);
	try {
		const has = await rpc('HasCollection', () => client.hasCollection({ collection_name: collection }));
		if (has.value) {
			if (!opts.drop)
				throw new CliError(1, `collection "${collection}" exists (pass --drop to recreate it)`);
			await rpc('DropCollection', () => client.dropCollection({ collection_name: collection }));
		}
		await rpc('CreateCollection', () => client.createCollection({ collection_name: collection, ...spec }));
		for (const p of sc.partitions)
			await rpc('CreatePartition', () => client.createPartition({ collection_name: collection, partition_name: p }));

		// Rows grouped per target partition, inserted in batches; auto-ID keys come back in the results.
		const groups = new Map();
		for (let i = 0; i < rows; i++) {
			const part = sc.partitionOf ? sc.partitionOf(i) : undefined;
			if (!groups.has(part))
				groups.set(part, []);
			groups.get(part).push(i);
		}
		const inserted = [];
		const pkField = spec.fields.find((f) => f.is_primary_key).name;
		if (sc.columns) {
			// Same rows as sc.row() produces, sent as columns.
			await bulkInsert(opts, sc, collection, rows, batch, genOpts);
			if (opts.expect) {
				for (let i = 0; i < rows; i++)
					inserted.push({ row: sc.row(i, genOpts), part: undefined });
			}
			groups.clear();
		}
		for (const [part, idxs] of groups) {
			for (let s = 0; s < idxs.length; s += batch) {
				const data = idxs.slice(s, s + batch).map((i) => sc.row(i, genOpts));
				const req = { collection_name: collection, data };
				if (part !== undefined)
					req.partition_name = part;
				const res = await rpc('Insert', () => client.insert(req));
				const ids = res.IDs[res.IDs.id_field].data;
				if (ids.length !== data.length)
					throw new CliError(1, `Insert returned ${ids.length} IDs for ${data.length} rows`);
				if (opts.expect) {
					data.forEach((row, k) => {
						row[pkField] = ids[k];
						inserted.push({ row, part });
					});
				}
			}
		}
		for (const f of spec.fields) {
			const index = indexFor(f);
			if (index)
				await rpc('CreateIndex', () => client.createIndex({ collection_name: collection, field_name: f.name, ...index }));
		}
		for (const index of sc.scalarIndexes || [])
			await rpc('CreateIndex', () => client.createIndex({ collection_name: collection, ...index }));
		await rpc('LoadCollection', () => client.loadCollectionAsync({ collection_name: collection }));
		await waitLoaded(client, collection);

		if (opts.expect) {
			const schema = await describe(client, collection);
			const named = hasNamedPartitions(schema);
			const cat = inserted.map(({ row, part }) => catRow(schema, row, named ? part : undefined));
			writeLines(opts.expect, sortRows(schema, cat).map(jsonl.stringify));
		}
	} finally {
		await client.closeConnection();
	}
}

async function bulkInsert(opts, sc, collection, rows, batch, genOpts) {
	const bulk = new BulkInserter({ uri: opts.uri, db: opts.db, user: opts.user, password: opts.password });
	try {
		for (let from = 0; from < rows; from += batch) {
			const to = Math.min(rows, from + batch);
			const res = await rpc('Insert', () => bulk.insert(collection, undefined, to - from, sc.columns(from, to, genOpts)));
			if (Number(res.insert_cnt) !== to - from)
				throw new CliError(1, `Insert accepted ${res.insert_cnt} of ${to - from} rows`);
		}
	} finally {
		bulk.close();
	}
}

// Reads every row (per partition when there are named partitions) in primary-key pages.
async function readRows(client, schema, collection, batch) {
	const pk = pkName(schema);
	const isInt = schema.fields.find((f) => f.primary_key).type_id === DataType.Int64;
	const named = hasNamedPartitions(schema);
	const parts = named ? schema.partitions : [undefined];
	const rows = [];
	for (const part of parts) {
		let last;
		for (;;) {
			const req = { collection_name: collection, output_fields: ['*'], limit: batch };
			req.expr = last === undefined ? '' : `${pk} > ${isInt ? last : quote(last)}`;
			if (part !== undefined)
				req.partition_names = [part];
			const res = await rpc('Query', () => client.query(req));
			if (!res.data.length)
				break;
			for (const r of res.data)
				rows.push(catRow(schema, r, part));
			last = res.data[res.data.length - 1][pk];
		}
	}
	return sortRows(schema, rows);
}

async function dump(opts) {
	const collection = need(opts, 'collection');
	const client = await connect(opts);
	try {
		const schema = await describe(client, collection);
		const rows = await readRows(client, schema, collection, intOpt(opts, 'batch', 1000));
		writeLines(opts.out, [jsonl.stringify({ schema }), ...rows.map(jsonl.stringify)]);
	} finally {
		await client.closeConnection();
	}
}

// ---- compare ----

function readJsonl(file) {
	const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
	let schema = null;
	const rows = [];
	lines.forEach((line, i) => {
		let v;
		try {
			v = jsonl.parse(line);
		} catch (e) {
			throw new CliError(1, `${file}:${i + 1}: not JSON: ${e.message}`);
		}
		if (i === 0 && v && typeof v === 'object' && !Array.isArray(v) && v.schema && Object.keys(v).length === 1)
			schema = v.schema;
		else
			rows.push(v);
	});
	return { schema, rows };
}

function isNum(v) {
	return typeof v === 'number' || typeof v === 'bigint';
}

// Numbers: exact, or (kind 'float') equal after rounding to float32. Without a schema, a pair that is
// float32-equal where one side is an exact float32 value is accepted (Float printed with %.9g).
function numbersEqual(a, b, kind) {
	if (typeof a === 'bigint' || typeof b === 'bigint') {
		if (!Number.isInteger(Number(a)) || !Number.isInteger(Number(b)))
			return false;
		return BigInt(a) === BigInt(b);
	}
	if (a === b)
		return true;
	if (kind === 'float' || kind === undefined) {
		const fa = Math.fround(a), fb = Math.fround(b);
		if (fa === fb && (kind === 'float' || fa === a || fb === b))
			return true;
	}
	return false;
}

// Deep equality; kind is 'float' for float32 data, 'double' for exact, undefined when unknown.
function valuesEqual(a, b, kind) {
	const special = (v) => v === 'NaN' || v === 'Infinity' || v === '-Infinity';
	if (isNum(a) && isNum(b))
		return numbersEqual(a, b, kind);
	if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object')
		return a === b || (special(a) && a === b);
	if (Array.isArray(a) !== Array.isArray(b))
		return false;
	if (Array.isArray(a))
		return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i], kind));
	const ka = Object.keys(a), kb = Object.keys(b);
	return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && valuesEqual(a[k], b[k], kind));
}

const FLOAT_TYPES = new Set(['Float', 'FloatVector', 'Float16Vector', 'BFloat16Vector', 'SparseFloatVector']);

function fieldKinds(schema) {
	const kinds = new Map();
	if (!schema)
		return kinds;
	for (const f of schema.fields) {
		const floaty = FLOAT_TYPES.has(f.type) || (f.type === 'Array' && f.element_type === 'Float');
		kinds.set(f.name, floaty ? 'float' : 'double');
	}
	kinds.set('$meta', 'double');
	return kinds;
}

// Drops ignored schema keys: "k" (top level or collection settings), "fields.k", "collection.k", ...
function stripSchema(schema, ignored) {
	const copy = jsonl.parse(jsonl.stringify(schema));
	for (const path of ignored) {
		const parts = path.split('.');
		const drop = (obj, i) => {
			if (Array.isArray(obj)) {
				obj.forEach((o) => drop(o, i));
				return;
			}
			if (!obj || typeof obj !== 'object')
				return;
			if (i === parts.length - 1) {
				delete obj[parts[i]];
				return;
			}
			drop(obj[parts[i]], i + 1);
		};
		drop(copy, 0);
		if (parts.length === 1 && copy.collection)
			delete copy.collection[parts[0]];
	}
	return copy;
}

function schemaDiffs(a, b, path, out) {
	if (out.length >= 10)
		return;
	if (valuesEqual(a, b, 'double'))
		return;
	if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
		const keys = Array.isArray(a) ? [...Array(Math.max(a.length, b.length)).keys()]
			: [...new Set([...Object.keys(a), ...Object.keys(b)])];
		for (const k of keys) {
			const label = Array.isArray(a) && a[k] && a[k].name ? `${path}[${a[k].name}]` : `${path}.${k}`;
			schemaDiffs(a[k], b[k], label, out);
		}
		return;
	}
	out.push(`schema ${path}: ${jsonl.stringify(a === undefined ? null : a)} != ${jsonl.stringify(b === undefined ? null : b)}`);
}

function compare(positional, opts) {
	if (positional.length !== 2)
		throw usage('compare needs two files');
	const [fa, fb] = positional;
	const A = readJsonl(fa), B = readJsonl(fb);
	const diffs = [];
	if (A.schema && B.schema) {
		const ignored = opts['ignore-schema-keys'] ? opts['ignore-schema-keys'].split(',').filter(Boolean) : [];
		schemaDiffs(stripSchema(A.schema, ignored), stripSchema(B.schema, ignored), 'schema', diffs);
	}
	const schema = A.schema || B.schema;
	const kinds = fieldKinds(schema);
	const firstKey = (rows) => rows.length ? Object.keys(rows[0]).find((k) => k !== '$partition') : undefined;
	const pk = opts.pk || (schema ? pkName(schema) : firstKey(A.rows) || firstKey(B.rows));
	const index = (rows, file) => {
		const m = new Map();
		for (const r of rows) {
			const key = jsonl.stringify(r[pk] === undefined ? null : r[pk]);
			if (m.has(key))
				diffs.push(`${file}: duplicate primary key ${key}`);
			m.set(key, r);
		}
		return m;
	};
	const ma = index(A.rows, fa), mb = index(B.rows, fb);
	for (const [key, ra] of ma) {
		const rb = mb.get(key);
		if (!rb) {
			diffs.push(`row ${pk}=${key}: only in ${fa}`);
			continue;
		}
		for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
			let va = ra[k], vb = rb[k];
			if (k === '$partition') {
				// A collection with only _default may be written with or without partition markers.
				va = va === undefined ? '_default' : va;
				vb = vb === undefined ? '_default' : vb;
			}
			if (va === undefined || vb === undefined) {
				diffs.push(`row ${pk}=${key} field ${k}: only in ${va === undefined ? fb : fa}`);
				continue;
			}
			if (!valuesEqual(va, vb, kinds.get(k)))
				diffs.push(`row ${pk}=${key} field ${k}: ${jsonl.stringify(va)} != ${jsonl.stringify(vb)}`);
		}
	}
	for (const key of mb.keys()) {
		if (!ma.has(key))
			diffs.push(`row ${pk}=${key}: only in ${fb}`);
	}
	if (diffs.length) {
		for (const d of diffs.slice(0, 10))
			process.stderr.write(`sdk.js: ${d}\n`);
		if (diffs.length > 10)
			process.stderr.write(`sdk.js: ... and ${diffs.length - 10} more differences\n`);
		process.stderr.write(`sdk.js: ${fa} and ${fb} differ (${A.rows.length} vs ${B.rows.length} rows)\n`);
		return 1;
	}
	process.stdout.write(`same: ${A.rows.length} rows${A.schema && B.schema ? ', same schema' : ''}\n`);
	return 0;
}

// ---- small helpers ----

async function withClient(opts, fn) {
	const client = await connect(opts);
	try {
		return await fn(client);
	} finally {
		await client.closeConnection();
	}
}

function listOpt(opts, name) {
	return opts[name] === undefined ? undefined : opts[name].split(',').filter(Boolean);
}

async function run(cmd, positional, opts) {
	switch (cmd) {
	case 'seed':
		return seed(opts);
	case 'dump':
		return dump(opts);
	case 'compare':
		return compare(positional, opts);
	case 'count':
		return withClient(opts, async (client) => {
			const res = await rpc('Query', () => client.query({
				collection_name: need(opts, 'collection'), expr: opts.expr || '', output_fields: ['count(*)'],
			}));
			process.stdout.write(`${res.data[0]['count(*)']}\n`);
		});
	case 'describe':
		return withClient(opts, async (client) => {
			process.stdout.write(`${jsonl.stringify(await describe(client, need(opts, 'collection')))}\n`);
		});
	case 'query':
		return withClient(opts, async (client) => {
			const collection = need(opts, 'collection');
			const schema = await describe(client, collection);
			const req = { collection_name: collection, expr: opts.expr || '', output_fields: listOpt(opts, 'output') || ['*'] };
			if (opts.limit !== undefined)
				req.limit = intOpt(opts, 'limit');
			if (opts.offset !== undefined)
				req.offset = intOpt(opts, 'offset');
			if (opts.partitions !== undefined)
				req.partition_names = listOpt(opts, 'partitions');
			const res = await rpc('Query', () => client.query(req));
			writeLines('-', res.data.map((r) => jsonl.stringify(catRow(partialSchema(schema, r), r))));
		});
	case 'create-index':
		return withClient(opts, async (client) => {
			const req = { collection_name: need(opts, 'collection'), field_name: need(opts, 'field') };
			if (opts['index-type'])
				req.index_type = opts['index-type'];
			if (opts.metric)
				req.metric_type = opts.metric;
			if (opts.params)
				req.params = JSON.parse(opts.params);
			if (opts['index-name'])
				req.index_name = opts['index-name'];
			await rpc('CreateIndex', () => client.createIndex(req));
		});
	case 'load':
		return withClient(opts, async (client) => {
			const collection = need(opts, 'collection');
			await rpc('LoadCollection', () => client.loadCollectionAsync({ collection_name: collection }));
			await waitLoaded(client, collection);
		});
	case 'release':
		return withClient(opts, (client) =>
			rpc('ReleaseCollection', () => client.releaseCollection({ collection_name: need(opts, 'collection') })));
	case 'drop':
		return withClient(opts, (client) =>
			rpc('DropCollection', () => client.dropCollection({ collection_name: need(opts, 'collection') })));
	case 'call':
		return withClient(opts, async (client) => {
			const method = need(opts, 'method');
			const request = opts.request ? JSON.parse(opts.request) : {};
			let res;
			try {
				res = await promisify(client.channelPool, method, request, 120000);
			} catch (e) {
				throw new CliError(4, `${method}: gRPC error ${e.code}: ${e.details}`);
			}
			process.stdout.write(`${JSON.stringify(res, (k, v) => (Buffer.isBuffer(v) || (v && v.type === 'Buffer') ? '<bytes>' : v))}\n`);
			const st = res && res.status && typeof res.status === 'object' ? res.status : res;
			if (statusFailed(st))
				throw statusError(method, st);
		});
	default:
		throw usage(cmd ? `unknown command "${cmd}"` : 'no command given');
	}
}

// The schema restricted to the fields present in a query result row (for `query --output`).
function partialSchema(schema, row) {
	const fields = schema.fields.filter((f) => f.name in row);
	const dynamic = schema.collection.enable_dynamic_field && '$meta' in row;
	return { ...schema, fields, collection: { ...schema.collection, enable_dynamic_field: dynamic } };
}

async function main() {
	let code = 0;
	try {
		const { cmd, positional, opts } = parseArgs(process.argv.slice(2));
		const r = await run(cmd, positional, opts);
		if (typeof r === 'number')
			code = r;
	} catch (e) {
		if (e instanceof CliError) {
			process.stderr.write(`sdk.js: error: ${e.message}\n`);
			code = e.exitCode;
		} else {
			process.stderr.write(`sdk.js: error: ${e && e.stack || e}\n`);
			code = 1;
		}
	}
	process.exit(code);
}

main();
