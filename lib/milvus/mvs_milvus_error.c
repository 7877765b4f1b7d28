/* Milvus client errors for people: renders a struct mvs_milvus_error as one sentence that says what
 * failed, where, and what to do, and maps it to the tools' exit codes. */
#include "mvs_milvus.h"

#include <grpc/status.h>
#include <stdio.h>
#include <string.h>

#include "mvs_exit.h"

static const char *grpc_code_name(int code)
{
	static const char *const names[] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
		"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
		"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED",
	};

	return code >= 0 && code < (int)(sizeof names / sizeof names[0]) ? names[code] : "?";
}

static bool is_auth_failure(const struct mvs_milvus_error *e)
{
	return e->grpc_code == GRPC_STATUS_UNAUTHENTICATED ||
	       (e->grpc_code == GRPC_STATUS_OK && (e->code == 1400 || e->code == 1800));
}

static bool is_permission_failure(const struct mvs_milvus_error *e)
{
	return e->grpc_code == GRPC_STATUS_PERMISSION_DENIED ||
	       (e->grpc_code == GRPC_STATUS_OK && (e->code == 1401 || e->error_code == 3));
}

/* " in database \"x\"" unless it is the default one. */
static const char *in_database(const struct mvs_milvus_error *e, char *buf, size_t size)
{
	if (!e->database[0] || !strcmp(e->database, "default"))
		return "";
	snprintf(buf, size, " in database \"%s\"", e->database);
	return buf;
}

/* "after N attempts" between `pre` and `post` when retries were made, else "". */
static const char *attempts_note(const struct mvs_milvus_error *e, const char *pre, const char *post,
				 char *buf, size_t size)
{
	if (e->attempts <= 1)
		return "";
	snprintf(buf, size, "%safter %d attempts%s", pre, e->attempts, post);
	return buf;
}

/* What a connection failure says about the TLS settings, as "; what to do", or "". A closed
 * connection means a TLS mismatch only on the first call (Connect): later it is a server going away. */
static const char *tls_hint(const struct mvs_milvus_error *e)
{
	const char *m = e->message;

	if (strstr(m, "Peer name ") && strstr(m, " is not in peer certificate"))
		return "; the server's TLS certificate does not hold that name: connect by a name it holds, "
		       "or give one with --tls-server-name";
	if (strstr(m, "certificate verify failed") || strstr(m, "CERTIFICATE_VERIFY_FAILED"))
		return "; the server's TLS certificate is not signed by a CA this client trusts: give that "
		       "CA with --tls-ca";
	if (strstr(m, "wrong version number") || strstr(m, "WRONG_VERSION_NUMBER"))
		return "; the server does not speak TLS on this port: drop https:// and the --tls options";
	if (strcmp(e->rpc, "Connect") != 0 ||
	    (!strstr(m, "Socket closed") && !strstr(m, "Endpoint read failed") && !strstr(m, "Connection reset")))
		return "";
	if (e->tls == 0)
		return "; the server closed the connection: if it expects TLS, use an https:// URI or --tls-ca";
	if (e->tls == 1)
		return "; the server closed the TLS connection: if it requires mutual TLS, give a client "
		       "certificate with --tls-cert and --tls-key";
	return "; the server closed the TLS connection: if it requires mutual TLS, it may not trust this "
	       "client certificate";
}

