/* The size-class model behind ALLOC_TOP (format version 4), shared by the
 * writer (runtime) and the reader so that both hold the same state.
 *
 * glibc's tcache and fastbins hand a thread back the block of the same size
 * class it freed last. So inside a chunk, each class keeps the addresses of
 * the chunk's FREE_REF records whose allocation (the ALLOC record they name)
 * was of that class, last in first out; an ALLOC whose address is the top of
 * its class is written as ALLOC_TOP, without an address, and pops it. On
 * churn 94% of allocations are such (85% with the runtime's smaller
 * reference tables before), and their address field, the largest part of
 * the trace left, goes.
 *
 * The model only has to be the same on both sides, not true: when the
 * program's allocator behaves otherwise, allocations are written as ALLOC or
 * ALLOC_REF and entries go stale, which costs bytes, never correctness. */
#ifndef MS_TRACE_SIZECLASS_H
#define MS_TRACE_SIZECLASS_H

#include <stdint.h>

#define MS_NCLASS 64     /* classes 0..63; larger sizes have none */
#define MS_CLASS_DEPTH 8 /* entries kept per class: glibc's tcache holds 7 */

/* glibc's chunk size / 16 for a request of size bytes (at least 32 B, the
 * request plus 8, rounded up to 16), or MS_NCLASS past 1000 bytes. */
static inline unsigned ms_size_class(uint64_t size)
{
	if (size > 1000)
		return MS_NCLASS;
	return size <= 24 ? 2 : (unsigned)((size + 23) >> 4);
}

/* One class's entries. Those of an earlier chunk (chunk differs) count as
 * none, so a new chunk empties every class without touching them. */
struct ms_class_lifo {
	uint64_t addr[MS_CLASS_DEPTH];
	uint32_t top; /* entries pushed minus popped in this chunk */
	uint32_t chunk;
};

static inline void ms_class_push(struct ms_class_lifo *l, uint32_t chunk, uint64_t addr)
{
	if (l->chunk != chunk) {
		l->chunk = chunk;
		l->top = 0;
	}
	l->addr[l->top++ % MS_CLASS_DEPTH] = addr;
}

/* The class's last entry, or 0 when it has none (no block is at 0). Past
 * MS_CLASS_DEPTH pushes the oldest entries are overwritten; popping that
 * far returns newer ones again, on both sides alike. */
static inline uint64_t ms_class_top(const struct ms_class_lifo *l, uint32_t chunk)
{
	return l->chunk == chunk && l->top ? l->addr[(l->top - 1) % MS_CLASS_DEPTH] : 0;
}

static inline void ms_class_pop(struct ms_class_lifo *l) { l->top--; }

#endif
