/* Unit test for lib/transfer/mvs_batch.c and mvs_page.c: rows of every data type go through the import batch builder into
 * FieldData columns, over the wire format (packed and unpacked), and back into rows through the
 * export converter, bit for bit: nullable columns compact and full-length, $meta, sparse and
 * half-float vectors, empty arrays, int64 extremes, NaN floats, strings holding U+0000. Then the
 * errors both directions must report, and VarChar primary keys with NUL bytes in Milvus's order. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "mvs_check.h"
#include "mvs_batch.h"
#include "mvs_page.h"
#include "mvs_row.h"
#include "mvs_types.h"
#include "check.h"


/* Allocations the test makes for hand-built messages, freed at the end. */
static void *owned[1024];
static size_t n_owned;

static void *keep(void *p)
{
	if (!p || n_owned == sizeof owned / sizeof owned[0]) {
		fprintf(stderr, "test allocation failed\n");
		exit(1);
	}
	owned[n_owned++] = p;
	return p;
}

typedef Milvus__Proto__Schema__FieldData FieldData;
typedef Milvus__Proto__Schema__ScalarField ScalarField;

/* ---- the schema: every type, nullable scalars and vectors, a function output, $meta ---- */

#define F(n, t) .name = n, .type = t

static struct mvs_field all_fields[] = {
	{F("id", MVS_T_INT64), .primary_key = true},
	{F("b", MVS_T_BOOL)},
	{F("i8", MVS_T_INT8), .nullable = true},
	{F("i16", MVS_T_INT16)},
	{F("i32", MVS_T_INT32)},
	{F("i64", MVS_T_INT64), .nullable = true},
	{F("f", MVS_T_FLOAT)},
	{F("d", MVS_T_DOUBLE), .nullable = true},
	{F("s", MVS_T_VARCHAR), .nullable = true, .max_length = 16},
	{F("j", MVS_T_JSON), .nullable = true},
	{F("g", MVS_T_GEOMETRY)},
	{F("t", MVS_T_TEXT)},
	{F("ai", MVS_T_ARRAY), .element_type = MVS_T_INT32, .nullable = true, .max_capacity = 4},
	{F("as", MVS_T_ARRAY), .element_type = MVS_T_VARCHAR, .max_capacity = 3, .max_length = 5},
	{F("ab", MVS_T_ARRAY), .element_type = MVS_T_BOOL, .max_capacity = 8},
	{F("al", MVS_T_ARRAY), .element_type = MVS_T_INT64, .max_capacity = 8},
	{F("af", MVS_T_ARRAY), .element_type = MVS_T_FLOAT, .max_capacity = 8},
	{F("ad", MVS_T_ARRAY), .element_type = MVS_T_DOUBLE, .max_capacity = 8},
	{F("fv", MVS_T_FLOAT_VECTOR), .dim = 4},
	{F("bv", MVS_T_BINARY_VECTOR), .dim = 16},
	{F("hv", MVS_T_FLOAT16_VECTOR), .dim = 2},
	{F("bfv", MVS_T_BFLOAT16_VECTOR), .dim = 2, .nullable = true},
	{F("i8v", MVS_T_INT8_VECTOR), .dim = 3},
	{F("sv", MVS_T_SPARSE_FLOAT_VECTOR), .nullable = true},
	{F("bm25", MVS_T_SPARSE_FLOAT_VECTOR), .function_output = true},
	{F("$meta", MVS_T_JSON), .is_dynamic = true},
};

static struct mvs_schema all_schema = {
	.name = "all",
	.enable_dynamic_field = true,
	.fields = all_fields,
	.n_fields = sizeof all_fields / sizeof all_fields[0],
};

#define NROWS 9

/* ---- building rows ---- */

