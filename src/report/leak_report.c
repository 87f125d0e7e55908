/* Leak classes in the report: the summary lines, the per-stack line and
 * their JSON twins (names: definitely_lost_bytes, ..._blocks, and so on). */
#include <inttypes.h>

#include "analysis/heap.h"
#include "analysis/sampling.h"
#include "report/json.h"
#include "report/report.h"
#include "report/units.h"

static const char *const json_names[MS_LEAK__COUNT][2] = {
	{"definitely_lost_bytes", "definitely_lost_blocks"},
	{"indirectly_lost_bytes", "indirectly_lost_blocks"},
	{"possibly_lost_bytes", "possibly_lost_blocks"},
	{"reachable_bytes", "reachable_blocks"},
};

void ms_report_leak_summary_text(FILE *out, const struct ms_model *m)
{
	const struct ms_summary *s = &m->summary;
	char a[MS_FMT_MAX], b[MS_FMT_MAX];
	if (s->suppressions)
		fprintf(out, "  %-22s %s in %s blocks (--suppressions)\n", "suppressed leaks",
		        ms_fmt_bytes(a, s->suppressed_bytes), ms_fmt_count(b, s->suppressed_blocks));
	if (!s->leak_scan) {
		if (s->leaked_blocks)
			fprintf(out, "  %-22s none in the trace (no leak classes; all blocks live at exit count as leaked)\n",
			        "reachability scan");
		return;
	}
	for (int c = 0; c < MS_LEAK__COUNT; c++)
		fprintf(out, "  %-22s %s in %s blocks\n", ms_leak_class_name((enum ms_leak_class)c),
		        ms_fmt_bytes(a, s->class_bytes[c]), ms_fmt_count(b, s->class_blocks[c]));
	if (s->events)
		fprintf(out, "  %-22s %s (weight %s)\n", "events", ms_fmt_count(a, s->events),
		        ms_fmt_count(b, s->event_weight));
}

void ms_report_leak_stack_text(FILE *out, const struct ms_model *m, const struct ms_stack *s)
{
	char a[MS_FMT_MAX], b[MS_FMT_MAX], c[MS_FMT_MAX], d[MS_FMT_MAX], e[MS_FMT_MAX];
	if (m->summary.leak_scan && s->live_blocks)
		fprintf(out, "    stack id %" PRIu64 ": definitely lost %s, indirectly %s, possibly %s, reachable %s; retains %s\n",
		        s->id, ms_fmt_size(a, s->class_bytes[0]), ms_fmt_size(b, s->class_bytes[1]),
		        ms_fmt_size(c, s->class_bytes[2]), ms_fmt_size(d, s->class_bytes[3]),
		        ms_fmt_size(e, s->retained_bytes));
	if (s->events)
		fprintf(out, "    %s events, weight %s\n", ms_fmt_count(a, s->events), ms_fmt_count(b, s->event_weight));
	if (s->mapped_total)
		fprintf(out, "    mapped %s at exit, %s in total (mmap, brk)\n", ms_fmt_size(a, s->mapped_bytes),
		        ms_fmt_size(b, s->mapped_total));
}

void ms_report_leak_summary_json(struct ms_json *j, const struct ms_model *m)
{
	const struct ms_summary *s = &m->summary;
	ms_json_kv_bool(j, "leak_scan", s->leak_scan);
	if (s->leak_scan)
		ms_json_kv_u64(j, "leak_snapshot", s->leak_snapshot);
	else
		ms_json_kv_str(j, "leak_snapshot", NULL);
	for (int c = 0; c < MS_LEAK__COUNT; c++) {
		ms_json_kv_u64(j, json_names[c][0], s->class_bytes[c]);
		ms_json_kv_u64(j, json_names[c][1], s->class_blocks[c]);
	}
	ms_json_kv_u64(j, "suppressed_bytes", s->suppressed_bytes);
	ms_json_kv_u64(j, "suppressed_blocks", s->suppressed_blocks);
	ms_json_kv_u64(j, "events", s->events);
	ms_json_kv_u64(j, "event_weight", s->event_weight);
	ms_json_key(j, "snapshots");
	ms_json_array_begin(j);
	for (size_t i = 0; i < m->n_snaps; i++)
		ms_report_snapshot_json(j, m, &m->snaps[i]);
	ms_json_array_end(j);
}

void ms_report_leak_stack_json(struct ms_json *j, const struct ms_stack *s)
{
	for (int c = 0; c < MS_LEAK__COUNT; c++) {
		ms_json_kv_u64(j, json_names[c][0], s->class_bytes[c]);
		ms_json_kv_u64(j, json_names[c][1], s->class_blocks[c]);
	}
	ms_json_kv_u64(j, "retained_bytes", s->retained_bytes);
	ms_json_kv_u64(j, "events", s->events);
	ms_json_kv_u64(j, "event_weight", s->event_weight);
	ms_json_kv_u64(j, "mapped_bytes", s->mapped_bytes);
	ms_json_kv_u64(j, "mapped_total_bytes", s->mapped_total);
}

