/* The stream codec (see mvs_stream.h and man/mvs-stream.5): framing, buffering, checksums and the
 * error reporting of the mvs stream. The writer builds whole frames in one output buffer (a rows
 * frame is patched with its length and count when it closes) and writes them in large chunks; the
 * reader keeps at most one frame in its buffer and hands rows out as spans inside it. Frame payloads
 * other than rows are encoded by mvs_header.c; rows are measured by mvs_row.c. */
#include "mvs_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xxh_x86dispatch.h>	/* picks the AVX2/AVX-512 XXH3 at run time: ~2x the SSE2 default */
#endif

#include "mvs_exit.h"
#include "mvs_header.h"
#include "mvs_interrupt.h"
#include "mvs_row.h"
#include "mvs_status.h"

static const unsigned char stream_magic[8] = { 0x89, 'M', 'V', 'S', 0x0d, 0x0a, 0x1a, 0x0a };

#define FRAME_HDR 5		/* kind + uint32 length */
#define ROWS_FLUSH (1u << 20)	/* a rows frame closes once its payload passes this */

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Pipes default to 64 KiB, which makes every stage of a pipeline wake up for each 64 KiB; with 1 MiB
 * (the usual unprivileged maximum) a passthrough stage keeps up with cat. Best effort: a file, a
 * socket or a refusal leaves things as they are, and a bigger pipe is never shrunk. */
#define PIPE_SIZE (1 << 20)

static void grow_pipe(int fd)
{
	int size = fcntl(fd, F_GETPIPE_SZ);

	if (size > 0 && size < PIPE_SIZE)
		fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
}

/* ======== writing ======== */

struct mvs_writer {
	int fd;
	char *tool;
	unsigned char *buf;	/* complete frames waiting to be written, then the open rows frame */
	size_t len, cap;
	size_t frame_start;	/* offset of the open rows frame in buf; meaningful when frame_open */
	bool frame_open;
	uint32_t frame_rows;
	bool row_open;		/* a row is being built: its row_len bytes follow buf + len */
	size_t row_len;
	bool in_unit;
	size_t width;		/* row width of the current unit's schema */
	XXH3_state_t *hash;
	uint64_t unit_rows;
	uint64_t written;	/* bytes handed to write(2), all units */
	bool failed, broken_pipe;
	char err[320];
	struct mvs_status *status;	/* hears the units, partitions and rows written; NULL: none */
};

static int writer_fail(struct mvs_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int writer_fail(struct mvs_writer *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, sizeof w->err, fmt, ap);
	va_end(ap);
	w->failed = true;
	return -1;
}

struct mvs_writer *mvs_writer_new(int fd, const char *tool)
{
	struct mvs_writer *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	w->fd = fd;
	grow_pipe(fd);
	w->cap = 2 * ROWS_FLUSH;
	w->buf = malloc(w->cap);
	w->tool = strdup(tool ? tool : "mvs");
	w->hash = XXH3_createState();
	if (!w->buf || !w->tool || !w->hash) {
		mvs_writer_free(w);
		return NULL;
	}
	return w;
}

void mvs_writer_free(struct mvs_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w->tool);
	if (w->hash)
		XXH3_freeState(w->hash);
	free(w);
}

/* Makes room for n more bytes in the buffer. */
static int writer_reserve(struct mvs_writer *w, size_t n)
{
	if (w->cap - w->len >= n)
		return 0;
	size_t cap = w->cap;
	while (cap - w->len < n)
		cap *= 2;
	unsigned char *buf = realloc(w->buf, cap);
	if (!buf)
		return writer_fail(w, "out of memory (a stream buffer of %zu bytes)", cap);
	w->buf = buf;
	w->cap = cap;
	return 0;
}

/* Writes the n buffers of iov in order (consuming iov), as few syscalls as the fd allows. */
static int write_all(struct mvs_writer *w, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t k = writev(w->fd, iov, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = w->fd, .events = POLLOUT };
			poll(&pfd, 1, -1);
			continue;
		}
		if (k < 0) {
			if (errno == EPIPE)
				w->broken_pipe = true;
			return writer_fail(w, "cannot write the stream at byte %" PRIu64 ": %s", w->written,
					   strerror(errno));
		}
		w->written += (uint64_t)k;
		size_t done = (size_t)k;
		while (n > 0 && done >= iov->iov_len) {
			done -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + done;
			iov->iov_len -= done;
		}
	}
	return 0;
}

