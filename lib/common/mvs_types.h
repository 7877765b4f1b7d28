/* The Milvus data types as mvs knows them: one table (mvs_types.c) that every module asks about names,
 * numbers, vector widths and the stream encoding of each type. The numbers are Milvus's
 * schema.DataType values, so they pass to and from the wire unchanged. */
#ifndef MVS_TYPES_H
#define MVS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mvs_type {
	MVS_T_NONE = 0,
	MVS_T_BOOL = 1,
	MVS_T_INT8 = 2,
	MVS_T_INT16 = 3,
	MVS_T_INT32 = 4,
	MVS_T_INT64 = 5,
	MVS_T_FLOAT = 10,
	MVS_T_DOUBLE = 11,
	MVS_T_STRING = 20,
	MVS_T_VARCHAR = 21,
	MVS_T_ARRAY = 22,
	MVS_T_JSON = 23,
	MVS_T_GEOMETRY = 24,
	MVS_T_TEXT = 25,
	MVS_T_TIMESTAMPTZ = 26,
	MVS_T_BINARY_VECTOR = 100,
	MVS_T_FLOAT_VECTOR = 101,
	MVS_T_FLOAT16_VECTOR = 102,
	MVS_T_BFLOAT16_VECTOR = 103,
	MVS_T_SPARSE_FLOAT_VECTOR = 104,
	MVS_T_INT8_VECTOR = 105,
};

/* How a value of the type is encoded in a stream row (man/mvs-stream.5, "Values"). */
enum mvs_encoding {
	MVS_ENC_UNSUPPORTED = 0,
	MVS_ENC_BOOL,	/* msgpack bool */
	MVS_ENC_INT,	/* msgpack int, range-checked against the type */
	MVS_ENC_FLOAT32,	/* msgpack float32 */
	MVS_ENC_FLOAT64,	/* msgpack float64 */
	MVS_ENC_STR,	/* msgpack str (UTF-8); JSON as its exact text, Geometry as WKT */
	MVS_ENC_ARRAY,	/* msgpack array of the element type's encoding */
	MVS_ENC_VECTOR_BIN,	/* msgpack bin: fixed bytes per row (dense vectors) */
	MVS_ENC_SPARSE_BIN,	/* msgpack bin: (uint32 LE index, float32 LE value) pairs */
};

struct mvs_type_info {
	enum mvs_type type;
	const char *name;	/* Milvus's name: "FloatVector", "VarChar", ... */
	enum mvs_encoding encoding;
	bool is_vector;
	/* Dense vectors: bytes per row = dim * num / den (BinaryVector: dim/8). 0 otherwise. */
	unsigned bytes_num, bytes_den;
};

/* NULL for a type mvs does not know. */
const struct mvs_type_info *mvs_type_info(int type);
/* Looks a type up by its Milvus name (case-insensitive); NULL when unknown. */
const struct mvs_type_info *mvs_type_by_name(const char *name);
/* The name, or "DataType(N)" in a static buffer for unknown numbers: always printable. */
const char *mvs_type_name(int type);
/* Whether v is in the range of the integer type (Int8, Int16, Int32; any other type: true). */
bool mvs_int_fits(int type, int64_t v);

/* Bytes one dense vector row holds for this dim; 0 if not a dense vector or dim is invalid. */
size_t mvs_vector_row_bytes(int type, int64_t dim);

#endif
