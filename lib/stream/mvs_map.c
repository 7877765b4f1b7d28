/* mvs-map's edits as a library (see mvs_map.h): checking the requested field selection, renames and
 * settings against each unit's schema, building the output schema (functions, indexes and key flags
 * follow their fields) and rebuilding rows from the spans of the kept values. */
#include "mvs_map.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_check.h"
#include "mvs_log.h"
#include "mvs_types.h"

#define DYNAMIC_FIELD "$meta"

/* ---- the spec ---- */

void mvs_map_spec_init(struct mvs_map_spec *spec)
{
	*spec = (struct mvs_map_spec){ .consistency = -1, .dynamic = -1 };
}

static void free_strings(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

void mvs_map_spec_free(struct mvs_map_spec *spec)
{
	free_strings(spec->keep, spec->n_keep);
	free_strings(spec->drop, spec->n_drop);
	free_strings(spec->rename_from, spec->n_rename);
	free_strings(spec->rename_to, spec->n_rename);
	free(spec->collection);
	free(spec->description);
	mvs_map_spec_init(spec);
}

static bool contains(char *const *items, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i], name) == 0)
			return true;
	return false;
}

static int append(char ***items, size_t *n, const char *s, size_t len)
{
	char **grown = realloc(*items, (*n + 1) * sizeof **items);

	if (!grown)
		return -1;
	*items = grown;
	if (!(grown[*n] = strndup(s, len)))
		return -1;
	(*n)++;
	return 0;
}

