/* Record encoders for the trace (see format.h). Each ms_enc_* writes one
 * record at p and returns the end; the caller guarantees MS_ENC_*_MAX bytes of
 * room. They never allocate, so the runtime calls them on its hot path.
 *
 * A chunk is: ms_enc_chunk() once, then events with the same state. */
#ifndef MS_TRACE_ENCODE_H
#define MS_TRACE_ENCODE_H

#include <string.h>

#include "trace/format.h"
#include "util/varint.h"

struct ms_enc_state {
	uint64_t prev_ts;
	uint64_t prev_addr;
	uint32_t nalloc, nfree; /* the chunk's ALLOC(_REF) and FREE(_REF) records so far */
	uint32_t chunk;         /* chunks started, for tables keyed by chunk (recorder.c) */
};

#define MS_ENC_CHUNK_MAX (1 + 2 * MS_VARINT_MAX)
#define MS_ENC_ALLOC_MAX (1 + 4 * MS_VARINT_MAX)
#define MS_ENC_FREE_MAX (1 + 2 * MS_VARINT_MAX)
#define MS_ENC_REALLOC_MAX (1 + 6 * MS_VARINT_MAX)
#define MS_ENC_THREAD_EXIT_MAX (1 + MS_VARINT_MAX)
#define MS_ENC_MMAP_MAX (1 + 5 * MS_VARINT_MAX)
#define MS_ENC_MUNMAP_MAX (1 + 3 * MS_VARINT_MAX)
#define MS_ENC_MREMAP_MAX (1 + 7 * MS_VARINT_MAX)
/* STACK and THREAD records: use the size functions below. */
static inline size_t ms_enc_stack_max(uint32_t n) { return 1 + (2 + (size_t)n) * MS_VARINT_MAX; }
static inline size_t ms_enc_string_max(size_t len) { return MS_VARINT_MAX + len; }

static inline uint8_t *ms_enc_chunk(uint8_t *p, struct ms_enc_state *st, uint64_t tid, uint64_t base_ts)
{
	*p++ = MS_REC_CHUNK;
	p = ms_put_varint(p, tid);
	p = ms_put_varint(p, base_ts);
	st->prev_ts = base_ts;
	st->prev_addr = 0;
	st->nalloc = st->nfree = 0;
	st->chunk++;
	return p;
}

static inline uint8_t *ms_enc_dts(uint8_t *p, struct ms_enc_state *st, uint64_t ts)
{
	p = ms_put_svarint(p, (int64_t)(ts - st->prev_ts));
	st->prev_ts = ts;
	return p;
}

/* An event's address: a delta from prev_addr, or (back > 0) a reference to
 * the chunk's back-th last record of the other list (FREE_REF, ALLOC_REF). */
static inline uint8_t *ms_enc_event_addr(uint8_t *p, struct ms_enc_state *st, uint64_t addr, uint32_t back)
{
	p = back ? ms_put_varint(p, back) : ms_put_svarint(p, (int64_t)(addr - st->prev_addr));
	st->prev_addr = addr;
	return p;
}

/* The end every allocation record shares: it counts, then size, stack_id. */
static inline uint8_t *ms_enc_alloc_tail(uint8_t *p, struct ms_enc_state *st, uint64_t size, uint64_t stack_id)
{
	st->nalloc++;
	p = ms_put_varint(p, size);
	return ms_put_varint(p, stack_id);
}

/* ALLOC, or with back > 0 an ALLOC_REF: addr is the address of this chunk's
 * back-th last FREE or FREE_REF (the caller knows: back <= st->nfree). */
static inline uint8_t *ms_enc_alloc_ref(uint8_t *p, struct ms_enc_state *st, uint64_t ts, uint32_t back,
                                        uint64_t addr, uint64_t size, uint64_t stack_id)
{
	*p++ = back ? MS_REC_ALLOC_REF : MS_REC_ALLOC;
	p = ms_enc_dts(p, st, ts);
	p = ms_enc_event_addr(p, st, addr, back);
	return ms_enc_alloc_tail(p, st, size, stack_id);
}

/* FREE, or with back > 0 a FREE_REF: addr is the address of this chunk's
 * back-th last ALLOC, ALLOC_REF or ALLOC_TOP (back <= st->nalloc). */
static inline uint8_t *ms_enc_free_ref(uint8_t *p, struct ms_enc_state *st, uint64_t ts, uint32_t back,
                                       uint64_t addr)
{
	*p++ = back ? MS_REC_FREE_REF : MS_REC_FREE;
	p = ms_enc_dts(p, st, ts);
	st->nfree++;
	return ms_enc_event_addr(p, st, addr, back);
}