/* Writes out every complete frame in the buffer (not an open rows frame), followed by the extra
 * bytes (n_extra may be 0). */
static int writer_drain_and(struct mvs_writer *w, const unsigned char *extra, size_t n_extra)
{
	size_t n = w->frame_open ? w->frame_start : w->len;
	struct iovec iov[2] = { { w->buf, n }, { (void *)extra, n_extra } };

	if (n + n_extra == 0)
		return 0;
	if (write_all(w, iov, 2) != 0)
		return -1;
	memmove(w->buf, w->buf + n, w->len - n);
	w->len -= n;
	if (w->frame_open)
		w->frame_start = 0;
	return 0;
}

static int writer_drain(struct mvs_writer *w)
{
	return writer_drain_and(w, NULL, 0);
}

/* Appends a whole frame; hashed unless it is the trailer or an abort. */
static int writer_frame(struct mvs_writer *w, char kind, const unsigned char *payload, size_t n,
			bool hashed)
{
	if (n > MVS_FRAME_MAX)
		return writer_fail(w, "a '%c' frame of %zu bytes exceeds the %u-byte frame limit", kind, n,
				   MVS_FRAME_MAX);
	if (writer_reserve(w, FRAME_HDR + n) != 0)
		return -1;
	unsigned char *p = w->buf + w->len;
	p[0] = (unsigned char)kind;
	put_le32(p + 1, (uint32_t)n);
	memcpy(p + FRAME_HDR, payload, n);
	if (hashed)
		XXH3_64bits_update(w->hash, p, FRAME_HDR + n);
	w->len += FRAME_HDR + n;
	return 0;
}

/* Closes the open rows frame: patches its length and count, hashes it. */
static void writer_close_rows(struct mvs_writer *w)
{
	if (!w->frame_open)
		return;
	unsigned char *p = w->buf + w->frame_start;
	size_t n = w->len - w->frame_start;
	put_le32(p + 1, (uint32_t)(n - FRAME_HDR));
	put_le32(p + FRAME_HDR, w->frame_rows);
	XXH3_64bits_update(w->hash, p, n);
	w->frame_open = false;
}

static int writer_usable(struct mvs_writer *w, bool need_unit)
{
	if (w->failed)
		return -1;
	if (w->row_open)
		return writer_fail(w, "internal error: row %" PRIu64 " was begun and not ended",
				   w->unit_rows + 1);
	if (need_unit && !w->in_unit)
		return writer_fail(w, "internal error: stream data outside a unit (no mvs_writer_begin)");
	return 0;
}

int mvs_writer_begin(struct mvs_writer *w, const struct mvs_schema *schema)
{
	struct mvs_schema s = *schema;	/* shallow: only tool/created may be replaced */
	char created[32];
	unsigned char *payload;
	size_t n;
	int rc;

	if (writer_usable(w, false) != 0)
		return -1;
	if (w->in_unit)
		return writer_fail(w, "internal error: a unit begins before the previous one ended");
	if (!s.tool)
		s.tool = w->tool;
	if (!s.created) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
		s.created = created;
	}
	if (mvs_header_encode(&s, &payload, &n) != 0)
		return writer_fail(w, "out of memory (encoding the header)");
	XXH3_64bits_reset(w->hash);
	rc = writer_reserve(w, sizeof stream_magic + 2);
	if (rc == 0) {
		memcpy(w->buf + w->len, stream_magic, sizeof stream_magic);
		w->buf[w->len + 8] = MVS_STREAM_MAJOR;
		w->buf[w->len + 9] = MVS_STREAM_MINOR;
		XXH3_64bits_update(w->hash, w->buf + w->len, 10);
		w->len += 10;
		rc = writer_frame(w, 'H', payload, n, true);
	}
	free(payload);
	if (rc != 0)
		return -1;
	w->in_unit = true;
	w->unit_rows = 0;
	w->width = mvs_schema_row_width(schema);
	mvs_status_unit(w->status, &s);
	/* The header goes out at once, so the next stage can prepare (create the collection)
	 * while the rows are still being fetched. */
	return writer_drain(w);
}

