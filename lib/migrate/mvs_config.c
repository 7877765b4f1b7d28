/* Reads migration.yaml (see mvs_config.h and man/migration.yaml.5). libyaml's document API gives a node
 * tree with positions; a table of known keys per mapping drives the walk, so each problem names
 * FILE:LINE:COLUMN, an unknown key gets the closest known one as a suggestion, and a wrong value is
 * answered with the values allowed. The YAML is read as milvus-migration reads it through viper and
 * yaml.v3: keys match case-insensitively (viper lowercases them), merge keys (<<) and dotted keys
 * ("meta.collection: x") work, and only the first document counts (see walk_entries). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf, explicit_bzero */
#endif
#include "mvs_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define MAX_DIAG_LINES 100
#define MAX_KEYS 16		/* most keys a table has */
#define MAX_ENTRIES 100000	/* keys and mappings read, merged ones included: aliases multiply them */
#define MAX_MERGE_DEPTH 8	/* a merged mapping's own merges, and theirs ... */

enum kind {
	K_MAP,		/* a nested mapping with its own table */
	K_STR,		/* char * */
	K_SECRET,	/* char *, and the ${NAME} it came from in another char * */
	K_INT,		/* int64_t within [min, max] */
	K_BOOL,		/* int: -1 absent, 0, 1 */
	K_ENUM,		/* int: index into allowed, -1 absent */
	K_NAMES,	/* struct mvs_cfg_list from "- name: x" items (or plain "- x") */
	K_LIST,		/* struct mvs_cfg_list from plain "- x" items */
	K_COLLECTIONS,	/* struct coll_array from meta.collections */
};

struct ctx;

struct key {
	const char *name;		/* canonical spelling */
	enum kind kind;
	size_t off;			/* where the value goes, from the mapping's base */
	const struct key *children;	/* K_MAP; K_COLLECTIONS: the item keys */
	const char *const *allowed;	/* K_ENUM, NULL-terminated */
	int64_t min, max;		/* K_INT */
	size_t aux;			/* K_SECRET: offset of the variable name */
	void (*check)(struct ctx *c, const yaml_node_t *v, const char *path, const char *value);
};

struct coll_array {
	struct mvs_cfg_collection *v;
	size_t n;
};

/* What the walk fills: the public struct plus what is resolved into it afterwards. */
struct raw {
	struct mvs_cfg cfg;
	struct mvs_cfg_collection one;	/* meta.collection, meta.fields, ..., meta.milvus.collection */
	struct coll_array list;		/* meta.collections */
	int work_mode, meta_mode, consistency, auto_id, close_dynamic;
	int64_t ignored;		/* keys milvus-migration parses but never uses in milvus2x mode */
};

struct ctx {
	const char *name;
	struct mvs_cfg_diag *diag;
	yaml_document_t *doc;
	char **present;		/* full paths of the keys the file has, for "is required" */
	size_t npresent;
	size_t nentries;	/* keys and mappings read so far (MAX_ENTRIES) */
};

static const char *const work_modes[] = { "milvus2x", NULL };
static const char *const meta_modes[] = { "config", NULL };
static const char *const write_modes[] = { "insert", "upsert", NULL };
static const char *const consistency_levels[] = {
	"Strong", "Session", "Bounded", "Eventually", "Customized", NULL };
static const char *const auto_ids[] = { "true", "false", NULL };	/* "" = as the source */

static void check_version(struct ctx *c, const yaml_node_t *v, const char *path, const char *value);
static void check_endpoint(struct ctx *c, const yaml_node_t *v, const char *path, const char *value);

#define MAP(n, o, ch) { .name = n, .kind = K_MAP, .off = o, .children = ch }
#define STR(n, o) { .name = n, .kind = K_STR, .off = o }
#define SECRET(n, o, var) { .name = n, .kind = K_SECRET, .off = o, .aux = var }
#define INT(n, o, lo, hi) { .name = n, .kind = K_INT, .off = o, .min = lo, .max = hi }
#define BOOL(n, o) { .name = n, .kind = K_BOOL, .off = o }
#define ENUM(n, o, a) { .name = n, .kind = K_ENUM, .off = o, .allowed = a }
#define RAW(f) offsetof(struct raw, f)
#define CONN(f) offsetof(struct mvs_cfg_conn, f)
#define COLL(f) offsetof(struct mvs_cfg_collection, f)

static const struct key grpc_keys[] = {
	INT("maxCallRecvMsgSize", CONN(max_recv_bytes), INT64_MIN, INT32_MAX),
	INT("maxCallSendMsgSize", CONN(max_send_bytes), INT64_MIN, INT32_MAX),
	{ 0 }
};

static const struct key tls_keys[] = {
	STR("caFile", CONN(tls_ca)),
	STR("certFile", CONN(tls_cert)),
	STR("keyFile", CONN(tls_key)),
	STR("serverName", CONN(tls_server_name)),
	{ 0 }
};

#define CONN_KEYS \
	{ .name = "endpoint", .kind = K_STR, .off = CONN(endpoint), .check = check_endpoint }, \
	STR("username", CONN(username)), \
	SECRET("password", CONN(password), CONN(password_var)), \
	SECRET("token", CONN(token), CONN(token_var)), \
	STR("database", CONN(database)), \
	MAP("grpc", 0, grpc_keys), \
	MAP("tls", 0, tls_keys)

static const struct key source_conn_keys[] = {
	CONN_KEYS,
	BOOL("load", CONN(load)),
	{ 0 }
};

static const struct key target_conn_keys[] = {
	CONN_KEYS,
	ENUM("writeMode", CONN(upsert), write_modes),
	BOOL("createDatabase", CONN(create_database)),
	{ 0 }
};

static const struct key source_keys[] = { MAP("milvus2x", RAW(cfg.source), source_conn_keys), { 0 } };
static const struct key target_keys[] = { MAP("milvus2x", RAW(cfg.target), target_conn_keys), { 0 } };

static const struct key reader_keys[] = {
	INT("bufferSize", RAW(cfg.buffer_size), INT64_MIN, MVS_CFG_MAX_PAGE),
	{ 0 }
};

static const struct key writer_keys[] = { INT("bufferSize", RAW(ignored), INT64_MIN, INT64_MAX), { 0 } };

