/* Unit tests of the schema model (lib/stream/mvs_schema.c, mvs_check.c) and the header codec (lib/stream/mvs_header.c): a
 * schema with every property survives encode -> decode and deep copy; known keys of the wrong type
 * are refused with a message naming the key; unknown keys are ignored; defaults are checked against
 * their field; lookups, row-column mapping and validation; the small frame payloads. */
#include <inttypes.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_check.h"
#include "mvs_header.h"
#include "mvs_schema.h"
#include "mvs_types.h"
#include "check.h"


/* ---- a schema with every property set ---- */

static char **strv(int n, ...)
{
	char **v = calloc((size_t)n, sizeof *v);
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		v[i] = strdup(va_arg(ap, const char *));
	va_end(ap);
	return v;
}

static struct mvs_field *add_field(struct mvs_schema *s, const char *name, int type)
{
	s->fields = realloc(s->fields, (s->n_fields + 1) * sizeof *s->fields);
	s->fields[s->n_fields] = (struct mvs_field){ .name = strdup(name), .type = type };
	return &s->fields[s->n_fields++];
}

static void set_default(struct mvs_field *f, const void *p, size_t n)
{
	f->default_value = malloc(n);
	memcpy(f->default_value, p, n);
	f->default_value_len = n;
}

static void full_schema(struct mvs_schema *s)
{
	struct mvs_field *f;

	*s = (struct mvs_schema){ 0 };
	s->name = strdup("books \"ü\"");
	mvs_text_set(&s->description, "every\0property", 14);	/* U+0000 travels too */
	s->shards_num = 3;
	s->consistency_level = 4;
	s->enable_dynamic_field = true;
	s->num_partitions = 16;
	mvs_kvlist_add(&s->properties, "collection.ttl.seconds", "3600");
	mvs_kvlist_add(&s->properties, "mmap.enabled", "true");
	s->source_version = strdup("v2.4.5");
	s->source_database = strdup("shop");
	s->tool = strdup("mvs-export 0.1.0");
	s->created = strdup("2025-03-04T05:06:07Z");

	f = add_field(s, "id", MVS_T_VARCHAR);
	f->primary_key = true;
	f->auto_id = true;
	f->max_length = 64;
	mvs_text_set(&f->description, "the key", 7);
	f = add_field(s, "cat", MVS_T_INT64);
	f->partition_key = true;
	f->clustering_key = true;
	f->nullable = true;
	set_default(f, "\xd3\x80\0\0\0\0\0\0\0", 9);	/* INT64_MIN */
	mvs_kvlist_add(&f->index_params, "index_type", "STL_SORT");
	f = add_field(s, "score", MVS_T_FLOAT);
	set_default(f, "\xca\x7f\x80\x00\x01", 5);	/* a NaN payload, kept exactly */
	f = add_field(s, "body", MVS_T_VARCHAR);
	f->max_length = 65535;
	mvs_kvlist_add(&f->type_params, "enable_analyzer", "true");
	mvs_kvlist_add(&f->type_params, "analyzer_params", "{\"type\": \"english\"}");
	set_default(f, "\xa0", 1);	/* "" */
	f = add_field(s, "tags", MVS_T_ARRAY);
	f->element_type = MVS_T_VARCHAR;
	f->max_capacity = 10;
	f->max_length = 20;
	f = add_field(s, "vec", MVS_T_FLOAT16_VECTOR);
	f->dim = 128;
	mvs_kvlist_add(&f->type_params, "mmap.enabled", "false");
	f = add_field(s, "sparse", MVS_T_SPARSE_FLOAT_VECTOR);
	f->function_output = true;
	f = add_field(s, "$meta", MVS_T_JSON);
	f->is_dynamic = true;

	s->n_functions = 1;
	s->functions = calloc(1, sizeof *s->functions);
	s->functions[0].name = strdup("bm25");
	mvs_text_set(&s->functions[0].description, "full text", 9);
	s->functions[0].type = 1;
	s->functions[0].input_fields = strv(1, "body");
	s->functions[0].n_input_fields = 1;
	s->functions[0].output_fields = strv(1, "sparse");
	s->functions[0].n_output_fields = 1;
	mvs_kvlist_add(&s->functions[0].params, "k1", "1.2");

	s->partitions = strv(3, "_default", "p 1", "日本");
	s->n_partitions = 3;

	s->n_indexes = 2;
	s->indexes = calloc(2, sizeof *s->indexes);
	s->indexes[0].field_name = strdup("vec");
	s->indexes[0].index_name = strdup("vec_idx");
	mvs_kvlist_add(&s->indexes[0].params, "index_type", "HNSW");
	mvs_kvlist_add(&s->indexes[0].params, "metric_type", "IP");
	mvs_kvlist_add(&s->indexes[0].params, "params", "{\"M\": 8}");
	s->indexes[1].field_name = strdup("sparse");
	s->indexes[1].index_name = strdup("");
}

