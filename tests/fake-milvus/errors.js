// Milvus error statuses for the fake server: the new-style merr code, the legacy error_code the server
// still fills (its oldCode mapping), and the retriable flag, so clients see what Milvus sends (2.6, or
// 2.3 where the server runs with a 2.3 --version: see compat.js).
'use strict';

// merr codes used by the fake (milvus-wire.md section 8).
const Code = {
	SUCCESS: 0,
	SERVICE_NOT_READY: 1,
	SERVICE_UNAVAILABLE: 2,
	SERVICE_INTERNAL: 5,
	RATE_LIMIT: 8,
	UNIMPLEMENTED: 10,
	COLLECTION_NOT_FOUND: 100,
	COLLECTION_NOT_LOADED: 101,
	PARTITION_NOT_FOUND: 200,
	INDEX_NOT_FOUND: 700,
	DATABASE_NOT_FOUND: 800,
	DATABASE_INVALID_NAME: 802,
	IO_FAILED: 1001,
	FIELD_NAME_INVALID: 1701,
	INVALID_PARAMETER: 1100,
	UNEXPECTED: 65535,
};

// Legacy commonpb.ErrorCode values (the deprecated Status.error_code field).
const Legacy = {
	Success: 0,
	UnexpectedError: 1,
	CollectionNotExists: 4,
	IllegalArgument: 5,
	MetaFailed: 15,
	IndexNotExist: 25,
	SegmentNotFound: 47,
	ForceDeny: 48,
	RateLimit: 49,
	InsufficientMemoryToLoad: 52,
	DiskQuotaExhausted: 54,
	NotReadyServe: 56,
};

// The server's oldCode(): merr code -> legacy error_code; anything else is UnexpectedError.
const LEGACY_OF = new Map([
	[Code.SERVICE_NOT_READY, Legacy.NotReadyServe],
	[3, Legacy.InsufficientMemoryToLoad],
	[7, Legacy.DiskQuotaExhausted],
	[Code.RATE_LIMIT, Legacy.RateLimit],
	[9, Legacy.ForceDeny],
	[Code.COLLECTION_NOT_FOUND, Legacy.CollectionNotExists],
	[Code.PARTITION_NOT_FOUND, Legacy.MetaFailed],
	[400, Legacy.MetaFailed],	// replica not found
	[600, Legacy.SegmentNotFound],
	[Code.INDEX_NOT_FOUND, Legacy.IndexNotExist],
	[Code.INVALID_PARAMETER, Legacy.IllegalArgument],
]);

const RETRIABLE = new Set([1, 2, 4, 8, 12, 103, 106, 202, 1002, 1807, 2200]);

// A Milvus error raised by a handler; the dispatcher turns it into a failed Status.
// legacy: the error_code to send instead of the oldCode mapping (Milvus 2.3 answers some failures,
// e.g. DescribeCollection's "can't find collection", with UnexpectedError although the code is 100).
class MilvusError extends Error {
	constructor(code, reason, inputError, legacy) {
		super(reason);
		this.code = code;
		this.inputError = !!inputError;
		this.legacy = legacy;
	}
}

function okStatus() {
	return { error_code: 0, reason: '', code: 0, retriable: false, detail: '', extra_info: {} };
}

function errorStatus(code, reason, inputError, legacy) {
	const extra = {};
	if (inputError)
		extra.is_input_error = 'true';
	return {
		error_code: legacy !== undefined ? legacy : LEGACY_OF.has(code) ? LEGACY_OF.get(code) : Legacy.UnexpectedError,
		reason,
		code,
		retriable: RETRIABLE.has(code),
		detail: reason,
		extra_info: extra,
	};
}

function statusOf(err) {
	if (err instanceof MilvusError)
		return errorStatus(err.code, err.message, err.inputError, err.legacy);
	return errorStatus(Code.SERVICE_INTERNAL, 'service internal error: ' + (err && err.message || String(err)));
}

// Constructors for the errors handlers raise, worded like merr's messages.
const fail = {
	invalid: (msg) => new MilvusError(Code.INVALID_PARAMETER, msg + ': invalid parameter', true),
	// merr's WrapErrParameterInvalid: "msg: invalid parameter[expected=E][actual=A]"
	invalidParam: (expected, actual, msg) =>
		new MilvusError(Code.INVALID_PARAMETER, `${msg}: invalid parameter[expected=${expected}][actual=${actual}]`, true),
	code: (code, msg, legacy) => new MilvusError(code, msg, false, legacy),
	unexpected: (msg) => new MilvusError(Code.UNEXPECTED, msg),
	collectionNotFound: (db, name) =>
		new MilvusError(Code.COLLECTION_NOT_FOUND, `collection not found[database=${db}][collection=${name}]`, true),
	collectionNotLoaded: (name) => new MilvusError(Code.COLLECTION_NOT_LOADED, `collection not loaded[collection=${name}]`),
	partitionNotFound: (name) => new MilvusError(Code.PARTITION_NOT_FOUND, `partition not found[partition=${name}]`, true),
	indexNotFound: (collection, detail) =>
		new MilvusError(Code.INDEX_NOT_FOUND, (detail ? detail + ': ' : '') + `index not found[collection=${collection}]`),
	databaseNotFound: (db) => new MilvusError(Code.DATABASE_NOT_FOUND, `database not found[database=${db}]`, true),
	rateLimit: () => new MilvusError(Code.RATE_LIMIT, 'rate limit exceeded'),
	unimplemented: (method) =>
		new MilvusError(Code.UNIMPLEMENTED, `${method} is not implemented by fake-milvus: service unimplemented`),
};

module.exports = { Code, Legacy, MilvusError, okStatus, statusOf, fail };
