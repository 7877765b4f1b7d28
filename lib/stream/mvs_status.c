/* The status channel (see mvs_status.h): its JSON events, the row digests of each unit, and the
 * progress and error messages it hears from mvs_log. The events are specified in man/mvs-status.5;
 * a field changed here is a change of that format. */
#include "mvs_status.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mvs_jtext.h"
#include "mvs_log.h"
#include "mvs_types.h"

struct mvs_status {
	int fd;
	bool broken;			/* a write failed: the channel is dropped, the tool goes on */
	struct mvs_jbuf line;
	struct mvs_canon_options digest_opt;	/* borrowed names; without_pk may be set later */
	/* the current unit */
	bool in_unit;
	uint64_t unit;			/* the index of the last unit begun (progress may outlive its end) */
	struct mvs_schema schema;	/* a copy: the canonical form borrows it */
	struct mvs_canon canon;
	bool canon_ok;			/* the digest is known (every row's canonical form was built) */
	char *partition;
	uint64_t rows, bytes, digest, rows_expected;
	/* the run */
	uint64_t total_rows, total_bytes, total_digest, units;
	bool total_digest_ok;
	bool tool_progress;		/* the tool reports its own progress through mvs_progress */
	uint64_t progress_rows;
	double progress_last;
	char error[1024];		/* the last error message the tool printed */
};

static void put_key(struct mvs_jbuf *b, const char *key)
{
	mvs_jbuf_printf(b, ",\"%s\":", key);
}

static void put_string(struct mvs_jbuf *b, const char *key, const char *value)
{
	put_key(b, key);
	mvs_json_string(b, value, strlen(value));
}

static void put_u64(struct mvs_jbuf *b, const char *key, uint64_t v)
{
	put_key(b, key);
	mvs_jbuf_printf(b, "%" PRIu64, v);
}

static void put_bool(struct mvs_jbuf *b, const char *key, bool v)
{
	put_key(b, key);
	mvs_jbuf_puts(b, v ? "true" : "false");
}

static void put_digest(struct mvs_jbuf *b, uint64_t digest)
{
	put_key(b, "digest");
	mvs_jbuf_printf(b, "\"%016" PRIx64 "\"", digest);
}

/* Starts an event line: {"v":1,"event":"NAME" */
static struct mvs_jbuf *event(struct mvs_status *s, const char *name)
{
	mvs_jbuf_reset(&s->line);
	mvs_jbuf_printf(&s->line, "{\"v\":%d,\"event\":\"%s\"", MVS_STATUS_VERSION, name);
	return &s->line;
}

/* Writes the whole line; -1 with errno set when it cannot. */
static int write_all(int fd, const char *p, size_t left)
{
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

/* Ends the event line and writes it whole. A reader that went away drops the channel, not the tool:
 * SIGPIPE is held back during the write, and taken off if the write raised it. */
static void send(struct mvs_status *s)
{
	sigset_t pipe_only, old;
	struct timespec now = { 0 };

	mvs_jbuf_puts(&s->line, "}\n");
	if (s->broken || mvs_jbuf_failed(&s->line))
		return;
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
	int rc = write_all(s->fd, s->line.data, s->line.len);
	int e = errno;
	if (rc < 0 && e == EPIPE && !sigismember(&old, SIGPIPE))
		sigtimedwait(&pipe_only, NULL, &now);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		s->broken = true;
		mvs_warn("--status-fd: cannot write the status channel (%s): it is dropped", strerror(e));
	}
}

static void progress_event(struct mvs_status *s, uint64_t rows, uint64_t total)
{
	struct mvs_jbuf *b = event(s, "progress");

	put_u64(b, "unit", s->unit);
	put_u64(b, "rows", rows);
	put_u64(b, "bytes", s->bytes);
	put_key(b, "percent");
	if (total)
		mvs_jbuf_printf(b, "%.1f", 100.0 * (double)rows / (double)total);
	else
		mvs_jbuf_puts(b, "null");
	put_u64(b, "rows_expected", total);
	send(s);
}

/* mvs_log's hooks: the tool's own progress count and its error messages. */
static void heard_progress(void *ctx, uint64_t rows, uint64_t total, bool final)
{
	struct mvs_status *s = ctx;
	double now = mvs_now();

	s->tool_progress = true;
	if (!final && now - s->progress_last < 0.5)
		return;
	s->progress_last = now;
	s->progress_rows = rows;
	progress_event(s, rows, total);
}

static void heard_error(void *ctx, const char *message)
{
	struct mvs_status *s = ctx;

	snprintf(s->error, sizeof s->error, "%s", message);
}

struct mvs_status *mvs_status_open(int fd, const char *tool, const struct mvs_canon_options *digest,
				   char *err, size_t errlen)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) {
		mvs_errf(err, errlen, "--status-fd %d: not a file descriptor open for writing", fd);
		return NULL;
	}
	struct mvs_status *s = calloc(1, sizeof *s);
	if (!s) {
		mvs_errf(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = fd;
	s->total_digest_ok = true;
	if (digest)
		s->digest_opt = *digest;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	struct mvs_jbuf *b = event(s, "start");
	put_string(b, "tool", tool);
	put_string(b, "version", MVS_VERSION);
	put_u64(b, "pid", (uint64_t)getpid());
	send(s);
	mvs_log_observe(heard_progress, heard_error, s);
	return s;
}

void mvs_status_digest_without_pk(struct mvs_status *s)
{
	if (!s || s->digest_opt.without_pk)
		return;
	s->digest_opt.without_pk = true;
	if (s->in_unit && s->canon_ok) {
		char err[256];
		mvs_canon_free(&s->canon);
		s->canon_ok = mvs_canon_init(&s->canon, &s->schema, &s->digest_opt, err, sizeof err) == 0;
	}
}

static void put_fields(struct mvs_jbuf *b, const struct mvs_schema *schema)
{
	put_key(b, "fields");
	mvs_jbuf_putc(b, '[');
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct mvs_field *f = &schema->fields[i];
		mvs_jbuf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		mvs_json_string(b, f->name, strlen(f->name));
		put_string(b, "type", mvs_type_name(f->type));
		if (f->element_type)
			put_string(b, "element_type", mvs_type_name(f->element_type));
		if (f->dim)
			put_u64(b, "dim", (uint64_t)f->dim);
		if (f->primary_key)
			put_bool(b, "primary_key", true);
		if (f->auto_id)
			put_bool(b, "auto_id", true);
		if (f->nullable)
			put_bool(b, "nullable", true);
		if (f->partition_key)
			put_bool(b, "partition_key", true);
		if (f->is_dynamic)
			put_bool(b, "dynamic", true);
		if (f->function_output)
			put_bool(b, "function_output", true);
		mvs_jbuf_putc(b, '}');
	}
	mvs_jbuf_putc(b, ']');
}

