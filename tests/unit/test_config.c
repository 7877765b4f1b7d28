/* Unit tests of the migration.yaml reader (lib/migrate/mvs_config.c) and of the command lines it turns
 * into (mvs_plan_build / mvs_plan_shell in lib/migrate/mvs_plan.c): the seed document's example, every
 * key, ${ENV} values, and the exact text of warnings and errors. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_config.h"
#include "mvs_plan.h"
#include "check.h"


#define STREQ(a, b) ((a) && (b) && strcmp((a), (b)) == 0)

static struct mvs_cfg *parse(const char *text, struct mvs_cfg_diag *d)
{
	memset(d, 0, sizeof *d);
	return mvs_cfg_parse("migration.yaml", text, strlen(text), d);
}

static void dump(const struct mvs_cfg_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "    got: %s\n", d->lines[i]);
}

static bool has_line(const struct mvs_cfg_diag *d, const char *want)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->lines[i], want) == 0)
			return true;
	return false;
}

/* The config must be refused, and the problems must include want (an exact line). */
static void expect_problem(int line, const char *text, const char *want)
{
	struct mvs_cfg_diag d;
	struct mvs_cfg *cfg = parse(text, &d);

	if (cfg || !has_line(&d, want)) {
		fprintf(stderr, "%s:%d: expected the config to be refused with:\n    want: %s\n", __FILE__, line, want);
		dump(&d);
		failures++;
	}
	mvs_cfg_free(cfg);
	mvs_cfg_diag_free(&d);
}

/* The config must be accepted with exactly these diagnostics (NULL-terminated; none = clean). */
static struct mvs_cfg *expect_ok(int line, const char *text, ...)
{
	struct mvs_cfg_diag d;
	struct mvs_cfg *cfg = parse(text, &d);
	va_list ap;
	size_t n = 0;
	bool ok = cfg != NULL;

	va_start(ap, text);
	for (const char *want; (want = va_arg(ap, const char *)); n++)
		ok = ok && has_line(&d, want);
	va_end(ap);
	if (!ok || d.n != n) {
		fprintf(stderr, "%s:%d: expected the config to be accepted with %zu diagnostics\n", __FILE__, line, n);
		dump(&d);
		failures++;
	}
	mvs_cfg_diag_free(&d);
	return cfg;
}

#define PROBLEM(text, want) expect_problem(__LINE__, text, want)
#define OK(text, ...) expect_ok(__LINE__, text, __VA_ARGS__)

/* The --dry-run line of collection i. */
static char *shell(const struct mvs_cfg *cfg, size_t i)
{
	struct mvs_plan plan;
	char *line;

	if (mvs_plan_build(cfg, i, NULL, &plan) < 0)
		return NULL;
	line = mvs_plan_shell(&plan);
	mvs_plan_free(&plan);
	return line;
}

static void expect_shell(int line, const struct mvs_cfg *cfg, size_t i, const char *want)
{
	char *got = cfg ? shell(cfg, i) : NULL;

	if (!STREQ(got, want)) {
		fprintf(stderr, "%s:%d: pipeline differs\n    want: %s\n    got:  %s\n", __FILE__, line, want,
			got ? got : "(none)");
		failures++;
	}
	free(got);
}

#define SHELL(cfg, i, want) expect_shell(__LINE__, cfg, i, want)

/* The seed document's example, verbatim but for the endpoints. */
static const char seed[] =
	"dumper:\n"
	"  worker:\n"
	"    workMode: milvus2x\n"
	"    reader:\n"
	"      bufferSize: 500\n"
	"\n"
	"meta:\n"
	"  mode: config\n"
	"  version: 2.3.0\n"
	"  collection: src_table_name\n"
	"\n"
	"source:\n"
	"  milvus2x:\n"
	"    endpoint: 10.0.0.1:19530\n"
	"    username: xxxx\n"
	"    password: xxxxx\n"
	"\n"
	"target:\n"
	"  milvus2x:\n"
	"    endpoint: 10.0.0.2:19530\n"
	"    username: xxxx\n"
	"    password: xxxxx\n"
	"\n";

