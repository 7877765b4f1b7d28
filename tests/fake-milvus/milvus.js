// The in-memory Milvus: databases, collections, partitions, indexes, load state and the RPC handlers.
// Each handler takes the decoded request and a context {db, method} and returns the response without
// its status (or nothing for RPCs answering a bare Status); failures are thrown as MilvusError.
'use strict';

const { DataType, decodeCollectionSchema } = require('./proto');
const { fail, MilvusError, Code, Legacy } = require('./errors');
const { profileOf } = require('./compat');
const { buildCollectionModel, describeField, describeFunction, checkName, isVector, kvMap } = require('./schema');
const { Store } = require('./store');
const { ingest } = require('./ingest');
const { runQuery, matchRows } = require('./query');
const { Clock, physicalMs } = require('./clock');

const DEFAULT_DB = 'default';
const DEFAULT_PARTITION = '_default';
const MAX_PARTITIONS = 1024;
const MAX_PARTITIONS_23 = 4096;

const LoadState = { NotExist: 0, NotLoad: 1, Loading: 2, Loaded: 3 };
const SHOW_IN_MEMORY = 1;	// ShowType.InMemory: only loaded collections
const IndexState = { None: 0, Finished: 3 };
const INT64_MAX = 9223372036854775807n;

function kvList(map) {
	return [...map].map(([key, value]) => ({ key, value }));
}

class FakeMilvus {
	// opts: {version, rateLimitEvery, flushRateLimit, pageJitter, onRows(n), and the bad-answer knobs
	// emptyPageAfter, duplicateKeyPage, insertDuplicates (see server.js)}
	constructor(opts) {
		this.opts = opts;
		this.p = profileOf(opts.version);	// p.v23: behave like Milvus 2.3.5 (compat.js)
		this.sessions = new Map();	// iterator session_ts -> {rows, pages, emptied}
		this.clock = new Clock();
		this.nextId = BigInt(Date.now()) << 18n;
		this.identifiers = 0;
		this.writes = 0;
		this.flushes = 0;
		this.jitterTurn = 0;
		this.databases = new Map();
		this.addDatabase(DEFAULT_DB, []);
	}

	allocId() {
		return String(this.nextId++);
	}

	// An invalid-parameter failure as this version words it: 2.6's code 1100 "...: invalid parameter",
	// 2.3's plain code 65535.
	fail23(msg) {
		return this.p.v23 ? fail.unexpected(msg) : fail.invalid(msg);
	}

	// Auto-ID primary keys: Int64 values, or their decimal strings for VarChar keys.
	allocIds(n, type) {
		const ids = new Array(n);
		for (let i = 0; i < n; i++)
			ids[i] = type === DataType.Int64 ? this.nextId++ : String(this.nextId++);
		return ids;
	}

	addDatabase(name, properties) {
		const ts = this.clock.now();
		// createdNs: what Milvus 2.3 lists as a database's created_timestamp (Unix nanoseconds)
		this.databases.set(name, { name, id: this.allocId(), createdTs: ts, createdNs: BigInt(Date.now()) * 1000000n,
			properties, collections: new Map() });
	}

	db(name) {
		const d = this.databases.get(name);
		if (!d)
			throw fail.databaseNotFound(name);
		return d;
	}

	// The collection called name (or with ID id when name is empty) in the call's database. Milvus 2.3
	// does not look the database up first: a missing one is a collection not found (code 100).
	collection(ctx, name, id) {
		const d = this.p.v23 ? this.databases.get(ctx.db) : this.db(ctx.db);
		if (!name && id && id !== '0') {
			for (const c of d ? d.collections.values() : []) {
				if (c.id === id)
					return c;
			}
			if (this.p.v23)
				throw new MilvusError(Code.COLLECTION_NOT_FOUND, `collection not found[collection=${id}]`, true);
		}
		const c = d && d.collections.get(name);
		if (!c)
			throw fail.collectionNotFound(ctx.db, name || id);
		return c;
	}

	// ---- server ----

