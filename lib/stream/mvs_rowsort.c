/* An external sort of row hash records (see mvs_rowsort.h): sorted runs in one unlinked temporary file,
 * then a k-way merge through a binary heap of the runs' heads. */
#include "mvs_rowsort.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_BUF 128	/* records buffered per run while merging */

struct run {
	off_t next, end;	/* byte offsets in the file: next unread record, end of the run */
	struct mvs_rowrec *buf;
	size_t pos, n;
};

struct mvs_rowsort {
	struct mvs_rowrec *mem;	/* the run being filled (and, without a file, all records) */
	size_t n_mem;
	int fd;			/* -1 until the first run is written */
	off_t size;
	struct run *runs;
	size_t n_runs, cap_runs;
	size_t *heap;		/* run indexes, smallest head first */
	size_t n_heap;
	size_t mem_pos;		/* reading a single in-memory run */
	char error[256];
};

static int compare_recs(const struct mvs_rowrec *a, const struct mvs_rowrec *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (a->row > b->row) - (a->row < b->row);
}

static int compare_qsort(const void *a, const void *b)
{
	return compare_recs(a, b);
}

static int fail(struct mvs_rowsort *s, const char *what)
{
	snprintf(s->error, sizeof s->error, "%s: %s", what, strerror(errno));
	return -1;
}

struct mvs_rowsort *mvs_rowsort_new(void)
{
	struct mvs_rowsort *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->fd = -1;
	if (!(s->mem = malloc(MVS_ROWSORT_RUN * sizeof *s->mem))) {
		free(s);
		return NULL;
	}
	return s;
}

static int open_temp(struct mvs_rowsort *s)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	snprintf(path, sizeof path, "%s/mvs-diff.XXXXXX", dir && *dir ? dir : P_tmpdir);
	s->fd = mkstemp(path);
	if (s->fd < 0)
		return fail(s, "cannot create a temporary file");
	unlink(path);	/* gone when the process ends, however it ends */
	return 0;
}

/* Sorts the records in memory and appends them to the file as one run. */
static int spill(struct mvs_rowsort *s)
{
	qsort(s->mem, s->n_mem, sizeof *s->mem, compare_qsort);
	if (s->fd < 0 && open_temp(s) != 0)
		return -1;
	if (s->n_runs == s->cap_runs) {
		size_t cap = s->cap_runs ? 2 * s->cap_runs : 16;
		struct run *r = realloc(s->runs, cap * sizeof *r);
		if (!r) {
			errno = ENOMEM;
			return fail(s, "cannot sort row hashes");
		}
		s->runs = r;
		s->cap_runs = cap;
	}
	size_t bytes = s->n_mem * sizeof *s->mem;
	for (size_t done = 0; done < bytes;) {
		ssize_t n = pwrite(s->fd, (char *)s->mem + done, bytes - done, s->size + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail(s, "cannot write a temporary file");
		done += (size_t)n;
	}
	s->runs[s->n_runs++] = (struct run){ .next = s->size, .end = s->size + (off_t)bytes };
	s->size += (off_t)bytes;
	s->n_mem = 0;
	return 0;
}

int mvs_rowsort_add(struct mvs_rowsort *s, const struct mvs_rowrec *r)
{
	if (s->n_mem == MVS_ROWSORT_RUN && spill(s) != 0)
		return -1;
	s->mem[s->n_mem++] = *r;
	return 0;
}

/* Refills a run's buffer; 0 when it has records, 1 when the run is used up, -1 on error. */
static int refill(struct mvs_rowsort *s, struct run *r)
{
	if (r->next >= r->end)
		return 1;
	size_t want = (size_t)(r->end - r->next);
	if (want > READ_BUF * sizeof *r->buf)
		want = READ_BUF * sizeof *r->buf;
	for (size_t got = 0; got < want;) {
		ssize_t n = pread(s->fd, (char *)r->buf + got, want - got, r->next + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return fail(s, "cannot read a temporary file");
		}
		got += (size_t)n;
	}
	r->next += (off_t)want;
	r->pos = 0;
	r->n = want / sizeof *r->buf;
	return 0;
}

static bool heap_less(const struct mvs_rowsort *s, size_t a, size_t b)
{
	const struct run *x = &s->runs[s->heap[a]], *y = &s->runs[s->heap[b]];

	return compare_recs(&x->buf[x->pos], &y->buf[y->pos]) < 0;
}

static void heap_down(struct mvs_rowsort *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < s->n_heap && heap_less(s, l, m))
			m = l;
		if (l + 1 < s->n_heap && heap_less(s, l + 1, m))
			m = l + 1;
		if (m == i)
			return;
		size_t t = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = t;
		i = m;
	}
}

int mvs_rowsort_finish(struct mvs_rowsort *s)
{
	if (s->fd < 0) {	/* everything fits in one run: no file */
		qsort(s->mem, s->n_mem, sizeof *s->mem, compare_qsort);
		return 0;
	}
	if (s->n_mem && spill(s) != 0)
		return -1;
	free(s->mem);
	s->mem = NULL;
	if (!(s->heap = calloc(s->n_runs, sizeof *s->heap))) {
		errno = ENOMEM;
		return fail(s, "cannot sort row hashes");
	}
	for (size_t i = 0; i < s->n_runs; i++) {
		struct run *r = &s->runs[i];
		if (!(r->buf = malloc(READ_BUF * sizeof *r->buf))) {
			errno = ENOMEM;
			return fail(s, "cannot sort row hashes");
		}
		int rc = refill(s, r);
		if (rc < 0)
			return -1;
		if (rc == 0)
			s->heap[s->n_heap++] = i;
	}
	for (size_t i = s->n_heap; i-- > 0;)
		heap_down(s, i);
	return 0;
}

int mvs_rowsort_next(struct mvs_rowsort *s, struct mvs_rowrec *out)
{
	if (s->fd < 0) {
		if (s->mem_pos == s->n_mem)
			return 0;
		*out = s->mem[s->mem_pos++];
		return 1;
	}
	if (s->n_heap == 0)
		return 0;
	struct run *r = &s->runs[s->heap[0]];
	*out = r->buf[r->pos++];
	if (r->pos == r->n) {
		int rc = refill(s, r);
		if (rc < 0)
			return -1;
		if (rc == 1)
			s->heap[0] = s->heap[--s->n_heap];
	}
	heap_down(s, 0);
	return 1;
}

const char *mvs_rowsort_error(const struct mvs_rowsort *s)
{
	return s->error;
}

void mvs_rowsort_free(struct mvs_rowsort *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	for (size_t i = 0; i < s->n_runs; i++)
		free(s->runs[i].buf);
	free(s->runs);
	free(s->heap);
	free(s->mem);
	free(s);
}
