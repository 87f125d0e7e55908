/* Growth verdicts: is a counter growing, and how fast? Pure functions over a
 * time series, shared by `monitor` (live and at the end), `trend` and `plot`.
 *
 * Method (docs/monitor.md has the prose and the reasons):
 *   slope     Theil-Sen: the median of the slopes of all pairs of samples
 *             (a deterministic sample of MS_TREND_MAX_PAIRS pairs when there
 *             are more), robust to a minority of outliers (29%);
 *   interval  Sen's 95% confidence interval, from the ranks of the pairwise
 *             slopes given by the variance of Kendall's S;
 *   R²        of the Theil-Sen line (NAN when the series is constant);
 *   rise      slope x time span; net = median of the last fifth minus median
 *             of the first fifth; spread = 1.4826 x MAD of the residuals.
 * Verdict, with threshold = max(abs_floor, rel_floor x |median level|):
 *   too short  fewer than min_samples samples, or a span under min_span_s;
 *   growing    interval above 0, rise >= threshold, net >= threshold / 2;
 *   shrinking  interval below 0, rise <= -threshold, net <= -threshold / 2;
 *   stable     |rise| < threshold and spread < threshold;
 *   noisy      anything else: changes above the threshold without a trend. */
#ifndef MS_PROC_TREND_H
#define MS_PROC_TREND_H

#include <stddef.h>

#define MS_TREND_MAX_PAIRS 200000

enum ms_verdict {
	MS_VERDICT_TOO_SHORT = 0,
	MS_VERDICT_STABLE,
	MS_VERDICT_GROWING,
	MS_VERDICT_SHRINKING,
	MS_VERDICT_NOISY,
};

struct ms_trend_limits {
	size_t min_samples; /* default 10 */
	double min_span_s;  /* default 1 s */
	double abs_floor;   /* in the counter's unit: 256 KiB for bytes */
	double rel_floor;   /* fraction of the median level: 0.01 */
};

struct ms_trend {
	size_t n;           /* samples used (NAN values are skipped) */
	double t0, span_s;  /* first time and time span, seconds */
	double slope;       /* units per second */
	double slope_lo, slope_hi; /* 95% interval of the slope */
	double intercept;   /* value of the line at t = 0 */
	double r2;          /* NAN when the series is constant */
	double first, last; /* first and last values */
	double level, rise, net, spread, threshold;
	enum ms_verdict verdict;
};

/* Default limits for a counter of bytes (bytes = 1) or of things (0). */
struct ms_trend_limits ms_trend_default_limits(int bytes);

/* Fits t[i], y[i] (n samples, t non-decreasing, NAN in y skipped). Returns 0,
 * or -ENOMEM. With fewer than 2 usable samples the verdict is too short and
 * the slope 0. */
int ms_trend_fit(const double *t, const double *y, size_t n, const struct ms_trend_limits *lim,
                 struct ms_trend *out);

/* "growing", "stable", "shrinking", "noisy" or "too short to tell". */
const char *ms_verdict_name(enum ms_verdict v);

/* Where the verdict changes as samples arrive: evaluates prefixes of the
 * series at up to max_checks evenly spaced ends and stores the index of each
 * prefix end whose verdict differs from the previous one (the first verdict
 * other than too-short counts as a change) in at[], its verdict in v[], at
 * most cap entries. Returns the number stored, or -ENOMEM. */
int ms_trend_changes(const double *t, const double *y, size_t n, const struct ms_trend_limits *lim,
                     size_t max_checks, size_t *at, enum ms_verdict *v, size_t cap);

#endif
