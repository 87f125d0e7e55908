/* The trace clock: raw TSC when the CPU has an invariant TSC, otherwise
 * CLOCK_MONOTONIC nanoseconds. ms_rt_clock_init() picks one once; ms_rt_now()
 * is then safe from any thread and any signal handler.
 *
 * While only one thread records, stamps are rounded down to a multiple of
 * 2^MS_RT_COARSE_SHIFT units (8 to 16 us): one thread's events are ordered
 * by their place in its buffer, so the low bits only said when, to a
 * precision no report shows, and they were the least compressible part of
 * the trace (perl: 1.47 of 1.62 bytes per event). Rounding down cannot put
 * an event after a later one. Once a second thread registers,
 * ms_rt_clock_fine() makes every later stamp exact for good, before that
 * thread takes its first: the merge of two threads' events needs the low
 * bits. An event of the first thread that is ordered after one of the new
 * thread's (a free of a block the other allocated, say) is so through a
 * lock or an atomic, which also makes the fine mask visible to it. */
#ifndef MS_RT_CLOCK_H
#define MS_RT_CLOCK_H

#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define MS_HAVE_TSC 1
#endif

extern int ms_rt_clock_tsc; /* 1 when the trace clock is the TSC */
extern uint64_t ms_rt_clock_mask;   /* applied to every stamp: coarse or ~0 */
extern uint64_t ms_rt_clock_coarse; /* the coarse mask, for watermarks */

/* log2 of the coarse unit: 2^15 TSC ticks (8 to 16 us at 2 to 4 GHz), or
 * 2^13 ns (8 us) without the TSC */
#define MS_RT_COARSE_SHIFT_TSC 15
#define MS_RT_COARSE_SHIFT_NS 13

/* Returns the enum ms_clock_kind chosen. */
int ms_rt_clock_init(void);

static inline uint64_t ms_rt_clock_ns(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The clock at full resolution: for CLOCK_SYNC pairs and seeds. */
static inline uint64_t ms_rt_now_fine(void)
{
#ifdef MS_HAVE_TSC
	if (__builtin_expect(ms_rt_clock_tsc, 1))
		return __rdtsc();
#endif
	return ms_rt_clock_ns(CLOCK_MONOTONIC);
}

/* A trace stamp: the clock first, then the mask (see above). */
static inline uint64_t ms_rt_now(void)
{
	uint64_t t = ms_rt_now_fine();
	return t & __atomic_load_n(&ms_rt_clock_mask, __ATOMIC_RELAXED);
}

/* A stamp above every stamp taken before it (a snapshot's: the replay
 * applies the events with a smaller one first): the next coarse unit while
 * the clock is coarse. */
static inline uint64_t ms_rt_now_after(void)
{
	uint64_t m = __atomic_load_n(&ms_rt_clock_mask, __ATOMIC_RELAXED);
	uint64_t t = ms_rt_now_fine() & m;
	return m == ~(uint64_t)0 ? t : t + ~m + 1;
}

/* A clock point: a full-resolution stamp and CLOCK_MONOTONIC, as of one
 * instant. The replay converts every stamp through these points, so a
 * preemption between the two reads (milliseconds under load) would shift
 * the times near the point and the rate of the whole run. */
void ms_rt_clock_pair(uint64_t *ts, uint64_t *mono_ns);

/* Every stamp from now on is exact: called when a second thread registers. */
static inline void ms_rt_clock_fine(void)
{
	__atomic_store_n(&ms_rt_clock_mask, ~(uint64_t)0, __ATOMIC_SEQ_CST);
}

#endif
