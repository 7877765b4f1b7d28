/* Unit tests of lib/transfer/mvs_shard.c: "I/N" parsing, the Int64 and range filters, string literals, and the
 * VarChar boundary search against an in-memory sorted key set (the probe answers `pk < "..."` and
 * `pk >= "..."` by bisection): boundaries hit their ranks (exactly for small sets, within the
 * tolerance for large ones) for ASCII, shared-prefix, non-ASCII and astral keys and keys holding
 * U+0000 (leading, repeated, trailing, as the separator of a compound key), and the number of server
 * calls stays small. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mvs_shard.h"

/* ---- a key set standing in for the server ---- */

/* A key: len bytes, NUL bytes included. */
struct key {
	char *s;
	size_t len;
};

struct keys {
	struct key *v;
	size_t n;
	unsigned calls;
};

/* Bytewise with a prefix first, as Milvus orders keys. */
static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

static int cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	return key_cmp(x->s, x->len, y->s, y->len);
}

/* Keys before the first one >= s. */
static size_t rank(const struct keys *k, const char *s, size_t len)
{
	size_t lo = 0, hi = k->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(k->v[mid].s, k->v[mid].len, s, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Undoes mvs_shard_quote: the literal after "pk OP ", *len bytes. */
static char *unquote(const char *expr, const char *op, size_t *len)
{
	const char *q = strstr(expr, op);
	char *out = malloc(strlen(expr) + 1), *o = out;

	if (!q || !out)
		abort();
	for (q += strlen(op) + 1; *q != '"'; q++) {
		if (*q != '\\') {
			*o++ = *q;
			continue;
		}
		q++;
		switch (*q) {
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'x': {
			unsigned v;
			sscanf(q + 1, "%2x", &v);
			*o++ = (char)v;
			q += 2;
			break;
		}
		default: *o++ = *q;
		}
	}
	*len = (size_t)(o - out);
	return out;
}

static int probe_count(void *ctx, const char *expr, int64_t *n)
{
	struct keys *k = ctx;
	size_t len;
	char *s = unquote(expr, " < ", &len);

	k->calls++;
	*n = (int64_t)rank(k, s, len);
	free(s);
	return 0;
}

static int probe_first(void *ctx, const char *expr, char **key, size_t *len)
{
	struct keys *k = ctx;
	size_t n;
	char *s = unquote(expr, " >= ", &n);
	size_t r = rank(k, s, n);

	k->calls++;
	*key = NULL;
	if (r < k->n) {
		*key = malloc(k->v[r].len + 1);
		memcpy(*key, k->v[r].s, k->v[r].len);
		*len = k->v[r].len;
	}
	free(s);
	return 0;
}

static void keys_sort(struct keys *k)
{
	qsort(k->v, k->n, sizeof *k->v, cmp);
}

static void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i].s);
	free(k->v);
}

/* n keys from make, which writes key i into buf and returns its length. */
static struct keys make_keys(size_t n, size_t (*make)(char *buf, size_t size, size_t i))
{
	struct keys k = { .v = calloc(n, sizeof *k.v), .n = n };
	char buf[256];

