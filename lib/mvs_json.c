/* JSON rendering of stream headers and rows for mvs-cat (see mvs_json.h). Holds the few decoders it
 * needs: a msgpack cursor for the value encodings of man/mvs-stream.5, a UTF-8 validator, a JSON text
 * checker (JSON fields are embedded as JSON, so they must be JSON) and IEEE half/bfloat16 decoding. */
#include "mvs_json.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_types.h"
#include "mvs_utf8.h"

/* Nesting deeper than this in a JSON field is refused rather than risking the stack. */
#define JSON_MAX_DEPTH 512

/* ---- the text buffer ---- */

static bool reserve(struct mvs_jbuf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (b->cap - b->len >= extra)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < extra) {
		if (cap > SIZE_MAX / 2) {
			b->failed = true;
			return false;
		}
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

static void put(struct mvs_jbuf *b, const void *s, size_t n)
{
	if (n && reserve(b, n)) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
	}
}

static void put_char(struct mvs_jbuf *b, char c)
{
	if (reserve(b, 1))
		b->data[b->len++] = c;
}

static void put_str(struct mvs_jbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Short formatted pieces (numbers): at most 63 characters. */
__attribute__((format(printf, 2, 3)))
static void put_fmt(struct mvs_jbuf *b, const char *fmt, ...)
{
	va_list ap;

	if (!reserve(b, 64))
		return;
	va_start(ap, fmt);
	int n = vsnprintf(b->data + b->len, 64, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += n < 64 ? (size_t)n : 63;
}

void mvs_jbuf_reset(struct mvs_jbuf *b)
{
	b->len = 0;
}

void mvs_jbuf_append(struct mvs_jbuf *b, const void *data, size_t len)
{
	put(b, data, len);
}

bool mvs_jbuf_failed(const struct mvs_jbuf *b)
{
	return b->failed;
}

void mvs_jbuf_free(struct mvs_jbuf *b)
{
	free(b->data);
	*b = (struct mvs_jbuf){ 0 };
}

/* Finite numbers with the given significant digits; non-finite ones as strings, which JSON lacks. */
static void put_number(struct mvs_jbuf *b, double v, int digits)
{
	if (isnan(v))
		put_str(b, "\"NaN\"");
	else if (isinf(v))
		put_str(b, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else
		put_fmt(b, "%.*g", digits, v);
}

/* ---- UTF-8 and JSON strings ---- */

/* Length (1..4) of the well-formed UTF-8 sequence at s, or 0 (mvs_utf8.h). */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	return mvs_utf8_decode(s, n, NULL);
}

/* Appends s as a JSON string. strict: returns -1 (and sets *bad to the offset) at invalid UTF-8;
 * otherwise each invalid byte becomes U+FFFD. */
static int put_json_string(struct mvs_jbuf *b, const unsigned char *s, size_t n, bool strict,
			   size_t *bad)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0, i = 0;

	put_char(b, '"');
	while (i < n) {
		unsigned char c = s[i];

		if (c >= 0x80) {
			size_t k = utf8_sequence(s + i, n - i);
			if (k) {
				i += k;
				continue;
			}
			if (strict) {
				*bad = i;
				return -1;
			}
			put(b, s + start, i - start);
			put(b, "\xef\xbf\xbd", 3);
			start = ++i;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		put(b, s + start, i - start);
		switch (c) {
		case '"': put(b, "\\\"", 2); break;
		case '\\': put(b, "\\\\", 2); break;
		case '\n': put(b, "\\n", 2); break;
		case '\r': put(b, "\\r", 2); break;
		case '\t': put(b, "\\t", 2); break;
		case '\b': put(b, "\\b", 2); break;
		case '\f': put(b, "\\f", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			put(b, u, sizeof u);
		}
		}
		start = ++i;
	}
	put(b, s + start, n - start);
	put_char(b, '"');
	return 0;
}

void mvs_json_string(struct mvs_jbuf *b, const char *s, size_t len)
{
	size_t bad;

	put_json_string(b, (const unsigned char *)s, len, false, &bad);
}

static void put_cstring(struct mvs_jbuf *b, const char *s)
{
	mvs_json_string(b, s ? s : "", s ? strlen(s) : 0);
}

/* ---- checking JSON text (RFC 8259) ---- */

struct jscan {
	const unsigned char *start, *p, *end;
	const char *error;
};

static int jfail(struct jscan *s, const char *what)
{
	s->error = what;
	return -1;
}

static void jspace(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool is_digit(const struct jscan *s)
{
	return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static int jstring(struct jscan *s)
{
	s->p++;	/* the opening quote */
	while (s->p < s->end) {
		unsigned char c = *s->p;
		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c == '\\') {
			if (s->end - s->p < 2)
				break;
			c = s->p[1];
			if (c == 'u') {
				if (s->end - s->p < 6)
					break;
				for (int i = 2; i < 6; i++)
					if (!isxdigit(s->p[i]))
						return jfail(s, "bad \\u escape");
				s->p += 6;
			} else if (c && strchr("\"\\/bfnrt", c)) {
				s->p += 2;
			} else {
				return jfail(s, "bad escape");
			}
		} else if (c < 0x20) {
			return jfail(s, "control character in a string");
		} else {
			size_t k = utf8_sequence(s->p, s->end - s->p);
			if (!k)
				return jfail(s, "invalid UTF-8");
			s->p += k;
		}
	}
	return jfail(s, "unterminated string");
}

static int jnumber(struct jscan *s)
{
	if (*s->p == '-')
		s->p++;
	if (!is_digit(s))
		return jfail(s, "bad number");
	if (*s->p == '0')
		s->p++;
	else
		while (is_digit(s))
			s->p++;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!is_digit(s))
			return jfail(s, "bad number");
		while (is_digit(s))
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!is_digit(s))
			return jfail(s, "bad number");
		while (is_digit(s))
			s->p++;
	}
	return 0;
}

