/* mvs-migrate: milvus-migration's `start` and `server run` on top of the mvs tools. `start` reads
 * migration.yaml (lib/migrate/mvs_config) and runs mvs-export | mvs-map | mvs-import per collection
 * (lib/migrate/mvs_migration: mvs_plan builds the command lines, mvs_runner runs them); `server run`
 * serves the same through milvus-migration's REST API (lib/migrate/mvs_rest). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvs_cli.h"
#include "mvs_config.h"
#include "mvs_exit.h"
#include "mvs_migration.h"
#include "mvs_plan.h"
#include "mvs_rest.h"

static const char usage_text[] =
	"Usage: mvs-migrate start [-c FILE] [-t NAME] [-j N] [--dry-run] [--progress] [-q]\n"
	"       mvs-migrate server run [-p PORT] [--bind ADDR] [--config-dir DIR]\n"
	"Copy Milvus collections as milvus-migration does, from its migration.yaml, by running\n"
	"mvs-export | mvs-map | mvs-import for each collection.\n"
	"\n"
	"start:\n"
	"  -c, --config FILE   the config (default ./migration.yaml, then ./configs/migration.yaml)\n"
	"  -t, --table NAME    copy collection NAME, to the same name (overrides meta.collection and\n"
	"                      meta.milvus.collection, as milvus-migration's -t)\n"
	"  -j, --parallel N    copy each collection as N shards at once (dumper.worker.parallelism)\n"
	"      --dry-run       check the config and print the equivalent shell pipelines\n"
	"      --progress      rows and rows/s lines (default when stderr is a terminal)\n"
	"  -q, --quiet         errors and warnings only\n"
	"server run:\n"
	"  -p, --port PORT     port to listen on (default 8080; 0 = any free port)\n"
	"      --bind ADDR     address to listen on (default 127.0.0.1)\n"
	"      --config-dir DIR  where POST /api/v1/start looks for migration.yaml (default .)\n"
	"  -h, --help          this help\n"
	"      --version       print the version\n"
	"\n"
	"The tools are found next to mvs-migrate, or in $MVS_BIN. See mvs-migrate(1), migration.yaml(5).\n";

static atomic_int interrupted;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&interrupted, 1);
}

/* Children inherit 0, 1 and 2; make sure each is open so pipes never land on them. */
static void std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0) {
			int null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
			if (null >= 0 && null != fd) {
				dup2(null, fd);
				close(null);
			}
		}
	}
}

/* getopt's complaint, in our words (opterr is off so that messages start with our name). */
static void bad_option(const char *cmd, char **argv, const char *shorts)
{
	if (optopt && strchr(shorts, optopt))
		mvs_usage_error("%s: option -%c needs a value", cmd, optopt);
	if (optopt)
		mvs_usage_error("%s: unknown option -%c", cmd, optopt);
	mvs_usage_error("%s: unknown option or missing value: '%.*s'", cmd,
			(int)strcspn(argv[optind - 1], "="), argv[optind - 1]);	/* never a value */
}

static void print_diag(const struct mvs_cfg_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "%s: %s\n", mvs_log_tool(), d->lines[i]);
	if (d->errors + d->warnings > d->n)
		fprintf(stderr, "%s: ... and %zu more problems\n", mvs_log_tool(), d->errors + d->warnings - d->n);
}

/* -t NAME: milvus-migration's override of the source and target collection. */
static int set_table(struct mvs_cfg *cfg, const char *table)
{
	struct mvs_cfg_collection *col = &cfg->collections[0];
	char *name;

	if (cfg->ncollections != 1) {
		mvs_error("-t/--table: the config lists %zu collections; it replaces one (meta.collection)",
			  cfg->ncollections);
		return -1;
	}
	if (!*table || !(name = strdup(table))) {
		mvs_error("-t/--table: %s", *table ? "out of memory" : "empty collection name");
		return -1;
	}
	free(col->name);
	free(col->target);
	col->name = name;
	col->target = NULL;
	return 0;
}

