/* Rendering stream contents as JSON for mvs-cat: a unit's header as one JSON object (the header map of
 * man/mvs-stream.5 with the same key names) and each row as one JSON object keyed by field name, with
 * the value conventions of mvs-cat(1): floats as %.9g, doubles as %.17g, non-finite numbers as the
 * strings "NaN"/"Infinity"/"-Infinity", vectors as number arrays, sparse vectors as index->value
 * objects, JSON fields embedded as JSON. Rendering decodes each value by its field's type and fails
 * with a message when the bytes cannot be rendered faithfully (wrong msgpack type, bad vector length,
 * invalid UTF-8, JSON text that is not JSON), so the output is always valid JSON Lines. */
#ifndef MVS_JSON_H
#define MVS_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "mvs_jtext.h"
#include "mvs_schema.h"

/* Appends the header of a unit as one JSON object (no newline). Returns 0, or -1 with a message in
 * err when a default value cannot be rendered. */
int mvs_json_header(struct mvs_jbuf *b, const struct mvs_schema *schema, char *err, size_t errlen);

/* Appends one row (the msgpack array of the schema's row fields) as one JSON object (no newline).
 * With partition non-NULL the object starts with "$partition": partition. Returns 0, or -1 with a
 * message naming the field in err; the buffer then holds a partial object. */
int mvs_json_row(struct mvs_jbuf *b, const struct mvs_schema *schema, const char *partition,
		 const unsigned char *row, size_t len, char *err, size_t errlen);

/* Appends one value (its msgpack bytes, exactly len) of the field. Same contract as mvs_json_row. */
int mvs_json_value(struct mvs_jbuf *b, const struct mvs_field *field, const unsigned char *value,
		   size_t len, char *err, size_t errlen);

#endif
