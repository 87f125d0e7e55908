/* The plain-text report: summary block and top stacks. Its JSON twin is
 * json_report.c; both show the same figures under the same names. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sampling.h"
#include "report/report.h"
#include "report/units.h"

char *ms_report_fmt_figure(char *buf, const struct ms_model *m, uint64_t bytes, double var)
{
	return m->hdr.sample_rate ? ms_fmt_estimate(buf, bytes, ms_sample_ci95(var)) : ms_fmt_bytes(buf, bytes);
}

static void print_threads(FILE *out, const struct ms_model *m)
{
	fprintf(out, "  %-22s %zu", "threads", m->n_threads);
	size_t shown = 0;
	for (size_t i = 0; i < m->n_threads && shown < 8; i++) {
		if (!m->threads[i].name)
			continue;
		fprintf(out, "%s%s", shown ? ", " : " (", m->threads[i].name);
		shown++;
	}
	if (shown)
		fputs(shown < m->n_threads ? ", ...)" : ")", out);
	fputc('\n', out);
}

static void print_end(FILE *out, const struct ms_model *m)
{
	const struct ms_summary *s = &m->summary;
	fprintf(out, "  %-22s ", "end");
	switch (s->end) {
	case MS_ENDK_EXIT: fprintf(out, "exit, status %" PRIu64 "\n", s->exit_status); break;
	case MS_ENDK__EXIT: fprintf(out, "_exit, status %" PRIu64 "\n", s->exit_status); break;
	case MS_ENDK_ABORT: fputs("abort (SIGABRT)\n", out); break;
	case MS_ENDK_EXEC: fprintf(out, "exec of '%s' (blocks live then count as leaked)\n", s->exec_path ? s->exec_path : "?"); break;
	case MS_ENDK_KILLED: fputs("no end record (killed?)\n", out); break;
	case MS_ENDK_TRUNCATED: fputs("trace cut inside a frame (killed?)\n", out); break;
	case MS_ENDK_CORRUPT: fprintf(out, "corrupt frame after %u frames\n", m->frames); break;
	}
}

/* --mmap: what the heap does not explain. */
static void print_maps(FILE *out, const struct ms_model *m)
{
	const struct ms_maps *mp = &m->maps;
	char a[MS_FMT_MAX], b[MS_FMT_MAX], c[MS_FMT_MAX], d[MS_FMT_MAX];
	if (!mp->recorded)
		return;
	fprintf(out, "  %-22s peak %s at %s; at exit %s in %s ranges\n", "mapped (mmap, brk)", ms_fmt_bytes(a, mp->peak),
	        ms_fmt_duration(b, mp->peak ? ms_model_ts_to_ns(m, mp->peak_ts) : 0), ms_fmt_bytes(c, mp->cur),
	        ms_fmt_count(d, (uint64_t)mp->n));
	fprintf(out, "  %-22s %s in %s calls, %s unmaps\n", "mapped in total", ms_fmt_bytes(a, mp->total),
	        ms_fmt_count(b, mp->maps), ms_fmt_count(c, mp->unmaps));
}

