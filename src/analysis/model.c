/* The model's lifetime, clock conversion and stack ordering; see model.h. */
#include "analysis/model.h"

#include "analysis/array.h"
#include "analysis/heap.h"
#include "analysis/symbolize.h"

#include <stdlib.h>
#include <string.h>

const char *ms_module_file(const struct ms_model *m, const struct ms_module *mod)
{
	return *mod->path || !m->exe ? mod->path : m->exe;
}

void ms_model_init(struct ms_model *m)
{
	memset(m, 0, sizeof(*m));
	ms_u64map_init(&m->stack_index);
	ms_u64map_init(&m->thread_index);
	ms_live_init(&m->live);
	m->want[0].at = MS_HEAP_EXIT;
}

void ms_model_release(struct ms_model *m)
{
	free(m->stacks);
	free(m->ips);
	ms_u64map_release(&m->stack_index);
	free(m->dense);
	for (size_t i = 0; i < m->n_threads; i++)
		free(m->threads[i].name);
	free(m->threads);
	ms_u64map_release(&m->thread_index);
	for (size_t i = 0; i < m->n_modules; i++) {
		free(m->modules[i].path);
		free(m->modules[i].build_id);
		free(m->modules[i].seg);
	}
	free(m->modules);
	free(m->clock);
	free(m->exe);
	for (size_t i = 0; i < m->argc; i++)
		free(m->argv[i]);
	free(m->argv);
	free(m->summary.exec_path);
	for (size_t i = 0; i < m->n_snaps; i++)
		free(m->snaps[i].label);
	free(m->snaps);
	ms_symwarm_free(m->warm);
	ms_heap_free(m->heaps[0]);
	ms_heap_free(m->heaps[1]);
	ms_maps_release(&m->maps);
	ms_model_release_replay(m);
	ms_model_init(m);
}

void ms_model_release_replay(struct ms_model *m)
{
	ms_live_release(&m->live);
	ms_array_unmap(m->pending, m->cap_pending, sizeof(*m->pending));
	ms_array_unmap(m->scratch, m->cap_pending, sizeof(*m->scratch));
	m->pending = m->scratch = NULL;
	m->n_pending = m->cap_pending = 0;
}

