/* Running `mvs-export | mvs-map | mvs-import` for mvs-migrate: the plan (one collection's three
 * command lines and secrets, from a struct mvs_cfg), the runner (fork/exec with pipes, no shell; each
 * child's stderr parsed for progress and errors; the stage that really failed picked out; several
 * pipelines at once for the shards of a collection, stopped together when one fails), and the
 * migration job (every collection in turn, milvus-migration-style log lines, an overall percent) that
 * both `mvs-migrate start` and the REST server use. */
#ifndef MVS_PIPELINE_H
#define MVS_PIPELINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_config.h"

/* One process of a pipeline. */
struct mvs_stage {
	const char *name;		/* "mvs-export": how its messages start */
	char **argv;			/* argv[0] is the program; NULL-terminated */
	const char *password;		/* the child's MILVUS_PASSWORD, or NULL (never in argv) */
	const char *token;		/* the child's MILVUS_TOKEN, or NULL */
	const char *password_var;	/* how --dry-run spells them: "SOURCE_PASSWORD", ... */
	const char *token_var;
};

enum { MVS_STAGE_EXPORT, MVS_STAGE_MAP, MVS_STAGE_IMPORT, MVS_STAGES };

/* One collection's pipeline. */
struct mvs_plan {
	struct mvs_stage stage[MVS_STAGES];
	const char *source;		/* source collection */
	const char *target;		/* target collection */
};

/* Builds the pipeline of collection i of cfg. bindir: where the tools are; NULL = bare names (for
 * printing). The plan points into cfg. Returns 0, or -1 when out of memory. */
int mvs_plan_build(const struct mvs_cfg *cfg, size_t i, const char *bindir, struct mvs_plan *plan);
/* The same for shard `shard` of `shards` (shards > 1): mvs-export and mvs-import get --shard. */
int mvs_plan_build_shard(const struct mvs_cfg *cfg, size_t i, uint32_t shard, uint32_t shards,
			 const char *bindir, struct mvs_plan *plan);
void mvs_plan_free(struct mvs_plan *plan);
/* The equivalent shell command line, secrets as $VARS, every word quoted as needed. malloc'd. */
char *mvs_plan_shell(const struct mvs_plan *plan);

/* What the runner learned from the stages' progress and summary lines. */
struct mvs_pipeline_counts {
	uint64_t exported, imported;	/* rows so far */
	double export_percent;		/* of the source's count(*); -1 unknown */
	int64_t export_final;		/* "exported R rows ..."; -1 until seen */
	int64_t import_final;		/* "imported R rows ..."; -1 until seen */
};

/* pipe: which of the pipelines run together (0 for a single one). */
struct mvs_pipeline_hooks {
	/* A line of a stage's stderr that is not progress (errors, warnings, notes). Optional. */
	void (*line)(void *ctx, size_t pipe, const struct mvs_stage *stage, const char *line);
	/* The counts of a pipeline changed. Optional. */
	void (*progress)(void *ctx, size_t pipe, const struct mvs_pipeline_counts *counts);
	void *ctx;
	atomic_int *cancel;		/* when it becomes non-zero the stages are terminated */
};

struct mvs_pipeline_result {
	int failed;			/* index of the stage that failed; -1 = none */
	bool stopped;			/* it failed because the runner stopped it: another pipeline failed */
	int exit_code;			/* 0, or what mvs-migrate should exit with */
	char message[1024];		/* why, when failed >= 0 */
	struct mvs_pipeline_counts counts;
};

/* Runs the stages joined by pipes: stdin of the first is /dev/null, stdout of the last is our stderr.
 * Each child gets our environment without MILVUS_PASSWORD and MILVUS_TOKEN, plus its own. Returns
 * res->exit_code. The failing stage is the first one that failed on its own: stages that died of a
 * closed pipe (or that the runner stopped) because a later stage failed do not count. When every
 * stage succeeds the exported and imported counts must agree. */
int mvs_pipeline_run(const struct mvs_stage *stages, size_t n, const struct mvs_pipeline_hooks *hooks,
		     struct mvs_pipeline_result *res);
/* Runs npipes such pipelines of n stages at once: pipeline p is stages[p * n] to stages[p * n + n - 1],
 * its result res[p]. When a stage of one fails on its own, the stages of the others are terminated
 * (their results have stopped set). Returns the pipeline that failed first, or -1 when all succeeded. */
int mvs_pipelines_run(const struct mvs_stage *stages, size_t npipes, size_t n,
		      const struct mvs_pipeline_hooks *hooks, struct mvs_pipeline_result *res);

/* The tools' directory: $MVS_BIN when set, else the directory of this executable. malloc'd or NULL. */
char *mvs_pipeline_bindir(void);

/* A job id like milvus-migration's: "start_" and 21 random letters and digits. */
#define MVS_JOB_ID_SIZE 28
void mvs_job_id(char id[MVS_JOB_ID_SIZE]);

/* A migration's state, as get_job reports it. */
struct mvs_job_status {
	size_t total_tasks, finish_tasks;	/* collections */
	int percent;			/* rows written to the target, 0..100, never going down */
	uint64_t exported, imported;	/* rows, all collections so far */
	const char *collection;		/* the one being copied */
};

struct mvs_migration {
	const char *bindir;		/* where the tools are */
	const char *job_id;		/* printed as "jobId is ..." */
	bool quiet;			/* errors only */
	bool progress;			/* also rows and rows/s lines */
	atomic_int *cancel;
	void (*status)(void *ctx, const struct mvs_job_status *st);	/* optional */
	void *ctx;
};

struct mvs_migration_result {
	int exit_code;			/* 0 on success */
	char message[1400];		/* "stage mvs-import: ..." on failure */
	struct mvs_job_status status;
	double seconds;
};

/* Copies every collection of cfg in turn, logging to stderr; stops at the first failure. With
 * cfg->parallelism N > 1 each collection is copied by N shard pipelines at once (--shard I/N), and
 * fails when any of them fails: the message names it ("shard 2/4: stage mvs-import: ..."). */
int mvs_migration_run(const struct mvs_cfg *cfg, const struct mvs_migration *m, struct mvs_migration_result *res);

#endif
