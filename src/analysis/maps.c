/* Mapped ranges (see maps.h). A mapping over a mapped range replaces it
 * (MAP_FIXED), an unmapping may cut a range in two, and mremap keeps
 * counted only what was recorded as mapped: a file mapping (not recorded)
 * that is remapped stays uncounted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/array.h"
#include "analysis/maps.h"
#include "analysis/model.h"
#include "trace/read.h"

int ms_maps_push(struct ms_maps *mp, const struct ms_record *r, uint32_t stack)
{
	if (ms_array_reserve((void **)&mp->pend, &mp->cappend, sizeof(*mp->pend), mp->npend + 1, 64))
		return -ENOMEM;
	struct ms_map_event *e = &mp->pend[mp->npend++];
	memset(e, 0, sizeof(*e));
	e->kind = r->tag;
	e->stack = stack;
	e->seq = mp->seq++;
	switch (r->tag) {
	case MS_REC_MMAP:
		e->ts = r->u.mmap.ts;
		e->addr = r->u.mmap.addr;
		e->len = r->u.mmap.len;
		e->map_kind = (uint8_t)r->u.mmap.kind;
		break;
	case MS_REC_MUNMAP:
		e->ts = r->u.munmap.ts;
		e->addr = r->u.munmap.addr;
		e->len = r->u.munmap.len;
		break;
	default:
		e->ts = r->u.mremap.ts_before;
		e->ts2 = r->u.mremap.ts_after;
		e->addr = r->u.mremap.old_addr;
		e->len = r->u.mremap.old_len;
		e->new_addr = r->u.mremap.new_addr;
		e->new_len = r->u.mremap.new_len;
		break;
	}
	mp->recorded = true;
	return 0;
}

/* Index of the first range with hi > addr. */
static size_t first_after(const struct ms_maps *mp, uint64_t addr)
{
	size_t lo = 0, hi = mp->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mp->r[mid].hi <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void stack_sub(struct ms_model *m, uint32_t stack, uint64_t bytes)
{
	if (stack < m->n_stacks)
		m->stacks[stack].mapped_bytes -= bytes;
}

/* Removes [addr, addr + len) from the ranges; returns the bytes removed. */
static int unmap(struct ms_model *m, uint64_t addr, uint64_t len, uint64_t *removed)
{
	struct ms_maps *mp = &m->maps;
	uint64_t end = addr + len < addr ? UINT64_MAX : addr + len, gone = 0;
	size_t i = first_after(mp, addr);
	while (i < mp->n && mp->r[i].lo < end) {
		struct ms_map_range *g = &mp->r[i];
		uint64_t lo = g->lo > addr ? g->lo : addr, hi = g->hi < end ? g->hi : end;
		gone += hi - lo;
		stack_sub(m, g->stack, hi - lo);
		if (lo == g->lo && hi == g->hi) { /* all of it */
			memmove(g, g + 1, (mp->n - i - 1) * sizeof(*g));
			mp->n--;
			continue;
		}
		if (lo == g->lo) { /* its start */
			g->lo = hi;
		} else if (hi == g->hi) { /* its end */
			g->hi = lo;
		} else { /* its middle: two ranges */
			if (ms_array_reserve((void **)&mp->r, &mp->cap, sizeof(*mp->r), mp->n + 1, 64))
				return -ENOMEM;
			g = &mp->r[i];
			memmove(g + 1, g, (mp->n - i) * sizeof(*g));
			mp->n++;
			g[0].hi = lo;
			g[1].lo = hi;
		}
		i++;
	}
	mp->cur -= gone;
	*removed = gone;
	return 0;
}

/* Maps [addr, addr + len); fresh of its bytes are new (the rest moved
 * from another range by mremap). */
static int map(struct ms_model *m, uint64_t ts, uint64_t addr, uint64_t len, uint64_t fresh, uint32_t stack)
{
	struct ms_maps *mp = &m->maps;
	uint64_t replaced;
	if (!len || addr + len < addr)
		return 0;
	int rc = unmap(m, addr, len, &replaced);
	if (rc)
		return rc;
	if (ms_array_reserve((void **)&mp->r, &mp->cap, sizeof(*mp->r), mp->n + 1, 64))
		return -ENOMEM;
	size_t i = first_after(mp, addr);
	memmove(mp->r + i + 1, mp->r + i, (mp->n - i) * sizeof(*mp->r));
	mp->r[i] = (struct ms_map_range){addr, addr + len, stack};
	mp->n++;
	mp->cur += len;
	mp->total += fresh;
	if (stack < m->n_stacks) {
		m->stacks[stack].mapped_bytes += len;
		m->stacks[stack].mapped_total += fresh;
		m->stacks[stack].used = true;
	}
	if (mp->cur > mp->peak) {
		mp->peak = mp->cur;
		mp->peak_ts = ts;
	}
	return 0;
}

static int apply(struct ms_model *m, const struct ms_map_event *e)
{
	struct ms_maps *mp = &m->maps;
	uint64_t gone;
	int rc;
	switch (e->kind) {
	case MS_REC_MMAP:
		mp->maps++;
		return map(m, e->ts, e->addr, e->len, e->len, e->stack);
	case MS_REC_MUNMAP:
		mp->unmaps++;
		return unmap(m, e->addr, e->len, &gone);
	default:
		if ((rc = unmap(m, e->addr, e->len, &gone)) || !gone)
			return rc;
		/* the part that was counted moves; growth is new mapping */
		mp->maps++;
		if (e->new_len > e->len)
			return map(m, e->ts2, e->new_addr, gone + (e->new_len - e->len), e->new_len - e->len, e->stack);
		return map(m, e->ts2, e->new_addr, gone < e->new_len ? gone : e->new_len, 0, e->stack);
	}
}

static int by_ts(const void *a, const void *b)
{
	/* ties keep the file order (one thread's events at one tick) */
	const struct ms_map_event *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int ms_maps_flush(struct ms_model *m, uint64_t watermark, bool all)
{
	struct ms_maps *mp = &m->maps;
	if (!mp->npend)
		return 0;
	qsort(mp->pend, mp->npend, sizeof(*mp->pend), by_ts);
	size_t k = 0;
	for (; k < mp->npend && (all || mp->pend[k].ts < watermark); k++) {
		int rc = apply(m, &mp->pend[k]);
		if (rc)
			return rc;
	}
	memmove(mp->pend, mp->pend + k, (mp->npend - k) * sizeof(*mp->pend));
	mp->npend -= k;
	return 0;
}

void ms_maps_release(struct ms_maps *mp)
{
	free(mp->r);
	free(mp->pend);
	memset(mp, 0, sizeof(*mp));
}