	// Connect checks the call's database (Milvus 2.3 and later): a missing one is code 800.
	Connect(req, ctx) {
		this.db(ctx.db);
		return {
			server_info: {
				build_tags: this.opts.version, build_time: '', git_commit: 'fake-milvus', go_version: '',
				deploy_mode: 'STANDALONE', reserved: {},
			},
			identifier: String(++this.identifiers),
		};
	}

	GetVersion() {
		return { version: this.opts.version };
	}

	CheckHealth() {
		return { isHealthy: true, reasons: [], quota_states: [] };
	}

	GetComponentStates() {
		return { state: { nodeID: '1', role: 'Proxy', state_code: 1, extra_info: [] }, subcomponent_states: [] };
	}

	AllocTimestamp() {
		return { timestamp: String(this.clock.now()) };
	}

	// ---- databases ----

	ListDatabases() {
		const dbs = [...this.databases.values()];
		return {
			db_names: dbs.map((d) => d.name),
			created_timestamp: dbs.map((d) => String(this.p.v23 ? d.createdNs : d.createdTs)),
			db_ids: this.p.v23 ? [] : dbs.map((d) => d.id),
		};
	}

	CreateDatabase(req) {
		if (this.p.v23)
			checkDatabaseName23(req.db_name);
		checkName('database', req.db_name);
		if (this.databases.has(req.db_name))
			throw fail.unexpected(`database already exist: ${req.db_name}`);
		this.addDatabase(req.db_name, req.properties.map((kv) => ({ key: kv.key, value: kv.value })));
	}

	DropDatabase(req) {
		if (req.db_name === DEFAULT_DB)
			throw this.p.v23 ? fail.unexpected('can not drop default database') : fail.invalid('can not drop default database');
		const d = this.databases.get(req.db_name);
		if (!d)
			return;
		if (d.collections.size)
			throw fail.unexpected(`database:${req.db_name} not empty, must drop all collections before drop database`);
		this.databases.delete(req.db_name);
	}

	DescribeDatabase(req) {
		const d = this.db(req.db_name || DEFAULT_DB);
		return { db_name: d.name, dbID: d.id, created_timestamp: String(d.createdTs), properties: d.properties };
	}

	AlterDatabase(req) {
		const d = this.db(req.db_name);
		const props = kvMap(d.properties);
		for (const kv of req.properties)
			props.set(kv.key, kv.value);
		for (const k of req.delete_keys)
			props.delete(k);
		d.properties = kvList(props);
	}

	// ---- collections ----

	HasCollection(req, ctx) {
		if (this.p.v23 && !this.databases.has(ctx.db))
			return { value: false };
		return { value: this.db(ctx.db).collections.has(req.collection_name) };
	}

	CreateCollection(req, ctx) {
		if (this.p.v23 && !this.databases.has(ctx.db))
			throw fail.unexpected(`database:${ctx.db} not found`);
		const d = this.db(ctx.db);
		let schema;
		try {
			schema = decodeCollectionSchema(req.schema);
		} catch (e) {
			throw fail.invalid(`failed to unmarshal collection schema: ${e.message}`);
		}
		const model = buildCollectionModel(req, schema, this.p);
		const existing = d.collections.get(req.collection_name);
		if (existing) {
			if (existing.signature === signatureOf(req, schema))
				return;
			const msg = `create duplicate collection with different parameters, collection: ${req.collection_name}`;
			throw this.p.v23 ? fail.unexpected(msg) : fail.invalid(msg);
		}
		const ts = this.clock.now();
		const coll = Object.assign(model, {
			id: this.allocId(),
			db: d.name,
			createdTs: ts,
			updateTs: ts,
			loaded: false,
			flushedRows: 0,	// rows written before the last Flush: Milvus 2.3's statistics
			indexes: new Map(),
			partitions: [],
			signature: signatureOf(req, schema),
			store: new Store(model.pk.type),
			propertyMap() {
				return kvMap(this.properties);
			},
			// Index of the live partition called name, or -1 (rows keep their partition's index).
			partitionIndexOf(name) {
				return this.partitions.findIndex((p) => p.name === name && !p.dropped);
			},
			livePartitions() {
				return this.partitions.filter((p) => !p.dropped);
			},
		});
		if (coll.partitionKey) {
			for (let i = 0; i < coll.numPartitions; i++)
				coll.partitions.push({ name: `${DEFAULT_PARTITION}_${i}`, id: this.allocId(), createdTs: ts });
		} else {
			coll.partitions.push({ name: DEFAULT_PARTITION, id: this.allocId(), createdTs: ts });
		}
		d.collections.set(coll.name, coll);
	}