int mvs_writer_partition(struct mvs_writer *w, const char *name)
{
	unsigned char *payload;
	size_t n;
	int rc;

	if (writer_usable(w, true) != 0)
		return -1;
	writer_close_rows(w);
	if (mvs_partition_encode(name, &payload, &n) != 0)
		return writer_fail(w, "out of memory");
	rc = writer_frame(w, 'P', payload, n, true);
	free(payload);
	if (rc == 0)
		mvs_status_partition(w->status, name);
	return rc;
}

int mvs_writer_row(struct mvs_writer *w, const void *row, size_t len)
{
	if (writer_usable(w, true) != 0)
		return -1;
	if (mvs_row_measure(row, len, w->width) != len)
		return writer_fail(w, "internal error: row %" PRIu64 " is not one msgpack array of %zu "
				   "values", w->unit_rows + 1, w->width);
	if (mvs_writer_row_begin(w) != 0 || mvs_writer_row_append(w, row, len) != 0)
		return -1;
	return mvs_writer_row_end(w);
}

/* Opens a rows frame at the end of the buffer; its length and row count are patched at close. */
static int writer_open_rows(struct mvs_writer *w)
{
	if (writer_reserve(w, FRAME_HDR + 4) != 0)
		return -1;
	w->frame_start = w->len;
	w->buf[w->len] = 'R';
	w->len += FRAME_HDR + 4;
	w->frame_open = true;
	w->frame_rows = 0;
	return 0;
}

int mvs_writer_row_begin(struct mvs_writer *w)
{
	if (writer_usable(w, true) != 0)
		return -1;
	if (!w->frame_open && writer_open_rows(w) != 0)
		return -1;
	w->row_open = true;
	w->row_len = 0;
	return 0;
}

int mvs_writer_row_append(void *data, const char *bytes, size_t n)
{
	struct mvs_writer *w = data;

	if (w->failed)
		return -1;
	if (!w->row_open)
		return writer_fail(w, "internal error: row bytes outside a row (no mvs_writer_row_begin)");
	if (writer_reserve(w, w->row_len + n) != 0)
		return -1;
	memcpy(w->buf + w->len + w->row_len, bytes, n);
	w->row_len += n;
	return 0;
}

void mvs_writer_row_cancel(struct mvs_writer *w)
{
	w->row_open = false;
}

int mvs_writer_row_end(struct mvs_writer *w)
{
	size_t len = w->row_len;

	if (w->failed)
		return -1;
	if (!w->row_open)
		return writer_fail(w, "internal error: a row ends that was not begun");
	w->row_open = false;
	if (len > MVS_FRAME_MAX - 4)
		return writer_fail(w, "row %" PRIu64 " of %zu bytes exceeds the %u-byte frame limit",
				   w->unit_rows + 1, len, MVS_FRAME_MAX);
	if (w->frame_rows > 0 && w->len - w->frame_start - FRAME_HDR + len > MVS_FRAME_MAX) {
		/* The row does not fit the frame: close the frame before it, and move the row behind
		 * the header of a new one. */
		writer_close_rows(w);
		if (writer_reserve(w, FRAME_HDR + 4 + len) != 0)
			return -1;
		memmove(w->buf + w->len + FRAME_HDR + 4, w->buf + w->len, len);
		writer_open_rows(w);
	}
	mvs_status_row(w->status, w->buf + w->len, len);
	w->len += len;
	w->frame_rows++;
	w->unit_rows++;
	if (w->len - w->frame_start - FRAME_HDR >= ROWS_FLUSH) {
		writer_close_rows(w);
		return writer_drain(w);
	}
	return 0;
}

