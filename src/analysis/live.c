/* See live.h. The slots live in one mapping that grows in place: mremap
 * keeps the old slots' pages (the kernel moves them if it must, it never
 * copies), and the slots are then rehashed where they are. A table that
 * doubled into a fresh array held both arrays at the end, 1.5 times the
 * memory, and had the kernel zero twice the final size in all: clearing
 * fresh pages was up to a third of a replay with a million live blocks. */
#include "analysis/live.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include "analysis/array.h"

#define FIRST_CAP 1024 /* slots: 24 KiB, whole pages, as every larger power of two */
#define MAX_SEQ (UINT64_C(1) << 40)

void ms_live_init(struct ms_live *t)
{
	memset(t, 0, sizeof(*t));
	ms_u64map_init(&t->ctx_index);
}

void ms_live_release(struct ms_live *t)
{
	if (t->slots)
		munmap(t->slots, t->cap * sizeof(*t->slots));
	free(t->ctx);
	free(t->stack_ctx);
	ms_u64map_release(&t->ctx_index);
	ms_live_init(t);
}

/* A rehash walks the old slots up from 0 (see rehash). Those above the
 * walk are pending, except the ones placed there, which have their bit in
 * placed. */
struct walk {
	size_t i, old;
	uint64_t *placed;
};

static inline bool ahead(const struct walk *w, size_t j) { return j > w->i && j < w->old; }

static inline bool pending(const struct walk *w, size_t j)
{
	return ahead(w, j) && !(w->placed[j / 64] >> (j % 64) & 1);
}

/* Places the slot at w->i at the first slot from its home that is empty or
 * pending, swapping with the pending one, which is then placed in turn. */
static void place(struct ms_live *t, struct walk *w)
{
	struct ms_live_slot *sl = t->slots;
	size_t i = w->i, mask = t->cap - 1;
	while (sl[i].addr) {
		size_t j = ms_live_home(sl[i].addr, t->cap);
		while (j != i && sl[j].addr && !pending(w, j))
			j = (j + 1) & mask;
		if (j == i)
			return;
		if (ahead(w, j))
			w->placed[j / 64] |= UINT64_C(1) << (j % 64);
		if (!sl[j].addr) { /* the usual case: nothing to swap */
			sl[j] = sl[i];
			sl[i].addr = 0;
			return;
		}
		struct ms_live_slot x = sl[j];
		sl[j] = sl[i];
		sl[i] = x;
	}
}

/* Puts the slots of [0, old) where their homes are in a table of t->cap
 * slots, twice as large or a power of two times smaller, in place. The slots on the
 * way from a placed slot's home to it are placed ones, which nothing moves
 * again, so every probe run stays unbroken. A home in the larger table is
 * the old one or old slots above it, and in a smaller one it is the old
 * one folded down: walking up, nearly every slot stays or lands where the
 * walk has been or in the new half, with no swap. placed: old bits, zero. */
static void rehash(struct ms_live *t, size_t old, uint64_t *placed)
{
	struct walk w = {0, old, placed};
	for (; w.i < old; w.i++)
		place(t, &w);
}

/* Resizes the table to cap slots (a power of two, more than len). The
 * mapping grows before the rehash and shrinks after it. Returns 0 or
 * -ENOMEM, with the table unchanged. */
