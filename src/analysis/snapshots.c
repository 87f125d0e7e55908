/* The replay's handling of snapshots and scans: the list of snapshots, the
 * capture of the heaps the caller asked for (model.h: want/heaps), and the
 * leak figures of heaps[0] once the replay is over. Only the wanted heaps are
 * kept, so memory holds at most two live sets and one graph at a time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/heap.h"
#include "analysis/model.h"
#include "analysis/replay_hooks.h"
#include "trace/read.h"

static bool wanted(const struct ms_heap_sel *w, const struct ms_snapshot *s, bool first_with_label)
{
	switch (w->at) {
	case MS_HEAP_EXIT: return s->reason == MS_SNAP_EXIT; /* a later one replaces it */
	case MS_HEAP_ID: return s->id == w->id;
	case MS_HEAP_LABEL: return first_with_label && w->label && !strcmp(s->label, w->label);
	default: return false;
	}
}

static int capture(struct ms_model *m, int i, uint64_t id, uint64_t ts)
{
	struct ms_heap *h = ms_heap_capture(&m->live, id, ts);
	if (!h)
		return -ENOMEM;
	ms_heap_free(m->heaps[i]);
	m->heaps[i] = h;
	return 0;
}

int ms_replay_on_snapshot(struct ms_model *m, const struct ms_record *r)
{
	if (m->n_snaps == m->cap_snaps) {
		size_t c = m->cap_snaps ? 2 * m->cap_snaps : 16;
		struct ms_snapshot *p = realloc(m->snaps, c * sizeof(*p));
		if (!p)
			return -ENOMEM;
		m->snaps = p;
		m->cap_snaps = c;
	}
	struct ms_snapshot *s = &m->snaps[m->n_snaps];
	memset(s, 0, sizeof(*s));
	s->id = r->u.snapshot.id;
	s->ts = r->u.snapshot.ts;
	s->reason = r->u.snapshot.reason;
	s->rt_live_blocks = r->u.snapshot.live_blocks;
	s->rt_live_bytes = r->u.snapshot.live_bytes;
	s->live_blocks = m->live.len;
	s->live_bytes = m->cur_bytes;
	s->live_var = m->cur_var;
	s->label = malloc(r->u.snapshot.label.len + 1);
	if (!s->label)
		return -ENOMEM;
	memcpy(s->label, r->u.snapshot.label.p, r->u.snapshot.label.len);
	s->label[r->u.snapshot.label.len] = 0;
	bool first_with_label = true;
	for (size_t i = 0; i < m->n_snaps && first_with_label; i++)
		first_with_label = strcmp(m->snaps[i].label, s->label) != 0;
	m->n_snaps++;
	if (m->observer && m->observer->snapshot)
		m->observer->snapshot(m->observer->ctx, s, &m->live);
	for (int i = 0; i < 2; i++)
		if (wanted(&m->want[i], s, first_with_label)) {
			int rc = capture(m, i, s->id, s->ts);
			if (rc)
				return rc;
		}
	return 0;
}

static struct ms_snapshot *snapshot_of(struct ms_model *m, uint64_t id)
{
	for (size_t i = m->n_snaps; i-- > 0;)
		if (m->snaps[i].id == id)
			return &m->snaps[i];
	return NULL;
}

