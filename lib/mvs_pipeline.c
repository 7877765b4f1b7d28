/* mvs-migrate's engine (see mvs_pipeline.h): config -> three command lines, fork/exec with pipes and no
 * shell, progress and errors read from each child's stderr, and the migration job over collections. */
#include "mvs_pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mvs_cli.h"
#include "mvs_exit.h"

extern char **environ;

/* ---- the plan ---- */

struct args {
	char **v;
	size_t n, cap;
	bool failed;
};

static void arg(struct args *a, const char *s)
{
	if (a->failed)
		return;
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->v, cap * sizeof *v);
		if (!v) {
			a->failed = true;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	if (!(a->v[a->n] = strdup(s))) {
		a->failed = true;
		return;
	}
	a->v[++a->n] = NULL;
}

static void opt(struct args *a, const char *option, const char *value)
{
	if (!value)
		return;
	arg(a, option);
	arg(a, value);
}

static void opt_int(struct args *a, const char *option, int64_t value)
{
	char text[24];

	if (value <= 0)
		return;
	snprintf(text, sizeof text, "%" PRId64, value);
	opt(a, option, text);
}

static void opt_list(struct args *a, const char *option, const struct mvs_cfg_list *l)
{
	size_t len = 1;
	char *text;

	if (!l->n)
		return;
	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	if (!(text = malloc(len))) {
		a->failed = true;
		return;
	}
	text[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			strcat(text, ",");
		strcat(text, l->v[i]);
	}
	opt(a, option, text);
	free(text);
}

static void program(struct args *a, const char *bindir, const char *name)
{
	char *path;

	if (!bindir) {
		arg(a, name);
	} else if (asprintf(&path, "%s/%s", bindir, name) < 0) {
		a->failed = true;
	} else {
		arg(a, path);
		free(path);
	}
}

static void conn_args(struct args *a, const struct mvs_cfg_conn *c)
{
	opt(a, "--uri", c->endpoint);
	opt(a, "--db", c->database);
	opt(a, "--user", c->username);
	opt(a, "--tls-ca", c->tls_ca);
	opt(a, "--tls-cert", c->tls_cert);
	opt(a, "--tls-key", c->tls_key);
	opt(a, "--tls-server-name", c->tls_server_name);
}

int mvs_plan_build(const struct mvs_cfg *cfg, size_t i, const char *bindir, struct mvs_plan *plan)
{
	const struct mvs_cfg_collection *col = &cfg->collections[i];
	struct args ex = { 0 }, map = { 0 }, im = { 0 };
	char shards[24];

	memset(plan, 0, sizeof *plan);
	plan->source = col->name;
	plan->target = col->target ? col->target : col->name;

	program(&ex, bindir, "mvs-export");
	conn_args(&ex, &cfg->source);
	opt(&ex, "--collection", col->name);
	opt_list(&ex, "--fields", &col->fields);
	opt(&ex, "--filter", col->filter);
	for (size_t p = 0; p < col->partitions.n; p++)
		opt(&ex, "--partition", col->partitions.v[p]);
	opt_int(&ex, "--batch-size", cfg->buffer_size);
	if (cfg->source.load)
		arg(&ex, "--load");
	opt_int(&ex, "--max-recv-bytes", cfg->source.max_recv_bytes);
	arg(&ex, "--progress");

	program(&map, bindir, "mvs-map");
	if (strcmp(plan->target, col->name) != 0)
		opt(&map, "--collection", plan->target);
	if (cfg->shard_num > 0) {
		snprintf(shards, sizeof shards, "%" PRId64, cfg->shard_num);
		opt(&map, "--shards", shards);
	}
	opt(&map, "--consistency", cfg->consistency);
	if (cfg->dynamic >= 0)
		opt(&map, "--dynamic", cfg->dynamic ? "on" : "off");

	program(&im, bindir, "mvs-import");
	conn_args(&im, &cfg->target);
	if (cfg->target.create_database && cfg->target.database && strcmp(cfg->target.database, "default"))
		arg(&im, "--create-db");
	if (cfg->target.upsert)
		opt(&im, "--mode", "upsert");
	if (cfg->auto_id != MVS_CFG_AUTO_ID_SOURCE)
		opt(&im, "--auto-id", cfg->auto_id == MVS_CFG_AUTO_ID_TRUE ? "new" : "keep");
	if (cfg->create_index)
		arg(&im, "--create-index");
	if (cfg->load)
		arg(&im, "--load");
	opt_int(&im, "--max-send-bytes", cfg->target.max_send_bytes);
	arg(&im, "--progress");

	plan->stage[MVS_STAGE_EXPORT] = (struct mvs_stage){
		.name = "mvs-export", .argv = ex.v,
		.password = cfg->source.password, .token = cfg->source.token,
		.password_var = cfg->source.password_var ? cfg->source.password_var : "SOURCE_PASSWORD",
		.token_var = cfg->source.token_var ? cfg->source.token_var : "SOURCE_TOKEN",
	};
	plan->stage[MVS_STAGE_MAP] = (struct mvs_stage){ .name = "mvs-map", .argv = map.v };
	plan->stage[MVS_STAGE_IMPORT] = (struct mvs_stage){
		.name = "mvs-import", .argv = im.v,
		.password = cfg->target.password, .token = cfg->target.token,
		.password_var = cfg->target.password_var ? cfg->target.password_var : "TARGET_PASSWORD",
		.token_var = cfg->target.token_var ? cfg->target.token_var : "TARGET_TOKEN",
	};
	if (ex.failed || map.failed || im.failed || !ex.v || !map.v || !im.v) {
		mvs_plan_free(plan);
		return -1;
	}
	return 0;
}

