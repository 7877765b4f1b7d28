/* Query result pages -> stream rows (see mvs_page.h): every data type, bit-exact, packed with
 * msgpack-c straight into the sink. */
#include "mvs_page.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "mvs_check.h"
#include "mvs_fielddata.h"
#include "mvs_log.h"
#include "mvs_shard.h"
#include "mvs_types.h"

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

struct mvs_page {
	const struct mvs_schema *schema;
	size_t width;
	struct src *src;
	int pk_col; /* row column of the primary key, or -1 */
};

struct mvs_page *mvs_page_new(const struct mvs_schema *schema)
{
	struct mvs_page *c = calloc(1, sizeof *c);
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

void mvs_page_free(struct mvs_page *c)
{
	if (!c)
		return;
	free(c->src);
	free(c);
}

static int find_column(const struct mvs_page *c, const FieldData *fd)
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
			return mvs_errf(why, whylen,
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
				return mvs_errf(why, whylen,
					    "column has dim %" PRId64 ", the schema says %" PRId64,
					    vc->dim, f->dim);
			if (f->dim <= 0 || floats % (size_t)f->dim != 0)
				return mvs_errf(why, whylen,
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
			return mvs_errf(why, whylen,
				    "column has dim %" PRId64 ", the schema says %" PRId64, vc->dim,
				    f->dim);
		if (s->row_bytes == 0 || bin->len % s->row_bytes != 0)
			return mvs_errf(why, whylen,
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
		return mvs_errf(why, whylen, "data type %s is not supported", mvs_type_name(f->type));
	}
#undef SCALAR
	/* The wrong kind of data is an error; no data at all is an empty column. */
	if ((sc && sc->data_case != MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA__NOT_SET) ||
	    (vc && vc->data_case != MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA__NOT_SET) ||
	    (!sc && !vc && fd->field_case != MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD__NOT_SET))
		return mvs_errf(why, whylen, "column does not hold %s data", mvs_type_name(f->type));
	return 0;
}

/* Matches, checks and measures the columns; sets *rows to the page's row count. */
static int page_prepare(struct mvs_page *c, FieldData *const *fields, size_t n_fields,
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
			return mvs_errf(err, errlen,
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
			return mvs_errf(err, errlen, "field \"%s\": %s", s->f->name, why);
		}
	}
	for (size_t i = 0; i < c->width; i++) {
		struct src *s = &c->src[i];
		const struct mvs_field *f = s->f;
		size_t n_values, n_valid = n_rows;

		if (!s->fd) {
			if (f->nullable || n_rows == 0)
				continue;
			return mvs_errf(err, errlen,
				    "field \"%s\": column missing from the query result", f->name);
		}
		if ((int)s->fd->type != f->type)
			return mvs_errf(err, errlen,
				    "field \"%s\": column of type %s, the schema says %s", f->name,
				    mvs_type_name(s->fd->type), mvs_type_name(f->type));
		if (column_values(s, &n_values, why, sizeof why) != 0)
			return mvs_errf(err, errlen, "field \"%s\": %s", f->name, why);
		if (s->fd->n_valid_data > 0) {
			if (s->fd->n_valid_data != n_rows)
				return mvs_errf(err, errlen,
					    "field \"%s\": valid_data has %zu entries for %zu rows",
					    f->name, s->fd->n_valid_data, n_rows);
			s->valid = s->fd->valid_data;
			n_valid = 0;
			for (size_t r = 0; r < n_rows; r++) {
				if (s->valid[r]) {
					n_valid++;
				} else if (!f->nullable) {
					return mvs_errf(err, errlen,
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
			return mvs_errf(err, errlen,
				    "field \"%s\", row %" PRIu64 ": column ends after %zu values",
				    f->name, row_base + n_values + 1, n_values);
		return mvs_errf(err, errlen, "field \"%s\": column has %zu values for %zu rows",
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
		return mvs_errf(why, whylen, "Array of %s is not supported",
			    mvs_type_name(f->element_type));
	}
	if (!sf || sf->data_case == MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA__NOT_SET)
		return msgpack_pack_array(pk, 0);
	if ((int)sf->data_case != want)
		return mvs_errf(why, whylen, "array does not hold %s elements",
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
			if (!mvs_int_fits(f->element_type, sf->int_data->data[i]))
				return mvs_errf(why, whylen,
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
	return rc ? mvs_errf(why, whylen, "out of memory") : 0;
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
		if (!mvs_int_fits(f->type, v))
			return mvs_errf(why, whylen, "value %" PRId32 " out of range for %s", v,
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
		if (mvs_sparse_check(b->data, b->len, why, whylen) != 0)
			return -1;
		rc = pack_bin(pk, b->data, b->len);
		break;
	}
	default: /* dense vectors */
		rc = pack_bin(pk, (const unsigned char *)s->data + idx * s->row_bytes,
			      s->row_bytes);
		break;
	}
	return rc ? mvs_errf(why, whylen, "out of memory") : 0;
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

/* A page whose keys do not increase; VarChar keys are shown as filter literals, NUL bytes and all. */
static int key_order_error(char *err, size_t errlen, const char *field, uint64_t row,
			   const struct mvs_pk *key, const struct mvs_pk *prev)
{
	if (!key->is_string)
		return mvs_errf(err, errlen,
			    "field \"%s\", row %" PRIu64 ": primary key %" PRId64 " after %" PRId64
			    ": keys must increase within a page",
			    field, row, key->i, prev->i);
	char *k = mvs_shard_quote(key->s, key->len), *p = mvs_shard_quote(prev->s, prev->len);
	mvs_errf(err, errlen,
	     "field \"%s\", row %" PRIu64 ": primary key %s after %s: keys must increase within a page",
	     field, row, k ? k : "(out of memory)", p ? p : "(out of memory)");
	free(k);
	free(p);
	return -1;
}

int mvs_page_convert(struct mvs_page *c, FieldData *const *fields, size_t n_fields,
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
			return MVS_PAGE_STOPPED;
		if (msgpack_pack_array(&pk, c->width) != 0)
			return mvs_errf(err, errlen, "out of memory");
		for (size_t i = 0; i < c->width; i++) {
			struct src *s = &c->src[i];
			if (!s->fd || (s->valid && !s->valid[r])) {
				if (msgpack_pack_nil(&pk) != 0)
					return mvs_errf(err, errlen, "out of memory");
				continue;
			}
			if (pack_value(&pk, s, s->compact ? s->next++ : r, why, sizeof why) != 0)
				return mvs_errf(err, errlen, "field \"%s\", row %" PRIu64 ": %s",
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
			return MVS_PAGE_STOPPED;
		++*rows;
	}
	return 0;
}

/* ================================ import ================================ */

