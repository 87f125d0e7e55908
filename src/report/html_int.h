/* Internal to the HTML report's data document (html_data.c): the pieces
 * written by html_snaps.c (snapshot markers, the diff view's spans) and
 * html_leaks.c (retention paths). Each part is written as ",\"key\":value"
 * after the document's previous member. Stacks are referred to by their row
 * in the document's "stacks" table: row_of[stack index], NO_ROW when the
 * stack has no row. */
#ifndef MS_REPORT_HTML_INT_H
#define MS_REPORT_HTML_INT_H

#include <stdint.h>
#include <stdio.h>

#include "report/html.h"

#define MS_HTML_NO_ROW UINT32_MAX

/* Flags per stack index: the parts that need the stack to have a row. */
#define MS_HTML_WANT_DIFF 1u
#define MS_HTML_WANT_PATH 2u

void ms_html_put_str(FILE *out, const char *s);
void ms_html_put_key(FILE *out, const char *k);

/* ,"markers":[...],"markers_total":N: the trace's snapshots (at most
 * o->max_markers of them, evenly spaced, the first and last among them). */
void ms_html_write_markers(FILE *out, const struct ms_model *m, const struct ms_html_opts *o);

/* The stacks the diff view lists one by one: sets MS_HTML_WANT_DIFF in
 * want[i] for each (m->n_stacks flags). 0 or -ENOMEM. */
int ms_html_diff_stacks(const struct ms_model *m, const struct ms_snapspans *ss, const struct ms_html_opts *o,
                        uint8_t *want);
/* ,"diff":{...} (null without two snapshots): the spans of the stacks
 * marked by ms_html_diff_stacks (all of which have rows), the others summed.
 * 0 or -ENOMEM. */
int ms_html_write_diff(FILE *out, const struct ms_model *m, const struct ms_snapspans *ss, const uint8_t *want,
                       const uint32_t *row_of);

/* The stacks whose retention paths the page shows: sets MS_HTML_WANT_PATH
 * in want[i]. 0 or -ENOMEM. */
int ms_html_leak_stacks(const struct ms_model *m, const struct ms_html_opts *o, uint8_t *want);
/* ,"leaks":{...}: whether the trace has a scan, and the `memscope why
 * --stack --json` document of each stack marked by ms_html_leak_stacks.
 * 0 or a negative code. */
int ms_html_write_leaks(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const uint32_t *row_of,
                        const struct ms_html_opts *o, const char *trace_path);

#endif
