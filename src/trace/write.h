/* Writing a trace file: the header and zstd frames. Used by the runtime's
 * writer thread and by tools that generate traces (tests, bench). Nothing
 * here calls malloc: the caller owns the compression context and buffers.
 *
 * Steps:
 *  1. ms_trace_header_encode() into 64 bytes, write them at offset 0;
 *  2. for each batch of whole records: ms_trace_frame_encode() into a
 *     buffer of ms_trace_frame_bound(raw_len) bytes, then write it out. */
#ifndef MS_TRACE_WRITE_H
#define MS_TRACE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "trace/format.h"

struct ZSTD_CCtx_s;

void ms_trace_header_encode(const struct ms_trace_header *h, uint8_t out[MS_TRACE_HEADER_SIZE]);

/* Bytes needed to hold the frame of raw_len bytes of records. */
size_t ms_trace_frame_bound(size_t raw_len);

/* Sets the options every trace frame uses (checksum on, level). Returns 0 or
 * a negative errno-style code. */
int ms_trace_cctx_setup(struct ZSTD_CCtx_s *cctx, int level);

/* Compresses raw[0..raw_len) into out (ms_trace_frame_bound(raw_len) bytes)
 * as one frame with its 8-byte frame header. Returns the frame's total size,
 * or a negative code (-EINVAL if raw_len > MS_FRAME_MAX_RAW, -EIO if zstd
 * failed). */
long ms_trace_frame_encode(struct ZSTD_CCtx_s *cctx, const void *raw, size_t raw_len, void *out);

#endif