static void test_seed(void)
{
	struct mvs_cfg *cfg = OK(seed, NULL);

	if (!cfg)
		return;
	CHECK_MSG(cfg->buffer_size == 500, "%lld", (long long)cfg->buffer_size);
	CHECK_MSG(STREQ(cfg->version, "2.3.0"), "%s", cfg->version);
	CHECK_MSG(cfg->ncollections == 1, "%zu", cfg->ncollections);
	CHECK(STREQ(cfg->collections[0].name, "src_table_name"));
	CHECK(cfg->collections[0].target == NULL);
	CHECK(cfg->collections[0].fields.n == 0);
	CHECK(STREQ(cfg->source.endpoint, "10.0.0.1:19530"));
	CHECK(STREQ(cfg->source.username, "xxxx"));
	CHECK(STREQ(cfg->source.password, "xxxxx"));
	CHECK(cfg->source.password_var == NULL);
	CHECK(STREQ(cfg->target.endpoint, "10.0.0.2:19530"));
	CHECK(cfg->dynamic == -1 && cfg->consistency == NULL && cfg->shard_num == 0);
	CHECK(cfg->auto_id == MVS_CFG_AUTO_ID_SOURCE);
	CHECK(!cfg->target.upsert && cfg->target.create_database && !cfg->create_index && !cfg->load);
	SHELL(cfg, 0, "MILVUS_PASSWORD=\"$SOURCE_PASSWORD\" mvs-export --uri 10.0.0.1:19530 --user xxxx "
	      "--collection src_table_name --batch-size 500 | mvs-map | "
	      "MILVUS_PASSWORD=\"$TARGET_PASSWORD\" mvs-import --uri 10.0.0.2:19530 --user xxxx");
	mvs_cfg_free(cfg);
}

/* The seed's "additional configuration options", together. */
static void test_seed_options(void)
{
	static const char text[] =
		"dumper: {worker: {workMode: milvus2x, reader: {bufferSize: 500}}}\n"
		"meta:\n"
		"  mode: config\n"
		"  version: 2.3.0\n"
		"  collection: src_table_name\n"
		"  fields:\n"
		"    - name: id\n"
		"    - name: title_vector\n"
		"    - name: reading_time\n"
		"  milvus:\n"
		"    collection: target_collection_name\n"
		"    shardNum: 2\n"
		"    closeDynamicField: false\n"
		"    consistencyLevel: Customized\n"
		"source: {milvus2x: {endpoint: 'src:19530'}}\n"
		"target: {milvus2x: {endpoint: 'dst:19530'}}\n";
	struct mvs_cfg *cfg = OK(text, NULL);

	if (!cfg)
		return;
	CHECK(cfg->collections[0].fields.n == 3 && STREQ(cfg->collections[0].fields.v[2], "reading_time"));
	CHECK(STREQ(cfg->collections[0].target, "target_collection_name"));
	CHECK(cfg->shard_num == 2 && cfg->dynamic == 1 && STREQ(cfg->consistency, "Customized"));
	SHELL(cfg, 0, "mvs-export --uri src:19530 --collection src_table_name --fields id,title_vector,reading_time "
	      "--batch-size 500 | mvs-map --collection target_collection_name --shards 2 "
	      "--consistency Customized --dynamic on | mvs-import --uri dst:19530");
	mvs_cfg_free(cfg);
}

