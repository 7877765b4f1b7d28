/* The REST server of mvs-migrate (see mvs_rest.h): libmicrohttpd with a small pool of epoll threads, so
 * an idle or slow client costs a socket, not a thread, and cannot starve the others; every handler
 * returns at once (a job runs in a thread of its own, and a synchronous /start's connection waits
 * suspended until the job ends); a job table under one mutex; libjansson for the JSON of request bodies
 * (bounded to MAX_BODY bytes, then checked key by key) and of replies. Nothing from the config but the
 * messages of its checks reaches a reply or the log, and those never hold a secret; nor does the
 * bearer token. */
#include "mvs_rest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mvs_log.h"
#include "mvs_config.h"
#include "mvs_exit.h"
#include "mvs_migration.h"
#include "mvs_utf8.h"

#define MAX_BODY (64 * 1024)
#define MAX_JOBS 1000		/* finished jobs kept for get_job */
#define IDLE_TIMEOUT 15		/* seconds a connection may send nothing before it is closed */
#define BODY_TIMEOUT 30		/* seconds from a request's headers to the end of its body */
#define MAX_CONNECTIONS 4096	/* fewer when the open-file limit is lower (connection_limit) */
#define FD_RESERVE 64		/* descriptors kept for the jobs' pipes and files */
#define POOL_THREADS 4
#define ROUTES "GET /api/v1/healthy, POST /api/v1/start, GET /api/v1/get_job?jobId=ID, GET /api/v1/docs"

/* ---- JSON: libjansson reads the request bodies and writes the replies ---- */

/* A JSON string holding s. jansson takes only UTF-8, and a stage's message can carry any bytes (or be
 * cut inside a character), so each byte that does not start a well-formed sequence (mvs_utf8.h)
 * becomes U+FFFD. NULL when out of memory. */
static json_t *json_text(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd";
	size_t len = strlen(s);

	if (mvs_utf8_valid(s, len))
		return json_stringn(s, len);
	char *fixed = malloc(len * 3 + 1), *o = fixed;
	if (!fixed)
		return NULL;
	for (const char *p = s, *end = s + len; p < end;) {
		size_t n = mvs_utf8_decode(p, (size_t)(end - p), NULL);
		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(o, replacement, 3);
			o += 3;
			p++;
		}
	}
	json_t *v = json_stringn(fixed, (size_t)(o - fixed));
	free(fixed);
	return v;
}

/* The body of POST /start: {"requestId": str, "async": bool, "config": str}, every key optional. */
struct start_request {
	char *request_id;
	char *config;
	bool async;
};

/* A string member of the request body into *to (malloc'd). Returns NULL, or what is wrong with it. */
static const char *string_member(const json_t *v, char **to, const char *not_string, const char *nul)
{
	if (!json_is_string(v))
		return not_string;
	/* JSON_ALLOW_NUL lets "\u0000" through (where nobody reads it); here it would cut the text. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return nul;
	free(*to);
	if (!(*to = strdup(json_string_value(v))))
		return "out of memory";
	return NULL;
}

/* Reads the body of POST /start (body[len] is a NUL): nothing (or white space only), or an object
 * whose keys requestId, async and config are read and others ignored; a key given twice counts with
 * its last value (jansson's default, and what the server did before it used jansson). jansson checks
 * the syntax and the UTF-8 (its position is where it noticed the problem); the caller bounds the size.
 * Returns NULL, or msg saying what is wrong (the first problem in the body's order). req->request_id
 * is set whenever the body's requestId is a string, even when another key is wrong. */
static const char *parse_start(const char *body, size_t len, struct start_request *req, char *msg,
			       size_t size)
{
	size_t lead = strspn(body, " \t\r\n");	/* JSON's white space: only to tell "no body" */
	const char *problem = NULL, *key;
	json_error_t err;
	json_t *root, *v;

	if (lead == len)
		return NULL;
	if (!(root = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err))) {
		snprintf(msg, size, "bad JSON in the request body at byte %d: %s", err.position, err.text);
		return msg;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(msg, size, "bad JSON in the request body at byte %zu: expected a JSON object", lead);
		return msg;
	}
	json_object_foreach(root, key, v) {
		const char *p = NULL;
		if (!strcmp(key, "requestId")) {
			p = string_member(v, &req->request_id, "requestId must be a string",
					  "requestId must not contain \\u0000");
		} else if (!strcmp(key, "config")) {
			p = string_member(v, &req->config, "config must be a string (the path of a migration.yaml)",
					  "config must not contain \\u0000");
		} else if (!strcmp(key, "async")) {
			if (json_is_boolean(v))
				req->async = json_is_true(v);
			else
				p = "async must be true or false";
		}
		if (p && !problem)
			problem = p;
	}
	json_decref(root);
	if (!problem)
		return NULL;
	snprintf(msg, size, "bad request body: %s", problem);
	return msg;
}

