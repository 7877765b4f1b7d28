/* The one msgpack reader of mvs: every decoder of stream bytes reads through it, never past the bytes
 * it is given. A cursor decodes one object at a time (for str, bin and ext with its payload, for arrays
 * and maps only the count: the elements follow); mvs_mp_skip measures a whole value, nested ones
 * included, without recursion. Writing msgpack is msgpack-c's (msgpack_packer). */
#ifndef MVS_MPACK_H
#define MVS_MPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A cursor over [p, end). */
struct mvs_mp {
	const unsigned char *p, *end;
};

enum mvs_mp_kind {
	MVS_MP_NIL, MVS_MP_BOOL, MVS_MP_UINT, MVS_MP_INT, MVS_MP_F32, MVS_MP_F64,
	MVS_MP_STR, MVS_MP_BIN, MVS_MP_ARRAY, MVS_MP_MAP, MVS_MP_EXT,
};

struct mvs_mp_obj {
	enum mvs_mp_kind kind;
	bool b;			/* MVS_MP_BOOL */
	uint64_t u;		/* MVS_MP_UINT: every non-negative integer, whatever its format */
	int64_t i;		/* MVS_MP_INT: negative integers */
	double d;		/* MVS_MP_F32 (exactly), MVS_MP_F64 */
	uint64_t bits;		/* MVS_MP_F32 (low 32), MVS_MP_F64: the IEEE bits, NaN payloads kept */
	const unsigned char *data;	/* MVS_MP_STR, MVS_MP_BIN, MVS_MP_EXT payload (ext: type byte first) */
	uint32_t len;		/* payload bytes; MVS_MP_ARRAY / MVS_MP_MAP element count */
	unsigned char tag;	/* the format byte */
};

/* Whether v[0..len) is exactly a nil (the one-byte format 0xc0): a cheap test for the hot path. */
static inline bool mvs_mp_is_nil(const unsigned char *v, size_t len)
{
	return len == 1 && v[0] == 0xc0;
}

/* What the msgpack value at v is, from its first byte, for "found ..." messages: "an integer",
 * "a str", "a float64", ...; "nothing" when len is 0. */
const char *mvs_mp_describe(const unsigned char *v, size_t len);

/* "int", "str", "float32", ... for messages. */
const char *mvs_mp_kind_name(enum mvs_mp_kind kind);

/* ---- the reader itself, inline: it is on the path of every value ---- */

/* The n-byte (1..8) big-endian unsigned integer at p. */
static inline uint64_t mvs_mp_load_be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Takes n bytes from the cursor, or returns NULL when fewer are left. */
static inline const unsigned char *mvs_mp_take(struct mvs_mp *c, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return NULL;
	const unsigned char *p = c->p;
	c->p += n;
	return p;
}

/* Reads one object at the cursor and moves past it (past its payload; before an array's or map's
 * elements). Returns 0, or -1 when the bytes end early or the format byte is the reserved 0xc1. */
