/* Milvus FieldData columns <-> mvs stream rows (see mvs_columns.h).
 *
 * Export packs rows with msgpack-c into one reused buffer. Import decodes rows with a small
 * msgpack reader of its own (no allocation, exact float bits, precise messages) into per-column
 * buffers; FieldData messages for a row range are then laid over those buffers, with the few
 * pointer arrays protobuf-c needs taken from an arena that is recycled on reset. */
#include "mvs_columns.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "mvs_row.h"
#include "mvs_shard.h"
#include "mvs_types.h"

/* Vector and float bytes pass between msgpack bin values and protobuf arrays unchanged: both are
 * little-endian only on a little-endian host. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "mvs_columns.c assumes a little-endian host"
#endif

#define DYNAMIC_NAME "$meta"

typedef Milvus__Proto__Schema__FieldData FieldData;
typedef Milvus__Proto__Schema__ScalarField ScalarField;
typedef Milvus__Proto__Schema__VectorField VectorField;

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks one sparse row: 8-byte (uint32 LE index, float32 LE value) pairs, indices strictly
 * increasing and below 2^32-1 (Milvus reserves it). */
static int sparse_check(const unsigned char *p, size_t len, char *why, size_t whylen)
{
	if (len % 8 != 0)
		return fail(why, whylen,
			    "sparse vector of %zu bytes is not a sequence of 8-byte pairs", len);
	for (size_t off = 0; off < len; off += 8) {
		uint32_t index = le32(p + off);
		if (index == UINT32_MAX)
			return fail(why, whylen, "sparse vector index 4294967295 is reserved");
		if (off > 0 && index <= le32(p + off - 8))
			return fail(why, whylen,
				    "sparse vector indices not strictly increasing (%" PRIu32
				    " after %" PRIu32 ")",
				    index, le32(p + off - 8));
	}
	return 0;
}

static bool int_fits(int type, int64_t v)
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

/* ================================ export ================================ */

/* One row field's column in the page being converted. */
struct src {
	const struct mvs_field *f;
	const FieldData *fd;             /* NULL: absent (nullable fields: every row nil) */
	const protobuf_c_boolean *valid; /* NULL: every row valid */
	bool compact;                    /* data holds the valid rows only */
	size_t next;                     /* next data index, compact columns */
	const void *data;                /* the typed array of the column's values */
	size_t row_bytes;                /* dense vectors: bytes per row */
};

struct mvs_columns {
	const struct mvs_schema *schema;
	size_t width;
	struct src *src;
	int pk_col; /* row column of the primary key, or -1 */
};

struct mvs_columns *mvs_columns_new(const struct mvs_schema *schema)
{
	struct mvs_columns *c = calloc(1, sizeof *c);
	int pk = mvs_schema_primary_key(schema);

	if (!c)
		return NULL;
	c->schema = schema;
	c->width = mvs_schema_row_width(schema);
	c->src = calloc(c->width ? c->width : 1, sizeof *c->src);
	if (!c->src) {
		free(c);
		return NULL;
	}
	c->pk_col = -1;
	for (size_t i = 0; i < c->width; i++) {
		int fi = mvs_schema_row_field(schema, i);
		c->src[i].f = &schema->fields[fi];
		if (fi == pk)
			c->pk_col = (int)i;
	}
	return c;
}

void mvs_columns_free(struct mvs_columns *c)
{
	if (!c)
		return;
	free(c->src);
	free(c);
}

static int find_column(const struct mvs_columns *c, const FieldData *fd)
{
	const char *name = fd->field_name ? fd->field_name : "";

	for (size_t i = 0; i < c->width; i++) {
		const struct mvs_field *f = c->src[i].f;
		if (f->is_dynamic ? (fd->is_dynamic || strcmp(name, DYNAMIC_NAME) == 0)
				  : strcmp(name, f->name) == 0)
			return (int)i;
	}
	return -1;
}

/* Finds the column's value array and its length; a column without data (possible when it needs
 * none) has length 0. */
