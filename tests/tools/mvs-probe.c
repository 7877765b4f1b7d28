/* mvs-probe: a small command-line front end to the Milvus client (lib/milvus/mvs_milvus.h) for the shell
 * tests. Results go to stdout, rendered errors to stderr, with the library's exit codes.
 *
 *   mvs-probe [options] COMMAND [ARGS]
 *     connect | version | health | databases
 *     create-test COLLECTION [DIM]   a collection {id Int64 primary key, vec FloatVector(DIM, default 4)}
 *                                    with a FLAT index on vec
 *     drop COLLECTION | load COLLECTION | flush COLLECTION | count COLLECTION | describe COLLECTION
 *     insert-test COLLECTION N       N rows (ids from --start) in --batch rows per Insert, with up to
 *                                    --inflight Inserts in flight at once
 *   options: --uri U --db D --user U --password-file F --token-file F (or MILVUS_PASSWORD/MILVUS_TOKEN)
 *     --attempts N --retry-total S --backoff S --deadline S --batch B --inflight K --start S
 *     --retry-as-upsert --tls-ca F --tls-cert F --tls-key F --tls-server-name N */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_cli.h"
#include "mvs_exit.h"
#include "mvs_milvus.h"
#include "mvs_secret.h"

static struct mvs_milvus *client;
static struct mvs_milvus_error err;

static int fail(void)
{
	char buf[2048];

	mvs_error("%s", mvs_milvus_error_render(&err, buf, sizeof buf));
	return mvs_milvus_error_exit(&err);
}

static Milvus__Proto__Common__KeyValuePair kv(const char *key, const char *value)
{
	Milvus__Proto__Common__KeyValuePair p = MILVUS__PROTO__COMMON__KEY_VALUE_PAIR__INIT;

	p.key = (char *)key;
	p.value = (char *)value;
	return p;
}

static int create_test(const char *name, int dim)
{
	Milvus__Proto__Schema__FieldSchema id = MILVUS__PROTO__SCHEMA__FIELD_SCHEMA__INIT;
	Milvus__Proto__Schema__FieldSchema vec = MILVUS__PROTO__SCHEMA__FIELD_SCHEMA__INIT;
	Milvus__Proto__Schema__FieldSchema *fields[2] = { &id, &vec };
	Milvus__Proto__Schema__CollectionSchema schema = MILVUS__PROTO__SCHEMA__COLLECTION_SCHEMA__INIT;
	Milvus__Proto__Milvus__CreateCollectionRequest req = MILVUS__PROTO__MILVUS__CREATE_COLLECTION_REQUEST__INIT;
	Milvus__Proto__Common__KeyValuePair dim_kv, *params[1] = { &dim_kv };
	Milvus__Proto__Common__Status *status;
	char dim_text[16];
	int rc;

	snprintf(dim_text, sizeof dim_text, "%d", dim);
	dim_kv = kv("dim", dim_text);
	id.name = "id";
	id.data_type = MILVUS__PROTO__SCHEMA__DATA_TYPE__Int64;
	id.is_primary_key = 1;
	vec.name = "vec";
	vec.data_type = MILVUS__PROTO__SCHEMA__DATA_TYPE__FloatVector;
	vec.n_type_params = 1;
	vec.type_params = params;
	schema.name = (char *)name;
	schema.n_fields = 2;
	schema.fields = fields;
	req.collection_name = (char *)name;
	req.schema.len = protobuf_c_message_get_packed_size(&schema.base);
	req.schema.data = malloc(req.schema.len);
	if (!req.schema.data)
		return MVS_EXIT_FAILURE;
	protobuf_c_message_pack(&schema.base, req.schema.data);
	rc = mvs_milvus_create_collection(client, &req, &status, &err);
	free(req.schema.data);
	if (rc < 0)
		return fail();
	mvs_milvus_free(status);

	/* Loading needs an index on the vector field. */
	Milvus__Proto__Milvus__CreateIndexRequest index = MILVUS__PROTO__MILVUS__CREATE_INDEX_REQUEST__INIT;
	Milvus__Proto__Common__KeyValuePair type_kv = kv("index_type", "FLAT"), metric_kv = kv("metric_type", "L2");
	Milvus__Proto__Common__KeyValuePair *index_params[2] = { &type_kv, &metric_kv };

	index.collection_name = (char *)name;
	index.field_name = "vec";
	index.n_extra_params = 2;
	index.extra_params = index_params;
	if (mvs_milvus_create_index(client, &index, &status, &err) < 0)
		return fail();
	mvs_milvus_free(status);
	printf("created %s\n", name);
	return 0;
}

