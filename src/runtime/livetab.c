/* Live blocks: address -> size, stack id. 256 shards, each an
 * open-addressing table (linear probing, backward-shift deletion, no
 * tombstones) behind its own spinlock, so two threads rarely meet. An empty
 * slot reads 0 (malloc never returns address 0).
 *
 * The slot keeps the heap's locality: the blocks of one aligned 64 KiB
 * granule of the heap go to one shard, and those of one aligned 512 B
 * region to one group of 128 slots (1.5 KB of the table), at places given
 * by their address within the region. Programs allocate and free
 * neighbouring blocks together, so a run of inserts or removes mostly
 * stays in pages of the table already touched. With one random slot per
 * block, 1.2 M live blocks (perl) cost a cache and TLB miss per insert and
 * per remove, a quarter of the run.
 *
 * A region is small next to its group: a dense 4 KiB region (perl's heap
 * is one, ~100 blocks per 4 KiB) filled most of a group by itself, a group
 * that got two or three such regions overflowed into its neighbours, and
 * linear probing then ran long: perl's inserts probed 69 slots on average,
 * its removes shifted 20. With 512 B regions, 6.5 and 2.3 (clang: 1.9 ->
 * 1.2 probes). Shards follow 64 KiB granules, not regions: two threads'
 * arenas then rarely share a shard (with shards by region, churn in 2
 * threads ran 20% slower).
 *
 * Memory is the table's main cost to the program's RSS (perl holds 1.2 M
 * blocks): a slot is 12 bytes, and a shard grows by a third, in whole
 * groups, when it is 3/4 full, so it is 9/16 to 3/4 full (doubling left it
 * 3/8 to 3/4 full; growth by half, 1/2 to 3/4, made perl's peak 2.3 MB
 * higher and its run 7-8% shorter). */
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime/arena.h"
#include "runtime/rt.h"
#include "runtime/snap.h"

#define NSHARD 256

/* A slot: the address (48 bits) and the size's low 16 bits in w0, the
 * size's next 8 bits and the stack id (24 bits: ids stop below 2^24,
 * stacktab.c) in w1. A block of 16 MiB or more keeps its size in the side
 * table (big_*), as does, whole, a block above 2^48 (no Linux heap is). */
struct __attribute__((packed, aligned(4))) slot {
	uint64_t w0;
	uint32_t w1;
};
_Static_assert(sizeof(struct slot) == 12, "a slot is 12 bytes");
#define ADDR_BITS 48
#define ADDR_MASK ((1ull << ADDR_BITS) - 1)
#define SIZE_BITS 24
#define SIZE_BIG ((1ull << SIZE_BITS) - 1) /* the size is in the side table */

#define SHARD_SHIFT 16  /* a 64 KiB granule of the heap maps to a shard */
#define REGION_SHIFT 9  /* a 512 B region of the heap ... */
#define GROUP_BITS 7    /* ... to a group of 128 slots ... */
#define PLACE_SHIFT 5   /* ... one place per 32 B: 16 places, 8 slots apart */
#define GROUP (1u << GROUP_BITS)
#define INIT_GROUPS 2

struct shard {
	ms_spin lock;
	uint32_t cap; /* slots: a whole number of groups */
	uint32_t count;
	struct slot *slots;
	uint64_t bytes; /* sum of the sizes (snapshot-at-peak samples it) */
} __attribute__((aligned(64)));

static struct shard shards[NSHARD];

/* Sampling mode: a counting filter over the table's addresses. A free of a
 * block that was never sampled (nearly all of them) then costs one load
 * instead of a shard lock. Counts change under the shard locks; a reader
 * that was handed a sampled block (by the program's own synchronization)
 * sees its count above 0, as nothing but its own removal takes it back. */
_Atomic uint16_t ms_livetab_filter[1u << MS_LIVETAB_FILTER_BITS];

