/* SVG line chart. Geometry: a fixed 1000 x 560 canvas, the plot area on the
 * left, the legend on the right; every coordinate is computed here, so the
 * file needs no script and renders the same everywhere. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot_svg.h"
#include "report/trend_text.h"

#define W 1000
#define H 560
#define X0 90.0  /* plot area */
#define X1 720.0
#define Y0 70.0
#define Y1 490.0
#define MAX_POINTS 1500 /* per line; more samples are reduced to min/max per bucket */

static const char *palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};

static const char *verdict_color(enum ms_verdict v)
{
	switch (v) {
	case MS_VERDICT_GROWING:
		return "#c0392b";
	case MS_VERDICT_STABLE:
		return "#27ae60";
	case MS_VERDICT_SHRINKING:
		return "#2471a3";
	case MS_VERDICT_NOISY:
		return "#d68910";
	case MS_VERDICT_TOO_SHORT:
		break;
	}
	return "#7f8c8d";
}

static void xml_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '&')
			fputs("&amp;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else if (c < 0x20 && c != '\t')
			fputc('?', out); /* XML 1.0 forbids most control characters */
		else
			fputc(c, out);
	}
}

/* A "nice" step (1, 2 or 5 times a power of ten) near range / want. */
static double nice_step(double range, int want)
{
	double raw = range / want;
	double p = pow(10, floor(log10(raw)));
	double m = raw / p;
	return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

struct axis {
	double lo, hi, step; /* in data units */
	double unit;         /* data units per label unit */
	const char *suffix;
	int decimals;
};

static void axis_decimals(struct axis *a)
{
	double s = a->step / a->unit;
	a->decimals = s >= 1 ? 0 : (int)ceil(-log10(s) - 1e-9);
	if (a->decimals > 6)
		a->decimals = 6;
}

static void y_axis(struct axis *a, double lo, double hi, bool bytes)
{
	if (hi <= lo) {
		double pad = bytes ? 1024 : 1;
		if (fabs(lo) > 0)
			pad = fmax(pad, fabs(lo) * 0.05);
		lo -= pad;
		hi += pad;
	}
	if (lo >= 0 && lo - 0.3 * (hi - lo) < 0)
		lo = 0; /* near zero anyway: show the baseline */
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	a->unit = 1;
	a->suffix = bytes ? "B" : "";
	if (bytes) {
		double m = fmax(fabs(lo), fabs(hi));
		for (int u = 1; u < 5 && m >= 1024 * a->unit; u++) {
			a->unit *= 1024;
			a->suffix = units[u];
		}
	}
	a->step = nice_step((hi - lo) / a->unit, 6) * a->unit;
	if (!bytes && a->step < 1)
		a->step = 1; /* counts are whole */
	a->lo = floor(lo / a->step) * a->step;
	a->hi = ceil(hi / a->step) * a->step;
	if (a->hi <= a->lo)
		a->hi = a->lo + a->step;
	axis_decimals(a);
}

static void x_axis(struct axis *a, double lo, double hi)
{
	if (hi <= lo)
		hi = lo + 1;
	double span = hi - lo;
	a->unit = span >= 7200 ? 3600 : span >= 300 ? 60 : 1;
	a->suffix = span >= 7200 ? "h" : span >= 300 ? "min" : "s";
	a->step = nice_step(span / a->unit, 8) * a->unit;
	a->lo = floor(lo / a->step) * a->step;
	a->hi = ceil(hi / a->step) * a->step;
	axis_decimals(a);
}

static double px(const struct axis *a, double t)
{
	return X0 + (t - a->lo) / (a->hi - a->lo) * (X1 - X0);
}

static double py(const struct axis *a, double v)
{
	return Y1 - (v - a->lo) / (a->hi - a->lo) * (Y1 - Y0);
}

static void grid(FILE *out, const struct axis *xa, const struct axis *ya, bool bytes)
{
	fputs("<g font-size=\"12\" fill=\"#333\">\n", out);
	for (double v = ya->lo; v <= ya->hi + ya->step / 2; v += ya->step) {
		double y = py(ya, v);
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n", X0, y, X1, y);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.*f%s%s</text>\n", X0 - 6, y + 4,
		        ya->decimals, v / ya->unit, bytes ? " " : "", ya->suffix);
	}
	for (double t = xa->lo; t <= xa->hi + xa->step / 2; t += xa->step) {
		double x = px(xa, t);
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n", x, Y0, x, Y1);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.*f %s</text>\n", x, Y1 + 18,
		        xa->decimals, t / xa->unit, xa->suffix);
	}
	fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n",
	        X0, Y0, X1 - X0, Y1 - Y0);
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">time since start</text>\n",
	        (X0 + X1) / 2, Y1 + 40);
	fputs("</g>\n", out);
}

/* The line as polylines split at gaps; long series are reduced to the min
 * and max of each bucket, so spikes survive the reduction. */
