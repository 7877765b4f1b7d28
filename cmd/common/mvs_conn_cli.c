/* The Milvus connection options that mvs-export and mvs-import share (see mvs_conn_cli.h). */
#include "mvs_conn_cli.h"

#include "mvs_secret.h"

void mvs_conn_cli_init(struct mvs_conn_cli *conn)
{
	*conn = (struct mvs_conn_cli){ 0 };
	mvs_milvus_options_init(&conn->milvus);
}

bool mvs_conn_cli_option(struct mvs_conn_cli *conn, int opt, const char *value)
{
	switch (opt) {
	case MVS_CONN_OPT_URI: conn->milvus.uri = value; break;
	case MVS_CONN_OPT_DB: conn->milvus.db_name = value; break;
	case MVS_CONN_OPT_USER: conn->milvus.user = value; break;
	case MVS_CONN_OPT_PASSWORD_FILE: conn->password_file = value; break;
	case MVS_CONN_OPT_TOKEN_FILE: conn->token_file = value; break;
	case MVS_CONN_OPT_TLS_CA: conn->milvus.tls_ca_file = value; break;
	case MVS_CONN_OPT_TLS_CERT: conn->milvus.tls_cert_file = value; break;
	case MVS_CONN_OPT_TLS_KEY: conn->milvus.tls_key_file = value; break;
	case MVS_CONN_OPT_TLS_SERVER_NAME: conn->milvus.tls_server_name = value; break;
	default: return false;
	}
	return true;
}

void mvs_conn_cli_check(const struct mvs_conn_cli *conn)
{
	if (!conn->milvus.uri)
		mvs_usage_error("--uri is required");
	if (!!conn->milvus.tls_cert_file != !!conn->milvus.tls_key_file)
		mvs_usage_error("--tls-cert and --tls-key go together");
}

struct mvs_milvus *mvs_conn_cli_open(struct mvs_conn_cli *conn)
{
	struct mvs_milvus_error e;
	struct mvs_milvus *client;
	char why[1536];

	if (mvs_secret_credentials(conn->milvus.user, conn->password_file, conn->token_file,
				   &conn->password, &conn->token, why, sizeof why) != 0) {
		mvs_error("%s", why);
		return NULL;
	}
	conn->milvus.password = conn->password;
	conn->milvus.token = conn->token;
	client = mvs_milvus_open(&conn->milvus, &e);
	if (!client)
		mvs_error("%s", mvs_milvus_error_render(&e, why, sizeof why));
	return client;
}

void mvs_conn_cli_free(struct mvs_conn_cli *conn)
{
	mvs_secret_free(conn->password);
	mvs_secret_free(conn->token);
	conn->password = conn->token = NULL;
}
