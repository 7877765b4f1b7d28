/* The one validator (see mvs_check.h): whether a value fits its field, a row its schema, and a schema
 * what Milvus can hold. The per-value rules are the encoding table of man/mvs-stream.5: type, integer
 * range, string length in bytes and UTF-8, JSON text, array capacity, vector sizes, sparse layout,
 * nullability. */
#include "mvs_check.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mvs_jtext.h"
#include "mvs_log.h"
#include "mvs_mpack.h"
#include "mvs_row.h"
#include "mvs_types.h"
#include "mvs_utf8.h"

/* ---- values and rows ---- */

int mvs_sparse_check(const unsigned char *p, size_t n, char *why, size_t whylen)
{
	uint32_t prev = 0;

	if (n % 8 != 0)
		return mvs_errf(why, whylen, "sparse vector of %zu bytes is not a whole number of (index, value) "
				"pairs of 8 bytes", n);
	for (size_t i = 0; i < n; i += 8) {
		uint32_t index = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
				 (uint32_t)p[i + 3] << 24;
		if (index == UINT32_MAX || (i > 0 && index <= prev))
			return mvs_errf(why, whylen, "sparse vector index %" PRIu32 " at pair %zu %s", index, i / 8,
					index == UINT32_MAX ? "is reserved (the maximum is 4294967294)"
							    : "does not increase");
		prev = index;
	}
	return 0;
}

/* Checks one non-nil scalar value against a type (no nullability, no arrays). */
static int check_scalar(const struct mvs_field *f, int type, const unsigned char *v, size_t len,
			const char *what, char *err, size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(type);
	struct mvs_mp c = { v, v + len };
	struct mvs_mp_obj o = { .kind = MVS_MP_NIL };
	const unsigned char *data;
	size_t n;

	/* The caller measured v: it is one whole value, decoded once here. */
	if (mvs_mp_read(&c, &o) != 0 || c.p != c.end)
		o.kind = MVS_MP_NIL;	/* never what a non-nil field expects: the type error below */
	data = o.data;
	n = o.len;
	switch (info->encoding) {
	case MVS_ENC_BOOL:
		if (o.kind == MVS_MP_BOOL)
			return 0;
		break;
	case MVS_ENC_INT: {
		int64_t x;

		if (o.kind == MVS_MP_UINT && o.u > INT64_MAX) {
			snprintf(err, errlen, "field \"%s\": %s%" PRIu64 " is out of range for %s",
				 f->name, what, o.u, info->name);
			return -1;
		}
		if (o.kind != MVS_MP_UINT && o.kind != MVS_MP_INT)
			break;
		x = o.kind == MVS_MP_INT ? o.i : (int64_t)o.u;
		if (mvs_int_fits(type, x))
			return 0;
		snprintf(err, errlen, "field \"%s\": %s%" PRId64 " is out of range for %s", f->name,
			 what, x, info->name);
		return -1;
	}
	case MVS_ENC_FLOAT32:
		if (o.kind == MVS_MP_F32)
			return 0;
		break;
	case MVS_ENC_FLOAT64:
		if (o.kind == MVS_MP_F64)
			return 0;
		break;
	case MVS_ENC_STR:
		if (o.kind != MVS_MP_STR)
			break;
		if (f->max_length > 0 && n > (uint64_t)f->max_length) {
			snprintf(err, errlen, "field \"%s\": %sstring of %zu bytes exceeds max_length %" PRId64,
				 f->name, what, n, f->max_length);
			return -1;
		}
		if (!mvs_utf8_valid(data, n)) {
			snprintf(err, errlen, "field \"%s\": %sstring is not valid UTF-8", f->name, what);
			return -1;
		}
		if (type == MVS_T_JSON) {
			char why[128];

			if (mvs_json_check(data, n, f->is_dynamic, why, sizeof why)) {
				snprintf(err, errlen, "field \"%s\": %s%s (%s)", f->name, what,
					 f->is_dynamic ? "the dynamic field must hold a JSON object text"
						       : "not a JSON text", why);
				return -1;
			}
		}
		return 0;
	case MVS_ENC_VECTOR_BIN: {
		size_t want = mvs_vector_row_bytes(type, f->dim);

		if (o.kind != MVS_MP_BIN)
			break;
		if (n != want || want == 0) {
			snprintf(err, errlen, "field \"%s\": vector of %zu bytes, %s dim %" PRId64
				 " needs %zu", f->name, n, info->name, f->dim, want);
			return -1;
		}
		return 0;
	}
	case MVS_ENC_SPARSE_BIN: {
		char why[160];

		if (o.kind != MVS_MP_BIN)
			break;
		if (mvs_sparse_check(data, n, why, sizeof why) != 0) {
			snprintf(err, errlen, "field \"%s\": %s", f->name, why);
			return -1;
		}
		return 0;
	}
	default:
		snprintf(err, errlen, "field \"%s\": %s cannot be stored", f->name, info->name);
		return -1;
	}
	snprintf(err, errlen, "field \"%s\": %sexpected %s for %s, found %s", f->name, what,
		 info->encoding == MVS_ENC_BOOL ? "a bool" :
		 info->encoding == MVS_ENC_INT ? "an integer" :
		 info->encoding == MVS_ENC_FLOAT32 ? "a float32" :
		 info->encoding == MVS_ENC_FLOAT64 ? "a float64" :
		 info->encoding == MVS_ENC_STR ? "a str" : "a bin", info->name, mvs_mp_describe(v, len));
	return -1;
}