static int jliteral(struct jscan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return jfail(s, "unexpected character");
	s->p += n;
	return 0;
}

static int jvalue(struct jscan *s, int depth)
{
	jspace(s);
	if (s->p == s->end)
		return jfail(s, "unexpected end");
	switch (*s->p) {
	case '{':
	case '[': {
		bool object = *s->p == '{';
		char close = object ? '}' : ']';
		if (depth >= JSON_MAX_DEPTH)
			return jfail(s, "nested too deeply");
		s->p++;
		jspace(s);
		if (s->p < s->end && *s->p == close) {
			s->p++;
			return 0;
		}
		for (;;) {
			if (object) {
				jspace(s);
				if (s->p == s->end || *s->p != '"')
					return jfail(s, "expected a member name");
				if (jstring(s))
					return -1;
				jspace(s);
				if (s->p == s->end || *s->p != ':')
					return jfail(s, "expected ':'");
				s->p++;
			}
			if (jvalue(s, depth + 1))
				return -1;
			jspace(s);
			if (s->p == s->end)
				return jfail(s, "unexpected end");
			if (*s->p == close) {
				s->p++;
				return 0;
			}
			if (*s->p != ',')
				return jfail(s, object ? "expected ',' or '}'" : "expected ',' or ']'");
			s->p++;
		}
	}
	case '"':
		return jstring(s);
	case 't':
		return jliteral(s, "true");
	case 'f':
		return jliteral(s, "false");
	case 'n':
		return jliteral(s, "null");
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return jnumber(s);
		return jfail(s, "unexpected character");
	}
}

int mvs_json_check(const unsigned char *text, size_t n, bool object, char *why, size_t whylen)
{
	struct jscan s = { text, text, text + n, NULL };

	jspace(&s);
	if (object && (s.p == s.end || *s.p != '{'))
		jfail(&s, "not a JSON object");
	else if (jvalue(&s, 0) == 0) {
		jspace(&s);
		if (s.p != s.end)
			jfail(&s, "trailing characters");
	}
	if (s.error) {
		snprintf(why, whylen, "%s at byte %zu", s.error, (size_t)(s.p - s.start));
		return -1;
	}
	return 0;
}

/* Appends a JSON text after checking it is exactly one JSON value. Line breaks can only be
 * whitespace between tokens in valid JSON, so they become spaces and a row stays on one line. */