void mvs_plan_free(struct mvs_plan *plan)
{
	for (int s = 0; s < MVS_STAGES; s++) {
		char **v = plan->stage[s].argv;
		for (size_t i = 0; v && v[i]; i++)
			free(v[i]);
		free(v);
		plan->stage[s].argv = NULL;
	}
}

/* Writes s as one shell word: bare when it is plain, else in single quotes. */
static void shell_word(FILE *f, const char *s)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@%+=:,./_-";

	if (*s && strspn(s, plain) == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

char *mvs_plan_shell(const struct mvs_plan *plan)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (int s = 0; s < MVS_STAGES; s++) {
		const struct mvs_stage *st = &plan->stage[s];
		if (s)
			fputs(" | ", f);
		if (st->password)
			fprintf(f, "MILVUS_PASSWORD=\"$%s\" ", st->password_var);
		if (st->token)
			fprintf(f, "MILVUS_TOKEN=\"$%s\" ", st->token_var);
		for (size_t i = 0; st->argv[i]; i++) {
			if (i)
				fputc(' ', f);
			shell_word(f, st->argv[i]);
		}
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* ---- the runner ---- */

struct child {
	const struct mvs_stage *stage;
	pid_t pid;
	int err_fd;		/* read end of its stderr; -1 after EOF */
	int status;		/* from waitpid */
	int exec_errno;		/* execve failed with this */
	bool reaped;
	bool stopped;		/* the runner terminated it */
	char **envp;
	size_t env_owned;	/* envp entries from here on are ours to free */
	size_t len;
	char buf[4096];
	char error[1024];	/* its last "error:" message */
	char last[1024];	/* its last other line */
};

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

/* In the child: only async-signal-safe calls from here to execve. */
static void child_exec(int in, int out, int err, int report, char **argv, char **envp)
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

/* A progress line "N rows (P%), R rows/s" or "N rows, R rows/s"; false when it is not one. */
static bool parse_progress(const char *rest, unsigned long long *rows, double *pct)
{
	int k = 0;

	*pct = -1;
	if (sscanf(rest, "%llu rows (%lf%%), %*f rows/s%n", rows, pct, &k) == 2 && k && !rest[k])
		return true;
	k = 0;
	*pct = -1;
	return sscanf(rest, "%llu rows, %*f rows/s%n", rows, &k) == 1 && k && !rest[k];
}

static void stage_line(struct child *c, const char *line, struct mvs_pipeline_result *res,
		       const struct mvs_pipeline_hooks *h)
{
	const char *name = c->stage->name;
	size_t nl = strlen(name);
	bool is_export = strcmp(name, "mvs-export") == 0, is_import = strcmp(name, "mvs-import") == 0;
	struct mvs_pipeline_counts *k = &res->counts;
	unsigned long long rows;
	double pct;
	int n = 0;

	if (!*line)
		return;
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
				h->progress(h->ctx, k);
			return;
		}
		if (is_export && sscanf(rest, "exported %llu rows%n", &rows, &n) == 1 && n) {
			k->exported = rows;
			k->export_final = (int64_t)rows;
			if (h && h->progress)
				h->progress(h->ctx, k);
		} else if (is_import && sscanf(rest, "imported %llu rows%n", &rows, &n) == 1 && n) {
			k->imported = rows;
			k->import_final = (int64_t)rows;
			if (h && h->progress)
				h->progress(h->ctx, k);
		} else if (has_prefix(rest, "error: ")) {
			copy_text(c->error, sizeof c->error, rest + 7);
		}
	}
	copy_text(c->last, sizeof c->last, line);
	if (h && h->line)
		h->line(h->ctx, c->stage, line);
}