/* ---- jobs ---- */

enum job_state { JOB_INIT, JOB_RUNNING, JOB_SUCCESS, JOB_FAIL };
static const char *const job_states[] = { "init", "running", "success", "fail" };

struct job {
	char id[MVS_JOB_ID_SIZE];
	enum job_state state;
	size_t total_tasks, finish_tasks;
	int percent;
	uint64_t exported, imported;
	char collection[256];		/* the collection being copied, and its pipelines' last progress */
	uint32_t npipes;
	struct mvs_runner_counts pipes[MVS_CFG_MAX_PARALLEL];
	char msg[4096];
	struct mvs_cfg *cfg;
	struct MHD_Connection *waiter;	/* a synchronous start's, suspended until the job ends */
	struct job *next;	/* older */
};

struct server {
	const struct mvs_rest_options *opt;
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* signalled when the running job ends */
	struct job *jobs;		/* newest first */
	size_t njobs;
	struct job *running;
	bool stopping;			/* no job starts any more */
	atomic_int cancel;
};

static struct job *job_find(struct server *s, const char *id)
{
	for (struct job *j = s->jobs; j; j = j->next)
		if (strcmp(j->id, id) == 0)
			return j;
	return NULL;
}

/* Adds a job (under the lock), dropping the oldest finished ones beyond MAX_JOBS. */
static void job_add(struct server *s, struct job *j)
{
	j->next = s->jobs;
	s->jobs = j;
	s->njobs++;
	struct job **pp = &s->jobs;
	size_t kept = 0;
	while (*pp) {
		struct job *cur = *pp;
		if (++kept > MAX_JOBS && cur != s->running) {
			*pp = cur->next;
			s->njobs--;
			free(cur);
		} else {
			pp = &cur->next;
		}
	}
}

struct run {
	struct server *s;
	struct job *j;
};

static void run_status(void *ctx, const struct mvs_job_status *st)
{
	struct run *r = ctx;

	pthread_mutex_lock(&r->s->lock);
	r->j->total_tasks = st->total_tasks;
	r->j->finish_tasks = st->finish_tasks;
	r->j->percent = st->percent;
	r->j->exported = st->exported;
	r->j->imported = st->imported;
	snprintf(r->j->collection, sizeof r->j->collection, "%s", st->collection ? st->collection : "");
	if (st->pipelines) {	/* else the pipelines ended: their last counts stay */
		r->j->npipes = st->pipelines < MVS_CFG_MAX_PARALLEL ? st->pipelines : MVS_CFG_MAX_PARALLEL;
		memcpy(r->j->pipes, st->pipeline, r->j->npipes * sizeof *st->pipeline);
	}
	pthread_mutex_unlock(&r->s->lock);
}

/* Runs the job to its end and releases the running slot. */
static void job_run(struct server *s, struct job *j)
{
	struct run r = { .s = s, .j = j };
	struct mvs_migration m = {
		.bindir = s->opt->bindir, .job_id = j->id, .cancel = &s->cancel,
		.status = run_status, .ctx = &r,
	};
	struct mvs_migration_result res;

	mvs_migration_run(j->cfg, &m, &res);
	if (res.exit_code)
		mvs_error("job %s: Migration failed: %s", j->id, res.message);
	pthread_mutex_lock(&s->lock);
	j->state = res.exit_code ? JOB_FAIL : JOB_SUCCESS;
	if (res.exit_code)
		snprintf(j->msg, sizeof j->msg, "%s", res.message);
	else
		j->percent = 100;
	mvs_cfg_free(j->cfg);
	j->cfg = NULL;
	if (j->waiter)
		MHD_resume_connection(j->waiter);
	j->waiter = NULL;
	s->running = NULL;
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
}

