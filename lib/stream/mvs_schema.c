/* The schema model (see mvs_schema.h): ownership (free, deep copy), lookups, the mapping between row
 * columns and fields, and the checks that a schema is one Milvus can hold. */
#include "mvs_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* ---- texts and kv lists ---- */

int mvs_text_set(struct mvs_text *t, const void *bytes, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		return -1;
	if (len)
		memcpy(s, bytes, len);
	s[len] = '\0';
	free(t->s);
	t->s = s;
	t->len = len;
	return 0;
}

bool mvs_text_equal(const struct mvs_text *a, const struct mvs_text *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

void mvs_text_free(struct mvs_text *t)
{
	free(t->s);
	*t = (struct mvs_text){ 0 };
}

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
	mvs_text_free(&f->description);
	free(f->default_value);
	mvs_kvlist_free(&f->type_params);
	mvs_kvlist_free(&f->index_params);
}

static void function_free(struct mvs_function *fn)
{
	free(fn->name);
	mvs_text_free(&fn->description);
	strv_free(fn->input_fields, fn->n_input_fields);
	strv_free(fn->output_fields, fn->n_output_fields);
	mvs_kvlist_free(&fn->params);
}

void mvs_schema_free(struct mvs_schema *s)
{
	if (!s)
		return;
	free(s->name);
	mvs_text_free(&s->description);
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

/* Copies a text in place (dst holds the source's pointer); sets *failed on allocation failure. */
static void text_copy(struct mvs_text *dst, bool *failed)
{
	struct mvs_text src = *dst;

	*dst = (struct mvs_text){ 0 };
	if (src.s && mvs_text_set(dst, src.s, src.len) != 0)
		*failed = true;
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
	text_copy(&dst->description, &failed);
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
		text_copy(&f->description, &failed);
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
		text_copy(&fn->description, &failed);
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