/* ---- deep comparison ---- */

static bool str_eq(const char *what, const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)) {
		fprintf(stderr, "  %s differs: \"%s\" vs \"%s\"\n", what, a ? a : "(null)", b ? b : "(null)");
		return false;
	}
	return true;
}

static bool kv_eq(const char *what, const struct mvs_kvlist *a, const struct mvs_kvlist *b)
{
	if (a->len != b->len) {
		fprintf(stderr, "  %s: %zu vs %zu entries\n", what, a->len, b->len);
		return false;
	}
	for (size_t i = 0; i < a->len; i++)
		if (!str_eq(what, a->items[i].key, b->items[i].key) ||
		    !str_eq(what, a->items[i].value, b->items[i].value))
			return false;
	return true;
}

static bool strv_eq(const char *what, char **a, size_t na, char **b, size_t nb)
{
	if (na != nb) {
		fprintf(stderr, "  %s: %zu vs %zu\n", what, na, nb);
		return false;
	}
	for (size_t i = 0; i < na; i++)
		if (!str_eq(what, a[i], b[i]))
			return false;
	return true;
}

static bool schema_eq(const struct mvs_schema *a, const struct mvs_schema *b)
{
	bool ok = str_eq("name", a->name, b->name) &&
		  mvs_text_equal(&a->description, &b->description) &&
		  str_eq("source_version", a->source_version, b->source_version) &&
		  str_eq("source_database", a->source_database, b->source_database) &&
		  str_eq("tool", a->tool, b->tool) && str_eq("created", a->created, b->created) &&
		  kv_eq("properties", &a->properties, &b->properties) &&
		  strv_eq("partitions", a->partitions, a->n_partitions, b->partitions, b->n_partitions);

	if (a->shards_num != b->shards_num || a->consistency_level != b->consistency_level ||
	    a->enable_dynamic_field != b->enable_dynamic_field || a->num_partitions != b->num_partitions ||
	    a->n_fields != b->n_fields || a->n_functions != b->n_functions || a->n_indexes != b->n_indexes) {
		fprintf(stderr, "  collection settings or counts differ\n");
		return false;
	}
	for (size_t i = 0; ok && i < a->n_fields; i++) {
		const struct mvs_field *x = &a->fields[i], *y = &b->fields[i];

		ok = str_eq("field name", x->name, y->name) &&
		     mvs_text_equal(&x->description, &y->description) &&
		     kv_eq("type_params", &x->type_params, &y->type_params) &&
		     kv_eq("index_params", &x->index_params, &y->index_params);
		if (ok && (x->type != y->type || x->element_type != y->element_type ||
			   x->primary_key != y->primary_key || x->auto_id != y->auto_id ||
			   x->nullable != y->nullable || x->partition_key != y->partition_key ||
			   x->clustering_key != y->clustering_key || x->function_output != y->function_output ||
			   x->is_dynamic != y->is_dynamic || x->dim != y->dim || x->max_length != y->max_length ||
			   x->max_capacity != y->max_capacity || x->default_value_len != y->default_value_len ||
			   (x->default_value == NULL) != (y->default_value == NULL) ||
			   (x->default_value && memcmp(x->default_value, y->default_value,
						       x->default_value_len) != 0))) {
			fprintf(stderr, "  field \"%s\" differs\n", x->name);
			ok = false;
		}
	}
	for (size_t i = 0; ok && i < a->n_functions; i++) {
		const struct mvs_function *x = &a->functions[i], *y = &b->functions[i];

		ok = str_eq("function name", x->name, y->name) &&
		     mvs_text_equal(&x->description, &y->description) &&
		     x->type == y->type &&
		     strv_eq("inputs", x->input_fields, x->n_input_fields, y->input_fields,
			     y->n_input_fields) &&
		     strv_eq("outputs", x->output_fields, x->n_output_fields, y->output_fields,
			     y->n_output_fields) &&
		     kv_eq("params", &x->params, &y->params);
	}
	for (size_t i = 0; ok && i < a->n_indexes; i++)
		ok = str_eq("index field", a->indexes[i].field_name, b->indexes[i].field_name) &&
		     str_eq("index name", a->indexes[i].index_name, b->indexes[i].index_name) &&
		     kv_eq("index params", &a->indexes[i].params, &b->indexes[i].params);
	return ok;
}

