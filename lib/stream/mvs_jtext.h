/* JSON text for row values and headers: a growable text buffer, JSON string and number writing, and
 * the one JSON text checker (RFC 8259) that decides whether a JSON field's value is JSON. The stream
 * validator (mvs_check.c) and the JSON renderer of mvs-cat (mvs_json.c) both use it. */
#ifndef MVS_JTEXT_H
#define MVS_JTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* A growable text buffer. Appends never fail individually: on allocation failure the buffer is
 * marked failed and further appends are ignored; check mvs_jbuf_failed before using the text. */
struct mvs_jbuf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};

void mvs_jbuf_reset(struct mvs_jbuf *b);	/* empties it, keeps the memory */
/* Makes room for extra more bytes (a hint before many small appends); false when that failed. */
bool mvs_jbuf_reserve(struct mvs_jbuf *b, size_t extra);
void mvs_jbuf_append(struct mvs_jbuf *b, const void *data, size_t len);
void mvs_jbuf_putc(struct mvs_jbuf *b, char c);
void mvs_jbuf_puts(struct mvs_jbuf *b, const char *s);
/* Short formatted pieces (numbers): at most 63 characters. */
void mvs_jbuf_printf(struct mvs_jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool mvs_jbuf_failed(const struct mvs_jbuf *b);
void mvs_jbuf_free(struct mvs_jbuf *b);

/* Appends a finite number with the given significant digits; NaN and the infinities, which JSON lacks,
 * as the strings "NaN", "Infinity", "-Infinity". */
void mvs_json_number(struct mvs_jbuf *b, double v, int digits);

/* Appends s[0..n) as a quoted JSON string (every byte kept, U+0000 as \u0000). strict: returns -1 and
 * sets *bad to the offset at invalid UTF-8; otherwise each invalid byte becomes U+FFFD. */
int mvs_json_put_string(struct mvs_jbuf *b, const unsigned char *s, size_t n, bool strict, size_t *bad);

/* mvs_json_put_string, not strict (for header strings, which must always print). */
void mvs_json_string(struct mvs_jbuf *b, const char *s, size_t len);

/* Checks that text is exactly one JSON value (RFC 8259), an object when object is set. Returns 0, or
 * -1 with what and where ("expected ':' at byte 7") in why. */
int mvs_json_check(const unsigned char *text, size_t n, bool object, char *why, size_t whylen);

/* Appends a JSON text after checking it (mvs_json_check); line breaks, which valid JSON holds only
 * between tokens, become spaces so that a row stays on one line. Returns 0, or -1 with why. */
int mvs_json_put_text(struct mvs_jbuf *b, const unsigned char *text, size_t n, char *why, size_t whylen);

#endif
