/* JSON text: the buffer, string and number writing, and the RFC 8259 checker (see mvs_jtext.h). */
#include "mvs_jtext.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_utf8.h"

/* Nesting deeper than this in a JSON field is refused rather than risking the stack. */
#define JSON_MAX_DEPTH 512

/* ---- the text buffer ---- */

bool mvs_jbuf_reserve(struct mvs_jbuf *b, size_t extra)
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

void mvs_jbuf_append(struct mvs_jbuf *b, const void *s, size_t n)
{
	if (n && mvs_jbuf_reserve(b, n)) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
	}
}

void mvs_jbuf_putc(struct mvs_jbuf *b, char c)
{
	if (mvs_jbuf_reserve(b, 1))
		b->data[b->len++] = c;
}

void mvs_jbuf_puts(struct mvs_jbuf *b, const char *s)
{
	mvs_jbuf_append(b, s, strlen(s));
}

void mvs_jbuf_printf(struct mvs_jbuf *b, const char *fmt, ...)
{
	va_list ap;

	if (!mvs_jbuf_reserve(b, 64))
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
void mvs_json_number(struct mvs_jbuf *b, double v, int digits)
{
	if (isnan(v))
		mvs_jbuf_puts(b, "\"NaN\"");
	else if (isinf(v))
		mvs_jbuf_puts(b, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else
		mvs_jbuf_printf(b, "%.*g", digits, v);
}

/* ---- UTF-8 and JSON strings ---- */

/* Length (1..4) of the well-formed UTF-8 sequence at s, or 0 (mvs_utf8.h). */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	return mvs_utf8_decode(s, n, NULL);
}

/* Appends s as a JSON string. strict: returns -1 (and sets *bad to the offset) at invalid UTF-8;
 * otherwise each invalid byte becomes U+FFFD. */
int mvs_json_put_string(struct mvs_jbuf *b, const unsigned char *s, size_t n, bool strict,
			   size_t *bad)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0, i = 0;

	mvs_jbuf_putc(b, '"');
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
			mvs_jbuf_append(b, s + start, i - start);
			mvs_jbuf_append(b, "\xef\xbf\xbd", 3);
			start = ++i;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		mvs_jbuf_append(b, s + start, i - start);
		switch (c) {
		case '"': mvs_jbuf_append(b, "\\\"", 2); break;
		case '\\': mvs_jbuf_append(b, "\\\\", 2); break;
		case '\n': mvs_jbuf_append(b, "\\n", 2); break;
		case '\r': mvs_jbuf_append(b, "\\r", 2); break;
		case '\t': mvs_jbuf_append(b, "\\t", 2); break;
		case '\b': mvs_jbuf_append(b, "\\b", 2); break;
		case '\f': mvs_jbuf_append(b, "\\f", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			mvs_jbuf_append(b, u, sizeof u);
		}
		}
		start = ++i;
	}
	mvs_jbuf_append(b, s + start, n - start);
	mvs_jbuf_putc(b, '"');
	return 0;
}

void mvs_json_string(struct mvs_jbuf *b, const char *s, size_t len)
{
	size_t bad;

	mvs_json_put_string(b, (const unsigned char *)s, len, false, &bad);
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
int mvs_json_put_text(struct mvs_jbuf *b, const unsigned char *text, size_t n, char *why,
			 size_t whylen)
{
	if (mvs_json_check(text, n, false, why, whylen))
		return -1;
	size_t start = b->len;
	mvs_jbuf_append(b, text, n);
	if (!b->failed)
		for (size_t i = start; i < b->len; i++)
			if (b->data[i] == '\n' || b->data[i] == '\r')
				b->data[i] = ' ';
	return 0;
}

