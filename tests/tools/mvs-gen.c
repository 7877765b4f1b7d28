/* mvs-gen: writes a deterministic mvs stream to stdout, for tests and benchmarks. The same options
 * always give the same bytes (the header's "created" is fixed), so tests may keep expected outputs.
 *
 *   mvs-gen [--scenario all-types|wide|varchar-pk] [--rows N] [--dim D] [--partitions K] [--seed S]
 *           [--units U] [--abort-after N]
 *
 * all-types: every data type (scalars, nullable with nils, a default value, Arrays of Int32 and of
 *   VarChar, JSON, Geometry, Text, all six vector types, a BM25 function output, $meta); strings
 *   carry quotes, backslashes, control characters and non-ASCII text. --dim defaults to 8.
 * wide: Int64 primary key, a few scalars and a FloatVector of --dim (default 768): benchmarks.
 * varchar-pk: a VarChar primary key with quotes, backslashes and non-ASCII text, and a vector.
 * --partitions K spreads the rows over K partitions ("_default", "part_1", ...) with markers;
 * --units U writes U units (collections gen_0, gen_1, ...) back to back; --abort-after N ends the
 * stream with an abort frame after N rows in all. Rows are built with msgpack-c's packer, not with
 * the codec's own code, so tests cross-check the two. */
#include <inttypes.h>
#include <math.h>
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

enum scenario { SC_ALL_TYPES, SC_WIDE, SC_VARCHAR_PK };

