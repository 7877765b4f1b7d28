// Milvus error statuses for the fake server: the new-style merr code, the legacy error_code the server
// still fills (its oldCode mapping), and the retriable flag, so clients see what Milvus 2.6 sends.
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
	INVALID_PARAMETER: 1100,
	UNEXPECTED: 65535,
};

// Legacy commonpb.ErrorCode values (the deprecated Status.error_code field).
const Legacy = {
	Success: 0,
	UnexpectedError: 1,
	CollectionNotExists: 4,
	IllegalArgument: 5,
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
	[600, Legacy.SegmentNotFound],
	[Code.INDEX_NOT_FOUND, Legacy.IndexNotExist],
	[Code.INVALID_PARAMETER, Legacy.IllegalArgument],
]);

const RETRIABLE = new Set([1, 2, 4, 8, 12, 103, 106, 202, 1002, 1807, 2200]);

// A Milvus error raised by a handler; the dispatcher turns it into a failed Status.
class MilvusError extends Error {
	constructor(code, reason, inputError) {
		super(reason);
		this.code = code;
		this.inputError = !!inputError;
	}
}

function okStatus() {
	return { error_code: 0, reason: '', code: 0, retriable: false, detail: '', extra_info: {} };
}

function errorStatus(code, reason, inputError) {
	const extra = {};
	if (inputError)
		extra.is_input_error = 'true';
	return {
		error_code: LEGACY_OF.has(code) ? LEGACY_OF.get(code) : Legacy.UnexpectedError,
		reason,
		code,
		retriable: RETRIABLE.has(code),
		detail: reason,
		extra_info: extra,
	};
}

function statusOf(err) {
	if (err instanceof MilvusError)
		return errorStatus(err.code, err.message, err.inputError);
	return errorStatus(Code.SERVICE_INTERNAL, 'service internal error: ' + (err && err.message || String(err)));
}

// Constructors for the errors handlers raise, worded like merr's messages.
const fail = {
	invalid: (msg) => new MilvusError(Code.INVALID_PARAMETER, msg + ': invalid parameter', true),
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

module.exports = { Code, MilvusError, okStatus, statusOf, fail };