/* Every key, ours included, with keys in other cases (viper lowercases them). */
static void test_every_key(void)
{
	static const char text[] =
		"dumper:\n"
		"  worker:\n"
		"    WorkMode: Milvus2x\n"
		"    limit: 2\n"
		"    reader:\n"
		"      buffersize: 16384\n"
		"    writer:\n"
		"      bufferSize: 1000\n"
		"meta:\n"
		"  MODE: CONFIG\n"
		"  version: '2.4.5'\n"
		"  collection: docs\n"
		"  fields: [id, vec]\n"
		"  filter: 'id > 10 and tag == \"a b\"'\n"
		"  partitions:\n"
		"    - p1\n"
		"    - p 2\n"
		"  createIndex: true\n"
		"  load: yes\n"
		"  milvus:\n"
		"    collection: docs_copy\n"
		"    shardNum: 16\n"
		"    closeDynamicField: true\n"
		"    consistencyLevel: eventually\n"
		"    autoId: \"true\"\n"
		"source:\n"
		"  milvus2x:\n"
		"    endpoint: https://src.example:443\n"
		"    username: reader\n"
		"    token: tok-src\n"
		"    database: srcdb\n"
		"    load: true\n"
		"    grpc:\n"
		"      maxCallRecvMsgSize: 134217728\n"
		"      maxCallSendMsgSize: 1024\n"
		"    tls:\n"
		"      caFile: /etc/ca.pem\n"
		"      certFile: /etc/client.pem\n"
		"      keyFile: /etc/client.key\n"
		"      serverName: src.example\n"
		"target:\n"
		"  milvus2x:\n"
		"    endpoint: dst:19530\n"
		"    username: writer\n"
		"    password: pw\n"
		"    database: dstdb\n"
		"    writeMode: UPSERT\n"
		"    createDatabase: false\n"
		"    grpc: {maxCallSendMsgSize: 33554432, maxCallRecvMsgSize: 0}\n";
	/* username without password: the token is used (mvs-export would refuse --user without one) */
	struct mvs_cfg *cfg = OK(text, "migration.yaml: warning: source.milvus2x.username \"reader\" has no "
				 "password: connecting with the token (milvus-migration sends it with an empty "
				 "password, which only a Milvus without authentication accepts, ignoring both)", NULL);

	if (!cfg)
		return;
	const struct mvs_cfg_collection *c = &cfg->collections[0];
	CHECK(cfg->buffer_size == 16384);
	CHECK(c->fields.n == 2 && STREQ(c->fields.v[0], "id") && STREQ(c->fields.v[1], "vec"));
	CHECK_MSG(STREQ(c->filter, "id > 10 and tag == \"a b\""), "%s", c->filter);
	CHECK(c->partitions.n == 2 && STREQ(c->partitions.v[1], "p 2"));
	CHECK(cfg->create_index == 1 && cfg->load == 1);
	CHECK(cfg->shard_num == 16 && cfg->dynamic == 0 && STREQ(cfg->consistency, "Eventually"));
	CHECK(cfg->auto_id == MVS_CFG_AUTO_ID_TRUE);
	CHECK(STREQ(cfg->source.token, "tok-src") && cfg->source.password == NULL);
	CHECK(STREQ(cfg->source.database, "srcdb") && cfg->source.load == 1);
	CHECK(cfg->source.max_recv_bytes == 134217728 && cfg->source.max_send_bytes == 1024);
	CHECK(STREQ(cfg->source.tls_ca, "/etc/ca.pem") && STREQ(cfg->source.tls_cert, "/etc/client.pem"));
	CHECK(STREQ(cfg->source.tls_key, "/etc/client.key") && STREQ(cfg->source.tls_server_name, "src.example"));
	CHECK(cfg->target.upsert == 1 && cfg->target.create_database == 0);
	CHECK(cfg->target.max_send_bytes == 33554432 && cfg->target.max_recv_bytes == 0);
	SHELL(cfg, 0, "MILVUS_TOKEN=\"$SOURCE_TOKEN\" mvs-export --uri https://src.example:443 --db srcdb "
	      "--tls-ca /etc/ca.pem --tls-cert /etc/client.pem --tls-key /etc/client.key "
	      "--tls-server-name src.example --collection docs --fields id,vec "
	      "--filter 'id > 10 and tag == \"a b\"' --partition p1 --partition 'p 2' --batch-size 16384 --load "
	      "--max-recv-bytes 134217728 | mvs-map --collection docs_copy --shards 16 "
	      "--consistency Eventually --dynamic off | MILVUS_PASSWORD=\"$TARGET_PASSWORD\" mvs-import "
	      "--uri dst:19530 --db dstdb --user writer --mode upsert --auto-id new --create-index --load "
	      "--max-send-bytes 33554432");
	mvs_cfg_free(cfg);
}

#define HEAD "dumper: {worker: {workMode: milvus2x}}\n"
#define ENDPOINTS "source: {milvus2x: {endpoint: 'a:1'}}\ntarget: {milvus2x: {endpoint: 'b:2'}}\n"
#define MINIMAL HEAD "meta: {mode: config, collection: c}\n" ENDPOINTS

