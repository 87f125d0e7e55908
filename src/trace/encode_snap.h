/* Encoders of the snapshot, scan and event records (format.h, MS_REC_EVENT and
 * MS_REC_SNAPSHOT..MS_REC_SCAN_END). Like encode.h: they never allocate and
 * the caller guarantees the room given by the *_MAX constants.
 *
 * SCAN_ROOTS, SCAN_EDGES and SCAN_TYPES are batches: the writer encodes the
 * entries into a scratch area, then the record is head + entries. */
#ifndef MS_TRACE_ENCODE_SNAP_H
#define MS_TRACE_ENCODE_SNAP_H

#include "trace/encode.h"

#define MS_ENC_EVENT_MAX (1 + 3 * MS_VARINT_MAX)
#define MS_ENC_SNAPSHOT_MAX(label_len) (1 + 6 * MS_VARINT_MAX + (label_len))
#define MS_ENC_BATCH_HEAD_MAX (1 + 2 * MS_VARINT_MAX) /* tag, snapshot_id, n */
#define MS_ENC_ROOT_MAX (5 * MS_VARINT_MAX)
#define MS_ENC_EDGE_MAX (4 * MS_VARINT_MAX)
#define MS_ENC_TYPE_MAX (2 * MS_VARINT_MAX)
#define MS_ENC_HEUR_MAX (3 * MS_VARINT_MAX)
#define MS_ENC_SCAN_END_MAX (1 + 8 * MS_VARINT_MAX)

/* Chunk record: memscope_event(weight) at ts with the caller's stack. */
static inline uint8_t *ms_enc_event(uint8_t *p, struct ms_enc_state *st, uint64_t ts, uint64_t weight,
                                    uint64_t stack_id)
{
	*p++ = MS_REC_EVENT;
	p = ms_enc_dts(p, st, ts);
	p = ms_put_varint(p, weight);
	return ms_put_varint(p, stack_id);
}

static inline uint8_t *ms_enc_snapshot(uint8_t *p, uint64_t ts, uint64_t id, uint64_t reason, const char *label,
                                       size_t len, uint64_t live_blocks, uint64_t live_bytes)
{
	*p++ = MS_REC_SNAPSHOT;
	p = ms_put_varint(p, ts);
	p = ms_put_varint(p, id);
	p = ms_put_varint(p, reason);
	p = ms_enc_string(p, label, len);
	p = ms_put_varint(p, live_blocks);
	return ms_put_varint(p, live_bytes);
}

/* Head of a batch record (tag MS_REC_SCAN_ROOTS, _EDGES or _TYPES). */
static inline uint8_t *ms_enc_batch_head(uint8_t *p, uint8_t tag, uint64_t id, uint64_t n)
{
	*p++ = tag;
	p = ms_put_varint(p, id);
	return ms_put_varint(p, n);
}

static inline uint8_t *ms_enc_root(uint8_t *p, uint64_t kind, uint64_t ref, uint64_t where, uint64_t to,
                                   uint64_t to_off)
{
	p = ms_put_varint(p, kind);
	p = ms_put_varint(p, ref);
	p = ms_put_varint(p, where);
	p = ms_put_varint(p, to);
	return ms_put_varint(p, to_off);
}

/* *prev_from: from_addr of the previous edge of this record (0 first). */
static inline uint8_t *ms_enc_edge(uint8_t *p, uint64_t *prev_from, uint64_t from, uint64_t from_off,
                                   uint64_t to, uint64_t to_off)
{
	p = ms_put_svarint(p, (int64_t)(from - *prev_from));
	*prev_from = from;
	p = ms_put_varint(p, from_off);
	p = ms_put_svarint(p, (int64_t)(to - from));
	return ms_put_varint(p, to_off);
}

static inline uint8_t *ms_enc_type(uint8_t *p, uint64_t *prev_addr, uint64_t addr, uint64_t first_word)
{
	p = ms_put_svarint(p, (int64_t)(addr - *prev_addr));
	*prev_addr = addr;
	return ms_put_varint(p, first_word);
}

static inline uint8_t *ms_enc_heur(uint8_t *p, uint64_t *prev_addr, uint64_t addr, uint64_t off, uint64_t kind)
{
	p = ms_put_svarint(p, (int64_t)(addr - *prev_addr));
	*prev_addr = addr;
	p = ms_put_varint(p, off);
	return ms_put_varint(p, kind);
}

/* stop_method: enum ms_stop_method bits; stopped, missed: thread counts. */
static inline uint8_t *ms_enc_scan_end(uint8_t *p, uint64_t id, uint64_t blocks, uint64_t roots, uint64_t edges,
                                       uint64_t duration_ns, uint64_t stop_method, uint64_t stopped,
                                       uint64_t missed)
{
	*p++ = MS_REC_SCAN_END;
	p = ms_put_varint(p, id);
	p = ms_put_varint(p, blocks);
	p = ms_put_varint(p, roots);
	p = ms_put_varint(p, edges);
	p = ms_put_varint(p, duration_ns);
	p = ms_put_varint(p, stop_method);
	p = ms_put_varint(p, stopped);
	return ms_put_varint(p, missed);
}

#endif
