/* The export engine (see mvs_export.h): Milvus collections -> stream units.
 *
 * Two phases. First every collection is prepared: its header (schema, partitions, indexes,
 * provenance), the field selection, the partitions to read, a loaded check (or a load) and the
 * count(*) that gives progress its total. Only then are rows read, so a typo in the fifth
 * --collection fails before anything is written. Reading follows milvus-wire.md section 5: pages of
 * `limit` rows ordered by primary key, `pk > last` for the next page, the first page with
 * iterator=True and reduce_stop_for_best=True at guarantee_timestamp 0, and the session_ts of that
 * reply as guarantee_timestamp of every later page of the collection (one MVCC snapshot). Pages may be
 * shorter or longer than asked; only an empty page ends a partition. Rows at or below the last key are
 * dropped, so a server repeating rows cannot make a row appear twice, and a page whose keys do not
 * increase strictly is an error (mvs_page_convert checks that).
 *
 * A shard (--shard I/N) is planned after the count: its filter (Int64 keys: by remainder; VarChar
 * keys: a key range whose boundaries a count(*)-driven search finds, see mvs_shard.c) joins the
 * user's filter for the count that gives progress its total and for every page. */
#include "mvs_export.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mvs_log.h"
#include "mvs_page.h"
#include "mvs_exit.h"
#include "mvs_milvus_schema.h"
#include "mvs_shard.h"
#include "mvs_types.h"

#define DEFAULT_LOAD_TIMEOUT_S 600.0
/* Size guess for values without a bound in the schema (JSON, $meta, sparse vectors, Text without
 * max_length): Milvus's default JSON size limit. Only the first page is sized from guesses; later
 * pages from the rows actually seen. */
#define UNBOUNDED_VALUE_BYTES 65536

/* One collection to export, prepared in the first phase. */
struct unit {
	char *name;
	struct mvs_schema schema;	/* the header written: after --fields */
	const char *pk_field;		/* in schema */
	bool pk_is_string;
	bool by_partition;		/* partition markers, one partition at a time */
	char **read_partitions;		/* by_partition: the partitions to read, in order */
	size_t n_read_partitions;
	char **output_fields;		/* Query output_fields: the row fields (borrowed names) */
	size_t n_output_fields;
	int64_t collection_id;
	int64_t total;			/* count(*) before the export, with the filter */
	char *filter;			/* what rows must match: the shard's and the user's filters, or NULL */
};

/* Where a running export is. */
struct export_ctx {
	struct mvs_milvus *client;
	struct mvs_writer *w;
	const struct mvs_export_options *opt;
	struct mvs_export_result *result;
	char *server_version;
	bool failed;
};

/* The paging state of one unit. */
struct pager {
	struct unit *unit;
	struct mvs_page *columns;
	uint64_t session_ts;		/* 0 until the first reply of the unit */
	bool have_session;
	int64_t limit;			/* rows asked for in the next page */
	int64_t cap;			/* largest limit: window and --batch-size */
	size_t target_bytes;		/* aim for replies of about this size */
	double row_bytes;		/* largest average reply bytes per row so far (0: none yet) */
	/* the last key of the pages received in the current partition: the next page starts after it */
	bool have_last;
	int64_t last_int;
	char *last_str;			/* last_str_len bytes, NUL bytes included */
	size_t last_str_len, last_str_cap;
	/* the page being emitted */
	size_t skip;			/* leading rows at or below the last key: dropped */
	uint64_t rows;			/* rows written in this unit */
};

/* ---- failures ---- */

/* Reports a failure once: the message on stderr and in an abort frame, and the exit code. */
static void fail(struct export_ctx *x, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct export_ctx *x, int code, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (x->failed)
		return;
	x->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mvs_error("%s", msg);
	mvs_writer_abort(x->w, "%s", msg);
	x->result->exit_code = code;
}

static void fail_milvus(struct export_ctx *x, const struct mvs_milvus_error *e)
{
	char buf[1536];

	fail(x, mvs_milvus_error_exit(e), "%s", mvs_milvus_error_render(e, buf, sizeof buf));
}

/* The writer failed: a closed pipe ends the export quietly, anything else is an I/O error (no abort
 * frame: the output cannot take one). */
static void fail_writer(struct export_ctx *x)
{
	if (x->failed)
		return;
	x->failed = true;
	if (mvs_writer_broken_pipe(x->w)) {
		x->result->broken_pipe = true;
		x->result->exit_code = MVS_EXIT_IO;
		return;
	}
	mvs_error("%s", mvs_writer_error(x->w));
	x->result->exit_code = MVS_EXIT_IO;
}

static void fail_oom(struct export_ctx *x)
{
	fail(x, MVS_EXIT_FAILURE, "out of memory");
}

/* ---- small helpers ---- */

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int push_string(char ***v, size_t *n, const char *s)
{
	char **grown = realloc(*v, (*n + 1) * sizeof **v);
	char *copy;

	if (!grown)
		return -1;
	*v = grown;
	copy = strdup(s ? s : "");
	if (!copy)
		return -1;
	grown[(*n)++] = copy;
	return 0;
}

