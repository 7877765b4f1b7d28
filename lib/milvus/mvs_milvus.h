/* The Milvus client: MilvusService over gRPC core (the C API) with protobuf-c messages from
 * proto/milvus.proto. One struct mvs_milvus is one channel to one server and database, with the
 * credentials sent as metadata on every call, a deadline on every call, and bounded retries with
 * exponential back-off and full jitter (the policy is the pure function mvs_milvus_retry_delay).
 *
 * Calls: callers fill the protobuf-c request structs (MILVUS__PROTO__MILVUS__*_REQUEST__INIT) and get
 * back the unpacked reply, freed with mvs_milvus_free; on failure the functions return -1 and fill a
 * struct mvs_milvus_error, which mvs_milvus_error_render turns into a sentence for people and
 * mvs_milvus_error_exit into an exit code. A request's empty db_name means the client's database
 * (sent as `dbname` metadata). Several Insert/Upsert calls can be in flight at once through
 * mvs_milvus_insert_submit / mvs_milvus_insert_wait.
 *
 * A client is not thread-safe: use it from one thread (the async writes need no threads). */
#ifndef MVS_MILVUS_H
#define MVS_MILVUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "milvus.pb-c.h"

#define MVS_MILVUS_DEFAULT_PORT 19530
/* In a tool that catches Ctrl-C (mvs_interrupt.h), an interrupt ends the retries, and the calls in flight
 * get this many seconds to finish before they are cancelled. */
#define MVS_MILVUS_INTERRUPT_GRACE_S 5.0

/* Retry policy. Zero members take the defaults in brackets. */
struct mvs_milvus_retry {
	int max_attempts;		/* attempts in all, the first included [10] */
	double initial_backoff_s;	/* back-off cap of the first retry, doubling after [0.1] */
	double max_backoff_s;		/* largest back-off cap [5] */
	double max_total_s;		/* no new attempt starts this long after the first one [60] */
	/* Until the server has answered once, a transport failure (refused, unknown host, a handshake
	 * that fails) is most likely a wrong endpoint: no new attempt starts this long after the first
	 * one [2]. Connections that worked and then broke get max_total_s. */
	double first_contact_s;
};

struct mvs_milvus_options {
	const char *uri;		/* host[:port], http://host[:port], https://host[:port] (TLS),
					 * unix:/path; [localhost:19530]. https without a port is 443 */
	const char *db_name;		/* database for every call; NULL or "" = the server's default */
	const char *user;		/* with password: authorization = base64(user:password) */
	const char *password;
	const char *token;		/* instead of user/password: authorization = base64(token) */
	bool tls;			/* TLS even for a plain host:port (implied by https:// and the files) */
	const char *tls_ca_file;	/* PEM roots; NULL = the system's */
	const char *tls_cert_file;	/* client certificate and key (mutual TLS) */
	const char *tls_key_file;
	const char *tls_server_name;	/* TLS name override (grpc.ssl_target_name_override) */
	int64_t max_send_bytes;		/* largest request; bigger ones fail with RESOURCE_EXHAUSTED
					 * before they are sent [64 MiB] */
	double deadline_s;		/* per call attempt [60] */
	double long_deadline_s;		/* per attempt of Flush, LoadCollection, CreateIndex [600] */
	int keepalive_ms;		/* [10000] */
	int keepalive_timeout_ms;	/* [5000] */
	struct mvs_milvus_retry retry;
};

/* Why a call failed. Fixed-size buffers: nothing to free, fine on the stack. */
struct mvs_milvus_error {
	char rpc[32];		/* "Insert"; "" when the client could not be set up */
	char endpoint[256];	/* HOST:PORT or unix:/path */
	char user[128];		/* the user the client authenticates as, "" for none or a token */
	char collection[256];	/* the request's collection_name, when it has one */
	char database[256];	/* the request's db_name, else the client's database */
	int grpc_code;		/* grpc_status_code; 0 (OK) when the reply carried a Milvus Status */
	int code;		/* Milvus Status.code */
	int error_code;		/* Milvus Status.error_code (legacy common.ErrorCode) */
	bool retriable;		/* Milvus Status.retriable */
	int attempts;		/* attempts made, retries included */
	bool never_answered;	/* no call of this client has reached the server yet */
	int tls;		/* the client's channel: 0 plain, 1 TLS, 2 TLS with a client certificate */
	bool token;		/* the client authenticates with a token (no user) */
	char message[1024];	/* the gRPC status details when grpc_code != 0, else Status.reason */
};

struct mvs_milvus;

/* Fills o with the defaults (all zero/NULL; the defaults are applied at open). */
void mvs_milvus_options_init(struct mvs_milvus_options *o);

