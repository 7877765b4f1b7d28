/* The one UTF-8 module (lib/common/mvs_utf8.c): every code point round-trips through encode and decode,
 * surrogates, overlong forms, values past U+10FFFF and cut sequences are refused, and the validator's
 * ASCII fast path agrees with the byte-at-a-time decoder. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "mvs_utf8.h"

int main(void)
{
	char buf[4];
	uint32_t cp;
	int bad = 0;

	for (uint32_t c = 0; c <= 0x10ffff; c++) {
		size_t n = mvs_utf8_encode(c, buf);
		size_t k = mvs_utf8_decode(buf, n, &cp);
		bool surrogate = c >= 0xd800 && c <= 0xdfff;
		if (surrogate ? k != 0 : (k != n || cp != c || !mvs_utf8_valid(buf, n)))
			bad++;
		if (n > 1 && mvs_utf8_decode(buf, n - 1, NULL) != 0) /* cut short */
			bad++;
	}
	CHECK_MSG(bad == 0, "%d code points mishandled", bad);

	static const char *const refused[] = {
		"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xed\xa0\x80", "\xed\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\x80", "ab\xe2\x82", "abcdefgh\xc3",
		"abcdefghijklmno\xe2\x28\xa1",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		CHECK_MSG(!mvs_utf8_valid(refused[i], strlen(refused[i])), "accepted case %zu", i);
	static const char *const accepted[] = {
		"", "abcdefghijklmnopq", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
		"\xee\x80\x80", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "abcdefg\xc3\xa9xyzabcd",
	};
	for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++)
		CHECK_MSG(mvs_utf8_valid(accepted[i], strlen(accepted[i])), "refused case %zu", i);
	CHECK(mvs_utf8_valid("a\0b", 3)); /* U+0000 is valid: Milvus stores it */
	return check_status();
}
