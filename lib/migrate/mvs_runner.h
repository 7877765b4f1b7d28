/* The runner of mvs-migrate: starts pipelines of processes (fork/exec, joined by pipes, no shell),
 * reads each child's status channel (--status-fd, man/mvs-status.5) for its progress, row counts and
 * digests, and its stderr for its messages, waits for them all and says which stage really failed. Several pipelines can run at once (the shards of a collection); when one
 * fails on its own the others are stopped. It knows nothing of configs: mvs_plan.h builds the stages,
 * mvs_migration.h runs them. */
#ifndef MVS_RUNNER_H
#define MVS_RUNNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One process of a pipeline. The strings belong to the caller and must outlive the run. */
struct mvs_stage {
	const char *name;		/* "mvs-export": how its messages start */
	char **argv;			/* argv[0] is the program's path; NULL-terminated */
	const char *password;		/* the child's MILVUS_PASSWORD, or NULL (never in argv) */
	const char *token;		/* the child's MILVUS_TOKEN, or NULL */
	const char *password_var;	/* how --dry-run spells them: "SOURCE_PASSWORD", ... (not used */
	const char *token_var;		/* by the runner; see mvs_plan_shell) */
	/* It speaks the status channel: the runner adds "--status-fd 3" to its argv, reads fd 3, and
	 * counts it failed when it ends without its end event. */
	bool status;
	/* Its standard output when it is the last stage of its pipeline: a file (or FIFO) opened for
	 * writing; NULL: our standard error. */
	const char *output;
};

/* What the runner learned from the status channels of mvs-export and mvs-import: their progress
 * events and their end events' rows. */
struct mvs_runner_counts {
	uint64_t exported, imported;	/* rows so far */
	double export_percent;		/* of the source's count(*); -1 unknown */
	int64_t export_final;		/* the rows of mvs-export's end event; -1 until it came */
	int64_t import_final;		/* the same of mvs-import's */
};

/* What the last stage of a pipeline said on its status channel: its end, and its last unit. */
struct mvs_runner_final {
	bool ended;			/* its end event came (with exit 0: it succeeded) */
	uint64_t rows;			/* of the end event */
	bool have_digest;		/* the end event carried the row digest: */
	uint64_t digest;
	bool digest_pk;			/* ... with the primary key in it (mvs-import --auto-id new: not) */
	char fields[8192];		/* the last unit's fields carried in rows, comma-separated, in order */
};

/* pipe: which of the pipelines that run together (0 for a single one). Every hook is optional and is
 * called from the thread that called mvs_runner_run. */
struct mvs_runner_hooks {
	/* A line of a stage's stderr that is not progress (warnings, notes). A stage's error and the lines
	 * after it come in the result instead, so that the cause is told once. */
	void (*line)(void *ctx, size_t pipe, const struct mvs_stage *stage, const char *line);
	/* The counts of a pipeline changed. */
	void (*progress)(void *ctx, size_t pipe, const struct mvs_runner_counts *counts);
	void *ctx;
	/* When it becomes non-zero the stages are terminated (SIGTERM: mvs-import stops with its report);
	 * when it reaches 2 they get a second SIGTERM, which makes them quit at once. May be NULL. */
	atomic_int *cancel;
};

#define MVS_RUNNER_REPORT_SIZE 2048

struct mvs_runner_result {
	int failed;			/* index of the stage that failed; -1 = none */
	bool stopped;			/* it failed because the runner stopped it: another pipeline failed */
	int exit_code;			/* 0, or what mvs-migrate should exit with */
	char message[1024];		/* why, when exit_code != 0 */
	/* The lines that stage wrote after its error (for mvs-import: the rows written and how to resume),
	 * one per line, each ending in a newline; after an interrupt, the last stage's. "" for none. */
	char report[MVS_RUNNER_REPORT_SIZE];
	struct mvs_runner_counts counts;
	struct mvs_runner_final final;
};

/* Runs npipes pipelines at once: pipeline p has lens[p] stages, following those of pipeline p - 1 in
 * stages, and its result is res[p]. In each, stdin of the first stage is /dev/null and stdout of the
 * last is its output, or our stderr; each child gets the part of our environment the tools use
 * (mvs_runner.c, child_env) without MILVUS_PASSWORD and MILVUS_TOKEN, plus its stage's own.
 * The failing stage of a pipeline is the first one that failed on its own: stages that died of a
 * closed pipe (or that the runner stopped) because a later stage failed do not count. When every
 * stage succeeds the exported and imported counts must agree. When a stage of one pipeline fails on
 * its own, the stages of the others are terminated (their results have stopped set). Returns the
 * pipeline that failed first, or -1 when all succeeded. */
int mvs_runner_run(const struct mvs_stage *stages, const size_t *lens, size_t npipes,
		   const struct mvs_runner_hooks *hooks, struct mvs_runner_result *res);

#endif
