/* The Milvus client's retry policy (see mvs_milvus.h): which failures may be retried, and the
 * exponential back-off with full jitter bounded in attempts and total time. Pure functions, so the
 * unit tests can pin every decision; mvs_milvus.c applies them.
 *
 * What is retried, following pymilvus (retry_on_rpc_failure) and the server's merr table:
 *   - gRPC transport failures, except those a repeat cannot fix: INVALID_ARGUMENT, NOT_FOUND,
 *     ALREADY_EXISTS, PERMISSION_DENIED, UNAUTHENTICATED, RESOURCE_EXHAUSTED (the request is too
 *     large: the importer halves its batch), FAILED_PRECONDITION, OUT_OF_RANGE, UNIMPLEMENTED.
 *     pymilvus also retries NOT_FOUND, FAILED_PRECONDITION and OUT_OF_RANGE; Milvus never sends them,
 *     and by gRPC's definitions they are not transient. DEADLINE_EXCEEDED only for idempotent calls:
 *     a write that timed out may have been applied.
 *   - Milvus rate limiting (code 8 / legacy RateLimit 49) and any Status marked retriable, except
 *     the codes that are never transient whatever the flag says (auth, invalid argument, not found).
 * A blind retry of Insert after a transport error may duplicate rows when the first attempt reached
 * the server; the caller decides (MVS_MILVUS_RETRY_AS_UPSERT turns such retries into Upserts). */
#include "mvs_milvus.h"

#include <grpc/status.h>
#include <math.h>
#include <string.h>

/* Milvus Status.code values (merr) that never succeed on a repeat. */
static bool milvus_code_final(int code)
{
	switch (code) {
	case 100:	/* collection not found */
	case 101:	/* collection not loaded */
	case 200:	/* partition not found */
	case 201:	/* partition not loaded */
	case 700:	/* index not found */
	case 800:	/* database not found */
	case 1100:	/* invalid parameter */
	case 1101:	/* missing parameter */
	case 1102:	/* parameter too large */
	case 1400:	/* not authenticated */
	case 1401:	/* privilege not permitted */
		return true;
	}
	return false;
}

/* Legacy common.ErrorCode values with the same meaning. */
static bool legacy_code_final(int error_code)
{
	switch (error_code) {
	case 3:		/* PermissionDenied */
	case 4:		/* CollectionNotExists */
	case 5:		/* IllegalArgument */
	case 25:	/* IndexNotExist */
	case 28:	/* CollectionNameNotFound */
		return true;
	}
	return false;
}

/* gRPC core reports a failed handshake in the details of an UNAVAILABLE status: "Ssl handshake
 * failed: SSL_ERROR_SSL: ..." (certificate verify failed, wrong version number: the server does not
 * speak TLS) or "Peer name NAME is not in peer certificate". SSL_ERROR_SYSCALL (the connection
 * dropped during the handshake) is not among them: that one may be transient. */
bool mvs_milvus_tls_refused(const struct mvs_milvus_error *e)
{
	return e->grpc_code != GRPC_STATUS_OK &&
	       (strstr(e->message, "Ssl handshake failed: SSL_ERROR_SSL") ||
		(strstr(e->message, "Peer name ") && strstr(e->message, " is not in peer certificate")));
}

bool mvs_milvus_retryable(const struct mvs_milvus_error *e, bool idempotent)
{
	if (mvs_milvus_tls_refused(e))
		return false;	/* the next handshake meets the same certificates */
	if (e->grpc_code != GRPC_STATUS_OK) {
		switch (e->grpc_code) {
		case GRPC_STATUS_UNAVAILABLE:
		case GRPC_STATUS_CANCELLED:
		case GRPC_STATUS_UNKNOWN:
		case GRPC_STATUS_ABORTED:
		case GRPC_STATUS_INTERNAL:
		case GRPC_STATUS_DATA_LOSS:
			return true;
		case GRPC_STATUS_DEADLINE_EXCEEDED:
			return idempotent;
		default:	/* the list above, and -1: a failure inside the client */
			return false;
		}
	}
	if (milvus_code_final(e->code) || legacy_code_final(e->error_code))
		return false;
	if (e->code == 8 || e->error_code == 49)	/* rate limit exceeded */
		return true;
	return e->retriable;
}

void mvs_milvus_retry_defaults(struct mvs_milvus_retry *p)
{
	if (p->max_attempts <= 0)
		p->max_attempts = 10;
	if (p->initial_backoff_s <= 0)
		p->initial_backoff_s = 0.1;
	if (p->max_backoff_s <= 0)
		p->max_backoff_s = 5;
	if (p->max_backoff_s < p->initial_backoff_s)
		p->max_backoff_s = p->initial_backoff_s;
	if (p->max_total_s <= 0)
		p->max_total_s = 60;
	if (p->first_contact_s <= 0)
		p->first_contact_s = 2;
}

double mvs_milvus_backoff(const struct mvs_milvus_retry *p, int retry, double rand01)
{
	double cap = p->initial_backoff_s;

	for (int i = 1; i < retry && cap < p->max_backoff_s; i++)
		cap *= 2;
	if (cap > p->max_backoff_s)
		cap = p->max_backoff_s;
	if (!(rand01 >= 0) || rand01 >= 1)	/* also catches NaN */
		rand01 = 0;
	return rand01 * cap;
}

double mvs_milvus_retry_delay(const struct mvs_milvus_retry *p, const struct mvs_milvus_error *e,
			      bool idempotent, int attempts, double elapsed_s, double rand01)
{
	double delay, budget = p->max_total_s;

	if (e->never_answered && e->grpc_code == GRPC_STATUS_UNAVAILABLE && p->first_contact_s > 0 &&
	    p->first_contact_s < budget)
		budget = p->first_contact_s;
	if (!mvs_milvus_retryable(e, idempotent) || attempts >= p->max_attempts || elapsed_s >= budget)
		return -1;
	delay = mvs_milvus_backoff(p, attempts, rand01);
	/* The next attempt starts within the total budget: the last wait is cut short. */
	if (elapsed_s + delay > budget)
		delay = budget - elapsed_s;
	return delay;
}
