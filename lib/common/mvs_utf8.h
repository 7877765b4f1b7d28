/* The one UTF-8 check of mvs (RFC 3629, as Go's protobuf runtime and so the Milvus server accept it:
 * no overlong forms, no surrogates, nothing above U+10FFFF; U+0000 is valid). Every module that
 * validates, decodes or repairs UTF-8 asks this one, so that no two tools disagree about a string. */
#ifndef MVS_UTF8_H
#define MVS_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether the n bytes at p are well-formed UTF-8 (n 0: true). Fast on ASCII runs. */
bool mvs_utf8_valid(const void *p, size_t n);

/* The length (1..4) of the well-formed UTF-8 sequence at the start of p (n > 0 bytes), with its code
 * point in *cp (cp may be NULL); 0 when the bytes there are not one (invalid or cut short). */
size_t mvs_utf8_decode(const void *p, size_t n, uint32_t *cp);

/* Writes code point cp (at most U+10FFFF, not a surrogate) as UTF-8 into out; returns its length
 * (1..4). */
size_t mvs_utf8_encode(uint32_t cp, char out[4]);

#endif
