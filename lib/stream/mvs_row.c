/* Stream rows (see mvs_row.h): measuring and splitting rows with the msgpack skipper of mvs_mpack.h. */
#include "mvs_row.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mvs_mpack.h"

size_t mvs_row_measure(const unsigned char *p, size_t len, size_t width)
{
	uint32_t count;
	size_t hdr;

	if (!mvs_mp_array_header(p, len, &count, &hdr) || count != width)
		return 0;
	return mvs_mp_skip(p, len);
}

int mvs_row_split(const unsigned char *row, size_t len, size_t width, struct mvs_span *values)
{
	uint32_t count;
	size_t pos;

	if (!mvs_mp_array_header(row, len, &count, &pos) || count != width)
		return -1;
	for (size_t i = 0; i < width; i++) {
		size_t n = mvs_mp_skip(row + pos, len - pos);

		if (n == 0)
			return -1;
		values[i].ptr = row + pos;
		values[i].len = n;
		pos += n;
	}
	return pos == len ? 0 : -1;
}

/* ---- value checks ---- */
