/* mvs-import: an mvs stream into Milvus. This file parses the command line, opens the input and the
 * Milvus client, and hands both to the import engine (lib/transfer/mvs_import.c). */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "mvs_cli.h"
#include "mvs_conn_cli.h"
#include "mvs_exit.h"
#include "mvs_import.h"
#include "mvs_interrupt.h"
#include "mvs_milvus.h"
#include "mvs_status_cli.h"
#include "mvs_stream.h"

static const char usage_text[] =
	"Usage: mvs-import --uri ENDPOINT [OPTION]... [FILE|-]\n"
	"Write an mvs stream (FILE, or standard input) into Milvus, creating what is missing.\n"
	"\n"
	"Target:\n"
	"  --uri ENDPOINT         host:port, http://host:port, https://host:port (TLS) or unix:/path\n"
	"  --db DB                database (default: the server's default database)\n"
	"  --create-db            create the database when it does not exist\n"
	"  --collection NAME      import every unit of the stream into collection NAME\n"
	"                         (default: the collection name in each unit's header)\n"
	"  --user USER            user name; the password comes from MILVUS_PASSWORD or --password-file\n"
	"  --password-file FILE   read the password from FILE\n"
	"  --token-file FILE      read an API token from FILE (or set MILVUS_TOKEN)\n"
	"  --tls-ca FILE          PEM root certificates to trust\n"
	"  --tls-cert FILE        client certificate (mutual TLS), with --tls-key\n"
	"  --tls-key FILE         client private key\n"
	"  --tls-server-name NAME name to check in the server's certificate\n"
	"\n"
	"Writing:\n"
	"  --mode insert|upsert   Insert (default) or Upsert the rows; upsert makes a re-run safe\n"
	"  --auto-id keep|new     for an auto-ID primary key: keep the stream's keys (default), or let\n"
	"                         the target make new ones (the key column is not sent)\n"
	"  --batch-rows N         rows per request at most (default 50000)\n"
	"  --batch-bytes N        bytes per request at most (default 8388608)\n"
	"  --inflight N           requests in flight at once (1-64, default 4)\n"
	"  --max-send-bytes N     largest request the client sends (default 67108864)\n"
	"  --create-index         create the indexes the stream's header lists, after the rows\n"
	"  --load                 load the collection at the end and wait for it\n"
	"  --shard I/N            the stream is shard I of N (mvs-export --shard) imported at once\n"
	"                         with the others: tolerate their creations, verify its own rows\n"
	"\n"
	"Output:\n"
	"  --progress             progress lines on standard error (default when it is a terminal)\n"
	"  -q, --quiet            no progress and no summary lines\n"
	"  --status-fd N          write status events (JSON lines, mvs-status(5)) to descriptor N\n"
	"  -h, --help             show this help and exit\n"
	"  --version              show the version and exit\n"
	"\n"
	"Exit status: 0 success, 2 usage, 3 I/O, 4 truncated or corrupt stream, 5 upstream failed,\n"
	"6 server error, 7 authentication, 8 schema mismatch, 9 row count differs, 1 other;\n"
	"130, 143, 129: stopped by Ctrl-C (SIGINT), SIGTERM or SIGHUP.\n"
	"On a failure or Ctrl-C it says how many rows were written and how to resume. See mvs-import(1).\n";

enum {
	OPT_CREATE_DB = 256, OPT_COLLECTION, OPT_MODE, OPT_BATCH_ROWS, OPT_BATCH_BYTES, OPT_INFLIGHT,
	OPT_CREATE_INDEX, OPT_LOAD, OPT_AUTO_ID, OPT_PROGRESS, OPT_MAX_SEND_BYTES, OPT_SHARD,
};

static const struct option long_options[] = {
	MVS_CONN_LONG_OPTIONS,
	{ "create-db", no_argument, NULL, OPT_CREATE_DB },
	{ "collection", required_argument, NULL, OPT_COLLECTION },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "batch-rows", required_argument, NULL, OPT_BATCH_ROWS },
	{ "batch-bytes", required_argument, NULL, OPT_BATCH_BYTES },
	{ "inflight", required_argument, NULL, OPT_INFLIGHT },
	{ "create-index", no_argument, NULL, OPT_CREATE_INDEX },
	{ "load", no_argument, NULL, OPT_LOAD },
	{ "auto-id", required_argument, NULL, OPT_AUTO_ID },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "max-send-bytes", required_argument, NULL, OPT_MAX_SEND_BYTES },
	{ "shard", required_argument, NULL, OPT_SHARD },
	MVS_CLI_STATUS_OPTION,
	MVS_CLI_HELP_VERSION_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct cli {
	struct mvs_conn_cli conn;
	struct mvs_import_options import;
	const char *input;
	bool quiet, progress;
	const char *status_fd;	/* --status-fd */
};