int mvs_writer_rows_frame(struct mvs_writer *w, const unsigned char *rows, size_t len, uint32_t count)
{
	if (writer_usable(w, true) != 0)
		return -1;
	if (len > MVS_FRAME_MAX - 4)
		return writer_fail(w, "a rows frame of %zu bytes exceeds the %u-byte frame limit", len + 4,
				   MVS_FRAME_MAX);
	writer_close_rows(w);
	if (writer_reserve(w, FRAME_HDR + 4) != 0)
		return -1;
	unsigned char *p = w->buf + w->len;
	p[0] = 'R';
	put_le32(p + 1, (uint32_t)(len + 4));
	put_le32(p + FRAME_HDR, count);
	XXH3_64bits_update(w->hash, p, FRAME_HDR + 4);
	XXH3_64bits_update(w->hash, rows, len);
	w->len += FRAME_HDR + 4;
	w->unit_rows += count;
	for (size_t off = 0; w->status && off < len;) {
		size_t n = mvs_row_measure(rows + off, len - off, w->width);
		if (n == 0)
			break;
		mvs_status_row(w->status, rows + off, n);
		off += n;
	}
	/* the buffered frames and this frame's header, then its rows from where they are */
	return writer_drain_and(w, rows, len);
}

int mvs_writer_end(struct mvs_writer *w)
{
	unsigned char *payload;
	size_t n;
	int rc;

	if (writer_usable(w, true) != 0)
		return -1;
	writer_close_rows(w);
	if (mvs_trailer_encode(w->unit_rows, XXH3_64bits_digest(w->hash), &payload, &n) != 0)
		return writer_fail(w, "out of memory");
	rc = writer_frame(w, 'T', payload, n, false);
	free(payload);
	if (rc != 0)
		return -1;
	w->in_unit = false;
	rc = writer_drain(w);
	if (rc == 0)
		mvs_status_unit_end(w->status);
	return rc;
}

void mvs_writer_set_status(struct mvs_writer *w, struct mvs_status *status)
{
	w->status = status;
}

void mvs_writer_abort(struct mvs_writer *w, const char *fmt, ...)
{
	char message[4096];
	unsigned char *payload;
	size_t n;
	va_list ap;

	if (w->failed)
		return;
	w->row_open = false;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	if (w->in_unit) {
		writer_close_rows(w);
	} else {
		/* No header yet: a bare unit of magic, version and the abort frame still tells the
		 * next stage what happened. */
		if (writer_reserve(w, sizeof stream_magic + 2) != 0)
			return;
		memcpy(w->buf + w->len, stream_magic, sizeof stream_magic);
		w->buf[w->len + 8] = MVS_STREAM_MAJOR;
		w->buf[w->len + 9] = MVS_STREAM_MINOR;
		w->len += 10;
	}
	w->in_unit = false;
	if (mvs_abort_encode(w->tool, message, &payload, &n) != 0)
		return;
	if (writer_frame(w, 'A', payload, n, false) == 0)
		writer_drain(w);
	free(payload);
}

int mvs_writer_flush(struct mvs_writer *w)
{
	if (w->failed)
		return -1;
	writer_close_rows(w);
	return writer_drain(w);
}

uint64_t mvs_writer_rows(const struct mvs_writer *w)
{
	return w->unit_rows;
}

uint64_t mvs_writer_bytes(const struct mvs_writer *w)
{
	return w->written + w->len;
}

const char *mvs_writer_error(const struct mvs_writer *w)
{
	return w->err[0] ? w->err : "no error";
}

bool mvs_writer_broken_pipe(const struct mvs_writer *w)
{
	return w->broken_pipe;
}

/* ======== reading ======== */

enum reader_state {
	RS_MAGIC,	/* a unit (or the clean end of input) comes next */
	RS_HEADER,	/* after magic and version: the header frame comes next */
	RS_FRAMES,	/* inside a unit, between frames */
	RS_ROWS,	/* inside a rows frame */
	RS_ERROR,
};

#define READ_BUF_INITIAL (8u << 20)

struct mvs_reader {
	int fd;
	char *prefix;		/* "NAME: " for files, "" for stdin */
	unsigned char *buf;	/* [pos, end) unread input; buf[0] is at stream offset base */
	size_t pos, end, cap;
	uint64_t base;
	bool eof;
	enum reader_state state;
	XXH3_state_t *hash;
	uint64_t units;		/* units started; the current one is units - 1 */
	uint64_t unit_rows;	/* rows read in the current unit */
	struct mvs_schema schema;
	size_t width;
	char *partition;
	/* the current rows frame */
	const unsigned char *rows_start, *rows_p, *rows_end;
	uint32_t rows_count, rows_left;
	uint64_t frame_offset;
	char err[640];
	int exit_code;
	struct mvs_status *status;	/* hears the units, partitions and rows read; NULL: none */
};

