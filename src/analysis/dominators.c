/* Dominators and retained sizes over a heap's pointer graph, with the
 * iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast
 * Dominance Algorithm"): nodes in reverse postorder, each node's dominator
 * the common ancestor of its processed predecessors, until nothing changes.
 * Node n_blocks is the virtual root; it points to every root's block and to
 * every definitely lost block, so every block has a dominator. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/heap.h"

struct graph {
	size_t n;          /* blocks + the virtual root */
	uint32_t *vsucc;   /* successors of the virtual root */
	size_t n_vsucc;
	uint32_t *pred_off, *pred; /* reverse adjacency (CSR) */
};

static void succ_of(const struct ms_heap *h, const struct graph *g, uint32_t v, const uint32_t **list,
                    uint32_t *lo, uint32_t *hi)
{
	if (v == h->n_blocks) {
		*list = g->vsucc;
		*lo = 0;
		*hi = (uint32_t)g->n_vsucc;
	} else {
		*list = NULL;
		*lo = h->out[v];
		*hi = h->out[v + 1];
	}
}

static uint32_t succ_at(const struct ms_heap *h, const uint32_t *list, uint32_t i)
{
	return list ? list[i] : h->edges[i].to;
}

static int build(const struct ms_heap *h, struct graph *g)
{
	size_t nb = h->n_blocks;
	g->n = nb + 1;
	g->vsucc = malloc((h->n_roots + nb + 1) * sizeof(uint32_t));
	g->pred_off = calloc(g->n + 1, sizeof(uint32_t));
	g->pred = malloc((h->n_edges + h->n_roots + nb + 1) * sizeof(uint32_t));
	if (!g->vsucc || !g->pred_off || !g->pred)
		return -ENOMEM;
	for (size_t i = 0; i < h->n_roots; i++)
		g->vsucc[g->n_vsucc++] = h->roots[i].target;
	for (uint32_t b = 0; b < nb; b++)
		if (h->cls[b] == MS_LEAK_DEFINITE)
			g->vsucc[g->n_vsucc++] = b;
	for (size_t i = 0; i < g->n_vsucc; i++)
		g->pred_off[g->vsucc[i] + 1]++;
	for (size_t e = 0; e < h->n_edges; e++)
		g->pred_off[h->edges[e].to + 1]++;
	for (size_t i = 0; i < g->n; i++)
		g->pred_off[i + 1] += g->pred_off[i];
	uint32_t *fill = malloc(g->n * sizeof(uint32_t));
	if (!fill)
		return -ENOMEM;
	memcpy(fill, g->pred_off, g->n * sizeof(uint32_t));
	for (size_t i = 0; i < g->n_vsucc; i++)
		g->pred[fill[g->vsucc[i]]++] = (uint32_t)nb;
	for (size_t e = 0; e < h->n_edges; e++)
		g->pred[fill[h->edges[e].to]++] = h->edges[e].from;
	free(fill);
	return 0;
}

/* Postorder numbers (po) from the virtual root by an explicit-stack DFS;
 * order[k] is the node numbered k. Unvisited nodes keep UINT32_MAX. */
static int postorder(const struct ms_heap *h, const struct graph *g, uint32_t *po, uint32_t *order, size_t *count)
{
	uint32_t *stack = malloc(g->n * sizeof(uint32_t)), *next = calloc(g->n, sizeof(uint32_t));
	if (!stack || !next) {
		free(stack);
		free(next);
		return -ENOMEM;
	}
	for (size_t i = 0; i < g->n; i++)
		po[i] = UINT32_MAX;
	uint8_t *seen = (uint8_t *)calloc(g->n, 1);
	if (!seen) {
		free(stack);
		free(next);
		return -ENOMEM;
	}
	size_t sp = 0, k = 0;
	uint32_t root = (uint32_t)h->n_blocks;
	stack[sp++] = root;
	seen[root] = 1;
	while (sp) {
		uint32_t v = stack[sp - 1];
		const uint32_t *list;
		uint32_t lo, hi;
		succ_of(h, g, v, &list, &lo, &hi);
		if (lo + next[v] < hi) {
			uint32_t t = succ_at(h, list, lo + next[v]++);
			if (!seen[t]) {
				seen[t] = 1;
				stack[sp++] = t;
			}
		} else {
			po[v] = (uint32_t)k;
			order[k++] = v;
			sp--;
		}
	}
	*count = k;
	free(seen);
	free(stack);
	free(next);
	return 0;
}

