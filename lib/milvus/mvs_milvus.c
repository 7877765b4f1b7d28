/* The Milvus client's engine (see mvs_milvus.h): the gRPC core channel with its credentials and
 * arguments, the call metadata, and the unary call itself: the request serialized once with
 * protobuf-c, one grpc_call_start_batch with six ops (send metadata, send message, close, receive
 * metadata, receive message, receive status) on a completion queue, the reply unpacked (into an
 * arena: mvs_milvus_arena.c) and its Milvus Status checked, and retries under the policy of
 * mvs_milvus_retry.c. Synchronous calls wait on their own completion queue; the async calls
 * (Insert/Upsert, Query) share another one, so any number can be in flight without threads. Typed calls and helpers
 * are in mvs_milvus_rpc.c. */
#include "mvs_milvus_impl.h"

#include <errno.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>
#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mvs_interrupt.h"
#include "mvs_log.h"

#define DEFAULT_MAX_SEND ((int64_t)64 << 20)

/* One call: the serialized request (kept for retries) and the state of its current attempt. */
struct call {
	const struct mvs_milvus_rpc *rpc;
	grpc_slice request;
	grpc_call *call;		/* NULL between attempts */
	grpc_byte_buffer *send, *recv;
	grpc_metadata_array initial_md, trailing_md;
	grpc_status_code status;
	grpc_slice details;
	int attempts;
	double started;			/* monotonic time of the first attempt */
	bool idempotent;
	/* async calls only */
	unsigned flags;
	void *tag;
	bool waiting;			/* out of the queue, waiting out its back-off until resume_at */
	double resume_at;
	struct call *next;
	struct mvs_milvus_error context;	/* rpc, endpoint, user, collection, database */
};

struct mvs_milvus {
	grpc_channel *channel;
	grpc_completion_queue *sync_cq, *async_cq;
	char endpoint[256];
	char database[256];
	char user[128];
	int tls;			/* 0 plain, 1 TLS, 2 TLS with a client certificate */
	bool token;			/* authenticates with a token, not a user */
	grpc_metadata md[3];		/* authorization, dbname, identifier */
	size_t n_md;
	double deadline_s, long_deadline_s;
	int64_t max_send;
	struct mvs_milvus_retry retry;
	uint64_t rng;
	struct call *calls;		/* async calls in flight (running or waiting) */
	size_t n_calls;
	bool answered;			/* some call has reached the server */
	double interrupted_at;		/* when a wait first saw mvs_interrupted(); 0 before */
};

void mvs_milvus_options_init(struct mvs_milvus_options *o)
{
	memset(o, 0, sizeof *o);
}

const char *mvs_milvus_endpoint(const struct mvs_milvus *c)
{
	return c->endpoint;
}

const char *mvs_milvus_database(const struct mvs_milvus *c)
{
	return c->database;
}

const char *mvs_milvus_user(const struct mvs_milvus *c)
{
	return c->user;
}

const struct mvs_milvus_retry *mvs_milvus_policy(const struct mvs_milvus *c)
{
	return &c->retry;
}

size_t mvs_milvus_in_flight(const struct mvs_milvus *c)
{
	return c->n_calls;
}

void mvs_milvus_sleep(double s)
{
	struct timespec ts;

	if (!(s > 0))
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !mvs_interrupted())
		;
}

/* How often a wait wakes up to see whether the tool was interrupted. */
#define INTERRUPT_CHECK_S 0.25

/* The end of one slice of a wait: wake (monotonic seconds; INFINITY for none), at most
 * INTERRUPT_CHECK_S away. */
static gpr_timespec wait_slice(double wake)
{
	double left = fmin(wake - mvs_now(), INTERRUPT_CHECK_S);

	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
			    gpr_time_from_micros((int64_t)(fmax(left, 0) * 1e6) + 1, GPR_TIMESPAN));
}

/* After an interrupt the calls in flight get MVS_MILVUS_INTERRUPT_GRACE_S to finish; true once that is
 * over (then they are cancelled). The first time it says what it waits for: what (an RPC's name), or
 * the async calls in flight when what is NULL. */