static void parse(int argc, char **argv, struct cli *cli)
{
	int c;

	mvs_conn_cli_init(&cli->conn);
	mvs_cli_refuse_secret_options(argc, argv, ":qh", long_options);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qh", long_options, NULL)) != -1) {
		switch (c) {
		case MVS_CONN_OPT_DB:	/* stricter than mvs-export's: an import names its database */
			if (!*optarg)
				mvs_usage_error("--db needs a database name");
			cli->conn.milvus.db_name = optarg;
			break;
		case OPT_CREATE_DB: cli->import.create_db = true; break;
		case OPT_COLLECTION:
			if (!*optarg)
				mvs_usage_error("--collection needs a collection name");
			cli->import.collection = optarg;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "insert") == 0)
				cli->import.mode = MVS_IMPORT_INSERT;
			else if (strcmp(optarg, "upsert") == 0)
				cli->import.mode = MVS_IMPORT_UPSERT;
			else
				mvs_usage_error("invalid value for --mode: '%s' (insert or upsert)", optarg);
			break;
		case OPT_AUTO_ID:
			if (strcmp(optarg, "keep") == 0)
				cli->import.auto_id = MVS_IMPORT_AUTO_ID_KEEP;
			else if (strcmp(optarg, "new") == 0)
				cli->import.auto_id = MVS_IMPORT_AUTO_ID_NEW;
			else
				mvs_usage_error("invalid value for --auto-id: '%s' (keep or new)", optarg);
			break;
		case OPT_BATCH_ROWS:
			cli->import.batch_rows = (size_t)mvs_parse_count("--batch-rows", optarg, 1, UINT32_MAX);
			break;
		case OPT_BATCH_BYTES:
			cli->import.batch_bytes = (size_t)mvs_parse_count("--batch-bytes", optarg, 1024,
									  INT64_MAX);
			break;
		case OPT_INFLIGHT:
			cli->import.inflight = (int)mvs_parse_count("--inflight", optarg, 1,
								    MVS_IMPORT_MAX_INFLIGHT);
			break;
		case OPT_MAX_SEND_BYTES:
			cli->conn.milvus.max_send_bytes = mvs_parse_count("--max-send-bytes", optarg, 65536,
									  INT32_MAX);
			cli->import.max_send_bytes = cli->conn.milvus.max_send_bytes;
			break;
		case OPT_CREATE_INDEX: cli->import.create_index = true; break;
		case OPT_LOAD: cli->import.load = true; break;
		case OPT_SHARD: {
			char err[200];
			if (mvs_shard_parse(optarg, &cli->import.shard, err, sizeof err) != 0)
				mvs_usage_error("%s", err);
			break;
		}
		case OPT_PROGRESS: cli->progress = true; break;
		case 'q': cli->quiet = true; break;
		case MVS_CLI_OPT_STATUS_FD: cli->status_fd = optarg; break;
		default:
			if (!mvs_conn_cli_option(&cli->conn, c, optarg))
				mvs_cli_default_option(c, usage_text, argv);
		}
	}
	if (optind < argc)
		cli->input = argv[optind++];
	if (optind < argc)
		mvs_usage_error("unexpected argument '%s' (one input at most)", argv[optind]);
	mvs_conn_cli_check(&cli->conn);
	if (cli->import.create_db && !cli->conn.milvus.db_name)
		mvs_usage_error("--create-db needs --db");
	if (cli->import.auto_id == MVS_IMPORT_AUTO_ID_NEW && cli->import.mode == MVS_IMPORT_UPSERT)
		mvs_usage_error("--auto-id new and --mode upsert exclude each other (upsert matches rows by "
				"the keys that --auto-id new drops)");
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct mvs_milvus *client = NULL;
	struct mvs_reader *reader = NULL;
	int rc = MVS_EXIT_FAILURE, fd = -1;

	mvs_cli_init("mvs-import");
	parse(argc, argv, &cli);
	/* The status channel tells the rows read from the stream; with --auto-id new the target makes
	 * new keys, so its digests leave the key out. */
	struct mvs_status *status = cli.status_fd ? mvs_status_cli_open(cli.status_fd, NULL) : NULL;
	if (cli.import.auto_id == MVS_IMPORT_AUTO_ID_NEW)
		mvs_status_digest_without_pk(status);
	mvs_set_quiet(cli.quiet);
	if (!cli.quiet)
		mvs_progress_enable(cli.progress);
	/* Ctrl-C stops sending and ends with the report of a failed import (what is in the target, how
	 * to resume); a second one quits at once. */
	mvs_interrupt_catch("the requests in flight may or may not be in the target: resume with --mode upsert");

	client = mvs_conn_cli_open(&cli.conn);
	if (!client) {
		rc = MVS_EXIT_USAGE;
		goto out;
	}
	fd = mvs_input_open(cli.input);
	if (fd < 0) {
		rc = MVS_EXIT_IO;
		goto out;
	}
	reader = mvs_reader_new(fd, cli.input ? cli.input : "-");
	if (!reader) {
		mvs_error("out of memory");
		goto out;
	}
	mvs_reader_set_status(reader, status);
	rc = mvs_import_run(client, reader, &cli.import);
out:
	mvs_status_end(status, rc);
	mvs_reader_free(reader);
	if (fd > STDIN_FILENO)
		close(fd);
	mvs_milvus_close(client);
	mvs_conn_cli_free(&cli.conn);
	return rc;
}