static int put_json_text(struct mvs_jbuf *b, const unsigned char *text, size_t n, char *why,
			 size_t whylen)
{
	if (mvs_json_check(text, n, false, why, whylen))
		return -1;
	size_t start = b->len;
	put(b, text, n);
	if (!b->failed)
		for (size_t i = start; i < b->len; i++)
			if (b->data[i] == '\n' || b->data[i] == '\r')
				b->data[i] = ' ';
	return 0;
}

/* ---- a msgpack cursor (decoding only) ---- */

struct mp {
	const unsigned char *p, *end;
};

enum mp_kind { MP_NIL, MP_BOOL, MP_UINT, MP_INT, MP_F32, MP_F64, MP_STR, MP_BIN, MP_ARRAY, MP_MAP, MP_EXT };

static const char *const mp_kind_names[] = {
	"nil", "bool", "int", "int", "float32", "float64", "str", "bin", "array", "map", "ext",
};

struct mp_obj {
	enum mp_kind kind;
	bool b;
	uint64_t u;		/* MP_UINT */
	int64_t i;		/* MP_INT (negative) */
	double d;		/* MP_F32 (exactly), MP_F64 */
	const unsigned char *data;	/* MP_STR, MP_BIN, MP_EXT payload */
	uint32_t len;		/* payload bytes; MP_ARRAY/MP_MAP element count */
};

static uint64_t load_be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Takes n bytes from the cursor, or returns NULL when fewer are left. */
static const unsigned char *take(struct mp *c, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return NULL;
	const unsigned char *p = c->p;
	c->p += n;
	return p;
}

/* Reads one object's tag, and for str/bin/ext its payload; for arrays and maps only the count (the
 * elements follow). Returns -1 when the bytes end early or the tag is the reserved 0xc1. */
static int mp_read(struct mp *c, struct mp_obj *o)
{
	const unsigned char *p = take(c, 1);
	int size;

	if (!p)
		return -1;
	unsigned t = *p;
	if (t <= 0x7f) {
		o->kind = MP_UINT;
		o->u = t;
		return 0;
	}
	if (t >= 0xe0) {
		o->kind = MP_INT;
		o->i = (int8_t)t;
		return 0;
	}
	if (t <= 0x9f) {
		o->kind = t <= 0x8f ? MP_MAP : MP_ARRAY;
		o->len = t & 15;
		return 0;
	}
	if (t <= 0xbf) {
		o->kind = MP_STR;
		o->len = t & 31;
		goto payload;
	}
	switch (t) {
	case 0xc0:
		o->kind = MP_NIL;
		return 0;
	case 0xc2:
	case 0xc3:
		o->kind = MP_BOOL;
		o->b = t == 0xc3;
		return 0;
	case 0xc4: case 0xc5: case 0xc6:
	case 0xd9: case 0xda: case 0xdb:
		o->kind = t <= 0xc6 ? MP_BIN : MP_STR;
		size = 1 << (t <= 0xc6 ? t - 0xc4 : t - 0xd9);
		if (!(p = take(c, size)))
			return -1;
		o->len = (uint32_t)load_be(p, size);
		goto payload;
	case 0xc7: case 0xc8: case 0xc9:
		size = 1 << (t - 0xc7);
		if (!(p = take(c, size)))
			return -1;
		o->kind = MP_EXT;
		o->len = (uint32_t)load_be(p, size) + 1;	/* with the type byte */
		goto payload;
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		o->kind = MP_EXT;
		o->len = (1u << (t - 0xd4)) + 1;
		goto payload;
	case 0xca:
	case 0xcb: {
		if (!(p = take(c, t == 0xca ? 4 : 8)))
			return -1;
		if (t == 0xca) {
			uint32_t bits = (uint32_t)load_be(p, 4);
			float f;
			memcpy(&f, &bits, 4);
			o->kind = MP_F32;
			o->d = f;
		} else {
			uint64_t bits = load_be(p, 8);
			memcpy(&o->d, &bits, 8);
			o->kind = MP_F64;
		}
		return 0;
	}
	case 0xcc: case 0xcd: case 0xce: case 0xcf:
		size = 1 << (t - 0xcc);
		if (!(p = take(c, size)))
			return -1;
		o->kind = MP_UINT;
		o->u = load_be(p, size);
		return 0;
	case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
		size = 1 << (t - 0xd0);
		if (!(p = take(c, size)))
			return -1;
		uint64_t v = load_be(p, size);
		/* two's complement narrowing: GCC and clang define it as modular */
		o->i = size == 1 ? (int8_t)v : size == 2 ? (int16_t)v : size == 4 ? (int32_t)v : (int64_t)v;
		if (o->i >= 0) {
			o->kind = MP_UINT;
			o->u = (uint64_t)o->i;
		} else {
			o->kind = MP_INT;
		}
		return 0;
	}
	case 0xdc: case 0xdd: case 0xde: case 0xdf:
		size = t == 0xdc || t == 0xde ? 2 : 4;
		if (!(p = take(c, size)))
			return -1;
		o->kind = t <= 0xdd ? MP_ARRAY : MP_MAP;
		o->len = (uint32_t)load_be(p, size);
		return 0;
	default:
		return -1;
	}
