/* mvs-cat: shows an mvs stream as text (man/mvs-cat.1): rows as JSON Lines, headers as JSON, or,
 * with --verify, a check of the whole stream (framing, trailer, checksum and every value) with one
 * summary line per unit. Rendering lives in lib/stream/mvs_json.c; this file wires it to the reader. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvs_check.h"
#include "mvs_cli.h"
#include "mvs_exit.h"
#include "mvs_json.h"
#include "mvs_row.h"
#include "mvs_stream.h"

static const char usage_text[] =
	"Usage: mvs-cat [OPTION]... [FILE|-]\n"
	"Print an mvs stream (FILE, or standard input) as text: one JSON object per row.\n"
	"\n"
	"      --header      print each unit's header (schema) as one JSON object instead of rows\n"
	"      --limit N     print only the first N rows, then stop reading\n"
	"      --verify      read everything, check trailers, checksums and every value, and print\n"
	"                    one summary line per unit instead of rows\n"
	"  -q, --quiet       with --verify: print nothing, only set the exit status\n"
	"  -h, --help        print this help and exit\n"
	"      --version     print the version and exit\n"
	"\n"
	"Exit status: 0 ok, 1 failure, 2 usage, 3 I/O error, 4 truncated or corrupt stream,\n"
	"5 the stream carries an abort frame (an upstream stage failed). See mvs-cat(1).\n";

enum { OPT_HEADER = 256, OPT_LIMIT, OPT_VERIFY, OPT_HELP, OPT_VERSION };

static const struct option long_options[] = {
	{ "header", no_argument, NULL, OPT_HEADER },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct options {
	bool header;
	bool verify;
	bool quiet;
	int64_t limit;		/* -1: all rows */
	const char *input;
};

/* Where the reader is, for messages about values (the reader's own messages say it themselves). */
struct position {
	const char *input;
	uint64_t unit;		/* 1-based */
	const char *collection;
	uint64_t row;		/* 1-based within the unit */
};

