/* The schema rules of mvs-import (see mvs_import.h): the schema a target collection gets from a stream
 * header, whether an existing collection can take the stream's rows unchanged, and whether the auto-ID
 * choice fits it. Kept apart from the engine so the rules can be tested without a server. */
#include "mvs_import.h"

#include <stdio.h>
#include <string.h>

#include "mvs_types.h"

bool mvs_import_prop_true(const char *v)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };

	if (!v)
		return false;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (strcmp(v, yes[i]) == 0)
			return true;
	return false;
}

int mvs_import_target_schema(const struct mvs_schema *header, enum mvs_import_auto_id auto_id,
			     struct mvs_schema *out, char *err, size_t errlen)
{
	if (mvs_schema_copy(out, header) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (auto_id == MVS_IMPORT_AUTO_ID_NEW) {
		int pk = mvs_schema_primary_key(out);

		if (pk < 0) {
			snprintf(err, errlen, "collection \"%s\" has no primary key field", out->name);
			mvs_schema_free(out);
			return -1;
		}
		out->fields[pk].auto_id = true;
	}
	return 0;
}

static const struct mvs_field *find_field(const struct mvs_schema *s, const char *name)
{
	int i = mvs_schema_field_index(s, name);

	return i < 0 ? NULL : &s->fields[i];
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* One role flag that must be equal on both sides. */
static int compare_role(const char *field, const char *role, bool want, bool have, char *err,
			size_t errlen)
{
	if (want == have)
		return 0;
	snprintf(err, errlen, "field \"%s\": %s %s in the collection, %s in the stream", field, role,
		 yes_no(have), yes_no(want));
	return -1;
}

/* A stream field against the collection's field of the same name. */
static int compare_field(const struct mvs_field *w, const struct mvs_field *h, char *err, size_t errlen)
{
	const char *n = w->name;

	if (w->type != h->type) {
		snprintf(err, errlen, "field \"%s\": type %s in the collection, %s in the stream", n,
			 mvs_type_name(h->type), mvs_type_name(w->type));
		return -1;
	}
	if (w->type == MVS_T_ARRAY && w->element_type != h->element_type) {
		char have[40];

		snprintf(have, sizeof have, "%s", mvs_type_name(h->element_type));
		snprintf(err, errlen, "field \"%s\": Array of %s in the collection, of %s in the stream", n,
			 have, mvs_type_name(w->element_type));
		return -1;
	}
	if (w->dim != h->dim) {
		snprintf(err, errlen, "field \"%s\": dim %lld in the collection, %lld in the stream", n,
			 (long long)h->dim, (long long)w->dim);
		return -1;
	}
	if (w->max_length > 0 && h->max_length < w->max_length) {
		snprintf(err, errlen, "field \"%s\": max_length %lld in the collection, %lld in the stream", n,
			 (long long)h->max_length, (long long)w->max_length);
		return -1;
	}
	if (w->max_capacity > 0 && h->max_capacity < w->max_capacity) {
		snprintf(err, errlen, "field \"%s\": max_capacity %lld in the collection, %lld in the stream",
			 n, (long long)h->max_capacity, (long long)w->max_capacity);
		return -1;
	}
	if (w->nullable && !h->nullable) {
		snprintf(err, errlen, "field \"%s\": nullable in the stream, not in the collection", n);
		return -1;
	}
	if (compare_role(n, "primary key", w->primary_key, h->primary_key, err, errlen) ||
	    compare_role(n, "partition key", w->partition_key, h->partition_key, err, errlen) ||
	    compare_role(n, "function output", w->function_output, h->function_output, err, errlen))
		return -1;
	return 0;
}

static bool same_names(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static int compare_function(const struct mvs_function *w, const struct mvs_schema *have, char *err,
			    size_t errlen)
{
	const char *n = w->name ? w->name : "";

	for (size_t i = 0; i < have->n_functions; i++) {
		const struct mvs_function *h = &have->functions[i];

		if (!h->name || strcmp(h->name, n) != 0)
			continue;
		if (h->type != w->type) {
			snprintf(err, errlen, "function \"%s\": type %d in the collection, %d in the stream", n,
				 h->type, w->type);
			return -1;
		}
		if (!same_names(w->input_fields, w->n_input_fields, h->input_fields, h->n_input_fields) ||
		    !same_names(w->output_fields, w->n_output_fields, h->output_fields,
				h->n_output_fields)) {
			snprintf(err, errlen, "function \"%s\": other input or output fields in the collection",
				 n);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "function \"%s\" is missing from the collection", n);
	return -1;
}

int mvs_import_schema_compare(const struct mvs_schema *want, const struct mvs_schema *have, char *err,
			      size_t errlen)
{
	bool want_dynamic = false;

	for (size_t i = 0; i < want->n_fields; i++) {
		const struct mvs_field *w = &want->fields[i], *h;

		if (w->is_dynamic) {
			want_dynamic = true;
			continue;
		}
		h = find_field(have, w->name);
		if (!h || h->is_dynamic) {
			snprintf(err, errlen, "field \"%s\" is missing from the collection", w->name);
			return -1;
		}
		if (compare_field(w, h, err, errlen) != 0)
			return -1;
	}
	for (size_t i = 0; i < have->n_fields; i++) {
		const struct mvs_field *h = &have->fields[i];

		if (h->is_dynamic || h->nullable || h->default_value || h->function_output ||
		    find_field(want, h->name))
			continue;
		snprintf(err, errlen, "field \"%s\" of the collection is not in the stream (and is not "
			 "nullable, has no default and is no function output)", h->name);
		return -1;
	}
	if (want_dynamic && !have->enable_dynamic_field) {
		snprintf(err, errlen, "the stream carries dynamic fields (\"$meta\"), the collection has "
			 "dynamic fields off");
		return -1;
	}
	for (size_t i = 0; i < want->n_functions; i++)
		if (compare_function(&want->functions[i], have, err, errlen) != 0)
			return -1;
	return 0;
}

int mvs_import_auto_id_check(const struct mvs_schema *have, enum mvs_import_auto_id auto_id, char *err,
			     size_t errlen)
{
	int pk = mvs_schema_primary_key(have);

	if (pk < 0) {
		snprintf(err, errlen, "collection \"%s\" has no primary key field", have->name);
		return -1;
	}
	const struct mvs_field *f = &have->fields[pk];
	if (auto_id == MVS_IMPORT_AUTO_ID_NEW) {
		if (f->auto_id)
			return 0;
		snprintf(err, errlen, "--auto-id new needs a collection that makes its own keys, but the "
			 "primary key \"%s\" of collection \"%s\" is not auto-ID (drop --auto-id new to keep "
			 "the stream's keys)", f->name, have->name);
		return -1;
	}
	if (!f->auto_id || mvs_import_prop_true(mvs_kvlist_get(&have->properties, "allow_insert_auto_id")))
		return 0;
	snprintf(err, errlen, "the primary key \"%s\" of collection \"%s\" is auto-ID and the collection "
		 "does not accept given keys (property allow_insert_auto_id); pass --auto-id new to let it "
		 "make new keys, or set allow_insert_auto_id=true on it (Milvus 2.6)", f->name, have->name);
	return -1;
}
