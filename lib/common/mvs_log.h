/* Messages and progress on stderr, prefixed with the tool's name: what the tools and the libraries
 * under them share for talking to a person. Diagnostics only; data never goes through here. */
#ifndef MVS_LOG_H
#define MVS_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sets the name used as the prefix of every message ("mvs-map"). */
void mvs_log_init(const char *tool);
const char *mvs_log_tool(void);

void mvs_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mvs_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mvs_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* unless quiet */
void mvs_set_quiet(bool quiet);
/* Progress to stderr: on when forced or when stderr is a terminal. */
void mvs_progress_enable(bool forced);
bool mvs_progress_enabled(void);
/* Prints "\rTOOL: N rows (P%) R rows/s" at most a few times a second; total 0 = unknown.
 * final prints a newline-terminated last line. */
void mvs_progress(uint64_t rows, uint64_t total, bool final);

/* Writes a message into err (when err is not NULL) and returns -1, for `return mvs_errf(...)` in
 * functions that report failures through an (err, errlen) buffer. */
int mvs_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

double mvs_now(void);	/* monotonic seconds */

#endif
