/* The REST server of mvs-migrate (see mvs_rest.h): libmicrohttpd with a thread per connection, so a
 * synchronous /start blocks only its own request; a job table under one mutex; a small JSON reader for
 * the few keys of a request body and a JSON writer that escapes every string (and replaces bytes that
 * are not UTF-8, since child messages can carry anything). */
#include "mvs_rest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mvs_cli.h"
#include "mvs_config.h"
#include "mvs_exit.h"
#include "mvs_pipeline.h"
#include "mvs_utf8.h"

#define MAX_BODY (64 * 1024)
#define MAX_JOBS 1000		/* finished jobs kept for get_job */
#define MAX_JSON_DEPTH 64

/* ---- JSON out ---- */

/* Writes s as a JSON string; bytes that are not valid UTF-8 become U+FFFD. */
static void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			p++;
		} else if (c < 0x20) {
			switch (c) {
			case '\n': fputs("\\n", f); break;
			case '\r': fputs("\\r", f); break;
			case '\t': fputs("\\t", f); break;
			case '\b': fputs("\\b", f); break;
			case '\f': fputs("\\f", f); break;
			default: fprintf(f, "\\u%04x", c); break;
			}
			p++;
		} else if (c < 0x80) {
			fputc(c, f);
			p++;
		} else {
			/* A well-formed UTF-8 sequence passes (mvs_utf8.h). A NUL is never a
			 * continuation byte, so the decoder stops at the terminator. */
			size_t n = mvs_utf8_decode(p, strnlen((const char *)p, 4), NULL);
			if (n) {
				fwrite(p, 1, n, f);
				p += n;
			} else {
				fputs("\\ufffd", f);
				p++;
			}
		}
	}
	fputc('"', f);
}

/* ---- JSON in: just enough for {"requestId": "...", "async": true, "config": "..."} ---- */

struct jin {
	const char *s, *p, *end;
	const char *err;		/* what was expected */
};

struct start_request {
	char *request_id;
	char *config;
	bool async;
};

static void jin_ws(struct jin *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool jin_fail(struct jin *j, const char *expected)
{
	if (!j->err)
		j->err = expected;
	return false;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 32) >= 'a' && (c | 32) <= 'f')
		return (c | 32) - 'a' + 10;
	return -1;
}

static bool jin_u4(struct jin *j, uint32_t *cp)
{
	*cp = 0;
	if (j->end - j->p < 4)
		return jin_fail(j, "4 hex digits after \\u");
	for (int i = 0; i < 4; i++) {
		int h = hex(*j->p++);
		if (h < 0)
			return jin_fail(j, "4 hex digits after \\u");
		*cp = *cp << 4 | (uint32_t)h;
	}
	return true;
}

static void put_utf8(FILE *f, uint32_t cp)
{
	char out[4];

	fwrite(out, 1, mvs_utf8_encode(cp, out), f);
}

/* A string at j->p (the opening quote); *out gets it decoded (malloc'd) unless out is NULL. */
static bool jin_string(struct jin *j, char **out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = NULL;
	bool ok = false, nul = false;

	if (j->p >= j->end || *j->p != '"')
		return jin_fail(j, "a string");
	j->p++;
	if (out && !(f = open_memstream(&text, &len)))
		return jin_fail(j, "memory");
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;
		if (c < 0x20) {
			jin_fail(j, "no control characters inside a string");
			goto done;
		}
		if (c != '\\') {
			if (f)
				fputc(c, f);
			continue;
		}
		if (j->p >= j->end)
			break;
		char e = *j->p++;
		uint32_t cp, lo;
		switch (e) {
		case '"': case '\\': case '/': c = (unsigned char)e; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (!jin_u4(j, &cp))
				goto done;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u') {
					jin_fail(j, "a low surrogate after a high one");
					goto done;
				}
				j->p += 2;
				if (!jin_u4(j, &lo))
					goto done;
				if (lo < 0xdc00 || lo > 0xdfff) {
					jin_fail(j, "a low surrogate after a high one");
					goto done;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				jin_fail(j, "no lone low surrogate");
				goto done;
			}
			if (cp == 0)
				nul = true;
			if (f)
				put_utf8(f, cp);
			continue;
		default:
			jin_fail(j, "a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
			goto done;
		}
		if (f)
			fputc(c, f);
	}
	if (j->p >= j->end) {
		jin_fail(j, "the closing quote of a string");
		goto done;
	}
	j->p++;
	if (nul && out) {
		jin_fail(j, "no \\u0000 in a string");
		goto done;
	}
	ok = true;
