/* Unit tests of lib/stream/mvs_row.c and mvs_mpack.c: the msgpack skipper on every format (and on every truncation of each),
 * row splitting, and the value checks of the encoding table in man/mvs-stream.5. Values are built
 * with msgpack-c's packer or written out byte by byte, never with the code under test. */
#include <inttypes.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_check.h"
#include "mvs_mpack.h"
#include "mvs_row.h"
#include "mvs_schema.h"
#include "mvs_types.h"
#include "check.h"


static msgpack_sbuffer sb;
static msgpack_packer pk;

static void reset(void)
{
	msgpack_sbuffer_clear(&sb);
}

static void raw(const void *p, size_t n)
{
	msgpack_sbuffer_write(&sb, p, n);
}

static void str(const char *s)
{
	msgpack_pack_str(&pk, strlen(s));
	msgpack_pack_str_body(&pk, s, strlen(s));
}

static void bin_n(size_t n)
{
	char *zeros = calloc(1, n + 1);

	msgpack_pack_bin(&pk, n);
	msgpack_pack_bin_body(&pk, zeros, n);
	free(zeros);
}

/* The buffer holds exactly one value: it measures to its full length, and every shorter prefix
 * measures to 0 (for big values: the first and last 64 prefixes and one in the middle). */
static void expect_one_value(const char *what)
{
	const unsigned char *p = (const unsigned char *)sb.data;

	if (mvs_mp_skip(p, sb.size) != sb.size) {
		fprintf(stderr, "%s: skip gave %zu, want %zu\n", what, mvs_mp_skip(p, sb.size),
			sb.size);
		failures++;
	}
	for (size_t cut = 0; cut < sb.size; cut++) {
		if (sb.size > 256 && cut == 64)
			cut = sb.size / 2;
		if (sb.size > 256 && cut == sb.size / 2 + 1)
			cut = sb.size - 64;
		if (mvs_mp_skip(p, cut) != 0) {
			fprintf(stderr, "%s: prefix of %zu bytes measured as a value\n", what, cut);
			failures++;
			break;
		}
	}
}

