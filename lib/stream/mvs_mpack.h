/* The one msgpack reader of mvs: every decoder of stream bytes reads through it, never past the bytes
 * it is given. A cursor decodes one object at a time (for str, bin and ext with its payload, for arrays
 * and maps only the count: the elements follow); mvs_mp_skip measures a whole value, nested ones
 * included, without recursion. Writing msgpack is msgpack-c's (msgpack_packer). */
#ifndef MVS_MPACK_H
#define MVS_MPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Reads one object at the cursor and moves past it (past its payload; before an array's or map's
 * elements). Returns 0, or -1 when the bytes end early or the format byte is the reserved 0xc1. */
int mvs_mp_read(struct mvs_mp *c, struct mvs_mp_obj *o);

/* The byte length of the one msgpack value at p (any format, nested arrays and maps included), or 0
 * when the bytes there are not a complete, well-formed value within len. Never reads past len. */
size_t mvs_mp_skip(const unsigned char *p, size_t len);

/* An array header at p: its element count and header length; false if p does not start one. */
bool mvs_mp_array_header(const unsigned char *p, size_t len, uint32_t *count, size_t *hdr);

/* What the msgpack value at v is, from its first byte, for "found ..." messages: "an integer",
 * "a str", "a float64", ...; "nothing" when len is 0. */
const char *mvs_mp_describe(const unsigned char *v, size_t len);

/* "int", "str", "float32", ... for messages. */
const char *mvs_mp_kind_name(enum mvs_mp_kind kind);

/* The n-byte (1..8) big-endian unsigned integer at p. */
uint64_t mvs_mp_load_be(const unsigned char *p, int n);

#endif
