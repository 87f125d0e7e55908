/* Pieces shared by the watching commands (monitor, trend, plot): option
 * values and loading a saved log. Each prints its own error line. */
#ifndef MS_CLI_MON_COMMON_H
#define MS_CLI_MON_COMMON_H

#include <stddef.h>

#include "proc/series.h"

/* Parses a duration: a number with an optional unit ms, s (default), m or
 * h, e.g. "50ms", "0.5", "2m". Returns 0 with seconds in *out, or -1 with a
 * message naming opt when val is not a duration from min_s to max_s. */
int ms_mon_parse_duration(const char *opt, const char *val, double min_s, double max_s, double *out);

/* Parses a comma-separated list of counter names (see ms_cols) into cols
 * (at most max). Returns the count, or -1 with a message. */
int ms_mon_parse_counters(const char *opt, const char *val, enum ms_col *cols, int max);

/* Loads a CSV log. Returns 0 with the series (release each, free the array)
 * or -1 with a message. */
int ms_mon_load_csv(const char *path, struct ms_series **out, size_t *n);

void ms_mon_free_series(struct ms_series *s, size_t n);

/* The series of pid (or the only one when pid is 0). Returns NULL with a
 * message. */
const struct ms_series *ms_mon_pick_series(const char *path, const struct ms_series *s, size_t n, long pid);

#endif