static void test_env(void)
{
	struct mvs_cfg *cfg;

	setenv("MVS_TEST_PW", "s3cr'et $x", 1);
	setenv("MVS_TEST_HOST", "db.example", 1);
	unsetenv("MVS_TEST_UNSET");
	cfg = OK(HEAD "meta: {mode: config, collection: c}\n"
		 "source: {milvus2x: {endpoint: '${MVS_TEST_HOST}:19530', username: u, password: '${MVS_TEST_PW}'}}\n"
		 "target: {milvus2x: {endpoint: 'b:2', token: 'pre-${MVS_TEST_PW}', database: '$${NOT_A_VAR} $HOME'}}\n",
		 NULL);
	if (cfg) {
		CHECK_MSG(STREQ(cfg->source.endpoint, "db.example:19530"), "%s", cfg->source.endpoint);
		CHECK(STREQ(cfg->source.password, "s3cr'et $x"));
		CHECK(STREQ(cfg->source.password_var, "MVS_TEST_PW"));
		CHECK(STREQ(cfg->target.token, "pre-s3cr'et $x") && cfg->target.token_var == NULL);
		CHECK_MSG(STREQ(cfg->target.database, "${NOT_A_VAR} $HOME"), "%s", cfg->target.database);
		/* The secrets never reach the shell line: the variable the config named, or ours. */
		SHELL(cfg, 0, "MILVUS_PASSWORD=\"$MVS_TEST_PW\" mvs-export --uri db.example:19530 --user u "
		      "--collection c | mvs-map | MILVUS_TOKEN=\"$TARGET_TOKEN\" mvs-import --uri b:2 "
		      "--db '${NOT_A_VAR} $HOME' --create-db");
		mvs_cfg_free(cfg);
	}
	PROBLEM(HEAD "meta: {mode: config, collection: c}\n"
		"source:\n  milvus2x:\n    endpoint: a:1\n    password: ${MVS_TEST_UNSET}\n"
		"target: {milvus2x: {endpoint: 'b:2'}}\n",
		"migration.yaml:6:15: error: source.milvus2x.password: environment variable MVS_TEST_UNSET is not set");
	cfg = OK(MINIMAL "meta2: x\n", "migration.yaml:5:1: warning: unknown key \"meta2\" at the top level "
		 "(did you mean \"meta\"?)", NULL);
	mvs_cfg_free(cfg);
	PROBLEM(HEAD "meta: {mode: config, collection: 'a${MVS_TEST_HOST'}\n" ENDPOINTS,
		"migration.yaml:2:34: error: meta.collection: unterminated \"${\" (write \"$${\" for a literal \"${\")");
	PROBLEM(HEAD "meta: {mode: config, collection: '${1X}'}\n" ENDPOINTS,
		"migration.yaml:2:34: error: meta.collection: \"${1X}\" is not an environment variable reference "
		"(a name of letters, digits and _)");
	/* A password that looks like a reference but is not one: the message shows none of it. */
	PROBLEM(HEAD "meta: {mode: config, collection: c}\n"
		"source:\n  milvus2x:\n    endpoint: a:1\n    password: 'pw${s3cr-t}'\n"
		"target: {milvus2x: {endpoint: 'b:2'}}\n",
		"migration.yaml:6:15: error: source.milvus2x.password: a \"${...}\" that is not an environment "
		"variable reference (a name of letters, digits and _; the value is a secret, so it is not shown)");
}

static void test_warnings(void)
{
	struct mvs_cfg *cfg;

	/* The brief's example line, with 4-space indentation. */
	cfg = OK("dumper:\n"
		 "    worker:\n"
		 "        workMode: milvus2x\n"
		 "meta:\n"
		 "    mode: config\n"
		 "    collection: c\n"
		 "    colection: typo\n"
		 "    milvus: {shardnumber: 3, Collection: x}\n"
		 "    fields: [{name: id, type: long}]\n"
		 ENDPOINTS
		 "target2: {}\n",
		 "migration.yaml:7:5: warning: unknown key \"colection\" in meta (did you mean \"collection\"?)",
		 "migration.yaml:8:14: warning: unknown key \"shardnumber\" in meta.milvus (did you mean \"shardNum\"?)",
		 "migration.yaml:9:25: warning: unknown key \"type\" in meta.fields (ignored)",
		 "migration.yaml:12:1: warning: unknown key \"target2\" at the top level (did you mean \"target\"?)",
		 NULL);
	mvs_cfg_free(cfg);
	cfg = OK(HEAD "meta: {mode: config, collection: c, version: 1.4}\n" ENDPOINTS,
		 "migration.yaml:2:46: warning: meta.version: \"1.4\" is not a Milvus 2.x version; mvs reads "
		 "Milvus 2.3 and later (the value is informational)", NULL);
	mvs_cfg_free(cfg);
}

static void test_syntax(void)
{
	PROBLEM("meta:\n  mode: config\n collection: x\n",
		"migration.yaml:3:2: error: YAML syntax: did not find expected key "
		"(while parsing a block mapping at line 1, column 1)");
	PROBLEM("meta:\n\tmode: config\n",
		"migration.yaml:2:1: error: YAML syntax: found character that cannot start any token "
		"(while scanning for the next token at line 2, column 1); indent with spaces: YAML does not "
		"allow tabs there");
	PROBLEM("meta: [a, b\n", "migration.yaml:2:1: error: YAML syntax: did not find expected ',' or ']' "
		"(while parsing a flow sequence at line 1, column 7)");
	PROBLEM("a: \"abc\n", "migration.yaml:2:1: error: YAML syntax: found unexpected end of stream "
		"(while scanning a quoted scalar at line 1, column 4)");
	PROBLEM("a: b\n\xff\n", "migration.yaml:2:1: error: YAML syntax: invalid leading UTF-8 octet");
	PROBLEM("", "migration.yaml: error: the file is empty; see examples/migration.yaml");
	PROBLEM("# only a comment\n", "migration.yaml: error: the file is empty; see examples/migration.yaml");
	PROBLEM("- a\n- b\n", "migration.yaml:1:1: error: the config: expected a mapping (\"key: value\" lines), "
		"found a list");
}

