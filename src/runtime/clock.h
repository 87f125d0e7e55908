/* The trace clock: raw TSC when the CPU has an invariant TSC, otherwise
 * CLOCK_MONOTONIC nanoseconds. ms_rt_clock_init() picks one once; ms_rt_now()
 * is then safe from any thread and any signal handler. */
#ifndef MS_RT_CLOCK_H
#define MS_RT_CLOCK_H

#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define MS_HAVE_TSC 1
#endif

extern int ms_rt_clock_tsc; /* 1 when the trace clock is the TSC */

/* Returns the enum ms_clock_kind chosen. */
int ms_rt_clock_init(void);

static inline uint64_t ms_rt_clock_ns(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline uint64_t ms_rt_now(void)
{
#ifdef MS_HAVE_TSC
	if (__builtin_expect(ms_rt_clock_tsc, 1))
		return __rdtsc();
#endif
	return ms_rt_clock_ns(CLOCK_MONOTONIC);
}

#endif
