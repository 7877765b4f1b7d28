/* Sharded pipelines: shard I of N of a collection as a filter the Milvus server evaluates, so that N
 * independent `mvs-export --shard I/N | mvs-import --shard I/N` pipelines (on one machine or many)
 * together move every row exactly once, each paging on its own.
 *
 * Int64 keys are split by remainder: `pk % N == I`, plus `pk % N == I - N` because Milvus's `%`
 * (Go's and C++'s) gives negative keys a negative remainder. The split needs no data and is the same
 * everywhere. VarChar keys are split into N key ranges, `pk >= "b_I" and pk < "b_I+1"`, whose
 * boundaries are quantiles of the keys found by a search driven by count(*) (mvs_shard_boundary):
 * every shard computes the same boundaries as long as the collection does not change meanwhile. */
#ifndef MVS_SHARD_H
#define MVS_SHARD_H

#include <stddef.h>
#include <stdint.h>

#define MVS_SHARD_MAX 1024	/* largest N */

struct mvs_shard {
	uint32_t index;		/* I, 0-based */
	uint32_t count;		/* N; 0 = not sharded */
};

/* Parses "I/N" (0 <= I < N <= MVS_SHARD_MAX). Returns 0, or -1 with a message in err. */
int mvs_shard_parse(const char *text, struct mvs_shard *shard, char *err, size_t errlen);

/* A Milvus string literal for the bytes s[0..len): double quotes, with backslash, the quote and
 * control bytes escaped, NUL (U+0000) as \x00. Milvus's parser (planparserv2, 2.3 and later) unquotes
 * a literal with Go's strconv.Unquote, which reads \xNN as that byte, so every VarChar value has a
 * literal. malloc'd, or NULL when out of memory. */
char *mvs_shard_quote(const char *s, size_t len);

/* The filter of an Int64-key shard, e.g. "(id % 4 == 1 or id % 4 == -3)"; "" for N = 1. malloc'd. */
char *mvs_shard_int_filter(const char *pk, const struct mvs_shard *shard);

/* What the VarChar boundary search asks the server. Each returns 0, or -1 after reporting. */
struct mvs_shard_probe {
	/* count(*) of the rows matching expr (the probe adds any user filter itself) */
	int (*count)(void *ctx, const char *expr, int64_t *n);
	/* some small key matching expr, ideally the smallest: *key (malloc'd) holds its *len bytes,
	 * which may include NUL; *key NULL when none */
	int (*first_key)(void *ctx, const char *expr, char **key, size_t *len);
	void *ctx;
};

/* Boundary k (1 <= k < n) of an n-way split of the `total` rows with VarChar key pk: a UTF-8 string b
 * with count(pk < b) as close to total * k / n as the search needs (within 1% of a shard, or exact
 * for small collections). Only counts decide the result, so every caller that sees the same rows gets
 * the same b. *boundary (malloc'd, NUL-terminated) holds b's *len bytes, which may include U+0000 as
 * keys do. Returns 0, or -1 (a probe failed, or out of memory). */
int mvs_shard_boundary(const char *pk, int64_t total, uint32_t k, uint32_t n,
		       const struct mvs_shard_probe *probe, char **boundary, size_t *len);

/* The filter of a key range: "pk >= LO and pk < HI" (lo_len and hi_len bytes), either side left out
 * when NULL; "" when both are. malloc'd. */
char *mvs_shard_range_filter(const char *pk, const char *lo, size_t lo_len, const char *hi, size_t hi_len);

/* n bytes as lowercase hex, "-" for NULL: how boundaries are shown to programs (mvs-migrate compares
 * neighbouring shards' boundaries). malloc'd. */
char *mvs_shard_hex(const char *s, size_t n);

#endif
