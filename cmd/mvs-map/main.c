/* mvs-map: reads an mvs stream, keeps, orders and renames fields and edits collection settings, and
 * writes the mapped stream (man/mvs-map.1). The edits live in lib/stream/mvs_map.c; this file parses the
 * command line, wires reader, map and writer, and turns failures into exit codes and abort frames. */
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
#include "mvs_map.h"
#include "mvs_row.h"
#include "mvs_status_cli.h"
#include "mvs_stream.h"

#define UPSTREAM_PREFIX "upstream failed: "

static const char usage_text[] =
	"Usage: mvs-map [OPTION]... [FILE|-]\n"
	"Copy an mvs stream (FILE, or standard input) to standard output, keeping, ordering and\n"
	"renaming fields and changing collection settings on the way.\n"
	"\n"
	"Fields:\n"
	"      --fields A,B,...        keep only these fields, in this order (the primary key\n"
	"                              must be among them unless it is auto-ID)\n"
	"      --exclude A,B,...       drop these fields\n"
	"      --rename OLD:NEW,...    rename fields\n"
	"      --dynamic on|off        turn the dynamic field on or off (off drops $meta)\n"
	"Collection:\n"
	"      --collection NAME       the collection name to create\n"
	"      --description TEXT      the collection description\n"
	"      --shards N              shard count (1-16)\n"
	"      --consistency LEVEL     Strong, Session, Bounded, Eventually or Customized\n"
	"Output:\n"
	"      --limit N               keep only the first N rows of each unit\n"
	"  -o, --output FILE           write FILE (through FILE.part, renamed when complete)\n"
	"  -f, --force                 write the binary stream even to a terminal\n"
	"  -q, --quiet                 do not print notes\n"
	"      --status-fd N           write status events (JSON lines, mvs-status(5)) to descriptor N\n"
	"  -h, --help                  print this help and exit\n"
	"      --version               print the version and exit\n"
	"\n"
	"Exit status: 0 ok, 1 failure, 2 usage, 3 I/O error, 4 truncated or corrupt input,\n"
	"5 an upstream stage failed. See mvs-map(1).\n";

enum {
	OPT_FIELDS = 256, OPT_EXCLUDE, OPT_RENAME, OPT_COLLECTION, OPT_SHARDS, OPT_CONSISTENCY,
	OPT_DYNAMIC, OPT_DESCRIPTION, OPT_LIMIT, OPT_HELP, OPT_VERSION,
};

static const struct option long_options[] = {
	{ "fields", required_argument, NULL, OPT_FIELDS },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "rename", required_argument, NULL, OPT_RENAME },
	{ "collection", required_argument, NULL, OPT_COLLECTION },
	{ "shards", required_argument, NULL, OPT_SHARDS },
	{ "consistency", required_argument, NULL, OPT_CONSISTENCY },
	{ "dynamic", required_argument, NULL, OPT_DYNAMIC },
	{ "description", required_argument, NULL, OPT_DESCRIPTION },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	MVS_CLI_STATUS_OPTION,
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct mvs_map_spec spec;
	int64_t limit;		/* -1: all rows */
	const char *output;
	const char *input;
	bool force;
	const char *status_fd;	/* --status-fd */
};

