/* The standalone SVG flame graph: callers at the bottom, the allocating
 * function on top, widths by one metric. Each frame is a <g> with its
 * extent as fractions of the total (data-x0, data-x1) so the small script
 * can zoom without knowing the tree; <title> gives the tooltip in any
 * viewer, even with scripts off. Frames below 0.1% of the total are left
 * out (their share stays in their caller's width). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/flame.h"
#include "report/html.h"
#include "report/units.h"

#define WIDTH 1200
#define FRAME_H 16
#define TOP 60    /* title, details and the reset button */
#define BOTTOM 10
#define MIN_FRACTION 0.001

/* Writes s as XML character data: markup characters as entities, control
 * characters as '?', and each byte of invalid UTF-8 as U+FFFD (XML parsers
 * reject both). */
static void xml_text(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	while (*s) {
		unsigned c = *s;
		size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
		                                               : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		/* the second byte's range rules out overlong forms and surrogates */
		unsigned lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80, hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		bool ok = len > 0;
		for (size_t i = 1; ok && i < len; i++)
			ok = i == 1 ? s[1] >= lo && s[1] <= hi : (s[i] & 0xc0) == 0x80;
		if (!ok) {
			fputs("\xef\xbf\xbd", out);
			s++;
		} else if (len > 1) {
			fwrite(s, 1, len, out);
			s += len;
		} else {
			if (c == '&')
				fputs("&amp;", out);
			else if (c == '<')
				fputs("&lt;", out);
			else if (c == '>')
				fputs("&gt;", out);
			else if (c == '"')
				fputs("&quot;", out);
			else if (c < 0x20 && c != '\t' && c != '\n')
				fputc('?', out);
			else
				fputc((int)c, out);
			s++;
		}
	}
}

static char *fmt_value(char *buf, enum ms_metric k, uint64_t v)
{
	return ms_flame_is_count(k) ? ms_fmt_count(buf, v) : ms_fmt_bytes(buf, v);
}

/* A warm colour from the function name, stable from run to run. */
static void colour(char *buf, size_t n, const char *name)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	snprintf(buf, n, "rgb(%u,%u,%u)", 205 + h % 50, 80 + (h >> 8) % 130, 40 + (h >> 16) % 50);
}

static const char script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"// click a frame: it and its callees fill the width; 'reset zoom' undoes it\n"
	"(function () {\n"
	"  var W = " "1200" ", frames = [].slice.call(document.querySelectorAll('g.f'));\n"
	"  var details = document.getElementById('details'), reset = document.getElementById('reset');\n"
	"  function fit(g, x, w) {\n"
	"    var r = g.querySelector('rect'), t = g.querySelector('text');\n"
	"    r.setAttribute('x', x); r.setAttribute('width', Math.max(w - 1, 0.5));\n"
	"    t.setAttribute('x', x + 3);\n"
	"    var name = g.getAttribute('data-name'), n = Math.floor((w - 6) / 7);\n"
	"    t.textContent = n < 3 ? '' : name.length <= n ? name : name.slice(0, n - 2) + '..';\n"
	"  }\n"
	"  function zoom(z) {\n"
	"    var z0 = +z.getAttribute('data-x0'), z1 = +z.getAttribute('data-x1'), zd = +z.getAttribute('data-d');\n"
	"    frames.forEach(function (g) {\n"
	"      var x0 = +g.getAttribute('data-x0'), x1 = +g.getAttribute('data-x1'), d = +g.getAttribute('data-d');\n"
	"      var inside = x0 >= z0 - 1e-12 && x1 <= z1 + 1e-12 && d >= zd;\n"
	"      var above = d < zd && x0 <= z0 + 1e-12 && x1 >= z1 - 1e-12;\n"
	"      g.style.display = inside || above ? '' : 'none';\n"
	"      if (above) fit(g, 0, W);\n"
	"      else if (inside) fit(g, (x0 - z0) / (z1 - z0) * W, (x1 - x0) / (z1 - z0) * W);\n"
	"    });\n"
	"    reset.style.display = zd > 0 ? '' : 'none';\n"
	"  }\n"
	"  frames.forEach(function (g) {\n"
	"    g.addEventListener('click', function () { zoom(g); });\n"
	"    g.addEventListener('mouseover', function () {\n"
	"      details.textContent = g.querySelector('title').textContent; });\n"
	"    g.addEventListener('mouseout', function () { details.textContent = ' '; });\n"
	"  });\n"
	"  reset.addEventListener('click', function () { zoom(frames[0]); });\n"
	"  frames.forEach(function (g) { fit(g, +g.getAttribute('data-x0') * W,\n"
	"    (g.getAttribute('data-x1') - g.getAttribute('data-x0')) * W); });\n"
	"})();\n"
	"]]></script>\n";

