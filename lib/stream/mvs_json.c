/* JSON rendering of stream headers and rows for mvs-cat (see mvs_json.h): decodes each value by its
 * field's type (msgpack, IEEE half/bfloat16) and writes it with mvs_jtext.h; JSON fields are embedded
 * as JSON, so they must be JSON. */
#include "mvs_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_mpack.h"
#include "mvs_types.h"

static void put_cstring(struct mvs_jbuf *b, const char *s)
{
	mvs_json_string(b, s ? s : "", s ? strlen(s) : 0);
}

/* ---- values ---- */

__attribute__((format(printf, 4, 5)))
static int value_fail(char *err, size_t errlen, const struct mvs_field *f, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "field \"%s\": ", f->name ? f->name : "");

	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static float half_to_float(uint16_t h)
{
	unsigned exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
	float v;

	if (exponent == 0)
		v = ldexpf((float)mantissa, -24);
	else if (exponent == 31)
		v = mantissa ? NAN : INFINITY;
	else
		v = ldexpf((float)(mantissa | 0x400), (int)exponent - 25);
	return h & 0x8000 ? -v : v;
}

static float bits_to_float(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, 4);
	return f;
}

static uint32_t load_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int render_dense_vector(struct mvs_jbuf *b, const struct mvs_field *f,
			       const struct mvs_mp_obj *o, char *err, size_t errlen)
{
	const unsigned char *p = o->data;
	size_t n = o->len, unit = f->type == MVS_T_FLOAT_VECTOR ? 4 :
		f->type == MVS_T_FLOAT16_VECTOR || f->type == MVS_T_BFLOAT16_VECTOR ? 2 : 1;
	size_t want = mvs_vector_row_bytes(f->type, f->dim);

	if (f->dim > 0 && n != want)
		return value_fail(err, errlen, f, "vector of %zu bytes, dim %" PRId64 " needs %zu",
				  n, f->dim, want);
	if (n % unit)
		return value_fail(err, errlen, f, "vector of %zu bytes is not a whole number of "
				  "%zu-byte elements", n, unit);
	mvs_jbuf_reserve(b, n / unit * 16 + 2);
	mvs_jbuf_putc(b, '[');
	for (size_t i = 0; i < n; i += unit) {
		if (i)
			mvs_jbuf_putc(b, ',');
		switch (f->type) {
		case MVS_T_FLOAT_VECTOR:
			mvs_json_number(b, bits_to_float(load_le32(p + i)), 9);
			break;
		case MVS_T_FLOAT16_VECTOR:
			mvs_json_number(b, half_to_float((uint16_t)(p[i] | p[i + 1] << 8)), 9);
			break;
		case MVS_T_BFLOAT16_VECTOR:
			mvs_json_number(b, bits_to_float((uint32_t)(p[i] | p[i + 1] << 8) << 16), 9);
			break;
		case MVS_T_INT8_VECTOR:
			mvs_jbuf_printf(b, "%d", (int)(int8_t)p[i]);
			break;
		default:	/* BinaryVector: the bytes */
			mvs_jbuf_printf(b, "%u", (unsigned)p[i]);
		}
	}
	mvs_jbuf_putc(b, ']');
	return 0;
}

static int render_sparse_vector(struct mvs_jbuf *b, const struct mvs_field *f,
				const struct mvs_mp_obj *o, char *err, size_t errlen)
{
	if (o->len % 8)
		return value_fail(err, errlen, f, "sparse vector of %u bytes is not a whole number "
				  "of 8-byte (index, value) pairs", o->len);
	mvs_jbuf_putc(b, '{');
	for (uint32_t i = 0; i < o->len; i += 8) {
		if (i)
			mvs_jbuf_putc(b, ',');
		mvs_jbuf_printf(b, "\"%" PRIu32 "\":", load_le32(o->data + i));
		mvs_json_number(b, bits_to_float(load_le32(o->data + i + 4)), 9);
	}
	mvs_jbuf_putc(b, '}');
	return 0;
}

static int render(struct mvs_jbuf *b, const struct mvs_field *f, struct mvs_mp *c, char *err,
		  size_t errlen);

static int render_array(struct mvs_jbuf *b, const struct mvs_field *f, const struct mvs_mp_obj *o,
			struct mvs_mp *c, char *err, size_t errlen)
{
	const struct mvs_type_info *el = mvs_type_info(f->element_type);
	struct mvs_field element = { .name = f->name, .type = f->element_type };

