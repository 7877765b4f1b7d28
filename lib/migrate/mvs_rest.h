/* `mvs-migrate server run`: milvus-migration's REST API on libmicrohttpd. Routes (under /api/v1):
 * GET /healthy, POST /start (body optional: {"requestId": str, "async": bool, "config": path}),
 * GET /get_job?jobId=ID. Replies are milvus-migration's envelope {code, msg, data, requestId}, HTTP 200
 * on every known route (code 0 = success, 500 = error), so its clients work unchanged. One migration
 * runs at a time, through the same job code as `mvs-migrate start` (mvs_migration.h). */
#ifndef MVS_REST_H
#define MVS_REST_H

#include <stdatomic.h>

struct mvs_rest_options {
	const char *bind;		/* numeric address or host name; NULL = 127.0.0.1 */
	int port;			/* 0 = any free port */
	const char *config_dir;		/* where migration.yaml is looked for; NULL = working directory */
	const char *bindir;		/* where mvs-export, mvs-map and mvs-import are */
};

/* Serves until SIGINT or SIGTERM (which stop a running migration first), after printing
 * "mvs-migrate: listening on ADDRESS:PORT" on stdout. Call with those signals blocked in every
 * thread. Returns an exit code. */
int mvs_rest_serve(const struct mvs_rest_options *opt);

#endif
