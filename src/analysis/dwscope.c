/* See dwscope.h. */
#include "analysis/dwscope.h"

#include <dwarf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "analysis/array.h"
#include "analysis/u64map.h"

/* Imported units within imported units, or scopes within scopes, deeper
 * than this: a loop in damaged DWARF. */
#define MAX_IMPORT_DEPTH 16
#define MAX_SCOPE_DEPTH 256

/* One address range of a DIE among a unit's children (those of its
 * imported units in place), seq its place in DIE order. */
struct range {
	Dwarf_Addr lo, hi;
	size_t seq;
	Dwarf_Die die;
};

struct unit {
	struct range *r; /* sorted by lo */
	size_t n, cap;
	bool overlaps; /* two ranges share an address: the first DIE must be found */
	bool failed;   /* libdw failed while indexing: not indexed */
};

struct ms_dwscope {
	struct ms_u64map by_cu; /* the unit's Dwarf_CU -> units index */
	struct unit *units;
	size_t n_units, cap_units;
};

struct ms_dwscope *ms_dwscope_new(void)
{
	struct ms_dwscope *x = calloc(1, sizeof(*x));
	if (x)
		ms_u64map_init(&x->by_cu);
	return x;
}

void ms_dwscope_free(struct ms_dwscope *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n_units; i++)
		free(x->units[i].r);
	free(x->units);
	ms_u64map_release(&x->by_cu);
	free(x);
}

/* The unit an imported-unit DIE names. */
static bool imported(Dwarf_Die *d, Dwarf_Die *unit)
{
	Dwarf_Attribute a;
	return dwarf_formref_die(dwarf_attr(d, DW_AT_import, &a), unit) != NULL;
}

/* Whether libdw's scope walk enters a DIE that contains the address. */
static bool enterable(Dwarf_Die *d)
{
	switch (dwarf_tag(d)) {
	case DW_TAG_compile_unit:
	case DW_TAG_module:
	case DW_TAG_lexical_block:
	case DW_TAG_with_stmt:
	case DW_TAG_catch_block:
	case DW_TAG_try_block:
	case DW_TAG_entry_point:
	case DW_TAG_inlined_subroutine:
	case DW_TAG_subprogram:
	case DW_TAG_namespace:
	case DW_TAG_class_type:
	case DW_TAG_structure_type:
		return dwarf_haschildren(d) > 0;
	default:
		return false;
	}
}

static int add_ranges(struct unit *u, Dwarf_Die *d, size_t seq)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;
	while ((off = dwarf_ranges(d, off, &base, &lo, &hi)) > 0) {
		if (lo >= hi)
			continue;
		if (ms_array_reserve((void **)&u->r, &u->cap, sizeof(*u->r), u->n + 1, 256))
			return -ENOMEM;
		u->r[u->n++] = (struct range){lo, hi, seq, *d};
	}
	if (off < 0)
		u->failed = true;
	return 0;
}

/* Adds the ranges of parent's children, imported units' children in place. */
static int collect(struct unit *u, Dwarf_Die *parent, size_t *seq, int depth)
{
	Dwarf_Die c;
	int rc = dwarf_child(parent, &c);
	if (rc < 0)
		u->failed = true;
	if (rc)
		return 0;
	do {
		Dwarf_Die imp;
		if (dwarf_tag(&c) == DW_TAG_imported_unit) {
			if (depth < MAX_IMPORT_DEPTH && imported(&c, &imp) && (rc = collect(u, &imp, seq, depth + 1)))
				return rc;
			continue;
		}
		if ((rc = add_ranges(u, &c, (*seq)++)))
			return rc;
	} while ((rc = dwarf_siblingof(&c, &c)) == 0);
	if (rc < 0)
		u->failed = true;
	return 0;
}

