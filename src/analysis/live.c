/* See live.h. */
#include "analysis/live.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include "util/hash.h"

/* Large tables come straight from mmap with transparent huge pages asked
 * for: lookups are random, and with 4 KiB pages most of them would miss the
 * TLB as well as the cache. Small ones use calloc. */
#define HUGE_MIN (2u << 20)

static void *table_alloc(size_t bytes)
{
	if (bytes < HUGE_MIN)
		return calloc(1, bytes);
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

static void table_free(void *p, size_t bytes)
{
	if (!p)
		return;
	if (bytes < HUGE_MIN)
		free(p);
	else
		munmap(p, bytes);
}

void ms_live_init(struct ms_live *t) { memset(t, 0, sizeof(*t)); }

void ms_live_release(struct ms_live *t)
{
	table_free(t->slots, t->cap * sizeof(*t->slots));
	ms_live_init(t);
}

static int grow(struct ms_live *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 1024;
	struct ms_live_block *ns = table_alloc(ncap * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	size_t mask = ncap - 1;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i].addr)
			continue;
		size_t j = ms_hash_u64(t->slots[i].addr) & mask;
		while (ns[j].addr)
			j = (j + 1) & mask;
		ns[j] = t->slots[i];
	}
	table_free(t->slots, t->cap * sizeof(*t->slots));
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

int ms_live_insert(struct ms_live *t, const struct ms_live_block *b, struct ms_live_block *old)
{
	/* Up to 3/4 full: linear probing with backward-shift deletion stays short
	 * there, and the table is most of the analyzer's memory (24 bytes a
	 * slot), so a sparser one would cost more in page clearing than it saves
	 * in probes. */
	if ((t->len + 1) * 4 > t->cap * 3 && grow(t))
		return -ENOMEM;
	size_t mask = t->cap - 1;
	for (size_t i = ms_hash_u64(b->addr) & mask;; i = (i + 1) & mask) {
		struct ms_live_block *s = &t->slots[i];
		if (!s->addr) {
			*s = *b;
			t->len++;
			return 0;
		}
		if (s->addr == b->addr) {
			*old = *s;
			*s = *b;
			return 1;
		}
	}
}

bool ms_live_remove(struct ms_live *t, uint64_t addr, struct ms_live_block *out)
{
	if (!t->cap || !addr)
		return false;
	size_t mask = t->cap - 1;
	size_t i = ms_hash_u64(addr) & mask;
	for (;; i = (i + 1) & mask) {
		if (!t->slots[i].addr)
			return false;
		if (t->slots[i].addr == addr)
			break;
	}
	*out = t->slots[i];
	/* backward shift: move later members of the probe run into the hole
	 * when their home slot is not between the hole and them */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; t->slots[j].addr; j = (j + 1) & mask) {
		size_t home = ms_hash_u64(t->slots[j].addr) & mask;
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			t->slots[hole] = t->slots[j];
			hole = j;
		}
	}
	t->slots[hole].addr = 0;
	t->len--;
	return true;
}
