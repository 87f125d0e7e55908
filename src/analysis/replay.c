/* Replay: a streaming merge of a trace's per-thread chunks into the model.
 * Memory events are buffered per round, sorted by (ts, arrival) with a
 * stable merge of the natural runs (each chunk is one), and those before the
 * round's watermark are applied; the rest wait for the next round. Memory
 * grows with live blocks, distinct stacks and one round of events.
 *
 * Peak per stack, in O(1) per event: a new global peak bumps peak_epoch.
 * A stack whose peak_epoch is older than the global one has not changed
 * since the latest peak, so its live bytes now are its bytes at that peak;
 * it copies them into peak_bytes just before its next change (and once at
 * the end). */
#include "analysis/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/array.h"
#include "analysis/replay_hooks.h"
#include "analysis/sampling.h"
#include "analysis/symbolize.h"
#include "trace/read.h"

#define GROW(arr, n, cap, init) ms_array_reserve((void **)&(arr), &(cap), sizeof(*(arr)), (size_t)(n) + 1, (init))

static char *dup_str(struct ms_str s)
{
	char *p = malloc(s.len + 1);
	if (p) {
		memcpy(p, s.p, s.len);
		p[s.len] = 0;
	}
	return p;
}

/* Index of stack id, created (undefined, unused) on first sight. */
static int stack_index(struct ms_model *m, uint64_t id, uint32_t *out)
{
	uint32_t i = ms_u64map_get(&m->stack_index, id);
	if (i == MS_U64MAP_NONE) {
		if (m->n_stacks >= UINT32_MAX - 1 || GROW(m->stacks, m->n_stacks, m->cap_stacks, 1024))
			return -ENOMEM;
		i = (uint32_t)m->n_stacks++;
		memset(&m->stacks[i], 0, sizeof(m->stacks[i]));
		m->stacks[i].id = id;
		if (ms_u64map_put(&m->stack_index, id, i))
			return -ENOMEM;
	}
	*out = i;
	return 0;
}

/* Stack ids are small and dense in practice (the runtime counts from 1):
 * an array maps them without hashing. Bounded: larger ids use the map. */
#define DENSE_MAX (1u << 22)

static inline int stack_lookup(struct ms_model *m, uint64_t id, uint32_t *out)
{
	if (id < m->cap_dense && m->dense[id] != MS_U64MAP_NONE) {
		*out = m->dense[id];
		return 0;
	}
	int rc = stack_index(m, id, out);
	if (rc || id >= DENSE_MAX)
		return rc;
	if (id >= m->cap_dense) {
		size_t c = m->cap_dense ? m->cap_dense : 1024;
		while (c <= id)
			c *= 2;
		uint32_t *d = realloc(m->dense, c * sizeof(*d));
		if (!d)
			return -ENOMEM;
		for (size_t i = m->cap_dense; i < c; i++)
			d[i] = MS_U64MAP_NONE;
		m->dense = d;
		m->cap_dense = c;
	}
	m->dense[id] = *out;
	return 0;
}

static int thread_index(struct ms_model *m, uint64_t tid, uint64_t ts, uint32_t *out)
{
	uint32_t i = ms_u64map_get(&m->thread_index, tid);
	if (i == MS_U64MAP_NONE) {
		if (m->n_threads >= (UINT32_MAX >> 1) || GROW(m->threads, m->n_threads, m->cap_threads, 16))
			return -ENOMEM;
		i = (uint32_t)m->n_threads++;
		memset(&m->threads[i], 0, sizeof(m->threads[i]));
		m->threads[i].tid = tid;
		m->threads[i].start_ts = ts;
		if (ms_u64map_put(&m->thread_index, tid, i))
			return -ENOMEM;
	}
	*out = i;
	return 0;
}

static inline void peak_sync(struct ms_model *m, struct ms_stack *s)
{
	if (s->peak_epoch != m->peak_epoch) {
		s->peak_bytes = s->live_bytes;
		s->peak_blocks = s->live_blocks;
		s->peak_epoch = m->peak_epoch;
		if (m->hdr.sample_rate)
			s->var_peak = s->var_live;
	}
}

static inline void observe(struct ms_model *m, uint64_t ts, uint32_t stack, int64_t delta)
{
	if (m->observer && m->observer->live_change)
		m->observer->live_change(m->observer->ctx, ts, stack, delta);
}

