/* Block lifetimes per stack, from the replay's running sums: a block's
 * lifetime runs from its allocation to its free, or to the end of the trace
 * (summary.last_ts) while it is still live. The replay keeps, per stack,
 * sum(free ts) - sum(alloc ts) modulo 2^64, which is exact for any total
 * below 2^64 trace clock units without remembering when each block was born. */
#ifndef MS_ANALYSIS_LIFETIME_H
#define MS_ANALYSIS_LIFETIME_H

#include <stdint.h>

#include "analysis/model.h"

/* The total lifetime, in nanoseconds, of every block allocated by s. For a
 * TSC trace the clock units are converted at the run's average rate. */
uint64_t ms_stack_lifetime_ns(const struct ms_model *m, const struct ms_stack *s);

#endif
