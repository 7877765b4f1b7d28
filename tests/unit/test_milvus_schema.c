/* Unit test for lib/milvus/mvs_milvus_schema.c: a described Milvus CollectionSchema with every kind of
 * field becomes the mvs schema model with every property kept, the model packs back into a
 * CollectionSchema that converts to the same model, and malformed schemas fail with messages naming
 * the field. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "mvs_check.h"
#include "mvs_milvus_schema.h"
#include "mvs_types.h"
#include "check.h"


/* Everything the test allocates for hand-built messages, freed at the end. */
static void *owned[4096];
static size_t n_owned;

static void *keep(void *p)
{
	if (!p || n_owned == sizeof owned / sizeof owned[0]) {
		fprintf(stderr, "test allocation failed\n");
		exit(1);
	}
	owned[n_owned++] = p;
	return p;
}

static void free_owned(void)
{
	while (n_owned > 0)
		free(owned[--n_owned]);
}

typedef Milvus__Proto__Common__KeyValuePair KV;
typedef Milvus__Proto__Schema__FieldSchema FieldSchema;
typedef Milvus__Proto__Schema__CollectionSchema CollectionSchema;
typedef Milvus__Proto__Schema__ValueField ValueField;

static KV *kv(const char *k, const char *v)
{
	KV *p = keep(malloc(sizeof *p));

	milvus__proto__common__key_value_pair__init(p);
	p->key = (char *)k;
	p->value = (char *)v;
	return p;
}

static CollectionSchema *new_schema(const char *name)
{
	CollectionSchema *cs = keep(malloc(sizeof *cs));

	milvus__proto__schema__collection_schema__init(cs);
	cs->name = (char *)name;
	cs->description = (ProtobufCBinaryData){ 17, (uint8_t *)"all the\0types \0\0" };
	cs->fields = keep(calloc(64, sizeof *cs->fields));
	cs->properties = keep(calloc(8, sizeof *cs->properties));
	cs->functions = keep(calloc(4, sizeof *cs->functions));
	return cs;
}

static FieldSchema *add_field(CollectionSchema *cs, const char *name, int type)
{
	FieldSchema *f = keep(malloc(sizeof *f));

	milvus__proto__schema__field_schema__init(f);
	f->fieldid = 100 + (int64_t)cs->n_fields;
	f->name = (char *)name;
	f->data_type = type;
	f->type_params = keep(calloc(8, sizeof *f->type_params));
	f->index_params = keep(calloc(8, sizeof *f->index_params));
	cs->fields[cs->n_fields++] = f;
	return f;
}

static void add_param(FieldSchema *f, const char *k, const char *v)
{
	f->type_params[f->n_type_params++] = kv(k, v);
}

static ValueField *new_value(void)
{
	ValueField *v = keep(malloc(sizeof *v));

	milvus__proto__schema__value_field__init(v);
	return v;
}

/* The msgpack bytes of one value, built by the callback. */
struct packed {
	char data[64];
	size_t len;
};

static int packed_write(void *data, const char *buf, size_t len)
{
	struct packed *p = data;

	memcpy(p->data + p->len, buf, len);
	p->len += len;
	return 0;
}

static bool default_is(const struct mvs_field *f, const struct packed *want)
{
	return f->default_value && f->default_value_len == want->len &&
	       memcmp(f->default_value, want->data, want->len) == 0;
}