/* Creates the channel (no network traffic yet; call mvs_milvus_connect to check the server and the
 * credentials). Returns NULL and fills err on a bad URI or unreadable TLS files. */
struct mvs_milvus *mvs_milvus_open(const struct mvs_milvus_options *o, struct mvs_milvus_error *err);
/* Cancels calls still in flight and releases everything. NULL is fine. */
void mvs_milvus_close(struct mvs_milvus *c);
const char *mvs_milvus_endpoint(const struct mvs_milvus *c);
const char *mvs_milvus_database(const struct mvs_milvus *c);	/* "" = server default */

/* Frees any reply returned by the functions below. NULL is fine. */
void mvs_milvus_free(void *reply);
/* The size of a reply as it came over the wire, in bytes. */
size_t mvs_milvus_reply_bytes(const void *reply);

/* The Connect handshake (ClientInfo sdk_type "mvs"): checks reachability and credentials and keeps
 * the server's identifier for the `identifier` metadata of later calls. A server without Connect
 * (UNIMPLEMENTED) counts as success with *out = NULL. out may be NULL. */
int mvs_milvus_connect(struct mvs_milvus *c, Milvus__Proto__Milvus__ConnectResponse **out,
		       struct mvs_milvus_error *err);

/* One function per RPC: 0 and the reply in *out, or -1 with err filled (and *out NULL). */
int mvs_milvus_get_version(struct mvs_milvus *c, Milvus__Proto__Milvus__GetVersionResponse **out,
			   struct mvs_milvus_error *err);
int mvs_milvus_check_health(struct mvs_milvus *c, Milvus__Proto__Milvus__CheckHealthResponse **out,
			    struct mvs_milvus_error *err);
int mvs_milvus_list_databases(struct mvs_milvus *c, Milvus__Proto__Milvus__ListDatabasesResponse **out,
			      struct mvs_milvus_error *err);
int mvs_milvus_create_database(struct mvs_milvus *c, const Milvus__Proto__Milvus__CreateDatabaseRequest *req,
			       Milvus__Proto__Common__Status **out, struct mvs_milvus_error *err);
int mvs_milvus_has_collection(struct mvs_milvus *c, const Milvus__Proto__Milvus__HasCollectionRequest *req,
			      Milvus__Proto__Milvus__BoolResponse **out, struct mvs_milvus_error *err);
int mvs_milvus_describe_collection(struct mvs_milvus *c,
				   const Milvus__Proto__Milvus__DescribeCollectionRequest *req,
				   Milvus__Proto__Milvus__DescribeCollectionResponse **out,
				   struct mvs_milvus_error *err);
/* req->schema is the serialized schema.CollectionSchema (its name must equal collection_name). */
int mvs_milvus_create_collection(struct mvs_milvus *c,
				 const Milvus__Proto__Milvus__CreateCollectionRequest *req,
				 Milvus__Proto__Common__Status **out, struct mvs_milvus_error *err);
int mvs_milvus_drop_collection(struct mvs_milvus *c, const Milvus__Proto__Milvus__DropCollectionRequest *req,
			       Milvus__Proto__Common__Status **out, struct mvs_milvus_error *err);
int mvs_milvus_show_collections(struct mvs_milvus *c,
				const Milvus__Proto__Milvus__ShowCollectionsRequest *req,
				Milvus__Proto__Milvus__ShowCollectionsResponse **out,
				struct mvs_milvus_error *err);
int mvs_milvus_show_partitions(struct mvs_milvus *c, const Milvus__Proto__Milvus__ShowPartitionsRequest *req,
			       Milvus__Proto__Milvus__ShowPartitionsResponse **out,
			       struct mvs_milvus_error *err);
int mvs_milvus_create_partition(struct mvs_milvus *c,
				const Milvus__Proto__Milvus__CreatePartitionRequest *req,
				Milvus__Proto__Common__Status **out, struct mvs_milvus_error *err);
int mvs_milvus_has_partition(struct mvs_milvus *c, const Milvus__Proto__Milvus__HasPartitionRequest *req,
			     Milvus__Proto__Milvus__BoolResponse **out, struct mvs_milvus_error *err);
/* Insert is retried like every call (rate limits, transport errors). A retry after a transport error
 * may duplicate rows if the first attempt reached the server; the async interface below can turn such
 * retries into Upserts (MVS_MILVUS_RETRY_AS_UPSERT). */
int mvs_milvus_insert(struct mvs_milvus *c, const Milvus__Proto__Milvus__InsertRequest *req,
		      Milvus__Proto__Milvus__MutationResult **out, struct mvs_milvus_error *err);
