/* The full model as JSON: everything `report --json` has (the summary with
 * threads and modules, every stack with its frames), plus per-stack blocks
 * at the peak, blocks at the stack's own maximum and total lifetime, module
 * build-ids and address ranges, thread times, and the heap over time
 * (timeline.h). Names are stable; docs/export.md holds the schema. */
#include <errno.h>
#include <stdlib.h>

#include "analysis/lifetime.h"
#include "analysis/timeline.h"
#include "report/export.h"
#include "report/json.h"
#include "report/report.h"

static void stack_json(struct ms_json *j, const struct ms_model *m, const struct ms_stack *s,
                       const struct ms_frame *f, size_t nf)
{
	ms_json_object_begin(j);
	ms_json_kv_u64(j, "stack_id", s->id);
	ms_json_kv_u64(j, "allocations", s->allocations);
	ms_json_kv_u64(j, "frees", s->frees);
	ms_json_kv_u64(j, "bytes_allocated", s->bytes_allocated);
	ms_json_kv_u64(j, "peak_bytes", s->peak_bytes);
	ms_json_kv_u64(j, "peak_blocks", s->peak_blocks);
	ms_json_kv_u64(j, "max_live_bytes", s->max_live_bytes);
	ms_json_kv_u64(j, "max_live_blocks", s->max_live_blocks);
	ms_json_kv_u64(j, "leaked_bytes", s->live_bytes);
	ms_json_kv_u64(j, "leaked_blocks", s->live_blocks);
	ms_json_kv_u64(j, "temporary_allocations", s->temporary_allocations);
	ms_report_leak_stack_json(j, s); /* the leak classes, as report --json */
	ms_json_kv_u64(j, "lifetime_ns", ms_stack_lifetime_ns(m, s));
	ms_json_kv_u64(j, "first_time_ns", ms_model_ts_to_ns(m, s->first_ts));
	ms_json_key(j, "frames");
	ms_json_array_begin(j);
	for (size_t k = 0; k < nf; k++)
		ms_report_frame_json(j, &f[k]);
	ms_json_array_end(j);
	ms_json_object_end(j);
}

static void modules_json(struct ms_json *j, const struct ms_model *m)
{
	static const char digits[] = "0123456789abcdef";
	ms_json_key(j, "modules");
	ms_json_array_begin(j);
	for (size_t i = 0; i < m->n_modules; i++) {
		const struct ms_module *mod = &m->modules[i];
		ms_json_object_begin(j);
		ms_json_kv_str(j, "path", mod->path);
		char id[2 * 64 + 1];
		size_t n = mod->build_id_len < 64 ? mod->build_id_len : 64;
		for (size_t k = 0; k < n; k++) {
			id[2 * k] = digits[mod->build_id[k] >> 4];
			id[2 * k + 1] = digits[mod->build_id[k] & 15];
		}
		id[2 * n] = 0;
		ms_json_kv_str(j, "build_id", n ? id : NULL);
		ms_json_kv_u64(j, "load_bias", mod->bias);
		ms_json_kv_u64(j, "start", mod->lo);
		ms_json_kv_u64(j, "end", mod->hi);
		ms_json_kv_u64(j, "load_time_ns", ms_model_ts_to_ns(m, mod->load_ts));
		if (mod->unload_ts == UINT64_MAX)
			ms_json_kv_str(j, "unload_time_ns", NULL);
		else
			ms_json_kv_u64(j, "unload_time_ns", ms_model_ts_to_ns(m, mod->unload_ts));
		ms_json_object_end(j);
	}
	ms_json_array_end(j);
}

static void threads_json(struct ms_json *j, const struct ms_model *m)
{
	ms_json_key(j, "threads");
	ms_json_array_begin(j);
	for (size_t i = 0; i < m->n_threads; i++) {
		const struct ms_thread *t = &m->threads[i];
		ms_json_object_begin(j);
		ms_json_kv_u64(j, "tid", t->tid);
		ms_json_kv_str(j, "name", t->name);
		ms_json_kv_u64(j, "allocations", t->allocations);
		ms_json_kv_u64(j, "start_time_ns", ms_model_ts_to_ns(m, t->start_ts));
		if (t->exited)
			ms_json_kv_u64(j, "exit_time_ns", ms_model_ts_to_ns(m, t->exit_ts));
		else
			ms_json_kv_str(j, "exit_time_ns", NULL);
		ms_json_object_end(j);
	}
	ms_json_array_end(j);
}

static void timeline_json(struct ms_json *j, const struct ms_timeline *tl)
{
	ms_json_key(j, "heap_over_time");
	ms_json_object_begin(j);
	if (tl->peak_point == MS_TIMELINE_NO_PEAK)
		ms_json_kv_str(j, "peak_point", NULL);
	else
		ms_json_kv_u64(j, "peak_point", tl->peak_point);
	ms_json_key(j, "points");
	ms_json_array_begin(j);
	for (size_t i = 0; i < tl->n_points; i++) {
		ms_json_object_begin(j);
		ms_json_kv_u64(j, "time_ns", tl->t_ns[i]);
		ms_json_kv_u64(j, "heap_bytes", tl->live[i]);
		if (tl->rss[i] == MS_TIMELINE_NO_RSS)
			ms_json_kv_str(j, "rss_bytes", NULL);
		else
			ms_json_kv_u64(j, "rss_bytes", tl->rss[i]);
		ms_json_object_end(j);
	}
	ms_json_array_end(j);
	ms_json_object_end(j);
}

int ms_export_json(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_export_opts *o)
{
	struct ms_timeline tl;
	int rc = ms_timeline_build(&tl, m, o->trace_path, o->snapshots ? o->snapshots : MS_EXPORT_DEFAULT_SNAPSHOTS, 0);
	if (rc)
		return rc;
	size_t n;
	uint32_t *order = ms_model_sort_stacks(m, MS_BY_BYTES, &n);
	if (!order && n) {
		ms_timeline_release(&tl);
		return -ENOMEM;
	}
	struct ms_json j;
	ms_json_init(&j, out);
	ms_json_object_begin(&j);
	ms_json_kv_str(&j, "trace", o->trace_path);
	ms_json_kv_str(&j, "sorted_by", "bytes");
	ms_report_summary_json(&j, m);
	modules_json(&j, m);
	threads_json(&j, m);
	timeline_json(&j, &tl);
	ms_json_key(&j, "stacks");
	ms_json_array_begin(&j);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct ms_frame *f;
		size_t nf;
		rc = ms_symbolize_stack(sym, order[i], &f, &nf);
		if (!rc)
			stack_json(&j, m, &m->stacks[order[i]], f, nf);
	}
	ms_json_array_end(&j);
	ms_json_object_end(&j);
	free(order);
	ms_timeline_release(&tl);
	if (!rc && ferror(out))
		rc = -EIO;
	return rc;
}
