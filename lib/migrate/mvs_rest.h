/* `mvs-migrate server run`: milvus-migration's REST API on libmicrohttpd. Routes (under /api/v1):
 * GET /healthy, POST /start (body optional: {"requestId": str, "async": bool, "config": path}),
 * GET /get_job?jobId=ID, GET /docs (where the manual is). Replies are milvus-migration's envelope
 * {code, msg, data, requestId}, HTTP 200 on every known route (code 0 = success, 500 = error), so its
 * clients work unchanged. One migration runs at a time, through the same job code as `mvs-migrate
 * start` (mvs_migration.h). With a token, every route but healthy and docs wants it (HTTP 401). */
#ifndef MVS_REST_H
#define MVS_REST_H

#include <stdatomic.h>

struct mvs_rest_options {
	const char *bind;		/* numeric address or host name; NULL = 127.0.0.1 */
	int port;			/* 0 = any free port */
	const char *config_dir;		/* where migration.yaml is looked for; NULL = working directory */
	const char *config;		/* the config of a request that names none (-c); NULL = look in config_dir */
	const char *bindir;		/* where mvs-export, mvs-map and mvs-import are */
	const char *token;		/* the bearer token start and get_job want; NULL = none */
};

/* Serves until SIGINT or SIGTERM (which stop a running migration first), after printing
 * "mvs-migrate: listening on ADDRESS:PORT" on stdout (and a warning on stderr when ADDRESS is not a
 * loopback one and there is no token). Call with those signals blocked in every thread. Returns an
 * exit code. */
int mvs_rest_serve(const struct mvs_rest_options *opt);

#endif