int mvs_milvus_upsert(struct mvs_milvus *c, const Milvus__Proto__Milvus__UpsertRequest *req,
		      Milvus__Proto__Milvus__MutationResult **out, struct mvs_milvus_error *err);
int mvs_milvus_flush(struct mvs_milvus *c, const Milvus__Proto__Milvus__FlushRequest *req,
		     Milvus__Proto__Milvus__FlushResponse **out, struct mvs_milvus_error *err);
int mvs_milvus_get_flush_state(struct mvs_milvus *c, const Milvus__Proto__Milvus__GetFlushStateRequest *req,
			       Milvus__Proto__Milvus__GetFlushStateResponse **out,
			       struct mvs_milvus_error *err);
int mvs_milvus_get_collection_statistics(struct mvs_milvus *c,
					 const Milvus__Proto__Milvus__GetCollectionStatisticsRequest *req,
					 Milvus__Proto__Milvus__GetCollectionStatisticsResponse **out,
					 struct mvs_milvus_error *err);
/* A query on an empty collection (legacy EmptyCollection) succeeds with no rows, as in pymilvus. */
int mvs_milvus_query(struct mvs_milvus *c, const Milvus__Proto__Milvus__QueryRequest *req,
		     Milvus__Proto__Milvus__QueryResults **out, struct mvs_milvus_error *err);
int mvs_milvus_load_collection(struct mvs_milvus *c, const Milvus__Proto__Milvus__LoadCollectionRequest *req,
			       Milvus__Proto__Common__Status **out, struct mvs_milvus_error *err);
int mvs_milvus_get_load_state(struct mvs_milvus *c, const Milvus__Proto__Milvus__GetLoadStateRequest *req,
			      Milvus__Proto__Milvus__GetLoadStateResponse **out, struct mvs_milvus_error *err);
int mvs_milvus_get_loading_progress(struct mvs_milvus *c,
				    const Milvus__Proto__Milvus__GetLoadingProgressRequest *req,
				    Milvus__Proto__Milvus__GetLoadingProgressResponse **out,
				    struct mvs_milvus_error *err);
int mvs_milvus_release_collection(struct mvs_milvus *c,
				  const Milvus__Proto__Milvus__ReleaseCollectionRequest *req,
				  Milvus__Proto__Common__Status **out, struct mvs_milvus_error *err);
int mvs_milvus_create_index(struct mvs_milvus *c, const Milvus__Proto__Milvus__CreateIndexRequest *req,
			    Milvus__Proto__Common__Status **out, struct mvs_milvus_error *err);
/* "No index" (code 700 / IndexNotExist) succeeds with an empty index_descriptions list. */
int mvs_milvus_describe_index(struct mvs_milvus *c, const Milvus__Proto__Milvus__DescribeIndexRequest *req,
			      Milvus__Proto__Milvus__DescribeIndexResponse **out,
			      struct mvs_milvus_error *err);
int mvs_milvus_get_index_state(struct mvs_milvus *c, const Milvus__Proto__Milvus__GetIndexStateRequest *req,
			       Milvus__Proto__Milvus__GetIndexStateResponse **out,
			       struct mvs_milvus_error *err);

/* Helpers over the calls above. db_name NULL or "" = the client's database. */

/* Polls GetLoadingProgress every 0.2 s until it reaches 100, for at most timeout_s seconds. */
int mvs_milvus_wait_loaded(struct mvs_milvus *c, const char *db_name, const char *collection,
			   double timeout_s, struct mvs_milvus_error *err);
/* Flush (retrying rate limits patiently: Flush is limited per collection, 0.1/s by default), then
 * polls GetFlushState every 0.5 s until the flushed segments are persisted, for at most timeout_s. */
int mvs_milvus_flush_wait(struct mvs_milvus *c, const char *db_name, const char *collection,
			  double timeout_s, struct mvs_milvus_error *err);
/* count(*) with Strong consistency over the collection (partition NULL) or one partition; expr may be
 * NULL. The collection must be loaded. */
int mvs_milvus_count(struct mvs_milvus *c, const char *db_name, const char *collection,
		     const char *partition, const char *expr, int64_t *count, struct mvs_milvus_error *err);

/* Several Insert/Upsert calls in flight. submit serializes the request (the caller may free or reuse
 * it at once), starts the call and returns; wait blocks until some call in flight finishes, retrying
 * inside (a call that needs a retry is resubmitted after its back-off), and returns it: 0 with the
 * reply in *out, or -1 with err filled; *tag is the submit's tag either way. wait with nothing in
 * flight fails. mvs_milvus_close cancels what is still in flight. */