/* A sampled block's variance, added with its bytes and taken out with
 * them; a sum that is empty again is exactly 0, whatever the rounding. */
static void account_var(struct ms_model *m, struct ms_stack *s, uint64_t size)
{
	double v = ms_sample_var_memo(&m->var_memo, size);
	s->var_allocated += v;
	s->var_live += v;
	m->cur_var += v;
	m->summary.var_allocated += v;
}

static void unaccount_var(struct ms_model *m, struct ms_stack *s, uint64_t size)
{
	double v = ms_sample_var_memo(&m->var_memo, size);
	s->var_live = s->live_blocks && s->var_live > v ? s->var_live - v : 0;
	m->cur_var = m->cur_bytes && m->cur_var > v ? m->cur_var - v : 0;
}

/* Takes a block out of the accounting (a free, or a replaced block). */
static void unaccount(struct ms_model *m, const struct ms_live_block *b)
{
	struct ms_stack *s = &m->stacks[b->stack];
	peak_sync(m, s);
	s->live_bytes -= b->size;
	s->live_blocks--;
	m->cur_bytes -= b->size;
	if (m->hdr.sample_rate)
		unaccount_var(m, s, b->size);
}

static int apply_alloc(struct ms_model *m, const struct ms_event *e)
{
	uint32_t t = e->thread_kind >> 1;
	struct ms_live_block b = {e->addr, e->size, e->stack, t, 0}, old;
	if (!e->addr)
		return 0; /* never a block */
	int rc = ms_live_insert(&m->live, &b, &old);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		/* a free we never saw: drop the old block without counting a free */
		m->summary.replaced_blocks++;
		unaccount(m, &old);
		m->stacks[old.stack].lifetime_acc += e->ts;
		observe(m, e->ts, old.stack, -(int64_t)old.size);
	}
	struct ms_stack *s = &m->stacks[e->stack];
	peak_sync(m, s);
	if (!s->used) {
		s->used = true;
		s->first_ts = e->ts;
	}
	s->allocations++;
	s->bytes_allocated += e->size;
	s->live_bytes += e->size;
	s->live_blocks++;
	s->lifetime_acc -= e->ts;
	if (m->hdr.sample_rate)
		account_var(m, s, e->size);
	if (s->live_bytes > s->max_live_bytes) {
		s->max_live_bytes = s->live_bytes;
		s->max_live_blocks = s->live_blocks;
	}
	m->summary.allocations++;
	m->summary.bytes_allocated += e->size;
	m->cur_bytes += e->size;
	if (m->cur_bytes > m->summary.peak_bytes) {
		m->summary.peak_bytes = m->cur_bytes;
		m->summary.peak_ts = e->ts;
		m->summary.var_peak = m->cur_var;
		m->peak_epoch++;
	}
	if (m->peak_watch && m->cur_bytes == m->peak_watch && (rc = ms_replay_on_peak(m)))
		return rc;
	observe(m, e->ts, e->stack, (int64_t)e->size);
	m->threads[t].last_alloc = e->addr;
	m->threads[t].allocations++;
	return 0;
}

static void apply_free(struct ms_model *m, const struct ms_event *e)
{
	struct ms_live_block b;
	if (!ms_live_remove(&m->live, e->addr, &b)) {
		m->summary.unknown_frees++;
		return;
	}
	unaccount(m, &b);
	observe(m, e->ts, b.stack, -(int64_t)b.size);
	struct ms_stack *s = &m->stacks[b.stack];
	s->frees++;
	s->lifetime_acc += e->ts;
	m->summary.frees++;
	/* temporary: the allocating thread allocated nothing since this block
	 * (unknown when sampled: the allocations between samples are missing) */
	struct ms_thread *th = &m->threads[b.thread];
	if (th->last_alloc == e->addr && !m->hdr.sample_rate) {
		s->temporary_allocations++;
		m->summary.temporary_allocations++;
		th->last_alloc = 0;
	}
}

/* Stable sort of pending events by ts: find the natural runs, then merge
 * neighbours pairwise. Each chunk is already a run, so this costs
 * n log(chunks per round). */
