/* Encoders for the snapshot and scan records (format.h), for synthetic
 * traces in the leak tests; they follow tracegen.h's conventions. */
#ifndef MS_TEST_SCANGEN_H
#define MS_TEST_SCANGEN_H

#include "tracegen.h"
#include "util/varint.h"

static inline void tg_snapshot(struct tg *t, uint64_t ts, uint64_t id, uint64_t reason, const char *label,
                               uint64_t blocks, uint64_t bytes)
{
	uint8_t *p = tg_room(t, 8 * MS_VARINT_MAX + strlen(label));
	*p++ = MS_REC_SNAPSHOT;
	p = ms_put_varint(p, ts);
	p = ms_put_varint(p, id);
	p = ms_put_varint(p, reason);
	p = ms_enc_string(p, label, strlen(label));
	p = ms_put_varint(p, blocks);
	tg_done(t, ms_put_varint(p, bytes));
}

/* roots: n x (kind, ref, where, target_addr, target_off) */
static inline void tg_roots(struct tg *t, uint64_t id, const uint64_t *v, uint32_t n)
{
	uint8_t *p = tg_room(t, (3 + 5 * (size_t)n) * MS_VARINT_MAX);
	*p++ = MS_REC_SCAN_ROOTS;
	p = ms_put_varint(p, id);
	p = ms_put_varint(p, n);
	for (uint32_t i = 0; i < 5 * n; i++)
		p = ms_put_varint(p, v[i]);
	tg_done(t, p);
}

/* edges: n x (from_addr, from_off, to_addr, to_off), absolute */
static inline void tg_edges(struct tg *t, uint64_t id, const uint64_t *v, uint32_t n)
{
	uint8_t *p = tg_room(t, (3 + 4 * (size_t)n) * MS_VARINT_MAX);
	*p++ = MS_REC_SCAN_EDGES;
	p = ms_put_varint(p, id);
	p = ms_put_varint(p, n);
	uint64_t prev = 0;
	for (uint32_t i = 0; i < n; i++, v += 4) {
		p = ms_put_svarint(p, (int64_t)(v[0] - prev));
		prev = v[0];
		p = ms_put_varint(p, v[1]);
		p = ms_put_svarint(p, (int64_t)(v[2] - v[0]));
		p = ms_put_varint(p, v[3]);
	}
	tg_done(t, p);
}

/* types: n x (addr, first_word) */
static inline void tg_types(struct tg *t, uint64_t id, const uint64_t *v, uint32_t n)
{
	uint8_t *p = tg_room(t, (3 + 2 * (size_t)n) * MS_VARINT_MAX);
	*p++ = MS_REC_SCAN_TYPES;
	p = ms_put_varint(p, id);
	p = ms_put_varint(p, n);
	uint64_t prev = 0;
	for (uint32_t i = 0; i < n; i++, v += 2) {
		p = ms_put_svarint(p, (int64_t)(v[0] - prev));
		prev = v[0];
		p = ms_put_varint(p, v[1]);
	}
	tg_done(t, p);
}

static inline void tg_scan_end(struct tg *t, uint64_t id, uint64_t blocks, uint64_t roots, uint64_t edges)
{
	uint8_t *p = tg_room(t, 9 * MS_VARINT_MAX);
	*p++ = MS_REC_SCAN_END;
	p = ms_put_varint(p, id);
	p = ms_put_varint(p, blocks);
	p = ms_put_varint(p, roots);
	p = ms_put_varint(p, edges);
	p = ms_put_varint(p, 1000);
	p = ms_put_varint(p, MS_STOP_PTRACE);
	p = ms_put_varint(p, 1);
	tg_done(t, ms_put_varint(p, 0));
}

/* a chunk record: inside a chunk */
static inline void tg_event(struct tg *t, uint64_t ts, uint64_t weight, uint64_t stack)
{
	uint8_t *p = tg_room(t, 4 * MS_VARINT_MAX);
	*p++ = MS_REC_EVENT;
	p = ms_enc_dts(p, &t->st, ts);
	p = ms_put_varint(p, weight);
	tg_done(t, ms_put_varint(p, stack));
}

#endif