static void pack_strf(msgpack_packer *pk, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pack_strf(msgpack_packer *pk, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	msgpack_pack_str(pk, (size_t)n);
	msgpack_pack_str_body(pk, buf, (size_t)n);
}

static void pack_cstr(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

/* A str of the bytes of a string literal, NUL bytes included. */
#define PACK_LITERAL(pk, lit) (msgpack_pack_str((pk), sizeof(lit) - 1), \
			       msgpack_pack_str_body((pk), (lit), sizeof(lit) - 1))

static void pack_bin(msgpack_packer *pk, const void *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

static float float_bits(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof f);
	return f;
}

static double double_bits(uint64_t bits)
{
	double d;

	memcpy(&d, &bits, sizeof d);
	return d;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* Row r of the test data; every third row holds nulls in the nullable fields. */
static void pack_row(msgpack_packer *pk, int r)
{
	bool null = r % 3 == 1;
	static const uint32_t fbits[] = {0x7fc00001u, 0xffc12345u, 0x80000000u, 0x7f800000u,
					 0x7fa00000u};
	unsigned char v[64];

	msgpack_pack_array(pk, 25);
	/* id: strictly increasing, from INT64_MIN to INT64_MAX */
	msgpack_pack_int64(pk, r == 0 ? INT64_MIN : r == NROWS - 1 ? INT64_MAX : (int64_t)r * 1000);
	if (r % 2)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
	if (null)
		msgpack_pack_nil(pk);
	else
		msgpack_pack_int64(pk, r % 2 ? 127 : -128);
	msgpack_pack_int64(pk, r == 0 ? -32768 : 32767 - r);
	msgpack_pack_int64(pk, r == 2 ? INT32_MIN : r * 123456);
	if (null)
		msgpack_pack_nil(pk);
	else
		msgpack_pack_int64(pk, r % 2 ? INT64_MAX : INT64_MIN + r);
	msgpack_pack_float(pk, r < 5 ? float_bits(fbits[r]) : (float)r * 1.5f);
	if (null)
		msgpack_pack_nil(pk);
	else
		msgpack_pack_double(pk, r == 0 ? double_bits(0x7ff8000000000abcull) : r * 0.1);
	if (null)
		msgpack_pack_nil(pk);
	else if (r == 0)
		pack_cstr(pk, "");
	else if (r == 3)
		PACK_LITERAL(pk, "\0h\0\0llo\0");
	else
		pack_strf(pk, "h\xc3\xa9llo-%d", r);
	if (null)
		msgpack_pack_nil(pk);
	else
		pack_strf(pk, "{\"a\":[1,2,{\"b\":null}],\"n\":%d}", r);
	pack_strf(pk, "POINT (%d %d)", r, -r);
	if (r == 4)
		PACK_LITERAL(pk, "\0");
	else if (r == 5)
		PACK_LITERAL(pk, "\0\0\xe2\x82\xac\0text\0");
	else
		pack_strf(pk, "text row %d with \"quotes\" and \xe2\x82\xac", r);
	/* ai: Array of Int32, nullable, empty in row 0 */
	if (null) {
		msgpack_pack_nil(pk);
	} else {
		int32_t e[] = {r, -r, INT32_MAX, INT32_MIN};
		int n = r == 0 ? 0 : r % 4 + 1;
		msgpack_pack_array(pk, (size_t)n);
		for (int i = 0; i < n; i++)
			msgpack_pack_int64(pk, e[i]);
	}
	/* as: Array of VarChar */
	{
		static const struct {
			const char *s;
			size_t len;
		} e[] = {{"a", 1}, {"\u00f1b", 3}, {"\0y\0", 3}};
		int n = r == 0 ? 0 : r % 3 + 1;
		msgpack_pack_array(pk, (size_t)n);
		for (int i = 0; i < n; i++) {
			msgpack_pack_str(pk, e[i].len);
			msgpack_pack_str_body(pk, e[i].s, e[i].len);
		}
	}
	msgpack_pack_array(pk, (size_t)(r % 3));
	for (int i = 0; i < r % 3; i++)
		if ((r + i) % 2)
			msgpack_pack_true(pk);
		else
			msgpack_pack_false(pk);
	msgpack_pack_array(pk, (size_t)(r % 4));
	for (int i = 0; i < r % 4; i++)
		msgpack_pack_int64(pk, i == 0 ? INT64_MIN : i == 1 ? INT64_MAX : r);
	msgpack_pack_array(pk, (size_t)(r % 3));
	for (int i = 0; i < r % 3; i++)
		msgpack_pack_float(pk, float_bits(fbits[(r + i) % 5]));
	msgpack_pack_array(pk, (size_t)(r % 3));
	for (int i = 0; i < r % 3; i++)
		msgpack_pack_double(pk, i ? double_bits(0xfff0000000000001ull) : -r / 3.0);
	/* fv: 4 float32, bit patterns included */
	for (int i = 0; i < 4; i++)
		put_le32(v + 4 * i,
			 i == 3 ? fbits[r % 5]
				: (uint32_t)(0x3f800000u + (uint32_t)r * 977u + (uint32_t)i));
	pack_bin(pk, v, 16);
	v[0] = (unsigned char)r;
	v[1] = (unsigned char)(0xff - r);
	pack_bin(pk, v, 2);
	/* hv: two IEEE halves (1.0, -2.0 + r ulp) */
	v[0] = 0x00, v[1] = 0x3c, v[2] = (unsigned char)r, v[3] = 0xc0;
	pack_bin(pk, v, 4);
	if (null) {
		msgpack_pack_nil(pk);
	} else {
		v[0] = 0x80, v[1] = 0x3f, v[2] = (unsigned char)(r * 7), v[3] = 0x7f;
		pack_bin(pk, v, 4);
	}
	v[0] = (unsigned char)-128, v[1] = 127, v[2] = (unsigned char)r;
	pack_bin(pk, v, 3);
	/* sv: sparse, nullable, empty in row 0 */
	if (null) {
		msgpack_pack_nil(pk);
	} else if (r == 0) {
		pack_bin(pk, v, 0);
	} else {
		put_le32(v, (uint32_t)r);
		put_le32(v + 4, 0x3fc00000u);
		put_le32(v + 8, 1000u + (uint32_t)r);
		put_le32(v + 12, 0xc0000000u);
		pack_bin(pk, v, 16);
	}
	if (r % 2)
		pack_cstr(pk, "{}");
	else
		pack_strf(pk, "{\"k\":%d,\"s\":\"x\"}", r);
}

/* Rows as one buffer with offsets; also a row sink for mvs_page_convert that collects into it. */
struct rowset {
	msgpack_sbuffer sb;
	size_t off[64];
	size_t n;
	struct mvs_row_sink sink;
};

static int rowset_begin(void *ctx)
{
	struct rowset *rs = ctx;

	rs->sb.size = rs->off[rs->n];	/* drops a row begun and never ended */
	return 0;
}

static int rowset_write(void *ctx, const char *bytes, size_t n)
{
	return msgpack_sbuffer_write(&((struct rowset *)ctx)->sb, bytes, n);
}

static int rowset_end(void *ctx)
{
	struct rowset *rs = ctx;

	rs->off[++rs->n] = rs->sb.size;
	return 0;
}

static void rowset_init(struct rowset *rs)
{
	msgpack_sbuffer_init(&rs->sb);
	rs->n = 0;
	rs->off[0] = 0;
	rs->sink = (struct mvs_row_sink){ rowset_begin, rowset_write, rowset_end, rs };
}

static void rowset_add(struct rowset *rs, const void *row, size_t len)
{
	rowset_begin(rs);
	rowset_write(rs, row, len);
	rowset_end(rs);
}

static void make_rows(struct rowset *rs)
{
	msgpack_sbuffer one;
	msgpack_packer pk;

	rowset_init(rs);
	msgpack_sbuffer_init(&one);
	msgpack_packer_init(&pk, &one, msgpack_sbuffer_write);
	for (int r = 0; r < NROWS; r++) {
		one.size = 0;
		pack_row(&pk, r);
		rowset_add(rs, one.data, one.size);
	}
	msgpack_sbuffer_destroy(&one);
}

static const unsigned char *row_at(const struct rowset *rs, size_t i, size_t *len)
{
	*len = rs->off[i + 1] - rs->off[i];
	return (const unsigned char *)rs->sb.data + rs->off[i];
}

/* ---- query results look: nullable scalar columns full-length with placeholders ---- */

static void expand_full_length(FieldData *fd)
{
	size_t n = fd->n_valid_data, k = 0;
	ScalarField *sc = fd->scalars;

	if (fd->field_case != MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS || n == 0)
		return;
#define EXPAND(member, type, placeholder)                                               \
	do {                                                                            \
		type *v = keep(calloc(n, sizeof *v));                                   \
		for (size_t i = 0; i < n; i++)                                          \
			v[i] = fd->valid_data[i] ? sc->member->data[k++] : placeholder; \
		sc->member->data = v;                                                   \
		sc->member->n_data = n;                                                 \
	} while (0)
	switch (sc->data_case) {
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_INT_DATA:
		EXPAND(int_data, int32_t, 0);
		break;
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA:
		EXPAND(long_data, int64_t, 0);
		break;
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_DOUBLE_DATA:
		EXPAND(double_data, double, 0);
		break;
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA: {
		ProtobufCBinaryData empty = {0, NULL};
		EXPAND(string_data, ProtobufCBinaryData, empty);
		break;
	}
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_JSON_DATA: {
		ProtobufCBinaryData empty = {0, NULL};
		EXPAND(json_data, ProtobufCBinaryData, empty);
		break;
	}
	case MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_ARRAY_DATA: {
		static ScalarField placeholder = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__INIT;
		EXPAND(array_data, ScalarField *, &placeholder);
		break;
	}
	default:
		fprintf(stderr, "expand_full_length: unexpected column\n");
		failures++;
	}
#undef EXPAND
}

/* Packs and unpacks each column, as the wire would. */
static FieldData **over_the_wire(FieldData **fields, size_t n)
{
	FieldData **out = calloc(n, sizeof *out);

	for (size_t i = 0; i < n; i++) {
		size_t len = milvus__proto__schema__field_data__get_packed_size(fields[i]);
		uint8_t *buf = malloc(len ? len : 1);
		milvus__proto__schema__field_data__pack(fields[i], buf);
		out[i] = milvus__proto__schema__field_data__unpack(NULL, len, buf);
		if (!out[i]) {
			fprintf(stderr, "column %zu does not unpack\n", i);
			exit(1);
		}
		free(buf);
	}
	return out;
}

static void free_wire(FieldData **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		milvus__proto__schema__field_data__free_unpacked(fields[i], NULL);
	free(fields);
}

/* Whether b holds exactly the n bytes at s. */
static bool bytes_eq(const ProtobufCBinaryData *b, const char *s, size_t n)
{
	return b->len == n && (n == 0 || memcmp(b->data, s, n) == 0);
}

static FieldData *find(FieldData **fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i]->field_name, name) == 0)
			return fields[i];
	return NULL;
}

