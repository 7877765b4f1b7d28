/* mvs-export: Milvus collections out as an mvs stream. This file parses the command line, opens the
 * output and the Milvus client, and hands both to the export engine (lib/transfer/mvs_export.c). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvs_cli.h"
#include "mvs_conn_cli.h"
#include "mvs_exit.h"
#include "mvs_export.h"
#include "mvs_map.h"
#include "mvs_milvus.h"
#include "mvs_shard.h"
#include "mvs_status_cli.h"
#include "mvs_stream.h"

static const char usage_text[] =
	"Usage: mvs-export --uri ENDPOINT [--db DB] (--collection NAME... | --all) [OPTION]...\n"
	"Write Milvus collections to an mvs stream (standard output, or -o FILE).\n"
	"\n"
	"Source:\n"
	"  --uri ENDPOINT         host:port, http://host:port, https://host:port (TLS) or unix:/path\n"
	"  --db DB                database (default: the server's default database)\n"
	"  --collection NAME      a collection to export; repeat for several (one stream unit each)\n"
	"  --all                  every collection of the database, by name\n"
	"  --user USER            user name; the password comes from MILVUS_PASSWORD or --password-file\n"
	"  --password-file FILE   read the password from FILE\n"
	"  --token-file FILE      read an API token from FILE (or set MILVUS_TOKEN)\n"
	"  --tls-ca FILE          PEM root certificates to trust\n"
	"  --tls-cert FILE        client certificate (mutual TLS), with --tls-key\n"
	"  --tls-key FILE         client private key\n"
	"  --tls-server-name NAME name to check in the server's certificate\n"
	"\n"
	"What to read:\n"
	"  --fields a,b,...       only these fields, in this order (the primary key is always kept);\n"
	"                         may be repeated\n"
	"  --filter EXPR          only rows matching the Milvus boolean expression EXPR\n"
	"  --partition P          only partition P; repeat for several\n"
	"  --batch-size N         rows per query page at most (1-16384, default 8192)\n"
	"  --max-recv-bytes N     size query pages so a reply stays under N bytes (default 16 MiB)\n"
	"  --load                 load a collection that is not loaded, and wait for it\n"
	"  --shard I/N            only shard I (from 0) of N: the N shards together hold every row\n"
	"                         once (Int64 keys split by remainder, VarChar keys by key range)\n"
	"\n"
	"Output:\n"
	"  -o, --output FILE      write to FILE (complete only when the export succeeds)\n"
	"  -f, --force            write the binary stream even to a terminal\n"
	"  --progress             progress lines on standard error (default when it is a terminal)\n"
	"  -q, --quiet            no progress and no summary lines\n"
	"  --status-fd N          write status events (JSON lines, mvs-status(5)) to descriptor N\n"
	"  -h, --help             show this help and exit\n"
	"  --version              show the version and exit\n"
	"\n"
	"Exit status: 0 success, 2 usage, 3 I/O, 6 server error, 7 authentication, 8 schema, 1 other.\n"
	"See mvs-export(1).\n";

enum {
	OPT_COLLECTION = 256, OPT_ALL, OPT_FIELDS, OPT_FILTER, OPT_PARTITION, OPT_BATCH_SIZE, OPT_LOAD,
	OPT_PROGRESS, OPT_MAX_RECV_BYTES, OPT_SHARD,
};

static const struct option long_options[] = {
	MVS_CONN_LONG_OPTIONS,
	{ "collection", required_argument, NULL, OPT_COLLECTION },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "fields", required_argument, NULL, OPT_FIELDS },
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "partition", required_argument, NULL, OPT_PARTITION },
	{ "batch-size", required_argument, NULL, OPT_BATCH_SIZE },
	{ "load", no_argument, NULL, OPT_LOAD },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "max-recv-bytes", required_argument, NULL, OPT_MAX_RECV_BYTES },
	{ "shard", required_argument, NULL, OPT_SHARD },
	MVS_CLI_STATUS_OPTION,
	MVS_CLI_HELP_VERSION_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct cli {
	struct mvs_conn_cli conn;
	struct mvs_export_options export;
	struct mvs_map_spec fields;
	bool have_fields;
	const char *output;
	bool force, quiet, progress;
	const char *status_fd;	/* --status-fd */
};

/* Adds a repeatable option's value to a list; the same value twice is a usage error. */
static void add_value(const char *option, const char *value, char ***list, size_t *n)
{
	if (!*value)
		mvs_usage_error("%s needs a non-empty value", option);
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i], value) == 0)
			mvs_usage_error("%s \"%s\" given twice", option, value);
	char **grown = realloc(*list, (*n + 1) * sizeof **list);
	if (!grown) {
		mvs_error("out of memory");
		exit(MVS_EXIT_FAILURE);
	}
	*list = grown;
	grown[(*n)++] = (char *)value;
}

