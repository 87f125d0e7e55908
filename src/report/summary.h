/* The paragraph `memscope run` prints when the program ends. */
#ifndef MS_REPORT_SUMMARY_H
#define MS_REPORT_SUMMARY_H

#include <stdio.h>

/* Replays the trace at trace_path and prints to out, each line prefixed
 * "memscope: ", the run's figures (allocations, frees, bytes allocated, peak
 * heap and when, leaked bytes/blocks, temporary allocations, peak RSS), then
 * "memscope: trace written to PATH" and "memscope: explain it with:
 * memscope report PATH". Returns 0 or a negative code from trace/read.h
 * (ms_trace_error_message() words it); prints nothing on failure. A
 * truncated trace is summarized, with a note that it was cut. */
int ms_report_run_summary(FILE *out, const char *trace_path);
struct ms_model;
/* Initializes m for a replay that feeds the paragraph (and nothing else). */
void ms_report_run_summary_init(struct ms_model *m);
/* The same paragraph from m, a finished replay of trace_path. */
void ms_report_run_summary_of(FILE *out, const struct ms_model *m, const char *trace_path);

#endif