payload:
	if (!(o->data = take(c, o->len)))
		return -1;
	return 0;
}

/* ---- values ---- */

__attribute__((format(printf, 4, 5)))
static int value_fail(char *err, size_t errlen, const struct mvs_field *f, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "field \"%s\": ", f->name ? f->name : "");

	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static float half_to_float(uint16_t h)
{
	unsigned exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
	float v;

	if (exponent == 0)
		v = ldexpf((float)mantissa, -24);
	else if (exponent == 31)
		v = mantissa ? NAN : INFINITY;
	else
		v = ldexpf((float)(mantissa | 0x400), (int)exponent - 25);
	return h & 0x8000 ? -v : v;
}

static float bits_to_float(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, 4);
	return f;
}

static uint32_t load_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int render_dense_vector(struct mvs_jbuf *b, const struct mvs_field *f,
			       const struct mp_obj *o, char *err, size_t errlen)
{
	const unsigned char *p = o->data;
	size_t n = o->len, unit = f->type == MVS_T_FLOAT_VECTOR ? 4 :
		f->type == MVS_T_FLOAT16_VECTOR || f->type == MVS_T_BFLOAT16_VECTOR ? 2 : 1;
	size_t want = mvs_vector_row_bytes(f->type, f->dim);

	if (f->dim > 0 && n != want)
		return value_fail(err, errlen, f, "vector of %zu bytes, dim %" PRId64 " needs %zu",
				  n, f->dim, want);
	if (n % unit)
		return value_fail(err, errlen, f, "vector of %zu bytes is not a whole number of "
				  "%zu-byte elements", n, unit);
	reserve(b, n / unit * 16 + 2);
	put_char(b, '[');
	for (size_t i = 0; i < n; i += unit) {
		if (i)
			put_char(b, ',');
		switch (f->type) {
		case MVS_T_FLOAT_VECTOR:
			put_number(b, bits_to_float(load_le32(p + i)), 9);
			break;
		case MVS_T_FLOAT16_VECTOR:
			put_number(b, half_to_float((uint16_t)(p[i] | p[i + 1] << 8)), 9);
			break;
		case MVS_T_BFLOAT16_VECTOR:
			put_number(b, bits_to_float((uint32_t)(p[i] | p[i + 1] << 8) << 16), 9);
			break;
		case MVS_T_INT8_VECTOR:
			put_fmt(b, "%d", (int)(int8_t)p[i]);
			break;
		default:	/* BinaryVector: the bytes */
			put_fmt(b, "%u", (unsigned)p[i]);
		}
	}
	put_char(b, ']');
	return 0;
}

static int render_sparse_vector(struct mvs_jbuf *b, const struct mvs_field *f,
				const struct mp_obj *o, char *err, size_t errlen)
{
	if (o->len % 8)
		return value_fail(err, errlen, f, "sparse vector of %u bytes is not a whole number "
				  "of 8-byte (index, value) pairs", o->len);
	put_char(b, '{');
	for (uint32_t i = 0; i < o->len; i += 8) {
		if (i)
			put_char(b, ',');
		put_fmt(b, "\"%" PRIu32 "\":", load_le32(o->data + i));
		put_number(b, bits_to_float(load_le32(o->data + i + 4)), 9);
	}
	put_char(b, '}');
	return 0;
}

