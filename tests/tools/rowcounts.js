#!/usr/bin/env node
// rowcounts: prints "NAME ROWS" for every collection of a Milvus server, through the official Node SDK
// (listCollections, then getCollectionStatistics' row_count, which needs no load). One process for
// many collections, for the reliability tests that make one collection per damaged input.
//   node rowcounts.js HOST:PORT
'use strict';

const path = require('path');
const { MilvusClient } = require(path.join(__dirname, '..', 'node_modules', '@zilliz', 'milvus2-sdk-node'));

async function main() {
	const client = new MilvusClient({ address: process.argv[2], logLevel: 'error' });
	await client.connectPromise;
	const list = await client.listCollections();
	if (list.status.error_code !== 'Success')
		throw new Error(`ShowCollections: ${list.status.reason}`);
	const names = list.data.map((c) => c.name).sort();
	const lines = [];
	for (const name of names) {
		const st = await client.getCollectionStatistics({ collection_name: name });
		if (st.status.error_code !== 'Success')
			throw new Error(`GetCollectionStatistics ${name}: ${st.status.reason}`);
		lines.push(`${name} ${st.data.row_count}`);
	}
	process.stdout.write(lines.map((l) => l + '\n').join(''));
	client.closeConnection();
}

main().catch((e) => {
	process.stderr.write(`rowcounts: ${e && e.message || e}\n`);
	process.exit(1);
});
