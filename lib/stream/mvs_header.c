/* The small frame payloads (see mvs_header.h): the header map <-> struct mvs_schema, and the
 * partition, trailer and abort payloads. Encoding goes through msgpack-c's packer; decoding is a
 * small cursor over the bytes, so that a field's default value keeps its exact encoding and every
 * error can name the key it is about. */
#include "mvs_header.h"

#include <inttypes.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_check.h"
#include "mvs_mpack.h"
#include "mvs_row.h"
#include "mvs_types.h"

/* ---- encoding ---- */

struct enc {
	msgpack_sbuffer sb;
	msgpack_packer pk;
	bool failed;		/* sticky: an allocation failed somewhere */
};

static int enc_write(void *data, const char *buf, size_t len)
{
	struct enc *e = data;

	if (msgpack_sbuffer_write(&e->sb, buf, len) != 0) {
		e->failed = true;
		return -1;
	}
	return 0;
}

static void enc_init(struct enc *e)
{
	msgpack_sbuffer_init(&e->sb);
	msgpack_packer_init(&e->pk, e, enc_write);
	e->failed = false;
}

static int enc_finish(struct enc *e, unsigned char **out, size_t *len)
{
	if (e->failed) {
		msgpack_sbuffer_destroy(&e->sb);
		return -1;
	}
	*len = e->sb.size;
	*out = (unsigned char *)msgpack_sbuffer_release(&e->sb);
	if (!*out) {
		/* An empty buffer was never allocated; hand back a valid pointer anyway. */
		*out = malloc(1);
		if (!*out)
			return -1;
	}
	return 0;
}

static void put_str(struct enc *e, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	msgpack_pack_str(&e->pk, n);
	msgpack_pack_str_body(&e->pk, s ? s : "", n);
}

static void put_key_str(struct enc *e, const char *key, const char *value)
{
	put_str(e, key);
	put_str(e, value);
}

/* A text as a str of its exact bytes (U+0000 included). */
static void put_key_text(struct enc *e, const char *key, const struct mvs_text *value)
{
	put_str(e, key);
	msgpack_pack_str(&e->pk, value->len);
	msgpack_pack_str_body(&e->pk, value->s, value->len);
}

static void put_key_int(struct enc *e, const char *key, int64_t value)
{
	put_str(e, key);
	msgpack_pack_int64(&e->pk, value);
}

static void put_key_bool(struct enc *e, const char *key, bool value)
{
	put_str(e, key);
	if (value)
		msgpack_pack_true(&e->pk);
	else
		msgpack_pack_false(&e->pk);
}

static void put_key_kvlist(struct enc *e, const char *key, const struct mvs_kvlist *list)
{
	put_str(e, key);
	msgpack_pack_map(&e->pk, list->len);
	for (size_t i = 0; i < list->len; i++)
		put_key_str(e, list->items[i].key, list->items[i].value);
}

static void put_strv(struct enc *e, char *const *v, size_t n)
{
	msgpack_pack_array(&e->pk, n);
	for (size_t i = 0; i < n; i++)
		put_str(e, v[i]);
}

static bool nonempty(const char *s)
{
	return s && *s;
}

static void put_collection(struct enc *e, const struct mvs_schema *s)
{
	size_t n = 2 + (s->description.len > 0) + (s->shards_num != 0) + s->enable_dynamic_field +
		   (s->num_partitions != 0) + (s->properties.len != 0);

	msgpack_pack_map(&e->pk, n);
	put_key_str(e, "name", s->name);
	if ((s->description.len > 0))
		put_key_text(e, "description", &s->description);
	if (s->shards_num != 0)
		put_key_int(e, "shards_num", s->shards_num);
	put_key_str(e, "consistency_level", mvs_consistency_name(s->consistency_level));
	if (s->enable_dynamic_field)
		put_key_bool(e, "enable_dynamic_field", true);
	if (s->num_partitions != 0)
		put_key_int(e, "num_partitions", s->num_partitions);
	if (s->properties.len)
		put_key_kvlist(e, "properties", &s->properties);
}

