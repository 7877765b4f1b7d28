/* The checks every unit test uses: a failed check prints file, line and what failed, and is counted;
 * a test program ends with `return check_status();`. */
#ifndef MVS_TEST_CHECK_H
#define MVS_TEST_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int failures;

static __attribute__((unused)) void check_at(bool ok, const char *file, int line, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	failures++;
}

static __attribute__((format(printf, 5, 6), unused)) void
check_msg_at(bool ok, const char *file, int line, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	fprintf(stderr, "%s:%d: check failed: %s: ", file, line, what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

static __attribute__((unused)) void check_str_at(const char *got, const char *want, const char *file,
						 int line)
{
	if (got && want && strcmp(got, want) == 0)
		return;
	fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", file, line, got ? got : "(null)",
		want ? want : "(null)");
	failures++;
}

#define CHECK(cond) check_at((cond), __FILE__, __LINE__, #cond)
#define CHECK_MSG(cond, ...) check_msg_at((cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
#define CHECK_STR(got, want) check_str_at((got), (want), __FILE__, __LINE__)

/* The exit status of a test program. */
static __attribute__((unused)) int check_status(void)
{
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}

#endif
