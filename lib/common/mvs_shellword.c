/* One POSIX shell word from any text (see mvs_shellword.h). */
#include "mvs_shellword.h"

#include <stdlib.h>
#include <string.h>

char *mvs_shell_word(const char *s)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.,:/=@%+-";
	size_t len = strlen(s), n = 0;
	char *out;

	if (len && strspn(s, plain) == len)
		return strdup(s);
	if (!(out = malloc(4 * len + 3)))
		return NULL;
	out[n++] = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *s;
		}
	}
	out[n++] = '\'';
	out[n] = '\0';
	return out;
}