static const struct key worker_keys[] = {
	ENUM("workMode", RAW(work_mode), work_modes),
	MAP("reader", 0, reader_keys),
	MAP("writer", 0, writer_keys),
	INT("limit", RAW(ignored), INT64_MIN, INT64_MAX),
	INT("parallelism", RAW(cfg.parallelism), 1, MVS_CFG_MAX_PARALLEL),
	{ 0 }
};

static const struct key dumper_keys[] = { MAP("worker", 0, worker_keys), { 0 } };

static const struct key milvus_keys[] = {
	STR("collection", RAW(one.target)),
	INT("shardNum", RAW(cfg.shard_num), 0, MVS_CFG_MAX_SHARDS),
	BOOL("closeDynamicField", RAW(close_dynamic)),
	ENUM("consistencyLevel", RAW(consistency), consistency_levels),
	ENUM("autoId", RAW(auto_id), auto_ids),
	{ 0 }
};

static const struct key collection_keys[] = {
	STR("name", COLL(name)),
	STR("target", COLL(target)),
	{ .name = "fields", .kind = K_NAMES, .off = COLL(fields) },
	STR("filter", COLL(filter)),
	{ .name = "partitions", .kind = K_LIST, .off = COLL(partitions) },
	{ 0 }
};

static const struct key meta_keys[] = {
	ENUM("mode", RAW(meta_mode), meta_modes),
	{ .name = "version", .kind = K_STR, .off = RAW(cfg.version), .check = check_version },
	STR("collection", RAW(one.name)),
	{ .name = "fields", .kind = K_NAMES, .off = RAW(one.fields) },
	MAP("milvus", 0, milvus_keys),
	STR("filter", RAW(one.filter)),
	{ .name = "partitions", .kind = K_LIST, .off = RAW(one.partitions) },
	{ .name = "collections", .kind = K_COLLECTIONS, .off = RAW(list), .children = collection_keys },
	BOOL("createIndex", RAW(cfg.create_index)),
	BOOL("load", RAW(cfg.load)),
	BOOL("verify", RAW(cfg.verify)),
	{ 0 }
};

static const struct key root_keys[] = {
	MAP("dumper", 0, dumper_keys),
	MAP("meta", 0, meta_keys),
	MAP("source", 0, source_keys),
	MAP("target", 0, target_keys),
	{ 0 }
};

/* The item of a "- name: x" list. */
static const struct key name_keys[] = { STR("name", 0), { 0 } };

static void diag_vadd(struct mvs_cfg_diag *d, const char *name, const yaml_mark_t *m, bool error,
		      const char *fmt, va_list ap)
{
	char msg[1024], *line;
	int n;

	if (error)
		d->errors++;
	else
		d->warnings++;
	if (d->n >= MAX_DIAG_LINES)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (m)
		n = asprintf(&line, "%s:%zu:%zu: %s: %s", name, m->line + 1, m->column + 1,
			     error ? "error" : "warning", msg);
	else
		n = asprintf(&line, "%s: %s: %s", name, error ? "error" : "warning", msg);
	if (n < 0)
		return;
	char **lines = realloc(d->lines, (d->n + 1) * sizeof *lines);
	if (!lines) {
		free(line);
		return;
	}
	d->lines = lines;
	d->lines[d->n++] = line;
}

__attribute__((format(printf, 4, 5)))
static void diag(struct ctx *c, const yaml_mark_t *m, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->diag, c->name, m, error, fmt, ap);
	va_end(ap);
}

/* A problem at a node of the document (never NULL); diag(c, NULL, ...) for one of the whole file. */
#define error_at(c, node, ...) diag(c, &(node)->start_mark, true, __VA_ARGS__)
#define warn_at(c, node, ...) diag(c, &(node)->start_mark, false, __VA_ARGS__)

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a single value";
	}
}

