/* Live blocks: address -> size, stack id, allocating thread. 256 shards,
 * each an open-addressing table (linear probing, backward-shift deletion, no
 * tombstones) behind its own spinlock, so two threads rarely meet. Address 0
 * marks an empty slot (malloc never returns it).
 *
 * The slot keeps the heap's locality: every block of one aligned 1 KiB
 * region of the heap hashes to the same shard and the same group of 32
 * slots, at a place given by its address within the region. Programs
 * allocate and free neighbouring blocks together, so a run of inserts or
 * removes mostly stays in cache lines and pages of the table already
 * touched. With one random slot per block, 1.2 M live blocks (perl) cost a
 * cache and TLB miss per insert and per remove, a quarter of the run. */
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime/arena.h"
#include "runtime/rt.h"
#include "runtime/snap.h"

#define NSHARD 256
#define INIT_CAP 256

/* A slot is 16 bytes, four to a cache line: the size takes 40 bits and the
 * stack id 24 (ids stop below 2^24, stacktab.c). A block of 1 TiB or more
 * keeps its size in big[] (the address space holds fewer than 128). */
struct slot {
	uint64_t addr;
	uint64_t meta; /* size | stack << SIZE_BITS */
};
#define SIZE_BITS 40
#define SIZE_BIG ((1ull << SIZE_BITS) - 1)