static int by_lo(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static struct unit *unit_of(struct ms_dwscope *x, Dwarf_Die *cu, int *rc)
{
	uint64_t key = (uint64_t)(uintptr_t)cu->cu;
	uint32_t i = ms_u64map_get(&x->by_cu, key);
	if (i != MS_U64MAP_NONE)
		return &x->units[i];
	if (ms_array_reserve((void **)&x->units, &x->cap_units, sizeof(*x->units), x->n_units + 1, 16) ||
	    ms_u64map_put(&x->by_cu, key, (uint32_t)x->n_units)) {
		*rc = -ENOMEM;
		return NULL;
	}
	struct unit *u = &x->units[x->n_units++];
	*u = (struct unit){0};
	size_t seq = 0;
	if ((*rc = collect(u, cu, &seq, 0))) {
		u->failed = true; /* a part of an index must never answer */
		return NULL;
	}
	qsort(u->r, u->n, sizeof(*u->r), by_lo);
	Dwarf_Addr end = 0;
	for (size_t k = 0; k < u->n; k++) {
		if (k && u->r[k].lo < end)
			u->overlaps = true;
		if (u->r[k].hi > end)
			end = u->r[k].hi;
	}
	return u;
}

/* The first child of a unit containing pc, in DIE order; NULL for none. */
static const struct range *first_at(const struct unit *u, Dwarf_Addr pc)
{
	const struct range *best = NULL;
	if (u->overlaps) {
		for (size_t k = 0; k < u->n && u->r[k].lo <= pc; k++)
			if (pc < u->r[k].hi && (!best || u->r[k].seq < best->seq))
				best = &u->r[k];
		return best;
	}
	size_t lo = 0, hi = u->n;
	while (lo < hi) { /* the first range starting above pc */
		size_t mid = lo + (hi - lo) / 2;
		if (u->r[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && pc < u->r[lo - 1].hi ? &u->r[lo - 1] : NULL;
}

struct path {
	Dwarf_Die *d;
	size_t n, cap;
};

static int push(struct path *p, const Dwarf_Die *d)
{
	if (ms_array_reserve((void **)&p->d, &p->cap, sizeof(*p->d), p->n + 1, 16))
		return -ENOMEM;
	p->d[p->n++] = *d;
	return 0;
}

/* Appends to p, outermost first, the first child of parent containing pc
 * and, if the walk enters it, the same within it; 1 found, 0 none. */
static int descend(Dwarf_Die *parent, Dwarf_Addr pc, struct path *p, int depth)
{
	Dwarf_Die c;
	if (dwarf_child(parent, &c) != 0)
		return 0;
	do {
		Dwarf_Die imp;
		if (dwarf_tag(&c) == DW_TAG_imported_unit) {
			int r = depth < MAX_SCOPE_DEPTH && imported(&c, &imp) ? descend(&imp, pc, p, depth + 1) : 0;
			if (r)
				return r;
			continue;
		}
		if (dwarf_haspc(&c, pc) != 1)
			continue;
		if (push(p, &c))
			return -ENOMEM;
		if (enterable(&c) && depth < MAX_SCOPE_DEPTH) {
			int r = descend(&c, pc, p, depth + 1);
			if (r < 0)
				return r;
		}
		return 1;
	} while (dwarf_siblingof(&c, &c) == 0);
	return 0;
}

/* Keeps of d[0..n) (innermost first) the inlined calls and functions, up
 * to the innermost subprogram; returns how many. */
static int functions_of(Dwarf_Die *d, int n)
{
	int m = 0;
	for (int k = 0; k < n; k++) {
		int tag = dwarf_tag(&d[k]);
		if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
			continue;
		d[m++] = d[k];
		if (tag == DW_TAG_subprogram)
			break;
	}
	return m;
}

int ms_dwscope_indexed(struct ms_dwscope *x, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die **out)
{
	*out = NULL;
	int rc = 0;
	struct unit *u = unit_of(x, cu, &rc);
	if (!u || u->failed)
		return rc;
	const struct range *top = first_at(u, pc);
	if (!top)
		return 0;
	struct path p = {0};
	Dwarf_Die t = top->die;
	if (push(&p, &t) || (enterable(&t) && descend(&t, pc, &p, 0) < 0)) {
		free(p.d);
		return -ENOMEM;
	}
	for (size_t i = 0, j = p.n - 1; i < j; i++, j--) { /* innermost first */
		Dwarf_Die swap = p.d[i];
		p.d[i] = p.d[j];
		p.d[j] = swap;
	}
	int n = functions_of(p.d, (int)p.n);
	if (!n || dwarf_tag(&p.d[n - 1]) != DW_TAG_subprogram) {
		free(p.d);
		return 0; /* no function: libdw decides */
	}
	*out = p.d;
	return n;
}

int ms_dwscope_libdw(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die **out)
{
	*out = NULL;
	int n = dwarf_getscopes(cu, pc, out);
	/* dwarf_getscopes follows an inlined function's abstract definition;
	 * the concrete chain of callers comes from the innermost function DIE */
	for (int i = 0; i < n; i++) {
		int tag = dwarf_tag(&(*out)[i]);
		if (tag == DW_TAG_inlined_subroutine) {
			Dwarf_Die inner = (*out)[i];
			free(*out);
			*out = NULL;
			n = dwarf_getscopes_die(&inner, out);
			break;
		}
		if (tag == DW_TAG_subprogram)
			break;
	}
	return n > 0 ? functions_of(*out, n) : 0;
}

int ms_dwscope_chain(struct ms_dwscope *x, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die **out)
{
	int n = ms_dwscope_indexed(x, cu, pc, out);
	return n ? n : ms_dwscope_libdw(cu, pc, out);
}
