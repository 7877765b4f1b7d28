/* Milvus CollectionSchema <-> mvs schema model (see mvs_milvus_schema.h). Default values are the
 * one place where a protobuf value meets the row encoding: ValueField <-> one msgpack value. */
#include "mvs_milvus_schema.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_log.h"
#include "mvs_scalar.h"
#include "mvs_types.h"

#define DYNAMIC_FIELD_NAME "$meta"

/* ---- kv lists ---- */

int mvs_kvlist_from_milvus(struct mvs_kvlist *dst, Milvus__Proto__Common__KeyValuePair *const *kvs,
			   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *k = kvs[i]->key ? kvs[i]->key : "";
		const char *v = kvs[i]->value ? kvs[i]->value : "";
		if (mvs_kvlist_add(dst, k, v) != 0)
			return -1;
	}
	return 0;
}

Milvus__Proto__Common__KeyValuePair **mvs_kvlist_to_milvus(const struct mvs_kvlist *src, size_t *n)
{
	Milvus__Proto__Common__KeyValuePair **ptrs, *items;

	*n = 0;
	if (src->len == 0)
		return NULL;
	/* Pointers first, then the structs: the struct array stays aligned because a pointer's
	 * alignment is at least that of the struct's first member (also a pointer-sized header). */
	ptrs = malloc(src->len * (sizeof *ptrs + sizeof *items));
	if (!ptrs)
		return NULL;
	items = (Milvus__Proto__Common__KeyValuePair *)(ptrs + src->len);
	for (size_t i = 0; i < src->len; i++) {
		milvus__proto__common__key_value_pair__init(&items[i]);
		items[i].key = src->items[i].key;
		items[i].value = src->items[i].value;
		ptrs[i] = &items[i];
	}
	*n = src->len;
	return ptrs;
}

/* ---- Milvus -> model ---- */

/* ValueField -> one msgpack value of the field's row encoding. */
static int default_from_milvus(struct mvs_field *f, const Milvus__Proto__Schema__ValueField *vf,
			       char *err, size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(f->type);
	struct mvs_scalar v = { 0 };
	bool is_int = vf && (vf->data_case == MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_INT_DATA ||
			     vf->data_case == MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_LONG_DATA);

	if (!vf || vf->data_case == MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA__NOT_SET)
		return 0;
	switch (info ? info->encoding : MVS_ENC_UNSUPPORTED) {
	case MVS_ENC_BOOL:
		if (vf->data_case != MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_BOOL_DATA)
			goto mismatch;
		v = (struct mvs_scalar){ .kind = MVS_SCALAR_BOOL, .b = vf->bool_data };
		break;
	case MVS_ENC_INT:
		if (!is_int)
			goto mismatch;
		v = (struct mvs_scalar){ .kind = MVS_SCALAR_INT,
					 .i = vf->data_case == MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_INT_DATA
						      ? vf->int_data : vf->long_data };
		if (!mvs_int_fits(f->type, v.i))
			return mvs_errf(err, errlen, "field \"%s\": default value %" PRId64 " out of range for %s",
				    f->name, v.i, mvs_type_name(f->type));
		break;
	case MVS_ENC_FLOAT32: {
		uint32_t bits;
		if (vf->data_case != MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_FLOAT_DATA)
			goto mismatch;
		memcpy(&bits, &vf->float_data, sizeof bits);
		v = (struct mvs_scalar){ .kind = MVS_SCALAR_F32, .bits = bits };
		break;
	}
	case MVS_ENC_FLOAT64:
		if (vf->data_case != MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_DOUBLE_DATA)
			goto mismatch;
		v.kind = MVS_SCALAR_F64;
		memcpy(&v.bits, &vf->double_data, sizeof v.bits);
		break;
	case MVS_ENC_STR: {
		const ProtobufCBinaryData *b;
		if (vf->data_case == MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_STRING_DATA)
			b = &vf->string_data;
		else if (vf->data_case == MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_BYTES_DATA)
			b = &vf->bytes_data;
		else
			goto mismatch;
		v = (struct mvs_scalar){ .kind = MVS_SCALAR_STR, .s = b->data, .len = b->len };
		break;
	}
	default:
		return mvs_errf(err, errlen, "field \"%s\": default values of type %s are not supported",
			    f->name, mvs_type_name(f->type));
	}
	if (mvs_scalar_encode(&v, &f->default_value, &f->default_value_len) != 0)
		return mvs_errf(err, errlen, "out of memory");
	return 0;
mismatch:
	return mvs_errf(err, errlen, "field \"%s\": default value of the wrong kind (case %d) for type %s",
		    f->name, (int)vf->data_case, mvs_type_name(f->type));
}