static int sort_pending(struct ms_model *m)
{
	size_t n = m->n_pending;
	struct ms_event *a = m->pending, *b = m->scratch;
	size_t i = 1;
	while (i < n && a[i - 1].ts <= a[i].ts)
		i++;
	if (i >= n)
		return 0;
	/* each pass merges neighbouring runs, found again as it goes */
	for (;;) {
		size_t out = 0, start = 0, runs = 0;
		while (start < n) {
			size_t mid = start + 1;
			while (mid < n && a[mid - 1].ts <= a[mid].ts)
				mid++;
			size_t stop = mid;
			if (mid < n) {
				stop = mid + 1;
				while (stop < n && a[stop - 1].ts <= a[stop].ts)
					stop++;
			}
			size_t x = start, y = mid;
			while (x < mid && y < stop)
				b[out++] = a[y].ts < a[x].ts ? a[y++] : a[x++];
			while (x < mid)
				b[out++] = a[x++];
			while (y < stop)
				b[out++] = a[y++];
			start = stop;
			runs++;
		}
		struct ms_event *t = a;
		a = b;
		b = t;
		if (runs <= 1)
			break;
	}
	m->pending = a;
	m->scratch = b;
	return 0;
}

static inline void prefetch_stack(const struct ms_model *m, uint32_t stack)
{
	const char *p = (const char *)&m->stacks[stack];
	ms_prefetch(p);
	ms_prefetch(p + 111); /* the hot fields' last byte: see model.h */
}

/* The stack an event will change: an allocation names it; a free's is in its
 * live slot, prefetched earlier. Only a hint: a block the events in between
 * replace just costs a miss. */
static inline void prefetch_event_stack(const struct ms_model *m, const struct ms_event *e)
{
	if (e->thread_kind & 1) {
		prefetch_stack(m, e->stack);
	} else {
		uint32_t stack;
		if (ms_live_peek_stack(&m->live, e->addr, &stack))
			prefetch_stack(m, stack);
	}
}

/* Applies the pending events with ts < watermark (all of them if all).
 * Live slots are fetched AHEAD events in advance and stacks half as far:
 * with many live blocks and stacks both miss the cache on every event.
 * A table or a stack array that fits the cache gets no hints: they cost a
 * hash, or a lookup, per event and save nothing there. */
#define PREFETCH_MIN (1u << 20)

static int flush(struct ms_model *m, uint64_t watermark, bool all)
{
	sort_pending(m);
	size_t n = m->n_pending, k = 0;
	enum { AHEAD = 16, STACK_AHEAD = 8 };
	size_t live_ahead = m->live.cap * sizeof(*m->live.slots) >= PREFETCH_MIN ? AHEAD : 0;
	size_t stack_ahead = m->n_stacks * sizeof(*m->stacks) >= PREFETCH_MIN ? STACK_AHEAD : 0;
	for (size_t i = 0; i < live_ahead && i < n; i++)
		ms_live_prefetch(&m->live, m->pending[i].addr);
	for (; k < n; k++) {
		const struct ms_event *e = &m->pending[k];
		if (live_ahead && k + live_ahead < n)
			ms_live_prefetch(&m->live, m->pending[k + live_ahead].addr);
		if (stack_ahead && k + stack_ahead < n)
			prefetch_event_stack(m, &m->pending[k + stack_ahead]);
		if (!all && e->ts >= watermark)
			break;
		if (e->thread_kind & 1) {
			int rc = apply_alloc(m, e);
			if (rc)
				return rc;
		} else {
			apply_free(m, e);
		}
	}
	memmove(m->pending, m->pending + k, (n - k) * sizeof(*m->pending));
	m->n_pending = n - k;
	return 0;
}

static inline void see_ts(struct ms_model *m, uint64_t ts)
{
	if (ts > m->summary.last_ts)
		m->summary.last_ts = ts;
	if (ts < m->summary.first_ts)
		m->summary.first_ts = ts;
}

/* Room for need pending events. */
static int reserve_pending(struct ms_model *m, size_t need)
{
	if (need <= m->cap_pending)
		return 0;
	/* both grow alike (sort_pending swaps them); if only the first
	 * could, its untouched tail stays mapped until the replay ends */
	size_t c = m->cap_pending, c2 = c;
	if (ms_array_reserve_mapped((void **)&m->pending, &c, sizeof(*m->pending), need, 65536) ||
	    ms_array_reserve_mapped((void **)&m->scratch, &c2, sizeof(*m->scratch), need, 65536))
		return -ENOMEM;
	m->cap_pending = c;
	return 0;
}