static void test_skip_every_format(void)
{
	static const int64_t ints[] = { 0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295LL,
					4294967296LL, INT64_MAX, -1, -32, -33, -128, -129, -32768,
					-32769, INT32_MIN, (int64_t)INT32_MIN - 1, INT64_MIN };
	char what[64];

	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		reset();
		msgpack_pack_int64(&pk, ints[i]);
		snprintf(what, sizeof what, "int %" PRId64, ints[i]);
		expect_one_value(what);
	}
	reset();
	msgpack_pack_uint64(&pk, UINT64_MAX);
	expect_one_value("uint64 max");
	reset();
	msgpack_pack_nil(&pk);
	expect_one_value("nil");
	reset();
	msgpack_pack_true(&pk);
	expect_one_value("true");
	reset();
	msgpack_pack_float(&pk, 1.5f);
	expect_one_value("float32");
	reset();
	msgpack_pack_double(&pk, 1.5);
	expect_one_value("float64");

	static const size_t sizes[] = { 0, 1, 31, 32, 255, 256, 65535, 65536, 70000 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char *s = calloc(1, sizes[i] + 1);
		memset(s, 'x', sizes[i]);
		reset();
		str(s);
		snprintf(what, sizeof what, "str of %zu", sizes[i]);
		expect_one_value(what);
		reset();
		bin_n(sizes[i]);
		snprintf(what, sizeof what, "bin of %zu", sizes[i]);
		expect_one_value(what);
		free(s);
	}
	static const size_t ext_sizes[] = { 1, 2, 4, 8, 16, 0, 3, 17, 300, 70000 };
	for (size_t i = 0; i < sizeof ext_sizes / sizeof ext_sizes[0]; i++) {
		char *body = calloc(1, ext_sizes[i] + 1);
		reset();
		msgpack_pack_ext(&pk, ext_sizes[i], 5);
		msgpack_pack_ext_body(&pk, body, ext_sizes[i]);
		snprintf(what, sizeof what, "ext of %zu", ext_sizes[i]);
		expect_one_value(what);
		free(body);
	}
	static const size_t counts[] = { 0, 1, 15, 16, 65535, 65536 };
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		reset();
		msgpack_pack_array(&pk, counts[i]);
		for (size_t k = 0; k < counts[i]; k++)
			msgpack_pack_int(&pk, (int)k);
		snprintf(what, sizeof what, "array of %zu", counts[i]);
		expect_one_value(what);
		reset();
		msgpack_pack_map(&pk, counts[i]);
		for (size_t k = 0; k < counts[i]; k++) {
			msgpack_pack_int(&pk, (int)k);
			str("v");
		}
		snprintf(what, sizeof what, "map of %zu", counts[i]);
		expect_one_value(what);
	}

	/* nesting: arrays of maps of arrays, and 100000 levels deep (no recursion to overflow) */
	reset();
	msgpack_pack_array(&pk, 2);
	msgpack_pack_map(&pk, 1);
	str("k");
	msgpack_pack_array(&pk, 2);
	msgpack_pack_nil(&pk);
	bin_n(3);
	msgpack_pack_array(&pk, 0);
	expect_one_value("nested");
	reset();
	for (int i = 0; i < 100000; i++)
		raw("\x91", 1);
	raw("\xc0", 1);
	CHECK(mvs_mp_skip((const unsigned char *)sb.data, sb.size) == sb.size);
	CHECK(mvs_mp_skip((const unsigned char *)sb.data, sb.size - 1) == 0);

	/* malformed: the never-used byte, and counts that the bytes cannot hold */
	CHECK(mvs_mp_skip((const unsigned char *)"\xc1", 1) == 0);
	CHECK(mvs_mp_skip((const unsigned char *)"\x92\xc1\x01", 3) == 0);
	CHECK(mvs_mp_skip((const unsigned char *)"\xdd\xff\xff\xff\xff\x01\x02", 7) == 0);
	CHECK(mvs_mp_skip((const unsigned char *)"\xdf\xff\xff\xff\xff\x01\x02", 7) == 0);
	CHECK(mvs_mp_skip((const unsigned char *)"\xc6\xff\xff\xff\xff\x01", 6) == 0);
	CHECK(mvs_mp_skip((const unsigned char *)"\xdb\xff\xff\xff\xff\x01", 6) == 0);
	CHECK(mvs_mp_skip((const unsigned char *)"\xc9\xff\xff\xff\xff\x01\x02", 7) == 0);
	CHECK(mvs_mp_skip((const unsigned char *)"", 0) == 0);
	/* only the first value counts */
	CHECK(mvs_mp_skip((const unsigned char *)"\x01\x02", 2) == 1);
}

static void test_split(void)
{
	struct mvs_span v[3];

	reset();
	msgpack_pack_array(&pk, 3);
	msgpack_pack_int(&pk, 300);
	str("ab");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_nil(&pk);
	const unsigned char *p = (const unsigned char *)sb.data;
	CHECK(mvs_row_split(p, sb.size, 3, v) == 0);
	CHECK(v[0].ptr == p + 1 && v[0].len == 3);
	CHECK(v[1].ptr == p + 4 && v[1].len == 3);
	CHECK(v[2].ptr == p + 7 && v[2].len == 2);
	CHECK(mvs_row_measure(p, sb.size, 3) == sb.size);
	CHECK(mvs_row_measure(p, sb.size, 2) == 0);
	CHECK(mvs_row_split(p, sb.size, 2, v) == -1);	/* wrong width */
	CHECK(mvs_row_split(p, sb.size - 1, 3, v) == -1);	/* truncated */
	raw("\x00", 1);
	CHECK(mvs_row_split(p = (const unsigned char *)sb.data, sb.size, 3, v) == -1);	/* trailing */
	CHECK(mvs_row_measure(p, sb.size, 3) == sb.size - 1);	/* rows lie back to back */
	CHECK(mvs_row_split((const unsigned char *)"\x01", 1, 1, v) == -1);	/* not an array */

	/* array 16 and 32 headers are arrays too */
	CHECK(mvs_row_split((const unsigned char *)"\xdc\x00\x01\x05", 4, 1, v) == 0 && v[0].len == 1);
	CHECK(mvs_row_split((const unsigned char *)"\xdd\x00\x00\x00\x01\x05", 6, 1, v) == 0);
	CHECK(mvs_row_split((const unsigned char *)"\x90", 1, 0, v) == 0);
}

static struct mvs_field field(int type)
{
	return (struct mvs_field){ .name = "x", .type = type };
}