enum {
	MVS_MILVUS_UPSERT = 1,		/* send as Upsert (InsertRequest fields 1-8 are UpsertRequest's) */
	/* Retry an Insert that failed in transport as an Upsert: the first attempt may have reached the
	 * server, and an Upsert of the same rows cannot duplicate them (only for collections whose
	 * primary key is not auto-ID). Such writes also count as idempotent: DEADLINE_EXCEEDED is
	 * retried. Rate-limited attempts were refused, so they are retried as they were. */
	MVS_MILVUS_RETRY_AS_UPSERT = 2,
};
int mvs_milvus_insert_submit(struct mvs_milvus *c, const Milvus__Proto__Milvus__InsertRequest *req,
			     unsigned flags, void *tag, struct mvs_milvus_error *err);
int mvs_milvus_insert_wait(struct mvs_milvus *c, void **tag, Milvus__Proto__Milvus__MutationResult **out,
			   struct mvs_milvus_error *err);
size_t mvs_milvus_in_flight(const struct mvs_milvus *c);
/* A Query in flight while the caller works on the previous page: query_wait returns it (0 and the
 * reply, or -1 with err filled). Only for a client with no other async call in flight. */
int mvs_milvus_query_submit(struct mvs_milvus *c, const Milvus__Proto__Milvus__QueryRequest *req,
			    struct mvs_milvus_error *err);
int mvs_milvus_query_wait(struct mvs_milvus *c, Milvus__Proto__Milvus__QueryResults **out,
			  struct mvs_milvus_error *err);

/* Errors. */

/* Writes a sentence for people into buf (no tool prefix, no newline) and returns buf, e.g.
 *   authentication failed for user "x" at HOST:PORT
 *   collection "docs" is not loaded (load it, or pass --load)
 *   cannot reach Milvus at HOST:PORT: <details>
 *   Insert failed at HOST:PORT: <reason> (code N) */
const char *mvs_milvus_error_render(const struct mvs_milvus_error *e, char *buf, size_t size);
/* MVS_EXIT_AUTH for authentication/permission errors, MVS_EXIT_USAGE when mvs_milvus_open refused the
 * options (bad URI, unreadable TLS files, a user without a password), else MVS_EXIT_SERVER. */
int mvs_milvus_error_exit(const struct mvs_milvus_error *e);
/* True for a failure caused by the request being too large (RESOURCE_EXHAUSTED): send less. */
bool mvs_milvus_error_too_large(const struct mvs_milvus_error *e);

/* The retry policy (pure; exposed for tests). rand01 is uniform in [0, 1).
 * mvs_milvus_retryable: whether this failure may be retried at all; idempotent says a repeated
 * attempt cannot apply the request twice (reads, Load, Flush, Upsert-style writes).
 * mvs_milvus_backoff: full jitter, rand01 * min(max_backoff, initial * 2^(retry-1)), retry >= 1.
 * mvs_milvus_retry_delay: seconds to wait before the next attempt after `attempts` attempts that
 * took `elapsed_s` so far, or -1 to give up (not retryable, out of attempts, or out of time). */
bool mvs_milvus_retryable(const struct mvs_milvus_error *e, bool idempotent);
/* True when the TLS handshake failed on the certificates or the protocol (an untrusted server
 * certificate, a name it does not hold, a server that does not speak TLS): never transient. */
bool mvs_milvus_tls_refused(const struct mvs_milvus_error *e);
double mvs_milvus_backoff(const struct mvs_milvus_retry *p, int retry, double rand01);
double mvs_milvus_retry_delay(const struct mvs_milvus_retry *p, const struct mvs_milvus_error *e,
			      bool idempotent, int attempts, double elapsed_s, double rand01);
/* Fills zero members of p with the defaults. */
void mvs_milvus_retry_defaults(struct mvs_milvus_retry *p);

/* Endpoints (exposed for tests). target is what gRPC dials, endpoint what messages show. */
struct mvs_milvus_uri {
	char target[256];	/* "host:port", "[v6]:port" or "unix:/path" */
	char endpoint[256];	/* the same without the unix-socket distinction: for messages */
	bool tls;		/* https:// */
	bool plain;		/* http:// (TLS refused) */
};
/* Returns 0, or -1 with the reason in why. */
int mvs_milvus_parse_uri(const char *uri, struct mvs_milvus_uri *out, char *why, size_t why_size);
/* Standard base64 with padding, NUL-terminated; returns the length, or -1 when out is too small. */
int mvs_milvus_base64(const void *in, size_t len, char *out, size_t out_size);

#endif
