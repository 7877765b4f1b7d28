/* Shard filters (see mvs_shard.h).
 *
 * The VarChar boundary search. Valid UTF-8 strings sort bytewise in code point order, so a boundary
 * can be built one character at a time: with a prefix p that counts `below` = count(pk < p) <= t
 * rows (t = the boundary's target rank), the next character is the largest code point c with
 * f(c) = count(pk < p + c) <= t. If f(c) is within the tolerance of t, p + c is the boundary;
 * otherwise the keys starting with p + c hold more rows than the tolerance allows and the search goes
 * one character deeper. c is found by galloping up from a first guess (the character after p in the
 * smallest key at or above p, which only saves counts: every guess is checked) and then bisecting,
 * over the code points without the surrogates, U+0000 included (keys may hold it, and keys that
 * share a prefix up to a U+0000 must be split like any others). Keys that share a long prefix cost
 * three calls per shared character; a differing character about fifteen. Since f is monotonic, the
 * largest c with f(c) <= t is unique whatever the guesses were, so the result depends on the counts
 * alone. */
#include "mvs_shard.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_utf8.h"

#define CP_MAX 0x10FFFFu
#define SURROGATE_LO 0xD800u
#define SURROGATE_HI 0xDFFFu
#define SURROGATES (SURROGATE_HI - SURROGATE_LO + 1)
/* Slots number the code points without the surrogates: slot j (1 <= j <= SLOT_MAX) is code point
 * slot_cp(j), slot 1 being U+0000; 0 is no slot. */
#define SLOT_MAX (CP_MAX + 1 - SURROGATES)
#define NOT_UTF8 UINT32_MAX
/* Characters of shared prefix the search follows at most; beyond it the split is coarser. */
#define MAX_DEPTH 128
/* Balance: a boundary may miss its rank by this fraction of a shard. */
#define TOLERANCE_DIVISOR 100

/* Digits only: no sign, no spaces, at most 9 of them. Returns the end, or NULL. */
static const char *number(const char *s, uint32_t *value)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 9)
		return NULL;
	*value = 0;
	for (size_t i = 0; i < n; i++)
		*value = *value * 10 + (uint32_t)(s[i] - '0');
	return s + n;
}

int mvs_shard_parse(const char *text, struct mvs_shard *shard, char *err, size_t errlen)
{
	uint32_t index, count;
	const char *p = number(text, &index);

	if (!p || *p != '/' || !(p = number(p + 1, &count)) || *p) {
		snprintf(err, errlen, "--shard: expected I/N (shard I of N, counting from 0), found \"%s\"", text);
		return -1;
	}
	if (count < 1 || count > MVS_SHARD_MAX) {
		snprintf(err, errlen, "--shard %s: N must be from 1 to %d", text, MVS_SHARD_MAX);
		return -1;
	}
	if (index >= count) {
		snprintf(err, errlen, "--shard %s: I counts from 0 and must be less than N", text);
		return -1;
	}
	shard->index = index;
	shard->count = count;
	return 0;
}

/* ---- text ---- */

/* A growable string; appends fail softly (failed) and are checked once at the end. */
struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void add(struct text *t, const char *s, size_t n)
{
	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 64;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *grown = realloc(t->s, cap);
		if (!grown) {
			t->failed = true;
			return;
		}
		t->s = grown;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void add_str(struct text *t, const char *s)
{
	add(t, s, strlen(s));
}

static void add_quoted(struct text *t, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t plain = 0;

	add(t, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[4];
		size_t k = 2;

		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			if (c >= 0x20 && c != 0x7f)
				continue;
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			k = 4;
		}
		add(t, s + plain, i - plain);
		add(t, esc, k);
		plain = i + 1;
	}
	add(t, s + plain, n - plain);
	add(t, "\"", 1);
}

/* The finished string (never NULL unless out of memory). */
static char *done(struct text *t)
{
	if (t->failed) {
		free(t->s);
		return NULL;
	}
	return t->s ? t->s : strdup("");
}

char *mvs_shard_quote(const char *s, size_t len)
{
	struct text t = { 0 };

	add_quoted(&t, s, len);
	return done(&t);
}

char *mvs_shard_int_filter(const char *pk, const struct mvs_shard *shard)
{
	char *out = NULL;
	int n;

	if (shard->count <= 1)
		return strdup("");
	if (shard->index == 0)
		n = asprintf(&out, "%s %% %" PRIu32 " == 0", pk, shard->count);
	else
		n = asprintf(&out, "(%s %% %" PRIu32 " == %" PRIu32 " or %s %% %" PRIu32 " == -%" PRIu32 ")", pk,
			     shard->count, shard->index, pk, shard->count, shard->count - shard->index);
	return n < 0 ? NULL : out;
}

char *mvs_shard_range_filter(const char *pk, const char *lo, size_t lo_len, const char *hi, size_t hi_len)
{
	struct text t = { 0 };

	if (lo) {
		add_str(&t, pk);
		add_str(&t, " >= ");
		add_quoted(&t, lo, lo_len);
	}
	if (hi) {
		if (lo)
			add_str(&t, " and ");
		add_str(&t, pk);
		add_str(&t, " < ");
		add_quoted(&t, hi, hi_len);
	}
	return done(&t);
}