/* A collection like DescribeCollection returns it, with every type and property. */
static CollectionSchema *full_schema(void)
{
	CollectionSchema *cs = new_schema("docs");
	FieldSchema *f;
	ValueField *v;
	Milvus__Proto__Schema__FunctionSchema *fn;
	static char *bm25_in[] = {"text"}, *bm25_out[] = {"text_sparse"};

	/* system fields, as an internal describe would include them */
	f = add_field(cs, "RowID", MVS_T_INT64);
	f->fieldid = 0;
	f = add_field(cs, "Timestamp", MVS_T_INT64);
	f->fieldid = 1;

	f = add_field(cs, "id", MVS_T_INT64);
	f->is_primary_key = true;
	f->autoid = true;
	f->description = (ProtobufCBinaryData){ 7, (uint8_t *)"the key" };
	f = add_field(cs, "b", MVS_T_BOOL);
	f->nullable = true;
	v = f->default_value = new_value();
	v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_BOOL_DATA;
	v->bool_data = 1;
	f = add_field(cs, "i8", MVS_T_INT8);
	v = f->default_value = new_value();
	v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_INT_DATA;
	v->int_data = -128;
	f = add_field(cs, "i16", MVS_T_INT16);
	f->is_clustering_key = true;
	f = add_field(cs, "i32", MVS_T_INT32);
	f->nullable = true;
	f = add_field(cs, "i64", MVS_T_INT64);
	v = f->default_value = new_value();
	v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_LONG_DATA;
	v->long_data = INT64_MIN;
	f = add_field(cs, "f", MVS_T_FLOAT);
	v = f->default_value = new_value();
	v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_FLOAT_DATA;
	{
		uint32_t bits = 0x7fc00123u; /* a NaN with a payload */
		memcpy(&v->float_data, &bits, sizeof bits);
	}
	f = add_field(cs, "d", MVS_T_DOUBLE);
	v = f->default_value = new_value();
	v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_DOUBLE_DATA;
	v->double_data = -0.0;
	f = add_field(cs, "tag", MVS_T_VARCHAR);
	f->is_partition_key = true;
	add_param(f, "max_length", "64");
	v = f->default_value = new_value();
	v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_STRING_DATA;
	v->string_data.data = (uint8_t *)"caf\xc3\xa9\0!"; /* U+0000 inside: not cut there */
	v->string_data.len = 7;
	f = add_field(cs, "text", MVS_T_VARCHAR);
	add_param(f, "max_length", "65535");
	add_param(f, "enable_analyzer", "true");
	add_param(f, "analyzer_params", "{\"type\":\"english\"}");
	f = add_field(cs, "doc", MVS_T_JSON);
	f->nullable = true;
	v = f->default_value = new_value();
	v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_BYTES_DATA;
	v->bytes_data.data = (uint8_t *)"{\"a\":1}";
	v->bytes_data.len = 7;
	f = add_field(cs, "tags", MVS_T_ARRAY);
	f->element_type = (Milvus__Proto__Schema__DataType)MVS_T_VARCHAR;
	add_param(f, "max_capacity", "16");
	add_param(f, "max_length", "32");
	f = add_field(cs, "nums", MVS_T_ARRAY);
	f->element_type = (Milvus__Proto__Schema__DataType)MVS_T_INT32;
	add_param(f, "max_capacity", "4");
	f = add_field(cs, "geo", MVS_T_GEOMETRY);
	f = add_field(cs, "body", MVS_T_TEXT);
	f = add_field(cs, "v", MVS_T_FLOAT_VECTOR);
	add_param(f, "dim", "8");
	add_param(f, "mmap.enabled", "true");
	f->index_params[f->n_index_params++] = kv("metric_type", "L2");
	f = add_field(cs, "bv", MVS_T_BINARY_VECTOR);
	add_param(f, "dim", "16");
	f = add_field(cs, "hv", MVS_T_FLOAT16_VECTOR);
	add_param(f, "dim", "4");
	f = add_field(cs, "bfv", MVS_T_BFLOAT16_VECTOR);
	add_param(f, "dim", "4");
	f = add_field(cs, "i8v", MVS_T_INT8_VECTOR);
	add_param(f, "dim", "4");
	f->nullable = true;
	f = add_field(cs, "sv", MVS_T_SPARSE_FLOAT_VECTOR);
	f = add_field(cs, "text_sparse", MVS_T_SPARSE_FLOAT_VECTOR);
	f->is_function_output = true;
	f = add_field(cs, "$meta", MVS_T_JSON);
	f->is_dynamic = true;

	cs->enable_dynamic_field = true;
	cs->properties[cs->n_properties++] = kv("collection.ttl.seconds", "3600");
	cs->properties[cs->n_properties++] = kv("mmap.enabled", "false");

	fn = keep(malloc(sizeof *fn));
	milvus__proto__schema__function_schema__init(fn);
	fn->name = "bm25";
	fn->description = (ProtobufCBinaryData){ 14, (uint8_t *)"text to sparse" };
	fn->type = MILVUS__PROTO__SCHEMA__FUNCTION_TYPE__BM25;
	fn->n_input_field_names = 1;
	fn->input_field_names = bm25_in;
	fn->n_output_field_names = 1;
	fn->output_field_names = bm25_out;
	fn->params = keep(calloc(1, sizeof *fn->params));
	fn->params[fn->n_params++] = kv("bm25_k1", "1.2");
	cs->functions[cs->n_functions++] = fn;
	return cs;
}

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool kvlist_eq(const struct mvs_kvlist *a, const struct mvs_kvlist *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (!str_eq(a->items[i].key, b->items[i].key) ||
		    !str_eq(a->items[i].value, b->items[i].value))
			return false;
	return true;
}