int ms_replay_on_scan(struct ms_model *m, const struct ms_record *r)
{
	uint64_t id = r->tag == MS_REC_SCAN_END ? r->u.scan_end.snapshot_id : r->u.scan.snapshot_id;
	struct ms_snapshot *s = snapshot_of(m, id);
	if (s && r->tag == MS_REC_SCAN_END) {
		s->scanned = true;
		s->roots = r->u.scan_end.roots;
		s->edges = r->u.scan_end.edges;
		s->scan_ns = r->u.scan_end.duration_ns;
		s->stop_method = r->u.scan_end.stop_method;
		s->threads_stopped = r->u.scan_end.stopped;
		s->threads_missed = r->u.scan_end.missed;
	}
	for (int i = 0; i < 2; i++) {
		struct ms_heap *h = m->heaps[i];
		if (!h || !h->snapshot_id || h->snapshot_id != id || h->scanned)
			continue;
		int rc = 0;
		switch (r->tag) {
		case MS_REC_SCAN_ROOTS: rc = ms_heap_add_roots(h, r->u.scan.v, r->u.scan.n); break;
		case MS_REC_SCAN_EDGES: rc = ms_heap_add_edges(h, r->u.scan.v, r->u.scan.n); break;
		case MS_REC_SCAN_TYPES: ms_heap_add_types(h, r->u.scan.v, r->u.scan.n); break;
		case MS_REC_SCAN_HEUR: ms_heap_add_heur(h, r->u.scan.v, r->u.scan.n); break;
		case MS_REC_SCAN_END: rc = ms_heap_finish(h); break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

int ms_replay_on_peak(struct ms_model *m)
{
	m->peak_watch = 0; /* the first time only */
	for (int i = 0; i < 2; i++)
		if (m->want[i].at == MS_HEAP_PEAK) {
			int rc = capture(m, i, 0, 0);
			if (rc)
				return rc;
		}
	return 0;
}

/* Leak classes and retained bytes of heaps[0] into the stacks and the
 * summary, when its scan is complete. */
static int apply_leaks(struct ms_model *m)
{
	struct ms_heap *h = m->heaps[0];
	if (!h || !h->scanned)
		return 0;
	int rc = ms_heap_classify(h);
	if (!rc)
		rc = ms_heap_dominators(h);
	if (rc)
		return rc;
	uint64_t *ret = calloc(m->n_stacks ? m->n_stacks : 1, sizeof(*ret));
	if (!ret)
		return -ENOMEM;
	if ((rc = ms_heap_retained_by_stack(h, m->n_stacks, ret))) {
		free(ret);
		return rc;
	}
	struct ms_summary *su = &m->summary;
	su->leak_scan = true;
	su->leak_snapshot = h->snapshot_id;
	for (size_t i = 0; i < m->n_stacks; i++) {
		struct ms_stack *s = &m->stacks[i];
		memset(s->class_bytes, 0, sizeof(s->class_bytes));
		memset(s->class_blocks, 0, sizeof(s->class_blocks));
		s->retained_bytes = ret[i];
	}
	memset(su->class_bytes, 0, sizeof(su->class_bytes));
	memset(su->class_blocks, 0, sizeof(su->class_blocks));
	for (size_t i = 0; i < h->n_blocks; i++) {
		const struct ms_hblock *b = &h->blocks[i];
		unsigned c = h->cls[i];
		m->stacks[b->stack].class_bytes[c] += b->size;
		m->stacks[b->stack].class_blocks[c]++;
		su->class_bytes[c] += b->size;
		su->class_blocks[c]++;
	}
	free(ret);
	return 0;
}

int ms_replay_heaps_finish(struct ms_model *m)
{
	for (int i = 0; i < 2; i++) {
		int rc = 0;
		if (m->want[i].at == MS_HEAP_START && !m->heaps[i]) {
			struct ms_live empty;
			ms_live_init(&empty);
			m->heaps[i] = ms_heap_capture(&empty, 0, m->summary.first_ts);
			rc = m->heaps[i] ? 0 : -ENOMEM;
		} else if (m->want[i].at == MS_HEAP_END) {
			rc = capture(m, i, 0, m->summary.last_ts);
		}
		if (rc)
			return rc;
	}
	return apply_leaks(m);
}

void ms_heap_sel_parse(const char *text, struct ms_heap_sel *sel)
{
	*sel = (struct ms_heap_sel){MS_HEAP_LABEL, 0, text};
	if (!strcmp(text, "start"))
		sel->at = MS_HEAP_START;
	else if (!strcmp(text, "end"))
		sel->at = MS_HEAP_END;
	else if (!strcmp(text, "peak"))
		sel->at = MS_HEAP_PEAK;
	else if (!strcmp(text, "exit"))
		sel->at = MS_HEAP_EXIT;
	else if (*text && strspn(text, "0123456789") == strlen(text) && strlen(text) < 20) {
		sel->at = MS_HEAP_ID;
		sel->id = strtoull(text, NULL, 10);
	}
}

int ms_replay_file_heaps(struct ms_model *m, const char *path)
{
	for (int i = 0; i < 2; i++) {
		if (m->want[i].at != MS_HEAP_PEAK || m->want[i].id)
			continue;
		struct ms_model first;
		ms_model_init(&first);
		first.want[0].at = MS_HEAP_NONE;
		int rc = ms_replay_file(&first, path);
		uint64_t peak = first.summary.peak_bytes;
		ms_model_release(&first);
		if (rc && rc != MS_TRACE_E_CORRUPT)
			return rc;
		for (int k = 0; k < 2; k++)
			if (m->want[k].at == MS_HEAP_PEAK) {
				m->want[k].id = peak;
				if (!peak) /* nothing was ever allocated: the peak is the start */
					m->want[k].at = MS_HEAP_START;
			}
	}
	return ms_replay_file(m, path);
}
