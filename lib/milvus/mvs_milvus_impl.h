/* Inside the Milvus client: the RPC table entries and the generic unary call that mvs_milvus.c
 * implements and mvs_milvus_rpc.c (typed calls, helpers) builds on. Not for other modules. */
#ifndef MVS_MILVUS_IMPL_H
#define MVS_MILVUS_IMPL_H

#include "mvs_milvus.h"

enum {
	MVS_RPC_IDEMPOTENT = 1,		/* a repeat cannot apply it twice: DEADLINE_EXCEEDED is retried */
	MVS_RPC_LONG = 2,		/* gets the long deadline */
	MVS_RPC_NO_INDEX_OK = 4,	/* code 700 / IndexNotExist is a success (no index yet) */
	MVS_RPC_EMPTY_OK = 8,		/* legacy EmptyCollection (26) is a success (no rows) */
};

struct mvs_milvus_rpc {
	const char *name;			/* "Insert" */
	const char *path;			/* "/milvus.proto.milvus.MilvusService/Insert" */
	const ProtobufCMessageDescriptor *reply;
	unsigned flags;
};

#define MVS_MILVUS_RPC(method, reply_descriptor, rpc_flags) \
	{ #method, "/milvus.proto.milvus.MilvusService/" #method, &(reply_descriptor), (rpc_flags) }

extern const struct mvs_milvus_rpc mvs_milvus_rpc_insert, mvs_milvus_rpc_upsert;

/* One call with retries under policy (NULL: the client's). 0 and the reply in *out, or -1 with err
 * filled and *out NULL. */
int mvs_milvus_unary(struct mvs_milvus *c, const struct mvs_milvus_rpc *rpc,
		     const struct mvs_milvus_retry *policy, const ProtobufCMessage *req, ProtobufCMessage **out,
		     struct mvs_milvus_error *err);

/* Unpacks a reply into an arena of its own (mvs_milvus_arena.c), freed whole by mvs_milvus_free.
 * NULL when the bytes are not a message of type d, or out of memory. */
ProtobufCMessage *mvs_milvus_unpack(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len);

/* Async calls (see mvs_milvus_insert_submit): submit serializes req and starts the call; wait
 * returns the first call in flight to finish, retried inside as mvs_milvus_unary does (rpc_name,
 * the RPC the caller expects, is for the messages of a wait that has nothing to wait for). flags
 * are the MVS_MILVUS_* of mvs_milvus.h. */
int mvs_milvus_submit(struct mvs_milvus *c, const struct mvs_milvus_rpc *rpc, const ProtobufCMessage *req,
		      unsigned flags, void *tag, struct mvs_milvus_error *err);
int mvs_milvus_wait(struct mvs_milvus *c, const char *rpc_name, void **tag, ProtobufCMessage **out,
		    struct mvs_milvus_error *err);

/* The client's retry policy (defaults applied). */
const struct mvs_milvus_retry *mvs_milvus_policy(const struct mvs_milvus *c);

/* Fills err for a failure inside the client (grpc_code -1, never retried). */
void mvs_milvus_local_error(const struct mvs_milvus *c, const char *rpc, struct mvs_milvus_error *err,
			    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Sends `identifier` metadata on later calls. */
void mvs_milvus_set_identifier(struct mvs_milvus *c, int64_t identifier);
const char *mvs_milvus_user(const struct mvs_milvus *c);

/* Sleeps for s seconds (s <= 0 returns at once). */
void mvs_milvus_sleep(double s);

#endif
