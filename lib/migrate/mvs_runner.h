/* The runner of mvs-migrate: starts pipelines of processes (fork/exec, joined by pipes, no shell),
 * reads each child's stderr for its progress, summary and error lines, waits for them all and says
 * which stage really failed. Several pipelines can run at once (the shards of a collection); when one
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
};

/* What the runner learned from the stages' progress and summary lines (mvs-export's and
 * mvs-import's "N rows (P%), R rows/s", "exported N rows ...", "imported N rows ..."). */
struct mvs_runner_counts {
	uint64_t exported, imported;	/* rows so far */
	double export_percent;		/* of the source's count(*); -1 unknown */
	int64_t export_final;		/* "exported R rows ..."; -1 until seen */
	int64_t import_final;		/* "imported R rows ..."; -1 until seen */
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
};

/* Runs npipes pipelines of n stages at once: pipeline p is stages[p * n] to stages[p * n + n - 1], its
 * result res[p]. In each, stdin of the first stage is /dev/null and stdout of the last is our stderr;
 * each child gets our environment without MILVUS_PASSWORD and MILVUS_TOKEN, plus its stage's own.
 * The failing stage of a pipeline is the first one that failed on its own: stages that died of a
 * closed pipe (or that the runner stopped) because a later stage failed do not count. When every
 * stage succeeds the exported and imported counts must agree. When a stage of one pipeline fails on
 * its own, the stages of the others are terminated (their results have stopped set). Returns the
 * pipeline that failed first, or -1 when all succeeded. */
int mvs_runner_run(const struct mvs_stage *stages, size_t npipes, size_t n,
		   const struct mvs_runner_hooks *hooks, struct mvs_runner_result *res);

#endif