/* Field-by-field equality of everything the conversion carries; reports the first difference. */
static bool schema_eq(const struct mvs_schema *a, const struct mvs_schema *b)
{
	if (!mvs_text_equal(&a->description, &b->description) || a->shards_num != b->shards_num ||
	    a->consistency_level != b->consistency_level ||
	    a->enable_dynamic_field != b->enable_dynamic_field ||
	    a->num_partitions != b->num_partitions || !kvlist_eq(&a->properties, &b->properties) ||
	    a->n_fields != b->n_fields || a->n_functions != b->n_functions) {
		fprintf(stderr, "collection settings differ\n");
		return false;
	}
	for (size_t i = 0; i < a->n_fields; i++) {
		const struct mvs_field *x = &a->fields[i], *y = &b->fields[i];
		if (!str_eq(x->name, y->name) || !mvs_text_equal(&x->description, &y->description) ||
		    x->type != y->type || x->element_type != y->element_type ||
		    x->primary_key != y->primary_key || x->auto_id != y->auto_id ||
		    x->nullable != y->nullable || x->partition_key != y->partition_key ||
		    x->clustering_key != y->clustering_key ||
		    x->function_output != y->function_output || x->is_dynamic != y->is_dynamic ||
		    x->dim != y->dim || x->max_length != y->max_length ||
		    x->max_capacity != y->max_capacity ||
		    x->default_value_len != y->default_value_len ||
		    (x->default_value_len &&
		     memcmp(x->default_value, y->default_value, x->default_value_len) != 0) ||
		    !kvlist_eq(&x->type_params, &y->type_params) ||
		    !kvlist_eq(&x->index_params, &y->index_params)) {
			fprintf(stderr, "field \"%s\" differs\n", x->name);
			return false;
		}
	}
	for (size_t i = 0; i < a->n_functions; i++) {
		const struct mvs_function *x = &a->functions[i], *y = &b->functions[i];
		bool eq = str_eq(x->name, y->name) && mvs_text_equal(&x->description, &y->description) &&
			  x->type == y->type && x->n_input_fields == y->n_input_fields &&
			  x->n_output_fields == y->n_output_fields &&
			  kvlist_eq(&x->params, &y->params);
		for (size_t k = 0; eq && k < x->n_input_fields; k++)
			eq = str_eq(x->input_fields[k], y->input_fields[k]);
		for (size_t k = 0; eq && k < x->n_output_fields; k++)
			eq = str_eq(x->output_fields[k], y->output_fields[k]);
		if (!eq) {
			fprintf(stderr, "function \"%s\" differs\n", x->name);
			return false;
		}
	}
	return true;
}