static void *job_thread(void *arg)
{
	struct run *r = arg;
	struct server *s = r->s;
	struct job *j = r->j;

	free(r);
	job_run(s, j);
	return NULL;
}

/* Runs the job in a detached thread. Returns 0 or an errno value. */
static int job_spawn(struct server *s, struct job *j)
{
	struct run *r = malloc(sizeof *r);
	pthread_attr_t attr;
	pthread_t t;
	int err = ENOMEM;

	if (r) {
		*r = (struct run){ .s = s, .j = j };
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		err = pthread_create(&t, &attr, job_thread, r);
		pthread_attr_destroy(&attr);
		if (err)
			free(r);
	}
	return err;
}

/* ---- HTTP ---- */

struct request {
	size_t route;			/* index in routes[], or nroutes when unknown */
	struct timespec headers;	/* when the headers were in (CLOCK_MONOTONIC) */
	char *body;
	size_t len;
	bool too_big;
	char job[MVS_JOB_ID_SIZE];	/* a synchronous start's job, answered when it ends */
	char *request_id;		/* and that start's requestId */
};

static const struct route {
	const char *path, *method;
	bool open;			/* served without the bearer token */
} routes[] = {
	{ "/api/v1/healthy", "GET", true },
	{ "/api/v1/start", "POST", false },
	{ "/api/v1/get_job", "GET", false },
	{ "/api/v1/docs", "GET", true },
};
static const size_t nroutes = sizeof routes / sizeof routes[0];

/* Sends milvus-migration's envelope {code, msg, data, requestId} as one line of compact JSON. data:
 * borrowed, NULL for null. header, value: one more header (Allow of a 405...), or NULL. */
