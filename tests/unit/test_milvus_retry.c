/* Unit tests of the Milvus client's pure parts: the retry decisions and back-off bounds, error
 * rendering and exit codes, base64, URI parsing; plus what the client does without a server (the
 * send limit, an async wait with nothing in flight, open/close). */
#include <grpc/status.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mvs_exit.h"
#include "mvs_milvus.h"
#include "check.h"


static struct mvs_milvus_error transport(int grpc_code)
{
	struct mvs_milvus_error e;

	memset(&e, 0, sizeof e);
	e.grpc_code = grpc_code;
	return e;
}

static struct mvs_milvus_error milvus(int code, int error_code, bool retriable)
{
	struct mvs_milvus_error e;

	memset(&e, 0, sizeof e);
	e.code = code;
	e.error_code = error_code;
	e.retriable = retriable;
	return e;
}

static void test_retryable(void)
{
	static const int never[] = {
		GRPC_STATUS_INVALID_ARGUMENT, GRPC_STATUS_NOT_FOUND, GRPC_STATUS_ALREADY_EXISTS,
		GRPC_STATUS_PERMISSION_DENIED, GRPC_STATUS_RESOURCE_EXHAUSTED, GRPC_STATUS_FAILED_PRECONDITION,
		GRPC_STATUS_OUT_OF_RANGE, GRPC_STATUS_UNIMPLEMENTED, GRPC_STATUS_UNAUTHENTICATED, -1,
	};
	static const int transient[] = {
		GRPC_STATUS_UNAVAILABLE, GRPC_STATUS_CANCELLED, GRPC_STATUS_UNKNOWN, GRPC_STATUS_ABORTED,
		GRPC_STATUS_INTERNAL, GRPC_STATUS_DATA_LOSS,
	};
	struct mvs_milvus_error e;

	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
		e = transport(never[i]);
		CHECK(!mvs_milvus_retryable(&e, true));
		CHECK(!mvs_milvus_retryable(&e, false));
	}
	for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++) {
		e = transport(transient[i]);
		CHECK(mvs_milvus_retryable(&e, true));
		CHECK(mvs_milvus_retryable(&e, false));
	}
	/* A write that timed out may have been applied. */
	e = transport(GRPC_STATUS_DEADLINE_EXCEEDED);
	CHECK(mvs_milvus_retryable(&e, true));
	CHECK(!mvs_milvus_retryable(&e, false));

	/* Rate limiting, new and legacy codes, with or without the retriable flag. */
	e = milvus(8, 49, true);
	CHECK(mvs_milvus_retryable(&e, false));
	e = milvus(8, 0, false);
	CHECK(mvs_milvus_retryable(&e, false));
	e = milvus(0, 49, false);
	CHECK(mvs_milvus_retryable(&e, false));
	/* The server's retriable flag. */
	e = milvus(2, 1, true);
	CHECK(mvs_milvus_retryable(&e, false));
	e = milvus(103, 1, true);
	CHECK(mvs_milvus_retryable(&e, true));
	e = milvus(65535, 1, false);
	CHECK(!mvs_milvus_retryable(&e, true));
	e = milvus(9, 48, false);	/* force deny (quota) */
	CHECK(!mvs_milvus_retryable(&e, true));
	/* Never: not found, not loaded, invalid arguments, auth; even when flagged retriable. */
	e = milvus(100, 4, true);
	CHECK(!mvs_milvus_retryable(&e, true));
	e = milvus(101, 1, true);
	CHECK(!mvs_milvus_retryable(&e, true));
	e = milvus(1100, 5, true);
	CHECK(!mvs_milvus_retryable(&e, true));
	e = milvus(1401, 0, true);
	CHECK(!mvs_milvus_retryable(&e, true));
	e = milvus(0, 3, true);
	CHECK(!mvs_milvus_retryable(&e, true));
	e = milvus(800, 1, true);
	CHECK(!mvs_milvus_retryable(&e, true));

	/* A TLS handshake refused on the certificates or the protocol (messages of gRPC core against a
	 * real Milvus 2.3.5, tests/real/real_tls.sh) meets the same refusal on every attempt. */
	e = transport(GRPC_STATUS_UNAVAILABLE);
	strcpy(e.message, "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:9: Peer name "
	       "other.example is not in peer certificate");
	CHECK(mvs_milvus_tls_refused(&e));
	CHECK(!mvs_milvus_retryable(&e, true));
	strcpy(e.message, "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:9: Ssl handshake "
	       "failed: SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify failed");
	CHECK(!mvs_milvus_retryable(&e, true));
	/* A connection dropped during the handshake, or closed by the server, may be transient. */
	strcpy(e.message, "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:9: Ssl handshake "
	       "failed: SSL_ERROR_SYSCALL");
	CHECK(!mvs_milvus_tls_refused(&e));
	CHECK(mvs_milvus_retryable(&e, true));
	strcpy(e.message, "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:9: Endpoint "
	       "read failed");
	CHECK(mvs_milvus_retryable(&e, true));
}

