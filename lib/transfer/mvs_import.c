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
 * Other importers may create the same collection, partitions and database at the same time: when a
 * creation fails and the thing exists afterwards, it is checked like one that was there. A shard
 * (--shard I/N, or a stream whose header says it is one) verifies its own rows: those of the shard's
 * keys (Int64: the shard's remainder) between the smallest and the largest key it wrote. */
#include "mvs_import.h"
#include "mvs_import_impl.h"

#include <grpc/status.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_batch.h"
#include "mvs_check.h"
#include "mvs_exit.h"
#include "mvs_interrupt.h"
#include "mvs_log.h"
#include "mvs_mpack.h"
#include "mvs_pk.h"

/* Records the first failure; later ones are consequences. Returns the exit code to pass up. After an
 * interrupt every failure is one of its consequences: the exit code is 128 + the signal's number. */
int im_fail(struct importer *im, int code, const char *fmt, ...)
{
	va_list ap;

	if (!im->failed) {
		im->failed = true;
		im->exit_code = mvs_interrupted() ? 128 + mvs_interrupted() : code;
		va_start(ap, fmt);
		vsnprintf(im->why, sizeof im->why, fmt, ap);
		va_end(ap);
	}
	return im->exit_code;
}

/* im_fail() for a failed Milvus call: what was being done (printf's fmt and arguments; fmt NULL for
 * nothing), then the server's answer. */
int im_fail_rpc(struct importer *im, const struct mvs_milvus_error *err, const char *fmt, ...)
{
	char buf[1536], what[600];
	va_list ap;

	mvs_milvus_error_render(err, buf, sizeof buf);
	if (err->code == 800 && strlen(buf) + 40 < sizeof buf)	/* database not found */
		strcat(buf, " (--create-db creates it)");
	if (!fmt)
		return im_fail(im, mvs_milvus_error_exit(err), "%s", buf);
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return im_fail(im, mvs_milvus_error_exit(err), "%s: %s", what, buf);
}

/* Continuation lines of a report: printed even with -q, like the error they explain. */
void im_note(const char *fmt, ...)
{
	va_list ap;

	mvs_progress_clear();
	fprintf(stderr, "%s: ", mvs_log_tool());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Whether to stop sending rows: a failure, or an interrupt (then recorded as the failure). */
static bool stopping(struct importer *im)
{
	int sig = mvs_interrupted();

	if (sig && !im->failed)
		im_fail(im, 128 + sig, "interrupted by %s", mvs_interrupt_name(sig));
	return im->failed;
}

/* ---- primary keys ---- */

/* The bytes of row element `column` (the row is well-formed: mvs_batch_add_row accepted it). */
static int row_element(const unsigned char *row, size_t len, int column, const unsigned char **p,
		       size_t *n)
{
	uint32_t count;
	size_t off;

	if (!mvs_mp_array_header(row, len, &count, &off) || column < 0 || (uint32_t)column >= count)
		return -1;
	for (int i = 0; i <= column; i++) {
		size_t k = off < len ? mvs_mp_skip(row + off, len - off) : 0;

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

/* Decodes a key (msgpack int or str) into pk; a string points into the bytes (not NUL-terminated). */
int im_pk_decode(const unsigned char *p, size_t n, struct mvs_pk *pk)
{
	struct mvs_mp c = { p, p + n };
	struct mvs_mp_obj o;

	*pk = (struct mvs_pk){ 0 };
	if (mvs_mp_read(&c, &o) != 0)
		return -1;
	switch (o.kind) {
	case MVS_MP_INT:
		pk->i = o.i;
		return 0;
	case MVS_MP_UINT:
		pk->i = (int64_t)o.u;	/* the validator refused keys above INT64_MAX */
		return 0;
	case MVS_MP_STR:
		pk->is_string = true;
		pk->s = (const char *)o.data;
		pk->len = o.len;
		return 0;
	default:
		return -1;
	}
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
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	*rq = (struct request){ s, from, to };
	if (mvs_batch_fields(s->batch, from, to, &req.fields_data, &req.n_fields_data) != 0) {
		free(rq);
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory building an Insert request");
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
		if (im_pk_decode(s->last.p, s->last.len, &pk) == 0 &&
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
			ret = im_fail(im, MVS_EXIT_SERVER, "%s into collection \"%s\": the server took %" PRId64
				   " of %zu rows", im->o->mode == MVS_IMPORT_UPSERT ? "Upsert" : "Insert",
				   im->target, n, rows);
		} else {
			im->written += rows;
			if (!mvs_interrupted())
				mvs_progress(im->written, im->header->rows_expected, false);
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
			ret = im_fail(im, MVS_EXIT_SERVER, "row %" PRIu64 " alone is too large for one request "
				   "(raise --max-send-bytes and the server's limit): %s",
				   s->first_row + rq->from, err->message);
		else
			ret = im_fail_rpc(im, err, NULL);
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
		im_fail_rpc(im, &err, NULL);
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
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	if (kb > k)
		k = kb;
	if (k > rows)
		k = rows;
	if (rows && im_ensure_partition(im, s->partition) != 0)
		return im->exit_code;
	for (size_t i = 0; i < k && !stopping(im); i++) {
		while (mvs_milvus_in_flight(im->client) >= im->inflight && !stopping(im))
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
				im_fail(im, MVS_EXIT_FAILURE, "out of memory");
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

/* Widens the unit's key range [kmin, kmax] to take key (msgpack bytes p). */
static int widen_range(struct importer *im, const unsigned char *p, size_t len, const struct mvs_pk *key)
{
	struct mvs_pk bound;

	if ((!im->kmin.len || (im_pk_decode(im->kmin.p, im->kmin.len, &bound) == 0 && pk_after(key, &bound))) &&
	    key_set(&im->kmin, p, len) != 0)
		return -1;
	if ((!im->kmax.len || (im_pk_decode(im->kmax.p, im->kmax.len, &bound) == 0 && pk_after(&bound, key))) &&
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
		return im_fail(im, MVS_EXIT_SCHEMA, "%s (unit %" PRIu64 ", collection \"%s\")", why,
			    item->unit_index + 1, im->header->name);
	im->rows_read++;
	if (row_element(item->row, item->row_len, im->pk_column, &p, &len) != 0 ||
	    im_pk_decode(p, len, &key) != 0)
		return im_fail(im, MVS_EXIT_STREAM, "row %" PRIu64 ": cannot read its primary key",
			    im->rows_read);
	/* The "pk > last" resume needs the stream in key order within each partition run. */
	if (im->prev.len && im_pk_decode(im->prev.p, im->prev.len, &prev) == 0 && !pk_after(&prev, &key))
		im->unordered = true;
	if (key_set(&im->prev, p, len) != 0 || widen_range(im, p, len, &key) != 0)
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	if (im->ready && (mvs_batch_rows(s->batch) >= im->batch_rows ||
			  mvs_batch_bytes(s->batch) >= im->batch_bytes))
		return seal(im, s);
	return 0;
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
	im_parts_free(im);
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
	mvs_progress_reset();
	if (mvs_schema_validate(header, why, sizeof why) != 0)
		return im_fail(im, MVS_EXIT_SCHEMA, "the stream's schema cannot be imported: %s", why);
	im->shard = im->o->shard;
	if (header->shard_count > 1) {
		if (im->o->shard.count > 1 && (im->o->shard.index != header->shard_index ||
					       im->o->shard.count != header->shard_count))
			return im_fail(im, MVS_EXIT_USAGE, "--shard %" PRIu32 "/%" PRIu32 " but the stream is shard %"
				    PRIu32 "/%" PRIu32 " (its header says so; leave --shard out)", im->o->shard.index,
				    im->o->shard.count, header->shard_index, header->shard_count);
		im->shard = (struct mvs_shard){ header->shard_index, header->shard_count };
	}
	if (mvs_import_target_schema(header, im->o->auto_id, &im->want, why, sizeof why) != 0)
		return im_fail(im, MVS_EXIT_SCHEMA, "%s", why);
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
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	for (size_t i = 0; i < im->n_slots; i++)
		if (!(im->slots[i].batch = mvs_batch_new(header, &bo)))
			return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	return 0;
}

/* One unit, from its header to its trailer (or the failure). *item is the HEADER on entry, read from
 * stream offset unit_start. */
static int import_unit(struct importer *im, struct mvs_item *item, uint64_t unit_start)
{
	uint64_t unit_index = item->unit_index;
	uint64_t first_frame = 0;
	double started = mvs_now();

	if (unit_begin(im, item->schema) != 0) {
		mvs_error("%s", im->why);
		im_report_stop(im, unit_index);
		return im->exit_code;
	}
	for (;;) {
		if (stopping(im))
			break;
		int kind = mvs_reader_next(im->reader, item);
		uint64_t at = mvs_reader_offset(im->reader);

		/* A marker must name a partition the header lists: a damaged name would otherwise
		 * become a new partition in the target before the trailer's checksum exposes it. */
		if (kind == MVS_ITEM_PARTITION && !im->partition_key &&
		    !header_lists(im->header, item->partition)) {
			im_fail(im, MVS_EXIT_STREAM, "corrupt stream: the partition frame ending at byte %" PRIu64
			     " names \"%s\", which the header does not list (unit %" PRIu64 ")", at,
			     item->partition, unit_index + 1);
			break;
		}
		/* The first rows frame is read whole (and its rows decoded) before the target is
		 * touched: a new offset, a marker after rows or the trailer says it is. */
		if (!im->ready && kind != MVS_ITEM_ERROR &&
		    (kind == MVS_ITEM_TRAILER || (im->rows_read && (kind != MVS_ITEM_ROW || at != first_frame)))) {
			if (im_prepare_target(im) != 0)
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
				im_fail(im, MVS_EXIT_FAILURE, "out of memory");
				break;
			}
		} else if (kind == MVS_ITEM_TRAILER) {
			if (im->cur && mvs_batch_rows(im->cur->batch) && seal(im, im->cur) != 0)
				break;
			drain(im);
			if (im->failed)
				break;
			if (im->committed != im->rows_read) {
				im_fail(im, MVS_EXIT_FAILURE, "internal error: %" PRIu64 " of %" PRIu64 " rows "
				     "committed", im->committed, im->rows_read);
				break;
			}
			if (im_finish_unit(im, started, at - unit_start) != 0) {
				mvs_error("%s", im->why);
				if (mvs_interrupted())
					im_note("all %" PRIu64 " rows of this unit were written into \"%s\"; what "
						"follows them (flush, indexes, load, count check) did not finish",
						im->written, im->target);
			}
			return im->failed ? im->exit_code : 0;
		} else {
			/* ERROR (HEADER and EOF cannot come inside a unit). A stream cut short by the same
			 * Ctrl-C that stopped us is the interrupt's doing. */
			if (!stopping(im))
				im_fail(im, mvs_reader_exit_code(im->reader), "%s", mvs_reader_error(im->reader));
			break;
		}
	}
	/* A failure: let what is in flight land, then say what the target holds. */
	drain(im);
	mvs_error("%s", im->why);
	im_report_stop(im, unit_index);
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
		if (mvs_interrupted() && !units)
			im_note("nothing was written");
		if (units)
			im_note("the %zu unit%s before it %s imported completely", units, units == 1 ? "" : "s",
			     units == 1 ? "was" : "were");
	}
	if (rc == 0 && mvs_interrupted()) {
		/* The end of the input may be where the interrupt cut the stream between two units. */
		rc = 128 + mvs_interrupted();
		mvs_error("interrupted by %s", mvs_interrupt_name(mvs_interrupted()));
		if (units)
			im_note("the %zu unit%s read %s imported completely", units, units == 1 ? "" : "s",
				units == 1 ? "was" : "were");
		else
			im_note("nothing was written");
	}
	for (size_t i = 0; i < im.n_created; i++)
		free(im.created[i].name);
	free(im.created);
	return rc;
}
