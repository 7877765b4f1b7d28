/* The one table of Milvus data types (see mvs_types.h). */
#include "mvs_types.h"

#include <stdio.h>
#include <strings.h>

/* Indexed by type number, so that the per-value checks find a type's entry at once; the gaps
 * between the numbers Milvus uses are empty entries (name NULL). */
static const struct mvs_type_info type_table[MVS_T_INT8_VECTOR + 1] = {
	[MVS_T_BOOL] = { MVS_T_BOOL, "Bool", MVS_ENC_BOOL, false, 0, 0 },
	[MVS_T_INT8] = { MVS_T_INT8, "Int8", MVS_ENC_INT, false, 0, 0 },
	[MVS_T_INT16] = { MVS_T_INT16, "Int16", MVS_ENC_INT, false, 0, 0 },
	[MVS_T_INT32] = { MVS_T_INT32, "Int32", MVS_ENC_INT, false, 0, 0 },
	[MVS_T_INT64] = { MVS_T_INT64, "Int64", MVS_ENC_INT, false, 0, 0 },
	[MVS_T_FLOAT] = { MVS_T_FLOAT, "Float", MVS_ENC_FLOAT32, false, 0, 0 },
	[MVS_T_DOUBLE] = { MVS_T_DOUBLE, "Double", MVS_ENC_FLOAT64, false, 0, 0 },
	[MVS_T_VARCHAR] = { MVS_T_VARCHAR, "VarChar", MVS_ENC_STR, false, 0, 0 },
	[MVS_T_ARRAY] = { MVS_T_ARRAY, "Array", MVS_ENC_ARRAY, false, 0, 0 },
	[MVS_T_JSON] = { MVS_T_JSON, "JSON", MVS_ENC_STR, false, 0, 0 },
	[MVS_T_GEOMETRY] = { MVS_T_GEOMETRY, "Geometry", MVS_ENC_STR, false, 0, 0 },
	[MVS_T_TEXT] = { MVS_T_TEXT, "Text", MVS_ENC_STR, false, 0, 0 },
	[MVS_T_BINARY_VECTOR] = { MVS_T_BINARY_VECTOR, "BinaryVector", MVS_ENC_VECTOR_BIN, true, 1, 8 },
	[MVS_T_FLOAT_VECTOR] = { MVS_T_FLOAT_VECTOR, "FloatVector", MVS_ENC_VECTOR_BIN, true, 4, 1 },
	[MVS_T_FLOAT16_VECTOR] = { MVS_T_FLOAT16_VECTOR, "Float16Vector", MVS_ENC_VECTOR_BIN, true, 2, 1 },
	[MVS_T_BFLOAT16_VECTOR] = { MVS_T_BFLOAT16_VECTOR, "BFloat16Vector", MVS_ENC_VECTOR_BIN, true, 2, 1 },
	[MVS_T_SPARSE_FLOAT_VECTOR] = { MVS_T_SPARSE_FLOAT_VECTOR, "SparseFloatVector", MVS_ENC_SPARSE_BIN, true, 0, 0 },
	[MVS_T_INT8_VECTOR] = { MVS_T_INT8_VECTOR, "Int8Vector", MVS_ENC_VECTOR_BIN, true, 1, 1 },
};

const struct mvs_type_info *mvs_type_info(int type)
{
	if (type < 0 || (size_t)type >= sizeof type_table / sizeof type_table[0] ||
	    !type_table[type].name)
		return NULL;
	return &type_table[type];
}

const struct mvs_type_info *mvs_type_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof type_table / sizeof type_table[0]; i++)
		if (type_table[i].name && strcasecmp(type_table[i].name, name) == 0)
			return &type_table[i];
	return NULL;
}

const char *mvs_type_name(int type)
{
	static _Thread_local char unknown[32];
	const struct mvs_type_info *info = mvs_type_info(type);

	if (info)
		return info->name;
	snprintf(unknown, sizeof unknown, "DataType(%d)", type);
	return unknown;
}

size_t mvs_vector_row_bytes(int type, int64_t dim)
{
	const struct mvs_type_info *info = mvs_type_info(type);

	if (!info || info->encoding != MVS_ENC_VECTOR_BIN || dim <= 0)
		return 0;
	if (info->bytes_den == 8 && dim % 8 != 0)
		return 0;
	return (size_t)dim * info->bytes_num / info->bytes_den;
}

bool mvs_int_fits(int type, int64_t v)
{
	switch (type) {
	case MVS_T_INT8:
		return v >= INT8_MIN && v <= INT8_MAX;
	case MVS_T_INT16:
		return v >= INT16_MIN && v <= INT16_MAX;
	case MVS_T_INT32:
		return v >= INT32_MIN && v <= INT32_MAX;
	default:
		return true;
	}
}
