/* codec_bench: benchmark 4 of bench/run, the stream codec in-process. Builds rows of the "wide" shape
 * (Int64 id, Int32, Float, VarChar, FloatVector of --dim) with msgpack-c and measures, in CPU seconds
 * of this process (robust against other load on the machine), the median of --reps repetitions of:
 *   pack          building the rows with msgpack-c alone (the encode baseline)
 *   encode        building them straight into mvs_writer's frames, as mvs-export does, and writing
 *                 them to /dev/null (framing, XXH3, writes)
 *   unpack        msgpack-c's msgpack_unpack_next over the same rows in memory (the decode baseline)
 *   read          reading the stream from the memfd in 1 MiB read(2) calls (what any reader pays)
 *   decode        mvs_reader over the stream (from a memfd): framing, row measuring, XXH3 check
 *   decode_check  decode plus mvs_row_check of every row (every value against its field)
 *   memcpy        copying the stream's bytes once (the memory bandwidth ceiling)
 * Prints one line per measurement: "NAME rows bytes seconds". Built by bench/codec.sh with the
 * Makefile's flags against build/libmvs.a. */
#include <inttypes.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "mvs_check.h"
#include "mvs_row.h"
#include "mvs_schema.h"
#include "mvs_stream.h"
#include "mvs_types.h"

#define POOL 64			/* distinct vectors cycled through, so that encode does not time a PRNG */
#define MAX_REPS 31

struct bench {
	int64_t rows, dim;
	int reps;
	struct mvs_schema schema;
	unsigned char *pool;	/* POOL vectors of dim float32 LE */
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

static void die(const char *what)
{
	fprintf(stderr, "codec_bench: %s\n", what);
	exit(1);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void add_field(struct mvs_schema *s, const char *name, int type)
{
	s->fields = realloc(s->fields, (s->n_fields + 1) * sizeof *s->fields);
	if (!s->fields)
		die("out of memory");
	s->fields[s->n_fields++] = (struct mvs_field){ .name = strdup(name), .type = type };
}

static void build_schema(struct bench *b)
{
	struct mvs_schema *s = &b->schema;

	*s = (struct mvs_schema){ .name = strdup("codec_bench"), .shards_num = 1 };
	add_field(s, "id", MVS_T_INT64);
	s->fields[0].primary_key = true;
	add_field(s, "category", MVS_T_INT32);
	add_field(s, "score", MVS_T_FLOAT);
	add_field(s, "title", MVS_T_VARCHAR);
	s->fields[3].max_length = 128;
	add_field(s, "vec", MVS_T_FLOAT_VECTOR);
	s->fields[4].dim = b->dim;
}

static void build_pool(struct bench *b)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t n = (size_t)POOL * (size_t)b->dim;

	b->pool = malloc(n * 4);
	if (!b->pool)
		die("out of memory");
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		float f = (float)(x >> 40) / (float)(1u << 24) * 2.0f - 1.0f;
		uint32_t u;
		memcpy(&u, &f, 4);
		b->pool[4 * i] = (unsigned char)u;
		b->pool[4 * i + 1] = (unsigned char)(u >> 8);
		b->pool[4 * i + 2] = (unsigned char)(u >> 16);
		b->pool[4 * i + 3] = (unsigned char)(u >> 24);
	}
}

/* Packs row r with pk. */
static void pack_row(struct bench *b, msgpack_packer *pk, int64_t r)
{
	char title[32];
	int n = snprintf(title, sizeof title, "title %" PRId64, r);
	size_t vbytes = (size_t)b->dim * 4;

	msgpack_pack_array(pk, 5);
	msgpack_pack_int64(pk, r + 1);
	msgpack_pack_int32(pk, (int32_t)(r % 100));
	msgpack_pack_float(pk, (float)r * 0.5f);
	msgpack_pack_str(pk, (size_t)n);
	msgpack_pack_str_body(pk, title, (size_t)n);
	msgpack_pack_bin(pk, vbytes);
	msgpack_pack_bin_body(pk, b->pool + (size_t)(r % POOL) * vbytes, vbytes);
}

/* Packs row r into b->sb (cleared first). */
static void pack_row_sb(struct bench *b, int64_t r)
{
	msgpack_sbuffer_clear(&b->sb);
	pack_row(b, &b->pk, r);
}

/* Builds the rows in place in the writer's frames and writes them as one unit to fd; returns the
 * bytes written. */
static uint64_t write_stream(struct bench *b, int fd)
{
	struct mvs_writer *w = mvs_writer_new(fd, "codec_bench");
	msgpack_packer wpk;

	if (!w || mvs_writer_begin(w, &b->schema))
		die("cannot start the stream");
	msgpack_packer_init(&wpk, w, mvs_writer_row_append);
	for (int64_t r = 0; r < b->rows; r++) {
		if (mvs_writer_row_begin(w))
			die(mvs_writer_error(w));
		pack_row(b, &wpk, r);
		if (mvs_writer_row_end(w))
			die(mvs_writer_error(w));
	}
	if (mvs_writer_end(w))
		die(mvs_writer_error(w));
	uint64_t bytes = mvs_writer_bytes(w);
	mvs_writer_free(w);
	return bytes;
}

