/* The import target (see mvs_import_impl.h): the connection, the database, the collection (created
 * from the header or checked against it), its partitions, indexes and load state, and its row count. */
#include "mvs_import_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_exit.h"
#include "mvs_log.h"
#include "mvs_milvus_schema.h"
#include "mvs_types.h"

/* ---- partitions ---- */

static bool part_known(const struct importer *im, const char *name)
{
	for (size_t i = 0; i < im->n_parts; i++)
		if (strcmp(im->parts[i], name) == 0)
			return true;
	return false;
}

static int part_add(struct importer *im, const char *name)
{
	char **v = realloc(im->parts, (im->n_parts + 1) * sizeof *v);

	if (!v)
		return -1;
	im->parts = v;
	if (!(v[im->n_parts] = strdup(name)))
		return -1;
	im->n_parts++;
	return 0;
}

void im_parts_free(struct importer *im)
{
	for (size_t i = 0; i < im->n_parts; i++)
		free(im->parts[i]);
	free(im->parts);
	im->parts = NULL;
	im->n_parts = 0;
}

/* Whether another importer created the target collection (partition NULL) or its partition meanwhile
 * (a failed creation's excuse). */
static bool target_exists_now(struct importer *im, const char *partition)
{
	Milvus__Proto__Milvus__HasCollectionRequest has_collection =
		MILVUS__PROTO__MILVUS__HAS_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Milvus__HasPartitionRequest has_partition = MILVUS__PROTO__MILVUS__HAS_PARTITION_REQUEST__INIT;
	Milvus__Proto__Milvus__BoolResponse *has = NULL;
	struct mvs_milvus_error err;
	int rc;

	if (partition) {
		has_partition.collection_name = (char *)im->target;
		has_partition.partition_name = (char *)partition;
		rc = mvs_milvus_has_partition(im->client, &has_partition, &has, &err);
	} else {
		has_collection.collection_name = (char *)im->target;
		rc = mvs_milvus_has_collection(im->client, &has_collection, &has, &err);
	}
	bool yes = rc == 0 && has->value;
	mvs_milvus_free(has);
	return yes;
}

/* Creates the partition in the target unless it is known to exist. */
int im_ensure_partition(struct importer *im, const char *name)
{
	Milvus__Proto__Milvus__CreatePartitionRequest req = MILVUS__PROTO__MILVUS__CREATE_PARTITION_REQUEST__INIT;
	Milvus__Proto__Common__Status *st = NULL;
	struct mvs_milvus_error err;

	if (!name || part_known(im, name))
		return 0;
	req.collection_name = (char *)im->target;
	req.partition_name = (char *)name;
	if (mvs_milvus_create_partition(im->client, &req, &st, &err) != 0 && !target_exists_now(im, name))
		return im_fail_rpc(im, &err, "cannot create partition \"%s\" of collection \"%s\"", name,
				im->target);
	mvs_milvus_free(st);
	if (part_add(im, name) != 0)
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	return 0;
}

static int load_partitions(struct importer *im)
{
	Milvus__Proto__Milvus__ShowPartitionsRequest req = MILVUS__PROTO__MILVUS__SHOW_PARTITIONS_REQUEST__INIT;
	Milvus__Proto__Milvus__ShowPartitionsResponse *resp = NULL;
	struct mvs_milvus_error err;

	req.collection_name = (char *)im->target;
	if (mvs_milvus_show_partitions(im->client, &req, &resp, &err) != 0)
		return im_fail_rpc(im, &err, NULL);
	for (size_t i = 0; i < resp->n_partition_names; i++) {
		if (part_add(im, resp->partition_names[i]) != 0) {
			mvs_milvus_free(resp);
			return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
		}
	}
	mvs_milvus_free(resp);
	return 0;
}

/* ---- the target ---- */

static int connect_once(struct importer *im)
{
	struct mvs_milvus_error err;

	if (im->connected)
		return 0;
	if (mvs_milvus_connect(im->client, NULL, &err) != 0)
		return im_fail_rpc(im, &err, NULL);
	im->connected = true;
	return 0;
}

