/* Unit tests of lib/stream/mvs_digest.c: the canonical bytes of man/mvs-stream.5 (DIGEST), written out
 * here byte by byte from that page, never with the code under test; two encodings of one value give one
 * canonical form; the field selection, the primary key and the partition options; the --fields list. */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "mvs_digest.h"
#include "mvs_schema.h"
#include "mvs_types.h"
#include "check.h"

static struct mvs_field fields[] = {
	{ .name = "id", .type = MVS_T_INT64, .primary_key = true },
	{ .name = "f", .type = MVS_T_FLOAT },
	{ .name = "name", .type = MVS_T_VARCHAR, .max_length = 16, .nullable = true },
	{ .name = "sparse_out", .type = MVS_T_SPARSE_FLOAT_VECTOR, .function_output = true },
	{ .name = "arr", .type = MVS_T_ARRAY, .element_type = MVS_T_INT32, .max_capacity = 4 },
	{ .name = "v", .type = MVS_T_FLOAT_VECTOR, .dim = 2 },
};
static struct mvs_schema schema = { .name = "c", .fields = fields, .n_fields = 6 };

/* The row [id, 1.5f, name, [1, -2], v of (1.0, 0.0)] with id packed as int8 or as int64 and name as
 * "ab" or nil. */
static void pack_row(msgpack_sbuffer *sb, bool wide_id, bool null_name)
{
	static const unsigned char id8[] = { 0x2a }, id64[] = { 0xd3, 0, 0, 0, 0, 0, 0, 0, 0x2a };
	static const unsigned char vec[] = { 0, 0, 0x80, 0x3f, 0, 0, 0, 0 };
	msgpack_packer pk;

	msgpack_sbuffer_clear(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 5);
	msgpack_sbuffer_write(sb, wide_id ? (const char *)id64 : (const char *)id8, wide_id ? 9 : 1);
	msgpack_pack_float(&pk, 1.5f);
	if (null_name) {
		msgpack_pack_nil(&pk);
	} else {
		msgpack_pack_str(&pk, 2);
		msgpack_pack_str_body(&pk, "ab", 2);
	}
	msgpack_pack_array(&pk, 2);
	msgpack_pack_int32(&pk, 1);
	msgpack_pack_int32(&pk, -2);
	msgpack_pack_bin(&pk, sizeof vec);
	msgpack_pack_bin_body(&pk, vec, sizeof vec);
}