static enum MHD_Result reply_header(struct MHD_Connection *conn, unsigned http, int code, const char *msg,
				    json_t *data, const char *request_id, const char *header, const char *value)
{
	char rid[MVS_JOB_ID_SIZE], *text = NULL;
	size_t len = 0;

	if (!request_id) {
		/* Like milvus-migration, a generated id when the client gave none: "req-" + 21 characters
		 * (a job id with its "start_" prefix turned into "req-"). */
		mvs_job_id(rid);
		memcpy(rid + 2, "req-", 4);
		request_id = rid + 2;
	}
	json_t *root = json_pack("{s:i, s:o, s:O?, s:o}", "code", code, "msg", json_text(msg), "data", data,
				 "requestId", json_text(request_id));
	if (root && (len = json_dumpb(root, NULL, 0, JSON_COMPACT)) && (text = malloc(len + 1))) {
		json_dumpb(root, text, len, JSON_COMPACT);
		text[len++] = '\n';
	}
	json_decref(root);
	if (!text)
		return MHD_NO;
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	if (header)
		MHD_add_response_header(resp, header, value);
	enum MHD_Result rc = MHD_queue_response(conn, http, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned http, int code, const char *msg,
			     json_t *data, const char *request_id)
{
	return reply_header(conn, http, code, msg, data, request_id, NULL, NULL);
}

static enum MHD_Result fail(struct MHD_Connection *conn, const char *msg, json_t *data, const char *rid)
{
	return reply(conn, MHD_HTTP_OK, 500, msg, data, rid);
}

/* One stage's progress in get_job: rows so far, the percent of the source's count(*) (mvs-export
 * only) and whether its end event came with success. */
static json_t *stage_json(uint64_t rows, double percent, int64_t final)
{
	json_t *o = json_pack("{s:I, s:b}", "rows", (json_int_t)(final >= 0 ? (uint64_t)final : rows),
			      "done", final >= 0);
	if (o && percent >= 0)
		json_object_set_new(o, "percent", json_real(percent));
	return o;
}

/* The pipelines of the collection being copied (one per shard), from their status channels. */
static json_t *pipelines_json(const struct job *j)
{
	json_t *a = json_array();

	for (uint32_t p = 0; a && p < j->npipes; p++) {
		const struct mvs_runner_counts *k = &j->pipes[p];
		char shard[32];
		snprintf(shard, sizeof shard, "%" PRIu32 "/%" PRIu32, p, j->npipes);
		json_array_append_new(a, json_pack("{s:s, s:o, s:o}", "shard", shard,
						   "export", stage_json(k->exported, k->export_percent, k->export_final),
						   "import", stage_json(k->imported, -1, k->import_final)));
	}
	return a;
}

/* get_job's data (under the lock); NULL when out of memory. */
static json_t *job_json(const struct job *j)
{
	return json_pack("{s:s, s:s, s:i, s:o, s:I, s:I, s:{s:I, s:I}, s:s, s:o}", "jobId", j->id,
			 "jobStatus", job_states[j->state], "jobProcess", j->percent, "msg", json_text(j->msg),
			 "totalTasks", (json_int_t)j->total_tasks, "finishTasks", (json_int_t)j->finish_tasks,
			 "rows", "exported", (json_int_t)j->exported, "imported", (json_int_t)j->imported,
			 "collection", j->collection, "pipelines", pipelines_json(j));
}

static enum MHD_Result get_job(struct server *s, struct MHD_Connection *conn)
{
	const char *id = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "jobId");
	const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "RequestId");
	char msg[300];
	json_t *data = NULL;

	if (!id || !*id)
		return fail(conn, "jobId is required: GET /api/v1/get_job?jobId=ID", NULL, rid);
	pthread_mutex_lock(&s->lock);
	struct job *j = job_find(s, id);
	if (j)
		data = job_json(j);
	pthread_mutex_unlock(&s->lock);
	if (!j) {
		snprintf(msg, sizeof msg, "no job with jobId \"%.200s\"", id);
		return fail(conn, msg, NULL, rid);
	}
	if (!data)
		return fail(conn, "out of memory", NULL, rid);
	enum MHD_Result rc = reply(conn, MHD_HTTP_OK, 0, "success", data, rid);
	json_decref(data);
	return rc;
}

/* Joins the config problems into one message, one per line. */
static void diag_message(const struct mvs_cfg_diag *d, char *msg, size_t size)
{
	size_t len = 0;

	msg[0] = '\0';
	for (size_t i = 0; i < d->n && len < size; i++) {
		if (!strstr(d->lines[i], ": error: "))
			continue;
		len += (size_t)snprintf(msg + len, size - len, "%s%s", len ? "\n" : "", d->lines[i]);
	}
	if (!msg[0])
		snprintf(msg, size, "invalid config");
}

static char *config_path(struct server *s, const char *given, char *msg, size_t size)
{
	const char *dir = s->opt->config_dir;
	char *path;

	if (!given && s->opt->config)
		given = s->opt->config;	/* absolute */
	if (!given) {
		if (!(path = mvs_cfg_find(dir)))
			snprintf(msg, size, "no migration.yaml in %s or %s%sconfigs (or give \"config\": PATH in the "
				 "request body)", dir ? dir : "the working directory", dir ? dir : "", dir ? "/" : "");
		return path;
	}
	if (given[0] == '/' || !dir)
		path = strdup(given);
	else if (asprintf(&path, "%s/%s", dir, given) < 0)
		path = NULL;
	if (!path)
		snprintf(msg, size, "out of memory");
	return path;
}

