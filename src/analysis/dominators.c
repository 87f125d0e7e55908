/* Dominators and retained sizes over a heap's pointer graph, with the
 * Lengauer-Tarjan algorithm (semidominators, path compression): O(E log V).
 * The simpler iterative algorithm of Cooper, Harvey and Kennedy walks the
 * dominator tree on every predecessor and took 30 s on perl's exit heap
 * (long chains, millions of edges); this takes milliseconds there.
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

#define NONE UINT32_MAX

/* Depth-first preorder from the virtual root by an explicit stack: dfn[v] is
 * v's number (NONE if unreached), vert[k] the node numbered k, parent[k] the
 * number of its tree parent. Returns the count, or 0 without memory. */
static size_t preorder(const struct ms_heap *h, const struct graph *g, uint32_t *dfn, uint32_t *vert,
                       uint32_t *parent)
{
	uint32_t *stack = malloc(g->n * sizeof(uint32_t)), *next = calloc(g->n, sizeof(uint32_t));
	if (!stack || !next) {
		free(stack);
		free(next);
		return 0;
	}
	for (size_t i = 0; i < g->n; i++)
		dfn[i] = NONE;
	size_t sp = 0, k = 0;
	uint32_t root = (uint32_t)h->n_blocks;
	dfn[root] = (uint32_t)k;
	vert[k] = root;
	parent[k++] = NONE;
	stack[sp++] = root;
	while (sp) {
		uint32_t v = stack[sp - 1];
		const uint32_t *list;
		uint32_t lo, hi;
		succ_of(h, g, v, &list, &lo, &hi);
		if (lo + next[v] < hi) {
			uint32_t t = succ_at(h, list, lo + next[v]++);
			if (dfn[t] == NONE) {
				dfn[t] = (uint32_t)k;
				vert[k] = t;
				parent[k++] = dfn[v];
				stack[sp++] = t;
			}
		} else {
			sp--;
		}
	}
	free(stack);
	free(next);
	return k;
}

struct lt {
	uint32_t *semi, *label, *ancestor, *path;
};

/* Lengauer-Tarjan's EVAL with path compression, without recursion (a list
 * of a million nodes would overflow the C stack). Works on dfs numbers. */
static uint32_t lt_eval(struct lt *t, uint32_t v)
{
	if (t->ancestor[v] == NONE)
		return v;
	size_t n = 0;
	for (uint32_t x = v; t->ancestor[t->ancestor[x]] != NONE; x = t->ancestor[x])
		t->path[n++] = x;
	while (n--) { /* nearest the forest's root first, as the recursion would */
		uint32_t x = t->path[n], a = t->ancestor[x];
		if (t->semi[t->label[a]] < t->semi[t->label[x]])
			t->label[x] = t->label[a];
		t->ancestor[x] = t->ancestor[a];
	}
	return t->label[v];
}

/* idomk[k]: dfs number of the immediate dominator of the node numbered k. */
static int lengauer_tarjan(const struct graph *g, const uint32_t *dfn, const uint32_t *vert,
                           const uint32_t *parent, size_t count, uint32_t *idomk)
{
	struct lt t = {malloc(count * sizeof(uint32_t)), malloc(count * sizeof(uint32_t)),
	               malloc(count * sizeof(uint32_t)), malloc(count * sizeof(uint32_t))};
	uint32_t *bucket = malloc(count * sizeof(uint32_t)), *bnext = malloc(count * sizeof(uint32_t));
	int rc = -ENOMEM;
	if (!t.semi || !t.label || !t.ancestor || !t.path || !bucket || !bnext)
		goto out;
	for (uint32_t k = 0; k < count; k++) {
		t.semi[k] = t.label[k] = k;
		t.ancestor[k] = bucket[k] = NONE;
		idomk[k] = 0;
	}
	for (size_t k = count - 1; k >= 1; k--) {
		uint32_t w = vert[k];
		for (uint32_t i = g->pred_off[w]; i < g->pred_off[w + 1]; i++) {
			uint32_t p = dfn[g->pred[i]];
			if (p == NONE)
				continue; /* a predecessor the root never reaches */
			uint32_t u = lt_eval(&t, p);
			if (t.semi[u] < t.semi[k])
				t.semi[k] = t.semi[u];
		}
		bnext[k] = bucket[t.semi[k]];
		bucket[t.semi[k]] = (uint32_t)k;
		uint32_t pk = parent[k];
		t.ancestor[k] = pk; /* LINK */
		for (uint32_t v = bucket[pk]; v != NONE; v = bnext[v]) {
			uint32_t u = lt_eval(&t, v);
			idomk[v] = t.semi[u] < t.semi[v] ? u : pk;
		}
		bucket[pk] = NONE;
	}
	for (size_t k = 1; k < count; k++)
		if (idomk[k] != t.semi[k])
			idomk[k] = idomk[idomk[k]];
	rc = 0;
out:
	free(t.semi);
	free(t.label);
	free(t.ancestor);
	free(t.path);
	free(bucket);
	free(bnext);
	return rc;
}

int ms_heap_dominators(struct ms_heap *h)
{
	struct graph g = {0};
	size_t nb = h->n_blocks, count = 0;
	uint32_t *dfn = malloc((nb + 1) * sizeof(uint32_t)), *vert = malloc((nb + 1) * sizeof(uint32_t));
	uint32_t *parent = malloc((nb + 1) * sizeof(uint32_t)), *idomk = malloc((nb + 1) * sizeof(uint32_t));
	uint32_t *idom = malloc((nb + 1) * sizeof(uint32_t));
	uint64_t *ret = calloc(nb + 1, sizeof(uint64_t));
	int rc = -ENOMEM;
	if (!dfn || !vert || !parent || !idomk || !idom || !ret || !h->cls || build(h, &g))
		goto out;
	count = preorder(h, &g, dfn, vert, parent);
	if (!count || lengauer_tarjan(&g, dfn, vert, parent, count, idomk))
		goto out;
	uint32_t root = (uint32_t)nb;
	for (size_t i = 0; i <= nb; i++)
		idom[i] = MS_HBLOCK_NONE;
	/* a dominator has a smaller dfs number than the nodes it dominates:
	 * sum retained sizes from the last number down */
	for (size_t k = count - 1; k >= 1; k--) {
		uint32_t v = vert[k], d = vert[idomk[k]];
		idom[v] = d == root ? MS_HBLOCK_NONE : d;
		ret[v] += h->blocks[v].size;
		ret[d] += ret[v];
	}
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
	free(dfn);
	free(vert);
	free(parent);
	free(idomk);
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