/* mvs_value_check on a value already measured: len is exactly one well-formed value. */
static int check_measured(const struct mvs_field *f, const unsigned char *v, size_t len, char *err,
			  size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(f->type);

	if (!info || info->encoding == MVS_ENC_UNSUPPORTED) {
		snprintf(err, errlen, "field \"%s\": unsupported data type %s", f->name,
			 mvs_type_name(f->type));
		return -1;
	}
	if (mvs_mp_is_nil(v, len)) {
		if (f->nullable)
			return 0;
		snprintf(err, errlen, "field \"%s\": null in a field that is not nullable", f->name);
		return -1;
	}
	if (info->encoding != MVS_ENC_ARRAY)
		return check_scalar(f, f->type, v, len, "", err, errlen);

	const struct mvs_type_info *el = mvs_type_info(f->element_type);
	uint32_t count;
	size_t pos;

	/* Milvus's element types (mvs_schema.c refuses others in a header; fields built elsewhere
	 * are checked here too, so that no caller converts what it cannot send). */
	if (!el || !(el->encoding == MVS_ENC_BOOL || el->encoding == MVS_ENC_INT ||
		     el->encoding == MVS_ENC_FLOAT32 || el->encoding == MVS_ENC_FLOAT64 ||
		     f->element_type == MVS_T_VARCHAR)) {
		snprintf(err, errlen, "field \"%s\": unsupported Array element type %s", f->name,
			 mvs_type_name(f->element_type));
		return -1;
	}
	if (!mvs_mp_array_header(v, len, &count, &pos)) {
		snprintf(err, errlen, "field \"%s\": expected an array for Array, found %s", f->name,
			 mvs_mp_describe(v, len));
		return -1;
	}
	if (f->max_capacity > 0 && count > (uint64_t)f->max_capacity) {
		snprintf(err, errlen, "field \"%s\": array of %" PRIu32 " elements exceeds max_capacity %"
			 PRId64, f->name, count, f->max_capacity);
		return -1;
	}
	for (uint32_t i = 0; i < count; i++) {
		size_t n = mvs_mp_skip(v + pos, len - pos);

		/* the element's number is only formatted for a message: this loop is per row */
		if (mvs_mp_is_nil(v + pos, n) || check_scalar(f, f->element_type, v + pos, n, "", err, errlen)) {
			char what[48];

			snprintf(what, sizeof what, "element %" PRIu32 ": ", i);
			if (mvs_mp_is_nil(v + pos, n))
				snprintf(err, errlen, "field \"%s\": %snull inside an array", f->name,
					 what);
			else
				check_scalar(f, f->element_type, v + pos, n, what, err, errlen);
			return -1;
		}
		pos += n;
	}
	return 0;
}

