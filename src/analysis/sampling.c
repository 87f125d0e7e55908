#include "analysis/sampling.h"

#include <math.h>
#include <string.h>

/* x = s/R from e = w/R = x / (1 - exp(-x)). h(x) = x - e(1 - exp(-x)) is
 * convex with h(0) = 0 and one positive root; Newton's method started to
 * the root's right stays there and falls to it monotonically. Both e and
 * 2(e - 1) lie to the right, since x/(1 - exp(-x)) >= max(x, 1 + x/2). */
static double size_over_rate(double e)
{
	if (e <= 1)
		return 0; /* s << R: w rounds to R */
	double x = 2 * (e - 1) < e ? 2 * (e - 1) : e;
	for (int i = 0; i < 100; i++) {
		double q = exp(-x);
		double h = x - e * (1 - q), d = 1 - e * q;
		if (h <= 0 || d <= 0)
			break; /* at the root, to rounding */
		double next = x - h / d;
		if (next >= x || x - next <= x * 1e-15)
			return next < x ? next : x;
		x = next;
	}
	return x;
}

double ms_sample_var(uint64_t w, uint64_t rate)
{
	if (!rate || !w)
		return 0;
	double r = (double)rate, e = (double)w / r;
	double x = size_over_rate(e);
	double dw = (double)w;
	return dw * dw * exp(-x); /* 1 - p = exp(-s/R) */
}

void ms_sample_memo_init(struct ms_sample_memo *m, uint64_t rate)
{
	memset(m, 0, sizeof(*m));
	m->rate = rate;
}

double ms_sample_var_memo(struct ms_sample_memo *m, uint64_t w)
{
	size_t i = (size_t)((w * 0x9E3779B97F4A7C15ull) >> 54); /* 10 bits: MS_SAMPLE_MEMO */
	if (m->w[i] != w) {
		m->v[i] = ms_sample_var(w, m->rate);
		m->w[i] = w;
	}
	return m->v[i];
}

static uint64_t round_bytes(double v)
{
	return v >= 0x1p63 ? UINT64_MAX / 2 : (uint64_t)(v + 0.5);
}

uint64_t ms_sample_stderr(double var)
{
	return var > 0 ? round_bytes(sqrt(var)) : 0;
}

uint64_t ms_sample_ci95(double var)
{
	return var > 0 ? round_bytes(1.959963984540054 * sqrt(var)) : 0;
}