/* Checks the buffer as one value of f; want 0 (ok) or -1 with a message containing want_msg. */
static void expect(const struct mvs_field *f, int want, const char *want_msg, int line)
{
	char err[300] = "";
	int rc = mvs_value_check(f, (const unsigned char *)sb.data, sb.size, err, sizeof err);

	if (rc != want || (want_msg && !strstr(err, want_msg))) {
		fprintf(stderr, "line %d: %s value: got %d \"%s\", wanted %d \"%s\"\n", line,
			mvs_type_name(f->type), rc, err, want, want_msg ? want_msg : "");
		failures++;
	}
}

#define OK(f) expect(&(f), 0, NULL, __LINE__)
#define BAD(f, msg) expect(&(f), -1, msg, __LINE__)

static void test_scalars(void)
{
	struct mvs_field f;
	static const struct {
		int type;
		int64_t lo, hi;
	} ranges[] = {
		{ MVS_T_INT8, INT8_MIN, INT8_MAX },
		{ MVS_T_INT16, INT16_MIN, INT16_MAX },
		{ MVS_T_INT32, INT32_MIN, INT32_MAX },
		{ MVS_T_INT64, INT64_MIN, INT64_MAX },
	};

	for (size_t i = 0; i < 4; i++) {
		f = field(ranges[i].type);
		reset();
		msgpack_pack_int64(&pk, ranges[i].lo);
		OK(f);
		reset();
		msgpack_pack_int64(&pk, ranges[i].hi);
		OK(f);
		reset();
		raw("\xd3\0\0\0\0\0\0\0\x07", 9);	/* a small value in the widest format */
		OK(f);
		if (ranges[i].type != MVS_T_INT64) {
			reset();
			msgpack_pack_int64(&pk, ranges[i].lo - 1);
			BAD(f, "out of range");
			reset();
			msgpack_pack_int64(&pk, ranges[i].hi + 1);
			BAD(f, "out of range");
		}
		reset();
		msgpack_pack_float(&pk, 1.0f);
		BAD(f, "expected an integer");
	}
	f = field(MVS_T_INT64);
	reset();
	msgpack_pack_uint64(&pk, (uint64_t)INT64_MAX + 1);
	BAD(f, "9223372036854775808 is out of range for Int64");

	f = field(MVS_T_BOOL);
	reset();
	msgpack_pack_false(&pk);
	OK(f);
	reset();
	msgpack_pack_int(&pk, 1);
	BAD(f, "field \"x\": expected a bool for Bool, found an integer");

	f = field(MVS_T_FLOAT);
	reset();
	raw("\xca\x7f\x80\x00\x01", 5);	/* a signalling NaN is still a float32 */
	OK(f);
	reset();
	msgpack_pack_double(&pk, 1.0);
	BAD(f, "expected a float32 for Float, found a float64");
	f = field(MVS_T_DOUBLE);
	OK(f);
	reset();
	msgpack_pack_float(&pk, 1.0f);
	BAD(f, "expected a float64");

	/* nil only where nullable */
	reset();
	msgpack_pack_nil(&pk);
	BAD(f, "null in a field that is not nullable");
	f.nullable = true;
	OK(f);

	/* a value that is not one well-formed msgpack value */
	reset();
	raw("\xcb\x00", 2);
	BAD(f, "malformed");
	reset();
	raw("\x01\x02", 2);
	BAD(f, "malformed");

	f = field(MVS_T_NONE);
	reset();
	msgpack_pack_nil(&pk);
	BAD(f, "unsupported data type");
	f = field(999);
	BAD(f, "DataType(999)");
}