static void check_rows_equal(const struct rowset *want, size_t from, const struct rowset *got)
{
	for (size_t i = 0; i < got->n; i++) {
		size_t a, b;
		const unsigned char *x = row_at(want, from + i, &a), *y = row_at(got, i, &b);
		if (a != b || memcmp(x, y, a) != 0) {
			fprintf(stderr, "row %zu differs after the round trip\n", from + i);
			failures++;
		}
	}
}

/* rows -> batch -> FieldData [from, to) -> wire -> rows, compared with the input. */
static void round_trip(struct mvs_batch *b, const struct rowset *rows, size_t from, size_t to,
		       bool full_length)
{
	FieldData **fields, **wire;
	size_t n, got_rows = 99;
	struct mvs_page *conv = mvs_page_new(&all_schema);
	struct rowset out;
	char err[256] = "";

	CHECK(mvs_batch_fields(b, from, to, &fields, &n) == 0);
	CHECK(n == 25); /* every row field: no function output */
	if (full_length)
		for (size_t i = 0; i < n; i++)
			if (fields[i]->n_valid_data)
				expand_full_length(fields[i]);
	wire = over_the_wire(fields, n);
	rowset_init(&out);
	/* columns in another order than the schema's */
	for (size_t i = 0; i < n / 2; i++) {
		FieldData *t = wire[i];
		wire[i] = wire[n - 1 - i];
		wire[n - 1 - i] = t;
	}
	CHECK(mvs_page_convert(conv, wire, n, 100, &out.sink, &got_rows, err, sizeof err) == 0);
	if (err[0])
		fprintf(stderr, "export: %s\n", err);
	CHECK(got_rows == to - from && out.n == to - from);
	check_rows_equal(rows, from, &out);
	free_wire(wire, n);
	msgpack_sbuffer_destroy(&out.sb);
	mvs_page_free(conv);
}

