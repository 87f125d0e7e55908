/* The HTML report's data document (docs/html.md has the schema). Compact
 * JSON, written directly except for the summary, which comes from the same
 * writer as `report --json` so that both show the same figures. Frames are
 * interned into one table that stack rows and flame nodes point into. Its
 * size is bounded: table rows per metric, flame nodes per tree, timeline
 * points x tracked stacks. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/heap.h"
#include "analysis/sampling.h"
#include "report/flame.h"
#include "report/html_int.h"
#include "report/json.h"
#include "report/report.h"

#define NO_ROW MS_HTML_NO_ROW

/* Distinct (function, file, line, module), keyed by the symbolizer's
 * interned pointers: equal pointers are equal strings. */
struct frame_key {
	const char *function, *file, *module;
	uint32_t line;
	bool inlined;
};

struct frames {
	struct frame_key *keys;
	size_t n, cap;
	uint32_t *slots; /* open addressing: index + 1, 0 empty */
	size_t n_slots;  /* a power of two, load <= 1/2 */
};

static uint64_t key_hash(const struct frame_key *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k->function * 0x9e3779b97f4a7c15ull;
	h ^= (uint64_t)(uintptr_t)k->file * 0xc2b2ae3d27d4eb4full + k->line;
	h ^= (uint64_t)(uintptr_t)k->module * 0x165667b19e3779f9ull;
	return h ^ h >> 29;
}

static bool key_eq(const struct frame_key *a, const struct frame_key *b)
{
	return a->function == b->function && a->file == b->file && a->module == b->module && a->line == b->line &&
	       a->inlined == b->inlined;
}

static int frames_grow(struct frames *t)
{
	size_t ns = t->n_slots ? t->n_slots * 2 : 1024;
	uint32_t *s = calloc(ns, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = key_hash(&t->keys[i]) & (ns - 1);
		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = s;
	t->n_slots = ns;
	return 0;
}

/* Index of k in the table, added on first sight; -ENOMEM. */
static int64_t frame_index(struct frames *t, const struct frame_key *k)
{
	if ((t->n + 1) * 2 > t->n_slots && frames_grow(t))
		return -ENOMEM;
	size_t j = key_hash(k) & (t->n_slots - 1);
	for (; t->slots[j]; j = (j + 1) & (t->n_slots - 1))
		if (key_eq(&t->keys[t->slots[j] - 1], k))
			return t->slots[j] - 1;
	if (t->n == t->cap) {
		size_t c = t->cap ? t->cap * 2 : 1024;
		struct frame_key *nk = realloc(t->keys, c * sizeof(*nk));
		if (!nk)
			return -ENOMEM;
		t->keys = nk;
		t->cap = c;
	}
	t->keys[t->n] = *k;
	t->slots[j] = (uint32_t)++t->n;
	return (int64_t)t->n - 1;
}

void ms_html_put_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	ms_json_escape(out, s, strlen(s));
	fputc('"', out);
}

void ms_html_put_key(FILE *out, const char *k)
{
	fprintf(out, ",\"%s\":", k);
}

/* The stacks listed in the tables: the first rows_per_metric by each
 * metric (non-zero), every stack the timeline tracks, and the stacks
 * flagged in want (diff view, retention paths); in peak order. */