static void parse(int argc, char **argv, struct cli *cli)
{
	char err[512];
	int c;

	mvs_conn_cli_init(&cli->conn);
	mvs_map_spec_init(&cli->fields);
	mvs_cli_refuse_secret_options(argc, argv, ":o:fqh", long_options);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:fqh", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_COLLECTION:
			add_value("--collection", optarg, &cli->export.collections,
				  &cli->export.n_collections);
			break;
		case OPT_ALL: cli->export.all = true; break;
		case OPT_FIELDS:
			if (mvs_map_spec_fields(&cli->fields, optarg, err, sizeof err) != 0)
				mvs_usage_error("%s", err);
			cli->have_fields = true;
			break;
		case OPT_FILTER:
			if (!*optarg)
				mvs_usage_error("--filter needs an expression");
			cli->export.filter = optarg;
			break;
		case OPT_PARTITION:
			add_value("--partition", optarg, &cli->export.partitions, &cli->export.n_partitions);
			break;
		case OPT_BATCH_SIZE:
			cli->export.batch_size = mvs_parse_count("--batch-size", optarg, 1, MVS_EXPORT_MAX_PAGE);
			break;
		case OPT_MAX_RECV_BYTES:
			cli->export.max_recv_bytes = mvs_parse_count("--max-recv-bytes", optarg, 65536,
								     INT64_MAX);
			break;
		case OPT_LOAD: cli->export.load = true; break;
		case OPT_SHARD:
			if (mvs_shard_parse(optarg, &cli->export.shard, err, sizeof err) != 0)
				mvs_usage_error("%s", err);
			break;
		case OPT_PROGRESS: cli->progress = true; break;
		case 'q': cli->quiet = true; break;
		case 'o': cli->output = optarg; break;
		case 'f': cli->force = true; break;
		case MVS_CLI_OPT_STATUS_FD: cli->status_fd = optarg; break;
		default:
			if (!mvs_conn_cli_option(&cli->conn, c, optarg))
				mvs_cli_default_option(c, usage_text, argv);
		}
	}
	if (optind < argc)
		mvs_usage_error("unexpected argument '%s'", argv[optind]);
	mvs_conn_cli_check(&cli->conn);
	if (cli->export.all && cli->export.n_collections)
		mvs_usage_error("--all and --collection exclude each other");
	if (!cli->export.all && !cli->export.n_collections)
		mvs_usage_error("name a collection with --collection, or pass --all");
	if (cli->have_fields)
		cli->export.fields = &cli->fields;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct mvs_export_result result = { 0 };
	struct mvs_milvus *client = NULL;
	struct mvs_writer *w = NULL;
	struct mvs_milvus_error e;
	char tool[64];
	int rc = MVS_EXIT_FAILURE;

	mvs_cli_init("mvs-export");
	parse(argc, argv, &cli);
	struct mvs_status *status = cli.status_fd ? mvs_status_cli_open(cli.status_fd, NULL) : NULL;
	/* a closed pipe must show up as EPIPE from write(2), so the export can stop quietly */
	signal(SIGPIPE, SIG_IGN);
	/* In a pipeline on a terminal the next stage shows the progress of the whole copy (the stream
	 * tells it the rows to expect): mvs-export keeps quiet there unless --progress asks. */
	struct stat out_st;
	bool to_pipe = (!cli.output || strcmp(cli.output, "-") == 0) && fstat(STDOUT_FILENO, &out_st) == 0 &&
		       S_ISFIFO(out_st.st_mode);
	bool quiet = cli.quiet || (!cli.progress && to_pipe && isatty(STDERR_FILENO));
	mvs_set_quiet(quiet);
	cli.export.progress = cli.progress || (!quiet && isatty(STDERR_FILENO));

	client = mvs_conn_cli_open(&cli.conn);
	if (!client) {
		rc = MVS_EXIT_USAGE;
		goto out;
	}
	int fd = mvs_output_open(cli.output, cli.force);
	if (fd < 0) {
		/* on standard output the only refusal is a terminal without -f: a usage error */
		rc = cli.output && strcmp(cli.output, "-") != 0 ? MVS_EXIT_IO : MVS_EXIT_USAGE;
		goto out;
	}
	snprintf(tool, sizeof tool, "mvs-export %s", MVS_VERSION);
	w = mvs_writer_new(fd, tool);
	if (!w) {
		mvs_error("out of memory");
		mvs_output_commit(false);
		goto out;
	}
	mvs_writer_set_status(w, status);
	if (mvs_milvus_connect(client, NULL, &e) == 0) {
		mvs_export_run(client, w, &cli.export, &result);
		rc = result.exit_code;
	} else {
		char msg[1536];
		mvs_milvus_error_render(&e, msg, sizeof msg);
		mvs_error("%s", msg);
		mvs_writer_abort(w, "%s", msg);
		rc = mvs_milvus_error_exit(&e);
	}
	if (mvs_output_commit(rc == MVS_EXIT_OK) != 0 && rc == MVS_EXIT_OK)
		rc = MVS_EXIT_IO;
	if (rc != MVS_EXIT_OK && result.broken_pipe) {
		mvs_status_end(status, 128 + SIGPIPE);
		mvs_exit_broken_pipe();	/* the reader went away: not our failure */
	}
out:
	mvs_status_end(status, rc);
	mvs_writer_free(w);
	mvs_milvus_close(client);
	mvs_conn_cli_free(&cli.conn);
	free(cli.export.collections);
	free(cli.export.partitions);
	mvs_map_spec_free(&cli.fields);
	return rc;
}