static int render(struct mvs_jbuf *b, const struct mvs_field *f, struct mp *c, char *err,
		  size_t errlen);

static int render_array(struct mvs_jbuf *b, const struct mvs_field *f, const struct mp_obj *o,
			struct mp *c, char *err, size_t errlen)
{
	const struct mvs_type_info *el = mvs_type_info(f->element_type);
	struct mvs_field element = { .name = f->name, .type = f->element_type };

	if (!el || el->encoding == MVS_ENC_ARRAY || el->is_vector)
		return value_fail(err, errlen, f, "Array of %s cannot be rendered",
				  mvs_type_name(f->element_type));
	put_char(b, '[');
	for (uint32_t i = 0; i < o->len; i++) {
		if (i)
			put_char(b, ',');
		if (render(b, &element, c, err, errlen))
			return -1;
	}
	put_char(b, ']');
	return 0;
}

/* Renders the one value at the cursor as the field's type. */
static int render(struct mvs_jbuf *b, const struct mvs_field *f, struct mp *c, char *err,
		  size_t errlen)
{
	const struct mvs_type_info *info = mvs_type_info(f->type);
	struct mp_obj o;
	enum mp_kind want = MP_NIL;
	size_t bad;

	if (mp_read(c, &o))
		return value_fail(err, errlen, f, "value is not well-formed msgpack");
	if (o.kind == MP_NIL) {
		put_str(b, "null");
		return 0;
	}
	if (!info)
		return value_fail(err, errlen, f, "type %s cannot be rendered", mvs_type_name(f->type));
	switch (info->encoding) {
	case MVS_ENC_BOOL:
		if ((want = MP_BOOL) != o.kind)
			break;
		put_str(b, o.b ? "true" : "false");
		return 0;
	case MVS_ENC_INT:
		want = MP_UINT;
		if (o.kind == MP_UINT)
			put_fmt(b, "%" PRIu64, o.u);
		else if (o.kind == MP_INT)
			put_fmt(b, "%" PRId64, o.i);
		else
			break;
		return 0;
	case MVS_ENC_FLOAT32:
	case MVS_ENC_FLOAT64:
		want = info->encoding == MVS_ENC_FLOAT32 ? MP_F32 : MP_F64;
		if (o.kind != want)
			break;
		put_number(b, o.d, want == MP_F32 ? 9 : 17);
		return 0;
	case MVS_ENC_STR:
		if ((want = MP_STR) != o.kind)
			break;
		if (f->type == MVS_T_JSON || f->is_dynamic) {
			char why[96];
			if (put_json_text(b, o.data, o.len, why, sizeof why))
				return value_fail(err, errlen, f, "not a JSON text (%s)", why);
		} else if (put_json_string(b, o.data, o.len, true, &bad)) {
			return value_fail(err, errlen, f, "invalid UTF-8 at byte %zu of a %u-byte "
					  "string", bad, o.len);
		}
		return 0;
	case MVS_ENC_ARRAY:
		if ((want = MP_ARRAY) != o.kind)
			break;
		return render_array(b, f, &o, c, err, errlen);
	case MVS_ENC_VECTOR_BIN:
		if ((want = MP_BIN) != o.kind)
			break;
		return render_dense_vector(b, f, &o, err, errlen);
	case MVS_ENC_SPARSE_BIN:
		if ((want = MP_BIN) != o.kind)
			break;
		return render_sparse_vector(b, f, &o, err, errlen);
	default:
		return value_fail(err, errlen, f, "type %s cannot be rendered", info->name);
	}
	return value_fail(err, errlen, f, "%s needs msgpack %s, found %s", info->name,
			  mp_kind_names[want], mp_kind_names[o.kind]);
}

int mvs_json_value(struct mvs_jbuf *b, const struct mvs_field *field, const unsigned char *value,
		   size_t len, char *err, size_t errlen)
{
	struct mp c = { value, value + len };

	if (render(b, field, &c, err, errlen))
		return -1;
	if (c.p != c.end)
		return value_fail(err, errlen, field, "%zu bytes after the value",
				  (size_t)(c.end - c.p));
	return 0;
}

