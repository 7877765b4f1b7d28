/* One scalar value in the row encoding of man/mvs-stream.5 (bool, integer, float32, float64, str), as
 * C values: for the places outside lib/stream that meet single values, such as field default values
 * travelling between a stream header and a Milvus schema. */
#ifndef MVS_SCALAR_H
#define MVS_SCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mvs_scalar_kind { MVS_SCALAR_BOOL, MVS_SCALAR_INT, MVS_SCALAR_F32, MVS_SCALAR_F64, MVS_SCALAR_STR };

struct mvs_scalar {
	enum mvs_scalar_kind kind;
	bool b;
	int64_t i;
	uint64_t bits;			/* F32 (low 32) and F64: the IEEE bits, exactly */
	const unsigned char *s;		/* STR: the bytes (any, U+0000 included) */
	size_t len;
};

/* Encodes v as one msgpack value into a new buffer (*out, malloc'd, *outlen bytes). Returns 0, or -1
 * when out of memory. */
int mvs_scalar_encode(const struct mvs_scalar *v, unsigned char **out, size_t *outlen);

/* Decodes the one msgpack value that fills p[0..len) (a str points into p). Returns 0, or -1 when the
 * bytes are not exactly one scalar (an integer above INT64_MAX is not one). */
int mvs_scalar_decode(const unsigned char *p, size_t len, struct mvs_scalar *v);

#endif
