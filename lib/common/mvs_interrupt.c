/* The interrupt flag of the tools that stop cleanly (see mvs_interrupt.h). */
#include "mvs_interrupt.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mvs_log.h"

static volatile sig_atomic_t first_signal;
static char quit_line[512];	/* written by the handler: only async-signal-safe calls there */
static size_t quit_len;

static void on_signal(int sig)
{
	if (first_signal) {
		ssize_t w = write(STDERR_FILENO, quit_line, quit_len);	/* nothing to do if it fails */
		(void)w;
		_exit(128 + sig);
	}
	first_signal = sig;
}

void mvs_interrupt_catch(const char *quit_note)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { 0 }, old;

	int n = snprintf(quit_line, sizeof quit_line, "\n%s: interrupted again: quitting at once (%s)\n",
			 mvs_log_tool(), quit_note);
	quit_len = n < 0 ? 0 : (size_t)n < sizeof quit_line ? (size_t)n : sizeof quit_line - 1;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

int mvs_interrupted(void)
{
	return first_signal;
}

const char *mvs_interrupt_name(int sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT (Ctrl-C)";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP (the terminal closed)";
	default: return "a signal";
	}
}
