/* The heap over time: live bytes and RSS at evenly spaced points of a run,
 * plus the exact moment of the heap peak, with the live bytes of the stacks
 * that matter most at each point (the rest summed as "other"). Its size is
 * bounded by the caller (points x stacks), whatever the trace holds.
 *
 * Steps:
 *  1. replay the trace into a model m (model.h);
 *  2. rc = ms_timeline_build(&tl, &m, path, points, stacks): replays the
 *     trace a second time, watching it; 0 or a negative code (read.h codes,
 *     -ENOMEM, -ESTALE when the file changed between the two replays);
 *  3. read tl; 4. ms_timeline_release(&tl). */
#ifndef MS_ANALYSIS_TIMELINE_H
#define MS_ANALYSIS_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/model.h"

#define MS_TIMELINE_NO_RSS UINT64_MAX /* no counter sample yet at that point */
#define MS_TIMELINE_NO_PEAK SIZE_MAX

struct ms_timeline {
	size_t n_points;   /* time order: the start, the sampled points, the peak */
	uint64_t *t_ns;    /* since the start of the trace */
	uint64_t *live;    /* heap bytes live just after that moment */
	uint64_t *rss;     /* latest RSS sample at or before it, or MS_TIMELINE_NO_RSS */
	uint64_t *other;   /* live bytes of the stacks not tracked */
	size_t peak_point; /* the point that is the heap peak, or MS_TIMELINE_NO_PEAK */
	size_t n_stacks;   /* tracked stacks: the largest by their own maximum */
	uint32_t *stacks;  /* their indexes into m->stacks, largest first */
	uint64_t *by_stack; /* n_points x n_stacks: live bytes of each tracked stack */
};

/* Builds tl (its previous content is ignored) with at most max_points
 * sampled points (plus the start and the peak) and max_stacks tracked
 * stacks. On failure tl is empty. */
int ms_timeline_build(struct ms_timeline *tl, const struct ms_model *m, const char *path, size_t max_points,
                      size_t max_stacks);
void ms_timeline_release(struct ms_timeline *tl);

#endif