static void test_strings(void)
{
	struct mvs_field f = field(MVS_T_VARCHAR);

	f.max_length = 6;
	reset();
	str("");
	OK(f);
	reset();
	str("日本");	/* 6 bytes */
	OK(f);
	reset();
	str("日本x");
	BAD(f, "string of 7 bytes exceeds max_length 6");
	f.max_length = 100;
	static const char *const bad_utf8[] = {
		"\xc0\x80",		/* overlong NUL */
		"\xe0\x80\xaf",		/* overlong '/' */
		"\xed\xa0\x80",		/* surrogate */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xf5\x80\x80\x80",
		"\x80",			/* continuation without a lead */
		"abc\xe6\x97",		/* truncated sequence */
		"\xff",
	};
	for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
		reset();
		str(bad_utf8[i]);
		BAD(f, "not valid UTF-8");
	}
	reset();
	str("plain ascii long enough for the eight byte path, é, 😀, \xef\xbf\xbf");
	OK(f);
	reset();
	bin_n(2);
	BAD(f, "expected a str for VarChar, found a bin");

	f = field(MVS_T_JSON);
	reset();
	str("[1, 2]");
	OK(f);
	f = field(MVS_T_GEOMETRY);
	reset();
	str("POINT (1 2)");
	OK(f);
	f = field(MVS_T_TEXT);
	OK(f);

	/* $meta: a JSON object's text */
	f = field(MVS_T_JSON);
	f.is_dynamic = true;
	reset();
	str("{\"a\": 1}");
	OK(f);
	reset();
	str("[1]");
	BAD(f, "dynamic field must hold a JSON object");
	reset();
	str("");
	BAD(f, "dynamic field");
}

static void test_arrays(void)
{
	struct mvs_field f = field(MVS_T_ARRAY);

	f.element_type = MVS_T_INT16;
	f.max_capacity = 3;
	reset();
	msgpack_pack_array(&pk, 0);
	OK(f);
	reset();
	msgpack_pack_array(&pk, 3);
	msgpack_pack_int(&pk, -32768);
	msgpack_pack_int(&pk, 0);
	msgpack_pack_int(&pk, 32767);
	OK(f);
	reset();
	msgpack_pack_array(&pk, 4);
	for (int i = 0; i < 4; i++)
		msgpack_pack_int(&pk, i);
	BAD(f, "array of 4 elements exceeds max_capacity 3");
	reset();
	msgpack_pack_array(&pk, 2);
	msgpack_pack_int(&pk, 1);
	msgpack_pack_int(&pk, 40000);
	BAD(f, "element 1: 40000 is out of range for Int16");
	reset();
	msgpack_pack_array(&pk, 1);
	msgpack_pack_nil(&pk);
	BAD(f, "element 0: null inside an array");
	reset();
	msgpack_pack_int(&pk, 1);
	BAD(f, "expected an array for Array, found an integer");

	f.element_type = MVS_T_VARCHAR;
	f.max_length = 3;
	reset();
	msgpack_pack_array(&pk, 2);
	str("abc");
	str("");
	OK(f);
	reset();
	msgpack_pack_array(&pk, 1);
	str("abcd");
	BAD(f, "element 0: string of 4 bytes exceeds max_length 3");
	reset();
	msgpack_pack_array(&pk, 1);
	msgpack_pack_int(&pk, 1);
	BAD(f, "element 0: expected a str");

	f.element_type = MVS_T_FLOAT;
	reset();
	msgpack_pack_array(&pk, 1);
	msgpack_pack_float(&pk, 2.0f);
	OK(f);
	f.element_type = MVS_T_FLOAT_VECTOR;
	BAD(f, "unsupported Array element type FloatVector");
}