	DropCollection(req, ctx) {
		this.db(ctx.db).collections.delete(req.collection_name);
	}

	DescribeCollection(req, ctx) {
		let c;
		try {
			c = this.collection(ctx, req.collection_name, req.collectionID);
		} catch (e) {
			// 2.3 wraps the not-found error and answers the legacy UnexpectedError
			if (this.p.v23 && e.code === Code.COLLECTION_NOT_FOUND)
				throw new MilvusError(e.code, `can't find collection ${e.message}`, true, Legacy.UnexpectedError);
			throw e;
		}
		const byId = !req.collection_name;
		const userFields = c.fields.filter((f) => !f.isDynamic);
		return {
			schema: {
				name: c.name,
				description: c.description,
				autoID: c.schemaAutoId,
				fields: userFields.map(describeField),
				enable_dynamic_field: c.dynamic,
				properties: c.schemaProperties,
				functions: c.functions.map(describeFunction),
				dbName: c.db,
				struct_array_fields: [],
				version: 0,
				enable_namespace: false,
			},
			collectionID: c.id,
			virtual_channel_names: Array.from({ length: c.shardsNum }, (_, i) => `fake-dml_${i}_${c.id}v${i}`),
			physical_channel_names: Array.from({ length: c.shardsNum }, (_, i) => `fake-dml_${i}`),
			created_timestamp: String(c.createdTs),
			created_utc_timestamp: String(physicalMs(c.createdTs)),
			shards_num: c.shardsNum,
			aliases: [],
			start_positions: [],
			consistency_level: c.consistencyLevel,
			collection_name: this.p.v23 && byId ? '' : c.name,	// 2.3 names it only when asked by name
			properties: c.properties,
			db_name: c.db,
			num_partitions: String(c.livePartitions().length),
			db_id: this.db(c.db).id,
			request_time: String(this.clock.now()),
			update_timestamp: String(c.updateTs),
			update_timestamp_str: String(c.updateTs),
		};
	}

	ShowCollections(req, ctx) {
		const d = this.db(ctx.db);
		let list = [...d.collections.values()];
		const inMemory = req.type === SHOW_IN_MEMORY;
		if (inMemory)
			list = list.filter((c) => c.loaded);
		// 2.3 looks at collection_names only for ShowType.InMemory, and fills the load columns only then
		if (req.collection_names.length && (inMemory || !this.p.v23)) {
			list = req.collection_names.map((n) => {
				const c = d.collections.get(n);
				if (!c)
					throw fail.collectionNotFound(d.name, n);
				return c;
			});
		}
		return {
			collection_names: list.map((c) => c.name),
			collection_ids: list.map((c) => c.id),
			created_timestamps: list.map((c) => String(c.createdTs)),
			created_utc_timestamps: list.map((c) => String(physicalMs(c.createdTs))),
			inMemory_percentages: this.p.v23 && !inMemory ? [] : list.map((c) => (c.loaded ? '100' : '0')),
			query_service_available: this.p.v23 && !inMemory ? [] : list.map((c) => c.loaded),
			shards_num: list.map((c) => c.shardsNum),
		};
	}

	AlterCollection(req, ctx) {
		if (this.p.v23 && !req.properties.length)
			throw fail.unexpected('only support alter collection properties, but collection properties is empty');
		const c = this.collection(ctx, req.collection_name, req.collectionID);
		const props = c.propertyMap();
		for (const kv of req.properties)
			props.set(kv.key, kv.value);
		for (const k of req.delete_keys)
			props.delete(k);
		c.properties = kvList(props);
		c.updateTs = this.clock.now();
	}

