/* Rows of a stream as msgpack arrays: splitting a row into its values without decoding them (for
 * fast field selection) and checking each value against its field (type, range, vector length,
 * nullability). The encoding table is in man/mvs-stream.5 and lib/mvs_types.c. The value check here
 * is the only one: mvs-cat --verify and mvs-map call mvs_row_check, mvs-import's mvs_batch_add_row
 * calls mvs_value_check_next, so all of them accept and refuse the same rows
 * (tests/unit/test_validator_agree.c holds them to it). */
#ifndef MVS_ROW_H
#define MVS_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "mvs_schema.h"

struct mvs_span {
	const unsigned char *ptr;
	size_t len;
};

/* Splits one encoded row (a msgpack array) into the byte spans of its width values. Returns 0, or -1
 * when the bytes are not one well-formed array of exactly width elements. */
int mvs_row_split(const unsigned char *row, size_t len, size_t width, struct mvs_span *values);

/* The byte length of the one msgpack value at p (any format, nested arrays and maps included), or 0
 * when the bytes there are not a complete, well-formed value within len. Never reads past len. */
size_t mvs_row_skip_value(const unsigned char *p, size_t len);

/* The byte length of the encoded row at p (rows lie back to back in a rows frame): one msgpack array
 * of exactly width values; 0 when the bytes there are not one. Framing only, values unchecked. */
size_t mvs_row_measure(const unsigned char *p, size_t len, size_t width);

/* Checks every value of the row against the schema's row fields. Returns 0, or -1 with a message
 * naming the field and what was wrong ("field \"v\": vector of 512 bytes, dim 128 needs 512...") */
int mvs_row_check(const struct mvs_schema *schema, const unsigned char *row, size_t len,
		  char *err, size_t errlen);

/* What the msgpack value at v is, from its first byte, for "found ..." messages: "an integer",
 * "a str", "a float64", ...; "nothing" when len is 0. */
const char *mvs_value_kind(const unsigned char *v, size_t len);

/* Checks one value (its msgpack bytes) against a field; same contract as mvs_row_check. */
int mvs_value_check(const struct mvs_field *field, const unsigned char *value, size_t len,
		    char *err, size_t errlen);

/* The same check for the value at the start of p (at most avail bytes, the rest of a row): sets *n
 * to its length and returns 0, or -1 with a message as above (*n 0 when the bytes there are not
 * one well-formed value). For callers walking a row value by value (mvs_batch_add_row), so that a
 * value is measured once. */
int mvs_value_check_next(const struct mvs_field *field, const unsigned char *p, size_t avail,
			 size_t *n, char *err, size_t errlen);

#endif