static bool contains(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void unit_free(struct unit *u)
{
	free(u->name);
	mvs_schema_free(&u->schema);
	free_strings(u->read_partitions, u->n_read_partitions);
	free(u->output_fields);
	free(u->filter);
	*u = (struct unit){ 0 };
}

/* ---- expressions ---- */

/* The expression of the page after key `last`: `pk > last` (a quoted literal for VarChar keys), then
 * ` and (filter)` when there is a filter; for the first page (last NULL) the filter alone, or ""
 * (Milvus accepts an empty expression together with a limit). Returns a malloc'ed string or NULL
 * when out of memory. */
static char *page_expr(const char *pk_field, const struct mvs_pk *last, const char *filter)
{
	char *key, *expr = NULL;
	int n;

	if (!last)
		return strdup(filter ? filter : "");
	if (last->is_string)
		key = mvs_shard_quote(last->s, last->len);
	else if (asprintf(&key, "%" PRId64, last->i) < 0)
		key = NULL;
	if (!key)
		return NULL;
	if (filter)
		n = asprintf(&expr, "%s > %s and (%s)", pk_field, key, filter);
	else
		n = asprintf(&expr, "%s > %s", pk_field, key);
	free(key);
	return n < 0 ? NULL : expr;
}

/* ---- page size ---- */

/* An upper estimate of one row's bytes in a Query reply, from the schema alone. */
static double worst_row_bytes(const struct mvs_schema *s)
{
	double total = 0;

	for (size_t i = 0; i < mvs_schema_row_width(s); i++) {
		const struct mvs_field *f = &s->fields[mvs_schema_row_field(s, i)];
		size_t dense = mvs_vector_row_bytes(f->type, f->dim);
		double v;

		switch (f->type) {
		case MVS_T_BOOL:
			v = 2;
			break;
		case MVS_T_INT8: case MVS_T_INT16: case MVS_T_INT32: case MVS_T_FLOAT:
			v = 6;
			break;
		case MVS_T_INT64: case MVS_T_DOUBLE: case MVS_T_TIMESTAMPTZ:
			v = 11;
			break;
		case MVS_T_VARCHAR: case MVS_T_STRING: case MVS_T_TEXT:
			v = (f->max_length > 0 ? (double)f->max_length : UNBOUNDED_VALUE_BYTES) + 4;
			break;
		case MVS_T_ARRAY:
			v = 8 + (double)(f->max_capacity > 0 ? f->max_capacity : 4096) *
				(f->element_type == MVS_T_VARCHAR
				 ? (f->max_length > 0 ? (double)f->max_length : UNBOUNDED_VALUE_BYTES) + 4
				 : 11);
			break;
		default:
			v = dense ? (double)dense + 4 : UNBOUNDED_VALUE_BYTES;
		}
		total += v;
	}
	return total > 0 ? total : 1;
}

static int64_t rows_for(const struct pager *p, double row_bytes)
{
	double n = (double)p->target_bytes / (row_bytes > 1 ? row_bytes : 1);

	if (n < 1)
		return 1;
	if (n > (double)p->cap)
		return p->cap;
	return (int64_t)n;
}

/* After a reply of rows rows and bytes bytes: size the next page from the largest average row
 * seen, so that a page of such rows stays near the target (half the reply bound, room for rows
 * twice the average). */
static void pager_adapt(struct pager *p, size_t rows, size_t bytes)
{
	if (rows == 0)
		return;
	double avg = (double)bytes / (double)rows;
	if (avg > p->row_bytes)
		p->row_bytes = avg;
	p->limit = rows_for(p, p->row_bytes);
}

/* ---- preparing a unit ---- */

/* The keep list for mvs_map: the user's fields, the primary key first when missing (paging needs
 * it), and the output fields of every function whose inputs are all kept (they carry no data, but
 * without them mvs_map would drop the function). */
static int selection_spec(const struct mvs_schema *full, const struct mvs_map_spec *user,
			  struct mvs_map_spec *spec, char ***keep)
{
	int pk = mvs_schema_primary_key(full);
	size_t n = 0, cap = user->n_keep + full->n_fields + 1;
	char **v = calloc(cap, sizeof *v);

	if (!v)
		return -1;
	if (pk >= 0 && !contains(user->keep, user->n_keep, full->fields[pk].name))
		v[n++] = full->fields[pk].name;
	for (size_t i = 0; i < user->n_keep; i++)
		v[n++] = user->keep[i];
	for (size_t i = 0; i < full->n_functions; i++) {
		const struct mvs_function *fn = &full->functions[i];
		bool inputs_kept = true;

		for (size_t j = 0; j < fn->n_input_fields; j++)
			if (!contains(v, n, fn->input_fields[j]))
				inputs_kept = false;
		for (size_t j = 0; inputs_kept && j < fn->n_output_fields; j++)
			if (!contains(v, n, fn->output_fields[j]) && n < cap)
				v[n++] = fn->output_fields[j];
	}
	mvs_map_spec_init(spec);
	spec->keep = v;
	spec->n_keep = n;
	*keep = v;
	return 0;
}

static void note_selection(void *ctx, const char *message)
{
	mvs_info("collection \"%s\": %s", (const char *)ctx, message);
}

/* Applies --fields to the full schema; on success the unit owns the selected schema. */
static int select_fields(struct export_ctx *x, struct unit *u, struct mvs_schema *full)
{
	struct mvs_map_spec spec;
	struct mvs_map map;
	char **keep;
	char err[1024];

	if (!x->opt->fields) {
		u->schema = *full;
		*full = (struct mvs_schema){ 0 };
		return 0;
	}
	if (selection_spec(full, x->opt->fields, &spec, &keep) != 0) {
		fail_oom(x);
		return -1;
	}
	int rc = mvs_map_init(&map, &spec, full, note_selection, u->name, err, sizeof err);
	free(keep);
	if (rc != 0) {
		fail(x, MVS_EXIT_USAGE, "%s", err);
		return -1;
	}
	u->schema = map.out;
	map.out = (struct mvs_schema){ 0 };
	mvs_map_free(&map);
	return 0;
}

static int add_indexes(struct export_ctx *x, struct unit *u, struct mvs_schema *s)
{
	Milvus__Proto__Milvus__DescribeIndexRequest req = MILVUS__PROTO__MILVUS__DESCRIBE_INDEX_REQUEST__INIT;
	Milvus__Proto__Milvus__DescribeIndexResponse *resp = NULL;
	struct mvs_milvus_error e;

	req.collection_name = u->name;
	if (mvs_milvus_describe_index(x->client, &req, &resp, &e) != 0) {
		fail_milvus(x, &e);
		return -1;
	}
	s->indexes = calloc(resp->n_index_descriptions + 1, sizeof *s->indexes);
	if (!s->indexes)
		goto oom;
	for (size_t i = 0; i < resp->n_index_descriptions; i++) {
		const Milvus__Proto__Milvus__IndexDescription *d = resp->index_descriptions[i];
		struct mvs_index *ix = &s->indexes[s->n_indexes++];

		ix->field_name = strdup(d->field_name ? d->field_name : "");
		ix->index_name = strdup(d->index_name ? d->index_name : "");
		if (!ix->field_name || !ix->index_name ||
		    mvs_kvlist_from_milvus(&ix->params, d->params, d->n_params) != 0)
			goto oom;
	}
	mvs_milvus_free(resp);
	return 0;
oom:
	mvs_milvus_free(resp);
	fail_oom(x);
	return -1;
}

/* Partitions: all of them (ShowPartitions order) or the --partition ones; none listed for a
 * partition-key collection, whose partitions the server makes and names itself. */
static int add_partitions(struct export_ctx *x, struct unit *u, struct mvs_schema *s, bool partition_key)
{
	const struct mvs_export_options *opt = x->opt;
	Milvus__Proto__Milvus__ShowPartitionsRequest req = MILVUS__PROTO__MILVUS__SHOW_PARTITIONS_REQUEST__INIT;
	Milvus__Proto__Milvus__ShowPartitionsResponse *resp = NULL;
	struct mvs_milvus_error e;
	int rc = -1;

	if (partition_key) {
		if (opt->n_partitions) {
			fail(x, MVS_EXIT_USAGE, "collection \"%s\" has a partition key, so its partitions "
			     "are the server's: --partition does not apply (select rows with --filter "
			     "on the key instead)", u->name);
			return -1;
		}
		return 0;
	}
	req.collection_name = u->name;
	if (mvs_milvus_show_partitions(x->client, &req, &resp, &e) != 0) {
		fail_milvus(x, &e);
		return -1;
	}
	char **names = resp->partition_names;
	size_t n = resp->n_partition_names;
	for (size_t i = 0; i < opt->n_partitions; i++) {
		if (!contains(names, n, opt->partitions[i])) {
			fail(x, MVS_EXIT_USAGE, "collection \"%s\" has no partition \"%s\"", u->name,
			     opt->partitions[i]);
			goto out;
		}
	}
	char *const *chosen = opt->n_partitions ? opt->partitions : names;
	size_t n_chosen = opt->n_partitions ? opt->n_partitions : n;
	for (size_t i = 0; i < n_chosen; i++) {
		if (contains(u->read_partitions, u->n_read_partitions, chosen[i]))
			continue;
		if (push_string(&u->read_partitions, &u->n_read_partitions, chosen[i]) != 0 ||
		    push_string(&s->partitions, &s->n_partitions, chosen[i]) != 0) {
			fail_oom(x);
			goto out;
		}
	}
	u->by_partition = true;
	rc = 0;
out:
	mvs_milvus_free(resp);
	return rc;
}

/* count(*) of the rows matching expr (NULL: all) over what will be read. */
static int count_rows(struct export_ctx *x, struct unit *u, const char *expr, int64_t *total,
		      struct mvs_milvus_error *e)
{
	int64_t n;

	*total = 0;
	if (!u->by_partition || x->opt->n_partitions == 0)
		return mvs_milvus_count(x->client, NULL, u->name, NULL, expr, total, e);
	for (size_t i = 0; i < u->n_read_partitions; i++) {
		if (mvs_milvus_count(x->client, NULL, u->name, u->read_partitions[i], expr, &n, e) != 0)
			return -1;
		*total += n;
	}
	return 0;
}

static bool not_loaded(const struct mvs_milvus_error *e)
{
	/* 101 collection not loaded, 201 partition not loaded (merr codes) */
	return e->grpc_code == 0 && (e->code == 101 || e->code == 201);
}

/* Counts the rows, which needs the collection loaded: an unloaded one is loaded when --load says so,
 * otherwise the error tells the user to (mvs_milvus_error_render says "load it, or pass --load"). */
static int check_loaded_and_count(struct export_ctx *x, struct unit *u)
{
	struct mvs_milvus_error e;

	if (count_rows(x, u, x->opt->filter, &u->total, &e) == 0)
		return 0;
	if (!not_loaded(&e) || !x->opt->load) {
		fail_milvus(x, &e);
		return -1;
	}
	Milvus__Proto__Milvus__LoadCollectionRequest req = MILVUS__PROTO__MILVUS__LOAD_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Common__Status *status = NULL;
	double timeout = x->opt->load_timeout_s > 0 ? x->opt->load_timeout_s : DEFAULT_LOAD_TIMEOUT_S;

	req.collection_name = u->name;
	mvs_info("loading collection \"%s\"", u->name);
	if (mvs_milvus_load_collection(x->client, &req, &status, &e) != 0 ||
	    mvs_milvus_wait_loaded(x->client, NULL, u->name, timeout, &e) != 0 ||
	    count_rows(x, u, x->opt->filter, &u->total, &e) != 0) {
		mvs_milvus_free(status);
		fail_milvus(x, &e);
		return -1;
	}
	mvs_milvus_free(status);
	return 0;
}

/* The Query output_fields: every row field by name ("$meta" for the dynamic field). Function
 * outputs are not asked for: they are not in rows, and servers refuse to return BM25 outputs. */
static int plan_output(struct export_ctx *x, struct unit *u)
{
	const struct mvs_schema *s = &u->schema;
	size_t width = mvs_schema_row_width(s);
	int pk = mvs_schema_primary_key(s);

	if (pk < 0) {
		fail(x, MVS_EXIT_SCHEMA, "collection \"%s\" has no primary key field", u->name);
		return -1;
	}
	u->pk_field = s->fields[pk].name;
	u->pk_is_string = s->fields[pk].type == MVS_T_VARCHAR;
	u->output_fields = calloc(width + 1, sizeof *u->output_fields);
	if (!u->output_fields) {
		fail_oom(x);
		return -1;
	}
	for (size_t i = 0; i < width; i++)
		u->output_fields[u->n_output_fields++] = s->fields[mvs_schema_row_field(s, i)].name;
	return 0;
}

static Milvus__Proto__Schema__FieldData *find_column(Milvus__Proto__Milvus__QueryResults *r, const char *name)
{
	for (size_t i = 0; i < r->n_fields_data; i++)
		if (r->fields_data[i]->field_name && strcmp(r->fields_data[i]->field_name, name) == 0)
			return r->fields_data[i];
	return NULL;
}

/* ---- shards ---- */

/* "A and (B)", or either alone when the other is NULL or empty; NULL when both are (or out of
 * memory: check *oom). */
static char *and_filters(const char *a, const char *b, bool *oom)
{
	char *out = NULL;

	*oom = false;
	if (a && *a && b && *b) {
		if (asprintf(&out, "%s and (%s)", a, b) < 0)
			out = NULL, *oom = true;
	} else if ((a && *a) || (b && *b)) {
		out = strdup(a && *a ? a : b);
		*oom = !out;
	}
	return out;
}

/* The boundary search's questions, over the rows the export reads (the user's filter, the
 * --partition partitions). */
struct probe {
	struct export_ctx *x;
	struct unit *u;
};

/* The probe's expression and --filter together (NULL: none); -1 after reporting out of memory. */
static int probe_expr(struct probe *pr, const char *expr, char **full)
{
	bool oom;

	*full = and_filters(expr, pr->x->opt->filter, &oom);
	if (oom) {
		fail_oom(pr->x);
		return -1;
	}
	return 0;
}

static int probe_count(void *ctx, const char *expr, int64_t *n)
{
	struct probe *pr = ctx;
	struct mvs_milvus_error e;
	char *full;

	if (probe_expr(pr, expr, &full) != 0)
		return -1;
	int rc = count_rows(pr->x, pr->u, full, n, &e);
	free(full);
	if (rc != 0)
		fail_milvus(pr->x, &e);
	return rc;
}

/* The first key of a Query of one row: the smallest, as the server orders iterator results. */
static int probe_first_key(void *ctx, const char *expr, char **key, size_t *len)
{
	struct probe *pr = ctx;
	struct unit *u = pr->u;
	Milvus__Proto__Milvus__QueryRequest req = MILVUS__PROTO__MILVUS__QUERY_REQUEST__INIT;
	Milvus__Proto__Milvus__QueryResults *r = NULL;
	Milvus__Proto__Common__KeyValuePair kv[3], *params[3];
	static const char *const keys[] = { "limit", "iterator", "reduce_stop_for_best" };
	static const char *const values[] = { "1", "True", "False" };
	char *fields[1] = { (char *)u->pk_field };
	struct mvs_milvus_error e;
	char *full;

	*key = NULL;
	if (probe_expr(pr, expr, &full) != 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		kv[i] = (Milvus__Proto__Common__KeyValuePair)MILVUS__PROTO__COMMON__KEY_VALUE_PAIR__INIT;
		kv[i].key = (char *)keys[i];
		kv[i].value = (char *)values[i];
		params[i] = &kv[i];
	}
	req.collection_name = u->name;
	req.expr = full;
	req.output_fields = fields;
	req.n_output_fields = 1;
	if (u->by_partition && pr->x->opt->n_partitions) {
		req.partition_names = u->read_partitions;
		req.n_partition_names = u->n_read_partitions;
	}
	req.query_params = params;
	req.n_query_params = 3;
	req.consistency_level = MILVUS__PROTO__COMMON__CONSISTENCY_LEVEL__Strong;
	int rc = mvs_milvus_query(pr->x->client, &req, &r, &e);
	free(full);
	if (rc != 0) {
		fail_milvus(pr->x, &e);
		return -1;
	}
	const Milvus__Proto__Schema__FieldData *fd = find_column(r, u->pk_field);
	if (fd && fd->field_case == MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS &&
	    fd->scalars->data_case == MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA &&
	    fd->scalars->string_data->n_data > 0) {
		const ProtobufCBinaryData *first = &fd->scalars->string_data->data[0];
		if (!(*key = malloc(first->len + 1))) {
			mvs_milvus_free(r);
			fail_oom(pr->x);
			return -1;
		}
		if (first->len > 0)
			memcpy(*key, first->data, first->len);
		*len = first->len;
	}
	mvs_milvus_free(r);
	return 0;
}

/* Int64 keys by remainder; VarChar keys by range, the boundaries computed from u->total rows. For a
 * range, *split gets " (split points LO HI)" with the boundaries in hex ("-" for an open end), which
 * mvs-migrate compares between neighbouring shards. */
static char *shard_filter(struct export_ctx *x, struct unit *u, char **split)
{
	const struct mvs_shard *sh = &x->opt->shard;
	struct probe pr = { .x = x, .u = u };
	const struct mvs_shard_probe probe = { .count = probe_count, .first_key = probe_first_key, .ctx = &pr };
	char *lo = NULL, *hi = NULL, *lo_hex = NULL, *hi_hex = NULL, *filter = NULL;
	size_t lo_len = 0, hi_len = 0;

	*split = NULL;
	if (!u->pk_is_string)
		return mvs_shard_int_filter(u->pk_field, sh);
	if ((sh->index > 0 &&
	     mvs_shard_boundary(u->pk_field, u->total, sh->index, sh->count, &probe, &lo, &lo_len) != 0) ||
	    (sh->index + 1 < sh->count &&
	     mvs_shard_boundary(u->pk_field, u->total, sh->index + 1, sh->count, &probe, &hi, &hi_len) != 0))
		goto out;
	filter = mvs_shard_range_filter(u->pk_field, lo, lo_len, hi, hi_len);
	lo_hex = mvs_shard_hex(lo, lo_len);
	hi_hex = mvs_shard_hex(hi, hi_len);
	if (filter && (!lo_hex || !hi_hex || asprintf(split, " (split points %s %s)", lo_hex, hi_hex) < 0)) {
		*split = NULL;
		free(filter);
		filter = NULL;
	}
out:
	free(lo);
	free(hi);
	free(lo_hex);
	free(hi_hex);
	return filter;
}

/* Sets u->filter: the shard's filter and the user's; with a shard, u->total becomes the shard's count. */
static int plan_shard(struct export_ctx *x, struct unit *u)
{
	const struct mvs_shard *sh = &x->opt->shard;
	struct mvs_milvus_error e;
	char *filter, *split = NULL;
	bool oom;

	if (sh->count <= 1) {
		u->filter = and_filters(x->opt->filter, NULL, &oom);
		if (oom)
			fail_oom(x);
		return oom ? -1 : 0;
	}
	filter = shard_filter(x, u, &split);
	if (!filter) {
		fail_oom(x);	/* unless a probe failed and said so already */
		return -1;
	}
	mvs_info("collection \"%s\": shard %" PRIu32 "/%" PRIu32 ": %s%s", u->name, sh->index, sh->count, filter,
		 split ? split : "");
	u->filter = and_filters(filter, x->opt->filter, &oom);
	free(split);
	/* the header records the shard */
	u->schema.shard_index = sh->index;
	u->schema.shard_count = sh->count;
	u->schema.shard_filter = filter;
	if (oom) {
		fail_oom(x);
		return -1;
	}
	if (count_rows(x, u, u->filter, &u->total, &e) != 0) {
		fail_milvus(x, &e);
		return -1;
	}
	return 0;
}

static int prepare_unit(struct export_ctx *x, struct unit *u)
{
	Milvus__Proto__Milvus__DescribeCollectionRequest req =
		MILVUS__PROTO__MILVUS__DESCRIBE_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Milvus__DescribeCollectionResponse *resp = NULL;
	struct mvs_schema full = { 0 };
	struct mvs_milvus_error e;
	char err[1024];
	int rc = -1;

	req.collection_name = u->name;
	if (mvs_milvus_describe_collection(x->client, &req, &resp, &e) != 0) {
		fail_milvus(x, &e);
		return -1;
	}
	if (!resp->schema) {
		fail(x, MVS_EXIT_SERVER, "DescribeCollection of \"%s\" returned no schema", u->name);
		goto out;
	}
	struct mvs_collection_settings settings = {
		.shards_num = resp->shards_num,
		.consistency_level = resp->consistency_level,
		.num_partitions = resp->num_partitions,
		.properties = resp->properties,
		.n_properties = resp->n_properties,
	};
	if (mvs_schema_from_milvus(&full, resp->schema, &settings, err, sizeof err) != 0) {
		fail(x, MVS_EXIT_SCHEMA, "collection \"%s\": %s", u->name, err);
		goto out;
	}
	u->collection_id = resp->collectionid;
	const char *db = resp->db_name && *resp->db_name ? resp->db_name : mvs_milvus_database(x->client);
	full.source_database = strdup(db && *db ? db : "default");
	full.source_version = x->server_version ? strdup(x->server_version) : NULL;
	if (!full.source_database || (x->server_version && !full.source_version)) {
		fail_oom(x);
		goto out;
	}
	bool partition_key = false;
	for (size_t i = 0; i < full.n_fields; i++)
		partition_key |= full.fields[i].partition_key;
	/* Servers report the plain partition count here too; the header's num_partitions is the
	 * partition-key partition count only (CreateCollection refuses it without a partition key). */
	if (!partition_key)
		full.num_partitions = 0;
	if (add_partitions(x, u, &full, partition_key) != 0 || add_indexes(x, u, &full) != 0 ||
	    select_fields(x, u, &full) != 0 || plan_output(x, u) != 0 ||
	    check_loaded_and_count(x, u) != 0 || plan_shard(x, u) != 0)
		goto out;
	rc = 0;
out:
	mvs_schema_free(&full);
	mvs_milvus_free(resp);
	return rc;
}

/* ---- reading ---- */

/* The rows in a page (its primary-key column's length) and how many of them lead at or below the
 * last key. Returns -1 when the page has columns but no usable key column. */
static int scan_keys(struct pager *p, Milvus__Proto__Milvus__QueryResults *r, size_t *rows, size_t *skip)
{
	const struct unit *u = p->unit;
	Milvus__Proto__Schema__FieldData *fd = find_column(r, u->pk_field);
	const Milvus__Proto__Schema__ScalarField *sc;

	*rows = *skip = 0;
	if (!fd)
		return r->n_fields_data ? -1 : 0;
	if (fd->field_case != MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS)
		return -1;
	sc = fd->scalars;
	if (u->pk_is_string) {
		if (sc->data_case == MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA__NOT_SET)
			return 0;
		if (sc->data_case != MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA)
			return -1;
		const struct mvs_pk last = { .is_string = true, .s = p->last_str, .len = p->last_str_len };
		*rows = sc->string_data->n_data;
		while (p->have_last && *skip < *rows) {
			const ProtobufCBinaryData *b = &sc->string_data->data[*skip];
			const struct mvs_pk key = { .is_string = true, .s = (const char *)b->data, .len = b->len };
			if (mvs_pk_compare(&key, &last) > 0)
				break;
			(*skip)++;
		}
	} else {
		if (sc->data_case == MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA__NOT_SET)
			return 0;
		if (sc->data_case != MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA)
			return -1;
		*rows = sc->long_data->n_data;
		while (p->have_last && *skip < *rows && sc->long_data->data[*skip] <= p->last_int)
			(*skip)++;
	}
	return 0;
}

/* Makes the page's last key the one the next page starts after (keys increase within a page: the
 * conversion checks that). */
static int remember_last(struct pager *p, Milvus__Proto__Milvus__QueryResults *r, size_t rows)
{
	const Milvus__Proto__Schema__ScalarField *sc = find_column(r, p->unit->pk_field)->scalars;

	if (p->unit->pk_is_string) {
		const ProtobufCBinaryData *key = &sc->string_data->data[rows - 1];
		if (key->len + 1 > p->last_str_cap) {
			char *grown = realloc(p->last_str, key->len + 1);
			if (!grown)
				return -1;
			p->last_str = grown;
			p->last_str_cap = key->len + 1;
		}
		if (key->len > 0)
			memcpy(p->last_str, key->data, key->len);
		p->last_str_len = key->len;
	} else {
		p->last_int = sc->long_data->data[rows - 1];
	}
	p->have_last = true;
	return 0;
}

/* The page's rows are packed straight into the writer's rows frame; the first p->skip rows (those
 * the previous page already gave) are dropped when they end. */
struct emit_ctx {
	struct pager *p;
	struct mvs_writer *w;
};

static int emit_begin(void *ctx)
{
	struct emit_ctx *ec = ctx;

	return mvs_writer_row_begin(ec->w);
}

static int emit_bytes(void *ctx, const char *bytes, size_t n)
{
	struct emit_ctx *ec = ctx;

	return mvs_writer_row_append(ec->w, bytes, n);
}

static int emit_end(void *ctx)
{
	struct emit_ctx *ec = ctx;

	if (ec->p->skip > 0) {
		ec->p->skip--;
		mvs_writer_row_cancel(ec->w);
		return 0;
	}
	if (mvs_writer_row_end(ec->w) != 0)
		return -1;
	ec->p->rows++;
	return 0;
}

/* Milvus's result-size limit (maxOutputSize) or a reply over a transport limit: ask for less. */
static bool reply_too_large(const struct mvs_milvus_error *e)
{
	return mvs_milvus_error_too_large(e) || strstr(e->message, "maxOutputSize") ||
	       strstr(e->message, "larger than max");
}

/* The hybrid timestamp pymilvus falls back to when a server gives no session_ts: now + 1 s. */
static uint64_t fallback_session_ts(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + 1000;
	return ms << 18;
}

/* One Query: the page after the last key, at the unit's snapshot. With out NULL the query is only
 * sent, and mvs_milvus_query_wait collects its reply. Returns 0, -1 with e filled, or -2 when out
 * of memory. */
static int query_page(struct export_ctx *x, struct pager *p, const char *partition,
		      Milvus__Proto__Milvus__QueryResults **out, struct mvs_milvus_error *e)
{
	struct unit *u = p->unit;
	Milvus__Proto__Milvus__QueryRequest req = MILVUS__PROTO__MILVUS__QUERY_REQUEST__INIT;
	Milvus__Proto__Common__KeyValuePair kv[4];
	Milvus__Proto__Common__KeyValuePair *params[4];
	char limit[24], collection_id[24];
	char *partitions[1] = { (char *)partition };
	struct mvs_pk last = {
		.is_string = u->pk_is_string, .i = p->last_int, .s = p->last_str, .len = p->last_str_len,
	};
	char *expr = page_expr(u->pk_field, p->have_last ? &last : NULL, u->filter);
	size_t n = 0;

	if (!expr)
		return -2;
	snprintf(limit, sizeof limit, "%" PRId64, p->limit);
	snprintf(collection_id, sizeof collection_id, "%" PRId64, u->collection_id);
	const char *keys[] = { "limit", "iterator", "reduce_stop_for_best", "collection_id" };
	const char *values[] = { limit, "True", "True", collection_id };
	for (size_t i = 0; i < 4; i++) {
		if (i == 3 && u->collection_id == 0)
			break;
		kv[n] = (Milvus__Proto__Common__KeyValuePair)MILVUS__PROTO__COMMON__KEY_VALUE_PAIR__INIT;
		kv[n].key = (char *)keys[i];
		kv[n].value = (char *)values[i];
		params[n] = &kv[n];
		n++;
	}
	req.collection_name = u->name;
	req.expr = expr;
	req.output_fields = u->output_fields;
	req.n_output_fields = u->n_output_fields;
	if (partition) {
		req.partition_names = partitions;
		req.n_partition_names = 1;
	}
	req.query_params = params;
	req.n_query_params = n;
	req.guarantee_timestamp = p->have_session ? p->session_ts : 0;
	/* as pymilvus's iterators: the server picks the consistency, the snapshot overrides it */
	req.use_default_consistency = 1;
	int rc = out ? mvs_milvus_query(x->client, &req, out, e) : mvs_milvus_query_submit(x->client, &req, e);
	free(expr);
	return rc;
}

/* Reads one partition (or the whole collection: partition NULL) to the writer. The next page's
 * query is sent as soon as a page arrives (its filter needs only the page's last key), so that the
 * server prepares it while this page is converted and written. */
static int read_rows(struct export_ctx *x, struct pager *p, const char *partition)
{
	struct unit *u = p->unit;
	struct emit_ctx ec = { .p = p, .w = x->w };
	const struct mvs_row_sink sink = { emit_begin, emit_bytes, emit_end, &ec };
	char err[1024];
	bool confirming = false;	/* an empty page came: asking once more */
	bool ahead = false;		/* the next page's query is in flight */

	p->have_last = false;
	for (;;) {
		Milvus__Proto__Milvus__QueryResults *r = NULL;
		struct mvs_milvus_error e;
		size_t rows, emitted;
		int rc = ahead ? mvs_milvus_query_wait(x->client, &r, &e) : query_page(x, p, partition, &r, &e);

		ahead = false;
		if (rc == -2) {
			fail_oom(x);
			return -1;
		}
		if (rc != 0) {
			if (reply_too_large(&e) && p->limit > 1) {
				p->limit /= 2;
				p->row_bytes = (double)p->target_bytes / (double)p->limit;
				continue;
			}
			fail_milvus(x, &e);
			return -1;
		}
		if (!p->have_session) {
			p->session_ts = r->session_ts ? r->session_ts : fallback_session_ts();
			p->have_session = true;
		}
		if (scan_keys(p, r, &rows, &p->skip) != 0) {
			mvs_milvus_free(r);
			fail(x, MVS_EXIT_SERVER, "Query of \"%s\" returned no usable primary key column "
			     "\"%s\"", u->name, u->pk_field);
			return -1;
		}
		if (rows == 0) {
			mvs_milvus_free(r);
			if (confirming)
				return 0;
			/* The end, as pymilvus takes it. Asked once more at the same snapshot, so that a
			 * server answering an empty page before the end fails the export instead of
			 * cutting it short. */
			confirming = true;
			continue;
		}
		if (confirming) {
			mvs_milvus_free(r);
			fail(x, MVS_EXIT_SERVER, "Query of \"%s\"%s%s%s answered an empty page, then %zu rows "
			     "for the same page at the same snapshot: its pages cannot be trusted", u->name,
			     partition ? " (partition \"" : "", partition ? partition : "", partition ? "\")" : "",
			     rows);
			return -1;
		}
		if (p->skip == rows) {
			mvs_milvus_free(r);
			/* Asking again would give the same page: the server ignores `pk > last`. */
			fail(x, MVS_EXIT_SERVER, "Query of \"%s\" returned %zu rows, none after the last "
			     "key (the server does not honour \"%s > ...\")", u->name, rows, u->pk_field);
			return -1;
		}
		if (remember_last(p, r, rows) != 0) {
			mvs_milvus_free(r);
			fail_oom(x);
			return -1;
		}
		pager_adapt(p, rows, mvs_milvus_reply_bytes(r));
		/* The next page goes out now; if it cannot, it is asked for after this one. */
		rc = query_page(x, p, partition, NULL, &e);
		if (rc == -2) {
			mvs_milvus_free(r);
			fail_oom(x);
			return -1;
		}
		ahead = rc == 0;
		rc = mvs_page_convert(p->columns, r->fields_data, r->n_fields_data, p->rows, &sink,
				      &emitted, err, sizeof err);
		mvs_milvus_free(r);
		if (rc == MVS_PAGE_STOPPED) {
			fail_writer(x);
			return -1;
		}
		if (rc != 0) {
			fail(x, MVS_EXIT_SERVER, "Query of \"%s\" returned a bad page: %s", u->name, err);
			return -1;
		}
		mvs_progress(p->rows, (uint64_t)(u->total > 0 ? u->total : 0), false);
	}
}

/* Milvus 2.3 counts a row whose Int64 key is INT64_MAX but never returns it to Query. When fewer rows
 * were read than counted and such a row exists, the export fails (exit 6) instead of ending a stream
 * that silently lacks it; the trailer is not written. */
static int int64_max_unread(struct export_ctx *x, struct unit *u, uint64_t rows)
{
	struct mvs_milvus_error e;
	int64_t n = 0;
	char *expr;

	if (u->pk_is_string || u->total < 0 || rows >= (uint64_t)u->total)
		return 0;
	if ((u->filter ? asprintf(&expr, "(%s) and %s == %" PRId64, u->filter, u->pk_field, INT64_MAX)
		       : asprintf(&expr, "%s == %" PRId64, u->pk_field, INT64_MAX)) < 0) {
		fail_oom(x);
		return -1;
	}
	int rc = count_rows(x, u, expr, &n, &e);
	free(expr);
	if (rc != 0 || n == 0)
		return 0;	/* the warning after the export still says that the counts differ */
	fail(x, MVS_EXIT_SERVER, "collection \"%s\" has a row with primary key %" PRId64 " (INT64_MAX), which "
	     "this server (Milvus %s) counts but never returns to Query: it cannot be exported; %" PRIu64
	     " of %" PRId64 " rows were read", u->name, INT64_MAX, x->server_version ? x->server_version : "?",
	     rows, u->total);
	return -1;
}

static void export_unit(struct export_ctx *x, struct unit *u)
{
	const struct mvs_export_options *opt = x->opt;
	struct pager p = { .unit = u };
	double start = mvs_now();

	p.cap = opt->batch_size > 0 ? opt->batch_size : MVS_EXPORT_DEFAULT_PAGE;
	if (p.cap > MVS_EXPORT_MAX_PAGE)
		p.cap = MVS_EXPORT_MAX_PAGE;
	p.target_bytes = (size_t)(opt->max_recv_bytes > 0 ? opt->max_recv_bytes
							   : MVS_EXPORT_DEFAULT_RECV_BYTES) / 2;
	p.limit = rows_for(&p, worst_row_bytes(&u->schema));
	p.columns = mvs_page_new(&u->schema);
	if (!p.columns) {
		fail_oom(x);
		return;
	}
	if (opt->progress)
		mvs_progress_enable(true);
	u->schema.rows_expected = u->total > 0 ? (uint64_t)u->total : 0;	/* for the importer's progress */
	if (mvs_writer_begin(x->w, &u->schema) != 0) {
		fail_writer(x);
		goto out;
	}
	if (u->by_partition) {
		for (size_t i = 0; i < u->n_read_partitions; i++) {
			if (mvs_writer_partition(x->w, u->read_partitions[i]) != 0) {
				fail_writer(x);
				goto out;
			}
			if (read_rows(x, &p, u->read_partitions[i]) != 0)
				goto out;
		}
	} else if (read_rows(x, &p, NULL) != 0) {
		goto out;
	}
	if (int64_max_unread(x, u, p.rows) != 0)
		goto out;
	mvs_progress(p.rows, (uint64_t)(u->total > 0 ? u->total : 0), true);
	if (mvs_writer_end(x->w) != 0) {
		fail_writer(x);
		goto out;
	}
	double secs = mvs_now() - start;
	mvs_info("exported %" PRIu64 " rows from %s in %.1f s (%.0f rows/s)", p.rows, u->name, secs,
		 secs > 0 ? (double)p.rows / secs : 0.0);
	if (u->total >= 0 && p.rows != (uint64_t)u->total)
		mvs_warn("collection \"%s\": count(*) said %" PRId64 " rows before the export, %" PRIu64
			 " were read (did it change meanwhile?)", u->name, u->total, p.rows);
	x->result->rows += p.rows;
	x->result->units++;
out:
	mvs_page_free(p.columns);
	free(p.last_str);
}

/* ---- the run ---- */

static int server_version(struct export_ctx *x)
{
	Milvus__Proto__Milvus__GetVersionResponse *resp = NULL;
	struct mvs_milvus_error e;

	if (mvs_milvus_get_version(x->client, &resp, &e) != 0) {
		fail_milvus(x, &e);
		return -1;
	}
	if (resp->version && *resp->version) {
		x->server_version = strdup(resp->version);
		if (!x->server_version) {
			mvs_milvus_free(resp);
			fail_oom(x);
			return -1;
		}
	}
	mvs_milvus_free(resp);
	return 0;
}

/* The collections to export: the --collection list, or every collection of the database by name. */
static int collection_names(struct export_ctx *x, char ***names, size_t *n)
{
	const struct mvs_export_options *opt = x->opt;

	*names = NULL;
	*n = 0;
	if (!opt->all) {
		for (size_t i = 0; i < opt->n_collections; i++)
			if (push_string(names, n, opt->collections[i]) != 0)
				goto oom;
		return 0;
	}
	Milvus__Proto__Milvus__ShowCollectionsRequest req = MILVUS__PROTO__MILVUS__SHOW_COLLECTIONS_REQUEST__INIT;
	Milvus__Proto__Milvus__ShowCollectionsResponse *resp = NULL;
	struct mvs_milvus_error e;

	if (mvs_milvus_show_collections(x->client, &req, &resp, &e) != 0) {
		fail_milvus(x, &e);
		return -1;
	}
	for (size_t i = 0; i < resp->n_collection_names; i++) {
		if (push_string(names, n, resp->collection_names[i]) != 0) {
			mvs_milvus_free(resp);
			goto oom;
		}
	}
	mvs_milvus_free(resp);
	if (*n)
		qsort(*names, *n, sizeof **names, compare_names);
	return 0;
oom:
	fail_oom(x);
	return -1;
}

void mvs_export_run(struct mvs_milvus *client, struct mvs_writer *w, const struct mvs_export_options *opt,
		    struct mvs_export_result *result)
{
	struct export_ctx x = { .client = client, .w = w, .opt = opt, .result = result };
	struct unit *units = NULL;
	char **names = NULL;
	size_t n = 0, prepared = 0;

	*result = (struct mvs_export_result){ .exit_code = MVS_EXIT_OK };
	if (server_version(&x) != 0 || collection_names(&x, &names, &n) != 0)
		goto out;
	if (n == 0) {
		/* --all on an empty database: an empty stream would not be one; say so */
		fail(&x, MVS_EXIT_FAILURE, "database \"%s\" has no collections",
		     *mvs_milvus_database(client) ? mvs_milvus_database(client) : "default");
		goto out;
	}
	units = calloc(n, sizeof *units);
	if (!units) {
		fail_oom(&x);
		goto out;
	}
	for (prepared = 0; prepared < n; prepared++) {
		units[prepared].name = names[prepared];
		names[prepared] = NULL;
		if (prepare_unit(&x, &units[prepared]) != 0) {
			prepared++;
			goto out;
		}
	}
	for (size_t i = 0; i < n && !x.failed; i++) {
		export_unit(&x, &units[i]);
		/* a unit's memory is not needed once it is written */
		unit_free(&units[i]);
	}
	if (!x.failed && mvs_writer_flush(w) != 0)
		fail_writer(&x);
out:
	for (size_t i = 0; i < prepared; i++)
		unit_free(&units[i]);
	free(units);
	free_strings(names, n);
	free(x.server_version);
	if (x.failed && result->exit_code == MVS_EXIT_OK)
		result->exit_code = MVS_EXIT_FAILURE;
}