/* ALLOC_TOP: addr is the top of size's class (the caller pops it). */
static inline uint8_t *ms_enc_alloc_top(uint8_t *p, struct ms_enc_state *st, uint64_t ts, uint64_t addr,
                                        uint64_t size, uint64_t stack_id)
{
	*p++ = MS_REC_ALLOC_TOP;
	p = ms_enc_dts(p, st, ts);
	st->prev_addr = addr;
	return ms_enc_alloc_tail(p, st, size, stack_id);
}

static inline uint8_t *ms_enc_alloc(uint8_t *p, struct ms_enc_state *st, uint64_t ts, uint64_t addr,
                                    uint64_t size, uint64_t stack_id)
{
	return ms_enc_alloc_ref(p, st, ts, 0, addr, size, stack_id);
}

static inline uint8_t *ms_enc_free(uint8_t *p, struct ms_enc_state *st, uint64_t ts, uint64_t addr)
{
	return ms_enc_free_ref(p, st, ts, 0, addr);
}

static inline uint8_t *ms_enc_mmap(uint8_t *p, struct ms_enc_state *st, uint64_t ts, uint64_t addr, uint64_t len,
                                   uint64_t kind, uint64_t stack_id)
{
	*p++ = MS_REC_MMAP;
	p = ms_enc_dts(p, st, ts);
	p = ms_enc_event_addr(p, st, addr, 0);
	p = ms_put_varint(p, len);
	p = ms_put_varint(p, kind);
	return ms_put_varint(p, stack_id);
}

static inline uint8_t *ms_enc_munmap(uint8_t *p, struct ms_enc_state *st, uint64_t ts, uint64_t addr, uint64_t len)
{
	*p++ = MS_REC_MUNMAP;
	p = ms_enc_dts(p, st, ts);
	p = ms_enc_event_addr(p, st, addr, 0);
	return ms_put_varint(p, len);
}

/* The head REALLOC and MREMAP share: tag, both times, both addresses. */
static inline uint8_t *ms_enc_move(uint8_t *p, struct ms_enc_state *st, uint8_t tag, uint64_t ts_before,
                                   uint64_t ts_after, uint64_t old_addr, uint64_t new_addr)
{
	*p++ = tag;
	p = ms_enc_dts(p, st, ts_before);
	p = ms_put_varint(p, ts_after - ts_before);
	st->prev_ts = ts_after;
	p = ms_put_svarint(p, (int64_t)(old_addr - st->prev_addr));
	p = ms_put_svarint(p, (int64_t)(new_addr - old_addr));
	st->prev_addr = new_addr;
	return p;
}

static inline uint8_t *ms_enc_mremap(uint8_t *p, struct ms_enc_state *st, uint64_t ts_before, uint64_t ts_after,
                                     uint64_t old_addr, uint64_t new_addr, uint64_t old_len, uint64_t new_len,
                                     uint64_t stack_id)
{
	p = ms_enc_move(p, st, MS_REC_MREMAP, ts_before, ts_after, old_addr, new_addr);
	p = ms_put_varint(p, old_len);
	p = ms_put_varint(p, new_len);
	return ms_put_varint(p, stack_id);
}

/* free(old) at ts_before, alloc(new, size) at ts_after; old and new non-zero. */
static inline uint8_t *ms_enc_realloc(uint8_t *p, struct ms_enc_state *st, uint64_t ts_before,
                                      uint64_t ts_after, uint64_t old_addr, uint64_t new_addr,
                                      uint64_t size, uint64_t stack_id)
{
	p = ms_enc_move(p, st, MS_REC_REALLOC, ts_before, ts_after, old_addr, new_addr);
	p = ms_put_varint(p, size);
	return ms_put_varint(p, stack_id);
}

static inline uint8_t *ms_enc_stack(uint8_t *p, uint64_t stack_id, const uintptr_t *ips, uint32_t n)
{
	*p++ = MS_REC_STACK;
	p = ms_put_varint(p, stack_id);
	p = ms_put_varint(p, n);
	uint64_t prev = 0;
	for (uint32_t i = 0; i < n; i++) {
		p = ms_put_svarint(p, (int64_t)(ips[i] - prev));
		prev = ips[i];
	}
	return p;
}

static inline uint8_t *ms_enc_string(uint8_t *p, const char *s, size_t len)
{
	p = ms_put_varint(p, len);
	memcpy(p, s, len);
	return p + len;
}