/* Inserts n rows with ids start.. in batches, keeping up to inflight Inserts in flight. */
static int insert_test(const char *name, int64_t start, int64_t n, int batch, int inflight, unsigned flags)
{
	Milvus__Proto__Milvus__InsertRequest req = MILVUS__PROTO__MILVUS__INSERT_REQUEST__INIT;
	Milvus__Proto__Schema__FieldData id_col = MILVUS__PROTO__SCHEMA__FIELD_DATA__INIT;
	Milvus__Proto__Schema__FieldData vec_col = MILVUS__PROTO__SCHEMA__FIELD_DATA__INIT;
	Milvus__Proto__Schema__FieldData *cols[2] = { &id_col, &vec_col };
	Milvus__Proto__Schema__ScalarField scalars = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__INIT;
	Milvus__Proto__Schema__LongArray ids = MILVUS__PROTO__SCHEMA__LONG_ARRAY__INIT;
	Milvus__Proto__Schema__VectorField vectors = MILVUS__PROTO__SCHEMA__VECTOR_FIELD__INIT;
	Milvus__Proto__Schema__FloatArray floats = MILVUS__PROTO__SCHEMA__FLOAT_ARRAY__INIT;
	Milvus__Proto__Milvus__MutationResult *res;
	const int dim = 4;
	int64_t *id_buf = malloc(sizeof *id_buf * batch), sent = 0, inserted = 0, max_in_flight = 0;
	float *vec_buf = malloc(sizeof *vec_buf * batch * dim);
	void *tag;
	int rc = 0;

	if (!id_buf || !vec_buf) {
		free(id_buf);
		free(vec_buf);
		return MVS_EXIT_FAILURE;
	}
	id_col.type = MILVUS__PROTO__SCHEMA__DATA_TYPE__Int64;
	id_col.field_name = "id";
	id_col.field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS;
	id_col.scalars = &scalars;
	scalars.data_case = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA;
	scalars.long_data = &ids;
	ids.data = id_buf;
	vec_col.type = MILVUS__PROTO__SCHEMA__DATA_TYPE__FloatVector;
	vec_col.field_name = "vec";
	vec_col.field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS;
	vec_col.vectors = &vectors;
	vectors.dim = dim;
	vectors.data_case = MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_FLOAT_VECTOR;
	vectors.float_vector = &floats;
	floats.data = vec_buf;
	req.collection_name = (char *)name;
	req.n_fields_data = 2;
	req.fields_data = cols;

	while (sent < n || mvs_milvus_in_flight(client) > 0) {
		if (sent < n && mvs_milvus_in_flight(client) < (size_t)inflight) {
			int64_t rows = n - sent < batch ? n - sent : batch;

			for (int64_t i = 0; i < rows; i++) {
				id_buf[i] = start + sent + i;
				for (int d = 0; d < dim; d++)
					vec_buf[i * dim + d] = (float)(id_buf[i] % 97) + (float)d / 8;
			}
			ids.n_data = rows;
			floats.n_data = rows * dim;
			req.num_rows = (uint32_t)rows;
			/* The request is serialized at submit: the buffers can be refilled at once. */
			if (mvs_milvus_insert_submit(client, &req, flags, (void *)(intptr_t)rows, &err) < 0) {
				rc = fail();
				break;
			}
			sent += rows;
			if ((int64_t)mvs_milvus_in_flight(client) > max_in_flight)
				max_in_flight = mvs_milvus_in_flight(client);
			continue;
		}
		if (mvs_milvus_insert_wait(client, &tag, &res, &err) < 0) {
			rc = fail();
			break;
		}
		if (res->insert_cnt + res->upsert_cnt != (intptr_t)tag)
			fprintf(stderr, "mvs-probe: warning: %" PRId64 " rows sent, %" PRId64 " acknowledged\n",
				(int64_t)(intptr_t)tag, res->insert_cnt + res->upsert_cnt);
		inserted += (intptr_t)tag;
		mvs_milvus_free(res);
	}
	free(id_buf);
	free(vec_buf);
	if (rc == 0)
		printf("inserted %" PRId64 " (at most %" PRId64 " in flight)\n", inserted, max_in_flight);
	return rc;
}

