/* What `memscope monitor` shows while it runs: a live table redrawn in place
 * on a terminal, or one timestamped line per process and sample otherwise.
 * Presentation only: the numbers come from src/proc. */
#ifndef MS_CLI_MON_VIEW_H
#define MS_CLI_MON_VIEW_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "proc/samplelog.h"
#include "proc/series.h"
#include "proc/trend.h"
#include "proc/watch.h"

/* One watched process and everything the monitor keeps about it. */
struct ms_mon_target {
	struct ms_watch w;
	struct ms_series s;
	struct ms_sample last;
	bool active;   /* still sampled */
	char how[96];  /* how it ended, once !active */
	struct ms_samplelog csv, jsonl;
	char csv_path[PATH_MAX], jsonl_path[PATH_MAX], svg_path[PATH_MAX];
	struct ms_trend fits[MS_COL__COUNT]; /* live verdicts */
	bool has_fit[MS_COL__COUNT];
};

struct ms_mon_view {
	FILE *out;
	bool live;     /* a terminal: the table, redrawn in place */
	bool keys;     /* q/p/r are read from stdin */
	bool paused;   /* the table is frozen (sampling and logging go on) */
	double interval, elapsed;
};

/* One line per sample: "12:34:56.789 pid 1234 name: rss 31.0 MiB (+29.8 MiB) ...". */
void ms_mon_view_line(const struct ms_mon_view *v, const struct ms_mon_target *t);

/* The whole table; clears the screen first. */
void ms_mon_view_table(const struct ms_mon_view *v, const struct ms_mon_target *ts, size_t n);

/* Enters and leaves the terminal's alternate screen (live mode only). */
void ms_mon_view_begin(const struct ms_mon_view *v);
void ms_mon_view_end(const struct ms_mon_view *v);

#endif
