/* What the two column converters (mvs_page.c: pages -> rows, mvs_batch.c: rows -> columns) share about
 * Milvus's FieldData: short names for its messages, the dynamic field's name, and the little-endian
 * host they need (vector and float bytes pass between protobuf arrays and msgpack bin values unchanged;
 * both are little-endian only on a little-endian host). */
#ifndef MVS_FIELDDATA_H
#define MVS_FIELDDATA_H

#include <stdint.h>

#include "schema.pb-c.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "mvs's column conversion assumes a little-endian host"
#endif

#define DYNAMIC_NAME "$meta"

typedef Milvus__Proto__Schema__FieldData FieldData;
typedef Milvus__Proto__Schema__ScalarField ScalarField;
typedef Milvus__Proto__Schema__VectorField VectorField;

/* The little-endian uint32 at p (a sparse vector's index). */
static inline uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
