/* The one validator: whether a value fits its field (type, range, NaN/Inf, UTF-8, max_length in bytes,
 * JSON text, array capacity, dim, nullable), a row its schema, and a schema what Milvus can hold.
 * mvs-cat --verify and mvs-map call mvs_row_check, mvs-import's mvs_batch_add_row calls
 * mvs_value_check_next, and every header is checked with mvs_schema_validate, so all tools accept and
 * refuse the same streams (tests/unit/test_validator_agree.c and tests/fuzz/fuzz_agree.c hold them to
 * it). The encoding table is in man/mvs-stream.5 and lib/common/mvs_types.c. */
#ifndef MVS_CHECK_H
#define MVS_CHECK_H

#include <stddef.h>

#include "mvs_schema.h"

/* Checks the schema is one Milvus can hold: a primary key, at least one vector field, known types,
 * dims and lengths present where needed. On failure writes a message naming the field into err. */
int mvs_schema_validate(const struct mvs_schema *schema, char *err, size_t errlen);

/* Checks every value of the row against the schema's row fields. Returns 0, or -1 with a message
 * naming the field and what was wrong ("field \"v\": vector of 512 bytes, dim 128 needs 512...") */
int mvs_row_check(const struct mvs_schema *schema, const unsigned char *row, size_t len,
		  char *err, size_t errlen);

/* Checks one value (its msgpack bytes) against a field; same contract as mvs_row_check. */
int mvs_value_check(const struct mvs_field *field, const unsigned char *value, size_t len,
		    char *err, size_t errlen);

/* The same check for the value at the start of p (at most avail bytes, the rest of a row): sets *n
 * to its length and returns 0, or -1 with a message as above (*n 0 when the bytes there are not
 * one well-formed value). For callers walking a row value by value (mvs_batch_add_row), so that a
 * value is measured once. */
int mvs_value_check_next(const struct mvs_field *field, const unsigned char *p, size_t avail,
			 size_t *n, char *err, size_t errlen);

/* The layout of one sparse vector row: 8-byte (uint32 LE index, float32 LE value) pairs, indices
 * strictly increasing and below 4294967295 (Milvus reserves it). Returns 0, or -1 with why. Export
 * checks the server's rows with it, the value check above the stream's. */
int mvs_sparse_check(const unsigned char *p, size_t n, char *why, size_t whylen);

#endif
