/* Stack deduplication: ip arrays -> ids. An open-addressed table of node
 * pointers, read without a lock: lookups of known stacks (every allocation)
 * take none. Inserting a new stack takes one lock, so that a table being
 * grown misses no insert; the table doubles at half full and old tables stay
 * mapped (a reader may still be in one; together they are smaller than the
 * current one). Nodes are never freed. Ids are dense from 1 and indexed for
 * fork's re-declaration.
 *
 * The table starts small because its pages are touched at random: a fixed
 * 2 MiB one cost perl 1.6 MiB of resident memory for a few thousand stacks. */
#include <string.h>

#include "runtime/arena.h"
#include "runtime/rt.h"
#include "runtime/spin.h"

#define FIRST_BITS 12
#define MAX_IDS (1u << 24)

struct table {
	uint32_t bits;
	uint32_t used;
	struct ms_stacknode *_Atomic slot[];
};

static struct table *_Atomic cur;
static ms_spin insert_lock = MS_SPIN_INIT;
static struct ms_stacknode **by_id; /* id -> node, MAP_NORESERVE */
static _Atomic uint32_t next_id = 1;

static struct table *table_new(uint32_t bits)
{
	struct table *t = ms_rt_map(sizeof *t + ((size_t)1 << bits) * sizeof t->slot[0]);
	if (t)
		t->bits = bits;
	return t;
}

int ms_stacktab_init(void)
{
	atomic_store(&cur, table_new(FIRST_BITS));
	by_id = ms_rt_map(MAX_IDS * sizeof *by_id);
	return atomic_load(&cur) && by_id ? 0 : -1;
}

/* Fork child: a thread that held the lock is gone. The table it was changing
 * is whole: a slot or the table pointer is published by one store. */
void ms_stacktab_fork_child(void) { ms_spin_reset(&insert_lock); }

void *ms_rt_bump_alloc(struct ms_bump *b, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if ((size_t)(b->end - b->p) < size) {
		size_t len = size > (60u << 10) ? size : (60u << 10);
		uint8_t *m = ms_rt_alloc(len);
		if (!m)
			return NULL;
		b->p = m;
		b->end = m + len;
	}
	void *r = b->p;
	b->p += size;
	return r;
}

/* Four independent lanes: a stack of 20 frames is 5 rounds of latency
 * instead of 20 (this runs on every allocation). */
static uint64_t hash_ips(const uintptr_t *ips, uint32_t n)
{
	uint64_t a = 0x9E3779B97F4A7C15ull ^ n, b = 0xC2B2AE3D27D4EB4Full, c = 0x165667B19E3779F9ull,
	         d = 0x27D4EB2F165667C5ull;
	uint32_t i = 0;
	for (; i + 4 <= n; i += 4) {
		a = (a ^ ips[i]) * 0xff51afd7ed558ccdull;
		b = (b ^ ips[i + 1]) * 0xc4ceb9fe1a85ec53ull;
		c = (c ^ ips[i + 2]) * 0xff51afd7ed558ccdull;
		d = (d ^ ips[i + 3]) * 0xc4ceb9fe1a85ec53ull;
		a ^= a >> 29;
		b ^= b >> 31;
		c ^= c >> 27;
		d ^= d >> 33;
	}
	for (; i < n; i++) {
		a = (a ^ ips[i]) * 0xff51afd7ed558ccdull;
		a ^= a >> 32;
	}
	uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull)) + (c ^ (d * 0xC2B2AE3D27D4EB4Full));
	h = (h ^ (h >> 32)) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 29);
}

static int same_stack(const struct ms_stacknode *n, uint64_t h, const uintptr_t *ips, uint32_t cnt)
{
	return n->hash == h && n->n == cnt && !memcmp(n->ips, ips, cnt * sizeof *ips);
}

/* The slot holding the stack (*found set), or the empty slot where it would
 * go. There always is one: the table doubles at half full, and an insert
 * that would fill the last slot is refused. */