int mvs_value_check(const struct mvs_field *f, const unsigned char *v, size_t len, char *err,
		    size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(f->type);

	if (info && info->encoding != MVS_ENC_UNSUPPORTED &&
	    (len == 0 || mvs_mp_skip(v, len) != len)) {
		snprintf(err, errlen, "field \"%s\": malformed msgpack value", f->name);
		return -1;
	}
	return check_measured(f, v, len, err, errlen);
}

int mvs_value_check_next(const struct mvs_field *f, const unsigned char *p, size_t avail,
			 size_t *n, char *err, size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(f->type);

	*n = mvs_mp_skip(p, avail);
	if (!info || info->encoding == MVS_ENC_UNSUPPORTED || *n == 0) {
		if (!info || info->encoding == MVS_ENC_UNSUPPORTED)
			snprintf(err, errlen, "field \"%s\": unsupported data type %s", f->name,
				 mvs_type_name(f->type));
		else
			snprintf(err, errlen, "field \"%s\": malformed msgpack value", f->name);
		return -1;
	}
	return check_measured(f, p, *n, err, errlen);
}

int mvs_row_check(const struct mvs_schema *schema, const unsigned char *row, size_t len, char *err,
		  size_t errlen)
{
	size_t width = mvs_schema_row_width(schema), pos;
	uint32_t count;

	if (!mvs_mp_array_header(row, len, &count, &pos) || count != width ||
	    mvs_mp_skip(row, len) != len) {
		snprintf(err, errlen, "row is not one msgpack array of %zu values", width);
		return -1;
	}
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct mvs_field *f = &schema->fields[i];

		if (f->function_output)
			continue;
		size_t n;
		if (mvs_value_check_next(f, row + pos, len - pos, &n, err, errlen) != 0)
			return -1;
		pos += n;
	}
	return 0;
}

/* ---- validation ---- */

static bool is_array_element_type(int type)
{
	switch (type) {
	case MVS_T_BOOL: case MVS_T_INT8: case MVS_T_INT16: case MVS_T_INT32: case MVS_T_INT64:
	case MVS_T_FLOAT: case MVS_T_DOUBLE: case MVS_T_VARCHAR:
		return true;
	default:
		return false;
	}
}

static int validate_field(const struct mvs_schema *s, size_t i, char *err, size_t errlen)
{
	const struct mvs_field *f = &s->fields[i];
	const struct mvs_type_info *info = mvs_type_info(f->type);

	if (!f->name || !*f->name) {
		snprintf(err, errlen, "field %zu has no name", i + 1);
		return -1;
	}
	if (!info) {
		snprintf(err, errlen, "field \"%s\": unsupported data type %s", f->name,
			 mvs_type_name(f->type));
		return -1;
	}
	for (size_t j = 0; j < i; j++) {
		if (s->fields[j].name && strcmp(s->fields[j].name, f->name) == 0) {
			snprintf(err, errlen, "field \"%s\" appears twice", f->name);
			return -1;
		}
	}
	if (f->is_dynamic && (f->type != MVS_T_JSON || i != s->n_fields - 1)) {
		snprintf(err, errlen, "field \"%s\": the dynamic field must be the last field, of type JSON",
			 f->name);
		return -1;
	}
	if (f->primary_key && f->type != MVS_T_INT64 && f->type != MVS_T_VARCHAR) {
		snprintf(err, errlen, "field \"%s\": a primary key must be Int64 or VarChar, not %s",
			 f->name, info->name);
		return -1;
	}
	if (f->primary_key && f->nullable) {
		snprintf(err, errlen, "field \"%s\": a primary key cannot be nullable", f->name);
		return -1;
	}
	if (f->auto_id && !f->primary_key) {
		snprintf(err, errlen, "field \"%s\": auto_id is only valid on the primary key", f->name);
		return -1;
	}
	if (f->partition_key && f->type != MVS_T_INT64 && f->type != MVS_T_VARCHAR) {
		snprintf(err, errlen, "field \"%s\": a partition key must be Int64 or VarChar, not %s",
			 f->name, info->name);
		return -1;
	}
	if (info->encoding == MVS_ENC_VECTOR_BIN && mvs_vector_row_bytes(f->type, f->dim) == 0) {
		snprintf(err, errlen, "field \"%s\": %s needs a positive dim%s (have %lld)", f->name,
			 info->name, f->type == MVS_T_BINARY_VECTOR ? " divisible by 8" : "",
			 (long long)f->dim);
		return -1;
	}
	if (f->type == MVS_T_VARCHAR && f->max_length <= 0) {
		snprintf(err, errlen, "field \"%s\": VarChar needs a positive max_length", f->name);
		return -1;
	}
	if (f->type == MVS_T_ARRAY) {
		if (!is_array_element_type(f->element_type)) {
			snprintf(err, errlen, "field \"%s\": unsupported Array element type %s", f->name,
				 mvs_type_name(f->element_type));
			return -1;
		}
		if (f->max_capacity <= 0) {
			snprintf(err, errlen, "field \"%s\": Array needs a positive max_capacity", f->name);
			return -1;
		}
		if (f->element_type == MVS_T_VARCHAR && f->max_length <= 0) {
			snprintf(err, errlen, "field \"%s\": Array of VarChar needs a positive max_length",
				 f->name);
			return -1;
		}
	}
	if (f->default_value) {
		char why[256];

		if (mvs_value_check(f, f->default_value, f->default_value_len, why, sizeof why) != 0) {
			snprintf(err, errlen, "%s (in its default value)", why);
			return -1;
		}
	}
	return 0;
}

