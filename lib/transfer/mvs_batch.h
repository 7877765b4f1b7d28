/* Import: stream rows -> the FieldData columns of an InsertRequest/UpsertRequest. Rows are decoded
 * and checked into per-column buffers, and the columns can be built for any row range of the batch
 * (so a request the server finds too large can be split), in memory bounded by one batch. */
#ifndef MVS_BATCH_H
#define MVS_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_schema.h"
#include "schema.pb-c.h"

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
 * checked against its field by mvs_value_check (mvs_check.h), the same check as mvs-cat --verify and
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