static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	return len == 0 || (len == 1 && s[0] == '~') ||
	       (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static void join(char *out, size_t size, const char *path, const char *name)
{
	snprintf(out, size, "%s%s%s", path, *path ? "." : "", name);
}

/* Growable string for ${VAR} expansion. */
struct buf {
	char *p;
	size_t len, cap;
};

static bool buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return false;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

static bool var_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 128 || !(s[0] == '_' || ((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= '0' && s[i] <= '9') || ((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z')))
			return false;
	return true;
}

/* Replaces each ${NAME} by the environment variable; "$${" stands for a literal "${". Sets *var to
 * NAME when the whole value is one reference. Returns NULL after reporting a problem. */
static char *expand(struct ctx *c, const yaml_node_t *v, const char *path, const char *s, size_t len,
		    char **var)
{
	struct buf b = { 0 };
	bool ok = buf_add(&b, "", 0);

	for (size_t i = 0; ok && i < len; i++) {
		if (s[i] != '$' || i + 1 >= len) {
			ok = buf_add(&b, s + i, 1);
		} else if (s[i + 1] == '$' && i + 2 < len && s[i + 2] == '{') {
			ok = buf_add(&b, "${", 2);
			i += 2;
		} else if (s[i + 1] == '{') {
			const char *end = memchr(s + i + 2, '}', len - i - 2);
			if (!end) {
				error_at(c, v, "%s: unterminated \"${\" (write \"$${\" for a literal \"${\")", path);
				goto fail;
			}
			const char *name = s + i + 2;
			size_t n = (size_t)(end - name);
			if (!var_name_ok(name, n) && var) {
				/* var is asked for a secret only: its text is never shown. */
				error_at(c, v, "%s: a \"${...}\" that is not an environment variable reference (a "
					 "name of letters, digits and _; the value is a secret, so it is not shown)", path);
				goto fail;
			}
			if (!var_name_ok(name, n)) {
				error_at(c, v, "%s: \"${%.*s}\" is not an environment variable reference "
					 "(a name of letters, digits and _)", path, (int)(n > 64 ? 64 : n), name);
				goto fail;
			}
			char vname[129];
			memcpy(vname, name, n);
			vname[n] = '\0';
			const char *value = getenv(vname);
			if (!value) {
				error_at(c, v, "%s: environment variable %s is not set", path, vname);
				goto fail;
			}
			ok = buf_add(&b, value, strlen(value));
			if (ok && var && i == 0 && end == s + len - 1)
				*var = strdup(vname);
			i = (size_t)(end - s);
		} else {
			ok = buf_add(&b, s + i, 1);
		}
	}
	if (ok)
		return b.p;
	error_at(c, v, "%s: out of memory", path);
fail:
	free(b.p);
	return NULL;
}

/* The text of a scalar, ${VAR}s expanded; *out NULL for a null or empty value. False on a problem. */
static bool scalar(struct ctx *c, const yaml_node_t *v, const char *path, char **out, char **var)
{
	*out = NULL;
	if (var)
		*var = NULL;
	if (v->type != YAML_SCALAR_NODE) {
		error_at(c, v, "%s: expected a single value, found %s", path, node_kind(v));
		return false;
	}
	if (is_null(v))
		return true;
	const char *s = (const char *)v->data.scalar.value;
	size_t len = v->data.scalar.length;
	if (memchr(s, '\0', len)) {
		error_at(c, v, "%s: the value contains a NUL character", path);
		return false;
	}
	char *text = expand(c, v, path, s, len, var);
	if (!text)
		return false;
	if (!*text) {
		free(text);
		if (var) {
			free(*var);
			*var = NULL;
		}
		return true;
	}
	*out = text;
	return true;
}

/* Where the host part of an endpoint starts (after "http://", "https://" or "tcp://"), or NULL for a
 * unix: socket, whose text is all path. */
static const char *endpoint_host(const char *value)
{
	static const char *const schemes[] = { "https://", "http://", "tcp://" };

	if (strncmp(value, "unix:", 5) == 0)
		return NULL;
	for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++)
		if (strncmp(value, schemes[i], strlen(schemes[i])) == 0)
			return value + strlen(schemes[i]);
	return value;
}

/* The database that the path of an endpoint names, path being what follows host:port: "/db1" and
 * "/db1/" name db1 (milvus-sdk-go drops the leading slashes; the trailing one is dropped too). */
static const char *endpoint_database(const char *path, size_t *len)
{
	const char *db = path + strspn(path, "/");

	*len = strcspn(db, "?#");
	while (*len && db[*len - 1] == '/')
		--*len;
	return db;
}

/* The endpoint as mvs-export and mvs-import will read it as --uri (lib/milvus/mvs_milvus_uri.c), so
 * that --dry-run finds what they would refuse at start, and its path as milvus-sdk-go reads one
 * ("host:19530/db1": the database; see resolve_endpoint). user:password@host would put the password
 * on mvs-export's command line (visible in ps) and in messages: refused, without repeating it. */
static void check_endpoint(struct ctx *c, const yaml_node_t *v, const char *path, const char *value)
{
	const char *host = endpoint_host(value);

	if (!host) {
		if (value[5] != '/')
			error_at(c, v, "%s: a unix socket needs an absolute path (unix:/path)", path);
		return;
	}
	if (host == value && strstr(value, "://")) {
		error_at(c, v, "%s: the scheme must be http://, https:// or tcp:// (or unix:/path)", path);
		return;
	}
	size_t len = strcspn(host, "/?#");
	if (memchr(host, '@', len)) {
		error_at(c, v, "%s: credentials do not go in the endpoint (give username and password, or "
			 "token, preferably as ${VAR})", path);
		return;
	}
	const char *end = host + len, *port = NULL;
	if (*host == '[') {
		const char *close = memchr(host, ']', len);
		if (!close || (close + 1 < end && close[1] != ':')) {
			error_at(c, v, "%s: write an IPv6 address as [ADDRESS]:PORT", path);
			return;
		}
		port = close + 1 < end ? close + 2 : NULL;
	} else {
		const char *colon = memchr(host, ':', len);
		if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1))) {
			error_at(c, v, "%s: write an IPv6 address in brackets: [ADDRESS]:PORT", path);
			return;
		}
		port = colon ? colon + 1 : NULL;
	}
	if (len == 0 || *host == ':' || (*host == '[' && host[1] == ']'))
		error_at(c, v, "%s: no host before the port", path);
	if (port) {
		int64_t n = 0;
		size_t digits = (size_t)(end - port);
		for (size_t i = 0; i < digits && n <= 65535; i++)
			n = (port[i] >= '0' && port[i] <= '9') ? n * 10 + (port[i] - '0') : 65536;
		if (digits == 0 || n < 1 || n > 65535)
			error_at(c, v, "%s: the port must be a number from 1 to 65535", path);
	}
	size_t db_len;
	const char *db = endpoint_database(end, &db_len);
	if (memchr(db, '/', db_len))
		error_at(c, v, "%s: \"%.*s\" after host:port is not a database name (host:port/DATABASE names "
			 "one, as milvus-migration reads it)", path, (int)(db_len > 64 ? 64 : db_len), db);
	if (end[strcspn(end, "?#")])	/* not shown: a query may hold a token */
		warn_at(c, v, "%s: the part from \"%c\" on is ignored, as milvus-migration ignores it", path,
			end[strcspn(end, "?#")]);
}

static void check_version(struct ctx *c, const yaml_node_t *v, const char *path, const char *value)
{
	if (strncmp(value, "2.", 2) != 0)
		warn_at(c, v, "%s: \"%s\" is not a Milvus 2.x version; mvs reads Milvus 2.3 and later "
			"(the value is informational)", path, value);
}

static bool parse_int(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return false;
	*out = v;
	return true;
}

static int parse_bool(const char *s)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };

	for (int i = 0; yes[i]; i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

static void allowed_list(const char *const *allowed, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; allowed[i] && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "", allowed[i]);
}

static void list_add(struct ctx *c, struct mvs_cfg_list *l, char *s)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);
	if (!v) {
		diag(c, NULL, true, "out of memory");
		free(s);
		return;
	}
	l->v = v;
	l->v[l->n++] = s;
}

