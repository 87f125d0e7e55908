/* Retention paths: a breadth-first search from every root at once over a
 * heap's pointer graph; the first time a block is seen fixes its parent, so
 * the chain read back from the target is a shortest one. */
#include <errno.h>
#include <stdlib.h>

#include "analysis/heap.h"
#include "trace/format.h"

/* Globals explain a leak best, then thread-locals, then stack words, which
 * are often stale copies. */
static int root_rank(uint32_t kind)
{
	switch (kind) {
	case MS_ROOT_MODULE: return 0;
	case MS_ROOT_TLS: return 1;
	case MS_ROOT_STACK: return 2;
	case MS_ROOT_REGISTER: return 3;
	default: return 4;
	}
}

long ms_heap_path(const struct ms_heap *h, uint32_t target, struct ms_hop **hops)
{
	size_t nb = h->n_blocks;
	*hops = NULL;
	struct ms_hop *parent = malloc((nb ? nb : 1) * sizeof(*parent));
	uint32_t *queue = malloc((nb ? nb : 1) * sizeof(uint32_t));
	if (!parent || !queue) {
		free(parent);
		free(queue);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nb; i++)
		parent[i] = (struct ms_hop){MS_HBLOCK_NONE, MS_HBLOCK_NONE};
	size_t qh = 0, qt = 0;
	for (int rank = 0; rank <= 4; rank++)
		for (size_t r = 0; r < h->n_roots; r++) {
			uint32_t t = h->roots[r].target;
			if (root_rank(h->roots[r].kind) != rank || parent[t].root != MS_HBLOCK_NONE ||
			    parent[t].edge != MS_HBLOCK_NONE)
				continue;
			parent[t].root = (uint32_t)r;
			queue[qt++] = t;
		}
	bool found = target < nb && (parent[target].root != MS_HBLOCK_NONE);
	while (qh < qt && !found) {
		uint32_t b = queue[qh++];
		for (uint32_t e = h->out[b]; e < h->out[b + 1]; e++) {
			uint32_t t = h->edges[e].to;
			if (parent[t].root != MS_HBLOCK_NONE || parent[t].edge != MS_HBLOCK_NONE)
				continue;
			parent[t].edge = e;
			queue[qt++] = t;
			if (t == target) {
				found = true;
				break;
			}
		}
	}
	long n = 0;
	if (found) {
		for (uint32_t b = target;; b = h->edges[parent[b].edge].from) {
			n++;
			if (parent[b].root != MS_HBLOCK_NONE)
				break;
		}
		*hops = malloc((size_t)n * sizeof(**hops));
		if (!*hops) {
			n = -ENOMEM;
		} else {
			long k = n;
			for (uint32_t b = target;; b = h->edges[parent[b].edge].from) {
				(*hops)[--k] = parent[b];
				if (parent[b].root != MS_HBLOCK_NONE)
					break;
			}
		}
	}
	free(parent);
	free(queue);
	return n;
}