done:
	if (f) {
		fclose(f);
		if (ok)
			*out = text;
		else
			free(text);
	}
	return ok;
}

static bool jin_literal(struct jin *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return jin_fail(j, "a JSON value");
	j->p += n;
	return true;
}

static bool jin_number(struct jin *j)
{
	const char *start = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0') {
		j->p++;
	} else if (j->p < j->end && *j->p >= '1' && *j->p <= '9') {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	} else {
		j->p = start;
		return jin_fail(j, "a JSON value");
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return jin_fail(j, "digits after the decimal point");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return jin_fail(j, "digits in the exponent");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return true;
}

static bool jin_value(struct jin *j, int depth);

/* An object or array whose contents nobody asked for: checked, then dropped. */
static bool jin_container(struct jin *j, int depth)
{
	char close = *j->p == '{' ? '}' : ']';
	bool object = close == '}';

	if (depth > MAX_JSON_DEPTH)
		return jin_fail(j, "less nesting");
	j->p++;
	jin_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		jin_ws(j);
		if (object) {
			if (!jin_string(j, NULL))
				return false;
			jin_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return jin_fail(j, "':' after an object key");
			j->p++;
		}
		if (!jin_value(j, depth + 1))
			return false;
		jin_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return true;
		}
		return jin_fail(j, object ? "',' or '}'" : "',' or ']'");
	}
}

static bool jin_value(struct jin *j, int depth)
{
	jin_ws(j);
	if (j->p >= j->end)
		return jin_fail(j, "a JSON value");
	switch (*j->p) {
	case '"':
		return jin_string(j, NULL);
	case '{':
	case '[':
		return jin_container(j, depth);
	case 't':
		return jin_literal(j, "true");
	case 'f':
		return jin_literal(j, "false");
	case 'n':
		return jin_literal(j, "null");
	default:
		return jin_number(j);
	}
}

/* The body of POST /start: empty, or an object whose keys requestId, async and config are read (other
 * keys are ignored). Returns NULL, or a message saying what is wrong. */
static const char *parse_start(const char *body, size_t len, struct start_request *req, char *msg, size_t size)
{
	struct jin j = { .s = body, .p = body, .end = body + len };
	const char *type_error = NULL;

	jin_ws(&j);
	if (j.p == j.end)
		return NULL;
	if (*j.p != '{') {
		jin_fail(&j, "a JSON object");
		goto bad;
	}
	j.p++;
	jin_ws(&j);
	if (j.p < j.end && *j.p == '}') {
		j.p++;
		goto end;
	}
	for (;;) {
		char *key = NULL;
		jin_ws(&j);
		if (!jin_string(&j, &key))
			goto bad;
		jin_ws(&j);
		if (j.p >= j.end || *j.p != ':') {
			free(key);
			jin_fail(&j, "':' after an object key");
			goto bad;
		}
		j.p++;
		jin_ws(&j);
		bool is_string = j.p < j.end && *j.p == '"';
		if (!strcmp(key, "requestId") || !strcmp(key, "config")) {
			char **to = key[0] == 'r' ? &req->request_id : &req->config;
			if (is_string) {
				free(*to);
				*to = NULL;
				if (!jin_string(&j, to)) {
					free(key);
					goto bad;
				}
			} else if (!jin_value(&j, 1)) {
				free(key);
				goto bad;
			} else if (!type_error) {
				type_error = key[0] == 'r' ? "requestId must be a string" :
					     "config must be a string (the path of a migration.yaml)";
			}
		} else if (!strcmp(key, "async")) {
			if (j.p < j.end && *j.p == 't' && jin_literal(&j, "true")) {
				req->async = true;
			} else if (j.p < j.end && *j.p == 'f' && jin_literal(&j, "false")) {
				req->async = false;
			} else if (!jin_value(&j, 1)) {
				free(key);
				goto bad;
			} else if (!type_error) {
				type_error = "async must be true or false";
			}
		} else if (!jin_value(&j, 1)) {
			free(key);
			goto bad;
		}
		free(key);
		jin_ws(&j);
		if (j.p < j.end && *j.p == ',') {
			j.p++;
			continue;
		}
		if (j.p < j.end && *j.p == '}') {
			j.p++;
			break;
		}
		jin_fail(&j, "',' or '}'");
		goto bad;
	}
end:
	jin_ws(&j);
	if (j.p != j.end) {
		jin_fail(&j, "nothing after the object");
		goto bad;
	}
	if (type_error)
		snprintf(msg, size, "bad request body: %s", type_error);
	return type_error ? msg : NULL;
bad:
	snprintf(msg, size, "bad JSON in the request body at byte %zu: expected %s", (size_t)(j.p - j.s), j.err);
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
	char msg[4096];
	struct mvs_cfg *cfg;
	struct job *next;	/* older */
};

