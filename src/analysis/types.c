/* See types.h. Blocks are tagged with their class name, sorted by it and
 * merged: one sort of the live blocks. */
#include "analysis/types.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct tagged {
	const char *name;
	uint32_t block;
};

static int cmp_name(const void *x, const void *y)
{
	const char *a = ((const struct tagged *)x)->name, *b = ((const struct tagged *)y)->name;
	if (!a || !b)
		return !a - !b; /* NULL last */
	return strcmp(a, b);
}

static int cmp_row(const void *x, const void *y)
{
	const struct ms_type_row *a = x, *b = y;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (!a->name || !b->name)
		return !a->name - !b->name;
	return strcmp(a->name, b->name);
}

int ms_heap_types(const struct ms_heap *h, struct ms_symbolizer *sym, struct ms_type_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct tagged *t = malloc((h->n_blocks + 1) * sizeof(*t));
	struct ms_type_row *r = calloc(h->n_blocks + 1, sizeof(*r));
	if (!t || !r) {
		free(t);
		free(r);
		return -ENOMEM;
	}
	for (size_t i = 0; i < h->n_blocks; i++)
		t[i] = (struct tagged){ms_symbolize_type(sym, h->blocks[i].first_word, h->ts), (uint32_t)i};
	qsort(t, h->n_blocks, sizeof(*t), cmp_name);
	size_t nr = 0;
	for (size_t i = 0; i < h->n_blocks; i++) {
		if (!nr || cmp_name(&t[i], &t[i - 1]))
			r[nr++].name = t[i].name;
		struct ms_type_row *row = &r[nr - 1];
		const struct ms_hblock *b = &h->blocks[t[i].block];
		row->blocks++;
		row->bytes += b->size;
		if (h->cls) {
			row->class_blocks[h->cls[t[i].block]]++;
			row->class_bytes[h->cls[t[i].block]] += b->size;
		}
	}
	free(t);
	qsort(r, nr, sizeof(*r), cmp_row);
	*rows = r;
	*n = nr;
	return 0;
}
