/* The runner of mvs-migrate (see mvs_runner.h): fork/exec of every stage with pipes between them and a
 * pipe for each one's stderr, a poll loop that splits those into lines (progress, summaries, errors),
 * reaping, and the rules that tell the stage that failed on its own from those that only died of it. */
#include "mvs_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mvs_exit.h"

extern char **environ;

struct child {
	const struct mvs_stage *stage;
	size_t pipe;		/* the pipeline it belongs to */
	pid_t pid;
	int err_fd;		/* read end of its stderr; -1 after EOF */
	int status;		/* from waitpid */
	int exec_errno;		/* execve failed with this */
	bool reaped;
	bool stopped;		/* the runner terminated it */
	bool sibling;		/* ... because another pipeline failed */
	char **envp;
	size_t env_owned;	/* envp entries from here on are ours to free */
	size_t len;
	char buf[4096];
	char error[1024];	/* its last "error:" message */
	char last[1024];	/* its last other line */
	char report[MVS_RUNNER_REPORT_SIZE];	/* its lines after the error: what it wrote, how to resume */
	size_t report_len;
};

/* Keeps a line of the report that follows a stage's error; lines beyond the room are dropped. */
static void report_add(struct child *c, const char *line)
{
	size_t n = strlen(line), room = sizeof c->report - c->report_len;

	if (n + 2 > room)
		return;
	memcpy(c->report + c->report_len, line, n);
	c->report_len += n;
	c->report[c->report_len++] = '\n';
	c->report[c->report_len] = '\0';
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Our environment without MILVUS_PASSWORD and MILVUS_TOKEN, plus the stage's own. Built before fork
 * because the child may only call async-signal-safe functions. */
static int child_env(struct child *c)
{
	size_t n = 0, k = 0;

	while (environ[n])
		n++;
	if (!(c->envp = calloc(n + 3, sizeof *c->envp)))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!has_prefix(environ[i], "MILVUS_PASSWORD=") && !has_prefix(environ[i], "MILVUS_TOKEN="))
			c->envp[k++] = environ[i];
	c->env_owned = k;
	if (c->stage->password && asprintf(&c->envp[k++], "MILVUS_PASSWORD=%s", c->stage->password) < 0) {
		c->envp[--k] = NULL;
		return -1;
	}
	if (c->stage->token && asprintf(&c->envp[k++], "MILVUS_TOKEN=%s", c->stage->token) < 0) {
		c->envp[--k] = NULL;
		return -1;
	}
	return 0;
}

static void child_env_free(struct child *c)
{
	if (!c->envp)
		return;
	for (size_t i = c->env_owned; c->envp[i]; i++) {
		explicit_bzero(c->envp[i], strlen(c->envp[i]));
		free(c->envp[i]);
	}
	free(c->envp);
	c->envp = NULL;
}

static int move_fd(int from, int to)
{
	if (from == to)
		return fcntl(to, F_SETFD, 0);
	return dup2(from, to) < 0 ? -1 : 0;
}

/* In the child: only async-signal-safe calls from here to execve. group: the process group to join
 * (0: a new one of its own). */
static void child_exec(pid_t group, int in, int out, int err, int report, char **argv, char **envp)
{
	static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, group);
	if (move_fd(in, 0) == 0 && move_fd(out, 1) == 0 && move_fd(err, 2) == 0)
		execve(argv[0], argv, envp);
	int e = errno;
	ssize_t w = write(report, &e, sizeof e);	/* nothing more to do if even this fails */
	(void)w;
	_exit(127);
}

static void copy_text(char *to, size_t size, const char *from)
{
	snprintf(to, size, "%s", from);
}

/* Whether what follows a progress line's rate is its end or its ETA. */
static bool progress_tail(const char *tail)
{
	return !*tail || has_prefix(tail, ", ETA ");
}