	// Live rows; Milvus 2.3 counts the rows of flushed segments instead: every row written before the
	// last Flush, rows deleted or replaced since included.
	GetCollectionStatistics(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		const n = this.p.v23 ? c.flushedRows : c.store.liveCount();
		return { stats: [{ key: 'row_count', value: String(n) }] };
	}

	// ---- partitions ----

	partitionIndex(c, name) {
		const i = c.partitionIndexOf(name);
		if (i < 0)
			throw fail.partitionNotFound(name);
		return i;
	}

	CreatePartition(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		if (c.partitionKey)
			throw this.fail23('disable create partition if partition key mode is used');
		if (!this.p.v23)	// 2.3 takes any partition name
			checkName('partition', req.partition_name);
		if (c.partitionIndexOf(req.partition_name) >= 0)
			return;
		const max = this.p.v23 ? MAX_PARTITIONS_23 : MAX_PARTITIONS;
		if (c.livePartitions().length >= max)
			throw this.fail23(`partition number (${c.livePartitions().length}) exceeds max configuration (${max})`);
		c.partitions.push({ name: req.partition_name, id: this.allocId(), createdTs: this.clock.now() });
	}

	DropPartition(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		if (c.partitionKey)
			throw this.fail23('disable drop partition if partition key mode is used');
		if (req.partition_name === DEFAULT_PARTITION && !(this.p.v23 && c.loaded))	// 2.3: the load check first
			throw this.fail23('default partition cannot be deleted');
		const i = c.partitionIndexOf(req.partition_name);
		if (i < 0)
			return;
		if (c.loaded)
			throw this.fail23('partition cannot be dropped, partition is loaded, please release it first');
		const store = c.store;
		const gids = [];
		for (let g = 0; g < store.rows; g++) {
			if (store.part.a[g] === i && store.delSeq.a[g] === 0)
				gids.push(g);
		}
		store.remove(gids, this.clock.write().seq);
		c.partitions[i].dropped = true;
	}

	HasPartition(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		return { value: c.partitionIndexOf(req.partition_name) >= 0 };
	}

	ShowPartitions(req, ctx) {
		const c = this.collection(ctx, req.collection_name, req.collectionID);
		let list = c.livePartitions();
		const inMemory = req.type === SHOW_IN_MEMORY;
		// 2.3 ignores partition_names unless asked for loaded partitions, and fills the load column only then
		if (req.partition_names.length && (inMemory || !this.p.v23))
			list = req.partition_names.map((n) => c.partitions[this.partitionIndex(c, n)]);
		return {
			partition_names: list.map((p) => p.name),
			partitionIDs: list.map((p) => p.id),
			created_timestamps: list.map((p) => String(p.createdTs)),
			created_utc_timestamps: list.map((p) => String(physicalMs(p.createdTs))),
			inMemory_percentages: this.p.v23 && !inMemory ? [] : list.map(() => (c.loaded ? '100' : '0')),
		};
	}

	GetPartitionStatistics(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		const i = this.partitionIndex(c, req.partition_name);
		const store = c.store;
		let n = 0;
		const end = this.p.v23 ? c.flushedRows : store.rows;	// 2.3: flushed rows, as GetCollectionStatistics
		for (let g = 0; g < end; g++) {
			if (store.part.a[g] === i && (this.p.v23 || store.delSeq.a[g] === 0))
				n++;
		}
		return { stats: [{ key: 'row_count', value: String(n) }] };
	}

	// ---- load ----

	LoadCollection(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		const missing = c.fields.filter((f) => isVector(f.type) && !c.indexes.has(f.name)).map((f) => f.name);
		if (missing.length) {
			throw fail.indexNotFound(c.name, this.p.v23 ? ''
				: `there is no vector index on field: [${missing.join(' ')}], please create index firstly`);
		}
		c.loaded = true;
	}

	LoadPartitions(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		for (const n of req.partition_names)
			this.partitionIndex(c, n);
		this.LoadCollection(req, ctx);
	}

	ReleaseCollection(req, ctx) {
		this.collection(ctx, req.collection_name).loaded = false;
	}

	ReleasePartitions(req, ctx) {
		this.collection(ctx, req.collection_name).loaded = false;
	}

