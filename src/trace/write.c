/* Header and frame encoding; see write.h. No allocation, no I/O. */
#include "trace/write.h"

#include <errno.h>
#include <string.h>
#include <zstd.h>

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void ms_trace_header_encode(const struct ms_trace_header *h, uint8_t out[MS_TRACE_HEADER_SIZE])
{
	memset(out, 0, MS_TRACE_HEADER_SIZE);
	memcpy(out, MS_TRACE_MAGIC, 8);
	put_le(out + 8, h->version, 2);
	put_le(out + 10, MS_TRACE_HEADER_SIZE, 2);
	put_le(out + 12, h->e_machine, 2);
	out[14] = h->ptr_size;
	out[15] = h->clock_kind;
	put_le(out + 16, h->pid, 4);
	put_le(out + 20, h->ppid, 4);
	put_le(out + 24, h->start_realtime_ns, 8);
	put_le(out + 32, h->start_ts, 8);
	put_le(out + 40, h->start_mono_ns, 8);
	put_le(out + 48, h->flags, 4);
	put_le(out + 52, h->max_depth, 4);
	put_le(out + 56, h->page_size, 4);
	put_le(out + 60, h->sample_rate, 4);
}

size_t ms_trace_frame_bound(size_t raw_len)
{
	return MS_FRAME_HEADER_SIZE + ZSTD_compressBound(raw_len + MS_COL_DIR_MAX);
}

int ms_trace_cctx_setup(struct ZSTD_CCtx_s *cctx, int level)
{
	if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1)))
		return -EINVAL;
	return 0;
}

long ms_trace_frame_encode(struct ZSTD_CCtx_s *cctx, const void *raw, size_t raw_len, void *out)
{
	if (raw_len > MS_FRAME_MAX_RAW)
		return -EINVAL;
	uint8_t *o = out;
	size_t cap = ZSTD_compressBound(raw_len);
	size_t n = ZSTD_compress2(cctx, o + MS_FRAME_HEADER_SIZE, cap, raw, raw_len);
	if (ZSTD_isError(n) || n > MS_FRAME_MAX_COMPRESSED)
		return -EIO;
	put_le(o, n, 4);
	put_le(o + 4, raw_len, 4);
	return (long)(MS_FRAME_HEADER_SIZE + n);
}

/* Feeds [p, p + n) to the frame being compressed into ob. */
static int compress_part(struct ZSTD_CCtx_s *cctx, ZSTD_outBuffer *ob, const void *p, size_t n)
{
	ZSTD_inBuffer ib = {p, n, 0};
	while (ib.pos < ib.size) {
		size_t r = ZSTD_compressStream2(cctx, ob, &ib, ZSTD_e_continue);
		if (ZSTD_isError(r) || (ob->pos == ob->size && ib.pos < ib.size))
			return -1;
	}
	return 0;
}

/* The directory and the streams are compressed as one zstd frame without
 * being copied together first: the runtime's writer keeps its streams in
 * buffers of their own. */
long ms_trace_frame_encode_cols(struct ZSTD_CCtx_s *cctx, const struct ms_col_bufs *b, void *out)
{
	uint8_t dir[MS_COL_DIR_MAX];
	size_t dlen = (size_t)(ms_col_directory(dir, b->len) - dir), total = dlen + ms_col_total(b);
	if (total > MS_FRAME_MAX_RAW)
		return -EINVAL;
	uint8_t *o = out;
	ZSTD_outBuffer ob = {o + MS_FRAME_HEADER_SIZE, ZSTD_compressBound(total), 0};
	if (ZSTD_isError(ZSTD_CCtx_reset(cctx, ZSTD_reset_session_only)) ||
	    ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(cctx, total)) || compress_part(cctx, &ob, dir, dlen))
		return -EIO;
	for (int k = 0; k < MS_COL_STREAMS; k++)
		if (compress_part(cctx, &ob, b->s[k], b->len[k]))
			return -EIO;
	ZSTD_inBuffer none = {NULL, 0, 0};
	size_t left;
	do {
		left = ZSTD_compressStream2(cctx, &ob, &none, ZSTD_e_end);
		if (ZSTD_isError(left) || (left && ob.pos == ob.size))
			return -EIO;
	} while (left);
	if (ob.pos > MS_FRAME_MAX_COMPRESSED)
		return -EIO;
	put_le(o, ob.pos, 4);
	put_le(o + 4, total, 4);
	return (long)(MS_FRAME_HEADER_SIZE + ob.pos);
}

long ms_trace_frame_encode_split(struct ZSTD_CCtx_s *cctx, const void *raw, size_t raw_len,
                                 struct ms_col_bufs *scratch, void *out)
{
	if (raw_len > MS_FRAME_MAX_RAW)
		return -EINVAL;
	ms_col_clear(scratch);
	if (ms_col_split(scratch, raw, raw_len))
		return -EINVAL;
	return ms_trace_frame_encode_cols(cctx, scratch, out);
}
