/* The HTML report's retention paths (html_int.h): for the stacks that
 * retain most at the scanned heap, the document `memscope why --stack ID
 * --json` prints, from the same writer, so the page and the command agree.
 * The leak classes themselves are in the summary and the stack rows. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "analysis/heap.h"
#include "report/html_int.h"
#include "report/why_report.h"

/* The heap the leak classes come from, or NULL without a complete scan. */
static const struct ms_heap *scanned_heap(const struct ms_model *m)
{
	const struct ms_heap *h = m->heaps[0];
	return m->summary.leak_scan && h && h->scanned && h->cls && h->retained ? h : NULL;
}

static bool live_at_scan(const struct ms_stack *s)
{
	for (int c = 0; c < MS_LEAK__COUNT; c++)
		if (s->class_blocks[c])
			return true;
	return false;
}

/* Calls fn for the first o->leak_paths stacks by retained bytes that have
 * blocks at the scan. 0 or -ENOMEM. */
static int each_path_stack(const struct ms_model *m, const struct ms_html_opts *o,
                           int (*fn)(void *ctx, uint32_t stack), void *ctx)
{
	if (!scanned_heap(m) || !o->leak_paths)
		return 0;
	size_t n, done = 0;
	uint32_t *order = ms_model_sort_stacks(m, MS_BY_RETAINED, &n);
	if (!order)
		return n ? -ENOMEM : 0;
	int rc = 0;
	for (size_t i = 0; i < n && done < o->leak_paths && !rc; i++) {
		const struct ms_stack *s = &m->stacks[order[i]];
		if (!s->retained_bytes)
			break;
		if (live_at_scan(s)) {
			rc = fn(ctx, order[i]);
			done++;
		}
	}
	free(order);
	return rc;
}

static int mark(void *ctx, uint32_t stack)
{
	((uint8_t *)ctx)[stack] |= MS_HTML_WANT_PATH;
	return 0;
}

int ms_html_leak_stacks(const struct ms_model *m, const struct ms_html_opts *o, uint8_t *want)
{
	return each_path_stack(m, o, mark, want);
}

struct path_writer {
	FILE *out;
	const struct ms_model *m;
	struct ms_symbolizer *sym;
	const uint32_t *row_of;
	const char *trace_path;
	size_t n;
};

/* A lost block's holder (its immediate dominator, another lost block), as
 * `memscope why` names it after "no root reaches it": ,"held_by":{...}. The
 * JSON of why has no such member. */
static int write_holder(FILE *out, const struct ms_model *m, const struct ms_heap *h, struct ms_symbolizer *sym,
                        uint32_t b)
{
	struct ms_hop *hops;
	long n = ms_heap_path(h, b, &hops);
	if (n < 0)
		return (int)n;
	free(hops);
	if (n > 0 || h->idom[b] == MS_HBLOCK_NONE)
		return 0;
	const struct ms_hblock *x = &h->blocks[h->idom[b]];
	const struct ms_frame *f;
	size_t nf;
	if (ms_symbolize_stack(sym, x->stack, &f, &nf))
		return -ENOMEM;
	fprintf(out, ",\"held_by\":{\"address\":%" PRIu64 ",\"size\":%" PRIu64 ",\"stack_id\":%" PRIu64 ",\"function\":",
	        x->addr, x->size, m->stacks[x->stack].id);
	ms_html_put_str(out, nf ? f[0].function : "(no frames)");
	ms_html_put_key(out, "file");
	ms_html_put_str(out, nf ? f[0].file : NULL);
	fprintf(out, ",\"line\":%u}", nf ? f[0].line : 0);
	return 0;
}

static int write_path(void *ctx, uint32_t stack)
{
	struct path_writer *w = ctx;
	const struct ms_heap *h = scanned_heap(w->m);
	uint32_t b = ms_why_pick(w->m, h, w->m->stacks[stack].id);
	if (b == MS_HBLOCK_NONE || w->row_of[stack] == MS_HTML_NO_ROW)
		return 0;
	fprintf(w->out, "%s{\"row\":%" PRIu32 ",\"why\":", w->n++ ? ",\n" : "", w->row_of[stack]);
	int rc = ms_report_why_json(w->out, w->m, h, w->sym, b, true, w->trace_path, "exit");
	if (!rc)
		rc = write_holder(w->out, w->m, h, w->sym, b);
	fputc('}', w->out);
	return rc;
}

int ms_html_write_leaks(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const uint32_t *row_of,
                        const struct ms_html_opts *o, const char *trace_path)
{
	/* the stacks ms_html_leak_stacks marked, found again in the same order */
	const struct ms_heap *h = scanned_heap(m);
	ms_html_put_key(out, "leaks");
	fprintf(out, "{\"scan\":%s", h ? "true" : "false");
	if (h)
		fprintf(out, ",\"snapshot\":%" PRIu64 ",\"blocks\":%zu", h->snapshot_id, h->n_blocks);
	fprintf(out, ",\"paths_top\":%zu,\"paths\":[", o->leak_paths);
	struct path_writer w = {out, m, sym, row_of, trace_path, 0};
	int rc = each_path_stack(m, o, write_path, &w);
	fputs("]}", out);
	return rc;
}
