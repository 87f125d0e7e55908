/* Column table and sample storage for monitor, trend and plot. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/series.h"

const struct ms_col_info ms_cols[MS_COL__COUNT] = {
	[MS_COL_RSS] = {"rss", "rss", MS_KIND_BYTES, false, true},
	[MS_COL_RSS_ANON] = {"rss_anon", "  anon", MS_KIND_BYTES, false, true},
	[MS_COL_RSS_FILE] = {"rss_file", "  file", MS_KIND_BYTES, false, true},
	[MS_COL_RSS_SHMEM] = {"rss_shmem", "  shmem", MS_KIND_BYTES, false, true},
	[MS_COL_PSS] = {"pss", "pss", MS_KIND_BYTES, false, true},
	[MS_COL_PRIVATE] = {"private", "private", MS_KIND_BYTES, false, true},
	[MS_COL_VIRTUAL] = {"virtual", "virtual", MS_KIND_BYTES, false, true},
	[MS_COL_SWAP] = {"swap", "swap", MS_KIND_BYTES, false, true},
	[MS_COL_HEAP] = {"heap", "heap", MS_KIND_BYTES, false, true},
	[MS_COL_MINFLT] = {"minflt", "minor faults", MS_KIND_TOTAL, false, false},
	[MS_COL_MAJFLT] = {"majflt", "major faults", MS_KIND_TOTAL, false, false},
	[MS_COL_FAULTS_PS] = {"faults_per_s", "faults/s", MS_KIND_RATE, false, false},
	[MS_COL_THREADS] = {"threads", "threads", MS_KIND_COUNT, false, true},
	[MS_COL_LIVE_BYTES] = {"live_bytes", "live heap", MS_KIND_BYTES, true, true},
	[MS_COL_LIVE_BLOCKS] = {"live_blocks", "live blocks", MS_KIND_COUNT, true, true},
	[MS_COL_ALLOCS] = {"allocs", "allocations", MS_KIND_TOTAL, true, false},
	[MS_COL_FREES] = {"frees", "frees", MS_KIND_TOTAL, true, false},
	[MS_COL_ALLOCS_PS] = {"allocs_per_s", "allocs/s", MS_KIND_RATE, true, false},
	[MS_COL_FREES_PS] = {"frees_per_s", "frees/s", MS_KIND_RATE, true, false},
};

int ms_col_lookup(const char *name)
{
	for (int i = 0; i < MS_COL__COUNT; i++)
		if (!strcmp(ms_cols[i].name, name))
			return i;
	return -1;
}

void ms_series_init(struct ms_series *s, pid_t pid, const char *name, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
	s->max = max >= 4 ? max & ~(size_t)1 : 20000;
	s->stride = 1;
}

int ms_series_append(struct ms_series *s, const struct ms_sample *row)
{
	if (++s->pending < s->stride)
		return 0;
	s->pending = 0;
	if (s->n == s->max) {
		for (size_t i = 0; i < s->n / 2; i++)
			s->rows[i] = s->rows[2 * i];
		s->n /= 2;
		s->stride *= 2;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		if (cap > s->max)
			cap = s->max;
		struct ms_sample *r = realloc(s->rows, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		s->rows = r;
		s->cap = cap;
	}
	s->rows[s->n++] = *row;
	return 0;
}

void ms_series_release(struct ms_series *s)
{
	free(s->rows);
	s->rows = NULL;
	s->n = s->cap = 0;
}

void ms_series_column(const struct ms_series *s, enum ms_col col, double *t, double *y)
{
	for (size_t i = 0; i < s->n; i++) {
		t[i] = s->rows[i].t;
		y[i] = s->rows[i].v[col];
	}
}

bool ms_series_has(const struct ms_series *s, enum ms_col col)
{
	for (size_t i = 0; i < s->n; i++)
		if (!isnan(s->rows[i].v[col]))
			return true;
	return false;
}
