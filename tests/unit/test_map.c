/* Unit tests of lib/stream/mvs_map.c: parsing the mvs-map options, Milvus name rules, planning a unit
 * (selection, auto-ID keys, functions, indexes, partition key, renames, dynamic field, settings,
 * refusals) and rebuilding rows from value spans. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mvs_map.h"
#include "mvs_types.h"
#include "check.h"


/* ---- a sample collection ----
 * id Int64 pk (auto-ID as asked), text VarChar (BM25 input), sparse (BM25 output), vec FloatVector
 * dim 2, cat Int64 partition key, $meta. Indexes on vec (named "vec") and sparse. */

static struct mvs_field *add_field(struct mvs_schema *s, const char *name, int type)
{
	s->fields = realloc(s->fields, (s->n_fields + 1) * sizeof *s->fields);
	struct mvs_field *f = &s->fields[s->n_fields++];
	*f = (struct mvs_field){ .name = strdup(name), .type = type };
	return f;
}

static char **one_string(const char *s)
{
	char **v = calloc(1, sizeof *v);

	v[0] = strdup(s);
	return v;
}

static void add_index(struct mvs_schema *s, const char *field, const char *name)
{
	s->indexes = realloc(s->indexes, (s->n_indexes + 1) * sizeof *s->indexes);
	s->indexes[s->n_indexes++] = (struct mvs_index){ .field_name = strdup(field),
							  .index_name = strdup(name) };
}

static void sample(struct mvs_schema *s, bool auto_id)
{
	*s = (struct mvs_schema){ .name = strdup("docs"), .shards_num = 1, .consistency_level = 2,
				  .enable_dynamic_field = true, .num_partitions = 16 };
	struct mvs_field *f = add_field(s, "id", MVS_T_INT64);
	f->primary_key = true;
	f->auto_id = auto_id;
	add_field(s, "text", MVS_T_VARCHAR)->max_length = 100;
	add_field(s, "sparse", MVS_T_SPARSE_FLOAT_VECTOR)->function_output = true;
	add_field(s, "vec", MVS_T_FLOAT_VECTOR)->dim = 2;
	add_field(s, "cat", MVS_T_INT64)->partition_key = true;
	add_field(s, "$meta", MVS_T_JSON)->is_dynamic = true;
	s->functions = calloc(1, sizeof *s->functions);
	s->functions[0] = (struct mvs_function){
		.name = strdup("bm25"), .type = 1, .input_fields = one_string("text"),
		.n_input_fields = 1, .output_fields = one_string("sparse"), .n_output_fields = 1,
	};
	s->n_functions = 1;
	add_index(s, "vec", "vec");
	add_index(s, "sparse", "sparse_idx");
	s->partitions = one_string("_default");
	s->n_partitions = 1;
}

/* ---- notes ---- */

static char notes[4096];

static void collect_note(void *ctx, const char *message)
{
	(void)ctx;
	strncat(notes, message, sizeof notes - strlen(notes) - 2);
	strcat(notes, "\n");
}

/* Plans with the given option values (NULL: absent); returns mvs_map_init's result. */
struct opts {
	const char *fields, *exclude, *rename, *collection, *description;
	int32_t shards;
	int consistency, dynamic;
};

static int plan(struct mvs_map *map, const struct mvs_schema *in, struct opts o, char *err,
		size_t errlen)
{
	struct mvs_map_spec spec;
	int rc = 0;

	mvs_map_spec_init(&spec);
	notes[0] = 0;
	if (o.fields)
		rc |= mvs_map_spec_fields(&spec, o.fields, err, errlen);
	if (o.exclude)
		rc |= mvs_map_spec_exclude(&spec, o.exclude, err, errlen);
	if (o.rename)
		rc |= mvs_map_spec_renames(&spec, o.rename, err, errlen);
	if (o.collection)
		rc |= mvs_map_spec_collection(&spec, o.collection, err, errlen);
	if (o.description)
		rc |= mvs_map_spec_description(&spec, o.description);
	spec.shards = o.shards;
	spec.consistency = o.consistency ? o.consistency : -1;
	spec.dynamic = o.dynamic;
	if (rc == 0)
		rc = mvs_map_init(map, &spec, in, collect_note, NULL, err, errlen);
	mvs_map_spec_free(&spec);
	return rc;
}

