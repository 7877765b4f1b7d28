// Row storage of one collection. Rows are kept in segments (one per accepted Insert/Upsert batch) as
// columns: typed arrays for numbers, one Buffer per vector column, plain arrays for strings/JSON/arrays.
// Every row has a global id (gid, in arrival order) and per-row metadata in growable typed arrays:
// segment, partition, the write sequence that inserted it and the one that superseded it (0 = alive).
// A PK-sorted index over all row versions is merged lazily, once per query after writes, so reads are
// in primary-key order and MVCC snapshots (iterator session_ts) still see superseded versions.
'use strict';

const { DataType } = require('./proto');

class GrowArray {
	constructor(Type, capacity) {
		this.Type = Type;
		this.a = new Type(capacity || 1024);
	}

	reserve(n) {
		if (n <= this.a.length)
			return;
		let cap = this.a.length;
		while (cap < n)
			cap *= 2;
		const b = new this.Type(cap);
		b.set(this.a);
		this.a = b;
	}
}

// Compares two strings in UTF-8 byte order (Milvus compares VarChar values as Go strings): the same
// as code point order, which differs from JS's UTF-16 order only between surrogates and U+E000..U+FFFF.
function compareStrings(a, b) {
	const n = Math.min(a.length, b.length);
	for (let i = 0; i < n; i++) {
		let x = a.charCodeAt(i), y = b.charCodeAt(i);
		if (x === y)
			continue;
		if (x >= 0xD800 && y >= 0xD800) {
			x = x >= 0xE000 ? x - 0x800 : x + 0x2000;
			y = y >= 0xE000 ? y - 0x800 : y + 0x2000;
		}
		return x < y ? -1 : 1;
	}
	return a.length - b.length;
}

function pkKey(v) {
	// Map keys: BigInt values in the safe range become Numbers (cheaper), consistently per value.
	if (typeof v === 'bigint' && v >= -9007199254740991n && v <= 9007199254740991n)
		return Number(v);
	return v;
}

class Store {
	constructor(pkType) {
		this.intPk = pkType === DataType.Int64;
		this.segments = [];
		this.rows = 0;
		this.segOf = new GrowArray(Uint32Array);
		this.part = new GrowArray(Uint16Array);
		this.insSeq = new GrowArray(Uint32Array);
		this.delSeq = new GrowArray(Uint32Array);
		this.pkInt = this.intPk ? new GrowArray(BigInt64Array) : null;
		this.pkStr = this.intPk ? null : [];
		this.latest = new Map();	// pk key -> gid of the newest version
		this.older = new Map();		// pk key -> gids of older versions an Insert kept alive (duplicates)
		this.sorted = new GrowArray(Uint32Array);	// gids ordered by (pk, gid)
		this.indexed = 0;	// gids below this are in `sorted`
	}

	pkOf(gid) {
		return this.intPk ? this.pkInt.a[gid] : this.pkStr[gid];
	}

	comparePk(a, b) {
		if (this.intPk)
			return a < b ? -1 : a > b ? 1 : 0;
		return compareStrings(a, b);
	}

	// Orders two gids by (pk, gid).
	compareGids(g, h) {
		const c = this.comparePk(this.pkOf(g), this.pkOf(h));
		return c !== 0 ? c : g - h;
	}