static int reader_fail(struct mvs_reader *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int reader_fail(struct mvs_reader *r, int code, const char *fmt, ...)
{
	char what[sizeof r->err - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof r->err, "%s%s", r->prefix, what);
	r->exit_code = code;
	r->state = RS_ERROR;
	return MVS_ITEM_ERROR;
}

struct mvs_reader *mvs_reader_new(int fd, const char *name)
{
	struct mvs_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->fd = fd;
	grow_pipe(fd);
	r->cap = READ_BUF_INITIAL;
	r->buf = malloc(r->cap);
	r->hash = XXH3_createState();
	if (name && strcmp(name, "-") != 0) {
		size_t n = strlen(name) + 3;
		r->prefix = malloc(n);
		if (r->prefix)
			snprintf(r->prefix, n, "%s: ", name);
	} else {
		r->prefix = strdup("");
	}
	if (!r->buf || !r->hash || !r->prefix) {
		mvs_reader_free(r);
		return NULL;
	}
	return r;
}

void mvs_reader_free(struct mvs_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->prefix);
	free(r->partition);
	if (r->hash)
		XXH3_freeState(r->hash);
	mvs_schema_free(&r->schema);
	free(r);
}

static uint64_t at(const struct mvs_reader *r)	/* stream offset of the next unread byte */
{
	return r->base + r->pos;
}

static uint64_t unit_no(const struct mvs_reader *r)	/* 1-based, for messages */
{
	return r->units;
}

/* Makes at least need bytes available at buf + pos. Returns 1, 0 at EOF with fewer (they stay
 * available), or -1 after a read error (reported). */
static int reader_fill(struct mvs_reader *r, size_t need)
{
	if (r->end - r->pos >= need)
		return 1;
	if (r->cap - r->pos < need) {
		/* Move the partial frame to the front, growing the buffer if a frame needs it. */
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->base += r->pos;
		r->end -= r->pos;
		r->pos = 0;
		if (r->cap < need) {
			unsigned char *buf = realloc(r->buf, need);
			if (!buf) {
				reader_fail(r, MVS_EXIT_IO, "out of memory (a frame of %zu bytes)", need);
				return -1;
			}
			r->buf = buf;
			r->cap = need;
		}
	}
	while (r->end - r->pos < need && !r->eof) {
		ssize_t k = read(r->fd, r->buf + r->end, r->cap - r->end);

		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
			if (poll(&pfd, 1, -1) >= 0)
				continue;
		}
		if (k < 0 && errno == EINTR && mvs_interrupted()) {
			/* a tool that catches Ctrl-C (mvs_interrupt.h) stops reading here */
			reader_fail(r, 128 + mvs_interrupted(), "interrupted by %s at byte %" PRIu64,
				    mvs_interrupt_name(mvs_interrupted()), r->base + r->end);
			return -1;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			reader_fail(r, MVS_EXIT_IO, "read error at byte %" PRIu64 ": %s", r->base + r->end,
				    strerror(errno));
			return -1;
		}
		if (k == 0)
			r->eof = true;
		r->end += (size_t)k;
	}
	return r->end - r->pos >= need;
}

static const char *frame_name(unsigned char kind)
{
	switch (kind) {
	case 'H': return "header frame";
	case 'P': return "partition frame";
	case 'R': return "rows frame";
	case 'T': return "trailer frame";
	case 'A': return "abort frame";
	default: return "ancillary frame";
	}
}

/* The compressed formats people pipe in by mistake, by their magic bytes, with the tool that opens
 * them; NULL for anything else. */