static const char *field_names(const struct mvs_schema *s)
{
	static char buf[512];

	buf[0] = 0;
	for (size_t i = 0; i < s->n_fields; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, s->fields[i].name);
	}
	return buf;
}

/* ---- tests ---- */

static void test_spec_parsing(void)
{
	struct mvs_map_spec spec;
	char err[512];

	mvs_map_spec_init(&spec);
	CHECK_MSG(mvs_map_spec_fields(&spec, "a,b", err, sizeof err) == 0, "%s", err);
	CHECK_MSG(mvs_map_spec_fields(&spec, "c", err, sizeof err) == 0, "repeated --fields add up");
	CHECK_MSG(spec.n_keep == 3 && strcmp(spec.keep[2], "c") == 0, "three kept names");
	CHECK_MSG(mvs_map_spec_fields(&spec, "d,a", err, sizeof err) < 0 &&
	      strcmp(err, "--fields: field \"a\" is named twice") == 0, "duplicate: %s", err);
	CHECK_MSG(mvs_map_spec_exclude(&spec, "x", err, sizeof err) < 0 &&
	      strcmp(err, "--fields and --exclude cannot be combined") == 0, "combined: %s", err);
	mvs_map_spec_free(&spec);

	CHECK_MSG(mvs_map_spec_exclude(&spec, "a,,b", err, sizeof err) < 0 &&
	      strstr(err, "empty field name"), "empty name: %s", err);
	mvs_map_spec_free(&spec);
	CHECK_MSG(mvs_map_spec_exclude(&spec, "", err, sizeof err) < 0, "empty list");
	mvs_map_spec_free(&spec);

	CHECK_MSG(mvs_map_spec_renames(&spec, "a:b,c:d_2", err, sizeof err) == 0, "%s", err);
	CHECK_MSG(spec.n_rename == 2 && strcmp(spec.rename_from[1], "c") == 0 &&
	      strcmp(spec.rename_to[1], "d_2") == 0, "renames parsed");
	CHECK_MSG(mvs_map_spec_renames(&spec, "a:e", err, sizeof err) < 0 &&
	      strcmp(err, "--rename: field \"a\" is renamed twice") == 0, "twice: %s", err);
	mvs_map_spec_free(&spec);
	CHECK_MSG(mvs_map_spec_renames(&spec, "a:x,b:x", err, sizeof err) < 0 &&
	      strcmp(err, "--rename: two fields renamed to \"x\"") == 0, "same target: %s", err);
	mvs_map_spec_free(&spec);
	static const char *const bad[] = { "a", "a:b:c", ":b", "a:", "a:1b", "a:b-c", "$meta:m",
					   "a:é" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_MSG(mvs_map_spec_renames(&spec, bad[i], err, sizeof err) < 0,
		      "--rename %s accepted", bad[i]);
		mvs_map_spec_free(&spec);
	}
	CHECK_MSG(mvs_map_spec_collection(&spec, "books_v2", err, sizeof err) == 0, "%s", err);
	CHECK_MSG(mvs_map_spec_collection(&spec, "2books", err, sizeof err) < 0 &&
	      strcmp(err, "collection name \"2books\" must start with a letter or '_'") == 0,
	      "digit first: %s", err);
	mvs_map_spec_free(&spec);
}

static void test_names(void)
{
	char err[512], name[300];

	CHECK_MSG(mvs_map_check_name("field", "_a1", err, sizeof err) == 0, "_a1");
	CHECK_MSG(mvs_map_check_name("field", "", err, sizeof err) < 0 &&
	      strcmp(err, "empty field name") == 0, "empty: %s", err);
	CHECK_MSG(mvs_map_check_name("field", "a b", err, sizeof err) < 0 &&
	      strcmp(err, "field name \"a b\" may only hold letters, digits and '_'") == 0, "%s", err);
	memset(name, 'a', 255);
	name[255] = 0;
	CHECK_MSG(mvs_map_check_name("field", name, err, sizeof err) == 0, "255 characters");
	name[255] = 'a';
	name[256] = 0;
	CHECK_MSG(mvs_map_check_name("field", name, err, sizeof err) < 0 &&
	      strstr(err, "longer than 255"), "256 characters: %s", err);
}

