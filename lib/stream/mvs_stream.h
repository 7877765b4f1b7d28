/* The mvs stream codec: writes and reads the framed, checksummed msgpack row stream specified in
 * man/mvs-stream.5, incrementally and in bounded memory. A stream is one or more units; a unit is
 * magic + version, a header frame (the schema), then partition-marker and row frames, then a trailer
 * (row count + XXH3-64 checksum) or an abort frame. */
#ifndef MVS_STREAM_H
#define MVS_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_schema.h"

#define MVS_STREAM_MAJOR 1
#define MVS_STREAM_MINOR 2
/* No frame payload may exceed this; a reader treats a larger length as corruption. */
#define MVS_FRAME_MAX (64u << 20)

/* ---- writing ---- */

struct mvs_writer;
struct mvs_status;

/* Writes to fd (not closed by the writer). tool names the writer in headers ("mvs-export 0.1.0"). */
struct mvs_writer *mvs_writer_new(int fd, const char *tool);
/* Starts a unit: magic, version, header frame. The schema's tool/created are filled in if NULL. */
int mvs_writer_begin(struct mvs_writer *w, const struct mvs_schema *schema);
/* Rows after this belong to the named partition, until the next marker. */
int mvs_writer_partition(struct mvs_writer *w, const char *name);
/* Appends one row given as the msgpack encoding of an array of mvs_schema_row_width() values, after
 * checking that it is one (not its values: callers that did not build them validate them first). */
int mvs_writer_row(struct mvs_writer *w, const void *row, size_t len);
/* Builds a row in place, without copying it again: mvs_writer_row_begin opens it at the end of the
 * rows frame, mvs_writer_row_append adds bytes to it (its signature is msgpack-c's packer write
 * callback, so a msgpack_packer can pack straight into the frame), and mvs_writer_row_end counts it,
 * or mvs_writer_row_cancel drops it. The caller vouches that the bytes are one msgpack array of the
 * unit's row width with valid values: they are not measured again. No other writer call may come
 * between begin and end (mvs_writer_abort may: it drops the open row). */
int mvs_writer_row_begin(struct mvs_writer *w);
int mvs_writer_row_append(void *w, const char *bytes, size_t n);
int mvs_writer_row_end(struct mvs_writer *w);
void mvs_writer_row_cancel(struct mvs_writer *w);
/* Appends a whole rows frame of count rows given back to back (a reader's item.frame_rows), written
 * out at once straight from rows, without a copy. The caller vouches for the rows as above. */
int mvs_writer_rows_frame(struct mvs_writer *w, const unsigned char *rows, size_t len, uint32_t count);
/* Ends the unit with its trailer and flushes. Another mvs_writer_begin may follow (concatenation). */
int mvs_writer_end(struct mvs_writer *w);
/* Ends the unit with an abort frame carrying the message, and flushes. Best effort: a write error
 * here is ignored, the caller is already failing. */
void mvs_writer_abort(struct mvs_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Writes out everything buffered, closing the current rows frame early (the header is written at
 * once by mvs_writer_begin; rows otherwise go out a ~1 MiB frame at a time). */
int mvs_writer_flush(struct mvs_writer *w);
uint64_t mvs_writer_rows(const struct mvs_writer *w);	/* rows in the current unit */
uint64_t mvs_writer_bytes(const struct mvs_writer *w);	/* bytes written so far, all units */
/* After a -1: the message, and the exit code (MVS_EXIT_IO; EPIPE is reported with
 * mvs_writer_broken_pipe so tools can exit quietly). */
const char *mvs_writer_error(const struct mvs_writer *w);
/* The status channel (mvs_status.h) hears every unit, partition and row written from here on. */
void mvs_writer_set_status(struct mvs_writer *w, struct mvs_status *status);
bool mvs_writer_broken_pipe(const struct mvs_writer *w);
void mvs_writer_free(struct mvs_writer *w);

/* ---- reading ---- */

enum mvs_item_kind {
	MVS_ITEM_EOF = 0,	/* clean end of input after a complete unit (or no input at all: see below) */
	MVS_ITEM_HEADER,	/* a unit starts: item.schema is valid until the next HEADER or free */
	MVS_ITEM_PARTITION,	/* item.partition names the partition of the rows that follow */
	MVS_ITEM_ROW,		/* item.row/row_len: one row's msgpack bytes, valid until the next call */
	MVS_ITEM_TRAILER,	/* the unit ended and its row count and checksum checked out */
	MVS_ITEM_ERROR,		/* see mvs_reader_error / mvs_reader_exit_code; do not call next again */
};

struct mvs_item {
	enum mvs_item_kind kind;
	const struct mvs_schema *schema;
	const char *partition;
	const unsigned char *row;
	size_t row_len;
	/* ROW, on the last row of a rows frame: all the frame's rows back to back, this one included,
	 * valid until the next call (for passing the frame on whole: mvs_writer_rows_frame); else NULL */
	const unsigned char *frame_rows;
	size_t frame_rows_len;
	uint32_t frame_row_count;
	uint64_t unit_rows;	/* TRAILER: rows in the unit */
	uint64_t unit_index;	/* 0-based index of the current unit */
};

struct mvs_reader;

/* Reads from fd; name ("-" or a path) is used in messages. */
struct mvs_reader *mvs_reader_new(int fd, const char *name);
/* Next item. An empty input gives MVS_ITEM_ERROR ("empty input: not an mvs stream"). Rows are
 * checked for framing only; use mvs_row_check for values. */
int mvs_reader_next(struct mvs_reader *r, struct mvs_item *item);
/* After MVS_ITEM_ERROR: a message saying what and where (byte offset, unit, row), and the exit code:
 * MVS_EXIT_STREAM (truncated, corrupt, bad magic, unsupported version), MVS_EXIT_UPSTREAM (an abort
 * frame; the message starts "upstream failed: "), or MVS_EXIT_IO. */
const char *mvs_reader_error(const struct mvs_reader *r);
int mvs_reader_exit_code(const struct mvs_reader *r);
uint64_t mvs_reader_offset(const struct mvs_reader *r);	/* bytes consumed so far */
/* The status channel (mvs_status.h) hears every unit, partition and row read from here on. */
void mvs_reader_set_status(struct mvs_reader *r, struct mvs_status *status);
void mvs_reader_free(struct mvs_reader *r);

#endif
