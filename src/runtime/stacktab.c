/* Stack deduplication: ip arrays -> ids. An open-addressed table of node
 * pointers, read without a lock: lookups of known stacks (every allocation)
 * take none. Inserting a new stack takes one lock, so that a table being
 * grown misses no insert; the table doubles at half full and old tables stay
 * mapped (a reader may still be in one; together they are smaller than the
 * current one). Nodes are never freed. Ids are dense from 1 and indexed for
 * fork's re-declaration.
 *
 * The table starts small because its pages are touched at random: a fixed
 * 2 MiB one cost perl 1.6 MiB of resident memory for a few thousand stacks.
 *
 * Stack paths: the same stacks as a prefix tree rooted at the outermost
 * frame, each node the stack from its ip outward. A thread's next stack
 * mostly shares the outer frames of its last one, whose node the walk kept
 * (cfi.c): the new stack is then a lookup per new inner frame in a second
 * table of the same kind, keyed by (parent, ip), where hashing and comparing
 * the whole stack cost a step per frame. A node learns its stack's id on
 * first use. */
#include <stddef.h>
#include <string.h>

#include "runtime/arena.h"
#include "runtime/rt.h"
#include "runtime/spin.h"

#define FIRST_BITS 12
#define MAX_IDS (1u << 24)

/* A slot holds a node's address, whose first member is its 64-bit hash,
 * and in the top 16 bits a tag from that hash: a probe passes other nodes
 * without reading them (each read a cache miss once the table outgrows
 * the caches). */
struct table {
	uint32_t bits;
	uint32_t used;
	_Atomic uint64_t slot[];
};
#define ADDR_BITS 48
#define TAG_MASK (~0ull << ADDR_BITS)
static inline uint64_t tag_of(uint64_t h) { return h << ADDR_BITS; }
static inline void *node_of(uint64_t slot) { return (void *)(uintptr_t)(slot & ~TAG_MASK); }

static struct table *_Atomic cur;
static ms_spin insert_lock = MS_SPIN_INIT;
static struct ms_stacknode **by_id; /* id -> node, MAP_NORESERVE */
static _Atomic uint32_t next_id = 1;

static struct table *_Atomic paths;
static ms_spin path_lock = MS_SPIN_INIT;
static struct ms_bump path_bump; /* under path_lock */

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
	atomic_store(&paths, table_new(FIRST_BITS));
	by_id = ms_rt_map(MAX_IDS * sizeof *by_id);
	return atomic_load(&cur) && atomic_load(&paths) && by_id ? 0 : -1;
}

/* Fork child: a thread that held a lock is gone. The table it was changing
 * is whole: a slot or the table pointer is published by one store. */
void ms_stacktab_fork_child(void)
{
	ms_spin_reset(&insert_lock);
	ms_spin_reset(&path_lock);
}

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

struct ips_key {
	const uintptr_t *ips;
	uint32_t n;
};

static int same_stack(const void *node, uint64_t h, const void *key)
{
	const struct ms_stacknode *n = node;
	const struct ips_key *k = key;
	return n->hash == h && n->n == k->n && !memcmp(n->ips, k->ips, k->n * sizeof *k->ips);
}

/* The slot holding the node same() finds equal to key (*found set), or the
 * empty slot where it would go. There always is one: a table doubles at
 * half full, and an insert that would fill the last slot is refused. */
static inline _Atomic uint64_t *probe(struct table *t, uint64_t h, int (*same)(const void *, uint64_t, const void *),
                                      const void *key, void **found)
{
	uint32_t mask = (1u << t->bits) - 1, i = (uint32_t)(h >> (64 - t->bits));
	uint64_t tag = tag_of(h);
	for (;; i = (i + 1) & mask) {
		uint64_t v = atomic_load_explicit(&t->slot[i], memory_order_acquire);
		if (!v || ((v & TAG_MASK) == tag && same(node_of(v), h, key))) {
			*found = node_of(v);
			return &t->slot[i];
		}
	}
}

static inline uint64_t hash_of(const void *node) { return *(const uint64_t *)node; }
_Static_assert(offsetof(struct ms_stacknode, hash) == 0 && offsetof(struct ms_stackpath, hash) == 0,
               "a table's nodes start with their hash");

/* Doubles *tp's table t (its insert lock held). On failure the old table
 * stays: it fills further, and lookups get longer, but every node stays
 * findable. */
static void grow(struct table *_Atomic *tp, struct table *t)
{
	struct table *n = table_new(t->bits + 1);
	if (!n)
		return;
	uint32_t mask = (1u << n->bits) - 1;
	for (uint32_t i = 0; i < (1u << t->bits); i++) {
		uint64_t s = atomic_load_explicit(&t->slot[i], memory_order_relaxed);
		if (!s)
			continue;
		uint32_t j = (uint32_t)(hash_of(node_of(s)) >> (64 - n->bits));
		while (atomic_load_explicit(&n->slot[j], memory_order_relaxed))
			j = (j + 1) & mask;
		atomic_store_explicit(&n->slot[j], s, memory_order_relaxed);
	}
	n->used = t->used;
	atomic_store_explicit(tp, n, memory_order_release);
}

