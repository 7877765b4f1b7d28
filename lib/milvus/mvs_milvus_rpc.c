/* The Milvus client's typed calls, one per MilvusService RPC the toolkit uses, with what each may
 * retry (idempotent or not) and which deadline it gets; plus the helpers built on them: the Connect
 * handshake, waiting for a load, flush-and-wait, and count(*). The engine is mvs_milvus.c. */
#include "mvs_milvus_impl.h"

#include <grpc/status.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mvs_interrupt.h"
#include "mvs_log.h"

#define IDEMPOTENT MVS_RPC_IDEMPOTENT	/* reads, and calls a repeat cannot apply twice */
#define REPLY(name) milvus__proto__milvus__##name##__descriptor
#define STATUS milvus__proto__common__status__descriptor

static const struct mvs_milvus_rpc
	rpc_connect = MVS_MILVUS_RPC(Connect, REPLY(connect_response), IDEMPOTENT),
	rpc_get_version = MVS_MILVUS_RPC(GetVersion, REPLY(get_version_response), IDEMPOTENT),
	rpc_check_health = MVS_MILVUS_RPC(CheckHealth, REPLY(check_health_response), IDEMPOTENT),
	rpc_list_databases = MVS_MILVUS_RPC(ListDatabases, REPLY(list_databases_response), IDEMPOTENT),
	rpc_create_database = MVS_MILVUS_RPC(CreateDatabase, STATUS, 0),
	rpc_has_collection = MVS_MILVUS_RPC(HasCollection, REPLY(bool_response), IDEMPOTENT),
	rpc_describe_collection = MVS_MILVUS_RPC(DescribeCollection, REPLY(describe_collection_response), IDEMPOTENT),
	rpc_create_collection = MVS_MILVUS_RPC(CreateCollection, STATUS, 0),
	rpc_drop_collection = MVS_MILVUS_RPC(DropCollection, STATUS, 0),
	rpc_show_collections = MVS_MILVUS_RPC(ShowCollections, REPLY(show_collections_response), IDEMPOTENT),
	rpc_show_partitions = MVS_MILVUS_RPC(ShowPartitions, REPLY(show_partitions_response), IDEMPOTENT),
	rpc_create_partition = MVS_MILVUS_RPC(CreatePartition, STATUS, 0),
	rpc_has_partition = MVS_MILVUS_RPC(HasPartition, REPLY(bool_response), IDEMPOTENT),
	rpc_flush = MVS_MILVUS_RPC(Flush, REPLY(flush_response), IDEMPOTENT | MVS_RPC_LONG),
	rpc_get_flush_state = MVS_MILVUS_RPC(GetFlushState, REPLY(get_flush_state_response), IDEMPOTENT),
	rpc_get_collection_statistics = MVS_MILVUS_RPC(GetCollectionStatistics,
						       REPLY(get_collection_statistics_response), IDEMPOTENT),
	rpc_query = MVS_MILVUS_RPC(Query, REPLY(query_results), IDEMPOTENT | MVS_RPC_EMPTY_OK),
	rpc_load_collection = MVS_MILVUS_RPC(LoadCollection, STATUS, IDEMPOTENT | MVS_RPC_LONG),
	rpc_get_load_state = MVS_MILVUS_RPC(GetLoadState, REPLY(get_load_state_response), IDEMPOTENT),
	rpc_get_loading_progress = MVS_MILVUS_RPC(GetLoadingProgress, REPLY(get_loading_progress_response),
						  IDEMPOTENT),
	rpc_release_collection = MVS_MILVUS_RPC(ReleaseCollection, STATUS, IDEMPOTENT),
	rpc_create_index = MVS_MILVUS_RPC(CreateIndex, STATUS, MVS_RPC_LONG),
	rpc_describe_index = MVS_MILVUS_RPC(DescribeIndex, REPLY(describe_index_response),
					    IDEMPOTENT | MVS_RPC_NO_INDEX_OK),
	rpc_get_index_state = MVS_MILVUS_RPC(GetIndexState, REPLY(get_index_state_response), IDEMPOTENT);

