/* mvs-badrows: writes a well-framed mvs stream (valid header, frames, row count and checksum) in
 * which one row holds a value that does not fit its field, for the tests of what the readers do with
 * bad values (tests/shell/rel_bad_streams.sh). Only the value checks can catch these streams.
 *
 *   mvs-badrows --case CASE [--rows N] [--bad-row R] [--frame-rows K] [--partitions P]
 *
 * Schema: id Int64 (primary key), cat Int32, title VarChar(16), vec FloatVector(dim 4). N rows (default
 * 10) with keys 1..N, spread evenly over P partitions (default 1: no markers; else "_default",
 * "part_1", ... with markers), K rows per rows frame (default 4). Row R (1-based, default 1) is bad:
 *   good    nothing is wrong (the control)
 *   type    title is an integer, not a string
 *   dim     vec has 3 floats (12 bytes), not 4
 *   range   cat is 2^40, outside Int32
 *   null    title is nil, and the field is not nullable
 *   length  title has 17 characters, over max_length 16
 *   vector  vec is an array of 4 floats, not bin */
#include <inttypes.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvs_cli.h"
#include "mvs_exit.h"
#include "mvs_schema.h"
#include "mvs_stream.h"
#include "mvs_types.h"

static const char *const cases[] = { "good", "type", "dim", "range", "null", "length", "vector", NULL };

static void usage(void)
{
	fputs("Usage: mvs-badrows --case good|type|dim|range|null|length|vector [--rows N] [--bad-row R]\n"
	      "                   [--frame-rows K] [--partitions P]\n", stderr);
	exit(MVS_EXIT_USAGE);
}

static void add_field(struct mvs_schema *s, const char *name, int type)
{
	struct mvs_field *grown = realloc(s->fields, (s->n_fields + 1) * sizeof *grown);

	if (!grown) {
		mvs_error("out of memory");
		exit(MVS_EXIT_FAILURE);
	}
	s->fields = grown;
	s->fields[s->n_fields++] = (struct mvs_field){ .name = strdup(name), .type = type };
}

static void build_schema(struct mvs_schema *s, int64_t partitions)
{
	char name[32];

	*s = (struct mvs_schema){ 0 };
	s->name = strdup("bad");
	s->shards_num = 1;
	s->tool = strdup("mvs-badrows");
	s->created = strdup("2025-01-01T00:00:00Z");
	add_field(s, "id", MVS_T_INT64);
	s->fields[0].primary_key = true;
	add_field(s, "cat", MVS_T_INT32);
	add_field(s, "title", MVS_T_VARCHAR);
	s->fields[2].max_length = 16;
	add_field(s, "vec", MVS_T_FLOAT_VECTOR);
	s->fields[3].dim = 4;
	if (partitions > 1) {
		s->partitions = calloc((size_t)partitions, sizeof *s->partitions);
		s->n_partitions = (size_t)partitions;
		for (int64_t i = 0; i < partitions; i++) {
			snprintf(name, sizeof name, "part_%" PRId64, i);
			s->partitions[i] = strdup(i == 0 ? "_default" : name);
		}
	}
}

static void pack_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

/* Row number r (1-based); bad names the case when this is the bad row, else NULL. */
static void pack_row(msgpack_packer *pk, int64_t r, const char *bad)
{
	const char *c = bad ? bad : "good";
	unsigned char vec[16];
	char title[32];

	for (int i = 0; i < 4; i++) {
		float f = (float)r + (float)i / 4;
		memcpy(vec + 4 * i, &f, 4);	/* the test hosts are little-endian, like the format */
	}
	msgpack_pack_array(pk, 4);
	msgpack_pack_int64(pk, r);
	msgpack_pack_int64(pk, strcmp(c, "range") == 0 ? (int64_t)1 << 40 : r % 7);
	if (strcmp(c, "type") == 0)
		msgpack_pack_int64(pk, r);
	else if (strcmp(c, "null") == 0)
		msgpack_pack_nil(pk);
	else if (strcmp(c, "length") == 0)
		pack_str(pk, "seventeen chars!!");
	else {
		snprintf(title, sizeof title, "row %" PRId64, r);
		pack_str(pk, title);
	}
	if (strcmp(c, "vector") == 0) {
		msgpack_pack_array(pk, 4);
		for (int i = 0; i < 4; i++)
			msgpack_pack_float(pk, (float)r + (float)i / 4);
	} else {
		size_t n = strcmp(c, "dim") == 0 ? 12 : 16;
		msgpack_pack_bin(pk, n);
		msgpack_pack_bin_body(pk, vec, n);
	}
}

static int64_t number(const char *option, const char *v, int64_t min)
{
	return mvs_parse_count(option, v, min, INT32_MAX);
}

int main(int argc, char **argv)
{
	int64_t rows = 10, bad_row = 1, frame_rows = 4, partitions = 1;
	const char *which = NULL;
	struct mvs_schema schema;
	msgpack_sbuffer sb;
	msgpack_packer pk;

	mvs_cli_init("mvs-badrows");
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		const char *o = argv[i], *v = argv[++i];
		if (strcmp(o, "--case") == 0)
			which = v;
		else if (strcmp(o, "--rows") == 0)
			rows = number(o, v, 1);
		else if (strcmp(o, "--bad-row") == 0)
			bad_row = number(o, v, 1);
		else if (strcmp(o, "--frame-rows") == 0)
			frame_rows = number(o, v, 1);
		else if (strcmp(o, "--partitions") == 0)
			partitions = number(o, v, 1);
		else
			usage();
	}
	int known = 0;
	for (int i = 0; which && cases[i]; i++)
		known |= strcmp(which, cases[i]) == 0;
	if (!known)
		usage();
	if (isatty(STDOUT_FILENO)) {
		mvs_error("refusing to write a binary stream to a terminal");
		return MVS_EXIT_USAGE;
	}

	build_schema(&schema, partitions);
	struct mvs_writer *w = mvs_writer_new(STDOUT_FILENO, "mvs-badrows");
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	int rc = !w || mvs_writer_begin(w, &schema);
	int64_t per_part = (rows + partitions - 1) / partitions, in_frame = 0;
	for (int64_t r = 1; rc == 0 && r <= rows; r++) {
		if (partitions > 1 && (r - 1) % per_part == 0) {
			rc = mvs_writer_partition(w, schema.partitions[(r - 1) / per_part]);
			in_frame = 0;
		}
		msgpack_sbuffer_clear(&sb);
		pack_row(&pk, r, r == bad_row ? which : NULL);
		if (rc == 0)
			rc = mvs_writer_row(w, sb.data, sb.size);
		if (rc == 0 && ++in_frame == frame_rows) {
			rc = mvs_writer_flush(w);
			in_frame = 0;
		}
	}
	if (rc == 0)
		rc = mvs_writer_end(w);
	if (rc)
		mvs_error("%s", w ? mvs_writer_error(w) : "out of memory");
	mvs_writer_free(w);
	msgpack_sbuffer_destroy(&sb);
	mvs_schema_free(&schema);
	return rc ? MVS_EXIT_IO : MVS_EXIT_OK;
}