struct shard {
	ms_spin lock;
	uint32_t mask;
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

/* Sizes of 1 TiB or more; taken inside a shard's lock. */
#define NBIG 128
static struct {
	uint64_t addr, size;
} big[NBIG];
static ms_spin big_lock = MS_SPIN_INIT;

static uint64_t big_size(uint64_t addr)
{
	uint64_t size = SIZE_BIG;
	ms_spin_lock(&big_lock);
	for (unsigned i = 0; i < NBIG; i++)
		if (big[i].addr == addr) {
			size = big[i].size;
			break;
		}
	ms_spin_unlock(&big_lock);
	return size;
}

static void big_set(uint64_t addr, uint64_t size)
{
	ms_spin_lock(&big_lock);
	unsigned free_at = NBIG;
	for (unsigned i = 0; i < NBIG; i++) {
		if (big[i].addr == addr || (!big[i].addr && free_at == NBIG))
			free_at = i;
		if (big[i].addr == addr)
			break;
	}
	if (free_at < NBIG) {
		big[free_at].addr = size ? addr : 0;
		big[free_at].size = size;
	}
	ms_spin_unlock(&big_lock);
}

static inline uint64_t meta_of(uint64_t addr, uint64_t size, uint32_t stack)
{
	if (MS_UNLIKELY(size >= SIZE_BIG)) {
		big_set(addr, size);
		size = SIZE_BIG;
	}
	return size | (uint64_t)(stack & 0xffffffu) << SIZE_BITS; /* ids < 2^24: stacktab.c */
}

static inline uint64_t slot_size(const struct slot *e)
{
	uint64_t v = e->meta & SIZE_BIG;
	return MS_UNLIKELY(v == SIZE_BIG) ? big_size(e->addr) : v;
}

static inline struct ms_live slot_live(const struct slot *e)
{
	return (struct ms_live){e->addr, slot_size(e), (uint32_t)(e->meta >> SIZE_BITS)};
}

/* The slot leaves the table: its big[] entry goes with it. */
static inline void slot_drop(const struct slot *e)
{
	if (MS_UNLIKELY((e->meta & SIZE_BIG) == SIZE_BIG))
		big_set(e->addr, 0);
}

#define REGION_SHIFT 12 /* a 1 KiB region of the heap ... */
#define GROUP_BITS 7    /* ... maps to 32 slots (768 B), one per 32 B */
#define GROUP_MASK ((1u << GROUP_BITS) - 1)

static inline uint64_t region_hash(uint64_t addr) { return mix(addr >> REGION_SHIFT); }

/* The group comes from the region's hash, the place in it from the address
 * (xor-ed with the hash, so that blocks at the same offset of different
 * regions, such as page-aligned ones, do not all start at one place). */
static inline uint32_t home_of(uint64_t h, uint64_t addr, uint32_t mask)
{
	uint32_t within = (uint32_t)(addr >> (REGION_SHIFT - GROUP_BITS)) & GROUP_MASK;
	return ((uint32_t)h ^ within) & mask;
}

static inline struct shard *shard_of(uint64_t h) { return &shards[h >> 56]; }

static void put(struct slot *slots, uint32_t mask, const struct slot *e)
{
	uint32_t i = home_of(region_hash(e->addr), e->addr, mask);
	while (slots[i].addr && slots[i].addr != e->addr)
		i = (i + 1) & mask;
	slots[i] = *e;
}

/* Shard tables come from one region backed by huge pages where the kernel
 * allows it: with 1M live blocks the tables span tens of MB, and with 4 KiB
 * pages nearly every lookup also misses the TLB (a nested page walk in a
 * VM). Bump-allocated under the owning shard's lock (an atomic bump, as
 * shards grow concurrently); a table outgrown is returned to the kernel. */
#define REGION_SIZE (16ull << 30) /* address space only: MAP_NORESERVE */
static uint8_t *region;
static _Atomic uint64_t region_used;

static struct slot *table_alloc(size_t bytes)
{
	bytes = (bytes + 4095) & ~(size_t)4095;
	uint8_t *r = __atomic_load_n(&region, __ATOMIC_ACQUIRE);
	if (!r) {
		uint8_t *m = ms_rt_map(REGION_SIZE);
		if (!m)
			return ms_rt_alloc(bytes);
		madvise(m, REGION_SIZE, MADV_HUGEPAGE);
		uint8_t *expected = NULL;
		if (!__atomic_compare_exchange_n(&region, &expected, m, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			ms_rt_unmap(m, REGION_SIZE);
			m = expected;
		}
		r = m;
	}
	uint64_t off = atomic_fetch_add(&region_used, bytes);
	if (off + bytes > REGION_SIZE)
		return ms_rt_alloc(bytes);
	return (struct slot *)(void *)(r + off);
}

static void table_free(struct slot *t, size_t bytes)
{
	uint8_t *r = region;
	if (r && (uint8_t *)t >= r && (uint8_t *)t < r + REGION_SIZE)
		madvise(t, (bytes + 4095) & ~(size_t)4095, MADV_DONTNEED);
	else
		ms_rt_free(t);
}

static int grow(struct shard *s)
{
	uint32_t cap = s->slots ? (s->mask + 1) * 2 : INIT_CAP;
	struct slot *n = table_alloc((size_t)cap * sizeof *n);
	if (!n)
		return -1;
	if (s->slots) {
		for (uint32_t i = 0; i <= s->mask; i++)
			if (s->slots[i].addr)
				put(n, cap - 1, &s->slots[i]);
		table_free(s->slots, (size_t)(s->mask + 1) * sizeof *s->slots);
	}
	s->slots = n;
	s->mask = cap - 1;
	return 0;
}

void ms_livetab_insert(uint64_t addr, uint64_t size, uint32_t stack)
{
	uint64_t h = region_hash(addr);
	struct shard *s = shard_of(h);
	ms_spin_lock(&s->lock);
	if (MS_UNLIKELY(!s->slots || (s->count + 1) * 4 > (s->mask + 1) * 3) && grow(s)) {
		ms_spin_unlock(&s->lock);
		return;
	}
	uint32_t i = home_of(h, addr, s->mask);
	while (s->slots[i].addr && s->slots[i].addr != addr)
		i = (i + 1) & s->mask;
	uint64_t was = 0;
	if (!s->slots[i].addr) {
		s->count++;
		filter_add(addr, 1);
	} else { /* replaced: count the difference */
		was = slot_size(&s->slots[i]);
		slot_drop(&s->slots[i]);
	}
	__atomic_store_n(&s->bytes, s->bytes + size - was, __ATOMIC_RELAXED);
	s->slots[i] = (struct slot){addr, meta_of(addr, size, stack)};
	ms_spin_unlock(&s->lock);
}

void ms_livetab_prefetch(uint64_t addr)
{
	/* Unlocked reads: a table being replaced only makes the hint useless,
	 * and a prefetch never faults. */
	uint64_t h = region_hash(addr);
	struct shard *s = shard_of(h);
	struct slot *sl = __atomic_load_n(&s->slots, __ATOMIC_RELAXED);
	if (sl) {
		const struct slot *slot = &sl[home_of(h, addr, __atomic_load_n(&s->mask, __ATOMIC_RELAXED))];
		__asm__ volatile("prefetcht0 %0" : : "m"(*slot)); /* gcc 12 drops __builtin_prefetch here */
	}
}

int ms_livetab_remove(uint64_t addr, struct ms_live *out)
{
	uint64_t h = region_hash(addr);
	struct shard *s = shard_of(h);
	ms_spin_lock(&s->lock);
	if (MS_UNLIKELY(!s->slots)) {
		ms_spin_unlock(&s->lock);
		return 0;
	}
	uint32_t mask = s->mask, i = home_of(h, addr, mask);
	struct slot *sl = s->slots;
	while (sl[i].addr != addr) {
		if (!sl[i].addr) {
			ms_spin_unlock(&s->lock);
			return 0;
		}
		i = (i + 1) & mask;
	}
	struct ms_live e = slot_live(&sl[i]);
	slot_drop(&sl[i]);
	if (out)
		*out = e;
	__atomic_store_n(&s->bytes, s->bytes - e.size, __ATOMIC_RELAXED);
	/* backward-shift: pull later entries of the probe run into the hole */
	uint32_t hole = i;
	for (uint32_t j = (i + 1) & mask; sl[j].addr; j = (j + 1) & mask) {
		uint32_t home = home_of(region_hash(sl[j].addr), sl[j].addr, mask);
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			sl[hole] = sl[j];
			hole = j;
		}
	}
	sl[hole].addr = 0;
	s->count--;
	filter_add(addr, -1);
	ms_spin_unlock(&s->lock);
	return 1;
}

void ms_livetab_foreach(void (*fn)(const struct ms_live *, void *), void *ctx)
{
	for (unsigned k = 0; k < NSHARD; k++) {
		struct shard *s = &shards[k];
		if (!s->slots)
			continue;
		for (uint32_t i = 0; i <= s->mask; i++)
			if (s->slots[i].addr) {
				struct ms_live e = slot_live(&s->slots[i]);
				fn(&e, ctx);
			}
	}
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

int ms_livetab_copy(struct ms_scan_block **out, uint64_t *n, uint64_t *bytes)
{
	ms_livetab_lock_all();
	uint64_t cnt = 0, sum = 0;
	for (unsigned k = 0; k < NSHARD; k++)
		cnt += shards[k].count;
	struct ms_scan_block *b = cnt ? ms_rt_map(cnt * sizeof *b) : NULL;
	if (cnt && !b) {
		ms_livetab_unlock_all();
		return -1;
	}
	uint64_t j = 0;
	for (unsigned k = 0; k < NSHARD; k++) {
		struct shard *s = &shards[k];
		for (uint32_t i = 0; s->slots && i <= s->mask; i++)
			if (s->slots[i].addr) {
				uint64_t size = slot_size(&s->slots[i]);
				b[j].addr = s->slots[i].addr;
				b[j++].size = size;
				sum += size;
			}
	}
	ms_livetab_unlock_all();
	*out = b;
	*n = j;
	*bytes = sum;
	return 0;
}
