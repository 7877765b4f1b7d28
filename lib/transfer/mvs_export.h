/* The export engine behind mvs-export: reads Milvus collections through an open client and writes
 * them as stream units. For each collection it builds the header (DescribeCollection, ShowPartitions,
 * DescribeIndex, GetVersion), checks that the collection is loaded (or loads it), counts the rows for
 * progress, then pages through the rows by primary key the way the official query iterators do
 * (limit pages, `pk > last`, iterator + reduce_stop_for_best, one MVCC snapshot through session_ts),
 * partition by partition with partition markers unless the collection has a partition key.
 *
 * Everything that can fail for a reason the user can fix (unknown collection, field or partition,
 * unloaded collection) is checked for every collection before the first row is written. A failure
 * after the output was opened ends the stream with an abort frame, so the next stage of a pipeline
 * reports "upstream failed" rather than a truncated stream.
 *
 * With a shard (--shard I/N) only shard I of every collection is read: its filter (mvs_shard.h) is
 * added to the user's filter in count(*) and in every page, so the shard pages on its own. */
#ifndef MVS_EXPORT_H
#define MVS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_map.h"
#include "mvs_milvus.h"
#include "mvs_shard.h"
#include "mvs_stream.h"

/* Milvus's query result window (offset + limit <= 16384): the largest page --batch-size allows. */
#define MVS_EXPORT_MAX_PAGE 16384
/* Rows per page without --batch-size. Half the window: as fast in practice, and the gRPC receive
 * buffers that grow with the reply size stay smaller (flat memory). */
#define MVS_EXPORT_DEFAULT_PAGE 8192
/* Default bound on the bytes of one Query reply (--max-recv-bytes); pages are sized from the row
 * width to stay under half of it. Milvus's own result limit (maxOutputSize) is 100 MiB. */
#define MVS_EXPORT_DEFAULT_RECV_BYTES (16 << 20)

struct mvs_export_options {
	char **collections;		/* --collection, in order; ignored with all */
	size_t n_collections;
	bool all;			/* --all: every collection of the database, by name */
	const struct mvs_map_spec *fields;	/* --fields (keep list only), or NULL for every field */
	const char *filter;		/* --filter: a Milvus boolean expression, or NULL */
	char **partitions;		/* --partition: only these, in this order */
	size_t n_partitions;
	int64_t batch_size;		/* --batch-size: rows per page at most; 0 = MVS_EXPORT_DEFAULT_PAGE */
	int64_t max_recv_bytes;		/* --max-recv-bytes; 0 = MVS_EXPORT_DEFAULT_RECV_BYTES */
	bool load;			/* --load: load unloaded collections and wait */
	double load_timeout_s;		/* 0 = 600 */
	bool progress;			/* progress lines on stderr */
	struct mvs_shard shard;		/* --shard I/N; count 0 = the whole collection */
};

struct mvs_export_result {
	int exit_code;			/* MVS_EXIT_OK or the failure's code */
	bool broken_pipe;		/* the reader went away: exit quietly, nothing was reported */
	uint64_t rows;			/* rows written, all units */
	size_t units;			/* units completed */
};

/* Exports the collections to w. Diagnostics go to stderr through mvs_cli (errors, the notes of a
 * field selection, one "exported R rows from C in S s (X rows/s)" line per collection unless quiet).
 * On failure an abort frame ends the stream (unless the pipe broke). Fills *result. */
void mvs_export_run(struct mvs_milvus *client, struct mvs_writer *w, const struct mvs_export_options *opt,
		    struct mvs_export_result *result);

#endif