static void test_round_trip(void)
{
	struct rowset rows;
	struct mvs_batch *b = mvs_batch_new(&all_schema, NULL);
	char err[256] = "";
	FieldData **fields;
	size_t n;

	make_rows(&rows);
	for (size_t i = 0; i < rows.n; i++) {
		size_t len;
		const unsigned char *row = row_at(&rows, i, &len);
		if (mvs_batch_add_row(b, row, len, err, sizeof err) != 0) {
			fprintf(stderr, "add_row %zu: %s\n", i, err);
			failures++;
		}
		/* the stream codec's own check agrees these are valid rows */
		if (mvs_row_check(&all_schema, row, len, err, sizeof err) != 0) {
			fprintf(stderr, "mvs_row_check %zu: %s\n", i, err);
			failures++;
		}
	}
	CHECK(mvs_batch_rows(b) == NROWS);

	/* what the columns hold */
	CHECK(mvs_batch_fields(b, 0, NROWS, &fields, &n) == 0);
	{
		FieldData *fd;
		size_t packed = 0;
		for (size_t i = 0; i < n; i++)
			packed += milvus__proto__schema__field_data__get_packed_size(fields[i]) + 8;
		CHECK(packed <= mvs_batch_bytes(b));
		CHECK(mvs_batch_bytes(b) < packed * 3);
		CHECK(find(fields, n, "bm25") == NULL);
		fd = find(fields, n, "i8");
		CHECK(fd && fd->n_valid_data == NROWS &&
		      fd->scalars->int_data->n_data == NROWS - NROWS / 3);
		fd = find(fields, n, "bfv");
		CHECK(fd && fd->n_valid_data == NROWS && fd->vectors->dim == 2 &&
		      fd->vectors->bfloat16_vector.len == (NROWS - NROWS / 3) * 4);
		fd = find(fields, n, "fv");
		CHECK(fd && fd->vectors->dim == 4 &&
		      fd->vectors->float_vector->n_data == NROWS * 4 && fd->n_valid_data == 0);
		fd = find(fields, n, "sv");
		CHECK(fd && fd->vectors->sparse_float_vector->dim == 1000 + NROWS - 1 + 1 &&
		      fd->vectors->dim == fd->vectors->sparse_float_vector->dim &&
		      fd->vectors->sparse_float_vector->n_contents == NROWS - NROWS / 3);
		fd = find(fields, n, "$meta");
		CHECK(fd && fd->is_dynamic && (int)fd->type == MVS_T_JSON &&
		      fd->scalars->json_data->n_data == NROWS);
		fd = find(fields, n, "ai");
		CHECK(fd && (int)fd->scalars->array_data->element_type == MVS_T_INT32 &&
		      fd->scalars->array_data->n_data == NROWS - NROWS / 3 &&
		      fd->scalars->array_data->data[0]->int_data->n_data == 0);
		fd = find(fields, n, "g");
		CHECK(fd && fd->scalars->data_case ==
				    MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_GEOMETRY_WKT_DATA);
		fd = find(fields, n, "s");
		CHECK(fd && bytes_eq(&fd->scalars->string_data->data[1], "h\xc3\xa9llo-2", 8));
		/* U+0000 goes into the columns with the value's length, not cut at the NUL */
		CHECK(fd && bytes_eq(&fd->scalars->string_data->data[2], "\0h\0\0llo\0", 8));
		fd = find(fields, n, "t");
		CHECK(fd && bytes_eq(&fd->scalars->string_data->data[4], "\0", 1) &&
		      bytes_eq(&fd->scalars->string_data->data[5], "\0\0\xe2\x82\xac\0text\0", 11));
		fd = find(fields, n, "as");
		CHECK(fd && fd->scalars->array_data->data[2]->string_data->n_data == 3 &&
		      bytes_eq(&fd->scalars->array_data->data[2]->string_data->data[2], "\0y\0", 3));
	}

	round_trip(b, &rows, 0, NROWS, false);
	round_trip(b, &rows, 0, NROWS, true);
	/* halves, as the importer sends them after "message too large" */
	round_trip(b, &rows, 0, 4, false);
	round_trip(b, &rows, 4, NROWS, true);
	round_trip(b, &rows, 5, 6, false);

	/* a reset batch takes the same rows again and gives the same columns */
	mvs_batch_reset(b);
	CHECK(mvs_batch_rows(b) == 0 && mvs_batch_bytes(b) == 0);
	CHECK(mvs_batch_fields(b, 0, 1, &fields, &n) == -1);
	for (size_t i = 0; i < rows.n; i++) {
		size_t len;
		const unsigned char *row = row_at(&rows, i, &len);
		CHECK(mvs_batch_add_row(b, row, len, err, sizeof err) == 0);
	}
	round_trip(b, &rows, 0, NROWS, true);
	mvs_batch_free(b);

	/* the auto-ID key dropped */
	{
		const char *drop[] = {"id"};
		struct mvs_batch_options opt = {drop, 1};
		size_t len;
		const unsigned char *row = row_at(&rows, 3, &len);
		b = mvs_batch_new(&all_schema, &opt);
		CHECK(mvs_batch_add_row(b, row, len, err, sizeof err) == 0);
		CHECK(mvs_batch_fields(b, 0, 1, &fields, &n) == 0 && n == 24 &&
		      !find(fields, n, "id"));
		mvs_batch_free(b);
	}
	msgpack_sbuffer_destroy(&rows.sb);
}

/* ---- import errors ---- */

/* Replaces value `col` of row r with what put packs, and expects add_row to fail mentioning
 * each of the words. */
