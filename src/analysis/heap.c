/* A heap at one moment and its scan graph; see heap.h. Blocks are sorted by
 * address so that scan records, which carry addresses, find their block by
 * binary search without a second table. */
#include "analysis/heap.h"

#include "analysis/array.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace/format.h"

static const char *const class_names[] = {"definitely lost", "indirectly lost", "possibly lost",
                                          "still reachable"};
static const char *const class_keys[] = {"definite", "indirect", "possible", "reachable"};

const char *ms_leak_class_name(enum ms_leak_class c) { return (unsigned)c < MS_LEAK__COUNT ? class_names[c] : "?"; }
const char *ms_leak_class_key(enum ms_leak_class c) { return (unsigned)c < MS_LEAK__COUNT ? class_keys[c] : "?"; }

static int cmp_addr(const void *a, const void *b)
{
	const struct ms_hblock *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct ms_heap *ms_heap_capture(const struct ms_live *live, uint64_t snapshot_id, uint64_t ts)
{
	struct ms_heap *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->snapshot_id = snapshot_id;
	h->ts = ts;
	h->blocks = malloc((live->len ? live->len : 1) * sizeof(*h->blocks));
	if (!h->blocks) {
		free(h);
		return NULL;
	}
	struct ms_live_block b;
	for (size_t i = 0; i < live->cap; i++) {
		if (!ms_live_at(live, i, &b))
			continue;
		h->blocks[h->n_blocks++] = (struct ms_hblock){
			.addr = b.addr, .size = b.size, .seq = b.seq, .stack = b.stack, .thread = b.thread};
		h->bytes += b.size;
	}
	qsort(h->blocks, h->n_blocks, sizeof(*h->blocks), cmp_addr);
	h->add_sorted = true;
	h->last_from = MS_HBLOCK_NONE;
	return h;
}

void ms_heap_free(struct ms_heap *h)
{
	if (!h)
		return;
	free(h->blocks);
	free(h->roots);
	free(h->edges);
	free(h->out);
	free(h->seen_any);
	free(h->seen_start);
	free(h->cls);
	free(h->idom);
	free(h->retained);
	free(h);
}

uint32_t ms_heap_find(const struct ms_heap *h, uint64_t addr)
{
	size_t lo = 0, hi = h->n_blocks;
	while (lo < hi) { /* first block starting after addr */
		size_t mid = lo + (hi - lo) / 2;
		if (h->blocks[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return MS_HBLOCK_NONE;
	const struct ms_hblock *b = &h->blocks[lo - 1];
	if (addr == b->addr || addr - b->addr < b->size)
		return (uint32_t)(lo - 1);
	return MS_HBLOCK_NONE;
}

/* The block of a scan reference addr + off: the format names block starts,
 * but the block containing the address is taken (and *off made relative to
 * its start) so a writer naming the pointed word itself reads the same. */
static uint32_t find_ref(const struct ms_heap *h, uint64_t addr, uint64_t *off)
{
	uint32_t i = ms_heap_find(h, addr);
	if (i != MS_HBLOCK_NONE)
		*off += addr - h->blocks[i].addr;
	return i;
}

int ms_heap_add_roots(struct ms_heap *h, const uint64_t *v, uint32_t n)
{
	if (ms_array_reserve((void **)&h->roots, &h->cap_roots, sizeof(*h->roots), h->n_roots + n, 256))
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++, v += 5) {
		uint64_t off = v[4];
		uint32_t t = find_ref(h, v[3], &off);
		if (t == MS_HBLOCK_NONE || v[0] < MS_ROOT_MODULE || v[0] > MS_ROOT_OTHER) {
			h->bad_refs++;
			continue;
		}
		h->roots[h->n_roots++] = (struct ms_hroot){(uint32_t)v[0], t, v[1], v[2], off};
	}
	return 0;
}

/* Whether edge (from, to, to_off) adds nothing to the kept edges of its
 * pair (see heap.h), given that every kept edge from `from` came before it
 * in (from, from_off) order; marks it seen otherwise. */
static bool redundant(struct ms_heap *h, uint32_t from, uint32_t to, uint64_t to_off)
{
	uint32_t stamp = from + 1;
	if (h->seen_any[to] != stamp) {
		h->seen_any[to] = stamp;
		if (to_off == 0)
			h->seen_start[to] = stamp;
		return false;
	}
	if (to_off != 0 || h->seen_start[to] == stamp)
		return true;
	h->seen_start[to] = stamp;
	return false;
}

static int alloc_seen(struct ms_heap *h)
{
	if (h->seen_any)
		return 0;
	h->seen_any = calloc(h->n_blocks ? h->n_blocks : 1, sizeof(uint32_t));
	h->seen_start = calloc(h->n_blocks ? h->n_blocks : 1, sizeof(uint32_t));
	return h->seen_any && h->seen_start ? 0 : -ENOMEM;
}

/* The block of a scan address, trying the block found last first: a scan
 * writes a block's edges together, and neighbouring words often point into
 * the same block. */
static uint32_t find_cached(const struct ms_heap *h, uint64_t addr, uint64_t *off, uint32_t *last)
{
	if (*last != MS_HBLOCK_NONE) {
		const struct ms_hblock *b = &h->blocks[*last];
		if (addr == b->addr || (addr > b->addr && addr - b->addr < b->size)) {
			*off += addr - b->addr;
			return *last;
		}
	}
	uint32_t i = find_ref(h, addr, off);
	if (i != MS_HBLOCK_NONE)
		*last = i;
	return i;
}

int ms_heap_add_edges(struct ms_heap *h, const uint64_t *v, uint32_t n)
{
	if (ms_array_reserve((void **)&h->edges, &h->cap_edges, sizeof(*h->edges), h->n_edges + n, 256) ||
	    alloc_seen(h))
		return -ENOMEM;
	uint32_t last_from = MS_HBLOCK_NONE, last_to = MS_HBLOCK_NONE;
	for (uint32_t i = 0; i < n; i++, v += 4) {
		uint64_t from_off = v[1], to_off = v[3];
		uint32_t from = find_cached(h, v[0], &from_off, &last_from);
		uint32_t to = find_cached(h, v[2], &to_off, &last_to);
		if (from == MS_HBLOCK_NONE || to == MS_HBLOCK_NONE) {
			h->bad_refs++;
			continue;
		}
		/* while the edges come in (from, from_off) order, which the
		 * runtime's address-order scan gives, duplicates are dropped here;
		 * otherwise ms_heap_finish drops them after its sort */
		if (h->add_sorted && h->last_from != MS_HBLOCK_NONE &&
		    (from < h->last_from || (from == h->last_from && from_off < h->last_from_off)))
			h->add_sorted = false;
		h->last_from = from;
		h->last_from_off = from_off;
		if (h->add_sorted && redundant(h, from, to, to_off))
			continue;
		h->edges[h->n_edges++] = (struct ms_hedge){from, to, from_off, to_off};
	}
	return 0;
}

void ms_heap_add_types(struct ms_heap *h, const uint64_t *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++, v += 2) {
		uint32_t b = ms_heap_find(h, v[0]);
		if (b == MS_HBLOCK_NONE || h->blocks[b].addr != v[0])
			h->bad_refs++;
		else
			h->blocks[b].first_word = v[1];
	}
}

void ms_heap_add_heur(struct ms_heap *h, const uint64_t *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++, v += 3) {
		uint32_t b = ms_heap_find(h, v[0]);
		if (b == MS_HBLOCK_NONE || h->blocks[b].addr != v[0] || v[1] == 0 || v[1] >= UINT32_MAX || !v[2] ||
		    v[2] > MS_HEUR_NEWARRAY) {
			h->bad_refs++;
			continue;
		}
		h->blocks[b].heur_off = (uint32_t)v[1];
		h->blocks[b].heur = (uint8_t)v[2];
	}
}

static int cmp_edge(const void *a, const void *b)
{
	const struct ms_hedge *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->from_off != y->from_off)
		return x->from_off < y->from_off ? -1 : 1;
	return x->to < y->to ? -1 : x->to > y->to;
}