const char *ms_end_kind_name(enum ms_end_kind k)
{
	static const char *const names[] = {"exit", "_exit", "exec", "killed", "truncated", "corrupt", "abort"};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

/* Monotonic ns of a trace timestamp: the identity for MONOTONIC traces; for
 * TSC traces, linear between the two CLOCK_SYNC points around ts (the
 * nearest pair outside them). Returns ts itself when it cannot convert. */
static double mono_of(const struct ms_model *m, uint64_t ts)
{
	if (m->hdr.clock_kind != MS_CLOCK_TSC)
		return (double)ts;
	if (m->n_clock < 2)
		return (double)ts;
	size_t lo = 0, hi = m->n_clock - 1;
	while (hi - lo > 1) { /* clock[lo].ts <= ts < clock[hi].ts, clamped */
		size_t mid = (lo + hi) / 2;
		if (m->clock[mid].ts <= ts)
			lo = mid;
		else
			hi = mid;
	}
	const struct ms_clock_point *a = &m->clock[lo], *b = &m->clock[hi];
	if (b->ts == a->ts)
		return (double)a->ns;
	double rate = ((double)b->ns - (double)a->ns) / ((double)b->ts - (double)a->ts);
	return (double)a->ns + ((double)ts - (double)a->ts) * rate;
}

uint64_t ms_model_ts_to_ns(const struct ms_model *m, uint64_t ts)
{
	double d = mono_of(m, ts) - mono_of(m, m->summary.first_ts);
	return d > 0 ? (uint64_t)(d + 0.5) : 0;
}

static const char *const metric_names[] = {"peak",     "leaked",   "allocations", "temporary", "bytes",
                                           "definite", "indirect", "possible",    "reachable", "retained",
                                           "events",   "mapped"};

int ms_metric_parse(const char *name, enum ms_metric *out)
{
	for (size_t i = 0; i < sizeof(metric_names) / sizeof(metric_names[0]); i++)
		if (!strcmp(name, metric_names[i])) {
			*out = (enum ms_metric)i;
			return 0;
		}
	return -1;
}

const char *ms_metric_name(enum ms_metric k) { return metric_names[k]; }

uint64_t ms_stack_metric(const struct ms_stack *s, enum ms_metric k)
{
	switch (k) {
	case MS_BY_PEAK: return s->peak_bytes;
	case MS_BY_LEAKED: return s->live_bytes;
	case MS_BY_ALLOCATIONS: return s->allocations;
	case MS_BY_TEMPORARY: return s->temporary_allocations;
	case MS_BY_BYTES: return s->bytes_allocated;
	case MS_BY_DEFINITE: return s->class_bytes[0];
	case MS_BY_INDIRECT: return s->class_bytes[1];
	case MS_BY_POSSIBLE: return s->class_bytes[2];
	case MS_BY_REACHABLE: return s->class_bytes[3];
	case MS_BY_RETAINED: return s->retained_bytes;
	case MS_BY_EVENTS: return s->events;
	case MS_BY_MAPPED: return s->mapped_bytes;
	}
	return 0;
}

uint64_t ms_summary_metric(const struct ms_model *m, enum ms_metric k)
{
	const struct ms_summary *s = &m->summary;
	switch (k) {
	case MS_BY_PEAK: return s->peak_bytes;
	case MS_BY_LEAKED: return s->leaked_bytes;
	case MS_BY_ALLOCATIONS: return s->allocations;
	case MS_BY_TEMPORARY: return s->temporary_allocations;
	case MS_BY_BYTES: return s->bytes_allocated;
	case MS_BY_DEFINITE: return s->class_bytes[0];
	case MS_BY_INDIRECT: return s->class_bytes[1];
	case MS_BY_POSSIBLE: return s->class_bytes[2];
	case MS_BY_REACHABLE: return s->class_bytes[3];
	case MS_BY_RETAINED: return s->class_bytes[0] + s->class_bytes[1] + s->class_bytes[2] + s->class_bytes[3];
	case MS_BY_EVENTS: return s->events;
	case MS_BY_MAPPED: return m->maps.cur;
	}
	return 0;
}

bool ms_metric_is_count(enum ms_metric k)
{
	return k == MS_BY_ALLOCATIONS || k == MS_BY_TEMPORARY || k == MS_BY_EVENTS;
}

const char *ms_metric_unknown(const struct ms_model *m, enum ms_metric k)
{
	if (k == MS_BY_TEMPORARY && m->hdr.sample_rate)
		return "a sampled trace does not record the allocations between its samples, so it cannot tell which "
		       "blocks were freed before their thread allocated again";
	return NULL;
}

struct sort_key {
	uint64_t metric, bytes, id;
	uint32_t index;
};

static int cmp_key(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	if (x->metric != y->metric)
		return x->metric > y->metric ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

uint32_t *ms_model_sort_stacks(const struct ms_model *m, enum ms_metric k, size_t *n)
{
	*n = 0;
	struct sort_key *keys = malloc((m->n_stacks ? m->n_stacks : 1) * sizeof(*keys));
	uint32_t *out = malloc((m->n_stacks ? m->n_stacks : 1) * sizeof(*out));
	if (!keys || !out) {
		free(keys);
		free(out);
		return NULL;
	}
	size_t c = 0;
	for (size_t i = 0; i < m->n_stacks; i++) {
		const struct ms_stack *s = &m->stacks[i];
		if (!s->used)
			continue;
		keys[c++] = (struct sort_key){ms_stack_metric(s, k), s->bytes_allocated, s->id, (uint32_t)i};
	}
	qsort(keys, c, sizeof(*keys), cmp_key);
	for (size_t i = 0; i < c; i++)
		out[i] = keys[i].index;
	free(keys);
	*n = c;
	return out;
}
