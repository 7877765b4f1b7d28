// Loads the official Milvus service definitions shipped with @zilliz/milvus2-sdk-node (protobufjs JSON)
// twice from the same JSON: through @grpc/proto-loader for the gRPC service, and as a protobufjs Root
// for the few messages the server encodes itself (Query results with typed arrays).
'use strict';

const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');
const milvusJson = require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js').default;

const SERVICE = 'milvus.proto.milvus.MilvusService';

// Requests arrive as plain objects: snake_case names, int64 as decimal strings, enums as numbers,
// bytes as Buffers, defaults filled in, and the name of the set member on every oneof.
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: Number, defaults: true, oneofs: true };

const packageDefinition = protoLoader.fromJSON(milvusJson, LOADER_OPTIONS);
const root = protobuf.Root.fromJSON(milvusJson);
root.resolveAll();

const types = {
	CollectionSchema: root.lookupType('milvus.proto.schema.CollectionSchema'),
	QueryResults: root.lookupType('milvus.proto.milvus.QueryResults'),
	InsertRequest: root.lookupType('milvus.proto.milvus.InsertRequest'),
	UpsertRequest: root.lookupType('milvus.proto.milvus.UpsertRequest'),
};

// FloatArray (packed repeated float) travels as raw little-endian bytes in this root: decoding keeps
// a Buffer instead of one JS number per float, and encoding accepts a Buffer. A packed float field is
// a length-delimited run of IEEE floats, so the bytes on the wire are the same either way. This keeps
// million-vector inserts and wide query pages from drowning in garbage.
(function rawFloatArrays() {
	const FloatArray = root.lookupType('milvus.proto.schema.FloatArray');
	FloatArray.setup();
	const generatedEncode = FloatArray.encode;
	FloatArray.encode = function encodeFloatArray(m, w) {
		if (!(m.data instanceof Uint8Array))
			return generatedEncode(m, w);
		w = w || protobuf.Writer.create();
		if (m.data.length)
			w.uint32(10).bytes(m.data);
		return w;
	};
	FloatArray.decode = function decodeFloatArray(r, length) {
		if (!(r instanceof protobuf.Reader))
			r = protobuf.Reader.create(r);
		const end = length === undefined ? r.len : r.pos + length;
		const parts = [];
		while (r.pos < end) {
			const tag = r.uint32();
			if (tag === 10) {	// field 1, packed
				const n = r.uint32();
				parts.push(Buffer.from(r.buf.buffer, r.buf.byteOffset + r.pos, n));
				r.pos += n;
			} else if (tag === 13) {	// field 1, one unpacked float
				const b = Buffer.allocUnsafe(4);
				b.writeFloatLE(r.float());
				parts.push(b);
			} else {
				r.skipType(tag & 7);
			}
		}
		const m = FloatArray.create();
		m.data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
		return m;
	};
	FloatArray.toObject = (m) => ({ data: m.data });
})();

// Insert/Upsert requests: decoded through the raw-float root, then shaped like proto-loader's objects.
function requestDecoder(type) {
	return (buf) => type.toObject(type.decode(buf), LOADER_OPTIONS);
}

// The floats of a decoded FloatArray as a Float32Array (a copy: the bytes may be unaligned).
function floatsOf(data) {
	if (!(data instanceof Uint8Array))
		return Float32Array.from(data);
	const copy = new Uint8Array(data.length);
	copy.set(data);
	return new Float32Array(copy.buffer, 0, data.length >> 2);
}

const DataType = root.lookupEnum('milvus.proto.schema.DataType').values;
const ConsistencyLevel = root.lookupEnum('milvus.proto.common.ConsistencyLevel').values;

// The service definition with each method's response type name, so unimplemented methods can answer
// a failed Status in the shape their response expects.
function serviceDefinition() {
	const def = packageDefinition[SERVICE];
	const service = root.lookupService(SERVICE);
	const methods = {};
	for (const [name, method] of Object.entries(service.methods)) {
		const responseType = method.resolvedResponseType;
		methods[name] = {
			streaming: !!(method.requestStream || method.responseStream),
			responseIsStatus: responseType.fullName === '.milvus.proto.common.Status',
			responseHasStatus: !!responseType.fields.status,
		};
	}
	return { def, methods };
}

// Decodes a serialized CollectionSchema (CreateCollectionRequest.schema) into the same plain-object shape
// proto-loader gives requests.
function decodeCollectionSchema(bytes) {
	const msg = types.CollectionSchema.decode(bytes);
	return types.CollectionSchema.toObject(msg, LOADER_OPTIONS);
}

function encodeQueryResults(obj) {
	return Buffer.from(types.QueryResults.encode(obj).finish());
}

module.exports = {
	SERVICE, serviceDefinition, decodeCollectionSchema, encodeQueryResults, DataType, ConsistencyLevel, floatsOf,
	decodeInsertRequest: requestDecoder(types.InsertRequest), decodeUpsertRequest: requestDecoder(types.UpsertRequest),
};
