/* Ctrl-C, kill and a closed terminal for tools that stop cleanly: the first SIGINT, SIGTERM or SIGHUP
 * is only recorded, for the tool to notice at its next check and finish with a report; a second one
 * ends the process at once, saying so. Blocking calls see EINTR (no SA_RESTART) and should check. */
#ifndef MVS_INTERRUPT_H
#define MVS_INTERRUPT_H

/* Installs the handlers (a signal ignored on purpose, as under nohup, stays ignored). quit_note ends the
 * line printed on the second signal ("rows in flight may be in the target"); it must outlive the run. */
void mvs_interrupt_catch(const char *quit_note);

/* The first signal received, or 0. */
int mvs_interrupted(void);

/* "SIGINT (Ctrl-C)", "SIGTERM", "SIGHUP" for messages. */
const char *mvs_interrupt_name(int sig);

#endif