/* Appends the comma-separated names of list to items; empty and repeated names are errors. */
static int add_names(const char *option, const char *list, char ***items, size_t *n, char *err,
		     size_t errlen)
{
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		if (len == 0)
			return mvs_errf(err, errlen, "%s: empty field name in '%s'", option, list);
		if (append(items, n, p, len))
			return mvs_errf(err, errlen, "out of memory");
		if (contains(*items, *n - 1, (*items)[*n - 1]))
			return mvs_errf(err, errlen, "%s: field \"%s\" is named twice", option,
				    (*items)[*n - 1]);
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int mvs_map_spec_fields(struct mvs_map_spec *spec, const char *list, char *err, size_t errlen)
{
	if (spec->n_drop)
		return mvs_errf(err, errlen, "--fields and --exclude cannot be combined");
	return add_names("--fields", list, &spec->keep, &spec->n_keep, err, errlen);
}

int mvs_map_spec_exclude(struct mvs_map_spec *spec, const char *list, char *err, size_t errlen)
{
	if (spec->n_keep)
		return mvs_errf(err, errlen, "--fields and --exclude cannot be combined");
	return add_names("--exclude", list, &spec->drop, &spec->n_drop, err, errlen);
}

int mvs_map_spec_renames(struct mvs_map_spec *spec, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		const char *colon = memchr(p, ':', len);
		if (!colon || colon == p || memchr(colon + 1, ':', len - (colon + 1 - p)))
			return mvs_errf(err, errlen, "--rename: '%.*s' is not OLD:NEW", (int)len, p);
		size_t from_len = colon - p, to_len = len - from_len - 1;
		size_t n_from = spec->n_rename, n_to = spec->n_rename;
		if (append(&spec->rename_from, &n_from, p, from_len) ||
		    append(&spec->rename_to, &n_to, colon + 1, to_len)) {
			/* keep both lists the same length so that free works */
			if (n_from > spec->n_rename)
				free(spec->rename_from[spec->n_rename]);
			return mvs_errf(err, errlen, "out of memory");
		}
		spec->n_rename++;
		size_t last = spec->n_rename - 1;
		const char *from = spec->rename_from[last], *to = spec->rename_to[last];
		if (strcmp(from, DYNAMIC_FIELD) == 0)
			return mvs_errf(err, errlen, "--rename: the dynamic field \"$meta\" cannot be renamed");
		if (mvs_map_check_name("field", to, err, errlen))
			return -1;
		if (contains(spec->rename_from, last, from))
			return mvs_errf(err, errlen, "--rename: field \"%s\" is renamed twice", from);
		if (contains(spec->rename_to, last, to))
			return mvs_errf(err, errlen, "--rename: two fields renamed to \"%s\"", to);
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int mvs_map_spec_collection(struct mvs_map_spec *spec, const char *name, char *err, size_t errlen)
{
	if (mvs_map_check_name("collection", name, err, errlen))
		return -1;
	free(spec->collection);
	if (!(spec->collection = strdup(name)))
		return mvs_errf(err, errlen, "out of memory");
	return 0;
}

int mvs_map_spec_description(struct mvs_map_spec *spec, const char *text)
{
	free(spec->description);
	spec->description = strdup(text);
	return spec->description ? 0 : -1;
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

int mvs_map_check_name(const char *what, const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name);

	if (len == 0)
		return mvs_errf(err, errlen, "empty %s name", what);
	if (len > MVS_NAME_MAX)
		return mvs_errf(err, errlen, "%s name \"%.32s...\" is longer than %d characters", what,
			    name, MVS_NAME_MAX);
	if (!name_start(name[0]))
		return mvs_errf(err, errlen, "%s name \"%s\" must start with a letter or '_'", what, name);
	for (size_t i = 1; i < len; i++)
		if (!name_start(name[i]) && !(name[i] >= '0' && name[i] <= '9'))
			return mvs_errf(err, errlen, "%s name \"%s\" may only hold letters, digits and '_'",
				    what, name);
	return 0;
}

/* ---- planning one unit ---- */

/* Scratch state of mvs_map_init. */
struct plan {
	const struct mvs_schema *in;
	const struct mvs_map_spec *spec;
	const char *collection;	/* for messages */
	bool *kept;		/* per input field */
	bool *listed;		/* named in --fields */
	const char **names;	/* output name per input field */
	mvs_map_note_fn note;
	void *ctx;
};

__attribute__((format(printf, 2, 3)))
static void note(const struct plan *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!p->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->note(p->ctx, msg);
}

/* "no field \"a\", \"b\" in collection \"c\" (its fields: x, y)" */
static int unknown_fields(const struct plan *p, const char *option, char *const *names, size_t n,
			  char *err, size_t errlen)
{
	size_t used = snprintf(err, errlen, "%s: no field", option);
	size_t bad = 0;

	for (size_t i = 0; i < n && used < errlen; i++)
		if (mvs_schema_field_index(p->in, names[i]) < 0)
			used += snprintf(err + used, errlen - used, "%s \"%s\"", bad++ ? "," : "",
					 names[i]);
	if (used < errlen)
		used += snprintf(err + used, errlen - used, " in collection \"%s\" (its fields:",
				 p->collection);
	for (size_t i = 0; i < p->in->n_fields && used < errlen; i++)
		used += snprintf(err + used, errlen - used, "%s %s", i ? "," : "",
				 p->in->fields[i].name);
	if (used < errlen)
		snprintf(err + used, errlen - used, ")");
	return -1;
}

static bool any_unknown(const struct plan *p, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (mvs_schema_field_index(p->in, names[i]) < 0)
			return true;
	return false;
}

/* Marks the kept fields and fills order with input indexes in output order (*count of them). */
static int select_fields(struct plan *p, int *order, size_t *count, char *err, size_t errlen)
{
	const struct mvs_schema *in = p->in;
	const struct mvs_map_spec *spec = p->spec;
	int pk = mvs_schema_primary_key(in), meta = -1;
	size_t k = 0;

	for (size_t i = 0; i < in->n_fields; i++)
		if (in->fields[i].is_dynamic)
			meta = (int)i;
	char *const *named = spec->n_keep ? spec->keep : spec->drop;
	size_t n_named = spec->n_keep ? spec->n_keep : spec->n_drop;
	const char *option = spec->n_keep ? "--fields" : "--exclude";
	for (size_t i = 0; i < n_named; i++) {
		int idx = mvs_schema_field_index(in, named[i]);
		if (strcmp(named[i], DYNAMIC_FIELD) == 0 || (idx >= 0 && idx == meta))
			return mvs_errf(err, errlen, "%s: \"%s\" is the dynamic field; it is kept unless "
				    "--dynamic off", option, named[i]);
	}
	if (any_unknown(p, named, n_named))
		return unknown_fields(p, option, named, n_named, err, errlen);

	if (spec->n_keep) {
		for (size_t i = 0; i < spec->n_keep; i++)
			p->listed[mvs_schema_field_index(in, spec->keep[i])] = true;
		if (pk >= 0 && !p->listed[pk]) {
			if (!in->fields[pk].auto_id)
				return mvs_errf(err, errlen, "--fields must keep the primary key \"%s\" of "
					    "collection \"%s\" (it is not auto-ID)", in->fields[pk].name,
					    p->collection);
			note(p, "keeping the auto-ID primary key \"%s\" as the first field",
			     in->fields[pk].name);
			order[k++] = pk;
		}
		for (size_t i = 0; i < spec->n_keep; i++)
			order[k++] = mvs_schema_field_index(in, spec->keep[i]);
		if (meta >= 0)
			order[k++] = meta;
	} else {
		for (size_t i = 0; i < spec->n_drop; i++)
			if (mvs_schema_field_index(in, spec->drop[i]) == pk)
				return mvs_errf(err, errlen, "--exclude cannot drop the primary key \"%s\" of "
					    "collection \"%s\"", spec->drop[i], p->collection);
		for (size_t i = 0; i < in->n_fields; i++)
			if (!contains(spec->drop, spec->n_drop, in->fields[i].name))
				order[k++] = (int)i;
	}
	for (size_t i = 0; i < k; i++)
		if (!(order[i] == meta && spec->dynamic == 0))
			p->kept[order[i]] = true;
	*count = k;
	return 0;
}

/* A function stays only when all its input and output fields stay; a dropped function's outputs
 * cannot be filled any more, so they go too (which may drop further functions: repeat). Names that
 * are not fields of the input are left alone: mapping does not repair a schema. */
static int select_functions(struct plan *p, bool *fn_kept, char *err, size_t errlen)
{
	const struct mvs_schema *in = p->in;
	bool changed = true;

	for (size_t i = 0; i < in->n_functions; i++)
		fn_kept[i] = true;
	while (changed) {
		changed = false;
		for (size_t i = 0; i < in->n_functions; i++) {
			const struct mvs_function *fn = &in->functions[i];
			const char *missing = NULL, *role = NULL;
			if (!fn_kept[i])
				continue;
			for (size_t j = 0; j < fn->n_input_fields && !missing; j++) {
				int idx = mvs_schema_field_index(in, fn->input_fields[j]);
				if (idx >= 0 && !p->kept[idx])
					missing = fn->input_fields[j], role = "input";
			}
			for (size_t j = 0; j < fn->n_output_fields && !missing; j++) {
				int idx = mvs_schema_field_index(in, fn->output_fields[j]);
				if (idx >= 0 && !p->kept[idx])
					missing = fn->output_fields[j], role = "output";
			}
			if (!missing)
				continue;
			fn_kept[i] = false;
			changed = true;
			note(p, "dropping function \"%s\": its %s field \"%s\" is not kept", fn->name,
			     role, missing);
			for (size_t j = 0; j < fn->n_output_fields; j++) {
				int idx = mvs_schema_field_index(in, fn->output_fields[j]);
				if (idx < 0 || !p->kept[idx])
					continue;
				if (p->listed[idx])
					return mvs_errf(err, errlen, "--fields keeps \"%s\", the output of "
						    "function \"%s\", but not its %s field \"%s\"",
						    fn->output_fields[j], fn->name, role, missing);
				p->kept[idx] = false;
				note(p, "dropping field \"%s\": function \"%s\" filled it",
				     fn->output_fields[j], fn->name);
			}
		}
	}
	return 0;
}

/* Output names after --rename; checks the renamed fields exist, are kept, and names stay unique. */
static int apply_renames(struct plan *p, const int *order, size_t k, char *err, size_t errlen)
{
	const struct mvs_map_spec *spec = p->spec;

	for (size_t i = 0; i < p->in->n_fields; i++)
		p->names[i] = p->in->fields[i].name;
	if (any_unknown(p, spec->rename_from, spec->n_rename))
		return unknown_fields(p, "--rename", spec->rename_from, spec->n_rename, err, errlen);
	for (size_t i = 0; i < spec->n_rename; i++) {
		int idx = mvs_schema_field_index(p->in, spec->rename_from[i]);
		if (p->in->fields[idx].is_dynamic)
			return mvs_errf(err, errlen, "--rename: the dynamic field \"%s\" cannot be renamed",
				    spec->rename_from[i]);
		if (!p->kept[idx])
			return mvs_errf(err, errlen, "--rename: field \"%s\" of collection \"%s\" is not "
				    "kept", spec->rename_from[i], p->collection);
		p->names[idx] = spec->rename_to[i];
	}
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < i; j++)
			if (p->kept[order[i]] && p->kept[order[j]] &&
			    strcmp(p->names[order[i]], p->names[order[j]]) == 0)
				return mvs_errf(err, errlen, "--rename: collection \"%s\" would have two "
					    "fields named \"%s\"", p->collection, p->names[order[i]]);
	return 0;
}

/* The output name of a field named name in the input (itself when not renamed). */
static const char *renamed(const struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->spec->n_rename; i++)
		if (strcmp(p->spec->rename_from[i], name) == 0)
			return p->spec->rename_to[i];
	return name;
}