/* Maps one row into a unit written to a memory file, and reads the unit back: out gets the row as
 * the next stage would see it (at most cap bytes), *out_len 0 when none was written. Returns
 * mvs_map_row's result. */
static int map_row(struct mvs_map *map, const unsigned char *row, size_t len, unsigned char *out,
		   size_t cap, size_t *out_len)
{
	int fd = memfd_create("test_map", 0);
	struct mvs_writer *w = mvs_writer_new(fd, "test_map");
	struct mvs_item item;
	int rc;

	CHECK(mvs_writer_begin(w, &map->out) == 0);
	rc = mvs_map_row(map, row, len, w);
	CHECK(mvs_writer_end(w) == 0);
	mvs_writer_free(w);
	*out_len = 0;
	lseek(fd, 0, SEEK_SET);
	struct mvs_reader *r = mvs_reader_new(fd, "test_map");
	while (mvs_reader_next(r, &item) != MVS_ITEM_EOF && item.kind != MVS_ITEM_ERROR) {
		if (item.kind == MVS_ITEM_ROW && item.row_len <= cap) {
			memcpy(out, item.row, item.row_len);
			*out_len = item.row_len;
		}
	}
	CHECK_MSG(item.kind == MVS_ITEM_EOF, "the mapped unit reads back: %s", mvs_reader_error(r));
	mvs_reader_free(r);
	close(fd);
	return rc;
}

static void test_passthrough(void)
{
	struct mvs_schema in;
	struct mvs_map map;
	char err[512];

	sample(&in, false);
	CHECK_MSG(plan(&map, &in, (struct opts){ .dynamic = -1 }, err, sizeof err) == 0, "%s", err);
	CHECK_MSG(map.verbatim && map.in_width == 5 && map.out_width == 5, "no options: verbatim");
	CHECK_MSG(strcmp(field_names(&map.out), "id,text,sparse,vec,cat,$meta") == 0, "%s",
	      field_names(&map.out));
	CHECK_MSG(map.out.n_functions == 1 && map.out.n_indexes == 2 && map.out.num_partitions == 16,
	      "nothing dropped");
	CHECK_MSG(notes[0] == 0, "no notes: %s", notes);
	unsigned char row[] = { 0x95, 0x01, 0xa1, 'x', 0xc4, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,
				0xa2, '{', '}' };
	unsigned char out[64];
	size_t len;
	CHECK_MSG(map_row(&map, row, sizeof row, out, sizeof out, &len) == 0 && len == sizeof row &&
	      memcmp(out, row, len) == 0, "verbatim rows pass unchanged");
	mvs_map_free(&map);

	/* renames and settings keep the columns: still verbatim */
	CHECK_MSG(plan(&map, &in, (struct opts){ .rename = "vec:embedding,text:body", .collection = "d2",
					     .description = "copy", .shards = 3, .consistency = 1,
					     .dynamic = -1 }, err, sizeof err) == 0, "%s", err);
	CHECK_MSG(map.verbatim, "renames keep rows verbatim");
	CHECK_MSG(strcmp(field_names(&map.out), "id,body,sparse,embedding,cat,$meta") == 0, "%s",
	      field_names(&map.out));
	CHECK_MSG(strcmp(map.out.functions[0].input_fields[0], "body") == 0, "function input renamed");
	CHECK_MSG(strcmp(map.out.indexes[0].field_name, "embedding") == 0 &&
	      strcmp(map.out.indexes[0].index_name, "embedding") == 0,
	      "index named after its field follows the rename");
	CHECK_MSG(strcmp(map.out.indexes[1].index_name, "sparse_idx") == 0, "other index name kept");
	CHECK_MSG(strcmp(map.out.name, "d2") == 0 && strcmp(map.out.description.s, "copy") == 0 &&
	      map.out.shards_num == 3 && map.out.consistency_level == 1, "settings applied");
	mvs_map_free(&map);
	mvs_schema_free(&in);
}