int mvs_json_row(struct mvs_jbuf *b, const struct mvs_schema *schema, const char *partition,
		 const unsigned char *row, size_t len, char *err, size_t errlen)
{
	struct mp c = { row, row + len };
	struct mp_obj o;
	size_t width = 0;
	bool first = true;

	for (size_t i = 0; i < schema->n_fields; i++)
		width += !schema->fields[i].function_output;
	if (mp_read(&c, &o) || o.kind != MP_ARRAY || o.len != width) {
		snprintf(err, errlen, "row is not a msgpack array of %zu values", width);
		return -1;
	}
	put_char(b, '{');
	if (partition) {
		put_str(b, "\"$partition\":");
		put_cstring(b, partition);
		first = false;
	}
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct mvs_field *f = &schema->fields[i];
		if (f->function_output)
			continue;
		if (!first)
			put_char(b, ',');
		first = false;
		put_cstring(b, f->name);
		put_char(b, ':');
		if (render(b, f, &c, err, errlen))
			return -1;
	}
	put_char(b, '}');
	if (c.p != c.end) {
		snprintf(err, errlen, "%zu bytes after the row's values", (size_t)(c.end - c.p));
		return -1;
	}
	return 0;
}

/* ---- the header ---- */

/* Writes ,"name": (the comma unless first). */
static void put_key(struct mvs_jbuf *b, bool *first, const char *name)
{
	if (!*first)
		put_char(b, ',');
	*first = false;
	put_cstring(b, name);
	put_char(b, ':');
}

static void put_kvlist(struct mvs_jbuf *b, const struct mvs_kvlist *list)
{
	put_char(b, '{');
	for (size_t i = 0; i < list->len; i++) {
		if (i)
			put_char(b, ',');
		put_cstring(b, list->items[i].key);
		put_char(b, ':');
		put_cstring(b, list->items[i].value);
	}
	put_char(b, '}');
}

static void put_string_array(struct mvs_jbuf *b, char *const *items, size_t n)
{
	put_char(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			put_char(b, ',');
		put_cstring(b, items[i]);
	}
	put_char(b, ']');
}

static void put_flag(struct mvs_jbuf *b, bool *first, const char *name, bool value)
{
	if (value) {
		put_key(b, first, name);
		put_str(b, "true");
	}
}

static void put_int(struct mvs_jbuf *b, bool *first, const char *name, int64_t value)
{
	if (value) {
		put_key(b, first, name);
		put_fmt(b, "%" PRId64, value);
	}
}

static void put_text(struct mvs_jbuf *b, bool *first, const char *name, const char *value)
{
	if (value && *value) {
		put_key(b, first, name);
		put_cstring(b, value);
	}
}

static int put_field(struct mvs_jbuf *b, const struct mvs_field *f, char *err, size_t errlen)
{
	bool first = true;

	put_char(b, '{');
	put_key(b, &first, "name");
	put_cstring(b, f->name);
	put_key(b, &first, "type");
	put_cstring(b, mvs_type_name(f->type));
	put_key(b, &first, "type_id");
	put_fmt(b, "%d", f->type);
	put_text(b, &first, "description", f->description);
	put_flag(b, &first, "primary_key", f->primary_key);
	put_flag(b, &first, "auto_id", f->auto_id);
	put_flag(b, &first, "nullable", f->nullable);
	put_flag(b, &first, "partition_key", f->partition_key);
	put_flag(b, &first, "clustering_key", f->clustering_key);
	put_flag(b, &first, "function_output", f->function_output);
	put_flag(b, &first, "dynamic", f->is_dynamic);
	put_int(b, &first, "dim", f->dim);
	put_int(b, &first, "max_length", f->max_length);
	put_int(b, &first, "max_capacity", f->max_capacity);
	if (f->element_type) {
		put_key(b, &first, "element_type");
		put_cstring(b, mvs_type_name(f->element_type));
	}
	if (f->default_value) {
		char why[256];
		put_key(b, &first, "default");
		if (mvs_json_value(b, f, f->default_value, f->default_value_len, why, sizeof why)) {
			snprintf(err, errlen, "default value: %s", why);
			return -1;
		}
	}
	if (f->type_params.len) {
		put_key(b, &first, "type_params");
		put_kvlist(b, &f->type_params);
	}
	if (f->index_params.len) {
		put_key(b, &first, "index_params");
		put_kvlist(b, &f->index_params);
	}
	put_char(b, '}');
	return 0;
}

