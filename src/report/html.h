/* The visual reports: the self-contained HTML report (summary cards, heap
 * over time with snapshot markers, flame graphs, stack tables, leak classes
 * and retention paths, snapshot diffs) and the standalone SVG
 * flame graph. They print to out and return 0 or a negative code (-ENOMEM,
 * -EIO); they never exit. Their size is bounded by the options, not by the
 * number of stacks in the trace. */
#ifndef MS_REPORT_HTML_H
#define MS_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "analysis/model.h"
#include "analysis/snapspan.h"
#include "analysis/symbolize.h"
#include "analysis/timeline.h"

struct ms_html_opts {
	const char *generator; /* "memscope VERSION" */
	const char *warning;  /* a banner on the page (a truncated trace), or NULL */
	size_t rows_per_metric; /* table rows: the top stacks by each metric, merged */
	double min_fraction;  /* flame nodes below this share of the metric's total are hidden */
	size_t max_nodes;     /* and at most this many nodes per flame graph */
	size_t max_markers;   /* snapshot markers on the chart (evenly spaced beyond) */
	size_t leak_paths;    /* retention paths: the stacks that retain most at the scan */
	size_t diff_snaps;    /* snapshots offered by the diff view (the caller's spans) */
	size_t diff_rows;     /* stacks listed one by one in the diff view */
	size_t diff_cells;    /* and at most this many span cells for them */
};

#define MS_HTML_DEFAULT_OPTS {"memscope", NULL, 500, 0.001, 20000, 1000, 20, 64, 200, 50000}

/* What the page shows: the model (replayed with its exit heap, heaps[0],
 * when the trace has a scan), its symbolizer, the heap over time (may have
 * no points) and the snapshot spans (NULL, or built over at most
 * opts.diff_snaps snapshots; the diff view needs 2). */
struct ms_html_input {
	const struct ms_model *m;
	struct ms_symbolizer *sym;
	const struct ms_timeline *tl;
	const struct ms_snapspans *spans;
};

/* The HTML page: one file, the libraries inlined, the data as one JSON
 * document in a <script type="application/json"> element. */
int ms_report_html(FILE *out, const struct ms_html_input *in, const struct ms_html_opts *o, const char *trace_path);

/* The page's data document alone (what the page embeds), for tests. */
int ms_report_html_data(FILE *out, const struct ms_html_input *in, const struct ms_html_opts *o,
                        const char *trace_path);

/* An interactive SVG flame graph of metric k: <title> tooltips, click to
 * zoom, a reset button; frames below 0.1% of the total are hidden.
 * warning (or NULL) is printed under the title. */
int ms_report_flame_svg(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, enum ms_metric k,
                        const char *trace_path, const char *warning);

#endif