static enum MHD_Result start(struct server *s, struct MHD_Connection *conn, struct request *rq)
{
	struct start_request req = { 0 };
	const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "RequestId");
	char msg[4096], *path = NULL;
	json_t *data = NULL;
	enum MHD_Result rc;
	struct job *j = NULL;

	if (parse_start(rq->body ? rq->body : "", rq->len, &req, msg, sizeof msg)) {
		rc = fail(conn, msg, NULL, req.request_id ? req.request_id : rid);
		goto out;
	}
	if (req.request_id)
		rid = req.request_id;

	pthread_mutex_lock(&s->lock);
	if (s->running || s->stopping) {
		if (s->running)
			snprintf(msg, sizeof msg, "a migration is already running (jobId %s); one runs at a time: "
				 "follow it with GET /api/v1/get_job?jobId=%s", s->running->id, s->running->id);
		else
			snprintf(msg, sizeof msg, "the server is stopping");
		pthread_mutex_unlock(&s->lock);
		rc = fail(conn, msg, NULL, rid);
		goto out;
	}
	if ((j = calloc(1, sizeof *j))) {
		mvs_job_id(j->id);
		j->state = JOB_INIT;
		s->running = j;
		job_add(s, j);
	}
	pthread_mutex_unlock(&s->lock);
	if (!j || !(data = json_pack("{s:s}", "jobId", j->id))) {
		rc = fail(conn, "out of memory", NULL, rid);
		goto out;
	}

	/* Nothing starts until the config is valid; its problems are the reply. */
	struct mvs_cfg_diag diag = { 0 };
	struct mvs_cfg *cfg = NULL;
	if ((path = config_path(s, req.config, msg, sizeof msg))) {
		cfg = mvs_cfg_load(path, &diag);
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s: %s\n", mvs_log_tool(), diag.lines[i]);
		if (!cfg)
			diag_message(&diag, msg, sizeof msg);
		mvs_cfg_diag_free(&diag);
	}
	pthread_mutex_lock(&s->lock);
	if (!cfg) {
		j->state = JOB_FAIL;
		snprintf(j->msg, sizeof j->msg, "%s", msg);
		s->running = NULL;
		pthread_cond_broadcast(&s->idle);
	} else {
		j->cfg = cfg;
		j->state = JOB_RUNNING;
		j->total_tasks = cfg->ncollections;
	}
	pthread_mutex_unlock(&s->lock);
	if (!cfg) {
		rc = fail(conn, msg, data, rid);
		goto out;
	}
	mvs_info("job %s: config %s%s", j->id, path, req.async ? " (async)" : "");

	/* A synchronous start's connection is suspended under the lock, before job_run can resume it;
	 * handle() answers it when it comes back (start_done). */
	pthread_mutex_lock(&s->lock);
	int err = job_spawn(s, j);
	if (err) {
		j->state = JOB_FAIL;
		snprintf(j->msg, sizeof j->msg, "cannot start a thread: %s", strerror(err));
		snprintf(msg, sizeof msg, "%s", j->msg);
		mvs_cfg_free(j->cfg);
		j->cfg = NULL;
		s->running = NULL;
		pthread_cond_broadcast(&s->idle);
	} else if (!req.async) {
		j->waiter = conn;
		MHD_suspend_connection(conn);
		memcpy(rq->job, j->id, sizeof rq->job);
		rq->request_id = req.request_id;
		req.request_id = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	if (err)
		rc = fail(conn, msg, data, rid);
	else
		rc = req.async ? reply(conn, MHD_HTTP_OK, 0, "success", data, rid) : MHD_YES;
out:
	free(path);
	json_decref(data);
	free(req.request_id);
	free(req.config);
	return rc;
}

/* The reply to a synchronous start whose job has ended (its connection is back from suspension). */
static enum MHD_Result start_done(struct server *s, struct MHD_Connection *conn, struct request *rq)
{
	const char *rid = rq->request_id ? rq->request_id
					  : MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "RequestId");
	json_t *data = json_pack("{s:s}", "jobId", rq->job);
	char msg[4096];
	bool ok = false;

	snprintf(msg, sizeof msg, "job %s is no longer kept", rq->job);
	pthread_mutex_lock(&s->lock);
	struct job *j = job_find(s, rq->job);
	if (j) {
		ok = j->state == JOB_SUCCESS;
		snprintf(msg, sizeof msg, "%s", j->msg);
	}
	pthread_mutex_unlock(&s->lock);
	if (!data)
		return fail(conn, "out of memory", NULL, rid);
	enum MHD_Result rc = ok ? reply(conn, MHD_HTTP_OK, 0, "success", data, rid) : fail(conn, msg, data, rid);
	json_decref(data);
	return rc;
}

