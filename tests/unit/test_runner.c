/* Unit tests of mvs-migrate's runner (lib/migrate/mvs_runner.c) with sh scripts standing in for the
 * tools: counts and digests read from their status channels (fd 3), a stage that ends without its end
 * event, row counts that disagree, the stage to blame (not the one that died of the closed pipe, not
 * the one that only reports an earlier failure), a program that cannot be executed, the secrets in the
 * children's environment only and nothing else of ours beyond what the tools read, a last stage's
 * output file, pipelines of different lengths run at once and stopped together when one fails, and
 * cancellation. */
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "mvs_exit.h"
#include "mvs_runner.h"

struct script {
	char *argv[4];
};

static void script_init(struct script *s, const char *text)
{
	s->argv[0] = "/bin/sh";
	s->argv[1] = "-c";
	s->argv[2] = (char *)text;
	s->argv[3] = NULL;
}

struct seen {
	unsigned progress;	/* progress hook calls */
	unsigned lines;		/* line hook calls */
	char last[256];		/* the last line */
};

static void on_progress(void *ctx, size_t pipe, const struct mvs_runner_counts *k)
{
	struct seen *s = ctx;

	(void)pipe;
	(void)k;
	s->progress++;
}

static void on_line(void *ctx, size_t pipe, const struct mvs_stage *stage, const char *line)
{
	struct seen *s = ctx;

	(void)pipe;
	(void)stage;
	s->lines++;
	snprintf(s->last, sizeof s->last, "%s", line);
}

/* Runs one pipeline of three scripts named mvs-export, mvs-map and mvs-import. */
static int run3(const char *ex, const char *map, const char *im, struct seen *seen,
		struct mvs_runner_result *res)
{
	struct script sc[3];
	struct mvs_stage st[3];
	const char *text[3] = { ex, map, im }, *names[3] = { "mvs-export", "mvs-map", "mvs-import" };
	struct mvs_runner_hooks hooks = { .line = on_line, .progress = on_progress, .ctx = seen };

	memset(seen, 0, sizeof *seen);
	for (int i = 0; i < 3; i++) {
		script_init(&sc[i], text[i]);
		st[i] = (struct mvs_stage){ .name = names[i], .argv = sc[i].argv, .status = true };
	}
	return mvs_runner_run(st, (size_t[]){ 3 }, 1, &hooks, res);
}

/* Status events as the tools write them (man/mvs-status.5), on fd 3. */
#define EVENT(json) "echo '{\"v\":1,\"event\":" json "}' >&3; "
#define EXPORT_OK EVENT("\"start\",\"tool\":\"mvs-export\"") EVENT("\"progress\",\"rows\":5,\"percent\":50.0") \
	"echo data; echo 'mvs-export: exported 10 rows (80 bytes) in 0.1 s' >&2; " \
	EVENT("\"end\",\"exit\":0,\"rows\":10")