static void test_backoff(void)
{
	struct mvs_milvus_retry p = { 0 };
	const double rands[] = { 0, 0.25, 0.5, 0.999999 };

	mvs_milvus_retry_defaults(&p);
	CHECK(p.max_attempts == 10);
	CHECK(p.initial_backoff_s == 0.1);
	CHECK(p.max_backoff_s == 5);
	CHECK(p.max_total_s == 60);

	for (int retry = 1; retry <= 40; retry++) {
		double cap = fmin(p.max_backoff_s, p.initial_backoff_s * pow(2, retry - 1));

		for (size_t i = 0; i < sizeof rands / sizeof rands[0]; i++) {
			double d = mvs_milvus_backoff(&p, retry, rands[i]);

			CHECK(d >= 0 && d <= cap + 1e-12);
			CHECK(fabs(d - rands[i] * cap) < 1e-9);	/* full jitter */
		}
	}
	CHECK(fabs(mvs_milvus_backoff(&p, 1, 0.999999) - 0.1) < 1e-6);
	CHECK(fabs(mvs_milvus_backoff(&p, 3, 0.999999) - 0.4) < 1e-6);
	CHECK(fabs(mvs_milvus_backoff(&p, 30, 0.999999) - 5) < 1e-5);
	/* Out-of-range randomness is clamped, never a negative or huge wait. */
	CHECK(mvs_milvus_backoff(&p, 3, -1) == 0);
	CHECK(mvs_milvus_backoff(&p, 3, 7) == 0);
	CHECK(mvs_milvus_backoff(&p, 3, NAN) == 0);
}

static void test_retry_delay(void)
{
	struct mvs_milvus_retry p = { .max_attempts = 4, .initial_backoff_s = 1, .max_backoff_s = 8,
				      .max_total_s = 10 };
	struct mvs_milvus_error unavailable = transport(GRPC_STATUS_UNAVAILABLE);
	struct mvs_milvus_error auth = transport(GRPC_STATUS_UNAUTHENTICATED);
	struct mvs_milvus_error rate = milvus(8, 49, true);
	struct mvs_milvus_error deadline = transport(GRPC_STATUS_DEADLINE_EXCEEDED);

	CHECK(mvs_milvus_retry_delay(&p, &unavailable, false, 1, 0, 0.5) == 0.5);
	CHECK(mvs_milvus_retry_delay(&p, &unavailable, false, 2, 0, 0.5) == 1);
	CHECK(mvs_milvus_retry_delay(&p, &rate, false, 3, 0, 0.5) == 2);
	/* Attempts are bounded. */
	CHECK(mvs_milvus_retry_delay(&p, &rate, false, 4, 0, 0.5) < 0);
	CHECK(mvs_milvus_retry_delay(&p, &rate, false, 100, 0, 0.5) < 0);
	/* Total time is bounded: the last wait is cut to the budget, then it stops. */
	CHECK(mvs_milvus_retry_delay(&p, &rate, false, 3, 9.5, 0.999) == 0.5);
	CHECK(mvs_milvus_retry_delay(&p, &rate, false, 1, 10, 0.5) < 0);
	CHECK(mvs_milvus_retry_delay(&p, &rate, false, 1, 11, 0) < 0);
	/* Not retryable at all. */
	CHECK(mvs_milvus_retry_delay(&p, &auth, true, 1, 0, 0.5) < 0);
	CHECK(mvs_milvus_retry_delay(&p, &deadline, false, 1, 0, 0.5) < 0);
	CHECK(mvs_milvus_retry_delay(&p, &deadline, true, 1, 0, 0.5) == 0.5);
	/* Before the server ever answered, a transport failure gets first_contact_s, not max_total_s;
	 * other failures, and connections that worked, keep the long budget. */
	p.first_contact_s = 2;
	unavailable.never_answered = true;
	{
		double d = mvs_milvus_retry_delay(&p, &unavailable, false, 1, 1.8, 0.5);
		CHECK(d > 0.19 && d < 0.21);	/* cut to the 2 s budget, not 0.5 */
	}
	CHECK(mvs_milvus_retry_delay(&p, &unavailable, false, 2, 2, 0.5) < 0);
	rate.never_answered = true;
	CHECK(mvs_milvus_retry_delay(&p, &rate, false, 1, 5, 0.5) == 0.5);
	unavailable.never_answered = false;
	CHECK(mvs_milvus_retry_delay(&p, &unavailable, false, 2, 5, 0.5) == 1);
}