static void test_bad_values(void)
{
	PROBLEM("dumper: {worker: {workMode: faiss}}\nmeta: {mode: config, collection: c}\n" ENDPOINTS,
		"migration.yaml:1:29: error: dumper.worker.workMode: \"faiss\" is not supported: mvs migrates "
		"Milvus 2.x to Milvus 2.x (allowed: milvus2x)");
	PROBLEM(HEAD "meta: {mode: remote, collection: c}\n" ENDPOINTS,
		"migration.yaml:2:14: error: meta.mode: invalid value \"remote\" (allowed: config)");
	PROBLEM(HEAD "meta: {mode: config, collection: c, milvus: {shardNum: 17}}\n" ENDPOINTS,
		"migration.yaml:2:56: error: meta.milvus.shardNum: expected a whole number from 0 to 16, found \"17\"");
	PROBLEM(HEAD "meta: {mode: config, collection: c, milvus: {shardNum: two}}\n" ENDPOINTS,
		"migration.yaml:2:56: error: meta.milvus.shardNum: expected a whole number from 0 to 16, found \"two\"");
	PROBLEM("dumper: {worker: {workMode: milvus2x, reader: {bufferSize: 20000}}}\n"
		"meta: {mode: config, collection: c}\n" ENDPOINTS,
		"migration.yaml:1:60: error: dumper.worker.reader.bufferSize: expected a whole number up to 16384, "
		"found \"20000\"");
	PROBLEM(HEAD "meta: {mode: config, collection: c, milvus: {closeDynamicField: maybe}}\n" ENDPOINTS,
		"migration.yaml:2:65: error: meta.milvus.closeDynamicField: expected true or false, found \"maybe\"");
	PROBLEM(HEAD "meta: {mode: config, collection: c, milvus: {consistencyLevel: Weak}}\n" ENDPOINTS,
		"migration.yaml:2:64: error: meta.milvus.consistencyLevel: invalid value \"Weak\" (allowed: Strong, "
		"Session, Bounded, Eventually, Customized)");
	PROBLEM(HEAD "meta: {mode: config, collection: c, milvus: {autoId: keep}}\n" ENDPOINTS,
		"migration.yaml:2:54: error: meta.milvus.autoId: invalid value \"keep\" (allowed: true, false, or "
		"empty for the source's setting)");
	PROBLEM(HEAD "meta: {mode: config, collection: c}\n"
		"source: {milvus2x: {endpoint: 'a:1'}}\ntarget: {milvus2x: {endpoint: 'b:2', writeMode: replace}}\n",
		"migration.yaml:4:49: error: target.milvus2x.writeMode: invalid value \"replace\" (allowed: insert, upsert)");
	PROBLEM(HEAD "meta: {mode: config, collection: c, fields: id}\n" ENDPOINTS,
		"migration.yaml:2:45: error: meta.fields: expected a list (lines starting with \"- name: \"), "
		"found a single value");
	PROBLEM(HEAD "meta: {mode: config, collection: c, fields: [id, {nam: v}, id]}\n" ENDPOINTS,
		"migration.yaml:2:50: error: meta.fields: each item needs \"name: FIELD\"");
	PROBLEM(HEAD "meta: {mode: config, collection: c, fields: [id, v, id]}\n" ENDPOINTS,
		"migration.yaml:2:53: error: meta.fields: \"id\" is listed twice");
	PROBLEM(HEAD "meta: {mode: config, collection: [a]}\n" ENDPOINTS,
		"migration.yaml:2:34: error: meta.collection: expected a single value, found a list");
	PROBLEM(HEAD "meta: {mode: config, collection: c}\nsource: 'a:1'\ntarget: {milvus2x: {endpoint: 'b:2'}}\n",
		"migration.yaml:3:9: error: source: expected a mapping (\"key: value\" lines), found a single value");
	PROBLEM(HEAD "meta: {mode: config, collection: c, collection: d}\n" ENDPOINTS,
		"migration.yaml:2:37: error: meta.collection: duplicate key (first at line 2, column 22)");
	PROBLEM(HEAD "meta: {mode: config, collection: \"a\\0b\"}\n" ENDPOINTS,
		"migration.yaml:2:34: error: meta.collection: the value contains a NUL character");
	PROBLEM(HEAD "meta: {mode: config, collection: c, {a: b}: c}\n" ENDPOINTS,
		"migration.yaml:2:37: error: a key must be a plain name, found a mapping");
}

