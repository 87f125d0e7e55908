/* Heap diffs; see diff.h. Contributions (one per stack, or per block when
 * grouping by type) are tagged with their group's key, sorted by key and
 * merged, so the work is a sort of at most the blocks of both heaps. */
#include "analysis/diff.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sampling.h"

static const char *const group_names[] = {"stack", "function", "file", "module", "type"};

int ms_diff_group_parse(const char *name, enum ms_diff_group *out)
{
	for (size_t i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++)
		if (!strcmp(name, group_names[i])) {
			*out = (enum ms_diff_group)i;
			return 0;
		}
	return -1;
}

const char *ms_diff_group_name(enum ms_diff_group g) { return group_names[g]; }

/* A call stack's key: its frames as module basename + offset (the ip when in
 * no module), which names the same code in two runs of one binary. */
static const char *stack_key(struct ms_symbolizer *sym, uint32_t stack, const char **fn, const char **file,
                             const char **mod)
{
	const struct ms_frame *f;
	size_t n;
	if (ms_symbolize_stack(sym, stack, &f, &n))
		return NULL;
	*fn = n ? f[0].function : "(no frames)";
	*file = "(unknown file)";
	for (size_t i = 0; i < n; i++)
		if (f[i].file) {
			*file = f[i].file;
			break;
		}
	*mod = n && f[0].module ? ms_basename(f[0].module) : "(unknown module)";
	char buf[4096];
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && len < sizeof(buf) - 64; i++) {
		if (f[i].inlined)
			continue; /* the same ip as the next frame */
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s+0x%" PRIx64, len ? ";" : "",
		                        f[i].module ? ms_basename(f[i].module) : "", f[i].offset);
	}
	return ms_symbolize_intern(sym, buf);
}

struct contrib {
	const char *key;
	int side;
	uint32_t stack;
	uint64_t a_blocks, a_bytes, b_blocks, b_bytes, added_blocks, added_bytes, freed_blocks, freed_bytes;
	double var; /* of its share of net_bytes */
};

struct acc {
	struct contrib *v;
	size_t n, cap;
};