/* Whether database db is among the server's (ListDatabases). Returns 0, or -1 with err filled. */
static int database_listed(struct importer *im, const char *db, bool *found, struct mvs_milvus_error *err)
{
	Milvus__Proto__Milvus__ListDatabasesResponse *list = NULL;

	*found = false;
	if (mvs_milvus_list_databases(im->client, &list, err) != 0)
		return -1;
	for (size_t i = 0; i < list->n_db_names; i++)
		*found |= strcmp(list->db_names[i], db) == 0;
	mvs_milvus_free(list);
	return 0;
}

/* Whether another importer created the database meanwhile (a failed creation's excuse). */
static bool database_exists_now(struct importer *im, const char *db)
{
	struct mvs_milvus_error err;
	bool found;

	return database_listed(im, db, &found, &err) == 0 && found;
}

static int ensure_database(struct importer *im)
{
	Milvus__Proto__Milvus__CreateDatabaseRequest req = MILVUS__PROTO__MILVUS__CREATE_DATABASE_REQUEST__INIT;
	Milvus__Proto__Common__Status *st = NULL;
	struct mvs_milvus_error err;
	const char *db = mvs_milvus_database(im->client);
	bool found;

	if (im->db_checked || !im->o->create_db || !*db)
		return 0;
	if (database_listed(im, db, &found, &err) != 0)
		return im_fail_rpc(im, &err, NULL);
	if (!found) {
		req.db_name = (char *)db;
		if (mvs_milvus_create_database(im->client, &req, &st, &err) != 0 && !database_exists_now(im, db))
			return im_fail_rpc(im, &err, "cannot create database \"%s\"", db);
		mvs_milvus_free(st);
		mvs_info("created database \"%s\"", db);
	}
	im->db_checked = true;
	return 0;
}

/* The target's Milvus version as 2.<minor> (major 3 and later count as minor 99), asked once. */
static int server_minor(struct importer *im, int *minor)
{
	int major = 0;

	if (!im->server_version[0]) {
		Milvus__Proto__Milvus__GetVersionResponse *v = NULL;
		struct mvs_milvus_error err;

		if (mvs_milvus_get_version(im->client, &v, &err) != 0)
			return im_fail_rpc(im, &err, NULL);
		snprintf(im->server_version, sizeof im->server_version, "%s",
			 v->version && *v->version ? v->version : "(unknown version)");
		mvs_milvus_free(v);
	}
	*minor = 0;
	sscanf(im->server_version + (im->server_version[0] == 'v'), "%d.%d", &major, minor);
	if (major > 2)
		*minor = 99;
	return 0;
}

/* Collection features and the Milvus 2.x minor version that brought them. */
enum { SINCE_SPARSE_FP16 = 4, SINCE_MULTI_VECTOR = 4, SINCE_NULLABLE = 5, SINCE_DEFAULT = 5,
       SINCE_FUNCTION = 5, SINCE_CLUSTERING = 5, SINCE_INT8_VECTOR = 6, SINCE_GEO_TEXT = 6,
       SINCE_AUTO_ID_KEYS = 6 };

/* Writes into what the first feature of the schema that Milvus 2.<minor> lacks, and returns the minor
 * version that brought it; 0 when the server has them all. */