const char *mvs_milvus_error_render(const struct mvs_milvus_error *e, char *buf, size_t size)
{
	const char *rpc = e->rpc[0] ? e->rpc : "Milvus call";
	const char *ep = e->endpoint[0] ? e->endpoint : "?";
	char db[300], att[48];
	if (is_auth_failure(e)) {
		if (e->user[0])
			snprintf(buf, size, "authentication failed for user \"%s\" at %s", e->user, ep);
		else if (e->token)
			snprintf(buf, size, "authentication failed at %s: the token was refused: %s", ep,
				 e->message);
		else
			snprintf(buf, size, "authentication failed at %s: %s (give --user with MILVUS_PASSWORD "
				 "or --password-file, or a token)", ep, e->message);
		return buf;
	}
	if (is_permission_failure(e)) {
		if (e->user[0])
			snprintf(buf, size, "permission denied for user \"%s\" at %s: %s: %s", e->user, ep, rpc,
				 e->message);
		else
			snprintf(buf, size, "permission denied at %s: %s: %s", ep, rpc, e->message);
		return buf;
	}
	switch (e->grpc_code) {
	case GRPC_STATUS_OK:
		break;
	case GRPC_STATUS_UNAVAILABLE:
		snprintf(buf, size, "cannot reach Milvus at %s: %s%s%s%s", ep, e->message,
			 attempts_note(e, " (", ")", att, sizeof att), tls_hint(e),
			 e->never_answered && !*tls_hint(e) ? "; it never answered: is the address right and the "
							       "server up?" : "");
		return buf;
	case GRPC_STATUS_DEADLINE_EXCEEDED:
		snprintf(buf, size, "%s timed out at %s: %s%s", rpc, ep, e->message,
			 attempts_note(e, " (", ")", att, sizeof att));
		return buf;
	case GRPC_STATUS_RESOURCE_EXHAUSTED:
		snprintf(buf, size, "%s request too large for %s: %s", rpc, ep, e->message);
		return buf;
	case GRPC_STATUS_UNIMPLEMENTED:
		snprintf(buf, size, "%s does not support %s (Milvus 2.3 or newer is needed): %s", ep, rpc,
			 e->message);
		return buf;
	case -1:	/* failed inside the client; without an RPC: setting the client up */
		if (e->rpc[0])
			snprintf(buf, size, "%s failed at %s: %s", rpc, ep, e->message);
		else
			snprintf(buf, size, "%s", e->message);
		return buf;
	default:
		snprintf(buf, size, "%s failed at %s: %s (gRPC status %s%s)", rpc, ep, e->message,
			 grpc_code_name(e->grpc_code), attempts_note(e, ", ", "", att, sizeof att));
		return buf;
	}
	if (e->collection[0]) {
		if (e->code == 101) {
			snprintf(buf, size, "collection \"%s\" is not loaded (load it, or pass --load)",
				 e->collection);
			return buf;
		}
		if (e->code == 100 || (e->code == 0 && (e->error_code == 4 || e->error_code == 28))) {
			snprintf(buf, size, "collection \"%s\" does not exist%s at %s", e->collection,
				 in_database(e, db, sizeof db), ep);
			return buf;
		}
	}
	/* 700 index not found (merr), 11 IndexNotExist (legacy): Milvus loads only indexed vectors */
	if (strcmp(e->rpc, "LoadCollection") == 0 && (e->code == 700 || (e->code == 0 && e->error_code == 11))) {
		snprintf(buf, size, "collection \"%s\" cannot be loaded at %s: a vector field has no index (%s); "
			 "create its indexes first (mvs-import --create-index creates the stream's)",
			 e->collection, ep, e->message);
		return buf;
	}
	if (e->code == 800 && e->database[0]) {
		snprintf(buf, size, "database \"%s\" does not exist at %s", e->database, ep);
		return buf;
	}
	if (e->code)
		snprintf(buf, size, "%s failed at %s: %s (code %d%s)", rpc, ep, e->message, e->code,
			 attempts_note(e, ", ", "", att, sizeof att));
	else
		snprintf(buf, size, "%s failed at %s: %s (error code %d%s)", rpc, ep, e->message,
			 e->error_code, attempts_note(e, ", ", "", att, sizeof att));
	return buf;
}

int mvs_milvus_error_exit(const struct mvs_milvus_error *e)
{
	if (is_auth_failure(e) || is_permission_failure(e))
		return MVS_EXIT_AUTH;
	/* Setting the client up failed: a bad URI, TLS files, a user without a password. */
	if (e->grpc_code == -1 && !e->rpc[0])
		return MVS_EXIT_USAGE;
	return MVS_EXIT_SERVER;
}

bool mvs_milvus_error_too_large(const struct mvs_milvus_error *e)
{
	return e->grpc_code == GRPC_STATUS_RESOURCE_EXHAUSTED;
}
