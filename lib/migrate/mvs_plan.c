/* The plan of mvs-migrate (see mvs_plan.h): a config's collection turned into the argument vectors of
 * mvs-export, mvs-map and mvs-import, and back into one quoted shell line for --dry-run. */
#include "mvs_plan.h"

#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvs_shellword.h"

/* An argument vector being built; after a failure (out of memory) further calls do nothing. */
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

/* The copy's pipeline; quiet: mvs-export without its summary line (for the check's mvs-diff). */
static int build(const struct mvs_cfg *cfg, size_t i, uint32_t shard, uint32_t shards, const char *bindir,
		 bool quiet, struct mvs_plan *plan)
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
	if (quiet)
		arg(&ex, "-q");

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

	plan->stage[MVS_STAGE_EXPORT] = (struct mvs_stage){
		.name = "mvs-export", .argv = ex.v, .status = true,
		.password = cfg->source.password, .token = cfg->source.token,
		.password_var = cfg->source.password_var ? cfg->source.password_var : "SOURCE_PASSWORD",
		.token_var = cfg->source.token_var ? cfg->source.token_var : "SOURCE_TOKEN",
	};
	plan->stage[MVS_STAGE_MAP] = (struct mvs_stage){ .name = "mvs-map", .argv = map.v, .status = true };
	plan->stage[MVS_STAGE_IMPORT] = (struct mvs_stage){
		.name = "mvs-import", .argv = im.v, .status = true,
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

int mvs_plan_build(const struct mvs_cfg *cfg, size_t i, const char *bindir, struct mvs_plan *plan)
{
	return build(cfg, i, 0, 1, bindir, false, plan);
}

int mvs_plan_build_shard(const struct mvs_cfg *cfg, size_t i, uint32_t shard, uint32_t shards,
			 const char *bindir, struct mvs_plan *plan)
{
	return build(cfg, i, shard, shards, bindir, false, plan);
}

static void free_stage(struct mvs_plan *plan, int s)
{
	char **v = plan->stage[s].argv;

	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
	plan->stage[s] = (struct mvs_stage){ 0 };
}

/* mvs-export of the target collection (shard given: "I/N", or NULL), loading it when it is not. */
static void target_export(struct args *x, const struct mvs_cfg *cfg, size_t i, const char *shard,
			  const char *bindir, struct mvs_stage *st)
{
	const struct mvs_cfg_collection *col = &cfg->collections[i];

	program(x, bindir, "mvs-export");
	conn_args(x, &cfg->target);
	opt(x, "--collection", col->target ? col->target : col->name);
	arg(x, "--load");
	arg(x, "-q");
	opt(x, "--shard", shard);
	*st = (struct mvs_stage){
		.name = "mvs-export", .argv = x->v, .status = true,
		.password = cfg->target.password, .token = cfg->target.token,
		.password_var = cfg->target.password_var ? cfg->target.password_var : "TARGET_PASSWORD",
		.token_var = cfg->target.token_var ? cfg->target.token_var : "TARGET_TOKEN",
	};
}

int mvs_plan_build_check(const struct mvs_cfg *cfg, size_t i, uint32_t shard, uint32_t shards,
			 const char *fields, bool without_pk, const char *bindir, struct mvs_plan *plan)
{
	struct args x = { 0 }, cat = { 0 };
	char shard_arg[24];

	memset(plan, 0, sizeof *plan);
	snprintf(shard_arg, sizeof shard_arg, "%" PRIu32 "/%" PRIu32, shard, shards);
	plan->source = plan->target = cfg->collections[i].target ? cfg->collections[i].target
								  : cfg->collections[i].name;
	target_export(&x, cfg, i, shards > 1 ? shard_arg : NULL, bindir, &plan->stage[0]);
	program(&cat, bindir, "mvs-cat");
	arg(&cat, "--verify");
	arg(&cat, "-q");
	opt(&cat, "--fields", fields);
	if (without_pk)
		arg(&cat, "--ignore-pk");
	plan->stage[1] = (struct mvs_stage){ .name = "mvs-cat", .argv = cat.v, .status = true };
	if (x.failed || cat.failed || !x.v || !cat.v) {
		mvs_plan_free(plan);
		return -1;
	}
	return 0;
}

int mvs_plan_build_diff(const struct mvs_cfg *cfg, size_t i, const char *fields, bool without_pk,
			const char *fifo, const char *bindir, struct mvs_plan *src, struct mvs_plan *dst)
{
	struct args diff = { 0 }, x = { 0 };

	memset(dst, 0, sizeof *dst);
	if (build(cfg, i, 0, 1, bindir, true, src) < 0)
		return -1;
	free_stage(src, MVS_STAGE_IMPORT);
	program(&diff, bindir, "mvs-diff");
	opt(&diff, "--max", "10");
	opt(&diff, "--fields", fields);
	if (without_pk)
		arg(&diff, "--ignore-pk");
	arg(&diff, "-");
	arg(&diff, fifo);
	src->stage[2] = (struct mvs_stage){ .name = "mvs-diff", .argv = diff.v };
	target_export(&x, cfg, i, NULL, bindir, &dst->stage[0]);
	dst->stage[0].output = fifo;
	dst->source = dst->target = src->target;
	if (diff.failed || x.failed || !diff.v || !x.v) {
		mvs_plan_free(src);
		mvs_plan_free(dst);
		return -1;
	}
	return 0;
}

void mvs_plan_free(struct mvs_plan *plan)
{
	for (int s = 0; s < MVS_STAGES; s++)
		free_stage(plan, s);
}

char *mvs_plan_shell(const struct mvs_plan *plan)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool ok = true;

	if (!f)
		return NULL;
	for (int s = 0; ok && s < MVS_STAGES; s++) {
		const struct mvs_stage *st = &plan->stage[s];
		if (s)
			fputs(" | ", f);
		if (st->password)
			fprintf(f, "MILVUS_PASSWORD=\"$%s\" ", st->password_var);
		if (st->token)
			fprintf(f, "MILVUS_TOKEN=\"$%s\" ", st->token_var);
		for (size_t i = 0; ok && st->argv[i]; i++) {
			char *word = mvs_shell_word(st->argv[i]);
			if (i)
				fputc(' ', f);
			if ((ok = word != NULL))
				fputs(word, f);
			free(word);
		}
	}
	if (fclose(f) != 0 || !ok) {
		free(text);
		return NULL;
	}
	return text;
}

char *mvs_plan_bindir(void)
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
