/* The import engine behind mvs-import: reads the units of an mvs stream and writes each into a Milvus
 * collection, creating it (and its database, partitions, indexes) from the header when it is missing
 * or checking that an existing one has a compatible schema before any row is sent. Rows become
 * Insert/Upsert requests per partition, bounded in rows and bytes, several in flight; a request the
 * server finds too large is split in halves. A unit counts as imported only once its trailer checked
 * out, the collection was flushed and, when the import created it, its row count verified. On any
 * failure it stops and says how many rows were written, the last primary key written and how to
 * resume (man/mvs-import.1). mvs_import_schema.c holds the schema rules (target schema, comparison).
 *
 * As one shard of a parallel import (--shard I/N) it runs beside the other shards' importers: a
 * collection, partition or database that another importer created meanwhile is checked instead of
 * created, and the row count verified is the shard's own, counted by its keys. */
#ifndef MVS_IMPORT_H
#define MVS_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_milvus.h"
#include "mvs_schema.h"
#include "mvs_shard.h"
#include "mvs_stream.h"

enum mvs_import_mode {
	MVS_IMPORT_INSERT = 0,
	MVS_IMPORT_UPSERT,
};

/* What happens to the primary keys of an auto-ID source collection (see mvs-import(1), AUTO-ID). */
enum mvs_import_auto_id {
	MVS_IMPORT_AUTO_ID_KEEP = 0,	/* send the stream's keys (the target must accept them) */
	MVS_IMPORT_AUTO_ID_NEW,		/* drop the key column; the auto-ID target makes new keys */
};

#define MVS_IMPORT_DEFAULT_BATCH_ROWS 50000
/* Well under Milvus's 64 MiB request limit: requests are built from an estimate from above, and
 * --inflight of them (plus the rows they came from) are held in memory at once. */
#define MVS_IMPORT_DEFAULT_BATCH_BYTES ((size_t)8 << 20)
#define MVS_IMPORT_DEFAULT_INFLIGHT 4
#define MVS_IMPORT_MAX_INFLIGHT 64

struct mvs_import_options {
	const char *collection;		/* target collection for every unit; NULL = the header's name */
	bool create_db;			/* create the client's database when it is missing */
	enum mvs_import_mode mode;
	enum mvs_import_auto_id auto_id;
	size_t batch_rows;		/* 0 = default */
	size_t batch_bytes;		/* 0 = default; capped to fit max_send_bytes */
	int64_t max_send_bytes;		/* the client's request limit (0 = 64 MiB) */
	int inflight;			/* requests in flight; 0 = default */
	bool create_index;		/* create the header's indexes after the rows */
	bool load;			/* load the collection and wait for it */
	struct mvs_shard shard;		/* --shard I/N: one of N imports into the same collections */
};

/* Imports every unit read from reader through client (which need not be connected yet: the engine
 * connects once the first header and rows frame have been read, so a stream that is not one fails
 * without network traffic). Prints progress (when mvs_progress_enable turned it on), a summary line
 * per unit (unless quiet) and every diagnostic on stderr. Returns an exit code (mvs_exit.h). */
int mvs_import_run(struct mvs_milvus *client, struct mvs_reader *reader,
		   const struct mvs_import_options *options);

/* ---- schema rules (mvs_import_schema.c) ---- */

/* The schema the target collection must have for this header under the auto-ID choice: a copy of the
 * header's with, for MVS_IMPORT_AUTO_ID_NEW, the primary key made auto-ID. *out must be zeroed; free it
 * with mvs_schema_free. Returns 0, or -1 with a message in err. */
int mvs_import_target_schema(const struct mvs_schema *header, enum mvs_import_auto_id auto_id,
			     struct mvs_schema *out, char *err, size_t errlen);

/* Whether rows of the stream schema `want` can go into the existing collection `have` (as described
 * by mvs_schema_from_milvus) unchanged: every stream field exists with the same type, element type,
 * dim, primary-key, partition-key and function-output roles, a max_length/max_capacity at least as
 * large, nullable where the stream has nulls; every collection field the stream lacks is nullable,
 * has a default or is a function output; dynamic fields are on when the stream carries "$meta"; the
 * stream's functions exist alike. Descriptions, analyzers, defaults, properties and indexes may
 * differ. Auto-ID is the caller's business (mvs_import_auto_id_check). Returns 0, or -1 with the first
 * difference in err ("field \"v\": dim 768 in the collection, 128 in the stream"). */
int mvs_import_schema_compare(const struct mvs_schema *want, const struct mvs_schema *have, char *err,
			      size_t errlen);

/* Whether the auto-ID choice works with the existing collection `have`: MVS_IMPORT_AUTO_ID_NEW needs an
 * auto-ID primary key; MVS_IMPORT_AUTO_ID_KEEP needs a primary key without auto-ID, or with the
 * allow_insert_auto_id property set. Returns 0, or -1 with the reason and the way out in err. */
int mvs_import_auto_id_check(const struct mvs_schema *have, enum mvs_import_auto_id auto_id, char *err,
			     size_t errlen);

/* True when a Milvus property value reads as true (Go strconv.ParseBool, as the server parses it). */
bool mvs_import_prop_true(const char *value);

#endif
