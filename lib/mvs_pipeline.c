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
	return mvs_plan_build_shard(cfg, i, 0, 1, bindir, plan);
}

int mvs_plan_build_shard(const struct mvs_cfg *cfg, size_t i, uint32_t shard, uint32_t shards,
			 const char *bindir, struct mvs_plan *plan)
{
	const struct mvs_cfg_collection *col = &cfg->collections[i];
	struct args ex = { 0 }, map = { 0 }, im = { 0 };
	char shard_num[24], shard_arg[24];

	memset(plan, 0, sizeof *plan);
	snprintf(shard_arg, sizeof shard_arg, "%" PRIu32 "/%" PRIu32, shard, shards);
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
	if (shards > 1)
		opt(&ex, "--shard", shard_arg);
	arg(&ex, "--progress");

	program(&map, bindir, "mvs-map");
	if (strcmp(plan->target, col->name) != 0)
		opt(&map, "--collection", plan->target);
	if (cfg->shard_num > 0) {
		snprintf(shard_num, sizeof shard_num, "%" PRId64, cfg->shard_num);
		opt(&map, "--shards", shard_num);
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
	if (shards > 1)
		opt(&im, "--shard", shard_arg);
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
		}
	}
	copy_text(c->last, sizeof c->last, line);
	if (h && h->line)
		h->line(h->ctx, c->pipe, c->stage, line);
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
static int start_pipeline(struct child *ch, size_t n)
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
		if (start_child(&ch[i], in, i + 1 < n ? data[1] : STDERR_FILENO) < 0)
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
static void pipeline_outcome(const struct child *ch, size_t n, struct mvs_pipeline_result *res)
{
	int bad = blame(ch, n);

	if (bad >= 0) {
		res->failed = bad;
		res->stopped = ch[bad].sibling;
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

int mvs_pipelines_run(const struct mvs_stage *stages, size_t npipes, size_t n,
		      const struct mvs_pipeline_hooks *h, struct mvs_pipeline_result *res)
{
	size_t total = npipes * n;
	struct child *ch = calloc(total ? total : 1, sizeof *ch);
	struct pollfd *pfd = calloc(total ? total : 1, sizeof *pfd);
	size_t *idx = calloc(total ? total : 1, sizeof *idx);
	int start_errno = 0, first = -1;
	bool cancelled = false;

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
		start_errno = start_pipeline(&ch[p * n], n);
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
		if (h && h->cancel && atomic_load(h->cancel) && !cancelled) {
			cancelled = true;
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
		} else if (cancelled) {
			res[p].exit_code = 128 + SIGINT;
			copy_text(res[p].message, sizeof res[p].message, "interrupted");
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

int mvs_pipeline_run(const struct mvs_stage *stages, size_t n, const struct mvs_pipeline_hooks *h,
		     struct mvs_pipeline_result *res)
{
	mvs_pipelines_run(stages, 1, n, h, res);
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

/* One pipeline of the collection being copied: the whole collection, or one of its shards. */
struct shard_state {
	struct mvs_pipeline_counts counts;
	char *split_lo, *split_hi;	/* mvs-export's "(split points LO HI)", hex; NULL until seen */
};

struct job {
	const struct mvs_migration *m;
	struct mvs_job_status st;
	size_t index, count;		/* the collection being copied, of how many */
	uint32_t shards;		/* its pipelines: 1, or the shards run at once */
	struct shard_state *sh;		/* [shards] */
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

/* mvs-export's line about its shard, `collection "C": shard I/N: FILTER[ (split points LO HI)]`:
 * keeps the split points of a key-range split. True when the line is one. */
static bool shard_line(struct shard_state *sh, const char *rest)
{
	static const char tag[] = " (split points ";
	const char *p = strstr(rest, "\": shard "), *at = NULL;
	size_t len = strlen(rest);

	if (!has_prefix(rest, "collection \"") || !p)
		return false;
	for (const char *q = strstr(p, tag); q; q = strstr(q + 1, tag))
		at = q;
	if (at && len && rest[len - 1] == ')') {
		char *lo = NULL, *hi = NULL;
		if (sscanf(at + strlen(tag), "%ms %m[^)]", &lo, &hi) == 2) {
			free(sh->split_lo);
			free(sh->split_hi);
			sh->split_lo = lo;
			sh->split_hi = hi;
		} else {
			free(lo);
		}
	}
	return true;
}

static void on_line(void *ctx, size_t pipe, const struct mvs_stage *stage, const char *line)
{
	struct job *j = ctx;
	size_t nl = strlen(stage->name);
	bool named = strncmp(line, stage->name, nl) == 0 && line[nl] == ':';
	const char *rest = named ? line + nl + (line[nl + 1] == ' ' ? 2 : 1) : line;

	if (j->shards > 1 && strcmp(stage->name, "mvs-export") == 0 && named && shard_line(&j->sh[pipe], rest))
		pipe = SIZE_MAX;	/* it names its shard itself */
	if (j->m->quiet && !strstr(line, "error:") && !strstr(line, "warning:"))
		return;
	if (j->shards > 1 && pipe != SIZE_MAX)
		fprintf(stderr, "%s: shard %zu/%" PRIu32 ": %s\n", stage->name, pipe, j->shards, rest);
	else if (named)
		fprintf(stderr, "%s\n", line);
	else
		fprintf(stderr, "%s: %s\n", stage->name, line);
}

/* The share of a pipeline's rows written to the target: rows imported out of the rows to copy, the
 * total being what mvs-export's percent implies (rows / percent of count(*)) until its summary gives
 * the exact number. */
static double pipeline_fraction(const struct mvs_pipeline_counts *k)
{
	double total = 0;

	if (k->export_final >= 0)
		total = (double)k->export_final;
	else if (k->export_percent > 0)
		total = k->exported * 100.0 / k->export_percent;
	if (total > 0)
		return k->imported < total ? k->imported / total : 1;
	return k->export_final == 0 && k->import_final >= 0 ? 1 : 0;
}

/* Percent = rows written to the target out of the rows to copy: each collection has an equal share,
 * and within it each shard (the shards are balanced by design); 100 only comes when everything is
 * done. */
static void on_progress(void *ctx, size_t pipe, const struct mvs_pipeline_counts *k)
{
	struct job *j = ctx;
	uint64_t exported = 0, imported = 0;
	double frac = 0;

	j->sh[pipe].counts = *k;
	for (uint32_t p = 0; p < j->shards; p++) {
		exported += j->sh[p].counts.exported;
		imported += j->sh[p].counts.imported;
		frac += pipeline_fraction(&j->sh[p].counts) / j->shards;
	}
	if (frac > 0.99)
		frac = 0.99;
	j->st.exported = j->done_exported + exported;
	j->st.imported = j->done_imported + imported;
	log_percent(j, (int)(100 * (j->index + frac) / j->count));

	double now = mvs_now();
	if (j->m->progress && !j->m->quiet && now - j->last_progress >= 1.0) {
		double secs = now - j->start;
		j->last_progress = now;
		fprintf(stderr, "%s: %s: %" PRIu64 " rows exported, %" PRIu64 " imported (%d%%), %.0f rows/s\n",
			mvs_cli_tool(), j->st.collection, exported, imported, j->st.percent,
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

/* Neighbouring shards of a key-range split must agree on the point between them; they compute it
 * from the source each, so a source written to while they started can make them disagree. */
static int check_splits(const struct job *j, const char *collection, struct mvs_migration_result *res)
{
	for (uint32_t p = 0; p + 1 < j->shards; p++) {
		const char *hi = j->sh[p].split_hi, *lo = j->sh[p + 1].split_lo;
		if (hi && lo && strcmp(hi, lo) != 0) {
			snprintf(res->message, sizeof res->message, "shards %" PRIu32 "/%" PRIu32 " and %" PRIu32 "/%"
				 PRIu32 " of collection %s split the keys at different points (the source changed "
				 "while they started): rows may be missing or doubled; copy it again while nothing "
				 "writes to the source", p, j->shards, p + 1, j->shards, collection);
			return -1;
		}
	}
	return 0;
}

static void shards_reset(struct job *j)
{
	for (uint32_t p = 0; p < j->shards; p++) {
		free(j->sh[p].split_lo);
		free(j->sh[p].split_hi);
		j->sh[p] = (struct shard_state){ 0 };
	}
}

/* Copies collection j->index with j->shards pipelines at once. Returns 0, or the exit code with
 * res->message set. */
static int copy_collection(const struct mvs_cfg *cfg, struct job *j, const struct mvs_pipeline_hooks *hooks,
			   struct mvs_migration_result *res)
{
	const struct mvs_migration *m = j->m;
	const struct mvs_cfg_collection *col = &cfg->collections[j->index];
	uint32_t n = j->shards;
	struct mvs_plan *plans = calloc(n, sizeof *plans);
	struct mvs_stage *stages = calloc((size_t)n * MVS_STAGES, sizeof *stages);
	struct mvs_pipeline_result *pr = calloc(n, sizeof *pr);
	uint32_t built = 0;
	int rc = MVS_EXIT_FAILURE;
	double t0 = mvs_now();

	snprintf(res->message, sizeof res->message, "out of memory");
	if (!plans || !stages || !pr)
		goto out;
	for (; built < n; built++) {
		if (mvs_plan_build_shard(cfg, j->index, built, n, m->bindir, &plans[built]) < 0)
			goto out;
		memcpy(&stages[(size_t)built * MVS_STAGES], plans[built].stage, sizeof plans[built].stage);
	}
	if (check_tools(&plans[0], res) < 0)
		goto out;
	const struct mvs_plan *plan = &plans[0];
	j->st.collection = col->name;
	job_status(j);
	if (!m->quiet) {
		char how[64] = "";
		if (n > 1)
			snprintf(how, sizeof how, " as %" PRIu32 " shards", n);
		if (strcmp(plan->source, plan->target) != 0)
			mvs_info("migrating collection %s to %s (%zu of %zu)%s", plan->source, plan->target,
				 j->index + 1, j->count, how);
		else
			mvs_info("migrating collection %s (%zu of %zu)%s", plan->source, j->index + 1, j->count, how);
	}
	log_percent(j, j->st.percent);
	int first = mvs_pipelines_run(stages, n, MVS_STAGES, hooks, pr);

	uint64_t exported = 0, imported = 0;
	for (uint32_t p = 0; p < n; p++) {
		const struct mvs_pipeline_counts *k = &pr[p].counts;
		exported += k->export_final >= 0 ? (uint64_t)k->export_final : k->exported;
		imported += k->import_final >= 0 ? (uint64_t)k->import_final : k->imported;
	}
	j->st.exported = j->done_exported + exported;
	j->st.imported = j->done_imported + imported;
	if (first >= 0) {
		const struct mvs_pipeline_result *f = &pr[first];
		char shard[48] = "";
		if (n > 1 && f->failed >= 0)
			snprintf(shard, sizeof shard, "shard %d/%" PRIu32 ": ", first, n);
		if (f->failed >= 0)
			snprintf(res->message, sizeof res->message, "%sstage %s: %s", shard,
				 plans[first].stage[f->failed].name, f->message);
		else
			snprintf(res->message, sizeof res->message, "%s", f->message);
		rc = f->exit_code;
		goto out;
	}
	if (check_splits(j, col->name, res) < 0) {
		rc = MVS_EXIT_VERIFY;
		goto out;
	}
	j->done_exported += exported;
	j->done_imported += imported;
	double secs = mvs_now() - t0;
	mvs_info("collection %s: %" PRIu64 " rows in %.1f s (%.0f rows/s)", col->name, imported, secs,
		 secs > 0 ? imported / secs : 0);
	rc = 0;
out:
	for (uint32_t p = 0; p < built; p++)
		mvs_plan_free(&plans[p]);
	free(plans);
	free(stages);
	free(pr);
	shards_reset(j);
	return rc;
}

int mvs_migration_run(const struct mvs_cfg *cfg, const struct mvs_migration *m, struct mvs_migration_result *res)
{
	struct job j = { .m = m, .count = cfg->ncollections, .start = mvs_now() };
	struct mvs_pipeline_hooks hooks = { .line = on_line, .progress = on_progress, .ctx = &j, .cancel = m->cancel };

	memset(res, 0, sizeof *res);
	j.shards = cfg->parallelism > 1 ? (uint32_t)cfg->parallelism : 1;
	j.sh = calloc(j.shards, sizeof *j.sh);
	if (!j.sh) {
		res->exit_code = MVS_EXIT_FAILURE;
		snprintf(res->message, sizeof res->message, "out of memory");
		return res->exit_code;
	}
	j.st.total_tasks = cfg->ncollections;
	if (m->job_id && !m->quiet)
		fprintf(stderr, "%s: jobId is %s\n", mvs_cli_tool(), m->job_id);
	for (j.index = 0; j.index < j.count; j.index++) {
		int rc = copy_collection(cfg, &j, &hooks, res);
		if (rc) {
			res->exit_code = rc;
			size_t len = strlen(res->message);
			if (j.count > 1 && len < sizeof res->message)
				snprintf(res->message + len, sizeof res->message - len, " (collection %s, %zu of %zu)",
					 cfg->collections[j.index].name, j.index + 1, j.count);
			break;
		}
		j.st.finish_tasks++;
		log_percent(&j, (int)(100 * (j.index + 1) / j.count));
		job_status(&j);
	}
	free(j.sh);
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
