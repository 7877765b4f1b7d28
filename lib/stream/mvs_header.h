/* The msgpack payloads of the small stream frames, to and from C: the header map ('H', the whole
 * struct mvs_schema), the partition marker ('P'), the trailer ('T') and the abort frame ('A').
 * Framing, buffering and checksums are mvs_stream.c's; rows are mvs_row.c's. Key names and
 * types are specified in man/mvs-stream.5. */
#ifndef MVS_HEADER_H
#define MVS_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "mvs_schema.h"

/* Encoders return 0 and a malloc'd buffer in *out (free it), or -1 when out of memory. */
int mvs_header_encode(const struct mvs_schema *schema, unsigned char **out, size_t *len);
int mvs_partition_encode(const char *name, unsigned char **out, size_t *len);
int mvs_trailer_encode(uint64_t rows, uint64_t checksum, unsigned char **out, size_t *len);
int mvs_abort_encode(const char *tool, const char *message, unsigned char **out, size_t *len);

/* Decoders return 0, or -1 with a message in err naming the offending key ("key \"fields\"[2]
 * \"dim\": expected an integer, found a str"). Unknown keys are ignored. On success the caller owns
 * what was filled in (mvs_schema_free, free); on failure nothing is left allocated. */
int mvs_header_decode(const unsigned char *p, size_t len, struct mvs_schema *schema, char *err,
		      size_t errlen);
int mvs_partition_decode(const unsigned char *p, size_t len, char **name, char *err, size_t errlen);
int mvs_trailer_decode(const unsigned char *p, size_t len, uint64_t *rows, uint64_t *checksum,
		       char *err, size_t errlen);
/* Missing keys come back as NULL. */
int mvs_abort_decode(const unsigned char *p, size_t len, char **tool, char **message, char *err,
		     size_t errlen);

#endif