static void list_free(struct mvs_cfg_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void walk_map(struct ctx *c, yaml_node_t *node, const struct key *keys, char *base, const char *path);
static void cfg_contents_free(struct mvs_cfg *cfg);

/* A list of names: plain items, or (names) "- name: x" items. Names must be unique. */
static void walk_list(struct ctx *c, yaml_node_t *v, const char *path, bool names, struct mvs_cfg_list *l)
{
	if (is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		error_at(c, v, "%s: expected a list (lines starting with \"- %s\"), found %s", path,
			 names ? "name: " : "", node_kind(v));
		return;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		char *s = NULL;
		if (!item)
			continue;
		if (names && item->type == YAML_MAPPING_NODE) {
			walk_map(c, item, name_keys, (char *)&s, path);
			if (!s) {
				error_at(c, item, "%s: each item needs \"name: FIELD\"", path);
				continue;
			}
		} else if (!scalar(c, item, path, &s, NULL)) {
			continue;
		} else if (!s) {
			error_at(c, item, "%s: empty item", path);
			continue;
		}
		for (size_t i = 0; i < l->n; i++) {
			if (strcmp(l->v[i], s) == 0) {
				error_at(c, item, "%s: \"%s\" is listed twice", path, s);
				free(s);
				s = NULL;
				break;
			}
		}
		if (s)
			list_add(c, l, s);
	}
}

static void collection_free(struct mvs_cfg_collection *col)
{
	free(col->name);
	free(col->target);
	free(col->filter);
	list_free(&col->fields);
	list_free(&col->partitions);
}

static void walk_collections(struct ctx *c, yaml_node_t *v, const struct key *k, const char *path,
			     struct coll_array *a)
{
	if (is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		error_at(c, v, "%s: expected a list of collections (\"- name: COLLECTION\" items), found %s",
			 path, node_kind(v));
		return;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n == 0)
		return;
	a->v = calloc(n, sizeof *a->v);
	if (!a->v) {
		error_at(c, v, "%s: out of memory", path);
		return;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		struct mvs_cfg_collection *col = &a->v[a->n++];
		if (!item)
			continue;
		if (item->type == YAML_MAPPING_NODE)
			walk_map(c, item, k->children, (char *)col, path);
		else
			scalar(c, item, path, &col->name, NULL);
		if (!col->name)
			error_at(c, item, "%s: each item needs \"name: COLLECTION\" (the source collection)", path);
	}
}

static void set_value(struct ctx *c, yaml_node_t *v, const struct key *k, char *base, const char *path)
{
	char *s = NULL, *var = NULL, allowed[256];
	void *field = base + k->off;

	switch (k->kind) {
	case K_MAP:	/* walk_entries reads mappings itself, with their dotted and merged keys */
		return;
	case K_STR:
	case K_SECRET:
		if (!scalar(c, v, path, &s, k->kind == K_SECRET ? &var : NULL))
			return;
		*(char **)field = s;
		if (k->kind == K_SECRET)
			*(char **)(base + k->aux) = var;
		if (s && k->check)
			k->check(c, v, path, s);
		return;
	case K_INT: {
		int64_t n;
		if (!scalar(c, v, path, &s, NULL) || !s)
			return;
		if (!parse_int(s, &n) || n < k->min || n > k->max) {
			if (k->min == INT64_MIN)
				error_at(c, v, "%s: expected a whole number up to %lld, found \"%s\"", path,
					 (long long)k->max, s);
			else
				error_at(c, v, "%s: expected a whole number from %lld to %lld, found \"%s\"", path,
					 (long long)k->min, (long long)k->max, s);
		} else {
			*(int64_t *)field = n;
		}
		free(s);
		return;
	}
	case K_BOOL:
		if (!scalar(c, v, path, &s, NULL) || !s)
			return;
		*(int *)field = parse_bool(s);
		if (*(int *)field < 0)
			error_at(c, v, "%s: expected true or false, found \"%s\"", path, s);
		free(s);
		return;
	case K_ENUM:
		if (!scalar(c, v, path, &s, NULL) || !s)
			return;
		for (int i = 0; k->allowed[i]; i++) {
			if (strcasecmp(s, k->allowed[i]) == 0) {
				*(int *)field = i;
				free(s);
				return;
			}
		}
		*(int *)field = -2;	/* present but invalid: no "is required" later */
		allowed_list(k->allowed, allowed, sizeof allowed);
		if (k->allowed == work_modes)
			error_at(c, v, "%s: \"%s\" is not supported: mvs migrates Milvus 2.x to Milvus 2.x "
				 "(allowed: %s)", path, s, allowed);
		else
			error_at(c, v, "%s: invalid value \"%s\" (allowed: %s%s)", path, s, allowed,
				 k->allowed == auto_ids ? ", or empty for the source's setting" : "");
		free(s);
		return;
	case K_NAMES:
	case K_LIST:
		walk_list(c, v, path, k->kind == K_NAMES, field);
		return;
	case K_COLLECTIONS:
		walk_collections(c, v, k, path, field);
		return;
	}
}

/* Levenshtein distance, case-insensitive, of two short keys. */
static size_t distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = ((a[i - 1] | 32) == (b[j - 1] | 32)) ? 0 : 1;
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* s, len: the key as written from this level down ("colection", or "meta.colection" at the top). */
static void unknown_key(struct ctx *c, const yaml_node_t *key, const char *s, size_t len,
			const struct key *keys, const char *path)
{
	size_t best = SIZE_MAX;
	const char *suggestion = NULL;
	char where[300];

	for (const struct key *k = keys; k->name; k++) {
		size_t d = distance(s, len, k->name);
		if (d < best) {
			best = d;
			suggestion = k->name;
		}
	}
	if (*path)
		snprintf(where, sizeof where, "in %s", path);
	else
		snprintf(where, sizeof where, "at the top level");
	if (suggestion && best <= 1 + len / 4)
		warn_at(c, key, "unknown key \"%.*s\" %s (did you mean \"%s\"?)", (int)(len > 64 ? 64 : len), s,
			where, suggestion);
	else
		warn_at(c, key, "unknown key \"%.*s\" %s (ignored)", (int)(len > 64 ? 64 : len), s, where);
}

/* Remembers that the file has the key at path; bad: its value was already reported. */
static void mark_present(struct ctx *c, const char *path, bool bad)
{
	char **v = realloc(c->present, (c->npresent + 1) * sizeof *v);
	if (!v)
		return;
	c->present = v;
	if (asprintf(&v[c->npresent], "%c%s", bad ? '!' : '=', path) >= 0)
		c->npresent++;
}

/* 0: the file lacks the key; 1: it has it; 2: it has it with a value already reported as bad. */
static int present(const struct ctx *c, const char *path)
{
	for (size_t i = 0; i < c->npresent; i++)
		if (strcmp(c->present[i] + 1, path) == 0)
			return c->present[i][0] == '!' ? 2 : 1;
	return 0;
}

/* "is required" when the key is missing, "is empty" when its value is; silent when its value was bad. */
static void require(struct ctx *c, bool have, const char *path, const char *what)
{
	int p = have ? 2 : present(c, path);

	if (p == 1)
		diag(c, NULL, true, "%s is empty; %s", path, what);
	else if (p == 0)
		diag(c, NULL, true, "%s is required; %s", path, what);
}

/* One key of a mapping as viper reads it: written in the mapping, merged into it ("<<: *anchor"), or
 * handed down from a dotted key of an enclosing mapping ("meta.collection: x" at the top level is
 * meta's "collection", as viper.Get("meta.collection") finds it). A key given more than once (in
 * another case, merged and written, dotted and nested) is read from the entry of the highest rank,
 * the last among equals, with a warning. */
enum { RANK_MERGED = 0, RANK_WRITTEN = 2, RANK_DOTTED = 4 };

struct entry {
	yaml_node_t *key;	/* where it is written, for messages */
	const char *name;	/* the key's text from this level down */
	size_t len;
	yaml_node_t *value;
	int rank;
	bool dotted;		/* named by a dotted key, or inside the mapping of one */
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

/* Counts a key or a mapping read; false (once with an error) past MAX_ENTRIES: aliases can make a
 * small file name a great many, as merge lists of merge lists do. */
static bool budget(struct ctx *c, const yaml_node_t *at)
{
	if (++c->nentries <= MAX_ENTRIES)
		return true;
	if (c->nentries == MAX_ENTRIES + 1)
		error_at(c, at, "more than %d keys through merge keys (<<) and aliases; write the keys out",
			 MAX_ENTRIES);
	return false;
}

static void entries_add(struct ctx *c, struct entries *l, struct entry e)
{
	if (!budget(c, e.key))
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct entry *v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			diag(c, NULL, true, "out of memory");
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = e;
}

/* "<<", YAML's merge key (viper reads YAML with yaml.v3, which merges). A quoted "<<" is a plain key. */
static bool is_merge_key(const yaml_node_t *key)
{
	return key->type == YAML_SCALAR_NODE && key->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       key->data.scalar.length == 2 && memcmp(key->data.scalar.value, "<<", 2) == 0;
}

static void gather(struct ctx *c, yaml_node_t *node, int rank, struct entries *out, const char *path, int depth);

/* The keys that mapping src merges into the mapping whose keys are out->v[first..]: those it does not
 * write itself, the first merged mapping winning (YAML's rule). */
static void merge_from(struct ctx *c, yaml_node_t *src, int rank, struct entries *out, size_t first,
		       const char *path, int depth)
{
	struct entries more = { 0 };

	if (!src || src->type != YAML_MAPPING_NODE) {
		if (src)
			error_at(c, src, "%s%s<<: a merge key takes a mapping (*anchor) or a list of them, found %s",
				 path, *path ? "." : "", node_kind(src));
		return;
	}
	gather(c, src, rank, &more, path, depth + 1);
	for (size_t i = 0; i < more.n; i++) {
		bool written = false;
		for (size_t j = first; j < out->n && !written; j++)
			written = out->v[j].len == more.v[i].len && !memcmp(out->v[j].name, more.v[i].name, more.v[i].len);
		if (!written)
			entries_add(c, out, more.v[i]);
	}
	free(more.v);
}

/* Adds the keys of mapping node to out: its own at rank, then the merged ones below it. */
static void gather(struct ctx *c, yaml_node_t *node, int rank, struct entries *out, const char *path, int depth)
{
	size_t first = out->n;
	char where[300];

	if (!budget(c, node))
		return;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *value = yaml_document_get_node(c->doc, p->value);
		if (!key || !value || is_merge_key(key))
			continue;
		if (key->type != YAML_SCALAR_NODE) {
			error_at(c, key, "a key must be a plain name, found %s", node_kind(key));
			continue;
		}
		const char *s = (const char *)key->data.scalar.value;
		size_t len = key->data.scalar.length, j = first;
		while (j < out->n && !(out->v[j].len == len && !memcmp(out->v[j].name, s, len)))
			j++;
		if (j < out->n) {	/* yaml.v3 refuses this too */
			join(where, sizeof where, path, s);
			error_at(c, key, "%s: duplicate key (first at line %zu, column %zu)", where,
				 out->v[j].key->start_mark.line + 1, out->v[j].key->start_mark.column + 1);
			continue;
		}
		entries_add(c, out, (struct entry){ key, s, len, value, rank, false });
	}
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *value = yaml_document_get_node(c->doc, p->value);
		if (!key || !value || !is_merge_key(key))
			continue;
		if (depth >= MAX_MERGE_DEPTH) {
			error_at(c, key, "merge keys (<<) nested more than %d deep (does an anchor merge itself?)",
				 MAX_MERGE_DEPTH);
			continue;
		}
		if (value->type != YAML_SEQUENCE_NODE) {
			merge_from(c, value, rank - 1, out, first, path, depth);
			continue;
		}
		for (yaml_node_item_t *it = value->data.sequence.items.start; it < value->data.sequence.items.top; it++)
			merge_from(c, yaml_document_get_node(c->doc, *it), rank - 1, out, first, path, depth);
	}
}

