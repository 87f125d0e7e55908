/* Writing a trace file: the header and zstd frames. Used by the runtime's
 * writer thread and by tools that generate traces (tests, bench). Nothing
 * here calls malloc: the caller owns the compression context and buffers.
 *
 * Steps:
 *  1. ms_trace_header_encode() into 64 bytes, write them at offset 0;
 *  2. for each batch of whole records: ms_trace_frame_encode_split() (or
 *     ms_trace_frame_encode_cols() for records already split) into a buffer
 *     of ms_trace_frame_bound(raw_len) bytes, then write it out.
 * ms_trace_frame_encode() writes the frames of versions before 5, whose
 * payload is the records themselves (tests make such traces). */
#ifndef MS_TRACE_WRITE_H
#define MS_TRACE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "trace/columns.h"
#include "trace/format.h"

struct ZSTD_CCtx_s;

void ms_trace_header_encode(const struct ms_trace_header *h, uint8_t out[MS_TRACE_HEADER_SIZE]);

/* Bytes needed to hold the frame of raw_len bytes of records (either form). */
size_t ms_trace_frame_bound(size_t raw_len);

/* Sets the options every trace frame uses (checksum on, level). Returns 0 or
 * a negative errno-style code. */
int ms_trace_cctx_setup(struct ZSTD_CCtx_s *cctx, int level);

/* Compresses raw[0..raw_len) into out (ms_trace_frame_bound(raw_len) bytes)
 * as one frame with its 8-byte frame header. Returns the frame's total size,
 * or a negative code (-EINVAL if raw_len > MS_FRAME_MAX_RAW, -EIO if zstd
 * failed). */
long ms_trace_frame_encode(struct ZSTD_CCtx_s *cctx, const void *raw, size_t raw_len, void *out);

/* The frame (version 5: columns.h) of the records split into b. Returns as
 * ms_trace_frame_encode. */
long ms_trace_frame_encode_cols(struct ZSTD_CCtx_s *cctx, const struct ms_col_bufs *b, void *out);

/* Splits raw[0..raw_len) into scratch (every stream with room for raw_len
 * bytes; its lengths are reset first), then ms_trace_frame_encode_cols.
 * -EINVAL also when raw is not whole records. */
long ms_trace_frame_encode_split(struct ZSTD_CCtx_s *cctx, const void *raw, size_t raw_len,
                                 struct ms_col_bufs *scratch, void *out);

#endif