static inline void filter_add(uint64_t addr, int d)
{
	if (MS_UNLIKELY(ms_rt_opt.sample_rate != 0))
		atomic_fetch_add_explicit(ms_livetab_filter_of(ms_livetab_hash(addr)), (uint16_t)d,
		                          memory_order_relaxed);
}

int ms_livetab_init(void) { return 0; }

#define mix ms_livetab_hash

/* ---- the side table: sizes of 16 MiB or more, blocks above 2^48 ----
 * An array searched in order, under big_lock, taken inside a shard's lock
 * (or alone): such blocks are few, and each costs far more to allocate
 * (an mmap and its page faults) than a pass over the array. */
struct big {
	uint64_t addr, size;
	uint32_t stack;
};
static struct big *big_tab;
static uint32_t big_n, big_cap;
static _Atomic uint32_t big_high; /* entries above 2^48, which are not in the shards */
static ms_spin big_lock = MS_SPIN_INIT;

static struct big *big_find(uint64_t addr)
{
	for (uint32_t i = 0; i < big_n; i++)
		if (big_tab[i].addr == addr)
			return &big_tab[i];
	return NULL;
}

/* Records addr's size (and stack); returns -1 if out of memory. */
static int big_put(uint64_t addr, uint64_t size, uint32_t stack)
{
	ms_spin_lock(&big_lock);
	struct big *e = big_find(addr);
	if (!e && big_n == big_cap) {
		uint32_t cap = big_cap ? big_cap * 2 : 64;
		struct big *n = ms_rt_alloc((size_t)cap * sizeof *n);
		if (n) {
			if (big_n)
				memcpy(n, big_tab, (size_t)big_n * sizeof *n);
			ms_rt_free(big_tab);
			big_tab = n;
			big_cap = cap;
		}
	}
	if (!e && big_n < big_cap) {
		e = &big_tab[big_n++];
		if (addr > ADDR_MASK)
			atomic_fetch_add(&big_high, 1);
	}
	if (e)
		*e = (struct big){addr, size, stack};
	ms_spin_unlock(&big_lock);
	return e ? 0 : -1;
}

/* Looks addr up, removing it if take; 1 if it was there. */
static int big_get(uint64_t addr, struct big *out, int take)
{
	ms_spin_lock(&big_lock);
	struct big *e = big_find(addr);
	if (e) {
		*out = *e;
		if (take) {
			*e = big_tab[--big_n];
			if (addr > ADDR_MASK)
				atomic_fetch_sub(&big_high, 1);
		}
	}
	ms_spin_unlock(&big_lock);
	return e != NULL;
}

/* ---- slots ---- */

static inline uint64_t slot_addr(const struct slot *e) { return e->w0 & ADDR_MASK; }

static inline struct slot slot_make(uint64_t addr, uint64_t size, uint32_t stack)
{
	if (MS_UNLIKELY(size >= SIZE_BIG)) /* out of memory for the side table: at least this much */
		size = big_put(addr, size, stack) ? SIZE_BIG - 1 : SIZE_BIG;
	return (struct slot){addr | (size & 0xffff) << ADDR_BITS, (uint32_t)(size >> 16) | (stack & 0xffffffu) << 8};
}

/* The size the slot holds: SIZE_BIG when the side table has it. */
static inline uint64_t slot_packed_size(const struct slot *e)
{
	return e->w0 >> ADDR_BITS | (uint64_t)(e->w1 & 0xff) << 16;
}

static inline uint64_t slot_size(const struct slot *e)
{
	uint64_t v = slot_packed_size(e);
	struct big b;
	if (MS_UNLIKELY(v == SIZE_BIG))
		return big_get(slot_addr(e), &b, 0) ? b.size : v;
	return v;
}

static inline struct ms_live slot_live(const struct slot *e)
{
	return (struct ms_live){slot_addr(e), slot_size(e), e->w1 >> 8};
}

