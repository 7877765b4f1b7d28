/* Canonical row bytes, row hashes and unit digests (see mvs_digest.h). The canonical form is specified
 * in man/mvs-stream.5, DIGEST; a change here changes every digest, so it is a change of the format. */
#include "mvs_digest.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xxh_x86dispatch.h>	/* the AVX2/AVX-512 XXH3 when the CPU has it, as in mvs_stream.c */
#endif

#include "mvs_log.h"
#include "mvs_mpack.h"
#include "mvs_types.h"

/* The tag byte that starts each canonical value (man/mvs-stream.5, DIGEST). */
enum canon_tag {
	TAG_NULL = 0x00, TAG_BOOL = 0x01, TAG_INT = 0x02, TAG_FLOAT32 = 0x03, TAG_FLOAT64 = 0x04,
	TAG_STR = 0x05, TAG_BIN = 0x06, TAG_ARRAY = 0x07,
};

void mvs_canon_buf_free(struct mvs_canon_buf *b)
{
	free(b->data);
	*b = (struct mvs_canon_buf){ 0 };
}

static void put(struct mvs_canon_buf *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < n)
			cap *= 2;
		unsigned char *d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* A tag and an n-byte little-endian number. */
static void put_le(struct mvs_canon_buf *b, unsigned char tag, uint64_t v, int n)
{
	unsigned char le[9];

	le[0] = tag;
	for (int i = 0; i < n; i++)
		le[1 + i] = (unsigned char)(v >> (8 * i));
	put(b, le, 1 + (size_t)n);
}

/* A tag, a uint32 LE length and the bytes. */
static void put_framed(struct mvs_canon_buf *b, unsigned char tag, const void *p, uint32_t n)
{
	put_le(b, tag, n, 4);
	put(b, p, n);
}

/* One non-nil scalar of the given type, decoded from the object at the cursor. */
static int put_scalar(struct mvs_canon_buf *b, const struct mvs_field *f, const struct mvs_type_info *info,
		      struct mvs_mp *c, char *err, size_t errlen)
{
	struct mvs_mp_obj o;

	if (!info || mvs_mp_read(c, &o) != 0)
		goto bad;
	switch (info->encoding) {
	case MVS_ENC_BOOL:
		if (o.kind != MVS_MP_BOOL)
			goto bad;
		put_le(b, TAG_BOOL, o.b, 1);
		return 0;
	case MVS_ENC_INT:
		if (o.kind != MVS_MP_UINT && o.kind != MVS_MP_INT)
			goto bad;
		put_le(b, TAG_INT, o.kind == MVS_MP_INT ? (uint64_t)o.i : o.u, 8);
		return 0;
	case MVS_ENC_FLOAT32:
		if (o.kind != MVS_MP_F32)
			goto bad;
		put_le(b, TAG_FLOAT32, o.bits, 4);
		return 0;
	case MVS_ENC_FLOAT64:
		if (o.kind != MVS_MP_F64)
			goto bad;
		put_le(b, TAG_FLOAT64, o.bits, 8);
		return 0;
	case MVS_ENC_STR:
		if (o.kind != MVS_MP_STR)
			goto bad;
		put_framed(b, TAG_STR, o.data, o.len);
		return 0;
	case MVS_ENC_VECTOR_BIN:
	case MVS_ENC_SPARSE_BIN:
		if (o.kind != MVS_MP_BIN)
			goto bad;
		put_framed(b, TAG_BIN, o.data, o.len);
		return 0;
	default:
		break;
	}
bad:
	return mvs_errf(err, errlen, "field \"%s\": a value that is not a %s", f->name,
			f->type == MVS_T_ARRAY ? mvs_type_name(f->element_type) : mvs_type_name(f->type));
}

int mvs_canon_value(struct mvs_canon_buf *b, const struct mvs_field *f, const unsigned char *value,
		    size_t len, char *err, size_t errlen)
{
	struct mvs_mp c = { value, value + len };

	if (mvs_mp_is_nil(value, len)) {
		put_le(b, TAG_NULL, 0, 0);
		return 0;
	}
	if (f->type != MVS_T_ARRAY)
		return put_scalar(b, f, mvs_type_info(f->type), &c, err, errlen);
	struct mvs_mp_obj o;
	if (mvs_mp_read(&c, &o) != 0 || o.kind != MVS_MP_ARRAY)
		return mvs_errf(err, errlen, "field \"%s\": a value that is not an Array", f->name);
	put_le(b, TAG_ARRAY, o.len, 4);
	const struct mvs_type_info *element = mvs_type_info(f->element_type);
	for (uint32_t i = 0; i < o.len; i++)
		if (put_scalar(b, f, element, &c, err, errlen) != 0)
			return -1;
	return 0;
}