/* ---- tests ---- */

static void test_header_round_trip(void)
{
	struct mvs_schema s, back, copy;
	unsigned char *p, *p2;
	size_t n, n2;
	char err[300];

	full_schema(&s);
	CHECK(mvs_schema_validate(&s, err, sizeof err) == 0);
	CHECK(mvs_header_encode(&s, &p, &n) == 0);
	if (mvs_header_decode(p, n, &back, err, sizeof err) != 0) {
		fprintf(stderr, "decode: %s\n", err);
		failures++;
		free(p);
		mvs_schema_free(&s);
		return;
	}
	CHECK(schema_eq(&s, &back));
	/* encoding is deterministic: the decoded schema encodes to the same bytes */
	CHECK(mvs_header_encode(&back, &p2, &n2) == 0);
	CHECK(n2 == n && memcmp(p, p2, n) == 0);
	free(p2);

	/* deep copy: equal, and independent of the original */
	CHECK(mvs_schema_copy(&copy, &s) == 0);
	mvs_schema_free(&s);
	CHECK(s.name == NULL && s.n_fields == 0);
	CHECK(schema_eq(&copy, &back));
	mvs_schema_free(&copy);
	mvs_schema_free(&back);
	mvs_schema_free(&s);	/* freeing twice is harmless: free leaves an empty schema */
	free(p);

	/* a minimal schema: absent values come back as zero, consistency Bounded by default */
	struct mvs_schema min = { .name = strdup("m"), .consistency_level = 0 };
	add_field(&min, "id", MVS_T_INT64);
	CHECK(mvs_header_encode(&min, &p, &n) == 0);
	CHECK(mvs_header_decode(p, n, &back, err, sizeof err) == 0);
	CHECK(schema_eq(&min, &back));
	CHECK(back.tool == NULL && back.partitions == NULL && back.fields[0].dim == 0);
	mvs_schema_free(&back);
	mvs_schema_free(&min);
	free(p);
}

