/* Unit tests of the stream codec (lib/stream/mvs_stream.c): every type round-trips bit-exact through the
 * writer and the reader; every truncation point and flipped byte of a sample stream is an error with
 * the stream exit code; bad magic, another major version and empty input are refused; unknown
 * header keys and ancillary frames are skipped; concatenated units, abort frames, bounded rows
 * frames, partial reads from a pipe and broken pipes behave as man/mvs-stream.5 says. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <msgpack.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "mvs_check.h"
#include "mvs_exit.h"
#include "mvs_header.h"
#include "mvs_row.h"
#include "mvs_schema.h"
#include "mvs_stream.h"
#include "mvs_types.h"
#include "check.h"


static const unsigned char magic[8] = { 0x89, 'M', 'V', 'S', 0x0d, 0x0a, 0x1a, 0x0a };

/* ---- byte buffers and in-memory files ---- */

struct bytes {
	unsigned char *p;
	size_t len, cap;
};

static void bytes_add(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void bytes_le32(struct bytes *b, uint32_t v)
{
	unsigned char le[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
				(unsigned char)(v >> 24) };
	bytes_add(b, le, 4);
}

static int memfd_new(void)
{
	int fd = memfd_create("mvs-test", MFD_CLOEXEC);

	if (fd < 0) {
		perror("memfd_create");
		exit(1);
	}
	return fd;
}

static int memfd_with(const void *p, size_t n)
{
	int fd = memfd_new();

	if (n && write(fd, p, n) != (ssize_t)n) {
		perror("write");
		exit(1);
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static struct bytes slurp(int fd)
{
	struct bytes b = { 0 };
	unsigned char tmp[65536];
	ssize_t k;

	lseek(fd, 0, SEEK_SET);
	while ((k = read(fd, tmp, sizeof tmp)) > 0)
		bytes_add(&b, tmp, (size_t)k);
	return b;
}

/* ---- the all-types schema and rows ---- */

static struct mvs_field *add_field(struct mvs_schema *s, const char *name, int type)
{
	s->fields = realloc(s->fields, (s->n_fields + 1) * sizeof *s->fields);
	s->fields[s->n_fields] = (struct mvs_field){ .name = strdup(name), .type = type };
	return &s->fields[s->n_fields++];
}

static void all_types_schema(struct mvs_schema *s, const char *name, int partitions)
{
	struct mvs_field *f;

	*s = (struct mvs_schema){ .name = strdup(name), .consistency_level = 1, .shards_num = 2,
				  .enable_dynamic_field = true };
	f = add_field(s, "id", MVS_T_INT64);
	f->primary_key = true;
	add_field(s, "b", MVS_T_BOOL);
	add_field(s, "i8", MVS_T_INT8);
	add_field(s, "i16", MVS_T_INT16);
	add_field(s, "i32", MVS_T_INT32);
	add_field(s, "i64", MVS_T_INT64)->nullable = true;
	add_field(s, "f", MVS_T_FLOAT);
	add_field(s, "d", MVS_T_DOUBLE);
	f = add_field(s, "s", MVS_T_VARCHAR);
	f->max_length = 64;
	f->nullable = true;
	add_field(s, "js", MVS_T_JSON);
	add_field(s, "geo", MVS_T_GEOMETRY);
	add_field(s, "txt", MVS_T_TEXT);
	f = add_field(s, "ai", MVS_T_ARRAY);
	f->element_type = MVS_T_INT32;
	f->max_capacity = 4;
	f = add_field(s, "as", MVS_T_ARRAY);
	f->element_type = MVS_T_VARCHAR;
	f->max_capacity = 3;
	f->max_length = 8;
	add_field(s, "fv", MVS_T_FLOAT_VECTOR)->dim = 2;
	add_field(s, "bv", MVS_T_BINARY_VECTOR)->dim = 16;
	add_field(s, "hv", MVS_T_FLOAT16_VECTOR)->dim = 2;
	add_field(s, "bfv", MVS_T_BFLOAT16_VECTOR)->dim = 2;
	add_field(s, "i8v", MVS_T_INT8_VECTOR)->dim = 3;
	add_field(s, "sv", MVS_T_SPARSE_FLOAT_VECTOR);
	add_field(s, "bm25", MVS_T_SPARSE_FLOAT_VECTOR)->function_output = true;
	add_field(s, "$meta", MVS_T_JSON)->is_dynamic = true;
	for (int i = 0; i < partitions; i++) {
		char pname[32];
		snprintf(pname, sizeof pname, "p%d", i);
		s->partitions = realloc(s->partitions, (s->n_partitions + 1) * sizeof *s->partitions);
		s->partitions[s->n_partitions++] = strdup(pname);
	}
}

static void raw(msgpack_sbuffer *sb, const void *p, size_t n)
{
	msgpack_sbuffer_write(sb, p, n);
}

static void put_f32_bits(msgpack_sbuffer *sb, uint32_t bits)
{
	unsigned char b[5] = { 0xca, (unsigned char)(bits >> 24), (unsigned char)(bits >> 16),
			       (unsigned char)(bits >> 8), (unsigned char)bits };
	raw(sb, b, 5);
}

static void put_f64_bits(msgpack_sbuffer *sb, uint64_t bits)
{
	unsigned char b[9] = { 0xcb };

	for (int i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)(bits >> (56 - 8 * i));
	raw(sb, b, 9);
}

static void put_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

static void put_bin(msgpack_packer *pk, const void *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

#define N_EDGE_ROWS 3

/* Row r of the edge cases: extremes, NaN payloads, empty values, nils, unusual int encodings. */
static void edge_row(msgpack_sbuffer *sb, int r)
{
	msgpack_packer pk;
	static const unsigned char fv_nan[8] = { 0x01, 0x00, 0x80, 0x7f, 0x01, 0x00, 0xc0, 0xff };
	static const unsigned char fv_plain[8] = { 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0 };
	static const unsigned char sparse2[16] = { 0, 0, 0, 0, 0x00, 0x00, 0x80, 0x3f,
						   0xfe, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x40 };

	msgpack_sbuffer_clear(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 21);
	msgpack_pack_int64(&pk, r + 1);
	if (r == 1)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
	msgpack_pack_int64(&pk, r == 0 ? INT8_MIN : INT8_MAX);
	msgpack_pack_int64(&pk, r == 0 ? INT16_MIN : INT16_MAX);
	if (r == 2) {
		/* 5 as an int64-format int: any int format is valid and must survive as is */
		static const unsigned char five[9] = { 0xd3, 0, 0, 0, 0, 0, 0, 0, 5 };
		raw(sb, five, 9);
	} else {
		msgpack_pack_int64(&pk, r == 0 ? INT32_MIN : INT32_MAX);
	}
	if (r == 2)
		msgpack_pack_nil(&pk);
	else
		msgpack_pack_int64(&pk, r == 0 ? INT64_MIN : INT64_MAX);
	put_f32_bits(sb, r == 0 ? 0x7f800001u : r == 1 ? 0x80000000u : 0xffc12345u);
	put_f64_bits(sb, r == 0 ? 0x7ff0000000000001ull : r == 1 ? 0x7ff0000000000000ull
							    : 0x8000000000000000ull);
	if (r == 2)
		msgpack_pack_nil(&pk);
	else
		put_str(&pk, r == 0 ? "" : "é日本😀\"\\\t");
	put_str(&pk, r == 0 ? "{}" : "{\"a\": [1, 2.5, null], \"b\": \"x\\\"y\"}");
	put_str(&pk, "POINT (1 2)");
	put_str(&pk, r == 0 ? "" : "text");
	msgpack_pack_array(&pk, r == 0 ? 0 : 3);
	if (r != 0) {
		msgpack_pack_int32(&pk, INT32_MIN);
		msgpack_pack_int32(&pk, 0);
		msgpack_pack_int32(&pk, INT32_MAX);
	}
	msgpack_pack_array(&pk, r == 0 ? 0 : 2);
	if (r != 0) {
		put_str(&pk, "");
		put_str(&pk, "ab\"c");
	}
	put_bin(&pk, r == 0 ? fv_nan : fv_plain, 8);
	put_bin(&pk, "\xff\x00", 2);
	put_bin(&pk, "\x01\x7c\x00\xfe", 4);	/* float16: NaN payload and -0 */
	put_bin(&pk, "\x81\x7f\x80\x00", 4);
	put_bin(&pk, "\x80\x7f\x00", 3);
	put_bin(&pk, sparse2, r == 0 ? 0 : 16);
	put_str(&pk, r == 1 ? "{\"k\": 1}" : "{}");
}

/* Writes a unit of the all-types schema with n rows (edge rows, cycled) spread over the partitions. */
static void write_unit(struct mvs_writer *w, const char *name, int partitions, int n)
{
	struct mvs_schema s;
	msgpack_sbuffer sb;

	all_types_schema(&s, name, partitions);
	msgpack_sbuffer_init(&sb);
	CHECK(mvs_writer_begin(w, &s) == 0);
	for (int i = 0, part = -1; i < n; i++) {
		if (partitions && i * partitions / n != part) {
			part = i * partitions / n;
			CHECK(mvs_writer_partition(w, s.partitions[part]) == 0);
		}
		edge_row(&sb, i % N_EDGE_ROWS);
		CHECK(mvs_writer_row(w, sb.data, sb.size) == 0);
	}
	CHECK(mvs_writer_end(w) == 0);
	msgpack_sbuffer_destroy(&sb);
	mvs_schema_free(&s);
}

static struct bytes sample_stream(int units, int partitions, int rows)
{
	int fd = memfd_new();
	struct mvs_writer *w = mvs_writer_new(fd, "test 1.0");

	for (int u = 0; u < units; u++) {
		char name[16];
		snprintf(name, sizeof name, "unit%d", u);
		write_unit(w, name, partitions, rows);
	}
	CHECK(mvs_writer_bytes(w) == (uint64_t)lseek(fd, 0, SEEK_CUR));
	mvs_writer_free(w);
	struct bytes b = slurp(fd);
	close(fd);
	return b;
}

/* ---- reading whole inputs ---- */

struct result {
	int last;		/* kind of the last item: EOF or ERROR */
	int exit_code;
	char error[700];
	int headers, trailers, partitions;
	uint64_t rows;
	uint64_t offset;
};

static struct result read_bytes(const void *p, size_t n)
{
	struct result res = { 0 };
	int fd = memfd_with(p, n);
	struct mvs_reader *r = mvs_reader_new(fd, "-");
	struct mvs_item item;

	for (;;) {
		int kind = mvs_reader_next(r, &item);
		if (kind == MVS_ITEM_EOF || kind == MVS_ITEM_ERROR) {
			res.last = kind;
			break;
		}
		res.headers += kind == MVS_ITEM_HEADER;
		res.trailers += kind == MVS_ITEM_TRAILER;
		res.partitions += kind == MVS_ITEM_PARTITION;
		res.rows += kind == MVS_ITEM_ROW;
	}
	res.exit_code = mvs_reader_exit_code(r);
	snprintf(res.error, sizeof res.error, "%s", mvs_reader_error(r));
	res.offset = mvs_reader_offset(r);
	mvs_reader_free(r);
	close(fd);
	return res;
}

/* Frees the writer, then reads back what it wrote to fd (closed). */
static struct result read_written(struct mvs_writer *w, int fd)
{
	mvs_writer_free(w);
	struct bytes b = slurp(fd);
	close(fd);
	struct result res = read_bytes(b.p, b.len);
	free(b.p);
	return res;
}

static bool contains(const char *s, const char *part)
{
	if (strstr(s, part))
		return true;
	fprintf(stderr, "  message \"%s\"\n  lacks \"%s\"\n", s, part);
	return false;
}

/* ---- hand-built streams (for what the writer never produces) ---- */

struct unit_builder {
	struct bytes b;
	size_t unit_start;
};

static void ub_start(struct unit_builder *u, int major, int minor)
{
	u->unit_start = u->b.len;
	bytes_add(&u->b, magic, 8);
	unsigned char v[2] = { (unsigned char)major, (unsigned char)minor };
	bytes_add(&u->b, v, 2);
}

static void ub_frame(struct unit_builder *u, char kind, const void *payload, size_t n)
{
	bytes_add(&u->b, &kind, 1);
	bytes_le32(&u->b, (uint32_t)n);
	bytes_add(&u->b, payload, n);
}

static void ub_header(struct unit_builder *u, const struct mvs_schema *s)
{
	unsigned char *p;
	size_t n;

	CHECK(mvs_header_encode(s, &p, &n) == 0);
	ub_frame(u, 'H', p, n);
	free(p);
}

static void ub_rows(struct unit_builder *u, uint32_t count, const void *rows, size_t n)
{
	struct bytes payload = { 0 };

	bytes_le32(&payload, count);
	bytes_add(&payload, rows, n);
	ub_frame(u, 'R', payload.p, payload.len);
	free(payload.p);
}

static void ub_trailer(struct unit_builder *u, uint64_t rows)
{
	unsigned char *p;
	size_t n;
	uint64_t sum = XXH3_64bits(u->b.p + u->unit_start, u->b.len - u->unit_start);

	CHECK(mvs_trailer_encode(rows, sum, &p, &n) == 0);
	ub_frame(u, 'T', p, n);
	free(p);
}

/* A minimal valid schema: Int64 pk and a dim-2 float vector; rows are [int, bin8]. */
static void tiny_schema(struct mvs_schema *s)
{
	*s = (struct mvs_schema){ .name = strdup("tiny") };
	add_field(s, "id", MVS_T_INT64)->primary_key = true;
	add_field(s, "v", MVS_T_FLOAT_VECTOR)->dim = 2;
}

static const unsigned char tiny_row[] = { 0x92, 0x07, 0xc4, 0x08, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40 };

/* ---- the tests ---- */

static void test_round_trip(void)
{
	struct bytes stream = sample_stream(1, 0, N_EDGE_ROWS);
	int fd = memfd_with(stream.p, stream.len);
	struct mvs_reader *r = mvs_reader_new(fd, "-");
	struct mvs_item item;
	msgpack_sbuffer sb;
	struct mvs_schema expect;
	int row = 0;
	char err[300];

	msgpack_sbuffer_init(&sb);
	all_types_schema(&expect, "unit0", 0);
	CHECK(mvs_reader_next(r, &item) == MVS_ITEM_HEADER);
	CHECK(item.schema && item.schema->n_fields == expect.n_fields);
	CHECK(strcmp(item.schema->tool, "test 1.0") == 0);
	CHECK(item.schema->created && strlen(item.schema->created) == 20 &&
	      item.schema->created[19] == 'Z');
	CHECK(mvs_schema_row_width(item.schema) == 21);
	CHECK(mvs_schema_validate(item.schema, err, sizeof err) == 0);
	while (mvs_reader_next(r, &item) == MVS_ITEM_ROW) {
		edge_row(&sb, row);
		CHECK(item.row_len == sb.size && memcmp(item.row, sb.data, sb.size) == 0);
		if (mvs_row_check(item.schema, item.row, item.row_len, err, sizeof err) != 0) {
			fprintf(stderr, "row %d: %s\n", row, err);
			failures++;
		}
		struct mvs_span v[21];
		CHECK(mvs_row_split(item.row, item.row_len, 21, v) == 0);
		if (row == 0) {
			CHECK(v[6].len == 5 && memcmp(v[6].ptr, "\xca\x7f\x80\x00\x01", 5) == 0);
			CHECK(v[7].len == 9 && memcmp(v[7].ptr, "\xcb\x7f\xf0\0\0\0\0\0\x01", 9) == 0);
			CHECK(v[5].len == 9 && memcmp(v[5].ptr, "\xd3\x80\0\0\0\0\0\0\0", 9) == 0);
			CHECK(v[19].len == 2 && memcmp(v[19].ptr, "\xc4\x00", 2) == 0);
		}
		if (row == 2) {
			CHECK(v[5].len == 1 && v[5].ptr[0] == 0xc0);
			CHECK(v[4].len == 9 && v[4].ptr[0] == 0xd3);
		}
		row++;
	}
	CHECK(row == N_EDGE_ROWS);
	CHECK(item.kind == MVS_ITEM_TRAILER && item.unit_rows == N_EDGE_ROWS);
	CHECK(mvs_reader_next(r, &item) == MVS_ITEM_EOF);
	CHECK(mvs_reader_next(r, &item) == MVS_ITEM_EOF);
	CHECK(mvs_reader_offset(r) == stream.len);
	CHECK(mvs_reader_exit_code(r) == MVS_EXIT_OK);
	mvs_reader_free(r);
	close(fd);
	mvs_schema_free(&expect);
	msgpack_sbuffer_destroy(&sb);
	free(stream.p);
}

static void test_partitions_and_units(void)
{
	struct bytes stream = sample_stream(3, 2, 6);
	int fd = memfd_with(stream.p, stream.len);
	struct mvs_reader *r = mvs_reader_new(fd, "-");
	struct mvs_item item;
	char seen[256] = "";

	for (int kind; (kind = mvs_reader_next(r, &item)) != MVS_ITEM_EOF && kind != MVS_ITEM_ERROR;) {
		char one[64];
		if (kind == MVS_ITEM_HEADER)
			snprintf(one, sizeof one, "H%" PRIu64 "%s ", item.unit_index, item.schema->name);
		else if (kind == MVS_ITEM_PARTITION)
			snprintf(one, sizeof one, "P%s ", item.partition);
		else if (kind == MVS_ITEM_ROW)
			snprintf(one, sizeof one, "%s ", item.partition ? item.partition : "-");
		else
			snprintf(one, sizeof one, "T%" PRIu64 " ", item.unit_rows);
		strncat(seen, one, sizeof seen - strlen(seen) - 1);
	}
	const char *want = "H0unit0 Pp0 p0 p0 p0 Pp1 p1 p1 p1 T6 H1unit1 Pp0 p0 p0 p0 Pp1 p1 p1 p1 T6 "
			   "H2unit2 Pp0 p0 p0 p0 Pp1 p1 p1 p1 T6 ";
	if (strcmp(seen, want) != 0) {
		fprintf(stderr, "items: %s\nwanted %s\n", seen, want);
		failures++;
	}
	CHECK(mvs_reader_exit_code(r) == MVS_EXIT_OK);
	mvs_reader_free(r);
	close(fd);

	/* cat a.mvs b.mvs: two streams written separately read as one */
	struct bytes a = sample_stream(1, 0, 2), both = { 0 };
	bytes_add(&both, a.p, a.len);
	bytes_add(&both, stream.p, stream.len);
	struct result res = read_bytes(both.p, both.len);
	CHECK(res.last == MVS_ITEM_EOF && res.headers == 4 && res.trailers == 4 && res.rows == 20);
	free(a.p);
	free(both.p);
	free(stream.p);
}

/* Every proper prefix of a stream is an error with the stream exit code, except the ends of
 * units (a shorter stream of whole units). */
static void test_truncation(void)
{
	struct bytes one = sample_stream(1, 3, 7);
	struct bytes two = sample_stream(2, 2, 3);
	size_t unit_len = two.len / 2;	/* both units of `two` are the same size */
	int bad = 0;

	for (size_t cut = 0; cut < one.len; cut++) {
		struct result res = read_bytes(one.p, cut);
		if (res.last != MVS_ITEM_ERROR || res.exit_code != MVS_EXIT_STREAM) {
			fprintf(stderr, "cut at %zu of %zu: last %d exit %d (%s)\n", cut, one.len,
				res.last, res.exit_code, res.error);
			bad++;
		}
		if (cut == 0)
			CHECK(strcmp(res.error, "empty input: not an mvs stream") == 0);
		else
			CHECK(strncmp(res.error, "truncated stream: EOF ", 22) == 0 &&
			      strstr(res.error, "at byte"));
	}
	for (size_t cut = 0; cut < two.len; cut++) {
		struct result res = read_bytes(two.p, cut);
		bool boundary = cut == unit_len;
		if (boundary ? res.last != MVS_ITEM_EOF || res.rows != 3
			     : res.last != MVS_ITEM_ERROR || res.exit_code != MVS_EXIT_STREAM) {
			fprintf(stderr, "two units cut at %zu: last %d exit %d (%s)\n", cut, res.last,
				res.exit_code, res.error);
			bad++;
		}
	}
	CHECK(bad == 0);

	struct result res = read_bytes(one.p, one.len - 1);
	CHECK(contains(res.error, "truncated stream: EOF inside a trailer frame at byte"));
	struct unit_builder u = { 0 };
	struct mvs_schema s;
	tiny_schema(&s);
	ub_start(&u, 1, 0);
	ub_header(&u, &s);
	size_t rows_at = u.b.len;
	ub_rows(&u, 1, tiny_row, sizeof tiny_row);
	res = read_bytes(u.b.p, u.b.len - 3);
	char want[128];
	snprintf(want, sizeof want, "truncated stream: EOF inside a rows frame at byte %zu (unit 1, "
		 "frame at byte %zu", u.b.len - 3, rows_at);
	CHECK(contains(res.error, want));
	res = read_bytes(u.b.p, u.b.len);
	snprintf(want, sizeof want, "truncated stream: EOF at byte %zu before the trailer of unit 1 "
		 "(1 rows read)", u.b.len);
	CHECK(contains(res.error, want));
	mvs_schema_free(&s);
	free(u.b.p);
	free(one.p);
	free(two.p);
}

static void test_flipped_bytes(void)
{
	struct bytes stream = sample_stream(1, 2, 5);
	static const unsigned char flips[] = { 0x01, 0x20, 0x80 };
	int bad = 0;

	for (size_t i = 0; i < stream.len; i++) {
		for (size_t k = 0; k < sizeof flips; k++) {
			stream.p[i] ^= flips[k];
			struct result res = read_bytes(stream.p, stream.len);
			stream.p[i] ^= flips[k];
			if (res.last != MVS_ITEM_ERROR || res.exit_code != MVS_EXIT_STREAM) {
				fprintf(stderr, "flip 0x%02x at byte %zu: last %d exit %d (%s)\n", flips[k],
					i, res.last, res.exit_code, res.error);
				bad++;
			}
		}
	}
	CHECK(bad == 0);
	stream.p[stream.len - 3] ^= 0x01;	/* inside the trailer's checksum value */
	struct result res = read_bytes(stream.p, stream.len);
	CHECK(contains(res.error, "corrupt stream: checksum mismatch in unit 1"));
	free(stream.p);
}

static void test_refusals(void)
{
	struct result res = read_bytes("", 0);
	CHECK(res.last == MVS_ITEM_ERROR && res.exit_code == MVS_EXIT_STREAM);
	CHECK(strcmp(res.error, "empty input: not an mvs stream") == 0);

	res = read_bytes("id,name\n1,x\n", 12);
	CHECK(res.exit_code == MVS_EXIT_STREAM);
	CHECK(strcmp(res.error, "not an mvs stream (bad magic at byte 0)") == 0);
	res = read_bytes("\x89MV", 3);	/* a prefix of the magic, then EOF */
	CHECK(res.exit_code == MVS_EXIT_STREAM && contains(res.error, "truncated stream"));

	/* another major version: refused by name; another minor: read */
	struct mvs_schema s;
	tiny_schema(&s);
	for (int major = 0; major <= 2; major++) {
		struct unit_builder u = { 0 };
		ub_start(&u, major, major == 1 ? 9 : 0);
		ub_header(&u, &s);
		ub_rows(&u, 1, tiny_row, sizeof tiny_row);
		ub_trailer(&u, 1);
		res = read_bytes(u.b.p, u.b.len);
		if (major == 1) {
			CHECK(res.last == MVS_ITEM_EOF && res.rows == 1);
		} else {
			char want[80];
			snprintf(want, sizeof want, "unsupported mvs stream version %d.0 (this reader "
				 "supports 1.x)", major);
			CHECK(res.exit_code == MVS_EXIT_STREAM && contains(res.error, want));
		}
		free(u.b.p);
	}

	/* a file name prefixes messages */
	int fd = memfd_with("nope", 4);
	struct mvs_reader *r = mvs_reader_new(fd, "dump.mvs");
	struct mvs_item item;
	CHECK(mvs_reader_next(r, &item) == MVS_ITEM_ERROR);
	CHECK(mvs_reader_next(r, &item) == MVS_ITEM_ERROR);	/* and stays an error */
	CHECK(strcmp(mvs_reader_error(r), "dump.mvs: not an mvs stream (bad magic at byte 0)") == 0);
	mvs_reader_free(r);
	close(fd);

	/* a read error is an I/O error, not a corrupt stream */
	fd = open("/", O_RDONLY | O_DIRECTORY);
	r = mvs_reader_new(fd, "/");
	CHECK(mvs_reader_next(r, &item) == MVS_ITEM_ERROR);
	CHECK(mvs_reader_exit_code(r) == MVS_EXIT_IO);
	mvs_reader_free(r);
	close(fd);
	mvs_schema_free(&s);
}

/* Streams a writer never produces: corrupt structure, future extensions. */
static void test_hand_built(void)
{
	struct mvs_schema s;
	struct result res;
	tiny_schema(&s);

	/* unknown header keys (at every level) and ancillary frames are skipped */
	{
		msgpack_sbuffer sb;
		msgpack_packer pk;
		struct unit_builder u = { 0 };

		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_map(&pk, 4);
		put_str(&pk, "future");
		msgpack_pack_array(&pk, 2);
		msgpack_pack_ext(&pk, 3, 7);
		msgpack_pack_ext_body(&pk, "abc", 3);
		msgpack_pack_map(&pk, 0);
		put_str(&pk, "collection");
		msgpack_pack_map(&pk, 2);
		put_str(&pk, "name");
		put_str(&pk, "c");
		put_str(&pk, "ttl_policy");
		msgpack_pack_double(&pk, 1.5);
		put_str(&pk, "fields");
		msgpack_pack_array(&pk, 2);
		msgpack_pack_map(&pk, 4);
		put_str(&pk, "name");
		put_str(&pk, "id");
		put_str(&pk, "type");
		put_str(&pk, "Int64");
		put_str(&pk, "primary_key");
		msgpack_pack_true(&pk);
		put_str(&pk, "shiny_new_flag");
		msgpack_pack_nil(&pk);
		msgpack_pack_map(&pk, 3);
		put_str(&pk, "name");
		put_str(&pk, "v");
		put_str(&pk, "type");
		put_str(&pk, "FloatVector");
		put_str(&pk, "dim");
		msgpack_pack_int(&pk, 2);
		put_str(&pk, "zzz");
		put_bin(&pk, "\x00\x01", 2);

		ub_start(&u, 1, 3);
		ub_frame(&u, 'H', sb.data, sb.size);
		ub_frame(&u, 'x', "anything at all", 15);
		ub_rows(&u, 1, tiny_row, sizeof tiny_row);
		ub_frame(&u, 'z', "", 0);
		ub_rows(&u, 2, "\x92\x01\xc4\x08\0\0\0\0\0\0\0\0\x92\x02\xc4\x08\0\0\0\0\0\0\0\0", 24);
		ub_trailer(&u, 3);
		res = read_bytes(u.b.p, u.b.len);
		CHECK(res.last == MVS_ITEM_EOF && res.rows == 3 && res.headers == 1);
		if (res.last != MVS_ITEM_EOF)
			fprintf(stderr, "  %s\n", res.error);

		/* the same with an unknown uppercase kind is corrupt */
		u.b.len = 0;
		ub_start(&u, 1, 0);
		ub_frame(&u, 'H', sb.data, sb.size);
		ub_frame(&u, 'Q', "", 0);
		ub_trailer(&u, 0);
		res = read_bytes(u.b.p, u.b.len);
		CHECK(res.exit_code == MVS_EXIT_STREAM && contains(res.error, "unknown frame kind 0x51"));
		free(u.b.p);
		msgpack_sbuffer_destroy(&sb);
	}

	struct {
		const char *what;
		void (*build)(struct unit_builder *u, const struct mvs_schema *s);
		const char *want;
	} cases[] = {
		{ "rows before the header", NULL, "expected the header frame at byte 10, found a rows frame" },
		{ "two headers", NULL, "a second header frame" },
		{ "row count mismatch", NULL, "counts 2 rows, the unit holds 1" },
		{ "row of the wrong width", NULL, "row 1 of unit 1 at byte" },
		{ "stray bytes after rows", NULL, "stray bytes after the last row" },
		{ "frame too long", NULL, "over the 67108864-byte limit" },
		{ "garbage after the trailer", NULL, "after the trailer of unit 1 (not the magic" },
		{ "header not a map", NULL, "bad header in unit 1 at byte 10: expected a map, found an array" },
		{ "rows frame too short", NULL, "too short for its row count" },
		{ "trailer not a map", NULL, "bad trailer of unit 1" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct unit_builder u = { 0 };

		ub_start(&u, 1, 0);
		switch (i) {
		case 0:
			ub_rows(&u, 1, tiny_row, sizeof tiny_row);
			break;
		case 1:
			ub_header(&u, &s);
			ub_header(&u, &s);
			break;
		case 2:
			ub_header(&u, &s);
			ub_rows(&u, 1, tiny_row, sizeof tiny_row);
			ub_trailer(&u, 2);
			break;
		case 3:
			ub_header(&u, &s);
			ub_rows(&u, 1, "\x93\x01\x02\x03", 4);
			break;
		case 4:
			ub_header(&u, &s);
			ub_rows(&u, 1, "\x92\x01\xc4\x08\0\0\0\0\0\0\0\0\xc0", 13);
			break;
		case 5:
			ub_header(&u, &s);
			bytes_add(&u.b, "R\x01\x00\x00\x04", 5);
			break;
		case 6:
			ub_header(&u, &s);
			ub_trailer(&u, 0);
			bytes_add(&u.b, "\n", 1);
			break;
		case 7:
			ub_frame(&u, 'H', "\x90", 1);
			break;
		case 8:
			ub_header(&u, &s);
			ub_frame(&u, 'R', "\x01\x00", 2);
			break;
		case 9: {
			ub_header(&u, &s);
			size_t trailer_at = u.b.len;
			ub_trailer(&u, 0);
			u.b.p[trailer_at + 5] = 0x90;	/* the map's first byte */
			break;
		}
		}
		res = read_bytes(u.b.p, u.b.len);
		if (res.exit_code != MVS_EXIT_STREAM || !strstr(res.error, cases[i].want)) {
			fprintf(stderr, "%s: exit %d, \"%s\"; wanted \"%s\"\n", cases[i].what, res.exit_code,
				res.error, cases[i].want);
			failures++;
		}
		free(u.b.p);
	}
	mvs_schema_free(&s);
}

static void test_abort(void)
{
	int fd = memfd_new();
	struct mvs_writer *w = mvs_writer_new(fd, "mvs-export 0.1.0");
	struct mvs_schema s;

	tiny_schema(&s);
	CHECK(mvs_writer_begin(w, &s) == 0);
	CHECK(mvs_writer_row(w, tiny_row, sizeof tiny_row) == 0);
	CHECK(mvs_writer_row(w, tiny_row, sizeof tiny_row) == 0);
	mvs_writer_abort(w, "server went away after %d rows", 2);
	struct result res = read_written(w, fd);
	CHECK(res.last == MVS_ITEM_ERROR && res.exit_code == MVS_EXIT_UPSTREAM && res.rows == 2);
	CHECK(strcmp(res.error, "upstream failed: mvs-export 0.1.0: server went away after 2 rows") == 0);

	/* before any header: magic, version and the abort frame */
	fd = memfd_new();
	w = mvs_writer_new(fd, "mvs-export");
	mvs_writer_abort(w, "cannot connect");
	res = read_written(w, fd);
	CHECK(res.exit_code == MVS_EXIT_UPSTREAM && res.headers == 0);
	CHECK(strcmp(res.error, "upstream failed: mvs-export: cannot connect") == 0);

	/* an abort frame after a complete unit ends the stream the same way */
	struct unit_builder u = { 0 };
	ub_start(&u, 1, 0);
	ub_header(&u, &s);
	ub_trailer(&u, 0);
	ub_start(&u, 1, 0);
	unsigned char *p;
	size_t n;
	CHECK(mvs_abort_encode("mvs-map", "out of memory", &p, &n) == 0);
	ub_frame(&u, 'A', p, n);
	free(p);
	res = read_bytes(u.b.p, u.b.len);
	CHECK(res.exit_code == MVS_EXIT_UPSTREAM && res.trailers == 1);
	CHECK(strcmp(res.error, "upstream failed: mvs-map: out of memory") == 0);
	free(u.b.p);
	mvs_schema_free(&s);
}

/* Rows frames stay near 1 MiB: the writer closes one when its payload passes 1 MiB, at a partition
 * marker and at the end; a row larger than that gets a frame of its own. */
static void test_frame_sizes(void)
{
	int fd = memfd_new();
	struct mvs_writer *w = mvs_writer_new(fd, "t");
	struct mvs_schema s;
	size_t dim = 768, big_dim = 600000;
	unsigned char *row = calloc(1, 16 + big_dim * 4);
	size_t len = 0, small_len;

	tiny_schema(&s);
	s.fields[1].dim = (int64_t)dim;
	CHECK(mvs_writer_begin(w, &s) == 0);
	/* [id, bin16 of dim*4] */
	row[len++] = 0x92;
	row[len++] = 0x01;
	row[len++] = 0xc5;
	row[len++] = (unsigned char)(dim * 4 >> 8);
	row[len++] = (unsigned char)(dim * 4);
	len += dim * 4;
	small_len = len;
	for (int i = 0; i < 1500; i++)
		CHECK(mvs_writer_row(w, row, len) == 0);
	CHECK(mvs_writer_partition(w, "second") == 0);
	for (int i = 0; i < 10; i++)
		CHECK(mvs_writer_row(w, row, len) == 0);
	/* a flush writes everything out, closing the open rows frame early */
	CHECK(mvs_writer_flush(w) == 0);
	CHECK(mvs_writer_bytes(w) == (uint64_t)lseek(fd, 0, SEEK_CUR));
	CHECK(mvs_writer_row(w, row, len) == 0);
	CHECK(mvs_writer_rows(w) == 1511);
	CHECK(mvs_writer_end(w) == 0);

	/* a second unit with one 2.4 MB row */
	s.fields[1].dim = (int64_t)big_dim;
	CHECK(mvs_writer_begin(w, &s) == 0);
	CHECK(mvs_writer_rows(w) == 0);
	len = 0;
	row[len++] = 0x92;
	row[len++] = 0x02;
	row[len++] = 0xc6;
	row[len++] = (unsigned char)(big_dim * 4 >> 24);
	row[len++] = (unsigned char)(big_dim * 4 >> 16);
	row[len++] = (unsigned char)(big_dim * 4 >> 8);
	row[len++] = (unsigned char)(big_dim * 4);
	len += big_dim * 4;
	CHECK(mvs_writer_row(w, row, len) == 0);
	CHECK(mvs_writer_end(w) == 0);
	mvs_writer_free(w);

	struct bytes b = slurp(fd);
	close(fd);
	size_t pos = 0, rows_frames = 0, max_payload = 0;
	uint32_t rows_in_frames = 0;
	while (pos + 5 <= b.len) {
		if (memcmp(b.p + pos, magic, 8) == 0) {
			pos += 10;
			continue;
		}
		uint32_t n = (uint32_t)b.p[pos + 1] | (uint32_t)b.p[pos + 2] << 8 |
			     (uint32_t)b.p[pos + 3] << 16 | (uint32_t)b.p[pos + 4] << 24;
		if (b.p[pos] == 'R') {
			rows_frames++;
			rows_in_frames += (uint32_t)b.p[pos + 5] | (uint32_t)b.p[pos + 6] << 8;
			if (n > max_payload && n < (2u << 20))	/* not the big row's */
				max_payload = n;
		}
		pos += 5 + n;
	}
	CHECK(pos == b.len);
	CHECK(rows_in_frames == 1512);
	/* 1500 rows of 3077 bytes: four frames just over 1 MiB and a partial one; the partition
	 * marker starts the sixth, the flush the seventh; the big row has the eighth to itself */
	CHECK(rows_frames == 8);
	CHECK(max_payload >= (1u << 20) && max_payload < (1u << 20) + small_len + 4);
	struct result res = read_bytes(b.p, b.len);
	CHECK(res.last == MVS_ITEM_EOF && res.rows == 1512 && res.trailers == 2);
	free(b.p);
	free(row);
	mvs_schema_free(&s);
}

/* Rows frames passed on whole (as mvs-map passes a stream through): the reader marks the last row
 * of each frame with the frame's rows, the writer sends them on as they are, and the output is the
 * input, byte for byte, frame boundaries included. */
static void test_forward_frames(void)
{
	struct bytes in = sample_stream(2, 3, 30000);
	int in_fd = memfd_with(in.p, in.len), out_fd = memfd_new();
	struct mvs_reader *r = mvs_reader_new(in_fd, "-");
	struct mvs_writer *w = mvs_writer_new(out_fd, "other");
	struct mvs_item item;
	uint64_t rows = 0, framed = 0, frames = 0;

	while (mvs_reader_next(r, &item) != MVS_ITEM_EOF && item.kind != MVS_ITEM_ERROR) {
		switch (item.kind) {
		case MVS_ITEM_HEADER:
			CHECK(mvs_writer_begin(w, item.schema) == 0);
			break;
		case MVS_ITEM_PARTITION:
			CHECK(mvs_writer_partition(w, item.partition) == 0);
			break;
		case MVS_ITEM_ROW:
			rows++;
			if (!item.frame_rows)
				break;
			CHECK(item.frame_rows + item.frame_rows_len == item.row + item.row_len);
			CHECK(mvs_writer_rows_frame(w, item.frame_rows, item.frame_rows_len,
						    item.frame_row_count) == 0);
			framed += item.frame_row_count;
			frames++;
			break;
		case MVS_ITEM_TRAILER:
			CHECK(mvs_writer_end(w) == 0);
			break;
		default:
			break;
		}
	}
	CHECK(item.kind == MVS_ITEM_EOF);
	CHECK(rows == 60000 && framed == rows && frames > 6);
	mvs_reader_free(r);
	mvs_writer_free(w);
	struct bytes out = slurp(out_fd);
	CHECK(out.len == in.len && memcmp(out.p, in.p, in.len) == 0);
	close(in_fd);
	close(out_fd);
	free(in.p);
	free(out.p);
}

/* A writer on fd with a unit of the tiny schema begun. */
static struct mvs_writer *tiny_unit(int fd, const struct mvs_schema *s)
{
	struct mvs_writer *w = mvs_writer_new(fd, "t");

	CHECK(mvs_writer_begin(w, s) == 0);
	return w;
}

/* Rows built in place: appended in pieces, dropped by cancel or by an abort, and a row too big for
 * the open frame moved into a frame of its own. */
static void test_row_in_place(void)
{
	int fd = memfd_new();
	struct mvs_schema s;

	tiny_schema(&s);
	struct mvs_writer *w = tiny_unit(fd, &s);
	for (int i = 0; i < 3; i++) {
		CHECK(mvs_writer_row_begin(w) == 0);
		CHECK(mvs_writer_row_append(w, (const char *)tiny_row, 4) == 0);
		CHECK(mvs_writer_row_append(w, (const char *)tiny_row + 4, sizeof tiny_row - 4) == 0);
		if (i == 1)
			mvs_writer_row_cancel(w);
		else
			CHECK(mvs_writer_row_end(w) == 0);
	}
	CHECK(mvs_writer_rows(w) == 2);
	/* a row of nearly the frame limit after a small one: closes the small one's frame first */
	size_t big = MVS_FRAME_MAX - 20;	/* with its 7 header bytes: fits a frame alone, not after 3 rows */
	unsigned char head[7] = { 0x92, 0x08, 0xc6, (unsigned char)(big >> 24), (unsigned char)(big >> 16),
				  (unsigned char)(big >> 8), (unsigned char)big };
	char *body = calloc(1, big);
	CHECK(mvs_writer_row(w, tiny_row, sizeof tiny_row) == 0);
	CHECK(mvs_writer_row_begin(w) == 0 && mvs_writer_row_append(w, (const char *)head, 7) == 0 &&
	      mvs_writer_row_append(w, body, big) == 0 && mvs_writer_row_end(w) == 0);
	free(body);
	CHECK(mvs_writer_end(w) == 0);
	struct result res = read_written(w, fd);
	CHECK(res.last == MVS_ITEM_EOF && res.rows == 4);

	/* misuse, and an abort with a row half built: the row is not in the stream */
	fd = memfd_new();
	w = tiny_unit(fd, &s);
	CHECK(mvs_writer_row(w, tiny_row, sizeof tiny_row) == 0);
	CHECK(mvs_writer_row_begin(w) == 0 && mvs_writer_row_append(w, (const char *)tiny_row, 5) == 0);
	mvs_writer_abort(w, "stopped halfway");
	res = read_written(w, fd);
	CHECK(res.exit_code == MVS_EXIT_UPSTREAM && res.rows == 1);
	CHECK(contains(res.error, "stopped halfway"));
	fd = memfd_new();
	w = tiny_unit(fd, &s);
	CHECK(mvs_writer_row_end(w) == -1);
	CHECK(contains(mvs_writer_error(w), "not begun"));
	mvs_writer_free(w);
	w = tiny_unit(fd, &s);
	CHECK(mvs_writer_row_append(w, "\x01", 1) == -1);
	CHECK(contains(mvs_writer_error(w), "outside a row"));
	mvs_writer_free(w);
	w = tiny_unit(fd, &s);
	CHECK(mvs_writer_row_begin(w) == 0);
	CHECK(mvs_writer_end(w) == -1);
	CHECK(contains(mvs_writer_error(w), "row 1 was begun and not ended"));
	mvs_writer_free(w);
	close(fd);
	mvs_schema_free(&s);
}

/* The reader copes with input that arrives a few bytes at a time (a slow pipe). */
static void test_slow_pipe(void)
{
	struct bytes stream = sample_stream(2, 2, 5);
	int fds[2];

	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (size_t i = 0; i < stream.len; i += 7) {
			size_t n = stream.len - i < 7 ? stream.len - i : 7;
			if (write(fds[1], stream.p + i, n) != (ssize_t)n)
				_exit(1);
			if (i % 70 == 0)
				usleep(100);
		}
		_exit(0);
	}
	close(fds[1]);
	struct mvs_reader *r = mvs_reader_new(fds[0], "-");
	struct mvs_item item;
	int rows = 0, kind;
	while ((kind = mvs_reader_next(r, &item)) != MVS_ITEM_EOF && kind != MVS_ITEM_ERROR)
		rows += kind == MVS_ITEM_ROW;
	CHECK(kind == MVS_ITEM_EOF && rows == 10);
	mvs_reader_free(r);
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(stream.p);
}

static void test_writer_errors(void)
{
	struct mvs_schema s;
	int fds[2];

	tiny_schema(&s);

	/* EPIPE: reported as a broken pipe so the tool can exit quietly */
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe(fds) == 0);
	close(fds[0]);
	struct mvs_writer *w = mvs_writer_new(fds[1], "t");
	CHECK(mvs_writer_begin(w, &s) == -1);	/* the header is written at once */
	CHECK(mvs_writer_broken_pipe(w));
	CHECK(contains(mvs_writer_error(w), "Broken pipe"));
	CHECK(mvs_writer_row(w, tiny_row, sizeof tiny_row) == -1);	/* failures are sticky */
	mvs_writer_free(w);
	close(fds[1]);
	signal(SIGPIPE, SIG_DFL);

	/* another write error: not a broken pipe */
	int fd = open("/dev/null", O_RDONLY);
	w = mvs_writer_new(fd, "t");
	CHECK(mvs_writer_begin(w, &s) == -1);
	CHECK(mvs_writer_flush(w) == -1);
	CHECK(!mvs_writer_broken_pipe(w));
	CHECK(contains(mvs_writer_error(w), "cannot write the stream at byte 0"));
	mvs_writer_free(w);
	close(fd);

	/* misuse: rows outside a unit, rows that are not one array of the row width */
	fd = memfd_new();
	w = mvs_writer_new(fd, "t");
	CHECK(mvs_writer_row(w, tiny_row, sizeof tiny_row) == -1);
	mvs_writer_free(w);
	w = mvs_writer_new(fd, "t");
	CHECK(mvs_writer_begin(w, &s) == 0);
	CHECK(mvs_writer_row(w, "\x91\x01", 2) == -1);
	CHECK(contains(mvs_writer_error(w), "not one msgpack array of 2 values"));
	mvs_writer_free(w);
	close(fd);
	mvs_schema_free(&s);
}

int main(void)
{
	test_round_trip();
	test_partitions_and_units();
	test_truncation();
	test_flipped_bytes();
	test_refusals();
	test_hand_built();
	test_abort();
	test_row_in_place();
	test_forward_frames();
	test_frame_sizes();
	test_slow_pipe();
	test_writer_errors();
	if (failures) {
		fprintf(stderr, "test_stream: %d checks failed\n", failures);
		return 1;
	}
	printf("test_stream: all checks passed\n");
	return 0;
}