static struct ms_stacknode *_Atomic *probe(struct table *t, uint64_t h, const uintptr_t *ips, uint32_t cnt,
                                           struct ms_stacknode **found)
{
	uint32_t mask = (1u << t->bits) - 1, i = (uint32_t)(h >> (64 - t->bits));
	for (;; i = (i + 1) & mask) {
		struct ms_stacknode *n = atomic_load_explicit(&t->slot[i], memory_order_acquire);
		if (!n || same_stack(n, h, ips, cnt)) {
			*found = n;
			return &t->slot[i];
		}
	}
}

/* Doubles t (insert_lock held). On failure the old table stays: it fills
 * further, and lookups get longer, but every stack stays findable. */
static void grow(struct table *t)
{
	struct table *n = table_new(t->bits + 1);
	if (!n)
		return;
	uint32_t mask = (1u << n->bits) - 1;
	for (uint32_t i = 0; i < (1u << t->bits); i++) {
		struct ms_stacknode *s = atomic_load_explicit(&t->slot[i], memory_order_relaxed);
		if (!s)
			continue;
		uint32_t j = (uint32_t)(s->hash >> (64 - n->bits));
		while (atomic_load_explicit(&n->slot[j], memory_order_relaxed))
			j = (j + 1) & mask;
		atomic_store_explicit(&n->slot[j], s, memory_order_relaxed);
	}
	n->used = t->used;
	atomic_store_explicit(&cur, n, memory_order_release);
}

static struct ms_stacknode *claim_node(struct ms_stacknode *n)
{
	uint32_t g = atomic_load_explicit(&n->gen, memory_order_relaxed);
	if (MS_LIKELY(g == ms_rt_gen))
		return NULL;
	return atomic_compare_exchange_strong(&n->gen, &g, ms_rt_gen) ? n : NULL;
}

uint32_t ms_stacktab_lookup(const uintptr_t *ips, uint32_t cnt, struct ms_stacknode **claim, struct ms_bump *bump)
{
	uint64_t h = hash_ips(ips, cnt);
	struct ms_stacknode *n;
	probe(atomic_load_explicit(&cur, memory_order_acquire), h, ips, cnt, &n);
	if (MS_LIKELY(n != NULL)) {
		*claim = claim_node(n);
		return n->id;
	}
	n = ms_rt_bump_alloc(bump, sizeof *n + cnt * sizeof *ips);
	if (!n) {
		*claim = NULL;
		return MS_STACK_UNKNOWN;
	}
	n->hash = h;
	n->n = cnt;
	memcpy(n->ips, ips, cnt * sizeof *ips);
	atomic_store_explicit(&n->gen, ms_rt_gen, memory_order_relaxed);

	ms_spin_lock(&insert_lock);
	struct table *t = atomic_load_explicit(&cur, memory_order_relaxed);
	struct ms_stacknode *dup;
	struct ms_stacknode *_Atomic *s = probe(t, h, ips, cnt, &dup);
	if (dup) { /* another thread inserted it meanwhile; our node is dropped */
		ms_spin_unlock(&insert_lock);
		*claim = claim_node(dup);
		return dup->id;
	}
	uint32_t id = atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed);
	/* ids exhausted, or a table that could not grow is full: the stack is
	 * recorded as unknown */
	if (id >= MAX_IDS || t->used + 1 >= (1u << t->bits)) {
		ms_spin_unlock(&insert_lock);
		*claim = NULL;
		return MS_STACK_UNKNOWN;
	}
	n->id = id;
	by_id[id] = n;
	atomic_store_explicit(s, n, memory_order_release);
	if (++t->used > (1u << t->bits) / 2)
		grow(t);
	ms_spin_unlock(&insert_lock);
	*claim = n;
	return id;
}

struct ms_stacknode *ms_stacktab_get(uint32_t id) { return id && id < MAX_IDS ? by_id[id] : NULL; }

struct ms_stacknode *ms_stacktab_claim(uint32_t id)
{
	struct ms_stacknode *n = ms_stacktab_get(id);
	return n ? claim_node(n) : NULL;
}
