/* Primary keys as export and import meet them: an Int64 or a VarChar value (any bytes, U+0000
 * included) and Milvus's order of keys, which paging and resuming follow. */
#ifndef MVS_PK_H
#define MVS_PK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A primary key value. */
struct mvs_pk {
	bool is_string;
	int64_t i;     /* Int64 keys */
	const char *s; /* VarChar keys: len bytes, which may hold NUL (U+0000), not NUL-terminated;
			* owned by whoever filled it in */
	size_t len;
};

/* Milvus's order of two keys of one kind: numbers, or strings bytewise with a prefix first (UTF-8
 * bytewise is code point order). Returns <0, 0 or >0. */
int mvs_pk_compare(const struct mvs_pk *a, const struct mvs_pk *b);

#endif
