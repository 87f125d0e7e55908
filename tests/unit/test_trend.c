/* Theil-Sen slope, Sen's interval and the verdict rules (src/proc/trend.c)
 * on series whose answer is known by construction. */
#include <errno.h>
#include <stdlib.h>

#include "mon_assert.h"
#include "proc/trend.h"

#define MIB (1024.0 * 1024)

static struct ms_trend fit(const double *t, const double *y, size_t n, int bytes)
{
	struct ms_trend_limits lim = ms_trend_default_limits(bytes);
	struct ms_trend r;
	ASSERT_EQ_I64(ms_trend_fit(t, y, n, &lim, &r), 0);
	return r;
}

/* A deterministic pseudo-random number in [-1, 1). */
static double noise(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return ((*s >> 8) & 0xffff) / 32768.0 - 1;
}

static void test_exact_line(void)
{
	double t[60], y[60];
	for (int i = 0; i < 60; i++) {
		t[i] = i * 0.05;
		y[i] = 4 * MIB + 10 * MIB * t[i]; /* 1 MiB per 100 ms */
	}
	struct ms_trend r = fit(t, y, 60, 1);
	ASSERT_NEAR(r.slope, 10 * MIB, 1e-6);
	ASSERT_NEAR(r.slope_lo, 10 * MIB, 1e-6);
	ASSERT_NEAR(r.slope_hi, 10 * MIB, 1e-6);
	ASSERT_NEAR(r.intercept, 4 * MIB, 1e-3);
	ASSERT_NEAR(r.r2, 1.0, 1e-12);
	ASSERT_EQ_I64(r.verdict, MS_VERDICT_GROWING);
	ASSERT_EQ_STR(ms_verdict_name(r.verdict), "growing");
	ASSERT_EQ_U64(r.n, 60);
	ASSERT_NEAR(r.span_s, 2.95, 1e-12);
}

static void test_outliers_do_not_move_the_slope(void)
{
	/* 20% of the samples are wild spikes: Theil-Sen ignores them. */
	double t[100], y[100];
	for (int i = 0; i < 100; i++) {
		t[i] = i;
		y[i] = 1000 + 3.0 * i + (i % 5 == 0 ? 1e6 : 0);
	}
	struct ms_trend r = fit(t, y, 100, 0);
	ASSERT_NEAR(r.slope, 3.0, 1e-9);
	ASSERT_TRUE(r.slope_lo <= 3.0 && r.slope_hi >= 3.0);
}

static void test_constant_is_stable(void)
{
	double t[30], y[30];
	for (int i = 0; i < 30; i++) {
		t[i] = i * 0.1;
		y[i] = 8 * MIB;
	}
	struct ms_trend r = fit(t, y, 30, 1);
	ASSERT_NEAR(r.slope, 0, 0);
	ASSERT_TRUE(isnan(r.r2)); /* nothing to explain */
	ASSERT_EQ_I64(r.verdict, MS_VERDICT_STABLE);
}

static void test_small_noise_is_stable_big_noise_is_noisy(void)
{
	double t[200], y[200];
	unsigned s = 7;
	for (int i = 0; i < 200; i++) {
		t[i] = i * 0.1;
		y[i] = 100 * MIB + 20 * 1024 * noise(&s); /* +-20 KiB: under the 1 MiB threshold */
	}
	struct ms_trend r = fit(t, y, 200, 1);
	ASSERT_NEAR(r.threshold, 1 * MIB, 300); /* 1% of ~100 MiB */
	ASSERT_EQ_I64(r.verdict, MS_VERDICT_STABLE);
	for (int i = 0; i < 200; i++)
		y[i] = 100 * MIB + 30 * MIB * noise(&s);
	r = fit(t, y, 200, 1);
	ASSERT_EQ_I64(r.verdict, MS_VERDICT_NOISY);
}

static void test_too_short(void)
{
	double t[9], y[9];
	for (int i = 0; i < 9; i++) {
		t[i] = i;
		y[i] = i * MIB;
	}
	ASSERT_EQ_I64(fit(t, y, 9, 1).verdict, MS_VERDICT_TOO_SHORT); /* 9 < 10 samples */
	double t2[20], y2[20];
	for (int i = 0; i < 20; i++) {
		t2[i] = i * 0.04; /* 0.76 s < 1 s */
		y2[i] = i * MIB;
	}
	ASSERT_EQ_I64(fit(t2, y2, 20, 1).verdict, MS_VERDICT_TOO_SHORT);
	ASSERT_EQ_STR(ms_verdict_name(MS_VERDICT_TOO_SHORT), "too short to tell");
	struct ms_trend r = fit(t, y, 0, 1);
	ASSERT_EQ_I64(r.verdict, MS_VERDICT_TOO_SHORT);
	ASSERT_EQ_U64(r.n, 0);
}

static void test_shrinking(void)
{
	double t[40], y[40];
	for (int i = 0; i < 40; i++) {
		t[i] = i * 0.1;
		y[i] = 64 * MIB - 2 * MIB * t[i];
	}
	struct ms_trend r = fit(t, y, 40, 1);
	ASSERT_NEAR(r.slope, -2 * MIB, 1e-6);
	ASSERT_EQ_I64(r.verdict, MS_VERDICT_SHRINKING);
}

