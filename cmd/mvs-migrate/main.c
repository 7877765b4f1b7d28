/* mvs-migrate: milvus-migration's `start`, `server` and `version` on top of the mvs tools, with its
 * command line. `start` reads migration.yaml (lib/migrate/mvs_config) and runs mvs-export | mvs-map |
 * mvs-import per collection (lib/migrate/mvs_migration: mvs_plan builds the command lines, mvs_runner
 * runs them); `server` (or `server run`) serves the same through milvus-migration's REST API
 * (lib/migrate/mvs_rest). */
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
#include "mvs_interrupt.h"
#include "mvs_migration.h"
#include "mvs_plan.h"
#include "mvs_rest.h"
#include "mvs_secret.h"

static const char usage_text[] =
	"Usage: mvs-migrate start [-c FILE] [-t NAME] [-j N] [--verify] [--dry-run] [--progress] [-q]\n"
	"       mvs-migrate server [run] [-p PORT] [--bind ADDR] [-c FILE] [--config-dir DIR]\n"
	"       mvs-migrate version\n"
	"Copy Milvus collections as milvus-migration does, from its migration.yaml, by running\n"
	"mvs-export | mvs-map | mvs-import for each collection.\n"
	"\n"
	"start:\n"
	"  -c, --config FILE   the config (default ./migration.yaml, then ./configs/migration.yaml)\n"
	"  -t, --table NAME    copy collection NAME, to the same name (overrides meta.collection and\n"
	"                      meta.milvus.collection, as milvus-migration's -t)\n"
	"  -j, --parallel N    copy each collection as N shards at once (dumper.worker.parallelism)\n"
	"      --verify        read each copy back and compare its row digests with the source's\n"
	"                      (meta.verify); a difference fails with exit 9\n"
	"      --dry-run       check the config and print the equivalent shell pipelines\n"
	"      --progress      rows and rows/s lines (default when stderr is a terminal)\n"
	"  -q, --quiet         errors and warnings only\n"
	"server, server run:\n"
	"  -p, --port PORT     port to listen on, or :PORT (default 8080; 0 = any free port)\n"
	"      --bind ADDR     address to listen on (default 127.0.0.1)\n"
	"  -c, --config FILE   the config of a POST /api/v1/start that names none\n"
	"      --config-dir DIR  where POST /api/v1/start looks for migration.yaml (default .)\n"
	"      --token-file F  the bearer token that requests must carry (or set MVS_REST_TOKEN)\n"
	"  -h, --help          this help\n"
	"      --version       print the version\n"
	"\n"
	"Options go before or after the command, as -c FILE, -cFILE, -c=FILE, --config FILE or\n"
	"--config=FILE. The tools are found next to mvs-migrate, or in $MVS_BIN.\n"
	"See mvs-migrate(1), migration.yaml(5).\n";

/* Ctrl-C, SIGTERM, SIGHUP: the first stops the stages, whose mvs-import then reports what it wrote;
 * a second makes them quit at once (see mvs_runner_hooks.cancel). */
static atomic_int interrupted;
static volatile sig_atomic_t first_signal;

