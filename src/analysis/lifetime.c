/* Total block lifetimes per stack; see lifetime.h. */
#include "analysis/lifetime.h"

uint64_t ms_stack_lifetime_ns(const struct ms_model *m, const struct ms_stack *s)
{
	/* the blocks still live end with the trace */
	uint64_t ticks = s->lifetime_acc + s->live_blocks * m->summary.last_ts;
	if (m->hdr.clock_kind != MS_CLOCK_TSC)
		return ticks;
	uint64_t span = m->summary.last_ts - m->summary.first_ts;
	if (span == 0)
		return 0;
	return (uint64_t)((double)ticks * ((double)m->summary.wall_time_ns / (double)span) + 0.5);
}
