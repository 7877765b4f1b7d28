/* mvs-cat: shows an mvs stream as text (man/mvs-cat.1): rows as JSON Lines, headers as JSON, or,
 * with --verify, a check of the whole stream (framing, trailer, checksum and every value) with one
 * summary line per unit, or with --digest the same check and one digest line per unit. Rendering
 * lives in lib/stream/mvs_json.c, digests in lib/stream/mvs_digest.c; this file wires them to the
 * reader. */
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
#include "mvs_digest.h"
#include "mvs_exit.h"
#include "mvs_json.h"
#include "mvs_row.h"
#include "mvs_status_cli.h"
#include "mvs_stream.h"

static const char usage_text[] =
	"Usage: mvs-cat [OPTION]... [FILE|-]\n"
	"  or:  mvs-cat --digest [OPTION]... [FILE|-]...\n"
	"Print an mvs stream (FILE, or standard input) as text: one JSON object per row.\n"
	"\n"
	"      --header      print each unit's header (schema) as one JSON object instead of rows\n"
	"      --limit N     print only the first N rows, then stop reading\n"
	"      --verify      read everything, check trailers, checksums and every value, and print\n"
	"                    one summary line per unit instead of rows\n"
	"  -q, --quiet       with --verify: print nothing, only set the exit status\n"
	"      --digest      check everything as --verify does and print one line per unit:\n"
	"                    collection, rows and the row digest (see mvs-stream(5), DIGEST)\n"
	"      --fields A,B  with --digest or --status-fd: digest only these fields, in this order\n"
	"      --ignore-pk   with --digest or --status-fd: leave the primary key out (auto-ID targets)\n"
	"      --ignore-partitions  the same: leave the partition names out\n"
	"      --status-fd N write status events (JSON lines, mvs-status(5)) to descriptor N\n"
	"  -h, --help        print this help and exit\n"
	"      --version     print the version and exit\n"
	"\n"
	"Exit status: 0 ok, 1 failure, 2 usage, 3 I/O error, 4 truncated or corrupt stream,\n"
	"5 the stream carries an abort frame (an upstream stage failed). See mvs-cat(1).\n";

enum {
	OPT_HEADER = 256, OPT_LIMIT, OPT_VERIFY, OPT_HELP, OPT_VERSION, OPT_DIGEST, OPT_FIELDS,
	OPT_IGNORE_PK, OPT_IGNORE_PARTITIONS,
};

static const struct option long_options[] = {
	{ "header", no_argument, NULL, OPT_HEADER },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "quiet", no_argument, NULL, 'q' },
	{ "digest", no_argument, NULL, OPT_DIGEST },
	{ "fields", required_argument, NULL, OPT_FIELDS },
	{ "ignore-pk", no_argument, NULL, OPT_IGNORE_PK },
	{ "ignore-partitions", no_argument, NULL, OPT_IGNORE_PARTITIONS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	MVS_CLI_STATUS_OPTION,
	{ NULL, 0, NULL, 0 },
};

struct options {
	bool header;
	bool verify;
	bool quiet;
	bool digest;
	struct mvs_canon_options canon;	/* --digest: what goes into the row digests */
	int64_t limit;		/* -1: all rows */
	const char *input;
	const char *status_fd;	/* --status-fd */
	struct mvs_status *status;
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
	char err[256];
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
		case OPT_DIGEST:
			o->digest = true;
			break;
		case OPT_FIELDS:
			if (mvs_canon_options_fields(&o->canon, optarg, err, sizeof err) != 0)
				mvs_usage_error("%s", err);
			break;
		case OPT_IGNORE_PK:
			o->canon.without_pk = true;
			break;
		case OPT_IGNORE_PARTITIONS:
			o->canon.without_partition = true;
			break;
		case MVS_CLI_OPT_STATUS_FD:
			o->status_fd = optarg;
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
	if (argc - optind > 1 && !o->digest)
		mvs_usage_error("too many arguments: one input file at most (several only with --digest)");
	if (o->digest && (o->verify || o->header || o->limit >= 0))
		mvs_usage_error("--digest cannot be combined with %s",
				o->verify ? "--verify" : o->header ? "--header" : "--limit");
	if (!o->digest && !o->status_fd && (o->canon.fields || o->canon.without_pk || o->canon.without_partition))
		mvs_usage_error("--fields, --ignore-pk and --ignore-partitions go with --digest or --status-fd");
	if (o->limit >= 0 && (o->verify || o->header))
		mvs_usage_error("--limit limits printed rows; it cannot be combined with %s",
				o->verify ? "--verify" : "--header");
	o->input = optind < argc ? argv[optind] : "-";
}