/* Parses a positive decimal type_param ("128"). Milvus keeps dim, max_length and max_capacity as
 * int32 and a stream header holds them as such (man/mvs-stream.5), so a larger one from a server is
 * refused here rather than written into a header that every reader would refuse. */
static int parse_param(const struct mvs_field *f, const char *key, const char *value, int64_t *out,
		       char *err, size_t errlen)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v <= 0)
		return mvs_errf(err, errlen,
			    "field \"%s\": type_params %s \"%s\" is not a positive integer",
			    f->name, key, value);
	if (v > INT32_MAX)
		return mvs_errf(err, errlen,
			    "field \"%s\": type_params %s \"%s\" is above %d, the largest Milvus "
			    "and the stream format allow", f->name, key, value, INT32_MAX);
	*out = v;
	return 0;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* The element types Milvus allows in an Array field. */
static bool array_element_ok(int type)
{
	switch (type) {
	case MVS_T_BOOL:
	case MVS_T_INT8:
	case MVS_T_INT16:
	case MVS_T_INT32:
	case MVS_T_INT64:
	case MVS_T_FLOAT:
	case MVS_T_DOUBLE:
	case MVS_T_VARCHAR:
		return true;
	default:
		return false;
	}
}

static int field_from_milvus(struct mvs_field *f, const Milvus__Proto__Schema__FieldSchema *fs,
			     char *err, size_t errlen)
{
	const struct mvs_type_info *info;

	f->name = dup_or_empty(fs->name);
	if (!f->name || mvs_text_set(&f->description, fs->description.data, fs->description.len) != 0)
		return mvs_errf(err, errlen, "out of memory");
	f->type = fs->data_type;
	info = mvs_type_info(f->type);
	if (!info)
		return mvs_errf(err, errlen, "field \"%s\": data type %s is not supported", f->name,
			    mvs_type_name(f->type));
	if (f->type == MVS_T_ARRAY) {
		if (!array_element_ok(fs->element_type))
			return mvs_errf(err, errlen, "field \"%s\": Array of %s is not supported",
				    f->name, mvs_type_name(fs->element_type));
		f->element_type = fs->element_type;
	}
	f->primary_key = fs->is_primary_key;
	f->auto_id = fs->autoid;
	f->nullable = fs->nullable;
	f->partition_key = fs->is_partition_key;
	f->clustering_key = fs->is_clustering_key;
	f->function_output = fs->is_function_output;
	for (size_t i = 0; i < fs->n_type_params; i++) {
		const char *k = fs->type_params[i]->key ? fs->type_params[i]->key : "";
		const char *v = fs->type_params[i]->value ? fs->type_params[i]->value : "";
		int rc;

		if (strcmp(k, "dim") == 0)
			rc = parse_param(f, k, v, &f->dim, err, errlen);
		else if (strcmp(k, "max_length") == 0)
			rc = parse_param(f, k, v, &f->max_length, err, errlen);
		else if (strcmp(k, "max_capacity") == 0)
			rc = parse_param(f, k, v, &f->max_capacity, err, errlen);
		else if ((rc = mvs_kvlist_add(&f->type_params, k, v)) != 0)
			mvs_errf(err, errlen, "out of memory");
		if (rc != 0)
			return -1;
	}
	if (mvs_kvlist_from_milvus(&f->index_params, fs->index_params, fs->n_index_params) != 0)
		return mvs_errf(err, errlen, "out of memory");
	return default_from_milvus(f, fs->default_value, err, errlen);
}

static char **strv_from(char *const *src, size_t n, bool *failed)
{
	char **v;

	if (n == 0)
		return NULL;
	v = calloc(n, sizeof *v);
	if (!v) {
		*failed = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = dup_or_empty(src[i])))
			*failed = true;
	return v;
}

static int function_from_milvus(struct mvs_function *fn,
				const Milvus__Proto__Schema__FunctionSchema *fs)
{
	bool failed = false;

	fn->name = dup_or_empty(fs->name);
	fn->type = fs->type;
	fn->input_fields = strv_from(fs->input_field_names, fs->n_input_field_names, &failed);
	fn->n_input_fields = fn->input_fields ? fs->n_input_field_names : 0;
	fn->output_fields = strv_from(fs->output_field_names, fs->n_output_field_names, &failed);
	fn->n_output_fields = fn->output_fields ? fs->n_output_field_names : 0;
	if (failed || !fn->name || mvs_text_set(&fn->description, fs->description.data, fs->description.len) != 0 ||
	    mvs_kvlist_from_milvus(&fn->params, fs->params, fs->n_params) != 0)
		return -1;
	return 0;
}