/* Writes are not idempotent: a write whose outcome is unknown (DEADLINE_EXCEEDED) is not repeated. */
const struct mvs_milvus_rpc
	mvs_milvus_rpc_insert = MVS_MILVUS_RPC(Insert, REPLY(mutation_result), 0),
	mvs_milvus_rpc_upsert = MVS_MILVUS_RPC(Upsert, REPLY(mutation_result), 0);

#define TYPED_CALL(fn, rpc, Request, Reply)                                                              \
	int mvs_milvus_##fn(struct mvs_milvus *c, const Request *req, Reply **out,                       \
			    struct mvs_milvus_error *err)                                                \
	{                                                                                                \
		return mvs_milvus_unary(c, &(rpc), NULL, &req->base, (ProtobufCMessage **)out, err);     \
	}

TYPED_CALL(create_database, rpc_create_database, Milvus__Proto__Milvus__CreateDatabaseRequest,
	   Milvus__Proto__Common__Status)
TYPED_CALL(has_collection, rpc_has_collection, Milvus__Proto__Milvus__HasCollectionRequest,
	   Milvus__Proto__Milvus__BoolResponse)
TYPED_CALL(describe_collection, rpc_describe_collection, Milvus__Proto__Milvus__DescribeCollectionRequest,
	   Milvus__Proto__Milvus__DescribeCollectionResponse)
TYPED_CALL(create_collection, rpc_create_collection, Milvus__Proto__Milvus__CreateCollectionRequest,
	   Milvus__Proto__Common__Status)
TYPED_CALL(drop_collection, rpc_drop_collection, Milvus__Proto__Milvus__DropCollectionRequest,
	   Milvus__Proto__Common__Status)
TYPED_CALL(show_collections, rpc_show_collections, Milvus__Proto__Milvus__ShowCollectionsRequest,
	   Milvus__Proto__Milvus__ShowCollectionsResponse)
TYPED_CALL(show_partitions, rpc_show_partitions, Milvus__Proto__Milvus__ShowPartitionsRequest,
	   Milvus__Proto__Milvus__ShowPartitionsResponse)
TYPED_CALL(create_partition, rpc_create_partition, Milvus__Proto__Milvus__CreatePartitionRequest,
	   Milvus__Proto__Common__Status)
TYPED_CALL(has_partition, rpc_has_partition, Milvus__Proto__Milvus__HasPartitionRequest,
	   Milvus__Proto__Milvus__BoolResponse)
TYPED_CALL(insert, mvs_milvus_rpc_insert, Milvus__Proto__Milvus__InsertRequest,
	   Milvus__Proto__Milvus__MutationResult)
TYPED_CALL(upsert, mvs_milvus_rpc_upsert, Milvus__Proto__Milvus__UpsertRequest,
	   Milvus__Proto__Milvus__MutationResult)
TYPED_CALL(flush, rpc_flush, Milvus__Proto__Milvus__FlushRequest, Milvus__Proto__Milvus__FlushResponse)
TYPED_CALL(get_flush_state, rpc_get_flush_state, Milvus__Proto__Milvus__GetFlushStateRequest,
	   Milvus__Proto__Milvus__GetFlushStateResponse)
TYPED_CALL(get_collection_statistics, rpc_get_collection_statistics,
	   Milvus__Proto__Milvus__GetCollectionStatisticsRequest,
	   Milvus__Proto__Milvus__GetCollectionStatisticsResponse)
TYPED_CALL(query, rpc_query, Milvus__Proto__Milvus__QueryRequest, Milvus__Proto__Milvus__QueryResults)
TYPED_CALL(load_collection, rpc_load_collection, Milvus__Proto__Milvus__LoadCollectionRequest,
	   Milvus__Proto__Common__Status)
