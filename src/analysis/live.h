/* The live-block table of a replay: address -> (size, stack, thread, seq).
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones), load <= 3/4; address 0 is never stored. Memory grows with
 * the number of live blocks only: a slot is 24 bytes, and the table grows in
 * place (see live.c). A slot keeps the (stack, thread) pair as an index into
 * a table of the pairs seen, which the table owns. */
#ifndef MS_ANALYSIS_LIVE_H
#define MS_ANALYSIS_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/u64map.h"
#include "util/hash.h"

/* The largest block size a slot holds: more than any 64-bit address space
 * (57-bit virtual addresses at most), so a larger block is a damaged trace. */
#define MS_LIVE_MAX_SIZE ((UINT64_C(1) << 56) - 1)

struct ms_live_block {
	uint64_t addr; /* never 0 */
	uint64_t size; /* <= MS_LIVE_MAX_SIZE */
	uint32_t stack;  /* stack index in the model */
	uint32_t thread; /* thread index in the model */
	uint64_t seq;    /* insertion ordinal, set by the table: tells a block from a later one at the same address */
};

/* A slot, packed: size in the low 56 bits of size_seq, seq's bits 32..39 in
 * its top 8 bits and bits 0..31 in seq_lo; ctx indexes ms_live.ctx. */
struct ms_live_slot {
	uint64_t addr; /* 0: empty slot */
	uint64_t size_seq;
	uint32_t ctx;
	uint32_t seq_lo;
};

struct ms_live_ctx {
	uint32_t stack, thread;
};

struct ms_live {
	struct ms_live_slot *slots; /* mmap'ed, cap * sizeof(*slots) bytes */
	size_t cap, len;            /* cap is 0 or a power of two >= 1024 */
	uint64_t next_seq;
	struct ms_live_ctx *ctx; /* the (stack, thread) pairs of the slots */
	size_t n_ctx, cap_ctx;
	struct ms_u64map ctx_index; /* stack << 32 | thread -> ctx */
	uint32_t *stack_ctx;        /* stack -> the pair it was last seen in, or MS_U64MAP_NONE */
	size_t cap_stack_ctx;
};

static inline size_t ms_live_home(uint64_t addr, size_t cap) { return ms_hash_u64(addr) & (cap - 1); }

void ms_live_init(struct ms_live *t);
void ms_live_release(struct ms_live *t);
/* Inserts b (b->addr != 0; b->seq is ignored: the table numbers its inserts).
 * If the address is already live, the old block is copied to *old and
 * replaced, and 1 is returned; otherwise 0. -EOVERFLOW: b->size is above
 * MS_LIVE_MAX_SIZE, or 2^40 blocks were inserted; -ENOMEM. The blocks are
 * unchanged on failure. */
int ms_live_insert(struct ms_live *t, const struct ms_live_block *b, struct ms_live_block *old);
/* Removes addr into *out; returns false when addr is not live. */
bool ms_live_remove(struct ms_live *t, uint64_t addr, struct ms_live_block *out);

static inline void ms_live_unpack(const struct ms_live *t, const struct ms_live_slot *s, struct ms_live_block *b)
{
	b->addr = s->addr;
	b->size = s->size_seq & MS_LIVE_MAX_SIZE;
	b->stack = t->ctx[s->ctx].stack;
	b->thread = t->ctx[s->ctx].thread;
	b->seq = (s->size_seq >> 56) << 32 | s->seq_lo;
}

/* Slot i (< t->cap) into *b; false when it is empty. Walking i over the
 * capacity visits every live block once, in no useful order. */
static inline bool ms_live_at(const struct ms_live *t, size_t i, struct ms_live_block *b)
{
	if (!t->slots[i].addr)
		return false;
	ms_live_unpack(t, &t->slots[i], b);
	return true;
}

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

/* The stack of the live block at addr into *stack; false when addr is not
 * live. */
static inline bool ms_live_peek_stack(const struct ms_live *t, uint64_t addr, uint32_t *stack)
{
	if (!t->cap || !addr)
		return false;
	size_t mask = t->cap - 1;
	for (size_t i = ms_live_home(addr, t->cap);; i = (i + 1) & mask) {
		if (t->slots[i].addr == addr) {
			*stack = t->ctx[t->slots[i].ctx].stack;
			return true;
		}
		if (!t->slots[i].addr)
			return false;
	}
}

#endif
