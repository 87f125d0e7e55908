/* The `report` command's outputs from a replayed model: the text report,
 * its JSON twin, and the caller tree (text and JSON). They print to out and
 * return 0 or a negative code (-ENOMEM); they never exit. */
#ifndef MS_REPORT_REPORT_H
#define MS_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis/model.h"
#include "analysis/symbolize.h"

struct ms_report_opts {
	enum ms_metric by;  /* order of the stacks / tree nodes */
	size_t top;         /* stacks shown */
	bool top_given;     /* --top was given: also limits the JSON array */
	double tree_min_pct; /* tree nodes below this share of the total are pruned */
};

/* Text: the summary, then the top stacks with their symbolized frames. */
int ms_report_text(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                   const struct ms_report_opts *o, const char *trace_path);
/* JSON: {"trace", "summary", "stacks"}; see docs/report.md. */
int ms_report_json(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                   const struct ms_report_opts *o, const char *trace_path);
/* The caller tree: the allocating functions at the roots, their callers
 * below, stacks merged by function. */
int ms_report_tree_text(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                        const struct ms_report_opts *o, const char *trace_path);
int ms_report_tree_json(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                        const struct ms_report_opts *o, const char *trace_path);

/* `report --by type`: live blocks per C++ class of m->heaps[0], which must
 * be a scanned heap (text, or JSON when json). */
int ms_report_types(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_report_opts *o,
                    const char *trace_path, bool json);

/* Internal to src/report: the summary block in text and JSON. */
void ms_report_summary_text(FILE *out, const struct ms_model *m, const char *trace_path);
/* Bytes as measured ("1.5 MiB (1,572,864 B)"), or in a sampled trace as an
 * estimate with the half-width of its 95% interval ("1.50 MiB +/- 96.0 KiB"),
 * var being its variance (analysis/sampling.h). buf: MS_FMT_MAX bytes. */
char *ms_report_fmt_figure(char *buf, const struct ms_model *m, uint64_t bytes, double var);
struct ms_json;
void ms_report_summary_json(struct ms_json *j, const struct ms_model *m);

/* Leak classes (leak_report.c): summary lines, a stack's line, JSON fields. */
void ms_report_leak_summary_text(FILE *out, const struct ms_model *m);
void ms_report_leak_stack_text(FILE *out, const struct ms_model *m, const struct ms_stack *s);
void ms_report_leak_summary_json(struct ms_json *j, const struct ms_model *m);
void ms_report_leak_stack_json(struct ms_json *j, const struct ms_stack *s);
/* One symbolized frame as the object report --json and export json use:
 * function, file, line, module, inlined, ip, offset. */
void ms_report_frame_json(struct ms_json *j, const struct ms_frame *f);
void ms_report_snapshot_json(struct ms_json *j, const struct ms_model *m, const struct ms_snapshot *s);
/* `memscope snapshots`: one line (or object) per snapshot. 0 or -1 (output error). */
int ms_report_snapshots_text(FILE *out, const struct ms_model *m, const char *trace_path);
int ms_report_snapshots_json(FILE *out, const struct ms_model *m, const char *trace_path);

#endif
