/* The heap over time (timeline.h). The first replay tells the time range,
 * the peak and which stacks to track; a second replay with an observer
 * fills the points as the replay's clock passes them. Only tracked stacks
 * are followed one by one, so memory is points x tracked stacks plus one
 * int per stack, whatever the number of events. */
#include "analysis/timeline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace/read.h"

#define NO_SLOT UINT32_MAX

struct watch {
	const struct ms_model *m; /* the first replay */
	size_t n, k;              /* regular points, tracked stacks */
	uint64_t *at;             /* n point timestamps (trace clock), ascending */
	size_t next;              /* next regular point to fill */
	uint32_t *slot;           /* stack index -> tracked slot, or NO_SLOT */
	size_t n_slot;
	uint64_t total, *cur;     /* live bytes now: all, and per tracked slot */
	uint64_t *live, *by;      /* per regular point: all, and n x k per slot */
	bool peak_seen;
	uint64_t *peak_by;        /* k: the tracked slots at the peak */
	/* RSS: per bucket b (0: at or before the start, i + 1: up to point i)
	 * the latest sample; and the latest sample at or before the peak */
	uint64_t *rss_ts, *rss_v;
	bool *rss_has;
	uint64_t peak_rss_ts, peak_rss;
	bool peak_rss_has;
};

static void fill_point(struct watch *w, size_t i)
{
	w->live[i] = w->total;
	memcpy(w->by + i * w->k, w->cur, w->k * sizeof(*w->cur));
}

static void on_live_change(void *ctx, uint64_t ts, uint32_t stack, int64_t delta)
{
	struct watch *w = ctx;
	/* a point holds the state after every event at or before its time */
	while (w->next < w->n && ts > w->at[w->next])
		fill_point(w, w->next++);
	w->total += (uint64_t)delta;
	if (stack < w->n_slot && w->slot[stack] != NO_SLOT)
		w->cur[w->slot[stack]] += (uint64_t)delta;
	/* the replay is the same as the first one: the first time the total
	 * reaches the peak is the peak event itself */
	if (delta > 0 && !w->peak_seen && w->total == w->m->summary.peak_bytes) {
		w->peak_seen = true;
		memcpy(w->peak_by, w->cur, w->k * sizeof(*w->cur));
	}
}

/* Index of the first point at or after ts (n when none). */
static size_t point_at_or_after(const struct watch *w, uint64_t ts)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->at[mid] < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void on_counters(void *ctx, uint64_t ts, const uint64_t *v, uint32_t n)
{
	struct watch *w = ctx;
	if (n <= MS_CTR_RSS_BYTES)
		return;
	uint64_t rss = v[MS_CTR_RSS_BYTES];
	size_t b = ts <= w->m->summary.first_ts ? 0 : point_at_or_after(w, ts) + 1;
	if (b > w->n)
		b = w->n; /* after the last point: cannot happen, last_ts bounds ts */
	if (!w->rss_has[b] || ts >= w->rss_ts[b]) {
		w->rss_has[b] = true;
		w->rss_ts[b] = ts;
		w->rss_v[b] = rss;
	}
	if (ts <= w->m->summary.peak_ts && (!w->peak_rss_has || ts >= w->peak_rss_ts)) {
		w->peak_rss_has = true;
		w->peak_rss_ts = ts;
		w->peak_rss = rss;
	}
}

/* qsort has no context argument; the analysis is single-threaded. */
static const struct ms_stack *sort_stacks;