static bool is_system_field(const Milvus__Proto__Schema__FieldSchema *fs)
{
	const char *name = fs->name ? fs->name : "";

	return (fs->fieldid == 0 && strcmp(name, "RowID") == 0) ||
	       (fs->fieldid == 1 && strcmp(name, "Timestamp") == 0);
}

static bool is_dynamic_schema_field(const Milvus__Proto__Schema__FieldSchema *fs)
{
	return fs->is_dynamic || (fs->name && strcmp(fs->name, DYNAMIC_FIELD_NAME) == 0);
}

static int schema_from_milvus(struct mvs_schema *s,
			      const Milvus__Proto__Schema__CollectionSchema *cs,
			      const struct mvs_collection_settings *st, char *err, size_t errlen)
{
	size_t n = 0;

	if (cs->n_struct_array_fields > 0)
		return mvs_errf(err, errlen, "field \"%s\": struct array fields are not supported",
			    cs->struct_array_fields[0]->name ? cs->struct_array_fields[0]->name
							     : "");
	s->name = dup_or_empty(cs->name);
	if (!s->name || mvs_text_set(&s->description, cs->description.data, cs->description.len) != 0)
		return mvs_errf(err, errlen, "out of memory");
	s->enable_dynamic_field = cs->enable_dynamic_field;
	if (st) {
		s->shards_num = st->shards_num;
		s->consistency_level = st->consistency_level;
		s->num_partitions = st->num_partitions;
		if (mvs_kvlist_from_milvus(&s->properties, st->properties, st->n_properties) != 0)
			return mvs_errf(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < cs->n_properties; i++) {
		const char *k = cs->properties[i]->key ? cs->properties[i]->key : "";
		const char *v = cs->properties[i]->value ? cs->properties[i]->value : "";
		if (!mvs_kvlist_get(&s->properties, k) && mvs_kvlist_add(&s->properties, k, v) != 0)
			return mvs_errf(err, errlen, "out of memory");
	}

	s->fields = calloc(cs->n_fields + 1, sizeof *s->fields);
	if (!s->fields)
		return mvs_errf(err, errlen, "out of memory");
	for (size_t i = 0; i < cs->n_fields; i++) {
		const Milvus__Proto__Schema__FieldSchema *fs = cs->fields[i];
		if (is_system_field(fs) || is_dynamic_schema_field(fs))
			continue;
		s->n_fields = ++n;
		if (field_from_milvus(&s->fields[n - 1], fs, err, errlen) != 0)
			return -1;
	}
	if (s->enable_dynamic_field) {
		struct mvs_field *f = &s->fields[n];
		f->name = strdup(DYNAMIC_FIELD_NAME);
		f->type = MVS_T_JSON;
		f->is_dynamic = true;
		s->n_fields = ++n;
		if (!f->name)
			return mvs_errf(err, errlen, "out of memory");
	}

	if (cs->n_functions > 0) {
		s->functions = calloc(cs->n_functions, sizeof *s->functions);
		if (!s->functions)
			return mvs_errf(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < cs->n_functions; i++) {
		s->n_functions = i + 1;
		if (function_from_milvus(&s->functions[i], cs->functions[i]) != 0)
			return mvs_errf(err, errlen, "out of memory");
	}
	return 0;
}

int mvs_schema_from_milvus(struct mvs_schema *out,
			   const Milvus__Proto__Schema__CollectionSchema *cs,
			   const struct mvs_collection_settings *settings, char *err, size_t errlen)
{
	*out = (struct mvs_schema){0};
	if (schema_from_milvus(out, cs, settings, err, errlen) != 0) {
		mvs_schema_free(out);
		return -1;
	}
	return 0;
}

/* ---- model -> Milvus ---- */

/* Everything the packed message borrows or allocates lives in one list freed after packing. */
struct arena {
	void **ptrs;
	size_t len, cap;
	bool failed;
};

static void *arena_add(struct arena *a, void *p)
{
	if (!p) {
		a->failed = true;
		return NULL;
	}
	if (a->len == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		void **ptrs = realloc(a->ptrs, cap * sizeof *ptrs);
		if (!ptrs) {
			free(p);
			a->failed = true;
			return NULL;
		}
		a->ptrs = ptrs;
		a->cap = cap;
	}
	a->ptrs[a->len++] = p;
	return p;
}

static void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	return arena_add(a, calloc(n ? n : 1, size));
}

static void arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->len; i++)
		free(a->ptrs[i]);
	free(a->ptrs);
}

