/* Row digests (man/mvs-stream.5, DIGEST): the canonical bytes of a row, built from its decoded values so
 * that two encodings of the same values (msgpack integer widths, say) give the same bytes; the row's
 * XXH3-64 hash; and a unit's digest, the sum of its rows' hashes mod 2^64, which does not depend on the
 * order of the rows and adds up over shards. mvs-cat --digest prints digests and mvs-diff compares
 * rows and values by these bytes. */
#ifndef MVS_DIGEST_H
#define MVS_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_row.h"
#include "mvs_schema.h"

/* A growing byte buffer; free with mvs_canon_buf_free. failed is set when memory ran out (then it
 * keeps what it had and appends nothing more). */
struct mvs_canon_buf {
	unsigned char *data;
	size_t len, cap;
	bool failed;
};

void mvs_canon_buf_free(struct mvs_canon_buf *b);

/* What a row's canonical bytes hold. */
struct mvs_canon_options {
	const char *const *fields;	/* these row fields in this order; NULL: every row field in header order */
	size_t n_fields;
	bool without_pk;		/* leave the primary key out (auto-ID targets make new keys) */
	bool without_partition;		/* leave the partition name out */
};

/* Sets opt->fields from a comma-separated list ("id,title"; --fields), owned by opt until
 * mvs_canon_options_free. Returns 0, or -1 with a message in err (an empty name; out of memory). */
int mvs_canon_options_fields(struct mvs_canon_options *opt, const char *list, char *err, size_t errlen);
void mvs_canon_options_free(struct mvs_canon_options *opt);

/* A unit's canonical form: built from its header by mvs_canon_init, then used row by row. */
struct mvs_canon {
	const struct mvs_schema *schema;	/* borrowed: valid while the unit is read */
	size_t width;			/* values per row */
	size_t *columns;		/* the row columns that go in, in order */
	const struct mvs_field **fields;	/* the field of each of those columns */
	size_t n_columns;
	bool partition;			/* the partition name goes first */
	int pk_column;			/* the primary key's row column, or -1 */
	struct mvs_span *values;	/* the last row's values, split (width spans) */
	struct mvs_canon_buf bytes;	/* the last row's canonical bytes */
};

/* Sets c up for rows of schema. Returns 0, or -1 with a message in err (a field that is not in the
 * schema or is not carried in rows; out of memory). */
int mvs_canon_init(struct mvs_canon *c, const struct mvs_schema *schema,
		   const struct mvs_canon_options *opt, char *err, size_t errlen);
void mvs_canon_free(struct mvs_canon *c);

/* Splits a row (checked with mvs_row_check first) into c->values and builds its canonical bytes in
 * c->bytes; partition is the row's partition ("" or NULL: rows before any partition frame). Returns 0,
 * or -1 with a message naming the field. */
int mvs_canon_row(struct mvs_canon *c, const char *partition, const unsigned char *row, size_t len,
		  char *err, size_t errlen);

/* The row hash of the last row: XXH3-64, seed 0, of its canonical bytes. */
uint64_t mvs_canon_hash(const struct mvs_canon *c);
/* The same bytes' XXH3-128 (seed 0), for comparing rows as a multiset: high and low halves. */
void mvs_canon_hash128(const struct mvs_canon *c, uint64_t *hi, uint64_t *lo);

/* Appends the canonical bytes of one value of field (its msgpack bytes, checked) to b. Returns 0, or
 * -1 with a message naming the field when the value is not of the field's encoding. */
int mvs_canon_value(struct mvs_canon_buf *b, const struct mvs_field *field, const unsigned char *value,
		    size_t len, char *err, size_t errlen);

#endif