int ms_heap_dominators(struct ms_heap *h)
{
	struct graph g = {0};
	size_t nb = h->n_blocks, count = 0;
	uint32_t *po = malloc((nb + 1) * sizeof(uint32_t)), *order = malloc((nb + 1) * sizeof(uint32_t));
	uint32_t *idom = malloc((nb + 1) * sizeof(uint32_t));
	uint64_t *ret = calloc(nb + 1, sizeof(uint64_t));
	int rc = -ENOMEM;
	if (!po || !order || !idom || !ret || !h->cls || build(h, &g) || postorder(h, &g, po, order, &count))
		goto out;
	uint32_t root = (uint32_t)nb;
	for (size_t i = 0; i <= nb; i++)
		idom[i] = MS_HBLOCK_NONE;
	idom[root] = root;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t k = count - 1; k-- > 0;) { /* reverse postorder, the root (last) skipped */
			uint32_t v = order[k], nd = MS_HBLOCK_NONE;
			for (uint32_t i = g.pred_off[v]; i < g.pred_off[v + 1]; i++) {
				uint32_t p = g.pred[i];
				if (idom[p] == MS_HBLOCK_NONE)
					continue;
				if (nd == MS_HBLOCK_NONE) {
					nd = p;
					continue;
				}
				uint32_t a = p, b = nd;
				while (a != b) {
					while (po[a] < po[b])
						a = idom[a];
					while (po[b] < po[a])
						b = idom[b];
				}
				nd = a;
			}
			if (nd != idom[v]) {
				idom[v] = nd;
				changed = true;
			}
		}
	}
	/* a dominator finishes after the nodes it dominates: sum in postorder */
	for (size_t k = 0; k < count; k++) {
		uint32_t v = order[k];
		if (v == root)
			continue;
		ret[v] += h->blocks[v].size;
		ret[idom[v]] += ret[v];
	}
	for (size_t i = 0; i < nb; i++)
		if (idom[i] == root)
			idom[i] = MS_HBLOCK_NONE;
	free(h->idom);
	free(h->retained);
	h->idom = idom;
	h->retained = ret;
	idom = NULL;
	ret = NULL;
	rc = 0;
out:
	free(g.vsucc);
	free(g.pred_off);
	free(g.pred);
	free(po);
	free(order);
	free(idom);
	free(ret);
	return rc;
}

int ms_heap_retained_by_stack(const struct ms_heap *h, size_t n_stacks, uint64_t *out)
{
	/* A stack's blocks may dominate each other (a list's nodes): count a
	 * block's retained bytes only when no dominator above it comes from the
	 * same stack, walking the dominator tree with a count per stack. */
	size_t nb = h->n_blocks;
	uint32_t *child_off = calloc(nb + 2, sizeof(uint32_t)), *child = malloc((nb + 1) * sizeof(uint32_t));
	uint32_t *active = calloc(n_stacks ? n_stacks : 1, sizeof(uint32_t));
	uint32_t *stack = malloc((nb + 1) * sizeof(uint32_t)), *next = calloc(nb + 1, sizeof(uint32_t));
	int rc = -ENOMEM;
	if (!child_off || !child || !active || !stack || !next || !h->idom)
		goto out;
	memset(out, 0, n_stacks * sizeof(*out));
	/* children lists, the virtual root being node nb */
	for (size_t i = 0; i < nb; i++)
		child_off[(h->idom[i] == MS_HBLOCK_NONE ? nb : h->idom[i]) + 1]++;
	for (size_t i = 0; i <= nb; i++)
		child_off[i + 1] += child_off[i];
	uint32_t *fill = malloc((nb + 1) * sizeof(uint32_t));
	if (!fill)
		goto out;
	memcpy(fill, child_off, (nb + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < nb; i++)
		child[fill[h->idom[i] == MS_HBLOCK_NONE ? nb : h->idom[i]]++] = (uint32_t)i;
	free(fill);
	size_t sp = 0;
	stack[sp++] = (uint32_t)nb;
	while (sp) {
		uint32_t v = stack[sp - 1];
		if (child_off[v] + next[v] < child_off[v + 1]) {
			uint32_t c = child[child_off[v] + next[v]++];
			uint32_t s = h->blocks[c].stack;
			if (s < n_stacks && active[s]++ == 0)
				out[s] += h->retained[c];
			stack[sp++] = c;
		} else {
			sp--;
			if (v != nb && h->blocks[v].stack < n_stacks)
				active[h->blocks[v].stack]--;
		}
	}
	rc = 0;
out:
	free(child_off);
	free(child);
	free(active);
	free(stack);
	free(next);
	return rc;
}