void mvs_status_unit(struct mvs_status *s, const struct mvs_schema *schema)
{
	char err[256];

	if (!s)
		return;
	if (s->in_unit)
		mvs_status_unit_end(s);
	if (s->units)
		s->unit = s->units;
	mvs_schema_free(&s->schema);
	mvs_canon_free(&s->canon);
	free(s->partition);
	s->partition = NULL;
	s->canon_ok = mvs_schema_copy(&s->schema, schema) == 0 &&
		      mvs_canon_init(&s->canon, &s->schema, &s->digest_opt, err, sizeof err) == 0;
	s->in_unit = true;
	s->rows = s->bytes = s->digest = 0;
	s->progress_rows = 0;
	s->rows_expected = schema->rows_expected;

	struct mvs_jbuf *b = event(s, "unit");
	put_u64(b, "unit", s->unit);
	put_string(b, "collection", schema->name ? schema->name : "");
	if (schema->source_database)
		put_string(b, "database", schema->source_database);
	put_fields(b, schema);
	put_key(b, "partitions");
	mvs_jbuf_putc(b, '[');
	for (size_t i = 0; i < schema->n_partitions; i++) {
		if (i)
			mvs_jbuf_putc(b, ',');
		mvs_json_string(b, schema->partitions[i], strlen(schema->partitions[i]));
	}
	mvs_jbuf_putc(b, ']');
	if (schema->shard_count) {
		put_key(b, "shard");
		mvs_jbuf_printf(b, "\"%" PRIu32 "/%" PRIu32 "\"", schema->shard_index, schema->shard_count);
	}
	put_u64(b, "rows_expected", schema->rows_expected);
	send(s);
}

void mvs_status_partition(struct mvs_status *s, const char *name)
{
	if (!s)
		return;
	free(s->partition);
	s->partition = strdup(name);
	struct mvs_jbuf *b = event(s, "partition");
	put_u64(b, "unit", s->unit);
	put_string(b, "partition", name);
	put_u64(b, "rows", s->rows);
	send(s);
	if (!s->partition)
		s->canon_ok = false;	/* out of memory: the digest would be wrong */
}

void mvs_status_row(struct mvs_status *s, const unsigned char *row, size_t len)
{
	char err[256];

	if (!s)
		return;
	s->rows++;
	s->bytes += len;
	if (s->canon_ok) {
		if (mvs_canon_row(&s->canon, s->partition, row, len, err, sizeof err) == 0)
			s->digest += mvs_canon_hash(&s->canon);
		else
			s->canon_ok = false;
	}
	/* Tools without a count of their own (mvs-map, mvs-cat) report the rows of their stream. */
	if (!s->tool_progress && (s->rows & 1023) == 0) {
		double now = mvs_now();
		if (now - s->progress_last >= 0.5) {
			s->progress_last = now;
			progress_event(s, s->rows, s->rows_expected);
		}
	}
}

void mvs_status_unit_end(struct mvs_status *s)
{
	if (!s || !s->in_unit)
		return;
	struct mvs_jbuf *b = event(s, "unit_end");
	put_u64(b, "unit", s->unit);
	put_string(b, "collection", s->schema.name ? s->schema.name : "");
	put_u64(b, "rows", s->rows);
	put_u64(b, "bytes", s->bytes);
	if (s->canon_ok)
		put_digest(b, s->digest);
	put_bool(b, "digest_pk", !s->digest_opt.without_pk);
	put_bool(b, "digest_partitions", !s->digest_opt.without_partition);
	send(s);
	s->total_rows += s->rows;
	s->total_bytes += s->bytes;
	s->total_digest += s->digest;
	s->total_digest_ok = s->total_digest_ok && s->canon_ok;
	s->units++;
	s->in_unit = false;
}

void mvs_status_end(struct mvs_status *s, int exit_code)
{
	if (!s)
		return;
	mvs_log_observe(NULL, NULL, NULL);
	struct mvs_jbuf *b = event(s, "end");
	put_u64(b, "exit", (uint64_t)exit_code);
	put_u64(b, "units", s->units);
	put_u64(b, "rows", s->total_rows);
	put_u64(b, "bytes", s->total_bytes);
	if (s->units && s->total_digest_ok) {
		put_digest(b, s->total_digest);
		put_bool(b, "digest_pk", !s->digest_opt.without_pk);
		put_bool(b, "digest_partitions", !s->digest_opt.without_partition);
	}
	if (exit_code != 0 && s->error[0])
		put_string(b, "error", s->error);
	send(s);
	mvs_jbuf_free(&s->line);
	mvs_schema_free(&s->schema);
	mvs_canon_free(&s->canon);
	free(s->partition);
	free(s);
}