/* Adds the keys of node, which must be a mapping (or empty), to out. */
static void mapping_entries(struct ctx *c, yaml_node_t *node, int rank, struct entries *out, const char *path)
{
	if (!node || is_null(node))
		return;
	if (node->type != YAML_MAPPING_NODE) {
		error_at(c, node, "%s: expected a mapping (\"key: value\" lines), found %s",
			 *path ? path : "the config", node_kind(node));
		return;
	}
	gather(c, node, rank, out, path, 0);
}

/* The key of keys that entry e names at this level (-1: none); *dot: where its text goes on below. */
static int entry_key(const struct entry *e, const struct key *keys, const char **dot)
{
	size_t len;

	*dot = memchr(e->name, '.', e->len);
	len = *dot ? (size_t)(*dot - e->name) : e->len;
	for (int i = 0; keys[i].name; i++)
		if (strlen(keys[i].name) == len && strncasecmp(keys[i].name, e->name, len) == 0)
			return i;
	return -1;
}

static void given_twice(struct ctx *c, const char *path, const struct entry *first, const struct entry *later,
			const struct entry *read)
{
	const char *why = read->dotted && !(first->dotted && later->dotted) ?
				  "the dotted key is read, as viper reads it" :
			  first->rank == later->rank ? "the last one is read (keys are case-insensitive, as viper's)" :
			  read->rank >= RANK_WRITTEN ? "the one written here is read, not the merged one" :
						       "the first merged one is read";

	warn_at(c, later->key, "%s: given again (first at line %zu, column %zu); %s", path,
		first->key->start_mark.line + 1, first->key->start_mark.column + 1, why);
}

