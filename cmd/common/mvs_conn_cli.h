/* The Milvus connection options of the tools that talk to a server (mvs-export, mvs-import): --uri,
 * --db, --user, --password-file, --token-file and the --tls-* files. A tool puts their table entries
 * in its long options, hands each getopt_long value it does not know to mvs_conn_cli_option, checks
 * them after the loop, and opens its client with mvs_conn_cli_open, which reads the secrets the
 * options name (cmd/common/mvs_secret.c: never from the command line). */
#ifndef MVS_CONN_CLI_H
#define MVS_CONN_CLI_H

#include <stdbool.h>

#include "mvs_cli.h"
#include "mvs_milvus.h"

/* Their getopt_long values: after mvs_cli's, above the tools' own. */
enum {
	MVS_CONN_OPT_URI = MVS_CLI_OPT_VERSION + 1, MVS_CONN_OPT_DB, MVS_CONN_OPT_USER,
	MVS_CONN_OPT_PASSWORD_FILE, MVS_CONN_OPT_TOKEN_FILE, MVS_CONN_OPT_TLS_CA, MVS_CONN_OPT_TLS_CERT,
	MVS_CONN_OPT_TLS_KEY, MVS_CONN_OPT_TLS_SERVER_NAME,
};

#define MVS_CONN_LONG_OPTIONS \
	{ "uri", required_argument, NULL, MVS_CONN_OPT_URI }, \
	{ "db", required_argument, NULL, MVS_CONN_OPT_DB }, \
	{ "user", required_argument, NULL, MVS_CONN_OPT_USER }, \
	{ "password-file", required_argument, NULL, MVS_CONN_OPT_PASSWORD_FILE }, \
	{ "token-file", required_argument, NULL, MVS_CONN_OPT_TOKEN_FILE }, \
	{ "tls-ca", required_argument, NULL, MVS_CONN_OPT_TLS_CA }, \
	{ "tls-cert", required_argument, NULL, MVS_CONN_OPT_TLS_CERT }, \
	{ "tls-key", required_argument, NULL, MVS_CONN_OPT_TLS_KEY }, \
	{ "tls-server-name", required_argument, NULL, MVS_CONN_OPT_TLS_SERVER_NAME }

struct mvs_conn_cli {
	struct mvs_milvus_options milvus;	/* the tool may set more of it (max_send_bytes) */
	const char *password_file, *token_file;
	char *password, *token;			/* read by mvs_conn_cli_open */
};

void mvs_conn_cli_init(struct mvs_conn_cli *conn);

/* Stores the value of one connection option. Returns false when opt is not one of them. */
bool mvs_conn_cli_option(struct mvs_conn_cli *conn, int opt, const char *value);

/* After the option loop: the usage errors "--uri is required" and "--tls-cert and --tls-key go
 * together". */
void mvs_conn_cli_check(const struct mvs_conn_cli *conn);

/* Reads the password or token (mvs_secret_credentials) and opens the client, not yet connected
 * (mvs_milvus_connect does that). Returns NULL after printing why; the tool then exits with
 * MVS_EXIT_USAGE. */
struct mvs_milvus *mvs_conn_cli_open(struct mvs_conn_cli *conn);

/* Wipes and frees the secrets. Call after mvs_milvus_close, which may still use them. */
void mvs_conn_cli_free(struct mvs_conn_cli *conn);

#endif