static void test_from_milvus(void)
{
	CollectionSchema *cs = full_schema();
	KV *props[] = {kv("collection.ttl.seconds", "7200"), kv("partitionkey.isolation", "true")};
	struct mvs_collection_settings st = {2, 2, 16, props, 2};
	struct mvs_schema s;
	char err[256] = "";
	const struct mvs_field *f;
	struct packed want;
	msgpack_packer pk;
	int i;

	CHECK(mvs_schema_from_milvus(&s, cs, &st, err, sizeof err) == 0);
	if (err[0])
		fprintf(stderr, "error: %s\n", err);
	CHECK(str_eq(s.name, "docs"));
	CHECK(s.description.len == 17 && memcmp(s.description.s, "all the\0types \0\0", 17) == 0);	/* U+0000 kept */
	CHECK(s.shards_num == 2 && s.consistency_level == 2 && s.num_partitions == 16);
	CHECK(s.enable_dynamic_field);
	/* settings first, then schema properties they do not repeat */
	CHECK(s.properties.len == 3);
	CHECK(str_eq(mvs_kvlist_get(&s.properties, "collection.ttl.seconds"), "7200"));
	CHECK(str_eq(mvs_kvlist_get(&s.properties, "mmap.enabled"), "false"));
	CHECK(str_eq(mvs_kvlist_get(&s.properties, "partitionkey.isolation"), "true"));

	/* RowID, Timestamp and the described $meta are gone; $meta comes back last */
	CHECK(s.n_fields == 23);
	CHECK(mvs_schema_field_index(&s, "RowID") < 0 &&
	      mvs_schema_field_index(&s, "Timestamp") < 0);
	f = &s.fields[s.n_fields - 1];
	CHECK(str_eq(f->name, "$meta") && f->is_dynamic && f->type == MVS_T_JSON);

	f = &s.fields[0];
	CHECK(str_eq(f->name, "id") && f->primary_key && f->auto_id &&
	      f->description.len == 7 && strcmp(f->description.s, "the key") == 0);

	msgpack_packer_init(&pk, &want, packed_write);
	i = mvs_schema_field_index(&s, "b");
	CHECK(i >= 0 && s.fields[i].nullable);
	want.len = 0;
	msgpack_pack_true(&pk);
	CHECK(i >= 0 && default_is(&s.fields[i], &want));
	i = mvs_schema_field_index(&s, "i8");
	want.len = 0;
	msgpack_pack_int64(&pk, -128);
	CHECK(i >= 0 && default_is(&s.fields[i], &want));
	i = mvs_schema_field_index(&s, "i16");
	CHECK(i >= 0 && s.fields[i].clustering_key && !s.fields[i].default_value);
	i = mvs_schema_field_index(&s, "i64");
	want.len = 0;
	msgpack_pack_int64(&pk, INT64_MIN);
	CHECK(i >= 0 && default_is(&s.fields[i], &want));
	i = mvs_schema_field_index(&s, "f");
	CHECK(i >= 0 && s.fields[i].default_value_len == 5 &&
	      memcmp(s.fields[i].default_value, "\xca\x7f\xc0\x01\x23", 5) == 0);
	i = mvs_schema_field_index(&s, "d");
	CHECK(i >= 0 && s.fields[i].default_value_len == 9 &&
	      memcmp(s.fields[i].default_value, "\xcb\x80\0\0\0\0\0\0\0", 9) == 0);
	i = mvs_schema_field_index(&s, "tag");
	want.len = 0;
	msgpack_pack_str(&pk, 7);
	msgpack_pack_str_body(&pk, "caf\xc3\xa9\0!", 7);
	CHECK(i >= 0 && s.fields[i].partition_key && s.fields[i].max_length == 64 &&
	      s.fields[i].type_params.len == 0 && default_is(&s.fields[i], &want));
	i = mvs_schema_field_index(&s, "text");
	CHECK(i >= 0 && s.fields[i].max_length == 65535 && s.fields[i].type_params.len == 2 &&
	      str_eq(mvs_kvlist_get(&s.fields[i].type_params, "analyzer_params"),
		     "{\"type\":\"english\"}"));
	i = mvs_schema_field_index(&s, "doc");
	want.len = 0;
	msgpack_pack_str(&pk, 7);
	msgpack_pack_str_body(&pk, "{\"a\":1}", 7);
	CHECK(i >= 0 && default_is(&s.fields[i], &want));
	i = mvs_schema_field_index(&s, "tags");
	CHECK(i >= 0 && s.fields[i].element_type == MVS_T_VARCHAR &&
	      s.fields[i].max_capacity == 16 && s.fields[i].max_length == 32);
	i = mvs_schema_field_index(&s, "v");
	CHECK(i >= 0 && s.fields[i].dim == 8 && s.fields[i].type_params.len == 1 &&
	      str_eq(mvs_kvlist_get(&s.fields[i].index_params, "metric_type"), "L2"));
	i = mvs_schema_field_index(&s, "bv");
	CHECK(i >= 0 && s.fields[i].dim == 16);
	i = mvs_schema_field_index(&s, "i8v");
	CHECK(i >= 0 && s.fields[i].nullable && s.fields[i].dim == 4);
	i = mvs_schema_field_index(&s, "text_sparse");
	CHECK(i >= 0 && s.fields[i].function_output);
	CHECK(mvs_schema_row_width(&s) == s.n_fields - 1);
	/* what comes from Milvus is a schema the model accepts */
	if (mvs_schema_validate(&s, err, sizeof err) != 0) {
		fprintf(stderr, "mvs_schema_validate: %s\n", err);
		failures++;
	}

	CHECK(s.n_functions == 1);
	if (s.n_functions == 1) {
		const struct mvs_function *fn = &s.functions[0];
		CHECK(str_eq(fn->name, "bm25") && fn->type == 1 && fn->n_input_fields == 1 &&
		      str_eq(fn->input_fields[0], "text") && fn->n_output_fields == 1 &&
		      str_eq(fn->output_fields[0], "text_sparse") &&
		      str_eq(mvs_kvlist_get(&fn->params, "bm25_k1"), "1.2"));
	}

	/* model -> packed CollectionSchema -> model */
	{
		unsigned char *buf;
		size_t len;
		CollectionSchema *back;
		struct mvs_schema s2;

		CHECK(mvs_schema_to_milvus(&s, "docs_copy", &buf, &len, err, sizeof err) == 0);
		back = milvus__proto__schema__collection_schema__unpack(NULL, len, buf);
		CHECK(back != NULL);
		if (back) {
			bool has_meta = false, ids_zero = true;
			CHECK(str_eq(back->name, "docs_copy"));
			CHECK(back->enable_dynamic_field);
			for (size_t k = 0; k < back->n_fields; k++) {
				has_meta |= str_eq(back->fields[k]->name, "$meta") ||
					    back->fields[k]->is_dynamic;
				ids_zero &= back->fields[k]->fieldid == 0;
			}
			CHECK(!has_meta && ids_zero && back->n_fields == s.n_fields - 1);
			/* dim first, then the verbatim type_params */
			for (size_t k = 0; k < back->n_fields; k++)
				if (str_eq(back->fields[k]->name, "v"))
					CHECK(back->fields[k]->n_type_params == 2 &&
					      str_eq(back->fields[k]->type_params[0]->key, "dim") &&
					      str_eq(back->fields[k]->type_params[0]->value, "8") &&
					      str_eq(back->fields[k]->type_params[1]->key,
						     "mmap.enabled"));
			/* a JSON default goes back as bytes, a VarChar one as a string */
			for (size_t k = 0; k < back->n_fields; k++) {
				const FieldSchema *fs = back->fields[k];
				if (str_eq(fs->name, "doc"))
					CHECK(fs->default_value &&
					      fs->default_value->data_case ==
						      MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_BYTES_DATA);
				if (str_eq(fs->name, "tag"))
					CHECK(fs->default_value &&
					      fs->default_value->data_case ==
						      MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_STRING_DATA &&
					      fs->default_value->string_data.len == 7 &&
					      memcmp(fs->default_value->string_data.data,
						     "caf\xc3\xa9\0!", 7) == 0);
				if (str_eq(fs->name, "f")) {
					uint32_t bits = 0;
					CHECK(fs->default_value);
					if (fs->default_value)
						memcpy(&bits, &fs->default_value->float_data, 4);
					CHECK(bits == 0x7fc00123u);
				}
			}
			CHECK(mvs_schema_from_milvus(&s2, back, &st, err, sizeof err) == 0);
			CHECK(str_eq(s2.name, "docs_copy"));
			CHECK(schema_eq(&s, &s2));
			mvs_schema_free(&s2);
			milvus__proto__schema__collection_schema__free_unpacked(back, NULL);
		}
		free(buf);
	}

	/* keeping the name, and a schema that says dynamic only through its $meta field */
	{
		unsigned char *buf;
		size_t len;
		CollectionSchema *back;

		s.enable_dynamic_field = false;
		CHECK(mvs_schema_to_milvus(&s, NULL, &buf, &len, err, sizeof err) == 0);
		back = milvus__proto__schema__collection_schema__unpack(NULL, len, buf);
		CHECK(back && str_eq(back->name, "docs") && back->enable_dynamic_field);
		if (back)
			milvus__proto__schema__collection_schema__free_unpacked(back, NULL);
		free(buf);
	}
	mvs_schema_free(&s);
}