static int column_values(struct src *s, size_t *n, char *why, size_t whylen)
{
	const FieldData *fd = s->fd;
	const struct mvs_field *f = s->f;
	const ScalarField *sc = fd->field_case == MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS
					? fd->scalars
					: NULL;
	const VectorField *vc = fd->field_case == MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS
					? fd->vectors
					: NULL;
	int want;

	*n = 0;
	s->data = NULL;
#define SCALAR(CASE, member)                                             \
	do {                                                             \
		want = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_##CASE; \
		if (sc && (int)sc->data_case == want) {                  \
			s->data = sc->member->data;                      \
			*n = sc->member->n_data;                         \
			return 0;                                        \
		}                                                        \
	} while (0)

	switch (f->type) {
	case MVS_T_BOOL:
		SCALAR(BOOL_DATA, bool_data);
		break;
	case MVS_T_INT8:
	case MVS_T_INT16:
	case MVS_T_INT32:
		SCALAR(INT_DATA, int_data);
		break;
	case MVS_T_INT64:
		SCALAR(LONG_DATA, long_data);
		break;
	case MVS_T_FLOAT:
		SCALAR(FLOAT_DATA, float_data);
		break;
	case MVS_T_DOUBLE:
		SCALAR(DOUBLE_DATA, double_data);
		break;
	case MVS_T_VARCHAR:
	case MVS_T_TEXT:
		SCALAR(STRING_DATA, string_data);
		break;
	case MVS_T_JSON:
		SCALAR(JSON_DATA, json_data);
		break;
	case MVS_T_GEOMETRY:
		if (sc && sc->data_case == MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_GEOMETRY_DATA)
			return fail(why, whylen,
				    "Geometry came as WKB; mvs needs WKT (geometry_wkt_data)");
		SCALAR(GEOMETRY_WKT_DATA, geometry_wkt_data);
		break;
	case MVS_T_ARRAY:
		SCALAR(ARRAY_DATA, array_data);
		break;
	case MVS_T_FLOAT_VECTOR:
		want = MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_FLOAT_VECTOR;
		if (vc && (int)vc->data_case == want) {
			size_t floats = vc->float_vector->n_data;
			if (floats == 0)
				return 0;
			if (vc->dim != f->dim)
				return fail(why, whylen,
					    "column has dim %" PRId64 ", the schema says %" PRId64,
					    vc->dim, f->dim);
			if (f->dim <= 0 || floats % (size_t)f->dim != 0)
				return fail(why, whylen,
					    "%zu floats are not a whole number of dim %" PRId64
					    " vectors",
					    floats, f->dim);
			s->data = vc->float_vector->data;
			s->row_bytes = (size_t)f->dim * 4;
			*n = floats / (size_t)f->dim;
			return 0;
		}
		break;
	case MVS_T_BINARY_VECTOR:
	case MVS_T_FLOAT16_VECTOR:
	case MVS_T_BFLOAT16_VECTOR:
	case MVS_T_INT8_VECTOR: {
		const ProtobufCBinaryData *bin = NULL;
		if (!vc)
			break;
		if (f->type == MVS_T_BINARY_VECTOR &&
		    vc->data_case == MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_BINARY_VECTOR)
			bin = &vc->binary_vector;
		else if (f->type == MVS_T_FLOAT16_VECTOR &&
			 vc->data_case == MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_FLOAT16_VECTOR)
			bin = &vc->float16_vector;
		else if (f->type == MVS_T_BFLOAT16_VECTOR &&
			 vc->data_case == MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_BFLOAT16_VECTOR)
			bin = &vc->bfloat16_vector;
		else if (f->type == MVS_T_INT8_VECTOR &&
			 vc->data_case == MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_INT8_VECTOR)
			bin = &vc->int8_vector;
		want = -1;
		if (!bin)
			break;
		if (bin->len == 0)
			return 0;
		s->row_bytes = mvs_vector_row_bytes(f->type, f->dim);
		if (vc->dim != f->dim)
			return fail(why, whylen,
				    "column has dim %" PRId64 ", the schema says %" PRId64, vc->dim,
				    f->dim);
		if (s->row_bytes == 0 || bin->len % s->row_bytes != 0)
			return fail(why, whylen,
				    "%zu bytes are not a whole number of dim %" PRId64 " vectors",
				    bin->len, f->dim);
		s->data = bin->data;
		*n = bin->len / s->row_bytes;
		return 0;
	}
	case MVS_T_SPARSE_FLOAT_VECTOR:
		if (vc && vc->data_case ==
				  MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_SPARSE_FLOAT_VECTOR) {
			s->data = vc->sparse_float_vector->contents;
			*n = vc->sparse_float_vector->n_contents;
			return 0;
		}
		break;
	default:
		return fail(why, whylen, "data type %s is not supported", mvs_type_name(f->type));
	}
#undef SCALAR
	/* The wrong kind of data is an error; no data at all is an empty column. */
	if ((sc && sc->data_case != MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA__NOT_SET) ||
	    (vc && vc->data_case != MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA__NOT_SET) ||
	    (!sc && !vc && fd->field_case != MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD__NOT_SET))
		return fail(why, whylen, "column does not hold %s data", mvs_type_name(f->type));
	return 0;
}

/* Matches, checks and measures the columns; sets *rows to the page's row count. */
static int page_prepare(struct mvs_columns *c, FieldData *const *fields, size_t n_fields,
			uint64_t row_base, size_t *rows, char *err, size_t errlen)
{
	char why[256];
	int first = -1;
	size_t n_rows = 0;

	for (size_t i = 0; i < c->width; i++) {
		struct src *s = &c->src[i];
		s->fd = NULL;
		s->valid = NULL;
		s->compact = false;
		s->next = 0;
		s->data = NULL;
		s->row_bytes = 0;
	}
	for (size_t i = 0; i < n_fields; i++) {
		int col = find_column(c, fields[i]);
		if (col < 0)
			continue;
		if (c->src[col].fd)
			return fail(err, errlen,
				    "field \"%s\": the query result holds two columns for it",
				    c->src[col].f->name);
		c->src[col].fd = fields[i];
		if (first < 0 || col == c->pk_col)
			first = col;
	}
	if (first < 0) {
		*rows = 0;
		return 0;
	}
	/* The row count: the primary key's column when present (never null), else the first one. */
	{
		struct src *s = &c->src[first];
		size_t n;
		if (s->fd->n_valid_data > 0) {
			n_rows = s->fd->n_valid_data;
		} else if (column_values(s, &n, why, sizeof why) == 0) {
			n_rows = n;
		} else {
			return fail(err, errlen, "field \"%s\": %s", s->f->name, why);
		}
	}
	for (size_t i = 0; i < c->width; i++) {
		struct src *s = &c->src[i];
		const struct mvs_field *f = s->f;
		size_t n_values, n_valid = n_rows;

		if (!s->fd) {
			if (f->nullable || n_rows == 0)
				continue;
			return fail(err, errlen,
				    "field \"%s\": column missing from the query result", f->name);
		}
		if ((int)s->fd->type != f->type)
			return fail(err, errlen,
				    "field \"%s\": column of type %s, the schema says %s", f->name,
				    mvs_type_name(s->fd->type), mvs_type_name(f->type));
		if (column_values(s, &n_values, why, sizeof why) != 0)
			return fail(err, errlen, "field \"%s\": %s", f->name, why);
		if (s->fd->n_valid_data > 0) {
			if (s->fd->n_valid_data != n_rows)
				return fail(err, errlen,
					    "field \"%s\": valid_data has %zu entries for %zu rows",
					    f->name, s->fd->n_valid_data, n_rows);
			s->valid = s->fd->valid_data;
			n_valid = 0;
			for (size_t r = 0; r < n_rows; r++) {
				if (s->valid[r]) {
					n_valid++;
				} else if (!f->nullable) {
					return fail(err, errlen,
						    "field \"%s\", row %" PRIu64
						    ": null in a field that is not nullable",
						    f->name, row_base + r + 1);
				}
			}
		}
		/* Scalars come full-length (placeholders at nulls), vectors compact. */
		if (n_values == n_rows)
			continue;
		if (s->valid && n_values == n_valid) {
			s->compact = true;
			continue;
		}
		if (n_values < n_rows)
			return fail(err, errlen,
				    "field \"%s\", row %" PRIu64 ": column ends after %zu values",
				    f->name, row_base + n_values + 1, n_values);
		return fail(err, errlen, "field \"%s\": column has %zu values for %zu rows",
			    f->name, n_values, n_rows);
	}
	*rows = n_rows;
	return 0;
}

