/* A self-contained SVG line chart of counters over time (`memscope plot`,
 * `monitor --svg`): axes in human units, legend, each line's fitted trend
 * and markers where its growth verdict changes. No scripts, no external
 * fonts or styles: any browser shows it as it is. */
#ifndef MS_REPORT_PLOT_SVG_H
#define MS_REPORT_PLOT_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "proc/series.h"
#include "proc/trend.h"

struct ms_plot_line {
	const char *label;      /* legend text, e.g. "rss" */
	const double *t, *y;    /* n samples, t in seconds, NAN in y = gap */
	size_t n;
	const struct ms_trend *fit; /* dashed trend line and verdict; may be NULL */
	const size_t *marks;        /* sample indices where the verdict changes */
	const enum ms_verdict *mark_verdicts;
	size_t nmarks;
};

struct ms_plot {
	const char *title;
	const char *subtitle; /* may be NULL */
	bool bytes;           /* y values are bytes (KiB/MiB/GiB), else counts */
	const struct ms_plot_line *lines;
	size_t nlines;
};

/* Writes the chart to out. Returns 0, -EINVAL when there is nothing to plot
 * (no line with a value), -ENOMEM, or -EIO on a write error. */
int ms_plot_svg(FILE *out, const struct ms_plot *p);

/* The chart of one process's series: a line, a fit and verdict-change
 * markers for each of cols[0..ncols) (all bytes, or all counts: one axis).
 * Returns 0, -EINVAL (mixed units, or no value in any chosen column),
 * -ENOMEM or -EIO. */
int ms_plot_series(FILE *out, const struct ms_series *s, const enum ms_col *cols, size_t ncols,
                   const char *subtitle);

#endif
