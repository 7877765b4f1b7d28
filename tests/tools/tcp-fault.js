#!/usr/bin/env node
// tcp-fault: a TCP proxy between an mvs tool and a (fake) Milvus server that breaks the network on
// cue, for the reliability tests (tests/shell/rel_*.sh). Byte counts, not timers, decide when a
// fault happens, so a test does not depend on the machine's speed.
//
//   node tcp-fault.js --to HOST:PORT [--port N] [--drop-after-bytes N [--hold-seconds S]]
//                     [--stall-after-bytes N]
//
// --drop-after-bytes N  once N bytes went from clients to the server, wait for the server's next
//                       bytes (usually the answer to the request just sent: it was applied), drop
//                       them and cut every connection (TCP reset on both sides), so the client sees
//                       a failure of a call that the server did carry out. For the next S seconds
//                       (default 2) new connections are accepted but held, as on a network that
//                       drops packets; then they are connected through and everything works again.
//                       Once per run.
// --stall-after-bytes N once N bytes came back from the server, stop forwarding in both directions
//                       (connections stay open) until the proxy gets SIGUSR1. Once per run.
// Prints "tcp-fault listening on 127.0.0.1:PORT" when ready, and one line on stderr per fault
// ("tcp-fault: cut ...", "tcp-fault: forwarding again", "tcp-fault: stalled ...",
// "tcp-fault: resumed"). Stops on SIGTERM/SIGINT.
'use strict';

const net = require('net');

function usage(msg) {
	process.stderr.write(`tcp-fault: ${msg}\nUsage: node tcp-fault.js --to HOST:PORT [--port N] ` +
		'[--drop-after-bytes N [--hold-seconds S]] [--stall-after-bytes N]\n');
	process.exit(2);
}

function parse(argv) {
	const o = { port: 0, to: null, dropAfter: 0, holdSeconds: 2, stallAfter: 0 };
	const num = { '--port': 'port', '--drop-after-bytes': 'dropAfter', '--hold-seconds': 'holdSeconds',
		'--stall-after-bytes': 'stallAfter' };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (i + 1 >= argv.length)
			usage(`option ${a} needs a value`);
		const v = argv[++i];
		if (a === '--to') {
			const m = /^(.*):(\d+)$/.exec(v);
			if (!m)
				usage(`--to needs HOST:PORT, got "${v}"`);
			o.to = { host: m[1], port: Number(m[2]) };
		} else if (a in num) {
			if (!/^\d+(\.\d+)?$/.test(v))
				usage(`option ${a} needs a number, got "${v}"`);
			o[num[a]] = Number(v);
		} else {
			usage(`unknown option ${a}`);
		}
	}
	if (!o.to)
		usage('--to is required');
	return o;
}

const o = parse(process.argv.slice(2));
const pairs = new Set();	// { client, server } of every open connection
const held = [];		// clients accepted while holding
let up = 0, down = 0;		// bytes client -> server, server -> client
let armed = false, dropped = false, holding = false, stalled = false, stallDone = false;

function log(line) {
	process.stderr.write(`tcp-fault: ${line}\n`);
}

function close(pair) {
	if (!pairs.delete(pair))
		return;
	pair.client.destroy();
	pair.server.destroy();
}

function cut() {
	const n = pairs.size;
	for (const pair of pairs) {
		pairs.delete(pair);
		pair.client.resetAndDestroy();
		pair.server.resetAndDestroy();
	}
	log(`cut ${n} connection(s) after ${up} bytes sent; holding new connections for ${o.holdSeconds} s`);
	holding = true;
	setTimeout(() => {
		holding = false;
		log('forwarding again');
		for (const client of held.splice(0))
			if (!client.destroyed)
				connect(client);
	}, o.holdSeconds * 1000);
}

function stall() {
	stalled = stallDone = true;
	for (const pair of pairs) {
		pair.client.pause();
		pair.server.pause();
	}
	log(`stalled after ${down} bytes received`);
}

function connect(client) {
	const server = net.connect(o.to.port, o.to.host);
	const pair = { client, server };
	pairs.add(pair);
	client.on('data', (chunk) => {
		up += chunk.length;
		server.write(chunk);
		if (o.dropAfter && !armed && up >= o.dropAfter)
			armed = true;
	});
	server.on('data', (chunk) => {
		if (armed && !dropped) {
			dropped = true;
			cut();
			return;
		}
		down += chunk.length;
		client.write(chunk);
		if (o.stallAfter && !stallDone && down >= o.stallAfter)
			stall();
	});
	for (const s of [client, server]) {
		s.on('error', () => close(pair));
		s.on('close', () => close(pair));
	}
	if (stalled) {
		client.pause();
		server.pause();
	}
	client.resume();
}

process.on('SIGUSR1', () => {
	if (!stalled)
		return;
	stalled = false;
	for (const pair of pairs) {
		pair.client.resume();
		pair.server.resume();
	}
	log('resumed');
});
for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));

const listener = net.createServer({ pauseOnConnect: true }, (client) => {
	client.on('error', () => {});
	if (holding)
		held.push(client);
	else
		connect(client);
});
listener.listen(o.port, '127.0.0.1', () => {
	process.stdout.write(`tcp-fault listening on 127.0.0.1:${listener.address().port}\n`);
});