#define MAP_OK "cat; " EVENT("\"end\",\"exit\":0,\"rows\":10")
#define IMPORT_OK(rows) "cat >/dev/null; " \
	EVENT("\"unit\",\"fields\":[{\"name\":\"id\"},{\"name\":\"v\"},{\"name\":\"s\",\"function_output\":true}]") \
	"echo 'mvs-import: imported " #rows " rows into c' >&2; " \
	EVENT("\"end\",\"exit\":0,\"rows\":" #rows ",\"digest\":\"00000000000000ff\",\"digest_pk\":false")

static void test_success(void)
{
	struct mvs_runner_result res;
	struct seen seen;

	CHECK(run3(EXPORT_OK, MAP_OK, IMPORT_OK(10), &seen, &res) == -1);
	CHECK_MSG(res.exit_code == 0, "%s", res.message);
	CHECK(res.failed == -1);
	CHECK(res.counts.exported == 10 && res.counts.imported == 10);
	CHECK(res.counts.export_final == 10 && res.counts.import_final == 10);
	CHECK(res.counts.export_percent == 50.0);
	CHECK(seen.progress == 3);	/* the export's progress, then each end */
	CHECK(seen.lines == 2);		/* the summaries */
	CHECK_STR(seen.last, "mvs-import: imported 10 rows into c");
	CHECK(res.final.ended && res.final.rows == 10);
	CHECK(res.final.have_digest && res.final.digest == 0xff && !res.final.digest_pk);
	CHECK_STR(res.final.fields, "id,v");	/* a function output is not in rows */
}

/* A stage that exits 0 without its end event, or whose end event says it failed, failed. */
static void test_missing_end(void)
{
	struct mvs_runner_result res;
	struct seen seen;

	CHECK(run3(EXPORT_OK, "cat", IMPORT_OK(10), &seen, &res) == 0);
	CHECK(res.failed == 1 && res.exit_code == MVS_EXIT_FAILURE);
	CHECK_STR(res.message, "exited 0 without the end event of its status channel: its result cannot be "
		  "trusted");
	CHECK(run3(EXPORT_OK, "cat; " EVENT("\"end\",\"exit\":4"), IMPORT_OK(10), &seen, &res) == 0);
	CHECK(res.failed == 1);
	CHECK_STR(res.message, "exited 0, but its status channel said exit 4");
	/* lines that are not events, or too long, are no end event either */
	CHECK(run3(EXPORT_OK, "cat; echo '{\"event\":\"end\",\"exit\":0}' >&3; echo 'end' >&3; "
		   "head -c 40000 /dev/zero | tr '\\0' x >&3; echo >&3", IMPORT_OK(10), &seen, &res) == 0);
	CHECK(res.failed == 1);
}

static void test_counts_differ(void)
{
	struct mvs_runner_result res;
	struct seen seen;

	CHECK(run3(EXPORT_OK, MAP_OK, IMPORT_OK(9), &seen, &res) == 0);
	CHECK(res.exit_code == MVS_EXIT_VERIFY);
	CHECK(res.failed == 2);
	CHECK_STR(res.message, "row counts differ: mvs-export exported 10 rows, mvs-import imported 9");
}

static void test_blame(void)
{
	struct mvs_runner_result res;
	struct seen seen;

	/* mvs-import fails; mvs-export (yes) and mvs-map (cat) then die of the closed pipe. */
	CHECK(run3("exec yes", "exec cat", "head -c 100000 >/dev/null; echo 'mvs-import: error: dim 8 != 16' >&2; "
		   "exit 8", &seen, &res) == 0);
	CHECK(res.failed == 2);
	CHECK(res.exit_code == MVS_EXIT_SCHEMA);
	CHECK_STR(res.message, "dim 8 != 16");

	/* mvs-export fails on its own; the later stages only report it (exit 4 and 5). */
	CHECK(run3("echo 'mvs-export: error: Query: server unavailable' >&2; exit 6",
		   "cat >/dev/null; echo 'mvs-map: error: stream truncated' >&2; exit 4",
		   "cat >/dev/null; echo 'mvs-import: error: upstream failed' >&2; exit 5", &seen, &res) == 0);
	CHECK(res.failed == 0);
	CHECK(res.exit_code == MVS_EXIT_SERVER);
	CHECK_STR(res.message, "Query: server unavailable");

	/* No error line: the last line it wrote. */
	CHECK(run3("echo 'mvs-export: connecting' >&2; exit 3", "cat", "cat >/dev/null", &seen, &res) == 0);
	CHECK(res.failed == 0);
	CHECK_STR(res.message, "exited with status 3 after \"mvs-export: connecting\"");
}

static void test_exec_failure(void)
{
	char *argv[] = { "/nonexistent/mvs-export", NULL };
	struct script map;
	struct mvs_stage st[2];
	struct mvs_runner_result res;

	script_init(&map, "cat >/dev/null");
	st[0] = (struct mvs_stage){ .name = "mvs-export", .argv = argv };
	st[1] = (struct mvs_stage){ .name = "mvs-map", .argv = map.argv };
	CHECK(mvs_runner_run(st, (size_t[]){ 2 }, 1, NULL, &res) == 0);
	CHECK(res.failed == 0);
	CHECK(res.exit_code == MVS_EXIT_FAILURE);
	CHECK_STR(res.message, "cannot execute /nonexistent/mvs-export: No such file or directory");
}

/* A stage gets its own secrets in its environment, none of ours, and of the rest only what the tools
 * read. */
static void test_secrets(void)
{
	struct script sc[2];
	struct mvs_stage st[2];
	struct mvs_runner_result res;

	setenv("MILVUS_PASSWORD", "ours", 1);
	setenv("MILVUS_TOKEN", "ours-too", 1);
	setenv("SOURCE_PASSWORD", "a config's ${VAR}", 1);
	setenv("MVS_REST_TOKEN", "the server's", 1);
	setenv("GRPC_VERBOSITY", "ERROR", 1);
	setenv("LC_ALL", "C", 1);
	script_init(&sc[0], "[ \"$MILVUS_PASSWORD\" = pw-1 ] && [ -z \"${MILVUS_TOKEN+set}\" ] && "
		    "[ -z \"${SOURCE_PASSWORD+set}${MVS_REST_TOKEN+set}\" ] && [ \"$GRPC_VERBOSITY\" = ERROR ] && "
		    "[ \"$LC_ALL\" = C ] && [ -n \"$PATH\" ] || { echo 'mvs-export: error: environment' >&2; exit 1; }");
	script_init(&sc[1], "cat >/dev/null; [ \"$MILVUS_TOKEN\" = tk-2 ] && [ -z \"${MILVUS_PASSWORD+set}\" ] || "
		    "{ echo 'mvs-import: error: environment' >&2; exit 1; }");
	st[0] = (struct mvs_stage){ .name = "mvs-export", .argv = sc[0].argv, .password = "pw-1" };
	st[1] = (struct mvs_stage){ .name = "mvs-import", .argv = sc[1].argv, .token = "tk-2" };
	CHECK(mvs_runner_run(st, (size_t[]){ 2 }, 1, NULL, &res) == -1);
	CHECK_MSG(res.exit_code == 0, "%s", res.message);
	unsetenv("MILVUS_PASSWORD");
	unsetenv("MILVUS_TOKEN");
	unsetenv("SOURCE_PASSWORD");
	unsetenv("MVS_REST_TOKEN");
}

/* Pipelines of different lengths, the last stage of one writing to a file. */
static void test_output(void)
{
	char path[] = "/tmp/mvs-test-runner-XXXXXX", text[16] = "";
	int fd = mkstemp(path);
	struct script sc[3];
	struct mvs_stage st[3];
	struct mvs_runner_result res[2];

	CHECK(fd >= 0);
	script_init(&sc[0], "echo one");
	script_init(&sc[1], "tr a-z A-Z");
	script_init(&sc[2], "exit 0");
	st[0] = (struct mvs_stage){ .name = "mvs-export", .argv = sc[0].argv };
	st[1] = (struct mvs_stage){ .name = "mvs-map", .argv = sc[1].argv, .output = path };
	st[2] = (struct mvs_stage){ .name = "mvs-export", .argv = sc[2].argv };
	CHECK(mvs_runner_run(st, (size_t[]){ 2, 1 }, 2, NULL, res) == -1);
	CHECK(read(fd, text, sizeof text - 1) == 4);
	CHECK_STR(text, "ONE\n");
	close(fd);
	unlink(path);
}

/* Two pipelines at once: when the second fails on its own the first is stopped, and counts as such. */
static void test_siblings(void)
{
	struct script sc[4];
	struct mvs_stage st[4];
	struct mvs_runner_result res[2];

	script_init(&sc[0], "exec sleep 30");
	script_init(&sc[1], "exec cat >/dev/null");
	script_init(&sc[2], "sleep 0.2; echo 'mvs-export: error: shard failed' >&2; exit 6");
	script_init(&sc[3], "cat >/dev/null");
	for (int i = 0; i < 4; i++)
		st[i] = (struct mvs_stage){ .name = i % 2 ? "mvs-import" : "mvs-export", .argv = sc[i].argv };
	CHECK(mvs_runner_run(st, (size_t[]){ 2, 2 }, 2, NULL, res) == 1);
	CHECK(res[1].failed == 0 && res[1].exit_code == MVS_EXIT_SERVER && !res[1].stopped);
	CHECK_STR(res[1].message, "shard failed");
	CHECK(res[0].stopped);
	CHECK(res[0].exit_code != 0);
}

static void test_cancel(void)
{
	struct script sc;
	struct mvs_stage st;
	struct mvs_runner_result res;
	atomic_int cancel = 1;
	struct mvs_runner_hooks hooks = { .cancel = &cancel };

	script_init(&sc, "exec sleep 30");
	st = (struct mvs_stage){ .name = "mvs-export", .argv = sc.argv };
	CHECK(mvs_runner_run(&st, (size_t[]){ 1 }, 1, &hooks, &res) == 0);
	CHECK(res.exit_code == 128 + SIGINT);
	CHECK_STR(res.message, "interrupted");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);	/* as mvs-migrate: the runner's children get it back */
	test_success();
	test_missing_end();
	test_counts_differ();
	test_blame();
	test_exec_failure();
	test_secrets();
	test_output();
	test_siblings();
	test_cancel();
	return check_status();
}
