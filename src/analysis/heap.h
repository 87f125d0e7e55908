/* One heap at one moment: the live blocks of a snapshot (sorted by address)
 * and, when the runtime scanned it, the pointer graph between them (roots
 * and edges) and the first words that may be vtable pointers. A replay fills
 * it (replay.c: capture at SNAPSHOT, then the SCAN_* records); the analyses
 * below read it. Block indexes are positions in blocks[]; every edge and root
 * refers to a block of this heap (references to unknown addresses are
 * counted in bad_refs and dropped).
 *
 * Steps (the replay does 1-3):
 *  1. h = ms_heap_capture(&m->live, snapshot_id);
 *  2. ms_heap_add_roots/_edges/_types() per SCAN_* record of that snapshot;
 *  3. ms_heap_finish(h) at SCAN_END (builds the adjacency; scanned = true);
 *  4. ms_heap_classify(h), ms_heap_dominators(h), ms_heap_path(h, ...);
 *  5. ms_heap_free(h). */
#ifndef MS_ANALYSIS_HEAP_H
#define MS_ANALYSIS_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/live.h"

/* memcheck's four kinds, in its order of severity */
enum ms_leak_class {
	MS_LEAK_DEFINITE = 0, /* unreachable, the head of its unreachable group */
	MS_LEAK_INDIRECT = 1, /* unreachable, pointed to from another lost block */
	MS_LEAK_POSSIBLE = 2, /* reachable only through an interior pointer somewhere */
	MS_LEAK_REACHABLE = 3,
	MS_LEAK__COUNT = 4,
};

/* "definitely lost", "indirectly lost", "possibly lost", "still reachable" */
const char *ms_leak_class_name(enum ms_leak_class c);
/* "definite", "indirect", "possible", "reachable" */
const char *ms_leak_class_key(enum ms_leak_class c);

struct ms_hblock {
	uint64_t addr, size, seq;
	uint32_t stack;  /* index into the model's stacks */
	uint32_t thread;
	uint64_t first_word; /* SCAN_TYPES: a vtable candidate, 0 = none */
	uint32_t heur_off;   /* SCAN_HEUR: pointers at this offset count as start ones, 0 = none */
	uint8_t heur;        /* enum ms_heur that said so, 0 = none */
};

struct ms_hroot {
	uint32_t kind;   /* enum ms_root_kind */
	uint32_t target; /* block index */
	uint64_t ref, where, off;
};

struct ms_hedge {
	uint32_t from, to;        /* block indexes */
	uint64_t from_off, to_off;
};

struct ms_heap {
	uint64_t snapshot_id; /* 0: not a snapshot (start, peak, end) */
	uint64_t ts;
	struct ms_hblock *blocks;
	size_t n_blocks;
	uint64_t bytes;

	struct ms_hroot *roots;
	size_t n_roots, cap_roots;
	/* sorted by (from, from_off) after finish. Only the edges that can
	 * change an analysis are kept: per (from, to) pair, the first by
	 * from_off, and the first start pointer (to_off 0) when the first is
	 * interior. A later duplicate changes neither a class, a dominator nor
	 * a shortest path (it reaches a block already reached from the same
	 * block), and perl's exit heap has 2.7 M edges over 17 k blocks. */
	struct ms_hedge *edges;
	size_t n_edges, cap_edges;
	/* while adding: the pairs seen from the current block (stamps of
	 * from + 1 per target block), valid while the edges arrive sorted */
	uint32_t *seen_any, *seen_start;
	bool add_sorted;
	uint32_t last_from;
	uint64_t last_from_off;
	uint32_t *out;          /* n_blocks + 1 offsets into edges (CSR), after finish */
	uint64_t bad_refs;      /* scan entries naming an address that is not a live block */
	bool scanned;           /* SCAN_END seen */

	/* results, filled by the analyses (NULL until then) */
	uint8_t *cls;           /* enum ms_leak_class per block */
	uint32_t *idom;         /* immediate dominator per block, MS_HBLOCK_NONE for the virtual root */
	uint64_t *retained;     /* bytes dominated by each block, itself included */
};

#define MS_HBLOCK_NONE UINT32_MAX

/* A copy of the live table as a heap (no graph). NULL when out of memory. */
struct ms_heap *ms_heap_capture(const struct ms_live *live, uint64_t snapshot_id, uint64_t ts);
void ms_heap_free(struct ms_heap *h);

/* Index of the block containing addr (start <= addr < start + size, or
 * addr == start for a 0-byte block), or MS_HBLOCK_NONE. */
uint32_t ms_heap_find(const struct ms_heap *h, uint64_t addr);

/* Adds n entries of a SCAN_* record (v as decoded by read.h). 0 or -ENOMEM. */
int ms_heap_add_roots(struct ms_heap *h, const uint64_t *v, uint32_t n);
int ms_heap_add_edges(struct ms_heap *h, const uint64_t *v, uint32_t n);
void ms_heap_add_types(struct ms_heap *h, const uint64_t *v, uint32_t n);
/* SCAN_HEUR entries (addr, off, kind): memcheck's heuristics per block. */
void ms_heap_add_heur(struct ms_heap *h, const uint64_t *v, uint32_t n);
/* Whether a pointer to block b at offset off counts as a start pointer. */
static inline bool ms_heap_is_start(const struct ms_heap *h, uint32_t b, uint64_t off)
{
	return off == 0 || (h->blocks[b].heur && off == h->blocks[b].heur_off);
}
/* The scan is complete: sorts the edges and builds the adjacency. 0 or -ENOMEM. */
int ms_heap_finish(struct ms_heap *h);

/* memcheck's classification into h->cls (leak.c). 0 or -ENOMEM. */
int ms_heap_classify(struct ms_heap *h);
/* Dominator tree and retained sizes into h->idom and h->retained (dominators.c),
 * over a virtual root that points to every root's block and to every
 * definitely lost block (so a lost group's head retains the group). Needs
 * ms_heap_classify first. 0 or -ENOMEM. */
int ms_heap_dominators(struct ms_heap *h);

/* Bytes each stack keeps alive, into out[n_stacks]: the retained bytes of its
 * blocks, counting a block only when no block above it in the dominator tree
 * comes from the same stack (a list's nodes are not counted once per node).
 * Needs ms_heap_dominators first. 0 or -ENOMEM. */
int ms_heap_retained_by_stack(const struct ms_heap *h, size_t n_stacks, uint64_t *out);

/* One hop of a retention path: either a root (root != MS_HBLOCK_NONE, an index
 * into roots) or an edge from a block (edge != MS_HBLOCK_NONE). */
struct ms_hop {
	uint32_t root, edge;
};

/* The shortest chain of pointers from a root to block target (paths.c), as
 * hops from the root on: hops[0] is a root, each next one an edge. Roots are
 * tried globals first, then TLS, stacks, registers, so that among the
 * shortest chains one from a global wins. Returns the number of hops (0 when
 * no root reaches target) into *hops (malloc'd, caller frees), or -ENOMEM. */
long ms_heap_path(const struct ms_heap *h, uint32_t target, struct ms_hop **hops);

#endif
