/* Verdict tables. Units: bytes in B/KiB/MiB/GiB (1024-based), slopes per
 * minute because leaks are watched over minutes. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/trend_text.h"

char *ms_trend_fmt_value(char *buf, double v, bool bytes)
{
	if (isnan(v)) {
		snprintf(buf, MS_FMT_MAX, "-");
		return buf;
	}
	double a = fabs(v);
	if (!bytes) {
		char tmp[MS_FMT_MAX];
		if (a >= 1e15 || v != floor(v))
			snprintf(buf, MS_FMT_MAX, "%.1f", v);
		else
			snprintf(buf, MS_FMT_MAX, "%s%s", v < 0 ? "-" : "", ms_fmt_count(tmp, (uint64_t)a));
		return buf;
	}
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;
	while (a >= 1024 && u < 4) {
		a /= 1024;
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, MS_FMT_MAX, "%.0f B", v);
	else
		snprintf(buf, MS_FMT_MAX, a >= 100 ? "%.0f %s" : a >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
	return buf;
}

char *ms_trend_fmt_delta(char *buf, double v, bool bytes)
{
	char tmp[MS_FMT_MAX];
	if (isnan(v))
		snprintf(buf, MS_FMT_MAX, "-");
	else
		snprintf(buf, MS_FMT_MAX, "%s%s", v > 0 ? "+" : "", ms_trend_fmt_value(tmp, v, bytes));
	return buf;
}

char *ms_trend_fmt_slope(char *buf, double per_s, bool bytes)
{
	char tmp[MS_FMT_MAX];
	double m = per_s * 60;
	if (!bytes && !isnan(m) && m != floor(m))
		snprintf(tmp, sizeof(tmp), "%s%.2f", m > 0 ? "+" : "", m);
	else
		ms_trend_fmt_delta(tmp, m, bytes);
	snprintf(buf, MS_FMT_MAX, "%.50s/min", tmp);
	return buf;
}

int ms_trend_fit_series(const struct ms_series *s, struct ms_trend fits[MS_COL__COUNT],
                        bool has[MS_COL__COUNT])
{
	double *t = malloc((s->n + 1) * sizeof(double)), *y = malloc((s->n + 1) * sizeof(double));
	if (!t || !y) {
		free(t);
		free(y);
		return -ENOMEM;
	}
	int rc = 0;
	for (int c = 0; c < MS_COL__COUNT; c++) {
		has[c] = false;
		if (!ms_cols[c].verdict || !ms_series_has(s, c))
			continue;
		ms_series_column(s, c, t, y);
		struct ms_trend_limits lim = ms_trend_default_limits(ms_cols[c].kind == MS_KIND_BYTES);
		if ((rc = ms_trend_fit(t, y, s->n, &lim, &fits[c])) < 0)
			break;
		has[c] = true;
	}
	free(t);
	free(y);
	return rc;
}

static void fmt_duration(char *buf, double s)
{
	if (s < 120)
		snprintf(buf, MS_FMT_MAX, "%.1f s", s);
	else if (s < 7200)
		snprintf(buf, MS_FMT_MAX, "%.1f min", s / 60);
	else
		snprintf(buf, MS_FMT_MAX, "%.1f h", s / 3600);
}

void ms_trend_print_text(FILE *out, const struct ms_series *s, const struct ms_trend fits[MS_COL__COUNT],
                         const bool has[MS_COL__COUNT], const char *how)
{
	char span[MS_FMT_MAX];
	size_t n = 0;
	double t_span = 0;
	for (int c = 0; c < MS_COL__COUNT; c++)
		if (has[c] && fits[c].n > n) {
			n = fits[c].n;
			t_span = fits[c].span_s;
		}
	fmt_duration(span, t_span);
	fprintf(out, "pid %d (%s): %zu samples over %s%s%s\n", (int)s->pid, s->name[0] ? s->name : "?", n, span,
	        how ? ", " : "", how ? how : "");
	fprintf(out, "  %-12s %10s %10s %11s %14s %29s %5s  %s\n", "counter", "first", "last", "change",
	        "slope", "95% interval", "R2", "verdict");
	for (int c = 0; c < MS_COL__COUNT; c++) {
		if (!has[c])
			continue;
		const struct ms_trend *f = &fits[c];
		bool b = ms_cols[c].kind == MS_KIND_BYTES;
		char first[MS_FMT_MAX], last[MS_FMT_MAX], ch[MS_FMT_MAX], sl[MS_FMT_MAX], lo[MS_FMT_MAX],
			hi[MS_FMT_MAX], ci[2 * MS_FMT_MAX + 4], r2[16];
		ms_trend_fmt_value(first, f->first, b);
		ms_trend_fmt_value(last, f->last, b);
		ms_trend_fmt_delta(ch, f->last - f->first, b);
		ms_trend_fmt_slope(sl, f->slope, b);
		ms_trend_fmt_slope(lo, f->slope_lo, b);
		ms_trend_fmt_slope(hi, f->slope_hi, b);
		/* The interval shares the slope's unit: drop "/min" from its low end. */
		char *cut = strstr(lo, "/min");
		if (cut)
			*cut = 0;
		snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
		if (isnan(f->r2))
			snprintf(r2, sizeof(r2), "-");
		else
			snprintf(r2, sizeof(r2), "%.2f", f->r2);
		bool short_ = f->verdict == MS_VERDICT_TOO_SHORT;
		fprintf(out, "  %-12s %10s %10s %11s %14s %29s %5s  %s\n", ms_cols[c].name, first, last, ch,
		        short_ ? "-" : sl, short_ ? "-" : ci, short_ ? "-" : r2, ms_verdict_name(f->verdict));
	}
}