/* Appends borrowed pairs for the list's entries to v (which has room for them). */
static void kv_append(struct arena *a, Milvus__Proto__Common__KeyValuePair **v, size_t *n,
		      const struct mvs_kvlist *l)
{
	for (size_t i = 0; v && i < l->len; i++) {
		Milvus__Proto__Common__KeyValuePair *kv = arena_calloc(a, 1, sizeof *kv);
		if (!kv)
			return;
		milvus__proto__common__key_value_pair__init(kv);
		kv->key = l->items[i].key;
		kv->value = l->items[i].value;
		v[(*n)++] = kv;
	}
}

static Milvus__Proto__Common__KeyValuePair **kv_array(struct arena *a, const struct mvs_kvlist *l,
						      size_t *n)
{
	Milvus__Proto__Common__KeyValuePair **v = arena_calloc(a, l->len, sizeof *v);

	*n = 0;
	kv_append(a, v, n, l);
	return v;
}

static void kv_push_int(struct arena *a, Milvus__Proto__Common__KeyValuePair **v, size_t *n,
			const char *key, int64_t value)
{
	Milvus__Proto__Common__KeyValuePair *kv;
	char *s;

	if (value <= 0 || !v)
		return;
	kv = arena_calloc(a, 1, sizeof *kv);
	s = arena_calloc(a, 24, 1);
	if (!kv || !s)
		return;
	milvus__proto__common__key_value_pair__init(kv);
	snprintf(s, 24, "%" PRId64, value);
	kv->key = (char *)key;
	kv->value = s;
	v[(*n)++] = kv;
}

/* One msgpack value of the row encoding -> ValueField. */
static int default_to_milvus(struct arena *a, const struct mvs_field *f,
			     Milvus__Proto__Schema__ValueField *vf, char *err, size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(f->type);
	enum mvs_encoding enc = info ? info->encoding : MVS_ENC_UNSUPPORTED;
	struct mvs_scalar v;

	if (mvs_scalar_decode(f->default_value, f->default_value_len, &v) != 0)
		return mvs_errf(err, errlen, "field \"%s\": default value is not one msgpack scalar", f->name);
	switch (enc) {
	case MVS_ENC_BOOL:
		if (v.kind != MVS_SCALAR_BOOL)
			goto mismatch;
		vf->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_BOOL_DATA;
		vf->bool_data = v.b;
		break;
	case MVS_ENC_INT:
		if (v.kind != MVS_SCALAR_INT || !mvs_int_fits(f->type, v.i))
			goto mismatch;
		if (f->type == MVS_T_INT64) {
			vf->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_LONG_DATA;
			vf->long_data = v.i;
		} else {
			vf->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_INT_DATA;
			vf->int_data = (int32_t)v.i;
		}
		break;
	case MVS_ENC_FLOAT32: {
		uint32_t bits = (uint32_t)v.bits;
		if (v.kind != MVS_SCALAR_F32)
			goto mismatch;
		vf->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_FLOAT_DATA;
		memcpy(&vf->float_data, &bits, sizeof bits);
		break;
	}
	case MVS_ENC_FLOAT64:
		if (v.kind != MVS_SCALAR_F64)
			goto mismatch;
		vf->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_DOUBLE_DATA;
		memcpy(&vf->double_data, &v.bits, sizeof v.bits);
		break;
	case MVS_ENC_STR: {
		/* Milvus takes a JSON default as bytes, the others as string_data (bytes to
		 * protobuf-c, so U+0000 goes through). */
		ProtobufCBinaryData *b = f->type == MVS_T_JSON ? &vf->bytes_data : &vf->string_data;
		unsigned char *p;
		if (v.kind != MVS_SCALAR_STR)
			goto mismatch;
		if (!(p = arena_calloc(a, v.len, 1)))
			break;
		if (v.len > 0)
			memcpy(p, v.s, v.len);
		vf->data_case = f->type == MVS_T_JSON ? MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_BYTES_DATA
						      : MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_STRING_DATA;
		b->data = p;
		b->len = v.len;
		break;
	}
	default:
		return mvs_errf(err, errlen, "field \"%s\": default values of type %s are not supported",
			    f->name, mvs_type_name(f->type));
	}
	return 0;
mismatch:
	return mvs_errf(err, errlen, "field \"%s\": default value does not fit type %s", f->name,
		    mvs_type_name(f->type));
}

