/* The import engine's own header: the importer's state, shared by mvs_import.c (the engine: slots,
 * requests, commit order), mvs_import_target.c (the target collection) and mvs_import_report.c (counts,
 * verification, resume reports). Not for use outside these files. */
#ifndef MVS_IMPORT_IMPL_H
#define MVS_IMPORT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_import.h"
#include "mvs_batch.h"
#include "mvs_pk.h"
#include "mvs_shard.h"

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

	/* unit */
	const struct mvs_schema *header;
	struct mvs_schema want;		/* the schema the target must have */
	const char *target;
	struct mvs_shard shard;		/* --shard I/N, else the header's shard (mvs-export --shard) */
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
	struct key kmin, kmax;		/* the smallest and largest key read in the unit */
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

/* ---- mvs_import.c ---- */

/* Records the first failure; later ones are consequences. Returns the exit code to pass up. */
int im_fail(struct importer *im, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* im_fail() for a failed Milvus call: what was being done (printf's fmt and arguments; fmt NULL for
 * nothing), then the server's answer. */
int im_fail_rpc(struct importer *im, const struct mvs_milvus_error *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Continuation lines of a report: printed even with -q, like the error they explain. */
void im_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Decodes a key (msgpack int or str) into pk; a string points into the bytes (not NUL-terminated). */
int im_pk_decode(const unsigned char *p, size_t n, struct mvs_pk *pk);

/* ---- mvs_import_target.c ---- */

void im_parts_free(struct importer *im);

/* Creates the partition in the target unless it is known to exist. */
int im_ensure_partition(struct importer *im, const char *name);

/* Creates or checks the target, then its partitions. Called once the first frame was read. */
int im_prepare_target(struct importer *im);

int im_row_count(struct importer *im, int64_t *count);

int im_create_indexes(struct importer *im);

int im_load_collection(struct importer *im);

/* ---- mvs_import_report.c ---- */

/* After the trailer: flush and wait, indexes, load, verify, summary. */
int im_finish_unit(struct importer *im, double started, uint64_t unit_bytes);

/* After a failure inside a unit: what is in the target and how to go on from there. Rows of requests
 * that failed without a clear answer (im->unknown) may or may not be in the target, so a resume after
 * them must replace rows, not add them. */
void im_report_stop(struct importer *im, uint64_t unit_index);

#endif
