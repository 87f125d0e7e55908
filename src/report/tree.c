/* The caller tree: stacks merged by function, the allocating function at
 * the root and its callers below (bottom-up, like a caller graph). Nodes
 * hold the sums of the stacks through them; printing sorts siblings by the
 * chosen metric and prunes nodes below a share of the total. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/json.h"
#include "report/report.h"
#include "report/units.h"

#define NO_NODE UINT32_MAX

struct node {
	/* interned by the symbolizer; file:line is the first stack's position
	 * in the function (stacks are merged by function, not by line) */
	const char *function, *file, *module;
	uint32_t line;
	uint32_t first_child, next_sibling;
	uint64_t v[5]; /* indexed by enum ms_metric */
};

struct tree {
	struct node *nodes;
	size_t n, cap;
	uint32_t first_root;
	bool sampled; /* no temporary allocations to show (ms_metric_unknown) */
};

static uint32_t child(struct tree *t, uint32_t parent, const struct ms_frame *f)
{
	uint32_t *link = parent == NO_NODE ? &t->first_root : &t->nodes[parent].first_child;
	for (uint32_t c = *link; c != NO_NODE; c = t->nodes[c].next_sibling)
		if (t->nodes[c].function == f->function) /* interned: same pointer, same name */
			return c;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		struct node *nn = realloc(t->nodes, nc * sizeof(*nn));
		if (!nn)
			return NO_NODE;
		t->nodes = nn;
		t->cap = nc;
	}
	uint32_t i = (uint32_t)t->n++;
	link = parent == NO_NODE ? &t->first_root : &t->nodes[parent].first_child;
	t->nodes[i] = (struct node){f->function, f->file, f->module, f->line, NO_NODE, *link, {0}};
	*link = i;
	return i;
}

static int build(struct tree *t, const struct ms_model *m, struct ms_symbolizer *sym)
{
	t->first_root = NO_NODE;
	for (size_t i = 0; i < m->n_stacks; i++) {
		const struct ms_stack *s = &m->stacks[i];
		if (!s->used)
			continue;
		const struct ms_frame *f;
		size_t nf;
		int rc = ms_symbolize_stack(sym, (uint32_t)i, &f, &nf);
		if (rc)
			return rc;
		static const struct ms_frame unknown = {.function = "(no frames)"};
		if (!nf) {
			f = &unknown;
			nf = 1;
		}
		uint32_t node = NO_NODE;
		for (size_t k = 0; k < nf; k++) {
			/* a recursive function counts once per path, not once per frame */
			if (node != NO_NODE && t->nodes[node].function == f[k].function)
				continue;
			node = child(t, node, &f[k]);
			if (node == NO_NODE)
				return -ENOMEM;
			for (int mk = 0; mk < 5; mk++)
				t->nodes[node].v[mk] += ms_stack_metric(s, (enum ms_metric)mk);
		}
	}
	return 0;
}

/* qsort has no context argument: the comparison reads these (the report
 * is single-threaded). */
static enum ms_metric sort_by;
static const struct node *sort_nodes;

static int cmp_node(const void *a, const void *b)
{
	uint64_t x = sort_nodes[*(const uint32_t *)a].v[sort_by], y = sort_nodes[*(const uint32_t *)b].v[sort_by];
	return x > y ? -1 : x < y;
}

/* Children of parent sorted by the metric, into a malloc'd array. */
static uint32_t *sorted_children(const struct tree *t, uint32_t first, enum ms_metric by, size_t *n)
{
	size_t c = 0;
	for (uint32_t i = first; i != NO_NODE; i = t->nodes[i].next_sibling)
		c++;
	uint32_t *a = malloc((c ? c : 1) * sizeof(*a));
	if (!a)
		return NULL;
	c = 0;
	for (uint32_t i = first; i != NO_NODE; i = t->nodes[i].next_sibling)
		a[c++] = i;
	sort_by = by;
	sort_nodes = t->nodes;
	qsort(a, c, sizeof(*a), cmp_node);
	*n = c;
	return a;
}


static uint64_t metric_total(const struct ms_model *m, enum ms_metric by)
{
	const struct ms_summary *s = &m->summary;
	switch (by) {
	case MS_BY_PEAK: return s->peak_bytes;
	case MS_BY_LEAKED: return s->leaked_bytes;
	case MS_BY_ALLOCATIONS: return s->allocations;
	case MS_BY_TEMPORARY: return s->temporary_allocations;
	case MS_BY_BYTES: return s->bytes_allocated;
	default: return ms_summary_metric(m, by); /* leak classes, retained, events */
	}
	return 0;
}

static void fmt_metric(char *buf, enum ms_metric by, uint64_t v)
{
	if (by == MS_BY_ALLOCATIONS || by == MS_BY_TEMPORARY)
		ms_fmt_count(buf, v);
	else
		ms_fmt_size(buf, v);
}