	GetLoadState(req, ctx) {
		if (this.p.v23 && !(this.databases.has(ctx.db) && this.databases.get(ctx.db).collections.has(req.collection_name)))
			return { state: LoadState.NotExist };	// 2.3: no error for a missing collection
		const c = this.collection(ctx, req.collection_name);
		for (const n of req.partition_names)
			this.partitionIndex(c, n);
		return { state: c.loaded ? LoadState.Loaded : LoadState.NotLoad };
	}

	GetLoadingProgress(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		if (!c.loaded)
			throw fail.collectionNotLoaded(this.p.v23 ? c.id : c.name);	// 2.3 names the collection by ID
		return { progress: '100', refresh_progress: '100' };
	}

	// ---- indexes ----

	CreateIndex(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		const f = c.byName.get(req.field_name);
		if (!f || f.isDynamic)
			throw this.fail23(`cannot create index on non-exist field: ${req.field_name}`);
		if (this.p.v23 && f.type === DataType.JSON)
			throw fail.invalidParam('supported field', 'create index on JSON field', 'create index on JSON field is not supported');
		const params = req.extra_params.map((kv) => ({ key: kv.key, value: kv.value }));
		// 2.3 names an index after its field; later versions _default_idx_<field ID>
		const name = req.index_name || (this.p.v23 ? f.name : `_default_idx_${f.id}`);
		for (const idx of c.indexes.values()) {
			if (idx.name === name && idx.field !== f.name)
				throw fail.invalid(`index name ${name} is already used by field ${idx.field}`);
		}
		const old = c.indexes.get(f.name);
		if (old) {
			if (old.name === name && JSON.stringify(old.params) === JSON.stringify(params))
				return;
			if (this.p.v23)
				throw fail.unexpected('CreateIndex failed: at most one distinct index is allowed per field');
			throw fail.invalid('at most one distinct index is allowed per field');
		}
		c.indexes.set(f.name, { name, id: this.allocId(), field: f.name, params });
	}

	findIndexes(c, fieldName, indexName) {
		const found = [...c.indexes.values()].filter((idx) =>
			(!fieldName || idx.field === fieldName) && (!indexName || idx.name === indexName));
		if (!found.length)
			throw fail.indexNotFound(c.name);
		return found;
	}

	DescribeIndex(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		const rows = String(c.store.liveCount());
		return {
			index_descriptions: this.findIndexes(c, req.field_name, req.index_name).map((idx) => ({
				index_name: idx.name, indexID: idx.id, params: idx.params, field_name: idx.field,
				indexed_rows: rows, total_rows: rows, state: IndexState.Finished, index_state_fail_reason: '',
				pending_index_rows: '0', min_index_version: 0, max_index_version: 0,
			})),
		};
	}

	GetIndexState(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		if (this.p.v23 && !c.indexes.size)
			return { state: IndexState.None, fail_reason: '' };	// 2.3: no error without an index
		this.findIndexes(c, req.field_name, req.index_name);
		return { state: IndexState.Finished, fail_reason: '' };
	}

	GetIndexBuildProgress(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		if (this.p.v23 && !c.indexes.size)
			throw new MilvusError(Code.INDEX_NOT_FOUND, `index not found[indexName=${req.index_name}]`);
		this.findIndexes(c, req.field_name, req.index_name);
		const rows = String(c.store.liveCount());
		return { indexed_rows: rows, total_rows: rows };
	}

	DropIndex(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		if (this.p.v23 && !c.indexes.size)
			return;	// 2.3: nothing to drop is no error
		const found = this.findIndexes(c, req.field_name, req.index_name);
		if (c.loaded)
			throw this.fail23('index cannot be dropped, collection is loaded, please release it first');
		for (const idx of found)
			c.indexes.delete(idx.field);
	}

	// ---- data ----