/* p may be NULL when n is 0: protobuf-c gives empty bytes no buffer. */
static int pack_str(msgpack_packer *pk, const void *p, size_t n)
{
	return msgpack_pack_str(pk, n) || (n > 0 && msgpack_pack_str_body(pk, p, n));
}

static int pack_bin(msgpack_packer *pk, const void *p, size_t n)
{
	return msgpack_pack_bin(pk, n) || msgpack_pack_bin_body(pk, p, n);
}

static int pack_array_value(msgpack_packer *pk, const struct mvs_field *f, const ScalarField *sf,
			    char *why, size_t whylen)
{
	int want = -1;
	size_t n = 0;
	int rc = 0;

	switch (f->element_type) {
	case MVS_T_BOOL:
		want = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_BOOL_DATA;
		break;
	case MVS_T_INT8:
	case MVS_T_INT16:
	case MVS_T_INT32:
		want = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_INT_DATA;
		break;
	case MVS_T_INT64:
		want = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA;
		break;
	case MVS_T_FLOAT:
		want = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_FLOAT_DATA;
		break;
	case MVS_T_DOUBLE:
		want = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_DOUBLE_DATA;
		break;
	case MVS_T_VARCHAR:
		want = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA;
		break;
	default:
		return fail(why, whylen, "Array of %s is not supported",
			    mvs_type_name(f->element_type));
	}
	if (!sf || sf->data_case == MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA__NOT_SET)
		return msgpack_pack_array(pk, 0);
	if ((int)sf->data_case != want)
		return fail(why, whylen, "array does not hold %s elements",
			    mvs_type_name(f->element_type));
	switch (sf->data_case) {
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_BOOL_DATA:
		n = sf->bool_data->n_data;
		rc = msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n && !rc; i++)
			rc = sf->bool_data->data[i] ? msgpack_pack_true(pk)
						    : msgpack_pack_false(pk);
		break;
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_INT_DATA:
		n = sf->int_data->n_data;
		rc = msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n && !rc; i++) {
			if (!int_fits(f->element_type, sf->int_data->data[i]))
				return fail(why, whylen,
					    "array element %" PRId32 " out of range for %s",
					    sf->int_data->data[i], mvs_type_name(f->element_type));
			rc = msgpack_pack_int64(pk, sf->int_data->data[i]);
		}
		break;
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA:
		n = sf->long_data->n_data;
		rc = msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n && !rc; i++)
			rc = msgpack_pack_int64(pk, sf->long_data->data[i]);
		break;
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_FLOAT_DATA:
		n = sf->float_data->n_data;
		rc = msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n && !rc; i++)
			rc = msgpack_pack_float(pk, sf->float_data->data[i]);
		break;
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_DOUBLE_DATA:
		n = sf->double_data->n_data;
		rc = msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n && !rc; i++)
			rc = msgpack_pack_double(pk, sf->double_data->data[i]);
		break;
	default: /* STRING_DATA */
		n = sf->string_data->n_data;
		rc = msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n && !rc; i++)
			rc = pack_str(pk, sf->string_data->data[i].data, sf->string_data->data[i].len);
		break;
	}
	return rc ? fail(why, whylen, "out of memory") : 0;
}

/* Packs value idx of the column. */
static int pack_value(msgpack_packer *pk, const struct src *s, size_t idx, char *why, size_t whylen)
{
	const struct mvs_field *f = s->f;
	int rc;

	switch (f->type) {
	case MVS_T_BOOL:
		rc = ((const protobuf_c_boolean *)s->data)[idx] ? msgpack_pack_true(pk)
								: msgpack_pack_false(pk);
		break;
	case MVS_T_INT8:
	case MVS_T_INT16:
	case MVS_T_INT32: {
		int32_t v = ((const int32_t *)s->data)[idx];
		if (!int_fits(f->type, v))
			return fail(why, whylen, "value %" PRId32 " out of range for %s", v,
				    mvs_type_name(f->type));
		rc = msgpack_pack_int64(pk, v);
		break;
	}
	case MVS_T_INT64:
		rc = msgpack_pack_int64(pk, ((const int64_t *)s->data)[idx]);
		break;
	case MVS_T_FLOAT:
		rc = msgpack_pack_float(pk, ((const float *)s->data)[idx]);
		break;
	case MVS_T_DOUBLE:
		rc = msgpack_pack_double(pk, ((const double *)s->data)[idx]);
		break;
	case MVS_T_VARCHAR:
	case MVS_T_TEXT:
	case MVS_T_GEOMETRY:
	case MVS_T_JSON: {
		const ProtobufCBinaryData *b = &((const ProtobufCBinaryData *)s->data)[idx];
		if (f->is_dynamic && b->len == 0)
			rc = pack_str(pk, "{}", 2);
		else
			rc = pack_str(pk, b->data, b->len);
		break;
	}
	case MVS_T_ARRAY:
		return pack_array_value(pk, f, ((ScalarField *const *)s->data)[idx], why, whylen);
	case MVS_T_SPARSE_FLOAT_VECTOR: {
		const ProtobufCBinaryData *b = &((const ProtobufCBinaryData *)s->data)[idx];
		if (sparse_check(b->data, b->len, why, whylen) != 0)
			return -1;
		rc = pack_bin(pk, b->data, b->len);
		break;
	}
	default: /* dense vectors */
		rc = pack_bin(pk, (const unsigned char *)s->data + idx * s->row_bytes,
			      s->row_bytes);
		break;
	}
	return rc ? fail(why, whylen, "out of memory") : 0;
}

static void pk_value(const struct src *s, size_t idx, struct mvs_pk *key)
{
	if (s->f->type == MVS_T_VARCHAR) {
		const ProtobufCBinaryData *b = &((const ProtobufCBinaryData *)s->data)[idx];
		key->is_string = true;
		key->s = b->data ? (const char *)b->data : "";
		key->len = b->len;
		key->i = 0;
	} else {
		key->is_string = false;
		key->i = ((const int64_t *)s->data)[idx];
		key->s = NULL;
		key->len = 0;
	}
}

