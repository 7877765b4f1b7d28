/* The migration job of mvs-migrate (see mvs_migration.h): for each collection, its plans (one per
 * shard), a check that the tools exist, the runner, then the job's bookkeeping: the overall percent,
 * rows so far, the stages' lines passed on (named by shard), and the message of the stage that failed. */
#include "mvs_migration.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mvs_exit.h"
#include "mvs_log.h"
#include "mvs_plan.h"
#include "mvs_runner.h"

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

/* One pipeline of the collection being copied: the whole collection, or one of its shards. */
struct shard_state {
	struct mvs_runner_counts counts;
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
	bool copying;			/* the pipelines run: their counts are part of the status */
};

static void log_percent(struct job *j, int percent)
{
	if (j->percent_logged && percent <= j->st.percent)
		return;
	j->st.percent = percent;
	j->percent_logged = true;
	if (!j->m->quiet) {
		mvs_progress_clear();
		fprintf(stdout, "%s: [\"=================>JobProcess!\"] [Percent=%d]\n", mvs_log_tool(), percent);
		fflush(stdout);	/* milvus-migration's lines go to stdout, where its users grep them */
	}
}

static void job_status(struct job *j)
{
	struct mvs_runner_counts counts[MVS_CFG_MAX_PARALLEL];

	if (!j->m->status)
		return;
	for (uint32_t p = 0; p < j->shards && p < MVS_CFG_MAX_PARALLEL; p++)
		counts[p] = j->sh[p].counts;
	j->st.pipelines = j->copying ? j->shards : 0;
	j->st.pipeline = counts;
	j->m->status(j->m->ctx, &j->st);
	j->st.pipeline = NULL;
}

/* mvs-export's line about its shard, `collection "C": shard I/N: FILTER[ (split points LO HI)]`:
 * keeps the split points of a key-range split. True when the line is one. */