/* Builds a header map with msgpack-c from a tiny script: the test says what to put where. */
struct hb {
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

static void hb_init(struct hb *h)
{
	msgpack_sbuffer_init(&h->sb);
	msgpack_packer_init(&h->pk, &h->sb, msgpack_sbuffer_write);
}

static void hb_str(struct hb *h, const char *s)
{
	msgpack_pack_str(&h->pk, strlen(s));
	msgpack_pack_str_body(&h->pk, s, strlen(s));
}

/* {"collection": {"name": "c", <extra collection entry>}, "fields": [{"name": "id", "type": TYPE,
 *  <extra field entry>}], <extra top entry>}; an extra is written by the callback when given. */
typedef void (*hb_extra)(struct hb *h);

static int decode_with(const char *type, hb_extra coll, hb_extra field, hb_extra top, char *err,
		       size_t errlen, struct mvs_schema *out)
{
	struct hb h;
	struct mvs_schema s;
	int rc;

	hb_init(&h);
	msgpack_pack_map(&h.pk, 2 + (top != NULL));
	hb_str(&h, "collection");
	msgpack_pack_map(&h.pk, 1 + (coll != NULL));
	hb_str(&h, "name");
	hb_str(&h, "c");
	if (coll)
		coll(&h);
	hb_str(&h, "fields");
	msgpack_pack_array(&h.pk, 1);
	msgpack_pack_map(&h.pk, 1 + (type != NULL) + (field != NULL));
	hb_str(&h, "name");
	hb_str(&h, "id");
	if (type) {
		hb_str(&h, "type");
		hb_str(&h, type);
	}
	if (field)
		field(&h);
	if (top)
		top(&h);
	rc = mvs_header_decode((const unsigned char *)h.sb.data, h.sb.size, out ? out : &s, err, errlen);
	if (rc == 0 && !out)
		mvs_schema_free(&s);
	msgpack_sbuffer_destroy(&h.sb);
	return rc;
}

static void x_dim_str(struct hb *h) { hb_str(h, "dim"); hb_str(h, "768"); }
static void x_nullable_int(struct hb *h) { hb_str(h, "nullable"); msgpack_pack_int(&h->pk, 1); }
static void x_shards_str(struct hb *h) { hb_str(h, "shards_num"); hb_str(h, "2"); }
static void x_consistency(struct hb *h) { hb_str(h, "consistency_level"); hb_str(h, "Weird"); }
static void x_props_int(struct hb *h)
{
	hb_str(h, "properties");
	msgpack_pack_map(&h->pk, 1);
	hb_str(h, "a");
	msgpack_pack_int(&h->pk, 1);
}
static void x_partitions_map(struct hb *h) { hb_str(h, "partitions"); msgpack_pack_map(&h->pk, 0); }
static void x_default_int(struct hb *h) { hb_str(h, "default"); msgpack_pack_int(&h->pk, 5); }
static void x_default_big(struct hb *h) { hb_str(h, "default"); msgpack_pack_int(&h->pk, 300); }
static void x_default_str(struct hb *h) { hb_str(h, "default"); hb_str(h, "x"); }
static void x_dim_negative(struct hb *h) { hb_str(h, "dim"); msgpack_pack_int(&h->pk, -1); }
static void x_unknown(struct hb *h)
{
	hb_str(h, "from_the_future");
	msgpack_pack_map(&h->pk, 1);
	hb_str(h, "deep");
	msgpack_pack_array(&h->pk, 2);
	msgpack_pack_double(&h->pk, 2.5);
	msgpack_pack_nil(&h->pk);
}
static void x_type_id(struct hb *h) { hb_str(h, "type_id"); msgpack_pack_int(&h->pk, 106); }
static void x_element_bad(struct hb *h) { hb_str(h, "element_type"); hb_str(h, "Quaternion"); }
static void x_functions_bad(struct hb *h)
{
	hb_str(h, "functions");
	msgpack_pack_array(&h->pk, 1);
	msgpack_pack_map(&h->pk, 2);
	hb_str(h, "name");
	hb_str(h, "f");
	hb_str(h, "input_fields");
	msgpack_pack_array(&h->pk, 1);
	msgpack_pack_int(&h->pk, 3);
}

static void test_header_decode_errors(void)
{
	char err[300];
	struct mvs_schema s;
	static const struct {
		const char *type;
		hb_extra coll, field, top;
		const char *want;	/* NULL: decodes */
	} cases[] = {
		{ "Int64", NULL, NULL, NULL, NULL },
		{ "FloatVector", NULL, x_dim_str, NULL,
		  "key \"fields\"[0] \"dim\": expected an integer, found a str" },
		{ "Int64", NULL, x_nullable_int, NULL,
		  "key \"fields\"[0] \"nullable\": expected a bool, found an integer" },
		{ "Int64", x_shards_str, NULL, NULL,
		  "key \"collection\" \"shards_num\": expected an integer, found a str" },
		{ "Int64", x_consistency, NULL, NULL,
		  "key \"collection\" \"consistency_level\": unknown consistency level \"Weird\"" },
		{ "Int64", x_props_int, NULL, NULL,
		  "key \"collection\" \"properties\" \"a\": expected a str, found an integer" },
		{ "Int64", NULL, NULL, x_partitions_map, "key \"partitions\": expected an array, found a map" },
		{ "Int64", NULL, x_default_int, NULL, NULL },
		{ "Int8", NULL, x_default_big, NULL,
		  "key \"fields\"[0]: bad \"default\": field \"id\": 300 is out of range for Int8" },
		{ "Int64", NULL, x_default_str, NULL,
		  "bad \"default\": field \"id\": expected an integer for Int64, found a str" },
		{ "FloatVector", NULL, x_dim_negative, NULL, "key \"fields\"[0] \"dim\": -1 is out of range" },
		{ "Int64", x_unknown, x_unknown, x_unknown, NULL },
		{ NULL, NULL, NULL, NULL, "field \"id\" has no \"type\"" },
		{ "Quaternion", NULL, NULL, NULL, "field \"id\": unknown type \"Quaternion\"" },
		{ "Quaternion", NULL, x_type_id, NULL, NULL },	/* a newer type, kept by number */
		{ "Array", NULL, x_element_bad, NULL, "unknown element_type \"Quaternion\"" },
		{ "Int64", NULL, NULL, x_functions_bad,
		  "key \"functions\"[0] \"input_fields\"[0]: expected a str, found an integer" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = decode_with(cases[i].type, cases[i].coll, cases[i].field, cases[i].top, err,
				     sizeof err, NULL);
		bool ok = cases[i].want ? rc == -1 && strstr(err, cases[i].want) : rc == 0;
		if (!ok) {
			fprintf(stderr, "case %zu: rc %d, \"%s\"; wanted \"%s\"\n", i, rc, rc ? err : "",
				cases[i].want ? cases[i].want : "success");
			failures++;
		}
	}
	CHECK(decode_with("Quaternion", NULL, x_type_id, NULL, err, sizeof err, &s) == 0);
	CHECK(s.fields[0].type == 106);
	CHECK(mvs_schema_validate(&s, err, sizeof err) == -1 && strstr(err, "DataType(106)"));
	mvs_schema_free(&s);

	/* required parts, and bytes that are not a header at all */
	static const struct {
		const char *bytes;
		size_t len;
		const char *want;
	} raw[] = {
		{ "\x80", 1, "no \"collection\" \"name\"" },
		{ "\x81\xaa" "collection" "\x81\xa4name\xa1x", 20, "no \"fields\"" },
		{ "\x90", 1, "expected a map, found an array" },
		{ "\x81\xa4tool", 6, "key \"tool\": expected a str, found the end of the payload" },
		{ "\x81\xa4tool\xd9\x05x", 8, "payload ends in the middle of a value" },
		{ "\x81\xa4tool\xa1x\x00", 9, "1 stray bytes after the payload's value" },
		{ "\x81\x01\x02", 3, "expected a str, found an integer" },
		{ "\x81\xa4tool\xa3x\0y", 10, "NUL byte" },
		{ "\x81\xa6\x66ields\x91\x80", 10, "the field has no \"name\"" },
	};
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
		int rc = mvs_header_decode((const unsigned char *)raw[i].bytes, raw[i].len, &s, err,
					   sizeof err);
		if (rc != -1 || !strstr(err, raw[i].want)) {
			fprintf(stderr, "raw case %zu: rc %d, \"%s\"; wanted \"%s\"\n", i, rc, err,
				raw[i].want);
			failures++;
		}
		CHECK(s.name == NULL && s.fields == NULL);	/* nothing left behind */
	}
}

static void test_lookups(void)
{
	struct mvs_schema s;

	full_schema(&s);
	CHECK(mvs_schema_field_index(&s, "id") == 0);
	CHECK(mvs_schema_field_index(&s, "$meta") == 7);
	CHECK(mvs_schema_field_index(&s, "nope") == -1);
	CHECK(mvs_schema_primary_key(&s) == 0);
	CHECK(mvs_schema_row_width(&s) == 7);	/* "sparse" is a function output */
	CHECK(mvs_schema_row_field(&s, 0) == 0);
	CHECK(mvs_schema_row_field(&s, 5) == 5);
	CHECK(mvs_schema_row_field(&s, 6) == 7);
	CHECK(mvs_schema_row_field(&s, 7) == -1);
	s.fields[0].primary_key = false;
	CHECK(mvs_schema_primary_key(&s) == -1);
	mvs_schema_free(&s);

	CHECK(strcmp(mvs_consistency_name(0), "Strong") == 0);
	CHECK(strcmp(mvs_consistency_name(4), "Customized") == 0);
	CHECK(strcmp(mvs_consistency_name(5), "Unknown") == 0);
	CHECK(strcmp(mvs_consistency_name(-1), "Unknown") == 0);
	CHECK(mvs_consistency_parse("eventually") == 3);
	CHECK(mvs_consistency_parse("BOUNDED") == 2);
	CHECK(mvs_consistency_parse("Sometimes") == -1);

	struct mvs_kvlist kv = { 0 };
	CHECK(mvs_kvlist_get(&kv, "a") == NULL);
	CHECK(mvs_kvlist_add(&kv, "a", "1") == 0 && mvs_kvlist_add(&kv, "b", "") == 0);
	CHECK(strcmp(mvs_kvlist_get(&kv, "a"), "1") == 0 && strcmp(mvs_kvlist_get(&kv, "b"), "") == 0);
	mvs_kvlist_free(&kv);
	CHECK(kv.len == 0 && kv.items == NULL);
}

static void test_validate(void)
{
	static const struct {
		const char *want;
		void (*breakit)(struct mvs_schema *s);
	} cases[] = {
		{ "has no primary key", NULL },
		{ "has 2 primary keys", NULL },
		{ "has no vector field", NULL },
		{ "BinaryVector needs a positive dim divisible by 8", NULL },
		{ "VarChar needs a positive max_length", NULL },
		{ "Array needs a positive max_capacity", NULL },
		{ "the dynamic field must be the last field", NULL },
		{ "field \"cat\" appears twice", NULL },
		{ "output field \"cat\" is not marked as a function output", NULL },
		{ "a primary key must be Int64 or VarChar, not Float", NULL },
		{ "(in its default value)", NULL },
		{ "the collection has no name", NULL },
		{ "input field \"ghost\" does not exist", NULL },
	};
	char err[300];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mvs_schema s;

		full_schema(&s);
		switch (i) {
		case 0: s.fields[0].primary_key = s.fields[0].auto_id = false; break;
		case 1: s.fields[1].primary_key = true; s.fields[1].nullable = false; break;
		case 2:
			s.fields[5].type = MVS_T_INT8;
			s.fields[6].function_output = false;
			s.fields[6].type = MVS_T_BOOL;
			break;
		case 3: s.fields[5].type = MVS_T_BINARY_VECTOR; s.fields[5].dim = 12; break;
		case 4: s.fields[3].max_length = 0; break;
		case 5: s.fields[4].max_capacity = 0; break;
		case 6: s.fields[6].is_dynamic = true; s.fields[6].type = MVS_T_JSON; break;
		case 7: free(s.fields[2].name); s.fields[2].name = strdup("cat"); break;
		case 8:
			free(s.functions[0].output_fields[0]);
			s.functions[0].output_fields[0] = strdup("cat");
			break;
		case 9:
			s.fields[0].type = MVS_T_FLOAT;
			break;
		case 10:
			free(s.fields[2].default_value);
			s.fields[2].default_value = malloc(1);
			s.fields[2].default_value[0] = 0x01;	/* an int for a Float */
			s.fields[2].default_value_len = 1;
			break;
		case 11: free(s.name); s.name = NULL; break;
		case 12:
			free(s.functions[0].input_fields[0]);
			s.functions[0].input_fields[0] = strdup("ghost");
			break;
		}
		int rc = mvs_schema_validate(&s, err, sizeof err);
		if (rc != -1 || !strstr(err, cases[i].want)) {
			fprintf(stderr, "validate case %zu: rc %d, \"%s\"; wanted \"%s\"\n", i, rc,
				rc ? err : "", cases[i].want);
			failures++;
		}
		mvs_schema_free(&s);
	}
}