static int run(int argc, char **argv, int batch, int inflight, int64_t start, unsigned flags)
{
	const char *cmd = argv[0], *name = argc > 1 ? argv[1] : NULL;
	int rc = 0;

	if (!strcmp(cmd, "connect")) {
		Milvus__Proto__Milvus__ConnectResponse *r;

		if (mvs_milvus_connect(client, &r, &err) < 0)
			return fail();
		printf("identifier %" PRId64 "\n", r ? r->identifier : 0);
		mvs_milvus_free(r);
	} else if (!strcmp(cmd, "version")) {
		Milvus__Proto__Milvus__GetVersionResponse *r;

		if (mvs_milvus_get_version(client, &r, &err) < 0)
			return fail();
		printf("%s\n", r->version);
		mvs_milvus_free(r);
	} else if (!strcmp(cmd, "health")) {
		Milvus__Proto__Milvus__CheckHealthResponse *r;

		if (mvs_milvus_check_health(client, &r, &err) < 0)
			return fail();
		printf("%s\n", r->ishealthy ? "healthy" : "unhealthy");
		for (size_t i = 0; i < r->n_reasons; i++)
			printf("  %s\n", r->reasons[i]);
		mvs_milvus_free(r);
	} else if (!strcmp(cmd, "databases")) {
		Milvus__Proto__Milvus__ListDatabasesResponse *r;

		if (mvs_milvus_list_databases(client, &r, &err) < 0)
			return fail();
		for (size_t i = 0; i < r->n_db_names; i++)
			printf("%s\n", r->db_names[i]);
		mvs_milvus_free(r);
	} else if (!name) {
		mvs_usage_error("%s needs a collection name", cmd);
	} else if (!strcmp(cmd, "create-test")) {
		rc = create_test(name, argc > 2 ? (int)mvs_parse_count("DIM", argv[2], 1, 32768) : 4);
	} else if (!strcmp(cmd, "insert-test")) {
		if (argc < 3)
			mvs_usage_error("insert-test needs a row count");
		rc = insert_test(name, start, mvs_parse_count("N", argv[2], 0, INT64_MAX), batch, inflight, flags);
	} else if (!strcmp(cmd, "drop")) {
		Milvus__Proto__Milvus__DropCollectionRequest req = MILVUS__PROTO__MILVUS__DROP_COLLECTION_REQUEST__INIT;
		Milvus__Proto__Common__Status *s;

		req.collection_name = (char *)name;
		if (mvs_milvus_drop_collection(client, &req, &s, &err) < 0)
			return fail();
		mvs_milvus_free(s);
	} else if (!strcmp(cmd, "load")) {
		Milvus__Proto__Milvus__LoadCollectionRequest req = MILVUS__PROTO__MILVUS__LOAD_COLLECTION_REQUEST__INIT;
		Milvus__Proto__Common__Status *s;

		req.collection_name = (char *)name;
		if (mvs_milvus_load_collection(client, &req, &s, &err) < 0)
			return fail();
		mvs_milvus_free(s);
		if (mvs_milvus_wait_loaded(client, NULL, name, 60, &err) < 0)
			return fail();
		printf("loaded %s\n", name);
	} else if (!strcmp(cmd, "flush")) {
		if (mvs_milvus_flush_wait(client, NULL, name, 60, &err) < 0)
			return fail();
		printf("flushed %s\n", name);
	} else if (!strcmp(cmd, "count")) {
		int64_t n;

		if (mvs_milvus_count(client, NULL, name, NULL, NULL, &n, &err) < 0)
			return fail();
		printf("%" PRId64 "\n", n);
	} else if (!strcmp(cmd, "describe")) {
		Milvus__Proto__Milvus__DescribeCollectionRequest req =
			MILVUS__PROTO__MILVUS__DESCRIBE_COLLECTION_REQUEST__INIT;
		Milvus__Proto__Milvus__DescribeCollectionResponse *r;

		req.collection_name = (char *)name;
		if (mvs_milvus_describe_collection(client, &req, &r, &err) < 0)
			return fail();
		printf("collection %s\n", r->collection_name);
		for (size_t i = 0; r->schema && i < r->schema->n_fields; i++)
			printf("field %s %d%s\n", r->schema->fields[i]->name, (int)r->schema->fields[i]->data_type,
			       r->schema->fields[i]->is_primary_key ? " primary" : "");
		mvs_milvus_free(r);

		Milvus__Proto__Milvus__DescribeIndexRequest ireq = MILVUS__PROTO__MILVUS__DESCRIBE_INDEX_REQUEST__INIT;
		Milvus__Proto__Milvus__DescribeIndexResponse *ir;

		ireq.collection_name = (char *)name;
		if (mvs_milvus_describe_index(client, &ireq, &ir, &err) < 0)
			return fail();
		for (size_t i = 0; i < ir->n_index_descriptions; i++)
			printf("index %s on %s\n", ir->index_descriptions[i]->index_name,
			       ir->index_descriptions[i]->field_name);
		mvs_milvus_free(ir);
	} else {
		mvs_usage_error("unknown command \"%s\"", cmd);
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "uri", required_argument, NULL, 'u' },
		{ "db", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'U' },
		{ "password-file", required_argument, NULL, 'P' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "attempts", required_argument, NULL, 'a' },
		{ "retry-total", required_argument, NULL, 't' },
		{ "backoff", required_argument, NULL, 'b' },
		{ "deadline", required_argument, NULL, 'D' },
		{ "batch", required_argument, NULL, 'B' },
		{ "inflight", required_argument, NULL, 'i' },
		{ "start", required_argument, NULL, 's' },
		{ "retry-as-upsert", no_argument, NULL, 'R' },
		{ "tls-ca", required_argument, NULL, 'C' },
		{ "tls-cert", required_argument, NULL, 'E' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "tls-server-name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvs_milvus_options o;
	const char *user = NULL, *password_file = NULL, *token_file = NULL;
	char *password = NULL, *token = NULL, why[512];
	int opt, batch = 100, inflight = 4, rc;
	int64_t start = 0;
	unsigned flags = 0;

	mvs_cli_init("mvs-probe");
	mvs_milvus_options_init(&o);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'u': o.uri = optarg; break;
		case 'd': o.db_name = optarg; break;
		case 'U': user = optarg; break;
		case 'P': password_file = optarg; break;
		case 'T': token_file = optarg; break;
		case 'a': o.retry.max_attempts = (int)mvs_parse_count("--attempts", optarg, 1, 1000); break;
		case 't': o.retry.max_total_s = (double)mvs_parse_count("--retry-total", optarg, 1, 86400); break;
		case 'b': o.retry.max_backoff_s = (double)mvs_parse_count("--backoff", optarg, 1, 3600); break;
		case 'D': o.deadline_s = (double)mvs_parse_count("--deadline", optarg, 1, 86400); break;
		case 'B': batch = (int)mvs_parse_count("--batch", optarg, 1, 1000000); break;
		case 'i': inflight = (int)mvs_parse_count("--inflight", optarg, 1, 1000); break;
		case 's': start = mvs_parse_count("--start", optarg, 0, INT64_MAX / 2); break;
		case 'R': flags |= MVS_MILVUS_RETRY_AS_UPSERT; break;
		case 'C': o.tls_ca_file = optarg; break;
		case 'E': o.tls_cert_file = optarg; break;
		case 'K': o.tls_key_file = optarg; break;
		case 'N': o.tls_server_name = optarg; break;
		case 'h':
			printf("usage: mvs-probe [--uri U] [--db D] [--user U] [--password-file F] [--token-file F]\n"
			       "  [--attempts N] [--retry-total S] [--backoff S] [--deadline S] [--batch B]\n"
			       "  [--inflight K] [--start S] [--retry-as-upsert] [--tls-ca F] [--tls-cert F]\n"
			       "  [--tls-key F] [--tls-server-name N] COMMAND [ARGS]\n"
			       "commands: connect, version, health, databases, create-test C [DIM], drop C,\n"
			       "  insert-test C N, load C, flush C, count C, describe C\n");
			return 0;
		default:
			mvs_usage_error("bad option");
		}
	}
	if (optind >= argc)
		mvs_usage_error("no command given");
	if (mvs_secret_credentials(user, password_file, token_file, &password, &token, why, sizeof why) < 0) {
		mvs_error("%s", why);
		return MVS_EXIT_USAGE;
	}
	o.user = user;
	o.password = password;
	o.token = token;
	client = mvs_milvus_open(&o, &err);
	mvs_secret_free(password);
	mvs_secret_free(token);
	if (!client)
		return fail();
	/* As the tools do: the handshake first (it also checks the credentials). */
	if (strcmp(argv[optind], "connect") && mvs_milvus_connect(client, NULL, &err) < 0)
		rc = fail();
	else
		rc = run(argc - optind, argv + optind, batch, inflight, start, flags);
	mvs_milvus_close(client);
	if (fflush(stdout) != 0)
		rc = MVS_EXIT_IO;
	return rc;
}