int mvs_canon_options_fields(struct mvs_canon_options *opt, const char *list, char *err, size_t errlen)
{
	size_t n = 1;

	mvs_canon_options_free(opt);
	for (const char *p = list; *p; p++)
		n += *p == ',';
	char **names = calloc(n, sizeof *names);
	if (!names)
		return mvs_errf(err, errlen, "out of memory");
	opt->fields = (const char *const *)names;
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");

		if (len == 0)
			return mvs_errf(err, errlen, "--fields: an empty field name in '%s'", list);
		if (!(names[opt->n_fields] = strndup(p, len)))
			return mvs_errf(err, errlen, "out of memory");
		opt->n_fields++;
		p += len;
		if (!*p)
			return 0;
	}
}

void mvs_canon_options_free(struct mvs_canon_options *opt)
{
	for (size_t i = 0; i < opt->n_fields; i++)
		free((char *)opt->fields[i]);
	free((char **)opt->fields);
	opt->fields = NULL;
	opt->n_fields = 0;
}

void mvs_canon_free(struct mvs_canon *c)
{
	free(c->columns);
	free(c->fields);
	free(c->values);
	mvs_canon_buf_free(&c->bytes);
	*c = (struct mvs_canon){ 0 };
}

/* The row column of the named field, or -1 with a message. */
static int column_of(const struct mvs_schema *s, const char *name, char *err, size_t errlen)
{
	int fi = mvs_schema_field_index(s, name);

	if (fi < 0)
		return mvs_errf(err, errlen, "field \"%s\" is not in collection \"%s\"", name,
				s->name ? s->name : "");
	if (s->fields[fi].function_output)
		return mvs_errf(err, errlen, "field \"%s\" is a function output: rows do not carry it", name);
	for (size_t col = 0; col < mvs_schema_row_width(s); col++)
		if (mvs_schema_row_field(s, col) == fi)
			return (int)col;
	return mvs_errf(err, errlen, "field \"%s\" is not carried in rows", name);
}

/* Adds row column col, and its field, to the columns that go in. */
static void take_column(struct mvs_canon *c, size_t col)
{
	c->columns[c->n_columns] = col;
	c->fields[c->n_columns++] = &c->schema->fields[mvs_schema_row_field(c->schema, col)];
}

int mvs_canon_init(struct mvs_canon *c, const struct mvs_schema *s, const struct mvs_canon_options *opt,
		   char *err, size_t errlen)
{
	*c = (struct mvs_canon){ .schema = s, .width = mvs_schema_row_width(s), .pk_column = -1 };
	c->partition = !opt->without_partition;
	c->columns = calloc(c->width + opt->n_fields + 1, sizeof *c->columns);
	c->fields = calloc(c->width + opt->n_fields + 1, sizeof *c->fields);
	c->values = calloc(c->width + 1, sizeof *c->values);
	if (!c->columns || !c->fields || !c->values) {
		mvs_canon_free(c);
		return mvs_errf(err, errlen, "out of memory");
	}
	int pk = mvs_schema_primary_key(s);
	for (size_t col = 0; col < c->width; col++)
		if (mvs_schema_row_field(s, col) == pk)
			c->pk_column = (int)col;
	if (!opt->fields) {
		for (size_t col = 0; col < c->width; col++)
			if (!(opt->without_pk && (int)col == c->pk_column))
				take_column(c, col);
		return 0;
	}
	for (size_t i = 0; i < opt->n_fields; i++) {
		int col = column_of(s, opt->fields[i], err, errlen);

		if (col < 0) {
			mvs_canon_free(c);
			return -1;
		}
		if (!(opt->without_pk && col == c->pk_column))
			take_column(c, (size_t)col);
	}
	return 0;
}

int mvs_canon_row(struct mvs_canon *c, const char *partition, const unsigned char *row, size_t len,
		  char *err, size_t errlen)
{
	c->bytes.len = 0;
	if (mvs_row_split(row, len, c->width, c->values) != 0)
		return mvs_errf(err, errlen, "row is not one msgpack array of %zu values", c->width);
	if (c->partition) {
		partition = partition ? partition : "";
		put_framed(&c->bytes, TAG_STR, partition, (uint32_t)strlen(partition));
	}
	for (size_t i = 0; i < c->n_columns; i++) {
		const struct mvs_span *v = &c->values[c->columns[i]];

		if (mvs_canon_value(&c->bytes, c->fields[i], v->ptr, v->len, err, errlen) != 0)
			return -1;
	}
	if (c->bytes.failed)
		return mvs_errf(err, errlen, "out of memory");
	return 0;
}

uint64_t mvs_canon_hash(const struct mvs_canon *c)
{
	return XXH3_64bits(c->bytes.data, c->bytes.len);
}

void mvs_canon_hash128(const struct mvs_canon *c, uint64_t *hi, uint64_t *lo)
{
	XXH128_hash_t h = XXH3_128bits(c->bytes.data, c->bytes.len);

	*hi = h.high64;
	*lo = h.low64;
}
