/* The import engine (see mvs_import.h and man/mvs-import.1).
 *
 * Rows are decoded into batches ("slots"), one per partition run and size bound. A full slot is sealed:
 * its rows go out as one or more Insert/Upsert requests (row ranges of the slot), several requests in
 * flight through the client's submit/wait interface. A slot keeps its rows until every request of it
 * succeeded, so a request the server finds too large can be rebuilt as two halves. Slots are committed
 * in the order they were filled: the last primary key of the newest committed slot is the resume
 * point, "every row up to this key is in the target". Nothing is sent before the header and the whole
 * first rows frame were read, and nothing is created before that either.
 *
 * As a shard (--shard I/N) the importer expects other importers to create the same collection,
 * partitions and database at the same time: when a creation fails and the thing exists afterwards, it
 * is checked like one that was there. The count it verifies is its own rows': those of the shard's
 * keys (Int64: the shard's remainder) between the smallest and the largest key it wrote. */
#include "mvs_import.h"

#include <grpc/status.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_cli.h"
#include "mvs_columns.h"
#include "mvs_exit.h"
#include "mvs_milvus_schema.h"
#include "mvs_row.h"
#include "mvs_types.h"

/* How long a flush or a load may take. */
#define WAIT_S 3600.0
/* Room for the request around the columns (names, partition, protobuf framing). */
#define REQUEST_OVERHEAD (64u << 10)

/* A primary key as its msgpack bytes. */
struct key {
	unsigned char *p;
	size_t len, cap;
};

struct slot {
	struct mvs_batch *batch;
	char *partition;		/* NULL: the default partition (or routed by a partition key) */
	uint64_t seq;			/* fill order */
	uint64_t first_row;		/* stream row number of its first row, for messages */
	size_t pending;			/* requests in flight */
	bool busy;			/* holds rows: filling, sealed or waiting to commit */
	bool sealed;			/* every range was submitted */
	bool failed;			/* a request of it failed for good */
	struct key last;		/* the primary key of its last row */
};

struct request {
	struct slot *slot;
	size_t from, to;
};

/* A collection this run created, with the rows written into it (several units may feed one). */
struct created {
	char *name;
	uint64_t rows;
};

struct importer {
	struct mvs_milvus *client;
	struct mvs_reader *reader;
	const struct mvs_import_options *o;
	size_t batch_rows, batch_bytes;
	size_t inflight;

	/* run */
	bool connected, db_checked;
	char server_version[64];	/* "" until asked */
	struct created *created;
	size_t n_created;
	uint64_t total_rows;

	/* unit */
	const struct mvs_schema *header;
	struct mvs_schema want;		/* the schema the target must have */
	const char *target;
	struct created *made;		/* the entry of the target when this run created it */
	bool ready;			/* target checked or created: requests may go out */
	bool partition_key;		/* the target routes rows by a partition key: no partition names */
	unsigned flags;			/* insert_submit flags */
	int pk_column;			/* row element holding the primary key */
	char **parts;			/* partitions known to exist in the target */
	size_t n_parts;
	char *partition;		/* of the rows being read */
	struct slot *slots, *cur;
	size_t n_slots;
	uint64_t next_seq, commit_seq;
	uint64_t rows_read, written, committed;
	uint64_t unknown;		/* rows of failed requests that may have been applied anyway */
	struct key prev;		/* the key of the row read last */
	struct key kmin, kmax;		/* --shard: the smallest and largest key read in the unit */
	bool unordered;			/* keys did not increase within a partition run */
	struct mvs_pk last;		/* the newest committed key */
	char *last_s;			/* its string (last.len bytes, NUL bytes included), owned */
	char *last_partition;
	bool have_last;

	/* the first failure */
	bool failed;
	int exit_code;
	char why[2048];
};

