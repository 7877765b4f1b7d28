/* Unit tests of lib/stream/mvs_json.c and mvs_jtext.c: JSON escaping of every control character and of UTF-8 (valid and
 * not), number formats (%.9g, %.17g, non-finite), every msgpack int format, half and bfloat16
 * decoding, vectors, arrays, JSON fields (checked and kept on one line), rows and headers, and the
 * refusals that keep the output valid JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_json.h"
#include "mvs_types.h"
#include "check.h"


static struct mvs_jbuf buf;
static char err[512];

/* Renders one value; returns the text (NUL-terminated) or NULL with err set. */
static const char *render(const struct mvs_field *f, const void *value, size_t len)
{
	mvs_jbuf_reset(&buf);
	err[0] = 0;
	if (mvs_json_value(&buf, f, value, len, err, sizeof err))
		return NULL;
	mvs_jbuf_append(&buf, "", 1);
	return buf.data;
}

static void expect(int type, const void *value, size_t len, const char *want)
{
	struct mvs_field f = { .name = "v", .type = type };
	const char *got = render(&f, value, len);

	CHECK_MSG(got && strcmp(got, want) == 0, "%s: want %s, got %s (%s)", mvs_type_name(type), want,
	      got ? got : "an error", err);
}

static void expect_error(const struct mvs_field *f, const void *value, size_t len, const char *want)
{
	const char *got = render(f, value, len);

	CHECK_MSG(!got && strstr(err, want), "%s: want an error with \"%s\", got %s / %s",
	      mvs_type_name(f->type), want, got ? got : "an error", err);
}

/* msgpack str of s */
static size_t pack_str(unsigned char *out, const char *s, size_t n)
{
	if (n < 32) {
		out[0] = 0xa0 | (unsigned char)n;
		memcpy(out + 1, s, n);
		return n + 1;
	}
	out[0] = 0xd9;
	out[1] = (unsigned char)n;
	memcpy(out + 2, s, n);
	return n + 2;
}

static void expect_string(int type, const char *s, size_t n, const char *want)
{
	unsigned char v[300];

	expect(type, v, pack_str(v, s, n), want);
}

static void expect_cstring(int type, const char *s, const char *want)
{
	expect_string(type, s, strlen(s), want);
}

static void expect_float(float x, const char *want)
{
	unsigned char v[5] = { 0xca };
	uint32_t bits;

	memcpy(&bits, &x, 4);
	for (int i = 0; i < 4; i++)
		v[1 + i] = (unsigned char)(bits >> (24 - 8 * i));
	expect(MVS_T_FLOAT, v, 5, want);
}

static void expect_double(double x, const char *want)
{
	unsigned char v[9] = { 0xcb };
	uint64_t bits;

	memcpy(&bits, &x, 8);
	for (int i = 0; i < 8; i++)
		v[1 + i] = (unsigned char)(bits >> (56 - 8 * i));
	expect(MVS_T_DOUBLE, v, 9, want);
}

static void test_strings(void)
{
	char all[32], want[256] = "\"";

	/* every control character, in the forms JSON has */
	for (int c = 0; c < 32; c++)
		all[c] = (char)c;
	static const char *const esc[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
		"\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f",
		"\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
		"\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
	};
	for (int c = 0; c < 32; c++)
		strcat(want, esc[c]);
	strcat(want, "\"");
	expect_string(MVS_T_VARCHAR, all, 32, want);
	expect_string(MVS_T_VARCHAR, "a\"b\\c/d\x7f", 8, "\"a\\\"b\\\\c/d\x7f\"");
	/* UTF-8 of every length, U+2028, the largest code point: printed as is */
	const char *utf8 = "\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xe2\x80\xa8 \xf4\x8f\xbf\xbf";
	char quoted[64];
	snprintf(quoted, sizeof quoted, "\"%s\"", utf8);
	expect_string(MVS_T_TEXT, utf8, strlen(utf8), quoted);
	expect_string(MVS_T_GEOMETRY, "POINT (1 2)", 11, "\"POINT (1 2)\"");
	expect_string(MVS_T_VARCHAR, "", 0, "\"\"");

	/* not UTF-8: an error for values... */
	static const char *const bad[] = {
		"\x80", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xf5\x80\x80\x80", "\xff", "\xe6\x97", "ok\xc3",
	};
	struct mvs_field f = { .name = "s", .type = MVS_T_VARCHAR };
	unsigned char v[64];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_error(&f, v, pack_str(v, bad[i], strlen(bad[i])), "invalid UTF-8");
	/* ...and U+FFFD in header strings, which must always print */
	mvs_jbuf_reset(&buf);
	mvs_json_string(&buf, "a\xff" "b\xed\xa0\x80", 6);
	mvs_jbuf_append(&buf, "", 1);
	CHECK_MSG(strcmp(buf.data, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"") == 0,
	      "lenient string: %s", buf.data);
}