	write(req, ctx, upsert) {
		const c = this.collection(ctx, req.collection_name);
		this.writes++;
		if (this.opts.rateLimitEvery && this.writes % this.opts.rateLimitEvery === 0)
			throw fail.rateLimit();
		const batch = ingest(c, req, upsert, (n, type) => this.allocIds(n, type), this.p);
		const { seq, ts } = this.clock.write();
		// Milvus keeps both rows when an Insert repeats a key (2.3 always; here with --insert-duplicates)
		c.store.append(batch.cols, batch.n, batch.pks, batch.parts, seq, !upsert && (this.opts.insertDuplicates || this.p.v23));
		const ids = c.pk.type === DataType.Int64 ? { int_id: { data: batch.pks.map(String) } }
			: { str_id: { data: batch.pks } };
		const n = String(batch.n);
		this.opts.onRows(batch.n);
		return {
			IDs: ids,
			succ_index: Array.from({ length: batch.n }, (_, i) => i),
			err_index: [],
			acknowledged: false,
			insert_cnt: n,
			delete_cnt: upsert && this.p.v23 ? n : '0',	// 2.3 counts an Upsert's deletes
			upsert_cnt: upsert ? n : '0',
			timestamp: String(ts),
		};
	}

	Insert(req, ctx) {
		return this.write(req, ctx, false);
	}

	Upsert(req, ctx) {
		return this.write(req, ctx, true);
	}

	Delete(req, ctx) {
		if (this.p.v23)
			return this.delete23(req, ctx);
		const c = this.collection(ctx, req.collection_name);
		if (!req.expr.trim())
			throw fail.invalid('expr cannot be empty');
		let part;
		if (req.partition_name) {
			if (c.partitionKey)
				throw fail.invalid('not support manually specifying the partition names if partition key mode is used');
			part = this.partitionIndex(c, req.partition_name);
		}
		const gids = matchRows(c, req.expr, part, this.clock, this.p);
		const { seq, ts } = this.clock.write();
		c.store.remove(gids, seq);
		const pks = gids.map((g) => c.store.pkOf(g));
		const ids = c.pk.type === DataType.Int64 ? { int_id: { data: pks.map(String) } } : { str_id: { data: pks } };
		return { IDs: ids, succ_index: [], err_index: [], delete_cnt: String(gids.length), insert_cnt: '0',
			upsert_cnt: '0', timestamp: String(ts) };
	}

	// Milvus 2.3.5's Delete: a delete removes every version of the keys it matches; delete_cnt is the
	// number of keys given by `pk in [...]` or `pk == v`, else the number of matching row versions; no IDs.
	delete23(req, ctx) {
		let c;
		try {
			c = this.collection(ctx, req.collection_name);
		} catch (e) {
			if (e.code === Code.COLLECTION_NOT_FOUND)
				throw new MilvusError(e.code, `Failed to get collection id: ${e.message}`, true);
			throw e;
		}
		if (!req.expr.trim())
			throw fail.invalidParam('valid expr', 'empty expr', 'invalid expression');
		let part;
		if (req.partition_name) {
			if (c.partitionKey)
				throw fail.unexpected('not support manually specifying the partition names if partition key mode is used');
			part = c.partitionIndexOf(req.partition_name);
			if (part < 0)
				throw new MilvusError(Code.PARTITION_NOT_FOUND, `Failed to get partition id: partition not found[partition=${req.partition_name}]`, true);
		}
		let gids;
		try {
			gids = matchRows(c, req.expr, part, this.clock, this.p);
		} catch (e) {
			if (e instanceof MilvusError)
				throw fail.unexpected(`failed to create expr plan, expr = ${req.expr}`);
			throw e;
		}
		const ast = gids.ast;
		const isPk = (n) => n.k === 'ident' && n.name === c.pk.name && !n.path.length;
		let count = gids.length;
		if (ast.k === 'in' && !ast.neg && isPk(ast.a))
			count = ast.list.length;
		else if (ast.k === 'cmp' && ast.op === '==' && ((isPk(ast.a) && ast.b.k === 'lit') || (isPk(ast.b) && ast.a.k === 'lit')))
			count = 1;
		const store = c.store;
		const all = new Set();
		for (const g of gids) {
			for (const h of store.liveVersions(store.pkOf(g)))
				all.add(h);
		}
		const { seq, ts } = this.clock.write();
		store.remove([...all], seq);
		const empty = c.pk.type === DataType.Int64 ? { int_id: { data: [] } } : { str_id: { data: [] } };
		return { IDs: empty, succ_index: [], err_index: [], delete_cnt: String(count), insert_cnt: '0',
			upsert_cnt: '0', timestamp: String(ts) };
	}

