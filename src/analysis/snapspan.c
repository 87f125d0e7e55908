/* Snapshot spans (snapspan.h). A second replay hands over the live set at
 * each chosen snapshot; blocks are told apart by their allocation ordinal
 * (seq), as ms_diff_compute does within one run. Between snapshots only the
 * blocks live at the previous one are kept (sorted by seq), each with the
 * first chosen snapshot it was live at; a block that is gone becomes a cell.
 * Cells are compacted (sorted and summed) whenever their buffer doubles, so
 * memory is the live blocks plus the distinct cells. */
#include "analysis/snapspan.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/array.h"
#include "trace/read.h"

#define NO_SLOT UINT32_MAX
#define FIRST_COMPACT (1u << 20)

struct tracked {
	uint64_t seq, size;
	uint32_t stack, b;
};

struct watch {
	uint32_t *slot_of;   /* snapshot file index -> chosen slot, or NO_SLOT */
	size_t n_known;      /* snapshots of the first replay */
	size_t seen;         /* snapshots seen by this one */
	size_t n_slots;
	struct tracked *prev, *cur, *tmp; /* tmp: the radix sort's other buffer */
	size_t n_prev, cap_prev, cap_cur, cap_tmp;
	struct ms_snapspan_cell *cells;
	size_t n_cells, cap_cells, compact_at;
	int rc;              /* the first failure; later snapshots are ignored */
};

/* Sorts a[0..n) by seq: an LSD radix sort, one pass per byte that is not
 * the same in every seq (usually two or three), where qsort took most of
 * the time with a million live blocks per snapshot. The result may end in
 * tmp: returns the sorted buffer. */
static struct tracked *sort_by_seq(struct tracked *a, struct tracked *tmp, size_t n)
{
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[257] = {0};
		for (size_t i = 0; i < n; i++)
			count[(a[i].seq >> shift & 0xff) + 1]++;
		if (n == 0 || count[(a[0].seq >> shift & 0xff) + 1] == n)
			continue; /* the same byte everywhere */
		for (int k = 0; k < 256; k++)
			count[k + 1] += count[k];
		for (size_t i = 0; i < n; i++)
			tmp[count[a[i].seq >> shift & 0xff]++] = a[i];
		struct tracked *t = a;
		a = tmp;
		tmp = t;
	}
	return a;
}

static int cmp_cell(const void *a, const void *b)
{
	const struct ms_snapspan_cell *x = a, *y = b;
	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	return x->d < y->d ? -1 : x->d > y->d;
}

/* Sorts the cells and sums those of one (stack, b, d). */
static void compact(struct watch *w)
{
	qsort(w->cells, w->n_cells, sizeof(*w->cells), cmp_cell);
	size_t o = 0;
	for (size_t i = 0; i < w->n_cells; i++) {
		if (o && !cmp_cell(&w->cells[o - 1], &w->cells[i])) {
			w->cells[o - 1].blocks += w->cells[i].blocks;
			w->cells[o - 1].bytes += w->cells[i].bytes;
		} else {
			w->cells[o++] = w->cells[i];
		}
	}
	w->n_cells = o;
	w->compact_at = 2 * o > FIRST_COMPACT ? 2 * o : FIRST_COMPACT;
}

/* A block last live at slot d - 1. */
static int emit(struct watch *w, const struct tracked *t, uint32_t d)
{
	if (w->n_cells >= w->compact_at)
		compact(w);
	if (ms_array_reserve((void **)&w->cells, &w->cap_cells, sizeof(*w->cells), w->n_cells + 1, 4096))
		return -ENOMEM;
	w->cells[w->n_cells++] = (struct ms_snapspan_cell){t->stack, t->b, d, 1, t->size};
	return 0;
}

/* The live set at chosen slot: blocks live at the previous chosen snapshot
 * and not now end there; the others keep their first slot. */