static int print_text(FILE *out, const struct tree *t, uint32_t first, int depth, enum ms_metric by,
                      uint64_t threshold, size_t *hidden)
{
	size_t n;
	uint32_t *kids = sorted_children(t, first, by, &n);
	if (!kids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct node *nd = &t->nodes[kids[i]];
		if (nd->v[by] < threshold || !nd->v[by]) {
			*hidden += n - i;
			break;
		}
		char a[MS_FMT_MAX], b[MS_FMT_MAX], c[MS_FMT_MAX], d[MS_FMT_MAX], e[MS_FMT_MAX];
		fprintf(out, "%*s%s", depth * 2, "", nd->function);
		if (nd->file)
			fprintf(out, "  %s:%u", nd->file, nd->line);
		if (nd->module)
			fprintf(out, "  (%s)", ms_basename(nd->module));
		fprintf(out, "\n%*s  peak %s, leaked %s, %s allocations, ", depth * 2, "", ms_fmt_size(a, nd->v[MS_BY_PEAK]),
		        ms_fmt_size(b, nd->v[MS_BY_LEAKED]), ms_fmt_count(c, nd->v[MS_BY_ALLOCATIONS]));
		if (!t->sampled)
			fprintf(out, "%s temporary, ", ms_fmt_count(d, nd->v[MS_BY_TEMPORARY]));
		fprintf(out, "%s allocated\n", ms_fmt_size(e, nd->v[MS_BY_BYTES]));
		int rc = print_text(out, t, nd->first_child, depth + 1, by, threshold, hidden);
		if (rc) {
			free(kids);
			return rc;
		}
	}
	free(kids);
	return 0;
}

static uint64_t threshold_of(const struct ms_model *m, const struct ms_report_opts *o)
{
	double th = (double)metric_total(m, o->by) * o->tree_min_pct / 100.0;
	uint64_t t = (uint64_t)th;
	return t ? t : 1;
}

int ms_report_tree_text(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                        const struct ms_report_opts *o, const char *trace_path)
{
	struct tree t = {.sampled = m->hdr.sample_rate != 0};
	int rc = build(&t, m, sym);
	ms_report_summary_text(out, m, trace_path);
	if (!rc) {
		uint64_t th = threshold_of(m, o);
		char a[MS_FMT_MAX];
		fmt_metric(a, o->by, th);
		fprintf(out, "\ncaller tree by %s (allocating function first, its callers indented below;\n"
		             "nodes below %s = %g%% of the total hidden):\n\n",
		        ms_metric_name(o->by), a, o->tree_min_pct);
		size_t hidden = 0;
		rc = print_text(out, &t, t.first_root, 0, o->by, th, &hidden);
		if (!rc && hidden)
			fprintf(out, "\n(%zu nodes below the threshold hidden)\n", hidden);
	}
	free(t.nodes);
	return rc;
}

static int print_json(struct ms_json *j, const struct tree *t, uint32_t first, enum ms_metric by, uint64_t threshold)
{
	size_t n;
	uint32_t *kids = sorted_children(t, first, by, &n);
	if (!kids)
		return -ENOMEM;
	ms_json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		const struct node *nd = &t->nodes[kids[i]];
		if (nd->v[by] < threshold || !nd->v[by])
			break;
		ms_json_object_begin(j);
		ms_json_kv_str(j, "function", nd->function);
		ms_json_kv_str(j, "file", nd->file);
		ms_json_kv_u64(j, "line", nd->line);
		ms_json_kv_str(j, "module", nd->module);
		ms_json_kv_u64(j, "peak_bytes", nd->v[MS_BY_PEAK]);
		ms_json_kv_u64(j, "leaked_bytes", nd->v[MS_BY_LEAKED]);
		ms_json_kv_u64(j, "allocations", nd->v[MS_BY_ALLOCATIONS]);
		ms_json_kv_u64(j, "temporary_allocations", nd->v[MS_BY_TEMPORARY]);
		ms_json_kv_u64(j, "bytes_allocated", nd->v[MS_BY_BYTES]);
		ms_json_key(j, "callers");
		int rc = print_json(j, t, nd->first_child, by, threshold);
		ms_json_object_end(j);
		if (rc) {
			free(kids);
			return rc;
		}
	}
	ms_json_array_end(j);
	free(kids);
	return 0;
}

int ms_report_tree_json(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                        const struct ms_report_opts *o, const char *trace_path)
{
	struct tree t = {0};
	int rc = build(&t, m, sym);
	if (!rc) {
		struct ms_json j;
		ms_json_init(&j, out);
		ms_json_object_begin(&j);
		ms_json_kv_str(&j, "trace", trace_path);
		ms_json_kv_str(&j, "sorted_by", ms_metric_name(o->by));
		ms_report_summary_json(&j, m);
		ms_json_kv_u64(&j, "tree_threshold", threshold_of(m, o));
		ms_json_key(&j, "tree");
		rc = print_json(&j, &t, t.first_root, o->by, threshold_of(m, o));
		ms_json_object_end(&j);
	}
	free(t.nodes);
	return rc;
}
