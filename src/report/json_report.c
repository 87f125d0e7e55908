/* The JSON report: {"trace", "summary", "stacks"}. Names are stable (scripts
 * depend on them); docs/report.md holds the schema. */
#include <errno.h>
#include <stdlib.h>

#include "analysis/sampling.h"
#include "report/json.h"
#include "report/report.h"

void ms_report_summary_json(struct ms_json *j, const struct ms_model *m)
{
	const struct ms_summary *s = &m->summary;
	ms_json_key(j, "summary");
	ms_json_object_begin(j);
	ms_json_kv_u64(j, "allocations", s->allocations);
	ms_json_kv_u64(j, "frees", s->frees);
	ms_json_kv_u64(j, "bytes_allocated", s->bytes_allocated);
	ms_json_kv_u64(j, "peak_bytes", s->peak_bytes);
	ms_json_kv_u64(j, "leaked_bytes", s->leaked_bytes);
	ms_json_kv_u64(j, "leaked_blocks", s->leaked_blocks);
	ms_json_kv_u64(j, "temporary_allocations", s->temporary_allocations);
	ms_json_kv_u64(j, "peak_rss_bytes", s->peak_rss_bytes);
	ms_json_kv_u64(j, "wall_time_ns", s->wall_time_ns);
	ms_json_kv_u64(j, "peak_time_ns", s->peak_time_ns);
	ms_json_kv_u64(j, "unknown_frees", s->unknown_frees);
	ms_report_leak_summary_json(j, m);
	ms_json_kv_bool(j, "truncated", s->truncated);
	ms_json_kv_str(j, "end_reason", ms_end_kind_name(s->end));
	ms_json_kv_u64(j, "exit_status", s->exit_status);
	ms_json_kv_str(j, "exec_path", s->exec_path);
	ms_json_kv_u64(j, "frames_read", m->frames);
	ms_json_kv_u64(j, "pid", m->hdr.pid);
	ms_json_kv_u64(j, "ppid", m->hdr.ppid);
	ms_json_kv_bool(j, "forked", s->forked);
	ms_json_kv_u64(j, "sample_rate", m->hdr.sample_rate);
	if (m->hdr.sample_rate) {
		ms_json_kv_u64(j, "bytes_allocated_stderr", ms_sample_stderr(s->var_allocated));
		ms_json_kv_u64(j, "peak_bytes_stderr", ms_sample_stderr(s->var_peak));
		ms_json_kv_u64(j, "leaked_bytes_stderr", ms_sample_stderr(s->var_leaked));
	}
	ms_json_kv_bool(j, "mmap_recorded", m->maps.recorded);
	ms_json_kv_u64(j, "mapped_bytes", m->maps.cur);
	ms_json_kv_u64(j, "mapped_ranges", m->maps.n);
	ms_json_kv_u64(j, "mapped_peak_bytes", m->maps.peak);
	ms_json_kv_u64(j, "mapped_peak_time_ns", m->maps.peak ? ms_model_ts_to_ns(m, m->maps.peak_ts) : 0);
	ms_json_kv_u64(j, "mapped_total_bytes", m->maps.total);
	ms_json_kv_u64(j, "map_calls", m->maps.maps);
	ms_json_kv_u64(j, "unmap_calls", m->maps.unmaps);
	ms_json_kv_str(j, "exe", m->exe);
	ms_json_key(j, "argv");
	ms_json_array_begin(j);
	for (size_t i = 0; i < m->argc; i++)
		ms_json_string(j, m->argv[i]);
	ms_json_array_end(j);
	ms_json_key(j, "threads");
	ms_json_array_begin(j);
	for (size_t i = 0; i < m->n_threads; i++) {
		const struct ms_thread *t = &m->threads[i];
		ms_json_object_begin(j);
		ms_json_kv_u64(j, "tid", t->tid);
		ms_json_kv_str(j, "name", t->name);
		ms_json_kv_u64(j, "allocations", t->allocations);
		ms_json_kv_bool(j, "exited", t->exited);
		ms_json_object_end(j);
	}
	ms_json_array_end(j);
	ms_json_key(j, "modules");
	ms_json_array_begin(j);
	for (size_t i = 0; i < m->n_modules; i++) {
		const struct ms_module *mod = &m->modules[i];
		ms_json_object_begin(j);
		ms_json_kv_str(j, "path", mod->path);
		ms_json_kv_u64(j, "load_bias", mod->bias);
		ms_json_kv_u64(j, "load_time_ns", ms_model_ts_to_ns(m, mod->load_ts));
		if (mod->unload_ts == UINT64_MAX)
			ms_json_kv_str(j, "unload_time_ns", NULL);
		else
			ms_json_kv_u64(j, "unload_time_ns", ms_model_ts_to_ns(m, mod->unload_ts));
		ms_json_object_end(j);
	}
	ms_json_array_end(j);
	ms_json_object_end(j);
}

