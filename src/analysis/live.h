/* The live-block table of a replay: address -> (size, stack, thread). Open
 * addressing with linear probing and backward-shift deletion (no
 * tombstones), load <= 1/2; address 0 is never stored. Memory grows with
 * the number of live blocks only. */
#ifndef MS_ANALYSIS_LIVE_H
#define MS_ANALYSIS_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/hash.h"

struct ms_live_block {
	uint64_t addr; /* 0: empty slot */
	uint64_t size;
	uint32_t stack;  /* stack index in the model */
	uint32_t thread; /* thread index in the model */
	uint64_t seq;    /* allocation ordinal: tells a block from a later one at the same address */
};

struct ms_live {
	struct ms_live_block *slots;
	size_t cap, len;
};

static inline size_t ms_live_home(uint64_t addr, size_t cap) { return ms_hash_u64(addr) & (cap - 1); }

void ms_live_init(struct ms_live *t);
void ms_live_release(struct ms_live *t);
/* Inserts b (b->addr != 0). If the address is already live, the old block is
 * copied to *old and replaced, and 1 is returned; otherwise 0; -ENOMEM. */
int ms_live_insert(struct ms_live *t, const struct ms_live_block *b, struct ms_live_block *old);
/* Hints the CPU to fetch addr's home slot: the replay calls it a few events
 * ahead, which hides most cache misses of a table larger than the cache. */
static inline void ms_prefetch(const void *p)
{
#if defined(__x86_64__)
	/* gcc 12 -O2 drops __builtin_prefetch here as dead code */
	__asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#else
	__builtin_prefetch(p);
#endif
}

static inline void ms_live_prefetch(const struct ms_live *t, uint64_t addr)
{
	if (t->cap)
		ms_prefetch(&t->slots[ms_live_home(addr, t->cap)]);
}

/* The live block at addr, or NULL; valid until the table changes. */
static inline const struct ms_live_block *ms_live_peek(const struct ms_live *t, uint64_t addr)
{
	if (!t->cap || !addr)
		return NULL;
	size_t mask = t->cap - 1;
	for (size_t i = ms_live_home(addr, t->cap);; i = (i + 1) & mask) {
		if (t->slots[i].addr == addr)
			return &t->slots[i];
		if (!t->slots[i].addr)
			return NULL;
	}
}

/* Removes addr into *out; returns false when addr is not live. */
bool ms_live_remove(struct ms_live *t, uint64_t addr, struct ms_live_block *out);

#endif