static void put_field(struct enc *e, const struct mvs_field *f)
{
	size_t n = 3 + (f->description.len > 0) + f->primary_key + f->auto_id + f->nullable +
		   f->partition_key + f->clustering_key + f->function_output + f->is_dynamic +
		   (f->dim != 0) + (f->max_length != 0) + (f->max_capacity != 0) +
		   (f->element_type != 0) + (f->default_value != NULL) + (f->type_params.len != 0) +
		   (f->index_params.len != 0);

	msgpack_pack_map(&e->pk, n);
	put_key_str(e, "name", f->name);
	put_key_str(e, "type", mvs_type_name(f->type));
	put_key_int(e, "type_id", f->type);
	if ((f->description.len > 0))
		put_key_text(e, "description", &f->description);
	if (f->primary_key)
		put_key_bool(e, "primary_key", true);
	if (f->auto_id)
		put_key_bool(e, "auto_id", true);
	if (f->nullable)
		put_key_bool(e, "nullable", true);
	if (f->partition_key)
		put_key_bool(e, "partition_key", true);
	if (f->clustering_key)
		put_key_bool(e, "clustering_key", true);
	if (f->function_output)
		put_key_bool(e, "function_output", true);
	if (f->is_dynamic)
		put_key_bool(e, "dynamic", true);
	if (f->dim != 0)
		put_key_int(e, "dim", f->dim);
	if (f->max_length != 0)
		put_key_int(e, "max_length", f->max_length);
	if (f->max_capacity != 0)
		put_key_int(e, "max_capacity", f->max_capacity);
	if (f->element_type != 0)
		put_key_str(e, "element_type", mvs_type_name(f->element_type));
	if (f->default_value) {
		put_str(e, "default");
		enc_write(e, (const char *)f->default_value, f->default_value_len);
	}
	if (f->type_params.len)
		put_key_kvlist(e, "type_params", &f->type_params);
	if (f->index_params.len)
		put_key_kvlist(e, "index_params", &f->index_params);
}

static void put_function(struct enc *e, const struct mvs_function *fn)
{
	size_t n = 4 + (fn->description.len > 0) + (fn->params.len != 0);

	msgpack_pack_map(&e->pk, n);
	put_key_str(e, "name", fn->name);
	if ((fn->description.len > 0))
		put_key_text(e, "description", &fn->description);
	put_key_int(e, "type", fn->type);
	put_str(e, "input_fields");
	put_strv(e, fn->input_fields, fn->n_input_fields);
	put_str(e, "output_fields");
	put_strv(e, fn->output_fields, fn->n_output_fields);
	if (fn->params.len)
		put_key_kvlist(e, "params", &fn->params);
}

static void put_index(struct enc *e, const struct mvs_index *ix)
{
	msgpack_pack_map(&e->pk, 2 + (ix->params.len != 0));
	put_key_str(e, "field", ix->field_name);
	put_key_str(e, "name", ix->index_name);
	if (ix->params.len)
		put_key_kvlist(e, "params", &ix->params);
}

int mvs_header_encode(const struct mvs_schema *s, unsigned char **out, size_t *len)
{
	struct enc e;
	bool has_source = nonempty(s->source_version) || nonempty(s->source_database);
	size_t n = 2 + nonempty(s->tool) + nonempty(s->created) + has_source + (s->shard_count != 0) +
		   (s->rows_expected != 0) +
		   (s->n_functions != 0) + (s->n_partitions != 0) + (s->n_indexes != 0);

	enc_init(&e);
	msgpack_pack_map(&e.pk, n);
	if (nonempty(s->tool))
		put_key_str(&e, "tool", s->tool);
	if (nonempty(s->created))
		put_key_str(&e, "created", s->created);
	if (has_source) {
		put_str(&e, "source");
		msgpack_pack_map(&e.pk, nonempty(s->source_version) + nonempty(s->source_database));
		if (nonempty(s->source_version))
			put_key_str(&e, "server_version", s->source_version);
		if (nonempty(s->source_database))
			put_key_str(&e, "database", s->source_database);
	}
	if (s->shard_count) {
		/* index is written even when 0 */
		put_str(&e, "shard");
		msgpack_pack_map(&e.pk, 2 + nonempty(s->shard_filter));
		put_key_int(&e, "index", s->shard_index);
		put_key_int(&e, "count", s->shard_count);
		if (nonempty(s->shard_filter))
			put_key_str(&e, "filter", s->shard_filter);
	}
	if (s->rows_expected)
		put_key_int(&e, "rows_expected", (int64_t)s->rows_expected);
	put_str(&e, "collection");
	put_collection(&e, s);
	put_str(&e, "fields");
	msgpack_pack_array(&e.pk, s->n_fields);
	for (size_t i = 0; i < s->n_fields; i++)
		put_field(&e, &s->fields[i]);
	if (s->n_functions) {
		put_str(&e, "functions");
		msgpack_pack_array(&e.pk, s->n_functions);
		for (size_t i = 0; i < s->n_functions; i++)
			put_function(&e, &s->functions[i]);
	}
	if (s->n_partitions) {
		put_str(&e, "partitions");
		put_strv(&e, s->partitions, s->n_partitions);
	}
	if (s->n_indexes) {
		put_str(&e, "indexes");
		msgpack_pack_array(&e.pk, s->n_indexes);
		for (size_t i = 0; i < s->n_indexes; i++)
			put_index(&e, &s->indexes[i]);
	}
	return enc_finish(&e, out, len);
}

