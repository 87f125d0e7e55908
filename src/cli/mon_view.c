/* Live table and plain lines of `memscope monitor`. The rate column is the
 * change over the last RATE_WINDOW seconds (or since the start, if shorter):
 * per-sample deltas of page-granular counters jump too much to read. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "cli/mon_view.h"
#include "report/trend_text.h"

#define RATE_WINDOW 5.0

/* Counters shown, in order; the runtime's are shown only under memscope. */
static const enum ms_col shown[] = {
	MS_COL_RSS, MS_COL_RSS_ANON, MS_COL_RSS_FILE, MS_COL_RSS_SHMEM, MS_COL_PSS, MS_COL_PRIVATE,
	MS_COL_VIRTUAL, MS_COL_SWAP, MS_COL_HEAP, MS_COL_FAULTS_PS, MS_COL_THREADS,
	MS_COL_LIVE_BYTES, MS_COL_LIVE_BLOCKS, MS_COL_ALLOCS_PS, MS_COL_FREES_PS,
};

static double recent_rate(const struct ms_mon_target *t, enum ms_col c)
{
	const struct ms_series *s = &t->s;
	if (s->n < 2)
		return NAN;
	/* Binary search for the first row inside the window. */
	size_t lo = 0, hi = s->n - 1;
	double from = t->last.t - RATE_WINDOW;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->rows[mid].t < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct ms_sample *r = &s->rows[lo];
	double dt = t->last.t - r->t;
	if (dt <= 0 || isnan(r->v[c]) || isnan(t->last.v[c]))
		return NAN;
	return (t->last.v[c] - r->v[c]) / dt;
}

static void stamp(char *buf, size_t cap, double unix_ms)
{
	time_t secs = (time_t)(unix_ms / 1000);
	struct tm tm;
	localtime_r(&secs, &tm);
	size_t n = strftime(buf, cap, "%H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%03d", (int)fmod(unix_ms, 1000));
}

void ms_mon_view_line(const struct ms_mon_view *v, const struct ms_mon_target *t)
{
	char ts[32], a[MS_FMT_MAX], d[MS_FMT_MAX];
	stamp(ts, sizeof(ts), t->last.unix_ms);
	fprintf(v->out, "%s pid %d %s:", ts, (int)t->w.pid, t->w.comm);
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		enum ms_col c = shown[i];
		double now = t->last.v[c];
		if (isnan(now) || c == MS_COL_RSS_ANON || c == MS_COL_RSS_FILE || c == MS_COL_RSS_SHMEM)
			continue;
		bool b = ms_cols[c].kind == MS_KIND_BYTES;
		if (ms_cols[c].kind == MS_KIND_RATE)
			fprintf(v->out, " %s %.0f", ms_cols[c].name, now);
		else
			fprintf(v->out, " %s %s (%s)", ms_cols[c].name, ms_trend_fmt_value(a, now, b),
			        ms_trend_fmt_delta(d, now - t->w.first.v[c], b));
	}
	fputc('\n', v->out);
	fflush(v->out);
}

static void target_table(const struct ms_mon_view *v, const struct ms_mon_target *t)
{
	fprintf(v->out, "pid %d %s%s%s\n", (int)t->w.pid, t->w.comm,
	        t->w.has_stats ? "  (under memscope: live heap from the runtime)" : "  (not under memscope)",
	        t->active ? "" : "");
	if (!t->active) {
		fprintf(v->out, "  %s\n\n", t->how);
		return;
	}
	fprintf(v->out, "  %-13s %11s %12s %14s %15s  %s\n", "counter", "now", "change", "rate", "trend",
	        "verdict");
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		enum ms_col c = shown[i];
		if (ms_cols[c].runtime && !t->w.has_stats)
			continue; /* the runtime's columns exist only under memscope */
		double now = t->last.v[c];
		bool b = ms_cols[c].kind == MS_KIND_BYTES;
		char nowb[MS_FMT_MAX], ch[MS_FMT_MAX], rate[MS_FMT_MAX + 4], tr[MS_FMT_MAX];
		if (ms_cols[c].kind == MS_KIND_RATE) {
			snprintf(nowb, sizeof(nowb), isnan(now) ? "-" : "%.0f", now);
			fprintf(v->out, "  %-13s %11s\n", ms_cols[c].label, nowb);
			continue;
		}
		ms_trend_fmt_value(nowb, now, b);
		ms_trend_fmt_delta(ch, now - t->w.first.v[c], b);
		double r = recent_rate(t, c);
		char tmp[MS_FMT_MAX];
		snprintf(rate, sizeof(rate), "%s/s", ms_trend_fmt_delta(tmp, b ? r : round(r * 10) / 10, b));
		if (isnan(r))
			snprintf(rate, sizeof(rate), "-");
		const char *verdict = "";
		snprintf(tr, sizeof(tr), "-");
		if (t->has_fit[c]) {
			verdict = ms_verdict_name(t->fits[c].verdict);
			if (t->fits[c].verdict != MS_VERDICT_TOO_SHORT)
				ms_trend_fmt_slope(tr, t->fits[c].slope, b);
		}
		fprintf(v->out, "  %-13s %11s %12s %14s %15s  %s\n", ms_cols[c].label, nowb, ch, rate, tr, verdict);
	}
	fputc('\n', v->out);
}

void ms_mon_view_table(const struct ms_mon_view *v, const struct ms_mon_target *ts, size_t n)
{
	/* Home and clear, then the whole table: simpler and as flicker-free as
	 * patching lines, since it is written in one buffered burst. */
	fputs("\033[H\033[J", v->out);
	int e = (int)v->elapsed;
	fprintf(v->out, "memscope monitor: every %g s, %02d:%02d:%02d elapsed%s%s\n\n", v->interval, e / 3600,
	        e / 60 % 60, e % 60, v->keys ? "   q quit  p pause  r resume" : "",
	        v->paused ? "   [paused]" : "");
	for (size_t i = 0; i < n; i++)
		target_table(v, &ts[i]);
	fflush(v->out);
}

void ms_mon_view_begin(const struct ms_mon_view *v)
{
	if (v->live) {
		fputs("\033[?1049h\033[?25l", v->out); /* alternate screen, hide cursor */
		fflush(v->out);
	}
}

void ms_mon_view_end(const struct ms_mon_view *v)
{
	if (v->live) {
		fputs("\033[?25h\033[?1049l", v->out);
		fflush(v->out);
	}
}