static int cmp_max_live(const void *a, const void *b)
{
	const struct ms_stack *x = &sort_stacks[*(const uint32_t *)a], *y = &sort_stacks[*(const uint32_t *)b];
	if (x->max_live_bytes != y->max_live_bytes)
		return x->max_live_bytes > y->max_live_bytes ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The tracked stacks: those with the largest own maximum of live bytes. */
static int pick_stacks(struct ms_timeline *tl, const struct ms_model *m, size_t max_stacks)
{
	size_t n = 0;
	uint32_t *all = malloc((m->n_stacks ? m->n_stacks : 1) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_stacks; i++)
		if (m->stacks[i].used && m->stacks[i].max_live_bytes)
			all[n++] = (uint32_t)i;
	sort_stacks = m->stacks;
	qsort(all, n, sizeof(*all), cmp_max_live);
	tl->n_stacks = n < max_stacks ? n : max_stacks;
	uint32_t *kept = realloc(all, (tl->n_stacks ? tl->n_stacks : 1) * sizeof(*all));
	tl->stacks = kept ? kept : all;
	return 0;
}

static void watch_release(struct watch *w)
{
	free(w->at);
	free(w->slot);
	free(w->cur);
	free(w->live);
	free(w->by);
	free(w->peak_by);
	free(w->rss_ts);
	free(w->rss_v);
	free(w->rss_has);
}

static int watch_init(struct watch *w, const struct ms_model *m, const struct ms_timeline *tl, size_t max_points)
{
	uint64_t first = m->summary.first_ts, span = m->summary.last_ts - first;
	memset(w, 0, sizeof(*w));
	w->m = m;
	w->n = span == 0 ? 1 : span < max_points ? (size_t)span : max_points;
	w->k = tl->n_stacks;
	w->n_slot = m->n_stacks;
	size_t k1 = w->k ? w->k : 1;
	w->at = malloc(w->n * sizeof(*w->at));
	w->slot = malloc((w->n_slot ? w->n_slot : 1) * sizeof(*w->slot));
	w->cur = calloc(k1, sizeof(*w->cur));
	w->live = calloc(w->n, sizeof(*w->live));
	w->by = calloc(w->n * k1, sizeof(*w->by));
	w->peak_by = calloc(k1, sizeof(*w->peak_by));
	w->rss_ts = calloc(w->n + 1, sizeof(*w->rss_ts));
	w->rss_v = calloc(w->n + 1, sizeof(*w->rss_v));
	w->rss_has = calloc(w->n + 1, sizeof(*w->rss_has));
	if (!w->at || !w->slot || !w->cur || !w->live || !w->by || !w->peak_by || !w->rss_ts || !w->rss_v ||
	    !w->rss_has) {
		watch_release(w);
		return -ENOMEM;
	}
	/* point i at first + span * (i + 1) / n, without overflowing span * i */
	for (size_t i = 0; i < w->n; i++)
		w->at[i] = first + span / w->n * (i + 1) + span % w->n * (i + 1) / w->n;
	for (size_t i = 0; i < w->n_slot; i++)
		w->slot[i] = NO_SLOT;
	for (size_t s = 0; s < w->k; s++)
		w->slot[tl->stacks[s]] = (uint32_t)s;
	return 0;
}

/* Lays the watched figures out as the timeline's points. */
static int assemble(struct ms_timeline *tl, struct watch *w)
{
	const struct ms_model *m = w->m;
	size_t n = 1 + w->n + (w->peak_seen ? 1 : 0), k = w->k;
	tl->t_ns = malloc(n * sizeof(*tl->t_ns));
	tl->live = malloc(n * sizeof(*tl->live));
	tl->rss = malloc(n * sizeof(*tl->rss));
	tl->other = malloc(n * sizeof(*tl->other));
	tl->by_stack = calloc(n * (k ? k : 1), sizeof(*tl->by_stack));
	if (!tl->t_ns || !tl->live || !tl->rss || !tl->other || !tl->by_stack)
		return -ENOMEM;
	tl->n_points = n;
	tl->peak_point = MS_TIMELINE_NO_PEAK;
	/* the start: nothing live yet */
	tl->t_ns[0] = ms_model_ts_to_ns(m, m->summary.first_ts);
	tl->live[0] = 0;
	uint64_t rss = w->rss_has[0] ? w->rss_v[0] : MS_TIMELINE_NO_RSS;
	tl->rss[0] = rss;
	size_t o = 1;
	for (size_t i = 0; i < w->n; i++) {
		/* the peak goes before the first point at or after its time: that
		 * point shows the state after every event of that time */
		if (w->peak_seen && tl->peak_point == MS_TIMELINE_NO_PEAK && w->at[i] >= m->summary.peak_ts) {
			tl->peak_point = o;
			tl->t_ns[o] = m->summary.peak_time_ns;
			tl->live[o] = m->summary.peak_bytes;
			tl->rss[o] = w->peak_rss_has ? w->peak_rss : MS_TIMELINE_NO_RSS;
			memcpy(tl->by_stack + o * k, w->peak_by, k * sizeof(*w->peak_by));
			o++;
		}
		if (w->rss_has[i + 1])
			rss = w->rss_v[i + 1];
		tl->t_ns[o] = ms_model_ts_to_ns(m, w->at[i]);
		tl->live[o] = w->live[i];
		tl->rss[o] = rss;
		memcpy(tl->by_stack + o * k, w->by + i * k, k * sizeof(*w->by));
		o++;
	}
	for (size_t p = 0; p < n; p++) {
		uint64_t sum = 0;
		for (size_t s = 0; s < k; s++)
			sum += tl->by_stack[p * k + s];
		tl->other[p] = tl->live[p] - sum;
	}
	return 0;
}

int ms_timeline_build(struct ms_timeline *tl, const struct ms_model *m, const char *path, size_t max_points,
                      size_t max_stacks)
{
	struct watch w;
	struct ms_model m2;
	memset(tl, 0, sizeof(*tl));
	tl->peak_point = MS_TIMELINE_NO_PEAK;
	int rc = pick_stacks(tl, m, max_stacks);
	if (!rc)
		rc = watch_init(&w, m, tl, max_points ? max_points : 1);
	if (rc) {
		ms_timeline_release(tl);
		return rc;
	}
	struct ms_replay_observer obs = {&w, on_live_change, on_counters, NULL};
	ms_model_init(&m2);
	m2.observer = &obs;
	rc = ms_replay_file(&m2, path);
	if (rc == MS_TRACE_E_CORRUPT && m2.frames > 0)
		rc = 0; /* the same partial model as the first replay's */
	if (!rc && (m2.n_stacks != m->n_stacks || m2.summary.peak_bytes != m->summary.peak_bytes ||
	            m2.summary.allocations != m->summary.allocations))
		rc = -ESTALE;
	ms_model_release(&m2);
	while (!rc && w.next < w.n)
		fill_point(&w, w.next++);
	if (!rc)
		rc = assemble(tl, &w);
	watch_release(&w);
	if (rc)
		ms_timeline_release(tl);
	return rc;
}

void ms_timeline_release(struct ms_timeline *tl)
{
	free(tl->t_ns);
	free(tl->live);
	free(tl->rss);
	free(tl->other);
	free(tl->stacks);
	free(tl->by_stack);
	memset(tl, 0, sizeof(*tl));
	tl->peak_point = MS_TIMELINE_NO_PEAK;
}