static int pick_rows(const struct ms_model *m, const struct ms_timeline *tl, const uint8_t *want, size_t per_metric,
                     uint32_t *row_of, uint32_t **rows, size_t *n_rows)
{
	size_t n = 0, cnt = 0;
	uint32_t *by_peak = NULL;
	for (int k = MS_FLAME_METRICS - 1; k >= 0; k--) {
		uint32_t *order = ms_model_sort_stacks(m, (enum ms_metric)k, &n);
		if (!order && n) {
			free(by_peak);
			return -ENOMEM;
		}
		for (size_t i = 0; i < n && i < per_metric; i++)
			if (ms_stack_metric(&m->stacks[order[i]], (enum ms_metric)k))
				row_of[order[i]] = 0;
		if (k == MS_BY_PEAK)
			by_peak = order;
		else
			free(order);
	}
	for (size_t s = 0; tl && s < tl->n_stacks; s++)
		row_of[tl->stacks[s]] = 0;
	for (size_t s = 0; s < m->n_stacks; s++)
		if (want[s])
			row_of[s] = 0;
	*rows = malloc((n ? n : 1) * sizeof(**rows));
	if (!*rows) {
		free(by_peak);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (row_of[by_peak[i]] == 0) {
			row_of[by_peak[i]] = (uint32_t)cnt;
			(*rows)[cnt++] = by_peak[i];
		}
	free(by_peak);
	*n_rows = cnt;
	return 0;
}

static int write_rows(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, struct frames *ft,
                      const uint32_t *rows, size_t n_rows)
{
	fputs(",\"stack_columns\":[\"stack_id\",\"frames\",\"peak_bytes\",\"leaked_bytes\",\"leaked_blocks\","
	      "\"allocations\",\"temporary_allocations\",\"bytes_allocated\",\"frees\",\"max_live_bytes\","
	      "\"definitely_lost_bytes\",\"definitely_lost_blocks\",\"indirectly_lost_bytes\","
	      "\"indirectly_lost_blocks\",\"possibly_lost_bytes\",\"possibly_lost_blocks\",\"reachable_bytes\","
	      "\"reachable_blocks\",\"retained_bytes\"",
	      out);
	if (m->hdr.sample_rate) /* report --json's standard errors of the estimates */
		fputs(",\"peak_bytes_stderr\",\"leaked_bytes_stderr\",\"bytes_allocated_stderr\"", out);
	fputc(']', out);
	ms_html_put_key(out, "stacks");
	fputc('[', out);
	for (size_t r = 0; r < n_rows; r++) {
		const struct ms_stack *s = &m->stacks[rows[r]];
		const struct ms_frame *f;
		size_t nf;
		int rc = ms_symbolize_stack(sym, rows[r], &f, &nf);
		if (rc)
			return rc;
		fprintf(out, "%s[%" PRIu64 ",[", r ? ",\n" : "", s->id);
		for (size_t i = 0; i < nf; i++) {
			struct frame_key k = {f[i].function, f[i].file, f[i].module, f[i].line, f[i].inlined};
			int64_t x = frame_index(ft, &k);
			if (x < 0)
				return (int)x;
			fprintf(out, "%s%" PRId64, i ? "," : "", x);
		}
		fprintf(out, "],%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		             ",%" PRIu64,
		        s->peak_bytes, s->live_bytes, s->live_blocks, s->allocations, s->temporary_allocations,
		        s->bytes_allocated, s->frees, s->max_live_bytes);
		/* the leak classes in report --json's order: bytes, blocks per class */
		for (int c = 0; c < MS_LEAK__COUNT; c++)
			fprintf(out, ",%" PRIu64 ",%" PRIu64, s->class_bytes[c], s->class_blocks[c]);
		fprintf(out, ",%" PRIu64, s->retained_bytes);
		if (m->hdr.sample_rate)
			fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, ms_sample_stderr(s->var_peak),
			        ms_sample_stderr(s->var_live), ms_sample_stderr(s->var_allocated));
		fputc(']', out);
	}
	fputc(']', out);
	return 0;
}

/* One flame graph as flat arrays in breadth-first order (a parent before
 * its children): frame, parent, value. */
