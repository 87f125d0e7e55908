/* Trace clock selection (see clock.h). */
#include "runtime/clock.h"

#include "trace/format.h"

#ifdef MS_HAVE_TSC
#include <cpuid.h>
#endif

int ms_rt_clock_tsc;
uint64_t ms_rt_clock_mask = ~(uint64_t)0;
uint64_t ms_rt_clock_coarse = ~(uint64_t)0;

static void set_coarse(unsigned shift)
{
	ms_rt_clock_coarse = ~(((uint64_t)1 << shift) - 1);
	ms_rt_clock_mask = ms_rt_clock_coarse;
}

int ms_rt_clock_init(void)
{
#ifdef MS_HAVE_TSC
	unsigned a, b, c, d;
	/* Leaf 0x80000007 EDX bit 8: the TSC runs at a constant rate in all
	 * ACPI P-, C- and T-states, so raw ticks convert linearly to time. */
	if (__get_cpuid_max(0x80000000u, NULL) >= 0x80000007u && __get_cpuid(0x80000007u, &a, &b, &c, &d) &&
	    (d & (1u << 8))) {
		ms_rt_clock_tsc = 1;
		set_coarse(MS_RT_COARSE_SHIFT_TSC);
		return MS_CLOCK_TSC;
	}
#endif
	ms_rt_clock_tsc = 0;
	set_coarse(MS_RT_COARSE_SHIFT_NS);
	return MS_CLOCK_MONOTONIC_NS;
}

/* The best of a few tries: the monotonic read between the two closest
 * stamps, paired with their midpoint. */
void ms_rt_clock_pair(uint64_t *ts, uint64_t *mono_ns)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 4; i++) {
		uint64_t a = ms_rt_now_fine(), m = ms_rt_clock_ns(CLOCK_MONOTONIC), b = ms_rt_now_fine();
		if (b >= a && b - a < best) {
			best = b - a;
			*ts = a + (b - a) / 2;
			*mono_ns = m;
		}
		if (best < 4096) /* a few microseconds at most: no preemption */
			break;
	}
	if (best == UINT64_MAX) {
		*ts = ms_rt_now_fine();
		*mono_ns = ms_rt_clock_ns(CLOCK_MONOTONIC);
	}
}