/* The digest line of a unit: "NAME ROWS DIGEST", then what was left out or chosen, so that two lines
 * made different ways never look alike. */
static void put_digest(struct mvs_jbuf *b, const char *collection, uint64_t rows, uint64_t digest,
		       const struct mvs_canon_options *canon)
{
	mvs_jbuf_reset(b);
	mvs_jbuf_printf(b, "%s %" PRIu64 " %016" PRIx64, collection, rows, digest);
	if (canon->fields) {
		mvs_jbuf_puts(b, " fields=");
		for (size_t i = 0; i < canon->n_fields; i++)
			mvs_jbuf_printf(b, "%s%s", i ? "," : "", canon->fields[i]);
	}
	if (canon->without_pk)
		mvs_jbuf_puts(b, " without-pk");
	if (canon->without_partition)
		mvs_jbuf_puts(b, " without-partitions");
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
	uint64_t printed = 0, unit_start = 0, digest = 0;
	struct mvs_canon canon = { 0 };
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
			if (o->digest) {
				mvs_canon_free(&canon);
				digest = 0;
				if (mvs_canon_init(&canon, item.schema, &o->canon, err, sizeof err) != 0) {
					fflush(stdout);
					mvs_error("--fields: %s", err);
					code = MVS_EXIT_USAGE;
					break;
				}
			}
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
			if (o->verify || o->digest) {
				/* every value checked (JSON text included), so whatever passes prints */
				if (mvs_row_check(item.schema, item.row, item.row_len, err, sizeof err))
					code = value_error(&at, err);
				else if (o->digest && mvs_canon_row(&canon, partition, item.row, item.row_len,
								    err, sizeof err) != 0)
					code = value_error(&at, err);
				else if (o->digest)
					digest += mvs_canon_hash(&canon);
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
			if (o->digest) {
				put_digest(&b, at.collection, item.unit_rows, digest, &o->canon);
				put_line(&b);
			}
			if (o->verify && !o->quiet)
				printf("ok: collection %s, %" PRIu64 " row%s, %zu partition%s, %" PRIu64
				       " bytes\n", at.collection, item.unit_rows, item.unit_rows == 1 ? "" : "s",
				       item.schema->n_partitions, item.schema->n_partitions == 1 ? "" : "s",
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
	mvs_canon_free(&canon);
	mvs_jbuf_free(&b);
	return code;
}

/* Reads one input through; returns its exit code. */
static int cat_input(struct options *o, const char *input)
{
	o->input = input;
	int in = mvs_input_open(input);
	if (in < 0)
		return MVS_EXIT_IO;
	struct mvs_reader *r = mvs_reader_new(in, input);
	if (!r) {
		mvs_error("out of memory");
		return MVS_EXIT_FAILURE;
	}
	mvs_reader_set_status(r, o->status);
	int code = cat_stream(r, o);
	mvs_reader_free(r);
	if (in != STDIN_FILENO)
		close(in);
	return code;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };

	mvs_cli_init("mvs-cat");
	parse_options(argc, argv, &o);
	if (o.status_fd)
		o.status = mvs_status_cli_open(o.status_fd, &o.canon);
	int code = cat_input(&o, o.input);
	/* --digest FILE...: the others in turn, up to the first that fails */
	for (int i = optind + 1; i < argc && code == MVS_EXIT_OK; i++)
		code = cat_input(&o, argv[i]);
	if (mvs_close_stdout() != 0)
		code = MVS_EXIT_IO;
	mvs_status_end(o.status, code);
	mvs_canon_options_free(&o.canon);
	return code;
}