static int write_tree(FILE *out, const struct ms_model *m, const struct ms_flame *f, enum ms_metric k,
                      const struct ms_html_opts *o, struct frames *ft)
{
	uint64_t total = f->nodes[0].v[k];
	double min = (double)ms_flame_total(m, k) * o->min_fraction;
	uint32_t *queue = malloc(f->n * sizeof(*queue)), *out_idx = malloc(f->n * sizeof(*out_idx));
	size_t head = 0, tail = 0, kept = 0, all = 0;
	int rc = queue && out_idx ? 0 : -ENOMEM;
	for (size_t i = 0; i < f->n; i++)
		all += f->nodes[i].v[k] != 0;
	fputs("{\"n\":[", out);
	/* the values and parents go in second and third arrays: keep them here */
	uint64_t *vals = rc ? NULL : malloc(f->n * sizeof(*vals));
	uint32_t *par = rc ? NULL : malloc(f->n * sizeof(*par));
	if (!rc && (!vals || !par))
		rc = -ENOMEM;
	if (!rc)
		queue[tail++] = 0;
	while (!rc && head < tail) {
		uint32_t node = queue[head++];
		const struct ms_flame_node *nd = &f->nodes[node];
		struct frame_key key = {nd->function, nd->file, nd->module, nd->line, false};
		int64_t x = frame_index(ft, &key);
		if (x < 0) {
			rc = (int)x;
			break;
		}
		out_idx[node] = (uint32_t)kept;
		vals[kept] = nd->v[k];
		par[kept] = node ? out_idx[nd->parent] : NO_ROW;
		fprintf(out, "%s%" PRId64, kept ? "," : "", x);
		kept++;
		size_t nk;
		uint32_t *kids = ms_flame_children(f, node, k, &nk);
		if (!kids) {
			rc = -ENOMEM;
			break;
		}
		/* children come largest first: the first one too small ends them */
		for (size_t i = 0; i < nk && (double)f->nodes[kids[i]].v[k] >= min && tail < o->max_nodes; i++)
			queue[tail++] = kids[i];
		free(kids);
	}
	if (!rc) {
		fputs("],\"p\":[", out);
		for (size_t i = 0; i < kept; i++)
			fprintf(out, i ? ",%d" : "%d", par[i] == NO_ROW ? -1 : (int)par[i]);
		fputs("],\"v\":[", out);
		for (size_t i = 0; i < kept; i++)
			fprintf(out, i ? ",%" PRIu64 : "%" PRIu64, vals[i]);
		fprintf(out, "],\"total\":%" PRIu64 ",\"nodes\":%zu,\"all_nodes\":%zu}", total, kept, all);
	}
	free(queue);
	free(out_idx);
	free(vals);
	free(par);
	return rc;
}

static int write_flames(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                        const struct ms_html_opts *o, struct frames *ft)
{
	static const char *const view[2] = {"top_down", "bottom_up"};
	fprintf(out, ",\"flame\":{\"min_fraction\":%g,\"max_nodes\":%zu", o->min_fraction, o->max_nodes);
	for (int bu = 0; bu < 2; bu++) {
		struct ms_flame f;
		int rc = ms_flame_build(&f, m, sym, bu);
		if (rc)
			return rc;
		fprintf(out, ",\"%s\":{", view[bu]);
		for (int k = 0; k < MS_FLAME_METRICS && !rc; k++) {
			fprintf(out, "%s\"%s\":", k ? ",\n" : "", ms_metric_name((enum ms_metric)k));
			rc = write_tree(out, m, &f, (enum ms_metric)k, o, ft);
		}
		fputc('}', out);
		ms_flame_release(&f);
		if (rc)
			return rc;
	}
	fputc('}', out);
	return 0;
}

static void put_u64s(FILE *out, const char *key, const uint64_t *v, size_t n)
{
	ms_html_put_key(out, key);
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		if (v[i] == MS_TIMELINE_NO_RSS)
			fputs("null", out);
		else
			fprintf(out, "%" PRIu64, v[i]);
	}
	fputc(']', out);
}

