/* The schema model: everything a stream header carries about one collection (fields, functions,
 * partitions, indexes, collection settings, provenance). Export fills it from Milvus, the stream codec
 * writes and reads it, mvs-map edits it, import turns it back into a CreateCollection request.
 * All strings are heap-owned by the schema; mvs_schema_free releases everything. */
#ifndef MVS_SCHEMA_H
#define MVS_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mvs_kv {
	char *key;
	char *value;
};

/* User text that Milvus keeps byte for byte (descriptions): len bytes, U+0000 included. s is
 * NUL-terminated after them, for messages, or NULL when there is none. */
struct mvs_text {
	char *s;
	size_t len;
};

struct mvs_kvlist {
	struct mvs_kv *items;
	size_t len;
};

struct mvs_field {
	char *name;
	struct mvs_text description;
	int type;		/* enum mvs_type */
	int element_type;	/* Array element type, else 0 */
	bool primary_key;
	bool auto_id;
	bool nullable;
	bool partition_key;
	bool clustering_key;
	bool function_output;	/* filled by a function (BM25...): described, never carried in rows */
	bool is_dynamic;	/* the "$meta" column: a JSON object of the dynamic keys */
	int64_t dim;		/* vectors except sparse; 0 when absent */
	int64_t max_length;	/* VarChar, or Array of VarChar; 0 when absent */
	int64_t max_capacity;	/* Array; 0 when absent */
	/* Default value as the msgpack encoding of one value of this field (the row encoding);
	 * NULL when the field has none. */
	unsigned char *default_value;
	size_t default_value_len;
	/* type_params other than dim/max_length/max_capacity (enable_analyzer, analyzer_params,
	 * mmap.enabled, ...), kept verbatim. */
	struct mvs_kvlist type_params;
	struct mvs_kvlist index_params;	/* FieldSchema.index_params, verbatim */
};

struct mvs_function {
	char *name;
	struct mvs_text description;
	int type;		/* FunctionType: BM25=1, TextEmbedding=2, ... */
	char **input_fields;
	size_t n_input_fields;
	char **output_fields;
	size_t n_output_fields;
	struct mvs_kvlist params;
};

struct mvs_index {
	char *field_name;
	char *index_name;
	struct mvs_kvlist params;	/* IndexDescription.params: index_type, metric_type, params... */
};

struct mvs_schema {
	/* collection */
	char *name;
	struct mvs_text description;
	int32_t shards_num;
	int consistency_level;	/* Strong=0, Session=1, Bounded=2, Eventually=3, Customized=4 */
	bool enable_dynamic_field;
	int64_t num_partitions;	/* partition-key partition count; 0 without a partition key */
	struct mvs_kvlist properties;
	struct mvs_field *fields;	/* schema order; the dynamic "$meta" field last when present */
	size_t n_fields;
	struct mvs_function *functions;
	size_t n_functions;
	char **partitions;	/* partition names as on the source (server-made ones omitted for
				 * partition-key collections) */
	size_t n_partitions;
	struct mvs_index *indexes;
	size_t n_indexes;
	/* provenance: never credentials */
	char *source_version;	/* "v2.4.5" or NULL */
	char *source_database;	/* or NULL */
	char *tool;		/* "mvs-export 0.1.0" */
	char *created;		/* RFC 3339 UTC time the stream was written */
	/* a shard of the collection (mvs-export --shard I/N): I, N (0: not a shard) and the filter that
	 * selected its rows on the source */
	uint32_t shard_index, shard_count;
	char *shard_filter;
	/* the rows the unit is expected to hold (the source's count(*) when the export began), for
	 * progress only; 0: unknown */
	uint64_t rows_expected;
};

void mvs_schema_free(struct mvs_schema *schema);
/* Deep copy; returns 0, or -1 on allocation failure. */
int mvs_schema_copy(struct mvs_schema *dst, const struct mvs_schema *src);

/* Index of the named field, or -1. */
int mvs_schema_field_index(const struct mvs_schema *schema, const char *name);
/* Index of the primary key field, or -1. */
int mvs_schema_primary_key(const struct mvs_schema *schema);
/* Fields that travel in rows: all but function outputs, in schema order. Row element i holds field
 * mvs_schema_row_field(schema, i). */
size_t mvs_schema_row_width(const struct mvs_schema *schema);
int mvs_schema_row_field(const struct mvs_schema *schema, size_t column);

const char *mvs_consistency_name(int level);	/* "Bounded"; "Unknown" for others */
int mvs_consistency_parse(const char *name);	/* case-insensitive; -1 when unknown */

/* Sets t to a copy of len bytes (any bytes); returns 0, or -1 when out of memory (t unchanged). */
int mvs_text_set(struct mvs_text *t, const void *bytes, size_t len);
void mvs_text_free(struct mvs_text *t);
/* Whether two texts hold the same bytes (no text and an empty one are equal). */
bool mvs_text_equal(const struct mvs_text *a, const struct mvs_text *b);

/* Small helpers for the kv lists used above. */
int mvs_kvlist_add(struct mvs_kvlist *list, const char *key, const char *value);
const char *mvs_kvlist_get(const struct mvs_kvlist *list, const char *key);
void mvs_kvlist_free(struct mvs_kvlist *list);

#endif