static struct contrib *push(struct acc *a)
{
	if (a->n == a->cap) {
		size_t c = a->cap ? 2 * a->cap : 256;
		struct contrib *p = realloc(a->v, c * sizeof(*p));
		if (!p)
			return NULL;
		a->v = p;
		a->cap = c;
	}
	struct contrib *c = &a->v[a->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

/* Per side and stack: blocks and bytes live, and (same run) added/freed. */
struct per_stack {
	uint64_t blocks, bytes, changed_blocks, changed_bytes;
	double var;
};

static int cmp_seq(const void *x, const void *y)
{
	const struct ms_hblock *a = *(const struct ms_hblock *const *)x, *b = *(const struct ms_hblock *const *)y;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Marks changed[i] for each block of h not live in other (same run). */
static int unmatched(const struct ms_heap *h, const struct ms_heap *other, uint8_t *changed)
{
	const struct ms_hblock **x = malloc((h->n_blocks + 1) * sizeof(*x));
	const struct ms_hblock **y = malloc((other->n_blocks + 1) * sizeof(*y));
	if (!x || !y) {
		free(x);
		free(y);
		return -ENOMEM;
	}
	for (size_t i = 0; i < h->n_blocks; i++)
		x[i] = &h->blocks[i];
	for (size_t i = 0; i < other->n_blocks; i++)
		y[i] = &other->blocks[i];
	qsort(x, h->n_blocks, sizeof(*x), cmp_seq);
	qsort(y, other->n_blocks, sizeof(*y), cmp_seq);
	size_t j = 0;
	for (size_t i = 0; i < h->n_blocks; i++) {
		while (j < other->n_blocks && y[j]->seq < x[i]->seq)
			j++;
		bool same = j < other->n_blocks && y[j]->seq == x[i]->seq && y[j]->addr == x[i]->addr;
		changed[x[i] - h->blocks] = !same;
	}
	free(x);
	free(y);
	return 0;
}

/* The contributions of one side. */
static int side_contribs(struct acc *acc, const struct ms_diff_side *s, int side, const uint8_t *changed,
                         enum ms_diff_group g)
{
	const struct ms_heap *h = s->h;
	uint64_t rate = s->m->hdr.sample_rate;
	struct ms_sample_memo memo; /* a block's share of a net change's variance */
	ms_sample_memo_init(&memo, rate);
	if (g == MS_GROUP_TYPE) {
		for (size_t i = 0; i < h->n_blocks; i++) {
			const struct ms_hblock *b = &h->blocks[i];
			const char *t = ms_symbolize_type(s->sym, b->first_word, h->ts);
			struct contrib *c = push(acc);
			if (!c)
				return -ENOMEM;
			c->key = t ? t : "(no type)";
			c->side = side;
			c->stack = MS_HBLOCK_NONE;
			*(side ? &c->b_blocks : &c->a_blocks) = 1;
			*(side ? &c->b_bytes : &c->a_bytes) = b->size;
			if (changed && changed[i]) {
				*(side ? &c->added_blocks : &c->freed_blocks) = 1;
				*(side ? &c->added_bytes : &c->freed_bytes) = b->size;
			}
			c->var = rate && (!changed || changed[i]) ? ms_sample_var_memo(&memo, b->size) : 0;
		}
		return 0;
	}
	size_t ns = s->m->n_stacks;
	struct per_stack *ps = calloc(ns ? ns : 1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	for (size_t i = 0; i < h->n_blocks; i++) {
		struct per_stack *p = &ps[h->blocks[i].stack];
		p->blocks++;
		p->bytes += h->blocks[i].size;
		if (changed && changed[i]) {
			p->changed_blocks++;
			p->changed_bytes += h->blocks[i].size;
		}
		if (rate && (!changed || changed[i]))
			p->var += ms_sample_var_memo(&memo, h->blocks[i].size);
	}
	int rc = 0;
	for (size_t i = 0; i < ns && !rc; i++) {
		if (!ps[i].blocks)
			continue;
		const char *fn, *file, *mod, *key = stack_key(s->sym, (uint32_t)i, &fn, &file, &mod);
		struct contrib *c = key ? push(acc) : NULL;
		if (!c) {
			rc = -ENOMEM;
			break;
		}
		c->key = g == MS_GROUP_STACK ? key : g == MS_GROUP_FUNCTION ? fn : g == MS_GROUP_FILE ? file : mod;
		c->side = side;
		c->stack = (uint32_t)i;
		*(side ? &c->b_blocks : &c->a_blocks) = ps[i].blocks;
		*(side ? &c->b_bytes : &c->a_bytes) = ps[i].bytes;
		*(side ? &c->added_blocks : &c->freed_blocks) = ps[i].changed_blocks;
		*(side ? &c->added_bytes : &c->freed_bytes) = ps[i].changed_bytes;
		c->var = ps[i].var;
	}
	free(ps);
	return rc;
}

static int cmp_key(const void *x, const void *y)
{
	const struct contrib *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	return c ? c : a->side - b->side;
}

static int cmp_row(const void *x, const void *y)
{
	const struct ms_diff_row *a = x, *b = y;
	if (a->net_bytes != b->net_bytes)
		return a->net_bytes > b->net_bytes ? -1 : 1;
	if (a->added_bytes != b->added_bytes)
		return a->added_bytes > b->added_bytes ? -1 : 1;
	return strcmp(a->key, b->key);
}

static void add_row(struct ms_diff_row *t, const struct ms_diff_row *r)
{
	t->a_blocks += r->a_blocks;
	t->a_bytes += r->a_bytes;
	t->b_blocks += r->b_blocks;
	t->b_bytes += r->b_bytes;
	t->added_blocks += r->added_blocks;
	t->added_bytes += r->added_bytes;
	t->freed_blocks += r->freed_blocks;
	t->freed_bytes += r->freed_bytes;
	t->net_bytes += r->net_bytes;
	t->net_var += r->net_var;
}

int ms_diff_compute(struct ms_diff *d, const struct ms_diff_side *a, const struct ms_diff_side *b,
                    enum ms_diff_group g)
{
	memset(d, 0, sizeof(*d));
	d->same_run = a->m == b->m;
	d->total.key = "total";
	struct acc acc = {0};
	uint8_t *ca = NULL, *cb = NULL;
	int rc = -ENOMEM;
	if (d->same_run) {
		ca = calloc(a->h->n_blocks + 1, 1);
		cb = calloc(b->h->n_blocks + 1, 1);
		if (!ca || !cb || unmatched(a->h, b->h, ca) || unmatched(b->h, a->h, cb))
			goto out;
	}
	if ((rc = side_contribs(&acc, a, 0, ca, g)) || (rc = side_contribs(&acc, b, 1, cb, g)))
		goto out;
	qsort(acc.v, acc.n, sizeof(*acc.v), cmp_key);
	rc = -ENOMEM;
	d->rows = malloc((acc.n ? acc.n : 1) * sizeof(*d->rows));
	if (!d->rows)
		goto out;
	for (size_t i = 0; i < acc.n;) {
		struct ms_diff_row *r = &d->rows[d->n++];
		memset(r, 0, sizeof(*r));
		r->key = acc.v[i].key;
		r->side = acc.v[i].side;
		r->stack = acc.v[i].stack;
		size_t j = i;
		for (; j < acc.n && !strcmp(acc.v[j].key, r->key); j++) {
			const struct contrib *c = &acc.v[j];
			r->a_blocks += c->a_blocks;
			r->a_bytes += c->a_bytes;
			r->b_blocks += c->b_blocks;
			r->b_bytes += c->b_bytes;
			r->added_blocks += c->added_blocks;
			r->added_bytes += c->added_bytes;
			r->freed_blocks += c->freed_blocks;
			r->freed_bytes += c->freed_bytes;
			r->net_var += c->var;
			if (c->side == 1) { /* B's stack names the group: it is the newer code */
				r->side = 1;
				r->stack = c->stack;
			}
		}
		i = j;
		r->net_bytes = (int64_t)(r->b_bytes - r->a_bytes);
		if (!d->same_run) {
			uint64_t matched = r->a_blocks < r->b_blocks ? r->a_blocks : r->b_blocks;
			r->added_blocks = r->b_blocks - matched;
			r->freed_blocks = r->a_blocks - matched;
			r->added_bytes = r->net_bytes > 0 ? (uint64_t)r->net_bytes : 0;
			r->freed_bytes = r->net_bytes < 0 ? (uint64_t)-r->net_bytes : 0;
		}
		add_row(&d->total, r);
	}
	qsort(d->rows, d->n, sizeof(*d->rows), cmp_row);
	rc = 0;
out:
	free(acc.v);
	free(ca);
	free(cb);
	if (rc)
		ms_diff_release(d);
	return rc;
}

void ms_diff_release(struct ms_diff *d)
{
	free(d->rows);
	memset(d, 0, sizeof(*d));
}
