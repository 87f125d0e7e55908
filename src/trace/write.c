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

size_t ms_trace_frame_bound(size_t raw_len) { return MS_FRAME_HEADER_SIZE + ZSTD_compressBound(raw_len); }

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