/* The slot leaves the table: its side-table entry goes with it. */
static inline void slot_drop(const struct slot *e)
{
	struct big b;
	if (MS_UNLIKELY(slot_packed_size(e) == SIZE_BIG))
		big_get(slot_addr(e), &b, 1);
}

static inline uint64_t region_hash(uint64_t addr) { return mix(addr >> REGION_SHIFT); }

/* The group comes from the region's hash, the place in it from the
 * address: one of 16 places per 32 B of the region, 8 slots apart, offset
 * by the hash so that the regions sharing a group (such as page-aligned
 * ones) interleave instead of starting at one place. */
static inline uint32_t home_of(uint64_t h, uint64_t addr, uint32_t cap)
{
	uint32_t group = (uint32_t)(((uint64_t)(uint32_t)(h >> 24) * (cap >> GROUP_BITS)) >> 32);
	uint32_t within =
	    ((uint32_t)(addr >> PLACE_SHIFT) * (GROUP >> (REGION_SHIFT - PLACE_SHIFT)) + (uint32_t)h) & (GROUP - 1);
	return group << GROUP_BITS | within;
}

static inline uint32_t next_slot(uint32_t i, uint32_t cap) { return i + 1 == cap ? 0 : i + 1; }

/* How far slot j is past slot from, going round. */
static inline uint32_t dist(uint32_t from, uint32_t j, uint32_t cap) { return j >= from ? j - from : j + cap - from; }

static inline struct shard *shard_of(uint64_t addr) { return &shards[mix(addr >> SHARD_SHIFT) >> 56]; }

static void put(struct slot *slots, uint32_t cap, const struct slot *e)
{
	uint64_t addr = slot_addr(e);
	uint32_t i = home_of(region_hash(addr), addr, cap);
	while (slots[i].w0)
		i = next_slot(i, cap);
	slots[i] = *e;
}

/* Each shard's table starts in a nursery shared by all shards, on one huge
 * page, and moves to a slice of its own at its first growth; there it
 * grows in place: its entries are copied aside, the larger table is zeroed
 * where the old one was, and they are put back. Nothing is given back and
 * nothing is left over. A table in a new place at each growth left the
 * old one to give back (MADV_NOHUGEPAGE and MADV_DONTNEED: 5,351 calls in
 * perl's run, each splitting a huge page and the mapping, until the live
 * tables were mostly in 4 KiB pages) and touched every new table's pages
 * afresh. A slice uses huge pages where its table fills them: with 1M
 * live blocks the tables span tens of MB, and with 4 KiB pages nearly
 * every lookup also misses the TLB (a nested page walk in a VM); a small
 * table would pay a whole huge page. The nursery keeps the tables of a program
 * with few live blocks on one page, as they were (a slice each from the
 * start cost churn 2-4%); once every table has left it, it goes back to
 * the kernel. */
#define SLICE (256ull << 20) /* a shard's table at most: 22 M slots */
#define HUGE_SIZE (2ull << 20)
#define FIRST_BYTES ((uint64_t)INIT_GROUPS * GROUP * sizeof(struct slot))
_Static_assert(NSHARD * FIRST_BYTES <= HUGE_SIZE, "the first tables fill at most the nursery");
/* the nursery, the slices, then aside: where a table being grown is copied
 * (address space only: MAP_NORESERVE) */
#define REGION_SIZE (HUGE_SIZE + (uint64_t)NSHARD * SLICE + SLICE)
static uint8_t *_Atomic region;
static _Atomic int region_refused; /* asked once */
static ms_spin region_lock = MS_SPIN_INIT; /* aside, and the nursery's count */