static int push(struct ms_model *m, uint64_t ts, uint64_t addr, uint64_t size, uint32_t stack,
                uint32_t thread, bool alloc)
{
	if (reserve_pending(m, m->n_pending + 1))
		return -ENOMEM;
	m->pending[m->n_pending++] = (struct ms_event){ts, addr, size, stack, thread << 1 | (alloc ? 1u : 0u)};
	see_ts(m, ts);
	return 0;
}

/* An allocation's event. A block larger than any address space is a damaged
 * record: MS_TRACE_E_CORRUPT. */
static int push_alloc(struct ms_model *m, uint64_t ts, uint64_t addr, uint64_t size, uint32_t stack,
                      uint32_t thread)
{
	if (size > MS_LIVE_MAX_SIZE && addr)
		return MS_TRACE_E_CORRUPT;
	return push(m, ts, addr, size, stack, thread, true);
}

/* A run of allocations and frees of one thread, as the reader decoded them
 * (ms_trace_reader_events): pushed in one go, without a record each. */
static int push_events(struct ms_model *m, const struct ms_prerec *ev, size_t n, uint32_t thread)
{
	if (reserve_pending(m, m->n_pending + n))
		return -ENOMEM;
	struct ms_event *out = m->pending + m->n_pending;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ms_prerec *q = &ev[i];
		uint32_t stack = 0;
		bool alloc = ms_prerec_kind(q) == MS_PRE_ALLOC;
		if (alloc) {
			int rc = stack_lookup(m, ms_prerec_stack(q), &stack);
			if (rc) {
				m->n_pending += i;
				return rc;
			}
		}
		out[i] = (struct ms_event){q->ts, q->addr, alloc ? q->size : 0, stack, thread << 1 | alloc};
		lo = q->ts < lo ? q->ts : lo;
		hi = q->ts > hi ? q->ts : hi;
	}
	m->n_pending += n;
	see_ts(m, lo);
	see_ts(m, hi);
	return 0;
}

/* Hands the debug-information warm-up (symbolize.h) each module a stack
 * points into, once: only those are ever symbolized. Neighbouring return
 * addresses are mostly in one module, so the last one found is tried
 * first. */
static int warm_modules_of(struct ms_model *m, const uint64_t *ips, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint64_t ip = ips[k];
		const struct ms_module *last = m->warm_last < m->n_modules ? &m->modules[m->warm_last] : NULL;
		if (last && ip >= last->lo && ip < last->hi)
			continue;
		for (size_t i = 0; i < m->n_modules; i++) {
			struct ms_module *mod = &m->modules[i];
			if (ip < mod->lo || ip >= mod->hi)
				continue;
			m->warm_last = i;
			const char *path = ms_module_file(m, mod);
			if (!mod->warmed && *path) {
				mod->warmed = true;
				if (ms_symwarm_add(m->warm, path, mod->build_id, mod->build_id_len))
					return -ENOMEM;
			}
			break;
		}
	}
	return 0;
}

static int define_stack(struct ms_model *m, const struct ms_record *r)
{
	uint32_t i;
	int rc = stack_index(m, r->u.stack.stack_id, &i);
	if (rc)
		return rc;
	struct ms_stack *s = &m->stacks[i];
	if (s->defined)
		return 0; /* the first definition wins */
	if (ms_array_reserve((void **)&m->ips, &m->cap_ips, sizeof(*m->ips), m->n_ips + r->u.stack.n, 65536))
		return -ENOMEM;
	if (m->n_ips + r->u.stack.n > UINT32_MAX)
		return -ENOMEM;
	memcpy(m->ips + m->n_ips, r->u.stack.ips, r->u.stack.n * sizeof(*m->ips));
	s->ips_off = (uint32_t)m->n_ips;
	s->n_ips = r->u.stack.n;
	s->defined = true;
	m->n_ips += r->u.stack.n;
	return m->warm ? warm_modules_of(m, r->u.stack.ips, r->u.stack.n) : 0;
}

