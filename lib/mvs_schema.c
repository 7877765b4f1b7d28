/* The schema model (see mvs_schema.h): ownership (free, deep copy), lookups, the mapping between row
 * columns and fields, and the checks that a schema is one Milvus can hold. */
#include "mvs_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mvs_row.h"
#include "mvs_types.h"

static const char *const consistency_names[] = { "Strong", "Session", "Bounded", "Eventually",
						 "Customized" };

const char *mvs_consistency_name(int level)
{
	if (level < 0 || (size_t)level >= sizeof consistency_names / sizeof consistency_names[0])
		return "Unknown";
	return consistency_names[level];
}

int mvs_consistency_parse(const char *name)
{
	for (size_t i = 0; i < sizeof consistency_names / sizeof consistency_names[0]; i++)
		if (strcasecmp(consistency_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* ---- kv lists ---- */

int mvs_kvlist_add(struct mvs_kvlist *list, const char *key, const char *value)
{
	struct mvs_kv *items = realloc(list->items, (list->len + 1) * sizeof *items);

	if (!items)
		return -1;
	list->items = items;
	char *k = strdup(key), *v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	items[list->len].key = k;
	items[list->len].value = v;
	list->len++;
	return 0;
}

const char *mvs_kvlist_get(const struct mvs_kvlist *list, const char *key)
{
	for (size_t i = 0; i < list->len; i++)
		if (strcmp(list->items[i].key, key) == 0)
			return list->items[i].value;
	return NULL;
}

void mvs_kvlist_free(struct mvs_kvlist *list)
{
	for (size_t i = 0; i < list->len; i++) {
		free(list->items[i].key);
		free(list->items[i].value);
	}
	free(list->items);
	list->items = NULL;
	list->len = 0;
}

static int kvlist_copy(struct mvs_kvlist *dst, const struct mvs_kvlist *src)
{
	*dst = (struct mvs_kvlist){ 0 };
	for (size_t i = 0; i < src->len; i++)
		if (mvs_kvlist_add(dst, src->items[i].key, src->items[i].value) != 0)
			return -1;
	return 0;
}

/* ---- free and copy ---- */

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void field_free(struct mvs_field *f)
{
	free(f->name);
	free(f->description);
	free(f->default_value);
	mvs_kvlist_free(&f->type_params);
	mvs_kvlist_free(&f->index_params);
}

static void function_free(struct mvs_function *fn)
{
	free(fn->name);
	free(fn->description);
	strv_free(fn->input_fields, fn->n_input_fields);
	strv_free(fn->output_fields, fn->n_output_fields);
	mvs_kvlist_free(&fn->params);
}

void mvs_schema_free(struct mvs_schema *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->description);
	mvs_kvlist_free(&s->properties);
	for (size_t i = 0; i < s->n_fields; i++)
		field_free(&s->fields[i]);
	free(s->fields);
	for (size_t i = 0; i < s->n_functions; i++)
		function_free(&s->functions[i]);
	free(s->functions);
	strv_free(s->partitions, s->n_partitions);
	for (size_t i = 0; i < s->n_indexes; i++) {
		free(s->indexes[i].field_name);
		free(s->indexes[i].index_name);
		mvs_kvlist_free(&s->indexes[i].params);
	}
	free(s->indexes);
	free(s->source_version);
	free(s->source_database);
	free(s->tool);
	free(s->created);
	free(s->shard_filter);
	*s = (struct mvs_schema){ 0 };
}

/* Copies a string that may be NULL; sets *failed on allocation failure. */
static char *dup_opt(const char *s, bool *failed)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

static char **strv_copy(char *const *src, size_t n, bool *failed)
{
	if (n == 0)
		return NULL;
	char **v = calloc(n, sizeof *v);
	if (!v) {
		*failed = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = dup_opt(src[i], failed);
	return v;
}

static void *array_copy(const void *src, size_t n, size_t size, bool *failed)
{
	if (n == 0)
		return NULL;
	void *d = calloc(n, size);
	if (!d) {
		*failed = true;
		return NULL;
	}
	memcpy(d, src, n * size);
	return d;
}

int mvs_schema_copy(struct mvs_schema *dst, const struct mvs_schema *src)
{
	bool failed = false;

	*dst = *src;
	dst->name = dup_opt(src->name, &failed);
	dst->description = dup_opt(src->description, &failed);
	dst->source_version = dup_opt(src->source_version, &failed);
	dst->source_database = dup_opt(src->source_database, &failed);
	dst->tool = dup_opt(src->tool, &failed);
	dst->created = dup_opt(src->created, &failed);
	dst->shard_filter = dup_opt(src->shard_filter, &failed);
	if (kvlist_copy(&dst->properties, &src->properties) != 0)
		failed = true;

	/* Shallow-copy the arrays first, then replace every owned pointer inside; a failure midway
	 * leaves NULLs or fresh copies, so mvs_schema_free is always safe. */
	dst->fields = array_copy(src->fields, src->n_fields, sizeof *src->fields, &failed);
	dst->n_fields = dst->fields ? src->n_fields : 0;
	for (size_t i = 0; i < dst->n_fields; i++) {
		struct mvs_field *f = &dst->fields[i];
		const struct mvs_field *sf = &src->fields[i];

		f->name = dup_opt(sf->name, &failed);
		f->description = dup_opt(sf->description, &failed);
		f->default_value = array_copy(sf->default_value, sf->default_value_len, 1, &failed);
		f->default_value_len = f->default_value ? sf->default_value_len : 0;
		if (kvlist_copy(&f->type_params, &sf->type_params) != 0)
			failed = true;
		if (kvlist_copy(&f->index_params, &sf->index_params) != 0)
			failed = true;
	}

	dst->functions = array_copy(src->functions, src->n_functions, sizeof *src->functions, &failed);
	dst->n_functions = dst->functions ? src->n_functions : 0;
	for (size_t i = 0; i < dst->n_functions; i++) {
		struct mvs_function *fn = &dst->functions[i];
		const struct mvs_function *sfn = &src->functions[i];

		fn->name = dup_opt(sfn->name, &failed);
		fn->description = dup_opt(sfn->description, &failed);
		fn->input_fields = strv_copy(sfn->input_fields, sfn->n_input_fields, &failed);
		fn->n_input_fields = fn->input_fields ? sfn->n_input_fields : 0;
		fn->output_fields = strv_copy(sfn->output_fields, sfn->n_output_fields, &failed);
		fn->n_output_fields = fn->output_fields ? sfn->n_output_fields : 0;
		if (kvlist_copy(&fn->params, &sfn->params) != 0)
			failed = true;
	}

	dst->partitions = strv_copy(src->partitions, src->n_partitions, &failed);
	dst->n_partitions = dst->partitions ? src->n_partitions : 0;

	dst->indexes = array_copy(src->indexes, src->n_indexes, sizeof *src->indexes, &failed);
	dst->n_indexes = dst->indexes ? src->n_indexes : 0;
	for (size_t i = 0; i < dst->n_indexes; i++) {
		struct mvs_index *ix = &dst->indexes[i];
		const struct mvs_index *six = &src->indexes[i];

		ix->field_name = dup_opt(six->field_name, &failed);
		ix->index_name = dup_opt(six->index_name, &failed);
		if (kvlist_copy(&ix->params, &six->params) != 0)
			failed = true;
	}

	if (failed) {
		mvs_schema_free(dst);
		return -1;
	}
	return 0;
}

/* ---- lookups ---- */

int mvs_schema_field_index(const struct mvs_schema *s, const char *name)
{
	for (size_t i = 0; i < s->n_fields; i++)
		if (s->fields[i].name && strcmp(s->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

int mvs_schema_primary_key(const struct mvs_schema *s)
{
	for (size_t i = 0; i < s->n_fields; i++)
		if (s->fields[i].primary_key)
			return (int)i;
	return -1;
}

size_t mvs_schema_row_width(const struct mvs_schema *s)
{
	size_t width = 0;

	for (size_t i = 0; i < s->n_fields; i++)
		if (!s->fields[i].function_output)
			width++;
	return width;
}

int mvs_schema_row_field(const struct mvs_schema *s, size_t column)
{
	for (size_t i = 0; i < s->n_fields; i++) {
		if (s->fields[i].function_output)
			continue;
		if (column == 0)
			return (int)i;
		column--;
	}
	return -1;
}

/* ---- validation ---- */

static bool is_array_element_type(int type)
{
	switch (type) {
	case MVS_T_BOOL: case MVS_T_INT8: case MVS_T_INT16: case MVS_T_INT32: case MVS_T_INT64:
	case MVS_T_FLOAT: case MVS_T_DOUBLE: case MVS_T_VARCHAR:
		return true;
	default:
		return false;
	}
}

static int validate_field(const struct mvs_schema *s, size_t i, char *err, size_t errlen)
{
	const struct mvs_field *f = &s->fields[i];
	const struct mvs_type_info *info = mvs_type_info(f->type);

	if (!f->name || !*f->name) {
		snprintf(err, errlen, "field %zu has no name", i + 1);
		return -1;
	}
	if (!info) {
		snprintf(err, errlen, "field \"%s\": unsupported data type %s", f->name,
			 mvs_type_name(f->type));
		return -1;
	}
	for (size_t j = 0; j < i; j++) {
		if (s->fields[j].name && strcmp(s->fields[j].name, f->name) == 0) {
			snprintf(err, errlen, "field \"%s\" appears twice", f->name);
			return -1;
		}
	}
	if (f->is_dynamic && (f->type != MVS_T_JSON || i != s->n_fields - 1)) {
		snprintf(err, errlen, "field \"%s\": the dynamic field must be the last field, of type JSON",
			 f->name);
		return -1;
	}
	if (f->primary_key && f->type != MVS_T_INT64 && f->type != MVS_T_VARCHAR) {
		snprintf(err, errlen, "field \"%s\": a primary key must be Int64 or VarChar, not %s",
			 f->name, info->name);
		return -1;
	}
	if (f->primary_key && f->nullable) {
		snprintf(err, errlen, "field \"%s\": a primary key cannot be nullable", f->name);
		return -1;
	}
	if (f->auto_id && !f->primary_key) {
		snprintf(err, errlen, "field \"%s\": auto_id is only valid on the primary key", f->name);
		return -1;
	}
	if (f->partition_key && f->type != MVS_T_INT64 && f->type != MVS_T_VARCHAR) {
		snprintf(err, errlen, "field \"%s\": a partition key must be Int64 or VarChar, not %s",
			 f->name, info->name);
		return -1;
	}
	if (info->encoding == MVS_ENC_VECTOR_BIN && mvs_vector_row_bytes(f->type, f->dim) == 0) {
		snprintf(err, errlen, "field \"%s\": %s needs a positive dim%s (have %lld)", f->name,
			 info->name, f->type == MVS_T_BINARY_VECTOR ? " divisible by 8" : "",
			 (long long)f->dim);
		return -1;
	}
	if (f->type == MVS_T_VARCHAR && f->max_length <= 0) {
		snprintf(err, errlen, "field \"%s\": VarChar needs a positive max_length", f->name);
		return -1;
	}
	if (f->type == MVS_T_ARRAY) {
		if (!is_array_element_type(f->element_type)) {
			snprintf(err, errlen, "field \"%s\": unsupported Array element type %s", f->name,
				 mvs_type_name(f->element_type));
			return -1;
		}
		if (f->max_capacity <= 0) {
			snprintf(err, errlen, "field \"%s\": Array needs a positive max_capacity", f->name);
			return -1;
		}
		if (f->element_type == MVS_T_VARCHAR && f->max_length <= 0) {
			snprintf(err, errlen, "field \"%s\": Array of VarChar needs a positive max_length",
				 f->name);
			return -1;
		}
	}
	if (f->default_value) {
		char why[256];

		if (mvs_value_check(f, f->default_value, f->default_value_len, why, sizeof why) != 0) {
			snprintf(err, errlen, "%s (in its default value)", why);
			return -1;
		}
	}
	return 0;
}

static int validate_function(const struct mvs_schema *s, const struct mvs_function *fn, char *err,
			     size_t errlen)
{
	const char *fname = fn->name ? fn->name : "";

	for (size_t j = 0; j < fn->n_input_fields; j++) {
		if (mvs_schema_field_index(s, fn->input_fields[j]) < 0) {
			snprintf(err, errlen, "function \"%s\": input field \"%s\" does not exist", fname,
				 fn->input_fields[j]);
			return -1;
		}
	}
	for (size_t j = 0; j < fn->n_output_fields; j++) {
		int k = mvs_schema_field_index(s, fn->output_fields[j]);

		if (k < 0 || !s->fields[k].function_output) {
			snprintf(err, errlen, "function \"%s\": output field \"%s\" %s", fname,
				 fn->output_fields[j],
				 k < 0 ? "does not exist" : "is not marked as a function output");
			return -1;
		}
	}
	return 0;
}

int mvs_schema_validate(const struct mvs_schema *s, char *err, size_t errlen)
{
	int n_pk = 0, n_vectors = 0;

	if (!s->name || !*s->name) {
		snprintf(err, errlen, "the collection has no name");
		return -1;
	}
	for (size_t i = 0; i < s->n_fields; i++) {
		const struct mvs_type_info *info;

		if (validate_field(s, i, err, errlen) != 0)
			return -1;
		info = mvs_type_info(s->fields[i].type);
		n_pk += s->fields[i].primary_key;
		n_vectors += info->is_vector;
	}
	if (n_pk != 1) {
		if (n_pk == 0)
			snprintf(err, errlen, "collection \"%s\" has no primary key field", s->name);
		else
			snprintf(err, errlen, "collection \"%s\" has %d primary keys (Milvus needs one)",
				 s->name, n_pk);
		return -1;
	}
	if (n_vectors == 0) {
		snprintf(err, errlen, "collection \"%s\" has no vector field (Milvus needs at least one)",
			 s->name);
		return -1;
	}
	if (s->consistency_level < 0 || s->consistency_level > 4) {
		snprintf(err, errlen, "collection \"%s\": unknown consistency level %d", s->name,
			 s->consistency_level);
		return -1;
	}
	for (size_t i = 0; i < s->n_functions; i++)
		if (validate_function(s, &s->functions[i], err, errlen) != 0)
			return -1;
	return 0;
}