static int newer_feature(const struct mvs_schema *s, int minor, char *what, size_t n)
{
	int vectors = 0;

	for (size_t i = 0; i < s->n_fields; i++) {
		const struct mvs_field *f = &s->fields[i];
		int since = 0;
		const char *kind;

		if (f->is_dynamic)
			continue;
		if (mvs_type_info(f->type) && mvs_type_info(f->type)->is_vector)
			vectors++;
		switch (f->type) {
		case MVS_T_FLOAT16_VECTOR:
		case MVS_T_BFLOAT16_VECTOR:
		case MVS_T_SPARSE_FLOAT_VECTOR:
			since = SINCE_SPARSE_FP16;
			break;
		case MVS_T_INT8_VECTOR:
			since = SINCE_INT8_VECTOR;
			break;
		case MVS_T_GEOMETRY:
		case MVS_T_TEXT:
			since = SINCE_GEO_TEXT;
			break;
		}
		kind = mvs_type_name(f->type);
		if (since <= minor && f->nullable) {
			since = SINCE_NULLABLE;
			kind = "a nullable field";
		}
		if (since <= minor && f->default_value) {
			since = SINCE_DEFAULT;
			kind = "a default value";
		}
		if (since <= minor && f->clustering_key) {
			since = SINCE_CLUSTERING;
			kind = "a clustering key";
		}
		if (since > minor) {
			snprintf(what, n, "%s (field \"%s\")", kind, f->name);
			return since;
		}
		if (vectors > 1 && SINCE_MULTI_VECTOR > minor) {
			snprintf(what, n, "more than one vector field (field \"%s\")", f->name);
			return SINCE_MULTI_VECTOR;
		}
	}
	if (s->n_functions > 0 && SINCE_FUNCTION > minor) {
		snprintf(what, n, "functions (\"%s\")", s->functions[0].name);
		return SINCE_FUNCTION;
	}
	return 0;
}

/* create_collection's answer when another importer created the collection first (--shard). */
#define CREATED_ELSEWHERE (-3)

/* Creates the target from the header. Returns 0, CREATED_ELSEWHERE, or the exit code of a failure. */
static int create_collection(struct importer *im)
{
	Milvus__Proto__Milvus__CreateCollectionRequest req = MILVUS__PROTO__MILVUS__CREATE_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Common__Status *st = NULL;
	Milvus__Proto__Common__KeyValuePair **kvs = NULL;
	struct mvs_milvus_error err;
	struct mvs_kvlist props = { 0 };
	unsigned char *buf = NULL;
	size_t len, n_kvs = 0;
	char why[1024];
	int pk = mvs_schema_primary_key(&im->want), rc = 0;
	/* Keeping the keys of an auto-ID key needs a target that accepts them. */
	bool allow = im->o->auto_id == MVS_IMPORT_AUTO_ID_KEEP && im->want.fields[pk].auto_id;

	int minor, since;

	if (server_minor(im, &minor) != 0)
		return im->exit_code;
	if ((since = newer_feature(&im->want, minor, why, sizeof why)) != 0)
		return im_fail(im, MVS_EXIT_SCHEMA, "cannot create collection \"%s\": the stream needs %s, which "
			    "Milvus %s lacks (it came with Milvus 2.%d); drop or map the field with mvs-map, or "
			    "import into a newer server", im->target, why, im->server_version, since);
	if (allow && SINCE_AUTO_ID_KEYS > minor)
		return im_fail(im, MVS_EXIT_SCHEMA, "the primary key \"%s\" is auto-ID and Milvus %s cannot keep "
			    "given keys for it (allow_insert_auto_id needs Milvus 2.6); pass --auto-id new to "
			    "let the target make new keys", im->want.fields[pk].name, im->server_version);
	for (size_t i = 0; i < im->want.properties.len; i++) {
		const struct mvs_kv *kv = &im->want.properties.items[i];

		if (!(allow && strcmp(kv->key, "allow_insert_auto_id") == 0) &&
		    mvs_kvlist_add(&props, kv->key, kv->value) != 0)
			rc = -1;
	}
	if (allow && mvs_kvlist_add(&props, "allow_insert_auto_id", "true") != 0)
		rc = -1;
	if (rc == 0 && props.len && !(kvs = mvs_kvlist_to_milvus(&props, &n_kvs)))
		rc = -1;
	if (rc != 0) {
		mvs_kvlist_free(&props);
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	}
	if (mvs_schema_to_milvus(&im->want, im->target, &buf, &len, why, sizeof why) != 0) {
		free(kvs);
		mvs_kvlist_free(&props);
		return im_fail(im, MVS_EXIT_SCHEMA, "cannot create collection \"%s\": %s", im->target, why);
	}
	req.collection_name = (char *)im->target;
	req.schema.data = buf;
	req.schema.len = len;
	req.shards_num = im->want.shards_num;
	req.consistency_level = (Milvus__Proto__Common__ConsistencyLevel)im->want.consistency_level;
	req.properties = kvs;
	req.n_properties = n_kvs;
	if (im->partition_key)
		req.num_partitions = im->want.num_partitions;
	if (mvs_milvus_create_collection(im->client, &req, &st, &err) != 0)
		rc = target_exists_now(im, NULL) ? CREATED_ELSEWHERE :
			im_fail_rpc(im, &err, "cannot create collection \"%s\"", im->target);
	mvs_milvus_free(st);
	free(buf);
	free(kvs);
	mvs_kvlist_free(&props);
	if (rc)
		return rc;

	struct created *c = realloc(im->created, (im->n_created + 1) * sizeof *c);
	if (!c)
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	im->created = c;
	c = &c[im->n_created];
	if (!(c->name = strdup(im->target)))
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	c->rows = 0;
	im->made = c;
	im->n_created++;
	mvs_info("created collection \"%s\"", im->target);
	if (part_add(im, "_default") != 0)
		return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
	return 0;
}

