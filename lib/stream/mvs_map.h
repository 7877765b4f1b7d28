/* Field selection, renaming and collection-setting edits on a stream, as mvs-map does them: a spec
 * (what the command line asked for, checked on its own) is applied to each unit's schema, giving the
 * output schema and a column plan; rows are then rebuilt from the byte spans of the kept values
 * without re-encoding them, straight into the output stream's frame, or passed through verbatim when
 * the columns do not change. */
#ifndef MVS_MAP_H
#define MVS_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_row.h"
#include "mvs_schema.h"
#include "mvs_stream.h"

/* Longest collection or field name Milvus accepts by default (proxy.maxNameLength). */
#define MVS_NAME_MAX 255

struct mvs_map_spec {
	char **keep;		/* --fields: kept fields, in output order */
	size_t n_keep;
	char **drop;		/* --exclude */
	size_t n_drop;
	char **rename_from;	/* --rename old:new, by input name */
	char **rename_to;
	size_t n_rename;
	char *collection;	/* NULL: keep the name */
	char *description;	/* NULL: keep */
	int32_t shards;		/* 0: keep */
	int consistency;	/* -1: keep; else a level as mvs_consistency_parse returns it */
	int dynamic;		/* -1: keep, 0: off (drops $meta), 1: on */
};

void mvs_map_spec_init(struct mvs_map_spec *spec);
void mvs_map_spec_free(struct mvs_map_spec *spec);
/* Each adds a comma-separated list and checks it on its own (empty or repeated names, bad new names,
 * --fields with --exclude). Return 0, or -1 with a message in err (a usage error). */
int mvs_map_spec_fields(struct mvs_map_spec *spec, const char *list, char *err, size_t errlen);
int mvs_map_spec_exclude(struct mvs_map_spec *spec, const char *list, char *err, size_t errlen);
int mvs_map_spec_renames(struct mvs_map_spec *spec, const char *list, char *err, size_t errlen);
int mvs_map_spec_collection(struct mvs_map_spec *spec, const char *name, char *err, size_t errlen);
int mvs_map_spec_description(struct mvs_map_spec *spec, const char *text);

/* Milvus's rule for collection and field names: 1..255 characters, letters, digits and '_', not
 * starting with a digit. what ("field", "collection") is used in the message. */
int mvs_map_check_name(const char *what, const char *name, char *err, size_t errlen);

/* Receives the notes a plan makes about consequences the user did not spell out ("dropping function
 * \"bm25\": its input field \"text\" is not kept"). */
typedef void (*mvs_map_note_fn)(void *ctx, const char *message);

struct mvs_map {
	struct mvs_schema out;	/* the output schema */
	size_t in_width;	/* values per input row */
	size_t out_width;	/* values per output row */
	size_t *columns;	/* output value i is input value columns[i] */
	bool verbatim;		/* rows pass unchanged */
	struct mvs_span *spans;	/* in_width scratch spans */
};

/* Applies the spec to one unit's schema. Returns 0, or -1 with a message in err naming the
 * collection and the fields at fault; notes go to note (may be NULL). */
int mvs_map_init(struct mvs_map *map, const struct mvs_map_spec *spec, const struct mvs_schema *in,
		 mvs_map_note_fn note, void *ctx, char *err, size_t errlen);
#define MVS_MAP_WRITE_FAILED (-2)

/* Maps one row, whose values the caller has checked (mvs_row_check), and appends the result to the
 * writer's open unit, built in place. Returns 0, -1 when the row is not an array of in_width values
 * (nothing is written), or MVS_MAP_WRITE_FAILED (see mvs_writer_error). */
int mvs_map_row(struct mvs_map *map, const unsigned char *row, size_t len, struct mvs_writer *w);
void mvs_map_free(struct mvs_map *map);

#endif