struct svg {
	FILE *out;
	const struct ms_flame *f;
	enum ms_metric k;
	uint64_t total;
	int height;
	size_t hidden;
};

/* Writes node at [x0, x0 + its share) and its children left to right. */
static int frame(struct svg *s, uint32_t node, double x0)
{
	const struct ms_flame_node *nd = &s->f->nodes[node];
	double w = s->total ? (double)nd->v[s->k] / (double)s->total : 1.0;
	int y = s->height - BOTTOM - (int)(nd->depth + 1) * FRAME_H;
	char val[MS_FMT_MAX], fill[32];
	colour(fill, sizeof(fill), nd->function);
	fprintf(s->out, "<g class=\"f\" data-x0=\"%.9f\" data-x1=\"%.9f\" data-d=\"%u\" data-v=\"%" PRIu64 "\" data-name=\"",
	        x0, x0 + w, nd->depth, nd->v[s->k]);
	xml_text(s->out, nd->function);
	fputs("\"><title>", s->out);
	xml_text(s->out, nd->function);
	if (nd->file) {
		fputs("  ", s->out);
		xml_text(s->out, ms_basename(nd->file));
		fprintf(s->out, ":%u", nd->line);
	}
	if (nd->module) {
		fputs("  (", s->out);
		xml_text(s->out, ms_basename(nd->module));
		fputc(')', s->out);
	}
	fprintf(s->out, "\n%s: %s, %.2f%%</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" rx=\"2\"/>"
	                "<text x=\"%.2f\" y=\"%d\"></text></g>\n",
	        ms_metric_name(s->k), fmt_value(val, s->k, nd->v[s->k]), w * 100.0, x0 * WIDTH, y,
	        w * WIDTH, FRAME_H - 1, fill, x0 * WIDTH + 3, y + FRAME_H - 4);
	size_t n;
	uint32_t *kids = ms_flame_children(s->f, node, s->k, &n);
	if (!kids)
		return -ENOMEM;
	double x = x0;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t v = s->f->nodes[kids[i]].v[s->k];
		if ((double)v < (double)s->total * MIN_FRACTION) {
			s->hidden += n - i; /* children come largest first */
			break;
		}
		rc = frame(s, kids[i], x);
		x += (double)v / (double)s->total;
	}
	free(kids);
	return rc;
}

int ms_report_flame_svg(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, enum ms_metric k,
                        const char *trace_path, const char *warning)
{
	struct ms_flame f;
	int rc = ms_flame_build(&f, m, sym, false);
	if (rc)
		return rc;
	struct svg s = {out, &f, k, f.nodes[0].v[k], 0, 0};
	s.height = TOP + BOTTOM + (int)(f.max_depth + 1) * FRAME_H;
	char total[MS_FMT_MAX];
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
	             "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
	             "viewBox=\"0 0 %d %d\" data-metric=\"%s\" data-total=\"%" PRIu64 "\">\n",
	        WIDTH, s.height, WIDTH, s.height, ms_metric_name(k), s.total);
	fputs("<style>text { font: 12px Verdana, sans-serif; fill: #000 } g.f { cursor: pointer }\n"
	      "g.f:hover rect { stroke: #333; stroke-width: 0.5 } #title { font-size: 16px }\n"
	      "#reset { fill: #0645ad; cursor: pointer } .warn { fill: #b00 }</style>\n",
	      out);
	fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f8\"/>\n"
	             "<text id=\"title\" x=\"%d\" y=\"20\" text-anchor=\"middle\">memscope flame graph: %s, total %s: ",
	        WIDTH / 2, ms_metric_name(k), fmt_value(total, k, s.total));
	xml_text(out, trace_path);
	fputs("</text>\n", out);
	if (warning || !s.total) {
		fputs("<text class=\"warn\" x=\"10\" y=\"38\">", out);
		xml_text(out, warning ? warning : "");
		if (!s.total)
			fprintf(out, "%sno %s in this trace: the graph is empty", warning ? "; " : "",
			        k == MS_BY_ALLOCATIONS ? "allocations" : ms_metric_name(k));
		fputs("</text>\n", out);
	}
	fprintf(out, "<text id=\"details\" x=\"10\" y=\"54\"> </text>\n"
	             "<text id=\"reset\" x=\"%d\" y=\"54\" text-anchor=\"end\" style=\"display:none\">reset zoom</text>\n",
	        WIDTH - 10);
	fputs("<g id=\"frames\">\n", out);
	rc = frame(&s, 0, 0.0);
	fputs("</g>\n", out);
	if (!rc && s.hidden)
		fprintf(out, "<!-- %zu frames below %.1f%% of the total left out -->\n", s.hidden, MIN_FRACTION * 100);
	fputs(script, out);
	fputs("</svg>\n", out);
	ms_flame_release(&f);
	if (!rc && ferror(out))
		rc = -EIO;
	return rc;
}