static void test_numbers(void)
{
	expect_float(0.1f, "0.100000001");
	expect_float(0.0f, "0");
	expect_float(-0.0f, "-0");
	expect_float(3.4028235e38f, "3.40282347e+38");
	expect_float(1.4e-45f, "1.40129846e-45");
	expect_float(NAN, "\"NaN\"");
	expect_float(INFINITY, "\"Infinity\"");
	expect_float(-INFINITY, "\"-Infinity\"");
	expect_double(0.1, "0.10000000000000001");
	expect_double(-1e300, "-1.0000000000000001e+300");
	expect_double(NAN, "\"NaN\"");
	expect_double(-INFINITY, "\"-Infinity\"");

	/* every msgpack int format */
	static const struct {
		unsigned char v[9];
		size_t len;
		const char *want;
	} ints[] = {
		{ { 0x00 }, 1, "0" },
		{ { 0x7f }, 1, "127" },
		{ { 0xff }, 1, "-1" },
		{ { 0xe0 }, 1, "-32" },
		{ { 0xcc, 0xff }, 2, "255" },
		{ { 0xcd, 0xff, 0xff }, 3, "65535" },
		{ { 0xce, 0xff, 0xff, 0xff, 0xff }, 5, "4294967295" },
		{ { 0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 9, "9223372036854775807" },
		{ { 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 9, "18446744073709551615" },
		{ { 0xd0, 0x80 }, 2, "-128" },
		{ { 0xd0, 0x05 }, 2, "5" },
		{ { 0xd1, 0x80, 0x00 }, 3, "-32768" },
		{ { 0xd2, 0x80, 0x00, 0x00, 0x00 }, 5, "-2147483648" },
		{ { 0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 9, "-9223372036854775808" },
		{ { 0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe }, 9, "-2" },
	};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		expect(MVS_T_INT64, ints[i].v, ints[i].len, ints[i].want);
	expect(MVS_T_BOOL, "\xc3", 1, "true");
	expect(MVS_T_BOOL, "\xc2", 1, "false");
	expect(MVS_T_INT32, "\xc0", 1, "null");

	struct mvs_field f = { .name = "n", .type = MVS_T_INT32 };
	expect_error(&f, "\xa1x", 2, "Int32 needs msgpack int, found str");
	f.type = MVS_T_FLOAT;
	expect_error(&f, "\xcb\0\0\0\0\0\0\0\0", 9, "Float needs msgpack float32, found float64");
	f.type = MVS_T_BOOL;
	expect_error(&f, "\xc1", 1, "not well-formed msgpack");
	expect_error(&f, "\xc3\xc3", 2, "1 bytes after the value");
	f.type = MVS_T_INT64;
	expect_error(&f, "\xcf\x01", 2, "not well-formed msgpack");
}

static void test_vectors(void)
{
	struct mvs_field f = { .name = "v", .type = MVS_T_FLOAT_VECTOR, .dim = 2 };
	const char *got;

	/* 1.0f, -2.5f little-endian */
	got = render(&f, "\xc4\x08\x00\x00\x80\x3f\x00\x00\x20\xc0", 10);
	CHECK_MSG(got && strcmp(got, "[1,-2.5]") == 0, "FloatVector: %s %s", got ? got : "", err);
	expect_error(&f, "\xc4\x04\x00\x00\x80\x3f", 6, "vector of 4 bytes, dim 2 needs 8");
	expect_error(&f, "\xa2\x00\x00", 3, "FloatVector needs msgpack bin, found str");

	/* half: 1, -2, smallest subnormal, largest normal, infinity, NaN */
	f = (struct mvs_field){ .name = "h", .type = MVS_T_FLOAT16_VECTOR, .dim = 6 };
	got = render(&f, "\xc4\x0c\x00\x3c\x00\xc0\x01\x00\xff\x7b\x00\x7c\x00\x7e", 14);
	CHECK_MSG(got && strcmp(got, "[1,-2,5.96046448e-08,65504,\"Infinity\",\"NaN\"]") == 0,
	      "Float16Vector: %s %s", got ? got : "", err);
	/* bfloat16: 1, -0.5, 3.140625 */
	f = (struct mvs_field){ .name = "b", .type = MVS_T_BFLOAT16_VECTOR, .dim = 3 };
	got = render(&f, "\xc4\x06\x80\x3f\x00\xbf\x49\x40", 8);
	CHECK_MSG(got && strcmp(got, "[1,-0.5,3.140625]") == 0, "BFloat16Vector: %s %s", got ? got : "",
	      err);
	f = (struct mvs_field){ .name = "bin", .type = MVS_T_BINARY_VECTOR, .dim = 16 };
	got = render(&f, "\xc4\x02\x00\xff", 4);
	CHECK_MSG(got && strcmp(got, "[0,255]") == 0, "BinaryVector: %s", got ? got : err);
	f = (struct mvs_field){ .name = "i8", .type = MVS_T_INT8_VECTOR, .dim = 3 };
	got = render(&f, "\xc4\x03\x80\x7f\xff", 5);
	CHECK_MSG(got && strcmp(got, "[-128,127,-1]") == 0, "Int8Vector: %s", got ? got : err);

	f = (struct mvs_field){ .name = "sp", .type = MVS_T_SPARSE_FLOAT_VECTOR };
	got = render(&f, "\xc4\x10\x03\x00\x00\x00\x00\x00\x80\x3f\xfe\xff\xff\xff\x00\x00\x00\xbf",
		     18);
	CHECK_MSG(got && strcmp(got, "{\"3\":1,\"4294967294\":-0.5}") == 0, "sparse: %s",
	      got ? got : err);
	got = render(&f, "\xc4\x00", 2);
	CHECK_MSG(got && strcmp(got, "{}") == 0, "empty sparse: %s", got ? got : err);
	expect_error(&f, "\xc4\x04\x03\x00\x00\x00", 6, "not a whole number of 8-byte");
}

static void test_arrays_and_json(void)
{
	struct mvs_field f = { .name = "a", .type = MVS_T_ARRAY, .element_type = MVS_T_VARCHAR };
	const char *got = render(&f, "\x93\xa1x\xa2\"\\\xa0", 7);

	CHECK_MSG(got && strcmp(got, "[\"x\",\"\\\"\\\\\",\"\"]") == 0, "Array of VarChar: %s",
	      got ? got : err);
	f.element_type = MVS_T_INT32;
	got = render(&f, "\x90", 1);
	CHECK_MSG(got && strcmp(got, "[]") == 0, "empty Array: %s", got ? got : err);
	expect_error(&f, "\x91\xa1x", 3, "Int32 needs msgpack int, found str");
	expect_error(&f, "\x92\x01", 2, "not well-formed msgpack");
	f.element_type = MVS_T_FLOAT_VECTOR;
	expect_error(&f, "\x90", 1, "cannot be rendered");

	/* JSON fields: embedded, line breaks become spaces */
	expect_cstring(MVS_T_JSON, "{\"a\": [1, 2.5e-3, -0, true, false, null, \"\\u00e9\\n\"]}",
		      "{\"a\": [1, 2.5e-3, -0, true, false, null, \"\\u00e9\\n\"]}");
	expect_cstring(MVS_T_JSON, "{\r\n\t\"k\": \"\xe6\x97\xa5\"\n}",
		      "{  \t\"k\": \"\xe6\x97\xa5\" }");
	expect_cstring(MVS_T_JSON, " 42 ", " 42 ");
	static const char *const bad_json[] = {
		"", "{", "{\"a\":}", "{\"a\":1}x", "[1,]", "01", "-", "1.", "1e", "\"\x01\"",
		"\"\\x\"", "\"\\u12g4\"", "tru", "nul", "{'a':1}", "{\"a\" 1}", "[1 2]", "\"\xff\"",
		"{1:2}", "NaN",
	};
	struct mvs_field js = { .name = "js", .type = MVS_T_JSON };
	unsigned char v[64];
	for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++)
		expect_error(&js, v, pack_str(v, bad_json[i], strlen(bad_json[i])), "not a JSON text");

	/* nesting: deep is fine, too deep is refused rather than recursed */
	char deep[1200 + 2];
	unsigned char packed[1300];
	memset(deep, '[', 500);
	memset(deep + 500, ']', 500);
	deep[1000] = 0;
	packed[0] = 0xda;
	packed[1] = 1000 >> 8;
	packed[2] = 1000 & 0xff;
	memcpy(packed + 3, deep, 1000);
	CHECK_MSG(render(&js, packed, 1003) != NULL, "500 levels: %s", err);
	memset(deep, '[', 600);
	memset(deep + 600, ']', 600);
	packed[1] = 1200 >> 8;
	packed[2] = 1200 & 0xff;
	memcpy(packed + 3, deep, 1200);
	expect_error(&js, packed, 1203, "nested too deeply");

	struct mvs_field meta = { .name = "$meta", .type = MVS_T_JSON, .is_dynamic = true };
	got = render(&meta, "\xa7{\"k\":1}", 8);
	CHECK_MSG(got && strcmp(got, "{\"k\":1}") == 0, "$meta: %s", got ? got : err);
}

static void test_rows_and_header(void)
{
	struct mvs_field fields[] = {
		{ .name = "id", .type = MVS_T_INT64, .primary_key = true },
		{ .name = "out", .type = MVS_T_SPARSE_FLOAT_VECTOR, .function_output = true },
		{ .name = "t\"x", .type = MVS_T_VARCHAR, .max_length = 8, .nullable = true },
		{ .name = "v", .type = MVS_T_BINARY_VECTOR, .dim = 8 },
	};
	char *partitions[] = { "p1" };
	struct mvs_schema s = {
		.name = "c", .consistency_level = 0, .fields = fields, .n_fields = 4,
		.partitions = partitions, .n_partitions = 1, .tool = "t 1", .created = "2025",
	};

	mvs_jbuf_reset(&buf);
	CHECK_MSG(mvs_json_row(&buf, &s, "p1", (const unsigned char *)"\x93\x07\xc0\xc4\x01\x09", 6, err,
			   sizeof err) == 0, "row: %s", err);
	mvs_jbuf_append(&buf, "", 1);
	CHECK_MSG(strcmp(buf.data, "{\"$partition\":\"p1\",\"id\":7,\"t\\\"x\":null,\"v\":[9]}") == 0,
	      "row: %s", buf.data);
	mvs_jbuf_reset(&buf);
	CHECK_MSG(mvs_json_row(&buf, &s, NULL, (const unsigned char *)"\x94\x07\xc0\xc0\xc0", 5, err,
			   sizeof err) < 0 && strcmp(err, "row is not a msgpack array of 3 values") == 0,
	      "wrong width: %s", err);
	mvs_jbuf_reset(&buf);
	CHECK_MSG(mvs_json_row(&buf, &s, NULL, (const unsigned char *)"\x93\x07\xc0\xc0\xc0", 5, err,
			   sizeof err) < 0 && strcmp(err, "1 bytes after the row's values") == 0,
	      "trailing bytes: %s", err);

	unsigned char def[] = { 0xa2, 'h', 'i' };
	fields[2].default_value = def;
	fields[2].default_value_len = sizeof def;
	mvs_jbuf_reset(&buf);
	CHECK_MSG(mvs_json_header(&buf, &s, err, sizeof err) == 0, "header: %s", err);
	mvs_jbuf_append(&buf, "", 1);
	const char *want =
		"{\"tool\":\"t 1\",\"created\":\"2025\",\"collection\":{\"name\":\"c\","
		"\"consistency_level\":\"Strong\"},\"fields\":[{\"name\":\"id\",\"type\":\"Int64\","
		"\"type_id\":5,\"primary_key\":true},{\"name\":\"out\",\"type\":\"SparseFloatVector\","
		"\"type_id\":104,\"function_output\":true},{\"name\":\"t\\\"x\",\"type\":\"VarChar\","
		"\"type_id\":21,\"nullable\":true,\"max_length\":8,\"default\":\"hi\"},{\"name\":\"v\","
		"\"type\":\"BinaryVector\",\"type_id\":100,\"dim\":8}],\"partitions\":[\"p1\"]}";
	CHECK_MSG(strcmp(buf.data, want) == 0, "header:\n%s\nwant:\n%s", buf.data, want);
	def[0] = 0xc1;
	mvs_jbuf_reset(&buf);
	CHECK_MSG(mvs_json_header(&buf, &s, err, sizeof err) < 0 && strstr(err, "default value"),
	      "bad default: %s", err);
}

int main(void)
{
	test_strings();
	test_numbers();
	test_vectors();
	test_arrays_and_json();
	test_rows_and_header();
	mvs_jbuf_free(&buf);
	if (failures)
		fprintf(stderr, "test_json: %d failure(s)\n", failures);
	return check_status();
}