static int add_module(struct ms_model *m, const struct ms_record *r, struct ms_u64map *by_id)
{
	if (GROW(m->modules, m->n_modules, m->cap_modules, 32))
		return -ENOMEM;
	struct ms_module *mod = &m->modules[m->n_modules];
	memset(mod, 0, sizeof(*mod));
	mod->id = r->u.module_load.module_id;
	mod->bias = r->u.module_load.load_bias;
	mod->load_ts = r->u.module_load.ts;
	mod->unload_ts = UINT64_MAX;
	mod->path = dup_str(r->u.module_load.path);
	mod->build_id = (uint8_t *)dup_str(r->u.module_load.build_id);
	mod->build_id_len = r->u.module_load.build_id.len;
	mod->nseg = r->u.module_load.nseg;
	mod->seg = malloc((mod->nseg ? mod->nseg : 1) * 3 * sizeof(uint64_t));
	if (!mod->path || !mod->build_id || !mod->seg) {
		free(mod->path);
		free(mod->build_id);
		free(mod->seg);
		return -ENOMEM;
	}
	memcpy(mod->seg, r->u.module_load.seg, mod->nseg * 3 * sizeof(uint64_t));
	mod->lo = UINT64_MAX;
	mod->hi = 0;
	for (uint32_t i = 0; i < mod->nseg; i++) {
		uint64_t lo = mod->bias + mod->seg[3 * i], hi = lo + mod->seg[3 * i + 1];
		if (lo < mod->lo)
			mod->lo = lo;
		if (hi > mod->hi)
			mod->hi = hi;
	}
	if (mod->lo > mod->hi)
		mod->lo = mod->hi = 0;
	m->n_modules++;
	see_ts(m, mod->load_ts);
	return ms_u64map_put(by_id, mod->id, (uint32_t)(m->n_modules - 1));
}

static int set_process(struct ms_model *m, const struct ms_record *r)
{
	free(m->exe);
	for (size_t i = 0; i < m->argc; i++)
		free(m->argv[i]);
	free(m->argv);
	m->argc = 0;
	m->exe = dup_str(r->u.process.exe);
	m->argv = calloc(r->u.process.argc + 1, sizeof(char *));
	if (!m->exe || !m->argv)
		return -ENOMEM;
	for (uint32_t i = 0; i < r->u.process.argc; i++) {
		if (!(m->argv[i] = dup_str(r->u.process.argv[i])))
			return -ENOMEM;
		m->argc++;
	}
	return 0;
}