	Flush(req, ctx) {
		// 2.3 looks up the collections only: a missing database is a collection not found
		const d = this.p.v23 ? this.databases.get(ctx.db) || { name: ctx.db } : this.db(ctx.db);
		this.flushes++;
		if (this.flushes <= this.opts.flushRateLimit)
			throw fail.rateLimit();
		const segIds = {}, flushTs = {}, sealTimes = {};
		const ts = this.clock.now();
		for (const name of req.collection_names) {
			const c = this.collection(ctx, name);
			c.flushedRows = c.store.rows;
			segIds[name] = { data: c.store.segments.map((_, i) => String(BigInt(c.id) + BigInt(i + 1))) };
			flushTs[name] = String(ts);
			sealTimes[name] = String(Math.floor(physicalMs(ts) / 1000));
		}
		return { db_name: d.name, coll_segIDs: segIds, flush_coll_segIDs: segIds, coll_seal_times: sealTimes,
			coll_flush_ts: flushTs, channel_cps: {} };
	}

	GetFlushState() {
		return { flushed: true };
	}

	Query(req, ctx) {
		const c = this.collection(ctx, req.collection_name);
		if (!c.loaded && !this.p.v23)
			throw fail.collectionNotLoaded(c.name);
		return runQuery(c, req, {
			p: this.p,
			// 2.3: the request is checked first, then the load state
			checkLoaded: () => {
				if (!c.loaded)
					throw new MilvusError(Code.COLLECTION_NOT_LOADED, `failed to query: collection not loaded[collection=${c.id}]`);
			},
			clock: this.clock,
			pageJitter: (limit) => this.jitter(limit),
			onRows: this.opts.onRows,
			shapePage: (session, gids) => this.shapePage(session, gids),
		});
	}

	// The bad-answer knobs on the pages of an iterator session: --empty-page-after N answers one empty
	// page once N rows went out although rows remain; --duplicate-key-page N sends the first row of the
	// Nth page twice.
	shapePage(session, gids) {
		let s = this.sessions.get(session);
		if (!s)
			this.sessions.set(session, s = { rows: 0, pages: 0, emptied: false });
		s.pages++;
		if (this.opts.emptyPageAfter && !s.emptied && s.rows >= this.opts.emptyPageAfter && gids.length) {
			s.emptied = true;
			return [];
		}
		if (this.opts.duplicateKeyPage === s.pages && gids.length)
			gids = [gids[0], ...gids];
		s.rows += gids.length;
		return gids;
	}

	// Iterator pages with --page-jitter: shorter, longer, then exact, in turn (as reduce_stop_for_best
	// can make them); never empty while rows remain.
	jitter(limit) {
		if (!this.opts.pageJitter)
			return limit;
		const turn = this.jitterTurn++ % 3;
		if (turn === 0)
			return Math.max(1, Math.floor(limit / 2));
		if (turn === 1)
			return limit + Math.ceil(limit / 2);
		return limit;
	}
}

// Milvus 2.3's database-name check (code 802, invalid database name).
function checkDatabaseName23(name) {
	const bad = (why) => new MilvusError(Code.DATABASE_INVALID_NAME, `${why}: invalid database name[database=${name}]`);
	if (!name)
		throw bad("database name couldn't be empty");
	if (name.length > 255)
		throw bad('the length of a database name must be less than 255 characters');
	if (!/^[A-Za-z_]/.test(name))
		throw bad('the first character of a database name must be an underscore or letter');
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
		throw bad('database name can only contain numbers, letters and underscores');
}

// What makes two CreateCollection requests "the same" (Milvus accepts an identical re-create).
function signatureOf(req, schema) {
	return JSON.stringify([schema, req.shards_num || 1, req.consistency_level, req.properties, String(req.num_partitions)]);
}

module.exports = { FakeMilvus };
