/* What an import run reports (see mvs_import_impl.h): the per-unit summary and count check, the
 * --shard verification, and after a failure what is in the target and the command that resumes. */
#include "mvs_import_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "mvs_exit.h"
#include "mvs_log.h"
#include "mvs_shellword.h"

/* The filter of the keys this unit wrote: the range from the smallest to the largest key, and for a
 * shard with Int64 keys the shard's remainder. malloc'd, or NULL when out of memory. */
static char *shard_keys(struct importer *im, const char *pk_field)
{
	struct mvs_pk lo, hi;
	char *out = NULL;

	if (im_pk_decode(im->kmin.p, im->kmin.len, &lo) != 0 || im_pk_decode(im->kmax.p, im->kmax.len, &hi) != 0)
		return NULL;
	if (!lo.is_string) {
		char *rest = mvs_shard_int_filter(pk_field, &im->shard);
		if (rest && asprintf(&out, "%s >= %" PRId64 " and %s <= %" PRId64 "%s%s", pk_field, lo.i, pk_field,
				     hi.i, *rest ? " and " : "", rest) < 0)
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

/* A shard, or an import that shares its collection with other writers: the target must hold exactly
 * the rows written among the unit's keys (shard_keys). Other writers' rows do not count, rows that
 * were there before do. count(*) needs a loaded collection: an unloaded one (no --load) cannot be
 * counted by key and is not verified, nor are new keys made by the target (--auto-id new). */
static int verify_own_keys(struct importer *im)
{
	const char *pk = im->want.fields[mvs_schema_primary_key(&im->want)].name;
	struct mvs_milvus_error err;
	int64_t count;

	if (!im->written || !im->kmin.len || im->o->auto_id == MVS_IMPORT_AUTO_ID_NEW)
		return 0;
	char *filter = shard_keys(im, pk);
	if (!filter)
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	int rc = mvs_milvus_count(im->client, NULL, im->target, NULL, filter, &count, &err);
	free(filter);
	if (rc != 0) {
		/* 101: collection not loaded (merr) */
		if (!im->o->load && err.grpc_code == 0 && err.code == 101)
			return 0;
		return im_fail_rpc(im, &err, "cannot verify the row count");
	}
	if (count >= 0 && (uint64_t)count == im->written)
		return 0;
	char whose[64] = "this import's";
	if (im->shard.count > 1)
		snprintf(whose, sizeof whose, "shard %" PRIu32 "/%" PRIu32 "'s", im->shard.index, im->shard.count);
	return im_fail(im, MVS_EXIT_VERIFY, "collection \"%s\" holds %" PRId64 " rows among %s keys after the "
		    "import, %" PRIu64 " were written%s", im->target, count, whose, im->written,
		    (uint64_t)count > im->written ? " (did it hold rows with these keys before, or did another "
		    "writer add some?)" : "");
}

static int unit_summary(struct importer *im, double started, uint64_t unit_bytes)
{
	double secs = mvs_now() - started;

	mvs_progress(im->written, im->header->rows_expected, true);
	mvs_info("imported %" PRIu64 " rows (%" PRIu64 " bytes) into %s in %.2f s (%.0f rows/s)",
		 im->written, unit_bytes, im->target, secs, secs > 0 ? im->written / secs : 0.0);
	return 0;
}

/* After the trailer: flush and wait, indexes, load, verify, summary. */
int im_finish_unit(struct importer *im, double started, uint64_t unit_bytes)
{
	struct mvs_milvus_error err;

	if (mvs_milvus_flush_wait(im->client, NULL, im->target, WAIT_S, &err) != 0)
		return im_fail_rpc(im, &err, NULL);
	if (im->o->create_index && im_create_indexes(im) != 0)
		return im->exit_code;
	if (im->o->load && im_load_collection(im) != 0)
		return im->exit_code;
	if (im->shard.count > 1) {
		if (verify_own_keys(im) != 0)
			return im->exit_code;
	} else if (im->made) {
		int64_t count;
		/* Upserts of several units into one collection may replace each other's rows. */
		uint64_t least = im->o->mode == MVS_IMPORT_UPSERT ? im->written : im->made->rows + im->written;

		im->made->rows += im->written;
		if (im_row_count(im, &count) != 0)
			return im->exit_code;
		/* More than this run wrote: another importer writing into it at the same time, when this
		 * unit's own keys hold exactly its rows (countable when loaded). */
		if (count >= 0 && (uint64_t)count > im->made->rows && im->o->load && im->o->mode == MVS_IMPORT_INSERT)
			return verify_own_keys(im) != 0 ? im->exit_code : unit_summary(im, started, unit_bytes);
		if (count < 0 || (uint64_t)count < least || (uint64_t)count > im->made->rows)
			return im_fail(im, MVS_EXIT_VERIFY, "collection \"%s\" holds %" PRId64 " rows after the "
				    "import, %" PRIu64 " were written%s", im->target, count, im->made->rows,
				    (uint64_t)count > im->made->rows && !im->o->load ? " (another importer writing "
				    "into it at the same time? with --load the import verifies its own keys)" : "");
	}
	return unit_summary(im, started, unit_bytes);
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

/* After a failure inside a unit: what is in the target and how to go on from there. Rows of requests
 * that failed without a clear answer (im->unknown) may or may not be in the target, so a resume after
 * them must replace rows, not add them. */
void im_report_stop(struct importer *im, uint64_t unit_index)
{
	int pk = mvs_schema_primary_key(im->header);
	uint64_t beyond = im->written - im->committed;
	bool upsert = im->o->mode == MVS_IMPORT_UPSERT;
	bool replace = im->unknown && !upsert;	/* the resume needs --mode upsert */
	char *expr = NULL, *filter = NULL, *coll = NULL, *part = NULL;
	bool resumable = false;

	if (unit_index > 0)
		im_note("the %" PRIu64 " unit%s before this one %s imported completely", unit_index,
		     unit_index == 1 ? "" : "s", unit_index == 1 ? "was" : "were");
	if (im->written == 0 && im->unknown == 0) {
		im_note("no rows of this unit were written into \"%s\"", im->target);
		return;
	}
	if (im->written == 0) {
		im_note("no rows of this unit were confirmed written into \"%s\"", im->target);
	} else if (!im->have_last) {
		im_note("%" PRIu64 " rows were written into \"%s\", not known to be a run of the stream's first "
		     "rows (the requests of a batch succeed or fail one by one)", im->written, im->target);
	} else {
		char *key = last_key_text(&im->last);
		im_note("%" PRIu64 " rows were written into \"%s\": the stream's rows up to the last primary key "
		     "written, %s%s%s%s%s", im->committed, im->target, key ? key : "(out of memory)",
		     im->last_partition ? " in partition \"" : "", im->last_partition ? im->last_partition : "",
		     im->last_partition ? "\"" : "", beyond || im->unknown ? "" : ", and none after it");
		free(key);
		if (beyond)
			im_note("and %" PRIu64 " rows after it (requests finished out of order)", beyond);
	}
	if (im->unknown)
		im_note("%" PRIu64 " more rows went out in requests that failed without a clear answer (the "
		     "connection broke or the retries ran out): \"%s\" may hold some or all of them",
		     im->unknown, im->target);
	if (im->have_last && !beyond && !im->unordered && !(replace && im->o->auto_id != MVS_IMPORT_AUTO_ID_KEEP) &&
	    (expr = resume_expr(im->header->fields[pk].name, &im->last)) && (filter = mvs_shell_word(expr)) &&
	    (coll = mvs_shell_word(im->header->name)) && (!im->last_partition || (part = mvs_shell_word(im->last_partition)))) {
		if (replace)
			im_note("to resume, import the rest with --mode upsert, which replaces the rows that "
			     "may be there: mvs-export --uri SOURCE --collection %s%s%s --filter %s | mvs-import "
			     "--mode upsert (otherwise the same options)", coll, part ? " --partition " : "",
			     part ? part : "", filter);
		else
			im_note("to resume, import the rest: mvs-export --uri SOURCE --collection %s%s%s --filter %s "
			     "| mvs-import (the same options)", coll, part ? " --partition " : "", part ? part : "",
			     filter);
		if (im->last_partition)
			im_note("then export the partitions after \"%s\" in the stream the same way, without "
			     "--filter", im->last_partition);
		resumable = true;
	} else if (im->unordered) {
		im_note("the stream is not in primary-key order, so the rest cannot be selected by key");
	}
	if (im->o->auto_id == MVS_IMPORT_AUTO_ID_KEEP)
		im_note("%s the whole stream again with --mode upsert: rows already written are replaced, "
		     "not duplicated", resumable ? "or import" : "to resume, import");
	else if (beyond || im->unknown || !im->have_last || im->unordered)
		im_note("the target makes new keys (--auto-id new): drop collection \"%s\" and import again",
		     im->target);
	free(expr);
	free(filter);
	free(coll);
	free(part);
}