static const char *reason_name(uint64_t r)
{
	static const char *const names[] = {"?", "api", "socket", "interval", "peak", "exit"};
	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

/* How the other threads were stopped for the scan (SCAN_END). */
static const char *stop_name(uint64_t bits)
{
	static const char *const names[] = {"none", "ptrace", "signal", "ptrace+signal"};
	return names[bits & 3];
}

void ms_report_snapshot_json(struct ms_json *j, const struct ms_model *m, const struct ms_snapshot *s)
{
	ms_json_object_begin(j);
	ms_json_kv_u64(j, "id", s->id);
	ms_json_kv_str(j, "label", s->label);
	ms_json_kv_str(j, "reason", reason_name(s->reason));
	ms_json_kv_u64(j, "time_ns", ms_model_ts_to_ns(m, s->ts));
	ms_json_kv_u64(j, "live_bytes", s->live_bytes);
	if (m->hdr.sample_rate)
		ms_json_kv_u64(j, "live_bytes_stderr", ms_sample_stderr(s->live_var));
	ms_json_kv_u64(j, "live_blocks", s->live_blocks);
	ms_json_kv_bool(j, "scanned", s->scanned);
	ms_json_kv_u64(j, "roots", s->roots);
	ms_json_kv_u64(j, "edges", s->edges);
	ms_json_kv_str(j, "stop_method", s->scanned ? stop_name(s->stop_method) : NULL);
	ms_json_kv_u64(j, "threads_stopped", s->threads_stopped);
	ms_json_kv_u64(j, "threads_missed", s->threads_missed);
	ms_json_object_end(j);
}

/* "no", "yes", or "yes, N threads stopped by ptrace[, M missed]". */
static void scan_text(char *buf, size_t n, const struct ms_snapshot *s)
{
	if (!s->scanned || !s->stop_method) {
		snprintf(buf, n, "%s", s->scanned ? "yes" : "no");
		return;
	}
	int k = snprintf(buf, n, "yes, %" PRIu64 " threads stopped by %s", s->threads_stopped, stop_name(s->stop_method));
	if (s->threads_missed && k > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, ", %" PRIu64 " missed", s->threads_missed);
}

int ms_report_snapshots_text(FILE *out, const struct ms_model *m, const char *trace_path)
{
	char a[MS_FMT_MAX], b[MS_FMT_MAX], c[MS_FMT_MAX];
	if (!m->n_snaps) {
		fprintf(out, "trace %s has no snapshots (take them with memscope_snapshot() or 'memscope snapshot')\n",
		        trace_path);
		return 0;
	}
	bool est = m->hdr.sample_rate != 0;
	if (est)
		fprintf(out, "sampled trace: live bytes are estimates +/- their 95%% interval, blocks are samples\n");
	fprintf(out, "%4s  %-12s %-8s %-24s %14s%s %10s  %s\n", "id", "time", "reason", "label", "live bytes",
	        est ? "     +/- 95%" : "", "blocks", "scan");
	for (size_t i = 0; i < m->n_snaps; i++) {
		const struct ms_snapshot *s = &m->snaps[i];
		char scan[96], ci[MS_FMT_MAX + 8] = "";
		scan_text(scan, sizeof(scan), s);
		if (est)
			snprintf(ci, sizeof(ci), " %12s", ms_fmt_size(b, ms_sample_ci95(s->live_var)));
		fprintf(out, "%4" PRIu64 "  %-12s %-8s %-24s %14s%s %10s  %s\n", s->id,
		        ms_fmt_duration(a, ms_model_ts_to_ns(m, s->ts)), reason_name(s->reason),
		        *s->label ? s->label : "-", ms_fmt_size(b, s->live_bytes), ci, ms_fmt_count(c, s->live_blocks),
		        scan);
	}
	return ferror(out) ? -1 : 0;
}

int ms_report_snapshots_json(FILE *out, const struct ms_model *m, const char *trace_path)
{
	struct ms_json j;
	ms_json_init(&j, out);
	ms_json_object_begin(&j);
	ms_json_kv_str(&j, "trace", trace_path);
	ms_json_key(&j, "snapshots");
	ms_json_array_begin(&j);
	for (size_t i = 0; i < m->n_snaps; i++)
		ms_report_snapshot_json(&j, m, &m->snaps[i]);
	ms_json_array_end(&j);
	ms_json_object_end(&j);
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}
