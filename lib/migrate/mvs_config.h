/* migration.yaml: milvus-migration's milvus2x config, plus mvs's additions, read with libyaml into
 * struct mvs_cfg. man/migration.yaml.5 documents every key. The reader collects every problem it finds
 * (errors and warnings, each naming FILE:LINE:COLUMN) so a user fixes them in one round; a config with
 * any error gives no struct at all, so nothing can start from a half-valid config. */
#ifndef MVS_CONFIG_H
#define MVS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define MVS_CFG_MAX_BYTES (1 << 20)	/* a larger file is refused: it is not a config */
#define MVS_CFG_MAX_SHARDS 16		/* meta.milvus.shardNum cap, as milvus-migration */
#define MVS_CFG_MAX_PAGE 16384		/* bufferSize cap: Milvus's query result window */
#define MVS_CFG_MAX_PARALLEL 64		/* dumper.worker.parallelism cap: shard pipelines at once */

struct mvs_cfg_list {
	char **v;
	size_t n;
};

/* source.milvus2x or target.milvus2x. */
struct mvs_cfg_conn {
	char *endpoint;		/* as --uri takes it: a path ("host:19530/db1") has moved to database */
	char *username;		/* NULL when the file gives it without a password (it connects without) */
	char *password;
	char *password_var;	/* NAME when the value was written exactly "${NAME}" (for --dry-run) */
	char *token;		/* addition */
	char *token_var;
	char *database;
	char *tls_ca, *tls_cert, *tls_key, *tls_server_name;	/* additions */
	int64_t max_recv_bytes;	/* grpc.maxCallRecvMsgSize; <= 0 = the tool's default */
	int64_t max_send_bytes;	/* grpc.maxCallSendMsgSize */
	int load;		/* source only, addition: load the collection first (mvs-export --load) */
	int upsert;		/* target only: writeMode upsert */
	int create_database;	/* target only, addition: create a missing database (default 1) */
};

struct mvs_cfg_collection {
	char *name;			/* source collection */
	char *target;			/* target collection; NULL = same name */
	struct mvs_cfg_list fields;	/* fields to copy; empty = all */
	char *filter;			/* addition: boolean expression rows must match */
	struct mvs_cfg_list partitions;	/* addition: partitions to copy; empty = all */
};

enum mvs_cfg_auto_id {
	MVS_CFG_AUTO_ID_SOURCE,		/* autoId "" or absent: as the source */
	MVS_CFG_AUTO_ID_TRUE,		/* the target generates new keys */
	MVS_CFG_AUTO_ID_FALSE,		/* the source's keys are kept */
};

struct mvs_cfg {
	char *path;
	char *version;			/* meta.version: informational */
	int64_t buffer_size;		/* dumper.worker.reader.bufferSize; <= 0 = mvs-export's default */
	int64_t parallelism;		/* addition: dumper.worker.parallelism, shard pipelines per
					 * collection at once; <= 1 = one pipeline, no shards */
	struct mvs_cfg_collection *collections;	/* meta.collection, or the meta.collections list */
	size_t ncollections;
	/* meta.milvus: how the target collection is created */
	int64_t shard_num;		/* 0 = the source's */
	int dynamic;			/* -1 = the source's, 0 = off, 1 = on (closeDynamicField: false) */
	const char *consistency;	/* Strong, Session, Bounded, Eventually, Customized; NULL = source's */
	enum mvs_cfg_auto_id auto_id;
	int create_index;		/* addition: meta.createIndex (mvs-import --create-index) */
	int load;			/* addition: meta.load (mvs-import --load) */
	int verify;			/* addition: meta.verify (mvs-migrate --verify) */
	struct mvs_cfg_conn source, target;
};

/* Problems found while reading, in file order: "FILE:LINE:COL: error: ..." or "...: warning: ...". */
struct mvs_cfg_diag {
	char **lines;
	size_t n;
	size_t errors, warnings;
};

/* Reads and checks the config at path. Returns NULL when there is any error (all of them in diag). */
struct mvs_cfg *mvs_cfg_load(const char *path, struct mvs_cfg_diag *diag);
/* The same from text in memory; name is what messages call the file. */
struct mvs_cfg *mvs_cfg_parse(const char *name, const char *text, size_t len, struct mvs_cfg_diag *diag);
void mvs_cfg_free(struct mvs_cfg *cfg);
void mvs_cfg_diag_free(struct mvs_cfg_diag *diag);

/* milvus-migration's search order inside dir (NULL = the working directory): migration.yaml, then
 * configs/migration.yaml. Returns a malloc'd path of the first that exists, or NULL. */
char *mvs_cfg_find(const char *dir);

#endif