	if (!el || el->encoding == MVS_ENC_ARRAY || el->is_vector)
		return value_fail(err, errlen, f, "Array of %s cannot be rendered",
				  mvs_type_name(f->element_type));
	mvs_jbuf_putc(b, '[');
	for (uint32_t i = 0; i < o->len; i++) {
		if (i)
			mvs_jbuf_putc(b, ',');
		if (render(b, &element, c, err, errlen))
			return -1;
	}
	mvs_jbuf_putc(b, ']');
	return 0;
}

/* Renders the one value at the cursor as the field's type. */
static int render(struct mvs_jbuf *b, const struct mvs_field *f, struct mvs_mp *c, char *err,
		  size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(f->type);
	struct mvs_mp_obj o;
	enum mvs_mp_kind want = MVS_MP_NIL;
	size_t bad;

	if (mvs_mp_read(c, &o))
		return value_fail(err, errlen, f, "value is not well-formed msgpack");
	if (o.kind == MVS_MP_NIL) {
		mvs_jbuf_puts(b, "null");
		return 0;
	}
	if (!info)
		return value_fail(err, errlen, f, "type %s cannot be rendered", mvs_type_name(f->type));
	switch (info->encoding) {
	case MVS_ENC_BOOL:
		if ((want = MVS_MP_BOOL) != o.kind)
			break;
		mvs_jbuf_puts(b, o.b ? "true" : "false");
		return 0;
	case MVS_ENC_INT:
		want = MVS_MP_UINT;
		if (o.kind == MVS_MP_UINT)
			mvs_jbuf_printf(b, "%" PRIu64, o.u);
		else if (o.kind == MVS_MP_INT)
			mvs_jbuf_printf(b, "%" PRId64, o.i);
		else
			break;
		return 0;
	case MVS_ENC_FLOAT32:
	case MVS_ENC_FLOAT64:
		want = info->encoding == MVS_ENC_FLOAT32 ? MVS_MP_F32 : MVS_MP_F64;
		if (o.kind != want)
			break;
		mvs_json_number(b, o.d, want == MVS_MP_F32 ? 9 : 17);
		return 0;
	case MVS_ENC_STR:
		if ((want = MVS_MP_STR) != o.kind)
			break;
		if (f->type == MVS_T_JSON || f->is_dynamic) {
			char why[96];
			if (mvs_json_put_text(b, o.data, o.len, why, sizeof why))
				return value_fail(err, errlen, f, "not a JSON text (%s)", why);
		} else if (mvs_json_put_string(b, o.data, o.len, true, &bad)) {
			return value_fail(err, errlen, f, "invalid UTF-8 at byte %zu of a %u-byte "
					  "string", bad, o.len);
		}
		return 0;
	case MVS_ENC_ARRAY:
		if ((want = MVS_MP_ARRAY) != o.kind)
			break;
		return render_array(b, f, &o, c, err, errlen);
	case MVS_ENC_VECTOR_BIN:
		if ((want = MVS_MP_BIN) != o.kind)
			break;
		return render_dense_vector(b, f, &o, err, errlen);
	case MVS_ENC_SPARSE_BIN:
		if ((want = MVS_MP_BIN) != o.kind)
			break;
		return render_sparse_vector(b, f, &o, err, errlen);
	default:
		return value_fail(err, errlen, f, "type %s cannot be rendered", info->name);
	}
	return value_fail(err, errlen, f, "%s needs msgpack %s, found %s", info->name,
			  mvs_mp_kind_name(want), mvs_mp_kind_name(o.kind));
}

int mvs_json_value(struct mvs_jbuf *b, const struct mvs_field *field, const unsigned char *value,
		   size_t len, char *err, size_t errlen)
{
	struct mvs_mp c = { value, value + len };

	if (render(b, field, &c, err, errlen))
		return -1;
	if (c.p != c.end)
		return value_fail(err, errlen, field, "%zu bytes after the value",
				  (size_t)(c.end - c.p));
	return 0;
}

