/* Stream rows (see mvs_row.h): a bounds-checked msgpack skipper that measures values without decoding
 * them, row splitting on top of it, and the per-field value checks of the encoding table in
 * man/mvs-stream.5 (type, integer range, string length and UTF-8, array capacity, vector sizes,
 * sparse layout, nullability). */
#include "mvs_row.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mvs_json.h"
#include "mvs_types.h"
#include "mvs_utf8.h"

static uint32_t be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* The formats whose first byte is 0xc0..0xdf, indexed by that byte - 0xc0: the bytes before the
 * payload (format byte, size field, ext type byte; for fixed-size formats the whole value), and for
 * the formats with a size field its width and whether it counts payload bytes, array elements or
 * map pairs. */
enum size_kind { SZ_NONE, SZ_BYTES, SZ_ELEMS, SZ_PAIRS, SZ_INVALID };

struct fmt {
	unsigned char hdr;	/* bytes before the payload, including the format byte */
	unsigned char size_width;	/* bytes of the size field after the format byte */
	unsigned char kind;	/* enum size_kind */
};

static const struct fmt formats[32] = {
	[0x00] = { 1, 0, SZ_NONE },		/* c0 nil */
	[0x01] = { 1, 0, SZ_INVALID },		/* c1 never used */
	[0x02] = { 1, 0, SZ_NONE },		/* c2 false */
	[0x03] = { 1, 0, SZ_NONE },		/* c3 true */
	[0x04] = { 2, 1, SZ_BYTES },		/* c4 bin 8 */
	[0x05] = { 3, 2, SZ_BYTES },		/* c5 bin 16 */
	[0x06] = { 5, 4, SZ_BYTES },		/* c6 bin 32 */
	[0x07] = { 3, 1, SZ_BYTES },		/* c7 ext 8: size, type */
	[0x08] = { 4, 2, SZ_BYTES },		/* c8 ext 16 */
	[0x09] = { 6, 4, SZ_BYTES },		/* c9 ext 32 */
	[0x0a] = { 5, 0, SZ_NONE },		/* ca float 32 */
	[0x0b] = { 9, 0, SZ_NONE },		/* cb float 64 */
	[0x0c] = { 2, 0, SZ_NONE },		/* cc uint 8 */
	[0x0d] = { 3, 0, SZ_NONE },		/* cd uint 16 */
	[0x0e] = { 5, 0, SZ_NONE },		/* ce uint 32 */
	[0x0f] = { 9, 0, SZ_NONE },		/* cf uint 64 */
	[0x10] = { 2, 0, SZ_NONE },		/* d0 int 8 */
	[0x11] = { 3, 0, SZ_NONE },		/* d1 int 16 */
	[0x12] = { 5, 0, SZ_NONE },		/* d2 int 32 */
	[0x13] = { 9, 0, SZ_NONE },		/* d3 int 64 */
	[0x14] = { 3, 0, SZ_NONE },		/* d4 fixext 1: type, 1 byte */
	[0x15] = { 4, 0, SZ_NONE },		/* d5 fixext 2 */
	[0x16] = { 6, 0, SZ_NONE },		/* d6 fixext 4 */
	[0x17] = { 10, 0, SZ_NONE },		/* d7 fixext 8 */
	[0x18] = { 18, 0, SZ_NONE },		/* d8 fixext 16 */
	[0x19] = { 2, 1, SZ_BYTES },		/* d9 str 8 */
	[0x1a] = { 3, 2, SZ_BYTES },		/* da str 16 */
	[0x1b] = { 5, 4, SZ_BYTES },		/* db str 32 */
	[0x1c] = { 3, 2, SZ_ELEMS },		/* dc array 16 */
	[0x1d] = { 5, 4, SZ_ELEMS },		/* dd array 32 */
	[0x1e] = { 3, 2, SZ_PAIRS },		/* de map 16 */
	[0x1f] = { 5, 4, SZ_PAIRS },		/* df map 32 */
};