int mvs_partition_encode(const char *name, unsigned char **out, size_t *len)
{
	struct enc e;

	enc_init(&e);
	put_str(&e, name);
	return enc_finish(&e, out, len);
}

int mvs_trailer_encode(uint64_t rows, uint64_t checksum, unsigned char **out, size_t *len)
{
	struct enc e;

	enc_init(&e);
	msgpack_pack_map(&e.pk, 2);
	put_str(&e, "rows");
	msgpack_pack_uint64(&e.pk, rows);
	put_str(&e, "checksum");
	msgpack_pack_uint64(&e.pk, checksum);
	return enc_finish(&e, out, len);
}

int mvs_abort_encode(const char *tool, const char *message, unsigned char **out, size_t *len)
{
	struct enc e;

	enc_init(&e);
	msgpack_pack_map(&e.pk, 2);
	put_key_str(&e, "message", message);
	put_key_str(&e, "tool", tool);
	return enc_finish(&e, out, len);
}

/* ---- decoding ---- */

struct dec {
	const unsigned char *p, *end;
	char *err;
	size_t errlen;
	char key[160];		/* where we are, for messages: "\"fields\"[2] \"dim\"" */
};

static int dec_fail(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int dec_fail(struct dec *d, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (d->key[0])
		snprintf(d->err, d->errlen, "key %s: %s", d->key, what);
	else
		snprintf(d->err, d->errlen, "%s", what);
	return -1;
}

/* What the next value is, for "found ..." messages. */
static const char *dec_found(const struct dec *d)
{
	if (d->p >= d->end)
		return "the end of the payload";
	return mvs_mp_describe(d->p, (size_t)(d->end - d->p));
}

/* Reads the next object into o and moves past it when it is of kind want (or also); otherwise fails
 * naming what was expected and what was found. */
static int dec_expect(struct dec *d, struct mvs_mp_obj *o, enum mvs_mp_kind want, enum mvs_mp_kind also,
		      const char *expected)
{
	struct mvs_mp c = { d->p, d->end };

	if (d->p < d->end && mvs_mp_read(&c, o) != 0 && *d->p != 0xc1)
		return dec_fail(d, "payload ends in the middle of a value");
	if (d->p >= d->end || *d->p == 0xc1 || (o->kind != want && o->kind != also))
		return dec_fail(d, "expected %s, found %s", expected, dec_found(d));
	d->p = c.p;
	return 0;
}

/* Reads an array or map header: the element (array) or pair (map) count. */
static int dec_container(struct dec *d, bool map, uint32_t *n)
{
	struct mvs_mp_obj o;

	if (dec_expect(d, &o, map ? MVS_MP_MAP : MVS_MP_ARRAY, map ? MVS_MP_MAP : MVS_MP_ARRAY,
		       map ? "a map" : "an array") != 0)
		return -1;
	*n = o.len;
	return 0;
}

static int dec_str(struct dec *d, const char **s, size_t *len)
{
	struct mvs_mp_obj o;

	if (dec_expect(d, &o, MVS_MP_STR, MVS_MP_STR, "a str") != 0)
		return -1;
	*s = (const char *)o.data;
	*len = o.len;
	return 0;
}

/* A str as a new C string (NUL bytes inside are refused: names are C strings everywhere). */
static int dec_strdup(struct dec *d, char **out)
{
	const char *s;
	size_t len;

	if (dec_str(d, &s, &len) != 0)
		return -1;
	if (memchr(s, 0, len))
		return dec_fail(d, "str contains a NUL byte");
	char *c = malloc(len + 1);
	if (!c)
		return dec_fail(d, "out of memory");
	memcpy(c, s, len);
	c[len] = 0;
	free(*out);		/* a repeated key: the last one wins */
	*out = c;
	return 0;
}

/* A str as a text: every byte kept, U+0000 included (descriptions). */
static int dec_text(struct dec *d, struct mvs_text *out)
{
	const char *s;
	size_t len;

	if (dec_str(d, &s, &len) != 0)
		return -1;
	if (mvs_text_set(out, s, len) != 0)	/* a repeated key: the last one wins */
		return dec_fail(d, "out of memory");
	return 0;
}

/* Any msgpack integer: negative ones in *neg (set), the others in *u. */
static int dec_integer(struct dec *d, uint64_t *u, int64_t *neg, bool *negative)
{
	struct mvs_mp_obj o;

	if (dec_expect(d, &o, MVS_MP_UINT, MVS_MP_INT, "an integer") != 0)
		return -1;
	*negative = o.kind == MVS_MP_INT;
	*u = o.u;
	*neg = o.i;
	return 0;
}

/* Any msgpack int that fits int64 (uint64 above INT64_MAX is refused). */
static int dec_int(struct dec *d, int64_t *v)
{
	uint64_t u;
	bool negative;

	if (dec_integer(d, &u, v, &negative) != 0)
		return -1;
	if (negative)
		return 0;
	if (u > INT64_MAX)
		return dec_fail(d, "integer %" PRIu64 " is out of range", u);
	*v = (int64_t)u;
	return 0;
}

static int dec_int_range(struct dec *d, int64_t *v, int64_t min, int64_t max)
{
	int64_t x = 0;

	if (dec_int(d, &x) != 0)
		return -1;
	if (x < min || x > max)
		return dec_fail(d, "%" PRId64 " is out of range (%" PRId64 "..%" PRId64 ")", x, min, max);
	*v = x;
	return 0;
}

static int dec_uint64(struct dec *d, uint64_t *v)
{
	int64_t neg;
	bool negative;

	if (dec_integer(d, v, &neg, &negative) != 0)
		return -1;
	if (negative)
		return dec_fail(d, "expected an unsigned integer, found %" PRId64, neg);
	return 0;
}

static int dec_bool(struct dec *d, bool *v)
{
	struct mvs_mp_obj o;

	if (dec_expect(d, &o, MVS_MP_BOOL, MVS_MP_BOOL, "a bool") != 0)
		return -1;
	*v = o.b;
	return 0;
}

/* Skips one value, returning its span. */
static int dec_skip(struct dec *d, const unsigned char **start, size_t *len)
{
	size_t n = mvs_mp_skip(d->p, (size_t)(d->end - d->p));

	if (n == 0)
		return dec_fail(d, "malformed msgpack value");
	*start = d->p;
	*len = n;
	d->p += n;
	return 0;
}

/* Appends " \"key\"" or "[i]" to the key path; returns the old length to restore. */
static size_t key_push(struct dec *d, const char *key, size_t keylen)
{
	size_t old = strlen(d->key);

	snprintf(d->key + old, sizeof d->key - old, "%s\"%.*s\"", old ? " " : "",
		 (int)(keylen > 60 ? 60 : keylen), key);
	return old;
}

static size_t key_push_index(struct dec *d, size_t i)
{
	size_t old = strlen(d->key);

	snprintf(d->key + old, sizeof d->key - old, "[%zu]", i);
	return old;
}

static bool key_is(const char *k, size_t klen, const char *name)
{
	return klen == strlen(name) && memcmp(k, name, klen) == 0;
}

/* Calls one(d, ctx, key, keylen) for each entry of a map; one decodes or skips the value. The key
 * path is extended around each call. */
typedef int (*dec_entry_fn)(struct dec *d, void *ctx, const char *key, size_t keylen);

static int dec_map(struct dec *d, void *ctx, dec_entry_fn one)
{
	uint32_t n;

	if (dec_container(d, true, &n) != 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		size_t klen;

		if (dec_str(d, &k, &klen) != 0)
			return -1;
		size_t old = key_push(d, k, klen);
		if (one(d, ctx, k, klen) != 0)
			return -1;
		d->key[old] = 0;
	}
	return 0;
}

static int dec_ignore(struct dec *d)
{
	const unsigned char *s = NULL;
	size_t n = 0;

	return dec_skip(d, &s, &n);
}

static int kv_entry(struct dec *d, void *ctx, const char *key, size_t keylen)
{
	struct mvs_kvlist *list = ctx;
	char *value = NULL;

	if (memchr(key, 0, keylen))
		return dec_fail(d, "key contains a NUL byte");
	if (dec_strdup(d, &value) != 0)
		return -1;
	char *k = strndup(key, keylen);
	struct mvs_kv *items = realloc(list->items, (list->len + 1) * sizeof *items);
	if (!k || !items) {
		free(k);
		free(value);
		if (items)
			list->items = items;
		return dec_fail(d, "out of memory");
	}
	list->items = items;
	items[list->len].key = k;
	items[list->len].value = value;
	list->len++;
	return 0;
}

static int dec_kvlist(struct dec *d, struct mvs_kvlist *list)
{
	if (list->len)
		return dec_fail(d, "appears twice");
	return dec_map(d, list, kv_entry);
}

/* Decodes an array into a calloc'd array of count items of the given size, one(d, item) decoding
 * each. The array is handed back in *items even on failure, with *n counting the items to free. A
 * second array for the same key (*n already set) is refused, *items left as it was. */
static int dec_array(struct dec *d, void **items, size_t *n, size_t size,
		     int (*one)(struct dec *d, void *item))
{
	uint32_t count;

	if (*n)
		return dec_fail(d, "appears twice");
	*items = NULL;
	if (dec_container(d, false, &count) != 0)
		return -1;
	if (count > (size_t)(d->end - d->p))
		return dec_fail(d, "array of %" PRIu32 " elements exceeds the payload", count);
	if (count == 0)
		return 0;
	*items = calloc(count, size);
	if (!*items)
		return dec_fail(d, "out of memory");
	for (uint32_t i = 0; i < count; i++) {
		size_t old = key_push_index(d, i);
		*n = i + 1;	/* so a failure frees what was read */
		if (one(d, (char *)*items + i * size) != 0)
			return -1;
		d->key[old] = 0;
	}
	return 0;
}

static int dec_strv_item(struct dec *d, void *item)
{
	return dec_strdup(d, item);
}

/* An array of str as a calloc'd array of C strings. */
static int dec_strv(struct dec *d, char ***v, size_t *n)
{
	void *items = *v;
	int rc = dec_array(d, &items, n, sizeof **v, dec_strv_item);

	*v = items;
	return rc;
}

static int source_entry(struct dec *d, void *ctx, const char *k, size_t klen)
{
	struct mvs_schema *s = ctx;

	if (key_is(k, klen, "server_version"))
		return dec_strdup(d, &s->source_version);
	if (key_is(k, klen, "database"))
		return dec_strdup(d, &s->source_database);
	return dec_ignore(d);
}

static int shard_entry(struct dec *d, void *ctx, const char *k, size_t klen)
{
	struct mvs_schema *s = ctx;
	int64_t v = 0;

	if (key_is(k, klen, "index") || key_is(k, klen, "count")) {
		if (dec_int_range(d, &v, 0, UINT32_MAX) != 0)
			return -1;
		*(key_is(k, klen, "index") ? &s->shard_index : &s->shard_count) = (uint32_t)v;
		return 0;
	}
	if (key_is(k, klen, "filter"))
		return dec_strdup(d, &s->shard_filter);
	return dec_ignore(d);
}

static int collection_entry(struct dec *d, void *ctx, const char *k, size_t klen)
{
	struct mvs_schema *s = ctx;
	int64_t v = 0;

	if (key_is(k, klen, "name"))
		return dec_strdup(d, &s->name);
	if (key_is(k, klen, "description"))
		return dec_text(d, &s->description);
	if (key_is(k, klen, "shards_num")) {
		if (dec_int_range(d, &v, 0, INT32_MAX) != 0)
			return -1;
		s->shards_num = (int32_t)v;
		return 0;
	}
	if (key_is(k, klen, "consistency_level")) {
		char *name = NULL;
		if (dec_strdup(d, &name) != 0)
			return -1;
		s->consistency_level = mvs_consistency_parse(name);
		if (s->consistency_level < 0) {
			dec_fail(d, "unknown consistency level \"%.40s\" (expected Strong, Session, Bounded, "
				 "Eventually or Customized)", name);
			free(name);
			return -1;
		}
		free(name);
		return 0;
	}
	if (key_is(k, klen, "enable_dynamic_field"))
		return dec_bool(d, &s->enable_dynamic_field);
	if (key_is(k, klen, "num_partitions"))
		return dec_int_range(d, &s->num_partitions, 0, INT64_MAX);
	if (key_is(k, klen, "properties"))
		return dec_kvlist(d, &s->properties);
	return dec_ignore(d);
}

/* What a field map holds besides struct mvs_field itself, resolved once the map is read. */
struct field_ctx {
	struct mvs_field *f;
	char *type_name;
	int64_t type_id;
	bool has_type_id;
	char *element_type;
};

static int field_entry(struct dec *d, void *ctx, const char *k, size_t klen)
{
	struct field_ctx *fc = ctx;
	struct mvs_field *f = fc->f;

	if (key_is(k, klen, "name"))
		return dec_strdup(d, &f->name);
	if (key_is(k, klen, "type"))
		return dec_strdup(d, &fc->type_name);
	if (key_is(k, klen, "type_id")) {
		fc->has_type_id = true;
		return dec_int_range(d, &fc->type_id, 0, INT32_MAX);
	}
	if (key_is(k, klen, "description"))
		return dec_text(d, &f->description);
	if (key_is(k, klen, "primary_key"))
		return dec_bool(d, &f->primary_key);
	if (key_is(k, klen, "auto_id"))
		return dec_bool(d, &f->auto_id);
	if (key_is(k, klen, "nullable"))
		return dec_bool(d, &f->nullable);
	if (key_is(k, klen, "partition_key"))
		return dec_bool(d, &f->partition_key);
	if (key_is(k, klen, "clustering_key"))
		return dec_bool(d, &f->clustering_key);
	if (key_is(k, klen, "function_output"))
		return dec_bool(d, &f->function_output);
	if (key_is(k, klen, "dynamic"))
		return dec_bool(d, &f->is_dynamic);
	if (key_is(k, klen, "dim"))
		return dec_int_range(d, &f->dim, 0, INT32_MAX);
	if (key_is(k, klen, "max_length"))
		return dec_int_range(d, &f->max_length, 0, INT32_MAX);
	if (key_is(k, klen, "max_capacity"))
		return dec_int_range(d, &f->max_capacity, 0, INT32_MAX);
	if (key_is(k, klen, "element_type"))
		return dec_strdup(d, &fc->element_type);
	if (key_is(k, klen, "default")) {
		const unsigned char *v = NULL;
		size_t n = 0;
		if (dec_skip(d, &v, &n) != 0)
			return -1;
		free(f->default_value);
		f->default_value = malloc(n);
		if (!f->default_value)
			return dec_fail(d, "out of memory");
		memcpy(f->default_value, v, n);
		f->default_value_len = n;
		return 0;
	}
	if (key_is(k, klen, "type_params"))
		return dec_kvlist(d, &f->type_params);
	if (key_is(k, klen, "index_params"))
		return dec_kvlist(d, &f->index_params);
	return dec_ignore(d);
}

static int dec_field(struct dec *d, void *item)
{
	struct field_ctx fc = { .f = item };
	int rc = -1;

	if (dec_map(d, &fc, field_entry) != 0)
		goto out;
	if (!fc.f->name) {
		dec_fail(d, "the field has no \"name\"");
		goto out;
	}
	const struct mvs_type_info *info = fc.type_name ? mvs_type_by_name(fc.type_name) : NULL;
	if (info) {
		fc.f->type = info->type;
	} else if (fc.has_type_id) {
		/* A type this reader does not know (a newer writer): keep its number so the
		 * stream passes through; validation and value checks refuse it by name. */
		fc.f->type = (int)fc.type_id;
	} else if (fc.type_name) {
		dec_fail(d, "field \"%s\": unknown type \"%.40s\"", fc.f->name, fc.type_name);
		goto out;
	} else {
		dec_fail(d, "field \"%s\" has no \"type\"", fc.f->name);
		goto out;
	}
	if (fc.element_type) {
		const struct mvs_type_info *el = mvs_type_by_name(fc.element_type);
		if (!el) {
			dec_fail(d, "field \"%s\": unknown element_type \"%.40s\"", fc.f->name,
				 fc.element_type);
			goto out;
		}
		fc.f->element_type = el->type;
	}
	if (fc.f->default_value && mvs_type_info(fc.f->type)) {
		char why[200];
		if (mvs_value_check(fc.f, fc.f->default_value, fc.f->default_value_len, why,
				    sizeof why) != 0) {
			dec_fail(d, "bad \"default\": %s", why);
			goto out;
		}
	}
	rc = 0;
out:
	free(fc.type_name);
	free(fc.element_type);
	return rc;
}

static int function_entry(struct dec *d, void *ctx, const char *k, size_t klen)
{
	struct mvs_function *fn = ctx;
	int64_t v = 0;

	if (key_is(k, klen, "name"))
		return dec_strdup(d, &fn->name);
	if (key_is(k, klen, "description"))
		return dec_text(d, &fn->description);
	if (key_is(k, klen, "type")) {
		if (dec_int_range(d, &v, 0, INT32_MAX) != 0)
			return -1;
		fn->type = (int)v;
		return 0;
	}
	if (key_is(k, klen, "input_fields"))
		return dec_strv(d, &fn->input_fields, &fn->n_input_fields);
	if (key_is(k, klen, "output_fields"))
		return dec_strv(d, &fn->output_fields, &fn->n_output_fields);
	if (key_is(k, klen, "params"))
		return dec_kvlist(d, &fn->params);
	return dec_ignore(d);
}

static int dec_function(struct dec *d, void *item)
{
	struct mvs_function *fn = item;

	if (dec_map(d, fn, function_entry) != 0)
		return -1;
	if (!fn->name)
		return dec_fail(d, "the function has no \"name\"");
	return 0;
}

static int index_entry(struct dec *d, void *ctx, const char *k, size_t klen)
{
	struct mvs_index *ix = ctx;

	if (key_is(k, klen, "field"))
		return dec_strdup(d, &ix->field_name);
	if (key_is(k, klen, "name"))
		return dec_strdup(d, &ix->index_name);
	if (key_is(k, klen, "params"))
		return dec_kvlist(d, &ix->params);
	return dec_ignore(d);
}

static int dec_index(struct dec *d, void *item)
{
	struct mvs_index *ix = item;

	if (dec_map(d, ix, index_entry) != 0)
		return -1;
	if (!ix->field_name)
		return dec_fail(d, "the index has no \"field\"");
	return 0;
}

/* Which top-level keys were seen, to insist on the required ones. */
struct header_ctx {
	struct mvs_schema *s;
	bool has_collection, has_fields;
};

static int header_entry(struct dec *d, void *ctx, const char *k, size_t klen)
{
	struct header_ctx *hc = ctx;
	struct mvs_schema *s = hc->s;

	if (key_is(k, klen, "tool"))
		return dec_strdup(d, &s->tool);
	if (key_is(k, klen, "created"))
		return dec_strdup(d, &s->created);
	if (key_is(k, klen, "source"))
		return dec_map(d, s, source_entry);
	if (key_is(k, klen, "shard"))
		return dec_map(d, s, shard_entry);
	if (key_is(k, klen, "rows_expected")) {
		int64_t v = 0;
		if (dec_int_range(d, &v, 0, INT64_MAX) != 0)
			return -1;
		s->rows_expected = (uint64_t)v;
		return 0;
	}
	if (key_is(k, klen, "collection")) {
		hc->has_collection = true;
		return dec_map(d, s, collection_entry);
	}
	/* dec_array fills a void *, handed over to the typed member after */
	if (key_is(k, klen, "fields")) {
		void *items = s->fields;
		int rc;

		if (hc->has_fields)	/* an empty "fields" counts too */
			return dec_fail(d, "appears twice");
		hc->has_fields = true;
		rc = dec_array(d, &items, &s->n_fields, sizeof *s->fields, dec_field);
		s->fields = items;
		return rc;
	}
	if (key_is(k, klen, "functions")) {
		void *items = s->functions;
		int rc = dec_array(d, &items, &s->n_functions, sizeof *s->functions, dec_function);

		s->functions = items;
		return rc;
	}
	if (key_is(k, klen, "partitions"))
		return dec_strv(d, &s->partitions, &s->n_partitions);
	if (key_is(k, klen, "indexes")) {
		void *items = s->indexes;
		int rc = dec_array(d, &items, &s->n_indexes, sizeof *s->indexes, dec_index);

		s->indexes = items;
		return rc;
	}
	return dec_ignore(d);
}

static void dec_init(struct dec *d, const unsigned char *p, size_t len, char *err, size_t errlen)
{
	d->p = p;
	d->end = p + len;
	d->err = err;
	d->errlen = errlen;
	d->key[0] = 0;
}

static int dec_done(struct dec *d)
{
	d->key[0] = 0;
	if (d->p != d->end)
		return dec_fail(d, "%zu stray bytes after the payload's value", (size_t)(d->end - d->p));
	return 0;
}

int mvs_header_decode(const unsigned char *p, size_t len, struct mvs_schema *s, char *err,
		      size_t errlen)
{
	struct dec d;
	struct header_ctx hc = { .s = s };

	*s = (struct mvs_schema){ 0 };
	s->consistency_level = 2;	/* Bounded, Milvus's default, when the key is absent */
	dec_init(&d, p, len, err, errlen);
	if (dec_map(&d, &hc, header_entry) != 0 || dec_done(&d) != 0)
		goto fail;
	if (!hc.has_collection || !s->name) {
		dec_fail(&d, "the header has no \"collection\" \"name\"");
		goto fail;
	}
	if (!hc.has_fields) {
		dec_fail(&d, "the header has no \"fields\"");
		goto fail;
	}
	return 0;
fail:
	mvs_schema_free(s);
	return -1;
}

int mvs_partition_decode(const unsigned char *p, size_t len, char **name, char *err, size_t errlen)
{
	struct dec d;

	*name = NULL;
	dec_init(&d, p, len, err, errlen);
	if (dec_strdup(&d, name) != 0 || dec_done(&d) != 0) {
		free(*name);
		*name = NULL;
		return -1;
	}
	return 0;
}

struct trailer_ctx {
	uint64_t rows, checksum;
	bool has_rows, has_checksum;
};

static int trailer_entry(struct dec *d, void *ctx, const char *k, size_t klen)
{
	struct trailer_ctx *tc = ctx;

	if (key_is(k, klen, "rows")) {
		tc->has_rows = true;
		return dec_uint64(d, &tc->rows);
	}
	if (key_is(k, klen, "checksum")) {
		tc->has_checksum = true;
		return dec_uint64(d, &tc->checksum);
	}
	return dec_ignore(d);
}

int mvs_trailer_decode(const unsigned char *p, size_t len, uint64_t *rows, uint64_t *checksum,
		       char *err, size_t errlen)
{
	struct dec d;
	struct trailer_ctx tc = { 0 };

	dec_init(&d, p, len, err, errlen);
	if (dec_map(&d, &tc, trailer_entry) != 0 || dec_done(&d) != 0)
		return -1;
	if (!tc.has_rows || !tc.has_checksum)
		return dec_fail(&d, "the trailer has no \"%s\"", tc.has_rows ? "checksum" : "rows");
	*rows = tc.rows;
	*checksum = tc.checksum;
	return 0;
}

struct abort_ctx {
	char *tool, *message;
};

static int abort_entry(struct dec *d, void *ctx, const char *k, size_t klen)
{
	struct abort_ctx *ac = ctx;

	if (key_is(k, klen, "tool"))
		return dec_strdup(d, &ac->tool);
	if (key_is(k, klen, "message"))
		return dec_strdup(d, &ac->message);
	return dec_ignore(d);
}

int mvs_abort_decode(const unsigned char *p, size_t len, char **tool, char **message, char *err,
		     size_t errlen)
{
	struct dec d;
	struct abort_ctx ac = { 0 };

	dec_init(&d, p, len, err, errlen);
	if (dec_map(&d, &ac, abort_entry) != 0 || dec_done(&d) != 0) {
		free(ac.tool);
		free(ac.message);
		return -1;
	}
	*tool = ac.tool;
	*message = ac.message;
	return 0;
}