static inline int mvs_mp_read(struct mvs_mp *c, struct mvs_mp_obj *o)
{
	const unsigned char *p = mvs_mp_take(c, 1);
	int size;

	if (!p)
		return -1;
	unsigned t = o->tag = *p;
	if (t <= 0x7f) {
		o->kind = MVS_MP_UINT;
		o->u = t;
		return 0;
	}
	if (t >= 0xe0) {
		o->kind = MVS_MP_INT;
		o->i = (int8_t)t;
		return 0;
	}
	if (t <= 0x9f) {
		o->kind = t <= 0x8f ? MVS_MP_MAP : MVS_MP_ARRAY;
		o->len = t & 15;
		return 0;
	}
	if (t <= 0xbf) {
		o->kind = MVS_MP_STR;
		o->len = t & 31;
		goto payload;
	}
	switch (t) {
	case 0xc0:
		o->kind = MVS_MP_NIL;
		return 0;
	case 0xc2:
	case 0xc3:
		o->kind = MVS_MP_BOOL;
		o->b = t == 0xc3;
		return 0;
	case 0xc4: case 0xc5: case 0xc6:
	case 0xd9: case 0xda: case 0xdb:
		o->kind = t <= 0xc6 ? MVS_MP_BIN : MVS_MP_STR;
		size = 1 << (t <= 0xc6 ? t - 0xc4 : t - 0xd9);
		if (!(p = mvs_mp_take(c, size)))
			return -1;
		o->len = (uint32_t)mvs_mp_load_be(p, size);
		goto payload;
	case 0xc7: case 0xc8: case 0xc9:
		size = 1 << (t - 0xc7);
		if (!(p = mvs_mp_take(c, size)))
			return -1;
		o->kind = MVS_MP_EXT;
		o->len = (uint32_t)mvs_mp_load_be(p, size) + 1;	/* with the type byte */
		goto payload;
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		o->kind = MVS_MP_EXT;
		o->len = (1u << (t - 0xd4)) + 1;
		goto payload;
	case 0xca:
	case 0xcb: {
		if (!(p = mvs_mp_take(c, t == 0xca ? 4 : 8)))
			return -1;
		o->bits = mvs_mp_load_be(p, t == 0xca ? 4 : 8);
		if (t == 0xca) {
			uint32_t bits = (uint32_t)o->bits;
			float f;
			memcpy(&f, &bits, 4);
			o->kind = MVS_MP_F32;
			o->d = f;
		} else {
			memcpy(&o->d, &o->bits, 8);
			o->kind = MVS_MP_F64;
		}
		return 0;
	}
	case 0xcc: case 0xcd: case 0xce: case 0xcf:
		size = 1 << (t - 0xcc);
		if (!(p = mvs_mp_take(c, size)))
			return -1;
		o->kind = MVS_MP_UINT;
		o->u = mvs_mp_load_be(p, size);
		return 0;
	case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
		size = 1 << (t - 0xd0);
		if (!(p = mvs_mp_take(c, size)))
			return -1;
		uint64_t v = mvs_mp_load_be(p, size);
		/* two's complement narrowing: GCC and clang define it as modular */
		o->i = size == 1 ? (int8_t)v : size == 2 ? (int16_t)v : size == 4 ? (int32_t)v : (int64_t)v;
		if (o->i >= 0) {
			o->kind = MVS_MP_UINT;
			o->u = (uint64_t)o->i;
		} else {
			o->kind = MVS_MP_INT;
		}
		return 0;
	}
	case 0xdc: case 0xdd: case 0xde: case 0xdf:
		size = t == 0xdc || t == 0xde ? 2 : 4;
		if (!(p = mvs_mp_take(c, size)))
			return -1;
		o->kind = t <= 0xdd ? MVS_MP_ARRAY : MVS_MP_MAP;
		o->len = (uint32_t)mvs_mp_load_be(p, size);
		return 0;
	default:
		return -1;
	}
payload:
	if (!(o->data = mvs_mp_take(c, o->len)))
		return -1;
	return 0;
}

/* The formats whose first byte is 0xc0..0xdf, indexed by that byte - 0xc0: the bytes before the
 * payload (format byte, size field, ext type byte; for fixed-size formats the whole value), and for
 * the formats with a size field its width and whether it counts payload bytes, array elements or
 * map pairs. */
enum mvs_mp_size_kind { MVS_MP_SZ_NONE, MVS_MP_SZ_BYTES, MVS_MP_SZ_ELEMS, MVS_MP_SZ_PAIRS, MVS_MP_SZ_INVALID };

struct mvs_mp_fmt {
	unsigned char hdr;	/* bytes before the payload, including the format byte */
	unsigned char size_width;	/* bytes of the size field after the format byte */
	unsigned char kind;	/* enum mvs_mp_size_kind */
};