static void parse_options(int argc, char **argv, struct options *o)
{
	int c;

	o->limit = -1;
	opterr = 0;	/* our messages: an unknown option is named without its value */
	while ((c = getopt_long(argc, argv, ":qh", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_HEADER:
			o->header = true;
			break;
		case OPT_LIMIT:
			o->limit = mvs_parse_count("--limit", optarg, 0, INT64_MAX);
			break;
		case OPT_VERIFY:
			o->verify = true;
			break;
		case 'q':
			o->quiet = true;
			mvs_set_quiet(true);
			break;
		case OPT_HELP:
		case 'h':
			fputs(usage_text, stdout);
			exit(MVS_EXIT_OK);
		case OPT_VERSION:
			mvs_print_version();
			exit(MVS_EXIT_OK);
		default:
			mvs_cli_default_option(c, usage_text, argv);
		}
	}
	if (argc - optind > 1)
		mvs_usage_error("too many arguments: one input file at most");
	if (o->limit >= 0 && (o->verify || o->header))
		mvs_usage_error("--limit limits printed rows; it cannot be combined with %s",
				o->verify ? "--verify" : "--header");
	o->input = optind < argc ? argv[optind] : "-";
}

/* Writes one line; a closed pipe ends the program quietly, other write errors loudly. */
static void put_line(struct mvs_jbuf *b)
{
	mvs_jbuf_append(b, "\n", 1);
	if (mvs_jbuf_failed(b))
		return;	/* reported by the caller */
	if (fwrite(b->data, 1, b->len, stdout) == b->len)
		return;
	if (errno == EPIPE)
		mvs_exit_broken_pipe();
	mvs_error("cannot write output: %s", strerror(errno));
	exit(MVS_EXIT_IO);
}

/* "FILE: unit 1 (collection "c"), row 7: WHAT" (row 0: the header); no file name for stdin, as in
 * the reader's own messages */
static int value_error(const struct position *at, const char *what)
{
	bool named = strcmp(at->input, "-") != 0;
	char row[32] = "";

	if (at->row)
		snprintf(row, sizeof row, ", row %" PRIu64, at->row);
	mvs_error("%s%sunit %" PRIu64 " (collection \"%s\")%s: %s", named ? at->input : "",
		  named ? ": " : "", at->unit, at->collection, row, what);
	return MVS_EXIT_STREAM;
}

static int cat_stream(struct mvs_reader *r, const struct options *o)
{
	struct mvs_jbuf b = { 0 };
	struct mvs_item item;
	struct position at = { .input = o->input, .collection = "" };
	char *partition = NULL;
	char err[1024];
	uint64_t printed = 0, unit_start = 0;
	int code = -1;

	if (o->limit == 0)
		return MVS_EXIT_OK;
	while (code < 0) {
		mvs_reader_next(r, &item);
		switch (item.kind) {
		case MVS_ITEM_HEADER:
			at.unit = item.unit_index + 1;
			at.collection = item.schema->name ? item.schema->name : "";
			at.row = 0;
			free(partition);
			partition = NULL;
			if (!o->header)
				break;
			mvs_jbuf_reset(&b);
			if (mvs_json_header(&b, item.schema, err, sizeof err)) {
				code = value_error(&at, err);
				break;
			}
			put_line(&b);
			break;
		case MVS_ITEM_PARTITION:
			free(partition);
			if (!(partition = strdup(item.partition))) {
				mvs_error("out of memory");
				code = MVS_EXIT_FAILURE;
			}
			break;
		case MVS_ITEM_ROW:
			at.row++;
			if (o->header)
				break;
			if (o->verify) {
				/* every value checked (JSON text included), so whatever passes prints */
				if (mvs_row_check(item.schema, item.row, item.row_len, err, sizeof err))
					code = value_error(&at, err);
				break;
			}
			mvs_jbuf_reset(&b);
			if (mvs_json_row(&b, item.schema, partition, item.row, item.row_len, err, sizeof err)) {
				code = value_error(&at, err);
				break;
			}
			put_line(&b);
			if (o->limit >= 0 && ++printed == (uint64_t)o->limit)
				code = MVS_EXIT_OK;
			break;
		case MVS_ITEM_TRAILER: {
			uint64_t end = mvs_reader_offset(r);
			if (o->verify && !o->quiet)
				printf("ok: collection %s, %" PRIu64 " rows, %zu partitions, %" PRIu64
				       " bytes\n", at.collection, item.unit_rows, item.schema->n_partitions,
				       end - unit_start);
			unit_start = end;
			break;
		}
		case MVS_ITEM_EOF:
			code = MVS_EXIT_OK;
			break;
		case MVS_ITEM_ERROR:
		default:
			fflush(stdout);
			mvs_error("%s", mvs_reader_error(r));
			code = mvs_reader_exit_code(r);
			break;
		}
		if (mvs_jbuf_failed(&b)) {
			mvs_error("out of memory");
			code = MVS_EXIT_FAILURE;
		}
	}
	free(partition);
	mvs_jbuf_free(&b);
	return code;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };

	mvs_cli_init("mvs-cat");
	parse_options(argc, argv, &o);
	int in = mvs_input_open(o.input);
	if (in < 0)
		return MVS_EXIT_IO;
	struct mvs_reader *r = mvs_reader_new(in, o.input);
	if (!r) {
		mvs_error("out of memory");
		return MVS_EXIT_FAILURE;
	}
	int code = cat_stream(r, &o);
	mvs_reader_free(r);
	if (in != STDIN_FILENO)
		close(in);
	if (ferror(stdout) || fclose(stdout) != 0) {
		if (errno == EPIPE)
			mvs_exit_broken_pipe();
		mvs_error("cannot write output: %s", strerror(errno));
		return MVS_EXIT_IO;
	}
	return code;
}
