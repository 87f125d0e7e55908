/* The function tree of flame graphs (flame.h). Children are found through
 * a hash map keyed by (parent, function): a trace with a million distinct
 * stacks under one caller must not scan sibling lists. */
#include "report/flame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/u64map.h"

struct builder {
	struct ms_flame *f;
	struct ms_u64map fn_ids;   /* function pointer -> dense id */
	uint32_t n_fn;
	struct ms_u64map children; /* parent << 32 | function id -> node */
};

static int fn_id(struct builder *b, const char *function, uint32_t *out)
{
	uint32_t id = ms_u64map_get(&b->fn_ids, (uint64_t)(uintptr_t)function);
	if (id == MS_U64MAP_NONE) {
		if (b->n_fn == MS_U64MAP_NONE - 1)
			return -ENOMEM;
		id = b->n_fn++;
		if (ms_u64map_put(&b->fn_ids, (uint64_t)(uintptr_t)function, id))
			return -ENOMEM;
	}
	*out = id;
	return 0;
}

static int add_node(struct ms_flame *f, uint32_t parent, const struct ms_frame *fr, uint32_t *out)
{
	if (f->n == f->cap) {
		size_t c = f->cap ? f->cap * 2 : 1024;
		if (c >= MS_FLAME_NONE)
			return -ENOMEM;
		struct ms_flame_node *nn = realloc(f->nodes, c * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		f->nodes = nn;
		f->cap = c;
	}
	uint32_t i = (uint32_t)f->n++;
	struct ms_flame_node *nd = &f->nodes[i];
	memset(nd, 0, sizeof(*nd));
	nd->function = fr->function;
	nd->file = fr->file;
	nd->line = fr->line;
	nd->module = fr->module;
	nd->parent = parent;
	nd->first_child = MS_FLAME_NONE;
	nd->next_sibling = MS_FLAME_NONE;
	if (parent != MS_FLAME_NONE) {
		struct ms_flame_node *p = &f->nodes[parent];
		nd->depth = p->depth + 1;
		nd->next_sibling = p->first_child;
		p->first_child = i;
		p->n_children++;
		if (nd->depth > f->max_depth)
			f->max_depth = nd->depth;
	}
	*out = i;
	return 0;
}

static int child(struct builder *b, uint32_t parent, const struct ms_frame *fr, uint32_t *out)
{
	uint32_t id;
	int rc = fn_id(b, fr->function, &id);
	if (rc)
		return rc;
	uint64_t key = (uint64_t)parent << 32 | id;
	uint32_t c = ms_u64map_get(&b->children, key);
	if (c != MS_U64MAP_NONE) {
		*out = c;
		return 0;
	}
	if ((rc = add_node(b->f, parent, fr, out)))
		return rc;
	return ms_u64map_put(&b->children, key, *out);
}

static int add_stack(struct builder *b, const struct ms_stack *s, const struct ms_frame *fr, size_t nf)
{
	static const struct ms_frame none = {.function = "(no frames)"};
	struct ms_flame *f = b->f;
	if (!nf) {
		fr = &none;
		nf = 1;
	}
	uint64_t v[MS_FLAME_METRICS];
	for (int k = 0; k < MS_FLAME_METRICS; k++) {
		v[k] = ms_stack_metric(s, (enum ms_metric)k);
		f->nodes[0].v[k] += v[k];
	}
	uint32_t node = 0;
	for (size_t i = 0; i < nf; i++) {
		/* frames are innermost first: top-down walks them backwards */
		const struct ms_frame *x = &fr[f->bottom_up ? i : nf - 1 - i];
		/* a recursive function counts once per path, as in the caller tree */
		if (node != 0 && f->nodes[node].function == x->function)
			continue;
		int rc = child(b, node, x, &node);
		if (rc)
			return rc;
		for (int k = 0; k < MS_FLAME_METRICS; k++)
			f->nodes[node].v[k] += v[k];
	}
	return 0;
}

int ms_flame_build(struct ms_flame *f, const struct ms_model *m, struct ms_symbolizer *sym, bool bottom_up)
{
	static const struct ms_frame root = {.function = "all"};
	struct builder b = {.f = f};
	uint32_t r;
	memset(f, 0, sizeof(*f));
	f->bottom_up = bottom_up;
	ms_u64map_init(&b.fn_ids);
	ms_u64map_init(&b.children);
	int rc = add_node(f, MS_FLAME_NONE, &root, &r);
	for (size_t i = 0; !rc && i < m->n_stacks; i++) {
		const struct ms_stack *s = &m->stacks[i];
		const struct ms_frame *fr;
		size_t nf;
		if (!s->used)
			continue;
		rc = ms_symbolize_stack(sym, (uint32_t)i, &fr, &nf);
		if (!rc)
			rc = add_stack(&b, s, fr, nf);
	}
	ms_u64map_release(&b.fn_ids);
	ms_u64map_release(&b.children);
	if (rc)
		ms_flame_release(f);
	return rc;
}

void ms_flame_release(struct ms_flame *f)
{
	free(f->nodes);
	memset(f, 0, sizeof(*f));
}

/* qsort has no context argument; reports are single-threaded. */
static const struct ms_flame_node *cmp_nodes;
static enum ms_metric cmp_k;

static int cmp_value(const void *a, const void *b)
{
	const struct ms_flame_node *x = &cmp_nodes[*(const uint32_t *)a], *y = &cmp_nodes[*(const uint32_t *)b];
	if (x->v[cmp_k] != y->v[cmp_k])
		return x->v[cmp_k] > y->v[cmp_k] ? -1 : 1;
	return strcmp(x->function, y->function);
}

uint32_t *ms_flame_children(const struct ms_flame *f, uint32_t node, enum ms_metric k, size_t *n)
{
	const struct ms_flame_node *p = &f->nodes[node];
	uint32_t *a = malloc((p->n_children ? p->n_children : 1) * sizeof(*a));
	size_t c = 0;
	if (!a)
		return NULL;
	for (uint32_t i = p->first_child; i != MS_FLAME_NONE; i = f->nodes[i].next_sibling)
		if (f->nodes[i].v[k])
			a[c++] = i;
	cmp_nodes = f->nodes;
	cmp_k = k;
	qsort(a, c, sizeof(*a), cmp_value);
	*n = c;
	return a;
}

uint64_t ms_flame_total(const struct ms_model *m, enum ms_metric k)
{
	const struct ms_summary *s = &m->summary;
	switch (k) {
	case MS_BY_PEAK: return s->peak_bytes;
	case MS_BY_LEAKED: return s->leaked_bytes;
	case MS_BY_ALLOCATIONS: return s->allocations;
	case MS_BY_TEMPORARY: return s->temporary_allocations;
	case MS_BY_BYTES: return s->bytes_allocated;
	default: return ms_summary_metric(m, k); /* leak classes, retained, events */
	}
	return 0;
}

bool ms_flame_is_count(enum ms_metric k)
{
	return k == MS_BY_ALLOCATIONS || k == MS_BY_TEMPORARY;
}