static void test_vectors(void)
{
	static const struct {
		int type;
		int64_t dim;
		size_t bytes;
	} dense[] = {
		{ MVS_T_FLOAT_VECTOR, 4, 16 },
		{ MVS_T_FLOAT_VECTOR, 768, 3072 },
		{ MVS_T_BINARY_VECTOR, 16, 2 },
		{ MVS_T_FLOAT16_VECTOR, 3, 6 },
		{ MVS_T_BFLOAT16_VECTOR, 3, 6 },
		{ MVS_T_INT8_VECTOR, 5, 5 },
		{ MVS_T_FLOAT_VECTOR, 100000, 400000 },	/* bin 32 */
	};

	for (size_t i = 0; i < sizeof dense / sizeof dense[0]; i++) {
		struct mvs_field f = field(dense[i].type);
		char want[96];

		f.dim = dense[i].dim;
		reset();
		bin_n(dense[i].bytes);
		OK(f);
		reset();
		bin_n(dense[i].bytes - 1);
		snprintf(want, sizeof want, "vector of %zu bytes, %s dim %" PRId64 " needs %zu",
			 dense[i].bytes - 1, mvs_type_name(dense[i].type), dense[i].dim, dense[i].bytes);
		BAD(f, want);
		reset();
		bin_n(dense[i].bytes + 1);
		BAD(f, "needs");
		reset();
		msgpack_pack_array(&pk, 0);
		BAD(f, "expected a bin");
	}
	struct mvs_field f = field(MVS_T_BINARY_VECTOR);
	f.dim = 12;	/* not a multiple of 8: no length is right */
	reset();
	bin_n(1);
	BAD(f, "needs 0");

	f = field(MVS_T_SPARSE_FLOAT_VECTOR);
	reset();
	bin_n(0);
	OK(f);
	reset();
	msgpack_pack_bin(&pk, 24);
	msgpack_pack_bin_body(&pk, "\x00\x00\x00\x00\x00\x00\x80\x3f"
				   "\x05\x00\x00\x00\x00\x00\x80\x3f"
				   "\xfe\xff\xff\xff\x00\x00\x80\x3f", 24);
	OK(f);
	reset();
	bin_n(12);
	BAD(f, "not a whole number of (index, value) pairs");
	reset();
	msgpack_pack_bin(&pk, 16);
	msgpack_pack_bin_body(&pk, "\x05\x00\x00\x00\x00\x00\x80\x3f"
				   "\x05\x00\x00\x00\x00\x00\x80\x3f", 16);
	BAD(f, "sparse vector index 5 at pair 1 does not increase");
	reset();
	msgpack_pack_bin(&pk, 16);
	msgpack_pack_bin_body(&pk, "\x05\x00\x00\x00\x00\x00\x80\x3f"
				   "\x04\x00\x00\x00\x00\x00\x80\x3f", 16);
	BAD(f, "does not increase");
	reset();
	msgpack_pack_bin(&pk, 8);
	msgpack_pack_bin_body(&pk, "\xff\xff\xff\xff\x00\x00\x80\x3f", 8);
	BAD(f, "index 4294967295 at pair 0 is reserved");
	reset();
	str("");
	BAD(f, "expected a bin for SparseFloatVector, found a str");
}

static void test_row_check(void)
{
	struct mvs_field fields[4] = {
		{ .name = "id", .type = MVS_T_INT64, .primary_key = true },
		{ .name = "bm25", .type = MVS_T_SPARSE_FLOAT_VECTOR, .function_output = true },
		{ .name = "v", .type = MVS_T_BINARY_VECTOR, .dim = 8 },
		{ .name = "$meta", .type = MVS_T_JSON, .is_dynamic = true },
	};
	struct mvs_schema s = { .name = "c", .fields = fields, .n_fields = 4 };
	char err[300];

	reset();
	msgpack_pack_array(&pk, 3);
	msgpack_pack_int(&pk, 1);
	bin_n(1);
	str("{}");
	CHECK(mvs_row_check(&s, (const unsigned char *)sb.data, sb.size, err, sizeof err) == 0);
	reset();
	msgpack_pack_array(&pk, 3);
	msgpack_pack_int(&pk, 1);
	bin_n(2);
	str("{}");
	CHECK(mvs_row_check(&s, (const unsigned char *)sb.data, sb.size, err, sizeof err) == -1);
	CHECK(strstr(err, "field \"v\": vector of 2 bytes, BinaryVector dim 8 needs 1"));
	reset();
	msgpack_pack_array(&pk, 4);
	msgpack_pack_int(&pk, 1);
	bin_n(0);
	bin_n(1);
	str("{}");
	CHECK(mvs_row_check(&s, (const unsigned char *)sb.data, sb.size, err, sizeof err) == -1);
	CHECK(strstr(err, "row is not one msgpack array of 3 values"));
	reset();
	msgpack_pack_array(&pk, 3);
	msgpack_pack_int(&pk, 1);
	bin_n(1);
	str("{}");
	raw("\xc0", 1);
	CHECK(mvs_row_check(&s, (const unsigned char *)sb.data, sb.size, err, sizeof err) == -1);
}

int main(void)
{
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	test_skip_every_format();
	test_split();
	test_scalars();
	test_strings();
	test_arrays();
	test_vectors();
	test_row_check();
	msgpack_sbuffer_destroy(&sb);
	if (failures) {
		fprintf(stderr, "test_row: %d checks failed\n", failures);
		return 1;
	}
	printf("test_row: all checks passed\n");
	return 0;
}