static uint8_t *region_get(void)
{
	uint8_t *r = atomic_load_explicit(&region, memory_order_acquire);
	if (r || atomic_load_explicit(&region_refused, memory_order_relaxed))
		return r;
	uint8_t *m = ms_rt_map(REGION_SIZE + HUGE_SIZE);
	if (!m) {
		atomic_store_explicit(&region_refused, 1, memory_order_relaxed);
		return NULL;
	}
	r = (uint8_t *)(((uintptr_t)m + HUGE_SIZE - 1) & ~(uintptr_t)(HUGE_SIZE - 1));
	madvise(r, HUGE_SIZE, MADV_HUGEPAGE);
	uint8_t *expected = NULL;
	if (!atomic_compare_exchange_strong(&region, &expected, r)) {
		ms_rt_unmap(m, REGION_SIZE + HUGE_SIZE);
		return expected;
	}
	return r;
}

/* Puts the entries of from (from_cap slots) into the empty table to. */
static void rehash(struct slot *to, uint32_t cap, const struct slot *from, uint32_t from_cap)
{
	for (uint32_t i = 0; i < from_cap; i++)
		if (from[i].w0)
			put(to, cap, &from[i]);
}

/* Unlocked readers (ms_livetab_prefetch) see either table whole. */
static void publish(struct shard *s, struct slot *slots, uint32_t cap)
{
	__atomic_store_n(&s->slots, slots, __ATOMIC_RELAXED);
	__atomic_store_n(&s->cap, cap, __ATOMIC_RELAXED);
}

/* A table of its own, the old one freed: without the region (strict
 * overcommit refuses its reservation). */
static int grow_apart(struct shard *s, uint32_t cap)
{
	struct slot *n = ms_rt_alloc((size_t)cap * sizeof *n), *old = s->slots;
	if (!n)
		return -1;
	if (old)
		rehash(n, cap, old, s->cap);
	publish(s, n, cap);
	ms_rt_free(old);
	return 0;
}

/* Counts the tables in the nursery; the last one to leave gives its page
 * back (whole: nothing is split). Under region_lock, so that no table
 * arrives between the count and the release. */
static void nursery_count(uint8_t *r, int d)
{
	static uint32_t tables;
	ms_spin_lock(&region_lock);
	tables += (uint32_t)d;
	if (!tables)
		madvise(r, HUGE_SIZE, MADV_DONTNEED);
	ms_spin_unlock(&region_lock);
}

static int grow_in_place(struct shard *s, uint32_t cap, uint8_t *r)
{
	uint64_t k = (uint64_t)(s - shards);
	uint64_t bytes = (uint64_t)cap * sizeof(struct slot), old_bytes = (uint64_t)s->cap * sizeof(struct slot);
	struct slot *t = (struct slot *)(void *)(r + HUGE_SIZE + k * SLICE);
	if (s->slots != t) { /* the first table (in the nursery), or the first growth */
		struct slot *n = s->slots ? t : (struct slot *)(void *)(r + k * FIRST_BYTES);
		if (s->slots)
			rehash(n, cap, s->slots, s->cap);
		nursery_count(r, s->slots ? -1 : 1);
		publish(s, n, cap);
		return 0;
	}
	if (bytes > SLICE)
		return -1;
	/* huge pages for the whole ones the table covers, not its last,
	 * partial one: a huge page there would keep up to 2 MiB past the
	 * table's end in memory (for 50 M live blocks, 255 MB) */
	uint64_t whole = bytes & ~(HUGE_SIZE - 1);
	if (whole > (old_bytes & ~(HUGE_SIZE - 1)))
		madvise(t, whole, MADV_HUGEPAGE);
	/* one table grows at a time through aside, which is not kept in
	 * memory past a large one */
	struct slot *aside = (struct slot *)(void *)(r + HUGE_SIZE + NSHARD * SLICE);
	ms_spin_lock(&region_lock);
	memcpy(aside, t, old_bytes);
	memset(t, 0, bytes);
	uint32_t old_cap = s->cap;
	__atomic_store_n(&s->cap, cap, __ATOMIC_RELAXED);
	rehash(t, cap, aside, old_cap);
	if (old_bytes > (4u << 20))
		madvise(aside, old_bytes, MADV_DONTNEED);
	ms_spin_unlock(&region_lock);
	return 0;
}

