#!/usr/bin/env node
// sdk-copy.js: the baseline of the end-to-end benchmark (bench/e2e.sh). Copies one collection from a
// source server to a target server with the official Milvus Node SDK the way a user would write it
// without mvs: describe the source, create the same collection on the target, then read the rows with
// queryIterator and insert each page. Prints one JSON line {"rows": N, "seconds": S} on stdout.
// Usage: node bench/sdk-copy.js --src HOST:PORT --dst HOST:PORT --collection C [--target C2]
//        [--batch N]   rows per page (default: pages of at most 16 MiB, at most 16384 rows)
'use strict';

const path = require('path');
const sdkPath = path.join(__dirname, '..', 'tests', 'node_modules', '@zilliz', 'milvus2-sdk-node');
const { MilvusClient, DataType } = require(sdkPath);

function parseArgs(argv) {
	const opts = {};
	for (let i = 0; i < argv.length; i += 2) {
		const name = argv[i].replace(/^--/, '');
		if (!['src', 'dst', 'collection', 'target', 'batch'].includes(name) || i + 1 >= argv.length) {
			process.stderr.write(`sdk-copy.js: bad argument ${argv[i]}\n`);
			process.exit(2);
		}
		opts[name] = argv[i + 1];
	}
	for (const need of ['src', 'dst', 'collection']) {
		if (!opts[need]) {
			process.stderr.write(`sdk-copy.js: --${need} is required\n`);
			process.exit(2);
		}
	}
	return opts;
}

// Throws on a failed Status (bare, or as .status of a response).
function check(what, res) {
	const st = res && res.status && typeof res.status === 'object' ? res.status : res;
	if (st && ((st.error_code && st.error_code !== 'Success') || (st.code && st.code !== 0)))
		throw new Error(`${what} failed: ${st.reason} (code ${st.code})`);
	return res;
}

// The source schema's fields as createCollection takes them.
function fieldsOf(schema) {
	return schema.fields.map((f) => {
		const params = {};
		for (const kv of f.type_params || [])
			params[kv.key] = kv.value;
		const field = {
			name: f.name,
			data_type: DataType[f.data_type],
			is_primary_key: f.is_primary_key,
			autoID: f.autoID,
			description: f.description,
			type_params: params,
		};
		if (f.element_type && f.element_type !== 'None')
			field.element_type = DataType[f.element_type];
		if (f.nullable)
			field.nullable = true;
		return field;
	});
}

// Page size: what fits a 16 MiB reply (vectors dominate the row size), at most the SDK's 16384.
function pageRows(schema) {
	let bytes = 64;
	for (const f of schema.fields) {
		const dim = Number((f.type_params || []).find((kv) => kv.key === 'dim')?.value || 0);
		if (f.data_type === 'FloatVector')
			bytes += dim * 4;
		else if (f.data_type === 'Float16Vector' || f.data_type === 'BFloat16Vector')
			bytes += dim * 2;
		else if (f.data_type === 'BinaryVector')
			bytes += dim / 8;
		else
			bytes += 16;
	}
	return Math.max(1, Math.min(16384, Math.floor((16 << 20) / bytes)));
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	const target = opts.target || opts.collection;
	const src = new MilvusClient({ address: opts.src, logLevel: 'error' });
	const dst = new MilvusClient({ address: opts.dst, logLevel: 'error' });
	const start = process.hrtime.bigint();
	let rows = 0;
	try {
		await src.connectPromise;
		await dst.connectPromise;
		const desc = check('DescribeCollection', await src.describeCollection({ collection_name: opts.collection }));
		check('CreateCollection', await dst.createCollection({
			collection_name: target,
			fields: fieldsOf(desc.schema),
			enable_dynamic_field: desc.schema.enable_dynamic_field,
			shards_num: desc.shards_num,
		}));
		const batchSize = opts.batch ? Number(opts.batch) : pageRows(desc.schema);
		const iterator = await src.queryIterator({
			collection_name: opts.collection,
			output_fields: desc.schema.fields.map((f) => f.name),
			batchSize,
		});
		for await (const page of iterator) {
			if (!page.length)
				break;
			const res = check('Insert', await dst.insert({ collection_name: target, data: page }));
			if (Number(res.insert_cnt) !== page.length)
				throw new Error(`Insert accepted ${res.insert_cnt} of ${page.length} rows`);
			rows += page.length;
		}
	} finally {
		await src.closeConnection();
		await dst.closeConnection();
	}
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	process.stdout.write(`${JSON.stringify({ rows, seconds })}\n`);
}

main().catch((e) => {
	process.stderr.write(`sdk-copy.js: ${e && e.message || e}\n`);
	process.exit(1);
});