static void expect_row_error(struct mvs_batch *b, int r, int col, void (*put)(msgpack_packer *),
			     const char *w1, const char *w2)
{
	msgpack_sbuffer sb, full;
	msgpack_packer pk, fpk;
	char err[256] = "";
	size_t rows = mvs_batch_rows(b);

	msgpack_sbuffer_init(&full);
	msgpack_packer_init(&fpk, &full, msgpack_sbuffer_write);
	pack_row(&fpk, r);
	/* re-pack the row, swapping one value: split it with a throwaway unpacker */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	{
		msgpack_unpacked u;
		size_t off = 0;
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, full.data, full.size, &off) != MSGPACK_UNPACK_SUCCESS) {
			fprintf(stderr, "test row does not unpack\n");
			exit(1);
		}
		msgpack_pack_array(&pk, u.data.via.array.size);
		for (uint32_t i = 0; i < u.data.via.array.size; i++) {
			if ((int)i == col)
				put(&pk);
			else
				msgpack_pack_object(&pk, u.data.via.array.ptr[i]);
		}
		msgpack_unpacked_destroy(&u);
	}
	CHECK(mvs_batch_add_row(b, (unsigned char *)sb.data, sb.size, err, sizeof err) == -1);
	if (!strstr(err, w1) || (w2 && !strstr(err, w2))) {
		fprintf(stderr, "unexpected message \"%s\" (wanted \"%s\"%s%s)\n", err, w1,
			w2 ? ", " : "", w2 ? w2 : "");
		failures++;
	}
	CHECK(mvs_batch_rows(b) == rows);
	msgpack_sbuffer_destroy(&sb);
	msgpack_sbuffer_destroy(&full);
}

static void put_str(msgpack_packer *pk)
{
	pack_cstr(pk, "x");
}
static void put_128(msgpack_packer *pk)
{
	msgpack_pack_int64(pk, 128);
}
static void put_big(msgpack_packer *pk)
{
	msgpack_pack_uint64(pk, UINT64_MAX);
}
static void put_nil(msgpack_packer *pk)
{
	msgpack_pack_nil(pk);
}
static void put_double(msgpack_packer *pk)
{
	msgpack_pack_double(pk, 1.0);
}
static void put_long_str(msgpack_packer *pk)
{
	pack_cstr(pk, "0123456789abcde\xc3\xa9");
}
static void put_bad_utf8(msgpack_packer *pk)
{
	pack_cstr(pk, "a\xc3(");
}
static void put_truncated_utf8(msgpack_packer *pk)
{
	pack_cstr(pk, "ab\xe2\x82");
}
static void put_overlong_utf8(msgpack_packer *pk)
{
	pack_cstr(pk, "\xc0\xaf");
}
static void put_surrogate_utf8(msgpack_packer *pk)
{
	pack_cstr(pk, "\xed\xa0\x80");
}
static void put_short_vec(msgpack_packer *pk)
{
	pack_bin(pk, "0123456789abcde", 15);
}
static void put_sparse_odd(msgpack_packer *pk)
{
	pack_bin(pk, "0123456789ab", 12);
}
static void put_sparse_order(msgpack_packer *pk)
{
	unsigned char v[16];
	put_le32(v, 7);
	put_le32(v + 4, 0);
	put_le32(v + 8, 7);
	put_le32(v + 12, 0);
	pack_bin(pk, v, 16);
}
static void put_big_array(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 5);
	for (int i = 0; i < 5; i++)
		msgpack_pack_int64(pk, i);
}
static void put_bad_element(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	pack_cstr(pk, "ok");
	pack_cstr(pk, "toolong");
}
static void put_array_nil(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 1);
	msgpack_pack_nil(pk);
}
static void put_not_object(msgpack_packer *pk)
{
	pack_cstr(pk, "[1]");
}

static void test_import_errors(void)
{
	struct mvs_batch *b = mvs_batch_new(&all_schema, NULL);
	char err[256];
	struct rowset rows;
	size_t len;
	const unsigned char *row;

	make_rows(&rows);
	row = row_at(&rows, 0, &len);
	CHECK(mvs_batch_add_row(b, row, len, err, sizeof err) == 0);
	mvs_batch_set_row_number(b, 41);
	expect_row_error(b, 1, 4, put_str, "row 41, field \"i32\"", "expected an integer for Int32, found a str");
	expect_row_error(b, 1, 2, put_128, "field \"i8\"", "128 is out of range for Int8");
	expect_row_error(b, 1, 0, put_big, "field \"id\"", "18446744073709551615 is out of range");
	expect_row_error(b, 2, 1, put_nil, "field \"b\"", "not nullable");
	expect_row_error(b, 2, 6, put_double, "field \"f\"", "expected a float32 for Float, found a float64");
	expect_row_error(b, 2, 8, put_long_str, "field \"s\"", "17 bytes exceeds max_length 16");
	expect_row_error(b, 2, 8, put_bad_utf8, "field \"s\"", "UTF-8");
	expect_row_error(b, 2, 11, put_truncated_utf8, "field \"t\"", "UTF-8");
	expect_row_error(b, 2, 11, put_overlong_utf8, "field \"t\"", "UTF-8");
	expect_row_error(b, 2, 9, put_surrogate_utf8, "field \"j\"", "UTF-8");
	expect_row_error(b, 2, 18, put_short_vec, "field \"fv\"", "vector of 15 bytes, FloatVector dim 4 needs 16");
	expect_row_error(b, 2, 23, put_sparse_odd, "field \"sv\"", "pairs of 8 bytes");
	expect_row_error(b, 2, 23, put_sparse_order, "field \"sv\"", "does not increase");
	expect_row_error(b, 2, 12, put_big_array, "field \"ai\"", "max_capacity 4");
	expect_row_error(b, 2, 13, put_bad_element, "field \"as\"", "element 1: string of 7 bytes");
	expect_row_error(b, 2, 15, put_array_nil, "field \"al\"", "element 0: null inside an array");
	expect_row_error(b, 2, 24, put_not_object, "field \"$meta\"", "JSON object");
	/* the failed rows left nothing behind: the batch still converts to the first row */
	row = row_at(&rows, 1, &len);
	CHECK(mvs_batch_add_row(b, row, len, err, sizeof err) == 0);
	CHECK(mvs_batch_rows(b) == 2);
	round_trip(b, &rows, 0, 2, false);

	/* whole-row problems */
	CHECK(mvs_batch_add_row(b, (const unsigned char *)"\x92\x01\x02", 3, err, sizeof err) ==
	      -1);
	CHECK(strstr(err, "array of 25 values") != NULL);
	row = row_at(&rows, 2, &len);
	CHECK(mvs_batch_add_row(b, row, len - 1, err, sizeof err) == -1);
	CHECK(strstr(err, "malformed") != NULL);
	{
		unsigned char longer[512];
		memcpy(longer, row, len);
		longer[len] = 0xc0;
		CHECK(mvs_batch_add_row(b, longer, len + 1, err, sizeof err) == -1);
		CHECK(strstr(err, "1 bytes after") != NULL);
	}
	CHECK(mvs_batch_rows(b) == 2);

	/* $meta is a JSON object's text, never nil (man/mvs-stream.5; the shared value check) */
	{
		msgpack_sbuffer sb;
		msgpack_packer pk;
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		mvs_batch_reset(b);
		expect_row_error(b, 1, 24, put_str, "field \"$meta\"", "JSON object");
		pack_row(&pk, 1);
		sb.data[sb.size - 3] = (char)0xc0; /* "{}" was the last value: a2 7b 7d -> nil */
		CHECK(mvs_batch_add_row(b, (unsigned char *)sb.data, sb.size - 2, err,
					sizeof err) == -1);
		CHECK(strstr(err, "field \"$meta\": null in a field that is not nullable") != NULL);
		CHECK(mvs_batch_rows(b) == 0);
		msgpack_sbuffer_destroy(&sb);
	}
	mvs_batch_free(b);
	msgpack_sbuffer_destroy(&rows.sb);
}

