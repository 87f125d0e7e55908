/* massif export: valgrind's massif.out format, as ms_print and
 * massif-visualizer read it. Snapshots are the heap over time at evenly
 * spaced moments (timeline.h); the snapshot at the heap peak ("peak") and
 * the last one, at the end ("detailed"), carry the tree of call stacks:
 * the allocation sites under the root, their callers below, a node's bytes
 * the sum of the stacks through it, and the nodes below the threshold
 * folded into one "in N places" line per parent, as massif writes it. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/timeline.h"
#include "report/export.h"
#include "report/export_strtab.h"

/* One frame of a tree stack: the same ip with the same text is one node. */
struct mframe {
	uint64_t ip;
	uint32_t text; /* strtab index of "0xIP: function (file:line)" */
};

struct mstack {
	uint32_t off, n; /* frames in the pool, innermost first */
	uint64_t bytes;
};

struct tree {
	FILE *out;
	struct ms_strtab texts;
	struct mframe *pool;
	size_t n_pool, cap_pool;
	struct mstack *stacks;
	size_t n_stacks;
	uint64_t threshold; /* bytes: a node below is not shown alone */
	double threshold_pct;
};

/* A group of stacks [lo, hi) sharing a node at one depth. */
struct group {
	size_t lo, hi;
	uint64_t bytes;
};

static const struct tree *sort_tree; /* qsort has no context; single-threaded */

static int cmp_frame(const struct mframe *a, const struct mframe *b)
{
	if (a->ip != b->ip)
		return a->ip < b->ip ? -1 : 1;
	return a->text < b->text ? -1 : a->text > b->text;
}

/* Lexicographic by frames, a prefix before what extends it. */
static int cmp_stack(const void *x, const void *y)
{
	const struct mstack *a = x, *b = y;
	const struct mframe *fa = sort_tree->pool + a->off, *fb = sort_tree->pool + b->off;
	for (uint32_t i = 0; i < a->n && i < b->n; i++) {
		int c = cmp_frame(&fa[i], &fb[i]);
		if (c)
			return c;
	}
	return a->n < b->n ? -1 : a->n > b->n;
}

static int cmp_group(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Groups of stacks [lo, hi) by their frame at depth; *n gets their count.
 * Stacks that end before depth belong to no group. NULL when out of memory. */
static struct group *groups_at(const struct tree *t, size_t lo, size_t hi, uint32_t depth, size_t *n)
{
	struct group *g = malloc((hi - lo ? hi - lo : 1) * sizeof(*g));
	*n = 0;
	if (!g)
		return NULL;
	for (size_t i = lo; i < hi; i++) {
		const struct mstack *s = &t->stacks[i];
		if (s->n <= depth)
			continue;
		const struct mframe *f = &t->pool[s->off + depth];
		if (*n && g[*n - 1].hi == i) {
			const struct mstack *p = &t->stacks[g[*n - 1].lo];
			if (!cmp_frame(&t->pool[p->off + depth], f)) {
				g[*n - 1].hi = i + 1;
				g[*n - 1].bytes += s->bytes;
				continue;
			}
		}
		g[(*n)++] = (struct group){i, i + 1, s->bytes};
	}
	qsort(g, *n, sizeof(*g), cmp_group);
	return g;
}

/* Number of groups shown alone: g is sorted by bytes, the rest is folded. */
static size_t shown_groups(const struct tree *t, const struct group *g, size_t n)
{
	size_t shown = 0;
	while (shown < n && g[shown].bytes >= t->threshold && g[shown].bytes > 0)
		shown++;
	return shown;
}

/* Writes the children of the node that stacks [lo, hi) share at depth
 * `depth` (their first `depth` frames), each line indented by depth + 1,
 * and below each child its own children. */
static int write_children(struct tree *t, size_t lo, size_t hi, uint32_t depth)
{
	size_t n;
	struct group *g = groups_at(t, lo, hi, depth, &n);
	if (!g)
		return -ENOMEM;
	size_t shown = shown_groups(t, g, n);
	uint64_t rest = 0;
	for (size_t i = shown; i < n; i++)
		rest += g[i].bytes;
	int rc = 0;
	for (size_t i = 0; i < shown && !rc; i++) {
		const struct mstack *s = &t->stacks[g[i].lo];
		size_t kids;
		struct group *k = groups_at(t, g[i].lo, g[i].hi, depth + 1, &kids);
		if (!k) {
			rc = -ENOMEM;
			break;
		}
		size_t kshown = shown_groups(t, k, kids);
		free(k);
		/* a folded line counts as one child */
		fprintf(t->out, "%*sn%zu: %" PRIu64 " %s\n", (int)depth + 1, "", kshown + (kshown < kids ? 1 : 0),
		        g[i].bytes, t->texts.strs[t->pool[s->off + depth].text]);
		rc = write_children(t, g[i].lo, g[i].hi, depth + 1);
	}
	if (!rc && shown < n) {
		size_t places = n - shown;
		fprintf(t->out, "%*sn0: %" PRIu64 " in %zu place%s, %sbelow massif's threshold (%.2f%%)\n",
		        (int)depth + 1, "", rest, places, places == 1 ? "" : "s", places == 1 ? "" : "all ",
		        t->threshold_pct);
	}
	free(g);
	return rc;
}

static void tree_release(struct tree *t)
{
	ms_strtab_release(&t->texts);
	free(t->pool);
	free(t->stacks);
}

/* Collects the stacks with bytes live at the peak (or at the end), with
 * their symbolized frames. */
static int tree_collect(struct tree *t, const struct ms_model *m, struct ms_symbolizer *sym, bool peak)
{
	t->stacks = malloc((m->n_stacks ? m->n_stacks : 1) * sizeof(*t->stacks));
	if (!t->stacks)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_stacks; i++) {
		const struct ms_stack *s = &m->stacks[i];
		uint64_t bytes = peak ? s->peak_bytes : s->live_bytes;
		if (!s->used || !bytes)
			continue;
		const struct ms_frame *f;
		size_t nf;
		int rc = ms_symbolize_stack(sym, (uint32_t)i, &f, &nf);
		if (rc)
			return rc;
		if (t->n_pool + nf > t->cap_pool) {
			size_t c = t->cap_pool ? t->cap_pool : 4096;
			while (c < t->n_pool + nf)
				c *= 2;
			struct mframe *p = realloc(t->pool, c * sizeof(*p));
			if (!p)
				return -ENOMEM;
			t->pool = p;
			t->cap_pool = c;
		}
		if (t->n_pool + nf > UINT32_MAX)
			return -ENOMEM;
		t->stacks[t->n_stacks++] = (struct mstack){(uint32_t)t->n_pool, (uint32_t)nf, bytes};
		for (size_t k = 0; k < nf; k++) {
			char buf[4096];
			int64_t idx = ms_strtab_add(&t->texts, ms_export_valgrind_frame(buf, sizeof(buf), &f[k]));
			if (idx < 0)
				return -ENOMEM;
			t->pool[t->n_pool++] = (struct mframe){f[k].ip, (uint32_t)idx};
		}
	}
	sort_tree = t;
	qsort(t->stacks, t->n_stacks, sizeof(*t->stacks), cmp_stack);
	return 0;
}

