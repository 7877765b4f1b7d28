/* Shared command-line manners for the mvs tools (see mvs_cli.h). */
#include "mvs_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mvs_exit.h"
#include "mvs_log.h"

static int output_fd = -1;
static char *output_path;	/* final path; data goes to output_path + ".part" */
static char *output_part;

void mvs_cli_init(const char *tool)
{
	mvs_log_init(tool);
}

void mvs_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", mvs_log_tool());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", mvs_log_tool());
	exit(MVS_EXIT_USAGE);
}

void mvs_print_version(void)
{
	printf("%s (mvs) %s\n", mvs_log_tool(), MVS_VERSION);
}

/* A run stopped by a signal (Ctrl-C, kill) removes its PATH.part rather than leave a partial file
 * next to where the complete one would be; then dies of the signal as it would have. (Only kill -9
 * and a crash leave a PATH.part, which never looks complete: it does not have the final name.) */
static const int cleanup_signals[] = { SIGHUP, SIGINT, SIGTERM };

static void remove_part_and_die(int sig)
{
	if (output_part)
		unlink(output_part);
	raise(sig);	/* SA_RESETHAND restored the default action; it is delivered on return */
}

#define N_CLEANUP_SIGNALS (sizeof cleanup_signals / sizeof *cleanup_signals)
static struct sigaction saved_actions[N_CLEANUP_SIGNALS];
static bool cleanup_installed[N_CLEANUP_SIGNALS];

static void part_cleanup_on_signals(bool on)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = remove_part_and_die;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_CLEANUP_SIGNALS; i++) {
		if (!on) {
			if (cleanup_installed[i])
				sigaction(cleanup_signals[i], &saved_actions[i], NULL);
			cleanup_installed[i] = false;
			continue;
		}
		/* a signal ignored on purpose (nohup, a background job) stays ignored */
		if (sigaction(cleanup_signals[i], NULL, &saved_actions[i]) != 0 ||
		    saved_actions[i].sa_handler == SIG_IGN)
			continue;
		cleanup_installed[i] = sigaction(cleanup_signals[i], &sa, NULL) == 0;
	}
}