size_t mvs_row_skip_value(const unsigned char *p, size_t len)
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
			const struct fmt *f = &formats[b - 0xc0];
			uint64_t size;

			if (f->kind == SZ_INVALID)
				return 0;
			hdr = f->hdr;
			if (len - pos < hdr)
				return 0;
			switch (f->size_width) {
			case 1: size = p[pos + 1]; break;
			case 2: size = be16(p + pos + 1); break;
			case 4: size = be32(p + pos + 1); break;
			default: size = 0; break;
			}
			if (f->kind == SZ_BYTES)
				body = size;
			else if (f->kind == SZ_ELEMS)
				children = size;
			else if (f->kind == SZ_PAIRS)
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

/* Reads an array header at p: element count and header length; false if p is not an array. */
static bool array_header(const unsigned char *p, size_t len, uint32_t *count, size_t *hdr)
{
	if (len == 0)
		return false;
	if ((p[0] & 0xf0) == 0x90) {
		*count = p[0] & 0x0f;
		*hdr = 1;
		return true;
	}
	if (p[0] == 0xdc && len >= 3) {
		*count = be16(p + 1);
		*hdr = 3;
		return true;
	}
	if (p[0] == 0xdd && len >= 5) {
		*count = be32(p + 1);
		*hdr = 5;
		return true;
	}
	return false;
}

size_t mvs_row_measure(const unsigned char *p, size_t len, size_t width)
{
	uint32_t count;
	size_t hdr;

	if (!array_header(p, len, &count, &hdr) || count != width)
		return 0;
	return mvs_row_skip_value(p, len);
}

int mvs_row_split(const unsigned char *row, size_t len, size_t width, struct mvs_span *values)
{
	uint32_t count;
	size_t pos;

	if (!array_header(row, len, &count, &pos) || count != width)
		return -1;
	for (size_t i = 0; i < width; i++) {
		size_t n = mvs_row_skip_value(row + pos, len - pos);

		if (n == 0)
			return -1;
		values[i].ptr = row + pos;
		values[i].len = n;
		pos += n;
	}
	return pos == len ? 0 : -1;
}

/* ---- value checks ---- */

const char *mvs_value_kind(const unsigned char *v, size_t len)
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

/* The payload of a str (want_bin false) or bin (true) value; false if v is not one. The caller has
 * already measured v, so the header bytes are there. */
static bool blob_payload(const unsigned char *v, size_t len, bool want_bin, const unsigned char **data,
			 size_t *n)
{
	unsigned char b = v[0];
	size_t hdr;

	if (!want_bin && (b & 0xe0) == 0xa0) {
		hdr = 1;
		*n = b & 0x1f;
	} else if (b == (want_bin ? 0xc4 : 0xd9)) {
		hdr = 2;
		*n = v[1];
	} else if (b == (want_bin ? 0xc5 : 0xda)) {
		hdr = 3;
		*n = be16(v + 1);
	} else if (b == (want_bin ? 0xc6 : 0xdb)) {
		hdr = 5;
		*n = be32(v + 1);
	} else {
		return false;
	}
	if (hdr + *n != len)
		return false;
	*data = v + hdr;
	return true;
}

/* Any msgpack int as int64; false if not an int or above INT64_MAX. */
static bool read_int(const unsigned char *v, size_t len, int64_t *out, bool *too_big)
{
	unsigned char b = v[0];

	*too_big = false;
	if (b <= 0x7f || b >= 0xe0) {
		*out = (int8_t)b;
		return len == 1;
	}
	switch (b) {
	case 0xcc: *out = v[1]; return len == 2;
	case 0xcd: *out = be16(v + 1); return len == 3;
	case 0xce: *out = be32(v + 1); return len == 5;
	case 0xcf:
		if (len != 9)
			return false;
		if (be64(v + 1) > INT64_MAX) {
			*too_big = true;
			return false;
		}
		*out = (int64_t)be64(v + 1);
		return true;
	case 0xd0: *out = (int8_t)v[1]; return len == 2;
	case 0xd1: *out = (int16_t)be16(v + 1); return len == 3;
	case 0xd2: *out = (int32_t)be32(v + 1); return len == 5;
	case 0xd3: *out = (int64_t)be64(v + 1); return len == 9;
	default: return false;
	}
}