int mvs_json_row(struct mvs_jbuf *b, const struct mvs_schema *schema, const char *partition,
		 const unsigned char *row, size_t len, char *err, size_t errlen)
{
	struct mvs_mp c = { row, row + len };
	struct mvs_mp_obj o;
	size_t width = 0;
	bool first = true;

	for (size_t i = 0; i < schema->n_fields; i++)
		width += !schema->fields[i].function_output;
	if (mvs_mp_read(&c, &o) || o.kind != MVS_MP_ARRAY || o.len != width) {
		snprintf(err, errlen, "row is not a msgpack array of %zu values", width);
		return -1;
	}
	mvs_jbuf_putc(b, '{');
	if (partition) {
		mvs_jbuf_puts(b, "\"$partition\":");
		put_cstring(b, partition);
		first = false;
	}
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct mvs_field *f = &schema->fields[i];
		if (f->function_output)
			continue;
		if (!first)
			mvs_jbuf_putc(b, ',');
		first = false;
		put_cstring(b, f->name);
		mvs_jbuf_putc(b, ':');
		if (render(b, f, &c, err, errlen))
			return -1;
	}
	mvs_jbuf_putc(b, '}');
	if (c.p != c.end) {
		snprintf(err, errlen, "%zu bytes after the row's values", (size_t)(c.end - c.p));
		return -1;
	}
	return 0;
}

/* ---- the header ---- */

/* Writes ,"name": (the comma unless first). */
static void put_key(struct mvs_jbuf *b, bool *first, const char *name)
{
	if (!*first)
		mvs_jbuf_putc(b, ',');
	*first = false;
	put_cstring(b, name);
	mvs_jbuf_putc(b, ':');
}

static void put_kvlist(struct mvs_jbuf *b, const struct mvs_kvlist *list)
{
	mvs_jbuf_putc(b, '{');
	for (size_t i = 0; i < list->len; i++) {
		if (i)
			mvs_jbuf_putc(b, ',');
		put_cstring(b, list->items[i].key);
		mvs_jbuf_putc(b, ':');
		put_cstring(b, list->items[i].value);
	}
	mvs_jbuf_putc(b, '}');
}

static void put_string_array(struct mvs_jbuf *b, char *const *items, size_t n)
{
	mvs_jbuf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			mvs_jbuf_putc(b, ',');
		put_cstring(b, items[i]);
	}
	mvs_jbuf_putc(b, ']');
}

static void put_flag(struct mvs_jbuf *b, bool *first, const char *name, bool value)
{
	if (value) {
		put_key(b, first, name);
		mvs_jbuf_puts(b, "true");
	}
}

static void put_int(struct mvs_jbuf *b, bool *first, const char *name, int64_t value)
{
	if (value) {
		put_key(b, first, name);
		mvs_jbuf_printf(b, "%" PRId64, value);
	}
}

static void put_text(struct mvs_jbuf *b, bool *first, const char *name, const char *value)
{
	if (value && *value) {
		put_key(b, first, name);
		put_cstring(b, value);
	}
}

/* A text, every byte kept (U+0000 as \u0000), unless empty. */
static void put_text_bytes(struct mvs_jbuf *b, bool *first, const char *name, const struct mvs_text *value)
{
	if (value->len > 0) {
		put_key(b, first, name);
		mvs_json_string(b, value->s, value->len);
	}
}

static int put_field(struct mvs_jbuf *b, const struct mvs_field *f, char *err, size_t errlen)
{
	bool first = true;

	mvs_jbuf_putc(b, '{');
	put_key(b, &first, "name");
	put_cstring(b, f->name);
	put_key(b, &first, "type");
	put_cstring(b, mvs_type_name(f->type));
	put_key(b, &first, "type_id");
	mvs_jbuf_printf(b, "%d", f->type);
	put_text_bytes(b, &first, "description", &f->description);
	put_flag(b, &first, "primary_key", f->primary_key);
	put_flag(b, &first, "auto_id", f->auto_id);
	put_flag(b, &first, "nullable", f->nullable);
	put_flag(b, &first, "partition_key", f->partition_key);
	put_flag(b, &first, "clustering_key", f->clustering_key);
	put_flag(b, &first, "function_output", f->function_output);
	put_flag(b, &first, "dynamic", f->is_dynamic);
	put_int(b, &first, "dim", f->dim);
	put_int(b, &first, "max_length", f->max_length);
	put_int(b, &first, "max_capacity", f->max_capacity);
	if (f->element_type) {
		put_key(b, &first, "element_type");
		put_cstring(b, mvs_type_name(f->element_type));
	}
	if (f->default_value) {
		char why[256];
		put_key(b, &first, "default");
		if (mvs_json_value(b, f, f->default_value, f->default_value_len, why, sizeof why)) {
			snprintf(err, errlen, "default value: %s", why);
			return -1;
		}
	}
	if (f->type_params.len) {
		put_key(b, &first, "type_params");
		put_kvlist(b, &f->type_params);
	}
	if (f->index_params.len) {
		put_key(b, &first, "index_params");
		put_kvlist(b, &f->index_params);
	}
	mvs_jbuf_putc(b, '}');
	return 0;
}