static __attribute__((noinline, cold)) int grow(struct shard *s)
{
	uint32_t groups = s->slots ? s->cap >> GROUP_BITS : 0;
	groups = groups ? groups + (groups + 2) / 3 : INIT_GROUPS;
	if (groups > (UINT32_MAX >> GROUP_BITS) / 2)
		return -1;
	/* the first table decides where the shard's tables live */
	uint8_t *r = region_get();
	int in_region = r && (!s->slots || ((uint8_t *)s->slots >= r && (uint8_t *)s->slots < r + REGION_SIZE));
	return in_region ? grow_in_place(s, groups << GROUP_BITS, r) : grow_apart(s, groups << GROUP_BITS);
}

/* A block above 2^48 lives whole in the side table; the shard counts its
 * bytes. */
static void insert_high(struct shard *s, uint64_t addr, uint64_t size, uint32_t stack)
{
	struct big b;
	uint64_t was = big_get(addr, &b, 0) ? b.size : 0;
	if (big_put(addr, size, stack))
		return;
	if (!was)
		filter_add(addr, 1);
	__atomic_store_n(&s->bytes, s->bytes + size - was, __ATOMIC_RELAXED);
}

void ms_livetab_insert(uint64_t addr, uint64_t size, uint32_t stack)
{
	uint64_t h = region_hash(addr);
	struct shard *s = shard_of(addr);
	ms_spin_lock(&s->lock);
	if (MS_UNLIKELY(addr > ADDR_MASK)) {
		insert_high(s, addr, size, stack);
		ms_spin_unlock(&s->lock);
		return;
	}
	if (MS_UNLIKELY(!s->slots || (uint64_t)(s->count + 1) * 4 > (uint64_t)s->cap * 3) && grow(s)) {
		ms_spin_unlock(&s->lock);
		return;
	}
	uint32_t cap = s->cap, i = home_of(h, addr, cap);
	struct slot *sl = s->slots;
	while (sl[i].w0 && slot_addr(&sl[i]) != addr)
		i = next_slot(i, cap);
	uint64_t was = 0;
	if (!sl[i].w0) {
		s->count++;
		filter_add(addr, 1);
	} else { /* replaced: count the difference */
		was = slot_size(&sl[i]);
		slot_drop(&sl[i]);
	}
	__atomic_store_n(&s->bytes, s->bytes + size - was, __ATOMIC_RELAXED);
	sl[i] = slot_make(addr, size, stack);
	ms_spin_unlock(&s->lock);
}

void ms_livetab_prefetch(uint64_t addr)
{
	/* Unlocked reads: a table being replaced only makes the hint useless
	 * (tables only grow, and a prefetch never faults). */
	uint64_t h = region_hash(addr);
	struct shard *s = shard_of(addr);
	struct slot *sl = __atomic_load_n(&s->slots, __ATOMIC_RELAXED);
	if (sl) {
		const struct slot *slot = &sl[home_of(h, addr, __atomic_load_n(&s->cap, __ATOMIC_RELAXED))];
		__asm__ volatile("prefetcht0 %0" : : "m"(*slot)); /* gcc 12 drops __builtin_prefetch here */
	}
}

static int remove_high(struct shard *s, uint64_t addr, struct ms_live *out)
{
	struct big b;
	if (!atomic_load(&big_high) || !big_get(addr, &b, 1))
		return 0;
	if (out)
		*out = (struct ms_live){addr, b.size, b.stack};
	__atomic_store_n(&s->bytes, s->bytes - b.size, __ATOMIC_RELAXED);
	filter_add(addr, -1);
	return 1;
}