static void test_required(void)
{
	PROBLEM("meta: {mode: config, collection: c}\n" ENDPOINTS,
		"migration.yaml: error: dumper.worker.workMode is required; set it to milvus2x");
	PROBLEM(HEAD "meta: {collection: c}\n" ENDPOINTS,
		"migration.yaml: error: meta.mode is required; set it to config");
	PROBLEM(HEAD "meta: {mode: config}\n" ENDPOINTS,
		"migration.yaml: error: meta.collection is required; name the source collection");
	PROBLEM(HEAD "meta: {mode: config, collection: ''}\n" ENDPOINTS,
		"migration.yaml: error: meta.collection is empty; name the source collection");
	PROBLEM(HEAD "meta: {mode: config, collections: []}\n" ENDPOINTS,
		"migration.yaml: error: meta.collections is empty; name the source collection");
	PROBLEM(HEAD "meta: {mode: config, collection: c}\ntarget: {milvus2x: {endpoint: 'b:2'}}\n",
		"migration.yaml: error: source.milvus2x.endpoint is required; give host:port of the source Milvus");
	PROBLEM(HEAD "meta: {mode: config, collection: c}\nsource: {milvus2x: {endpoint: 'a:1'}}\n"
		"target: {milvus2x: {endpoint: }}\n",
		"migration.yaml: error: target.milvus2x.endpoint is empty; give host:port of the target Milvus");

	/* A bad value is reported once, not again as missing. */
	struct mvs_cfg_diag d;
	struct mvs_cfg *cfg = parse("dumper: {worker: {workMode: faiss}}\nmeta: {mode: config, collection: c}\n"
				    ENDPOINTS, &d);
	CHECK_MSG(!cfg && d.errors == 1 && d.n == 1, "errors %zu", d.errors);
	mvs_cfg_free(cfg);
	mvs_cfg_diag_free(&d);
}

static void test_collections(void)
{
	struct mvs_cfg *cfg = OK(HEAD
		"meta:\n"
		"  mode: config\n"
		"  fields: [id, vec]\n"
		"  filter: id > 0\n"
		"  collections:\n"
		"    - plain\n"
		"    - name: renamed\n"
		"      target: renamed_copy\n"
		"      fields:\n"
		"        - name: id\n"
		"      partitions: [p]\n"
		"      filter: id < 5\n"
		ENDPOINTS, NULL);

	if (cfg) {
		CHECK_MSG(cfg->ncollections == 2, "%zu", cfg->ncollections);
		CHECK(STREQ(cfg->collections[0].name, "plain") && !cfg->collections[0].target);
		CHECK(cfg->collections[0].fields.n == 2 && STREQ(cfg->collections[0].filter, "id > 0"));
		CHECK(STREQ(cfg->collections[1].target, "renamed_copy"));
		CHECK(cfg->collections[1].fields.n == 1 && STREQ(cfg->collections[1].filter, "id < 5"));
		SHELL(cfg, 1, "mvs-export --uri a:1 --collection renamed --fields id --filter 'id < 5' --partition p "
		      "| mvs-map --collection renamed_copy | mvs-import --uri b:2");
		mvs_cfg_free(cfg);
	}
	PROBLEM(HEAD "meta: {mode: config, collection: a, collections: [b]}\n" ENDPOINTS,
		"migration.yaml: error: meta.collection and meta.collections: give one or the other");
	PROBLEM(HEAD "meta: {mode: config, collections: [b], milvus: {collection: x}}\n" ENDPOINTS,
		"migration.yaml: error: meta.milvus.collection names one target collection; with meta.collections "
		"give each item its own \"target\"");
	PROBLEM(HEAD "meta: {mode: config, collections: [{target: x}]}\n" ENDPOINTS,
		"migration.yaml:2:36: error: meta.collections: each item needs \"name: COLLECTION\" (the source collection)");
}

static void test_onto_itself(void)
{
	struct mvs_cfg *cfg;

	PROBLEM(HEAD "meta: {mode: config, collection: c}\n"
		"source: {milvus2x: {endpoint: 'a:1'}}\ntarget: {milvus2x: {endpoint: 'a:1', database: default}}\n",
		"migration.yaml: error: collection c would be copied onto itself (source and target are the same "
		"server and database): give the target another name (meta.milvus.collection) or another endpoint");
	/* found by fuzzing: an item without a name on a same-server config */
	PROBLEM(HEAD "meta: {mode: config, collections: [{target: x}]}\n"
		"source: {milvus2x: {endpoint: 'a:1'}}\ntarget: {milvus2x: {endpoint: 'a:1'}}\n",
		"migration.yaml:2:36: error: meta.collections: each item needs \"name: COLLECTION\" (the source collection)");
	cfg = OK(HEAD "meta: {mode: config, collection: c, milvus: {collection: d}}\n"
		 "source: {milvus2x: {endpoint: 'a:1'}}\ntarget: {milvus2x: {endpoint: 'a:1'}}\n", NULL);
	mvs_cfg_free(cfg);
	cfg = OK(HEAD "meta: {mode: config, collection: c}\n"
		 "source: {milvus2x: {endpoint: 'a:1'}}\ntarget: {milvus2x: {endpoint: 'a:1', database: db2}}\n", NULL);
	mvs_cfg_free(cfg);
}