/* Reads the keys of one level. A mapping's keys come from all of its entries (its written mapping,
 * another spelling of it, dotted keys naming keys inside it), so they are read once, together. */
static void walk_entries(struct ctx *c, const struct entries *in, const struct key *keys, char *base,
			 const char *path)
{
	const struct entry *best[MAX_KEYS] = { 0 };
	struct entries below[MAX_KEYS] = { 0 };	/* the entries of each K_MAP key's level */
	bool done[MAX_KEYS] = { 0 };
	char child[300];
	const char *dot;

	for (size_t n = 0; n < in->n; n++) {
		const struct entry *e = &in->v[n];
		int i = entry_key(e, keys, &dot);
		if (i < 0 || (dot && keys[i].kind != K_MAP)) {
			unknown_key(c, e->key, e->name, e->len, keys, path);
			continue;
		}
		join(child, sizeof child, path, keys[i].name);
		if (dot) {
			entries_add(c, &below[i], (struct entry){ e->key, dot + 1, e->len - (size_t)(dot + 1 - e->name),
								 e->value, e->rank + RANK_DOTTED - RANK_WRITTEN, true });
		} else if (keys[i].kind == K_MAP) {
			size_t from = below[i].n;
			if (best[i] && best[i]->rank == e->rank && !e->dotted)
				warn_at(c, e->key, "%s: given again (first at line %zu, column %zu); the keys of both are "
					"read, the last one's where both give one (keys are case-insensitive, as viper's)",
					child, best[i]->key->start_mark.line + 1, best[i]->key->start_mark.column + 1);
			if (!best[i])
				best[i] = e;
			mapping_entries(c, e->value, e->rank, &below[i], child);
			for (size_t k = from; k < below[i].n; k++)
				below[i].v[k].dotted = e->dotted;
		} else if (!best[i]) {
			best[i] = e;
		} else {
			const struct entry *read = e->rank >= best[i]->rank ? e : best[i];
			given_twice(c, child, best[i], e, read);
			best[i] = read;
		}
	}
	/* In file order, each key once: a leaf from the entry read, a mapping from all of its entries. */
	for (size_t n = 0; n < in->n; n++) {
		const struct entry *e = &in->v[n];
		int i = entry_key(e, keys, &dot);
		if (i < 0 || done[i] || (keys[i].kind != K_MAP && e != best[i]))
			continue;
		done[i] = true;
		join(child, sizeof child, path, keys[i].name);
		size_t errors = c->diag->errors;
		if (keys[i].kind == K_MAP)
			walk_entries(c, &below[i], keys[i].children, base + keys[i].off, child);
		else
			set_value(c, e->value, &keys[i], base, child);
		mark_present(c, child, c->diag->errors != errors);
	}
	for (int i = 0; i < MAX_KEYS; i++)
		free(below[i].v);
}

static void walk_map(struct ctx *c, yaml_node_t *node, const struct key *keys, char *base, const char *path)
{
	struct entries all = { 0 };

	mapping_entries(c, node, RANK_WRITTEN, &all, path);
	walk_entries(c, &all, keys, base, path);
	free(all.v);
}

static void raw_free(struct raw *r)
{
	collection_free(&r->one);
	for (size_t i = 0; i < r->list.n; i++)
		collection_free(&r->list.v[i]);
	free(r->list.v);
	r->list.v = NULL;
	r->list.n = 0;
}

static bool list_copy(struct mvs_cfg_list *to, const struct mvs_cfg_list *from)
{
	if (!from->n)
		return true;
	to->v = calloc(from->n, sizeof *to->v);
	if (!to->v)
		return false;
	for (to->n = 0; to->n < from->n; to->n++)
		if (!(to->v[to->n] = strdup(from->v[to->n])))
			return false;
	return true;
}

static bool same_text(const char *a, const char *b, const char *dflt)
{
	return strcmp(a ? a : dflt, b ? b : dflt) == 0;
}

/* The endpoint's path as milvus-sdk-go reads it (client.Config.parse, which milvus-migration calls):
 * "host:19530/db1" connects to host:19530 and uses database db1, unless `database` is given, which
 * wins (milvus-migration applies it with UsingDatabase once connected). The endpoint keeps host:port
 * only, as mvs-export and mvs-import take it; check_endpoint has checked the rest. */
static void resolve_endpoint(struct ctx *c, struct mvs_cfg_conn *conn, const char *side)
{
	const char *host = conn->endpoint ? endpoint_host(conn->endpoint) : NULL;

	if (!host)
		return;
	char *end = (char *)host + strcspn(host, "/?#");
	size_t db_len;
	const char *db = endpoint_database(end, &db_len);
	if (db_len && !conn->database && !(conn->database = strndup(db, db_len)))
		diag(c, NULL, true, "out of memory");
	else if (db_len && (strlen(conn->database) != db_len || strncmp(conn->database, db, db_len)))
		diag(c, NULL, false, "%s.milvus2x: the endpoint names database \"%.*s\" and database names "
		     "\"%s\": \"%s\" is used, as milvus-migration uses it", side, (int)db_len, db,
		     conn->database, conn->database);
	*end = '\0';
}

