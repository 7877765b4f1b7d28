/* Comparing two streams row by row for mvs-diff (man/mvs-diff.1), in flat memory. Units are paired in
 * order. By default the rows of a pair are merged on (partition, primary key) in the order mvs-export
 * writes them (partitions in the order the header lists them, keys increasing within each), so that
 * each row is read once and held only until its partner is found; input in another order is refused,
 * never half-compared. Without usable keys (ignore_pk, unordered) the rows are compared as multisets
 * of their 128-bit canonical hashes, sorted through temporary files (mvs_rowsort.h). Rows and values
 * are equal when their canonical bytes (mvs_digest.h) are. */
#ifndef MVS_DIFF_H
#define MVS_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_digest.h"
#include "mvs_stream.h"

struct mvs_diff_options {
	/* the fields compared (NULL: the fields of both, by name), without_pk (--ignore-pk, implies
	 * unordered) and without_partition (--ignore-partitions) */
	struct mvs_canon_options canon;
	bool unordered;		/* multiset compare, primary key included */
	uint64_t max_lines;	/* difference lines to print at most; the summaries always print */
	/* called with each line to print (no newline) */
	void (*line)(void *ctx, const char *text, size_t len);
	void *ctx;
};

/* Compares the streams a and b. Returns 0 when they hold the same rows, 1 when they differ (the lines
 * said how), or another exit code (lib/common/mvs_exit.h) with a message in err: MVS_EXIT_USAGE (a
 * --fields name missing, input not in the order a merge needs), MVS_EXIT_STREAM, MVS_EXIT_UPSTREAM,
 * MVS_EXIT_IO, MVS_EXIT_FAILURE (out of memory). */
int mvs_diff(struct mvs_reader *a, struct mvs_reader *b, const struct mvs_diff_options *opt, char *err,
	     size_t errlen);

#endif