TYPED_CALL(get_load_state, rpc_get_load_state, Milvus__Proto__Milvus__GetLoadStateRequest,
	   Milvus__Proto__Milvus__GetLoadStateResponse)
TYPED_CALL(get_loading_progress, rpc_get_loading_progress, Milvus__Proto__Milvus__GetLoadingProgressRequest,
	   Milvus__Proto__Milvus__GetLoadingProgressResponse)
TYPED_CALL(release_collection, rpc_release_collection, Milvus__Proto__Milvus__ReleaseCollectionRequest,
	   Milvus__Proto__Common__Status)
TYPED_CALL(create_index, rpc_create_index, Milvus__Proto__Milvus__CreateIndexRequest,
	   Milvus__Proto__Common__Status)
TYPED_CALL(describe_index, rpc_describe_index, Milvus__Proto__Milvus__DescribeIndexRequest,
	   Milvus__Proto__Milvus__DescribeIndexResponse)
TYPED_CALL(get_index_state, rpc_get_index_state, Milvus__Proto__Milvus__GetIndexStateRequest,
	   Milvus__Proto__Milvus__GetIndexStateResponse)

int mvs_milvus_insert_submit(struct mvs_milvus *c, const Milvus__Proto__Milvus__InsertRequest *req,
			     unsigned flags, void *tag, struct mvs_milvus_error *err)
{
	return mvs_milvus_submit(c, flags & MVS_MILVUS_UPSERT ? &mvs_milvus_rpc_upsert : &mvs_milvus_rpc_insert,
				 &req->base, flags, tag, err);
}

int mvs_milvus_insert_wait(struct mvs_milvus *c, void **tag, Milvus__Proto__Milvus__MutationResult **out,
			   struct mvs_milvus_error *err)
{
	return mvs_milvus_wait(c, "Insert", tag, (ProtobufCMessage **)out, err);
}

int mvs_milvus_query_submit(struct mvs_milvus *c, const Milvus__Proto__Milvus__QueryRequest *req,
			    struct mvs_milvus_error *err)
{
	return mvs_milvus_submit(c, &rpc_query, &req->base, 0, NULL, err);
}

int mvs_milvus_query_wait(struct mvs_milvus *c, Milvus__Proto__Milvus__QueryResults **out,
			  struct mvs_milvus_error *err)
{
	void *tag;

	return mvs_milvus_wait(c, "Query", &tag, (ProtobufCMessage **)out, err);
}

int mvs_milvus_get_version(struct mvs_milvus *c, Milvus__Proto__Milvus__GetVersionResponse **out,
			   struct mvs_milvus_error *err)
{
	Milvus__Proto__Milvus__GetVersionRequest req = MILVUS__PROTO__MILVUS__GET_VERSION_REQUEST__INIT;

	return mvs_milvus_unary(c, &rpc_get_version, NULL, &req.base, (ProtobufCMessage **)out, err);
}

int mvs_milvus_check_health(struct mvs_milvus *c, Milvus__Proto__Milvus__CheckHealthResponse **out,
			    struct mvs_milvus_error *err)
{
	Milvus__Proto__Milvus__CheckHealthRequest req = MILVUS__PROTO__MILVUS__CHECK_HEALTH_REQUEST__INIT;

	return mvs_milvus_unary(c, &rpc_check_health, NULL, &req.base, (ProtobufCMessage **)out, err);
}

int mvs_milvus_list_databases(struct mvs_milvus *c, Milvus__Proto__Milvus__ListDatabasesResponse **out,
			      struct mvs_milvus_error *err)
{
	Milvus__Proto__Milvus__ListDatabasesRequest req = MILVUS__PROTO__MILVUS__LIST_DATABASES_REQUEST__INIT;

	return mvs_milvus_unary(c, &rpc_list_databases, NULL, &req.base, (ProtobufCMessage **)out, err);
}

