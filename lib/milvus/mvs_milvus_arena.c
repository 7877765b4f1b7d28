/* Reply memory of the Milvus client: every reply is unpacked into an arena of its own. protobuf-c
 * allocates one block per string, JSON, array or sparse value it unpacks, and a Query page holds tens
 * of thousands of them; from an arena each is a pointer bump, and mvs_milvus_free releases the reply
 * at once. The blocks of freed replies are kept for the next ones, so that paging through a
 * collection reuses the same memory instead of mapping, faulting in and zeroing new pages for every
 * page of rows. The client is single-threaded; so is this. */
#include "mvs_milvus_impl.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define BLOCK_MIN ((size_t)64 << 10)
#define SPARE_MAX 4		/* free blocks kept for the next replies */

struct block {
	struct block *next;
	size_t size, used;	/* bytes of data */
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	ProtobufCAllocator allocator;	/* allocator_data points back here */
	struct block *blocks;		/* the newest first: allocations come from it */
	const ProtobufCMessage *reply;
	size_t wire_bytes;		/* the reply's size on the wire */
	struct arena *next;
};

static struct arena *live;		/* arenas of replies not yet freed */
static struct block *spare;		/* blocks of freed replies */
static size_t n_spare;

/* A block with room for at least need bytes: a spare one if one is big enough, else a new one. */
static struct block *block_get(size_t need)
{
	struct block **pp, *b;

	for (pp = &spare; (b = *pp) != NULL; pp = &b->next) {
		if (b->size >= need) {
			*pp = b->next;
			n_spare--;
			b->next = NULL;
			b->used = 0;
			return b;
		}
	}
	b = malloc(sizeof *b + need);
	if (b) {
		b->next = NULL;
		b->size = need;
		b->used = 0;
	}
	return b;
}

/* Keeps a block for later, or frees it when enough are kept (the smallest go first). */
static void block_put(struct block *b)
{
	if (n_spare == SPARE_MAX) {
		struct block **smallest = &spare;
		for (struct block **pp = &spare; *pp; pp = &(*pp)->next)
			if ((*pp)->size < (*smallest)->size)
				smallest = pp;
		if ((*smallest)->size >= b->size) {
			free(b);
			return;
		}
		struct block *drop = *smallest;
		*smallest = drop->next;
		free(drop);
		n_spare--;
	}
	b->next = spare;
	spare = b;
	n_spare++;
}

static void *arena_alloc(void *data, size_t size)
{
	struct arena *a = data;
	struct block *b = a->blocks;
	size_t n = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);

	if (!b || b->size - b->used < n) {
		size_t want = b ? 2 * b->size : BLOCK_MIN;
		struct block *nb = block_get(want > n ? want : n);
		if (!nb)
			return NULL;
		nb->next = b;
		a->blocks = b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

static void arena_free(void *data, void *p)
{
	(void)data;	/* the memory goes with the whole reply */
	(void)p;
}

static void arena_release(struct arena *a)
{
	struct block *b, *next;

	for (b = a->blocks; b; b = next) {
		next = b->next;
		block_put(b);
	}
	free(a);
}

ProtobufCMessage *mvs_milvus_unpack(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len)
{
	struct arena *a = calloc(1, sizeof *a);
	ProtobufCMessage *m;

	if (!a)
		return NULL;
	a->allocator = (ProtobufCAllocator){ arena_alloc, arena_free, a };
	/* the first block holds a typical reply whole: the wire size plus a quarter for the structs */
	a->blocks = block_get(len + len / 4 > BLOCK_MIN ? len + len / 4 : BLOCK_MIN);
	m = a->blocks ? protobuf_c_message_unpack(d, &a->allocator, len, data) : NULL;
	if (!m) {
		arena_release(a);
		return NULL;
	}
	a->reply = m;
	a->wire_bytes = len;
	a->next = live;
	live = a;
	return m;
}

/* The link that points to the arena of reply: a bug in the caller when there is none. */
static struct arena **arena_of(const void *reply)
{
	struct arena **pp;

	for (pp = &live; *pp; pp = &(*pp)->next)
		if ((*pp)->reply == reply)
			return pp;
	fprintf(stderr, "mvs: internal error: a message that is not a live reply of the Milvus client\n");
	abort();
}

void mvs_milvus_free(void *reply)
{
	if (!reply)
		return;
	struct arena **pp = arena_of(reply), *a = *pp;
	*pp = a->next;
	arena_release(a);
}

size_t mvs_milvus_reply_bytes(const void *reply)
{
	return (*arena_of(reply))->wire_bytes;
}