/* A progress line "N rows (P%), R rows/s[, ETA T]" or "N rows, R rows/s"; false when it is not one. */
static bool parse_progress(const char *rest, unsigned long long *rows, double *pct)
{
	int k = 0;

	*pct = -1;
	if (sscanf(rest, "%llu rows (%lf%%), %*f rows/s%n", rows, pct, &k) == 2 && k && progress_tail(rest + k))
		return true;
	k = 0;
	*pct = -1;
	return sscanf(rest, "%llu rows, %*f rows/s%n", rows, &k) == 1 && k && !rest[k];
}

static void stage_line(struct child *c, const char *line, struct mvs_runner_result *res,
		       const struct mvs_runner_hooks *h)
{
	const char *name = c->stage->name;
	size_t nl = strlen(name);
	bool is_export = strcmp(name, "mvs-export") == 0, is_import = strcmp(name, "mvs-import") == 0;
	struct mvs_runner_counts *k = &res->counts;
	unsigned long long rows;
	double pct;
	int n = 0;

	if (!*line)
		return;
	/* The error and what follows it are told once, by whoever runs us (mvs_runner_result). */
	if (c->error[0]) {
		report_add(c, line);
		return;
	}
	if (strncmp(line, name, nl) == 0 && line[nl] == ':' && line[nl + 1] == ' ') {
		const char *rest = line + nl + 2;
		if ((is_export || is_import) && parse_progress(rest, &rows, &pct)) {
			if (is_export) {
				k->exported = rows;
				k->export_percent = pct;
			} else {
				k->imported = rows;
			}
			if (h && h->progress)
				h->progress(h->ctx, c->pipe, k);
			return;
		}
		if (is_export && sscanf(rest, "exported %llu rows%n", &rows, &n) == 1 && n) {
			k->exported = rows;
			k->export_final = (int64_t)rows;
			if (h && h->progress)
				h->progress(h->ctx, c->pipe, k);
		} else if (is_import && sscanf(rest, "imported %llu rows%n", &rows, &n) == 1 && n) {
			k->imported = rows;
			k->import_final = (int64_t)rows;
			if (h && h->progress)
				h->progress(h->ctx, c->pipe, k);
		} else if (has_prefix(rest, "error: ")) {
			copy_text(c->error, sizeof c->error, rest + 7);
			return;
		}
	}
	copy_text(c->last, sizeof c->last, line);
	if (h && h->line)
		h->line(h->ctx, c->pipe, c->stage, line);
}

/* Splits what was read into lines (progress on a terminal ends in \r, elsewhere in \n). */
static void stage_lines(struct child *c, bool eof, struct mvs_runner_result *res,
			const struct mvs_runner_hooks *h)
{
	size_t start = 0;

	for (size_t i = 0; i < c->len; i++) {
		if (c->buf[i] == '\n' || c->buf[i] == '\r') {
			c->buf[i] = '\0';
			stage_line(c, c->buf + start, res, h);
			start = i + 1;
		}
	}
	if (start == 0 && (eof || c->len == sizeof c->buf - 1)) {
		c->buf[c->len] = '\0';	/* a line too long for the buffer goes out in pieces */
		stage_line(c, c->buf, res, h);
		start = c->len;
	}
	memmove(c->buf, c->buf + start, c->len - start);
	c->len -= start;
}

static bool child_failed(const struct child *c)
{
	return c->exec_errno || !WIFEXITED(c->status) || WEXITSTATUS(c->status) != 0;
}

static bool died_of(const struct child *c, int sig)
{
	return (WIFSIGNALED(c->status) && WTERMSIG(c->status) == sig) ||
	       (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 128 + sig);	/* as shells report it */
}

/* A failure of the stage's own, not a report of an earlier stage's (truncated stream, abort frame)
 * nor the closed pipe left by a later stage. */
static bool own_failure(const struct child *c)
{
	if (c->exec_errno)
		return true;
	if (!child_failed(c) || died_of(c, SIGPIPE))
		return false;
	return !WIFEXITED(c->status) ||
	       (WEXITSTATUS(c->status) != MVS_EXIT_STREAM && WEXITSTATUS(c->status) != MVS_EXIT_UPSTREAM);
}

