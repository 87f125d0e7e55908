/* Stack deduplication: ip arrays -> ids. A fixed array of lock-free chains;
 * nodes are published with a CAS and never freed, so lookups of known
 * stacks take no lock. Ids are dense from 1 and indexed for fork's
 * re-declaration. */
#include <string.h>

#include "runtime/arena.h"
#include "runtime/rt.h"

#define NBUCKET_SHIFT 18
#define NBUCKET (1u << NBUCKET_SHIFT)
#define MAX_IDS (1u << 24)

static struct ms_stacknode *_Atomic *buckets;
static struct ms_stacknode **by_id; /* id -> node, MAP_NORESERVE */
static _Atomic uint32_t next_id = 1;

int ms_stacktab_init(void)
{
	buckets = ms_rt_map(NBUCKET * sizeof *buckets);
	by_id = ms_rt_map(MAX_IDS * sizeof *by_id);
	return buckets && by_id ? 0 : -1;
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

static struct ms_stacknode *find(struct ms_stacknode *n, struct ms_stacknode *stop, uint64_t h,
                                 const uintptr_t *ips, uint32_t cnt)
{
	for (; n && n != stop; n = atomic_load_explicit(&n->next, memory_order_acquire))
		if (n->hash == h && n->n == cnt && !memcmp(n->ips, ips, cnt * sizeof *ips))
			return n;
	return NULL;
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
	struct ms_stacknode *_Atomic *b = &buckets[h >> (64 - NBUCKET_SHIFT)];
	struct ms_stacknode *head = atomic_load_explicit(b, memory_order_acquire);
	struct ms_stacknode *n = find(head, NULL, h, ips, cnt);
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
	uint32_t id = atomic_fetch_add(&next_id, 1);
	if (id >= MAX_IDS) { /* table of ids full: still usable, not re-declarable */
		*claim = NULL;
		return MS_STACK_UNKNOWN;
	}
	n->id = id;
	atomic_store_explicit(&n->gen, ms_rt_gen, memory_order_relaxed);
	by_id[id] = n;
	for (;;) {
		atomic_store_explicit(&n->next, head, memory_order_relaxed);
		struct ms_stacknode *seen = head;
		if (atomic_compare_exchange_weak_explicit(b, &seen, n, memory_order_release, memory_order_acquire))
			break;
		/* Someone inserted meanwhile: it may be the same stack. Our id is
		 * then burned (never referenced, never defined). */
		struct ms_stacknode *dup = find(seen, head, h, ips, cnt);
		if (dup) {
			by_id[id] = NULL;
			*claim = claim_node(dup);
			return dup->id;
		}
		head = seen;
	}
	*claim = n;
	return id;
}

struct ms_stacknode *ms_stacktab_get(uint32_t id) { return id && id < MAX_IDS ? by_id[id] : NULL; }

struct ms_stacknode *ms_stacktab_claim(uint32_t id)
{
	struct ms_stacknode *n = ms_stacktab_get(id);
	return n ? claim_node(n) : NULL;
}
