/* The precision of a sampled trace's estimates (run --sample-rate R).
 *
 * The runtime records a sampled allocation of s bytes as its estimate
 * w = s / p, where p = 1 - exp(-s/R) is the chance that it was sampled
 * (runtime/sample.c). Every byte figure of the trace is a sum of such
 * weights over some set of sampled blocks, and the samples are independent,
 * so the variance of a sum is the sum of its terms' variances, estimated
 * from the samples themselves (Horvitz-Thompson): w^2 (1 - p) per sample.
 * The replay adds these next to the bytes, per stack and in total. */
#ifndef MS_ANALYSIS_SAMPLING_H
#define MS_ANALYSIS_SAMPLING_H

#include <stdint.h>

/* The estimated variance, in bytes squared, that one sample recorded as w
 * bytes adds to a sum, at R bytes per sample on average. s is recovered
 * from w = s / (1 - exp(-s/R)). 0 when rate is 0 (a full trace). */
double ms_sample_var(uint64_t w, uint64_t rate);

/* ms_sample_var remembered by weight: a trace's samples have few distinct
 * weights (one per allocation size), and each costs a few exp() to invert.
 * Direct-mapped, 16 KiB; ms_sample_memo_init sets the rate and empties it. */
#define MS_SAMPLE_MEMO 1024
struct ms_sample_memo {
	uint64_t rate;
	uint64_t w[MS_SAMPLE_MEMO]; /* 0: empty (a weight is never 0) */
	double v[MS_SAMPLE_MEMO];
};
void ms_sample_memo_init(struct ms_sample_memo *memo, uint64_t rate);
double ms_sample_var_memo(struct ms_sample_memo *memo, uint64_t w);

/* The standard error of a sum whose variance is var, rounded to bytes. */
uint64_t ms_sample_stderr(double var);
/* The half-width of its 95% interval (1.96 standard errors, the estimate
 * being a sum of many independent samples), rounded to bytes. */
uint64_t ms_sample_ci95(double var);

#endif
