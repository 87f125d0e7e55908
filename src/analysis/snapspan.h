/* Snapshot spans: for chosen snapshots of one trace, which of them each live
 * block was live at, summed per call stack. A block allocated before
 * snapshot b and freed after snapshot d - 1 (and before d) is live at
 * exactly the snapshots b .. d - 1, so the cells (stack, b, d, blocks, bytes)
 * give, for any two chosen snapshots A and B, what `memscope diff TRACE A B`
 * computes by block identity: live at A (b <= A < d), live at B, added
 * (live at B, not at A) and freed (live at A, not at B). Their number grows
 * with stacks x chosen snapshots^2 at worst, never with the events.
 *
 * Steps:
 *  1. replay the trace into a model m (model.h);
 *  2. rc = ms_snapspans_build(&ss, &m, path, max_snaps): chooses at most
 *     max_snaps of m's snapshots (all of them, or evenly spaced ones with
 *     the first and the last), replays the trace a second time watching
 *     them; 0 or a negative code (read.h codes, -ENOMEM, -ESTALE when the
 *     file changed between the two replays);
 *  3. read ss; 4. ms_snapspans_release(&ss). */
#ifndef MS_ANALYSIS_SNAPSPAN_H
#define MS_ANALYSIS_SNAPSPAN_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/model.h"

struct ms_snapspan_cell {
	uint32_t stack;  /* index into the model's stacks */
	uint32_t b, d;   /* live at the chosen snapshots b .. d - 1 (d <= n_snaps) */
	uint64_t blocks, bytes;
};

struct ms_snapspans {
	size_t n_snaps;   /* chosen snapshots, in file order */
	uint32_t *snaps;  /* their indexes into m->snaps */
	struct ms_snapspan_cell *cells; /* sorted by (stack, b, d), one per distinct triple */
	size_t n_cells;
};

/* Builds ss (its previous content is ignored). On failure ss is empty. */
int ms_snapspans_build(struct ms_snapspans *ss, const struct ms_model *m, const char *path, size_t max_snaps);
void ms_snapspans_release(struct ms_snapspans *ss);

#endif