/* ---- export errors and keys ---- */

static struct mvs_field kv_fields[] = {
	{F("k", MVS_T_VARCHAR), .primary_key = true, .max_length = 32},
	{F("n", MVS_T_INT32), .nullable = true},
	{F("v", MVS_T_FLOAT_VECTOR), .dim = 2},
};

static struct mvs_schema kv_schema = {
	.name = "kv",
	.fields = kv_fields,
	.n_fields = 3,
};

/* A VarChar column of n values (their bytes, NUL bytes included). */
static FieldData *bytes_column(const char *name, ProtobufCBinaryData *values, size_t n)
{
	FieldData *fd = keep(malloc(sizeof *fd));
	ScalarField *sc = keep(malloc(sizeof *sc));
	Milvus__Proto__Schema__StringArray *a = keep(malloc(sizeof *a));

	milvus__proto__schema__field_data__init(fd);
	milvus__proto__schema__scalar_field__init(sc);
	milvus__proto__schema__string_array__init(a);
	a->data = values;
	a->n_data = n;
	sc->data_case = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA;
	sc->string_data = a;
	fd->type = MILVUS__PROTO__SCHEMA__DATA_TYPE__VarChar;
	fd->field_name = (char *)name;
	fd->field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS;
	fd->scalars = sc;
	return fd;
}

/* A VarChar column of n C strings. */
static FieldData *string_column(const char *name, char *const *values, size_t n)
{
	ProtobufCBinaryData *v = keep(calloc(n, sizeof *v));

	for (size_t i = 0; i < n; i++) {
		v[i].data = (uint8_t *)values[i];
		v[i].len = strlen(values[i]);
	}
	return bytes_column(name, v, n);
}

static FieldData *int_column(const char *name, int32_t *values, size_t n)
{
	FieldData *fd = keep(malloc(sizeof *fd));
	ScalarField *sc = keep(malloc(sizeof *sc));
	Milvus__Proto__Schema__IntArray *a = keep(malloc(sizeof *a));

	milvus__proto__schema__field_data__init(fd);
	milvus__proto__schema__scalar_field__init(sc);
	milvus__proto__schema__int_array__init(a);
	a->data = values;
	a->n_data = n;
	sc->data_case = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_INT_DATA;
	sc->int_data = a;
	fd->type = MILVUS__PROTO__SCHEMA__DATA_TYPE__Int32;
	fd->field_name = (char *)name;
	fd->field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS;
	fd->scalars = sc;
	return fd;
}

static FieldData *vector_column(const char *name, float *values, size_t n_floats, int64_t dim)
{
	FieldData *fd = keep(malloc(sizeof *fd));
	Milvus__Proto__Schema__VectorField *vf = keep(malloc(sizeof *vf));
	Milvus__Proto__Schema__FloatArray *a = keep(malloc(sizeof *a));

	milvus__proto__schema__field_data__init(fd);
	milvus__proto__schema__vector_field__init(vf);
	milvus__proto__schema__float_array__init(a);
	a->data = values;
	a->n_data = n_floats;
	vf->dim = dim;
	vf->data_case = MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_FLOAT_VECTOR;
	vf->float_vector = a;
	fd->type = MILVUS__PROTO__SCHEMA__DATA_TYPE__FloatVector;
	fd->field_name = (char *)name;
	fd->field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS;
	fd->vectors = vf;
	return fd;
}

/* A sink that stops the page when its first row ends. */
static int count_begin(void *ctx)
{
	(void)ctx;
	return 0;
}

static int count_write(void *ctx, const char *bytes, size_t n)
{
	(void)ctx;
	(void)bytes;
	(void)n;
	return 0;
}

static int stop_after_one(void *ctx)
{
	return ++*(int *)ctx >= 1 ? 7 : 0;
}

static void expect_page_error(struct mvs_page *c, FieldData **cols, size_t n, const char *w1,
			      const char *w2)
{
	struct rowset out;
	size_t rows;
	char err[256] = "";

	rowset_init(&out);
	CHECK(mvs_page_convert(c, cols, n, 1000, &out.sink, &rows, err, sizeof err) == -1);
	if (!strstr(err, w1) || (w2 && !strstr(err, w2))) {
		fprintf(stderr, "unexpected message \"%s\" (wanted \"%s\"%s%s)\n", err, w1,
			w2 ? ", " : "", w2 ? w2 : "");
		failures++;
	}
	msgpack_sbuffer_destroy(&out.sb);
}

