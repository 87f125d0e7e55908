/* A test helper that writes trace files with the real encoders (encode.h,
 * write.c): records go into a raw buffer, tg_frame() compresses them into
 * one frame. Header-only; aborts on I/O errors (tests only). */
#ifndef MS_TEST_TRACEGEN_H
#define MS_TEST_TRACEGEN_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "trace/encode.h"
#include "trace/write.h"

struct tg {
	FILE *f;
	ZSTD_CCtx *cctx;
	uint8_t *raw;
	size_t len, cap;
	uint8_t *out;
	size_t outcap;
	struct ms_enc_state st;
	unsigned frames;
	bool columns; /* frames split into streams (version 5 on); false: the payload as written */
};

static inline struct ms_trace_header tg_header(void)
{
	struct ms_trace_header h = {0};
	memcpy(h.magic, MS_TRACE_MAGIC, 8);
	h.version = MS_TRACE_VERSION;
	h.header_size = MS_TRACE_HEADER_SIZE;
	h.e_machine = 62;
	h.ptr_size = 8;
	h.clock_kind = MS_CLOCK_MONOTONIC_NS;
	h.pid = 4242;
	h.ppid = 1;
	h.start_ts = 1000;
	h.start_mono_ns = 1000;
	h.max_depth = 64;
	h.page_size = 4096;
	return h;
}

static inline void tg_open(struct tg *t, const char *path, const struct ms_trace_header *h)
{
	memset(t, 0, sizeof(*t));
	t->f = fopen(path, "wb");
	t->cctx = ZSTD_createCCtx();
	if (!t->f || !t->cctx || ms_trace_cctx_setup(t->cctx, 1))
		abort();
	t->columns = h->version >= 5;
	uint8_t b[MS_TRACE_HEADER_SIZE];
	ms_trace_header_encode(h, b);
	fwrite(b, 1, sizeof(b), t->f);
}

/* Room for n more bytes of records; returns where to write. */
static inline uint8_t *tg_room(struct tg *t, size_t n)
{
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2;
		t->raw = realloc(t->raw, t->cap);
		if (!t->raw)
			abort();
	}
	return t->raw + t->len;
}

static inline void tg_done(struct tg *t, uint8_t *end) { t->len = (size_t)(end - t->raw); }

/* Compresses the buffered records into one frame and writes it. */
static inline void tg_frame(struct tg *t)
{
	size_t need = ms_trace_frame_bound(t->len);
	if (need > t->outcap) {
		t->outcap = need;
		t->out = realloc(t->out, need);
	}
	long n;
	if (t->columns) {
		struct ms_col_bufs scratch;
		for (int k = 0; k < MS_COL_STREAMS; k++)
			if (!(scratch.s[k] = malloc(t->len + 1)))
				abort();
		n = ms_trace_frame_encode_split(t->cctx, t->raw, t->len, &scratch, t->out);
		for (int k = 0; k < MS_COL_STREAMS; k++)
			free(scratch.s[k]);
	} else {
		n = ms_trace_frame_encode(t->cctx, t->raw, t->len, t->out);
	}
	if (n < 0 || fwrite(t->out, 1, (size_t)n, t->f) != (size_t)n)
		abort();
	t->len = 0;
	t->frames++;
}

static inline void tg_close(struct tg *t)
{
	if (t->len)
		tg_frame(t);
	fclose(t->f);
	ZSTD_freeCCtx(t->cctx);
	free(t->raw);
	free(t->out);
}

/* Shorthands for chunk events (one record each). */
static inline void tg_chunk(struct tg *t, uint64_t tid, uint64_t ts)
{
	tg_done(t, ms_enc_chunk(tg_room(t, MS_ENC_CHUNK_MAX), &t->st, tid, ts));
}
static inline void tg_alloc(struct tg *t, uint64_t ts, uint64_t addr, uint64_t size, uint64_t stack)
{
	tg_done(t, ms_enc_alloc(tg_room(t, MS_ENC_ALLOC_MAX), &t->st, ts, addr, size, stack));
}
static inline void tg_free(struct tg *t, uint64_t ts, uint64_t addr)
{
	tg_done(t, ms_enc_free(tg_room(t, MS_ENC_FREE_MAX), &t->st, ts, addr));
}
static inline void tg_realloc(struct tg *t, uint64_t ts, uint64_t ts2, uint64_t old, uint64_t nw, uint64_t size,
                              uint64_t stack)
{
	tg_done(t, ms_enc_realloc(tg_room(t, MS_ENC_REALLOC_MAX), &t->st, ts, ts2, old, nw, size, stack));
}
static inline void tg_round(struct tg *t, uint64_t w)
{
	tg_done(t, ms_enc_round(tg_room(t, MS_VARINT_MAX + 1), w));
}
static inline void tg_stack(struct tg *t, uint64_t id, const uintptr_t *ips, uint32_t n)
{
	tg_done(t, ms_enc_stack(tg_room(t, ms_enc_stack_max(n)), id, ips, n));
}
static inline void tg_thread(struct tg *t, uint64_t ts, const char *name)
{
	tg_done(t, ms_enc_thread(tg_room(t, 1 + MS_VARINT_MAX + ms_enc_string_max(strlen(name))), &t->st, ts, name,
	                         strlen(name)));
}
static inline void tg_end(struct tg *t, uint64_t ts, uint64_t reason, uint64_t status, uint64_t rss)
{
	tg_done(t, ms_enc_end(tg_room(t, 1 + 4 * MS_VARINT_MAX), ts, reason, status, rss));
}

static inline long tg_file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fclose(f);
	return n;
}

#endif
