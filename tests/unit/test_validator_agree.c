/* The differential test of the value check (issue 14): mvs-cat --verify and mvs-map decide with
 * mvs_row_check, mvs-import with mvs_batch_add_row; both must accept and refuse exactly the same
 * rows. A deterministic generator builds many rows for a schema with every type, each value either
 * valid or drawn from a pool of near misses (wrong msgpack type, range edges, max_length in bytes,
 * bad UTF-8, broken or non-object JSON, capacity, nil, vector sizes, sparse layout), plus byte-level
 * mutations of whole rows (flips, cuts, extra bytes). Every row goes to every entry point: the row
 * check, a batch, and a batch that drops the primary key (auto-ID); any accept/refuse disagreement
 * fails, with the row in hex and both answers. MVS_AGREE_ROWS sets the number of rows (default 200000),
 * MVS_AGREE_SEED the seed. */
#include <inttypes.h>
#include <msgpack.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mvs_check.h"
#include "mvs_batch.h"
#include "mvs_row.h"
#include "mvs_schema.h"
#include "mvs_types.h"

#define F(n, t) .name = n, .type = t

static struct mvs_field fields[] = {
	{F("id", MVS_T_INT64), .primary_key = true},
	{F("b", MVS_T_BOOL)},
	{F("i8", MVS_T_INT8), .nullable = true},
	{F("i16", MVS_T_INT16)},
	{F("i32", MVS_T_INT32)},
	{F("f", MVS_T_FLOAT)},
	{F("d", MVS_T_DOUBLE), .nullable = true},
	{F("s", MVS_T_VARCHAR), .max_length = 6},
	{F("j", MVS_T_JSON), .nullable = true},
	{F("g", MVS_T_GEOMETRY)},
	{F("t", MVS_T_TEXT), .max_length = 8},
	{F("ai", MVS_T_ARRAY), .element_type = MVS_T_INT16, .nullable = true, .max_capacity = 3},
	{F("as", MVS_T_ARRAY), .element_type = MVS_T_VARCHAR, .max_capacity = 3, .max_length = 4},
	{F("ab", MVS_T_ARRAY), .element_type = MVS_T_BOOL, .max_capacity = 4},
	{F("af", MVS_T_ARRAY), .element_type = MVS_T_FLOAT, .max_capacity = 4},
	{F("ad", MVS_T_ARRAY), .element_type = MVS_T_DOUBLE, .max_capacity = 4},
	{F("fv", MVS_T_FLOAT_VECTOR), .dim = 2},
	{F("bv", MVS_T_BINARY_VECTOR), .dim = 16},
	{F("hv", MVS_T_FLOAT16_VECTOR), .dim = 2},
	{F("bfv", MVS_T_BFLOAT16_VECTOR), .dim = 2, .nullable = true},
	{F("i8v", MVS_T_INT8_VECTOR), .dim = 3},
	{F("sv", MVS_T_SPARSE_FLOAT_VECTOR), .nullable = true},
	{F("bm25", MVS_T_SPARSE_FLOAT_VECTOR), .function_output = true},
	{F("$meta", MVS_T_JSON), .is_dynamic = true},
};

static struct mvs_schema schema = {
	.name = "agree",
	.enable_dynamic_field = true,
	.fields = fields,
	.n_fields = sizeof fields / sizeof fields[0],
};

/* ---- a deterministic generator ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void pack_str(msgpack_packer *pk, const char *s, size_t n)
{
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

static void pack_cstr(msgpack_packer *pk, const char *s)
{
	pack_str(pk, s, strlen(s));
}

static void pack_bin(msgpack_packer *pk, const void *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

static void pack_random_bin(msgpack_packer *pk, size_t n)
{
	unsigned char buf[64];

	for (size_t i = 0; i < n && i < sizeof buf; i++)
		buf[i] = (unsigned char)rnd();
	pack_bin(pk, buf, n < sizeof buf ? n : sizeof buf);
}

/* Strings that sit on an edge: bytes vs characters, UTF-8 validity, U+0000. */
static const char *const strings[] = {
	"", "a", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi",
	"\xc3\xa9\xc3\xa9",		/* 2 chars, 4 bytes */
	"\xc3\xa9\xc3\xa9\xc3\xa9",	/* 3 chars, 6 bytes */
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",	/* 3 chars, 9 bytes */
	"\xf0\x9f\x98\x80", "ab\xe2\x82", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff",
	"\xe0\x80\xaf", "\xf5\x80\x80\x80", "abc\x80",
	"POINT (1 2)",
};