static void write_timeline(FILE *out, const struct ms_model *m, const struct ms_timeline *tl, const uint32_t *row_of,
                           const struct ms_html_opts *o)
{
	ms_html_put_key(out, "timeline");
	if (!tl || !tl->n_points) {
		fputs("null", out);
		return;
	}
	fprintf(out, "{\"points\":%zu", tl->n_points);
	put_u64s(out, "t_ns", tl->t_ns, tl->n_points);
	put_u64s(out, "live", tl->live, tl->n_points);
	put_u64s(out, "rss", tl->rss, tl->n_points);
	put_u64s(out, "other", tl->other, tl->n_points);
	ms_html_put_key(out, "peak");
	if (tl->peak_point == MS_TIMELINE_NO_PEAK)
		fputs("null", out);
	else
		fprintf(out, "%zu", tl->peak_point);
	ms_html_put_key(out, "stack_rows");
	fputc('[', out);
	for (size_t s = 0; s < tl->n_stacks; s++)
		fprintf(out, s ? ",%u" : "%u", row_of[tl->stacks[s]]);
	fputc(']', out);
	put_u64s(out, "by_stack", tl->by_stack, tl->n_points * tl->n_stacks);
	ms_html_write_markers(out, m, o);
	fputc('}', out);
}

static void write_frames(FILE *out, const struct frames *ft)
{
	ms_html_put_key(out, "frames");
	fputc('[', out);
	for (size_t i = 0; i < ft->n; i++) {
		const struct frame_key *k = &ft->keys[i];
		fputs(i ? ",\n[" : "[", out);
		ms_html_put_str(out, k->function);
		fputc(',', out);
		ms_html_put_str(out, k->file);
		fprintf(out, ",%u,", k->line);
		ms_html_put_str(out, k->module ? ms_basename(k->module) : NULL);
		fputs(k->inlined ? ",1]" : ",0]", out);
	}
	fputc(']', out);
}

/* The stacks that need a row whatever their figures: those of the diff
 * view and of the retention paths, as flags (html_int.h); NULL on failure. */
static uint8_t *wanted_stacks(const struct ms_html_input *in, const struct ms_html_opts *o)
{
	uint8_t *want = calloc(in->m->n_stacks ? in->m->n_stacks : 1, 1);
	if (want && (ms_html_diff_stacks(in->m, in->spans, o, want) || ms_html_leak_stacks(in->m, o, want))) {
		free(want);
		return NULL;
	}
	return want;
}

int ms_report_html_data(FILE *out, const struct ms_html_input *in, const struct ms_html_opts *o,
                        const char *trace_path)
{
	const struct ms_model *m = in->m;
	const struct ms_timeline *tl = in->tl;
	struct frames ft = {0};
	struct ms_json j;
	uint32_t *rows = NULL;
	size_t n_rows = 0, used = 0;
	uint32_t *row_of = malloc((m->n_stacks ? m->n_stacks : 1) * sizeof(*row_of));
	uint8_t *want = wanted_stacks(in, o);
	if (!row_of || !want) {
		free(row_of);
		free(want);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->n_stacks; i++) {
		row_of[i] = NO_ROW;
		used += m->stacks[i].used;
	}
	int rc = pick_rows(m, tl, want, o->rows_per_metric, row_of, &rows, &n_rows);
	if (!rc) {
		fputs("{\"format\":1,\"tool\":", out);
		ms_html_put_str(out, o->generator);
		ms_html_put_key(out, "trace");
		ms_html_put_str(out, trace_path);
		ms_html_put_key(out, "warning");
		ms_html_put_str(out, o->warning);
		ms_html_put_key(out, "report");
		ms_json_init(&j, out);
		ms_json_object_begin(&j);
		ms_report_summary_json(&j, m);
		ms_json_object_end(&j);
		fprintf(out, ",\"stacks_total\":%zu,\"rows_per_metric\":%zu", used, o->rows_per_metric);
		rc = write_rows(out, m, in->sym, &ft, rows, n_rows);
	}
	if (!rc)
		rc = write_flames(out, m, in->sym, o, &ft);
	if (!rc) {
		write_timeline(out, m, tl, row_of, o);
		rc = ms_html_write_leaks(out, m, in->sym, row_of, o, trace_path);
	}
	if (!rc)
		rc = ms_html_write_diff(out, m, in->spans, want, row_of);
	if (!rc) {
		write_frames(out, &ft);
		fputs("}\n", out);
	}
	free(rows);
	free(row_of);
	free(want);
	free(ft.keys);
	free(ft.slots);
	if (!rc && ferror(out))
		rc = -EIO;
	return rc;
}