static void test_target_database(void)
{
	struct mvs_cfg *cfg = OK(HEAD "meta: {mode: config, collection: c, milvus: {autoId: 'false'}}\n"
				 "source: {milvus2x: {endpoint: 'a:1', database: default}}\n"
				 "target: {milvus2x: {endpoint: 'b:2', database: new_db}}\n", NULL);

	SHELL(cfg, 0, "mvs-export --uri a:1 --db default --collection c | mvs-map | "
	      "mvs-import --uri b:2 --db new_db --create-db --auto-id keep");
	mvs_cfg_free(cfg);
}

/* YAML as viper reads it: merge keys, dotted keys, keys in other cases, a second document. */
static void test_viper_yaml(void)
{
	struct mvs_cfg *cfg;

	/* A written key wins over a merged one; the first of merged mappings wins; merges nest. */
	cfg = OK("x-conn: &conn {endpoint: 'a:1', database: d1}\n"
		 "x-more: &more {<<: *conn, endpoint: 'c:3', grpc: {maxCallRecvMsgSize: 7}}\n"
		 HEAD "meta: {mode: config, collection: c}\n"
		 "source: {milvus2x: {<<: *conn, database: d2}}\n"
		 "target: {milvus2x: {<<: [*more, *conn]}}\n",
		 "migration.yaml:1:1: warning: unknown key \"x-conn\" at the top level (ignored)",
		 "migration.yaml:2:1: warning: unknown key \"x-more\" at the top level (ignored)", NULL);
	SHELL(cfg, 0, "mvs-export --uri a:1 --db d2 --collection c | mvs-map | "
	      "mvs-import --uri c:3 --db d1 --create-db");
	mvs_cfg_free(cfg);
	/* Dotted keys at any level; a dotted key wins over the nested one, as viper's lookup finds it. */
	cfg = OK("dumper.worker.workMode: milvus2x\n"
		 "meta.mode: config\n"
		 "meta: {collection: a, milvus.shardNum: 2}\n"
		 "meta.collection: b\n"
		 "meta.milvus: {collection: b2}\n"
		 "source.milvus2x.endpoint: 'a:1'\n"
		 "target: {milvus2x.endpoint: 'b:2'}\n",
		 "migration.yaml:4:1: warning: meta.collection: given again (first at line 3, column 8); the "
		 "dotted key is read, as viper reads it", NULL);
	SHELL(cfg, 0, "mvs-export --uri a:1 --collection b | mvs-map --collection b2 --shards 2 | "
	      "mvs-import --uri b:2");
	mvs_cfg_free(cfg);
	/* Another case: the last one is read; for a mapping, the keys of both. */
	cfg = OK(HEAD "Meta: {mode: config, collection: a}\nmeta: {COLLECTION: b}\n" ENDPOINTS,
		 "migration.yaml:3:1: warning: meta: given again (first at line 2, column 1); the keys of both "
		 "are read, the last one's where both give one (keys are case-insensitive, as viper's)",
		 "migration.yaml:3:8: warning: meta.collection: given again (first at line 2, column 22); the last "
		 "one is read (keys are case-insensitive, as viper's)", NULL);
	CHECK(cfg && STREQ(cfg->collections[0].name, "b"));
	mvs_cfg_free(cfg);
	cfg = OK("meta.colection: c\n" MINIMAL, "migration.yaml:1:1: warning: unknown key \"colection\" in meta "
		 "(did you mean \"collection\"?)", NULL);
	mvs_cfg_free(cfg);
	PROBLEM(HEAD "meta: {mode: config, collection.name: c}\n" ENDPOINTS,
		"migration.yaml:2:22: warning: unknown key \"collection.name\" in meta (ignored)");
	/* A second document is ignored, as viper reads the first only. */
	cfg = OK(MINIMAL "---\nmeta: {}\n", "migration.yaml:6:1: warning: a second YAML document (after \"---\") "
		 "is ignored, as milvus-migration ignores it", NULL);
	mvs_cfg_free(cfg);
	PROBLEM(HEAD "meta: {mode: config, collection: c}\nsource: {milvus2x: {<<: 'a:1'}}\n"
		"target: {milvus2x: {endpoint: 'b:2'}}\n",
		"migration.yaml:3:25: error: source.milvus2x.<<: a merge key takes a mapping (*anchor) or a list "
		"of them, found a single value");
	PROBLEM(HEAD "meta: &a {mode: config, collection: c, <<: *a}\n" ENDPOINTS, "migration.yaml:2:40: error: "
		"merge keys (<<) nested more than 8 deep (does an anchor merge itself?)");
}