static bool grace_over(struct mvs_milvus *c, const char *what)
{
	if (!mvs_interrupted())
		return false;
	if (!c->interrupted_at) {
		c->interrupted_at = mvs_now();
		if (what)
			mvs_info("interrupted: waiting up to %.0f s for the %s call in flight",
				 MVS_MILVUS_INTERRUPT_GRACE_S, what);
		else
			mvs_info("interrupted: waiting up to %.0f s for the %zu request%s in flight",
				 MVS_MILVUS_INTERRUPT_GRACE_S, c->n_calls, c->n_calls == 1 ? "" : "s");
	}
	return mvs_now() - c->interrupted_at > MVS_MILVUS_INTERRUPT_GRACE_S;
}

/* Uniform in [0, 1) for the back-off jitter (xorshift64*; quality is not critical). */
static double rand01(struct mvs_milvus *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (double)((c->rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void error_init(const struct mvs_milvus *c, const char *rpc, struct mvs_milvus_error *err)
{
	memset(err, 0, sizeof *err);
	copy_str(err->rpc, sizeof err->rpc, rpc);
	if (c) {
		copy_str(err->endpoint, sizeof err->endpoint, c->endpoint);
		copy_str(err->user, sizeof err->user, c->user);
		copy_str(err->database, sizeof err->database, c->database);
		err->tls = c->tls;
		err->token = c->token;
	}
}

void mvs_milvus_local_error(const struct mvs_milvus *c, const char *rpc, struct mvs_milvus_error *err,
			    const char *fmt, ...)
{
	va_list ap;

	error_init(c, rpc, err);
	err->grpc_code = -1;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

static grpc_slice copied(const char *s)
{
	return grpc_slice_from_copied_string(s);
}

static void add_metadata(struct mvs_milvus *c, const char *key, const char *value)
{
	c->md[c->n_md].key = copied(key);
	c->md[c->n_md].value = copied(value);
	c->n_md++;
}

void mvs_milvus_set_identifier(struct mvs_milvus *c, int64_t identifier)
{
	char text[32];

	/* Set once: calls in flight may still point at the entries already there. */
	for (size_t i = 0; i < c->n_md; i++)
		if (grpc_slice_str_cmp(c->md[i].key, "identifier") == 0)
			return;
	snprintf(text, sizeof text, "%lld", (long long)identifier);
	add_metadata(c, "identifier", text);
}

/* authorization = base64(user:password) or base64(token). */
static int add_authorization(struct mvs_milvus *c, const struct mvs_milvus_options *o,
			     struct mvs_milvus_error *err)
{
	const char *token = o->token;
	char *plain = NULL, *encoded;
	size_t len, size;

	if (o->user && *o->user) {
		if (!o->password) {
			mvs_milvus_local_error(c, "", err, "no password given for user \"%s\"", o->user);
			return -1;
		}
		len = strlen(o->user) + 1 + strlen(o->password);
		plain = malloc(len + 1);
		if (!plain)
			goto oom;
		snprintf(plain, len + 1, "%s:%s", o->user, o->password);
		token = plain;
	}
	if (!token || !*token)
		return 0;
	len = strlen(token);
	size = (len + 2) / 3 * 4 + 1;
	encoded = malloc(size);
	if (!encoded)
		goto oom;
	mvs_milvus_base64(token, len, encoded, size);
	add_metadata(c, "authorization", encoded);
	explicit_bzero(encoded, size);
	free(encoded);
	if (plain) {
		explicit_bzero(plain, len);
		free(plain);
	}
	return 0;
oom:
	free(plain);
	mvs_milvus_local_error(c, "", err, "out of memory");
	return -1;
}

/* Reads a whole (small) file into a NUL-terminated buffer. */
static char *read_text_file(const char *path, const char *what, const struct mvs_milvus *c,
			    struct mvs_milvus_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		mvs_milvus_local_error(c, "", err, "cannot open %s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			char *bigger = realloc(buf, cap + 65536);

			if (!bigger) {
				free(buf);
				fclose(f);
				mvs_milvus_local_error(c, "", err, "out of memory reading %s", path);
				return NULL;
			}
			buf = bigger;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		mvs_milvus_local_error(c, "", err, "cannot read %s %s: %s", what, path, strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static grpc_channel_credentials *tls_credentials(const struct mvs_milvus *c, const struct mvs_milvus_options *o,
						 struct mvs_milvus_error *err)
{
	grpc_ssl_pem_key_cert_pair pair = { NULL, NULL };
	grpc_channel_credentials *creds = NULL;
	char *roots = NULL, *cert = NULL, *key = NULL;

	if (!o->tls_cert_file != !o->tls_key_file) {
		mvs_milvus_local_error(c, "", err, "mutual TLS needs both a client certificate and its key");
		return NULL;
	}
	if (o->tls_ca_file && !(roots = read_text_file(o->tls_ca_file, "TLS CA file", c, err)))
		return NULL;
	if (o->tls_cert_file) {
		if (!(cert = read_text_file(o->tls_cert_file, "TLS certificate", c, err)) ||
		    !(key = read_text_file(o->tls_key_file, "TLS key", c, err)))
			goto done;
		pair.cert_chain = cert;
		pair.private_key = key;
	}
	creds = grpc_ssl_credentials_create(roots, cert ? &pair : NULL, NULL, NULL);
	if (!creds)
		mvs_milvus_local_error(c, "", err, "cannot set up TLS");
done:
	free(roots);
	free(cert);
	if (key) {
		explicit_bzero(key, strlen(key));
		free(key);
	}
	return creds;
}

/* gRPC core logs connection trouble (TLS handshakes...) to stderr in its own format; the failed call
 * reports the same through our error messages. Its logs stay available with GRPC_VERBOSITY. */
static void drop_grpc_log(gpr_log_func_args *args)
{
	(void)args;
}

static grpc_arg int_arg(const char *key, int value)
{
	grpc_arg a;

	a.type = GRPC_ARG_INTEGER;
	a.key = (char *)key;
	a.value.integer = value;
	return a;
}

static grpc_arg string_arg(const char *key, const char *value)
{
	grpc_arg a;

	a.type = GRPC_ARG_STRING;
	a.key = (char *)key;
	a.value.string = (char *)value;
	return a;
}

struct mvs_milvus *mvs_milvus_open(const struct mvs_milvus_options *o, struct mvs_milvus_error *err)
{
	struct mvs_milvus *c;
	struct mvs_milvus_uri uri;
	grpc_channel_credentials *creds;
	grpc_arg args[11];
	grpc_channel_args channel_args;
	size_t n_args = 0;
	char why[600];
	bool tls;
	int backoff_ms, max_backoff_ms;

	/* This client allocates and frees a reply or a request of up to tens of MiB per call (a Query
	 * page, its unpacked columns, an Insert batch). Above glibc's mmap threshold each would be a
	 * fresh mapping, faulted in and zeroed page by page and unmapped again: half of mvs-export's
	 * CPU time. Kept in the heap, the same memory serves call after call. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	error_init(NULL, "", err);
	if (mvs_milvus_parse_uri(o->uri, &uri, why, sizeof why) < 0) {
		mvs_milvus_local_error(NULL, "", err, "%s", why);
		copy_str(err->endpoint, sizeof err->endpoint, o->uri);
		return NULL;
	}
	tls = uri.tls || o->tls || o->tls_ca_file || o->tls_cert_file || o->tls_key_file;
	if (tls && uri.plain) {
		mvs_milvus_local_error(NULL, "", err, "TLS options given for the plain http:// URI %s", o->uri);
		return NULL;
	}
	c = calloc(1, sizeof *c);
	if (!c) {
		mvs_milvus_local_error(NULL, "", err, "out of memory");
		return NULL;
	}
	copy_str(c->endpoint, sizeof c->endpoint, uri.endpoint);
	copy_str(c->database, sizeof c->database, o->db_name);
	if (!o->token || (o->user && *o->user))
		copy_str(c->user, sizeof c->user, o->user);
	c->tls = !tls ? 0 : o->tls_cert_file ? 2 : 1;
	c->token = !(o->user && *o->user) && o->token && *o->token;
	c->deadline_s = o->deadline_s > 0 ? o->deadline_s : 60;
	c->long_deadline_s = o->long_deadline_s > 0 ? o->long_deadline_s : 600;
	if (c->long_deadline_s < c->deadline_s)
		c->long_deadline_s = c->deadline_s;
	c->max_send = o->max_send_bytes > 0 ? o->max_send_bytes : DEFAULT_MAX_SEND;
	c->retry = o->retry;
	mvs_milvus_retry_defaults(&c->retry);
	c->rng = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid() << 32 ^ (uintptr_t)c;
	if (!c->rng)
		c->rng = 1;

	if (!getenv("GRPC_VERBOSITY") && !getenv("GRPC_TRACE"))
		gpr_set_log_function(drop_grpc_log);
	grpc_init();
	if (add_authorization(c, o, err) < 0)
		goto fail;
	if (c->database[0])
		add_metadata(c, "dbname", c->database);

	if (tls)
		creds = tls_credentials(c, o, err);
	else
		creds = grpc_insecure_credentials_create();
	if (!creds)
		goto fail;

	/* Reconnect back-off follows the retry policy, so a server that comes back is found again
	 * before the retries give up (gRPC's own default grows to 120 s). Not
	 * GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC core also takes it as the connect timeout (20 s by
	 * default), and a short one breaks slow TLS handshakes. */
	backoff_ms = (int)fmin(c->retry.initial_backoff_s * 1000, 1000);
	max_backoff_ms = (int)fmin(c->retry.max_backoff_s * 1000, 120000);
	if (backoff_ms < 100)
		backoff_ms = 100;
	if (max_backoff_ms < backoff_ms)
		max_backoff_ms = backoff_ms;
	args[n_args++] = int_arg(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, -1);
	/* The send limit is checked before a request is sent (call_init), with a clear error. */
	args[n_args++] = int_arg(GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, -1);
	args[n_args++] = int_arg(GRPC_ARG_KEEPALIVE_TIME_MS, o->keepalive_ms > 0 ? o->keepalive_ms : 10000);
	args[n_args++] = int_arg(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
				 o->keepalive_timeout_ms > 0 ? o->keepalive_timeout_ms : 5000);
	args[n_args++] = int_arg(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
	/* Our retries are the only ones: gRPC's would buffer whole Insert requests. */
	args[n_args++] = int_arg(GRPC_ARG_ENABLE_RETRIES, 0);
	args[n_args++] = int_arg(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, backoff_ms);
	args[n_args++] = int_arg(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, max_backoff_ms);
	args[n_args++] = string_arg(GRPC_ARG_PRIMARY_USER_AGENT_STRING, "mvs/" MVS_VERSION);
	if (tls && o->tls_server_name && *o->tls_server_name)
		args[n_args++] = string_arg(GRPC_SSL_TARGET_NAME_OVERRIDE_ARG, o->tls_server_name);
	channel_args.num_args = n_args;
	channel_args.args = args;
	c->channel = grpc_channel_create(uri.target, creds, &channel_args);
	grpc_channel_credentials_release(creds);
	c->sync_cq = grpc_completion_queue_create_for_next(NULL);
	c->async_cq = grpc_completion_queue_create_for_next(NULL);
	if (!c->channel || !c->sync_cq || !c->async_cq) {
		mvs_milvus_local_error(c, "", err, "cannot create a gRPC channel to %s", uri.target);
		goto fail;
	}
	return c;
fail:
	mvs_milvus_close(c);
	return NULL;
}

/* Waits for every event of a shut-down queue to come out, then destroys it. */
static void drain_cq(grpc_completion_queue *cq)
{
	grpc_event ev;

	if (!cq)
		return;
	grpc_completion_queue_shutdown(cq);
	do
		ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
	while (ev.type != GRPC_QUEUE_SHUTDOWN);
	grpc_completion_queue_destroy(cq);
}

static void attempt_release(struct call *k)
{
	if (!k->call)
		return;
	grpc_call_unref(k->call);
	k->call = NULL;
	grpc_byte_buffer_destroy(k->send);
	k->send = NULL;
	if (k->recv)
		grpc_byte_buffer_destroy(k->recv);
	k->recv = NULL;
	grpc_metadata_array_destroy(&k->initial_md);
	grpc_metadata_array_destroy(&k->trailing_md);
	grpc_slice_unref(k->details);
}

static void call_release(struct call *k)
{
	attempt_release(k);
	grpc_slice_unref(k->request);
}

void mvs_milvus_close(struct mvs_milvus *c)
{
	struct call *k, *next;

	if (!c)
		return;
	/* Cancel the async calls still running (a call waiting out its back-off has no attempt) and
	 * collect their completions. */
	for (k = c->calls; k; k = k->next)
		if (k->call)
			grpc_call_cancel(k->call, NULL);
	for (k = c->calls; k; k = k->next) {
		while (k->call) {
			grpc_event ev = grpc_completion_queue_next(c->async_cq,
								   gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);

			if (ev.type != GRPC_OP_COMPLETE)
				break;
			attempt_release(ev.tag);
		}
	}
	for (k = c->calls; k; k = next) {
		next = k->next;
		call_release(k);
		free(k);
	}
	for (size_t i = 0; i < c->n_md; i++) {
		grpc_slice_unref(c->md[i].key);
		grpc_slice_unref(c->md[i].value);
	}
	if (c->channel)
		grpc_channel_destroy(c->channel);
	drain_cq(c->sync_cq);
	drain_cq(c->async_cq);
	free(c);
	grpc_shutdown();
}

/* The request's collection_name (or first collection_names entry) and db_name, for messages. */
static void request_context(const ProtobufCMessage *req, struct mvs_milvus_error *ctx)
{
	const ProtobufCMessageDescriptor *d = req->descriptor;
	const ProtobufCFieldDescriptor *f;
	const char *s = NULL;

	f = protobuf_c_message_descriptor_get_field_by_name(d, "collection_name");
	if (f && f->type == PROTOBUF_C_TYPE_STRING && f->label != PROTOBUF_C_LABEL_REPEATED)
		s = *(char *const *)((const char *)req + f->offset);
	f = protobuf_c_message_descriptor_get_field_by_name(d, "collection_names");
	if (!s && f && f->type == PROTOBUF_C_TYPE_STRING && f->label == PROTOBUF_C_LABEL_REPEATED &&
	    *(const size_t *)((const char *)req + f->quantifier_offset) > 0)
		s = (*(char **const *)((const char *)req + f->offset))[0];
	copy_str(ctx->collection, sizeof ctx->collection, s);
	f = protobuf_c_message_descriptor_get_field_by_name(d, "db_name");
	if (f && f->type == PROTOBUF_C_TYPE_STRING && f->label != PROTOBUF_C_LABEL_REPEATED) {
		s = *(char *const *)((const char *)req + f->offset);
		if (s && *s)
			copy_str(ctx->database, sizeof ctx->database, s);
	}
}

/* Serializes the request once. Fails (without sending) when it is over the send limit. */
static int call_init(struct mvs_milvus *c, struct call *k, const struct mvs_milvus_rpc *rpc,
		     const ProtobufCMessage *req, struct mvs_milvus_error *err)
{
	size_t size = protobuf_c_message_get_packed_size(req);

	memset(k, 0, sizeof *k);
	k->rpc = rpc;
	k->idempotent = rpc->flags & MVS_RPC_IDEMPOTENT;
	error_init(c, rpc->name, &k->context);
	request_context(req, &k->context);
	if ((int64_t)size > c->max_send) {
		*err = k->context;
		err->grpc_code = GRPC_STATUS_RESOURCE_EXHAUSTED;
		snprintf(err->message, sizeof err->message,
			 "the request is %zu bytes, more than the send limit of %lld bytes", size,
			 (long long)c->max_send);
		return -1;
	}
	k->request = grpc_slice_malloc(size);
	protobuf_c_message_pack(req, GRPC_SLICE_START_PTR(k->request));
	k->started = mvs_now();
	return 0;
}

/* Starts one attempt: the six ops in one batch, completing on cq with tag k. */
static int attempt_start(struct mvs_milvus *c, struct call *k, grpc_completion_queue *cq,
			 struct mvs_milvus_error *err)
{
	double seconds = k->rpc->flags & MVS_RPC_LONG ? c->long_deadline_s : c->deadline_s;
	gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
					     gpr_time_from_millis((int64_t)(seconds * 1000), GPR_TIMESPAN));
	grpc_slice method = grpc_slice_from_static_string(k->rpc->path);
	grpc_op ops[6];
	grpc_call_error rc;

	k->call = grpc_channel_create_call(c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, method, NULL,
					   deadline, NULL);
	if (!k->call) {
		*err = k->context;
		err->grpc_code = -1;
		snprintf(err->message, sizeof err->message, "cannot create a gRPC call");
		return -1;
	}
	k->send = grpc_raw_byte_buffer_create(&k->request, 1);
	k->recv = NULL;
	grpc_metadata_array_init(&k->initial_md);
	grpc_metadata_array_init(&k->trailing_md);
	k->status = GRPC_STATUS_OK;
	k->details = grpc_empty_slice();

	memset(ops, 0, sizeof ops);
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[0].data.send_initial_metadata.count = c->n_md;
	ops[0].data.send_initial_metadata.metadata = c->md;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = k->send;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &k->initial_md;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &k->recv;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &k->trailing_md;
	ops[5].data.recv_status_on_client.status = &k->status;
	ops[5].data.recv_status_on_client.status_details = &k->details;
	rc = grpc_call_start_batch(k->call, ops, 6, k, NULL);
	if (rc != GRPC_CALL_OK) {
		attempt_release(k);
		*err = k->context;
		err->grpc_code = -1;
		snprintf(err->message, sizeof err->message, "cannot start a gRPC call (error %d)", (int)rc);
		return -1;
	}
	return 0;
}

/* The Milvus Status of a reply: the reply itself, or its `status` field (NULL = absent = success). */
static const Milvus__Proto__Common__Status *reply_status(const ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor *f;

	if (m->descriptor == &milvus__proto__common__status__descriptor)
		return (const Milvus__Proto__Common__Status *)m;
	f = protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "status");
	if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE)
		return NULL;
	return *(Milvus__Proto__Common__Status *const *)((const char *)m + f->offset);
}

static bool status_accepted(const struct mvs_milvus_rpc *rpc, const Milvus__Proto__Common__Status *s)
{
	if (!s || (s->code == 0 && s->error_code == 0))
		return true;
	if ((rpc->flags & MVS_RPC_NO_INDEX_OK) && (s->code == 700 || s->error_code == 25))
		return true;
	if ((rpc->flags & MVS_RPC_EMPTY_OK) && s->code == 0 && s->error_code == 26)
		return true;
	return false;
}

/* Ends an attempt that completed: 0 with the reply in *out, or -1 with err filled. */
static int attempt_finish(struct call *k, bool ok, ProtobufCMessage **out, struct mvs_milvus_error *err)
{
	const Milvus__Proto__Common__Status *s;
	ProtobufCMessage *reply = NULL;
	grpc_byte_buffer_reader reader;
	grpc_slice data;
	size_t size;
	int rc = -1;

	k->attempts++;
	*out = NULL;
	*err = k->context;
	err->attempts = k->attempts;
	if (!ok) {
		err->grpc_code = -1;
		snprintf(err->message, sizeof err->message, "the gRPC call did not complete");
	} else if (k->status != GRPC_STATUS_OK) {
		char *details = grpc_slice_to_c_string(k->details);

		err->grpc_code = k->status;
		copy_str(err->message, sizeof err->message, *details ? details : "(no details)");
		gpr_free(details);
	} else if (!k->recv || !grpc_byte_buffer_reader_init(&reader, k->recv)) {
		err->grpc_code = -1;
		snprintf(err->message, sizeof err->message, "the server sent no reply message");
	} else {
		data = grpc_byte_buffer_reader_readall(&reader);
		grpc_byte_buffer_reader_destroy(&reader);
		size = GRPC_SLICE_LENGTH(data);
		reply = mvs_milvus_unpack(k->rpc->reply, GRPC_SLICE_START_PTR(data), size);
		grpc_slice_unref(data);
		if (!reply) {
			err->grpc_code = -1;
			snprintf(err->message, sizeof err->message, "cannot parse the %zu-byte reply", size);
		} else if (!status_accepted(k->rpc, s = reply_status(reply))) {
			err->code = s->code;
			err->error_code = s->error_code;
			err->retriable = s->retriable;
			copy_str(err->message, sizeof err->message,
				 *s->reason ? s->reason : *s->detail ? s->detail : "(no reason given)");
			mvs_milvus_free(reply);
		} else {
			*out = reply;
			rc = 0;
		}
	}
	attempt_release(k);
	return rc;
}

/* After an attempt: whether the server has ever answered (any reply, or a gRPC status that only a
 * server sends), noted in err for the retry policy and the message. */
static void note_answer(struct mvs_milvus *c, int rc, struct mvs_milvus_error *err)
{
	if (rc == 0 || err->grpc_code == GRPC_STATUS_OK ||
	    (err->grpc_code > 0 && err->grpc_code != GRPC_STATUS_UNAVAILABLE &&
	     err->grpc_code != GRPC_STATUS_DEADLINE_EXCEEDED && err->grpc_code != GRPC_STATUS_CANCELLED))
		c->answered = true;
	err->never_answered = !c->answered;
}

/* One line on a terminal for each retry a person waits for. */
static void show_retry(const struct mvs_milvus_error *err, double delay, int max_attempts)
{
	if (delay < 0.5 || !isatty(STDERR_FILENO))
		return;
	mvs_info("retrying %s at %s in %.1f s (attempt %d/%d): %s", err->rpc, err->endpoint, delay,
		 err->attempts + 1, max_attempts, err->message);
}

int mvs_milvus_unary(struct mvs_milvus *c, const struct mvs_milvus_rpc *rpc,
		     const struct mvs_milvus_retry *policy, const ProtobufCMessage *req, ProtobufCMessage **out,
		     struct mvs_milvus_error *err)
{
	struct call k;
	grpc_event ev;
	double delay;
	int rc;

	*out = NULL;
	if (!policy)
		policy = &c->retry;
	if (call_init(c, &k, rpc, req, err) < 0)
		return -1;
	for (;;) {
		bool cancelled = false;

		rc = attempt_start(c, &k, c->sync_cq, err);
		if (rc < 0)
			break;
		do {
			ev = grpc_completion_queue_next(c->sync_cq, wait_slice(INFINITY), NULL);
			if (ev.type == GRPC_QUEUE_TIMEOUT && !cancelled && grace_over(c, k.rpc->name)) {
				grpc_call_cancel(k.call, NULL);
				cancelled = true;
			}
		} while (ev.type == GRPC_QUEUE_TIMEOUT);
		rc = attempt_finish(&k, ev.type == GRPC_OP_COMPLETE && ev.success, out, err);
		note_answer(c, rc, err);
		if (rc == 0)
			break;
		delay = mvs_milvus_retry_delay(policy, err, k.idempotent, k.attempts, mvs_now() - k.started,
					       rand01(c));
		if (delay < 0 || mvs_interrupted())
			break;
		show_retry(err, delay, policy->max_attempts);
		mvs_milvus_sleep(delay);
	}
	call_release(&k);
	return rc;
}

/* The async calls. */

int mvs_milvus_submit(struct mvs_milvus *c, const struct mvs_milvus_rpc *rpc, const ProtobufCMessage *req,
		      unsigned flags, void *tag, struct mvs_milvus_error *err)
{
	struct call *k = malloc(sizeof *k);

	if (!k) {
		mvs_milvus_local_error(c, rpc->name, err, "out of memory");
		return -1;
	}
	if (call_init(c, k, rpc, req, err) < 0) {
		free(k);
		return -1;
	}
	k->flags = flags;
	k->tag = tag;
	if (flags & MVS_MILVUS_RETRY_AS_UPSERT)
		k->idempotent = true;
	if (attempt_start(c, k, c->async_cq, err) < 0) {
		call_release(k);
		free(k);
		return -1;
	}
	k->next = c->calls;
	c->calls = k;
	c->n_calls++;
	return 0;
}

static void unlink_call(struct mvs_milvus *c, struct call *k)
{
	struct call **p;

	for (p = &c->calls; *p != k; p = &(*p)->next)
		;
	*p = k->next;
	c->n_calls--;
}

/* Hands a finished call back to the caller and frees it. */
static int call_done(struct mvs_milvus *c, struct call *k, int rc, void **tag)
{
	*tag = k->tag;
	unlink_call(c, k);
	call_release(k);
	free(k);
	return rc;
}

int mvs_milvus_wait(struct mvs_milvus *c, const char *rpc_name, void **tag, ProtobufCMessage **out,
		    struct mvs_milvus_error *err)
{
	struct call *k;
	grpc_event ev;
	double now, wake, delay;

	*tag = NULL;
	*out = NULL;
	if (!c->calls) {
		mvs_milvus_local_error(c, rpc_name, err, "no %s call in flight", rpc_name);
		return -1;
	}
	for (;;) {
		/* Resubmit the calls whose back-off is over; find the next wake-up. */
		now = mvs_now();
		wake = INFINITY;
		for (k = c->calls; k; k = k->next) {
			if (!k->waiting)
				continue;
			if (mvs_interrupted()) {
				/* no more attempts: it ends with the error of its last one, whose outcome is
				 * not known (it may have reached the server) */
				*err = k->context;
				err->grpc_code = GRPC_STATUS_CANCELLED;
				err->attempts = k->attempts;
				snprintf(err->message, sizeof err->message, "interrupted while waiting to retry");
				return call_done(c, k, -1, tag);
			}
			if (k->resume_at > now) {
				wake = fmin(wake, k->resume_at);
				continue;
			}
			k->waiting = false;
			if (attempt_start(c, k, c->async_cq, err) < 0) {
				err->attempts = k->attempts;
				return call_done(c, k, -1, tag);
			}
		}
		ev = grpc_completion_queue_next(c->async_cq, wait_slice(wake), NULL);
		if (ev.type == GRPC_QUEUE_TIMEOUT) {
			if (grace_over(c, NULL))
				for (k = c->calls; k; k = k->next)
					if (k->call && !k->waiting)
						grpc_call_cancel(k->call, NULL);	/* again is harmless */
			continue;
		}
		if (ev.type != GRPC_OP_COMPLETE) {
			mvs_milvus_local_error(c, rpc_name, err, "the completion queue shut down");
			return -1;
		}
		k = ev.tag;
		int rc = attempt_finish(k, ev.success, out, err);
		note_answer(c, rc, err);
		if (rc == 0)
			return call_done(c, k, 0, tag);
		delay = mvs_milvus_retry_delay(&c->retry, err, k->idempotent, k->attempts, mvs_now() - k->started,
					       rand01(c));
		if (delay < 0 || mvs_interrupted())
			return call_done(c, k, -1, tag);
		show_retry(err, delay, c->retry.max_attempts);
		/* After a transport failure the Insert may have been applied: repeat it as an Upsert. */
		if ((k->flags & MVS_MILVUS_RETRY_AS_UPSERT) && err->grpc_code != 0) {
			k->rpc = &mvs_milvus_rpc_upsert;
			copy_str(k->context.rpc, sizeof k->context.rpc, k->rpc->name);
		}
		k->waiting = true;
		k->resume_at = mvs_now() + delay;
	}
}
