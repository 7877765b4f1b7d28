// Which Milvus the fake imitates, from the version it reports (--version). By default it behaves like
// Milvus 2.6. A 2.3 version (e.g. --version v2.3.5-lite, what the embedded Milvus 2.3.5 reports) turns
// on the behaviour of Milvus 2.3.5 wherever it differs from 2.6 for the features 2.3 has, as measured
// against the real server (tests/real/real_fake_agree.sh; the table in README.md): its error codes
// and messages, one vector field per collection, JSON fields that take only objects, Insert keeping
// duplicate keys, Query ignoring guarantee_timestamp (no session_ts, no snapshot) and never returning
// a row keyed INT64_MAX, statistics that count flushed rows. Features newer than 2.3 (nullable fields,
// default values, sparse/float16/bfloat16/int8 vectors, functions) keep their newer behaviour.
'use strict';

function profileOf(version) {
	const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version || '');
	const major = m ? Number(m[1]) : 2, minor = m ? Number(m[2]) : 6;
	return { version, major, minor, v23: major === 2 && minor === 3 };
}

module.exports = { profileOf };