struct server {
	const struct mvs_rest_options *opt;
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* signalled when the running job ends */
	struct job *jobs;		/* newest first */
	size_t njobs;
	struct job *running;
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

/* ---- HTTP ---- */

struct request {
	char *body;
	size_t len;
	bool too_big;
};

/* Sends milvus-migration's envelope. allow: the Allow header of a 405, else NULL. */
static enum MHD_Result reply_allow(struct MHD_Connection *conn, unsigned http, int code, const char *msg,
				   const char *data_json, const char *request_id, const char *allow)
{
	char *text = NULL, rid[MVS_JOB_ID_SIZE];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	enum MHD_Result rc = MHD_NO;

	if (!request_id) {
		/* Like milvus-migration, a generated id when the client gave none: "req-" + 21 characters
		 * (a job id with its "start_" prefix turned into "req-"). */
		mvs_job_id(rid);
		memcpy(rid + 2, "req-", 4);
		request_id = rid + 2;
	}
	if (!f)
		return MHD_NO;
	fprintf(f, "{\"code\":%d,\"msg\":", code);
	json_str(f, msg);
	fprintf(f, ",\"data\":%s,\"requestId\":", data_json ? data_json : "null");
	json_str(f, request_id);
	fputs("}\n", f);
	if (fclose(f) != 0) {
		free(text);
		return MHD_NO;
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	if (allow)
		MHD_add_response_header(resp, "Allow", allow);
	rc = MHD_queue_response(conn, http, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned http, int code, const char *msg,
			     const char *data_json, const char *request_id)
{
	return reply_allow(conn, http, code, msg, data_json, request_id, NULL);
}

static enum MHD_Result fail(struct MHD_Connection *conn, const char *msg, const char *data, const char *rid)
{
	return reply(conn, MHD_HTTP_OK, 500, msg, data, rid);
}

static char *job_json(const struct job *j)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fputs("{\"jobId\":", f);
	json_str(f, j->id);
	fprintf(f, ",\"jobStatus\":\"%s\",\"jobProcess\":%d,\"msg\":", job_states[j->state], j->percent);
	json_str(f, j->msg);
	fprintf(f, ",\"totalTasks\":%zu,\"finishTasks\":%zu,\"rows\":{\"exported\":%" PRIu64
		",\"imported\":%" PRIu64 "}}", j->total_tasks, j->finish_tasks, j->exported, j->imported);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static char *job_id_json(const char *id)
{
	char *text;

	return asprintf(&text, "{\"jobId\":\"%s\"}", id) < 0 ? NULL : text;
}

static enum MHD_Result get_job(struct server *s, struct MHD_Connection *conn)
{
	const char *id = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "jobId");
	const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "RequestId");
	char msg[300], *data = NULL;

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
	free(data);
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
	char msg[4096], *data = NULL, *path = NULL;
	enum MHD_Result rc;
	struct job *j = NULL;

	if (rq->too_big) {
		snprintf(msg, sizeof msg, "request body larger than %d bytes", MAX_BODY);
		return fail(conn, msg, NULL, rid);
	}
	if (parse_start(rq->body ? rq->body : "", rq->len, &req, msg, sizeof msg)) {
		rc = fail(conn, msg, NULL, req.request_id ? req.request_id : rid);
		goto out;
	}
	if (req.request_id)
		rid = req.request_id;

	pthread_mutex_lock(&s->lock);
	if (s->running) {
		snprintf(msg, sizeof msg, "a migration is already running (jobId %s); one runs at a time: "
			 "follow it with GET /api/v1/get_job?jobId=%s", s->running->id, s->running->id);
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
	if (!j || !(data = job_id_json(j->id))) {
		rc = fail(conn, "out of memory", NULL, rid);
		goto out;
	}

	/* Nothing starts until the config is valid; its problems are the reply. */
	struct mvs_cfg_diag diag = { 0 };
	struct mvs_cfg *cfg = NULL;
	if ((path = config_path(s, req.config, msg, sizeof msg))) {
		cfg = mvs_cfg_load(path, &diag);
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s: %s\n", mvs_cli_tool(), diag.lines[i]);
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

	if (req.async) {
		pthread_t t;
		pthread_attr_t attr;
		struct run *r = malloc(sizeof *r);
		int err = ENOMEM;
		if (r) {
			*r = (struct run){ .s = s, .j = j };
			pthread_attr_init(&attr);
			pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
			err = pthread_create(&t, &attr, job_thread, r);
			pthread_attr_destroy(&attr);
		}
		if (err) {
			free(r);
			pthread_mutex_lock(&s->lock);
			j->state = JOB_FAIL;
			snprintf(j->msg, sizeof j->msg, "cannot start a thread: %s", strerror(err));
			snprintf(msg, sizeof msg, "%s", j->msg);
			mvs_cfg_free(j->cfg);
			j->cfg = NULL;
			s->running = NULL;
			pthread_cond_broadcast(&s->idle);
			pthread_mutex_unlock(&s->lock);
			rc = fail(conn, msg, data, rid);
			goto out;
		}
		rc = reply(conn, MHD_HTTP_OK, 0, "success", data, rid);
		goto out;
	}

	job_run(s, j);
	pthread_mutex_lock(&s->lock);
	bool ok = j->state == JOB_SUCCESS;
	snprintf(msg, sizeof msg, "%s", j->msg);
	pthread_mutex_unlock(&s->lock);
	rc = ok ? reply(conn, MHD_HTTP_OK, 0, "success", data, rid) : fail(conn, msg, data, rid);
out:
	free(path);
	free(data);
	free(req.request_id);
	free(req.config);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct request *rq = *con_cls;
	const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "RequestId");
	static const struct {
		const char *path, *method;
	} routes[] = {
		{ "/api/v1/healthy", "GET" },
		{ "/api/v1/start", "POST" },
		{ "/api/v1/get_job", "GET" },
	};
	char msg[512];

	(void)version;
	if (!rq) {
		if (!(rq = calloc(1, sizeof *rq)))
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
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

	size_t r = 0, nroutes = sizeof routes / sizeof routes[0];
	while (r < nroutes && strcmp(url, routes[r].path) != 0)
		r++;
	if (r == nroutes) {
		snprintf(msg, sizeof msg, "no such route: %.100s %.300s (routes: GET /api/v1/healthy, "
			 "POST /api/v1/start, GET /api/v1/get_job?jobId=ID)", method, url);
		return reply(conn, MHD_HTTP_NOT_FOUND, 500, msg, NULL, rid);
	}
	if (strcmp(method, routes[r].method) != 0) {
		snprintf(msg, sizeof msg, "%s wants %s, not %.100s", routes[r].path, routes[r].method, method);
		return reply_allow(conn, MHD_HTTP_METHOD_NOT_ALLOWED, 500, msg, NULL, rid, routes[r].method);
	}
	switch (r) {
	case 0:
		return reply(conn, MHD_HTTP_OK, 0, "success", "\"ok\"", rid);
	case 1:
		return start(s, conn, rq);
	default:
		return get_job(s, conn);
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
		free(rq);
		*con_cls = NULL;
	}
}

int mvs_rest_serve(const struct mvs_rest_options *opt)
{
	struct server s = { .opt = opt };
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char port[8], host[INET6_ADDRSTRLEN];
	sigset_t sigs;
	int sig, err;

	snprintf(port, sizeof port, "%d", opt->port);
	err = getaddrinfo(opt->bind ? opt->bind : "127.0.0.1", port, &hints, &ai);
	if (err) {
		mvs_error("cannot use --bind %s: %s", opt->bind ? opt->bind : "127.0.0.1", gai_strerror(err));
		return MVS_EXIT_USAGE;
	}

	/* SIGINT and SIGTERM are taken by sigwait below; every thread started from here blocks them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.idle, NULL);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	struct MHD_Daemon *d = MHD_start_daemon(flags, (uint16_t)opt->port, NULL, NULL, handle, &s,
						MHD_OPTION_SOCK_ADDR, ai->ai_addr,
						MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
						MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
						MHD_OPTION_END);
	if (ai->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, host, sizeof host);
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, host, sizeof host);
	bool v6 = ai->ai_family == AF_INET6;
	freeaddrinfo(ai);
	if (!d) {
		mvs_error("cannot listen on %s port %d (in use, or not an address of this machine?)", host, opt->port);
		return MVS_EXIT_FAILURE;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("%s: listening on %s%s%s:%u\n", mvs_cli_tool(), v6 ? "[" : "", host, v6 ? "]" : "",
	       info ? info->port : (unsigned)opt->port);
	fflush(stdout);

	do
		err = sigwait(&sigs, &sig);
	while (err == EINTR);
	mvs_info("stopping (%s)", strsignal(sig));

	/* Stop a running migration (its stages get SIGTERM), wait for it, then close the server. */
	atomic_store(&s.cancel, 1);
	pthread_mutex_lock(&s.lock);
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