static int64_t i64(double v)
{
	if (isnan(v))
		return 0;
	if (v > 9.2e18)
		return INT64_MAX;
	if (v < -9.2e18)
		return INT64_MIN;
	return (int64_t)llround(v);
}

void ms_trend_print_json(struct ms_json *j, const struct ms_series *s, const struct ms_trend fits[MS_COL__COUNT],
                         const bool has[MS_COL__COUNT], const char *how)
{
	ms_json_object_begin(j);
	ms_json_key(j, "pid");
	ms_json_i64(j, s->pid);
	ms_json_kv_str(j, "name", s->name);
	if (how)
		ms_json_kv_str(j, "end", how);
	ms_json_key(j, "counters");
	ms_json_object_begin(j);
	for (int c = 0; c < MS_COL__COUNT; c++) {
		if (!has[c])
			continue;
		const struct ms_trend *f = &fits[c];
		ms_json_key(j, ms_cols[c].name);
		ms_json_object_begin(j);
		ms_json_kv_str(j, "unit", ms_cols[c].kind == MS_KIND_BYTES ? "bytes" : "count");
		ms_json_kv_u64(j, "samples", f->n);
		ms_json_key(j, "span_ms");
		ms_json_i64(j, i64(f->span_s * 1000));
		ms_json_key(j, "first");
		ms_json_i64(j, i64(f->first));
		ms_json_key(j, "last");
		ms_json_i64(j, i64(f->last));
		ms_json_key(j, "slope_per_min");
		ms_json_i64(j, i64(f->slope * 60));
		ms_json_key(j, "slope_lo_per_min");
		ms_json_i64(j, i64(f->slope_lo * 60));
		ms_json_key(j, "slope_hi_per_min");
		ms_json_i64(j, i64(f->slope_hi * 60));
		ms_json_key(j, "r2_ppm");
		if (isnan(f->r2))
			ms_json_null(j);
		else
			ms_json_i64(j, i64(f->r2 * 1e6));
		ms_json_key(j, "threshold");
		ms_json_i64(j, i64(f->threshold));
		ms_json_kv_str(j, "verdict", ms_verdict_name(f->verdict));
		ms_json_object_end(j);
	}
	ms_json_object_end(j);
	ms_json_object_end(j);
}
