/* `memscope diff` output: one row per group, by net growth, with the
 * group's frames (stack grouping) in text; the JSON twin has the same
 * figures under the same names. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "analysis/sampling.h"
#include "report/diff_report.h"
#include "report/json.h"
#include "report/units.h"

static void signed_size(char *buf, int64_t v)
{
	char t[MS_FMT_MAX];
	snprintf(buf, MS_FMT_MAX, "%s%s", v < 0 ? "-" : "+", ms_fmt_size(t, (uint64_t)(v < 0 ? -v : v)));
}

static bool sampled(const struct ms_diff_side *a, const struct ms_diff_side *b)
{
	return a->m->hdr.sample_rate || b->m->hdr.sample_rate;
}

/* The net change, and in a sampled trace its 95% interval; buf holds
 * NET_MAX bytes. */
#define NET_MAX (2 * MS_FMT_MAX + 8)
static void net_text(char *buf, const struct ms_diff_row *r, bool est)
{
	char v[MS_FMT_MAX], h[MS_FMT_MAX];
	signed_size(v, r->net_bytes);
	if (est)
		snprintf(buf, NET_MAX, "%s +/- %s", v, ms_fmt_size(h, ms_sample_ci95(r->net_var)));
	else
		snprintf(buf, NET_MAX, "%s", v);
}

static const struct ms_diff_side *rep_side(const struct ms_diff_row *r, const struct ms_diff_side *a,
                                           const struct ms_diff_side *b)
{
	return r->side ? b : a;
}

int ms_report_diff_text(FILE *out, const struct ms_diff *d, const struct ms_diff_side *a,
                        const struct ms_diff_side *b, enum ms_diff_group g, const char *name_a,
                        const char *name_b, size_t top)
{
	char x[MS_FMT_MAX], y[MS_FMT_MAX], z[MS_FMT_MAX], w[MS_FMT_MAX], net[NET_MAX];
	fprintf(out, "diff %s -> %s (%s, by %s)\n", name_a, name_b,
	        d->same_run ? "one run: blocks matched by identity" : "two runs: blocks matched by call stack",
	        ms_diff_group_name(g));
	bool est = sampled(a, b);
	if (est)
		fputs("  sampled: bytes are estimates, net changes +/- their 95% interval, blocks are samples\n", out);
	net_text(net, &d->total, est);
	fprintf(out, "  net %s: %s blocks added (%s), %s freed (%s);", net,
	        ms_fmt_count(y, d->total.added_blocks), ms_fmt_size(z, d->total.added_bytes),
	        ms_fmt_count(w, d->total.freed_blocks), ms_fmt_size(x, d->total.freed_bytes));
	fprintf(out, " live %s -> %s\n", ms_fmt_size(y, d->total.a_bytes), ms_fmt_size(z, d->total.b_bytes));
	size_t shown = 0;
	for (size_t i = 0; i < d->n && shown < top; i++) {
		const struct ms_diff_row *r = &d->rows[i];
		if (!r->added_blocks && !r->freed_blocks && !r->net_bytes)
			continue;
		net_text(net, r, est);
		fprintf(out, "\n#%zu  %s  added %s blocks (%s), freed %s blocks (%s)\n", ++shown, net,
		        ms_fmt_count(y, r->added_blocks), ms_fmt_size(z, r->added_bytes),
		        ms_fmt_count(w, r->freed_blocks), ms_fmt_size(x, r->freed_bytes));
		if (g != MS_GROUP_STACK) {
			fprintf(out, "      %s\n", r->key);
			continue;
		}
		const struct ms_diff_side *s = rep_side(r, a, b);
		const struct ms_frame *f;
		size_t n;
		if (ms_symbolize_stack(s->sym, r->stack, &f, &n))
			return -ENOMEM;
		for (size_t k = 0; k < n; k++) {
			fprintf(out, "      %s", f[k].function);
			if (f[k].file)
				fprintf(out, "  %s:%u", f[k].file, f[k].line);
			fputc('\n', out);
		}
	}
	if (!shown)
		fputs("\nno change\n", out);
	return ferror(out) ? -EIO : 0;
}

static void row_json(struct ms_json *j, const struct ms_diff_row *r, bool est)
{
	ms_json_kv_u64(j, "added_blocks", r->added_blocks);
	ms_json_kv_u64(j, "added_bytes", r->added_bytes);
	ms_json_kv_u64(j, "freed_blocks", r->freed_blocks);
	ms_json_kv_u64(j, "freed_bytes", r->freed_bytes);
	ms_json_key(j, "net_bytes");
	ms_json_i64(j, r->net_bytes);
	if (est)
		ms_json_kv_u64(j, "net_bytes_stderr", ms_sample_stderr(r->net_var));
	ms_json_kv_u64(j, "before_blocks", r->a_blocks);
	ms_json_kv_u64(j, "before_bytes", r->a_bytes);
	ms_json_kv_u64(j, "after_blocks", r->b_blocks);
	ms_json_kv_u64(j, "after_bytes", r->b_bytes);
}

int ms_report_diff_json(FILE *out, const struct ms_diff *d, const struct ms_diff_side *a,
                        const struct ms_diff_side *b, enum ms_diff_group g, const char *name_a,
                        const char *name_b, size_t top)
{
	struct ms_json j;
	ms_json_init(&j, out);
	ms_json_object_begin(&j);
	ms_json_kv_str(&j, "before", name_a);
	ms_json_kv_str(&j, "after", name_b);
	ms_json_kv_bool(&j, "same_run", d->same_run);
	ms_json_kv_str(&j, "group_by", ms_diff_group_name(g));
	ms_json_key(&j, "total");
	ms_json_object_begin(&j);
	row_json(&j, &d->total, sampled(a, b));
	ms_json_object_end(&j);
	ms_json_key(&j, "groups");
	ms_json_array_begin(&j);
	for (size_t i = 0; i < d->n && i < top; i++) {
		const struct ms_diff_row *r = &d->rows[i];
		ms_json_object_begin(&j);
		ms_json_kv_str(&j, "key", r->key);
		row_json(&j, r, sampled(a, b));
		if (g == MS_GROUP_STACK) {
			const struct ms_diff_side *s = rep_side(r, a, b);
			const struct ms_frame *f;
			size_t n;
			if (ms_symbolize_stack(s->sym, r->stack, &f, &n))
				return -ENOMEM;
			ms_json_kv_u64(&j, "stack_id", s->m->stacks[r->stack].id);
			ms_json_key(&j, "frames");
			ms_json_array_begin(&j);
			for (size_t k = 0; k < n; k++) {
				ms_json_object_begin(&j);
				ms_json_kv_str(&j, "function", f[k].function);
				ms_json_kv_str(&j, "file", f[k].file);
				ms_json_kv_u64(&j, "line", f[k].line);
				ms_json_kv_str(&j, "module", f[k].module);
				ms_json_object_end(&j);
			}
			ms_json_array_end(&j);
		}
		ms_json_object_end(&j);
	}
	ms_json_array_end(&j);
	ms_json_object_end(&j);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}