/* Reads the existing collection and checks the stream fits it. */
static int check_collection(struct importer *im)
{
	Milvus__Proto__Milvus__DescribeCollectionRequest req = MILVUS__PROTO__MILVUS__DESCRIBE_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Milvus__DescribeCollectionResponse *d = NULL;
	struct mvs_milvus_error err;
	struct mvs_schema have = { 0 };
	char why[1024];
	int rc = 0;

	req.collection_name = (char *)im->target;
	if (mvs_milvus_describe_collection(im->client, &req, &d, &err) != 0)
		return im_fail_rpc(im, &err, NULL);
	struct mvs_collection_settings settings = {
		.shards_num = d->shards_num,
		.consistency_level = d->consistency_level,
		.num_partitions = d->num_partitions,
		.properties = d->properties,
		.n_properties = d->n_properties,
	};
	if (!d->schema)
		rc = im_fail(im, MVS_EXIT_SERVER, "DescribeCollection of \"%s\" returned no schema", im->target);
	else if (mvs_schema_from_milvus(&have, d->schema, &settings, why, sizeof why) != 0)
		rc = im_fail(im, MVS_EXIT_SCHEMA, "collection \"%s\" exists with a schema mvs cannot use: %s",
			  im->target, why);
	else if (mvs_import_schema_compare(&im->want, &have, why, sizeof why) != 0)
		rc = im_fail(im, MVS_EXIT_SCHEMA, "collection \"%s\" exists with a different schema (%s)",
			  im->target, why);
	else if (mvs_import_auto_id_check(&have, im->o->auto_id, why, sizeof why) != 0)
		rc = im_fail(im, MVS_EXIT_SCHEMA, "%s", why);
	if (rc == 0) {
		for (size_t i = 0; i < have.n_fields; i++)
			im->partition_key |= have.fields[i].partition_key;
		int pk = mvs_schema_primary_key(&have);
		if (have.fields[pk].auto_id)
			im->flags &= ~(unsigned)MVS_MILVUS_RETRY_AS_UPSERT;
	}
	mvs_schema_free(&have);
	mvs_milvus_free(d);
	return rc;
}

/* Creates or checks the target, then its partitions. Called once the first frame was read. */
int im_prepare_target(struct importer *im)
{
	Milvus__Proto__Milvus__HasCollectionRequest req = MILVUS__PROTO__MILVUS__HAS_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Milvus__BoolResponse *has = NULL;
	struct mvs_milvus_error err;
	bool exists;

	/* The database first: Milvus 2.3 refuses Connect for a database (the dbname header) that does
	 * not exist yet (code 800), while ListDatabases and CreateDatabase work without Connect. */
	if (ensure_database(im) || connect_once(im))
		return im->exit_code;
	req.collection_name = (char *)im->target;
	if (mvs_milvus_has_collection(im->client, &req, &has, &err) != 0)
		return im_fail_rpc(im, &err, NULL);
	exists = has->value;
	mvs_milvus_free(has);
	im->made = NULL;
	for (size_t i = 0; i < im->n_created; i++)
		if (strcmp(im->created[i].name, im->target) == 0)
			im->made = &im->created[i];
	if (!exists) {
		int rc = create_collection(im);
		if (rc == CREATED_ELSEWHERE)
			exists = true;
		else if (rc != 0)
			return im->exit_code;
	}
	if (exists && (check_collection(im) || load_partitions(im)))
		return im->exit_code;
	if (!im->partition_key)
		for (size_t i = 0; i < im->want.n_partitions; i++)
			if (im_ensure_partition(im, im->want.partitions[i]) != 0)
				return im->exit_code;
	im->ready = true;
	return 0;
}

