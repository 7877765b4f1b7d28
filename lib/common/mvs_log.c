/* Messages and progress on stderr for the mvs tools and the libraries they share (see mvs_log.h). */
#include "mvs_log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const char *tool_name = "mvs";
static bool quiet;

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

static bool progress_on;
static double progress_start, progress_last;

void mvs_progress_enable(bool forced)
{
	progress_on = forced || isatty(STDERR_FILENO);
	progress_start = mvs_now();
	progress_last = 0;
}

bool mvs_progress_enabled(void)
{
	return progress_on;
}

void mvs_progress(uint64_t rows, uint64_t total, bool final)
{
	double now = mvs_now();

	if (!progress_on || (!final && now - progress_last < 0.5))
		return;
	progress_last = now;
	double secs = now - progress_start;
	double rate = secs > 0 ? rows / secs : 0;
	char pct[16] = "";
	if (total)
		snprintf(pct, sizeof pct, " (%.1f%%)", 100.0 * rows / total);
	fprintf(stderr, "%s: %" PRIu64 " rows%s, %.0f rows/s%s", tool_name, rows, pct, rate,
		final || !isatty(STDERR_FILENO) ? "\n" : "\r");
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
