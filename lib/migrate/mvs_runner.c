/* The runner of mvs-migrate (see mvs_runner.h): fork/exec of every stage with pipes between them, a
 * pipe for each one's stderr and one for its status channel, a poll loop that splits those into lines
 * (status events, messages, errors), reaping, and the rules that tell the stage that failed on its own
 * from those that only died of it. */
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

#include <jansson.h>

#include "mvs_exit.h"

extern char **environ;

struct child {
	const struct mvs_stage *stage;
	size_t pipe;		/* the pipeline it belongs to */
	pid_t pid;
	int err_fd;		/* read end of its stderr; -1 after EOF */
	int st_fd;		/* read end of its status channel; -1 when it has none, or after EOF */
	char **argv;		/* the stage's argv, plus "--status-fd 3" when it speaks the channel */
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
	bool ended;		/* its status channel's end event came */
	int end_exit;		/* ... and said this exit code */
	size_t st_len;
	bool st_skip;		/* the status line being read is too long: dropped up to its newline */
	char st_buf[16384];
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

/* Whether a variable of our environment goes to the stages: what the tools, gRPC and the C library
 * read (search path, locale, time zone, terminal, temporary files, gRPC's logging, proxies and
 * certificates, the sanitizers' options), nothing else. The secrets of a config's ${VARS}, the REST
 * server's token and whatever else mvs-migrate was started with stay here. */
static bool stage_variable(const char *entry)
{
	static const char *const names[] = {
		"PATH=", "HOME=", "LANG=", "LANGUAGE=", "TZ=", "TERM=", "NO_COLOR=", "TMPDIR=",
		"LD_LIBRARY_PATH=", "SSL_CERT_FILE=", "SSL_CERT_DIR=", "http_proxy=", "https_proxy=",
		"no_proxy=", "grpc_proxy=", "no_grpc_proxy=", "HTTP_PROXY=", "HTTPS_PROXY=", "NO_PROXY=",
		"ASAN_OPTIONS=", "UBSAN_OPTIONS=", "LSAN_OPTIONS=",
	};
	static const char *const prefixes[] = { "LC_", "GRPC_" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (has_prefix(entry, names[i]))
			return true;
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (has_prefix(entry, prefixes[i]) && strchr(entry, '='))
			return true;
	return false;
}

/* The stage's environment: stage_variable's part of ours, plus its own password or token. Built
 * before fork because the child may only call async-signal-safe functions. */
static int child_env(struct child *c)
{
	size_t n = 0, k = 0;

	while (environ[n])
		n++;
	if (!(c->envp = calloc(n + 3, sizeof *c->envp)))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (stage_variable(environ[i]))
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
	free(c->argv);
	c->argv = NULL;
	if (!c->envp)
		return;
	for (size_t i = c->env_owned; c->envp[i]; i++) {
		explicit_bzero(c->envp[i], strlen(c->envp[i]));
		free(c->envp[i]);
	}
	free(c->envp);
	c->envp = NULL;
}

/* The stage's argv, with "--status-fd 3" at the end when it speaks the status channel (at the end,
 * so that `sh -c SCRIPT` stand-ins take them as $0 and $1). */
static int child_argv(struct child *c)
{
	size_t n = 0;

	while (c->stage->argv[n])
		n++;
	if (!(c->argv = calloc(n + 3, sizeof *c->argv)))
		return -1;
	memcpy(c->argv, c->stage->argv, n * sizeof *c->argv);
	if (c->stage->status) {
		c->argv[n++] = "--status-fd";
		c->argv[n++] = "3";
	}
	return 0;
}

static int move_fd(int from, int to)
{
	if (from == to)
		return fcntl(to, F_SETFD, 0);
	return dup2(from, to) < 0 ? -1 : 0;
}

/* In the child: only async-signal-safe calls from here to execve. group: the process group to join
 * (0: a new one of its own). status: the write end of its status channel, which becomes fd 3, or -1;
 * output: the file its stdout goes to instead of out, or NULL. */
static void child_exec(pid_t group, int in, int out, int err, int status, const char *output, int report,
		       char **argv, char **envp)
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
	if (status >= 0 && report == 3)	/* fd 3 is about to become the status channel */
		report = fcntl(report, F_DUPFD_CLOEXEC, 4);
	/* Read-write, so that opening a FIFO does not wait for its reader (fifo(7)); a reader that
	 * leaves early is told by its exit, which makes the runner stop this stage. */
	if (output && (out = open(output, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		goto failed;
	if (move_fd(in, 0) == 0 && move_fd(out, 1) == 0 && move_fd(err, 2) == 0 &&
	    (status < 0 || move_fd(status, 3) == 0))
		execve(argv[0], argv, envp);
failed:;
	int e = errno;
	ssize_t w = write(report, &e, sizeof e);	/* nothing more to do if even this fails */
	(void)w;
	_exit(127);
}

static void copy_text(char *to, size_t size, const char *from)
{
	snprintf(to, size, "%s", from);
}

/* The names of the fields a unit event lists that travel in rows, comma-separated, in order. */
static void unit_fields(json_t *fields, char *to, size_t size)
{
	size_t len = 0, i;
	json_t *f;

	to[0] = '\0';
	json_array_foreach(fields, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		if (!name || json_is_true(json_object_get(f, "function_output")))
			continue;
		int w = snprintf(to + len, size - len, "%s%s", len ? "," : "", name);
		if (w < 0 || (size_t)w >= size - len) {
			to[0] = '\0';	/* too many to list: none rather than some */
			return;
		}
		len += (size_t)w;
	}
}

static uint64_t event_u64(json_t *ev, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(ev, key));
	return v > 0 ? (uint64_t)v : 0;
}

/* One event of a stage's status channel (man/mvs-status.5): progress and end counts for mvs-export
 * and mvs-import, and what the last stage of the pipeline ends with. Lines that are not events of
 * version 1 are ignored. */
static void status_event(struct child *c, bool last, const char *line, struct mvs_runner_result *res,
			 const struct mvs_runner_hooks *h)
{
	json_t *ev = json_loads(line, 0, NULL);
	const char *kind = json_string_value(json_object_get(ev, "event"));
	bool is_export = strcmp(c->stage->name, "mvs-export") == 0, is_import = strcmp(c->stage->name, "mvs-import") == 0;
	struct mvs_runner_counts *k = &res->counts;
	uint64_t rows = event_u64(ev, "rows");

	if (!kind || json_integer_value(json_object_get(ev, "v")) != 1)
		goto out;
	if (strcmp(kind, "progress") == 0 && (is_export || is_import)) {
		if (is_export) {
			json_t *pct = json_object_get(ev, "percent");
			k->exported = rows;
			k->export_percent = json_is_number(pct) ? json_number_value(pct) : -1;
		} else {
			k->imported = rows;
		}
		if (h && h->progress)
			h->progress(h->ctx, c->pipe, k);
	} else if (strcmp(kind, "unit") == 0 && last) {
		unit_fields(json_object_get(ev, "fields"), res->final.fields, sizeof res->final.fields);
	} else if (strcmp(kind, "end") == 0) {
		const char *digest = json_string_value(json_object_get(ev, "digest"));
		c->ended = true;
		c->end_exit = (int)json_integer_value(json_object_get(ev, "exit"));
		if (c->end_exit == 0 && (is_export || is_import)) {
			*(is_export ? &k->exported : &k->imported) = rows;
			*(is_export ? &k->export_final : &k->import_final) = (int64_t)rows;
			if (h && h->progress)
				h->progress(h->ctx, c->pipe, k);
		}
		if (last) {
			res->final.ended = true;
			res->final.rows = rows;
			res->final.have_digest = digest && strlen(digest) == 16;
			res->final.digest = res->final.have_digest ? strtoull(digest, NULL, 16) : 0;
			res->final.digest_pk = json_is_true(json_object_get(ev, "digest_pk"));
		}
	}
out:
	json_decref(ev);
}

/* Splits what was read from a status channel into lines; a line longer than the buffer is dropped. */
static void status_lines(struct child *c, bool last, struct mvs_runner_result *res,
			 const struct mvs_runner_hooks *h)
{
	size_t start = 0;

	for (size_t i = 0; i < c->st_len; i++) {
		if (c->st_buf[i] != '\n')
			continue;
		c->st_buf[i] = '\0';
		if (!c->st_skip)
			status_event(c, last, c->st_buf + start, res, h);
		c->st_skip = false;
		start = i + 1;
	}
	if (start == 0 && c->st_len == sizeof c->st_buf - 1) {
		c->st_skip = true;
		start = c->st_len;
	}
	memmove(c->st_buf, c->st_buf + start, c->st_len - start);
	c->st_len -= start;
}

/* A line of a stage's stderr: its error (and the report lines after it) are kept for the result; the
 * other lines go to the line hook. */
static void stage_line(struct child *c, const char *line, const struct mvs_runner_hooks *h)
{
	const char *name = c->stage->name;
	size_t nl = strlen(name);

	if (!*line)
		return;
	/* The error and what follows it are told once, by whoever runs us (mvs_runner_result). */
	if (c->error[0]) {
		report_add(c, line);
		return;
	}
	if (strncmp(line, name, nl) == 0 && line[nl] == ':' && line[nl + 1] == ' ' &&
	    has_prefix(line + nl + 2, "error: ")) {
		copy_text(c->error, sizeof c->error, line + nl + 9);
		return;
	}
	copy_text(c->last, sizeof c->last, line);
	if (h && h->line)
		h->line(h->ctx, c->pipe, c->stage, line);
}

/* Splits what was read into lines (a progress line on a terminal ends in \r, elsewhere in \n). */
static void stage_lines(struct child *c, bool eof, const struct mvs_runner_hooks *h)
{
	size_t start = 0;

	for (size_t i = 0; i < c->len; i++) {
		if (c->buf[i] == '\n' || c->buf[i] == '\r') {
			c->buf[i] = '\0';
			stage_line(c, c->buf + start, h);
			start = i + 1;
		}
	}
	if (start == 0 && (eof || c->len == sizeof c->buf - 1)) {
		c->buf[c->len] = '\0';	/* a line too long for the buffer goes out in pieces */
		stage_line(c, c->buf, h);
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

/* Closes both ends of a pipe, keeping errno. */
static void close_pair(int fds[2])
{
	int saved = errno;

	close(fds[0]);
	close(fds[1]);
	errno = saved;
}

/* Forks stage c; in/out are its stdin and stdout. The stages of a run share a process group of their
 * own (*group; 0 until the first is started): a Ctrl-C typed at the terminal reaches only us, and
 * the runner stops them in order (see mvs_runner_hooks.cancel). */
static int start_child(struct child *c, int in, int out, bool last, pid_t *group)
{
	int errp[2], rep[2], stp[2] = { -1, -1 }, e = 0;
	ssize_t got;

	if (child_env(c) < 0 || child_argv(c) < 0)
		return -1;
	if (pipe2(errp, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(rep, O_CLOEXEC) < 0) {
		close_pair(errp);
		return -1;
	}
	if (c->stage->status && pipe2(stp, O_CLOEXEC) < 0) {
		close_pair(errp);
		close_pair(rep);
		return -1;
	}
	c->pid = fork();
	if (c->pid == 0)
		child_exec(*group, in, out, errp[1], stp[1], last ? c->stage->output : NULL, rep[1], c->argv,
			   c->envp);
	if (c->pid > 0) {
		setpgid(c->pid, *group ? *group : c->pid);	/* as the child does: whoever is first */
		if (!*group)
			*group = c->pid;
	}
	close(errp[1]);
	close(rep[1]);
	if (stp[1] >= 0)
		close(stp[1]);
	if (c->pid < 0) {
		close(errp[0]);
		close(rep[0]);
		if (stp[0] >= 0)
			close(stp[0]);
		return -1;
	}
	c->err_fd = errp[0];
	c->st_fd = stp[0];
	/* The report pipe closes on a successful execve; 4 bytes mean it failed. */
	do
		got = read(rep[0], &e, sizeof e);
	while (got < 0 && errno == EINTR);
	close(rep[0]);
	if (got == (ssize_t)sizeof e)
		c->exec_errno = e ? e : ENOEXEC;
	return 0;
}

/* The pipelines of a run: pipeline p is ch[first[p]] to ch[first[p] + len[p] - 1]. */
struct layout {
	size_t npipes;
	const size_t *len;
	size_t *first;
};

/* Pipeline p failed on its own: stop the other pipelines (once), which then count as stopped. */
static void stop_siblings(struct child *ch, const struct layout *L, size_t p, int *failed_first)
{
	if (*failed_first >= 0)
		return;
	*failed_first = (int)p;
	for (size_t q = 0; q < L->npipes; q++) {
		for (size_t i = 0; q != p && i < L->len[q]; i++) {
			struct child *c = &ch[L->first[q] + i];
			if (!c->reaped && c->pid > 0) {
				kill(c->pid, SIGTERM);
				c->stopped = c->sibling = true;
			}
		}
	}
}

/* Reaps child k (stage i of pipeline p); stops the other pipelines when it failed on its own. */
static void reap_child(struct child *ch, const struct layout *L, size_t k, bool block, int *failed_first)
{
	size_t p = ch[k].pipe;

	if (reap(&ch[L->first[p]], k - L->first[p], block) && L->npipes > 1)
		stop_siblings(ch, L, p, failed_first);
}

/* Starts the stages of a pipeline (ch: its n children) joined by pipes. Returns 0 or an errno. */
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
		if (start_child(&ch[i], in, i + 1 < n ? data[1] : STDERR_FILENO, i + 1 == n, group) < 0)
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

/* The outcome of a pipeline (ch: its n stages) into res, after every stage was reaped. */
static void pipeline_outcome(const struct child *ch, size_t n, struct mvs_runner_result *res)
{
	int bad = blame(ch, n);

	if (bad >= 0) {
		res->failed = bad;
		res->stopped = ch[bad].sibling;
		describe_failure(&ch[bad], res);
		copy_text(res->report, sizeof res->report, ch[bad].report);
		return;
	}
	/* Every stage exited 0: each that speaks the status channel must have said so there too. */
	for (size_t i = 0; i < n; i++) {
		if (ch[i].stage->status && (!ch[i].ended || ch[i].end_exit != 0)) {
			res->failed = (int)i;
			res->exit_code = MVS_EXIT_FAILURE;
			if (ch[i].ended)
				snprintf(res->message, sizeof res->message,
					 "exited 0, but its status channel said exit %d", ch[i].end_exit);
			else
				snprintf(res->message, sizeof res->message, "exited 0 without the end event of its "
					 "status channel: its result cannot be trusted");
			return;
		}
	}
	if (res->counts.export_final >= 0 && res->counts.import_final >= 0 &&
	    res->counts.export_final != res->counts.import_final) {
		res->failed = (int)n - 1;
		res->exit_code = MVS_EXIT_VERIFY;
		snprintf(res->message, sizeof res->message,
			 "row counts differ: mvs-export exported %" PRId64 " rows, mvs-import imported %" PRId64,
			 res->counts.export_final, res->counts.import_final);
	}
}

/* Reads what a child's stderr or status channel has; closes it at its end and reaps the child once
 * both are closed. */
static void read_child(struct child *ch, const struct layout *L, size_t k, bool status,
		       struct mvs_runner_result *res, const struct mvs_runner_hooks *h, int *failed_first)
{
	struct child *c = &ch[k];
	int *fd = status ? &c->st_fd : &c->err_fd;
	char *buf = status ? c->st_buf : c->buf;
	size_t *len = status ? &c->st_len : &c->len;
	size_t cap = status ? sizeof c->st_buf : sizeof c->buf;
	bool last = k - L->first[c->pipe] + 1 == L->len[c->pipe];
	ssize_t got = read(*fd, buf + *len, cap - 1 - *len);

	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (got > 0)
		*len += (size_t)got;
	if (status)
		status_lines(c, last, res, h);
	else
		stage_lines(c, got <= 0, h);
	if (got > 0)
		return;
	close(*fd);
	*fd = -1;
	if (c->err_fd < 0 && c->st_fd < 0)
		reap_child(ch, L, k, false, failed_first);
}

int mvs_runner_run(const struct mvs_stage *stages, const size_t *lens, size_t npipes,
		   const struct mvs_runner_hooks *h, struct mvs_runner_result *res)
{
	size_t total = 0;

	for (size_t p = 0; p < npipes; p++)
		total += lens[p];
	struct child *ch = calloc(total ? total : 1, sizeof *ch);
	struct pollfd *pfd = calloc(2 * total + 1, sizeof *pfd);
	size_t *idx = calloc(2 * total + 1, sizeof *idx);
	size_t *first = calloc(npipes + 1, sizeof *first);
	struct layout L = { .npipes = npipes, .len = lens, .first = first };
	int start_errno = 0, failed_first = -1;
	int cancels = 0;	/* SIGTERMs sent to every stage: 1 stops them, 2 makes them quit at once */
	pid_t group = 0;

	for (size_t p = 0; p < npipes; p++) {
		memset(&res[p], 0, sizeof res[p]);
		res[p].failed = -1;
		res[p].counts.export_percent = -1;
		res[p].counts.export_final = res[p].counts.import_final = -1;
	}
	if (!ch || !pfd || !idx || !first || total == 0) {
		free(ch);
		free(pfd);
		free(idx);
		free(first);
		for (size_t p = 0; p < npipes; p++) {
			res[p].exit_code = MVS_EXIT_FAILURE;
			copy_text(res[p].message, sizeof res[p].message, total ? "out of memory" : "no stages");
		}
		return npipes ? 0 : -1;
	}
	for (size_t p = 0, k = 0; p < npipes; p++) {
		first[p] = k;
		for (size_t i = 0; i < lens[p]; i++, k++) {
			ch[k].stage = &stages[k];
			ch[k].pipe = p;
			ch[k].err_fd = ch[k].st_fd = -1;
		}
	}
	for (size_t p = 0; p < npipes && !start_errno; p++)
		start_errno = start_pipeline(&ch[first[p]], lens[p], &group);
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
				idx[k++] = 2 * i;
			}
			if (ch[i].st_fd >= 0) {
				pfd[k] = (struct pollfd){ .fd = ch[i].st_fd, .events = POLLIN };
				idx[k++] = 2 * i + 1;
			}
			if (ch[i].err_fd < 0 && ch[i].st_fd < 0)
				reap_child(ch, &L, i, false, &failed_first);
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
			size_t i = idx[j] / 2;
			if (pfd[j].revents & (POLLIN | POLLHUP | POLLERR))
				read_child(ch, &L, i, idx[j] % 2, &res[ch[i].pipe], h, &failed_first);
		}
	}
	for (size_t i = 0; i < total; i++) {
		if (ch[i].err_fd >= 0)
			close(ch[i].err_fd);
		if (ch[i].st_fd >= 0)
			close(ch[i].st_fd);
		reap_child(ch, &L, i, true, &failed_first);
		child_env_free(&ch[i]);
	}

	for (size_t p = 0; p < npipes; p++) {
		const struct child *pc = &ch[first[p]];
		if (start_errno) {
			res[p].exit_code = MVS_EXIT_FAILURE;
			snprintf(res[p].message, sizeof res[p].message, "cannot start the pipeline: %s",
				 strerror(start_errno));
		} else if (cancels) {
			/* what the last stage (mvs-import) says it wrote, and how to resume */
			res[p].exit_code = 128 + SIGINT;
			copy_text(res[p].message, sizeof res[p].message, "interrupted");
			copy_text(res[p].report, sizeof res[p].report, pc[lens[p] - 1].report);
		} else {
			pipeline_outcome(pc, lens[p], &res[p]);
		}
	}
	/* No stage failed on its own: the first failed pipeline, if any (row counts that differ). */
	for (size_t p = 0; failed_first < 0 && p < npipes; p++)
		if (res[p].exit_code && !res[p].stopped)
			failed_first = (int)p;
	free(ch);
	free(pfd);
	free(idx);
	free(first);
	return failed_first;
}