static void test_render(void)
{
	struct mvs_milvus_error e;
	char buf[2048];

	e = transport(GRPC_STATUS_UNAUTHENTICATED);
	strcpy(e.rpc, "Connect");
	strcpy(e.endpoint, "src:19530");
	strcpy(e.user, "x");
	strcpy(e.message, "auth check failure, please check username and password are correct");
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf), "authentication failed for user \"x\" at src:19530");
	CHECK(mvs_milvus_error_exit(&e) == MVS_EXIT_AUTH);
	e.user[0] = '\0';
	CHECK(strstr(mvs_milvus_error_render(&e, buf, sizeof buf), "authentication failed at src:19530: auth check"));
	CHECK(strstr(mvs_milvus_error_render(&e, buf, sizeof buf), "(give --user with MILVUS_PASSWORD"));
	e.token = true;	/* a token was sent: no advice to send one */
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf), "authentication failed at src:19530: the token was "
		  "refused: auth check failure, please check username and password are correct");
	CHECK(mvs_milvus_error_exit(&e) == MVS_EXIT_AUTH);

	e = transport(GRPC_STATUS_PERMISSION_DENIED);
	strcpy(e.rpc, "Insert");
	strcpy(e.endpoint, "h:1");
	strcpy(e.message, "no privilege");
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf), "permission denied at h:1: Insert: no privilege");
	CHECK(mvs_milvus_error_exit(&e) == MVS_EXIT_AUTH);

	e = milvus(101, 1, false);
	strcpy(e.rpc, "Query");
	strcpy(e.endpoint, "h:1");
	strcpy(e.collection, "docs");
	strcpy(e.message, "collection not loaded[collection=1]");
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf),
		  "collection \"docs\" is not loaded (load it, or pass --load)");
	CHECK(mvs_milvus_error_exit(&e) == MVS_EXIT_SERVER);

	e = milvus(100, 4, false);
	strcpy(e.rpc, "DescribeCollection");
	strcpy(e.endpoint, "h:1");
	strcpy(e.collection, "docs");
	strcpy(e.database, "db1");
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf),
		  "collection \"docs\" does not exist in database \"db1\" at h:1");

	e = transport(GRPC_STATUS_UNAVAILABLE);
	strcpy(e.rpc, "GetVersion");
	strcpy(e.endpoint, "127.0.0.1:9");
	strcpy(e.message, "failed to connect to all addresses");
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf),
		  "cannot reach Milvus at 127.0.0.1:9: failed to connect to all addresses");
	e.attempts = 3;
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf),
		  "cannot reach Milvus at 127.0.0.1:9: failed to connect to all addresses (after 3 attempts)");
	CHECK(mvs_milvus_error_exit(&e) == MVS_EXIT_SERVER);

	e = milvus(1100, 5, false);
	strcpy(e.rpc, "Insert");
	strcpy(e.endpoint, "h:1");
	strcpy(e.message, "the dim (8) of field data(v) is not equal to schema dim (4)");
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf),
		  "Insert failed at h:1: the dim (8) of field data(v) is not equal to schema dim (4) (code 1100)");
	e = milvus(8, 49, true);
	strcpy(e.rpc, "Insert");
	strcpy(e.endpoint, "h:1");
	strcpy(e.message, "rate limit exceeded");
	e.attempts = 10;
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf),
		  "Insert failed at h:1: rate limit exceeded (code 8, after 10 attempts)");
	e = milvus(0, 26, false);
	strcpy(e.rpc, "Query");
	strcpy(e.endpoint, "h:1");
	strcpy(e.message, "empty");
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf), "Query failed at h:1: empty (error code 26)");

	e = transport(GRPC_STATUS_RESOURCE_EXHAUSTED);
	strcpy(e.rpc, "Insert");
	strcpy(e.endpoint, "h:1");
	strcpy(e.message, "too big");
	CHECK(mvs_milvus_error_too_large(&e));
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf), "Insert request too large for h:1: too big");
	e = transport(GRPC_STATUS_INTERNAL);
	strcpy(e.rpc, "Insert");
	strcpy(e.endpoint, "h:1");
	strcpy(e.message, "boom");
	CHECK(!mvs_milvus_error_too_large(&e));
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf), "Insert failed at h:1: boom (gRPC status INTERNAL)");

	/* TLS trouble says what to do; a closed connection only on the first call (Connect). */
	e = transport(GRPC_STATUS_UNAVAILABLE);
	strcpy(e.rpc, "Connect");
	strcpy(e.endpoint, "h:1");
	strcpy(e.message, "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: Peer name x.example "
	       "is not in peer certificate");
	e.tls = 1;
	CHECK(strstr(mvs_milvus_error_render(&e, buf, sizeof buf), "is not in peer certificate; the server's TLS "
		     "certificate does not hold that name: connect by a name it holds, or give one with --tls-server-name"));
	CHECK(mvs_milvus_error_exit(&e) == MVS_EXIT_SERVER);
	strcpy(e.message, "Ssl handshake failed: SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify failed");
	CHECK(strstr(mvs_milvus_error_render(&e, buf, sizeof buf), "give that CA with --tls-ca"));
	strcpy(e.message, "Ssl handshake failed: SSL_ERROR_SSL: error:0A00010B:SSL routines::wrong version number");
	CHECK(strstr(mvs_milvus_error_render(&e, buf, sizeof buf), "the server does not speak TLS on this port"));
	strcpy(e.message, "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:1: Endpoint read failed");
	e.attempts = 10;
	CHECK(strstr(mvs_milvus_error_render(&e, buf, sizeof buf), "Endpoint read failed (after 10 attempts); the server "
		     "closed the TLS connection: if it requires mutual TLS, give a client certificate with --tls-cert and --tls-key"));
	e.tls = 2;
	CHECK(strstr(mvs_milvus_error_render(&e, buf, sizeof buf), "it may not trust this client certificate"));
	e.tls = 0;
	strcpy(e.message, "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:1: Socket closed");
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf), "cannot reach Milvus at h:1: failed to connect to all "
		  "addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:1: Socket closed (after 10 attempts); the server closed "
		  "the connection: if it expects TLS, use an https:// URI or --tls-ca");
	strcpy(e.rpc, "Query");	/* later: a server going away, not a TLS mismatch */
	CHECK_STR(mvs_milvus_error_render(&e, buf, sizeof buf), "cannot reach Milvus at h:1: failed to connect to all "
		  "addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:1: Socket closed (after 10 attempts)");

	/* Truncation is safe. */
	CHECK(strlen(mvs_milvus_error_render(&e, buf, 8)) == 7);
}