int mvs_milvus_connect(struct mvs_milvus *c, Milvus__Proto__Milvus__ConnectResponse **out,
		       struct mvs_milvus_error *err)
{
	Milvus__Proto__Milvus__ConnectRequest req = MILVUS__PROTO__MILVUS__CONNECT_REQUEST__INIT;
	Milvus__Proto__Common__ClientInfo info = MILVUS__PROTO__COMMON__CLIENT_INFO__INIT;
	Milvus__Proto__Milvus__ConnectResponse *reply;
	char host[256] = "", local_time[64] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (out)
		*out = NULL;
	if (gethostname(host, sizeof host - 1) < 0)
		host[0] = '\0';
	if (localtime_r(&now, &tm))
		strftime(local_time, sizeof local_time, "%Y-%m-%d %H:%M:%S %z", &tm);
	info.sdk_type = "mvs";
	info.sdk_version = MVS_VERSION;
	info.local_time = local_time;
	info.user = (char *)mvs_milvus_user(c);
	info.host = host;
	req.client_info = &info;
	if (mvs_milvus_unary(c, &rpc_connect, NULL, &req.base, (ProtobufCMessage **)&reply, err) < 0)
		return err->grpc_code == GRPC_STATUS_UNIMPLEMENTED ? 0 : -1;	/* a server without Connect */
	if (reply->identifier)
		mvs_milvus_set_identifier(c, reply->identifier);
	if (out)
		*out = reply;
	else
		mvs_milvus_free(reply);
	return 0;
}

static char *db_or_default(const char *db_name)
{
	return (char *)(db_name ? db_name : "");
}

int mvs_milvus_wait_loaded(struct mvs_milvus *c, const char *db_name, const char *collection,
			   double timeout_s, struct mvs_milvus_error *err)
{
	Milvus__Proto__Milvus__GetLoadingProgressRequest req =
		MILVUS__PROTO__MILVUS__GET_LOADING_PROGRESS_REQUEST__INIT;
	Milvus__Proto__Milvus__GetLoadingProgressResponse *reply;
	double start = mvs_now();
	int64_t progress;

	req.db_name = db_or_default(db_name);
	req.collection_name = (char *)collection;
	for (;;) {
		if (mvs_milvus_get_loading_progress(c, &req, &reply, err) < 0)
			return -1;
		progress = reply->progress;
		mvs_milvus_free(reply);
		if (progress >= 100)
			return 0;
		if (mvs_interrupted()) {
			mvs_milvus_local_error(c, "LoadCollection", err, "interrupted while collection \"%s\" was "
					       "loading (at %lld%%)", collection, (long long)progress);
			return -1;
		}
		if (mvs_now() - start > timeout_s) {
			mvs_milvus_local_error(c, "LoadCollection", err,
					       "collection \"%s\" did not finish loading within %.0f s (at %lld%%)",
					       collection, timeout_s, (long long)progress);
			return -1;
		}
		mvs_milvus_sleep(0.2);
	}
}