static void test_export(void)
{
	struct mvs_page *c = mvs_page_new(&kv_schema);
	static char *keys[] = {"a", "b\xc3\xa9", "c"}, *bad_keys[] = {"a", "c", "c"};
	static int32_t nums[] = {1, 0, 3}, wide[] = {1, 2, 3, 4};
	static float vecs[] = {1, 2, 3, 4, 5, 6};
	static protobuf_c_boolean valid[] = {1, 0, 1};
	FieldData *k = string_column("k", keys, 3), *n = int_column("n", nums, 3),
		  *v = vector_column("v", vecs, 6, 2), *other = int_column("other", wide, 4);
	FieldData *cols[4];
	struct rowset out;
	size_t rows;
	char err[256] = "";
	int calls = 0;
	const struct mvs_row_sink stopper = { count_begin, count_write, stop_after_one, &calls };

	n->valid_data = valid;
	n->n_valid_data = 3;

	/* any order; unknown columns ignored; the null becomes nil */
	rowset_init(&out);
	cols[0] = v, cols[1] = other, cols[2] = n, cols[3] = k;
	CHECK(mvs_page_convert(c, cols, 4, 0, &out.sink, &rows, err, sizeof err) == 0);
	CHECK(rows == 3 && out.n == 3);
	if (out.n == 3) {
		size_t len;
		const unsigned char *row = row_at(&out, 1, &len);
		/* [ "bé", nil, bin(8) 3.0 4.0 ] */
		CHECK(len == 1 + 4 + 1 + 10);
		CHECK(memcmp(row,
			     "\x93\xa3"
			     "b\xc3\xa9"
			     "\xc0\xc4\x08\x00\x00\x40\x40\x00\x00\x80\x40",
			     16) == 0);
	}
	msgpack_sbuffer_destroy(&out.sb);

	/* the compact form of a nullable scalar is understood as well */
	{
		static int32_t compact[] = {1, 3};
		FieldData *nc = int_column("n", compact, 2);
		nc->valid_data = valid;
		nc->n_valid_data = 3;
		rowset_init(&out);
		cols[0] = k, cols[1] = nc, cols[2] = v;
		CHECK(mvs_page_convert(c, cols, 3, 0, &out.sink, &rows, err, sizeof err) == 0 &&
		      rows == 3);
		msgpack_sbuffer_destroy(&out.sb);
	}

	/* a missing nullable column is nil; an empty page is no rows */
	rowset_init(&out);
	cols[0] = k, cols[1] = v;
	CHECK(mvs_page_convert(c, cols, 2, 0, &out.sink, &rows, err, sizeof err) == 0 &&
	      rows == 3);
	if (out.n == 3) {
		size_t len;
		const unsigned char *row = row_at(&out, 0, &len);
		CHECK(len > 3 && row[3] == 0xc0);
	}
	msgpack_sbuffer_destroy(&out.sb);
	CHECK(mvs_page_convert(c, cols, 0, 0, &out.sink, &rows, err, sizeof err) == 0 &&
	      rows == 0);

	/* the callback stops the page */
	cols[0] = k, cols[1] = n, cols[2] = v;
	CHECK(mvs_page_convert(c, cols, 3, 0, &stopper, &rows, err, sizeof err) ==
	      MVS_PAGE_STOPPED);
	CHECK(calls == 1 && rows == 0);

	/* errors */
	cols[0] = k, cols[1] = n;
	expect_page_error(c, cols, 2, "field \"v\"", "missing");
	cols[0] = string_column("k", bad_keys, 3), cols[1] = n, cols[2] = v;
	expect_page_error(c, cols, 3, "field \"k\", row 1003", "\"c\" after \"c\"");
	cols[0] = k, cols[1] = n, cols[2] = vector_column("v", vecs, 4, 2);
	expect_page_error(c, cols, 3, "field \"v\", row 1003", "ends after 2 values");
	cols[2] = vector_column("v", vecs, 6, 3);
	expect_page_error(c, cols, 3, "field \"v\"", "dim 3, the schema says 2");
	cols[2] = int_column("v", wide, 3);
	expect_page_error(c, cols, 3, "field \"v\"", "type Int32, the schema says FloatVector");
	cols[2] = v;
	cols[1] = int_column("n", wide, 4);
	expect_page_error(c, cols, 3, "field \"n\"", "4 values for 3 rows");
	cols[1] = n;
	cols[3] = k;
	expect_page_error(c, cols, 4, "field \"k\"", "two columns");
	{
		FieldData *nv = vector_column("v", vecs, 6, 2);
		nv->valid_data = valid;
		nv->n_valid_data = 3;
		cols[2] = nv;
		expect_page_error(c, cols, 3, "field \"v\", row 1002", "not nullable");
	}
	mvs_page_free(c);

	/* Int64 keys: the extremes, and their order */
	{
		static struct mvs_field f[] = {{F("id", MVS_T_INT64), .primary_key = true},
					       {F("v", MVS_T_FLOAT_VECTOR), .dim = 2}};
		struct mvs_schema s = {.name = "ints", .fields = f, .n_fields = 2};
		static int64_t ids[] = {-5, 9, INT64_MAX}, bad[] = {-5, -5, 0};
		FieldData *id = keep(malloc(sizeof *id));
		ScalarField *sc = keep(malloc(sizeof *sc));
		Milvus__Proto__Schema__LongArray la;

		milvus__proto__schema__field_data__init(id);
		milvus__proto__schema__scalar_field__init(sc);
		milvus__proto__schema__long_array__init(&la);
		la.data = ids;
		la.n_data = 3;
		sc->data_case = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA;
		sc->long_data = &la;
		id->type = MILVUS__PROTO__SCHEMA__DATA_TYPE__Int64;
		id->field_name = "id";
		id->field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS;
		id->scalars = sc;
		c = mvs_page_new(&s);
		cols[0] = id, cols[1] = v;
		rowset_init(&out);
		CHECK(mvs_page_convert(c, cols, 2, 0, &out.sink, &rows, err, sizeof err) == 0 &&
		      rows == 3);
		size_t len;
		const unsigned char *row = row_at(&out, 0, &len);
		CHECK(len > 2 && row[1] == 0xfb);	/* -5: negative fixint */
		row = row_at(&out, 2, &len);
		CHECK(len > 9 && memcmp(row + 1, "\xcf\x7f\xff\xff\xff\xff\xff\xff\xff", 9) == 0);
		msgpack_sbuffer_destroy(&out.sb);
		la.data = bad;
		expect_page_error(c, cols, 2, "field \"id\", row 1002", "primary key -5 after -5");
		mvs_page_free(c);
	}
}