/* man/mvs-stream.5, DIGEST, for that row in partition "p" */
static const unsigned char want_partition[] = { 0x05, 1, 0, 0, 0, 'p' };
static const unsigned char want_id[] = { 0x02, 0x2a, 0, 0, 0, 0, 0, 0, 0 };
static const unsigned char want_f[] = { 0x03, 0x00, 0x00, 0xc0, 0x3f };	/* 1.5f = 0x3fc00000 */
static const unsigned char want_name[] = { 0x05, 2, 0, 0, 0, 'a', 'b' };
static const unsigned char want_null[] = { 0x00 };
static const unsigned char want_arr[] = { 0x07, 2, 0, 0, 0, 0x02, 1, 0, 0, 0, 0, 0, 0, 0,
					  0x02, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const unsigned char want_v[] = { 0x06, 8, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0 };

static unsigned char want[256];
static size_t want_len;

static void want_add(const unsigned char *p, size_t n)
{
	memcpy(want + want_len, p, n);
	want_len += n;
}

static bool canon_is(const struct mvs_canon *c)
{
	return c->bytes.len == want_len && memcmp(c->bytes.data, want, want_len) == 0;
}

static void test_canonical_bytes(void)
{
	msgpack_sbuffer sb;
	struct mvs_canon c;
	struct mvs_canon_options opt = { 0 };
	char err[256];

	msgpack_sbuffer_init(&sb);
	CHECK(mvs_canon_init(&c, &schema, &opt, err, sizeof err) == 0);
	CHECK(c.width == 5 && c.n_columns == 5 && c.pk_column == 0 && c.partition);

	pack_row(&sb, false, false);
	CHECK(mvs_canon_row(&c, "p", (unsigned char *)sb.data, sb.size, err, sizeof err) == 0);
	want_len = 0;
	want_add(want_partition, sizeof want_partition);
	want_add(want_id, sizeof want_id);
	want_add(want_f, sizeof want_f);
	want_add(want_name, sizeof want_name);
	want_add(want_arr, sizeof want_arr);
	want_add(want_v, sizeof want_v);
	CHECK(canon_is(&c));
	CHECK(mvs_canon_hash(&c) == XXH3_64bits(want, want_len));
	uint64_t hi, lo;
	XXH128_hash_t h = XXH3_128bits(want, want_len);
	mvs_canon_hash128(&c, &hi, &lo);
	CHECK(hi == h.high64 && lo == h.low64);

	/* the same value in another msgpack width: the same bytes */
	pack_row(&sb, true, false);
	CHECK(mvs_canon_row(&c, "p", (unsigned char *)sb.data, sb.size, err, sizeof err) == 0);
	CHECK(canon_is(&c));

	/* rows before any partition frame: an empty name */
	CHECK(mvs_canon_row(&c, NULL, (unsigned char *)sb.data, sb.size, err, sizeof err) == 0);
	CHECK(c.bytes.len == want_len - 1 && memcmp(c.bytes.data, "\x05\0\0\0\0", 5) == 0 &&
	      memcmp(c.bytes.data + 5, want + 6, want_len - 6) == 0);

	/* null */
	pack_row(&sb, false, true);
	CHECK(mvs_canon_row(&c, "p", (unsigned char *)sb.data, sb.size, err, sizeof err) == 0);
	want_len = 0;
	want_add(want_partition, sizeof want_partition);
	want_add(want_id, sizeof want_id);
	want_add(want_f, sizeof want_f);
	want_add(want_null, sizeof want_null);
	want_add(want_arr, sizeof want_arr);
	want_add(want_v, sizeof want_v);
	CHECK(canon_is(&c));
	mvs_canon_free(&c);

	/* --fields v,name --ignore-pk --ignore-partitions: those fields in that order, nothing else */
	CHECK(mvs_canon_options_fields(&opt, "v,id,name", err, sizeof err) == 0);
	opt.without_pk = opt.without_partition = true;
	CHECK(mvs_canon_init(&c, &schema, &opt, err, sizeof err) == 0);
	pack_row(&sb, false, false);
	CHECK(mvs_canon_row(&c, "p", (unsigned char *)sb.data, sb.size, err, sizeof err) == 0);
	want_len = 0;
	want_add(want_v, sizeof want_v);
	want_add(want_name, sizeof want_name);
	CHECK(canon_is(&c));
	mvs_canon_free(&c);
	mvs_canon_options_free(&opt);

	/* fields that are not there, or not in rows */
	CHECK(mvs_canon_options_fields(&opt, "nope", err, sizeof err) == 0);
	CHECK(mvs_canon_init(&c, &schema, &opt, err, sizeof err) == -1);
	CHECK_STR(err, "field \"nope\" is not in collection \"c\"");
	CHECK(mvs_canon_options_fields(&opt, "sparse_out", err, sizeof err) == 0);
	CHECK(mvs_canon_init(&c, &schema, &opt, err, sizeof err) == -1);
	CHECK(strstr(err, "function output") != NULL);
	CHECK(mvs_canon_options_fields(&opt, "id,,v", err, sizeof err) == -1);
	CHECK(strstr(err, "empty field name") != NULL);
	mvs_canon_options_free(&opt);
	msgpack_sbuffer_destroy(&sb);
}

/* The example of man/mvs-stream.5, DIGEST: [42, "ab"] in partition "p". */
static void test_man_example(void)
{
	struct mvs_field f2[] = {
		{ .name = "id", .type = MVS_T_INT64, .primary_key = true },
		{ .name = "title", .type = MVS_T_VARCHAR, .max_length = 8 },
	};
	struct mvs_schema s2 = { .name = "c", .fields = f2, .n_fields = 2 };
	static const unsigned char row[] = { 0x92, 0x2a, 0xa2, 'a', 'b' };
	struct mvs_canon_options opt = { 0 };
	struct mvs_canon c;
	char err[256];

	CHECK(mvs_canon_init(&c, &s2, &opt, err, sizeof err) == 0);
	CHECK(mvs_canon_row(&c, "p", row, sizeof row, err, sizeof err) == 0);
	CHECK(c.bytes.len == 22 && memcmp(c.bytes.data, "\x05\x01\0\0\0p\x02\x2a\0\0\0\0\0\0\0\x05\x02\0\0\0ab", 22) == 0);
	CHECK(mvs_canon_hash(&c) == 0xebc88c46f583f1f0u);
	mvs_canon_free(&c);
}

int main(void)
{
	test_canonical_bytes();
	test_man_example();
	return check_status();
}
