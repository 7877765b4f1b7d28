/* Sorting row hashes in bounded memory, for comparing two streams' rows as multisets (mvs-diff
 * --ignore-pk, --unordered): records are sorted in runs of MVS_ROWSORT_RUN in memory, each run written
 * to one unlinked temporary file ($TMPDIR, else the system's), and read back merged. Memory: one run
 * (6 MiB) while adding; while reading, a small buffer per run (3 KiB; about 12 KiB per million rows). */
#ifndef MVS_ROWSORT_H
#define MVS_ROWSORT_H

#include <stddef.h>
#include <stdint.h>

#define MVS_ROWSORT_RUN (1u << 18)

/* One row: the 128-bit hash of its canonical bytes, and its number in its input (from 1). */
struct mvs_rowrec {
	uint64_t hi, lo;
	uint64_t row;
};

struct mvs_rowsort;

struct mvs_rowsort *mvs_rowsort_new(void);
/* Adds a record. Returns 0, or -1 (mvs_rowsort_error says why: a temporary file failed). */
int mvs_rowsort_add(struct mvs_rowsort *s, const struct mvs_rowrec *r);
/* Ends adding; the records then come out of mvs_rowsort_next in (hi, lo, row) order. Returns 0 or -1. */
int mvs_rowsort_finish(struct mvs_rowsort *s);
/* The next record: 1, 0 at the end, -1 on a read error. */
int mvs_rowsort_next(struct mvs_rowsort *s, struct mvs_rowrec *r);
const char *mvs_rowsort_error(const struct mvs_rowsort *s);
void mvs_rowsort_free(struct mvs_rowsort *s);

#endif