/* ---- VarChar keys holding U+0000 ---- */

#define BYTES(lit) {sizeof(lit) - 1, (uint8_t *)(lit)}

static void test_nul_keys(void)
{
	/* Milvus's order: bytewise with a prefix first */
	static ProtobufCBinaryData keys[] = {BYTES(""),	   BYTES("\0"),    BYTES("\0\0"), BYTES("a"),
					     BYTES("a\0"), BYTES("a\0\0"), BYTES("a\0b"), BYTES("a\x01")};
	static ProtobufCBinaryData swapped[] = {BYTES("a\0"), BYTES("a")};
	static float vecs[16] = {0};
	const size_t n_keys = sizeof keys / sizeof keys[0];
	struct mvs_page *c = mvs_page_new(&kv_schema);
	FieldData *cols[2];
	struct rowset out;
	size_t rows;
	char err[256] = "";

	for (size_t i = 0; i + 1 < n_keys; i++) {
		const struct mvs_pk a = {.is_string = true, .s = (char *)keys[i].data, .len = keys[i].len};
		const struct mvs_pk b = {.is_string = true, .s = (char *)keys[i + 1].data, .len = keys[i + 1].len};
		CHECK_MSG(mvs_pk_compare(&a, &b) < 0 && mvs_pk_compare(&b, &a) > 0 && mvs_pk_compare(&a, &a) == 0,
			  "keys %zu and %zu", i, i + 1);
	}

	/* a page of them: in order, and each row holds its key's bytes exactly */
	cols[0] = bytes_column("k", keys, n_keys);
	cols[1] = vector_column("v", vecs, 2 * n_keys, 2);
	rowset_init(&out);
	CHECK(mvs_page_convert(c, cols, 2, 0, &out.sink, &rows, err, sizeof err) == 0 && rows == n_keys);
	for (size_t i = 0; i < out.n && i < n_keys; i++) {
		size_t len;
		const unsigned char *row = row_at(&out, i, &len);
		CHECK_MSG(len > 2 + keys[i].len && row[1] == (0xa0 | keys[i].len) &&
			  memcmp(row + 2, keys[i].data, keys[i].len) == 0, "row %zu", i);
	}
	msgpack_sbuffer_destroy(&out.sb);

	/* out of order across a NUL: the message shows the keys as escaped literals */
	cols[0] = bytes_column("k", swapped, 2);
	cols[1] = vector_column("v", vecs, 4, 2);
	expect_page_error(c, cols, 2, "field \"k\", row 1002", "primary key \"a\" after \"a\\x00\"");

	/* import: such keys are accepted and sent with their lengths; over the wire and back unchanged */
	{
		struct mvs_batch *b = mvs_batch_new(&kv_schema, NULL);
		struct rowset in;
		msgpack_sbuffer one;
		msgpack_packer pk;
		FieldData **fields, **wire;
		size_t n;

		rowset_init(&in);
		msgpack_sbuffer_init(&one);
		msgpack_packer_init(&pk, &one, msgpack_sbuffer_write);
		for (size_t i = 0; i < n_keys; i++) {
			one.size = 0;
			msgpack_pack_array(&pk, 3);
			msgpack_pack_str(&pk, keys[i].len);
			msgpack_pack_str_body(&pk, keys[i].data, keys[i].len);
			msgpack_pack_int64(&pk, (int64_t)i);
			pack_bin(&pk, vecs, 8);
			rowset_add(&in, one.data, one.size);
			CHECK_MSG(mvs_batch_add_row(b, (unsigned char *)one.data, one.size, err, sizeof err) == 0,
				  "row %zu: %s", i, err);
		}
		CHECK(mvs_batch_fields(b, 0, n_keys, &fields, &n) == 0 && n == 3);
		for (size_t i = 0; i < n_keys; i++)
			CHECK_MSG(bytes_eq(&fields[0]->scalars->string_data->data[i], (char *)keys[i].data,
					   keys[i].len), "key %zu", i);
		wire = over_the_wire(fields, n);
		rowset_init(&out);
		CHECK(mvs_page_convert(c, wire, n, 0, &out.sink, &rows, err, sizeof err) == 0 && rows == n_keys);
		check_rows_equal(&in, 0, &out);
		free_wire(wire, n);
		msgpack_sbuffer_destroy(&out.sb);
		msgpack_sbuffer_destroy(&in.sb);
		msgpack_sbuffer_destroy(&one);
		mvs_batch_free(b);
	}
	mvs_page_free(c);
}

int main(void)
{
	test_round_trip();
	test_import_errors();
	test_export();
	test_nul_keys();
	while (n_owned > 0)
		free(owned[--n_owned]);
	if (failures) {
		fprintf(stderr, "test_columns: %d check(s) failed\n", failures);
		return 1;
	}
	return 0;
}