static void polyline(FILE *out, const struct ms_plot_line *l, const struct axis *xa, const struct axis *ya,
                     const char *color)
{
	size_t bucket = l->n > MAX_POINTS ? (l->n + MAX_POINTS / 2 - 1) / (MAX_POINTS / 2) : 1;
	bool open = false;
	for (size_t i = 0; i < l->n; i += bucket) {
		size_t end = i + bucket < l->n ? i + bucket : l->n;
		size_t imin = end, imax = end;
		for (size_t k = i; k < end; k++) {
			if (isnan(l->y[k]))
				continue;
			if (imin == end || l->y[k] < l->y[imin])
				imin = k;
			if (imax == end || l->y[k] > l->y[imax])
				imax = k;
		}
		if (imin == end) {
			if (open)
				fputs("\"/>\n", out);
			open = false;
			continue;
		}
		if (!open)
			fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
			             "stroke-linejoin=\"round\" points=\"", color);
		open = true;
		size_t a = imin < imax ? imin : imax, b = imin < imax ? imax : imin;
		fprintf(out, "%.1f,%.1f ", px(xa, l->t[a]), py(ya, l->y[a]));
		if (b != a)
			fprintf(out, "%.1f,%.1f ", px(xa, l->t[b]), py(ya, l->y[b]));
	}
	if (open)
		fputs("\"/>\n", out);
}

/* True when an earlier line already labels the same verdict at the same
 * time: one label is enough, several would print over each other. */
static bool labelled_before(const struct ms_plot *p, size_t li, double t, enum ms_verdict v)
{
	for (size_t k = 0; k < li; k++)
		for (size_t m = 0; m < p->lines[k].nmarks; m++) {
			size_t i = p->lines[k].marks[m];
			if (i < p->lines[k].n && p->lines[k].t[i] == t && p->lines[k].mark_verdicts[m] == v)
				return true;
		}
	return false;
}

static void markers(FILE *out, const struct ms_plot *p, size_t li, const struct axis *xa, const struct axis *ya)
{
	const struct ms_plot_line *l = &p->lines[li];
	for (size_t m = 0; m < l->nmarks; m++) {
		size_t i = l->marks[m];
		if (i >= l->n || isnan(l->y[i]))
			continue;
		double x = px(xa, l->t[i]), y = py(ya, l->y[i]);
		const char *c = verdict_color(l->mark_verdicts[m]);
		const char *name = ms_verdict_name(l->mark_verdicts[m]);
		/* Labels of different lines are staggered so that they overlap less. */
		double ly = y - 10 - (double)(li % 3) * 13;
		if (ly < Y0 + 12)
			ly = y + 20 + (double)(li % 3) * 13;
		fprintf(out, "<g><title>%.1f s: ", l->t[i]);
		xml_text(out, l->label);
		fprintf(out, " %s</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" stroke=\"#fff\" "
		             "stroke-width=\"1.5\"/>", name, x, y, c);
		if (!labelled_before(p, li, l->t[i], l->mark_verdicts[m]))
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\" "
			             "text-anchor=\"middle\">%s</text>", x, ly, c, name);
		fputs("</g>\n", out);
	}
}

static void legend(FILE *out, const struct ms_plot *p)
{
	double y = Y0 + 4;
	fputs("<g font-size=\"12\" fill=\"#222\">\n", out);
	for (size_t i = 0; i < p->nlines; i++) {
		const struct ms_plot_line *l = &p->lines[i];
		const char *color = palette[i % (sizeof(palette) / sizeof(palette[0]))];
		fprintf(out, "<line x1=\"740\" y1=\"%.1f\" x2=\"764\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>\n",
		        y, y, color);
		fprintf(out, "<text x=\"772\" y=\"%.1f\" font-weight=\"bold\">", y + 4);
		xml_text(out, l->label);
		fputs("</text>\n", out);
		if (l->fit) {
			char sl[MS_FMT_MAX];
			ms_trend_fmt_slope(sl, l->fit->slope, p->bytes);
			fprintf(out, "<text x=\"772\" y=\"%.1f\"><tspan fill=\"%s\">%s</tspan>", y + 20,
			        verdict_color(l->fit->verdict), ms_verdict_name(l->fit->verdict));
			if (l->fit->verdict != MS_VERDICT_TOO_SHORT)
				fprintf(out, ", %s", sl);
			fputs("</text>\n", out);
		}
		y += 44;
	}
	fprintf(out, "<line x1=\"740\" y1=\"%.1f\" x2=\"764\" y2=\"%.1f\" stroke=\"#555\" stroke-width=\"1.5\" "
	             "stroke-dasharray=\"6 4\"/>\n<text x=\"772\" y=\"%.1f\">trend (Theil-Sen)</text>\n",
	        y, y, y + 4);
	fprintf(out, "<circle cx=\"752\" cy=\"%.1f\" r=\"5\" fill=\"#7f8c8d\"/>\n<text x=\"772\" y=\"%.1f\">verdict "
	             "changes</text>\n</g>\n", y + 22, y + 26);
}