int mvs_milvus_flush_wait(struct mvs_milvus *c, const char *db_name, const char *collection,
			  double timeout_s, struct mvs_milvus_error *err)
{
	Milvus__Proto__Milvus__FlushRequest req = MILVUS__PROTO__MILVUS__FLUSH_REQUEST__INIT;
	Milvus__Proto__Milvus__GetFlushStateRequest state_req = MILVUS__PROTO__MILVUS__GET_FLUSH_STATE_REQUEST__INIT;
	Milvus__Proto__Milvus__FlushResponse *flush;
	Milvus__Proto__Milvus__GetFlushStateResponse *state;
	struct mvs_milvus_retry patient = *mvs_milvus_policy(c);
	char *names[1] = { (char *)collection };
	double start = mvs_now();
	bool flushed;
	int rc = -1;

	/* Flush is rate-limited per collection (0.1/s by default): retry it for longer. */
	if (patient.initial_backoff_s < 1)
		patient.initial_backoff_s = 1;
	if (patient.max_backoff_s < 10)
		patient.max_backoff_s = 10;
	if (patient.max_attempts < 30)
		patient.max_attempts = 30;
	if (patient.max_total_s < 120)
		patient.max_total_s = 120;
	req.db_name = db_or_default(db_name);
	req.n_collection_names = 1;
	req.collection_names = names;
	if (mvs_milvus_unary(c, &rpc_flush, &patient, &req.base, (ProtobufCMessage **)&flush, err) < 0)
		return -1;
	for (size_t i = 0; i < flush->n_coll_segids; i++)
		if (!strcmp(flush->coll_segids[i]->key, collection) && flush->coll_segids[i]->value) {
			state_req.n_segmentids = flush->coll_segids[i]->value->n_data;
			state_req.segmentids = flush->coll_segids[i]->value->data;
		}
	for (size_t i = 0; i < flush->n_coll_flush_ts; i++)
		if (!strcmp(flush->coll_flush_ts[i]->key, collection))
			state_req.flush_ts = flush->coll_flush_ts[i]->value;
	state_req.db_name = req.db_name;
	state_req.collection_name = (char *)collection;
	for (;;) {
		if (mvs_milvus_get_flush_state(c, &state_req, &state, err) < 0)
			break;
		flushed = state->flushed;
		mvs_milvus_free(state);
		if (flushed) {
			rc = 0;
			break;
		}
		if (mvs_interrupted()) {
			mvs_milvus_local_error(c, "Flush", err, "interrupted while waiting for collection \"%s\" "
					       "to be flushed", collection);
			break;
		}
		if (mvs_now() - start > timeout_s) {
			mvs_milvus_local_error(c, "Flush", err, "collection \"%s\" was not flushed within %.0f s",
					       collection, timeout_s);
			break;
		}
		mvs_milvus_sleep(0.5);
	}
	mvs_milvus_free(flush);	/* last: state_req points into it */
	return rc;
}

int mvs_milvus_count(struct mvs_milvus *c, const char *db_name, const char *collection,
		     const char *partition, const char *expr, int64_t *count, struct mvs_milvus_error *err)
{
	Milvus__Proto__Milvus__QueryRequest req = MILVUS__PROTO__MILVUS__QUERY_REQUEST__INIT;
	Milvus__Proto__Milvus__QueryResults *reply;
	const Milvus__Proto__Schema__FieldData *column = NULL;
	char *fields[1] = { "count(*)" }, *partitions[1] = { (char *)partition };

	req.db_name = db_or_default(db_name);
	req.collection_name = (char *)collection;
	req.expr = (char *)(expr ? expr : "");
	req.n_output_fields = 1;
	req.output_fields = fields;
	if (partition) {
		req.n_partition_names = 1;
		req.partition_names = partitions;
	}
	req.consistency_level = MILVUS__PROTO__COMMON__CONSISTENCY_LEVEL__Strong;
	req.use_default_consistency = 0;
	if (mvs_milvus_query(c, &req, &reply, err) < 0)
		return -1;
	for (size_t i = 0; i < reply->n_fields_data; i++)
		if (!strcasecmp(reply->fields_data[i]->field_name, "count(*)"))
			column = reply->fields_data[i];
	if (!column && reply->n_fields_data == 0 && reply->status && reply->status->error_code == 26) {
		*count = 0;	/* EmptyCollection from an old server */
		mvs_milvus_free(reply);
		return 0;
	}
	if (!column || column->field_case != MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS ||
	    column->scalars->data_case != MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA ||
	    column->scalars->long_data->n_data < 1) {
		mvs_milvus_free(reply);
		mvs_milvus_local_error(c, "Query", err, "the count(*) reply for collection \"%s\" has no count",
				       collection);
		return -1;
	}
	*count = column->scalars->long_data->data[0];
	mvs_milvus_free(reply);
	return 0;
}
