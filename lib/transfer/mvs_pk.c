/* Milvus's order of primary keys (see mvs_pk.h). */
#include "mvs_pk.h"

#include <string.h>

int mvs_pk_compare(const struct mvs_pk *a, const struct mvs_pk *b)
{
	if (!a->is_string)
		return (a->i > b->i) - (a->i < b->i);
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n > 0 ? memcmp(a->s, b->s, n) : 0;
	return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}
