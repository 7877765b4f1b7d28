/* Conversion between Milvus's schema messages (schema.proto, common.proto) and the mvs schema model
 * (mvs_schema.h): DescribeCollection's CollectionSchema becomes a struct mvs_schema for the stream
 * header, and a struct mvs_schema becomes the packed CollectionSchema that CreateCollection takes.
 * Index and collection properties travel as KeyValuePair lists; helpers copy them both ways. */
#ifndef MVS_MILVUS_SCHEMA_H
#define MVS_MILVUS_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "common.pb-c.h"
#include "mvs_schema.h"
#include "schema.pb-c.h"

/* Collection settings that DescribeCollectionResponse carries beside its schema (fields 8, 11, 13
 * and 15); the caller copies them over so this module does not depend on milvus.proto. */
struct mvs_collection_settings {
	int32_t shards_num;
	int consistency_level; /* common.ConsistencyLevel */
	int64_t num_partitions;
	Milvus__Proto__Common__KeyValuePair *const *properties;
	size_t n_properties;
};

/* Fills *out (which must be zeroed or freed) from a described collection: name, description,
 * dynamic-field flag, every field with its properties (type_params dim/max_length/max_capacity
 * parsed to integers, the others kept verbatim; default values in the row encoding), the functions,
 * and the settings. Properties are the settings' followed by any schema property they do not
 * repeat. System fields (RowID, Timestamp) and a described "$meta" are skipped; when dynamic fields
 * are on, the "$meta" field {JSON, is_dynamic} is appended last. Partitions, indexes and
 * provenance are left for the caller. Returns 0, or -1 with a message naming the field
 * (unsupported type, bad type_params, struct-array fields...) in err; *out is then freed. */
int mvs_schema_from_milvus(struct mvs_schema *out,
			   const Milvus__Proto__Schema__CollectionSchema *cs,
			   const struct mvs_collection_settings *settings, char *err,
			   size_t errlen);

/* Packs the schema as a CollectionSchema for CreateCollectionRequest.schema, named `name` (the
 * target collection, which may differ from schema->name; pass NULL to keep it). The dynamic field
 * is not sent (enable_dynamic_field says it instead); field IDs are left 0; type_params are
 * dim/max_length/max_capacity followed by the verbatim ones; default values are converted back.
 * On success *buf is a malloc'ed buffer of *len bytes (free it) and 0 is returned; -1 with a
 * message in err otherwise. */
int mvs_schema_to_milvus(const struct mvs_schema *schema, const char *name, unsigned char **buf,
			 size_t *len, char *err, size_t errlen);

/* Appends Milvus KeyValuePairs (e.g. IndexDescription.params) to a kv list, copying the strings
 * (a NULL key or value counts as ""). Returns 0, or -1 when out of memory. */
int mvs_kvlist_from_milvus(struct mvs_kvlist *dst, Milvus__Proto__Common__KeyValuePair *const *kvs,
			   size_t n);

/* A KeyValuePair array (e.g. for CreateIndexRequest.extra_params) borrowing the list's strings: one
 * allocation, released with free(), valid while the list is unchanged. *n receives the count.
 * Returns NULL when out of memory (and for an empty list, with *n = 0). */
Milvus__Proto__Common__KeyValuePair **mvs_kvlist_to_milvus(const struct mvs_kvlist *src, size_t *n);

#endif