static void test_selection(void)
{
	struct mvs_schema in;
	struct mvs_map map;
	char err[512];

	sample(&in, true);
	/* auto-ID key kept first; BM25 loses its output; the partition key goes */
	CHECK_MSG(plan(&map, &in, (struct opts){ .fields = "vec,text", .dynamic = -1 }, err,
		   sizeof err) == 0, "%s", err);
	CHECK_MSG(strcmp(field_names(&map.out), "id,vec,text,$meta") == 0, "%s", field_names(&map.out));
	CHECK_MSG(map.out.n_functions == 0, "function dropped");
	CHECK_MSG(map.out.n_indexes == 1 && strcmp(map.out.indexes[0].field_name, "vec") == 0,
	      "index of vec kept, index of sparse dropped");
	CHECK_MSG(map.out.num_partitions == 0, "partition key gone: no partition-key partitions");
	CHECK_MSG(strstr(notes, "keeping the auto-ID primary key \"id\" as the first field") &&
	      strstr(notes, "dropping function \"bm25\": its output field \"sparse\" is not kept") &&
	      strstr(notes, "field \"cat\" was the partition key"), "notes: %s", notes);
	CHECK_MSG(!map.verbatim && map.out_width == 4 && map.columns[0] == 0 && map.columns[1] == 2 &&
	      map.columns[2] == 1 && map.columns[3] == 4, "columns");

	/* [id 1, text "x", vec bin(8), cat 7, $meta "{}"] -> [id, vec, text, $meta] */
	unsigned char row[] = { 0x95, 0x01, 0xa1, 'x', 0xc4, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x07,
				0xa2, '{', '}' };
	unsigned char want[] = { 0x94, 0x01, 0xc4, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0xa1, 'x',
				 0xa2, '{', '}' };
	unsigned char out[64];
	size_t len;
	CHECK_MSG(map_row(&map, row, sizeof row, out, sizeof out, &len) == 0 && len == sizeof want &&
	      memcmp(out, want, len) == 0, "mapped row bytes");
	CHECK_MSG(map_row(&map, row, sizeof row - 1, out, sizeof out, &len) == -1 && len == 0,
		  "short row refused, nothing written");
	row[0] = 0x94;
	CHECK_MSG(map_row(&map, row, sizeof row, out, sizeof out, &len) == -1 && len == 0,
		  "row of the wrong width refused, nothing written");
	mvs_map_free(&map);

	/* --exclude of the BM25 input drops the function and its output */
	CHECK_MSG(plan(&map, &in, (struct opts){ .exclude = "text", .dynamic = 0 }, err, sizeof err) == 0,
	      "%s", err);
	CHECK_MSG(strcmp(field_names(&map.out), "id,vec,cat") == 0, "%s", field_names(&map.out));
	CHECK_MSG(!map.out.enable_dynamic_field, "--dynamic off clears the flag");
	CHECK_MSG(strstr(notes, "dropping field \"sparse\": function \"bm25\" filled it"), "notes: %s",
	      notes);
	CHECK_MSG(map.out_width == 3 && map.columns[0] == 0 && map.columns[1] == 2 && map.columns[2] == 3,
	      "columns after exclude");
	mvs_map_free(&map);

	/* more than 15 values: the array16 header */
	struct mvs_schema wide = { .name = strdup("wide") };
	char name[16];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "f%d", i);
		add_field(&wide, name, i == 0 ? MVS_T_INT64 : i == 1 ? MVS_T_FLOAT_VECTOR : MVS_T_BOOL);
	}
	wide.fields[0].primary_key = true;
	wide.fields[1].dim = 2;
	CHECK_MSG(plan(&map, &wide, (struct opts){ .exclude = "f19", .dynamic = -1 }, err,
		   sizeof err) == 0, "%s", err);
	unsigned char wrow[64] = { 0xdc, 0x00, 20, 0x05, 0xc4, 0x08, 0, 0, 0, 0, 0, 0, 0, 0 };
	for (int i = 0; i < 18; i++)	/* f2..f19 at bytes 14..31; f19 (dropped) is true */
		wrow[14 + i] = i == 17 ? 0xc3 : 0xc2;
	CHECK_MSG(map_row(&map, wrow, 32, out, sizeof out, &len) == 0 && len == 31 && out[0] == 0xdc &&
	      out[1] == 0 && out[2] == 19 && memcmp(out + 3, wrow + 3, 28) == 0,
	      "array16 header for 19 values");
	mvs_map_free(&map);
	mvs_schema_free(&wide);
	mvs_schema_free(&in);
}