struct gen {
	enum scenario scenario;
	int64_t rows, dim, partitions, seed, units, abort_after;
	uint64_t rng;
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

/* splitmix64: small, fast and the same everywhere */
static uint64_t next_u64(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static float next_float(struct gen *g)	/* in [-1, 1) */
{
	return (float)(next_u64(g) >> 40) / (float)(1u << 23) - 1.0f;
}

static uint16_t float_to_half(float f)	/* round toward zero; values here are in [-1, 1) */
{
	uint32_t x;

	memcpy(&x, &f, 4);
	uint16_t sign = (uint16_t)(x >> 16 & 0x8000);
	int exp = (int)(x >> 23 & 0xff) - 127 + 15;
	uint32_t mant = x & 0x7fffff;
	if (exp <= 0)
		return sign;	/* tiny values flush to zero */
	return (uint16_t)(sign | exp << 10 | mant >> 13);
}

static void field_add(struct mvs_schema *s, const char *name, int type)
{
	s->fields = realloc(s->fields, (s->n_fields + 1) * sizeof *s->fields);
	if (!s->fields) {
		mvs_error("out of memory");
		exit(MVS_EXIT_FAILURE);
	}
	s->fields[s->n_fields] = (struct mvs_field){ .name = strdup(name), .type = type };
	s->n_fields++;
}

static struct mvs_field *last(struct mvs_schema *s)
{
	return &s->fields[s->n_fields - 1];
}

static char **strv1(const char *a)
{
	char **v = calloc(1, sizeof *v);

	v[0] = strdup(a);
	return v;
}

static void build_schema(const struct gen *g, int unit, struct mvs_schema *s)
{
	static const char *const scenario_names[] = { "all-types", "wide", "varchar-pk" };
	char buf[64];

	*s = (struct mvs_schema){ 0 };
	snprintf(buf, sizeof buf, "gen_%d", unit);
	s->name = strdup(buf);
	snprintf(buf, sizeof buf, "mvs-gen scenario %s", scenario_names[g->scenario]);
	mvs_text_set(&s->description, buf, strlen(buf));
	s->shards_num = 1;
	s->consistency_level = 2;
	s->source_version = strdup("v2.6.0");
	s->source_database = strdup("default");
	s->tool = strdup("mvs-gen");
	s->created = strdup("2025-01-01T00:00:00Z");
	mvs_kvlist_add(&s->properties, "collection.ttl.seconds", "0");

	switch (g->scenario) {
	case SC_ALL_TYPES:
		s->enable_dynamic_field = true;
		field_add(s, "id", MVS_T_INT64);
		last(s)->primary_key = true;
		mvs_text_set(&last(s)->description, "primary key", 11);
		field_add(s, "b", MVS_T_BOOL);
		field_add(s, "i8", MVS_T_INT8);
		field_add(s, "i16", MVS_T_INT16);
		field_add(s, "i32", MVS_T_INT32);
		field_add(s, "n_i64", MVS_T_INT64);
		last(s)->nullable = true;
		field_add(s, "f", MVS_T_FLOAT);
		field_add(s, "d", MVS_T_DOUBLE);
		field_add(s, "name", MVS_T_VARCHAR);
		last(s)->max_length = 256;
		mvs_kvlist_add(&last(s)->type_params, "enable_analyzer", "true");
		field_add(s, "tag", MVS_T_VARCHAR);
		last(s)->max_length = 32;
		last(s)->default_value = malloc(9);
		memcpy(last(s)->default_value, "\xa8untagged", 9);
		last(s)->default_value_len = 9;
		field_add(s, "js", MVS_T_JSON);
		last(s)->nullable = true;
		field_add(s, "geo", MVS_T_GEOMETRY);
		field_add(s, "doc", MVS_T_TEXT);
		field_add(s, "arr_i", MVS_T_ARRAY);
		last(s)->element_type = MVS_T_INT32;
		last(s)->max_capacity = 8;
		field_add(s, "arr_s", MVS_T_ARRAY);
		last(s)->element_type = MVS_T_VARCHAR;
		last(s)->max_capacity = 4;
		last(s)->max_length = 16;
		field_add(s, "fv", MVS_T_FLOAT_VECTOR);
		last(s)->dim = g->dim;
		field_add(s, "bv", MVS_T_BINARY_VECTOR);
		last(s)->dim = 32;
		field_add(s, "f16v", MVS_T_FLOAT16_VECTOR);
		last(s)->dim = g->dim;
		field_add(s, "bf16v", MVS_T_BFLOAT16_VECTOR);
		last(s)->dim = g->dim;
		field_add(s, "i8v", MVS_T_INT8_VECTOR);
		last(s)->dim = g->dim;
		field_add(s, "sv", MVS_T_SPARSE_FLOAT_VECTOR);
		field_add(s, "bm25", MVS_T_SPARSE_FLOAT_VECTOR);
		last(s)->function_output = true;
		field_add(s, "$meta", MVS_T_JSON);
		last(s)->is_dynamic = true;

		s->functions = calloc(1, sizeof *s->functions);
		s->n_functions = 1;
		s->functions[0].name = strdup("name_bm25");
		s->functions[0].type = 1;
		s->functions[0].input_fields = strv1("name");
		s->functions[0].n_input_fields = 1;
		s->functions[0].output_fields = strv1("bm25");
		s->functions[0].n_output_fields = 1;
		break;
	case SC_WIDE:
		field_add(s, "id", MVS_T_INT64);
		last(s)->primary_key = true;
		field_add(s, "category", MVS_T_INT32);
		field_add(s, "score", MVS_T_FLOAT);
		field_add(s, "title", MVS_T_VARCHAR);
		last(s)->max_length = 128;
		field_add(s, "vec", MVS_T_FLOAT_VECTOR);
		last(s)->dim = g->dim;
		break;
	case SC_VARCHAR_PK:
		field_add(s, "pk", MVS_T_VARCHAR);
		last(s)->primary_key = true;
		last(s)->max_length = 128;
		field_add(s, "val", MVS_T_INT64);
		field_add(s, "vec", MVS_T_FLOAT_VECTOR);
		last(s)->dim = g->dim;
		break;
	}

	const char *vec = g->scenario == SC_ALL_TYPES ? "fv" : "vec";
	s->indexes = calloc(1, sizeof *s->indexes);
	s->n_indexes = 1;
	s->indexes[0].field_name = strdup(vec);
	snprintf(buf, sizeof buf, "%s_idx", vec);
	s->indexes[0].index_name = strdup(buf);
	mvs_kvlist_add(&s->indexes[0].params, "index_type", "HNSW");
	mvs_kvlist_add(&s->indexes[0].params, "metric_type", "L2");
	mvs_kvlist_add(&s->indexes[0].params, "params", "{\"M\": 16, \"efConstruction\": 200}");

	if (g->partitions > 0) {
		s->partitions = calloc((size_t)g->partitions, sizeof *s->partitions);
		s->n_partitions = (size_t)g->partitions;
		for (int64_t i = 0; i < g->partitions; i++) {
			snprintf(buf, sizeof buf, "part_%" PRId64, i);
			s->partitions[i] = strdup(i == 0 ? "_default" : buf);
		}
	}
}

static void pack_str(struct gen *g, const char *s)
{
	size_t n = strlen(s);

	msgpack_pack_str(&g->pk, n);
	msgpack_pack_str_body(&g->pk, s, n);
}

static void pack_bin(struct gen *g, const void *p, size_t n)
{
	msgpack_pack_bin(&g->pk, n);
	msgpack_pack_bin_body(&g->pk, p, n);
}

static void pack_float_vector(struct gen *g, int64_t dim)
{
	float v[4096];
	unsigned char *bytes = (unsigned char *)v;

	msgpack_pack_bin(&g->pk, (size_t)dim * 4);
	for (int64_t done = 0; done < dim;) {
		int64_t n = dim - done < 4096 ? dim - done : 4096;
		for (int64_t i = 0; i < n; i++)
			v[i] = next_float(g);
		/* little-endian on the wire, whatever the host */
		for (int64_t i = 0; i < n; i++) {
			uint32_t x;
			memcpy(&x, &v[i], 4);
			bytes[4 * i] = (unsigned char)x;
			bytes[4 * i + 1] = (unsigned char)(x >> 8);
			bytes[4 * i + 2] = (unsigned char)(x >> 16);
			bytes[4 * i + 3] = (unsigned char)(x >> 24);
		}
		msgpack_pack_bin_body(&g->pk, bytes, (size_t)n * 4);
		done += n;
	}
}

static void pack_half_vector(struct gen *g, int64_t dim, bool bf16)
{
	msgpack_pack_bin(&g->pk, (size_t)dim * 2);
	for (int64_t i = 0; i < dim; i++) {
		float f = next_float(g);
		uint32_t x;
		uint16_t h;

		memcpy(&x, &f, 4);
		h = bf16 ? (uint16_t)(x >> 16) : float_to_half(f);
		unsigned char b[2] = { (unsigned char)h, (unsigned char)(h >> 8) };
		msgpack_pack_bin_body(&g->pk, b, 2);
	}
}

static void pack_random_bytes(struct gen *g, size_t n)
{
	msgpack_pack_bin(&g->pk, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)next_u64(g);
		msgpack_pack_bin_body(&g->pk, &b, 1);
	}
}

static void pack_sparse(struct gen *g, int64_t r)
{
	int n = r % 4 == 0 ? 0 : 1 + (int)(r % 5);
	unsigned char pairs[6 * 8];
	uint32_t index = 0;

	for (int i = 0; i < n; i++) {
		index += 1 + (uint32_t)(next_u64(g) % 1000);
		float v = (next_float(g) + 1.0f) / 2.0f;
		uint32_t x;
		memcpy(&x, &v, 4);
		for (int k = 0; k < 4; k++) {
			pairs[8 * i + k] = (unsigned char)(index >> (8 * k));
			pairs[8 * i + 4 + k] = (unsigned char)(x >> (8 * k));
		}
	}
	pack_bin(g, pairs, (size_t)n * 8);
}

static void pack_all_types(struct gen *g, int64_t r)
{
	char buf[256];

	msgpack_pack_array(&g->pk, 22);
	msgpack_pack_int64(&g->pk, r + 1);
	if (r % 2)
		msgpack_pack_true(&g->pk);
	else
		msgpack_pack_false(&g->pk);
	msgpack_pack_int8(&g->pk, r == 0 ? INT8_MIN : r == 1 ? INT8_MAX : (int8_t)next_u64(g));
	msgpack_pack_int16(&g->pk, r == 0 ? INT16_MIN : r == 1 ? INT16_MAX : (int16_t)next_u64(g));
	msgpack_pack_int32(&g->pk, r == 0 ? INT32_MIN : r == 1 ? INT32_MAX : (int32_t)next_u64(g));
	if (r % 3 == 0)
		msgpack_pack_nil(&g->pk);
	else
		msgpack_pack_int64(&g->pk, r % 5 == 1 ? INT64_MIN : r % 5 == 2 ? INT64_MAX :
				   (int64_t)next_u64(g));
	msgpack_pack_float(&g->pk, r == 0 ? 0.0f : next_float(g) * 1000.0f);
	msgpack_pack_double(&g->pk, r == 0 ? -0.0 : (double)next_float(g) * 1e6 + 1.0 / 3.0);
	snprintf(buf, sizeof buf, "row %" PRId64 ": \"quoted\" back\\slash\ttab\nline é 日本 😀", r);
	pack_str(g, buf);
	snprintf(buf, sizeof buf, "t%" PRId64, r % 4);
	pack_str(g, buf);
	if (r % 4 == 3) {
		msgpack_pack_nil(&g->pk);
	} else {
		snprintf(buf, sizeof buf, "{\"r\": %" PRId64 ", \"s\": \"x\\\"y\", \"a\": [1, 2.5, null], "
			 "\"nested\": {\"k\": true}}", r);
		pack_str(g, buf);
	}
	snprintf(buf, sizeof buf, "POINT (%" PRId64 " %" PRId64 ")", r % 180, r % 90);
	pack_str(g, buf);
	if (r % 5 == 0)
		buf[0] = 0;	/* an empty Text */
	else
		snprintf(buf, sizeof buf, "document %" PRId64 " about things", r);
	pack_str(g, buf);
	msgpack_pack_array(&g->pk, (size_t)(r % 5));
	for (int64_t i = 0; i < r % 5; i++)
		msgpack_pack_int32(&g->pk, i == 0 ? INT32_MIN : (int32_t)(r * 10 + i));
	msgpack_pack_array(&g->pk, (size_t)(r % 3));
	for (int64_t i = 0; i < r % 3; i++) {
		snprintf(buf, sizeof buf, i == 0 ? "s%" PRId64 : "é\"%" PRId64, r);
		pack_str(g, buf);
	}
	pack_float_vector(g, g->dim);
	pack_random_bytes(g, 4);
	pack_half_vector(g, g->dim, false);
	pack_half_vector(g, g->dim, true);
	pack_random_bytes(g, (size_t)g->dim);
	pack_sparse(g, r);
	if (r % 2 == 0) {
		snprintf(buf, sizeof buf, "{\"extra\": %" PRId64 ", \"color\": \"red\"}", r);
		pack_str(g, buf);
	} else {
		pack_str(g, "{}");
	}
}

static void pack_row(struct gen *g, int64_t r)
{
	char buf[128];

	msgpack_sbuffer_clear(&g->sb);
	switch (g->scenario) {
	case SC_ALL_TYPES:
		pack_all_types(g, r);
		break;
	case SC_WIDE:
		msgpack_pack_array(&g->pk, 5);
		msgpack_pack_int64(&g->pk, r + 1);
		msgpack_pack_int32(&g->pk, (int32_t)(r % 100));
		msgpack_pack_float(&g->pk, next_float(g));
		snprintf(buf, sizeof buf, "title %" PRId64, r);
		pack_str(g, buf);
		pack_float_vector(g, g->dim);
		break;
	case SC_VARCHAR_PK:
		msgpack_pack_array(&g->pk, 3);
		snprintf(buf, sizeof buf, "key \"%" PRId64 "\" \\ ü 日本 %" PRId64, r, r * 7);
		pack_str(g, buf);
		msgpack_pack_int64(&g->pk, (int64_t)next_u64(g));
		pack_float_vector(g, g->dim);
		break;
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: mvs-gen [--scenario all-types|wide|varchar-pk] [--rows N] [--dim D]\n"
		   "               [--partitions K] [--seed S] [--units U] [--abort-after N]\n"
		   "Writes a deterministic mvs stream to stdout (never to a terminal).\n");
}

static void die_writer(struct mvs_writer *w)
{
	if (!mvs_writer_broken_pipe(w))
		mvs_error("%s", mvs_writer_error(w));
	exit(MVS_EXIT_IO);
}

int main(int argc, char **argv)
{
	struct gen g = { .scenario = SC_ALL_TYPES, .rows = 10, .dim = 0, .seed = 1, .units = 1,
			 .abort_after = -1 };
	int64_t written = 0;

	mvs_cli_init("mvs-gen");
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (!val)
			mvs_usage_error("option %s needs a value", opt);
		i++;
		if (strcmp(opt, "--scenario") == 0) {
			if (strcmp(val, "all-types") == 0)
				g.scenario = SC_ALL_TYPES;
			else if (strcmp(val, "wide") == 0)
				g.scenario = SC_WIDE;
			else if (strcmp(val, "varchar-pk") == 0)
				g.scenario = SC_VARCHAR_PK;
			else
				mvs_usage_error("unknown scenario '%s'", val);
		} else if (strcmp(opt, "--rows") == 0) {
			g.rows = mvs_parse_count(opt, val, 0, INT64_MAX);
		} else if (strcmp(opt, "--dim") == 0) {
			g.dim = mvs_parse_count(opt, val, 1, 32768);
		} else if (strcmp(opt, "--partitions") == 0) {
			g.partitions = mvs_parse_count(opt, val, 0, 4096);
		} else if (strcmp(opt, "--seed") == 0) {
			g.seed = mvs_parse_count(opt, val, 0, INT64_MAX);
		} else if (strcmp(opt, "--units") == 0) {
			g.units = mvs_parse_count(opt, val, 1, 1000);
		} else if (strcmp(opt, "--abort-after") == 0) {
			g.abort_after = mvs_parse_count(opt, val, 0, INT64_MAX);
		} else {
			mvs_usage_error("unknown option %s", opt);
		}
	}
	if (g.dim == 0)
		g.dim = g.scenario == SC_WIDE ? 768 : 8;
	if (isatty(STDOUT_FILENO)) {
		mvs_error("refusing to write a binary stream to a terminal; redirect it");
		return MVS_EXIT_USAGE;
	}