/* JSON texts: valid objects, valid non-objects, broken ones. */
static const char *const jsons[] = {
	"{}", "{\"a\":1}", " {\"a\": [1, 2.5e3, null, true]} ", "{\"k\":\"\xc3\xa9\"}",
	"{\"a\":{\"b\":{\"c\":[]}}}", "[1]", "1", "\"x\"", "null", "true", " ", "", "{\"a\":",
	"{", "{} x", "{\"a\":1,}", "{'a':1}", "{\"a\":01}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}",
	"{\"\xff\":1}", "{\"a\":tru}", "[", "{\"a\":1}}", "{\"a\":-}", "{\"a\":1e}", "\t{}\n",
	"{\"a\":\"\x01\"}", "{\"a\":NaN}",
};

/* One valid value for field f. */
static void pack_good(msgpack_packer *pk, const struct mvs_field *f, int64_t row)
{
	switch (f->type) {
	case MVS_T_BOOL: msgpack_pack_true(pk); return;
	case MVS_T_INT8: msgpack_pack_int64(pk, (int64_t)(rnd() % 256) - 128); return;
	case MVS_T_INT16: msgpack_pack_int64(pk, (int64_t)(rnd() % 65536) - 32768); return;
	case MVS_T_INT32: msgpack_pack_int32(pk, (int32_t)rnd()); return;
	case MVS_T_INT64: msgpack_pack_int64(pk, f->primary_key ? row : (int64_t)rnd()); return;
	case MVS_T_FLOAT: msgpack_pack_float(pk, 1.5f); return;
	case MVS_T_DOUBLE: msgpack_pack_double(pk, -2.25); return;
	case MVS_T_VARCHAR: case MVS_T_TEXT: pack_cstr(pk, "ab\xc3\xa9"); return;
	case MVS_T_GEOMETRY: pack_cstr(pk, "POINT (1 2)"); return;
	case MVS_T_JSON: pack_cstr(pk, "{\"a\":[1,2]}"); return;
	case MVS_T_ARRAY:
		msgpack_pack_array(pk, 2);
		for (int i = 0; i < 2; i++) {
			struct mvs_field el = *f;
			el.type = f->element_type;
			el.primary_key = false;
			pack_good(pk, &el, row);
		}
		return;
	case MVS_T_SPARSE_FLOAT_VECTOR: {
		unsigned char v[16] = { 1, 0, 0, 0, 0, 0, 0x80, 0x3f, 9, 0, 0, 0, 0, 0, 0, 0x40 };
		pack_bin(pk, v, sizeof v);
		return;
	}
	default:
		pack_random_bin(pk, mvs_vector_row_bytes(f->type, f->dim));
		return;
	}
}

