/* The HTML report's snapshots: the markers on the heap-over-time chart and
 * the diff view's data (html_int.h). The diff view gets the snapshot spans
 * (analysis/snapspan.h) of the stacks that change most between snapshots,
 * one row each, and the spans of all the others summed by (b, d), so that
 * the page's totals between any two snapshots are exact whatever it lists. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_int.h"
#include "report/json.h"
#include "report/report.h"

/* Entry i of k evenly spaced among n (k <= n): the first and the last kept. */
static size_t spaced(size_t i, size_t n, size_t k)
{
	return k <= 1 ? 0 : i * (n - 1) / (k - 1);
}

void ms_html_write_markers(FILE *out, const struct ms_model *m, const struct ms_html_opts *o)
{
	size_t k = m->n_snaps < o->max_markers ? m->n_snaps : o->max_markers;
	struct ms_json j;
	ms_html_put_key(out, "markers");
	ms_json_init(&j, out);
	ms_json_array_begin(&j);
	for (size_t i = 0; i < k; i++)
		ms_report_snapshot_json(&j, m, &m->snaps[spaced(i, m->n_snaps, k)]);
	ms_json_array_end(&j);
	fprintf(out, ",\"markers_total\":%zu", m->n_snaps);
}

/* A stack's blocks that are live at some chosen snapshots and not at
 * others: what a diff between two of them can show. */
struct change {
	uint32_t stack;
	uint64_t bytes, blocks;
	size_t cells;
};

static const struct ms_model *sort_model; /* qsort has no context; single-threaded */

static int cmp_change(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->blocks != y->blocks)
		return x->blocks > y->blocks ? -1 : 1;
	uint64_t p = sort_model->stacks[x->stack].id, q = sort_model->stacks[y->stack].id;
	return p < q ? -1 : p > q;
}

/* The cells [*i, end) of one stack (cells are sorted by stack). */
static size_t stack_end(const struct ms_snapspans *ss, size_t i)
{
	size_t e = i;
	while (e < ss->n_cells && ss->cells[e].stack == ss->cells[i].stack)
		e++;
	return e;
}

static bool changes(const struct ms_snapspans *ss, const struct ms_snapspan_cell *c)
{
	return c->b > 0 || c->d < ss->n_snaps;
}

/* The stacks that change, largest change first; *n gets their number. */
static struct change *changed_stacks(const struct ms_model *m, const struct ms_snapspans *ss, size_t *n)
{
	struct change *v = malloc((ss->n_cells ? ss->n_cells : 1) * sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0, e; i < ss->n_cells; i = e) {
		struct change c = {ss->cells[i].stack, 0, 0, 0};
		e = stack_end(ss, i);
		for (size_t k = i; k < e; k++)
			if (changes(ss, &ss->cells[k])) {
				c.bytes += ss->cells[k].bytes;
				c.blocks += ss->cells[k].blocks;
			}
		c.cells = e - i;
		if (c.blocks)
			v[(*n)++] = c;
	}
	sort_model = m;
	qsort(v, *n, sizeof(*v), cmp_change);
	return v;
}

int ms_html_diff_stacks(const struct ms_model *m, const struct ms_snapspans *ss, const struct ms_html_opts *o,
                        uint8_t *want)
{
	if (!ss || ss->n_snaps < 2)
		return 0;
	size_t n, cells = 0;
	struct change *v = changed_stacks(m, ss, &n);
	if (!v)
		return -ENOMEM;
	/* the largest changes first, as long as their cells fit */
	for (size_t i = 0; i < n && i < o->diff_rows && cells + v[i].cells <= o->diff_cells; i++) {
		want[v[i].stack] |= MS_HTML_WANT_DIFF;
		cells += v[i].cells;
	}
	free(v);
	return 0;
}

static void put_cell(FILE *out, const struct ms_snapspan_cell *c, bool first)
{
	fprintf(out, "%s%" PRIu32 ",%" PRIu32 ",%" PRIu64 ",%" PRIu64, first ? "" : ",", c->b, c->d, c->blocks,
	        c->bytes);
}

/* "snapshots": the chosen snapshots, as report --json writes them. */
static void write_diff_snaps(FILE *out, const struct ms_model *m, const struct ms_snapspans *ss)
{
	struct ms_json j;
	fputs("{\"snapshots\":", out);
	ms_json_init(&j, out);
	ms_json_array_begin(&j);
	for (size_t i = 0; i < ss->n_snaps; i++)
		ms_report_snapshot_json(&j, m, &m->snaps[ss->snaps[i]]);
	ms_json_array_end(&j);
	fprintf(out, ",\"snapshots_total\":%zu", m->n_snaps);
}

int ms_html_write_diff(FILE *out, const struct ms_model *m, const struct ms_snapspans *ss, const uint8_t *want,
                       const uint32_t *row_of)
{
	ms_html_put_key(out, "diff");
	if (!ss || ss->n_snaps < 2) {
		fputs("null", out);
		return 0;
	}
	size_t w = ss->n_snaps + 1, listed = 0, changed = 0;
	/* the other stacks' cells, summed: blocks and bytes per (b, d) */
	uint64_t *other = calloc(w * w * 2, sizeof(*other));
	if (!other)
		return -ENOMEM;
	write_diff_snaps(out, m, ss);
	fputs(",\"rows\":[", out);
	for (size_t i = 0, e; i < ss->n_cells; i = e) {
		e = stack_end(ss, i);
		uint32_t s = ss->cells[i].stack;
		bool moves = false;
		for (size_t k = i; k < e; k++)
			moves |= changes(ss, &ss->cells[k]) && ss->cells[k].blocks;
		changed += moves;
		if (!(want[s] & MS_HTML_WANT_DIFF) || row_of[s] == MS_HTML_NO_ROW) {
			for (size_t k = i; k < e; k++) {
				const struct ms_snapspan_cell *c = &ss->cells[k];
				other[(c->b * w + c->d) * 2] += c->blocks;
				other[(c->b * w + c->d) * 2 + 1] += c->bytes;
			}
			continue;
		}
		fprintf(out, "%s[%" PRIu32 ",[", listed++ ? ",\n" : "", row_of[s]);
		for (size_t k = i; k < e; k++)
			put_cell(out, &ss->cells[k], k == i);
		fputs("]]", out);
	}
	fputs("],\"other\":[", out);
	bool first = true;
	for (uint32_t b = 0; b < w; b++)
		for (uint32_t d = 0; d < w; d++) {
			const uint64_t *x = &other[(b * w + d) * 2];
			if (!x[0])
				continue;
			put_cell(out, &(struct ms_snapspan_cell){0, b, d, x[0], x[1]}, first);
			first = false;
		}
	fprintf(out, "],\"stacks_changed\":%zu,\"stacks_listed\":%zu}", changed, listed);
	free(other);
	return 0;
}