/* ---- indexes, load and count ---- */

int im_row_count(struct importer *im, int64_t *count)
{
	Milvus__Proto__Milvus__GetCollectionStatisticsRequest req =
		MILVUS__PROTO__MILVUS__GET_COLLECTION_STATISTICS_REQUEST__INIT;
	Milvus__Proto__Milvus__GetCollectionStatisticsResponse *resp = NULL;
	struct mvs_milvus_error err;

	/* count(*) needs a loaded collection; the statistics count the same rows for a collection
	 * that only ever received inserts, once flushed. */
	if (im->o->load) {
		if (mvs_milvus_count(im->client, NULL, im->target, NULL, NULL, count, &err) != 0)
			return im_fail_rpc(im, &err, "cannot verify the row count");
		return 0;
	}
	req.collection_name = (char *)im->target;
	if (mvs_milvus_get_collection_statistics(im->client, &req, &resp, &err) != 0)
		return im_fail_rpc(im, &err, "cannot verify the row count");
	*count = -1;
	for (size_t i = 0; i < resp->n_stats; i++)
		if (resp->stats[i]->key && strcmp(resp->stats[i]->key, "row_count") == 0 && resp->stats[i]->value)
			*count = strtoll(resp->stats[i]->value, NULL, 10);
	mvs_milvus_free(resp);
	if (*count < 0)
		return im_fail(im, MVS_EXIT_SERVER, "cannot verify the row count: GetCollectionStatistics of "
			    "\"%s\" has no row_count", im->target);
	return 0;
}

int im_create_indexes(struct importer *im)
{
	for (size_t i = 0; i < im->header->n_indexes; i++) {
		const struct mvs_index *ix = &im->header->indexes[i];
		Milvus__Proto__Milvus__CreateIndexRequest req = MILVUS__PROTO__MILVUS__CREATE_INDEX_REQUEST__INIT;
		Milvus__Proto__Common__Status *st = NULL;
		struct mvs_milvus_error err;
		size_t n = 0;

		req.collection_name = (char *)im->target;
		req.field_name = ix->field_name;
		if (ix->index_name)
			req.index_name = ix->index_name;
		req.extra_params = mvs_kvlist_to_milvus(&ix->params, &n);
		req.n_extra_params = n;
		if (n && !req.extra_params)
			return im_fail(im, MVS_EXIT_FAILURE, "out of memory");
		int rc = mvs_milvus_create_index(im->client, &req, &st, &err);
		free(req.extra_params);
		mvs_milvus_free(st);
		if (rc != 0)
			return im_fail_rpc(im, &err, "cannot create index \"%s\" on field \"%s\"",
					ix->index_name ? ix->index_name : "", ix->field_name);
	}
	return 0;
}

int im_load_collection(struct importer *im)
{
	Milvus__Proto__Milvus__LoadCollectionRequest req = MILVUS__PROTO__MILVUS__LOAD_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Common__Status *st = NULL;
	struct mvs_milvus_error err;

	req.collection_name = (char *)im->target;
	if (mvs_milvus_load_collection(im->client, &req, &st, &err) != 0)
		return im_fail_rpc(im, &err, "cannot load collection \"%s\"%s", im->target,
				im->o->create_index ? "" : " (it may need indexes first: --create-index)");
	mvs_milvus_free(st);
	if (mvs_milvus_wait_loaded(im->client, NULL, im->target, WAIT_S, &err) != 0)
		return im_fail_rpc(im, &err, NULL);
	return 0;
}