static bool edges_sorted(const struct ms_heap *h)
{
	for (size_t i = 1; i < h->n_edges; i++)
		if (cmp_edge(&h->edges[i - 1], &h->edges[i]) > 0)
			return false;
	return true;
}

/* Drops the redundant edges of sorted edges (see heap.h); stamps start
 * afresh. */
static void dedup_sorted(struct ms_heap *h)
{
	memset(h->seen_any, 0, h->n_blocks * sizeof(uint32_t));
	memset(h->seen_start, 0, h->n_blocks * sizeof(uint32_t));
	size_t k = 0;
	for (size_t i = 0; i < h->n_edges; i++) {
		const struct ms_hedge *e = &h->edges[i];
		if (!redundant(h, e->from, e->to, e->to_off))
			h->edges[k++] = *e;
	}
	h->n_edges = k;
}

int ms_heap_finish(struct ms_heap *h)
{
	/* the runtime scans blocks in address order, so its edges usually come
	 * sorted, and deduplicated on the way in */
	if (!edges_sorted(h)) {
		qsort(h->edges, h->n_edges, sizeof(*h->edges), cmp_edge);
		if (alloc_seen(h))
			return -ENOMEM;
		dedup_sorted(h);
	}
	free(h->seen_any);
	free(h->seen_start);
	h->seen_any = h->seen_start = NULL;
	if (h->n_edges && h->n_edges < h->cap_edges) { /* give back the slack of the doublings */
		struct ms_hedge *e = realloc(h->edges, h->n_edges * sizeof(*e));
		if (e) {
			h->edges = e;
			h->cap_edges = h->n_edges;
		}
	}
	free(h->out);
	h->out = calloc(h->n_blocks + 1, sizeof(*h->out));
	if (!h->out || h->n_edges >= UINT32_MAX)
		return -ENOMEM;
	for (size_t i = 0; i < h->n_edges; i++)
		h->out[h->edges[i].from + 1]++;
	for (size_t i = 0; i < h->n_blocks; i++)
		h->out[i + 1] += h->out[i];
	h->scanned = true;
	return 0;
}
