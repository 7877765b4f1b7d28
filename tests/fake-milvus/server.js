#!/usr/bin/env node
// fake-milvus: an in-memory Milvus 2.6-compatible gRPC server for the mvs tests (Milvus 2.3.5-compatible
// with a 2.3 --version). It serves the official milvus.proto.milvus.MilvusService definitions (from
// @zilliz/milvus2-sdk-node) on a loopback port and adds fault knobs (rate limits, UNAVAILABLE, dying after
// N rows, jittered iterator pages) and bad answers (malformed replies, an empty or a duplicate-key
// iterator page, Insert keeping duplicate keys).
// Usage: see usage() below; prints "fake-milvus listening on HOST:PORT" on stdout when ready.
'use strict';

const grpc = require('@grpc/grpc-js');
const { serviceDefinition, encodeQueryResults, decodeInsertRequest, decodeUpsertRequest } = require('./proto');
const { FakeMilvus } = require('./milvus');
const { MilvusError, okStatus, statusOf, fail } = require('./errors');

const USAGE = `Usage: node server.js [options]
  --port N                 port to listen on (0 = any free port; default 19530)
  --host ADDR              address to bind (default 127.0.0.1)
  --user U --password P    require authorization metadata base64("U:P") on every call
  --version V              version reported by GetVersion (default v2.6.0); a 2.3 version (e.g.
                           v2.3.5-lite) makes the server behave like Milvus 2.3.5 (see compat.js)
  --rate-limit-every N     every Nth Insert/Upsert fails with code 8 (rate limit exceeded, retriable)
  --flush-rate-limit N     the first N Flush calls fail with code 8
  --unavailable-every N    every Nth call (not Connect/GetVersion/CheckHealth) fails with gRPC UNAVAILABLE
  --exit-after-rows N      exit(137) once N rows were returned by Query or accepted by Insert/Upsert
  --page-jitter            iterator Query pages are sometimes shorter, sometimes longer than limit
  --max-recv-bytes N       request size limit (default 67108864); larger requests get RESOURCE_EXHAUSTED
  --malformed-reply RPC:N  the Nth call of RPC (e.g. Query:3) is carried out, but answered with bytes that
                           are not a protobuf message
  --empty-page-after N     an iterator session gets one empty Query page once N rows went out, rows remaining
  --duplicate-key-page N   the Nth Query page of an iterator session carries its first row twice
  --insert-delay-ms N      every Insert/Upsert is carried out at once but answered N ms later (a slow
                           server: gives a person time to press Ctrl-C)
  --insert-duplicates      Insert keeps rows whose key is already there (both count, as in Milvus);
                           by default it replaces them, like Upsert
  --verbose                log one line per request to stderr
`;

const UNAVAILABLE_EXEMPT = new Set(['Connect', 'GetVersion', 'CheckHealth']);

function usageError(msg) {
	process.stderr.write(`fake-milvus: ${msg}\n${USAGE}`);
	process.exit(2);
}