static void test_refusals(void)
{
	struct mvs_schema in;
	struct mvs_map map;
	char err[512];

	sample(&in, false);
	CHECK_MSG(plan(&map, &in, (struct opts){ .fields = "vec", .dynamic = -1 }, err, sizeof err) < 0 &&
	      strcmp(err, "--fields must keep the primary key \"id\" of collection \"docs\" (it is "
		     "not auto-ID)") == 0, "pk: %s", err);
	CHECK_MSG(plan(&map, &in, (struct opts){ .fields = "id,cat", .dynamic = -1 }, err,
		   sizeof err) < 0 &&
	      strcmp(err, "--fields keeps no vector field; Milvus needs at least one") == 0,
	      "no vector: %s", err);
	CHECK_MSG(plan(&map, &in, (struct opts){ .exclude = "vec,text", .dynamic = -1 }, err,
		   sizeof err) < 0 &&
	      strcmp(err, "--exclude keeps no vector field; Milvus needs at least one") == 0,
	      "no vector after exclude (sparse goes with its function): %s", err);
	CHECK_MSG(plan(&map, &in, (struct opts){ .fields = "id,nope,vec,zz", .dynamic = -1 }, err,
		   sizeof err) < 0 &&
	      strcmp(err, "--fields: no field \"nope\", \"zz\" in collection \"docs\" (its fields: "
		     "id, text, sparse, vec, cat, $meta)") == 0, "unknown: %s", err);
	CHECK_MSG(plan(&map, &in, (struct opts){ .fields = "id,sparse,vec", .dynamic = -1 }, err,
		   sizeof err) < 0 &&
	      strcmp(err, "--fields keeps \"sparse\", the output of function \"bm25\", but not its "
		     "input field \"text\"") == 0, "output without input: %s", err);
	CHECK_MSG(plan(&map, &in, (struct opts){ .exclude = "id", .dynamic = -1 }, err, sizeof err) < 0 &&
	      strcmp(err, "--exclude cannot drop the primary key \"id\" of collection \"docs\"") == 0,
	      "exclude pk: %s", err);
	CHECK_MSG(plan(&map, &in, (struct opts){ .exclude = "$meta", .dynamic = -1 }, err,
		   sizeof err) < 0 && strstr(err, "is the dynamic field"), "$meta: %s", err);
	CHECK_MSG(plan(&map, &in, (struct opts){ .rename = "text:cat", .dynamic = -1 }, err,
		   sizeof err) < 0 &&
	      strcmp(err, "--rename: collection \"docs\" would have two fields named \"cat\"") == 0,
	      "collision: %s", err);
	CHECK_MSG(plan(&map, &in, (struct opts){ .exclude = "cat", .rename = "cat:kind", .dynamic = -1 },
		   err, sizeof err) < 0 &&
	      strcmp(err, "--rename: field \"cat\" of collection \"docs\" is not kept") == 0,
	      "rename dropped: %s", err);
	CHECK_MSG(plan(&map, &in, (struct opts){ .rename = "zz:y", .dynamic = -1 }, err,
		   sizeof err) < 0 && strstr(err, "--rename: no field \"zz\""), "rename unknown: %s",
	      err);
	/* renaming a field away and another onto its old name is fine */
	CHECK_MSG(plan(&map, &in, (struct opts){ .rename = "cat:kind,text:cat", .dynamic = -1 }, err,
		   sizeof err) == 0, "swap names: %s", err);
	mvs_map_free(&map);
	mvs_schema_free(&in);
}

static void test_dynamic(void)
{
	struct mvs_schema in;
	struct mvs_map map;
	char err[512];

	sample(&in, false);
	/* drop $meta from the sample: on only sets the flag */
	in.n_fields--;
	free(in.fields[in.n_fields].name);
	in.enable_dynamic_field = false;
	CHECK_MSG(plan(&map, &in, (struct opts){ .dynamic = 1 }, err, sizeof err) == 0, "%s", err);
	CHECK_MSG(map.out.enable_dynamic_field && map.verbatim &&
	      strcmp(field_names(&map.out), "id,text,sparse,vec,cat") == 0,
	      "--dynamic on without $meta: flag only");
	mvs_map_free(&map);
	mvs_schema_free(&in);
}

int main(void)
{
	test_spec_parsing();
	test_names();
	test_passthrough();
	test_selection();
	test_refusals();
	test_dynamic();
	if (failures)
		fprintf(stderr, "test_map: %d failure(s)\n", failures);
	return check_status();
}