static inline uint8_t *ms_enc_thread(uint8_t *p, struct ms_enc_state *st, uint64_t ts, const char *name,
                                     size_t len)
{
	*p++ = MS_REC_THREAD;
	p = ms_enc_dts(p, st, ts);
	return ms_enc_string(p, name, len);
}

static inline uint8_t *ms_enc_thread_exit(uint8_t *p, struct ms_enc_state *st, uint64_t ts)
{
	*p++ = MS_REC_THREAD_EXIT;
	return ms_enc_dts(p, st, ts);
}

/* Writer records: absolute values. */
static inline uint8_t *ms_enc_round(uint8_t *p, uint64_t watermark)
{
	*p++ = MS_REC_ROUND;
	return ms_put_varint(p, watermark);
}

static inline uint8_t *ms_enc_clock_sync(uint8_t *p, uint64_t ts, uint64_t mono_ns, uint64_t real_ns)
{
	*p++ = MS_REC_CLOCK_SYNC;
	p = ms_put_varint(p, ts);
	p = ms_put_varint(p, mono_ns);
	return ms_put_varint(p, real_ns);
}

static inline uint8_t *ms_enc_counters(uint8_t *p, uint64_t ts, const uint64_t *v, uint32_t n)
{
	*p++ = MS_REC_COUNTERS;
	p = ms_put_varint(p, ts);
	p = ms_put_varint(p, n);
	for (uint32_t i = 0; i < n; i++)
		p = ms_put_varint(p, v[i]);
	return p;
}

struct ms_enc_segment {
	uint64_t vaddr, memsz, flags;
};

/* Room needed: 1 + 6 varints + path + build_id + nseg x 3 varints. */
static inline size_t ms_enc_module_max(size_t path_len, size_t bid_len, uint32_t nseg)
{
	return 1 + (6 + 3 * (size_t)nseg) * MS_VARINT_MAX + path_len + bid_len;
}

static inline uint8_t *ms_enc_module_load(uint8_t *p, uint64_t ts, uint64_t module_id, uint64_t bias,
                                          const char *path, size_t path_len, const uint8_t *bid,
                                          size_t bid_len, const struct ms_enc_segment *seg, uint32_t nseg)
{
	*p++ = MS_REC_MODULE_LOAD;
	p = ms_put_varint(p, ts);
	p = ms_put_varint(p, module_id);
	p = ms_put_varint(p, bias);
	p = ms_enc_string(p, path, path_len);
	p = ms_enc_string(p, (const char *)bid, bid_len);
	p = ms_put_varint(p, nseg);
	for (uint32_t i = 0; i < nseg; i++) {
		p = ms_put_varint(p, seg[i].vaddr);
		p = ms_put_varint(p, seg[i].memsz);
		p = ms_put_varint(p, seg[i].flags);
	}
	return p;
}

static inline uint8_t *ms_enc_module_unload(uint8_t *p, uint64_t ts, uint64_t module_id)
{
	*p++ = MS_REC_MODULE_UNLOAD;
	p = ms_put_varint(p, ts);
	return ms_put_varint(p, module_id);
}

static inline uint8_t *ms_enc_end(uint8_t *p, uint64_t ts, uint64_t reason, uint64_t status, uint64_t peak_rss)
{
	*p++ = MS_REC_END;
	p = ms_put_varint(p, ts);
	p = ms_put_varint(p, reason);
	p = ms_put_varint(p, status);
	return ms_put_varint(p, peak_rss);
}

static inline uint8_t *ms_enc_exec(uint8_t *p, uint64_t ts, const char *path, size_t len)
{
	*p++ = MS_REC_EXEC;
	p = ms_put_varint(p, ts);
	return ms_enc_string(p, path, len);
}

static inline uint8_t *ms_enc_exec_failed(uint8_t *p, uint64_t ts)
{
	*p++ = MS_REC_EXEC_FAILED;
	return ms_put_varint(p, ts);
}

#define MS_ENC_INHERITED_MAX (1 + 3 * MS_VARINT_MAX)
static inline uint8_t *ms_enc_inherited(uint8_t *p, uint64_t allocs, uint64_t frees, uint64_t bytes)
{
	*p++ = MS_REC_INHERITED;
	p = ms_put_varint(p, allocs);
	p = ms_put_varint(p, frees);
	return ms_put_varint(p, bytes);
}

/* PROCESS: s exe, v argc, argc x s arg. Build it with ms_enc_string. */
static inline uint8_t *ms_enc_process_begin(uint8_t *p, const char *exe, size_t len, uint64_t argc)
{
	*p++ = MS_REC_PROCESS;
	p = ms_enc_string(p, exe, len);
	return ms_put_varint(p, argc);
}

#endif