/* Whether t can take node (its address leaves room for the tag, as user
 * space addresses do); if so, counts it (lock held). */
static int table_take(struct table *t, const void *node)
{
	return !((uintptr_t)node >> ADDR_BITS) && t->used + 1 < (1u << t->bits) && (t->used++, 1);
}

/* Publishes node in slot s of *tp's table t, and grows t at half full. */
static void table_publish(struct table *_Atomic *tp, struct table *t, _Atomic uint64_t *s, void *node)
{
	atomic_store_explicit(s, (uint64_t)(uintptr_t)node | tag_of(hash_of(node)), memory_order_release);
	if (t->used > (1u << t->bits) / 2)
		grow(tp, t);
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
	struct ips_key key = {ips, cnt};
	void *found;
	probe(atomic_load_explicit(&cur, memory_order_acquire), h, same_stack, &key, &found);
	if (MS_LIKELY(found != NULL)) {
		struct ms_stacknode *n = found;
		*claim = claim_node(n);
		return n->id;
	}
	struct ms_stacknode *n = ms_rt_bump_alloc(bump, sizeof *n + cnt * sizeof *ips);
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
	_Atomic uint64_t *s = probe(t, h, same_stack, &key, &found);
	if (found) { /* another thread inserted it meanwhile; our node is dropped */
		ms_spin_unlock(&insert_lock);
		*claim = claim_node(found);
		return ((struct ms_stacknode *)found)->id;
	}
	uint32_t id = atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed);
	/* ids exhausted, or a table that could not grow is full: the stack is
	 * recorded as unknown */
	if (id >= MAX_IDS || !table_take(t, n)) {
		ms_spin_unlock(&insert_lock);
		*claim = NULL;
		return MS_STACK_UNKNOWN;
	}
	n->id = id;
	by_id[id] = n;
	table_publish(&cur, t, s, n);
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

/* ---- stack paths ---- */

static uint64_t hash_edge(const struct ms_stackpath *parent, uintptr_t ip)
{
	uint64_t h = ((uint64_t)(uintptr_t)parent ^ 0xC2B2AE3D27D4EB4Full) * 0x9E3779B97F4A7C15ull;
	h = (h ^ (h >> 31) ^ ip) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 29);
}

struct edge_key {
	const struct ms_stackpath *parent;
	uintptr_t ip;
};

static int same_edge(const void *node, uint64_t h, const void *key)
{
	const struct ms_stackpath *p = node;
	const struct edge_key *k = key;
	return p->hash == h && p->ip == k->ip && p->parent == k->parent;
}

static __attribute__((noinline, cold)) struct ms_stackpath *path_insert(struct ms_stackpath *parent, uintptr_t ip,
                                                                       uint64_t h)
{
	struct edge_key key = {parent, ip};
	void *found;
	ms_spin_lock(&path_lock);
	struct table *t = atomic_load_explicit(&paths, memory_order_relaxed);
	_Atomic uint64_t *s = probe(t, h, same_edge, &key, &found);
	if (!found) {
		struct ms_stackpath *p = ms_rt_bump_alloc(&path_bump, sizeof *p);
		if (p && table_take(t, p)) {
			*p = (struct ms_stackpath){h, ip, parent, parent ? parent->len + 1 : 1, 0, NULL};
			table_publish(&paths, t, s, p);
			found = p;
		}
	}
	ms_spin_unlock(&path_lock);
	return found;
}

struct ms_stackpath *ms_stackpath_child(struct ms_stackpath *parent, uintptr_t ip)
{
	uint64_t h = hash_edge(parent, ip);
	struct edge_key key = {parent, ip};
	void *found;
	probe(atomic_load_explicit(&paths, memory_order_acquire), h, same_edge, &key, &found);
	return MS_LIKELY(found != NULL) ? found : path_insert(parent, ip, h);
}

uint32_t ms_stackpath_id(struct ms_stackpath *p, struct ms_stacknode **claim)
{
	struct ms_stacknode *n = atomic_load_explicit(&p->stack, memory_order_acquire);
	if (MS_UNLIKELY(!n))
		return MS_STACK_UNKNOWN;
	*claim = claim_node(n);
	return n->id;
}

void ms_stackpath_set_id(struct ms_stackpath *p, uint32_t id)
{
	struct ms_stacknode *n = ms_stacktab_get(id);
	if (n)
		atomic_store_explicit(&p->stack, n, memory_order_release);
}

uint32_t ms_stackpath_ips(const struct ms_stackpath *p, uintptr_t *ips, uint32_t cap)
{
	uint32_t n = 0;
	for (; p && n < cap; p = p->parent)
		ips[n++] = p->ip;
	return n;
}