char *mvs_shard_hex(const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	if (!s)
		return strdup("-");
	char *out = malloc(2 * n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[(unsigned char)s[i] >> 4];
		out[2 * i + 1] = digits[(unsigned char)s[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

/* ---- the VarChar boundary search ---- */

static uint32_t slot_cp(uint32_t j)
{
	return j - 1 < SURROGATE_LO ? j - 1 : j - 1 + SURROGATES;
}

static uint32_t cp_slot(uint32_t c)
{
	return 1 + (c < SURROGATE_LO ? c : c - SURROGATES);
}

/* The code point at the start of s (n bytes), or NOT_UTF8. */
static uint32_t utf8_get(const unsigned char *s, size_t n)
{
	uint32_t c;

	return n > 0 && mvs_utf8_decode(s, n, &c) ? c : NOT_UTF8;
}

struct search {
	const char *pk;
	const struct mvs_shard_probe *probe;
	char *p;		/* the prefix, with room for one more character and a NUL */
	size_t plen, cap;
};

/* f(j) = count(pk < p + slot_cp(j)). */
static int count_below(struct search *s, uint32_t j, int64_t *n)
{
	struct text t = { 0 };
	size_t len = mvs_utf8_encode(slot_cp(j), s->p + s->plen);

	add_str(&t, s->pk);
	add_str(&t, " < ");
	add_quoted(&t, s->p, s->plen + len);
	char *expr = done(&t);
	if (!expr)
		return -1;
	int rc = s->probe->count(s->probe->ctx, expr, n);
	free(expr);
	return rc;
}

/* The slot of the character after p in the smallest key at or above p: a first guess, 0 if none. */
static int guess(struct search *s, uint32_t *j)
{
	struct text t = { 0 };
	char *key = NULL;
	size_t len = 0;

	*j = 0;
	add_str(&t, s->pk);
	add_str(&t, " >= ");
	add_quoted(&t, s->p, s->plen);
	char *expr = done(&t);
	if (!expr)
		return -1;
	int rc = s->probe->first_key(s->probe->ctx, expr, &key, &len);
	free(expr);
	if (rc != 0)
		return -1;
	if (key && len > s->plen && memcmp(key, s->p, s->plen) == 0) {
		uint32_t c = utf8_get((const unsigned char *)key + s->plen, len - s->plen);
		if (c != NOT_UTF8)
			*j = cp_slot(c);
	}
	free(key);
	return 0;
}

/* The search interval of next_char: f(lo) <= target < f(hi). */
struct bracket {
	uint32_t lo, hi;	/* lo 0 = not known yet */
	int64_t f_lo;
};

/* Counts f(j) and moves the bracket's lo (f(j) <= target) or hi to j. Returns 1 when lo moved, 0 when
 * hi moved, -1 on a failed count. */
static int narrow(struct search *s, int64_t target, uint32_t j, struct bracket *b)
{
	int64_t f;

	if (count_below(s, j, &f) != 0)
		return -1;
	if (f <= target) {
		b->lo = j;
		b->f_lo = f;
		return 1;
	}
	b->hi = j;
	return 0;
}

/* The next character: the largest slot j with f(j) <= target, and f(j); *none when even slot 1
 * (U+0000) counts more than target (then p itself is the boundary). */
static int next_char(struct search *s, int64_t target, uint32_t *j_out, int64_t *f_out, bool *none)
{
	struct bracket b = { .lo = 0, .hi = SLOT_MAX + 1 };
	uint32_t j;
	int moved;

	*none = false;
	if (guess(s, &j) != 0)
		return -1;
	if (j > 1 && narrow(s, target, j, &b) < 0)
		return -1;
	if (b.lo == 0) {
		if ((moved = narrow(s, target, 1, &b)) < 0)
			return -1;
		if (!moved) {
			*none = true;
			return 0;
		}
	}
	/* gallop up from lo, then bisect */
	for (uint32_t step = 1; b.hi == SLOT_MAX + 1 && b.lo + step <= SLOT_MAX; step *= 2) {
		if ((moved = narrow(s, target, b.lo + step, &b)) < 0)
			return -1;
		if (!moved)
			break;
	}
	while (b.hi - b.lo > 1)
		if (narrow(s, target, b.lo + (b.hi - b.lo) / 2, &b) < 0)
			return -1;
	*j_out = b.lo;
	*f_out = b.f_lo;
	return 0;
}

int mvs_shard_boundary(const char *pk, int64_t total, uint32_t k, uint32_t n,
		       const struct mvs_shard_probe *probe, char **boundary, size_t *len)
{
	struct search s = { .pk = pk, .probe = probe };
	/* total * k / n without overflow */
	int64_t target = total / n * k + total % n * k / n;
	int64_t tolerance = total / ((int64_t)n * TOLERANCE_DIVISOR);

	*boundary = NULL;
	*len = 0;
	s.cap = 4 * MAX_DEPTH + 8;
	s.p = calloc(1, s.cap);
	if (!s.p)
		return -1;
	for (int depth = 0; depth < MAX_DEPTH && target > 0; depth++) {
		uint32_t j;
		int64_t below;
		bool none;

		if (next_char(&s, target, &j, &below, &none) != 0) {
			free(s.p);
			return -1;
		}
		if (none)
			break;
		s.plen += mvs_utf8_encode(slot_cp(j), s.p + s.plen);
		s.p[s.plen] = '\0';
		if (target - below <= tolerance)
			break;
	}
	s.p[s.plen] = '\0';
	*boundary = s.p;
	*len = s.plen;
	return 0;
}
