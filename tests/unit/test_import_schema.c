/* Unit test for lib/transfer/mvs_import_schema.c: the target schema under each auto-ID choice, the comparison of
 * a stream schema with an existing collection (each kind of difference refused with a message naming
 * the field and both values, harmless differences accepted), and the auto-ID check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_import.h"
#include "mvs_types.h"
#include "check.h"


static char *dup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return p;
}

static struct mvs_field *add_field(struct mvs_schema *s, const char *name, int type)
{
	struct mvs_field *f;

	s->fields = realloc(s->fields, (s->n_fields + 1) * sizeof *s->fields);
	if (!s->fields) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	f = &s->fields[s->n_fields++];
	memset(f, 0, sizeof *f);
	f->name = dup(name);
	f->type = type;
	return f;
}

/* id Int64 pk, title VarChar(256), tags Array<Int32>[16], v FloatVector(128), sparse (BM25 output),
 * $meta; a BM25 function title -> sparse. */
static void sample(struct mvs_schema *s)
{
	struct mvs_field *f;

	memset(s, 0, sizeof *s);
	s->name = dup("docs");
	s->enable_dynamic_field = true;
	f = add_field(s, "id", MVS_T_INT64);
	f->primary_key = true;
	f = add_field(s, "title", MVS_T_VARCHAR);
	f->max_length = 256;
	mvs_kvlist_add(&f->type_params, "enable_analyzer", "true");
	f = add_field(s, "tags", MVS_T_ARRAY);
	f->element_type = MVS_T_INT32;
	f->max_capacity = 16;
	f->nullable = true;
	f = add_field(s, "v", MVS_T_FLOAT_VECTOR);
	f->dim = 128;
	f = add_field(s, "sparse", MVS_T_SPARSE_FLOAT_VECTOR);
	f->function_output = true;
	f = add_field(s, "$meta", MVS_T_JSON);
	f->is_dynamic = true;
	s->functions = calloc(1, sizeof *s->functions);
	s->n_functions = 1;
	s->functions[0].name = dup("bm25");
	s->functions[0].type = 1;
	s->functions[0].input_fields = calloc(1, sizeof(char *));
	s->functions[0].input_fields[0] = dup("title");
	s->functions[0].n_input_fields = 1;
	s->functions[0].output_fields = calloc(1, sizeof(char *));
	s->functions[0].output_fields[0] = dup("sparse");
	s->functions[0].n_output_fields = 1;
}

static struct mvs_field *field(struct mvs_schema *s, const char *name)
{
	int i = mvs_schema_field_index(s, name);

	return i < 0 ? NULL : &s->fields[i];
}

/* Changes one thing in a copy of the sample (the collection side) and expects the comparison to
 * refuse it with a message containing want. */
static void expect_refused(void (*change)(struct mvs_schema *), const char *want)
{
	struct mvs_schema stream, have;
	char err[512] = "";

	sample(&stream);
	sample(&have);
	change(&have);
	CHECK(mvs_import_schema_compare(&stream, &have, err, sizeof err) == -1);
	if (!strstr(err, want)) {
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err, want);
		failures++;
	}
	mvs_schema_free(&stream);
	mvs_schema_free(&have);
}

static void expect_accepted(void (*change)(struct mvs_schema *))
{
	struct mvs_schema stream, have;
	char err[512] = "";

	sample(&stream);
	sample(&have);
	change(&have);
	if (mvs_import_schema_compare(&stream, &have, err, sizeof err) != 0) {
		fprintf(stderr, "refused a harmless difference: %s\n", err);
		failures++;
	}
	mvs_schema_free(&stream);
	mvs_schema_free(&have);
}

static void dim_768(struct mvs_schema *s) { field(s, "v")->dim = 768; }
static void type_f16(struct mvs_schema *s) { field(s, "v")->type = MVS_T_FLOAT16_VECTOR; }
static void element_int64(struct mvs_schema *s) { field(s, "tags")->element_type = MVS_T_INT64; }
static void shorter(struct mvs_schema *s) { field(s, "title")->max_length = 64; }
static void smaller_capacity(struct mvs_schema *s) { field(s, "tags")->max_capacity = 8; }
static void not_nullable(struct mvs_schema *s) { field(s, "tags")->nullable = false; }
static void partition_key(struct mvs_schema *s) { field(s, "title")->partition_key = true; }
static void no_dynamic(struct mvs_schema *s) { s->enable_dynamic_field = false; }
static void no_function(struct mvs_schema *s)
{
	free(s->functions[0].name);
	s->functions[0].name = dup("bm25_other");
}

