// Bulk Insert for benchmark seeding: encodes InsertRequest columns (typed arrays) with the SDK's own
// official proto definitions and sends them on a plain @grpc/grpc-js channel. The SDK's insert()
// converts rows one value at a time and serializes every request to JSON for its debug log, which
// makes hundreds of thousands of wide rows take minutes.
'use strict';

const grpc = require('@grpc/grpc-js');
const protobuf = require('protobufjs');
const milvusJson = require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js').default;

const root = protobuf.Root.fromJSON(milvusJson);
const InsertRequest = root.lookupType('milvus.proto.milvus.InsertRequest');
const MutationResult = root.lookupType('milvus.proto.milvus.MutationResult');
const INSERT_PATH = '/milvus.proto.milvus.MilvusService/Insert';

// Float vectors are handed over as raw float32 bytes: a packed repeated float is one length-delimited
// run of little-endian floats, so the generated per-float encoder can be skipped.
(function rawFloatArrayEncode() {
	const FloatArray = root.lookupType('milvus.proto.schema.FloatArray');
	FloatArray.setup();
	const generated = FloatArray.encode;
	FloatArray.encode = (m, w) => {
		if (!(m.data instanceof Float32Array))
			return generated(m, w);
		w = w || protobuf.Writer.create();
		if (m.data.length)
			w.uint32(10).bytes(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
		return w;
	};
})();

class BulkInserter {
	// opts: {uri, db, user, password}
	constructor(opts) {
		this.client = new grpc.Client(opts.uri, grpc.credentials.createInsecure(), {
			'grpc.max_send_message_length': -1,
			'grpc.max_receive_message_length': -1,
		});
		this.metadata = new grpc.Metadata();
		if (opts.db)
			this.metadata.set('dbname', opts.db);
		if (opts.user !== undefined || opts.password !== undefined)
			this.metadata.set('authorization', Buffer.from(`${opts.user || ''}:${opts.password || ''}`).toString('base64'));
	}

	// Inserts one batch; resolves to the MutationResult (int64 as strings, enums as names).
	insert(collection, partition, numRows, fieldsData) {
		const req = { collection_name: collection, partition_name: partition || '', num_rows: numRows, fields_data: fieldsData };
		const bytes = Buffer.from(InsertRequest.encode(req).finish());
		return new Promise((resolve, reject) => {
			this.client.makeUnaryRequest(INSERT_PATH, (b) => b,
				(buf) => MutationResult.toObject(MutationResult.decode(buf), { longs: String, enums: String, defaults: true, oneofs: true }),
				bytes, this.metadata, {}, (err, res) => (err ? reject(err) : resolve(res)));
		});
	}

	close() {
		this.client.close();
	}
}

module.exports = { BulkInserter };
