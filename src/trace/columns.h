/* Column frames (format version 5): a frame's records, as the runtime
 * encodes them one after the other, are split by field into streams before
 * they are compressed.
 *
 * Why: a record mixes fields of very different statistics (a tag of a few
 * values, a time delta that is mostly 0, a size of 9 random bits, a stack id
 * of a few values). zstd codes literals with one Huffman table per block, so
 * in a row every byte pays for the mix. Split, each stream is coded with its
 * own statistics and repeats within it become long matches: churn's trace
 * went from 1.65 to 1.30 bytes per event (docs/trace-format.md).
 *
 * The payload of a version 5 frame is: v n (MS_COL_STREAMS), n x v the
 * length of each stream, then the streams in order. Stream MS_COL_MAIN holds
 * every tag and every field not named below, in record order; the others
 * hold, in record order, the fields of chunk records: time deltas, addresses
 * (deltas and references), sizes (the first byte of the varint in SIZE, the
 * bytes after it in SIZE_HI), stack ids, and STACK records' return
 * addresses. The reader decodes a record's fields from their streams in
 * record order (trace/read.c), so the streams are never joined back.
 *
 * No allocation: the runtime calls ms_col_split on its writer thread. */
#ifndef MS_TRACE_COLUMNS_H
#define MS_TRACE_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

enum ms_col_stream {
	MS_COL_MAIN,
	MS_COL_TS,
	MS_COL_ADDR,
	MS_COL_SIZE,
	MS_COL_SIZE_HI,
	MS_COL_STACK,
	MS_COL_IPS, /* STACK records' return addresses */
	MS_COL_STREAMS
};

/* The directory at the start of a payload: at most this many bytes. */
#define MS_COL_DIR_MAX (1 + MS_COL_STREAMS * 10)

struct ms_col_bufs {
	uint8_t *s[MS_COL_STREAMS]; /* each with room for what is split into it */
	size_t len[MS_COL_STREAMS];
};

/* Bytes held in b's streams: the records split into it. */
static inline size_t ms_col_total(const struct ms_col_bufs *b)
{
	size_t t = 0;
	for (int k = 0; k < MS_COL_STREAMS; k++)
		t += b->len[k];
	return t;
}

static inline void ms_col_clear(struct ms_col_bufs *b)
{
	for (int k = 0; k < MS_COL_STREAMS; k++)
		b->len[k] = 0;
}

/* Appends the fields of the whole records in [rec, rec + n) to b's streams.
 * Each stream needs room for n more bytes at most. Returns 0, or -1 when the
 * bytes are not whole records of a known tag (b is then partly appended). */
int ms_col_split(struct ms_col_bufs *b, const uint8_t *rec, size_t n);

/* Writes the directory of streams of lengths len[] at out; returns its end. */
uint8_t *ms_col_directory(uint8_t *out, const size_t len[MS_COL_STREAMS]);

#endif
