// Hybrid timestamps (physical ms << 18 | logical counter) and the write sequence behind MVCC reads.
// Every write gets a sequence number and a timestamp; a read at timestamp T sees the writes whose
// timestamp is <= T, i.e. the sequence numbers up to seqAt(T).
'use strict';

const LOGICAL_BITS = 18n;
const LOGICAL_MAX = 1 << 18;

class Clock {
	constructor() {
		this.lastPhysical = 0;
		this.logical = 0;
		this.writeTs = [0n];	// writeTs[seq], seq 0 = "before everything"
	}

	// A new hybrid timestamp, strictly greater than every earlier one.
	now() {
		let physical = Date.now();
		if (physical <= this.lastPhysical) {
			physical = this.lastPhysical;
			this.logical++;
			if (this.logical >= LOGICAL_MAX) {
				physical++;
				this.logical = 0;
			}
		} else {
			this.logical = 0;
		}
		this.lastPhysical = physical;
		return (BigInt(physical) << LOGICAL_BITS) | BigInt(this.logical);
	}

	// Allocates a write: returns {seq, ts}.
	write() {
		const ts = this.now();
		this.writeTs.push(ts);
		return { seq: this.writeTs.length - 1, ts };
	}

	// The last write sequence number visible at hybrid timestamp ts.
	seqAt(ts) {
		const w = this.writeTs;
		let lo = 0, hi = w.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (w[mid] <= ts)
				lo = mid;
			else
				hi = mid - 1;
		}
		return lo;
	}

	get lastSeq() {
		return this.writeTs.length - 1;
	}
}

function physicalMs(ts) {
	return Number(ts >> LOGICAL_BITS);
}

module.exports = { Clock, physicalMs };