int ms_livetab_remove(uint64_t addr, struct ms_live *out)
{
	uint64_t h = region_hash(addr);
	struct shard *s = shard_of(addr);
	ms_spin_lock(&s->lock);
	if (MS_UNLIKELY(!s->slots || addr > ADDR_MASK)) {
		int r = remove_high(s, addr, out);
		ms_spin_unlock(&s->lock);
		return r;
	}
	uint32_t cap = s->cap, i = home_of(h, addr, cap);
	struct slot *sl = s->slots;
	while (slot_addr(&sl[i]) != addr) {
		if (!sl[i].w0) {
			ms_spin_unlock(&s->lock);
			return 0;
		}
		i = next_slot(i, cap);
	}
	struct ms_live e = slot_live(&sl[i]);
	slot_drop(&sl[i]);
	if (out)
		*out = e;
	__atomic_store_n(&s->bytes, s->bytes - e.size, __ATOMIC_RELAXED);
	/* backward-shift: pull later entries of the probe run into the hole */
	uint32_t hole = i;
	for (uint32_t j = next_slot(i, cap); sl[j].w0; j = next_slot(j, cap)) {
		uint64_t a = slot_addr(&sl[j]);
		uint32_t home = home_of(region_hash(a), a, cap);
		if (dist(home, j, cap) >= dist(hole, j, cap)) {
			sl[hole] = sl[j];
			hole = j;
		}
	}
	sl[hole].w0 = 0;
	s->count--;
	filter_add(addr, -1);
	ms_spin_unlock(&s->lock);
	return 1;
}

/* Calls fn for each block above 2^48 (big_lock held). */
static void foreach_high(void (*fn)(const struct ms_live *, void *), void *ctx)
{
	if (!atomic_load(&big_high))
		return;
	ms_spin_lock(&big_lock);
	for (uint32_t i = 0; i < big_n; i++)
		if (big_tab[i].addr > ADDR_MASK) {
			struct ms_live e = {big_tab[i].addr, big_tab[i].size, big_tab[i].stack};
			fn(&e, ctx);
		}
	ms_spin_unlock(&big_lock);
}

void ms_livetab_foreach(void (*fn)(const struct ms_live *, void *), void *ctx)
{
	for (unsigned k = 0; k < NSHARD; k++) {
		struct shard *s = &shards[k];
		for (uint32_t i = 0; s->slots && i < s->cap; i++)
			if (s->slots[i].w0) {
				struct ms_live e = slot_live(&s->slots[i]);
				fn(&e, ctx);
			}
	}
	foreach_high(fn, ctx);
}

void ms_livetab_lock_all(void)
{
	for (unsigned k = 0; k < NSHARD; k++)
		ms_spin_lock(&shards[k].lock);
}

void ms_livetab_unlock_all(void)
{
	for (unsigned k = 0; k < NSHARD; k++)
		ms_spin_unlock(&shards[k].lock);
}

uint64_t ms_livetab_bytes(void)
{
	uint64_t sum = 0;
	for (unsigned k = 0; k < NSHARD; k++)
		sum += __atomic_load_n(&shards[k].bytes, __ATOMIC_RELAXED);
	return sum;
}

struct copy_ctx {
	struct ms_scan_block *b;
	uint64_t j, sum;
};

static void copy_one(const struct ms_live *e, void *arg)
{
	struct copy_ctx *c = arg;
	c->b[c->j].addr = e->addr;
	c->b[c->j++].size = e->size;
	c->sum += e->size;
}

int ms_livetab_copy(struct ms_scan_block **out, uint64_t *n, uint64_t *bytes)
{
	ms_livetab_lock_all();
	uint64_t cnt = atomic_load(&big_high);
	for (unsigned k = 0; k < NSHARD; k++)
		cnt += shards[k].count;
	struct ms_scan_block *b = cnt ? ms_rt_map(cnt * sizeof *b) : NULL;
	if (cnt && !b) {
		ms_livetab_unlock_all();
		return -1;
	}
	struct copy_ctx c = {b, 0, 0};
	ms_livetab_foreach(copy_one, &c);
	ms_livetab_unlock_all();
	*out = b;
	*n = c.j;
	*bytes = c.sum;
	return 0;
}