/* Credentials and TLS settings that mvs-export and mvs-import would refuse at start, found now.
 * milvus-migration connects with username and an empty password when the password is missing; only
 * a Milvus without authentication accepts that, and it ignores credentials: mvs connects without
 * them (or with the token, when one is given). */
static void resolve_credentials(struct ctx *c, struct mvs_cfg_conn *conn, const char *side)
{
	if (conn->username && conn->password && conn->token) {
		diag(c, NULL, true, "%s.milvus2x: give username and password, or token, not both", side);
	} else if (conn->username && !conn->password) {
		diag(c, NULL, false, "%s.milvus2x.username \"%s\" has no password: connecting %s (milvus-migration "
		     "sends it with an empty password, which only a Milvus without authentication accepts, "
		     "ignoring both)", side, conn->username, conn->token ? "with the token" : "without credentials");
		free(conn->username);
		conn->username = NULL;
	} else if (conn->password && !conn->username && !conn->token) {
		diag(c, NULL, false, "%s.milvus2x.password without username is ignored, as milvus-migration "
		     "ignores it", side);
	}
	if (!conn->tls_cert != !conn->tls_key)
		diag(c, NULL, true, "%s.milvus2x.tls: certFile and keyFile go together", side);
	if ((conn->tls_ca || conn->tls_cert || conn->tls_key) && conn->endpoint &&
	    strncmp(conn->endpoint, "http://", 7) == 0)
		diag(c, NULL, true, "%s.milvus2x.tls is set but the endpoint %s is plain http://; write "
		     "https:// or host:port", side, conn->endpoint);
}

/* Copying a collection onto itself would double its rows: refuse the obvious case (the same endpoint
 * text, database and name; other spellings of one server are not recognised). */
static void same_collection(struct ctx *c, const struct mvs_cfg *cfg)
{
	if (!cfg->source.endpoint || !cfg->target.endpoint || strcmp(cfg->source.endpoint, cfg->target.endpoint) ||
	    !same_text(cfg->source.database, cfg->target.database, "default"))
		return;
	for (size_t i = 0; i < cfg->ncollections; i++) {
		const struct mvs_cfg_collection *col = &cfg->collections[i];
		if (col->name && same_text(col->name, col->target, col->name))
			diag(c, NULL, true, "collection %s would be copied onto itself (source and "
				 "target are the same server and database): give the target another name "
				 "(meta.milvus.collection) or another endpoint", col->name);
	}
}

/* Checks what the walk cannot see key by key, and turns raw settings into the public struct. */
static void resolve(struct ctx *c, struct raw *r)
{
	struct mvs_cfg *cfg = &r->cfg;

	require(c, r->work_mode >= 0, "dumper.worker.workMode", "set it to milvus2x");
	require(c, r->meta_mode >= 0, "meta.mode", "set it to config");
	if (r->list.n) {
		if (r->one.name)
			diag(c, NULL, true, "meta.collection and meta.collections: give one or the other");
		if (r->one.target)
			diag(c, NULL, true, "meta.milvus.collection names one target collection; "
				 "with meta.collections give each item its own \"target\"");
		/* Items inherit meta.fields, meta.filter and meta.partitions unless they set their own. */
		for (size_t i = 0; i < r->list.n; i++) {
			struct mvs_cfg_collection *col = &r->list.v[i];
			bool ok = true;
			if (!col->fields.n)
				ok = list_copy(&col->fields, &r->one.fields);
			if (!col->partitions.n)
				ok = ok && list_copy(&col->partitions, &r->one.partitions);
			if (!col->filter && r->one.filter)
				ok = ok && (col->filter = strdup(r->one.filter));
			if (!ok)
				diag(c, NULL, true, "out of memory");
		}
		cfg->collections = r->list.v;
		cfg->ncollections = r->list.n;
		r->list.v = NULL;
		r->list.n = 0;
	} else if (!r->one.name) {
		require(c, false, present(c, "meta.collections") ? "meta.collections" : "meta.collection",
			"name the source collection");
	} else if ((cfg->collections = calloc(1, sizeof *cfg->collections))) {
		cfg->collections[0] = r->one;
		cfg->ncollections = 1;
		memset(&r->one, 0, sizeof r->one);
	} else {
		diag(c, NULL, true, "out of memory");
	}
	require(c, cfg->source.endpoint, "source.milvus2x.endpoint", "give host:port of the source Milvus");
	require(c, cfg->target.endpoint, "target.milvus2x.endpoint", "give host:port of the target Milvus");
	resolve_endpoint(c, &cfg->source, "source");
	resolve_endpoint(c, &cfg->target, "target");
	resolve_credentials(c, &cfg->source, "source");
	resolve_credentials(c, &cfg->target, "target");
	same_collection(c, cfg);

	/* milvus-migration creates the target with a dynamic field unless closeDynamicField is true,
	 * even when the source had none; when the key is absent mvs keeps the source's setting, which
	 * is what milvus-migration's README promises. */
	cfg->dynamic = r->close_dynamic < 0 ? -1 : !r->close_dynamic;
	cfg->consistency = r->consistency < 0 ? NULL : consistency_levels[r->consistency];
	cfg->auto_id = r->auto_id < 0 ? MVS_CFG_AUTO_ID_SOURCE :
		       r->auto_id == 0 ? MVS_CFG_AUTO_ID_TRUE : MVS_CFG_AUTO_ID_FALSE;
	cfg->create_index = cfg->create_index > 0;
	cfg->verify = cfg->verify > 0;
	cfg->load = cfg->load > 0;
	cfg->source.load = cfg->source.load > 0;
	cfg->target.upsert = cfg->target.upsert > 0;
	cfg->target.create_database = cfg->target.create_database != 0;
	cfg->source.upsert = cfg->source.create_database = cfg->target.load = 0;
}