static void test_errors(void)
{
	struct mvs_schema s;
	char err[256];
	CollectionSchema *cs;
	FieldSchema *f;

	cs = new_schema("bad");
	add_field(cs, "id", MVS_T_INT64)->is_primary_key = true;
	add_param(add_field(cs, "v", MVS_T_FLOAT_VECTOR), "dim", "12x");
	err[0] = '\0';
	CHECK(mvs_schema_from_milvus(&s, cs, NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "\"v\"") && strstr(err, "dim") && strstr(err, "12x"));
	CHECK(s.n_fields == 0 && s.fields == NULL);

	/* a dim above INT32_MAX: Milvus's own limit, and the most a stream header holds */
	cs = new_schema("bad");
	add_field(cs, "id", MVS_T_INT64)->is_primary_key = true;
	add_param(add_field(cs, "v", MVS_T_FLOAT_VECTOR), "dim", "2147483648");
	CHECK(mvs_schema_from_milvus(&s, cs, NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "\"v\"") && strstr(err, "dim \"2147483648\" is above 2147483647"));
	cs = new_schema("good");
	add_field(cs, "id", MVS_T_INT64)->is_primary_key = true;
	add_param(add_field(cs, "v", MVS_T_FLOAT_VECTOR), "dim", "2147483647");
	CHECK(mvs_schema_from_milvus(&s, cs, NULL, err, sizeof err) == 0 && s.fields[1].dim == INT32_MAX);
	mvs_schema_free(&s);

	cs = new_schema("bad");
	add_field(cs, "ts", MVS_T_TIMESTAMPTZ);
	CHECK(mvs_schema_from_milvus(&s, cs, NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "\"ts\"") && strstr(err, "not supported"));

	cs = new_schema("bad");
	f = add_field(cs, "vecs", MVS_T_ARRAY);
	f->element_type = (Milvus__Proto__Schema__DataType)MVS_T_FLOAT_VECTOR;
	CHECK(mvs_schema_from_milvus(&s, cs, NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "\"vecs\"") && strstr(err, "Array of FloatVector"));

	cs = new_schema("bad");
	f = add_field(cs, "n", MVS_T_INT8);
	f->default_value = new_value();
	f->default_value->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_INT_DATA;
	f->default_value->int_data = 300;
	CHECK(mvs_schema_from_milvus(&s, cs, NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "\"n\"") && strstr(err, "300"));

	cs = new_schema("bad");
	f = add_field(cs, "s", MVS_T_VARCHAR);
	f->default_value = new_value();
	f->default_value->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_LONG_DATA;
	CHECK(mvs_schema_from_milvus(&s, cs, NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "\"s\"") && strstr(err, "default"));

	cs = new_schema("bad");
	cs->struct_array_fields = keep(calloc(1, sizeof *cs->struct_array_fields));
	cs->struct_array_fields[0] = keep(malloc(sizeof **cs->struct_array_fields));
	milvus__proto__schema__struct_array_field_schema__init(cs->struct_array_fields[0]);
	cs->struct_array_fields[0]->name = "clips";
	cs->n_struct_array_fields = 1;
	CHECK(mvs_schema_from_milvus(&s, cs, NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "\"clips\"") && strstr(err, "struct"));

	/* a default value that does not fit its field on the way back */
	{
		struct mvs_schema m = {0};
		struct mvs_field fld = {0};
		unsigned char *buf = NULL;
		size_t len;

		fld.name = "flag";
		fld.type = MVS_T_BOOL;
		fld.default_value = (unsigned char *)"\x01"; /* the int 1, not a bool */
		fld.default_value_len = 1;
		m.name = "x";
		m.fields = &fld;
		m.n_fields = 1;
		CHECK(mvs_schema_to_milvus(&m, NULL, &buf, &len, err, sizeof err) == -1);
		CHECK(strstr(err, "\"flag\"") && buf == NULL);
	}
}