int ms_plot_svg(FILE *out, const struct ms_plot *p)
{
	double tmin = INFINITY, tmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	for (size_t i = 0; i < p->nlines; i++)
		for (size_t k = 0; k < p->lines[i].n; k++) {
			double y = p->lines[i].y[k], t = p->lines[i].t[k];
			if (isnan(y) || isnan(t))
				continue;
			tmin = fmin(tmin, t);
			tmax = fmax(tmax, t);
			ymin = fmin(ymin, y);
			ymax = fmax(ymax, y);
		}
	if (!isfinite(tmin))
		return -EINVAL;
	struct axis xa, ya;
	x_axis(&xa, tmin, tmax);
	y_axis(&ya, ymin, ymax, p->bytes);

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	             "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
	        W, H, W, H);
	fputs("<title>", out);
	xml_text(out, p->title);
	fputs("</title>\n", out);
	fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
	fprintf(out, "<defs><clipPath id=\"area\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath></defs>\n",
	        X0, Y0, X1 - X0, Y1 - Y0);
	fprintf(out, "<text x=\"%.1f\" y=\"28\" font-size=\"17\" font-weight=\"bold\" fill=\"#222\">", X0);
	xml_text(out, p->title);
	fputs("</text>\n", out);
	if (p->subtitle) {
		fprintf(out, "<text x=\"%.1f\" y=\"50\" font-size=\"12\" fill=\"#555\">", X0);
		xml_text(out, p->subtitle);
		fputs("</text>\n", out);
	}
	grid(out, &xa, &ya, p->bytes);
	fputs("<g clip-path=\"url(#area)\">\n", out);
	for (size_t i = 0; i < p->nlines; i++) {
		const struct ms_plot_line *l = &p->lines[i];
		const char *color = palette[i % (sizeof(palette) / sizeof(palette[0]))];
		polyline(out, l, &xa, &ya, color);
		if (l->fit && l->fit->verdict != MS_VERDICT_TOO_SHORT && l->fit->n >= 2) {
			double t0 = l->fit->t0, t1 = l->fit->t0 + l->fit->span_s;
			fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			             "stroke-width=\"1.5\" stroke-dasharray=\"6 4\" opacity=\"0.8\"/>\n",
			        px(&xa, t0), py(&ya, l->fit->intercept + l->fit->slope * t0), px(&xa, t1),
			        py(&ya, l->fit->intercept + l->fit->slope * t1), color);
		}
	}
	fputs("</g>\n", out);
	for (size_t i = 0; i < p->nlines; i++)
		markers(out, p, i, &xa, &ya);
	legend(out, p);
	fputs("</svg>\n", out);
	return ferror(out) ? -EIO : 0;
}

#define MAX_MARKS 32

int ms_plot_series(FILE *out, const struct ms_series *s, const enum ms_col *cols, size_t ncols,
                   const char *subtitle)
{
	if (ncols == 0 || ncols > 8)
		return -EINVAL;
	bool bytes = ms_cols[cols[0]].kind == MS_KIND_BYTES;
	for (size_t i = 1; i < ncols; i++)
		if ((ms_cols[cols[i]].kind == MS_KIND_BYTES) != bytes)
			return -EINVAL;
	struct ms_plot_line lines[8];
	struct ms_trend fits[8];
	size_t marks[8][MAX_MARKS];
	enum ms_verdict mv[8][MAX_MARKS];
	double *buf = malloc((2 * ncols * s->n + 1) * sizeof(double));
	if (!buf)
		return -ENOMEM;
	size_t nl = 0;
	int rc = 0;
	for (size_t i = 0; i < ncols && rc == 0; i++) {
		if (!ms_series_has(s, cols[i]))
			continue;
		double *t = buf + 2 * nl * s->n, *y = t + s->n;
		ms_series_column(s, cols[i], t, y);
		struct ms_plot_line *l = &lines[nl];
		memset(l, 0, sizeof(*l));
		l->label = ms_cols[cols[i]].name;
		l->t = t;
		l->y = y;
		l->n = s->n;
		if (ms_cols[cols[i]].verdict) {
			struct ms_trend_limits lim = ms_trend_default_limits(bytes);
			rc = ms_trend_fit(t, y, s->n, &lim, &fits[nl]);
			l->fit = &fits[nl];
			/* 48 checkpoints: enough to place a change within 2% of
			 * the run, cheap enough for a 20000-sample series. */
			int nm = rc < 0 ? rc : ms_trend_changes(t, y, s->n, &lim, 48, marks[nl], mv[nl], MAX_MARKS);
			if (nm < 0)
				rc = nm;
			else
				l->nmarks = (size_t)nm;
			l->marks = marks[nl];
			l->mark_verdicts = mv[nl];
		}
		nl++;
	}
	if (rc == 0) {
		char title[128];
		snprintf(title, sizeof(title), "%s (pid %d)", s->name[0] ? s->name : "process", (int)s->pid);
		struct ms_plot p = {.title = title, .subtitle = subtitle, .bytes = bytes, .lines = lines, .nlines = nl};
		rc = nl ? ms_plot_svg(out, &p) : -EINVAL;
	}
	free(buf);
	return rc;
}