function parseArgs(argv) {
	const opts = {
		port: 19530, host: '127.0.0.1', user: null, password: null, version: 'v2.6.0', rateLimitEvery: 0,
		flushRateLimit: 0, unavailableEvery: 0, exitAfterRows: 0, pageJitter: false, maxRecvBytes: 64 << 20,
		verbose: false, malformed: null, emptyPageAfter: 0, duplicateKeyPage: 0, insertDuplicates: false,
		insertDelayMs: 0,
	};
	const numeric = {
		'--port': 'port', '--rate-limit-every': 'rateLimitEvery', '--flush-rate-limit': 'flushRateLimit',
		'--unavailable-every': 'unavailableEvery', '--exit-after-rows': 'exitAfterRows', '--max-recv-bytes': 'maxRecvBytes',
		'--empty-page-after': 'emptyPageAfter', '--duplicate-key-page': 'duplicateKeyPage',
		'--insert-delay-ms': 'insertDelayMs',
	};
	const strings = { '--host': 'host', '--user': 'user', '--password': 'password', '--version': 'version',
		'--malformed-reply': 'malformed' };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--help' || a === '-h') {
			process.stdout.write(USAGE);
			process.exit(0);
		} else if (a === '--page-jitter') {
			opts.pageJitter = true;
		} else if (a === '--verbose') {
			opts.verbose = true;
		} else if (a === '--insert-duplicates') {
			opts.insertDuplicates = true;
		} else if (a in numeric || a in strings) {
			if (i + 1 >= argv.length)
				usageError(`option ${a} needs a value`);
			const v = argv[++i];
			if (a in numeric) {
				if (!/^\d+$/.test(v))
					usageError(`option ${a} needs a non-negative integer, got "${v}"`);
				opts[numeric[a]] = Number(v);
			} else {
				opts[strings[a]] = v;
			}
		} else {
			usageError(`unknown option ${a}`);
		}
	}
	if ((opts.user === null) !== (opts.password === null))
		usageError('--user and --password go together');
	if (opts.malformed !== null) {
		const m = /^([A-Za-z]+):(\d+)$/.exec(opts.malformed);
		if (!m || Number(m[2]) < 1)
			usageError(`--malformed-reply needs RPC:N (e.g. Query:3), got "${opts.malformed}"`);
		opts.malformed = { rpc: m[1], call: Number(m[2]) };
	}
	return opts;
}

