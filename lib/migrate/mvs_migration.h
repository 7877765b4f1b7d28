/* The migration job of mvs-migrate, shared by `mvs-migrate start` and the REST server (mvs_rest.h):
 * copies every collection of a config in turn (mvs_plan.h builds each one's pipelines, mvs_runner.h
 * runs them, several shards at once with parallelism N), keeps an overall percent and row counts,
 * prints milvus-migration-style log lines on stdout ("jobId is ...", ["=================>JobProcess!"]
 * [Percent=N], ["[Starter] Migration Success!"] [Cost=S]) and reports the stage that failed. */
#ifndef MVS_MIGRATION_H
#define MVS_MIGRATION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_config.h"
#include "mvs_runner.h"

/* A job id like milvus-migration's: "start_" and 21 random letters and digits. */
#define MVS_JOB_ID_SIZE 28
void mvs_job_id(char id[MVS_JOB_ID_SIZE]);

/* A migration's state, as get_job reports it. */
struct mvs_job_status {
	size_t total_tasks, finish_tasks;	/* collections */
	int percent;			/* rows written to the target, 0..100, never going down */
	uint64_t exported, imported;	/* rows, all collections so far */
	const char *collection;		/* the one being copied (points into the config) */
	/* Its pipelines (one per shard) as their stages' status channels tell them, while they run (0
	 * otherwise): valid during the status call only. */
	uint32_t pipelines;
	const struct mvs_runner_counts *pipeline;
};

struct mvs_migration {
	const char *bindir;		/* where the tools are */
	const char *job_id;		/* printed as "jobId is ..." */
	bool quiet;			/* errors only */
	bool progress;			/* also rows and rows/s lines */
	bool verify;			/* --verify: check each copy's rows (also meta.verify) */
	atomic_int *cancel;		/* non-zero stops the running stages; may be NULL */
	/* Called (from the calling thread) whenever the status changed. Optional. */
	void (*status)(void *ctx, const struct mvs_job_status *st);
	void *ctx;
};

struct mvs_migration_result {
	int exit_code;			/* 0 on success */
	char message[1400];		/* "stage mvs-import: ..." on failure */
	/* After the message, for people: what the failed (or interrupted) pipelines' mvs-import wrote and
	 * how to resume, lines ending in newlines, named by shard when there are several; or "". */
	char report[8192];
	struct mvs_job_status status;
	double seconds;
};

/* Copies every collection of cfg in turn, logging to stderr (milvus-migration's lines to stdout); stops
 * at the first failure. With cfg->parallelism N > 1 each collection is copied by N shard pipelines at
 * once (--shard I/N), and fails when any of them fails: the message names it ("shard 2/4: stage
 * mvs-import: ..."). Returns res->exit_code. */
int mvs_migration_run(const struct mvs_cfg *cfg, const struct mvs_migration *m, struct mvs_migration_result *res);

#endif