static void on_signal(int sig)
{
	static const char again[] = "\nmvs-migrate: interrupted again: stopping every stage at once\n";

	if (atomic_fetch_add(&interrupted, 1) == 0)
		first_signal = sig;
	else if (write(STDERR_FILENO, again, sizeof again - 1) < 0)
		return;	/* nothing more to do */
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

/* The command line, read as milvus-migration's cobra/pflag reads its own: options before or after the
 * command word, -c FILE, -cFILE, -c=FILE, --config FILE, --config=FILE, short flags combined (-qc F),
 * the last of a repeated option winning, and long names never abbreviated (so no spelling can make
 * --password-file take a secret). Short letters are those of `shorts`; an option's val is its letter,
 * or an unused one for the long-only options. */
enum command { CMD_START = 1, CMD_SERVER = 2, CMD_VERSION = 4, CMD_HELP = 8 };

static const char shorts[] = "c:t:j:qp:h";	/* getopt's spelling, for mvs_cli_refuse_secret_options */

static const struct option options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "table", required_argument, NULL, 't' },
	{ "parallel", required_argument, NULL, 'j' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "verify", no_argument, NULL, 'v' },
	{ "progress", no_argument, NULL, 'P' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "port", required_argument, NULL, 'p' },
	{ "bind", required_argument, NULL, 'b' },
	{ "config-dir", required_argument, NULL, 'd' },
	{ "token-file", required_argument, NULL, 'T' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The commands that take each option. -c and -t are "persistent" in milvus-migration, so `version`
 * takes (and ignores) them too; -t means nothing to the server, which says so. */
static unsigned option_commands(int val)
{
	switch (val) {
	case 'c': return CMD_START | CMD_SERVER | CMD_VERSION;
	case 't': return CMD_START | CMD_VERSION;
	case 'j': case 'n': case 'P': case 'q': case 'v': return CMD_START;
	case 'p': case 'b': case 'd': case 'T': return CMD_SERVER;
	default: return CMD_START | CMD_SERVER | CMD_VERSION | CMD_HELP;
	}
}

struct args {
	const char *words[3];		/* the command and its arguments: "start", "server" ["run"] */
	int nwords;
	const char *value[128];		/* by val; NULL = not given; a flag's is "true" or "false" */
	const char *spelling[128];	/* how each was written, "-c" or "--config", for messages */
};

static const struct option *long_option(const char *name, size_t len)
{
	for (const struct option *o = options; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct option *short_option(char c)
{
	const char *s = c && c != ':' ? strchr(shorts, c) : NULL;

	for (const struct option *o = options; s && o->name; o++)
		if (o->val == c)
			return o;
	return NULL;
}

/* A flag's value: pflag takes --dry-run=false, -q=true. */
static const char *flag_value(const char *spelling, const char *text)
{
	static const char *const yes[] = { "true", "1", "t", "TRUE", "True", "T", NULL };
	static const char *const no[] = { "false", "0", "f", "FALSE", "False", "F", NULL };

	for (int i = 0; yes[i]; i++) {
		if (!strcmp(text, yes[i]))
			return "true";
		if (!strcmp(text, no[i]))
			return "false";
	}
	mvs_usage_error("invalid value for %s: '%s' (true or false)", spelling, text);
}

static void set_option(struct args *a, const struct option *o, const char *spelling, const char *value)
{
	if (o->has_arg == required_argument && value[0] == '=')
		mvs_usage_error("invalid value for %s: '%s' starts with '=' (write %s VALUE or %s=VALUE)",
				spelling, value, spelling, spelling);
	a->value[o->val] = value;
	a->spelling[o->val] = spelling;
}

static void parse_args(int argc, char **argv, struct args *a)
{
	static char spelling[128][16];	/* "-c" or "--config": messages name an option as written */
	bool options_end = false;

	memset(a, 0, sizeof *a);
	mvs_cli_refuse_secret_options(argc, argv, shorts, options);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (options_end || arg[0] != '-' || arg[1] == '\0') {
			if (a->nwords == (int)(sizeof a->words / sizeof *a->words))
				mvs_usage_error("unexpected argument '%s'", arg);
			a->words[a->nwords++] = arg;
		} else if (strcmp(arg, "--") == 0) {
			options_end = true;
		} else if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct option *o = long_option(name, len);
			if (!o)	/* the name only: a value may be a secret */
				mvs_usage_error("unknown option '--%.*s'", (int)len, name);
			char *sp = spelling[o->val];
			snprintf(sp, sizeof spelling[0], "--%s", o->name);
			if (o->has_arg == no_argument)
				set_option(a, o, sp, eq ? flag_value(sp, eq + 1) : "true");
			else if (eq)
				set_option(a, o, sp, eq + 1);
			else if (i + 1 < argc)
				set_option(a, o, sp, argv[++i]);
			else
				mvs_usage_error("option '%s' needs a value", sp);
		} else {
			for (const char *p = arg + 1; *p; p++) {
				const struct option *o = short_option(*p);
				if (!o)
					mvs_usage_error("unknown option '-%c'", *p);
				char *sp = spelling[o->val];
				snprintf(sp, sizeof spelling[0], "-%c", *p);
				if (o->has_arg == no_argument) {
					if (p[1] != '=') {
						set_option(a, o, sp, "true");
						continue;
					}
					set_option(a, o, sp, flag_value(sp, p + 2));
				} else if (p[1] == '=' && p[2]) {	/* -c=FILE */
					set_option(a, o, sp, p + 2);
				} else if (p[1]) {			/* -cFILE */
					set_option(a, o, sp, p + 1);
				} else if (i + 1 < argc) {		/* -c FILE */
					set_option(a, o, sp, argv[++i]);
				} else {
					mvs_usage_error("option '-%c' needs a value", *p);
				}
				break;
			}
		}
	}
}

static bool flag(const struct args *a, int val)
{
	return a->value[val] && strcmp(a->value[val], "true") == 0;
}

/* Refuses the options given that cmd does not take. */
static void only_options_of(const struct args *a, enum command cmd, const char *name)
{
	for (const struct option *o = options; o->name; o++) {
		if (!a->value[o->val] || (option_commands(o->val) & cmd))
			continue;
		if (o->val == 't')
			mvs_usage_error("%s: -t/--table is an option of start (the server copies the "
					"collections of its config)", name);
		mvs_usage_error("%s: option '%s' is not one of %s's (see --help)", name, a->spelling[o->val],
				name);
	}
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

static int cmd_start(const struct args *a)
{
	const char *given = a->value['c'], *table = a->value['t'];
	bool dry = flag(a, 'n'), progress = flag(a, 'P'), quiet = flag(a, 'q'), verify = flag(a, 'v');
	int64_t parallel = a->value['j'] ? mvs_parse_count("--parallel", a->value['j'], 1, MVS_CFG_MAX_PARALLEL) : 0;

	if (a->nwords > 1)
		mvs_usage_error("start: unexpected argument '%s'", a->words[1]);
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
	sigaction(SIGHUP, &sa, NULL);

	char id[MVS_JOB_ID_SIZE];
	mvs_job_id(id);
	char *bindir = mvs_plan_bindir();
	struct mvs_migration m = {
		.bindir = bindir ? bindir : ".", .job_id = id, .quiet = quiet,
		.progress = progress || isatty(STDERR_FILENO), .cancel = &interrupted, .verify = verify,
	};
	struct mvs_migration_result res;
	int rc = mvs_migration_run(cfg, &m, &res);
	if (rc) {
		if (first_signal) {
			rc = 128 + first_signal;
			mvs_error("Migration failed: interrupted by %s", mvs_interrupt_name(first_signal));
		} else {
			mvs_error("Migration failed: %s", res.message);
		}
		fputs(res.report, stderr);
	}
	free(bindir);
	mvs_cfg_free(cfg);
	return rc;
}

/* -p 8080, or -p :8080 as milvus-migration users write it (it listens on ":" PORT). */
static int parse_port(const char *text)
{
	if (text[0] == ':')
		text++;
	if (strchr(text, ':'))
		mvs_usage_error("invalid value for --port: '%s' (a port; give the address with --bind ADDR)", text);
	return (int)mvs_parse_count("--port", text, 0, 65535);
}

/* The server's -c FILE: checked now, so that a wrong one is found at start and not at the first
 * POST /api/v1/start; kept as an absolute path, as the working directory may not be config_dir. */
static char *server_config(const char *given)
{
	char *path = realpath(given, NULL);
	struct mvs_cfg_diag diag = { 0 };
	struct mvs_cfg *cfg = path ? mvs_cfg_load(path, &diag) : NULL;

	if (!path) {
		mvs_error("%s: %s; the server was not started", given, strerror(errno));
		exit(MVS_EXIT_CONFIG);
	}
	print_diag(&diag);
	mvs_cfg_diag_free(&diag);
	if (!cfg) {
		mvs_error("%s: invalid config; the server was not started", given);
		exit(MVS_EXIT_CONFIG);
	}
	mvs_cfg_free(cfg);
	return path;
}

/* `server` and `server run` (milvus-migration's container starts `server`; its docs say `server run`). */
static int cmd_server(const struct args *a)
{
	struct mvs_rest_options opt = {
		.port = a->value['p'] ? parse_port(a->value['p']) : 8080,
		.bind = a->value['b'], .config_dir = a->value['d'],
	};

	if (a->nwords > 1 && strcmp(a->words[1], "run") != 0)
		mvs_usage_error("server: unexpected argument '%s' (server, or server run)", a->words[1]);
	if (a->nwords > 2)
		mvs_usage_error("server run: unexpected argument '%s'", a->words[2]);
	char *config = a->value['c'] ? server_config(a->value['c']) : NULL;
	opt.config = config;
	char why[512], *token = NULL;
	if (mvs_secret_get(MVS_SECRET_REST_TOKEN, a->value['T'], &token, why, sizeof why) < 0) {
		mvs_error("%s", why);
		free(config);
		return MVS_EXIT_USAGE;
	}
	unsetenv("MVS_REST_TOKEN");	/* the tools it runs have no use for it */
	opt.token = token;
	char *bindir = mvs_plan_bindir();
	opt.bindir = bindir ? bindir : ".";
	int rc = mvs_rest_serve(&opt);
	mvs_secret_free(token);
	free(bindir);
	free(config);
	return rc;
}

int main(int argc, char **argv)
{
	struct args a;

	mvs_cli_init("mvs-migrate");
	std_fds();
	signal(SIGPIPE, SIG_IGN);	/* a closed stderr must not kill us before the children are reaped */

	parse_args(argc, argv, &a);
	const char *word = a.nwords ? a.words[0] : NULL;
	enum command cmd = !word ? CMD_HELP :
			   !strcmp(word, "start") ? CMD_START :
			   !strcmp(word, "server") ? CMD_SERVER :
			   !strcmp(word, "version") ? CMD_VERSION :
			   !strcmp(word, "help") ? CMD_HELP : 0;
	if (flag(&a, 'h') || (cmd == CMD_HELP && word)) {
		fputs(usage_text, stdout);
		return MVS_EXIT_OK;
	}
	if (flag(&a, 'V') || cmd == CMD_VERSION) {
		if (cmd == CMD_VERSION && a.nwords > 1)
			mvs_usage_error("version: unexpected argument '%s'", a.words[1]);
		mvs_print_version();
		return MVS_EXIT_OK;
	}
	if (!word)
		mvs_usage_error("missing command: start, server or version");
	if (!cmd)
		mvs_usage_error("unknown command '%s' (start, server or version)", word);
	only_options_of(&a, cmd, word);
	return cmd == CMD_START ? cmd_start(&a) : cmd_server(&a);
}