static int fail(struct importer *im, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records the first failure; later ones are consequences. Returns the exit code to pass up. */
static int fail(struct importer *im, int code, const char *fmt, ...)
{
	va_list ap;

	if (!im->failed) {
		im->failed = true;
		im->exit_code = code;
		va_start(ap, fmt);
		vsnprintf(im->why, sizeof im->why, fmt, ap);
		va_end(ap);
	}
	return im->exit_code;
}

static int fail_rpc(struct importer *im, const struct mvs_milvus_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* fail() for a failed Milvus call: what was being done (printf's fmt and arguments; fmt NULL for
 * nothing), then the server's answer. */
static int fail_rpc(struct importer *im, const struct mvs_milvus_error *err, const char *fmt, ...)
{
	char buf[1536], what[600];
	va_list ap;

	mvs_milvus_error_render(err, buf, sizeof buf);
	if (err->code == 800 && strlen(buf) + 40 < sizeof buf)	/* database not found */
		strcat(buf, " (--create-db creates it)");
	if (!fmt)
		return fail(im, mvs_milvus_error_exit(err), "%s", buf);
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return fail(im, mvs_milvus_error_exit(err), "%s: %s", what, buf);
}

/* Continuation lines of a report: printed even with -q, like the error they explain. */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", mvs_cli_tool());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- primary keys ---- */

/* The bytes of row element `column` (the row is well-formed: mvs_batch_add_row accepted it). */
static int row_element(const unsigned char *row, size_t len, int column, const unsigned char **p,
		       size_t *n)
{
	size_t off;

	if (len == 0)
		return -1;
	if ((row[0] & 0xf0) == 0x90)
		off = 1;
	else if (row[0] == 0xdc)
		off = 3;
	else if (row[0] == 0xdd)
		off = 5;
	else
		return -1;
	for (int i = 0; i <= column; i++) {
		size_t k = off < len ? mvs_row_skip_value(row + off, len - off) : 0;

		if (k == 0)
			return -1;
		if (i == column) {
			*p = row + off;
			*n = k;
			return 0;
		}
		off += k;
	}
	return -1;
}

static uint64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Decodes a key (msgpack int or str) into pk; a string points into the bytes (not NUL-terminated). */
static int pk_decode(const unsigned char *p, size_t n, struct mvs_pk *pk)
{
	size_t hdr = 0, len = 0;

	*pk = (struct mvs_pk){ 0 };
	if (n == 0)
		return -1;
	if (p[0] <= 0x7f)
		pk->i = p[0];
	else if (p[0] >= 0xe0)
		pk->i = (int8_t)p[0];
	else if (p[0] >= 0xcc && p[0] <= 0xcf)
		pk->i = (int64_t)be(p + 1, 1 << (p[0] - 0xcc));
	else if (p[0] >= 0xd0 && p[0] <= 0xd3) {
		int w = 1 << (p[0] - 0xd0);
		uint64_t u = be(p + 1, w);

		pk->i = w == 8 ? (int64_t)u : (int64_t)(u << (64 - 8 * w)) >> (64 - 8 * w);
	} else if ((p[0] & 0xe0) == 0xa0) {
		hdr = 1;
		len = p[0] & 0x1f;
	} else if (p[0] >= 0xd9 && p[0] <= 0xdb) {
		hdr = 1 + (1u << (p[0] - 0xd9));
		len = (size_t)be(p + 1, (int)hdr - 1);
	} else {
		return -1;
	}
	if (hdr == 0)
		return 0;
	if (hdr + len > n)
		return -1;
	pk->is_string = true;
	pk->s = (const char *)p + hdr;
	pk->len = len;
	return 0;
}

/* Whether key b comes after key a in Milvus's order (numbers, or strings bytewise). */
static bool pk_after(const struct mvs_pk *a, const struct mvs_pk *b)
{
	return mvs_pk_compare(a, b) < 0;
}

static int key_set(struct key *k, const unsigned char *p, size_t len)
{
	if (len > k->cap) {
		unsigned char *q = realloc(k->p, len);

		if (!q)
			return -1;
		k->p = q;
		k->cap = len;
	}
	memcpy(k->p, p, len);
	k->len = len;
	return 0;
}

/* ---- partitions ---- */

static bool part_known(const struct importer *im, const char *name)
{
	for (size_t i = 0; i < im->n_parts; i++)
		if (strcmp(im->parts[i], name) == 0)
			return true;
	return false;
}

static int part_add(struct importer *im, const char *name)
{
	char **v = realloc(im->parts, (im->n_parts + 1) * sizeof *v);

	if (!v)
		return -1;
	im->parts = v;
	if (!(v[im->n_parts] = strdup(name)))
		return -1;
	im->n_parts++;
	return 0;
}

static void parts_free(struct importer *im)
{
	for (size_t i = 0; i < im->n_parts; i++)
		free(im->parts[i]);
	free(im->parts);
	im->parts = NULL;
	im->n_parts = 0;
}

/* --shard: whether another importer created the target collection (partition NULL) or its partition
 * meanwhile (a failed creation's excuse). */
static bool target_exists_now(struct importer *im, const char *partition)
{
	Milvus__Proto__Milvus__HasCollectionRequest has_collection =
		MILVUS__PROTO__MILVUS__HAS_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Milvus__HasPartitionRequest has_partition = MILVUS__PROTO__MILVUS__HAS_PARTITION_REQUEST__INIT;
	Milvus__Proto__Milvus__BoolResponse *has = NULL;
	struct mvs_milvus_error err;
	int rc;

	if (im->o->shard.count <= 1)
		return false;
	if (partition) {
		has_partition.collection_name = (char *)im->target;
		has_partition.partition_name = (char *)partition;
		rc = mvs_milvus_has_partition(im->client, &has_partition, &has, &err);
	} else {
		has_collection.collection_name = (char *)im->target;
		rc = mvs_milvus_has_collection(im->client, &has_collection, &has, &err);
	}
	bool yes = rc == 0 && has->value;
	mvs_milvus_free(has);
	return yes;
}

/* Creates the partition in the target unless it is known to exist. */
static int ensure_partition(struct importer *im, const char *name)
{
	Milvus__Proto__Milvus__CreatePartitionRequest req = MILVUS__PROTO__MILVUS__CREATE_PARTITION_REQUEST__INIT;
	Milvus__Proto__Common__Status *st = NULL;
	struct mvs_milvus_error err;

	if (!name || part_known(im, name))
		return 0;
	req.collection_name = (char *)im->target;
	req.partition_name = (char *)name;
	if (mvs_milvus_create_partition(im->client, &req, &st, &err) != 0 && !target_exists_now(im, name))
		return fail_rpc(im, &err, "cannot create partition \"%s\" of collection \"%s\"", name,
				im->target);
	mvs_milvus_free(st);
	if (part_add(im, name) != 0)
		return fail(im, MVS_EXIT_FAILURE, "out of memory");
	return 0;
}

static int load_partitions(struct importer *im)
{
	Milvus__Proto__Milvus__ShowPartitionsRequest req = MILVUS__PROTO__MILVUS__SHOW_PARTITIONS_REQUEST__INIT;
	Milvus__Proto__Milvus__ShowPartitionsResponse *resp = NULL;
	struct mvs_milvus_error err;

	req.collection_name = (char *)im->target;
	if (mvs_milvus_show_partitions(im->client, &req, &resp, &err) != 0)
		return fail_rpc(im, &err, NULL);
	for (size_t i = 0; i < resp->n_partition_names; i++) {
		if (part_add(im, resp->partition_names[i]) != 0) {
			mvs_milvus_free(resp);
			return fail(im, MVS_EXIT_FAILURE, "out of memory");
		}
	}
	mvs_milvus_free(resp);
	return 0;
}

/* ---- requests ---- */

static int handle_done(struct importer *im, struct request *rq, int rc,
		       Milvus__Proto__Milvus__MutationResult *res, const struct mvs_milvus_error *err);

/* Sends rows [from, to) of the slot. A request refused as too large before it left is split here. */
static int submit_range(struct importer *im, struct slot *s, size_t from, size_t to)
{
	Milvus__Proto__Milvus__InsertRequest req = MILVUS__PROTO__MILVUS__INSERT_REQUEST__INIT;
	struct mvs_milvus_error err;
	struct request *rq = malloc(sizeof *rq);

	if (!rq)
		return fail(im, MVS_EXIT_FAILURE, "out of memory");
	*rq = (struct request){ s, from, to };
	if (mvs_batch_fields(s->batch, from, to, &req.fields_data, &req.n_fields_data) != 0) {
		free(rq);
		return fail(im, MVS_EXIT_FAILURE, "out of memory building an Insert request");
	}
	req.collection_name = (char *)im->target;
	if (s->partition)
		req.partition_name = s->partition;
	req.num_rows = (uint32_t)(to - from);
	s->pending++;
	if (mvs_milvus_insert_submit(im->client, &req, im->flags, rq, &err) != 0)
		return handle_done(im, rq, -1, NULL, &err);
	return 0;
}

/* Commits finished slots in fill order: their last key becomes the resume point. */
static void commit(struct importer *im)
{
	for (;;) {
		struct slot *s = NULL;

		for (size_t i = 0; i < im->n_slots; i++)
			if (im->slots[i].busy && im->slots[i].seq == im->commit_seq)
				s = &im->slots[i];
		if (!s || !s->sealed || s->pending || s->failed)
			return;
		struct mvs_pk pk;
		char *str = NULL;
		if (pk_decode(s->last.p, s->last.len, &pk) == 0 &&
		    (!pk.is_string || (str = malloc(pk.len + 1)))) {
			free(im->last_s);
			im->last_s = str;
			if (str)
				pk.s = memcpy(str, pk.s, pk.len);
			im->last = pk;
			im->have_last = true;
			free(im->last_partition);
			im->last_partition = s->partition;
			s->partition = NULL;
		}
		im->committed += mvs_batch_rows(s->batch);
		mvs_batch_reset(s->batch);
		free(s->partition);
		s->partition = NULL;
		s->busy = s->sealed = false;
		im->commit_seq++;
	}
}

/* Whether a request that failed for good may have been applied all the same: an attempt cut off
 * before its answer (transport failure, deadline, an unreadable reply), or any retried request (an
 * earlier attempt may have been the one cut off). A single attempt the server refused is not. */
static bool outcome_unknown(const struct mvs_milvus_error *err)
{
	if (err->attempts > 1)
		return true;
	switch (err->grpc_code) {
	case GRPC_STATUS_OK:			/* the server answered with a Milvus Status */
	case GRPC_STATUS_INVALID_ARGUMENT:
	case GRPC_STATUS_NOT_FOUND:
	case GRPC_STATUS_ALREADY_EXISTS:
	case GRPC_STATUS_PERMISSION_DENIED:
	case GRPC_STATUS_UNAUTHENTICATED:
	case GRPC_STATUS_RESOURCE_EXHAUSTED:	/* too large: refused before it was taken */
	case GRPC_STATUS_FAILED_PRECONDITION:
	case GRPC_STATUS_OUT_OF_RANGE:
	case GRPC_STATUS_UNIMPLEMENTED:
		return false;
	default:
		return true;
	}
}

static int handle_done(struct importer *im, struct request *rq, int rc,
		       Milvus__Proto__Milvus__MutationResult *res, const struct mvs_milvus_error *err)
{
	struct slot *s = rq->slot;
	size_t rows = rq->to - rq->from;
	int ret = 0;

	s->pending--;
	if (rc == 0) {
		/* An Insert retried as an Upsert (MVS_MILVUS_RETRY_AS_UPSERT) counts as upserted. */
		int64_t n = res->insert_cnt > res->upsert_cnt ? res->insert_cnt : res->upsert_cnt;

		if (n != (int64_t)rows) {
			s->failed = true;
			im->unknown += rows;
			ret = fail(im, MVS_EXIT_SERVER, "%s into collection \"%s\": the server took %" PRId64
				   " of %zu rows", im->o->mode == MVS_IMPORT_UPSERT ? "Upsert" : "Insert",
				   im->target, n, rows);
		} else {
			im->written += rows;
			im->total_rows += rows;
			mvs_progress(im->total_rows, 0, false);
		}
	} else if (mvs_milvus_error_too_large(err) && rows > 1 && !im->failed) {
		size_t mid = rq->from + rows / 2;

		/* Both halves go out at once: splits are rare, the in-flight bound may overshoot by one. */
		ret = submit_range(im, s, rq->from, mid);
		if (ret == 0)
			ret = submit_range(im, s, mid, rq->to);
	} else {
		s->failed = true;
		if (outcome_unknown(err))
			im->unknown += rows;
		if (mvs_milvus_error_too_large(err) && rows == 1)
			ret = fail(im, MVS_EXIT_SERVER, "row %" PRIu64 " alone is too large for one request "
				   "(raise --max-send-bytes and the server's limit): %s",
				   s->first_row + rq->from, err->message);
		else
			ret = fail_rpc(im, err, NULL);
	}
	mvs_milvus_free(res);
	free(rq);
	commit(im);
	return ret;
}

#define WAIT_BROKEN (-2)

/* Waits for one request to finish. Returns 0, an exit code after a failed request, or WAIT_BROKEN
 * when the client could not wait at all (then nothing more will finish). */
static int wait_one(struct importer *im)
{
	Milvus__Proto__Milvus__MutationResult *res = NULL;
	struct mvs_milvus_error err;
	void *tag = NULL;
	int rc = mvs_milvus_insert_wait(im->client, &tag, &res, &err);

	if (!tag) {
		fail_rpc(im, &err, NULL);
		return WAIT_BROKEN;
	}
	return handle_done(im, tag, rc, res, &err);
}

/* Waits for everything in flight; failures are recorded, not returned. */
static void drain(struct importer *im)
{
	while (mvs_milvus_in_flight(im->client) > 0)
		if (wait_one(im) == WAIT_BROKEN)
			break;
}

/* Sends a slot's rows, in as many requests as the row and byte bounds need. */
static int seal(struct importer *im, struct slot *s)
{
	size_t rows = mvs_batch_rows(s->batch), bytes = mvs_batch_bytes(s->batch);
	size_t k = (rows + im->batch_rows - 1) / im->batch_rows;
	size_t kb = (bytes + im->batch_bytes - 1) / im->batch_bytes;

	if (im->cur == s)
		im->cur = NULL;
	/* Rows go only into the current slot, so its last row is the row read last. */
	if (rows && key_set(&s->last, im->prev.p, im->prev.len) != 0)
		return fail(im, MVS_EXIT_FAILURE, "out of memory");
	if (kb > k)
		k = kb;
	if (k > rows)
		k = rows;
	if (rows && ensure_partition(im, s->partition) != 0)
		return im->exit_code;
	for (size_t i = 0; i < k && !im->failed; i++) {
		while (mvs_milvus_in_flight(im->client) >= im->inflight && !im->failed)
			wait_one(im);
		if (!im->failed)
			submit_range(im, s, rows * i / k, rows * (i + 1) / k);
	}
	s->sealed = true;
	commit(im);
	return im->failed ? im->exit_code : 0;
}

/* The slot the next row goes into: the current one, or a free one (waiting for commits). */
static struct slot *slot_for_row(struct importer *im)
{
	if (im->cur)
		return im->cur;
	for (;;) {
		for (size_t i = 0; i < im->n_slots; i++) {
			struct slot *s = &im->slots[i];

			if (s->busy)
				continue;
			s->busy = true;
			s->sealed = s->failed = false;
			s->seq = im->next_seq++;
			if (im->partition && !(s->partition = strdup(im->partition))) {
				fail(im, MVS_EXIT_FAILURE, "out of memory");
				return NULL;
			}
			s->first_row = im->rows_read + 1;
			mvs_batch_set_row_number(s->batch, s->first_row);
			return im->cur = s;
		}
		if (im->failed || mvs_milvus_in_flight(im->client) == 0 || wait_one(im) == WAIT_BROKEN)
			return NULL;	/* a failed slot holds its rows forever */
	}
}

/* --shard: widens the unit's key range [kmin, kmax] to take key (msgpack bytes p). */
static int widen_range(struct importer *im, const unsigned char *p, size_t len, const struct mvs_pk *key)
{
	struct mvs_pk bound;

	if ((!im->kmin.len || (pk_decode(im->kmin.p, im->kmin.len, &bound) == 0 && pk_after(key, &bound))) &&
	    key_set(&im->kmin, p, len) != 0)
		return -1;
	if ((!im->kmax.len || (pk_decode(im->kmax.p, im->kmax.len, &bound) == 0 && pk_after(&bound, key))) &&
	    key_set(&im->kmax, p, len) != 0)
		return -1;
	return 0;
}

static int add_row(struct importer *im, const struct mvs_item *item)
{
	char why[1024];
	const unsigned char *p;
	size_t len;
	struct mvs_pk key, prev;
	struct slot *s = slot_for_row(im);

	if (!s)
		return im->exit_code;
	if (mvs_batch_add_row(s->batch, item->row, item->row_len, why, sizeof why) != 0)
		return fail(im, MVS_EXIT_SCHEMA, "%s (unit %" PRIu64 ", collection \"%s\")", why,
			    item->unit_index + 1, im->header->name);
	im->rows_read++;
	if (row_element(item->row, item->row_len, im->pk_column, &p, &len) != 0 ||
	    pk_decode(p, len, &key) != 0)
		return fail(im, MVS_EXIT_STREAM, "row %" PRIu64 ": cannot read its primary key",
			    im->rows_read);
	/* The "pk > last" resume needs the stream in key order within each partition run. */
	if (im->prev.len && pk_decode(im->prev.p, im->prev.len, &prev) == 0 && !pk_after(&prev, &key))
		im->unordered = true;
	if (key_set(&im->prev, p, len) != 0 || (im->o->shard.count > 1 && widen_range(im, p, len, &key) != 0))
		return fail(im, MVS_EXIT_FAILURE, "out of memory");
	if (im->ready && (mvs_batch_rows(s->batch) >= im->batch_rows ||
			  mvs_batch_bytes(s->batch) >= im->batch_bytes))
		return seal(im, s);
	return 0;
}

/* ---- the target ---- */

static int connect_once(struct importer *im)
{
	struct mvs_milvus_error err;

	if (im->connected)
		return 0;
	if (mvs_milvus_connect(im->client, NULL, &err) != 0)
		return fail_rpc(im, &err, NULL);
	im->connected = true;
	return 0;
}

/* Whether database db is among the server's (ListDatabases). Returns 0, or -1 with err filled. */
static int database_listed(struct importer *im, const char *db, bool *found, struct mvs_milvus_error *err)
{
	Milvus__Proto__Milvus__ListDatabasesResponse *list = NULL;

	*found = false;
	if (mvs_milvus_list_databases(im->client, &list, err) != 0)
		return -1;
	for (size_t i = 0; i < list->n_db_names; i++)
		*found |= strcmp(list->db_names[i], db) == 0;
	mvs_milvus_free(list);
	return 0;
}

/* --shard: whether another importer created the database meanwhile (a failed creation's excuse). */
static bool database_exists_now(struct importer *im, const char *db)
{
	struct mvs_milvus_error err;
	bool found;

	return im->o->shard.count > 1 && database_listed(im, db, &found, &err) == 0 && found;
}

static int ensure_database(struct importer *im)
{
	Milvus__Proto__Milvus__CreateDatabaseRequest req = MILVUS__PROTO__MILVUS__CREATE_DATABASE_REQUEST__INIT;
	Milvus__Proto__Common__Status *st = NULL;
	struct mvs_milvus_error err;
	const char *db = mvs_milvus_database(im->client);
	bool found;

	if (im->db_checked || !im->o->create_db || !*db)
		return 0;
	if (database_listed(im, db, &found, &err) != 0)
		return fail_rpc(im, &err, NULL);
	if (!found) {
		req.db_name = (char *)db;
		if (mvs_milvus_create_database(im->client, &req, &st, &err) != 0 && !database_exists_now(im, db))
			return fail_rpc(im, &err, "cannot create database \"%s\"", db);
		mvs_milvus_free(st);
		mvs_info("created database \"%s\"", db);
	}
	im->db_checked = true;
	return 0;
}

/* The target's Milvus version as 2.<minor> (major 3 and later count as minor 99), asked once. */
static int server_minor(struct importer *im, int *minor)
{
	int major = 0;

	if (!im->server_version[0]) {
		Milvus__Proto__Milvus__GetVersionResponse *v = NULL;
		struct mvs_milvus_error err;

		if (mvs_milvus_get_version(im->client, &v, &err) != 0)
			return fail_rpc(im, &err, NULL);
		snprintf(im->server_version, sizeof im->server_version, "%s",
			 v->version && *v->version ? v->version : "(unknown version)");
		mvs_milvus_free(v);
	}
	*minor = 0;
	sscanf(im->server_version + (im->server_version[0] == 'v'), "%d.%d", &major, minor);
	if (major > 2)
		*minor = 99;
	return 0;
}

/* Collection features and the Milvus 2.x minor version that brought them. */
enum { SINCE_SPARSE_FP16 = 4, SINCE_MULTI_VECTOR = 4, SINCE_NULLABLE = 5, SINCE_DEFAULT = 5,
       SINCE_FUNCTION = 5, SINCE_CLUSTERING = 5, SINCE_INT8_VECTOR = 6, SINCE_GEO_TEXT = 6,
       SINCE_AUTO_ID_KEYS = 6 };

/* Writes into what the first feature of the schema that Milvus 2.<minor> lacks, and returns the minor
 * version that brought it; 0 when the server has them all. */
static int newer_feature(const struct mvs_schema *s, int minor, char *what, size_t n)
{
	int vectors = 0;

	for (size_t i = 0; i < s->n_fields; i++) {
		const struct mvs_field *f = &s->fields[i];
		int since = 0;
		const char *kind;

		if (f->is_dynamic)
			continue;
		if (mvs_type_info(f->type) && mvs_type_info(f->type)->is_vector)
			vectors++;
		switch (f->type) {
		case MVS_T_FLOAT16_VECTOR:
		case MVS_T_BFLOAT16_VECTOR:
		case MVS_T_SPARSE_FLOAT_VECTOR:
			since = SINCE_SPARSE_FP16;
			break;
		case MVS_T_INT8_VECTOR:
			since = SINCE_INT8_VECTOR;
			break;
		case MVS_T_GEOMETRY:
		case MVS_T_TEXT:
			since = SINCE_GEO_TEXT;
			break;
		}
		kind = mvs_type_name(f->type);
		if (since <= minor && f->nullable) {
			since = SINCE_NULLABLE;
			kind = "a nullable field";
		}
		if (since <= minor && f->default_value) {
			since = SINCE_DEFAULT;
			kind = "a default value";
		}
		if (since <= minor && f->clustering_key) {
			since = SINCE_CLUSTERING;
			kind = "a clustering key";
		}
		if (since > minor) {
			snprintf(what, n, "%s (field \"%s\")", kind, f->name);
			return since;
		}
		if (vectors > 1 && SINCE_MULTI_VECTOR > minor) {
			snprintf(what, n, "more than one vector field (field \"%s\")", f->name);
			return SINCE_MULTI_VECTOR;
		}
	}
	if (s->n_functions > 0 && SINCE_FUNCTION > minor) {
		snprintf(what, n, "functions (\"%s\")", s->functions[0].name);
		return SINCE_FUNCTION;
	}
	return 0;
}

/* create_collection's answer when another importer created the collection first (--shard). */
#define CREATED_ELSEWHERE (-3)

/* Creates the target from the header. Returns 0, CREATED_ELSEWHERE, or the exit code of a failure. */
static int create_collection(struct importer *im)
{
	Milvus__Proto__Milvus__CreateCollectionRequest req = MILVUS__PROTO__MILVUS__CREATE_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Common__Status *st = NULL;
	Milvus__Proto__Common__KeyValuePair **kvs = NULL;
	struct mvs_milvus_error err;
	struct mvs_kvlist props = { 0 };
	unsigned char *buf = NULL;
	size_t len, n_kvs = 0;
	char why[1024];
	int pk = mvs_schema_primary_key(&im->want), rc = 0;
	/* Keeping the keys of an auto-ID key needs a target that accepts them. */
	bool allow = im->o->auto_id == MVS_IMPORT_AUTO_ID_KEEP && im->want.fields[pk].auto_id;

	int minor, since;

	if (server_minor(im, &minor) != 0)
		return im->exit_code;
	if ((since = newer_feature(&im->want, minor, why, sizeof why)) != 0)
		return fail(im, MVS_EXIT_SCHEMA, "cannot create collection \"%s\": the stream needs %s, which "
			    "Milvus %s lacks (it came with Milvus 2.%d); drop or map the field with mvs-map, or "
			    "import into a newer server", im->target, why, im->server_version, since);
	if (allow && SINCE_AUTO_ID_KEYS > minor)
		return fail(im, MVS_EXIT_SCHEMA, "the primary key \"%s\" is auto-ID and Milvus %s cannot keep "
			    "given keys for it (allow_insert_auto_id needs Milvus 2.6); pass --auto-id new to "
			    "let the target make new keys", im->want.fields[pk].name, im->server_version);
	for (size_t i = 0; i < im->want.properties.len; i++) {
		const struct mvs_kv *kv = &im->want.properties.items[i];

		if (!(allow && strcmp(kv->key, "allow_insert_auto_id") == 0) &&
		    mvs_kvlist_add(&props, kv->key, kv->value) != 0)
			rc = -1;
	}
	if (allow && mvs_kvlist_add(&props, "allow_insert_auto_id", "true") != 0)
		rc = -1;
	if (rc == 0 && props.len && !(kvs = mvs_kvlist_to_milvus(&props, &n_kvs)))
		rc = -1;
	if (rc != 0) {
		mvs_kvlist_free(&props);
		return fail(im, MVS_EXIT_FAILURE, "out of memory");
	}
	if (mvs_schema_to_milvus(&im->want, im->target, &buf, &len, why, sizeof why) != 0) {
		free(kvs);
		mvs_kvlist_free(&props);
		return fail(im, MVS_EXIT_SCHEMA, "cannot create collection \"%s\": %s", im->target, why);
	}
	req.collection_name = (char *)im->target;
	req.schema.data = buf;
	req.schema.len = len;
	req.shards_num = im->want.shards_num;
	req.consistency_level = (Milvus__Proto__Common__ConsistencyLevel)im->want.consistency_level;
	req.properties = kvs;
	req.n_properties = n_kvs;
	if (im->partition_key)
		req.num_partitions = im->want.num_partitions;
	if (mvs_milvus_create_collection(im->client, &req, &st, &err) != 0)
		rc = target_exists_now(im, NULL) ? CREATED_ELSEWHERE :
			fail_rpc(im, &err, "cannot create collection \"%s\"", im->target);
	mvs_milvus_free(st);
	free(buf);
	free(kvs);
	mvs_kvlist_free(&props);
	if (rc)
		return rc;

	struct created *c = realloc(im->created, (im->n_created + 1) * sizeof *c);
	if (!c)
		return fail(im, MVS_EXIT_FAILURE, "out of memory");
	im->created = c;
	c = &c[im->n_created];
	if (!(c->name = strdup(im->target)))
		return fail(im, MVS_EXIT_FAILURE, "out of memory");
	c->rows = 0;
	im->made = c;
	im->n_created++;
	mvs_info("created collection \"%s\"", im->target);
	if (part_add(im, "_default") != 0)
		return fail(im, MVS_EXIT_FAILURE, "out of memory");
	return 0;
}

/* Reads the existing collection and checks the stream fits it. */
static int check_collection(struct importer *im)
{
	Milvus__Proto__Milvus__DescribeCollectionRequest req = MILVUS__PROTO__MILVUS__DESCRIBE_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Milvus__DescribeCollectionResponse *d = NULL;
	struct mvs_milvus_error err;
	struct mvs_schema have = { 0 };
	char why[1024];
	int rc = 0;

	req.collection_name = (char *)im->target;
	if (mvs_milvus_describe_collection(im->client, &req, &d, &err) != 0)
		return fail_rpc(im, &err, NULL);
	struct mvs_collection_settings settings = {
		.shards_num = d->shards_num,
		.consistency_level = d->consistency_level,
		.num_partitions = d->num_partitions,
		.properties = d->properties,
		.n_properties = d->n_properties,
	};
	if (!d->schema)
		rc = fail(im, MVS_EXIT_SERVER, "DescribeCollection of \"%s\" returned no schema", im->target);
	else if (mvs_schema_from_milvus(&have, d->schema, &settings, why, sizeof why) != 0)
		rc = fail(im, MVS_EXIT_SCHEMA, "collection \"%s\" exists with a schema mvs cannot use: %s",
			  im->target, why);
	else if (mvs_import_schema_compare(&im->want, &have, why, sizeof why) != 0)
		rc = fail(im, MVS_EXIT_SCHEMA, "collection \"%s\" exists with a different schema (%s)",
			  im->target, why);
	else if (mvs_import_auto_id_check(&have, im->o->auto_id, why, sizeof why) != 0)
		rc = fail(im, MVS_EXIT_SCHEMA, "%s", why);
	if (rc == 0) {
		for (size_t i = 0; i < have.n_fields; i++)
			im->partition_key |= have.fields[i].partition_key;
		int pk = mvs_schema_primary_key(&have);
		if (have.fields[pk].auto_id)
			im->flags &= ~(unsigned)MVS_MILVUS_RETRY_AS_UPSERT;
	}
	mvs_schema_free(&have);
	mvs_milvus_free(d);
	return rc;
}

/* Creates or checks the target, then its partitions. Called once the first frame was read. */
static int prepare_target(struct importer *im)
{
	Milvus__Proto__Milvus__HasCollectionRequest req = MILVUS__PROTO__MILVUS__HAS_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Milvus__BoolResponse *has = NULL;
	struct mvs_milvus_error err;
	bool exists;

	/* The database first: Milvus 2.3 refuses Connect for a database (the dbname header) that does
	 * not exist yet (code 800), while ListDatabases and CreateDatabase work without Connect. */
	if (ensure_database(im) || connect_once(im))
		return im->exit_code;
	req.collection_name = (char *)im->target;
	if (mvs_milvus_has_collection(im->client, &req, &has, &err) != 0)
		return fail_rpc(im, &err, NULL);
	exists = has->value;
	mvs_milvus_free(has);
	im->made = NULL;
	for (size_t i = 0; i < im->n_created; i++)
		if (strcmp(im->created[i].name, im->target) == 0)
			im->made = &im->created[i];
	if (!exists) {
		int rc = create_collection(im);
		if (rc == CREATED_ELSEWHERE)
			exists = true;
		else if (rc != 0)
			return im->exit_code;
	}
	if (exists && (check_collection(im) || load_partitions(im)))
		return im->exit_code;
	if (!im->partition_key)
		for (size_t i = 0; i < im->want.n_partitions; i++)
			if (ensure_partition(im, im->want.partitions[i]) != 0)
				return im->exit_code;
	im->ready = true;
	return 0;
}

/* ---- the end of a unit ---- */

static int row_count(struct importer *im, int64_t *count)
{
	Milvus__Proto__Milvus__GetCollectionStatisticsRequest req =
		MILVUS__PROTO__MILVUS__GET_COLLECTION_STATISTICS_REQUEST__INIT;
	Milvus__Proto__Milvus__GetCollectionStatisticsResponse *resp = NULL;
	struct mvs_milvus_error err;

	/* count(*) needs a loaded collection; the statistics count the same rows for a collection
	 * that only ever received inserts, once flushed. */
	if (im->o->load) {
		if (mvs_milvus_count(im->client, NULL, im->target, NULL, NULL, count, &err) != 0)
			return fail_rpc(im, &err, "cannot verify the row count");
		return 0;
	}
	req.collection_name = (char *)im->target;
	if (mvs_milvus_get_collection_statistics(im->client, &req, &resp, &err) != 0)
		return fail_rpc(im, &err, "cannot verify the row count");
	*count = -1;
	for (size_t i = 0; i < resp->n_stats; i++)
		if (resp->stats[i]->key && strcmp(resp->stats[i]->key, "row_count") == 0 && resp->stats[i]->value)
			*count = strtoll(resp->stats[i]->value, NULL, 10);
	mvs_milvus_free(resp);
	if (*count < 0)
		return fail(im, MVS_EXIT_SERVER, "cannot verify the row count: GetCollectionStatistics of "
			    "\"%s\" has no row_count", im->target);
	return 0;
}

static int create_indexes(struct importer *im)
{
	for (size_t i = 0; i < im->header->n_indexes; i++) {
		const struct mvs_index *ix = &im->header->indexes[i];
		Milvus__Proto__Milvus__CreateIndexRequest req = MILVUS__PROTO__MILVUS__CREATE_INDEX_REQUEST__INIT;
		Milvus__Proto__Common__Status *st = NULL;
		struct mvs_milvus_error err;
		size_t n = 0;

		req.collection_name = (char *)im->target;
		req.field_name = ix->field_name;
		if (ix->index_name)
			req.index_name = ix->index_name;
		req.extra_params = mvs_kvlist_to_milvus(&ix->params, &n);
		req.n_extra_params = n;
		if (n && !req.extra_params)
			return fail(im, MVS_EXIT_FAILURE, "out of memory");
		int rc = mvs_milvus_create_index(im->client, &req, &st, &err);
		free(req.extra_params);
		mvs_milvus_free(st);
		if (rc != 0)
			return fail_rpc(im, &err, "cannot create index \"%s\" on field \"%s\"",
					ix->index_name ? ix->index_name : "", ix->field_name);
	}
	return 0;
}

static int load_collection(struct importer *im)
{
	Milvus__Proto__Milvus__LoadCollectionRequest req = MILVUS__PROTO__MILVUS__LOAD_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Common__Status *st = NULL;
	struct mvs_milvus_error err;

	req.collection_name = (char *)im->target;
	if (mvs_milvus_load_collection(im->client, &req, &st, &err) != 0)
		return fail_rpc(im, &err, "cannot load collection \"%s\"%s", im->target,
				im->o->create_index ? "" : " (it may need indexes first: --create-index)");
	mvs_milvus_free(st);
	if (mvs_milvus_wait_loaded(im->client, NULL, im->target, WAIT_S, &err) != 0)
		return fail_rpc(im, &err, NULL);
	return 0;
}

/* The filter of the keys this shard wrote: the range from the smallest to the largest key, and for
 * Int64 keys the shard's remainder. malloc'd, or NULL when out of memory. */
static char *shard_keys(struct importer *im, const char *pk_field)
{
	struct mvs_pk lo, hi;
	char *out = NULL;

	if (pk_decode(im->kmin.p, im->kmin.len, &lo) != 0 || pk_decode(im->kmax.p, im->kmax.len, &hi) != 0)
		return NULL;
	if (!lo.is_string) {
		char *rest = mvs_shard_int_filter(pk_field, &im->o->shard);
		if (rest && asprintf(&out, "%s >= %" PRId64 " and %s <= %" PRId64 " and %s", pk_field, lo.i, pk_field,
				     hi.i, rest) < 0)
			out = NULL;
		free(rest);
		return out;
	}
	char *a = mvs_shard_quote(lo.s, lo.len), *b = mvs_shard_quote(hi.s, hi.len);
	if (a && b && asprintf(&out, "%s >= %s and %s <= %s", pk_field, a, pk_field, b) < 0)
		out = NULL;
	free(a);
	free(b);
	return out;
}

/* --shard: the target must hold exactly the rows written among the shard's keys (shard_keys). Other
 * shards' rows do not count, rows that were there before do. count(*) needs a loaded collection: an
 * unloaded one (no --load) cannot be counted by key and is not verified, nor are new keys made by
 * the target (--auto-id new). */
static int verify_shard(struct importer *im)
{
	const char *pk = im->want.fields[mvs_schema_primary_key(&im->want)].name;
	struct mvs_milvus_error err;
	int64_t count;

	if (!im->written || !im->kmin.len || im->o->auto_id == MVS_IMPORT_AUTO_ID_NEW)
		return 0;
	char *filter = shard_keys(im, pk);
	if (!filter)
		return fail(im, MVS_EXIT_FAILURE, "out of memory");
	int rc = mvs_milvus_count(im->client, NULL, im->target, NULL, filter, &count, &err);
	free(filter);
	if (rc != 0) {
		/* 101: collection not loaded (merr) */
		if (!im->o->load && err.grpc_code == 0 && err.code == 101)
			return 0;
		return fail_rpc(im, &err, "cannot verify the row count");
	}
	if (count < 0 || (uint64_t)count != im->written)
		return fail(im, MVS_EXIT_VERIFY, "collection \"%s\" holds %" PRId64 " rows with the keys of shard %"
			    PRIu32 "/%" PRIu32 " after the import, %" PRIu64 " were written%s", im->target, count,
			    im->o->shard.index, im->o->shard.count, im->written,
			    (uint64_t)count > im->written ? " (did it hold rows with these keys before?)" : "");
	return 0;
}

/* After the trailer: flush and wait, indexes, load, verify, summary. */
static int finish_unit(struct importer *im, double started, uint64_t unit_bytes)
{
	struct mvs_milvus_error err;

	if (mvs_milvus_flush_wait(im->client, NULL, im->target, WAIT_S, &err) != 0)
		return fail_rpc(im, &err, NULL);
	if (im->o->create_index && create_indexes(im) != 0)
		return im->exit_code;
	if (im->o->load && load_collection(im) != 0)
		return im->exit_code;
	if (im->o->shard.count > 1) {
		if (verify_shard(im) != 0)
			return im->exit_code;
	} else if (im->made) {
		int64_t count;
		/* Upserts of several units into one collection may replace each other's rows. */
		uint64_t least = im->o->mode == MVS_IMPORT_UPSERT ? im->written : im->made->rows + im->written;

		im->made->rows += im->written;
		if (row_count(im, &count) != 0)
			return im->exit_code;
		if (count < 0 || (uint64_t)count < least || (uint64_t)count > im->made->rows)
			return fail(im, MVS_EXIT_VERIFY, "collection \"%s\" holds %" PRId64 " rows after the "
				    "import, %" PRIu64 " were written", im->target, count, im->made->rows);
	}
	double secs = mvs_now() - started;
	if (mvs_progress_enabled())
		mvs_progress(im->total_rows, 0, true);
	mvs_info("imported %" PRIu64 " rows (%" PRIu64 " bytes) into %s in %.2f s (%.0f rows/s)",
		 im->written, unit_bytes, im->target, secs, secs > 0 ? im->written / secs : 0.0);
	return 0;
}

/* ---- reports ---- */

/* The filter selecting the rows after the resume key: `pk > 42`, or `pk > "k"` with the string
 * escaped as Milvus's expression parser unquotes it (Go strconv.Unquote), a NUL byte as \x00.
 * malloc'd (a key may be 64 KiB, its literal four times that), or NULL when out of memory. */
static char *resume_expr(const char *pk_field, const struct mvs_pk *last)
{
	char *literal, *out = NULL;
	int n;

	if (!last->is_string)
		return asprintf(&out, "%s > %" PRId64, pk_field, last->i) < 0 ? NULL : out;
	if (!(literal = mvs_shard_quote(last->s, last->len)))
		return NULL;
	n = asprintf(&out, "%s > %s", pk_field, literal);
	free(literal);
	return n < 0 ? NULL : out;
}

/* The resume key as the report shows it: a number, or a VarChar key as a filter literal (escaped, NUL
 * bytes as \x00) with its length in bytes, "\"a\x00b\" (3 bytes)". malloc'd, or NULL when out of
 * memory. */
static char *last_key_text(const struct mvs_pk *last)
{
	char *text = NULL, *literal;
	int n;

	if (!last->is_string)
		return asprintf(&text, "%" PRId64, last->i) < 0 ? NULL : text;
	if (!(literal = mvs_shard_quote(last->s, last->len)))
		return NULL;
	n = asprintf(&text, "%s (%zu byte%s)", literal, last->len, last->len == 1 ? "" : "s");
	free(literal);
	return n < 0 ? NULL : text;
}

/* s as one POSIX shell word: as it is when that is safe, else single-quoted. malloc'd, or NULL when
 * out of memory. */
static char *shell_word(const char *s)
{
	size_t len = strlen(s), n = 0;
	char *out;

	if (len && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.,:/=@%+-") == len)
		return strdup(s);
	if (!(out = malloc(4 * len + 3)))
		return NULL;
	out[n++] = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *s;
		}
	}
	out[n++] = '\'';
	out[n] = '\0';
	return out;
}

/* After a failure inside a unit: what is in the target and how to go on from there. Rows of requests
 * that failed without a clear answer (im->unknown) may or may not be in the target, so a resume after
 * them must replace rows, not add them. */
static void report_stop(struct importer *im, uint64_t unit_index)
{
	int pk = mvs_schema_primary_key(im->header);
	uint64_t beyond = im->written - im->committed;
	bool upsert = im->o->mode == MVS_IMPORT_UPSERT;
	bool replace = im->unknown && !upsert;	/* the resume needs --mode upsert */
	char *expr = NULL, *filter = NULL, *coll = NULL, *part = NULL;
	bool resumable = false;

	if (unit_index > 0)
		note("the %" PRIu64 " unit%s before this one %s imported completely", unit_index,
		     unit_index == 1 ? "" : "s", unit_index == 1 ? "was" : "were");
	if (im->written == 0 && im->unknown == 0) {
		note("no rows of this unit were written into \"%s\"", im->target);
		return;
	}
	if (im->written == 0) {
		note("no rows of this unit were confirmed written into \"%s\"", im->target);
	} else if (!im->have_last) {
		note("%" PRIu64 " rows were written into \"%s\", not known to be a run of the stream's first "
		     "rows (the requests of a batch succeed or fail one by one)", im->written, im->target);
	} else {
		char *key = last_key_text(&im->last);
		note("%" PRIu64 " rows were written into \"%s\": the stream's rows up to the last primary key "
		     "written, %s%s%s%s%s", im->committed, im->target, key ? key : "(out of memory)",
		     im->last_partition ? " in partition \"" : "", im->last_partition ? im->last_partition : "",
		     im->last_partition ? "\"" : "", beyond || im->unknown ? "" : ", and none after it");
		free(key);
		if (beyond)
			note("and %" PRIu64 " rows after it (requests finished out of order)", beyond);
	}
	if (im->unknown)
		note("%" PRIu64 " more rows went out in requests that failed without a clear answer (the "
		     "connection broke or the retries ran out): \"%s\" may hold some or all of them",
		     im->unknown, im->target);
	if (im->have_last && !beyond && !im->unordered && !(replace && im->o->auto_id != MVS_IMPORT_AUTO_ID_KEEP) &&
	    (expr = resume_expr(im->header->fields[pk].name, &im->last)) && (filter = shell_word(expr)) &&
	    (coll = shell_word(im->header->name)) && (!im->last_partition || (part = shell_word(im->last_partition)))) {
		if (replace)
			note("to resume, import the rest with --mode upsert, which replaces the rows that "
			     "may be there: mvs-export --uri SOURCE --collection %s%s%s --filter %s | mvs-import "
			     "--mode upsert (otherwise the same options)", coll, part ? " --partition " : "",
			     part ? part : "", filter);
		else
			note("to resume, import the rest: mvs-export --uri SOURCE --collection %s%s%s --filter %s "
			     "| mvs-import (the same options)", coll, part ? " --partition " : "", part ? part : "",
			     filter);
		if (im->last_partition)
			note("then export the partitions after \"%s\" in the stream the same way, without "
			     "--filter", im->last_partition);
		resumable = true;
	} else if (im->unordered) {
		note("the stream is not in primary-key order, so the rest cannot be selected by key");
	}
	if (im->o->auto_id == MVS_IMPORT_AUTO_ID_KEEP)
		note("%s the whole stream again with --mode upsert: rows already written are replaced, "
		     "not duplicated", resumable ? "or import" : "to resume, import");
	else if (beyond || im->unknown || !im->have_last || im->unordered)
		note("the target makes new keys (--auto-id new): drop collection \"%s\" and import again",
		     im->target);
	free(expr);
	free(filter);
	free(coll);
	free(part);
}

/* ---- units ---- */

static bool header_lists(const struct mvs_schema *header, const char *partition)
{
	for (size_t i = 0; i < header->n_partitions; i++)
		if (strcmp(header->partitions[i], partition) == 0)
			return true;
	return false;
}

static void unit_free(struct importer *im)
{
	for (size_t i = 0; i < im->n_slots; i++) {
		mvs_batch_free(im->slots[i].batch);
		free(im->slots[i].partition);
		free(im->slots[i].last.p);
	}
	free(im->slots);
	im->slots = im->cur = NULL;
	im->n_slots = 0;
	mvs_schema_free(&im->want);
	memset(&im->want, 0, sizeof im->want);
	parts_free(im);
	free(im->partition);
	free(im->last_s);
	free(im->last_partition);
	im->partition = im->last_s = im->last_partition = NULL;
	im->have_last = false;
	free(im->prev.p);
	im->prev = (struct key){ 0 };
	free(im->kmin.p);
	free(im->kmax.p);
	im->kmin = im->kmax = (struct key){ 0 };
}

static int unit_begin(struct importer *im, const struct mvs_schema *header)
{
	char why[1024];
	const char *drop[1];
	struct mvs_batch_options bo = { drop, 0 };
	int pk;

	im->header = header;
	im->target = im->o->collection ? im->o->collection : header->name;
	im->ready = im->partition_key = false;
	im->made = NULL;
	im->next_seq = im->commit_seq = 0;
	im->rows_read = im->written = im->committed = im->unknown = 0;
	im->unordered = false;
	if (mvs_schema_validate(header, why, sizeof why) != 0)
		return fail(im, MVS_EXIT_SCHEMA, "the stream's schema cannot be imported: %s", why);
	if (mvs_import_target_schema(header, im->o->auto_id, &im->want, why, sizeof why) != 0)
		return fail(im, MVS_EXIT_SCHEMA, "%s", why);
	pk = mvs_schema_primary_key(header);
	for (size_t i = 0; i < mvs_schema_row_width(header); i++)
		if (mvs_schema_row_field(header, i) == pk)
			im->pk_column = (int)i;
	for (size_t i = 0; i < header->n_fields; i++)
		im->partition_key |= header->fields[i].partition_key;
	im->flags = im->o->mode == MVS_IMPORT_UPSERT ? MVS_MILVUS_UPSERT : 0;
	if (im->o->mode == MVS_IMPORT_INSERT && !im->want.fields[pk].auto_id)
		im->flags |= MVS_MILVUS_RETRY_AS_UPSERT;
	if (im->o->auto_id == MVS_IMPORT_AUTO_ID_NEW)
		drop[bo.n_drop++] = header->fields[pk].name;

	im->n_slots = im->inflight + 1;
	if (!(im->slots = calloc(im->n_slots, sizeof *im->slots)))
		return fail(im, MVS_EXIT_FAILURE, "out of memory");
	for (size_t i = 0; i < im->n_slots; i++)
		if (!(im->slots[i].batch = mvs_batch_new(header, &bo)))
			return fail(im, MVS_EXIT_FAILURE, "out of memory");
	return 0;
}

/* One unit, from its header to its trailer (or the failure). *item is the HEADER on entry, read from
 * stream offset unit_start. */
static int import_unit(struct importer *im, struct mvs_item *item, uint64_t unit_start)
{
	uint64_t unit_index = item->unit_index;
	uint64_t first_frame = 0;
	double started = mvs_now();

	if (unit_begin(im, item->schema) != 0)
		return im->exit_code;
	for (;;) {
		int kind = mvs_reader_next(im->reader, item);
		uint64_t at = mvs_reader_offset(im->reader);

		/* A marker must name a partition the header lists: a damaged name would otherwise
		 * become a new partition in the target before the trailer's checksum exposes it. */
		if (kind == MVS_ITEM_PARTITION && !im->partition_key &&
		    !header_lists(im->header, item->partition)) {
			fail(im, MVS_EXIT_STREAM, "corrupt stream: the partition frame ending at byte %" PRIu64
			     " names \"%s\", which the header does not list (unit %" PRIu64 ")", at,
			     item->partition, unit_index + 1);
			break;
		}
		/* The first rows frame is read whole (and its rows decoded) before the target is
		 * touched: a new offset, a marker after rows or the trailer says it is. */
		if (!im->ready && kind != MVS_ITEM_ERROR &&
		    (kind == MVS_ITEM_TRAILER || (im->rows_read && (kind != MVS_ITEM_ROW || at != first_frame)))) {
			if (prepare_target(im) != 0)
				break;
			if (im->cur && (mvs_batch_rows(im->cur->batch) >= im->batch_rows ||
					mvs_batch_bytes(im->cur->batch) >= im->batch_bytes) && seal(im, im->cur) != 0)
				break;
		}
		if (kind == MVS_ITEM_ROW) {
			if (!im->rows_read)
				first_frame = at;
			if (add_row(im, item) != 0)
				break;
		} else if (kind == MVS_ITEM_PARTITION) {
			if (im->cur && mvs_batch_rows(im->cur->batch) && seal(im, im->cur) != 0)
				break;
			free(im->partition);
			im->partition = NULL;
			im->prev.len = 0;
			if (!im->partition_key && !(im->partition = strdup(item->partition))) {
				fail(im, MVS_EXIT_FAILURE, "out of memory");
				break;
			}
		} else if (kind == MVS_ITEM_TRAILER) {
			if (im->cur && mvs_batch_rows(im->cur->batch) && seal(im, im->cur) != 0)
				break;
			drain(im);
			if (im->failed)
				break;
			if (im->committed != im->rows_read) {
				fail(im, MVS_EXIT_FAILURE, "internal error: %" PRIu64 " of %" PRIu64 " rows "
				     "committed", im->committed, im->rows_read);
				break;
			}
			if (finish_unit(im, started, at - unit_start) != 0)
				mvs_error("%s", im->why);
			return im->failed ? im->exit_code : 0;
		} else {
			/* ERROR (HEADER and EOF cannot come inside a unit). */
			fail(im, mvs_reader_exit_code(im->reader), "%s", mvs_reader_error(im->reader));
			break;
		}
	}
	/* A failure: let what is in flight land, then say what the target holds. */
	drain(im);
	mvs_error("%s", im->why);
	report_stop(im, unit_index);
	return im->exit_code;
}

int mvs_import_run(struct mvs_milvus *client, struct mvs_reader *reader, const struct mvs_import_options *o)
{
	struct importer im = {
		.client = client,
		.reader = reader,
		.o = o,
		.batch_rows = o->batch_rows ? o->batch_rows : MVS_IMPORT_DEFAULT_BATCH_ROWS,
		.batch_bytes = o->batch_bytes ? o->batch_bytes : MVS_IMPORT_DEFAULT_BATCH_BYTES,
		.inflight = o->inflight > 0 ? (size_t)o->inflight : MVS_IMPORT_DEFAULT_INFLIGHT,
	};
	size_t max_request = o->max_send_bytes > 0 ? (size_t)o->max_send_bytes : (size_t)64 << 20;
	size_t units = 0;
	uint64_t unit_start = 0;
	struct mvs_item item;
	int rc = 0, kind;

	if (max_request > 2 * REQUEST_OVERHEAD && im.batch_bytes > max_request - REQUEST_OVERHEAD)
		im.batch_bytes = max_request - REQUEST_OVERHEAD;
	kind = mvs_reader_next(reader, &item);
	while (rc == 0 && kind == MVS_ITEM_HEADER) {
		rc = import_unit(&im, &item, unit_start);
		unit_free(&im);
		if (rc == 0) {
			units++;
			unit_start = mvs_reader_offset(reader);
			kind = mvs_reader_next(reader, &item);
		}
	}
	if (rc == 0 && kind == MVS_ITEM_ERROR) {
		/* Before a unit's header: nothing of that unit exists anywhere. */
		rc = mvs_reader_exit_code(reader);
		mvs_error("%s", mvs_reader_error(reader));
		if (units)
			note("the %zu unit%s before it %s imported completely", units, units == 1 ? "" : "s",
			     units == 1 ? "was" : "were");
	}
	for (size_t i = 0; i < im.n_created; i++)
		free(im.created[i].name);
	free(im.created);
	return rc;
}
