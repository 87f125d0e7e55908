/* memcheck's leak classification over a scanned heap (the valgrind manual,
 * "Memory leak detection"; ideas only, no code).
 *  1. Mark from the roots: a block a root points to at its start is
 *     reachable, at an interior address possibly reachable. From a reachable
 *     block a start pointer makes its target reachable and an interior one
 *     possible; from a possible block any pointer makes its target possible.
 *     A possible block that turns out reachable is scanned again. An
 *     interior pointer that one of memcheck's heuristics accepts (SCAN_HEUR:
 *     a new[] cookie, a length prefix, a std::string body) counts as a
 *     start pointer, as memcheck's default --leak-check-heuristics=all does.
 *  2. Every block still unreached, in address order, heads a group: the
 *     unreached blocks it reaches through any pointer become indirectly lost
 *     members, including earlier heads, which join the later group. The heads
 *     left are definitely lost. */
#include <errno.h>
#include <stdlib.h>

#include "analysis/heap.h"

enum { UNREACHED, POSSIBLE, REACHABLE, INDIRECT };

struct work {
	uint32_t *v;
	size_t n;
};

/* Marks b as want (POSSIBLE or REACHABLE) if that raises its state; a raised
 * block goes on the stack to be scanned (again). Each block is pushed at
 * most twice, so the stack needs 2 x n_blocks slots. */
static void mark(uint8_t *st, struct work *w, uint32_t b, uint8_t want)
{
	if (st[b] == UNREACHED || (st[b] == POSSIBLE && want == REACHABLE)) {
		st[b] = want;
		w->v[w->n++] = b;
	}
}

int ms_heap_classify(struct ms_heap *h)
{
	size_t n = h->n_blocks;
	uint8_t *st = calloc(n ? n : 1, 1);
	struct work w = {malloc((2 * n + 1) * sizeof(uint32_t)), 0};
	if (!st || !w.v) {
		free(st);
		free(w.v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < h->n_roots; i++)
		mark(st, &w, h->roots[i].target,
		     ms_heap_is_start(h, h->roots[i].target, h->roots[i].off) ? REACHABLE : POSSIBLE);
	while (w.n) {
		uint32_t b = w.v[--w.n];
		bool definite = st[b] == REACHABLE;
		for (uint32_t e = h->out[b]; e < h->out[b + 1]; e++)
			mark(st, &w, h->edges[e].to,
			     definite && ms_heap_is_start(h, h->edges[e].to, h->edges[e].to_off) ? REACHABLE : POSSIBLE);
	}
	for (uint32_t head = 0; head < n; head++) {
		if (st[head] != UNREACHED)
			continue;
		w.n = 0;
		w.v[w.n++] = head;
		while (w.n) {
			uint32_t b = w.v[--w.n];
			for (uint32_t e = h->out[b]; e < h->out[b + 1]; e++) {
				uint32_t t = h->edges[e].to;
				if (st[t] == UNREACHED && t != head) {
					st[t] = INDIRECT; /* pushed once: the stack stays within n */
					w.v[w.n++] = t;
				}
			}
		}
	}
	static const uint8_t cls_of[] = {[UNREACHED] = MS_LEAK_DEFINITE, [POSSIBLE] = MS_LEAK_POSSIBLE,
	                                 [REACHABLE] = MS_LEAK_REACHABLE, [INDIRECT] = MS_LEAK_INDIRECT};
	for (size_t i = 0; i < n; i++)
		st[i] = cls_of[st[i]];
	free(w.v);
	free(h->cls);
	h->cls = st;
	return 0;
}
