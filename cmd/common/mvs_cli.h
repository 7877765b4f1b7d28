/* What every mvs tool's main.c shares: the tool name in messages, error and warning output on stderr,
 * --help/--version/usage-error manners, the output file (-o FILE written to FILE.part and renamed only
 * on success, refusing a terminal without -f). Messages and progress are mvs_log.h's. */
#ifndef MVS_CLI_H
#define MVS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "mvs_log.h"

/* Sets the tool name that prefixes every message (mvs_log_init). Call first in main. */
void mvs_cli_init(const char *tool);

/* Prints "TOOL: MESSAGE\nTry 'TOOL --help'." to stderr and exits MVS_EXIT_USAGE. */
void mvs_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void mvs_print_version(void);	/* "mvs-map (mvs) 0.1.0" on stdout */

/* The binary output of a tool. path NULL or "-" is stdout. With a path the data goes to PATH.part
 * and mvs_output_commit renames it into place, so a failed run never leaves a complete-looking file.
 * Refuses a terminal unless force, and a directory. Returns the fd, or -1 after printing why. */
int mvs_output_open(const char *path, bool force);
/* Closes the output; when ok syncs PATH.part, renames it to PATH and syncs the directory (so the name
 * survives a crash too), else removes it. Returns 0 or -1. */
int mvs_output_commit(bool ok);

/* Input: path NULL or "-" is stdin, which must not be a terminal (a usage error: nothing would
 * come). Returns the fd, or -1 after printing why. */
int mvs_input_open(const char *path);

/* The getopt_long values of --help and --version, for the tools whose option switch ends in
 * mvs_cli_default_option. The tools' own values run from 256 up, well below these. */
enum { MVS_CLI_OPT_HELP = 0x1000, MVS_CLI_OPT_VERSION, MVS_CLI_OPT_STATUS_FD = 0x1100 };
#define MVS_CLI_HELP_VERSION_OPTIONS \
	{ "help", no_argument, NULL, MVS_CLI_OPT_HELP }, \
	{ "version", no_argument, NULL, MVS_CLI_OPT_VERSION }
/* --status-fd N, for the tools that speak the status channel (mvs_status_cli.h); its value is clear
 * of the connection options', which follow MVS_CLI_OPT_VERSION. */
#define MVS_CLI_STATUS_OPTION { "status-fd", required_argument, NULL, MVS_CLI_OPT_STATUS_FD }

/* The default: case of a tool's getopt_long switch, run with opterr = 0 and ":" leading the short
 * options: --help and -h print usage_text to stdout and exit 0, --version prints the version and exits 0;
 * anything else is the usage error "option 'X' needs a value" or "unknown option 'X'". */
void mvs_cli_default_option(int opt, const char *usage_text, char **argv) __attribute__((noreturn));

/* Refuses, before getopt_long sees them, the spellings that would put a secret on the command line:
 * --password, --pass, --passwd, --token (and any other abbreviation of --password-file or
 * --token-file, which getopt_long would take as those options with the secret as the file name).
 * The usage error names the spelling and the ways that keep the secret off the command line; it never
 * shows the value. options and short_opts are the tool's getopt_long arguments, so that option values
 * are skipped. */
void mvs_cli_refuse_secret_options(int argc, char **argv, const char *short_opts,
				   const struct option *options);

/* Parses a non-negative integer option value; usage error naming the option otherwise. */
int64_t mvs_parse_count(const char *option, const char *value, int64_t min, int64_t max);

/* Ends the process the way one killed by SIGPIPE ends (status 141): a closed pipe downstream
 * (`mvs-cat | head -1`) is not this stage's failure, so it leaves silently. */
void mvs_exit_broken_pipe(void) __attribute__((noreturn));
/* Flushes and closes standard output: 0, or -1 after saying why (a closed pipe exits quietly, as
 * mvs_exit_broken_pipe). For tools that print their data with stdio. */
int mvs_close_stdout(void);

#endif
