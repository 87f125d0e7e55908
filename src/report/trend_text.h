/* Text and JSON for growth verdicts (`monitor`'s end report, `trend`), and
 * the signed human units they and the plot share. */
#ifndef MS_REPORT_TREND_TEXT_H
#define MS_REPORT_TREND_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "proc/series.h"
#include "proc/trend.h"
#include "report/json.h"
#include "report/units.h"

/* Human value: "12.3 MiB" for bytes, "1,234" or "12.5" for counts. */
char *ms_trend_fmt_value(char *buf, double v, bool bytes);
/* Signed: "+12.3 MiB", "-4 KiB", "0 B". */
char *ms_trend_fmt_delta(char *buf, double v, bool bytes);
/* A slope given per second, shown per minute: "+600 MiB/min". */
char *ms_trend_fmt_slope(char *buf, double per_s, bool bytes);

/* The fit of every column with a verdict that has values in s (NAN-free
 * columns), in fits[col]; has[col] says which were fitted. Returns 0 or
 * -ENOMEM. */
int ms_trend_fit_series(const struct ms_series *s, struct ms_trend fits[MS_COL__COUNT],
                        bool has[MS_COL__COUNT]);

/* Prints one process's verdict table: a header line (how is e.g. "exited
 * with status 0", or NULL), then one line per fitted counter. */
void ms_trend_print_text(FILE *out, const struct ms_series *s, const struct ms_trend fits[MS_COL__COUNT],
                         const bool has[MS_COL__COUNT], const char *how);

/* The same as one JSON object (the caller opens and closes the enclosing
 * array). Fractional values are written as integers in the unit their key
 * names (slope_per_min, r2_ppm, span_ms): json.h writes integers only. */
void ms_trend_print_json(struct ms_json *j, const struct ms_series *s, const struct ms_trend fits[MS_COL__COUNT],
                         const bool has[MS_COL__COUNT], const char *how);

#endif