static void rename_v(struct mvs_schema *s)
{
	struct mvs_field *f = field(s, "v");

	free(f->name);
	f->name = dup("vec");
}

static void extra_required(struct mvs_schema *s)
{
	add_field(s, "extra", MVS_T_INT32);
}

static void other_pk(struct mvs_schema *s)
{
	field(s, "id")->primary_key = false;
	struct mvs_field *f = add_field(s, "key", MVS_T_INT64);
	f->primary_key = true;
}

static void harmless(struct mvs_schema *s)
{
	struct mvs_field *f;

	field(s, "title")->max_length = 1024;
	field(s, "tags")->max_capacity = 64;
	field(s, "v")->nullable = true;
	f = field(s, "title");
	free(f->type_params.items[0].value);
	f->type_params.items[0].value = dup("false");
	CHECK(mvs_text_set(&f->description, "another description", 19) == 0);
	field(s, "id")->auto_id = true;
	mvs_kvlist_add(&s->properties, "collection.ttl.seconds", "60");
	s->shards_num = 4;
	s->consistency_level = 3;
	f = add_field(s, "note", MVS_T_VARCHAR);
	f->max_length = 10;
	f->nullable = true;
}

static void test_compare(void)
{
	expect_refused(dim_768, "field \"v\": dim 768 in the collection, 128 in the stream");
	expect_refused(type_f16, "field \"v\": type Float16Vector in the collection, FloatVector in the stream");
	expect_refused(element_int64, "field \"tags\": Array of Int64 in the collection, of Int32");
	expect_refused(shorter, "field \"title\": max_length 64 in the collection, 256 in the stream");
	expect_refused(smaller_capacity, "field \"tags\": max_capacity 8 in the collection, 16");
	expect_refused(not_nullable, "field \"tags\": nullable in the stream, not in the collection");
	expect_refused(partition_key, "field \"title\": partition key yes in the collection, no in the stream");
	expect_refused(no_dynamic, "dynamic fields off");
	expect_refused(no_function, "function \"bm25\" is missing from the collection");
	expect_refused(rename_v, "field \"v\" is missing from the collection");
	expect_refused(extra_required, "field \"extra\" of the collection is not in the stream");
	expect_refused(other_pk, "field \"id\": primary key no in the collection, yes in the stream");
	expect_accepted(harmless);
}

static void test_target_and_auto_id(void)
{
	struct mvs_schema header, target;
	char err[512] = "";

	sample(&header);
	memset(&target, 0, sizeof target);
	CHECK(mvs_import_target_schema(&header, MVS_IMPORT_AUTO_ID_KEEP, &target, err, sizeof err) == 0);
	CHECK(!field(&target, "id")->auto_id);
	CHECK(mvs_import_schema_compare(&header, &target, err, sizeof err) == 0);
	/* keep: a plain key takes the stream's keys; new needs an auto-ID key */
	CHECK(mvs_import_auto_id_check(&target, MVS_IMPORT_AUTO_ID_KEEP, err, sizeof err) == 0);
	CHECK(mvs_import_auto_id_check(&target, MVS_IMPORT_AUTO_ID_NEW, err, sizeof err) == -1);
	CHECK(strstr(err, "--auto-id new needs") != NULL);
	mvs_schema_free(&target);

	memset(&target, 0, sizeof target);
	CHECK(mvs_import_target_schema(&header, MVS_IMPORT_AUTO_ID_NEW, &target, err, sizeof err) == 0);
	CHECK(field(&target, "id")->auto_id);
	CHECK(mvs_import_auto_id_check(&target, MVS_IMPORT_AUTO_ID_NEW, err, sizeof err) == 0);
	/* keep into an auto-ID key: only with allow_insert_auto_id */
	CHECK(mvs_import_auto_id_check(&target, MVS_IMPORT_AUTO_ID_KEEP, err, sizeof err) == -1);
	CHECK(strstr(err, "allow_insert_auto_id") && strstr(err, "--auto-id new"));
	mvs_kvlist_add(&target.properties, "allow_insert_auto_id", "True");
	CHECK(mvs_import_auto_id_check(&target, MVS_IMPORT_AUTO_ID_KEEP, err, sizeof err) == 0);
	mvs_schema_free(&target);
	mvs_schema_free(&header);

	CHECK(mvs_import_prop_true("true") && mvs_import_prop_true("1") && mvs_import_prop_true("T"));
	CHECK(!mvs_import_prop_true("yes") && !mvs_import_prop_true("false") && !mvs_import_prop_true(NULL));
}

int main(void)
{
	test_compare();
	test_target_and_auto_id();
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return check_status();
}