/* Stops the stages before i: whatever they still produce has nowhere to go. */
static void stop_upstream(struct child *ch, size_t i)
{
	for (size_t j = 0; j < i; j++) {
		if (!ch[j].reaped && ch[j].pid > 0) {
			kill(ch[j].pid, SIGTERM);
			ch[j].stopped = true;
		}
	}
}

/* Reaps stage i of the pipeline whose stages start at ch. Returns true when it failed on its own
 * account (not stopped by the runner): the caller stops the other pipelines. */
static bool reap(struct child *ch, size_t i, bool block)
{
	struct child *c = &ch[i];

	if (c->reaped || c->pid <= 0)
		return false;
	pid_t r;
	do
		r = waitpid(c->pid, &c->status, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return false;
	if (r < 0)
		c->status = 0x7f00;	/* lost: count it as a failure (exit 127) */
	c->reaped = true;
	if (!own_failure(c))
		return false;
	stop_upstream(ch, i);
	return !c->stopped;
}

/* The stage to blame: the first that failed, not counting stages that failed only because a later
 * one did: those that died of SIGPIPE or left quietly (non-zero without an error message: how tools
 * leave on EPIPE) after any later failure, and those the runner stopped after a later stage's own
 * failure. Later stages that only report an earlier failure are passed over by taking the first. */
static int blame(const struct child *ch, size_t n)
{
	int first_failed = -1, culprit = -1;
	bool later_failed = false, later_own = false;

	for (size_t i = n; i-- > 0;) {
		const struct child *c = &ch[i];
		if (!child_failed(c))
			continue;
		bool quiet_exit = WIFEXITED(c->status) && !c->error[0] && !c->exec_errno;
		bool victim = (later_failed && (died_of(c, SIGPIPE) || quiet_exit)) || (later_own && c->stopped);
		first_failed = (int)i;
		if (!victim) {
			culprit = (int)i;
			later_own = later_own || own_failure(c);
		}
		later_failed = true;
	}
	return culprit >= 0 ? culprit : first_failed;
}

static void describe_failure(const struct child *c, struct mvs_runner_result *res)
{
	if (c->exec_errno) {
		snprintf(res->message, sizeof res->message, "cannot execute %s: %s", c->stage->argv[0],
			 strerror(c->exec_errno));
		res->exit_code = MVS_EXIT_FAILURE;
	} else if (WIFSIGNALED(c->status)) {
		snprintf(res->message, sizeof res->message, "killed by signal %d (%s)", WTERMSIG(c->status),
			 strsignal(WTERMSIG(c->status)));
		res->exit_code = MVS_EXIT_FAILURE;
	} else {
		res->exit_code = WEXITSTATUS(c->status);
		if (c->error[0])
			copy_text(res->message, sizeof res->message, c->error);
		else if (c->last[0])
			snprintf(res->message, sizeof res->message, "exited with status %d after \"%.900s\"",
				 res->exit_code, c->last);
		else
			snprintf(res->message, sizeof res->message, "exited with status %d", res->exit_code);
	}
}

/* Forks stage i; in/out are its stdin and stdout. The stages of a run share a process group of their
 * own (*group; 0 until the first is started): a Ctrl-C typed at the terminal reaches only us, and
 * the runner stops them in order (see mvs_runner_hooks.cancel). */
static int start_child(struct child *c, int in, int out, pid_t *group)
{
	int errp[2], rep[2], e = 0;
	ssize_t got;

	if (child_env(c) < 0)
		return -1;
	if (pipe2(errp, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(rep, O_CLOEXEC) < 0) {
		close(errp[0]);
		close(errp[1]);
		return -1;
	}
	c->pid = fork();
	if (c->pid == 0)
		child_exec(*group, in, out, errp[1], rep[1], c->stage->argv, c->envp);
	if (c->pid > 0) {
		setpgid(c->pid, *group ? *group : c->pid);	/* as the child does: whoever is first */
		if (!*group)
			*group = c->pid;
	}
	close(errp[1]);
	close(rep[1]);
	if (c->pid < 0) {
		close(errp[0]);
		close(rep[0]);
		return -1;
	}
	c->err_fd = errp[0];
	/* The report pipe closes on a successful execve; 4 bytes mean it failed. */
	do
		got = read(rep[0], &e, sizeof e);
	while (got < 0 && errno == EINTR);
	close(rep[0]);
	if (got == (ssize_t)sizeof e)
		c->exec_errno = e ? e : ENOEXEC;
	return 0;
}

/* Pipeline p failed on its own: stop the other pipelines (once), which then count as stopped. */
static void stop_siblings(struct child *ch, size_t npipes, size_t n, size_t p, int *first)
{
	if (*first >= 0)
		return;
	*first = (int)p;
	for (size_t q = 0; q < npipes; q++) {
		for (size_t i = 0; q != p && i < n; i++) {
			struct child *c = &ch[q * n + i];
			if (!c->reaped && c->pid > 0) {
				kill(c->pid, SIGTERM);
				c->stopped = c->sibling = true;
			}
		}
	}
}

/* Reaps stage i of pipeline p; stops the other pipelines when it failed on its own. */
static void reap_stage(struct child *ch, size_t npipes, size_t n, size_t p, size_t i, bool block, int *first)
{
	if (reap(&ch[p * n], i, block) && npipes > 1)
		stop_siblings(ch, npipes, n, p, first);
}

/* Starts the stages of pipeline p (ch: its children) joined by pipes. Returns 0 or an errno. */
static int start_pipeline(struct child *ch, size_t n, pid_t *group)
{
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC), err = 0;

	if (in < 0)
		return errno;
	for (size_t i = 0; i < n; i++) {
		int data[2] = { -1, -1 };
		if (i + 1 < n && pipe2(data, O_CLOEXEC) < 0) {
			err = errno;
			break;
		}
		/* The tools write ~1 MiB frames; a pipe that holds one saves many wake-ups. The system may
		 * refuse the size (pipe-max-size); the default then does. */
		if (data[1] >= 0)
			fcntl(data[1], F_SETPIPE_SZ, 1 << 20);
		if (start_child(&ch[i], in, i + 1 < n ? data[1] : STDERR_FILENO, group) < 0)
			err = errno ? errno : EAGAIN;
		close(in);
		in = data[0];
		if (data[1] >= 0)
			close(data[1]);
		if (err)
			break;
	}
	if (in >= 0)
		close(in);
	return err;
}

/* The outcome of pipeline ch (n stages) into res, after every stage was reaped. */
static void pipeline_outcome(const struct child *ch, size_t n, struct mvs_runner_result *res)
{
	int bad = blame(ch, n);

	if (bad >= 0) {
		res->failed = bad;
		res->stopped = ch[bad].sibling;
		describe_failure(&ch[bad], res);
		copy_text(res->report, sizeof res->report, ch[bad].report);
	} else if (res->counts.export_final >= 0 && res->counts.import_final >= 0 &&
		   res->counts.export_final != res->counts.import_final) {
		res->failed = (int)n - 1;
		res->exit_code = MVS_EXIT_VERIFY;
		snprintf(res->message, sizeof res->message,
			 "row counts differ: mvs-export exported %" PRId64 " rows, mvs-import imported %" PRId64,
			 res->counts.export_final, res->counts.import_final);
	}
}

int mvs_runner_run(const struct mvs_stage *stages, size_t npipes, size_t n, const struct mvs_runner_hooks *h,
		   struct mvs_runner_result *res)
{
	size_t total = npipes * n;
	struct child *ch = calloc(total ? total : 1, sizeof *ch);
	struct pollfd *pfd = calloc(total ? total : 1, sizeof *pfd);
	size_t *idx = calloc(total ? total : 1, sizeof *idx);
	int start_errno = 0, first = -1;
	int cancels = 0;	/* SIGTERMs sent to every stage: 1 stops them, 2 makes them quit at once */
	pid_t group = 0;

	for (size_t p = 0; p < npipes; p++) {
		memset(&res[p], 0, sizeof res[p]);
		res[p].failed = -1;
		res[p].counts.export_percent = -1;
		res[p].counts.export_final = res[p].counts.import_final = -1;
	}
	if (!ch || !pfd || !idx || total == 0) {
		free(ch);
		free(pfd);
		free(idx);
		for (size_t p = 0; p < npipes; p++) {
			res[p].exit_code = MVS_EXIT_FAILURE;
			copy_text(res[p].message, sizeof res[p].message, n ? "out of memory" : "no stages");
		}
		return npipes ? 0 : -1;
	}
	for (size_t i = 0; i < total; i++) {
		ch[i].stage = &stages[i];
		ch[i].pipe = i / n;
		ch[i].err_fd = -1;
	}
	for (size_t p = 0; p < npipes && !start_errno; p++)
		start_errno = start_pipeline(&ch[p * n], n, &group);
	if (start_errno) {
		/* Could not start every stage: stop the ones that run, then report it. */
		for (size_t i = 0; i < total; i++)
			if (ch[i].pid > 0)
				kill(ch[i].pid, SIGTERM);
	}

	for (;;) {
		size_t k = 0;
		for (size_t i = 0; i < total; i++) {
			if (ch[i].err_fd >= 0) {
				pfd[k] = (struct pollfd){ .fd = ch[i].err_fd, .events = POLLIN };
				idx[k++] = i;
			} else {
				reap_stage(ch, npipes, n, i / n, i % n, false, &first);
			}
		}
		if (k == 0)
			break;
		if (poll(pfd, k, 200) < 0 && errno != EINTR)
			break;
		if (h && h->cancel && atomic_load(h->cancel) > cancels && cancels < 2) {
			cancels++;
			for (size_t i = 0; i < total; i++) {
				if (!ch[i].reaped && ch[i].pid > 0) {
					kill(ch[i].pid, SIGTERM);
					ch[i].stopped = true;
				}
			}
		}
		for (size_t j = 0; j < k; j++) {
			struct child *c = &ch[idx[j]];
			if (!(pfd[j].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t got = read(c->err_fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
			if (got < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (got > 0) {
				c->len += (size_t)got;
				stage_lines(c, false, &res[c->pipe], h);
				continue;
			}
			stage_lines(c, true, &res[c->pipe], h);
			close(c->err_fd);
			c->err_fd = -1;
			reap_stage(ch, npipes, n, c->pipe, idx[j] % n, false, &first);
		}
	}
	for (size_t i = 0; i < total; i++) {
		if (ch[i].err_fd >= 0)
			close(ch[i].err_fd);
		reap_stage(ch, npipes, n, i / n, i % n, true, &first);
		child_env_free(&ch[i]);
	}

	for (size_t p = 0; p < npipes; p++) {
		if (start_errno) {
			res[p].exit_code = MVS_EXIT_FAILURE;
			snprintf(res[p].message, sizeof res[p].message, "cannot start the pipeline: %s",
				 strerror(start_errno));
		} else if (cancels) {
			/* what the last stage (mvs-import) says it wrote, and how to resume */
			res[p].exit_code = 128 + SIGINT;
			copy_text(res[p].message, sizeof res[p].message, "interrupted");
			copy_text(res[p].report, sizeof res[p].report, ch[p * n + n - 1].report);
		} else {
			pipeline_outcome(&ch[p * n], n, &res[p]);
		}
	}
	/* No stage failed on its own: the first failed pipeline, if any (row counts that differ). */
	for (size_t p = 0; first < 0 && p < npipes; p++)
		if (res[p].exit_code && !res[p].stopped)
			first = (int)p;
	free(ch);
	free(pfd);
	free(idx);
	return first;
}
