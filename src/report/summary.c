/* ms_report_run_summary(): the end-of-run paragraph; see summary.h. */
#include "report/summary.h"

#include "analysis/model.h"
#include "report/report.h"
#include "report/units.h"
#include "trace/read.h"

void ms_report_run_summary_of(FILE *out, const struct ms_model *m, const char *trace_path)
{
	const struct ms_summary *s = &m->summary;
	char a[MS_FMT_MAX], b[MS_FMT_MAX], c[MS_FMT_MAX], d[MS_FMT_MAX];
	fprintf(out, "memscope: %s allocations, %s frees, %s allocated\n", ms_fmt_count(a, s->allocations),
	        ms_fmt_count(b, s->frees), ms_report_fmt_figure(c, m, s->bytes_allocated, s->var_allocated));
	fprintf(out, "memscope: peak heap %s at %s, peak RSS %s\n",
	        ms_report_fmt_figure(a, m, s->peak_bytes, s->var_peak), ms_fmt_duration(b, s->peak_time_ns),
	        s->peak_rss_bytes ? ms_fmt_bytes(c, s->peak_rss_bytes) : "unknown");
	fprintf(out, "memscope: %s %s in %s blocks", s->end == MS_ENDK_EXEC ? "live at exec" : "leaked",
	        ms_report_fmt_figure(a, m, s->leaked_bytes, s->var_leaked), ms_fmt_count(b, s->leaked_blocks));
	if (!m->hdr.sample_rate) /* unknown when sampled (ms_metric_unknown) */
		fprintf(out, ", %s temporary allocations", ms_fmt_count(d, s->temporary_allocations));
	fputc('\n', out);
	if (s->truncated)
		fprintf(out, "memscope: the trace is incomplete (%s): figures cover what was written\n",
		        ms_end_kind_name(s->end));
	if (m->hdr.sample_rate)
		fprintf(out, "memscope: sampled (one sample per %s on average): bytes are estimates (+/- their 95%% "
		        "interval), counts are samples\n",
		        ms_fmt_bytes(a, m->hdr.sample_rate));
	fprintf(out, "memscope: trace written to %s\n", trace_path);
	fprintf(out, "memscope: explain it with: memscope report %s\n", trace_path);
}

void ms_report_run_summary_init(struct ms_model *m)
{
	ms_model_init(m);
	/* the paragraph has no leak classes: skip building the exit heap's
	 * pointer graph, the most expensive part of a replay */
	m->want[0].at = MS_HEAP_NONE;
}

int ms_report_run_summary(FILE *out, const char *trace_path)
{
	struct ms_model m;
	ms_report_run_summary_init(&m);
	int rc = ms_replay_file(&m, trace_path);
	if (rc && !(rc == MS_TRACE_E_CORRUPT && m.frames > 0)) {
		ms_model_release(&m);
		return rc;
	}
	ms_report_run_summary_of(out, &m, trace_path);
	ms_model_release(&m);
	return 0;
}