static int validate_function(const struct mvs_schema *s, const struct mvs_function *fn, char *err,
			     size_t errlen)
{
	const char *fname = fn->name ? fn->name : "";

	for (size_t j = 0; j < fn->n_input_fields; j++) {
		if (mvs_schema_field_index(s, fn->input_fields[j]) < 0) {
			snprintf(err, errlen, "function \"%s\": input field \"%s\" does not exist", fname,
				 fn->input_fields[j]);
			return -1;
		}
	}
	for (size_t j = 0; j < fn->n_output_fields; j++) {
		int k = mvs_schema_field_index(s, fn->output_fields[j]);

		if (k < 0 || !s->fields[k].function_output) {
			snprintf(err, errlen, "function \"%s\": output field \"%s\" %s", fname,
				 fn->output_fields[j],
				 k < 0 ? "does not exist" : "is not marked as a function output");
			return -1;
		}
	}
	return 0;
}

int mvs_schema_validate(const struct mvs_schema *s, char *err, size_t errlen)
{
	int n_pk = 0, n_vectors = 0;

	if (!s->name || !*s->name) {
		snprintf(err, errlen, "the collection has no name");
		return -1;
	}
	for (size_t i = 0; i < s->n_fields; i++) {
		const struct mvs_type_info *info;

		if (validate_field(s, i, err, errlen) != 0)
			return -1;
		info = mvs_type_info(s->fields[i].type);
		n_pk += s->fields[i].primary_key;
		n_vectors += info->is_vector;
	}
	if (n_pk != 1) {
		if (n_pk == 0)
			snprintf(err, errlen, "collection \"%s\" has no primary key field", s->name);
		else
			snprintf(err, errlen, "collection \"%s\" has %d primary keys (Milvus needs one)",
				 s->name, n_pk);
		return -1;
	}
	if (n_vectors == 0) {
		snprintf(err, errlen, "collection \"%s\" has no vector field (Milvus needs at least one)",
			 s->name);
		return -1;
	}
	if (s->consistency_level < 0 || s->consistency_level > 4) {
		snprintf(err, errlen, "collection \"%s\": unknown consistency level %d", s->name,
			 s->consistency_level);
		return -1;
	}
	for (size_t i = 0; i < s->n_functions; i++)
		if (validate_function(s, &s->functions[i], err, errlen) != 0)
			return -1;
	return 0;
}