void ms_report_frame_json(struct ms_json *j, const struct ms_frame *f)
{
	ms_json_object_begin(j);
	ms_json_kv_str(j, "function", f->function);
	ms_json_kv_str(j, "file", f->file);
	ms_json_kv_u64(j, "line", f->line);
	ms_json_kv_str(j, "module", f->module);
	ms_json_kv_bool(j, "inlined", f->inlined);
	ms_json_kv_u64(j, "ip", f->ip);
	ms_json_kv_u64(j, "offset", f->offset);
	ms_json_object_end(j);
}

int ms_report_json(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                   const struct ms_report_opts *o, const char *trace_path)
{
	struct ms_json j;
	size_t n;
	uint32_t *order = ms_model_sort_stacks(m, o->by, &n);
	if (!order && n)
		return -ENOMEM;
	ms_json_init(&j, out);
	ms_json_object_begin(&j);
	ms_json_kv_str(&j, "trace", trace_path);
	ms_json_kv_str(&j, "sorted_by", ms_metric_name(o->by));
	ms_report_summary_json(&j, m);
	ms_json_key(&j, "stacks");
	ms_json_array_begin(&j);
	size_t limit = o->top_given && o->top < n ? o->top : n;
	for (size_t i = 0; i < limit; i++) {
		const struct ms_stack *s = &m->stacks[order[i]];
		const struct ms_frame *f;
		size_t nf;
		int rc = ms_symbolize_stack(sym, order[i], &f, &nf);
		if (rc) {
			free(order);
			return rc;
		}
		ms_json_object_begin(&j);
		ms_json_kv_u64(&j, "stack_id", s->id);
		ms_json_kv_u64(&j, "allocations", s->allocations);
		ms_json_kv_u64(&j, "frees", s->frees);
		ms_json_kv_u64(&j, "bytes_allocated", s->bytes_allocated);
		ms_json_kv_u64(&j, "peak_bytes", s->peak_bytes);
		ms_json_kv_u64(&j, "max_live_bytes", s->max_live_bytes);
		ms_json_kv_u64(&j, "leaked_bytes", s->live_bytes);
		ms_json_kv_u64(&j, "leaked_blocks", s->live_blocks);
		ms_json_kv_u64(&j, "temporary_allocations", s->temporary_allocations);
		if (m->hdr.sample_rate) {
			ms_json_kv_u64(&j, "bytes_allocated_stderr", ms_sample_stderr(s->var_allocated));
			ms_json_kv_u64(&j, "peak_bytes_stderr", ms_sample_stderr(s->var_peak));
			ms_json_kv_u64(&j, "leaked_bytes_stderr", ms_sample_stderr(s->var_live));
		}
		ms_report_leak_stack_json(&j, s);
		ms_json_key(&j, "frames");
		ms_json_array_begin(&j);
		for (size_t k = 0; k < nf; k++)
			ms_report_frame_json(&j, &f[k]);
		ms_json_array_end(&j);
		ms_json_object_end(&j);
	}
	ms_json_array_end(&j);
	ms_json_object_end(&j);
	free(order);
	return ferror(out) ? -EIO : 0;
}
