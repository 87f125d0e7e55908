/* The function tree behind flame graphs: every stack of a model merged by
 * function, either from the outermost caller down to the allocating
 * function (top-down: a flame graph or icicle) or from the allocating
 * function out to its callers (bottom-up). Each node holds the five metrics
 * summed over the stacks through it; node 0 is the root ("all stacks").
 *
 * Steps:
 *  1. struct ms_flame f; rc = ms_flame_build(&f, model, sym, bottom_up);
 *  2. walk it from node 0 with ms_flame_children() (children by a metric);
 *  3. ms_flame_release(&f). */
#ifndef MS_REPORT_FLAME_H
#define MS_REPORT_FLAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/model.h"
#include "analysis/symbolize.h"

#define MS_FLAME_NONE UINT32_MAX
#define MS_FLAME_METRICS 5 /* indexed by enum ms_metric */

struct ms_flame_node {
	/* interned by the symbolizer (alive as long as it is); file:line and
	 * module are those of the first stack seen through the node */
	const char *function, *file, *module;
	uint32_t line;
	uint32_t parent, first_child, next_sibling, n_children;
	uint32_t depth;
	uint64_t v[MS_FLAME_METRICS];
};

struct ms_flame {
	struct ms_flame_node *nodes;
	size_t n, cap;
	bool bottom_up;
	uint32_t max_depth;
};

/* Builds f from every used stack of m. Returns 0 or -ENOMEM (f is then
 * released). */
int ms_flame_build(struct ms_flame *f, const struct ms_model *m, struct ms_symbolizer *sym, bool bottom_up);
void ms_flame_release(struct ms_flame *f);

/* The children of node with a non-zero value of k, largest first, into a
 * malloc'd array (*n its length); NULL when out of memory. */
uint32_t *ms_flame_children(const struct ms_flame *f, uint32_t node, enum ms_metric k, size_t *n);

/* The summary's total of metric k: what a root's value must equal. */
uint64_t ms_flame_total(const struct ms_model *m, enum ms_metric k);

/* True for the metrics counted in calls, false for those in bytes. */
bool ms_flame_is_count(enum ms_metric k);

#endif