static int cmp_clock(const void *a, const void *b)
{
	const struct ms_clock_point *x = a, *y = b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* The figures that only exist once every event is applied. */
static void finish(struct ms_model *m)
{
	struct ms_summary *s = &m->summary;
	for (size_t i = 0; i < m->n_stacks; i++)
		peak_sync(m, &m->stacks[i]);
	s->leaked_bytes = m->cur_bytes;
	s->leaked_blocks = m->live.len;
	s->var_leaked = m->cur_var;
	if (m->n_clock > 1)
		qsort(m->clock, m->n_clock, sizeof(*m->clock), cmp_clock);
	if (s->first_ts == UINT64_MAX) /* no timestamp at all */
		s->first_ts = s->last_ts = m->hdr.start_ts;
	s->wall_time_ns = ms_model_ts_to_ns(m, s->last_ts);
	s->peak_time_ns = s->peak_bytes ? ms_model_ts_to_ns(m, s->peak_ts) : 0;
}

int ms_replay_file(struct ms_model *m, const char *path)
{
	struct ms_trace_reader r;
	struct ms_record rec;
	struct ms_u64map module_by_id;
	uint32_t cur_thread = 0;
	uint32_t stack = 0;
	bool have_end = false, have_exec = false;
	int rc;

	ms_trace_reader_init(&r);
	ms_u64map_init(&module_by_id);
	rc = m->follow ? ms_trace_reader_open_follow(&r, path, m->follow, m->follow_ctx) : ms_trace_reader_open(&r, path);
	m->hdr = r.hdr;
	if (rc)
		goto out;
	m->summary.forked = (r.hdr.flags & MS_HDR_FORKED) != 0;
	if (r.hdr.sample_rate)
		ms_sample_memo_init(&m->var_memo, r.hdr.sample_rate);
	for (int i = 0; i < 2; i++)
		if (m->want[i].at == MS_HEAP_PEAK)
			m->peak_watch = m->want[i].id;
	/* the start: the header's, unless an event claims to be earlier */
	m->summary.first_ts = r.hdr.start_ts ? r.hdr.start_ts : UINT64_MAX;
	m->summary.last_ts = r.hdr.start_ts;
	if (r.hdr.clock_kind == MS_CLOCK_TSC && r.hdr.start_mono_ns) {
		if ((rc = GROW(m->clock, m->n_clock, m->cap_clock, 16)))
			goto out;
		m->clock[m->n_clock++] = (struct ms_clock_point){r.hdr.start_ts, r.hdr.start_mono_ns};
	}
	for (;;) {
		const struct ms_prerec *ev;
		size_t n = ms_trace_reader_events(&r, &ev);
		if (n) {
			if ((rc = push_events(m, ev, n, cur_thread)))
				break;
			continue;
		}
		if ((rc = ms_trace_reader_next(&r, &rec)) != 1)
			break;
		rc = 0;
		switch (rec.tag) {
		case MS_REC_CHUNK:
			rc = thread_index(m, rec.tid, rec.u.chunk.base_ts, &cur_thread);
			break;
		case MS_REC_ALLOC:
			if ((rc = stack_lookup(m, rec.u.alloc.stack_id, &stack)))
				break;
			rc = push_alloc(m, rec.u.alloc.ts, rec.u.alloc.addr, rec.u.alloc.size, stack, cur_thread);
			break;
		case MS_REC_FREE:
			rc = push(m, rec.u.free.ts, rec.u.free.addr, 0, 0, cur_thread, false);
			break;
		case MS_REC_REALLOC:
			if ((rc = stack_lookup(m, rec.u.realloc.stack_id, &stack)))
				break;
			rc = push(m, rec.u.realloc.ts_before, rec.u.realloc.old_addr, 0, 0, cur_thread, false);
			if (!rc)
				rc = push_alloc(m, rec.u.realloc.ts_after, rec.u.realloc.new_addr, rec.u.realloc.size,
				                stack, cur_thread);
			break;
		case MS_REC_STACK:
			rc = define_stack(m, &rec);
			break;
		case MS_REC_THREAD: {
			struct ms_thread *t = &m->threads[cur_thread];
			free(t->name);
			t->name = dup_str(rec.u.thread.name);
			see_ts(m, rec.u.thread.ts);
			rc = t->name ? 0 : -ENOMEM;
			break;
		}
		case MS_REC_THREAD_EXIT:
			m->threads[cur_thread].exited = true;
			m->threads[cur_thread].exit_ts = rec.u.thread_exit.ts;
			see_ts(m, rec.u.thread_exit.ts);
			break;
		case MS_REC_EVENT: {
			if ((rc = stack_lookup(m, rec.u.event.stack_id, &stack)))
				break;
			struct ms_stack *s = &m->stacks[stack];
			if (!s->used) {
				s->used = true;
				s->first_ts = rec.u.event.ts;
			}
			s->events++;
			s->event_weight += rec.u.event.weight;
			m->summary.events++;
			m->summary.event_weight += rec.u.event.weight;
			see_ts(m, rec.u.event.ts);
			break;
		}
		case MS_REC_SNAPSHOT:
			/* the ROUND before it applied every earlier event; this
			 * makes sure of it even if a writer left it out */
			if (!(rc = flush(m, rec.u.snapshot.ts, false)))
				rc = ms_replay_on_snapshot(m, &rec);
			see_ts(m, rec.u.snapshot.ts);
			break;
		case MS_REC_SCAN_ROOTS:
		case MS_REC_SCAN_EDGES:
		case MS_REC_SCAN_TYPES:
		case MS_REC_SCAN_HEUR:
		case MS_REC_SCAN_END:
			rc = ms_replay_on_scan(m, &rec);
			break;
		case MS_REC_CLOCK_SYNC:
			if (!(rc = GROW(m->clock, m->n_clock, m->cap_clock, 16)))
				m->clock[m->n_clock++] =
				    (struct ms_clock_point){rec.u.clock_sync.ts, rec.u.clock_sync.mono_ns};
			break;
		case MS_REC_MODULE_LOAD:
			rc = add_module(m, &rec, &module_by_id);
			break;
		case MS_REC_MODULE_UNLOAD: {
			uint32_t i = ms_u64map_get(&module_by_id, rec.u.module_unload.module_id);
			if (i != MS_U64MAP_NONE && m->modules[i].unload_ts == UINT64_MAX)
				m->modules[i].unload_ts = rec.u.module_unload.ts;
			see_ts(m, rec.u.module_unload.ts);
			break;
		}
		case MS_REC_COUNTERS:
			for (uint32_t i = 0; i < rec.u.counters.n; i++)
				if ((i == MS_CTR_RSS_BYTES || i == MS_CTR_PEAK_RSS_BYTES) &&
				    rec.u.counters.v[i] > m->summary.peak_rss_bytes)
					m->summary.peak_rss_bytes = rec.u.counters.v[i];
			if (m->observer && m->observer->counters)
				m->observer->counters(m->observer->ctx, rec.u.counters.ts, rec.u.counters.v,
				                      rec.u.counters.n);
			see_ts(m, rec.u.counters.ts);
			break;
		case MS_REC_ROUND:
			rc = flush(m, rec.u.round.watermark, false);
			if (!rc)
				rc = ms_maps_flush(m, rec.u.round.watermark, false);
			break;
		case MS_REC_MMAP:
		case MS_REC_MREMAP:
			if (!(rc = stack_lookup(m, rec.tag == MS_REC_MMAP ? rec.u.mmap.stack_id : rec.u.mremap.stack_id,
			                        &stack)))
				rc = ms_maps_push(&m->maps, &rec, stack);
			break;
		case MS_REC_MUNMAP:
			rc = ms_maps_push(&m->maps, &rec, 0);
			break;
		case MS_REC_PROCESS:
			rc = set_process(m, &rec);
			break;
		case MS_REC_END:
			have_end = true;
			m->summary.end = rec.u.end.reason == MS_END__EXIT   ? MS_ENDK__EXIT
			                 : rec.u.end.reason == MS_END_ABORT ? MS_ENDK_ABORT
			                                                    : MS_ENDK_EXIT;
			m->summary.exit_status = rec.u.end.exit_status;
			if (rec.u.end.peak_rss > m->summary.peak_rss_bytes)
				m->summary.peak_rss_bytes = rec.u.end.peak_rss;
			see_ts(m, rec.u.end.ts);
			break;
		case MS_REC_EXEC:
			have_exec = true;
			free(m->summary.exec_path);
			m->summary.exec_path = dup_str(rec.u.exec.path);
			see_ts(m, rec.u.exec.ts);
			rc = m->summary.exec_path ? 0 : -ENOMEM;
			break;
		case MS_REC_EXEC_FAILED:
			have_exec = false;
			see_ts(m, rec.u.exec_failed.ts);
			break;
		case MS_REC_INHERITED:
			m->summary.allocations += rec.u.inherited.allocations;
			m->summary.frees += rec.u.inherited.frees;
			m->summary.bytes_allocated += rec.u.inherited.bytes_allocated;
			break;
		}
		if (rc)
			break;
	}
	m->frames = r.frames;
	if (rc == MS_TRACE_E_CORRUPT)
		m->corrupt = rc;
	if (rc == 0 || rc == MS_TRACE_E_CORRUPT) {
		int frc = flush(m, 0, true);
		if (!frc)
			frc = ms_maps_flush(m, 0, true);
		if (frc)
			rc = frc;
	}
	if (rc == 0 && r.frames == 0)
		rc = MS_TRACE_E_NODATA;
	if (have_end)
		m->summary.truncated = false;
	else if (have_exec)
		m->summary.end = MS_ENDK_EXEC;
	else
		m->summary.end = MS_ENDK_KILLED;
	if (r.truncated) {
		m->summary.truncated = true;
		if (!have_end && !have_exec)
			m->summary.end = MS_ENDK_TRUNCATED;
	} else if (!have_end && !have_exec) {
		m->summary.truncated = true;
	}
	if (m->corrupt) {
		m->summary.truncated = true;
		if (!have_end && !have_exec)
			m->summary.end = MS_ENDK_CORRUPT;
	}
	finish(m);
	int hrc = ms_replay_heaps_finish(m);
	if (hrc && !rc)
		rc = hrc;
	/* The live set is in the summary and the captured heaps now: its
	 * memory goes back before the caller symbolizes and prints. */
	ms_model_release_replay(m);
out:
	ms_u64map_release(&module_by_id);
	ms_trace_reader_release(&r);
	return rc;
}
