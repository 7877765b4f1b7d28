/* Export: the FieldData columns of one QueryResults page -> stream rows (msgpack arrays of
 * mvs_schema_row_width() values in header order), for every data type, bit-exact, packed one at a
 * time into a sink in memory bounded by the page; the page's primary keys must increase. */
#ifndef MVS_PAGE_H
#define MVS_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_pk.h"
#include "mvs_schema.h"
#include "schema.pb-c.h"

/* Where rows go: each row is begun, its msgpack bytes are written in order through write (msgpack-c's
 * packer write callback), and it is ended. A non-zero return from begin or end stops the page
 * (mvs_page_convert then returns MVS_PAGE_STOPPED); from write, it fails the page as out of
 * memory. A row found bad halfway is begun and never ended: the sink drops it. mvs_writer_row_begin,
 * mvs_writer_row_append and mvs_writer_row_end fit, so rows are packed straight into a stream's
 * frame. */
struct mvs_row_sink {
	int (*begin)(void *ctx);
	int (*write)(void *ctx, const char *bytes, size_t n);
	int (*end)(void *ctx);
	void *ctx;
};

#define MVS_PAGE_STOPPED (-2)

struct mvs_page;

/* A converter for rows of the schema (which must outlive it). NULL when out of memory. */
struct mvs_page *mvs_page_new(const struct mvs_schema *schema);

/* Converts one page into rows for the sink: fields are QueryResults.fields_data, in any order,
 * matched to the schema's row fields by field_name ("$meta" also by is_dynamic); columns of other
 * names are ignored. Nullable columns may come full-length with placeholders (scalars) or compact
 * (vectors), both with valid_data; a missing nullable column gives nil. Primary keys must increase strictly within the
 * page. row_base is the number of rows before this page, for messages ("field "v", row 1041: ...";
 * rows count from 1). Returns 0 and sets *rows, -1 with a message in err when the page is malformed
 * (missing required column, column length, type, vector size, duplicate or out-of-order key...; no
 * row of the page after the bad one was ended, earlier ones were), or MVS_PAGE_STOPPED when the
 * sink stopped it. */
int mvs_page_convert(struct mvs_page *c, Milvus__Proto__Schema__FieldData *const *fields,
		     size_t n_fields, uint64_t row_base, const struct mvs_row_sink *sink, size_t *rows,
		     char *err, size_t errlen);

void mvs_page_free(struct mvs_page *c);

#endif
