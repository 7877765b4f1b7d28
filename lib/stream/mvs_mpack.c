/* Names of msgpack values for messages (see mvs_mpack.h; the reader itself is inline there, on the
 * path of every value). */
#include "mvs_mpack.h"

static const char *const kind_names[] = {
	"nil", "bool", "int", "int", "float32", "float64", "str", "bin", "array", "map", "ext",
};

const char *mvs_mp_kind_name(enum mvs_mp_kind kind)
{
	return kind_names[kind];
}

const char *mvs_mp_describe(const unsigned char *v, size_t len)
{
	if (len == 0)
		return "nothing";
	unsigned char b = v[0];
	if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3))
		return "an integer";
	if ((b & 0xf0) == 0x80 || b == 0xde || b == 0xdf)
		return "a map";
	if ((b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd)
		return "an array";
	if ((b & 0xe0) == 0xa0 || (b >= 0xd9 && b <= 0xdb))
		return "a str";
	switch (b) {
	case 0xc0: return "nil";
	case 0xc1: return "an invalid byte 0xc1";
	case 0xc2: case 0xc3: return "a bool";
	case 0xc4: case 0xc5: case 0xc6: return "a bin";
	case 0xca: return "a float32";
	case 0xcb: return "a float64";
	default: return "an ext";
	}
}