int mvs_json_header(struct mvs_jbuf *b, const struct mvs_schema *s, char *err, size_t errlen)
{
	bool first = true, inner;

	mvs_jbuf_putc(b, '{');
	put_text(b, &first, "tool", s->tool);
	put_text(b, &first, "created", s->created);
	if ((s->source_version && *s->source_version) || (s->source_database && *s->source_database)) {
		put_key(b, &first, "source");
		mvs_jbuf_putc(b, '{');
		inner = true;
		put_text(b, &inner, "server_version", s->source_version);
		put_text(b, &inner, "database", s->source_database);
		mvs_jbuf_putc(b, '}');
	}
	if (s->shard_count) {
		put_key(b, &first, "shard");
		mvs_jbuf_printf(b, "{\"index\":%" PRIu32 ",\"count\":%" PRIu32, s->shard_index, s->shard_count);
		inner = false;
		put_text(b, &inner, "filter", s->shard_filter);
		mvs_jbuf_putc(b, '}');
	}
	if (s->rows_expected) {
		put_key(b, &first, "rows_expected");
		mvs_jbuf_printf(b, "%" PRIu64, s->rows_expected);
	}

	put_key(b, &first, "collection");
	mvs_jbuf_putc(b, '{');
	inner = true;
	put_key(b, &inner, "name");
	put_cstring(b, s->name);
	put_text_bytes(b, &inner, "description", &s->description);
	put_int(b, &inner, "shards_num", s->shards_num);
	put_key(b, &inner, "consistency_level");
	put_cstring(b, mvs_consistency_name(s->consistency_level));
	put_flag(b, &inner, "enable_dynamic_field", s->enable_dynamic_field);
	put_int(b, &inner, "num_partitions", s->num_partitions);
	if (s->properties.len) {
		put_key(b, &inner, "properties");
		put_kvlist(b, &s->properties);
	}
	mvs_jbuf_putc(b, '}');

	put_key(b, &first, "fields");
	mvs_jbuf_putc(b, '[');
	for (size_t i = 0; i < s->n_fields; i++) {
		if (i)
			mvs_jbuf_putc(b, ',');
		if (put_field(b, &s->fields[i], err, errlen))
			return -1;
	}
	mvs_jbuf_putc(b, ']');

	if (s->n_functions) {
		put_key(b, &first, "functions");
		mvs_jbuf_putc(b, '[');
		for (size_t i = 0; i < s->n_functions; i++) {
			const struct mvs_function *fn = &s->functions[i];
			if (i)
				mvs_jbuf_putc(b, ',');
			mvs_jbuf_putc(b, '{');
			inner = true;
			put_key(b, &inner, "name");
			put_cstring(b, fn->name);
			put_text_bytes(b, &inner, "description", &fn->description);
			put_key(b, &inner, "type");
			mvs_jbuf_printf(b, "%d", fn->type);
			put_key(b, &inner, "input_fields");
			put_string_array(b, fn->input_fields, fn->n_input_fields);
			put_key(b, &inner, "output_fields");
			put_string_array(b, fn->output_fields, fn->n_output_fields);
			if (fn->params.len) {
				put_key(b, &inner, "params");
				put_kvlist(b, &fn->params);
			}
			mvs_jbuf_putc(b, '}');
		}
		mvs_jbuf_putc(b, ']');
	}
	if (s->n_partitions) {
		put_key(b, &first, "partitions");
		put_string_array(b, s->partitions, s->n_partitions);
	}
	if (s->n_indexes) {
		put_key(b, &first, "indexes");
		mvs_jbuf_putc(b, '[');
		for (size_t i = 0; i < s->n_indexes; i++) {
			const struct mvs_index *ix = &s->indexes[i];
			if (i)
				mvs_jbuf_putc(b, ',');
			mvs_jbuf_putc(b, '{');
			inner = true;
			put_key(b, &inner, "field");
			put_cstring(b, ix->field_name);
			put_text(b, &inner, "name", ix->index_name);
			if (ix->params.len) {
				put_key(b, &inner, "params");
				put_kvlist(b, &ix->params);
			}
			mvs_jbuf_putc(b, '}');
		}
		mvs_jbuf_putc(b, ']');
	}
	mvs_jbuf_putc(b, '}');
	return 0;
}