int mvs_json_header(struct mvs_jbuf *b, const struct mvs_schema *s, char *err, size_t errlen)
{
	bool first = true, inner;

	put_char(b, '{');
	put_text(b, &first, "tool", s->tool);
	put_text(b, &first, "created", s->created);
	if ((s->source_version && *s->source_version) || (s->source_database && *s->source_database)) {
		put_key(b, &first, "source");
		put_char(b, '{');
		inner = true;
		put_text(b, &inner, "server_version", s->source_version);
		put_text(b, &inner, "database", s->source_database);
		put_char(b, '}');
	}
	if (s->shard_count) {
		put_key(b, &first, "shard");
		put_fmt(b, "{\"index\":%" PRIu32 ",\"count\":%" PRIu32, s->shard_index, s->shard_count);
		inner = false;
		put_text(b, &inner, "filter", s->shard_filter);
		put_char(b, '}');
	}

	put_key(b, &first, "collection");
	put_char(b, '{');
	inner = true;
	put_key(b, &inner, "name");
	put_cstring(b, s->name);
	put_text(b, &inner, "description", s->description);
	put_int(b, &inner, "shards_num", s->shards_num);
	put_key(b, &inner, "consistency_level");
	put_cstring(b, mvs_consistency_name(s->consistency_level));
	put_flag(b, &inner, "enable_dynamic_field", s->enable_dynamic_field);
	put_int(b, &inner, "num_partitions", s->num_partitions);
	if (s->properties.len) {
		put_key(b, &inner, "properties");
		put_kvlist(b, &s->properties);
	}
	put_char(b, '}');

	put_key(b, &first, "fields");
	put_char(b, '[');
	for (size_t i = 0; i < s->n_fields; i++) {
		if (i)
			put_char(b, ',');
		if (put_field(b, &s->fields[i], err, errlen))
			return -1;
	}
	put_char(b, ']');

	if (s->n_functions) {
		put_key(b, &first, "functions");
		put_char(b, '[');
		for (size_t i = 0; i < s->n_functions; i++) {
			const struct mvs_function *fn = &s->functions[i];
			if (i)
				put_char(b, ',');
			put_char(b, '{');
			inner = true;
			put_key(b, &inner, "name");
			put_cstring(b, fn->name);
			put_text(b, &inner, "description", fn->description);
			put_key(b, &inner, "type");
			put_fmt(b, "%d", fn->type);
			put_key(b, &inner, "input_fields");
			put_string_array(b, fn->input_fields, fn->n_input_fields);
			put_key(b, &inner, "output_fields");
			put_string_array(b, fn->output_fields, fn->n_output_fields);
			if (fn->params.len) {
				put_key(b, &inner, "params");
				put_kvlist(b, &fn->params);
			}
			put_char(b, '}');
		}
		put_char(b, ']');
	}
	if (s->n_partitions) {
		put_key(b, &first, "partitions");
		put_string_array(b, s->partitions, s->n_partitions);
	}
	if (s->n_indexes) {
		put_key(b, &first, "indexes");
		put_char(b, '[');
		for (size_t i = 0; i < s->n_indexes; i++) {
			const struct mvs_index *ix = &s->indexes[i];
			if (i)
				put_char(b, ',');
			put_char(b, '{');
			inner = true;
			put_key(b, &inner, "field");
			put_cstring(b, ix->field_name);
			put_text(b, &inner, "name", ix->index_name);
			if (ix->params.len) {
				put_key(b, &inner, "params");
				put_kvlist(b, &ix->params);
			}
			put_char(b, '}');
		}
		put_char(b, ']');
	}
	put_char(b, '}');
	return 0;
}