/* Checks one non-nil scalar value against a type (no nullability, no arrays). */
static int check_scalar(const struct mvs_field *f, int type, const unsigned char *v, size_t len,
			const char *what, char *err, size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(type);
	const unsigned char *data;
	size_t n;

	switch (info->encoding) {
	case MVS_ENC_BOOL:
		if (v[0] == 0xc2 || v[0] == 0xc3)
			return 0;
		break;
	case MVS_ENC_INT: {
		static const int64_t lo[] = { INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN };
		static const int64_t hi[] = { INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX };
		int k = type - MVS_T_INT8;
		int64_t x;
		bool too_big;

		if (read_int(v, len, &x, &too_big)) {
			if (x >= lo[k] && x <= hi[k])
				return 0;
			snprintf(err, errlen, "field \"%s\": %s%" PRId64 " is out of range for %s", f->name,
				 what, x, info->name);
			return -1;
		}
		if (too_big) {
			snprintf(err, errlen, "field \"%s\": %s%" PRIu64 " is out of range for %s",
				 f->name, what, be64(v + 1), info->name);
			return -1;
		}
		break;
	}
	case MVS_ENC_FLOAT32:
		if (v[0] == 0xca)
			return 0;
		break;
	case MVS_ENC_FLOAT64:
		if (v[0] == 0xcb)
			return 0;
		break;
	case MVS_ENC_STR:
		if (!blob_payload(v, len, false, &data, &n))
			break;
		if (f->max_length > 0 && n > (uint64_t)f->max_length) {
			snprintf(err, errlen, "field \"%s\": %sstring of %zu bytes exceeds max_length %" PRId64,
				 f->name, what, n, f->max_length);
			return -1;
		}
		if (!mvs_utf8_valid(data, n)) {
			snprintf(err, errlen, "field \"%s\": %sstring is not valid UTF-8", f->name, what);
			return -1;
		}
		if (type == MVS_T_JSON) {
			char why[128];

			if (mvs_json_check(data, n, f->is_dynamic, why, sizeof why)) {
				snprintf(err, errlen, "field \"%s\": %s%s (%s)", f->name, what,
					 f->is_dynamic ? "the dynamic field must hold a JSON object text"
						       : "not a JSON text", why);
				return -1;
			}
		}
		return 0;
	case MVS_ENC_VECTOR_BIN: {
		size_t want = mvs_vector_row_bytes(type, f->dim);

		if (!blob_payload(v, len, true, &data, &n))
			break;
		if (n != want || want == 0) {
			snprintf(err, errlen, "field \"%s\": vector of %zu bytes, %s dim %" PRId64
				 " needs %zu", f->name, n, info->name, f->dim, want);
			return -1;
		}
		return 0;
	}
	case MVS_ENC_SPARSE_BIN: {
		uint32_t prev = 0;

		if (!blob_payload(v, len, true, &data, &n))
			break;
		if (n % 8 != 0) {
			snprintf(err, errlen, "field \"%s\": sparse vector of %zu bytes is not a whole number "
				 "of (index, value) pairs of 8 bytes", f->name, n);
			return -1;
		}
		for (size_t i = 0; i < n; i += 8) {
			uint32_t index = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
					 (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
			if (index == UINT32_MAX || (i > 0 && index <= prev)) {
				snprintf(err, errlen, "field \"%s\": sparse vector index %" PRIu32 " at pair %zu "
					 "%s", f->name, index, i / 8,
					 index == UINT32_MAX ? "is reserved (the maximum is 4294967294)"
							     : "does not increase");
				return -1;
			}
			prev = index;
		}
		return 0;
	}
	default:
		snprintf(err, errlen, "field \"%s\": %s cannot be stored", f->name, info->name);
		return -1;
	}
	snprintf(err, errlen, "field \"%s\": %sexpected %s for %s, found %s", f->name, what,
		 info->encoding == MVS_ENC_BOOL ? "a bool" :
		 info->encoding == MVS_ENC_INT ? "an integer" :
		 info->encoding == MVS_ENC_FLOAT32 ? "a float32" :
		 info->encoding == MVS_ENC_FLOAT64 ? "a float64" :
		 info->encoding == MVS_ENC_STR ? "a str" : "a bin", info->name, mvs_value_kind(v, len));
	return -1;
}

/* mvs_value_check on a value already measured: len is exactly one well-formed value. */
static int check_measured(const struct mvs_field *f, const unsigned char *v, size_t len, char *err,
			  size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(f->type);

	if (!info || info->encoding == MVS_ENC_UNSUPPORTED) {
		snprintf(err, errlen, "field \"%s\": unsupported data type %s", f->name,
			 mvs_type_name(f->type));
		return -1;
	}
	if (v[0] == 0xc0) {
		if (f->nullable)
			return 0;
		snprintf(err, errlen, "field \"%s\": null in a field that is not nullable", f->name);
		return -1;
	}
	if (info->encoding != MVS_ENC_ARRAY)
		return check_scalar(f, f->type, v, len, "", err, errlen);

	const struct mvs_type_info *el = mvs_type_info(f->element_type);
	uint32_t count;
	size_t pos;

	/* Milvus's element types (mvs_schema.c refuses others in a header; fields built elsewhere
	 * are checked here too, so that no caller converts what it cannot send). */
	if (!el || !(el->encoding == MVS_ENC_BOOL || el->encoding == MVS_ENC_INT ||
		     el->encoding == MVS_ENC_FLOAT32 || el->encoding == MVS_ENC_FLOAT64 ||
		     f->element_type == MVS_T_VARCHAR)) {
		snprintf(err, errlen, "field \"%s\": unsupported Array element type %s", f->name,
			 mvs_type_name(f->element_type));
		return -1;
	}
	if (!array_header(v, len, &count, &pos)) {
		snprintf(err, errlen, "field \"%s\": expected an array for Array, found %s", f->name,
			 mvs_value_kind(v, len));
		return -1;
	}
	if (f->max_capacity > 0 && count > (uint64_t)f->max_capacity) {
		snprintf(err, errlen, "field \"%s\": array of %" PRIu32 " elements exceeds max_capacity %"
			 PRId64, f->name, count, f->max_capacity);
		return -1;
	}
	for (uint32_t i = 0; i < count; i++) {
		size_t n = mvs_row_skip_value(v + pos, len - pos);

		/* the element's number is only formatted for a message: this loop is per row */
		if (v[pos] == 0xc0 || check_scalar(f, f->element_type, v + pos, n, "", err, errlen)) {
			char what[48];

			snprintf(what, sizeof what, "element %" PRIu32 ": ", i);
			if (v[pos] == 0xc0)
				snprintf(err, errlen, "field \"%s\": %snull inside an array", f->name,
					 what);
			else
				check_scalar(f, f->element_type, v + pos, n, what, err, errlen);
			return -1;
		}
		pos += n;
	}
	return 0;
}

int mvs_value_check(const struct mvs_field *f, const unsigned char *v, size_t len, char *err,
		    size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(f->type);

	if (info && info->encoding != MVS_ENC_UNSUPPORTED &&
	    (len == 0 || mvs_row_skip_value(v, len) != len)) {
		snprintf(err, errlen, "field \"%s\": malformed msgpack value", f->name);
		return -1;
	}
	return check_measured(f, v, len, err, errlen);
}

int mvs_value_check_next(const struct mvs_field *f, const unsigned char *p, size_t avail,
			 size_t *n, char *err, size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(f->type);

	*n = mvs_row_skip_value(p, avail);
	if (!info || info->encoding == MVS_ENC_UNSUPPORTED || *n == 0) {
		if (!info || info->encoding == MVS_ENC_UNSUPPORTED)
			snprintf(err, errlen, "field \"%s\": unsupported data type %s", f->name,
				 mvs_type_name(f->type));
		else
			snprintf(err, errlen, "field \"%s\": malformed msgpack value", f->name);
		return -1;
	}
	return check_measured(f, p, *n, err, errlen);
}

int mvs_row_check(const struct mvs_schema *schema, const unsigned char *row, size_t len, char *err,
		  size_t errlen)
{
	size_t width = mvs_schema_row_width(schema), pos;
	uint32_t count;

	if (!array_header(row, len, &count, &pos) || count != width ||
	    mvs_row_skip_value(row, len) != len) {
		snprintf(err, errlen, "row is not one msgpack array of %zu values", width);
		return -1;
	}
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct mvs_field *f = &schema->fields[i];

		if (f->function_output)
			continue;
		size_t n;
		if (mvs_value_check_next(f, row + pos, len - pos, &n, err, errlen) != 0)
			return -1;
		pos += n;
	}
	return 0;
}