int mvs_pk_compare(const struct mvs_pk *a, const struct mvs_pk *b)
{
	if (!a->is_string)
		return (a->i > b->i) - (a->i < b->i);
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n > 0 ? memcmp(a->s, b->s, n) : 0;
	return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

/* A page whose keys do not increase; VarChar keys are shown as filter literals, NUL bytes and all. */
static int key_order_error(char *err, size_t errlen, const char *field, uint64_t row,
			   const struct mvs_pk *key, const struct mvs_pk *prev)
{
	if (!key->is_string)
		return fail(err, errlen,
			    "field \"%s\", row %" PRIu64 ": primary key %" PRId64 " after %" PRId64
			    ": keys must increase within a page",
			    field, row, key->i, prev->i);
	char *k = mvs_shard_quote(key->s, key->len), *p = mvs_shard_quote(prev->s, prev->len);
	fail(err, errlen,
	     "field \"%s\", row %" PRIu64 ": primary key %s after %s: keys must increase within a page",
	     field, row, k ? k : "(out of memory)", p ? p : "(out of memory)");
	free(k);
	free(p);
	return -1;
}

int mvs_columns_page(struct mvs_columns *c, FieldData *const *fields, size_t n_fields,
		     uint64_t row_base, const struct mvs_row_sink *sink, size_t *rows, char *err,
		     size_t errlen)
{
	char why[256];
	size_t n_rows = 0;
	struct mvs_pk key = {0}, prev = {0};
	msgpack_packer pk;

	*rows = 0;
	if (page_prepare(c, fields, n_fields, row_base, &n_rows, err, errlen) != 0)
		return -1;
	msgpack_packer_init(&pk, sink->ctx, sink->write);
	for (size_t r = 0; r < n_rows; r++) {
		if (sink->begin(sink->ctx) != 0)
			return MVS_COLUMNS_STOPPED;
		if (msgpack_pack_array(&pk, c->width) != 0)
			return fail(err, errlen, "out of memory");
		for (size_t i = 0; i < c->width; i++) {
			struct src *s = &c->src[i];
			if (!s->fd || (s->valid && !s->valid[r])) {
				if (msgpack_pack_nil(&pk) != 0)
					return fail(err, errlen, "out of memory");
				continue;
			}
			if (pack_value(&pk, s, s->compact ? s->next++ : r, why, sizeof why) != 0)
				return fail(err, errlen, "field \"%s\", row %" PRIu64 ": %s",
					    s->f->name, row_base + r + 1, why);
		}
		if (c->pk_col >= 0) {
			const struct src *s = &c->src[c->pk_col];
			pk_value(s, r, &key);
			if (r > 0 && mvs_pk_compare(&key, &prev) <= 0)
				return key_order_error(err, errlen, s->f->name, row_base + r + 1, &key,
						       &prev);
			prev = key;
		}
		if (sink->end(sink->ctx) != 0)
			return MVS_COLUMNS_STOPPED;
		++*rows;
	}
	return 0;
}

/* ================================ import ================================ */

/* ---- a minimal msgpack reader ---- */

enum mp_type { MP_NIL, MP_BOOL, MP_INT, MP_F32, MP_F64, MP_STR, MP_BIN, MP_ARRAY, MP_MAP, MP_EXT };

struct mp_obj {
	enum mp_type type;
	bool b;
	bool big; /* MP_INT: a uint64 above INT64_MAX (in u) */
	int64_t i;
	uint64_t u;
	uint32_t f32; /* float bits */
	uint64_t f64;
	const unsigned char *ptr; /* MP_STR, MP_BIN, MP_EXT: the body */
	size_t len;               /* body bytes, or MP_ARRAY/MP_MAP element count */
};

struct mp_reader {
	const unsigned char *p, *end;
};

static uint64_t be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static const char *const mp_type_names[] = {"nil", "bool", "int",   "float32", "float64",
					    "str", "bin",  "array", "map",     "ext"};

/* Reads one value's header (and a str/bin/ext body). Returns 0, or -1 at malformed or short
 * input. */
static int mp_read(struct mp_reader *r, struct mp_obj *o)
{
	size_t avail, hdr = 0, body = 0;
	unsigned c;

	if (r->p >= r->end)
		return -1;
	c = *r->p++;
	avail = (size_t)(r->end - r->p);
	o->big = false;
	if (c <= 0x7f || c >= 0xe0) {
		o->type = MP_INT;
		o->i = c <= 0x7f ? (int64_t)c : (int64_t)(int8_t)c;
		return 0;
	}
	if (c >= 0x80 && c <= 0x9f) {
		o->type = c <= 0x8f ? MP_MAP : MP_ARRAY;
		o->len = c & 0x0f;
		return 0;
	}
	if (c >= 0xa0 && c <= 0xbf) {
		o->type = MP_STR;
		body = c & 0x1f;
		goto body;
	}
	switch (c) {
	case 0xc0:
		o->type = MP_NIL;
		return 0;
	case 0xc2:
	case 0xc3:
		o->type = MP_BOOL;
		o->b = c == 0xc3;
		return 0;
	case 0xc4:
	case 0xc5:
	case 0xc6:
		o->type = MP_BIN;
		hdr = (size_t)1 << (c - 0xc4);
		break;
	case 0xd9:
	case 0xda:
	case 0xdb:
		o->type = MP_STR;
		hdr = (size_t)1 << (c - 0xd9);
		break;
	case 0xc7:
	case 0xc8:
	case 0xc9:
		o->type = MP_EXT;
		hdr = (size_t)1 << (c - 0xc7);
		if (avail < hdr)
			return -1;
		body = (size_t)be(r->p, hdr) + 1; /* + the ext type byte */
		r->p += hdr;
		goto body;
	case 0xd4:
	case 0xd5:
	case 0xd6:
	case 0xd7:
	case 0xd8:
		o->type = MP_EXT;
		body = ((size_t)1 << (c - 0xd4)) + 1;
		goto body;
	case 0xca:
		if (avail < 4)
			return -1;
		o->type = MP_F32;
		o->f32 = (uint32_t)be(r->p, 4);
		r->p += 4;
		return 0;
	case 0xcb:
		if (avail < 8)
			return -1;
		o->type = MP_F64;
		o->f64 = be(r->p, 8);
		r->p += 8;
		return 0;
	case 0xcc:
	case 0xcd:
	case 0xce:
	case 0xcf: {
		size_t n = (size_t)1 << (c - 0xcc);
		if (avail < n)
			return -1;
		o->type = MP_INT;
		o->u = be(r->p, n);
		o->big = o->u > INT64_MAX;
		o->i = o->big ? 0 : (int64_t)o->u;
		r->p += n;
		return 0;
	}
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3: {
		size_t n = (size_t)1 << (c - 0xd0);
		uint64_t v;
		if (avail < n)
			return -1;
		v = be(r->p, n);
		o->type = MP_INT;
		/* sign-extend from n bytes */
		if (n < 8 && (v >> (n * 8 - 1)) & 1)
			v |= ~(uint64_t)0 << (n * 8);
		memcpy(&o->i, &v, sizeof v);
		r->p += n;
		return 0;
	}
	case 0xdc:
	case 0xdd:
	case 0xde:
	case 0xdf: {
		size_t n = c == 0xdc || c == 0xde ? 2 : 4;
		if (avail < n)
			return -1;
		o->type = c <= 0xdd ? MP_ARRAY : MP_MAP;
		o->len = (size_t)be(r->p, n);
		r->p += n;
		return 0;
	}
	default: /* 0xc1 is never used */
		return -1;
	}
	/* str/bin with a length header */
	if (avail < hdr)
		return -1;
	body = (size_t)be(r->p, hdr);
	r->p += hdr;
body:
	if ((size_t)(r->end - r->p) < body)
		return -1;
	o->ptr = r->p;
	o->len = o->type == MP_EXT ? body - 1 : body;
	r->p += body;
	return 0;
}

/* ---- growable buffers ---- */

struct vbuf {
	unsigned char *p;
	size_t len, cap;
};

static int vbuf_reserve(struct vbuf *b, size_t more)
{
	size_t cap;
	unsigned char *p;

	if (b->cap - b->len >= more)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < more) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int vbuf_put(struct vbuf *b, const void *data, size_t n)
{
	if (vbuf_reserve(b, n) != 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

/* ---- column stores ---- */

enum kind { K_NONE, K_BOOL, K_INT32, K_INT64, K_FLOAT, K_DOUBLE, K_STR, K_BYTES, K_VEC, K_ARRAY };

struct span {
	size_t off, len;
};

/* The values of one column, or the elements of an Array column. */
struct store {
	enum kind kind;
	size_t width;      /* bytes per value in data (fixed kinds, dense vectors) */
	struct vbuf data;  /* fixed-width values */
	struct vbuf heap;  /* K_STR and K_BYTES bodies */
	struct vbuf spans; /* struct span per value: heap bytes, or K_ARRAY element range */
	size_t n;          /* values held */
};

struct store_mark {
	size_t data, heap, spans, n;
};

struct col {
	const struct mvs_field *f;
	bool drop;
	struct store v;
	struct store elem; /* Array elements */
	struct vbuf valid; /* protobuf_c_boolean per row: nullable fields */
};

struct col_mark {
	struct store_mark v, elem;
	size_t valid;
};

/* Recycled memory for the protobuf structs and pointer arrays of mvs_batch_fields. */
struct chunk {
	struct chunk *next;
	size_t cap, used;
	max_align_t data[];
};

struct mvs_batch {
	const struct mvs_schema *schema;
	size_t width;
	struct col *cols;
	struct col_mark *marks;
	size_t rows;
	size_t bytes;
	uint64_t row_number; /* the next row's number in messages */
	struct chunk *arena;
};

static enum kind kind_of(int type, size_t *width)
{
	*width = 0;
	switch (type) {
	case MVS_T_BOOL:
		*width = sizeof(protobuf_c_boolean);
		return K_BOOL;
	case MVS_T_INT8:
	case MVS_T_INT16:
	case MVS_T_INT32:
		*width = sizeof(int32_t);
		return K_INT32;
	case MVS_T_INT64:
		*width = sizeof(int64_t);
		return K_INT64;
	case MVS_T_FLOAT:
		*width = sizeof(float);
		return K_FLOAT;
	case MVS_T_DOUBLE:
		*width = sizeof(double);
		return K_DOUBLE;
	case MVS_T_VARCHAR:
	case MVS_T_TEXT:
	case MVS_T_GEOMETRY:
		return K_STR;
	case MVS_T_JSON:
	case MVS_T_SPARSE_FLOAT_VECTOR:
		return K_BYTES;
	case MVS_T_ARRAY:
		return K_ARRAY;
	case MVS_T_BINARY_VECTOR:
	case MVS_T_FLOAT_VECTOR:
	case MVS_T_FLOAT16_VECTOR:
	case MVS_T_BFLOAT16_VECTOR:
	case MVS_T_INT8_VECTOR:
		return K_VEC;
	default:
		return K_NONE;
	}
}

struct mvs_batch *mvs_batch_new(const struct mvs_schema *schema,
				const struct mvs_batch_options *options)
{
	struct mvs_batch *b = calloc(1, sizeof *b);

	if (!b)
		return NULL;
	b->schema = schema;
	b->width = mvs_schema_row_width(schema);
	b->cols = calloc(b->width ? b->width : 1, sizeof *b->cols);
	b->marks = calloc(b->width ? b->width : 1, sizeof *b->marks);
	if (!b->cols || !b->marks) {
		mvs_batch_free(b);
		return NULL;
	}
	for (size_t i = 0; i < b->width; i++) {
		struct col *c = &b->cols[i];
		c->f = &schema->fields[mvs_schema_row_field(schema, i)];
		c->v.kind = kind_of(c->f->type, &c->v.width);
		if (c->v.kind == K_VEC)
			c->v.width = mvs_vector_row_bytes(c->f->type, c->f->dim);
		if (c->v.kind == K_ARRAY)
			c->elem.kind = kind_of(c->f->element_type, &c->elem.width);
		for (size_t d = 0; options && d < options->n_drop; d++)
			if (strcmp(options->drop[d], c->f->name) == 0)
				c->drop = true;
	}
	b->row_number = 1;
	return b;
}

static void store_free(struct store *s)
{
	free(s->data.p);
	free(s->heap.p);
	free(s->spans.p);
}

void mvs_batch_free(struct mvs_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; b->cols && i < b->width; i++) {
		store_free(&b->cols[i].v);
		store_free(&b->cols[i].elem);
		free(b->cols[i].valid.p);
	}
	while (b->arena) {
		struct chunk *next = b->arena->next;
		free(b->arena);
		b->arena = next;
	}
	free(b->cols);
	free(b->marks);
	free(b);
}

static void store_clear(struct store *s)
{
	s->data.len = s->heap.len = s->spans.len = 0;
	s->n = 0;
}

void mvs_batch_reset(struct mvs_batch *b)
{
	size_t total = 0;

	for (size_t i = 0; i < b->width; i++) {
		store_clear(&b->cols[i].v);
		store_clear(&b->cols[i].elem);
		b->cols[i].valid.len = 0;
	}
	b->rows = 0;
	b->bytes = 0;
	/* Keep one chunk as large as everything the last batch needed. */
	if (b->arena && b->arena->next) {
		for (struct chunk *c = b->arena; c; c = c->next)
			total += c->cap;
		while (b->arena) {
			struct chunk *next = b->arena->next;
			free(b->arena);
			b->arena = next;
		}
		b->arena = malloc(sizeof *b->arena + total);
		if (b->arena) {
			b->arena->next = NULL;
			b->arena->cap = total;
		}
	}
	if (b->arena)
		b->arena->used = 0;
}

void mvs_batch_set_row_number(struct mvs_batch *b, uint64_t next)
{
	b->row_number = next;
}

size_t mvs_batch_rows(const struct mvs_batch *b)
{
	return b->rows;
}

size_t mvs_batch_bytes(const struct mvs_batch *b)
{
	size_t total = b->bytes;

	if (b->rows == 0)
		return 0;
	for (size_t i = 0; i < b->width; i++)
		if (!b->cols[i].drop)
			total += 64 + strlen(b->cols[i].f->name);
	return total;
}

static void store_mark(const struct store *s, struct store_mark *m)
{
	m->data = s->data.len;
	m->heap = s->heap.len;
	m->spans = s->spans.len;
	m->n = s->n;
}

static void store_rollback(struct store *s, const struct store_mark *m)
{
	s->data.len = m->data;
	s->heap.len = m->heap;
	s->spans.len = m->spans;
	s->n = m->n;
}

static int store_fixed(struct store *s, const void *v)
{
	if (vbuf_put(&s->data, v, s->width) != 0)
		return -1;
	s->n++;
	return 0;
}

static int store_bytes(struct store *s, const void *p, size_t len)
{
	struct span sp = {s->heap.len, len};

	if (vbuf_put(&s->heap, p, len) != 0 || vbuf_put(&s->spans, &sp, sizeof sp) != 0)
		return -1;
	s->n++;
	return 0;
}

/* Serialized size of a protobuf varint. */
static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* The values reaching the stores were checked by mvs_value_check (mvs_row.h), the one judge of
 * what a field accepts; the conversion below only guards its own reading of the msgpack type. */
static int type_error(char *why, size_t whylen, const struct mvs_field *f,
		      const struct mp_obj *o, const char *want)
{
	return fail(why, whylen, "field \"%s\": %s where %s was expected", f->name,
		    mp_type_names[o->type], want);
}

/* Stores one checked scalar value (a column value or an array element) of the given type. */
static int add_scalar(struct store *s, const struct mvs_field *f, int type, const struct mp_obj *o,
		      size_t *est, char *why, size_t whylen)
{
	switch (type) {
	case MVS_T_BOOL: {
		protobuf_c_boolean v;
		if (o->type != MP_BOOL)
			return type_error(why, whylen, f, o, "bool");
		v = o->b;
		*est += 1;
		return store_fixed(s, &v);
	}
	case MVS_T_INT8:
	case MVS_T_INT16:
	case MVS_T_INT32:
	case MVS_T_INT64:
		if (o->type != MP_INT || o->big)
			return type_error(why, whylen, f, o, "int");
		*est += varint_size((uint64_t)o->i);
		if (type == MVS_T_INT64)
			return store_fixed(s, &o->i);
		{
			int32_t v = (int32_t)o->i;
			return store_fixed(s, &v);
		}
	case MVS_T_FLOAT:
		if (o->type != MP_F32)
			return type_error(why, whylen, f, o, "float32");
		*est += 4;
		return store_fixed(s, &o->f32);
	case MVS_T_DOUBLE:
		if (o->type != MP_F64)
			return type_error(why, whylen, f, o, "float64");
		*est += 8;
		return store_fixed(s, &o->f64);
	case MVS_T_VARCHAR:
	case MVS_T_TEXT:
	case MVS_T_GEOMETRY:
		/* U+0000 is valid UTF-8, and Milvus stores it: StringArray is bytes to protobuf-c */
		if (o->type != MP_STR)
			return type_error(why, whylen, f, o, "str");
		*est += o->len + varint_size(o->len) + 1;
		return store_bytes(s, o->ptr, o->len);
	default:
		return fail(why, whylen, "field \"%s\": data type %s is not supported", f->name,
			    mvs_type_name(type));
	}
}

/* Checks the next value of the row against column c's field (mvs_value_check: the same decision
 * as mvs-cat --verify and mvs-map), then converts and stores it. Messages name the field. */
static int add_value(struct col *c, struct mp_reader *r, size_t *est, char *why, size_t whylen)
{
	const struct mvs_field *f = c->f;
	struct mp_obj o;
	protobuf_c_boolean valid = 1;
	size_t n;
	int rc;

	if (mvs_value_check_next(f, r->p, (size_t)(r->end - r->p), &n, why, whylen) != 0)
		return -1;
	if (c->drop) {
		r->p += n;
		return 0;
	}
	if (mp_read(r, &o) != 0)
		return fail(why, whylen, "field \"%s\": malformed msgpack", f->name);
	if (o.type == MP_NIL)
		valid = 0; /* checked: the field is nullable */
	if (f->nullable) {
		if (vbuf_put(&c->valid, &valid, sizeof valid) != 0)
			return fail(why, whylen, "field \"%s\": out of memory", f->name);
		*est += 1;
		if (!valid)
			return 0;
	}

	switch (c->v.kind) {
	case K_BYTES:
		/* JSON text (checked with mvs_json_check) or a sparse vector (layout checked) */
		if (o.type != (f->type == MVS_T_SPARSE_FLOAT_VECTOR ? MP_BIN : MP_STR))
			return type_error(why, whylen, f, &o,
					  f->type == MVS_T_SPARSE_FLOAT_VECTOR ? "bin" : "str");
		*est += o.len + varint_size(o.len) + 1;
		rc = store_bytes(&c->v, o.ptr, o.len);
		break;
	case K_VEC:
		if (o.type != MP_BIN || o.len != c->v.width || c->v.width == 0)
			return type_error(why, whylen, f, &o, "bin");
		*est += o.len;
		rc = vbuf_put(&c->v.data, o.ptr, o.len);
		c->v.n++;
		break;
	case K_ARRAY: {
		struct span sp = {c->elem.n, 0};
		if (o.type != MP_ARRAY)
			return type_error(why, whylen, f, &o, "array");
		sp.len = o.len;
		for (size_t k = 0; k < sp.len; k++) {
			struct mp_obj e;
			if (mp_read(r, &e) != 0)
				return fail(why, whylen, "field \"%s\": malformed msgpack", f->name);
			if (add_scalar(&c->elem, f, f->element_type, &e, est, why, whylen) != 0)
				return -1;
		}
		*est += 16; /* the row's ScalarField and its array message: tags and lengths */
		rc = vbuf_put(&c->v.spans, &sp, sizeof sp);
		c->v.n++;
		break;
	}
	default:
		return add_scalar(&c->v, f, f->type, &o, est, why, whylen);
	}
	return rc ? fail(why, whylen, "field \"%s\": out of memory", f->name) : 0;
}

int mvs_batch_add_row(struct mvs_batch *b, const unsigned char *row, size_t len, char *err,
		      size_t errlen)
{
	struct mp_reader r = {row, row + len};
	struct mp_obj o;
	uint64_t number = b->row_number++;
	size_t est = 0;
	char why[256];

	if (mp_read(&r, &o) != 0 || o.type != MP_ARRAY || o.len != b->width)
		return fail(err, errlen, "row %" PRIu64 ": not a msgpack array of %zu values",
			    number, b->width);
	for (size_t i = 0; i < b->width; i++) {
		struct col *c = &b->cols[i];
		b->marks[i].valid = c->valid.len;
		store_mark(&c->v, &b->marks[i].v);
		store_mark(&c->elem, &b->marks[i].elem);
	}
	for (size_t i = 0; i < b->width; i++) {
		if (add_value(&b->cols[i], &r, &est, why, sizeof why) == 0)
			continue;
		for (size_t k = 0; k <= i; k++) {
			struct col *c = &b->cols[k];
			c->valid.len = b->marks[k].valid;
			store_rollback(&c->v, &b->marks[k].v);
			store_rollback(&c->elem, &b->marks[k].elem);
		}
		return fail(err, errlen, "row %" PRIu64 ", %s", number, why);
	}
	if (r.p != r.end) {
		for (size_t k = 0; k < b->width; k++) {
			struct col *c = &b->cols[k];
			c->valid.len = b->marks[k].valid;
			store_rollback(&c->v, &b->marks[k].v);
			store_rollback(&c->elem, &b->marks[k].elem);
		}
		return fail(err, errlen, "row %" PRIu64 ": %zu bytes after the row's array", number,
			    (size_t)(r.end - r.p));
	}
	b->rows++;
	b->bytes += est;
	return 0;
}

/* ---- FieldData for a row range ---- */

static void *arena_alloc(struct mvs_batch *b, size_t size)
{
	struct chunk *c = b->arena;
	void *p;

	size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!c || c->cap - c->used < size) {
		size_t cap = c ? c->cap * 2 : 64 * 1024;
		if (cap < size)
			cap = size;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = b->arena;
		b->arena = c;
	}
	p = (unsigned char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

/* The {len, data} array protobuf-c wants for strings and bytes, over values [first, first + n). */
static ProtobufCBinaryData *bytes_array(struct mvs_batch *b, const struct store *s, size_t first,
					size_t n)
{
	ProtobufCBinaryData *v = arena_alloc(b, (n ? n : 1) * sizeof *v);
	const struct span *sp = (const struct span *)s->spans.p;

	for (size_t i = 0; v && i < n; i++) {
		v[i].len = sp[first + i].len;
		/* an empty value has no bytes (and the heap may have no buffer) */
		v[i].data = v[i].len ? s->heap.p + sp[first + i].off : NULL;
	}
	return v;
}

/* A ScalarField over values [first, first + n) of a store of the given column or element type. */
static ScalarField *scalar_field(struct mvs_batch *b, const struct store *s, int type, size_t first,
				 size_t n)
{
	ScalarField *sf = arena_alloc(b, sizeof *sf);
	void *at = s->data.p ? s->data.p + first * s->width : NULL;

	if (!sf)
		return NULL;
	milvus__proto__schema__scalar_field__init(sf);
	/* Sets the oneof member to a new TYPE message whose data is VALUES. */
#define ARRAY(CASE, member, Type, init, values)                                   \
	do {                                                                      \
		Milvus__Proto__Schema__##Type *a = arena_alloc(b, sizeof *a);     \
		if (!a)                                                           \
			return NULL;                                              \
		milvus__proto__schema__##init##__init(a);                         \
		a->n_data = n;                                                    \
		if (!(a->data = (values)) && n > 0)                               \
			return NULL;                                              \
		sf->data_case = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_##CASE; \
		sf->member = a;                                                   \
	} while (0)

	switch (s->kind) {
	case K_BOOL:
		ARRAY(BOOL_DATA, bool_data, BoolArray, bool_array, at);
		break;
	case K_INT32:
		ARRAY(INT_DATA, int_data, IntArray, int_array, at);
		break;
	case K_INT64:
		ARRAY(LONG_DATA, long_data, LongArray, long_array, at);
		break;
	case K_FLOAT:
		ARRAY(FLOAT_DATA, float_data, FloatArray, float_array, at);
		break;
	case K_DOUBLE:
		ARRAY(DOUBLE_DATA, double_data, DoubleArray, double_array, at);
		break;
	case K_STR:
		if (type == MVS_T_GEOMETRY)
			ARRAY(GEOMETRY_WKT_DATA, geometry_wkt_data, GeometryWktArray,
			      geometry_wkt_array, bytes_array(b, s, first, n));
		else
			ARRAY(STRING_DATA, string_data, StringArray, string_array,
			      bytes_array(b, s, first, n));
		break;
	case K_BYTES: /* JSON */
		ARRAY(JSON_DATA, json_data, JSONArray, jsonarray, bytes_array(b, s, first, n));
		break;
	default:
		return NULL;
	}
#undef ARRAY
	return sf;
}

static size_t count_valid(const struct col *c, size_t from, size_t to)
{
	const protobuf_c_boolean *v = (const protobuf_c_boolean *)c->valid.p;
	size_t n = 0;

	for (size_t i = from; i < to; i++)
		n += v[i] != 0;
	return n;
}

static FieldData *column_field(struct mvs_batch *b, const struct col *c, size_t from, size_t to)
{
	const struct mvs_field *f = c->f;
	FieldData *fd = arena_alloc(b, sizeof *fd);
	size_t first = from, n = to - from;

	if (!fd)
		return NULL;
	milvus__proto__schema__field_data__init(fd);
	fd->type = f->type;
	fd->field_name = f->name;
	fd->is_dynamic = f->is_dynamic;
	if (f->nullable) {
		fd->n_valid_data = to - from;
		fd->valid_data = (protobuf_c_boolean *)c->valid.p + from;
		first = count_valid(c, 0, from);
		n = count_valid(c, from, to);
	}

	if (c->v.kind == K_VEC || f->type == MVS_T_SPARSE_FLOAT_VECTOR) {
		VectorField *vf = arena_alloc(b, sizeof *vf);
		if (!vf)
			return NULL;
		milvus__proto__schema__vector_field__init(vf);
		fd->field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS;
		fd->vectors = vf;
		vf->dim = f->dim;
		if (f->type == MVS_T_SPARSE_FLOAT_VECTOR) {
			Milvus__Proto__Schema__SparseFloatArray *sa = arena_alloc(b, sizeof *sa);
			const struct span *sp = (const struct span *)c->v.spans.p;
			int64_t dim = 0;
			if (!sa)
				return NULL;
			milvus__proto__schema__sparse_float_array__init(sa);
			sa->n_contents = n;
			if (!(sa->contents = bytes_array(b, &c->v, first, n)))
				return NULL;
			/* indices increase, so a row's last pair holds its largest index */
			for (size_t i = 0; i < n; i++)
				if (sp[first + i].len > 0) {
					int64_t last = le32(c->v.heap.p + sp[first + i].off +
							    sp[first + i].len - 8);
					if (last + 1 > dim)
						dim = last + 1;
				}
			sa->dim = dim;
			vf->dim = dim;
			vf->data_case =
				MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_SPARSE_FLOAT_VECTOR;
			vf->sparse_float_vector = sa;
			return fd;
		}
		unsigned char *at = c->v.data.p ? c->v.data.p + first * c->v.width : NULL;
		ProtobufCBinaryData bin = {n * c->v.width, at};
		switch (f->type) {
		case MVS_T_FLOAT_VECTOR: {
			Milvus__Proto__Schema__FloatArray *fa = arena_alloc(b, sizeof *fa);
			if (!fa)
				return NULL;
			milvus__proto__schema__float_array__init(fa);
			fa->n_data = n * c->v.width / sizeof(float);
			fa->data = (float *)at;
			vf->data_case = MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_FLOAT_VECTOR;
			vf->float_vector = fa;
			break;
		}
		case MVS_T_BINARY_VECTOR:
			vf->data_case = MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_BINARY_VECTOR;
			vf->binary_vector = bin;
			break;
		case MVS_T_FLOAT16_VECTOR:
			vf->data_case = MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_FLOAT16_VECTOR;
			vf->float16_vector = bin;
			break;
		case MVS_T_BFLOAT16_VECTOR:
			vf->data_case = MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_BFLOAT16_VECTOR;
			vf->bfloat16_vector = bin;
			break;
		default: /* Int8Vector */
			vf->data_case = MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_INT8_VECTOR;
			vf->int8_vector = bin;
			break;
		}
		return fd;
	}

	fd->field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS;
	if (c->v.kind != K_ARRAY) {
		fd->scalars = scalar_field(b, &c->v, f->type, first, n);
		return fd->scalars ? fd : NULL;
	}
	/* Array: one ScalarField per row over its range of elements */
	{
		ScalarField *sf = arena_alloc(b, sizeof *sf);
		Milvus__Proto__Schema__ArrayArray *aa = arena_alloc(b, sizeof *aa);
		const struct span *sp = (const struct span *)c->v.spans.p;
		ScalarField **rows = arena_alloc(b, (n ? n : 1) * sizeof *rows);
		if (!sf || !aa || !rows)
			return NULL;
		milvus__proto__schema__scalar_field__init(sf);
		milvus__proto__schema__array_array__init(aa);
		for (size_t i = 0; i < n; i++)
			if (!(rows[i] = scalar_field(b, &c->elem, f->element_type,
						     sp[first + i].off, sp[first + i].len)))
				return NULL;
		aa->n_data = n;
		aa->data = rows;
		aa->element_type = f->element_type;
		sf->data_case = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_ARRAY_DATA;
		sf->array_data = aa;
		fd->scalars = sf;
	}
	return fd;
}

int mvs_batch_fields(struct mvs_batch *b, size_t from, size_t to, FieldData ***fields,
		     size_t *n_fields)
{
	FieldData **v;
	size_t n = 0;

	*fields = NULL;
	*n_fields = 0;
	if (from >= to || to > b->rows)
		return -1;
	v = arena_alloc(b, (b->width ? b->width : 1) * sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < b->width; i++) {
		if (b->cols[i].drop)
			continue;
		if (!(v[n++] = column_field(b, &b->cols[i], from, to)))
			return -1;
	}
	*fields = v;
	*n_fields = n;
	return 0;
}