static int resize(struct ms_live *t, size_t cap)
{
	size_t old = t->cap, sz = sizeof(*t->slots);
	if (!old) {
		void *p = mmap(NULL, cap * sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -ENOMEM;
		/* lookups are random: with 4 KiB pages most would miss the
		 * TLB as well as the cache */
		ms_array_advise_huge(p, cap * sz);
		t->slots = p;
		t->cap = cap;
		return 0;
	}
	uint64_t *placed = calloc(old / 64, sizeof(*placed));
	if (!placed)
		return -ENOMEM;
	if (cap > old) {
		void *p = mremap(t->slots, old * sz, cap * sz, MREMAP_MAYMOVE);
		if (p == MAP_FAILED) {
			free(placed);
			return -ENOMEM;
		}
		ms_array_advise_huge(p, cap * sz);
		t->slots = p;
	}
	t->cap = cap;
	rehash(t, old, placed);
	free(placed);
	if (cap < old) /* in place: it cannot fail, and the slots are valid if it did */
		mremap(t->slots, old * sz, cap * sz, 0);
	return 0;
}

/* The index of the pair (stack, thread), added on first sight. A stack is
 * nearly always used by one thread, so the pair it was last seen in is
 * tried before the map (ctx_of); stack indexes are dense, and the shortcut
 * covers the first SHORTCUT_MAX of them. Out of line: insert's fast path
 * then keeps its registers. */
#define SHORTCUT_MAX (1u << 22)

static __attribute__((noinline)) int ctx_add(struct ms_live *t, uint32_t stack, uint32_t thread, uint32_t *out)
{
	uint64_t key = (uint64_t)stack << 32 | thread;
	uint32_t c = ms_u64map_get(&t->ctx_index, key);
	if (c == MS_U64MAP_NONE) {
		if (t->n_ctx >= MS_U64MAP_NONE ||
		    ms_array_reserve((void **)&t->ctx, &t->cap_ctx, sizeof(*t->ctx), t->n_ctx + 1, 1024))
			return -ENOMEM;
		c = (uint32_t)t->n_ctx;
		if (ms_u64map_put(&t->ctx_index, key, c))
			return -ENOMEM;
		t->ctx[t->n_ctx++] = (struct ms_live_ctx){stack, thread};
	}
	size_t had = t->cap_stack_ctx;
	if (stack < SHORTCUT_MAX && ms_array_reserve((void **)&t->stack_ctx, &t->cap_stack_ctx,
	                                             sizeof(*t->stack_ctx), (size_t)stack + 1, 1024) == 0) {
		for (size_t i = had; i < t->cap_stack_ctx; i++)
			t->stack_ctx[i] = MS_U64MAP_NONE;
		t->stack_ctx[stack] = c;
	} /* else: no shortcut for this stack, the map still answers */
	*out = c;
	return 0;
}

static inline int ctx_of(struct ms_live *t, uint32_t stack, uint32_t thread, uint32_t *out)
{
	if (stack < t->cap_stack_ctx) {
		uint32_t c = t->stack_ctx[stack];
		if (c != MS_U64MAP_NONE && t->ctx[c].thread == thread) {
			*out = c;
			return 0;
		}
	}
	return ctx_add(t, stack, thread, out);
}

/* Out of line, as ctx_add. */
static __attribute__((noinline)) int grow(struct ms_live *t)
{
	if (t->cap > SIZE_MAX / 2 / sizeof(*t->slots))
		return -ENOMEM;
	return resize(t, t->cap ? 2 * t->cap : FIRST_CAP);
}

int ms_live_insert(struct ms_live *t, const struct ms_live_block *b, struct ms_live_block *old)
{
	if (b->size > MS_LIVE_MAX_SIZE || t->next_seq >= MAX_SEQ)
		return -EOVERFLOW;
	uint32_t ctx;
	int rc = ctx_of(t, b->stack, b->thread, &ctx);
	if (rc)
		return rc;
	/* Up to 3/4 full: linear probing with backward-shift deletion stays short
	 * there, and the table is most of the analyzer's memory, so a sparser
	 * one would cost more in page clearing than it saves in probes. */
	if ((t->len + 1) * 4 > t->cap * 3 && (rc = grow(t)))
		return rc;
	uint64_t seq = t->next_seq++;
	struct ms_live_slot n = {b->addr, b->size | (seq >> 32) << 56, ctx, (uint32_t)seq};
	size_t mask = t->cap - 1;
	for (size_t i = ms_live_home(b->addr, t->cap);; i = (i + 1) & mask) {
		struct ms_live_slot *s = &t->slots[i];
		if (!s->addr) {
			*s = n;
			t->len++;
			return 0;
		}
		if (s->addr == b->addr) {
			ms_live_unpack(t, s, old);
			*s = n;
			return 1;
		}
	}
}

bool ms_live_remove(struct ms_live *t, uint64_t addr, struct ms_live_block *out)
{
	if (!t->cap || !addr)
		return false;
	size_t mask = t->cap - 1;
	size_t i = ms_live_home(addr, t->cap);
	for (;; i = (i + 1) & mask) {
		if (!t->slots[i].addr)
			return false;
		if (t->slots[i].addr == addr)
			break;
	}
	ms_live_unpack(t, &t->slots[i], out);
	/* backward shift: move later members of the probe run into the hole
	 * when their home slot is not between the hole and them */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; t->slots[j].addr; j = (j + 1) & mask) {
		size_t home = ms_live_home(t->slots[j].addr, t->cap);
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			t->slots[hole] = t->slots[j];
			hole = j;
		}
	}
	t->slots[hole].addr = 0;
	t->len--;
	/* Below 1/8 full, to the power of two at most half full: a program
	 * that frees most of its blocks before it exits then does not keep a
	 * table sized for its peak through the exit snapshot's scan (for perl,
	 * 48 of the 66 MiB at the end). A failure keeps the larger table. */
	if (t->cap > FIRST_CAP && t->len * 8 < t->cap) {
		size_t c = FIRST_CAP;
		while (c < 2 * t->len)
			c *= 2;
		resize(t, c);
	}
	return true;
}