	for (size_t i = 0; i < n; i++) {
		k.v[i].len = make(buf, sizeof buf, i);
		k.v[i].s = malloc(k.v[i].len + 1);
		memcpy(k.v[i].s, buf, k.v[i].len);
	}
	keys_sort(&k);
	return k;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static size_t hex_key(char *buf, size_t size, size_t i)
{
	return (size_t)snprintf(buf, size, "%016llx", (unsigned long long)mix(i + 1));
}

static size_t padded_key(char *buf, size_t size, size_t i)
{
	return (size_t)snprintf(buf, size, "https://example.com/items/%07zu", i * 7);
}

static size_t unicode_key(char *buf, size_t size, size_t i)
{
	static const char *const parts[] = { "a", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "Z", "\x7f", "\x01" };
	uint64_t x = mix(i + 100);

	return (size_t)snprintf(buf, size, "%s%s%s%zu", parts[x % 7], parts[(x >> 8) % 7], parts[(x >> 16) % 7], i);
}

static size_t short_key(char *buf, size_t size, size_t i)
{
	/* a key that is a prefix of others, quotes and backslashes */
	static const char *const v[] = { "", "a", "ab", "abc", "a\"b", "a\\b", "b", "b\n", "ba", "bb" };
	return (size_t)snprintf(buf, size, "%s", v[i]);
}

/* Keys holding U+0000 (%c of 0 writes a NUL byte): most of them share "user\0", a compound key's
 * separator, so the boundaries must hold U+0000 too to split them evenly. */
static size_t nul_key(char *buf, size_t size, size_t i)
{
	switch (i % 4) {
	case 0: return (size_t)snprintf(buf, size, "user%c%05zu", 0, i);
	case 1: return (size_t)snprintf(buf, size, "%c%c%zu", 0, 0, i);
	case 2: return (size_t)snprintf(buf, size, "user%c%c%zu", 0, 0, i);
	default: return (size_t)snprintf(buf, size, "user%c%05zu%c", 0, i, 0);
	}
}

/* Splits k n ways; each boundary must have its rank within tolerance, and the boundaries must rise. */
static void split(const char *name, struct keys *k, uint32_t n)
{
	const struct mvs_shard_probe probe = { .count = probe_count, .first_key = probe_first, .ctx = k };
	int64_t total = (int64_t)k->n, tolerance = total / ((int64_t)n * 100);
	char *prev = NULL;
	size_t prev_len = 0;
	unsigned most = 0;

	for (uint32_t b = 1; b < n; b++) {
		char *boundary = NULL;
		size_t len;
		int64_t target = total * b / n;

		k->calls = 0;
		int rc = mvs_shard_boundary("pk", total, b, n, &probe, &boundary, &len);
		CHECK_MSG(rc == 0, "%s: boundary %u failed", name, b);
		if (rc != 0)
			continue;
		int64_t below = (int64_t)rank(k, boundary, len);
		CHECK_MSG(below <= target && target - below <= tolerance, "%s: boundary %u/%u has rank %lld, want %lld (tolerance %lld)",
		      name, b, n, (long long)below, (long long)target, (long long)tolerance);
		CHECK_MSG(!prev || key_cmp(prev, prev_len, boundary, len) <= 0, "%s: boundaries out of order", name);
		if (k->calls > most)
			most = k->calls;
		/* the same answer a second time: only counts decide */
		char *again = NULL;
		size_t again_len;
		CHECK_MSG(mvs_shard_boundary("pk", total, b, n, &probe, &again, &again_len) == 0 && again &&
			  key_cmp(again, again_len, boundary, len) == 0,
		      "%s: boundary %u not deterministic", name, b);
		free(again);
		free(prev);
		prev = boundary;
		prev_len = len;
	}
	free(prev);
	printf("%s: %zu keys, %u shards: at most %u server calls per boundary\n", name, k->n, n, most);
	CHECK_MSG(most < 400, "%s: %u calls for one boundary", name, most);
}

static void test_boundaries(void)
{
	static const struct {
		const char *name;
		size_t n_keys;
		size_t (*key)(char *buf, size_t size, size_t i);
		uint32_t ways[2];	/* 0: none */
	} cases[] = {
		{ "hex", 1000, hex_key, { 4, 7 } },
		{ "hex-large", 200000, hex_key, { 4, 0 } },
		{ "shared-prefix", 5000, padded_key, { 4, 0 } },
		{ "unicode", 3000, unicode_key, { 5, 0 } },
		{ "short", 10, short_key, { 4, 10 } },
		{ "nul", 2000, nul_key, { 4, 7 } },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct keys k = make_keys(cases[i].n_keys, cases[i].key);
		for (size_t w = 0; w < 2 && cases[i].ways[w]; w++)
			split(cases[i].name, &k, cases[i].ways[w]);
		keys_free(&k);
	}

	/* an empty collection: every boundary is "", shard 0 and the middle ones are empty */
	struct keys none = { 0 };
	const struct mvs_shard_probe probe = { .count = probe_count, .first_key = probe_first, .ctx = &none };
	char *b = NULL;
	size_t len = 1;
	CHECK_MSG(mvs_shard_boundary("pk", 0, 1, 4, &probe, &b, &len) == 0 && b && len == 0, "empty: \"%s\"",
		  b ? b : "(null)");
	free(b);
}

static void test_filters(void)
{
	struct mvs_shard s = { .index = 0, .count = 4 };
	char *f = mvs_shard_int_filter("id", &s);
	CHECK_MSG(f && !strcmp(f, "id % 4 == 0"), "%s", f);
	free(f);
	s.index = 3;
	f = mvs_shard_int_filter("id", &s);
	CHECK_MSG(f && !strcmp(f, "(id % 4 == 3 or id % 4 == -1)"), "%s", f);
	free(f);
	s = (struct mvs_shard){ .index = 0, .count = 1 };
	f = mvs_shard_int_filter("id", &s);
	CHECK_MSG(f && !*f, "%s", f);
	free(f);

	f = mvs_shard_range_filter("pk", "a\"b", 3, "k\\", 2);
	CHECK_MSG(f && !strcmp(f, "pk >= \"a\\\"b\" and pk < \"k\\\\\""), "%s", f);
	free(f);
	f = mvs_shard_range_filter("pk", NULL, 0, "m", 1);
	CHECK_MSG(f && !strcmp(f, "pk < \"m\""), "%s", f);
	free(f);
	f = mvs_shard_range_filter("pk", "m\0", 2, NULL, 0);
	CHECK_MSG(f && !strcmp(f, "pk >= \"m\\x00\""), "%s", f);
	free(f);
	f = mvs_shard_quote("a\x01\n\xc3\xa9", 5);
	CHECK_MSG(f && !strcmp(f, "\"a\\x01\\n\xc3\xa9\""), "%s", f);
	free(f);
	/* U+0000 alone, leading, trailing, repeated: Go's strconv.Unquote reads \x00 as the byte */
	f = mvs_shard_quote("\0b\0\0c\0", 6);
	CHECK_MSG(f && !strcmp(f, "\"\\x00b\\x00\\x00c\\x00\""), "%s", f);
	free(f);
	f = mvs_shard_quote("", 0);
	CHECK_MSG(f && !strcmp(f, "\"\""), "%s", f);
	free(f);
	f = mvs_shard_hex("a\xc3\xa9\0", 4);
	CHECK_MSG(f && !strcmp(f, "61c3a900"), "%s", f);
	free(f);
	f = mvs_shard_hex(NULL, 0);
	CHECK_MSG(f && !strcmp(f, "-"), "%s", f);
	free(f);
}

static void test_parse(void)
{
	static const char *const bad[] = { "", "1", "1/", "/4", "4/4", "-1/4", "1/0", "1/-4", "+1/4", " 1/4",
					   "1/4 ", "1/4x", "0/1025", "1.0/4", "0x1/4", "1234567890/4" };
	struct mvs_shard s;
	char err[200];

	CHECK_MSG(mvs_shard_parse("3/4", &s, err, sizeof err) == 0 && s.index == 3 && s.count == 4, "3/4");
	CHECK_MSG(mvs_shard_parse("0/1", &s, err, sizeof err) == 0 && s.index == 0 && s.count == 1, "0/1");
	CHECK_MSG(mvs_shard_parse("1023/1024", &s, err, sizeof err) == 0, "1023/1024");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_MSG(mvs_shard_parse(bad[i], &s, err, sizeof err) != 0, "\"%s\" accepted", bad[i]);
	mvs_shard_parse("4/4", &s, err, sizeof err);
	CHECK_MSG(!strcmp(err, "--shard 4/4: I counts from 0 and must be less than N"), "%s", err);
}

int main(void)
{
	test_parse();
	test_filters();
	test_boundaries();
	return check_status();
}