static int replace_string(char **slot, const char *value)
{
	char *copy;

	if (*slot && strcmp(*slot, value) == 0)
		return 0;
	if (!(copy = strdup(value)))
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

/* Builds map->out from a copy of the input: fields in order with their new names, the functions and
 * indexes that still apply, the new settings. Everything left behind is freed through a scratch
 * schema so that mvs_schema_free stays the one place that knows how. */
static int build_schema(struct mvs_map *map, const struct plan *p, const int *order, size_t k,
			const bool *fn_kept)
{
	const struct mvs_schema *in = p->in;
	const struct mvs_map_spec *spec = p->spec;
	struct mvs_schema *out = &map->out, trash = { 0 };
	size_t n_out = 0, n_trash = 0;
	bool *moved = NULL;
	int rc = -1;

	if (mvs_schema_copy(out, in))
		return -1;
	struct mvs_field *fields = calloc(k + 1, sizeof *fields);
	struct mvs_field *dropped = calloc(in->n_fields + 1, sizeof *dropped);
	moved = calloc(in->n_fields + 1, sizeof *moved);
	if (!fields || !dropped || !moved)
		goto out;
	for (size_t i = 0; i < k; i++) {
		if (!p->kept[order[i]])
			continue;
		fields[n_out++] = out->fields[order[i]];
		moved[order[i]] = true;
	}
	for (size_t i = 0; i < in->n_fields; i++)
		if (!moved[i])
			dropped[n_trash++] = out->fields[i];
	free(out->fields);
	out->fields = fields;
	out->n_fields = n_out;
	trash.fields = dropped;
	trash.n_fields = n_trash;
	fields = dropped = NULL;
	for (size_t i = 0; i < out->n_fields; i++)
		if (replace_string(&out->fields[i].name, renamed(p, out->fields[i].name)))
			goto out;

	/* functions: keep the ones that still apply, with renamed fields */
	struct mvs_function *fn_trash = calloc(in->n_functions + 1, sizeof *fn_trash);
	if (!fn_trash)
		goto out;
	trash.functions = fn_trash;
	n_out = 0;
	for (size_t i = 0; i < out->n_functions; i++) {
		if (fn_kept[i])
			out->functions[n_out++] = out->functions[i];
		else
			fn_trash[trash.n_functions++] = out->functions[i];
	}
	out->n_functions = n_out;
	for (size_t i = 0; i < out->n_functions; i++) {
		struct mvs_function *fn = &out->functions[i];
		for (size_t j = 0; j < fn->n_input_fields; j++)
			if (replace_string(&fn->input_fields[j], renamed(p, fn->input_fields[j])))
				goto out;
		for (size_t j = 0; j < fn->n_output_fields; j++)
			if (replace_string(&fn->output_fields[j], renamed(p, fn->output_fields[j])))
				goto out;
	}

	/* indexes follow their fields; an index named after its field follows a rename too */
	struct mvs_index *ix_trash = calloc(in->n_indexes + 1, sizeof *ix_trash);
	if (!ix_trash)
		goto out;
	trash.indexes = ix_trash;
	n_out = 0;
	for (size_t i = 0; i < out->n_indexes; i++) {
		int idx = mvs_schema_field_index(in, out->indexes[i].field_name);
		if (idx < 0 || p->kept[idx])
			out->indexes[n_out++] = out->indexes[i];
		else
			ix_trash[trash.n_indexes++] = out->indexes[i];
	}
	out->n_indexes = n_out;
	for (size_t i = 0; i < out->n_indexes; i++) {
		struct mvs_index *ix = &out->indexes[i];
		const char *name = renamed(p, ix->field_name);
		if (ix->index_name && strcmp(ix->index_name, ix->field_name) == 0 &&
		    replace_string(&ix->index_name, name))
			goto out;
		if (replace_string(&ix->field_name, name))
			goto out;
	}

	/* a dropped partition key leaves no partition-key partitions behind */
	for (size_t i = 0; i < in->n_fields; i++)
		if (in->fields[i].partition_key && !p->kept[i] && out->num_partitions) {
			note(p, "field \"%s\" was the partition key; the collection will have none",
			     in->fields[i].name);
			out->num_partitions = 0;
		}

	if (spec->dynamic >= 0)
		out->enable_dynamic_field = spec->dynamic;
	if (spec->collection && replace_string(&out->name, spec->collection))
		goto out;
	if (spec->description && mvs_text_set(&out->description, spec->description, strlen(spec->description)))
		goto out;
	if (spec->shards)
		out->shards_num = spec->shards;
	if (spec->consistency >= 0)
		out->consistency_level = spec->consistency;
	/* "tool" and "created" stay: they say where and when the data was read, and keeping them
	 * makes a map without edits reproduce its input byte for byte */
	rc = 0;
out:
	free(fields);
	free(dropped);
	free(moved);
	mvs_schema_free(&trash);
	return rc;
}

/* The row columns: which input value each output value is. */
static int plan_columns(struct mvs_map *map, const struct plan *p, const int *order, size_t k)
{
	const struct mvs_schema *in = p->in;
	size_t *column_of = calloc(in->n_fields + 1, sizeof *column_of);
	size_t col = 0;

	if (!column_of)
		return -1;
	for (size_t i = 0; i < in->n_fields; i++)
		if (!in->fields[i].function_output)
			column_of[i] = col++;
	map->in_width = col;
	map->columns = calloc(k + 1, sizeof *map->columns);
	map->spans = calloc(map->in_width + 1, sizeof *map->spans);
	if (!map->columns || !map->spans) {
		free(column_of);
		return -1;
	}
	for (size_t i = 0; i < k; i++)
		if (p->kept[order[i]] && !in->fields[order[i]].function_output)
			map->columns[map->out_width++] = column_of[order[i]];
	map->verbatim = map->out_width == map->in_width;
	for (size_t i = 0; i < map->out_width && map->verbatim; i++)
		map->verbatim = map->columns[i] == i;
	free(column_of);
	return 0;
}

static bool has_vector(const struct mvs_schema *s)
{
	for (size_t i = 0; i < s->n_fields; i++) {
		const struct mvs_type_info *info = mvs_type_info(s->fields[i].type);
		if (info && info->is_vector)
			return true;
	}
	return false;
}

int mvs_map_init(struct mvs_map *map, const struct mvs_map_spec *spec, const struct mvs_schema *in,
		 mvs_map_note_fn note_fn, void *ctx, char *err, size_t errlen)
{
	size_t n = in->n_fields, k = 0;
	struct plan p = {
		.in = in, .spec = spec, .collection = in->name ? in->name : "",
		.note = note_fn, .ctx = ctx,
	};
	int *order = calloc(n + 1, sizeof *order);
	bool *fn_kept = calloc(in->n_functions + 1, sizeof *fn_kept);
	int rc = -1;

	*map = (struct mvs_map){ 0 };
	p.kept = calloc(n + 1, sizeof *p.kept);
	p.listed = calloc(n + 1, sizeof *p.listed);
	p.names = calloc(n + 1, sizeof *p.names);
	if (!order || !fn_kept || !p.kept || !p.listed || !p.names) {
		mvs_errf(err, errlen, "out of memory");
		goto out;
	}
	if (select_fields(&p, order, &k, err, errlen) ||
	    select_functions(&p, fn_kept, err, errlen) ||
	    apply_renames(&p, order, k, err, errlen))
		goto out;

	bool edits = spec->n_keep || spec->n_drop || spec->n_rename || spec->dynamic == 0;
	if (build_schema(map, &p, order, k, fn_kept) || plan_columns(map, &p, order, k)) {
		mvs_errf(err, errlen, "out of memory");
		goto out;
	}
	if ((spec->n_keep || spec->n_drop) && !has_vector(&map->out)) {
		mvs_errf(err, errlen, "%s keeps no vector field; Milvus needs at least one",
		     spec->n_keep ? "--fields" : "--exclude");
		goto out;
	}
	char why[512];
	if (edits && mvs_schema_validate(&map->out, why, sizeof why)) {
		mvs_errf(err, errlen, "the mapped collection \"%s\" would not be valid: %s",
		     map->out.name ? map->out.name : "", why);
		goto out;
	}
	rc = 0;
out:
	free(order);
	free(fn_kept);
	free(p.kept);
	free(p.listed);
	free(p.names);
	if (rc)
		mvs_map_free(map);
	return rc;
}

/* msgpack array header for n elements. */
static size_t put_array_header(unsigned char *p, size_t n)
{
	if (n <= 15) {
		p[0] = 0x90 | (unsigned char)n;
		return 1;
	}
	if (n <= 0xffff) {
		p[0] = 0xdc;
		p[1] = (unsigned char)(n >> 8);
		p[2] = (unsigned char)n;
		return 3;
	}
	p[0] = 0xdd;
	p[1] = (unsigned char)(n >> 24);
	p[2] = (unsigned char)(n >> 16);
	p[3] = (unsigned char)(n >> 8);
	p[4] = (unsigned char)n;
	return 5;
}

int mvs_map_row(struct mvs_map *map, const unsigned char *row, size_t len, struct mvs_writer *w)
{
	unsigned char header[5];

	if (map->verbatim) {
		if (mvs_writer_row_begin(w) != 0 || mvs_writer_row_append(w, (const char *)row, len) != 0)
			return MVS_MAP_WRITE_FAILED;
		return mvs_writer_row_end(w) != 0 ? MVS_MAP_WRITE_FAILED : 0;
	}
	if (mvs_row_split(row, len, map->in_width, map->spans))
		return -1;
	/* the kept values go straight from the input into the output frame */
	if (mvs_writer_row_begin(w) != 0 ||
	    mvs_writer_row_append(w, (const char *)header, put_array_header(header, map->out_width)))
		return MVS_MAP_WRITE_FAILED;
	for (size_t i = 0; i < map->out_width; i++) {
		const struct mvs_span *v = &map->spans[map->columns[i]];
		if (mvs_writer_row_append(w, (const char *)v->ptr, v->len) != 0)
			return MVS_MAP_WRITE_FAILED;
	}
	return mvs_writer_row_end(w) != 0 ? MVS_MAP_WRITE_FAILED : 0;
}

void mvs_map_free(struct mvs_map *map)
{
	mvs_schema_free(&map->out);
	free(map->columns);
	free(map->spans);
	*map = (struct mvs_map){ 0 };
}