static bool shard_line(struct shard_state *sh, const char *rest)
{
	static const char tag[] = " (split points ";
	const char *p = strstr(rest, "\": shard "), *at = NULL;
	size_t len = strlen(rest);

	if (strncmp(rest, "collection \"", 12) != 0 || !p)
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
	if (j->m->quiet && !strstr(line, "warning:"))
		return;
	mvs_progress_clear();
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
static double pipeline_fraction(const struct mvs_runner_counts *k)
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
static void on_progress(void *ctx, size_t pipe, const struct mvs_runner_counts *k)
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

	/* One line, redrawn at most once a second; the export's count can lag behind the import's, whose
	 * progress comes in its own lines: never show more imported than exported. */
	double now = mvs_now();
	if (j->m->progress && !j->m->quiet && now - j->last_progress >= 1.0) {
		double secs = now - j->start;
		j->last_progress = now;
		mvs_progress_text("%s: %" PRIu64 " rows exported, %" PRIu64 " imported (%d%%), %.0f rows/s",
				  j->st.collection, exported > imported ? exported : imported, imported, j->st.percent,
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

/* Appends the pipelines' reports to res->report, the first failed pipeline's first; with several
 * shards each line is named by its shard ("mvs-import: shard 1/4: ..."). What does not fit is left
 * out, whole lines only. */
static void collect_reports(const struct mvs_runner_result *pr, uint32_t n, int first,
			    struct mvs_migration_result *res)
{
	size_t len = strlen(res->report);

	for (uint32_t k = 0; k < n; k++) {
		uint32_t p = first >= 0 ? ((uint32_t)first + k) % n : k;
		for (const char *line = pr[p].report, *end; (end = strchr(line, '\n')); line = end + 1) {
			const char *colon = strstr(line, ": ");
			int head = colon && colon < end ? (int)(colon + 2 - line) : 0;	/* "mvs-import: " */
			char shard[40] = "";
			if (n > 1)
				snprintf(shard, sizeof shard, "shard %" PRIu32 "/%" PRIu32 ": ", p, n);
			int w = snprintf(res->report + len, sizeof res->report - len, "%.*s%s%.*s\n", head, line,
					 shard, (int)(end - line) - head, line + head);
			if (w < 0 || (size_t)w >= sizeof res->report - len) {
				res->report[len] = '\0';
				return;
			}
			len += (size_t)w;
		}
	}
}

/* The lines of the check's stages (warnings, errors): passed on as the copy's are. */
static const struct mvs_runner_hooks *check_hooks(const struct mvs_runner_hooks *hooks, struct mvs_runner_hooks *h)
{
	*h = (struct mvs_runner_hooks){ .line = hooks->line, .ctx = hooks->ctx, .cancel = hooks->cancel };
	return h;
}

/* After a mismatch: mvs-diff of the source (through the same mvs-map) and the target, its first
 * differences on our stderr. Best effort: the mismatch is the failure either way. */
static void show_differences(const struct mvs_cfg *cfg, struct job *j, const char *fields, bool without_pk,
			     const struct mvs_runner_hooks *hooks)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX], fifo[PATH_MAX + 8];
	struct mvs_plan src, dst;
	struct mvs_stage stages[MVS_STAGES + 1];
	struct mvs_runner_result pr[2];
	struct mvs_runner_hooks h;

	snprintf(dir, sizeof dir, "%s/mvs-migrate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return;
	snprintf(fifo, sizeof fifo, "%s/target", dir);
	if (mkfifo(fifo, 0600) == 0 &&
	    mvs_plan_build_diff(cfg, j->index, fields, without_pk, fifo, j->m->bindir, &src, &dst) == 0) {
		mvs_progress_clear();
		fprintf(stderr, "%s: the first differences, by mvs-diff (source through mvs-map, then the target):\n",
			mvs_log_tool());
		memcpy(stages, src.stage, sizeof src.stage);
		stages[MVS_STAGES] = dst.stage[0];
		mvs_runner_run(stages, (size_t[]){ MVS_STAGES, 1 }, 2, check_hooks(hooks, &h), pr);
		mvs_plan_free(&src);
		mvs_plan_free(&dst);
	}
	unlink(fifo);
	rmdir(dir);
}

/* The pipelines of one runner call: their plans, the runner's stage array (width stages per pipeline,
 * copied from the plans), the pipelines' lengths and their results. */
struct pipelines {
	struct mvs_plan *plans;
	struct mvs_stage *stages;
	struct mvs_runner_result *results;
	size_t *lens;
	size_t width;
	uint32_t built;
};

static int pipelines_alloc(struct pipelines *pl, uint32_t n, size_t width)
{
	*pl = (struct pipelines){ .width = width };
	pl->plans = calloc(n, sizeof *pl->plans);
	pl->stages = calloc((size_t)n * width, sizeof *pl->stages);
	pl->results = calloc(n, sizeof *pl->results);
	pl->lens = calloc(n, sizeof *pl->lens);
	return pl->plans && pl->stages && pl->results && pl->lens ? 0 : -1;
}

/* Takes plans[built], just built, into the stage array. */
static void pipelines_take(struct pipelines *pl)
{
	memcpy(&pl->stages[(size_t)pl->built * pl->width], pl->plans[pl->built].stage, pl->width * sizeof *pl->stages);
	pl->lens[pl->built++] = pl->width;
}

static void pipelines_free(struct pipelines *pl)
{
	for (uint32_t p = 0; p < pl->built; p++)
		mvs_plan_free(&pl->plans[p]);
	free(pl->plans);
	free(pl->stages);
	free(pl->results);
	free(pl->lens);
}

/* --verify (meta.verify): reads the target back (as many shards at once as the copy had) and compares
 * the sum of its row digests with the sum of those of the rows mvs-import read (man/mvs-status.5),
 * over the fields the import wrote, without the primary key when the target made new keys. Returns
 * 0, or the exit code with res->message set (MVS_EXIT_VERIFY when the rows differ). */
static int verify_collection(const struct mvs_cfg *cfg, struct job *j, const struct mvs_runner_result *copied,
			     const struct mvs_runner_hooks *hooks, struct mvs_migration_result *res)
{
	const char *name = cfg->collections[j->index].name, *fields = copied[0].final.fields;
	uint32_t n = j->shards;
	uint64_t want = 0, want_rows = 0, got = 0, got_rows = 0;
	bool without_pk = false;
	int rc = MVS_EXIT_FAILURE;

	for (uint32_t p = 0; p < n; p++) {
		if (!copied[p].final.have_digest || !*copied[p].final.fields) {
			snprintf(res->message, sizeof res->message, "cannot verify collection %s: mvs-import "
				 "gave no row digest", name);
			return MVS_EXIT_FAILURE;
		}
		want += copied[p].final.digest;
		want_rows += copied[p].final.rows;
		without_pk = without_pk || !copied[p].final.digest_pk;
	}
	struct pipelines pl;
	struct mvs_runner_hooks h;

	snprintf(res->message, sizeof res->message, "out of memory");
	if (pipelines_alloc(&pl, n, 2) < 0)
		goto out;
	while (pl.built < n) {
		if (mvs_plan_build_check(cfg, j->index, pl.built, n, fields, without_pk, j->m->bindir,
					 &pl.plans[pl.built]) < 0)
			goto out;
		pipelines_take(&pl);
	}
	const struct mvs_runner_result *pr = pl.results;
	int first = mvs_runner_run(pl.stages, pl.lens, n, check_hooks(hooks, &h), pl.results);
	if (first >= 0) {
		const struct mvs_runner_result *f = &pr[first];
		snprintf(res->message, sizeof res->message, "cannot verify collection %s: stage %s: %s", name,
			 f->failed >= 0 ? pl.plans[first].stage[f->failed].name : "?", f->message);
		rc = f->exit_code;
		goto out;
	}
	for (uint32_t p = 0; p < n; p++) {
		got += pr[p].final.digest;
		got_rows += pr[p].final.rows;
	}
	if (got == want && got_rows == want_rows) {
		mvs_info("collection %s: verified: the target holds exactly the %" PRIu64 " rows copied (digest "
			 "%016" PRIx64 "%s)", name, got_rows, got, without_pk ? ", without the primary key: the "
			 "target made new keys" : "");
		rc = 0;
		goto out;
	}
	snprintf(res->message, sizeof res->message, "verification failed: collection %s: the target holds %"
		 PRIu64 " rows with digest %016" PRIx64 ", the copy read %" PRIu64 " rows with digest %016" PRIx64
		 "%s", name, got_rows, got, want_rows, want, without_pk ? " (without the primary key)" : "");
	rc = MVS_EXIT_VERIFY;
	show_differences(cfg, j, fields, without_pk, hooks);
out:
	pipelines_free(&pl);
	return rc;
}

/* Copies collection j->index with j->shards pipelines at once. Returns 0, or the exit code with
 * res->message set. */
static int copy_collection(const struct mvs_cfg *cfg, struct job *j, const struct mvs_runner_hooks *hooks,
			   struct mvs_migration_result *res)
{
	const struct mvs_migration *m = j->m;
	const struct mvs_cfg_collection *col = &cfg->collections[j->index];
	uint32_t n = j->shards;
	struct pipelines pl;
	int rc = MVS_EXIT_FAILURE;
	double t0 = mvs_now();

	snprintf(res->message, sizeof res->message, "out of memory");
	if (pipelines_alloc(&pl, n, MVS_STAGES) < 0)
		goto out;
	while (pl.built < n) {
		if (mvs_plan_build_shard(cfg, j->index, pl.built, n, m->bindir, &pl.plans[pl.built]) < 0)
			goto out;
		pipelines_take(&pl);
	}
	if (check_tools(&pl.plans[0], res) < 0)
		goto out;
	const struct mvs_plan *plan = &pl.plans[0];
	const struct mvs_runner_result *pr = pl.results;
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
	j->copying = true;
	int first = mvs_runner_run(pl.stages, pl.lens, n, hooks, pl.results);
	j->copying = false;

	uint64_t exported = 0, imported = 0;
	for (uint32_t p = 0; p < n; p++) {
		const struct mvs_runner_counts *k = &pr[p].counts;
		exported += k->export_final >= 0 ? (uint64_t)k->export_final : k->exported;
		imported += k->import_final >= 0 ? (uint64_t)k->import_final : k->imported;
	}
	j->st.exported = j->done_exported + exported;
	j->st.imported = j->done_imported + imported;
	if (first >= 0) {
		const struct mvs_runner_result *f = &pr[first];
		char shard[48] = "";
		if (n > 1 && f->failed >= 0)
			snprintf(shard, sizeof shard, "shard %d/%" PRIu32 ": ", first, n);
		if (f->failed >= 0)
			snprintf(res->message, sizeof res->message, "%sstage %s: %s", shard,
				 pl.plans[first].stage[f->failed].name, f->message);
		else
			snprintf(res->message, sizeof res->message, "%s", f->message);
		collect_reports(pr, n, first, res);
		rc = f->exit_code;
		goto out;
	}
	if (check_splits(j, col->name, res) < 0) {
		rc = MVS_EXIT_VERIFY;
		goto out;
	}
	if ((m->verify || cfg->verify) && (rc = verify_collection(cfg, j, pr, hooks, res)) != 0)
		goto out;
	j->done_exported += exported;
	j->done_imported += imported;
	double secs = mvs_now() - t0;
	mvs_info("collection %s: %" PRIu64 " rows in %.1f s (%.0f rows/s)", col->name, imported, secs,
		 secs > 0 ? imported / secs : 0);
	rc = 0;
out:
	pipelines_free(&pl);
	shards_reset(j);
	return rc;
}

int mvs_migration_run(const struct mvs_cfg *cfg, const struct mvs_migration *m, struct mvs_migration_result *res)
{
	struct job j = { .m = m, .count = cfg->ncollections, .start = mvs_now() };
	struct mvs_runner_hooks hooks = { .line = on_line, .progress = on_progress, .ctx = &j, .cancel = m->cancel };

	memset(res, 0, sizeof *res);
	j.shards = cfg->parallelism > 1 ? (uint32_t)cfg->parallelism : 1;
	j.sh = calloc(j.shards, sizeof *j.sh);
	if (!j.sh) {
		res->exit_code = MVS_EXIT_FAILURE;
		snprintf(res->message, sizeof res->message, "out of memory");
		return res->exit_code;
	}
	j.st.total_tasks = cfg->ncollections;
	if (m->progress && !m->quiet)
		mvs_progress_enable(true);
	if (m->job_id && !m->quiet) {
		fprintf(stdout, "%s: jobId is %s\n", mvs_log_tool(), m->job_id);
		fflush(stdout);
	}
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
		fprintf(stdout, "%s: [\"[Starter] Migration Success!\"] [Cost=%.3f]\n", mvs_log_tool(), res->seconds);
		fflush(stdout);
	}
	job_status(&j);
	return res->exit_code;
}