static int field_to_milvus(struct arena *a, const struct mvs_field *f,
			   Milvus__Proto__Schema__FieldSchema *fs, char *err, size_t errlen)
{
	milvus__proto__schema__field_schema__init(fs);
	fs->name = f->name ? f->name : "";
	fs->description = (ProtobufCBinaryData){ f->description.len, (uint8_t *)f->description.s };
	fs->data_type = f->type;
	fs->is_primary_key = f->primary_key;
	fs->autoid = f->auto_id;
	fs->element_type = f->type == MVS_T_ARRAY ? f->element_type : 0;
	fs->is_partition_key = f->partition_key;
	fs->is_clustering_key = f->clustering_key;
	fs->nullable = f->nullable;
	fs->is_function_output = f->function_output;
	/* dim/max_length/max_capacity first, as Milvus lists them, then the verbatim ones. */
	fs->type_params = arena_calloc(a, f->type_params.len + 3, sizeof *fs->type_params);
	kv_push_int(a, fs->type_params, &fs->n_type_params, "dim", f->dim);
	kv_push_int(a, fs->type_params, &fs->n_type_params, "max_length", f->max_length);
	kv_push_int(a, fs->type_params, &fs->n_type_params, "max_capacity", f->max_capacity);
	kv_append(a, fs->type_params, &fs->n_type_params, &f->type_params);
	fs->index_params = kv_array(a, &f->index_params, &fs->n_index_params);
	if (f->default_value) {
		fs->default_value = arena_calloc(a, 1, sizeof *fs->default_value);
		if (!fs->default_value)
			return 0;
		milvus__proto__schema__value_field__init(fs->default_value);
		return default_to_milvus(a, f, fs->default_value, err, errlen);
	}
	return 0;
}

static void function_to_milvus(struct arena *a, const struct mvs_function *fn,
			       Milvus__Proto__Schema__FunctionSchema *fs)
{
	milvus__proto__schema__function_schema__init(fs);
	fs->name = fn->name ? fn->name : "";
	fs->description = (ProtobufCBinaryData){ fn->description.len, (uint8_t *)fn->description.s };
	fs->type = fn->type;
	fs->n_input_field_names = fn->n_input_fields;
	fs->input_field_names = fn->input_fields;
	fs->n_output_field_names = fn->n_output_fields;
	fs->output_field_names = fn->output_fields;
	fs->params = kv_array(a, &fn->params, &fs->n_params);
}

int mvs_schema_to_milvus(const struct mvs_schema *s, const char *name, unsigned char **buf,
			 size_t *len, char *err, size_t errlen)
{
	Milvus__Proto__Schema__CollectionSchema cs;
	struct arena a = {0};
	int rc = -1;

	*buf = NULL;
	*len = 0;
	milvus__proto__schema__collection_schema__init(&cs);
	cs.name = (char *)(name ? name : s->name ? s->name : "");
	cs.description = (ProtobufCBinaryData){ s->description.len, (uint8_t *)s->description.s };
	cs.enable_dynamic_field = s->enable_dynamic_field;
	cs.properties = kv_array(&a, &s->properties, &cs.n_properties);
	cs.fields = arena_calloc(&a, s->n_fields, sizeof *cs.fields);
	for (size_t i = 0; cs.fields && i < s->n_fields; i++) {
		const struct mvs_field *f = &s->fields[i];
		Milvus__Proto__Schema__FieldSchema *fs;

		if (f->is_dynamic) {
			cs.enable_dynamic_field = true;
			continue;
		}
		fs = arena_calloc(&a, 1, sizeof *fs);
		if (!fs)
			break;
		cs.fields[cs.n_fields++] = fs;
		if (field_to_milvus(&a, f, fs, err, errlen) != 0)
			goto out;
	}
	cs.functions = arena_calloc(&a, s->n_functions, sizeof *cs.functions);
	for (size_t i = 0; cs.functions && i < s->n_functions; i++) {
		Milvus__Proto__Schema__FunctionSchema *fs = arena_calloc(&a, 1, sizeof *fs);
		if (!fs)
			break;
		function_to_milvus(&a, &s->functions[i], fs);
		cs.functions[cs.n_functions++] = fs;
	}
	if (a.failed) {
		mvs_errf(err, errlen, "out of memory");
		goto out;
	}
	*len = milvus__proto__schema__collection_schema__get_packed_size(&cs);
	*buf = malloc(*len ? *len : 1);
	if (!*buf) {
		*len = 0;
		mvs_errf(err, errlen, "out of memory");
		goto out;
	}
	milvus__proto__schema__collection_schema__pack(&cs, *buf);
	rc = 0;
out:
	arena_free(&a);
	return rc;
}