static void test_grow_then_free_is_stable(void)
{
	/* 20 samples rising by 10 MiB, then back to the start for 40: the shape
	 * of tests/targets/mon_grow_free.c (which also holds its peak for 0.3 s
	 * and its end for 4 s, so that a loaded machine's skipped samples
	 * cannot change it). */
	double t[60], y[60];
	for (int i = 0; i < 60; i++) {
		t[i] = i * 0.05;
		y[i] = 2 * MIB + (i < 20 ? 10 * MIB * t[i] : 0);
	}
	struct ms_trend r = fit(t, y, 60, 1);
	ASSERT_NEAR(r.slope, 0, 0);
	ASSERT_EQ_I64(r.verdict, MS_VERDICT_STABLE);
	/* ... and the verdict was "growing" first, then changed. */
	size_t at[8];
	enum ms_verdict v[8];
	struct ms_trend_limits lim = ms_trend_default_limits(1);
	int n = ms_trend_changes(t, y, 60, &lim, 60, at, v, 8);
	ASSERT_TRUE(n >= 2);
	ASSERT_EQ_I64(v[0], MS_VERDICT_GROWING);
	ASSERT_EQ_U64(at[0], 20); /* 21 samples span 1 s: too short before */
	ASSERT_EQ_I64(v[n - 1], MS_VERDICT_STABLE);
}

static void test_nan_values_are_skipped(void)
{
	double t[30], y[30];
	for (int i = 0; i < 30; i++) {
		t[i] = i * 0.1;
		y[i] = i % 3 == 0 ? NAN : 5.0 * i;
	}
	struct ms_trend r = fit(t, y, 30, 0);
	ASSERT_EQ_U64(r.n, 20);
	ASSERT_NEAR(r.slope, 50, 1e-9);
}

static void test_sampled_pairs_on_long_series(void)
{
	/* 5000 samples: 12.5 M pairs, more than MS_TREND_MAX_PAIRS, so pairs
	 * are sampled. The slope of a noisy line stays within 1%. */
	size_t n = 5000;
	double *t = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
	ASSERT_TRUE(t && y);
	unsigned s = 11;
	for (size_t i = 0; i < n; i++) {
		t[i] = (double)i;
		y[i] = 1e6 + 100.0 * (double)i + 5000 * noise(&s);
	}
	struct ms_trend r = fit(t, y, n, 1);
	ASSERT_NEAR(r.slope, 100, 1);
	ASSERT_TRUE(r.slope_lo < r.slope && r.slope < r.slope_hi);
	ASSERT_TRUE(r.slope_lo > 99 && r.slope_hi < 101);
	ASSERT_EQ_I64(r.verdict, MS_VERDICT_GROWING);
	/* The same series gives the same answer: the sample is deterministic. */
	struct ms_trend r2 = fit(t, y, n, 1);
	ASSERT_TRUE(r2.slope == r.slope && r2.slope_lo == r.slope_lo);
	free(t);
	free(y);
}

static void test_interval_covers_noisy_slope(void)
{
	double t[120], y[120];
	unsigned s = 3;
	for (int i = 0; i < 120; i++) {
		t[i] = i * 0.5;
		y[i] = 50 * MIB + 64 * 1024 * t[i] + 512 * 1024 * noise(&s);
	}
	struct ms_trend r = fit(t, y, 120, 1);
	ASSERT_TRUE(r.slope_lo <= 64 * 1024 && 64 * 1024 <= r.slope_hi);
	ASSERT_TRUE(r.slope_lo > 0);
	ASSERT_TRUE(r.r2 > 0.5 && r.r2 <= 1);
	ASSERT_EQ_I64(r.verdict, MS_VERDICT_GROWING);
}

static void test_count_thresholds(void)
{
	/* Threads going 1 -> 2 once is not growth; a thread a second is. */
	double t[40], y[40];
	for (int i = 0; i < 40; i++) {
		t[i] = i * 0.1;
		y[i] = 1 + (double)(i / 10);
	}
	struct ms_trend r = fit(t, y, 40, 0);
	ASSERT_NEAR(r.threshold, 1, 0);
	ASSERT_EQ_I64(r.verdict, MS_VERDICT_GROWING);
	for (int i = 0; i < 40; i++)
		y[i] = i < 35 ? 1 : 2;
	ASSERT_EQ_I64(fit(t, y, 40, 0).verdict, MS_VERDICT_STABLE);
}

int main(void)
{
	test_exact_line();
	test_outliers_do_not_move_the_slope();
	test_constant_is_stable();
	test_small_noise_is_stable_big_noise_is_noisy();
	test_too_short();
	test_shrinking();
	test_grow_then_free_is_stable();
	test_nan_values_are_skipped();
	test_sampled_pairs_on_long_series();
	test_interval_covers_noisy_slope();
	test_count_thresholds();
	return 0;
}