/* Whether the request carries "Authorization: Bearer TOKEN". The bytes are compared in constant time,
 * so the time of a reply says nothing about how much of a guess was right. */
static bool authorized(struct MHD_Connection *conn, const char *token)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n = strlen(token);
	unsigned char diff = 0;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0 || strlen(h + 7) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(h[7 + i] ^ token[i]);
	return diff == 0;
}

static enum MHD_Result too_large(struct MHD_Connection *conn, const char *rid)
{
	char msg[100];

	snprintf(msg, sizeof msg, "request body larger than %d bytes", MAX_BODY);
	return reply(conn, MHD_HTTP_CONTENT_TOO_LARGE, 500, msg, NULL, rid);
}

/* The first call for a request, its headers in: a missing token and a body announced too large are
 * answered at once, before any body is read (libmicrohttpd then closes the connection). */
static enum MHD_Result headers_in(struct server *s, struct MHD_Connection *conn, struct request *rq,
				  const char *rid)
{
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	if (s->opt->token && !(rq->route < nroutes && routes[rq->route].open) && !authorized(conn, s->opt->token))
		return reply_header(conn, MHD_HTTP_UNAUTHORIZED, 500, "this server wants a bearer token: send the "
				    "header \"Authorization: Bearer TOKEN\"", NULL, rid, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				    "Bearer");
	if (length && strtoull(length, NULL, 10) > MAX_BODY)
		return too_large(conn, rid);
	return MHD_YES;
}

static enum MHD_Result docs(struct MHD_Connection *conn, const char *rid)
{
	json_t *data = json_pack("{s:s, s:s}", "manual", "man mvs-migrate (section REST API)", "routes", ROUTES);
	enum MHD_Result rc = data ? reply(conn, MHD_HTTP_OK, 0, "success", data, rid) : MHD_NO;

	json_decref(data);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct request *rq = *con_cls;
	const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "RequestId");
	char msg[640];

	(void)version;
	if (!rq) {
		if (!(rq = calloc(1, sizeof *rq)))
			return MHD_NO;
		*con_cls = rq;
		clock_gettime(CLOCK_MONOTONIC, &rq->headers);
		while (rq->route < nroutes && strcmp(url, routes[rq->route].path) != 0)
			rq->route++;
		return headers_in(s, conn, rq, rid);
	}
	if (*upload_size) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - rq->headers.tv_sec > BODY_TIMEOUT)
			return MHD_NO;	/* a body that trickles in: close */
		if (rq->len + *upload_size > MAX_BODY) {
			rq->too_big = true;
		} else {
			char *body = realloc(rq->body, rq->len + *upload_size + 1);
			if (!body)
				return MHD_NO;
			memcpy(body + rq->len, upload, *upload_size);
			rq->body = body;
			rq->len += *upload_size;
			rq->body[rq->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->job[0])
		return start_done(s, conn, rq);
	if (rq->too_big)	/* a chunked body, whose size was not announced */
		return too_large(conn, rid);

	const struct route *r = rq->route < nroutes ? &routes[rq->route] : NULL;
	if (!r) {
		snprintf(msg, sizeof msg, "no such route: %.100s %.300s (routes: " ROUTES ")", method, url);
		return reply(conn, MHD_HTTP_NOT_FOUND, 500, msg, NULL, rid);
	}
	if (strcmp(method, r->method) != 0) {
		snprintf(msg, sizeof msg, "%s wants %s, not %.100s", r->path, r->method, method);
		return reply_header(conn, MHD_HTTP_METHOD_NOT_ALLOWED, 500, msg, NULL, rid, MHD_HTTP_HEADER_ALLOW,
				    r->method);
	}
	switch (rq->route) {
	case 0: {
		json_t *ok = json_string("ok");
		enum MHD_Result rc = ok ? reply(conn, MHD_HTTP_OK, 0, "success", ok, rid) : MHD_NO;
		json_decref(ok);
		return rc;
	}
	case 1:
		return start(s, conn, rq);
	case 2:
		return get_job(s, conn);
	default:
		return docs(conn, rid);
	}
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq) {
		free(rq->body);
		free(rq->request_id);
		free(rq);
		*con_cls = NULL;
	}
}

