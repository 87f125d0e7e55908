/* What changed between two heaps (heap.h), grouped by call stack, function,
 * file, module or C++ type, sorted by net growth.
 *
 * Within one run (a == b model) blocks are matched by identity: a block live
 * in both heaps is the same allocation (same address and allocation
 * ordinal); the others were added (live only in B) or freed (live only in A).
 * Across runs addresses mean nothing, so blocks are matched by call stack
 * (its frames as module+offset, stable under ASLR): per group, as many blocks
 * as both heaps hold are matched, the rest of B's are added, the rest of A's
 * freed, and bytes follow the net change.
 *
 * Steps: ms_diff_compute(&d, &in, group); read d.rows; ms_diff_release(&d). */
#ifndef MS_ANALYSIS_DIFF_H
#define MS_ANALYSIS_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/heap.h"
#include "analysis/model.h"
#include "analysis/symbolize.h"

enum ms_diff_group { MS_GROUP_STACK, MS_GROUP_FUNCTION, MS_GROUP_FILE, MS_GROUP_MODULE, MS_GROUP_TYPE };

/* Parses "stack", "function", "file", "module", "type"; 0 or -1. */
int ms_diff_group_parse(const char *name, enum ms_diff_group *out);
const char *ms_diff_group_name(enum ms_diff_group g);

struct ms_diff_side {
	const struct ms_model *m;
	const struct ms_heap *h;
	struct ms_symbolizer *sym;
};

struct ms_diff_row {
	const char *key;   /* the group's name (for stacks: the frames key); lives as long as the symbolizers */
	int side;          /* which side's stack represents the group: 0 = A, 1 = B */
	uint32_t stack;    /* that stack's index in its model (MS_HBLOCK_NONE for types) */
	uint64_t a_blocks, a_bytes, b_blocks, b_bytes;
	uint64_t added_blocks, added_bytes, freed_blocks, freed_bytes;
	int64_t net_bytes; /* b_bytes - a_bytes */
	/* sampled traces: the estimated variance of net_bytes (sampling.h):
	 * within a run, of the blocks added and freed (those live at both
	 * cancel); across runs, of every block of both heaps. 0 when full. */
	double net_var;
};

struct ms_diff {
	struct ms_diff_row *rows; /* by net growth, largest first; then added bytes, key */
	size_t n;
	bool same_run;
	struct ms_diff_row total;
};

/* a and b: the two heaps; same run when a.m == b.m (then a.sym == b.sym).
 * Returns 0 or -ENOMEM (d is then empty). */
int ms_diff_compute(struct ms_diff *d, const struct ms_diff_side *a, const struct ms_diff_side *b,
                    enum ms_diff_group g);
void ms_diff_release(struct ms_diff *d);

#endif