/* One line per pipeline: per collection, or per shard of each collection (to be run at once). */
static int dry_run(const struct mvs_cfg *cfg)
{
	uint32_t shards = cfg->parallelism > 1 ? (uint32_t)cfg->parallelism : 1;

	for (size_t i = 0; i < cfg->ncollections; i++) {
		for (uint32_t s = 0; s < shards; s++) {
			struct mvs_plan plan;
			char *line = NULL;
			if (mvs_plan_build_shard(cfg, i, s, shards, NULL, &plan) == 0) {
				line = mvs_plan_shell(&plan);
				mvs_plan_free(&plan);
			}
			if (!line) {
				mvs_error("out of memory");
				return MVS_EXIT_FAILURE;
			}
			printf("%s\n", line);
			free(line);
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		mvs_error("cannot write to stdout: %s", strerror(errno));
		return MVS_EXIT_IO;
	}
	return MVS_EXIT_OK;
}

static int cmd_start(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "table", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "parallel", required_argument, NULL, 'j' },
		{ "progress", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *given = NULL, *table = NULL;
	bool dry = false, progress = false, quiet = false;
	int64_t parallel = 0;
	int c;

	mvs_cli_refuse_secret_options(argc, argv, "c:t:j:qh", longopts);
	opterr = 0;
	optind = 2;
	while ((c = getopt_long(argc, argv, "c:t:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': given = optarg; break;
		case 't': table = optarg; break;
		case 'n': dry = true; break;
		case 'j': parallel = mvs_parse_count("--parallel", optarg, 1, MVS_CFG_MAX_PARALLEL); break;
		case 'P': progress = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage_text, stdout); return MVS_EXIT_OK;
		default: bad_option("start", argv, "ctj");
		}
	}
	if (optind < argc)
		mvs_usage_error("start: unexpected argument '%s'", argv[optind]);
	mvs_set_quiet(quiet);

	char *path = given ? strdup(given) : mvs_cfg_find(NULL);
	if (!path) {
		mvs_error("no config: neither migration.yaml nor configs/migration.yaml exists here (give -c FILE)");
		return MVS_EXIT_CONFIG;
	}
	struct mvs_cfg_diag diag = { 0 };
	struct mvs_cfg *cfg = mvs_cfg_load(path, &diag);
	print_diag(&diag);
	mvs_cfg_diag_free(&diag);
	if (!cfg) {
		mvs_error("%s: invalid config; nothing was started", path);
		free(path);
		return MVS_EXIT_CONFIG;
	}
	if (parallel)
		cfg->parallelism = parallel;
	if (table && set_table(cfg, table) < 0) {
		mvs_cfg_free(cfg);
		free(path);
		return MVS_EXIT_USAGE;
	}
	if (dry) {
		int rc = dry_run(cfg);
		mvs_cfg_free(cfg);
		free(path);
		return rc;
	}
	mvs_info("config %s", path);
	free(path);

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	char id[MVS_JOB_ID_SIZE];
	mvs_job_id(id);
	char *bindir = mvs_plan_bindir();
	struct mvs_migration m = {
		.bindir = bindir ? bindir : ".", .job_id = id, .quiet = quiet,
		.progress = progress || isatty(STDERR_FILENO), .cancel = &interrupted,
	};
	struct mvs_migration_result res;
	int rc = mvs_migration_run(cfg, &m, &res);
	if (rc)
		mvs_error("Migration failed: %s", res.message);
	free(bindir);
	mvs_cfg_free(cfg);
	return rc;
}

static int cmd_server(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "config-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvs_rest_options opt = { .port = 8080 };
	int c;

	if (argc < 3 || strcmp(argv[2], "run") != 0)
		mvs_usage_error("expected 'server run'");
	mvs_cli_refuse_secret_options(argc, argv, "p:h", longopts);
	opterr = 0;
	optind = 3;
	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': opt.port = (int)mvs_parse_count("--port", optarg, 0, 65535); break;
		case 'b': opt.bind = optarg; break;
		case 'd': opt.config_dir = optarg; break;
		case 'h': fputs(usage_text, stdout); return MVS_EXIT_OK;
		default: bad_option("server run", argv, "p");
		}
	}
	if (optind < argc)
		mvs_usage_error("server run: unexpected argument '%s'", argv[optind]);
	char *bindir = mvs_plan_bindir();
	opt.bindir = bindir ? bindir : ".";
	int rc = mvs_rest_serve(&opt);
	free(bindir);
	return rc;
}

int main(int argc, char **argv)
{
	mvs_cli_init("mvs-migrate");
	std_fds();
	signal(SIGPIPE, SIG_IGN);	/* a closed stderr must not kill us before the children are reaped */

	if (argc < 2)
		mvs_usage_error("missing command: start or server run");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return MVS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		mvs_print_version();
		return MVS_EXIT_OK;
	}
	if (!strcmp(argv[1], "start"))
		return cmd_start(argc, argv);
	if (!strcmp(argv[1], "server"))
		return cmd_server(argc, argv);
	mvs_usage_error("unknown command '%s' (start or server run)", argv[1]);
}