int mvs_output_open(const char *path, bool force)
{
	if (!path || strcmp(path, "-") == 0) {
		if (isatty(STDOUT_FILENO) && !force) {
			mvs_error("refusing to write a binary stream to a terminal; redirect it, "
				  "use -o FILE, or force with -f");
			return -1;
		}
		output_fd = STDOUT_FILENO;
		return output_fd;
	}
	size_t n = strlen(path) + sizeof ".part";
	output_path = strdup(path);
	output_part = malloc(n);
	if (!output_path || !output_part) {
		mvs_error("out of memory");
		return -1;
	}
	snprintf(output_part, n, "%s.part", path);
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {	/* found now, not at the rename after the last row */
		mvs_error("cannot write %s: it is a directory (name a file in it)", path);
		return -1;
	}
	output_fd = open(output_part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (output_fd < 0) {
		mvs_error("cannot create %s: %s", output_part, strerror(errno));
		return -1;
	}
	part_cleanup_on_signals(true);
	return output_fd;
}

/* Syncs the directory that holds path, so that a rename into it survives a crash (the file's own
 * fsync does not cover its name). Filesystems that cannot sync a directory (EINVAL) are let be. */
static int sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	int rc = 0;

	if (!dir) {
		mvs_error("out of memory");
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL)) {
		mvs_error("cannot sync directory %s after renaming %s into it: %s", dir, path, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

int mvs_output_commit(bool ok)
{
	int rc = 0;

	if (output_fd < 0)
		return 0;
	if (!output_path) {
		output_fd = -1;
		return 0;
	}
	if (ok && fsync(output_fd) != 0 && errno != EINVAL) {
		mvs_error("cannot write %s: %s", output_part, strerror(errno));
		ok = false;
		rc = -1;
	}
	if (close(output_fd) != 0 && ok) {
		mvs_error("cannot write %s: %s", output_part, strerror(errno));
		ok = false;
		rc = -1;
	}
	output_fd = -1;
	if (ok && rename(output_part, output_path) != 0) {
		mvs_error("cannot rename %s to %s: %s", output_part, output_path, strerror(errno));
		ok = false;
		rc = -1;
	}
	if (!ok)
		unlink(output_part);
	else if (sync_parent_dir(output_path) != 0)
		rc = -1;	/* the file is whole under its name; whether the name survives a crash is not sure */
	part_cleanup_on_signals(false);
	free(output_path);
	free(output_part);
	output_path = output_part = NULL;
	return ok ? rc : -1;
}

int mvs_input_open(const char *path)
{
	if (!path || strcmp(path, "-") == 0) {
		if (isatty(STDIN_FILENO))
			mvs_usage_error("refusing to read a binary stream from a terminal; pipe one in "
					"(mvs-export ... | %s) or name a file", mvs_log_tool());
		return STDIN_FILENO;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		mvs_error("cannot open %s: %s", path, strerror(errno));
	return fd;
}

void mvs_cli_default_option(int opt, const char *usage_text, char **argv)
{
	switch (opt) {
	case MVS_CLI_OPT_HELP:
	case 'h':
		fputs(usage_text, stdout);
		exit(MVS_EXIT_OK);
	case MVS_CLI_OPT_VERSION:
		mvs_print_version();
		exit(MVS_EXIT_OK);
	case ':':
		mvs_usage_error("option '%s' needs a value", argv[optind - 1]);
	default:
		mvs_usage_error("unknown option '%.*s'", (int)strcspn(argv[optind - 1], "="),
				argv[optind - 1]);	/* the name only: a value may be a secret */
	}
}

/* What a secret-bearing spelling should have been (mvs-migrate's one token is its REST server's). */
static const char *secret_way(const char *name)
{
	if (strncmp(name, "t", 1) != 0)
		return "set MILVUS_PASSWORD or use --password-file FILE";
	return strcmp(mvs_log_tool(), "mvs-migrate") == 0 ? "set MVS_REST_TOKEN or use --token-file FILE"
							   : "set MILVUS_TOKEN or use --token-file FILE";
}

/* Whether name (without "--", up to '=') is a prefix of long but not all of it. */
static bool abbreviates(const char *name, size_t len, const char *full)
{
	return len < strlen(full) && strncmp(name, full, len) == 0;
}

void mvs_cli_refuse_secret_options(int argc, char **argv, const char *short_opts,
				   const struct option *options)
{
	static const char *const secret_files[] = { "password-file", "token-file" };
	static const char *const secret_words[] = { "password", "pass", "passwd", "pw", "token", "secret" };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			return;
		if (a[0] == '-' && a[1] != '-' && a[1] != '\0') {	/* short options: skip a separate value */
			const char *o = strchr(short_opts, a[strlen(a) - 1]);
			if (o && o[1] == ':' && strlen(a) == 2)
				i++;
			continue;
		}
		if (strncmp(a, "--", 2) != 0)
			continue;
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct option *exact = NULL;

		for (const struct option *o = options; o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
				exact = o;
		if (exact) {
			if (!eq && exact->has_arg == required_argument)
				i++;
			continue;
		}
		bool secret = false;
		for (size_t k = 0; k < sizeof secret_files / sizeof *secret_files; k++)
			secret |= abbreviates(name, len, secret_files[k]);
		for (size_t k = 0; k < sizeof secret_words / sizeof *secret_words; k++)
			secret |= strlen(secret_words[k]) == len && strncmp(name, secret_words[k], len) == 0;
		if (secret)
			mvs_usage_error("option '--%.*s' is refused: a secret on the command line is seen by "
					"other users (ps, shell history); %s", (int)len, name, secret_way(name));
	}
}

int64_t mvs_parse_count(const char *option, const char *value, int64_t min, int64_t max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno || end == value || *end || v < min || v > max)
		mvs_usage_error("invalid value for %s: '%s' (a whole number from %" PRId64 " to %" PRId64 ")",
				option, value, min, max);
	return v;
}

void mvs_exit_broken_pipe(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGPIPE);
	_exit(128 + SIGPIPE);
}

int mvs_close_stdout(void)
{
	if (!ferror(stdout) && fclose(stdout) == 0)
		return 0;
	if (errno == EPIPE)
		mvs_exit_broken_pipe();
	mvs_error("cannot write output: %s", strerror(errno));
	return -1;
}