static void parse_options(int argc, char **argv, struct options *o)
{
	char err[512];
	int c, rc = 0;

	mvs_map_spec_init(&o->spec);
	o->limit = -1;
	opterr = 0;	/* our messages: an unknown option is named without its value */
	while ((c = getopt_long(argc, argv, ":o:fqh", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_FIELDS:
			rc = mvs_map_spec_fields(&o->spec, optarg, err, sizeof err);
			break;
		case OPT_EXCLUDE:
			rc = mvs_map_spec_exclude(&o->spec, optarg, err, sizeof err);
			break;
		case OPT_RENAME:
			rc = mvs_map_spec_renames(&o->spec, optarg, err, sizeof err);
			break;
		case OPT_COLLECTION:
			rc = mvs_map_spec_collection(&o->spec, optarg, err, sizeof err);
			break;
		case OPT_DESCRIPTION:
			if (mvs_map_spec_description(&o->spec, optarg)) {
				mvs_error("out of memory");
				exit(MVS_EXIT_FAILURE);
			}
			break;
		case OPT_SHARDS:
			o->spec.shards = (int32_t)mvs_parse_count("--shards", optarg, 1, 16);
			break;
		case OPT_CONSISTENCY:
			o->spec.consistency = mvs_consistency_parse(optarg);
			if (o->spec.consistency < 0)
				mvs_usage_error("invalid value for --consistency: '%s' (Strong, Session, "
						"Bounded, Eventually or Customized)", optarg);
			break;
		case OPT_DYNAMIC:
			if (strcmp(optarg, "on") == 0)
				o->spec.dynamic = 1;
			else if (strcmp(optarg, "off") == 0)
				o->spec.dynamic = 0;
			else
				mvs_usage_error("invalid value for --dynamic: '%s' (on or off)", optarg);
			break;
		case OPT_LIMIT:
			o->limit = mvs_parse_count("--limit", optarg, 0, INT64_MAX);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'f':
			o->force = true;
			break;
		case 'q':
			mvs_set_quiet(true);
			break;
		case MVS_CLI_OPT_STATUS_FD:
			o->status_fd = optarg;
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
		if (rc)
			mvs_usage_error("%s", err);
	}
	if (argc - optind > 1)
		mvs_usage_error("too many arguments: one input file at most");
	o->input = optind < argc ? argv[optind] : "-";
}

static void print_note(void *ctx, const char *message)
{
	mvs_info("collection \"%s\": %s", (const char *)ctx, message);
}

/* The writer failed: quietly on a closed pipe, else with its message. */
static int write_failed(struct mvs_writer *w)
{
	if (mvs_writer_broken_pipe(w))
		mvs_exit_broken_pipe();
	mvs_error("%s", mvs_writer_error(w));
	return MVS_EXIT_IO;
}

/* Ends the output with an abort frame so that the next stage reports this failure. */
static int fail_downstream(struct mvs_writer *w, int code, const char *message)
{
	mvs_error("%s", message);
	/* an upstream abort is forwarded with its own message, without what the reader put around it
	 * (the input's name, "upstream failed: ") */
	const char *inner = strstr(message, UPSTREAM_PREFIX);
	if (code == MVS_EXIT_UPSTREAM && inner)
		message = inner + strlen(UPSTREAM_PREFIX);
	mvs_writer_abort(w, "%s", message);
	return code;
}

/* Passes rows through a rows frame at a time: once the frame's last row is checked, the whole
 * frame goes on as it came, without copying its rows. */
static int forward_frame(struct mvs_writer *w, const struct mvs_item *item)
{
	if (!item->frame_rows)
		return 0;
	if (mvs_writer_rows_frame(w, item->frame_rows, item->frame_rows_len, item->frame_row_count))
		return MVS_MAP_WRITE_FAILED;
	return 0;
}

static int map_stream(struct mvs_reader *r, struct mvs_writer *w, const struct options *o)
{
	struct mvs_map map = { 0 };
	struct mvs_item item;
	char err[1024];
	uint64_t kept = 0, row = 0;
	const char *collection = "";
	char *first_collection = NULL;	/* of unit 1, for --collection */
	int code = -1;

	while (code < 0) {
		mvs_reader_next(r, &item);
		switch (item.kind) {
		case MVS_ITEM_HEADER:
			mvs_map_free(&map);
			collection = item.schema->name ? item.schema->name : "";
			if (!first_collection && !(first_collection = strdup(collection))) {
				mvs_error("out of memory");
				code = MVS_EXIT_FAILURE;
				break;
			}
			/* one name for units of different collections would merge them */
			if (o->spec.collection && strcmp(collection, first_collection) != 0) {
				snprintf(err, sizeof err, "--collection %s: the stream holds collections "
					 "\"%s\" and \"%s\"; map them separately", o->spec.collection,
					 first_collection, collection);
				code = fail_downstream(w, MVS_EXIT_USAGE, err);
				break;
			}
			if (mvs_map_init(&map, &o->spec, item.schema, print_note, (void *)collection, err,
					 sizeof err)) {
				code = fail_downstream(w, MVS_EXIT_USAGE, err);
				break;
			}
			if (mvs_writer_begin(w, &map.out))
				code = write_failed(w);
			kept = row = 0;
			break;
		case MVS_ITEM_PARTITION:
			/* past --limit the marker would only announce rows that do not come */
			if ((o->limit < 0 || kept < (uint64_t)o->limit) &&
			    mvs_writer_partition(w, item.partition))
				code = write_failed(w);
			break;
		case MVS_ITEM_ROW: {
			row++;
			if (o->limit >= 0 && kept >= (uint64_t)o->limit)
				break;
			/* A value that does not fit its field is damage, as in mvs-cat --verify: passing it
			 * on would let the import fail later, or a consumer take it. */
			char why[512];
			bool bad_value = mvs_row_check(item.schema, item.row, item.row_len, why, sizeof why);
			bool whole_frames = map.verbatim && o->limit < 0;
			int mapped = bad_value ? -1 : whole_frames ? forward_frame(w, &item)
						     : mvs_map_row(&map, item.row, item.row_len, w);
			if (mapped == MVS_MAP_WRITE_FAILED) {
				code = write_failed(w);
				break;
			}
			if (mapped != 0) {
				bool named = strcmp(o->input, "-") != 0;
				if (!bad_value)
					snprintf(why, sizeof why, "not a msgpack array of %zu values", map.in_width);
				snprintf(err, sizeof err, "%s%sunit %" PRIu64 " (collection \"%s\"), row %"
					 PRIu64 ": %s", named ? o->input : "", named ? ": " : "",
					 item.unit_index + 1, collection, row, why);
				code = fail_downstream(w, MVS_EXIT_STREAM, err);
				break;
			}
			kept++;
			break;
		}
		case MVS_ITEM_TRAILER:
			if (mvs_writer_end(w))
				code = write_failed(w);
			break;
		case MVS_ITEM_EOF:
			code = mvs_writer_flush(w) ? write_failed(w) : MVS_EXIT_OK;
			break;
		case MVS_ITEM_ERROR:
		default:
			code = fail_downstream(w, mvs_reader_exit_code(r), mvs_reader_error(r));
			break;
		}
	}
	mvs_map_free(&map);
	free(first_collection);
	return code;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int code;

	mvs_cli_init("mvs-map");
	parse_options(argc, argv, &o);
	/* the status channel tells what is written: the rows after the mapping */
	struct mvs_status *status = o.status_fd ? mvs_status_cli_open(o.status_fd, NULL) : NULL;

	int in = mvs_input_open(o.input);
	if (in < 0) {
		mvs_status_end(status, MVS_EXIT_IO);
		return MVS_EXIT_IO;
	}
	bool terminal = (!o.output || strcmp(o.output, "-") == 0) && isatty(STDOUT_FILENO);
	int out = mvs_output_open(o.output, o.force);
	if (out < 0) {
		code = terminal ? MVS_EXIT_USAGE : MVS_EXIT_IO;
		mvs_status_end(status, code);
		return code;
	}

	struct mvs_reader *r = mvs_reader_new(in, o.input);
	struct mvs_writer *w = mvs_writer_new(out, "mvs-map " MVS_VERSION);
	if (!r || !w) {
		mvs_error("out of memory");
		code = MVS_EXIT_FAILURE;
	} else {
		mvs_writer_set_status(w, status);
		code = map_stream(r, w, &o);
	}
	if (mvs_output_commit(code == MVS_EXIT_OK) && code == MVS_EXIT_OK)
		code = MVS_EXIT_IO;
	mvs_status_end(status, code);
	mvs_writer_free(w);
	mvs_reader_free(r);
	mvs_map_spec_free(&o.spec);
	if (in != STDIN_FILENO)
		close(in);
	return code;
}
