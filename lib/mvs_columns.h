/* Conversion between Milvus's columnar FieldData and mvs stream rows, for every data type,
 * bit-exact and in memory bounded by one page or one batch.
 *
 * Export: mvs_columns turns the FieldData columns of one QueryResults page into rows (msgpack
 * arrays of mvs_schema_row_width() values in header order), packed one at a time into a sink, and
 * checks that the page's primary keys increase.
 *
 * Import: mvs_batch decodes and validates rows into per-column buffers and builds the FieldData
 * columns of an InsertRequest/UpsertRequest for any row range of the batch (so a request the server
 * finds too large can be split). */
#ifndef MVS_COLUMNS_H
#define MVS_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_schema.h"
#include "schema.pb-c.h"

/* ---- export: Query result columns -> rows ---- */

/* A primary key value. */
struct mvs_pk {
	bool is_string;
	int64_t i;     /* Int64 keys */
	const char *s; /* VarChar keys: len bytes, which may hold NUL (U+0000), not NUL-terminated;
			* owned by whoever filled it in */
	size_t len;
};

/* Milvus's order of two keys of one kind: numbers, or strings bytewise with a prefix first (UTF-8
 * bytewise is code point order). Returns <0, 0 or >0. */
int mvs_pk_compare(const struct mvs_pk *a, const struct mvs_pk *b);

/* Where rows go: each row is begun, its msgpack bytes are written in order through write (msgpack-c's
 * packer write callback), and it is ended. A non-zero return from begin or end stops the page
 * (mvs_columns_page then returns MVS_COLUMNS_STOPPED); from write, it fails the page as out of
 * memory. A row found bad halfway is begun and never ended: the sink drops it. mvs_writer_row_begin,
 * mvs_writer_row_append and mvs_writer_row_end fit, so rows are packed straight into a stream's
 * frame. */
struct mvs_row_sink {
	int (*begin)(void *ctx);
	int (*write)(void *ctx, const char *bytes, size_t n);
	int (*end)(void *ctx);
	void *ctx;
};

#define MVS_COLUMNS_STOPPED (-2)

struct mvs_columns;

/* A converter for rows of the schema (which must outlive it). NULL when out of memory. */
struct mvs_columns *mvs_columns_new(const struct mvs_schema *schema);

/* Converts one page into rows for the sink: fields are QueryResults.fields_data, in any order,
 * matched to the schema's row fields by field_name ("$meta" also by is_dynamic); columns of other
 * names are ignored. Nullable columns may come full-length with placeholders (scalars) or compact
 * (vectors), both with valid_data; a missing nullable column gives nil. Primary keys must increase strictly within the
 * page. row_base is the number of rows before this page, for messages ("field "v", row 1041: ...";
 * rows count from 1). Returns 0 and sets *rows, -1 with a message in err when the page is malformed
 * (missing required column, column length, type, vector size, duplicate or out-of-order key...; no
 * row of the page after the bad one was ended, earlier ones were), or MVS_COLUMNS_STOPPED when the
 * sink stopped it. */
int mvs_columns_page(struct mvs_columns *c, Milvus__Proto__Schema__FieldData *const *fields,
		     size_t n_fields, uint64_t row_base, const struct mvs_row_sink *sink, size_t *rows,
		     char *err, size_t errlen);

void mvs_columns_free(struct mvs_columns *c);

/* ---- import: rows -> Insert columns ---- */

struct mvs_batch_options {
	/* Row fields (by name) that are decoded but not sent, e.g. the primary key when the target
	 * generates keys (auto-ID). Names that are not row fields are ignored. */
	const char *const *drop;
	size_t n_drop;
};

struct mvs_batch;

/* A batch builder for rows of the schema (which must outlive it); options may be NULL. NULL when
 * out of memory. */
struct mvs_batch *mvs_batch_new(const struct mvs_schema *schema,
				const struct mvs_batch_options *options);

/* Decodes one row (the msgpack array of a stream row) and appends its values. Every value is
 * checked against its field by mvs_value_check (mvs_row.h), the same check as mvs-cat --verify and
 * mvs-map make, so all three accept and refuse the same rows: msgpack type, integer range, vector
 * byte length against dim, sparse layout, max_length in bytes, Array max_capacity and element
 * types, UTF-8 strings (U+0000 included: Milvus stores it), JSON texts ($meta: an object), nil only
 * for nullable fields. Fields dropped by the options are checked too. On error nothing of the row
 * is kept and err says which field of which row ("row 7, field "v": ...", see
 * mvs_batch_set_row_number). Returns 0 or -1. No
 * allocation in the steady state: buffers grow to the batch's size and are reused. */
int mvs_batch_add_row(struct mvs_batch *b, const unsigned char *row, size_t len, char *err,
		      size_t errlen);

/* Sets the number the next row has in messages. By default rows are numbered 1, 2, ... in the order
 * they are passed to mvs_batch_add_row (rejected ones included); reset does not restart it. */
void mvs_batch_set_row_number(struct mvs_batch *b, uint64_t next);

size_t mvs_batch_rows(const struct mvs_batch *b);
/* An estimate (from above) of the serialized size of the batch's FieldData, to keep requests under
 * the server's 64 MiB receive limit. */
size_t mvs_batch_bytes(const struct mvs_batch *b);

/* Builds one FieldData per sent field for rows [from, to) (0 <= from < to <= rows): nullable fields
 * compact with valid_data; $meta as JSON with is_dynamic; sparse vectors with dim = max index + 1
 * of the range; arrays as ArrayArray with one ScalarField per row. The messages point into the
 * batch's buffers: use them (e.g. pack the InsertRequest, with num_rows = to - from) before the
 * next mvs_batch_add_row, mvs_batch_reset or mvs_batch_free. Several ranges may be built and used
 * at once; each call takes memory from the batch until the next reset. Returns 0, or -1 when out
 * of memory or the range is invalid. */
int mvs_batch_fields(struct mvs_batch *b, size_t from, size_t to,
		     Milvus__Proto__Schema__FieldData ***fields, size_t *n_fields);

/* Empties the batch, keeping its buffers for the next rows. */
void mvs_batch_reset(struct mvs_batch *b);
void mvs_batch_free(struct mvs_batch *b);

#endif