static const char *compressed_as(const unsigned char *p, size_t n, const char **tool)
{
	static const struct {
		const char *magic, *name, *tool;
		size_t len;
	} formats[] = {
		{ "\x1f\x8b", "gzip", "zcat", 2 },
		{ "\x28\xb5\x2f\xfd", "zstd", "zstdcat", 4 },
		{ "\xfd" "7zXZ\x00", "xz", "xzcat", 6 },
		{ "BZh", "bzip2", "bzcat", 3 },
		{ "\x04\x22\x4d\x18", "lz4", "lz4cat", 4 },
	};

	for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
		if (n >= formats[i].len && memcmp(p, formats[i].magic, formats[i].len) == 0) {
			*tool = formats[i].tool;
			return formats[i].name;
		}
	return NULL;
}

/* Starts a unit: magic and version, or the clean end of input. */
static int read_unit_start(struct mvs_reader *r, struct mvs_item *item)
{
	int got = reader_fill(r, sizeof stream_magic + 2);
	size_t avail = r->end - r->pos;
	size_t cmp = avail < sizeof stream_magic ? avail : sizeof stream_magic;

	if (got < 0)
		return MVS_ITEM_ERROR;
	if (avail == 0) {
		if (r->units == 0)
			return reader_fail(r, MVS_EXIT_STREAM, "empty input: not an mvs stream");
		item->kind = MVS_ITEM_EOF;
		return MVS_ITEM_EOF;
	}
	if (memcmp(r->buf + r->pos, stream_magic, cmp) != 0) {
		const char *tool, *format = compressed_as(r->buf + r->pos, avail, &tool);
		if (r->units == 0 && format)
			return reader_fail(r, MVS_EXIT_STREAM, "not an mvs stream but %s-compressed data: "
					   "decompress it first (%s FILE | ...)", format, tool);
		if (r->units == 0)
			return reader_fail(r, MVS_EXIT_STREAM, "not an mvs stream (bad magic at byte 0)");
		return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: unexpected bytes at byte %" PRIu64
				   " after the trailer of unit %" PRIu64 " (not the magic of a new unit)",
				   at(r), unit_no(r));
	}
	if (!got)
		return reader_fail(r, MVS_EXIT_STREAM, "truncated stream: EOF at byte %" PRIu64
				   " inside the magic and version of unit %" PRIu64, r->base + r->end,
				   r->units + 1);
	unsigned major = r->buf[r->pos + 8], minor = r->buf[r->pos + 9];
	if (major != MVS_STREAM_MAJOR)
		return reader_fail(r, MVS_EXIT_STREAM, "unsupported mvs stream version %u.%u (this reader "
				   "supports %u.x) at byte %" PRIu64, major, minor, MVS_STREAM_MAJOR,
				   at(r) + 8);
	XXH3_64bits_reset(r->hash);
	XXH3_64bits_update(r->hash, r->buf + r->pos, 10);
	r->pos += 10;
	r->units++;
	r->unit_rows = 0;
	free(r->partition);
	r->partition = NULL;
	r->state = RS_HEADER;
	return -1;	/* nothing to hand out yet: go on with the header frame */
}

static int read_abort(struct mvs_reader *r, const unsigned char *p, size_t n)
{
	char *tool = NULL, *message = NULL, why[200];
	int rc;

	if (mvs_abort_decode(p, n, &tool, &message, why, sizeof why) != 0)
		rc = reader_fail(r, MVS_EXIT_UPSTREAM, "upstream failed (its abort frame at byte %" PRIu64
				 " is unreadable: %s)", r->frame_offset, why);
	else
		rc = reader_fail(r, MVS_EXIT_UPSTREAM, "upstream failed: %s: %s",
				 tool ? tool : "an earlier stage", message ? message : "(no message)");
	free(tool);
	free(message);
	return rc;
}

static int read_trailer(struct mvs_reader *r, const unsigned char *p, size_t n, struct mvs_item *item)
{
	uint64_t rows, checksum, computed = XXH3_64bits_digest(r->hash);
	char why[200];

	if (mvs_trailer_decode(p, n, &rows, &checksum, why, sizeof why) != 0)
		return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: bad trailer of unit %" PRIu64
				   " at byte %" PRIu64 ": %s", unit_no(r), r->frame_offset, why);
	if (checksum != computed)
		return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: checksum mismatch in unit %" PRIu64
				   " (trailer at byte %" PRIu64 " says %016" PRIx64 ", the data hashes to %016"
				   PRIx64 ")", unit_no(r), r->frame_offset, checksum, computed);
	if (rows != r->unit_rows)
		return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: the trailer of unit %" PRIu64
				   " at byte %" PRIu64 " counts %" PRIu64 " rows, the unit holds %" PRIu64,
				   unit_no(r), r->frame_offset, rows, r->unit_rows);
	item->kind = MVS_ITEM_TRAILER;
	item->unit_rows = rows;
	r->state = RS_MAGIC;
	return MVS_ITEM_TRAILER;
}