/* Splits what was read into lines (progress on a terminal ends in \r, elsewhere in \n). */
static void stage_lines(struct child *c, bool eof, struct mvs_pipeline_result *res,
			const struct mvs_pipeline_hooks *h)
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

static void reap(struct child *ch, size_t i, bool block)
{
	struct child *c = &ch[i];

	if (c->reaped || c->pid <= 0)
		return;
	pid_t r;
	do
		r = waitpid(c->pid, &c->status, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return;
	if (r < 0)
		c->status = 0x7f00;	/* lost: count it as a failure (exit 127) */
	c->reaped = true;
	if (own_failure(c))
		stop_upstream(ch, i);
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

static void describe_failure(const struct child *c, struct mvs_pipeline_result *res)
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

/* Forks stage i; in/out are its stdin and stdout. */
static int start_child(struct child *c, int in, int out)
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
		child_exec(in, out, errp[1], rep[1], c->stage->argv, c->envp);
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

int mvs_pipeline_run(const struct mvs_stage *stages, size_t n, const struct mvs_pipeline_hooks *h,
		     struct mvs_pipeline_result *res)
{
	struct child *ch = calloc(n, sizeof *ch);
	struct pollfd *pfd = calloc(n, sizeof *pfd);
	size_t *idx = calloc(n, sizeof *idx);
	int in = -1, start_errno = 0;
	bool cancelled = false;

	memset(res, 0, sizeof *res);
	res->failed = -1;
	res->counts.export_percent = -1;
	res->counts.export_final = res->counts.import_final = -1;
	if (!ch || !pfd || !idx || n == 0) {
		free(ch);
		free(pfd);
		free(idx);
		res->exit_code = MVS_EXIT_FAILURE;
		copy_text(res->message, sizeof res->message, n ? "out of memory" : "no stages");
		return res->exit_code;
	}
	for (size_t i = 0; i < n; i++) {
		ch[i].stage = &stages[i];
		ch[i].err_fd = -1;
	}

	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		start_errno = errno;
	for (size_t i = 0; i < n && !start_errno; i++) {
		int data[2] = { -1, -1 };
		if (i + 1 < n && pipe2(data, O_CLOEXEC) < 0) {
			start_errno = errno;
			break;
		}
		/* The tools write ~1 MiB frames; a pipe that holds one saves many wake-ups. The system may
		 * refuse the size (pipe-max-size); the default then does. */
		if (data[1] >= 0)
			fcntl(data[1], F_SETPIPE_SZ, 1 << 20);
		if (start_child(&ch[i], in, i + 1 < n ? data[1] : STDERR_FILENO) < 0)
			start_errno = errno ? errno : EAGAIN;
		close(in);
		in = data[0];
		if (data[1] >= 0)
			close(data[1]);
	}
	if (in >= 0)
		close(in);
	if (start_errno) {
		/* Could not start every stage: stop the ones that run, then report it. */
		for (size_t i = 0; i < n; i++)
			if (ch[i].pid > 0)
				kill(ch[i].pid, SIGTERM);
	}

	for (;;) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (ch[i].err_fd >= 0) {
				pfd[k] = (struct pollfd){ .fd = ch[i].err_fd, .events = POLLIN };
				idx[k++] = i;
			} else {
				reap(ch, i, false);
			}
		}
		if (k == 0)
			break;
		if (poll(pfd, k, 200) < 0 && errno != EINTR)
			break;
		if (h && h->cancel && atomic_load(h->cancel) && !cancelled) {
			cancelled = true;
			for (size_t i = 0; i < n; i++) {
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
				stage_lines(c, false, res, h);
				continue;
			}
			stage_lines(c, true, res, h);
			close(c->err_fd);
			c->err_fd = -1;
			reap(ch, idx[j], false);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (ch[i].err_fd >= 0)
			close(ch[i].err_fd);
		reap(ch, i, true);
		child_env_free(&ch[i]);
	}

	if (start_errno) {
		res->exit_code = MVS_EXIT_FAILURE;
		snprintf(res->message, sizeof res->message, "cannot start the pipeline: %s", strerror(start_errno));
	} else if (cancelled) {
		res->exit_code = 128 + SIGINT;
		copy_text(res->message, sizeof res->message, "interrupted");
	} else {
		int bad = blame(ch, n);
		if (bad >= 0) {
			res->failed = bad;
			describe_failure(&ch[bad], res);
		} else if (res->counts.export_final >= 0 && res->counts.import_final >= 0 &&
			   res->counts.export_final != res->counts.import_final) {
			res->failed = (int)n - 1;
			res->exit_code = MVS_EXIT_VERIFY;
			snprintf(res->message, sizeof res->message,
				 "row counts differ: mvs-export exported %" PRId64 " rows, mvs-import imported %" PRId64,
				 res->counts.export_final, res->counts.import_final);
		}
	}
	free(ch);
	free(pfd);
	free(idx);
	return res->exit_code;
}

char *mvs_pipeline_bindir(void)
{
	const char *env = getenv("MVS_BIN");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return strdup(env);
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return strdup(*self ? self : "/");
}

void mvs_job_id(char id[MVS_JOB_ID_SIZE])
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char rnd[21];

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		/* No entropy source: ids need only be unique within this server. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
		for (size_t i = 0; i < sizeof rnd; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			rnd[i] = (unsigned char)x;
		}
	}
	memcpy(id, "start_", 6);
	for (size_t i = 0; i < sizeof rnd; i++)
		id[6 + i] = alphabet[rnd[i] % (sizeof alphabet - 1)];
	id[6 + sizeof rnd] = '\0';
}

/* ---- the migration job ---- */

struct job {
	const struct mvs_migration *m;
	struct mvs_job_status st;
	size_t index, count;
	uint64_t done_exported, done_imported;
	double start, last_progress;
	bool percent_logged;
};

static void log_percent(struct job *j, int percent)
{
	if (j->percent_logged && percent <= j->st.percent)
		return;
	j->st.percent = percent;
	j->percent_logged = true;
	if (!j->m->quiet)
		fprintf(stderr, "%s: [\"=================>JobProcess!\"] [Percent=%d]\n", mvs_cli_tool(), percent);
}

static void job_status(struct job *j)
{
	if (j->m->status)
		j->m->status(j->m->ctx, &j->st);
}

static void on_line(void *ctx, const struct mvs_stage *stage, const char *line)
{
	struct job *j = ctx;
	size_t nl = strlen(stage->name);

	if (j->m->quiet && !strstr(line, "error:") && !strstr(line, "warning:"))
		return;
	if (strncmp(line, stage->name, nl) == 0 && line[nl] == ':')
		fprintf(stderr, "%s\n", line);
	else
		fprintf(stderr, "%s: %s\n", stage->name, line);
}

/* Percent = rows written to the target out of the rows to copy. The total is what mvs-export's percent
 * implies (rows / percent of count(*)) until its summary gives the exact number; each collection has
 * an equal share, and 100 only comes when everything is done. */
static void on_progress(void *ctx, const struct mvs_pipeline_counts *k)
{
	struct job *j = ctx;
	double total = 0, frac = 0;

	if (k->export_final >= 0)
		total = (double)k->export_final;
	else if (k->export_percent > 0)
		total = k->exported * 100.0 / k->export_percent;
	if (total > 0)
		frac = k->imported / total;
	if (frac > 0.99)
		frac = 0.99;
	j->st.exported = j->done_exported + k->exported;
	j->st.imported = j->done_imported + k->imported;
	log_percent(j, (int)(100 * (j->index + frac) / j->count));

	double now = mvs_now();
	if (j->m->progress && !j->m->quiet && now - j->last_progress >= 1.0) {
		double secs = now - j->start;
		j->last_progress = now;
		fprintf(stderr, "%s: %s: %" PRIu64 " rows exported, %" PRIu64 " imported (%d%%), %.0f rows/s\n",
			mvs_cli_tool(), j->st.collection, k->exported, k->imported, j->st.percent,
			secs > 0 ? j->st.imported / secs : 0);
	}
	job_status(j);
}

/* Every tool present and executable before anything starts. */
static int check_tools(const struct mvs_plan *plan, struct mvs_migration_result *res)
{
	for (int s = 0; s < MVS_STAGES; s++) {
		const char *path = plan->stage[s].argv[0];
		if (access(path, X_OK) != 0) {
			snprintf(res->message, sizeof res->message, "cannot run %s: %s (set MVS_BIN to the directory "
				 "holding mvs-export, mvs-map and mvs-import)", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int mvs_migration_run(const struct mvs_cfg *cfg, const struct mvs_migration *m, struct mvs_migration_result *res)
{
	struct job j = { .m = m, .count = cfg->ncollections, .start = mvs_now() };
	struct mvs_pipeline_hooks hooks = { .line = on_line, .progress = on_progress, .ctx = &j, .cancel = m->cancel };

	memset(res, 0, sizeof *res);
	j.st.total_tasks = cfg->ncollections;
	if (m->job_id && !m->quiet)
		fprintf(stderr, "%s: jobId is %s\n", mvs_cli_tool(), m->job_id);
	for (j.index = 0; j.index < j.count; j.index++) {
		const struct mvs_cfg_collection *col = &cfg->collections[j.index];
		struct mvs_pipeline_result pr;
		struct mvs_plan plan;
		double t0 = mvs_now();

		if (mvs_plan_build(cfg, j.index, m->bindir, &plan) < 0) {
			res->exit_code = MVS_EXIT_FAILURE;
			snprintf(res->message, sizeof res->message, "out of memory");
			break;
		}
		if (check_tools(&plan, res) < 0) {
			res->exit_code = MVS_EXIT_FAILURE;
			mvs_plan_free(&plan);
			break;
		}
		j.st.collection = col->name;
		job_status(&j);
		if (!m->quiet) {
			if (strcmp(plan.source, plan.target) != 0)
				mvs_info("migrating collection %s to %s (%zu of %zu)", plan.source, plan.target,
					 j.index + 1, j.count);
			else
				mvs_info("migrating collection %s (%zu of %zu)", plan.source, j.index + 1, j.count);
		}
		log_percent(&j, j.st.percent);
		mvs_pipeline_run(plan.stage, MVS_STAGES, &hooks, &pr);
		mvs_plan_free(&plan);

		uint64_t exported = pr.counts.export_final >= 0 ? (uint64_t)pr.counts.export_final : pr.counts.exported;
		uint64_t imported = pr.counts.import_final >= 0 ? (uint64_t)pr.counts.import_final : pr.counts.imported;
		j.st.exported = j.done_exported + exported;
		j.st.imported = j.done_imported + imported;
		if (pr.exit_code != 0) {
			res->exit_code = pr.exit_code;
			int n = pr.failed >= 0 ?
				snprintf(res->message, sizeof res->message, "stage %s: %s",
					 plan.stage[pr.failed].name, pr.message) :
				snprintf(res->message, sizeof res->message, "%s", pr.message);
			if (j.count > 1 && n >= 0 && (size_t)n < sizeof res->message)
				snprintf(res->message + n, sizeof res->message - (size_t)n, " (collection %s, %zu of %zu)",
					 col->name, j.index + 1, j.count);
			break;
		}
		j.done_exported += exported;
		j.done_imported += imported;
		j.st.finish_tasks++;
		double secs = mvs_now() - t0;
		mvs_info("collection %s: %" PRIu64 " rows in %.1f s (%.0f rows/s)", col->name, imported, secs,
			 secs > 0 ? imported / secs : 0);
		log_percent(&j, (int)(100 * (j.index + 1) / j.count));
		job_status(&j);
	}
	res->seconds = mvs_now() - j.start;
	res->status = j.st;
	if (res->exit_code == 0 && !m->quiet) {
		mvs_info("migrated %" PRIu64 " rows in %zu collection%s in %.1f s", j.st.imported, j.count,
			 j.count == 1 ? "" : "s", res->seconds);
		fprintf(stderr, "%s: [\"[Starter] Migration Success!\"] [Cost=%.3f]\n", mvs_cli_tool(), res->seconds);
	}
	job_status(&j);
	return res->exit_code;
}
