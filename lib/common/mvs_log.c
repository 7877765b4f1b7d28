/* Messages and progress on stderr for the mvs tools and the libraries they share (see mvs_log.h). */
#include "mvs_log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *tool_name = "mvs";
static bool quiet;
static bool progress_drawn;	/* a progress line is on the terminal */
static void (*observe_progress)(void *ctx, uint64_t rows, uint64_t total, bool final);
static void (*observe_error)(void *ctx, const char *message);
static void *observe_ctx;

void mvs_log_init(const char *tool)
{
	tool_name = tool;
}

const char *mvs_log_tool(void)
{
	return tool_name;
}

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof buf, fmt, ap);
	if (observe_error && kind && strcmp(kind, "error") == 0)
		observe_error(observe_ctx, buf);
	/* On a terminal a message starts by erasing the line: a progress line may be drawn there, ours
	 * or that of another tool of the pipeline. */
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	progress_drawn = false;
	if (kind)
		fprintf(stderr, "%s: %s: %s\n", tool_name, kind, buf);
	else
		fprintf(stderr, "%s: %s\n", tool_name, buf);
}

void mvs_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("error", fmt, ap);
	va_end(ap);
}

void mvs_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning", fmt, ap);
	va_end(ap);
}

void mvs_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vmessage(NULL, fmt, ap);
	va_end(ap);
}

void mvs_set_quiet(bool q)
{
	quiet = q;
}

static bool progress_on, progress_tty;
static double progress_start, progress_last;

void mvs_progress_enable(bool forced)
{
	progress_tty = isatty(STDERR_FILENO);
	progress_on = forced || progress_tty;
	mvs_progress_reset();
}

void mvs_progress_reset(void)
{
	progress_start = mvs_now();
	progress_last = 0;
}

void mvs_progress_clear(void)
{
	if (progress_drawn)
		fputs("\r\033[K", stderr);
	progress_drawn = false;
}

/* One progress line: redrawn in place on a terminal (erasing what was there, so nothing of a longer
 * earlier line is left), a line of its own elsewhere. */
static void progress_draw(const char *text)
{
	if (progress_tty) {
		fprintf(stderr, "\r\033[K%s: %s", tool_name, text);
		progress_drawn = true;
	} else {
		fprintf(stderr, "%s: %s\n", tool_name, text);
	}
	fflush(stderr);
}

void mvs_progress(uint64_t rows, uint64_t total, bool final)
{
	double now = mvs_now();
	char text[160], pct[24] = "", eta[40] = "";

	if (observe_progress)
		observe_progress(observe_ctx, rows, total, final);
	if (!progress_on || (!final && now - progress_last < 0.5))
		return;
	progress_last = now;
	if (final && progress_tty) {
		mvs_progress_clear();	/* the summary line says it all */
		return;
	}
	double secs = now - progress_start;
	double rate = secs > 0 ? rows / secs : 0;
	if (total) {
		snprintf(pct, sizeof pct, " (%.1f%%)", 100.0 * rows / total);
		if (!final && rate > 0 && rows < total) {
			uint64_t left = (uint64_t)((total - rows) / rate + 0.5);
			if (left >= 3600)
				snprintf(eta, sizeof eta, ", ETA %" PRIu64 ":%02u:%02u", left / 3600,
					 (unsigned)(left / 60 % 60), (unsigned)(left % 60));
			else
				snprintf(eta, sizeof eta, ", ETA %u:%02u", (unsigned)(left / 60), (unsigned)(left % 60));
		}
	}
	snprintf(text, sizeof text, "%" PRIu64 " rows%s, %.0f rows/s%s", rows, pct, rate, eta);
	progress_draw(text);
}

void mvs_progress_text(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (!progress_on)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	progress_draw(text);
}

void mvs_log_observe(void (*progress)(void *ctx, uint64_t rows, uint64_t total, bool final),
		     void (*error)(void *ctx, const char *message), void *ctx)
{
	observe_progress = progress;
	observe_error = error;
	observe_ctx = ctx;
}

int mvs_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

double mvs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