/* Reads the next frame and acts on it. Returns an item kind, or -1 when the frame yields none
 * (ancillary frames; the start of a rows frame). */
static int read_frame(struct mvs_reader *r, struct mvs_item *item)
{
	int got = reader_fill(r, FRAME_HDR);
	char why[400];

	if (got < 0)
		return MVS_ITEM_ERROR;
	r->frame_offset = at(r);
	if (!got) {
		if (r->end == r->pos)
			return reader_fail(r, MVS_EXIT_STREAM, "truncated stream: EOF at byte %" PRIu64
					   " before the trailer of unit %" PRIu64 " (%" PRIu64 " rows read)",
					   at(r), unit_no(r), r->unit_rows);
		return reader_fail(r, MVS_EXIT_STREAM, "truncated stream: EOF inside a frame header at "
				   "byte %" PRIu64 " (unit %" PRIu64 ", frame at byte %" PRIu64 ")",
				   r->base + r->end, unit_no(r), r->frame_offset);
	}
	unsigned char kind = r->buf[r->pos];
	uint32_t len = get_le32(r->buf + r->pos + 1);
	bool known = kind == 'H' || kind == 'P' || kind == 'R' || kind == 'T' || kind == 'A';
	bool ancillary = kind >= 'a' && kind <= 'z';

	if (!known && !ancillary)
		return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: unknown frame kind 0x%02x at byte %"
				   PRIu64 " (unit %" PRIu64 ")", kind, r->frame_offset, unit_no(r));
	if (len > MVS_FRAME_MAX)
		return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: %s at byte %" PRIu64 " claims %"
				   PRIu32 " bytes, over the %u-byte limit (unit %" PRIu64 ")",
				   frame_name(kind), r->frame_offset, len, MVS_FRAME_MAX, unit_no(r));
	if (r->state == RS_HEADER && kind != 'H' && kind != 'A')
		return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: expected the header frame at byte %"
				   PRIu64 ", found a %s (unit %" PRIu64 ")", r->frame_offset,
				   frame_name(kind), unit_no(r));
	if (r->state != RS_HEADER && kind == 'H')
		return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: a second header frame at byte %"
				   PRIu64 " (unit %" PRIu64 ")", r->frame_offset, unit_no(r));
	got = reader_fill(r, FRAME_HDR + (size_t)len);
	if (got < 0)
		return MVS_ITEM_ERROR;
	if (!got)
		return reader_fail(r, MVS_EXIT_STREAM, "truncated stream: EOF inside a%s %s at byte %"
				   PRIu64 " (unit %" PRIu64 ", frame at byte %" PRIu64 ", %" PRIu32
				   " bytes long)", kind == 'A' ? "n" : "", frame_name(kind),
				   r->base + r->end, unit_no(r), r->frame_offset, FRAME_HDR + len);

	const unsigned char *frame = r->buf + r->pos, *p = frame + FRAME_HDR;
	r->pos += FRAME_HDR + (size_t)len;
	if (kind == 'A')
		return read_abort(r, p, len);
	if (kind == 'T')
		return read_trailer(r, p, len, item);
	XXH3_64bits_update(r->hash, frame, FRAME_HDR + (size_t)len);

	switch (kind) {
	case 'H':
		mvs_schema_free(&r->schema);
		if (mvs_header_decode(p, len, &r->schema, why, sizeof why) != 0)
			return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: bad header in unit %" PRIu64
					   " at byte %" PRIu64 ": %s", unit_no(r), r->frame_offset, why);
		r->width = mvs_schema_row_width(&r->schema);
		r->state = RS_FRAMES;
		item->kind = MVS_ITEM_HEADER;
		return MVS_ITEM_HEADER;
	case 'P':
		free(r->partition);
		if (mvs_partition_decode(p, len, &r->partition, why, sizeof why) != 0)
			return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: bad partition frame at byte %"
					   PRIu64 " (unit %" PRIu64 "): %s", r->frame_offset, unit_no(r), why);
		item->kind = MVS_ITEM_PARTITION;
		return MVS_ITEM_PARTITION;
	case 'R':
		if (len < 4)
			return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: rows frame at byte %" PRIu64
					   " is too short for its row count (unit %" PRIu64 ")", r->frame_offset,
					   unit_no(r));
		r->rows_count = r->rows_left = get_le32(p);
		r->rows_start = r->rows_p = p + 4;
		r->rows_end = p + len;
		r->state = RS_ROWS;
		return -1;
	default:
		return -1;	/* ancillary: hashed above, otherwise skipped */
	}
}

