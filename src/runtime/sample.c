/* Sampling by bytes (MEMSCOPE_SAMPLE_RATE=R), as tcmalloc and jemalloc do:
 * each thread counts down a byte budget drawn from an exponential
 * distribution of mean R; the allocation that exhausts it is a sample. By
 * the distribution's lack of memory, an allocation of s bytes is sampled
 * with probability 1 - exp(-s/R) whatever came before, so recording it as
 * s / (1 - exp(-s/R)) bytes makes every sum of bytes (per stack, live, at
 * the peak) an unbiased estimate of the true one. */
#include <math.h>

#include "runtime/clock.h"
#include "runtime/rt.h"
#include "runtime/sys.h"

static uint64_t next_random(struct ms_tls *tl)
{
	/* xorshift64*: a few cycles, and only on samples */
	uint64_t x = tl->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	tl->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* An exponential draw of mean rate, at least 1 byte. */
static int64_t draw_interval(struct ms_tls *tl)
{
	double u = (double)((next_random(tl) >> 11) + 1) * 0x1p-53; /* (0, 1] */
	double v = -log(u) * (double)ms_rt_opt.sample_rate;
	if (v < 1)
		return 1;
	if (v > 0x1p62)
		return INT64_C(1) << 62;
	return (int64_t)v;
}

static void seed(struct ms_tls *tl)
{
	uint64_t s = ms_rt_now_fine() ^ ((uint64_t)ms_rt_gettid() * 0x9E3779B97F4A7C15ull) ^ (uint64_t)(uintptr_t)tl;
	tl->rng = s ? s : 0x853c49e6748fea9bull;
	tl->sample_left = draw_interval(tl);
	tl->sample_ready = 1;
}

int ms_rt_sample_slow(struct ms_tls *tl, size_t size)
{
	if (!tl->sample_ready) {
		seed(tl);
		if (size < (size_t)tl->sample_left) {
			tl->sample_left -= (int64_t)size;
			return 0;
		}
	}
	tl->sample_left = draw_interval(tl);
	return 1;
}

uint64_t ms_rt_sample_bytes(size_t size)
{
	if (size == 0)
		return 0;
	double x = (double)size / (double)ms_rt_opt.sample_rate;
	double p = -expm1(-x); /* probability that size bytes hold a sample */
	double est = (double)size / p;
	return est >= 0x1p63 ? UINT64_MAX / 2 : (uint64_t)(est + 0.5);
}