	struct mvs_writer *w = mvs_writer_new(STDOUT_FILENO, "mvs-gen");
	if (!w) {
		mvs_error("out of memory");
		return MVS_EXIT_FAILURE;
	}
	msgpack_sbuffer_init(&g.sb);
	msgpack_packer_init(&g.pk, &g.sb, msgpack_sbuffer_write);
	for (int unit = 0; unit < g.units; unit++) {
		struct mvs_schema schema;
		int64_t part = -1;

		g.rng = (uint64_t)g.seed * 0x100000001b3ull + (uint64_t)unit;
		build_schema(&g, unit, &schema);
		if (mvs_writer_begin(w, &schema) != 0)
			die_writer(w);
		for (int64_t r = 0; r < g.rows; r++) {
			if (g.partitions > 0 && r * g.partitions / g.rows != part) {
				part = r * g.partitions / g.rows;
				if (mvs_writer_partition(w, schema.partitions[part]) != 0)
					die_writer(w);
			}
			if (written == g.abort_after) {
				mvs_writer_abort(w, "simulated failure after %" PRId64 " rows", written);
				mvs_schema_free(&schema);
				goto out;
			}
			pack_row(&g, r);
			if (mvs_writer_row(w, g.sb.data, g.sb.size) != 0)
				die_writer(w);
			written++;
		}
		if (written == g.abort_after) {
			mvs_writer_abort(w, "simulated failure after %" PRId64 " rows", written);
			mvs_schema_free(&schema);
			goto out;
		}
		if (mvs_writer_end(w) != 0)
			die_writer(w);
		mvs_schema_free(&schema);
	}
out:
	msgpack_sbuffer_destroy(&g.sb);
	mvs_writer_free(w);
	return 0;
}