/* Hands out the next row of the current rows frame. */
static int read_row(struct mvs_reader *r, struct mvs_item *item)
{
	size_t avail = (size_t)(r->rows_end - r->rows_p);

	if (r->rows_left == 0) {
		if (avail != 0)
			return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: %zu stray bytes after the last "
					   "row of the rows frame at byte %" PRIu64 " (unit %" PRIu64 ")", avail,
					   r->frame_offset, unit_no(r));
		r->state = RS_FRAMES;
		return -1;
	}
	size_t n = mvs_row_measure(r->rows_p, avail, r->width);
	if (n == 0)
		return reader_fail(r, MVS_EXIT_STREAM, "corrupt stream: row %" PRIu64 " of unit %" PRIu64
				   " at byte %" PRIu64 " is not one msgpack array of %zu values (rows frame "
				   "at byte %" PRIu64 ")", r->unit_rows + 1, unit_no(r),
				   r->base + (uint64_t)(r->rows_p - r->buf), r->width, r->frame_offset);
	item->kind = MVS_ITEM_ROW;
	item->row = r->rows_p;
	item->row_len = n;
	r->rows_p += n;
	r->rows_left--;
	r->unit_rows++;
	if (r->rows_left == 0 && r->rows_p == r->rows_end) {
		item->frame_rows = r->rows_start;
		item->frame_rows_len = (size_t)(r->rows_end - r->rows_start);
		item->frame_row_count = r->rows_count;
	}
	return MVS_ITEM_ROW;
}

int mvs_reader_next(struct mvs_reader *r, struct mvs_item *item)
{
	int kind = -1;

	*item = (struct mvs_item){ .kind = MVS_ITEM_ERROR };
	while (kind < 0) {
		switch (r->state) {
		case RS_MAGIC:
			kind = read_unit_start(r, item);
			break;
		case RS_HEADER:
		case RS_FRAMES:
			kind = read_frame(r, item);
			break;
		case RS_ROWS:
			kind = read_row(r, item);
			break;
		case RS_ERROR:
			kind = MVS_ITEM_ERROR;
			break;
		}
	}
	item->kind = kind;
	item->schema = r->units ? &r->schema : NULL;
	item->partition = r->partition;
	item->unit_index = r->units ? r->units - 1 : 0;
	switch (kind) {
	case MVS_ITEM_HEADER: mvs_status_unit(r->status, &r->schema); break;
	case MVS_ITEM_PARTITION: mvs_status_partition(r->status, r->partition); break;
	case MVS_ITEM_ROW: mvs_status_row(r->status, item->row, item->row_len); break;
	case MVS_ITEM_TRAILER: mvs_status_unit_end(r->status); break;
	default: break;
	}
	return kind;
}

void mvs_reader_set_status(struct mvs_reader *r, struct mvs_status *status)
{
	r->status = status;
}

const char *mvs_reader_error(const struct mvs_reader *r)
{
	return r->err[0] ? r->err : "no error";
}

int mvs_reader_exit_code(const struct mvs_reader *r)
{
	return r->state == RS_ERROR ? r->exit_code : MVS_EXIT_OK;
}

uint64_t mvs_reader_offset(const struct mvs_reader *r)
{
	return at(r);
}