static int take(struct watch *w, uint32_t slot, const struct ms_live *live)
{
	if (ms_array_reserve((void **)&w->cur, &w->cap_cur, sizeof(*w->cur), live->len + 1, 1024) ||
	    ms_array_reserve((void **)&w->tmp, &w->cap_tmp, sizeof(*w->tmp), live->len + 1, 1024))
		return -ENOMEM;
	size_t n = 0;
	struct ms_live_block b;
	for (size_t i = 0; i < live->cap; i++)
		if (ms_live_at(live, i, &b))
			w->cur[n++] = (struct tracked){b.seq, b.size, b.stack, slot};
	if (sort_by_seq(w->cur, w->tmp, n) != w->cur) { /* keep the sorted one as cur */
		struct tracked *t = w->cur;
		size_t c = w->cap_cur;
		w->cur = w->tmp;
		w->cap_cur = w->cap_tmp;
		w->tmp = t;
		w->cap_tmp = c;
	}
	size_t i = 0, j = 0;
	while (i < w->n_prev) {
		while (j < n && w->cur[j].seq < w->prev[i].seq)
			j++;
		if (j < n && w->cur[j].seq == w->prev[i].seq)
			w->cur[j].b = w->prev[i].b;
		else if (emit(w, &w->prev[i], slot))
			return -ENOMEM;
		i++;
	}
	struct tracked *t = w->prev;
	w->prev = w->cur;
	w->cur = t;
	size_t c = w->cap_prev;
	w->cap_prev = w->cap_cur;
	w->cap_cur = c;
	w->n_prev = n;
	return 0;
}

static void on_snapshot(void *ctx, const struct ms_snapshot *s, const struct ms_live *live)
{
	struct watch *w = ctx;
	(void)s;
	size_t i = w->seen++;
	if (w->rc || i >= w->n_known || w->slot_of[i] == NO_SLOT)
		return;
	w->rc = take(w, w->slot_of[i], live);
}

/* At most max of the n snapshots, evenly spaced, the first and the last
 * among them: slot i is snapshot i * (n - 1) / (k - 1). */
static int choose(struct ms_snapspans *ss, struct watch *w, size_t n, size_t max)
{
	size_t k = n < max ? n : max;
	ss->snaps = malloc((k ? k : 1) * sizeof(*ss->snaps));
	w->slot_of = malloc((n ? n : 1) * sizeof(*w->slot_of));
	if (!ss->snaps || !w->slot_of)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		w->slot_of[i] = NO_SLOT;
	for (size_t i = 0; i < k; i++) {
		size_t at = k == 1 ? 0 : i * (n - 1) / (k - 1);
		ss->snaps[i] = (uint32_t)at;
		w->slot_of[at] = (uint32_t)i;
	}
	ss->n_snaps = k;
	w->n_known = n;
	w->n_slots = k;
	return 0;
}

static void watch_release(struct watch *w)
{
	free(w->slot_of);
	free(w->prev);
	free(w->cur);
	free(w->tmp);
	free(w->cells);
}

int ms_snapspans_build(struct ms_snapspans *ss, const struct ms_model *m, const char *path, size_t max_snaps)
{
	struct watch w;
	memset(ss, 0, sizeof(*ss));
	memset(&w, 0, sizeof(w));
	w.compact_at = FIRST_COMPACT;
	int rc = choose(ss, &w, m->n_snaps, max_snaps ? max_snaps : 1);
	if (!rc && ss->n_snaps) {
		struct ms_replay_observer obs = {.ctx = &w, .snapshot = on_snapshot};
		struct ms_model m2;
		ms_model_init(&m2);
		m2.want[0].at = MS_HEAP_NONE; /* no heap to keep, no scan to analyse */
		m2.observer = &obs;
		rc = ms_replay_file(&m2, path);
		if (rc == MS_TRACE_E_CORRUPT && m2.frames > 0)
			rc = 0; /* the same partial model as the first replay's */
		if (!rc && (m2.n_snaps != m->n_snaps || m2.n_stacks != m->n_stacks ||
		            m2.summary.allocations != m->summary.allocations))
			rc = -ESTALE;
		ms_model_release(&m2);
		if (!rc)
			rc = w.rc;
		/* blocks live at the last chosen snapshot end past it */
		for (size_t i = 0; !rc && i < w.n_prev; i++)
			rc = emit(&w, &w.prev[i], (uint32_t)w.n_slots);
		if (!rc)
			compact(&w);
	}
	if (!rc) {
		ss->cells = w.cells;
		ss->n_cells = w.n_cells;
		w.cells = NULL;
	}
	watch_release(&w);
	if (rc)
		ms_snapspans_release(ss);
	return rc;
}

void ms_snapspans_release(struct ms_snapspans *ss)
{
	free(ss->snaps);
	free(ss->cells);
	memset(ss, 0, sizeof(*ss));
}