void ms_report_summary_text(FILE *out, const struct ms_model *m, const char *trace_path)
{
	const struct ms_summary *s = &m->summary;
	char a[MS_FMT_MAX], b[MS_FMT_MAX];
	fprintf(out, "trace %s", trace_path);
	if (m->exe) {
		fprintf(out, ": %s", m->exe);
		for (size_t i = 1; i < m->argc && i < 16; i++)
			fprintf(out, " %s", m->argv[i]);
		if (m->argc > 16)
			fputs(" ...", out);
	}
	fprintf(out, " (pid %u%s)\n", m->hdr.pid, s->forked ? ", a fork child" : "");
	if (s->truncated)
		fprintf(out, "WARNING: TRUNCATED trace (%s): the figures cover what was written\n",
		        ms_end_kind_name(s->end));
	if (m->hdr.sample_rate)
		fprintf(out, "SAMPLED trace: one sample per %s allocated on average; bytes are estimates "
		        "(+/- their 95%% interval), counts are counts of samples\n",
		        ms_fmt_bytes(a, m->hdr.sample_rate));
	fprintf(out, "  %-22s %s\n", "wall time", ms_fmt_duration(a, s->wall_time_ns));
	fprintf(out, "  %-22s %s\n", "allocation calls", ms_fmt_count(a, s->allocations));
	fprintf(out, "  %-22s %s\n", "frees", ms_fmt_count(a, s->frees));
	fprintf(out, "  %-22s %s\n", "bytes allocated", ms_report_fmt_figure(a, m, s->bytes_allocated, s->var_allocated));
	fprintf(out, "  %-22s %s at %s\n", "peak heap", ms_report_fmt_figure(a, m, s->peak_bytes, s->var_peak),
	        ms_fmt_duration(b, s->peak_time_ns));
	if (s->peak_rss_bytes)
		fprintf(out, "  %-22s %s\n", "peak RSS", ms_fmt_bytes(a, s->peak_rss_bytes));
	else
		fprintf(out, "  %-22s unknown\n", "peak RSS");
	fprintf(out, "  %-22s %s in %s blocks\n", s->end == MS_ENDK_EXEC ? "live at exec" : "leaked at exit",
	        ms_report_fmt_figure(a, m, s->leaked_bytes, s->var_leaked), ms_fmt_count(b, s->leaked_blocks));
	if (m->hdr.sample_rate)
		fprintf(out, "  %-22s unknown in a sampled trace\n", "temporary allocations");
	else {
		fprintf(out, "  %-22s %s", "temporary allocations", ms_fmt_count(a, s->temporary_allocations));
		if (s->allocations)
			fprintf(out, " (%.1f%% of calls)",
			        100.0 * (double)s->temporary_allocations / (double)s->allocations);
		fputc('\n', out);
	}
	ms_report_leak_summary_text(out, m);
	print_maps(out, m);
	print_threads(out, m);
	print_end(out, m);
	if (s->unknown_frees)
		fprintf(out, "  %-22s %s (frees of blocks not allocated in this trace)\n", "unknown frees",
		        ms_fmt_count(a, s->unknown_frees));
}

static void print_frames(FILE *out, const struct ms_frame *f, size_t n)
{
	if (!n)
		fputs("      (no frames recorded)\n", out);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "      %s", f[i].function);
		if (f[i].file)
			fprintf(out, "  %s:%u", f[i].file, f[i].line);
		if (f[i].inlined)
			fputs("  [inlined]", out);
		if (f[i].module)
			fprintf(out, "  (%s)", ms_basename(f[i].module));
		fputc('\n', out);
	}
}

int ms_report_text(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                   const struct ms_report_opts *o, const char *trace_path)
{
	ms_report_summary_text(out, m, trace_path);
	size_t n;
	uint32_t *order = ms_model_sort_stacks(m, o->by, &n);
	if (!order && n)
		return -ENOMEM;
	size_t shown = 0;
	for (size_t i = 0; i < n && shown < o->top; i++) {
		const struct ms_stack *s = &m->stacks[order[i]];
		if (!ms_stack_metric(s, o->by))
			break; /* the rest have nothing of this metric */
		if (!shown)
			fprintf(out, "\ntop %zu call stacks by %s:\n", o->top, ms_metric_name(o->by));
		char a[MS_FMT_MAX], b[MS_FMT_MAX], c[MS_FMT_MAX], d[MS_FMT_MAX], e[MS_FMT_MAX];
		fprintf(out, "\n#%zu  peak %s, leaked %s in %s blocks\n", ++shown,
		        ms_report_fmt_figure(a, m, s->peak_bytes, s->var_peak),
		        ms_report_fmt_figure(b, m, s->live_bytes, s->var_live), ms_fmt_count(c, s->live_blocks));
		if (m->hdr.sample_rate)
			fprintf(out, "    %s allocations, %s allocated, %s frees, max live %s\n",
			        ms_fmt_count(a, s->allocations),
			        ms_report_fmt_figure(b, m, s->bytes_allocated, s->var_allocated), ms_fmt_count(d, s->frees),
			        ms_fmt_size(e, s->max_live_bytes));
		else
			fprintf(out, "    %s allocations, %s allocated, %s temporary, %s frees, max live %s\n",
			        ms_fmt_count(a, s->allocations), ms_fmt_bytes(b, s->bytes_allocated),
			        ms_fmt_count(c, s->temporary_allocations), ms_fmt_count(d, s->frees),
			        ms_fmt_size(e, s->max_live_bytes));
		ms_report_leak_stack_text(out, m, s);
		const struct ms_frame *f;
		size_t nf;
		int rc = ms_symbolize_stack(sym, order[i], &f, &nf);
		if (rc) {
			free(order);
			return rc;
		}
		print_frames(out, f, nf);
	}
	if (!shown)
		fprintf(out, "\nno call stack has any %s\n", ms_metric_name(o->by));
	free(order);
	return 0;
}
