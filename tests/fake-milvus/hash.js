// Milvus's hashes of primary and partition keys (typeutil.Hash32Int64 and HashString2Uint32): murmur3
// (32-bit, seed 0) of an Int64's 8 little-endian bytes, masked to 31 bits, and the IEEE CRC-32 of a
// string's first 100 UTF-8 bytes. A row goes to shard (channel) hash % shards_num, and a partition-key
// value to partition hash % num_partitions.
'use strict';

const zlib = require('zlib');

function murmur3(buf) {
	const c1 = 0xcc9e2d51, c2 = 0x1b873593;
	let h = 0;
	const n = buf.length, body = n - (n % 4);
	for (let i = 0; i < body; i += 4) {
		let k = buf.readUInt32LE(i);
		k = Math.imul(k, c1);
		k = (k << 15) | (k >>> 17);
		k = Math.imul(k, c2);
		h ^= k;
		h = (h << 13) | (h >>> 19);
		h = (Math.imul(h, 5) + 0xe6546b64) | 0;
	}
	let k = 0;
	switch (n % 4) {
	case 3: k ^= buf[body + 2] << 16;	// falls through
	case 2: k ^= buf[body + 1] << 8;	// falls through
	case 1:
		k ^= buf[body];
		k = Math.imul(k, c1);
		k = (k << 15) | (k >>> 17);
		k = Math.imul(k, c2);
		h ^= k;
	}
	h ^= n;
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}

let CRC_TABLE = null;
function crc32(buf) {
	if (typeof zlib.crc32 === 'function')
		return zlib.crc32(buf) >>> 0;
	if (!CRC_TABLE) {
		CRC_TABLE = new Uint32Array(256);
		for (let i = 0; i < 256; i++) {
			let c = i;
			for (let j = 0; j < 8; j++)
				c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			CRC_TABLE[i] = c >>> 0;
		}
	}
	let c = 0xffffffff;
	for (let i = 0; i < buf.length; i++)
		c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

// The hash of a key: BigInt (Int64) or string (VarChar).
function keyHash(v) {
	if (typeof v === 'bigint') {
		const b = Buffer.alloc(8);
		b.writeBigInt64LE(v);
		return (murmur3(b) & 0x7fffffff) >>> 0;
	}
	const b = Buffer.from(v, 'utf8');
	return crc32(b.length > 100 ? b.subarray(0, 100) : b);
}

module.exports = { keyHash, murmur3, crc32 };
