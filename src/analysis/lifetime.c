/* Total block lifetimes per stack; see lifetime.h. */
#include "analysis/lifetime.h"

uint64_t ms_stack_lifetime_ns(const struct ms_model *m, const struct ms_stack *s)
{
	/* the blocks still live end with the trace */
	uint64_t ticks = s->lifetime_acc + s->live_blocks * m->summary.last_ts;
	if (m->hdr.clock_kind != MS_CLOCK_TSC)
		return ticks;
	/* the rate between the outermost CLOCK_SYNC pairs, which are exact:
	 * event stamps may be coarse (a single thread's), too coarse to
	 * measure the rate of a short run */
	double rate;
	const struct ms_clock_point *a = m->clock, *b = m->clock + m->n_clock - 1;
	if (m->n_clock >= 2 && b->ts > a->ts && b->ns > a->ns) {
		rate = ((double)b->ns - (double)a->ns) / ((double)b->ts - (double)a->ts);
	} else {
		uint64_t span = m->summary.last_ts - m->summary.first_ts;
		if (span == 0)
			return 0;
		rate = (double)m->summary.wall_time_ns / (double)span;
	}
	return (uint64_t)((double)ticks * rate + 0.5);
}
