/* Exit codes shared by every mvs tool. Documented in every man page (EXIT STATUS) and the README;
 * never renumber one, only add. */
#ifndef MVS_EXIT_H
#define MVS_EXIT_H

enum mvs_exit {
	MVS_EXIT_OK = 0,
	MVS_EXIT_FAILURE = 1,	/* an error not covered below */
	MVS_EXIT_USAGE = 2,	/* bad command line or option value */
	MVS_EXIT_IO = 3,	/* reading or writing a file or pipe failed (ENOSPC, EIO, ...) */
	MVS_EXIT_STREAM = 4,	/* input is not a valid mvs stream: truncated, corrupt, wrong version */
	MVS_EXIT_UPSTREAM = 5,	/* the stream carries an abort frame: an earlier stage failed */
	MVS_EXIT_SERVER = 6,	/* a Milvus call failed (after retries) or the server is unreachable */
	MVS_EXIT_AUTH = 7,	/* authentication or permission refused by the server */
	MVS_EXIT_SCHEMA = 8,	/* schema mismatch or a value that does not fit its field */
	MVS_EXIT_VERIFY = 9,	/* post-import verification failed (row count differs) */
	MVS_EXIT_CONFIG = 10,	/* migration config invalid (mvs-migrate) */
};

#endif
