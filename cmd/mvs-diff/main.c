/* mvs-diff: compares two mvs streams row by row (man/mvs-diff.1) and prints the rows only one of them
 * holds and the values that differ, then a summary per pair of units. The comparison is
 * lib/stream/mvs_diff.c's; this file parses options, opens the inputs and prints. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvs_cli.h"
#include "mvs_diff.h"
#include "mvs_exit.h"
#include "mvs_stream.h"

#define DEFAULT_MAX 100

static const char usage_text[] =
	"Usage: mvs-diff [OPTION]... A B\n"
	"Compare two mvs streams (files, or - for standard input) row by row: print the rows only one\n"
	"holds and each value that differs, then one summary line per pair of units.\n"
	"\n"
	"      --fields A,B,...     compare only these fields (by name)\n"
	"      --ignore-partitions  rows match whatever partition they are in\n"
	"      --ignore-pk          leave the primary key out and compare the rows as multisets\n"
	"                           (auto-ID targets); implies --unordered\n"
	"      --unordered          compare the rows as multisets, in any order (temporary files)\n"
	"      --max N              print at most N difference lines (default 100; the summary\n"
	"                           counts them all)\n"
	"  -h, --help               print this help and exit\n"
	"      --version            print the version and exit\n"
	"\n"
	"Exit status: 0 identical, 1 different, 2 usage (or input a merge cannot compare), 3 I/O\n"
	"error, 4 truncated or corrupt stream, 5 the stream carries an abort frame. See mvs-diff(1).\n";

enum { OPT_FIELDS = 256, OPT_IGNORE_PARTITIONS, OPT_IGNORE_PK, OPT_UNORDERED, OPT_MAX };

static const struct option long_options[] = {
	{ "fields", required_argument, NULL, OPT_FIELDS },
	{ "ignore-partitions", no_argument, NULL, OPT_IGNORE_PARTITIONS },
	{ "ignore-pk", no_argument, NULL, OPT_IGNORE_PK },
	{ "unordered", no_argument, NULL, OPT_UNORDERED },
	{ "max", required_argument, NULL, OPT_MAX },
	MVS_CLI_HELP_VERSION_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* Prints one line; a closed pipe ends the program quietly, other write errors loudly. */
static void put_line(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	if (fwrite(text, 1, len, stdout) == len && putchar('\n') != EOF)
		return;
	if (errno == EPIPE)
		mvs_exit_broken_pipe();
	mvs_error("cannot write output: %s", strerror(errno));
	exit(MVS_EXIT_IO);
}

static int open_input(const char *path, struct mvs_reader **r)
{
	int fd = mvs_input_open(path);

	if (fd < 0)
		return -1;
	if (!(*r = mvs_reader_new(fd, path))) {
		mvs_error("out of memory");
		exit(MVS_EXIT_FAILURE);
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct mvs_diff_options opt = { .max_lines = DEFAULT_MAX, .line = put_line };
	char err[1024];
	int c;

	mvs_cli_init("mvs-diff");
	opterr = 0;	/* our messages: an unknown option is named without its value */
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_FIELDS:
			if (mvs_canon_options_fields(&opt.canon, optarg, err, sizeof err) != 0)
				mvs_usage_error("%s", err);
			break;
		case OPT_IGNORE_PARTITIONS:
			opt.canon.without_partition = true;
			break;
		case OPT_IGNORE_PK:
			opt.canon.without_pk = true;
			break;
		case OPT_UNORDERED:
			opt.unordered = true;
			break;
		case OPT_MAX:
			opt.max_lines = (uint64_t)mvs_parse_count("--max", optarg, 0, INT64_MAX);
			break;
		default:
			mvs_cli_default_option(c, usage_text, argv);
		}
	}
	if (argc - optind != 2)
		mvs_usage_error("%s: two streams to compare, A and B", argc - optind < 2 ? "missing input" :
				"too many arguments");
	if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0)
		mvs_usage_error("A and B cannot both be standard input");

	struct mvs_reader *ra = NULL, *rb = NULL;
	int fa = open_input(argv[optind], &ra);
	if (fa < 0)
		return MVS_EXIT_IO;
	int fb = open_input(argv[optind + 1], &rb);
	if (fb < 0)
		return MVS_EXIT_IO;
	int code = mvs_diff(ra, rb, &opt, err, sizeof err);
	if (code > 1) {
		fflush(stdout);
		mvs_error("%s", err);
	}
	mvs_reader_free(ra);
	mvs_reader_free(rb);
	mvs_canon_options_free(&opt.canon);
	return mvs_close_stdout() != 0 ? MVS_EXIT_IO : code;
}