function main() {
	const opts = parseArgs(process.argv.slice(2));
	const expectedAuth = opts.user === null ? null : `${opts.user}:${opts.password}`;
	let rowsServed = 0, dying = false, calls = 0;

	const log = (line) => {
		if (opts.verbose)
			process.stderr.write(`fake-milvus: ${line}\n`);
	};
	const die = () => process.exit(137);

	const milvus = new FakeMilvus({
		version: opts.version,
		rateLimitEvery: opts.rateLimitEvery,
		flushRateLimit: opts.flushRateLimit,
		pageJitter: opts.pageJitter,
		emptyPageAfter: opts.emptyPageAfter,
		duplicateKeyPage: opts.duplicateKeyPage,
		insertDuplicates: opts.insertDuplicates,
		onRows: (n) => {
			rowsServed += n;
			if (opts.exitAfterRows && rowsServed >= opts.exitAfterRows && !dying) {
				// Let this response go out, then die; any further call finds the server dead.
				dying = true;
				setTimeout(die, 200);
			}
		},
	});

	const authorized = (md) => {
		const v = md.get('authorization')[0];
		if (typeof v !== 'string')
			return false;
		return Buffer.from(v, 'base64').toString('utf8') === expectedAuth;
	};

	const { def, methods } = serviceDefinition();
	const service = {};
	const impl = {};
	// --malformed-reply: the reply object that its serializer turns into bytes no protobuf parser
	// accepts (field 1, length-delimited, 100 bytes announced, 1 present).
	const MALFORMED = {};
	const GARBAGE = Buffer.from([0x0a, 0x64, 0x01]);
	const callsOf = new Map();
	for (const [name, method] of Object.entries(def)) {
		const info = methods[name];
		if (info.streaming) {
			service[name] = method;
			continue;
		}
		// Served as a bidi stream that answers on the request message, without waiting for the client's
		// half-close: Milvus (grpc-go) does the same, and the Node SDK's retry of a failed call never
		// half-closes its new attempt.
		const custom = { requestStream: true, responseStream: true };
		const serialize = name === 'Query' ? encodeQueryResults : method.responseSerialize;
		custom.responseSerialize = (obj) => (obj === MALFORMED ? GARBAGE : serialize(obj));
		if (name === 'Insert' || name === 'Upsert')
			custom.requestDeserialize = name === 'Insert' ? decodeInsertRequest : decodeUpsertRequest;
		service[name] = Object.assign({}, method, custom);
		const unary = (call, callback) => {
			if (dying)
				die();
			const started = Date.now();
			const req = call.request || {};
			const db = req.db_name || call.metadata.get('dbname')[0] || 'default';
			const what = `${name} db=${db}${req.collection_name ? ` collection=${req.collection_name}` : ''}`;
			if (expectedAuth !== null && !authorized(call.metadata)) {
				log(`${what} -> UNAUTHENTICATED`);
				callback({ code: grpc.status.UNAUTHENTICATED, details: 'auth check failure, please check username and password are correct' });
				return;
			}
			if (opts.unavailableEvery && !UNAVAILABLE_EXEMPT.has(name) && ++calls % opts.unavailableEvery === 0) {
				log(`${what} -> UNAVAILABLE (injected)`);
				callback({ code: grpc.status.UNAVAILABLE, details: 'fake-milvus: injected unavailable' });
				return;
			}
			callsOf.set(name, (callsOf.get(name) || 0) + 1);
			let response;
			try {
				const handler = milvus[name];
				if (typeof handler !== 'function' || !(info.responseIsStatus || info.responseHasStatus))
					throw fail.unimplemented(name);
				const out = handler.call(milvus, req, { db, method: name });
				response = info.responseIsStatus ? okStatus() : Object.assign({ status: okStatus() }, out);
			} catch (e) {
				if (!(e instanceof MilvusError))
					process.stderr.write(`fake-milvus: ${name} failed: ${e && e.stack || e}\n`);
				const status = statusOf(e);
				if (!info.responseIsStatus && !info.responseHasStatus) {
					callback({ code: grpc.status.UNIMPLEMENTED, details: status.reason });
					return;
				}
				response = info.responseIsStatus ? status : { status };
				// A failed Insert/Upsert names every row in err_index (the proxy's failed MutationResult);
				// Milvus 2.3's Upsert does not for a missing collection
				const upsertNotFound = name === 'Upsert' && milvus.p.v23 && status.code === 100;
				if ((name === 'Insert' || name === 'Upsert') && req.num_rows > 0 && !upsertNotFound)
					response.err_index = Array.from({ length: req.num_rows }, (_, i) => i);
			}
			// the call was carried out; only its answer is unreadable
			if (opts.malformed && opts.malformed.rpc === name && opts.malformed.call === callsOf.get(name)) {
				log(`${what} -> malformed reply (injected)`);
				callback(null, MALFORMED);
				return;
			}
			const st = info.responseIsStatus ? response : response.status;
			log(`${what} -> code=${st.code}${st.code ? ` (${st.reason})` : ''} ${Date.now() - started}ms`);
			if (opts.insertDelayMs && (name === 'Insert' || name === 'Upsert'))
				setTimeout(() => callback(null, response), opts.insertDelayMs);
			else
				callback(null, response);
		};
		impl[name] = (stream) => {
			let answered = false;
			const callback = (err, response) => {
				if (err) {
					stream.emit('error', err);
				} else {
					stream.write(response);
					stream.end();
				}
			};
			stream.on('data', (request) => {
				if (answered)
					return;
				answered = true;
				unary({ request, metadata: stream.metadata }, callback);
			});
			stream.on('end', () => {
				if (!answered) {
					answered = true;
					callback({ code: grpc.status.INTERNAL, details: `${name}: no request message` });
				}
			});
			stream.on('error', () => {});	// a cancelled call: nothing to answer
		};
	}

	const server = new grpc.Server({
		'grpc.max_receive_message_length': opts.maxRecvBytes,
		'grpc.max_send_message_length': -1,
	});
	server.addService(service, impl);
	server.bindAsync(`${opts.host}:${opts.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
		if (err) {
			process.stderr.write(`fake-milvus: cannot listen on ${opts.host}:${opts.port}: ${err.message}\n`);
			process.exit(1);
		}
		process.stdout.write(`fake-milvus listening on ${opts.host}:${port}\n`);
	});
	const stop = () => {
		server.forceShutdown();
		process.exit(0);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main();
