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
/* Starts the clock of the rate and the ETA again (a new unit of a stream). */
void mvs_progress_reset(void);
/* "TOOL: N rows (P%), R rows/s, ETA M:SS" (total 0 = unknown: no percent, no ETA) at most twice a
 * second. On a terminal it is one line, redrawn in place, and final clears it (a summary follows);
 * elsewhere each is a line of its own, final included. */
void mvs_progress(uint64_t rows, uint64_t total, bool final);
/* A progress line of the caller's own text ("TOOL: " is put in front), drawn like mvs_progress's. */
void mvs_progress_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Clears the progress line from the terminal, if one is shown, before other output. Every message
 * of this file does it itself; call it before writing to stderr directly. */
void mvs_progress_clear(void);

/* A listener (the status channel, mvs_status.h): hears every mvs_progress call, shown or not, and
 * every error message. Passing NULL hooks stops it. */
void mvs_log_observe(void (*progress)(void *ctx, uint64_t rows, uint64_t total, bool final),
		     void (*error)(void *ctx, const char *message), void *ctx);

/* Writes a message into err (when err is not NULL) and returns -1, for `return mvs_errf(...)` in
 * functions that report failures through an (err, errlen) buffer. */
int mvs_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

double mvs_now(void);	/* monotonic seconds */

#endif
