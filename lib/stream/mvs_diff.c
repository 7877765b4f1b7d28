/* The comparison of two streams for mvs-diff (see mvs_diff.h). */
#include "mvs_diff.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_check.h"
#include "mvs_exit.h"
#include "mvs_json.h"
#include "mvs_log.h"
#include "mvs_mpack.h"
#include "mvs_rowsort.h"

#define SHOW_BYTES 80	/* a value longer than this as JSON is shown cut, with "..." */

/* One input, read an item at a time. */
struct side {
	const char *label;		/* "A" or "B" */
	struct mvs_reader *r;
	struct mvs_item item;		/* the current item */
	struct mvs_canon canon;		/* of the current unit */
	char *partition;		/* of the current row: "" before any partition frame */
	int rank;			/* the partition's index in the header's list; -1: none */
	uint64_t row;			/* rows read from the input, all units (mvs-cat's line number) */
	uint64_t unit_rows;
	/* the previous key, for the order check */
	bool have_last;
	int64_t key_i;
	struct mvs_canon_buf key_s;
};

struct diff {
	const struct mvs_diff_options *opt;
	struct side a, b;
	bool unordered;
	uint64_t lines;
	uint64_t only_a, only_b, changed;
	bool different;
	struct mvs_jbuf out;
	struct mvs_canon_buf ca, cb;
	char *err;
	size_t errlen;
	int code;			/* an error's exit code; 0 while all is well */
};

static int fail(struct diff *d, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct diff *d, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, d->errlen, fmt, ap);
	va_end(ap);
	d->code = code;
	return -1;
}

static void emit(struct diff *d)
{
	d->opt->line(d->opt->ctx, d->out.data ? d->out.data : "", d->out.len);
}

/* Starts a difference line; false when --max lines were printed already (it still counts). */
static bool line_start(struct diff *d)
{
	d->different = true;
	if (d->lines >= d->opt->max_lines)
		return false;
	d->lines++;
	mvs_jbuf_reset(&d->out);
	return true;
}

/* ---- reading ---- */

static int reader_failed(struct diff *d, struct side *s)
{
	return fail(d, mvs_reader_exit_code(s->r), "%s: %s", s->label, mvs_reader_error(s->r));
}

/* The index of name in the schema's partition list: -1 for "" (no partition), -2 when not listed. */
static int partition_rank(const struct mvs_schema *schema, const char *name)
{
	if (!*name)
		return -1;
	for (size_t i = 0; i < schema->n_partitions; i++)
		if (strcmp(schema->partitions[i], name) == 0)
			return (int)i;
	return -2;
}

/* Appends a value as JSON ("42", "\"abc\""), cut after SHOW_BYTES. */
static void show_value(struct mvs_jbuf *b, const struct mvs_field *f, const unsigned char *v, size_t n)
{
	char why[256];
	size_t start = b->len;

	if (mvs_json_value(b, f, v, n, why, sizeof why) != 0) {
		b->len = start;
		mvs_jbuf_puts(b, "(a value that cannot be shown)");
	}
	if (b->len - start > SHOW_BYTES) {
		size_t cut = start + SHOW_BYTES;
		while (cut > start && ((unsigned char)b->data[cut] & 0xc0) == 0x80)
			cut--;	/* not inside a UTF-8 sequence */
		b->len = cut;
		mvs_jbuf_puts(b, "...");
	}
}

static const struct mvs_field *column_field(const struct side *s, size_t col)
{
	const struct mvs_schema *schema = s->item.schema;

	return &schema->fields[mvs_schema_row_field(schema, col)];
}

/* "partition "p" pk=42" (the partition only when it is named and not _default) */
static void show_row(struct diff *d, struct side *s)
{
	if (!d->opt->canon.without_partition && *s->partition && strcmp(s->partition, "_default") != 0) {
		mvs_jbuf_puts(&d->out, "partition ");
		mvs_json_string(&d->out, s->partition, strlen(s->partition));
		mvs_jbuf_putc(&d->out, ' ');
	}
	mvs_jbuf_puts(&d->out, "pk=");
	const struct mvs_span *v = &s->canon.values[s->canon.pk_column];
	show_value(&d->out, column_field(s, (size_t)s->canon.pk_column), v->ptr, v->len);
}