/* The endpoint as milvus-sdk-go reads it, checked as mvs-export reads --uri; credentials. */
static void test_endpoint(void)
{
	struct mvs_cfg *cfg;

	cfg = OK(HEAD "meta: {mode: config, collection: c}\n"
		 "source: {milvus2x: {endpoint: 'a:1/db1'}}\n"
		 "target: {milvus2x: {endpoint: 'https://b:2/db2/', database: db3}}\n",
		 "migration.yaml: warning: target.milvus2x: the endpoint names database \"db2\" and database "
		 "names \"db3\": \"db3\" is used, as milvus-migration uses it", NULL);
	SHELL(cfg, 0, "mvs-export --uri a:1 --db db1 --collection c | mvs-map | "
	      "mvs-import --uri https://b:2 --db db3 --create-db");
	mvs_cfg_free(cfg);
	cfg = OK(HEAD "meta: {mode: config, collection: c}\n"
		 "source: {milvus2x: {endpoint: 'a:1/db1'}}\n"
		 "target: {milvus2x: {endpoint: 'https://b:2/', username: root, password: ''}}\n",
		 "migration.yaml: warning: target.milvus2x.username \"root\" has no password: connecting "
		 "without credentials (milvus-migration sends it with an empty password, which only a Milvus "
		 "without authentication accepts, ignoring both)", NULL);
	SHELL(cfg, 0, "mvs-export --uri a:1 --db db1 --collection c | mvs-map | "
	      "mvs-import --uri https://b:2");
	mvs_cfg_free(cfg);
	PROBLEM(HEAD "meta: {mode: config, collection: c}\nsource: {milvus2x: {endpoint: 'a:1/x/y'}}\n"
		"target: {milvus2x: {endpoint: 'b:2'}}\n", "migration.yaml:3:31: error: source.milvus2x.endpoint: "
		"\"x/y\" after host:port is not a database name (host:port/DATABASE names one, as milvus-migration "
		"reads it)");
	PROBLEM(HEAD "meta: {mode: config, collection: c}\nsource: {milvus2x: {endpoint: 'a:19a30'}}\n"
		"target: {milvus2x: {endpoint: 'b:2'}}\n", "migration.yaml:3:31: error: source.milvus2x.endpoint: "
		"the port must be a number from 1 to 65535");
	PROBLEM(HEAD "meta: {mode: config, collection: c}\nsource: {milvus2x: {endpoint: 'grpc://a:1'}}\n"
		"target: {milvus2x: {endpoint: 'b:2'}}\n", "migration.yaml:3:31: error: source.milvus2x.endpoint: "
		"the scheme must be http://, https:// or tcp:// (or unix:/path)");
	PROBLEM(HEAD "meta: {mode: config, collection: c}\nsource: {milvus2x: {endpoint: '::1:19530'}}\n"
		"target: {milvus2x: {endpoint: 'b:2'}}\n", "migration.yaml:3:31: error: source.milvus2x.endpoint: "
		"write an IPv6 address in brackets: [ADDRESS]:PORT");
	PROBLEM(HEAD "meta: {mode: config, collection: c}\nsource: {milvus2x: {endpoint: 'a:1', username: u, "
		"password: p, token: t}}\ntarget: {milvus2x: {endpoint: 'b:2'}}\n",
		"migration.yaml: error: source.milvus2x: give username and password, or token, not both");
	PROBLEM(HEAD "meta: {mode: config, collection: c}\nsource: {milvus2x: {endpoint: 'http://a:1', "
		"tls: {caFile: ca.pem}}}\ntarget: {milvus2x: {endpoint: 'b:2'}}\n",
		"migration.yaml: error: source.milvus2x.tls is set but the endpoint http://a:1 is plain http://; "
		"write https:// or host:port");
}

static void test_load_file(void)
{
	struct mvs_cfg_diag d = { 0 };
	struct mvs_cfg *cfg = mvs_cfg_load("/nonexistent/migration.yaml", &d);

	CHECK(!cfg && has_line(&d, "/nonexistent/migration.yaml: error: cannot open: No such file or directory"));
	mvs_cfg_free(cfg);
	mvs_cfg_diag_free(&d);
}

int main(void)
{
	test_seed();
	test_seed_options();
	test_every_key();
	test_env();
	test_warnings();
	test_syntax();
	test_bad_values();
	test_required();
	test_collections();
	test_onto_itself();
	test_target_database();
	test_viper_yaml();
	test_endpoint();
	test_load_file();
	if (failures)
		fprintf(stderr, "test_config: %d failures\n", failures);
	return check_status();
}