/* One value from the pool of near misses (some of which fit some fields). */
static void pack_odd(msgpack_packer *pk, const struct mvs_field *f, int64_t row, int depth)
{
	switch (pick(depth ? 22 : 26)) {
	case 0: msgpack_pack_nil(pk); return;
	case 1: msgpack_pack_false(pk); return;
	case 2: {
		static const int64_t edges[] = { 0, -1, 127, 128, -128, -129, 32767, 32768, -32768,
			-32769, INT32_MAX, (int64_t)INT32_MAX + 1, INT32_MIN, (int64_t)INT32_MIN - 1,
			INT64_MAX, INT64_MIN };
		msgpack_pack_int64(pk, edges[pick(sizeof edges / sizeof edges[0])]);
		return;
	}
	case 3: msgpack_pack_uint64(pk, pick(2) ? UINT64_MAX : (uint64_t)INT64_MAX + 1); return;
	case 4: msgpack_pack_uint8(pk, (uint8_t)rnd()); return;
	case 5: msgpack_pack_float(pk, pick(2) ? 0.0f / 0.0f : 1e30f); return;
	case 6: msgpack_pack_double(pk, pick(2) ? 1.0 / 0.0 : 3.0); return;
	case 7: case 8: case 9: {
		const char *s = strings[pick(sizeof strings / sizeof strings[0])];
		pack_cstr(pk, s);
		return;
	}
	case 10: case 11: case 12: {
		const char *s = jsons[pick(sizeof jsons / sizeof jsons[0])];
		pack_cstr(pk, s);
		return;
	}
	case 13: pack_str(pk, "a\0b", 3); return;
	case 14: pack_random_bin(pk, pick(20)); return;
	case 15: {
		size_t want = mvs_vector_row_bytes(f->type, f->dim);
		pack_random_bin(pk, want ? want + (pick(3) - 1) : pick(4) * 4);
		return;
	}
	case 16: case 17: {	/* sparse layouts */
		unsigned char v[24];
		size_t n = 8 * pick(4);
		uint32_t idx = pick(3);
		for (size_t i = 0; i < n; i += 8) {
			uint32_t k = pick(4) == 0 ? UINT32_MAX : pick(3) == 0 ? idx : idx + 1 + pick(5);
			memcpy(v + i, &k, 4);
			memset(v + i + 4, 0, 4);
			idx = k;
		}
		if (pick(5) == 0 && n > 0)
			n--;
		pack_bin(pk, v, n);
		return;
	}
	case 18: msgpack_pack_map(pk, 1); pack_cstr(pk, "a"); msgpack_pack_int(pk, 1); return;
	case 19: msgpack_pack_ext(pk, 1, 1); msgpack_pack_ext_body(pk, "x", 1); return;
	case 20: pack_good(pk, f, row); return;
	case 21: {	/* a good value of another type */
		static const int types[] = { MVS_T_BOOL, MVS_T_INT64, MVS_T_FLOAT, MVS_T_DOUBLE,
					     MVS_T_VARCHAR, MVS_T_JSON };
		struct mvs_field other = { .name = "x", .type = types[pick(6)] };
		pack_good(pk, &other, row);
		return;
	}
	default: {	/* arrays: capacity, nil inside, odd elements */
		unsigned n = pick(6);
		msgpack_pack_array(pk, n);
		for (unsigned i = 0; i < n; i++) {
			if (pick(2)) {
				struct mvs_field el = *f;
				el.type = f->type == MVS_T_ARRAY ? f->element_type : MVS_T_INT16;
				pack_good(pk, &el, row);
			} else {
				pack_odd(pk, f, row, depth + 1);
			}
		}
		return;
	}
	}
}

/* A row: each value good, or (with probability 1/odds) a near miss. */
static void pack_row(msgpack_packer *pk, int64_t row, unsigned odds)
{
	msgpack_pack_array(pk, mvs_schema_row_width(&schema));
	for (size_t i = 0; i < schema.n_fields; i++) {
		const struct mvs_field *f = &fields[i];
		if (f->function_output)
			continue;
		if (pick(odds) == 0)
			pack_odd(pk, f, row, 0);
		else
			pack_good(pk, f, row);
	}
}

/* ---- the entry points ---- */

static void show_row(const unsigned char *row, size_t len)
{
	fputs("    row:", stderr);
	for (size_t i = 0; i < len && i < 400; i++)
		fprintf(stderr, " %02x", row[i]);
	fputs(len > 400 ? " ...\n" : "\n", stderr);
}

static int disagreements;