/* Reads the stream in fd from its start; with check, every row is checked. Returns the rows read. */
static int64_t read_stream(struct bench *b, int fd, int check)
{
	struct mvs_item item;
	char err[256];
	int64_t rows = 0;

	if (lseek(fd, 0, SEEK_SET) != 0)
		die("lseek failed");
	struct mvs_reader *rd = mvs_reader_new(fd, "codec_bench");
	if (!rd)
		die("out of memory");
	while (mvs_reader_next(rd, &item) != MVS_ITEM_EOF) {
		if (item.kind == MVS_ITEM_ERROR)
			die(mvs_reader_error(rd));
		if (item.kind != MVS_ITEM_ROW)
			continue;
		if (check && mvs_row_check(item.schema, item.row, item.row_len, err, sizeof err))
			die(err);
		rows++;
	}
	mvs_reader_free(rd);
	(void)b;
	return rows;
}

int main(int argc, char **argv)
{
	struct bench b = { .rows = 100000, .dim = 128, .reps = 5 };
	double t[MAX_REPS];

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--rows") == 0)
			b.rows = strtoll(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--dim") == 0)
			b.dim = strtoll(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--reps") == 0)
			b.reps = atoi(argv[i + 1]);
		else
			die("usage: codec_bench [--rows N] [--dim D] [--reps R]");
	}
	if (b.rows < 1 || b.dim < 1 || b.dim > 32768 || b.reps < 1 || b.reps > MAX_REPS)
		die("--rows, --dim or --reps out of range");
	build_schema(&b);
	build_pool(&b);
	msgpack_sbuffer_init(&b.sb);
	msgpack_packer_init(&b.pk, &b.sb, msgpack_sbuffer_write);

	int devnull = open("/dev/null", O_WRONLY);
	int mem = memfd_create("codec_bench", 0);
	if (devnull < 0 || mem < 0)
		die("cannot open /dev/null or a memfd");
	uint64_t bytes = write_stream(&b, mem);

	/* all rows back to back, for the msgpack-c baseline */
	msgpack_sbuffer all;
	msgpack_sbuffer_init(&all);
	uint64_t row_bytes = 0;
	for (int64_t r = 0; r < b.rows; r++) {
		pack_row_sb(&b, r);
		msgpack_sbuffer_write(&all, b.sb.data, b.sb.size);
		row_bytes += b.sb.size;
	}

	for (int k = 0; k < b.reps; k++) {
		double s = cpu_now();
		for (int64_t r = 0; r < b.rows; r++)
			pack_row_sb(&b, r);
		t[k] = cpu_now() - s;
	}
	printf("pack %" PRId64 " %" PRIu64 " %.6f\n", b.rows, row_bytes, median(t, b.reps));

	for (int k = 0; k < b.reps; k++) {
		double s = cpu_now();
		write_stream(&b, devnull);
		t[k] = cpu_now() - s;
	}
	printf("encode %" PRId64 " %" PRIu64 " %.6f\n", b.rows, bytes, median(t, b.reps));

	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	for (int k = 0; k < b.reps; k++) {
		size_t off = 0;
		int64_t n = 0;
		double s = cpu_now();
		while (msgpack_unpack_next(&u, all.data, all.size, &off) == MSGPACK_UNPACK_SUCCESS)
			n++;
		t[k] = cpu_now() - s;
		if (n != b.rows)
			die("msgpack_unpack_next did not find every row");
	}
	msgpack_unpacked_destroy(&u);
	printf("unpack %" PRId64 " %" PRIu64 " %.6f\n", b.rows, row_bytes, median(t, b.reps));

	for (int check = 0; check <= 1; check++) {
		for (int k = 0; k < b.reps; k++) {
			double s = cpu_now();
			if (read_stream(&b, mem, check) != b.rows)
				die("the reader did not find every row");
			t[k] = cpu_now() - s;
		}
		printf("%s %" PRId64 " %" PRIu64 " %.6f\n", check ? "decode_check" : "decode", b.rows, bytes,
		       median(t, b.reps));
	}

	unsigned char *chunk = malloc(1 << 20);
	if (!chunk)
		die("out of memory");
	for (int k = 0; k < b.reps; k++) {
		uint64_t got = 0;
		ssize_t n;
		if (lseek(mem, 0, SEEK_SET) != 0)
			die("lseek failed");
		double s = cpu_now();
		while ((n = read(mem, chunk, 1 << 20)) > 0)
			got += (uint64_t)n;
		t[k] = cpu_now() - s;
		if (got != bytes)
			die("short read of the memfd");
	}
	free(chunk);
	printf("read %" PRId64 " %" PRIu64 " %.6f\n", b.rows, bytes, median(t, b.reps));

	unsigned char *src = mmap(NULL, bytes, PROT_READ, MAP_SHARED, mem, 0);
	unsigned char *dst = malloc(bytes);
	if (src == MAP_FAILED || !dst)
		die("cannot map the stream");
	memcpy(dst, src, bytes);	/* fault both in */
	for (int k = 0; k < b.reps; k++) {
		double s = cpu_now();
		memcpy(dst, src, bytes);
		t[k] = cpu_now() - s;
	}
	printf("memcpy %" PRId64 " %" PRIu64 " %.6f\n", b.rows, bytes, median(t, b.reps));

	munmap(src, bytes);
	free(dst);
	msgpack_sbuffer_destroy(&all);
	msgpack_sbuffer_destroy(&b.sb);
	mvs_schema_free(&b.schema);
	free(b.pool);
	close(mem);
	close(devnull);
	return 0;
}
