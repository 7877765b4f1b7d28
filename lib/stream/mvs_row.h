/* Rows of a stream as msgpack arrays: measuring values and splitting a row into them without decoding
 * (for fast field selection). Whether the values fit their fields is mvs_check.h's. */
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

/* The byte length of the encoded row at p (rows lie back to back in a rows frame): one msgpack array
 * of exactly width values; 0 when the bytes there are not one. Framing only, values unchecked. */
size_t mvs_row_measure(const unsigned char *p, size_t len, size_t width);

#endif