/* Feeds one row to every entry point; true when they agree. */
static bool agree(struct mvs_batch *plain, struct mvs_batch *autoid, const unsigned char *row,
		  size_t len, size_t *accepted)
{
	char e_check[512] = "", e_batch[512] = "", e_auto[512] = "";
	bool check_ok = mvs_row_check(&schema, row, len, e_check, sizeof e_check) == 0;
	bool batch_ok = mvs_batch_add_row(plain, row, len, e_batch, sizeof e_batch) == 0;
	bool auto_ok = mvs_batch_add_row(autoid, row, len, e_auto, sizeof e_auto) == 0;

	if (mvs_batch_rows(plain) >= 256) {
		mvs_batch_reset(plain);
		mvs_batch_reset(autoid);
	}
	*accepted += check_ok;
	if (check_ok == batch_ok && check_ok == auto_ok)
		return true;
	if (disagreements++ < 10) {
		fprintf(stderr, "disagreement: mvs_row_check %s%s%s, mvs_batch_add_row %s%s%s, "
			"with the key dropped %s%s%s\n",
			check_ok ? "accepts" : "refuses (", e_check, check_ok ? "" : ")",
			batch_ok ? "accepts" : "refuses (", e_batch, batch_ok ? "" : ")",
			auto_ok ? "accepts" : "refuses (", e_auto, auto_ok ? "" : ")");
		show_row(row, len);
	}
	return false;
}

int main(void)
{
	const char *env = getenv("MVS_AGREE_ROWS");
	long rows = env ? atol(env) : 200000;
	const char *drop[] = { "id" };
	struct mvs_batch_options opt = { drop, 1 };
	struct mvs_batch *plain = mvs_batch_new(&schema, NULL);
	struct mvs_batch *autoid = mvs_batch_new(&schema, &opt);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t accepted = 0, tried = 0;

	env = getenv("MVS_AGREE_SEED");
	rng_state = env ? strtoull(env, NULL, 0) : 14;
	CHECK(plain && autoid);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);

	/* valid rows pass everywhere */
	for (int64_t r = 1; r <= 100; r++) {
		char err[512];
		msgpack_sbuffer_clear(&sb);
		pack_row(&pk, r, UINT32_MAX);
		CHECK_MSG(mvs_row_check(&schema, (unsigned char *)sb.data, sb.size, err, sizeof err) == 0,
			  "%s", err);
		CHECK(agree(plain, autoid, (unsigned char *)sb.data, sb.size, &accepted));
	}

	for (long r = 1; r <= rows; r++) {
		unsigned char buf[4096];
		size_t len;

		msgpack_sbuffer_clear(&sb);
		/* mostly one or two near misses a row, sometimes many */
		pack_row(&pk, r, r % 7 == 0 ? 3 : 12);
		tried++;
		agree(plain, autoid, (unsigned char *)sb.data, sb.size, &accepted);
		if (r % 4 != 0 || sb.size > sizeof buf - 8)
			continue;
		/* byte-level mutations of the same row: flips, cuts, extra bytes */
		memcpy(buf, sb.data, sb.size);
		len = sb.size;
		switch (pick(4)) {
		case 0:
			buf[pick((unsigned)len)] ^= (unsigned char)(1u << pick(8));
			break;
		case 1:
			buf[pick((unsigned)len)] = (unsigned char)rnd();
			break;
		case 2:
			len = pick((unsigned)len);
			break;
		default:
			buf[len++] = (unsigned char)rnd();
			break;
		}
		tried++;
		agree(plain, autoid, buf, len, &accepted);
	}

	CHECK_MSG(disagreements == 0, "%d of %zu rows judged differently", disagreements, tried);
	/* the generator must exercise both answers, or the test proves nothing */
	CHECK_MSG(accepted > tried / 20 && accepted < tried - tried / 20,
		  "%zu of %zu rows accepted", accepted, tried);
	fprintf(stderr, "%zu rows, %zu accepted, %d disagreements\n", tried, accepted, disagreements);
	mvs_batch_free(plain);
	mvs_batch_free(autoid);
	msgpack_sbuffer_destroy(&sb);
	return check_status();
}