static void test_kvlists(void)
{
	KV *in[] = {kv("index_type", "HNSW"), kv("metric_type", "COSINE"),
		    kv("params", "{\"M\":16}")};
	struct mvs_kvlist l = {0};
	KV **out;
	size_t n;

	CHECK(mvs_kvlist_from_milvus(&l, in, 3) == 0);
	CHECK(l.len == 3 && str_eq(mvs_kvlist_get(&l, "params"), "{\"M\":16}"));
	out = mvs_kvlist_to_milvus(&l, &n);
	CHECK(out && n == 3);
	for (size_t i = 0; out && i < n; i++)
		CHECK(str_eq(out[i]->key, in[i]->key) && str_eq(out[i]->value, in[i]->value) &&
		      milvus__proto__common__key_value_pair__get_packed_size(out[i]) ==
			      milvus__proto__common__key_value_pair__get_packed_size(in[i]));
	free(out);
	mvs_kvlist_free(&l);
	CHECK(mvs_kvlist_to_milvus(&l, &n) == NULL && n == 0);
}

int main(void)
{
	test_from_milvus();
	test_errors();
	test_kvlists();
	free_owned();
	if (failures) {
		fprintf(stderr, "test_milvus_schema: %d check(s) failed\n", failures);
		return 1;
	}
	return 0;
}