static void test_base64(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" }, { "root:Milvus", "cm9vdDpNaWx2dXM=" },
		{ "\xff\xfe\xfd", "//79" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK(mvs_milvus_base64(cases[i].in, strlen(cases[i].in), buf, sizeof buf) ==
		      (int)strlen(cases[i].out));
		CHECK_STR(buf, cases[i].out);
	}
	CHECK(mvs_milvus_base64("foo", 3, buf, 4) == -1);	/* no room for the NUL */
	CHECK(mvs_milvus_base64("foo", 3, buf, 5) == 4);
}

static void test_uri(void)
{
	static const struct {
		const char *uri, *target;
		bool tls;
	} good[] = {
		{ NULL, "localhost:19530", false },
		{ "", "localhost:19530", false },
		{ "src", "src:19530", false },
		{ "src:1234", "src:1234", false },
		{ "http://src:1234", "src:1234", false },
		{ "http://src:1234/", "src:1234", false },
		{ "tcp://src", "src:19530", false },
		{ "https://cloud.example.com", "cloud.example.com:443", true },
		{ "https://cloud.example.com:19530", "cloud.example.com:19530", true },
		{ "[::1]:5", "[::1]:5", false },
		{ "http://[::1]", "[::1]:19530", false },
		{ "unix:/run/milvus.sock", "unix:/run/milvus.sock", false },
		{ "unix:///run/milvus.sock", "unix:/run/milvus.sock", false },
	};
	static const char *const bad[] = {
		"ftp://x", "x:", "x:0", "x:65536", "x:12a", "x:1:2", "::1", "[::1", "[::1]x", "http://",
		"https://user:pw@host", "http://host/db", "unix:relative", ":19530",
	};
	struct mvs_milvus_uri u;
	char why[600];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int rc = mvs_milvus_parse_uri(good[i].uri, &u, why, sizeof why);

		CHECK(rc == 0);
		if (rc == 0) {
			CHECK_STR(u.target, good[i].target);
			CHECK(u.tls == good[i].tls);
		} else {
			fprintf(stderr, "  %s: %s\n", good[i].uri, why);
		}
	}
	CHECK(mvs_milvus_parse_uri("http://h", &u, why, sizeof why) == 0 && u.plain);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		if (mvs_milvus_parse_uri(bad[i], &u, why, sizeof why) != -1) {
			fprintf(stderr, "accepted bad URI \"%s\" as %s\n", bad[i], u.target);
			failures++;
		}
		CHECK(strstr(why, "bad Milvus URI"));
	}
	mvs_milvus_parse_uri("https://user:pw@host", &u, why, sizeof why);
	CHECK(strstr(why, "credentials do not go in the URI"));
}