static void test_small_payloads(void)
{
	unsigned char *p;
	size_t n;
	char err[200], *a, *b;
	uint64_t rows, sum;

	CHECK(mvs_trailer_encode(UINT64_MAX, 0x0123456789abcdefull, &p, &n) == 0);
	CHECK(mvs_trailer_decode(p, n, &rows, &sum, err, sizeof err) == 0);
	CHECK(rows == UINT64_MAX && sum == 0x0123456789abcdefull);
	CHECK(mvs_trailer_decode(p, n - 1, &rows, &sum, err, sizeof err) == -1);
	free(p);
	CHECK(mvs_trailer_decode((const unsigned char *)"\x81\xa4rows\x05", 7, &rows, &sum, err,
				 sizeof err) == -1 && strstr(err, "no \"checksum\""));
	CHECK(mvs_trailer_decode((const unsigned char *)"\x82\xa4rows\xff\xa8" "checksum\x01", 17, &rows,
				 &sum, err, sizeof err) == -1 && strstr(err, "unsigned"));

	CHECK(mvs_abort_encode("mvs-export 0.1.0", "server \"x\" is gone", &p, &n) == 0);
	CHECK(mvs_abort_decode(p, n, &a, &b, err, sizeof err) == 0);
	CHECK(strcmp(a, "mvs-export 0.1.0") == 0 && strcmp(b, "server \"x\" is gone") == 0);
	free(a);
	free(b);
	free(p);
	CHECK(mvs_abort_decode((const unsigned char *)"\x80", 1, &a, &b, err, sizeof err) == 0);
	CHECK(a == NULL && b == NULL);

	CHECK(mvs_partition_encode("日本 \"p\"", &p, &n) == 0);
	CHECK(mvs_partition_decode(p, n, &a, err, sizeof err) == 0 && strcmp(a, "日本 \"p\"") == 0);
	free(a);
	free(p);
	CHECK(mvs_partition_decode((const unsigned char *)"\x01", 1, &a, err, sizeof err) == -1);
	CHECK(a == NULL);
}

int main(void)
{
	test_header_round_trip();
	test_header_decode_errors();
	test_lookups();
	test_validate();
	test_small_payloads();
	if (failures) {
		fprintf(stderr, "test_schema: %d checks failed\n", failures);
		return 1;
	}
	printf("test_schema: all checks passed\n");
	return 0;
}