static void yaml_problem(struct ctx *c, yaml_parser_t *p, const char *text, size_t len)
{
	yaml_mark_t m = p->problem_mark;
	const char *problem = p->problem ? p->problem : "cannot parse";

	if (p->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset; turn it into a line and column. */
		memset(&m, 0, sizeof m);
		for (size_t i = 0; i < p->problem_offset && i < len; i++) {
			if (text[i] == '\n') {
				m.line++;
				m.column = 0;
			} else {
				m.column++;
			}
		}
	} else if (p->error == YAML_MEMORY_ERROR) {
		problem = "out of memory";
	}
	/* libyaml's "cannot start any token" at a tab: say what is wrong. */
	const char *hint = "";
	size_t at = 0;
	for (size_t line = 0; at < len && line < m.line; at++)
		if (text[at] == '\n')
			line++;
	if (p->error == YAML_SCANNER_ERROR && at + m.column < len && text[at + m.column] == '\t')
		hint = "; indent with spaces: YAML does not allow tabs there";
	if (p->context)
		diag(c, &m, true, "YAML syntax: %s (%s at line %zu, column %zu)%s", problem, p->context,
		     p->context_mark.line + 1, p->context_mark.column + 1, hint);
	else
		diag(c, &m, true, "YAML syntax: %s%s", problem, hint);
}

struct mvs_cfg *mvs_cfg_parse(const char *name, const char *text, size_t len, struct mvs_cfg_diag *d)
{
	struct ctx c = { .name = name, .diag = d };
	struct raw r;
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	size_t errors = d->errors;

	memset(&r, 0, sizeof r);
	r.work_mode = r.meta_mode = r.consistency = r.auto_id = r.close_dynamic = -1;
	r.cfg.create_index = r.cfg.load = r.cfg.verify = r.cfg.source.load = -1;
	r.cfg.target.upsert = r.cfg.target.create_database = -1;

	if (!yaml_parser_initialize(&parser)) {
		diag(&c, NULL, true, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_problem(&c, &parser, text, len);
		yaml_parser_delete(&parser);
		return NULL;
	}
	c.doc = &doc;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root || is_null(root)) {
		diag(&c, NULL, true, "the file is empty; see examples/migration.yaml");
	} else {
		/* viper reads the first document only (yaml.v3's Unmarshal), so milvus-migration ignores
		 * the rest of the file: so does mvs, saying so. */
		if (!yaml_parser_load(&parser, &extra)) {
			diag(&c, &parser.problem_mark, false, "the text after the first YAML document is ignored, as "
			     "milvus-migration ignores it (it is not even valid YAML: %s)",
			     parser.problem ? parser.problem : "cannot parse");
		} else {
			yaml_node_t *next = yaml_document_get_root_node(&extra);
			if (next)
				diag(&c, &next->start_mark, false, "a second YAML document (after \"---\") is "
				     "ignored, as milvus-migration ignores it");
			yaml_document_delete(&extra);
		}
		walk_map(&c, root, root_keys, (char *)&r, "");
		resolve(&c, &r);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	raw_free(&r);
	for (size_t i = 0; i < c.npresent; i++)
		free(c.present[i]);
	free(c.present);

	struct mvs_cfg *cfg = NULL;
	if (d->errors == errors && (!(r.cfg.path = strdup(name)) || !(cfg = malloc(sizeof *cfg))))
		diag(&c, NULL, true, "out of memory");
	if (cfg)
		*cfg = r.cfg;
	else
		cfg_contents_free(&r.cfg);
	return cfg;
}

/* A secret written in the file itself (not a whole "${VAR}"). */
static bool literal_secret(const struct mvs_cfg_conn *conn)
{
	return (conn->password && !conn->password_var) || (conn->token && !conn->token_var);
}

struct mvs_cfg *mvs_cfg_load(const char *path, struct mvs_cfg_diag *d)
{
	struct ctx c = { .name = path, .diag = d };
	FILE *f = fopen(path, "rb");
	char *text;
	size_t len;

	if (!f) {
		diag(&c, NULL, true, "cannot open: %s", strerror(errno));
		return NULL;
	}
	text = malloc(MVS_CFG_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		diag(&c, NULL, true, "out of memory");
		return NULL;
	}
	len = fread(text, 1, MVS_CFG_MAX_BYTES + 1, f);
	if (ferror(f)) {
		diag(&c, NULL, true, "cannot read: %s", strerror(errno));
		len = 0;
	} else if (len > MVS_CFG_MAX_BYTES) {
		diag(&c, NULL, true, "larger than %d bytes: not a migration config", MVS_CFG_MAX_BYTES);
		len = 0;
	}
	struct stat st;
	bool shared = fstat(fileno(f), &st) == 0 && (st.st_mode & 077);
	fclose(f);
	struct mvs_cfg *cfg = d->errors ? NULL : mvs_cfg_parse(path, text, len, d);
	free(text);
	if (cfg && shared && (literal_secret(&cfg->source) || literal_secret(&cfg->target)))
		diag(&c, NULL, false, "the file holds a password or token and is readable by others "
		     "(chmod 600 it, or write the secret as ${VAR} and set VAR in the environment)");
	return cfg;
}

static void conn_free(struct mvs_cfg_conn *conn)
{
	free(conn->endpoint);
	free(conn->username);
	if (conn->password)
		explicit_bzero(conn->password, strlen(conn->password));
	free(conn->password);
	free(conn->password_var);
	if (conn->token)
		explicit_bzero(conn->token, strlen(conn->token));
	free(conn->token);
	free(conn->token_var);
	free(conn->database);
	free(conn->tls_ca);
	free(conn->tls_cert);
	free(conn->tls_key);
	free(conn->tls_server_name);
}

static void cfg_contents_free(struct mvs_cfg *cfg)
{
	free(cfg->path);
	free(cfg->version);
	for (size_t i = 0; i < cfg->ncollections; i++)
		collection_free(&cfg->collections[i]);
	free(cfg->collections);
	conn_free(&cfg->source);
	conn_free(&cfg->target);
}

void mvs_cfg_free(struct mvs_cfg *cfg)
{
	if (!cfg)
		return;
	cfg_contents_free(cfg);
	free(cfg);
}

void mvs_cfg_diag_free(struct mvs_cfg_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->lines[i]);
	free(d->lines);
	memset(d, 0, sizeof *d);
}

char *mvs_cfg_find(const char *dir)
{
	static const char *const names[] = { "migration.yaml", "configs/migration.yaml" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *path;
		if (asprintf(&path, "%s%s%s", dir ? dir : "", dir ? "/" : "", names[i]) < 0)
			return NULL;
		if (access(path, F_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}
