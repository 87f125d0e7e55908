/* `memscope report --by type`: live blocks per C++ class at the scanned
 * snapshot (analysis/types.h), text and JSON side by side. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "analysis/heap.h"
#include "analysis/types.h"
#include "report/json.h"
#include "report/report.h"
#include "report/units.h"

static const char *const class_json[MS_LEAK__COUNT][2] = {
	{"definitely_lost_blocks", "definitely_lost_bytes"},
	{"indirectly_lost_blocks", "indirectly_lost_bytes"},
	{"possibly_lost_blocks", "possibly_lost_bytes"},
	{"reachable_blocks", "reachable_bytes"},
};

static const char *snapshot_label(const struct ms_model *m, uint64_t id)
{
	for (size_t i = 0; i < m->n_snaps; i++)
		if (m->snaps[i].id == id)
			return m->snaps[i].label;
	return "";
}

static uint64_t lost_blocks(const struct ms_type_row *r)
{
	return r->class_blocks[MS_LEAK_DEFINITE] + r->class_blocks[MS_LEAK_INDIRECT] +
	       r->class_blocks[MS_LEAK_POSSIBLE];
}

int ms_report_types(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_report_opts *o,
                    const char *trace_path, bool json)
{
	const struct ms_heap *h = m->heaps[0];
	struct ms_type_row *rows;
	size_t n;
	if (ms_heap_types(h, sym, &rows, &n))
		return -ENOMEM;
	size_t shown = o->top_given && o->top < n ? o->top : n;
	if (json) {
		struct ms_json j;
		ms_json_init(&j, out);
		ms_json_object_begin(&j);
		ms_json_kv_str(&j, "trace", trace_path);
		ms_json_kv_u64(&j, "snapshot", h->snapshot_id);
		ms_json_kv_str(&j, "label", snapshot_label(m, h->snapshot_id));
		ms_json_kv_u64(&j, "total_blocks", h->n_blocks);
		ms_json_kv_u64(&j, "total_bytes", h->bytes);
		ms_json_key(&j, "types");
		ms_json_array_begin(&j);
		for (size_t i = 0; i < shown; i++) {
			ms_json_object_begin(&j);
			ms_json_kv_str(&j, "type", rows[i].name);
			ms_json_kv_u64(&j, "blocks", rows[i].blocks);
			ms_json_kv_u64(&j, "bytes", rows[i].bytes);
			for (int c = 0; c < MS_LEAK__COUNT; c++) {
				ms_json_kv_u64(&j, class_json[c][0], rows[i].class_blocks[c]);
				ms_json_kv_u64(&j, class_json[c][1], rows[i].class_bytes[c]);
			}
			ms_json_object_end(&j);
		}
		ms_json_array_end(&j);
		ms_json_object_end(&j);
		fputc('\n', out);
	} else {
		char a[MS_FMT_MAX], b[MS_FMT_MAX], c[MS_FMT_MAX];
		fprintf(out, "trace %s: live blocks by C++ type (from the vtable) at snapshot %" PRIu64 " (%s)\n\n",
		        trace_path, h->snapshot_id, snapshot_label(m, h->snapshot_id));
		fprintf(out, "%12s %14s %12s  %s\n", "blocks", "bytes", "lost blocks", "type");
		uint64_t lost = 0;
		for (size_t i = 0; i < n; i++)
			lost += lost_blocks(&rows[i]);
		for (size_t i = 0; i < shown; i++)
			fprintf(out, "%12s %14s %12s  %s\n", ms_fmt_count(a, rows[i].blocks), ms_fmt_size(b, rows[i].bytes),
			        ms_fmt_count(c, lost_blocks(&rows[i])), rows[i].name ? rows[i].name : "(no vtable)");
		if (shown < n)
			fprintf(out, "%12s %14s %12s  (%zu more types; --top)\n", "", "", "", n - shown);
		fprintf(out, "%12s %14s %12s  total\n", ms_fmt_count(a, h->n_blocks), ms_fmt_size(b, h->bytes),
		        ms_fmt_count(c, lost));
	}
	free(rows);
	return ferror(out) ? -EIO : 0;
}