/* The row's primary key, decoded. */
static void row_key(const struct side *s, bool *is_str, int64_t *i, const unsigned char **p, size_t *n)
{
	const struct mvs_span *v = &s->canon.values[s->canon.pk_column];
	struct mvs_mp c = { v->ptr, v->ptr + v->len };
	struct mvs_mp_obj o = { .kind = MVS_MP_NIL };

	mvs_mp_read(&c, &o);	/* checked: an Int64 or a VarChar */
	*is_str = o.kind == MVS_MP_STR;
	*i = o.kind == MVS_MP_INT ? o.i : (int64_t)o.u;
	*p = o.data;
	*n = o.kind == MVS_MP_STR ? o.len : 0;
}

/* Milvus's key order: numbers, or bytes with a prefix first. */
static int compare_keys(bool str, int64_t ai, const unsigned char *as, size_t an, int64_t bi,
			const unsigned char *bs, size_t bn)
{
	if (!str)
		return (ai > bi) - (ai < bi);
	int c = memcmp(as, bs, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

/* Checks that the current row's key follows the previous one (within its partition, or across the
 * unit with --ignore-partitions), as the merge needs. */
static int check_order(struct diff *d, struct side *s)
{
	bool str;
	int64_t i;
	const unsigned char *p;
	size_t n;

	row_key(s, &str, &i, &p, &n);
	if (s->have_last && compare_keys(str, s->key_i, s->key_s.data, s->key_s.len, i, p, n) >= 0) {
		mvs_jbuf_reset(&d->out);
		show_row(d, s);
		return fail(d, MVS_EXIT_USAGE, "%s is not in export order: row %" PRIu64 " (%.*s) does not "
			    "follow the key before it%s; mvs-diff merges on (partition, primary key) in "
			    "mvs-export's order: compare such input with --unordered", s->label, s->row,
			    (int)d->out.len, d->out.data,
			    d->opt->canon.without_partition ? " (--ignore-partitions needs keys that increase "
							      "across the partitions)" : "");
	}
	s->have_last = true;
	s->key_i = i;
	s->key_s.len = 0;
	if (str) {
		struct mvs_canon_buf *k = &s->key_s;
		if (k->cap < n) {
			unsigned char *m = realloc(k->data, n);
			if (!m)
				return fail(d, MVS_EXIT_FAILURE, "out of memory");
			k->data = m;
			k->cap = n;
		}
		if (n)
			memcpy(k->data, p, n);
		k->len = n;
	}
	return 0;
}

/* Moves s to its next row, trailer, header or end of input; checks each row's values and builds its
 * canonical bytes. */
static int advance(struct diff *d, struct side *s)
{
	char why[512];

	for (;;) {
		mvs_reader_next(s->r, &s->item);
		switch (s->item.kind) {
		case MVS_ITEM_PARTITION: {
			int rank = partition_rank(s->item.schema, s->item.partition);
			if (rank == -2)
				return fail(d, MVS_EXIT_STREAM, "%s: unit %" PRIu64 ": a partition frame names "
					    "\"%s\", which the header does not list", s->label,
					    s->item.unit_index + 1, s->item.partition);
			if (!d->unordered && rank <= s->rank)
				return fail(d, MVS_EXIT_USAGE, "%s is not in export order: partition \"%s\" "
					    "comes after \"%s\", against the order of the header's list; compare "
					    "such input with --unordered", s->label, s->item.partition,
					    s->partition);
			char *p = strdup(s->item.partition);
			if (!p)
				return fail(d, MVS_EXIT_FAILURE, "out of memory");
			free(s->partition);
			s->partition = p;
			s->rank = rank;
			if (!d->opt->canon.without_partition)
				s->have_last = false;	/* keys start again in each partition */
			continue;
		}
		case MVS_ITEM_ROW:
			s->row++;
			s->unit_rows++;
			if (mvs_row_check(s->item.schema, s->item.row, s->item.row_len, why, sizeof why) != 0 ||
			    mvs_canon_row(&s->canon, s->partition, s->item.row, s->item.row_len, why,
					  sizeof why) != 0)
				return fail(d, MVS_EXIT_STREAM, "%s: unit %" PRIu64 " (collection \"%s\"), row %"
					    PRIu64 ": %s", s->label, s->item.unit_index + 1,
					    s->item.schema->name ? s->item.schema->name : "", s->unit_rows, why);
			return d->unordered ? 0 : check_order(d, s);
		case MVS_ITEM_HEADER:
			free(s->partition);
			if (!(s->partition = strdup("")))
				return fail(d, MVS_EXIT_FAILURE, "out of memory");
			s->rank = -1;
			s->unit_rows = 0;
			s->have_last = false;
			return 0;
		case MVS_ITEM_TRAILER:
		case MVS_ITEM_EOF:
			return 0;
		default:
			return reader_failed(d, s);
		}
	}
}

/* ---- one pair of units ---- */

/* The fields compared, by name: --fields, or those of both units in A's order (and a difference line
 * for each field only one of them has). names[] borrows the schemas' strings. */
static int compared_fields(struct diff *d, const char ***names, size_t *n)
{
	const struct mvs_schema *sa = d->a.item.schema, *sb = d->b.item.schema;
	const struct mvs_canon_options *co = &d->opt->canon;

	*n = 0;
	if (co->fields) {
		*names = calloc(co->n_fields + 1, sizeof **names);
		if (!*names)
			return fail(d, MVS_EXIT_FAILURE, "out of memory");
		for (size_t i = 0; i < co->n_fields; i++)
			(*names)[(*n)++] = co->fields[i];
		return 0;
	}
	size_t wa = mvs_schema_row_width(sa), wb = mvs_schema_row_width(sb);
	*names = calloc(wa + 1, sizeof **names);
	if (!*names)
		return fail(d, MVS_EXIT_FAILURE, "out of memory");
	for (size_t col = 0; col < wa; col++) {
		const char *name = sa->fields[mvs_schema_row_field(sa, col)].name;
		int fb = mvs_schema_field_index(sb, name);
		if (fb >= 0 && !sb->fields[fb].function_output) {
			(*names)[(*n)++] = name;
		} else if (line_start(d)) {
			mvs_jbuf_printf(&d->out, "field %s: only in A", name);
			emit(d);
		}
	}
	for (size_t col = 0; col < wb; col++) {
		const char *name = sb->fields[mvs_schema_row_field(sb, col)].name;
		int fa = mvs_schema_field_index(sa, name);
		if ((fa < 0 || sa->fields[fa].function_output) && line_start(d)) {
			mvs_jbuf_printf(&d->out, "field %s: only in B", name);
			emit(d);
		}
	}
	return 0;
}

/* Sets up both sides' canonical forms for the pair of units at their headers. */
static int begin_pair(struct diff *d)
{
	const char **names = NULL;
	size_t n;
	char why[512];

	if (compared_fields(d, &names, &n) != 0)
		return -1;
	struct mvs_canon_options co = d->opt->canon;
	co.fields = names;
	co.n_fields = n;
	if (!d->unordered)
		co.without_partition = true;	/* the merge compares partitions itself */
	struct side *sides[2] = { &d->a, &d->b };
	for (int i = 0; i < 2; i++) {
		mvs_canon_free(&sides[i]->canon);
		if (mvs_canon_init(&sides[i]->canon, sides[i]->item.schema, &co, why, sizeof why) != 0) {
			free(names);
			return fail(d, MVS_EXIT_USAGE, "%s: %s", sides[i]->label, why);
		}
	}
	free(names);
	if (d->unordered)
		return 0;
	int pa = d->a.canon.pk_column, pb = d->b.canon.pk_column;
	if (pa < 0 || pb < 0 || column_field(&d->a, (size_t)pa)->type != column_field(&d->b, (size_t)pb)->type)
		return fail(d, MVS_EXIT_USAGE, "the primary keys of A and B are not of one type: the rows "
			    "cannot be merged on them; compare with --ignore-pk");
	/* the partitions both list must come in one order, or the merge cannot pair them */
	const struct mvs_schema *sa = d->a.item.schema, *sb = d->b.item.schema;
	int last = -1;
	const char *last_name = NULL;
	for (size_t i = 0; i < sa->n_partitions && !d->opt->canon.without_partition; i++) {
		int rb = partition_rank(sb, sa->partitions[i]);
		if (rb < 0)
			continue;
		if (rb < last)
			return fail(d, MVS_EXIT_USAGE, "A and B list partitions \"%s\" and \"%s\" in different "
				    "orders: the rows cannot be merged; compare with --unordered", last_name,
				    sa->partitions[i]);
		last = rb;
		last_name = sa->partitions[i];
	}
	return 0;
}

/* Which of the two current rows comes first in the merge: <0 A's, >0 B's, 0 the same key. */
static int merge_order(struct diff *d)
{
	struct side *a = &d->a, *b = &d->b;

	if (!d->opt->canon.without_partition && strcmp(a->partition, b->partition) != 0) {
		int b_in_a = partition_rank(a->item.schema, b->partition);
		int a_in_b = partition_rank(b->item.schema, a->partition);
		if (b_in_a == -2)
			return 1;	/* a partition A does not have: B's rows there are B's alone */
		if (a_in_b == -2)
			return -1;
		return a->rank < b_in_a ? -1 : 1;	/* the one behind has a partition the other lacks */
	}
	bool str;
	int64_t ai, bi;
	const unsigned char *ap, *bp;
	size_t an, bn;
	row_key(a, &str, &ai, &ap, &an);
	row_key(b, &str, &bi, &bp, &bn);
	return compare_keys(str, ai, ap, an, bi, bp, bn);
}

/* Counts a row only side s has; true when its line is to be written, which then starts here
 * ("only in A: ") for the caller to finish and emit. */
static bool only_in_start(struct diff *d, struct side *s)
{
	if (s == &d->a)
		d->only_a++;
	else
		d->only_b++;
	if (!line_start(d))
		return false;
	mvs_jbuf_printf(&d->out, "only in %s: ", s->label);
	return true;
}

static void only_in(struct diff *d, struct side *s)
{
	if (!only_in_start(d, s))
		return;
	show_row(d, s);
	emit(d);
}

/* Two rows with one key: a line for each field whose values differ. */
static int compare_rows(struct diff *d)
{
	struct side *a = &d->a, *b = &d->b;
	char why[512];

	if (a->canon.bytes.len == b->canon.bytes.len &&
	    memcmp(a->canon.bytes.data, b->canon.bytes.data, a->canon.bytes.len) == 0)
		return 0;
	d->changed++;
	for (size_t i = 0; i < a->canon.n_columns; i++) {
		const struct mvs_span *va = &a->canon.values[a->canon.columns[i]];
		const struct mvs_span *vb = &b->canon.values[b->canon.columns[i]];
		const struct mvs_field *fa = a->canon.fields[i], *fb = b->canon.fields[i];

		d->ca.len = d->cb.len = 0;
		if (mvs_canon_value(&d->ca, fa, va->ptr, va->len, why, sizeof why) != 0 ||
		    mvs_canon_value(&d->cb, fb, vb->ptr, vb->len, why, sizeof why) != 0)
			return fail(d, MVS_EXIT_STREAM, "%s", why);
		if (d->ca.failed || d->cb.failed)
			return fail(d, MVS_EXIT_FAILURE, "out of memory");
		if (d->ca.len == d->cb.len && memcmp(d->ca.data, d->cb.data, d->ca.len) == 0)
			continue;
		if (!line_start(d))
			return 0;
		show_row(d, a);
		mvs_jbuf_printf(&d->out, " field %s: ", fa->name);
		show_value(&d->out, fa, va->ptr, va->len);
		mvs_jbuf_puts(&d->out, " vs ");
		show_value(&d->out, fb, vb->ptr, vb->len);
		emit(d);
	}
	return 0;
}

/* The merge of one pair of units, from their headers to their trailers. */
static int merge_pair(struct diff *d)
{
	if (advance(d, &d->a) != 0 || advance(d, &d->b) != 0)
		return -1;
	for (;;) {
		bool ra = d->a.item.kind == MVS_ITEM_ROW, rb = d->b.item.kind == MVS_ITEM_ROW;
		if (!ra && !rb)
			return 0;
		int c = !ra ? 1 : !rb ? -1 : merge_order(d);
		if (c == 0 && compare_rows(d) != 0)
			return -1;
		if (c < 0)
			only_in(d, &d->a);
		if (c > 0)
			only_in(d, &d->b);
		if (c <= 0 && advance(d, &d->a) != 0)
			return -1;
		if (c >= 0 && advance(d, &d->b) != 0)
			return -1;
	}
}

/* Reads one side's unit through, sorting its rows' hashes. */
static int hash_unit(struct diff *d, struct side *s, struct mvs_rowsort *sort)
{
	for (;;) {
		if (advance(d, s) != 0)
			return -1;
		if (s->item.kind != MVS_ITEM_ROW)
			return mvs_rowsort_finish(sort) == 0 ? 0 :
				fail(d, MVS_EXIT_IO, "%s", mvs_rowsort_error(sort));
		struct mvs_rowrec rec = { .row = s->row };
		mvs_canon_hash128(&s->canon, &rec.hi, &rec.lo);
		if (mvs_rowsort_add(sort, &rec) != 0)
			return fail(d, MVS_EXIT_IO, "%s", mvs_rowsort_error(sort));
	}
}

static void only_in_unordered(struct diff *d, struct side *s, uint64_t row)
{
	if (!only_in_start(d, s))
		return;
	mvs_jbuf_printf(&d->out, "row %" PRIu64, row);
	emit(d);
}

/* The multiset compare of one pair of units: sorted hashes, merged. */
static int multiset_pair(struct diff *d)
{
	struct mvs_rowsort *sa = mvs_rowsort_new(), *sb = mvs_rowsort_new();
	struct mvs_rowrec ra, rb;
	int rc = -1, na, nb;

	if (!sa || !sb) {
		fail(d, MVS_EXIT_FAILURE, "out of memory");
		goto out;
	}
	if (hash_unit(d, &d->a, sa) != 0 || hash_unit(d, &d->b, sb) != 0)
		goto out;
	na = mvs_rowsort_next(sa, &ra);
	nb = mvs_rowsort_next(sb, &rb);
	while (na > 0 || nb > 0) {
		int c = na <= 0 ? 1 : nb <= 0 ? -1 :
			ra.hi != rb.hi ? (ra.hi < rb.hi ? -1 : 1) : ra.lo != rb.lo ? (ra.lo < rb.lo ? -1 : 1) : 0;
		if (c < 0)
			only_in_unordered(d, &d->a, ra.row);
		if (c > 0)
			only_in_unordered(d, &d->b, rb.row);
		if (c <= 0)
			na = mvs_rowsort_next(sa, &ra);
		if (c >= 0)
			nb = mvs_rowsort_next(sb, &rb);
	}
	if (na < 0 || nb < 0) {
		fail(d, MVS_EXIT_IO, "%s", mvs_rowsort_error(na < 0 ? sa : sb));
		goto out;
	}
	rc = 0;
out:
	mvs_rowsort_free(sa);
	mvs_rowsort_free(sb);
	return rc;
}

/* "books vs books_copy: 30 rows in A, 30 in B: identical" */
static void summary(struct diff *d, uint64_t only_a, uint64_t only_b, uint64_t changed, bool fields_differ)
{
	const char *na = d->a.item.schema->name ? d->a.item.schema->name : "";
	const char *nb = d->b.item.schema->name ? d->b.item.schema->name : "";

	mvs_jbuf_reset(&d->out);
	mvs_jbuf_printf(&d->out, "%s vs %s: %" PRIu64 " rows in A, %" PRIu64 " in B: ", na, nb,
			d->a.unit_rows, d->b.unit_rows);
	if (!only_a && !only_b && !changed && !fields_differ)
		mvs_jbuf_puts(&d->out, "identical");
	else if (d->unordered)
		mvs_jbuf_printf(&d->out, "%" PRIu64 " only in A, %" PRIu64 " only in B%s", only_a, only_b,
				fields_differ ? ", fields differ" : "");
	else
		mvs_jbuf_printf(&d->out, "%" PRIu64 " only in A, %" PRIu64 " only in B, %" PRIu64
				" changed%s", only_a, only_b, changed, fields_differ ? ", fields differ" : "");
	emit(d);
}

/* A unit that one input has and the other does not: read through, then its summary line. */
static int extra_unit(struct diff *d, struct side *s)
{
	const char *name = s->item.schema->name ? s->item.schema->name : "";
	uint64_t unit = s->item.unit_index + 1;

	d->unordered = true;	/* rows are only counted: no order to check */
	do {
		if (advance(d, s) != 0)
			return -1;
	} while (s->item.kind == MVS_ITEM_ROW);
	/* the summary of a unit without a partner: printed whatever --max says */
	d->different = true;
	mvs_jbuf_reset(&d->out);
	mvs_jbuf_printf(&d->out, "unit %" PRIu64 " (collection %s, %" PRIu64 " rows): only in %s",
			unit, name, s->unit_rows, s->label);
	emit(d);
	return 0;
}

static int run(struct diff *d)
{
	if (advance(d, &d->a) != 0 || advance(d, &d->b) != 0)
		return -1;
	while (d->a.item.kind == MVS_ITEM_HEADER && d->b.item.kind == MVS_ITEM_HEADER) {
		uint64_t oa = d->only_a, ob = d->only_b, ch = d->changed;
		bool was = d->different;

		d->different = false;
		if (begin_pair(d) != 0)
			return -1;
		bool fields_differ = d->different;
		d->different = was || fields_differ;
		if ((d->unordered ? multiset_pair(d) : merge_pair(d)) != 0)
			return -1;
		summary(d, d->only_a - oa, d->only_b - ob, d->changed - ch, fields_differ);
		if (advance(d, &d->a) != 0 || advance(d, &d->b) != 0)
			return -1;
	}
	while (d->a.item.kind == MVS_ITEM_HEADER)
		if (extra_unit(d, &d->a) != 0 || advance(d, &d->a) != 0)
			return -1;
	while (d->b.item.kind == MVS_ITEM_HEADER)
		if (extra_unit(d, &d->b) != 0 || advance(d, &d->b) != 0)
			return -1;
	return 0;
}

int mvs_diff(struct mvs_reader *a, struct mvs_reader *b, const struct mvs_diff_options *opt, char *err,
	     size_t errlen)
{
	struct diff d = {
		.opt = opt, .err = err, .errlen = errlen,
		.unordered = opt->unordered || opt->canon.without_pk,
		.a = { .label = "A", .r = a, .rank = -1 },
		.b = { .label = "B", .r = b, .rank = -1 },
	};
	int rc = run(&d);

	if (rc == 0 && mvs_jbuf_failed(&d.out))
		rc = fail(&d, MVS_EXIT_FAILURE, "out of memory");
	struct side *sides[2] = { &d.a, &d.b };
	for (int i = 0; i < 2; i++) {
		mvs_canon_free(&sides[i]->canon);
		mvs_canon_buf_free(&sides[i]->key_s);
		free(sides[i]->partition);
	}
	mvs_canon_buf_free(&d.ca);
	mvs_canon_buf_free(&d.cb);
	mvs_jbuf_free(&d.out);
	if (rc != 0)
		return d.code;
	return d.different ? 1 : 0;
}