	// Appends a batch. cols: one column object per field (null for fields stored nowhere), pks: the
	// primary keys (BigInt or string), parts: partition index per row (Uint16Array) , seq: the write.
	// keepDuplicates: rows with a key that is already there do not replace it, both stay (what Milvus
	// does on Insert); otherwise they supersede every live version (Upsert).
	append(cols, n, pks, parts, seq, keepDuplicates) {
		const base = this.rows;
		const total = base + n;
		for (const g of [this.segOf, this.part, this.insSeq, this.delSeq])
			g.reserve(total);
		if (this.intPk)
			this.pkInt.reserve(total);
		const segIndex = this.segments.length;
		this.segments.push({ base, n, cols });
		this.segOf.a.fill(segIndex, base, total);
		this.insSeq.a.fill(seq, base, total);
		this.delSeq.a.fill(0, base, total);
		this.part.a.set(parts, base);
		for (let i = 0; i < n; i++) {
			const gid = base + i;
			const pk = pks[i];
			if (this.intPk)
				this.pkInt.a[gid] = pk;
			else
				this.pkStr.push(pk);
			const key = pkKey(pk);
			const old = this.latest.get(key);
			if (old !== undefined && this.delSeq.a[old] === 0 && keepDuplicates) {
				const kept = this.older.get(key);
				if (kept)
					kept.push(old);
				else
					this.older.set(key, [old]);
			} else if (old !== undefined && this.delSeq.a[old] === 0) {
				this.delSeq.a[old] = seq;
			}
			if (!keepDuplicates && this.older.has(key)) {
				for (const g of this.older.get(key))
					if (this.delSeq.a[g] === 0)
						this.delSeq.a[g] = seq;
				this.older.delete(key);
			}
			this.latest.set(key, gid);
		}
		this.rows = total;
	}

	// Marks rows superseded (deleted) by write `seq`.
	remove(gids, seq) {
		for (const gid of gids) {
			if (this.delSeq.a[gid] !== 0)
				continue;
			this.delSeq.a[gid] = seq;
			const key = pkKey(this.pkOf(gid));
			if (this.latest.get(key) === gid)
				this.latest.delete(key);
		}
	}

	// The live row ids of primary key pk: its newest version and the older ones an Insert kept.
	liveVersions(pk) {
		const key = pkKey(pk);
		const out = [];
		const newest = this.latest.get(key);
		if (newest !== undefined && this.delSeq.a[newest] === 0)
			out.push(newest);
		for (const g of this.older.get(key) || []) {
			if (this.delSeq.a[g] === 0)
				out.push(g);
		}
		return out;
	}

	visible(gid, seq) {
		const d = this.delSeq.a[gid];
		return this.insSeq.a[gid] <= seq && (d === 0 || d > seq);
	}

	// Live rows now (for statistics).
	liveCount() {
		let n = 0;
		const d = this.delSeq.a;
		for (let g = 0; g < this.rows; g++) {
			if (d[g] === 0)
				n++;
		}
		return n;
	}

	// Merges the rows written since the last call into the PK-sorted index.
	ensureIndex() {
		const from = this.indexed, to = this.rows;
		if (from === to)
			return;
		const m = to - from;
		let fresh = new Uint32Array(m);
		for (let i = 0; i < m; i++)
			fresh[i] = from + i;
		let ordered = true;
		for (let i = 1; i < m && ordered; i++)
			ordered = this.compareGids(fresh[i - 1], fresh[i]) < 0;
		if (!ordered)
			fresh = Uint32Array.from(Array.from(fresh).sort((g, h) => this.compareGids(g, h)));
		const s = this.sorted;
		const n = from;
		s.reserve(n + m);
		if (n === 0 || this.compareGids(s.a[n - 1], fresh[0]) < 0) {
			s.a.set(fresh, n);
		} else {
			const old = s.a.slice(0, n);
			let i = 0, j = 0, k = 0;
			while (i < n && j < m)
				s.a[k++] = this.compareGids(old[i], fresh[j]) < 0 ? old[i++] : fresh[j++];
			while (i < n)
				s.a[k++] = old[i++];
			while (j < m)
				s.a[k++] = fresh[j++];
		}
		this.indexed = to;
	}

	// First position in the sorted index whose pk is > v (strict) or >= v.
	lowerBound(v, strict) {
		const s = this.sorted.a;
		let lo = 0, hi = this.indexed;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			const c = this.comparePk(this.pkOf(s[mid]), v);
			if (c < 0 || (strict && c === 0))
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo;
	}

	// Where gid's values live: [segment, row in segment].
	locate(gid) {
		const seg = this.segments[this.segOf.a[gid]];
		return [seg, gid - seg.base];
	}
}

module.exports = { Store, compareStrings };
