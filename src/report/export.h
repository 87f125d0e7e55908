/* `memscope export`: a replayed model written in the formats of other
 * tools, so that their viewers can show it: pprof (gzipped profile.proto),
 * valgrind's massif.out and DHAT JSON, folded stacks (flamegraph.pl,
 * inferno, speedscope) and memscope's own full JSON. The writers print to
 * out and return 0 or a negative code (-ENOMEM, -EIO when out failed, or a
 * trace reader code from read.h when a second replay of the trace, which
 * massif and json need for the heap over time, fails); they never exit.
 * docs/export.md says what each format holds. */
#ifndef MS_REPORT_EXPORT_H
#define MS_REPORT_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis/model.h"
#include "analysis/symbolize.h"

enum ms_export_format {
	MS_EXPORT_PPROF,
	MS_EXPORT_MASSIF,
	MS_EXPORT_DHAT,
	MS_EXPORT_COLLAPSED,
	MS_EXPORT_JSON,
};

/* The moment pprof's inuse_* values describe. */
enum ms_export_at {
	MS_AT_END,  /* live at exit (the leaks) */
	MS_AT_PEAK, /* live at the global heap peak */
};

struct ms_export_opts {
	enum ms_export_at at;  /* pprof */
	enum ms_metric metric; /* collapsed: the count of each line */
	bool with_lines;       /* collapsed: "function (file:line)" frames */
	size_t snapshots;      /* massif, json: evenly spaced points over time */
	double threshold_pct;  /* massif: tree nodes below this % of a snapshot are aggregated */
	const char *trace_path; /* read again for the heap over time; shown in headers */
};

#define MS_EXPORT_DEFAULT_SNAPSHOTS 50
#define MS_EXPORT_MAX_SNAPSHOTS 10000

/* Parses "pprof", "massif", "dhat", "collapsed", "json"; 0 or -1. */
int ms_export_format_parse(const char *name, enum ms_export_format *out);
/* Parses "end", "peak"; 0 or -1. */
int ms_export_at_parse(const char *name, enum ms_export_at *out);
/* True for a format that is not text (pprof). */
bool ms_export_is_binary(enum ms_export_format f);

/* Writes m in format f. */
int ms_export(FILE *out, enum ms_export_format f, const struct ms_model *m, struct ms_symbolizer *sym,
              const struct ms_export_opts *o);

/* The writers behind ms_export. */
int ms_export_pprof(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_export_opts *o);
int ms_export_massif(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_export_opts *o);
int ms_export_dhat(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_export_opts *o);
int ms_export_collapsed(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                        const struct ms_export_opts *o);
int ms_export_json(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_export_opts *o);

/* Internal to the exports: valgrind's text for one frame, as massif and
 * DHAT print it: "0xIP: function (file:line)", "0xIP: function (in
 * /module)" without line information, "0xIP: ???" when nothing is known.
 * Writes at most n bytes (NUL included) to buf and returns buf. */
char *ms_export_valgrind_frame(char *buf, size_t n, const struct ms_frame *f);

#endif
