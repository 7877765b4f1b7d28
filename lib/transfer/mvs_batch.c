/* Stream rows -> Insert columns (see mvs_batch.h): rows are checked by the one validator
 * (mvs_check.h), decoded with mvs_mpack.h's reader (no allocation, exact float bits) into per-column
 * buffers, and FieldData messages for a row range are laid over those buffers, with the few pointer
 * arrays protobuf-c needs taken from an arena that is recycled on reset. */
#include "mvs_batch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_check.h"
#include "mvs_fielddata.h"
#include "mvs_log.h"
#include "mvs_mpack.h"
#include "mvs_types.h"

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

/* The values reaching the stores were checked by mvs_value_check (mvs_check.h), the one judge of
 * what a field accepts; the conversion below only guards its own reading of the msgpack type. */
static int type_error(char *why, size_t whylen, const struct mvs_field *f,
		      const struct mvs_mp_obj *o, const char *want)
{
	return mvs_errf(why, whylen, "field \"%s\": %s where %s was expected", f->name,
		    mvs_mp_kind_name(o->kind), want);
}

/* An integer that fits int64, as one; false for anything else. */
static bool int64_of(const struct mvs_mp_obj *o, int64_t *v)
{
	if (o->kind == MVS_MP_INT)
		*v = o->i;
	else if (o->kind == MVS_MP_UINT && o->u <= INT64_MAX)
		*v = (int64_t)o->u;
	else
		return false;
	return true;
}

/* Stores one checked scalar value (a column value or an array element) of the given type. */
static int add_scalar(struct store *s, const struct mvs_field *f, int type, const struct mvs_mp_obj *o,
		      size_t *est, char *why, size_t whylen)
{
	switch (type) {
	case MVS_T_BOOL: {
		protobuf_c_boolean v;
		if (o->kind != MVS_MP_BOOL)
			return type_error(why, whylen, f, o, "bool");
		v = o->b;
		*est += 1;
		return store_fixed(s, &v);
	}
	case MVS_T_INT8:
	case MVS_T_INT16:
	case MVS_T_INT32:
	case MVS_T_INT64:
	{
		int64_t v;
		if (!int64_of(o, &v))
			return type_error(why, whylen, f, o, "int");
		*est += varint_size((uint64_t)v);
		if (type == MVS_T_INT64)
			return store_fixed(s, &v);
		int32_t v32 = (int32_t)v;
		return store_fixed(s, &v32);
	}
	case MVS_T_FLOAT:
		if (o->kind != MVS_MP_F32)
			return type_error(why, whylen, f, o, "float32");
		*est += 4;
	{
		uint32_t bits = (uint32_t)o->bits;
		return store_fixed(s, &bits);
	}
	case MVS_T_DOUBLE:
		if (o->kind != MVS_MP_F64)
			return type_error(why, whylen, f, o, "float64");
		*est += 8;
		return store_fixed(s, &o->bits);
	case MVS_T_VARCHAR:
	case MVS_T_TEXT:
	case MVS_T_GEOMETRY:
		/* U+0000 is valid UTF-8, and Milvus stores it: StringArray is bytes to protobuf-c */
		if (o->kind != MVS_MP_STR)
			return type_error(why, whylen, f, o, "str");
		*est += o->len + varint_size(o->len) + 1;
		return store_bytes(s, o->data, o->len);
	default:
		return mvs_errf(why, whylen, "field \"%s\": data type %s is not supported", f->name,
			    mvs_type_name(type));
	}
}

/* Checks the next value of the row against column c's field (mvs_value_check: the same decision
 * as mvs-cat --verify and mvs-map), then converts and stores it. Messages name the field. */
static int add_value(struct col *c, struct mvs_mp *r, size_t *est, char *why, size_t whylen)
{
	const struct mvs_field *f = c->f;
	struct mvs_mp_obj o;
	protobuf_c_boolean valid = 1;
	size_t n;
	int rc;

	if (mvs_value_check_next(f, r->p, (size_t)(r->end - r->p), &n, why, whylen) != 0)
		return -1;
	if (c->drop) {
		r->p += n;
		return 0;
	}
	if (mvs_mp_read(r, &o) != 0)
		return mvs_errf(why, whylen, "field \"%s\": malformed msgpack", f->name);
	if (o.kind == MVS_MP_NIL)
		valid = 0; /* checked: the field is nullable */
	if (f->nullable) {
		if (vbuf_put(&c->valid, &valid, sizeof valid) != 0)
			return mvs_errf(why, whylen, "field \"%s\": out of memory", f->name);
		*est += 1;
		if (!valid)
			return 0;
	}

	switch (c->v.kind) {
	case K_BYTES:
		/* JSON text (checked with mvs_json_check) or a sparse vector (layout checked) */
		if (o.kind != (f->type == MVS_T_SPARSE_FLOAT_VECTOR ? MVS_MP_BIN : MVS_MP_STR))
			return type_error(why, whylen, f, &o,
					  f->type == MVS_T_SPARSE_FLOAT_VECTOR ? "bin" : "str");
		*est += o.len + varint_size(o.len) + 1;
		rc = store_bytes(&c->v, o.data, o.len);
		break;
	case K_VEC:
		if (o.kind != MVS_MP_BIN || o.len != c->v.width || c->v.width == 0)
			return type_error(why, whylen, f, &o, "bin");
		*est += o.len;
		rc = vbuf_put(&c->v.data, o.data, o.len);
		c->v.n++;
		break;
	case K_ARRAY: {
		struct span sp = {c->elem.n, 0};
		if (o.kind != MVS_MP_ARRAY)
			return type_error(why, whylen, f, &o, "array");
		sp.len = o.len;
		for (size_t k = 0; k < sp.len; k++) {
			struct mvs_mp_obj e;
			if (mvs_mp_read(r, &e) != 0)
				return mvs_errf(why, whylen, "field \"%s\": malformed msgpack", f->name);
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
	return rc ? mvs_errf(why, whylen, "field \"%s\": out of memory", f->name) : 0;
}

int mvs_batch_add_row(struct mvs_batch *b, const unsigned char *row, size_t len, char *err,
		      size_t errlen)
{
	struct mvs_mp r = {row, row + len};
	struct mvs_mp_obj o;
	uint64_t number = b->row_number++;
	size_t est = 0;
	char why[256];

	if (mvs_mp_read(&r, &o) != 0 || o.kind != MVS_MP_ARRAY || o.len != b->width)
		return mvs_errf(err, errlen, "row %" PRIu64 ": not a msgpack array of %zu values",
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
		return mvs_errf(err, errlen, "row %" PRIu64 ", %s", number, why);
	}
	if (r.p != r.end) {
		for (size_t k = 0; k < b->width; k++) {
			struct col *c = &b->cols[k];
			c->valid.len = b->marks[k].valid;
			store_rollback(&c->v, &b->marks[k].v);
			store_rollback(&c->elem, &b->marks[k].elem);
		}
		return mvs_errf(err, errlen, "row %" PRIu64 ": %zu bytes after the row's array", number,
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