/* The heap tree of a detailed snapshot whose heap is `total` bytes. */
static int write_tree(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, bool peak, uint64_t total,
                     double pct)
{
	struct tree t;
	memset(&t, 0, sizeof(t));
	t.out = out;
	t.threshold_pct = pct;
	/* massif's rule: a node is significant at pct percent of the snapshot */
	t.threshold = (uint64_t)((double)total * pct / 100.0);
	if ((double)t.threshold < (double)total * pct / 100.0)
		t.threshold++;
	ms_strtab_init(&t.texts);
	int rc = tree_collect(&t, m, sym, peak);
	if (!rc) {
		size_t n;
		struct group *g = groups_at(&t, 0, t.n_stacks, 0, &n);
		if (!g) {
			rc = -ENOMEM;
		} else {
			size_t shown = shown_groups(&t, g, n);
			free(g);
			fprintf(out, "n%zu: %" PRIu64 " (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n",
			        shown + (shown < n ? 1 : 0), total);
			rc = write_children(&t, 0, t.n_stacks, 0);
		}
	}
	tree_release(&t);
	return rc;
}

static void write_snapshot_head(FILE *out, size_t i, uint64_t t_ns, uint64_t bytes, const char *tree)
{
	fprintf(out,
	        "#-----------\nsnapshot=%zu\n#-----------\ntime=%" PRIu64 "\nmem_heap_B=%" PRIu64
	        "\nmem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=%s\n",
	        i, t_ns / 1000000, bytes, tree);
}

int ms_export_massif(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_export_opts *o)
{
	struct ms_timeline tl;
	int rc = ms_timeline_build(&tl, m, o->trace_path, o->snapshots ? o->snapshots : MS_EXPORT_DEFAULT_SNAPSHOTS, 0);
	if (rc)
		return rc;
	fprintf(out, "desc: memscope export --format massif %s", o->trace_path ? o->trace_path : "");
	if (m->hdr.sample_rate) /* one line: ms_print shows it as the description */
		fprintf(out, " (sampled, one sample per %u bytes on average: heap sizes are estimates)", m->hdr.sample_rate);
	fputs("\ncmd:", out);
	if (m->argc)
		for (size_t i = 0; i < m->argc; i++)
			fprintf(out, " %s", m->argv[i]);
	else
		fprintf(out, " %s", m->exe ? m->exe : "(unknown)");
	fputs("\ntime_unit: ms\n", out);
	for (size_t i = 0; i < tl.n_points && !rc; i++) {
		bool peak = i == tl.peak_point, end = i + 1 == tl.n_points && !peak;
		write_snapshot_head(out, i, tl.t_ns[i], tl.live[i], peak ? "peak" : end ? "detailed" : "empty");
		if (peak || end)
			rc = write_tree(out, m, sym, peak, tl.live[i], o->threshold_pct);
	}
	ms_timeline_release(&tl);
	if (!rc && ferror(out))
		rc = -EIO;
	return rc;
}
