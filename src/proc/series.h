/* The samples of one watched process: a fixed set of columns (the counters
 * `monitor` logs), a growing table of rows, and the column table that names
 * them in logs, plots and verdicts. A value that could not be read is NAN. */
#ifndef MS_PROC_SERIES_H
#define MS_PROC_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum ms_col {
	MS_COL_RSS,
	MS_COL_RSS_ANON,
	MS_COL_RSS_FILE,
	MS_COL_RSS_SHMEM,
	MS_COL_PSS,
	MS_COL_PRIVATE,
	MS_COL_VIRTUAL,
	MS_COL_SWAP,
	MS_COL_HEAP,
	MS_COL_MINFLT,
	MS_COL_MAJFLT,
	MS_COL_FAULTS_PS,
	MS_COL_THREADS,
	MS_COL_LIVE_BYTES,
	MS_COL_LIVE_BLOCKS,
	MS_COL_ALLOCS,
	MS_COL_FREES,
	MS_COL_ALLOCS_PS,
	MS_COL_FREES_PS,
	MS_COL__COUNT
};

enum ms_col_kind {
	MS_KIND_BYTES, /* a level in bytes */
	MS_KIND_COUNT, /* a level in things (threads, blocks) */
	MS_KIND_TOTAL, /* a cumulative count (faults, allocations) */
	MS_KIND_RATE,  /* per second, computed from a total */
};

struct ms_col_info {
	const char *name;  /* in logs and on the command line */
	const char *label; /* in tables */
	enum ms_col_kind kind;
	bool runtime; /* from the runtime's stats page */
	bool verdict; /* gets a growth verdict */
};

extern const struct ms_col_info ms_cols[MS_COL__COUNT];

/* The column named name, or -1. */
int ms_col_lookup(const char *name);

struct ms_sample {
	double t;       /* seconds since the monitor started */
	double unix_ms; /* wall clock, milliseconds since the epoch */
	double v[MS_COL__COUNT];
};

/* Rows in time order. To bound memory on long runs, once max rows are
 * stored every other row is dropped and later rows are kept at the doubled
 * stride: the table always spans the whole run at an even resolution (the
 * log on disk keeps every sample). */
struct ms_series {
	pid_t pid;
	char name[64];
	struct ms_sample *rows;
	size_t n, cap, max;
	size_t stride, pending; /* keep one row in stride; rows since the last kept */
};

/* max = 0 means the default (20000 rows). */
void ms_series_init(struct ms_series *s, pid_t pid, const char *name, size_t max);
/* Returns 0 or -ENOMEM (the row is then not stored). */
int ms_series_append(struct ms_series *s, const struct ms_sample *row);
void ms_series_release(struct ms_series *s);

/* Copies the times and one column's values into t[] and y[] (s->n each). */
void ms_series_column(const struct ms_series *s, enum ms_col col, double *t, double *y);

/* True when some row has a value in col. */
bool ms_series_has(const struct ms_series *s, enum ms_col col);

#endif