static const struct mvs_mp_fmt mvs_mp_formats[32] = {
	[0x00] = { 1, 0, MVS_MP_SZ_NONE },		/* c0 nil */
	[0x01] = { 1, 0, MVS_MP_SZ_INVALID },		/* c1 never used */
	[0x02] = { 1, 0, MVS_MP_SZ_NONE },		/* c2 false */
	[0x03] = { 1, 0, MVS_MP_SZ_NONE },		/* c3 true */
	[0x04] = { 2, 1, MVS_MP_SZ_BYTES },		/* c4 bin 8 */
	[0x05] = { 3, 2, MVS_MP_SZ_BYTES },		/* c5 bin 16 */
	[0x06] = { 5, 4, MVS_MP_SZ_BYTES },		/* c6 bin 32 */
	[0x07] = { 3, 1, MVS_MP_SZ_BYTES },		/* c7 ext 8: size, type */
	[0x08] = { 4, 2, MVS_MP_SZ_BYTES },		/* c8 ext 16 */
	[0x09] = { 6, 4, MVS_MP_SZ_BYTES },		/* c9 ext 32 */
	[0x0a] = { 5, 0, MVS_MP_SZ_NONE },		/* ca float 32 */
	[0x0b] = { 9, 0, MVS_MP_SZ_NONE },		/* cb float 64 */
	[0x0c] = { 2, 0, MVS_MP_SZ_NONE },		/* cc uint 8 */
	[0x0d] = { 3, 0, MVS_MP_SZ_NONE },		/* cd uint 16 */
	[0x0e] = { 5, 0, MVS_MP_SZ_NONE },		/* ce uint 32 */
	[0x0f] = { 9, 0, MVS_MP_SZ_NONE },		/* cf uint 64 */
	[0x10] = { 2, 0, MVS_MP_SZ_NONE },		/* d0 int 8 */
	[0x11] = { 3, 0, MVS_MP_SZ_NONE },		/* d1 int 16 */
	[0x12] = { 5, 0, MVS_MP_SZ_NONE },		/* d2 int 32 */
	[0x13] = { 9, 0, MVS_MP_SZ_NONE },		/* d3 int 64 */
	[0x14] = { 3, 0, MVS_MP_SZ_NONE },		/* d4 fixext 1: type, 1 byte */
	[0x15] = { 4, 0, MVS_MP_SZ_NONE },		/* d5 fixext 2 */
	[0x16] = { 6, 0, MVS_MP_SZ_NONE },		/* d6 fixext 4 */
	[0x17] = { 10, 0, MVS_MP_SZ_NONE },		/* d7 fixext 8 */
	[0x18] = { 18, 0, MVS_MP_SZ_NONE },		/* d8 fixext 16 */
	[0x19] = { 2, 1, MVS_MP_SZ_BYTES },		/* d9 str 8 */
	[0x1a] = { 3, 2, MVS_MP_SZ_BYTES },		/* da str 16 */
	[0x1b] = { 5, 4, MVS_MP_SZ_BYTES },		/* db str 32 */
	[0x1c] = { 3, 2, MVS_MP_SZ_ELEMS },		/* dc array 16 */
	[0x1d] = { 5, 4, MVS_MP_SZ_ELEMS },		/* dd array 32 */
	[0x1e] = { 3, 2, MVS_MP_SZ_PAIRS },		/* de map 16 */
	[0x1f] = { 5, 4, MVS_MP_SZ_PAIRS },		/* df map 32 */
};

/* The byte length of the one msgpack value at p (any format, nested arrays and maps included), or 0
 * when the bytes there are not a complete, well-formed value within len. Never reads past len. */
static inline size_t mvs_mp_skip(const unsigned char *p, size_t len)
{
	size_t pos = 0;
	uint64_t pending = 1;	/* values still to skip: nested elements are added, never recursed */

	while (pending) {
		uint64_t hdr = 1, body = 0, children = 0;

		if (pos >= len)
			return 0;
		unsigned char b = p[pos];
		if (b <= 0x7f || b >= 0xe0) {
			/* fixint */
		} else if (b <= 0x8f) {
			children = 2u * (b & 0x0f);
		} else if (b <= 0x9f) {
			children = b & 0x0f;
		} else if (b <= 0xbf) {
			body = b & 0x1f;
		} else {
			const struct mvs_mp_fmt *f = &mvs_mp_formats[b - 0xc0];
			uint64_t size;

			if (f->kind == MVS_MP_SZ_INVALID)
				return 0;
			hdr = f->hdr;
			if (len - pos < hdr)
				return 0;
			switch (f->size_width) {
			case 1: size = p[pos + 1]; break;
			case 2: size = mvs_mp_load_be(p + pos + 1, 2); break;
			case 4: size = mvs_mp_load_be(p + pos + 1, 4); break;
			default: size = 0; break;
			}
			if (f->kind == MVS_MP_SZ_BYTES)
				body = size;
			else if (f->kind == MVS_MP_SZ_ELEMS)
				children = size;
			else if (f->kind == MVS_MP_SZ_PAIRS)
				children = 2 * size;
		}
		if (len - pos < hdr || len - pos - hdr < body)
			return 0;
		pos += hdr + body;
		pending += children - 1;
		/* Every pending value needs at least one byte: this bounds the loop and the counter. */
		if (pending > len - pos)
			return 0;
	}
	return pos;
}

/* An array header at p: its element count and header length; false if p does not start one. */
static inline bool mvs_mp_array_header(const unsigned char *p, size_t len, uint32_t *count, size_t *hdr)
{
	if (len == 0)
		return false;
	if ((p[0] & 0xf0) == 0x90) {
		*count = p[0] & 0x0f;
		*hdr = 1;
		return true;
	}
	if (p[0] == 0xdc && len >= 3) {
		*count = (uint32_t)mvs_mp_load_be(p + 1, 2);
		*hdr = 3;
		return true;
	}
	if (p[0] == 0xdd && len >= 5) {
		*count = (uint32_t)mvs_mp_load_be(p + 1, 4);
		*hdr = 5;
		return true;
	}
	return false;
}

#endif