/* MAX_CONNECTIONS, or fewer so that FD_RESERVE descriptors stay free under the open-file limit. */
static unsigned connection_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= MAX_CONNECTIONS + FD_RESERVE)
		return MAX_CONNECTIONS;
	return rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE) : FD_RESERVE;
}

/* A listening socket on ai, or -1 with errno set. Bound here rather than by libmicrohttpd, so that a
 * failure is one line of ours with its cause. */
static int listen_on(const struct addrinfo *ai)
{
	int one = 1, fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
	    (ai->ai_family != AF_INET6 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0) &&
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
		return fd;
	int err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* "127.0.0.1:8080" or "[::1]:8080" (port: the socket's when fd >= 0, else the address's). Returns
 * whether the address is a loopback one. */
static bool address_text(const struct addrinfo *ai, int fd, char *text, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[INET6_ADDRSTRLEN];

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
		snprintf(text, size, "[%s]:%u", host, ntohs(a->sin6_port));
		return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
	}
	const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
	inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
	snprintf(text, size, "%s:%u", host, ntohs(a->sin_port));
	return ntohl(a->sin_addr.s_addr) >> 24 == 127;
}

int mvs_rest_serve(const struct mvs_rest_options *opt)
{
	struct server s = { .opt = opt };
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char port[8], where[INET6_ADDRSTRLEN + 10];
	sigset_t sigs;
	int sig, err, fd;

	snprintf(port, sizeof port, "%d", opt->port);
	err = getaddrinfo(opt->bind ? opt->bind : "127.0.0.1", port, &hints, &ai);
	if (err) {
		mvs_error("cannot use --bind %s: %s", opt->bind ? opt->bind : "127.0.0.1", gai_strerror(err));
		return MVS_EXIT_USAGE;
	}
	fd = listen_on(ai);
	err = errno;
	bool loopback = address_text(ai, fd, where, sizeof where);
	freeaddrinfo(ai);
	if (fd < 0) {
		mvs_error("cannot listen on %s: %s", where, strerror(err));
		return MVS_EXIT_FAILURE;
	}
	if (!loopback && !opt->token)
		mvs_warn("listening on %s without a token: anyone who can reach it can start a migration "
			 "(set MVS_REST_TOKEN or give --token-file FILE)", where);

	/* SIGINT and SIGTERM are taken by sigwait below; every thread started from here blocks them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.idle, NULL);
	json_object_seed(0);	/* jansson's hash seed, set once before the request threads use it */

	/* No MHD_USE_ERROR_LOG: libmicrohttpd's own lines would reach stderr unasked (one per bad client). */
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
						MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, handle, &s,
						MHD_OPTION_LISTEN_SOCKET, fd,
						MHD_OPTION_THREAD_POOL_SIZE, (unsigned)POOL_THREADS,
						MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
						MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
						MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
						MHD_OPTION_END);
	if (!d) {
		mvs_error("cannot start the HTTP server on %s", where);
		close(fd);
		return MVS_EXIT_FAILURE;
	}
	printf("%s: listening on %s\n", mvs_log_tool(), where);
	fflush(stdout);
	if (!opt->bind)
		mvs_info("listening on 127.0.0.1 only; --bind 0.0.0.0 listens on every interface "
			 "(milvus-migration's default)");

	do
		err = sigwait(&sigs, &sig);
	while (err == EINTR);
	mvs_info("stopping (%s)", strsignal(sig));

	/* Stop a running migration (its stages get SIGTERM), wait for it, then close the server; no job
	 * starts in between, so no connection is left suspended. */
	atomic_store(&s.cancel, 1);
	pthread_mutex_lock(&s.lock);
	s.stopping = true;
	while (s.running)
		pthread_cond_wait(&s.idle, &s.lock);
	pthread_mutex_unlock(&s.lock);
	MHD_stop_daemon(d);
	while (s.jobs) {
		struct job *j = s.jobs;
		s.jobs = j->next;
		mvs_cfg_free(j->cfg);
		free(j);
	}
	pthread_cond_destroy(&s.idle);
	pthread_mutex_destroy(&s.lock);
	return MVS_EXIT_OK;
}
