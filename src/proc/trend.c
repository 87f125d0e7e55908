/* Theil-Sen slope, Sen's interval and the verdict rules of trend.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/trend.h"

struct ms_trend_limits ms_trend_default_limits(int bytes)
{
	/* 256 KiB = 64 pages: below that, RSS moves with page cache and
	 * allocator churn in programs that do not leak. */
	struct ms_trend_limits l = {.min_samples = 10, .min_span_s = 1.0, .rel_floor = 0.01};
	l.abs_floor = bytes ? 256.0 * 1024 : 1.0;
	return l;
}

const char *ms_verdict_name(enum ms_verdict v)
{
	switch (v) {
	case MS_VERDICT_STABLE:
		return "stable";
	case MS_VERDICT_GROWING:
		return "growing";
	case MS_VERDICT_SHRINKING:
		return "shrinking";
	case MS_VERDICT_NOISY:
		return "noisy";
	case MS_VERDICT_TOO_SHORT:
		break;
	}
	return "too short to tell";
}

static void swap_d(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* Rearranges a[lo..hi] so that a[k] holds the value of rank k, with
 * smaller or equal values before it and greater or equal after (Wirth's
 * select: expected linear time). */
static double select_k(double *a, size_t lo_, size_t hi_, size_t k_)
{
	long l = (long)lo_, m = (long)hi_, k = (long)k_;
	while (l < m) {
		double x = a[k];
		long i = l, j = m;
		do {
			while (a[i] < x)
				i++;
			while (x < a[j])
				j--;
			if (i <= j) {
				swap_d(&a[i], &a[j]);
				i++;
				j--;
			}
		} while (i <= j);
		if (j < k)
			l = i;
		if (k < i)
			m = j;
	}
	return a[k];
}

/* Median of a[0..n) (n > 0); reorders a. */
static double median(double *a, size_t n)
{
	double m = select_k(a, 0, n - 1, n / 2);
	if (n % 2)
		return m;
	/* The largest value below rank n/2 is the max of the left part. */
	double lo = a[0];
	for (size_t i = 1; i < n / 2; i++)
		if (a[i] > lo)
			lo = a[i];
	return (lo + m) / 2;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Fills slopes with the pairwise slopes (all pairs, or a fixed pseudo-random
 * sample); returns how many, and the number of pairs in *total. */
static size_t pair_slopes(const double *t, const double *y, size_t n, double *slopes, double *total)
{
	size_t m = 0;
	double all = (double)n * (double)(n - 1) / 2;
	*total = all;
	if (all <= MS_TREND_MAX_PAIRS) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (t[j] > t[i])
					slopes[m++] = (y[j] - y[i]) / (t[j] - t[i]);
		return m;
	}
	/* A fixed seed: the same series always gives the same verdict. */
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (size_t tries = 0; m < MS_TREND_MAX_PAIRS && tries < 4 * (size_t)MS_TREND_MAX_PAIRS; tries++) {
		size_t i = xorshift(&seed) % n, j = xorshift(&seed) % n;
		if (i > j) {
			size_t x = i;
			i = j;
			j = x;
		}
		if (t[j] > t[i])
			slopes[m++] = (y[j] - y[i]) / (t[j] - t[i]);
	}
	return m;
}

static void classify(struct ms_trend *r, const struct ms_trend_limits *lim)
{
	r->threshold = fmax(lim->abs_floor, lim->rel_floor * fabs(r->level));
	double thr = r->threshold;
	if (r->n < lim->min_samples || r->n < 2 || r->span_s < lim->min_span_s)
		r->verdict = MS_VERDICT_TOO_SHORT;
	else if (r->slope_lo > 0 && r->rise >= thr && r->net >= thr / 2)
		r->verdict = MS_VERDICT_GROWING;
	else if (r->slope_hi < 0 && r->rise <= -thr && r->net <= -thr / 2)
		r->verdict = MS_VERDICT_SHRINKING;
	else if (fabs(r->rise) < thr && r->spread < thr)
		r->verdict = MS_VERDICT_STABLE;
	else
		r->verdict = MS_VERDICT_NOISY;
}

int ms_trend_fit(const double *tin, const double *yin, size_t nin, const struct ms_trend_limits *lim,
                 struct ms_trend *r)
{
	memset(r, 0, sizeof(*r));
	r->r2 = NAN;
	size_t n = 0;
	double *t = malloc((nin + 1) * sizeof(double)), *y = malloc((nin + 1) * sizeof(double));
	double *tmp = malloc((nin + 1) * sizeof(double));
	double *slopes = NULL;
	int rc = -ENOMEM;
	if (!t || !y || !tmp)
		goto out;
	for (size_t i = 0; i < nin; i++)
		if (!isnan(yin[i]) && !isnan(tin[i])) {
			t[n] = tin[i];
			y[n] = yin[i];
			n++;
		}
	r->n = n;
	rc = 0;
	if (n == 0) {
		classify(r, lim);
		goto out;
	}
	r->t0 = t[0];
	r->span_s = t[n - 1] - t[0];
	r->first = y[0];
	r->last = y[n - 1];
	memcpy(tmp, y, n * sizeof(double));
	r->level = median(tmp, n);
	if (n < 2) {
		classify(r, lim);
		goto out;
	}
	double total;
	size_t cap = n * (n - 1) / 2 < MS_TREND_MAX_PAIRS ? n * (n - 1) / 2 : MS_TREND_MAX_PAIRS;
	slopes = malloc((cap ? cap : 1) * sizeof(double));
	if (!slopes) {
		rc = -ENOMEM;
		goto out;
	}
	size_t m = pair_slopes(t, y, n, slopes, &total);
	if (m == 0) { /* every sample at one instant */
		classify(r, lim);
		goto out;
	}
	r->slope = median(slopes, m);
	/* Sen (1968): the interval's ends are the pairwise slopes of ranks
	 * (N -/+ z sqrt(var S)) / 2, var S = n(n-1)(2n+5)/18, scaled to the
	 * sampled pairs. */
	double c = 1.959964 * sqrt((double)n * (n - 1) * (2.0 * n + 5) / 18);
	double flo = (total - c) / 2 / total, fhi = (total + c) / 2 / total;
	size_t klo = flo <= 0 ? 0 : (size_t)floor(flo * (double)m);
	size_t khi = fhi >= 1 ? m - 1 : (size_t)ceil(fhi * (double)m);
	if (khi >= m)
		khi = m - 1;
	r->slope_lo = select_k(slopes, 0, m - 1, klo);
	r->slope_hi = select_k(slopes, 0, m - 1, khi);

	for (size_t i = 0; i < n; i++)
		tmp[i] = y[i] - r->slope * t[i];
	r->intercept = median(tmp, n);
	double mean = 0, ss_tot = 0, ss_res = 0;
	for (size_t i = 0; i < n; i++)
		mean += y[i];
	mean /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double e = y[i] - (r->intercept + r->slope * t[i]);
		ss_res += e * e;
		ss_tot += (y[i] - mean) * (y[i] - mean);
		tmp[i] = fabs(e);
	}
	/* R² of a robust line can be negative: the line is not the least
	 * squares one. Clamped at 0, it still reads as "explains nothing". */
	r->r2 = ss_tot > 0 ? fmax(0.0, 1 - ss_res / ss_tot) : NAN;
	r->spread = 1.4826 * median(tmp, n);
	r->rise = r->slope * r->span_s;
	size_t fifth = n / 5 ? n / 5 : 1;
	memcpy(tmp, y, fifth * sizeof(double));
	double head = median(tmp, fifth);
	memcpy(tmp, y + n - fifth, fifth * sizeof(double));
	r->net = median(tmp, fifth) - head;
	classify(r, lim);
out:
	free(t);
	free(y);
	free(tmp);
	free(slopes);
	return rc;
}

int ms_trend_changes(const double *t, const double *y, size_t n, const struct ms_trend_limits *lim,
                     size_t max_checks, size_t *at, enum ms_verdict *v, size_t cap)
{
	if (n == 0 || max_checks == 0)
		return 0;
	size_t checks = n < max_checks ? n : max_checks;
	enum ms_verdict prev = MS_VERDICT_TOO_SHORT;
	size_t stored = 0;
	for (size_t c = 1; c <= checks && stored < cap; c++) {
		size_t end = (size_t)((double)n * (double)c / (double)checks);
		if (end < 2)
			continue;
		struct ms_trend tr;
		if (ms_trend_fit(t, y, end, lim, &tr) < 0)
			return -ENOMEM;
		if (tr.verdict != prev) {
			at[stored] = end - 1;
			v[stored] = tr.verdict;
			stored++;
			prev = tr.verdict;
		}
	}
	return (int)stored;
}