/* No server needed: these fail (or succeed) before anything is sent. */
static void test_offline_client(void)
{
	struct mvs_milvus_options o;
	struct mvs_milvus_error err;
	struct mvs_milvus *c;
	Milvus__Proto__Milvus__InsertRequest req = MILVUS__PROTO__MILVUS__INSERT_REQUEST__INIT;
	Milvus__Proto__Milvus__MutationResult *res = (void *)1;
	char name[200], buf[1024];
	void *tag = (void *)1;

	mvs_milvus_options_init(&o);
	o.uri = "ftp://nowhere";
	CHECK(mvs_milvus_open(&o, &err) == NULL);
	CHECK(err.grpc_code == -1 && strstr(err.message, "bad Milvus URI"));
	CHECK(strstr(mvs_milvus_error_render(&err, buf, sizeof buf), "bad Milvus URI \"ftp://nowhere\""));
	CHECK(mvs_milvus_error_exit(&err) == MVS_EXIT_USAGE);

	o.uri = "http://127.0.0.1:1";
	o.tls_ca_file = "/nonexistent/ca.pem";
	CHECK(mvs_milvus_open(&o, &err) == NULL);
	o.tls_ca_file = NULL;

	o.uri = "127.0.0.1:1";
	o.user = "root";
	CHECK(mvs_milvus_open(&o, &err) == NULL);	/* a user without a password */
	CHECK(strstr(err.message, "no password given for user \"root\""));
	o.password = "Milvus";
	o.db_name = "db1";
	o.max_send_bytes = 100;
	c = mvs_milvus_open(&o, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_STR(mvs_milvus_endpoint(c), "127.0.0.1:1");
	CHECK_STR(mvs_milvus_database(c), "db1");
	CHECK(mvs_milvus_in_flight(c) == 0);
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	req.collection_name = name;
	req.num_rows = 1;
	CHECK(mvs_milvus_insert(c, &req, &res, &err) == -1);
	CHECK(res == NULL);
	CHECK(mvs_milvus_error_too_large(&err));
	CHECK(err.attempts == 0);
	CHECK(strstr(err.message, "more than the send limit of 100 bytes"));
	CHECK(mvs_milvus_insert_submit(c, &req, 0, NULL, &err) == -1 && mvs_milvus_error_too_large(&err));
	CHECK(mvs_milvus_in_flight(c) == 0);
	CHECK(mvs_milvus_insert_wait(c, &tag, &res, &err) == -1);
	CHECK(tag == NULL && res == NULL);
	CHECK(strstr(err.message, "no Insert call in flight"));
	mvs_milvus_close(c);
	mvs_milvus_close(NULL);
}

int main(void)
{
	test_retryable();
	test_backoff();
	test_retry_delay();
	test_render();
	test_base64();
	test_uri();
	test_offline_client();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	return 0;
}
