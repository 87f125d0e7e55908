/* Column frames: see columns.h. One table says where each field of each
 * record goes; the split walks it, moving each field from the records to
 * its stream. The reader (read.c) decodes the streams as they are, in the
 * same order. */
#include "trace/columns.h"

#include <string.h>

#include "trace/format.h"
#include "util/varint.h"

/* The fields of each record, in order: m a varint of MAIN, t of TS, a of
 * ADDR, k of STACK, i of IPS, s a size (SIZE and SIZE_HI), S a string (a
 * varint length, then that many bytes, in MAIN), # a count n in MAIN, then
 * the rest of the fields n times. docs/trace-format.md has the fields. */
static const char *const fields[0x20] = {
	[MS_REC_CHUNK] = "mm",
	[MS_REC_ALLOC] = "task",
	[MS_REC_FREE] = "ta",
	[MS_REC_REALLOC] = "ttaask",
	[MS_REC_STACK] = "m#i",
	[MS_REC_THREAD] = "tS",
	[MS_REC_THREAD_EXIT] = "t",
	[MS_REC_EVENT] = "tmk",
	[MS_REC_MMAP] = "tammk",
	[MS_REC_MUNMAP] = "tam",
	[MS_REC_MREMAP] = "ttaammk",
	[MS_REC_FREE_REF] = "ta",
	[MS_REC_ALLOC_REF] = "task",
	[MS_REC_ALLOC_TOP] = "tsk",
	[MS_REC_CLOCK_SYNC] = "mmm",
	[MS_REC_MODULE_LOAD] = "mmmSS#mmm",
	[MS_REC_MODULE_UNLOAD] = "mm",
	[MS_REC_COUNTERS] = "m#m",
	[MS_REC_ROUND] = "m",
	[MS_REC_PROCESS] = "S#S",
	[MS_REC_END] = "mmmm",
	[MS_REC_EXEC] = "mS",
	[MS_REC_EXEC_FAILED] = "m",
	[MS_REC_SNAPSHOT] = "mmmSmm",
	[MS_REC_SCAN_ROOTS] = "m#mmmmm",
	[MS_REC_SCAN_EDGES] = "m#mmmm",
	[MS_REC_SCAN_TYPES] = "m#mm",
	[MS_REC_SCAN_END] = "mmmmmmmm",
	[MS_REC_INHERITED] = "mmm",
	[MS_REC_SCAN_HEUR] = "m#mmm",
};

/* The split's cursors: it reads one (the records) and writes one per
 * stream, all kept in registers by inlining the walk of the table. */
struct cursors {
	const uint8_t *in, *in_end;     /* the records */
	uint8_t *w[MS_COL_STREAMS];     /* the streams */
};

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* Moves one byte to stream k; -1 at the end of the records. */
ALWAYS_INLINE int move_byte(struct cursors *c, int k, uint8_t *b)
{
	if (c->in == c->in_end)
		return -1;
	*b = *c->in++;
	*c->w[k]++ = *b;
	return 0;
}

/* Moves one varint to stream k, continued in stream k2 after its first
 * byte (k2 == k but for sizes); *v gets its value. */
ALWAYS_INLINE int move_varint(struct cursors *c, int k, int k2, uint64_t *v)
{
	uint8_t b;
	if (move_byte(c, k, &b))
		return -1;
	uint64_t x = b & 0x7f;
	for (unsigned i = 1; b & 0x80; i++) {
		if (i == MS_VARINT_MAX || move_byte(c, k2, &b))
			return -1;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
	}
	*v = x;
	return 0;
}

ALWAYS_INLINE int move_bytes(struct cursors *c, int k, uint64_t n)
{
	if (n > (uint64_t)(c->in_end - c->in))
		return -1;
	memcpy(c->w[k], c->in, (size_t)n);
	c->in += n;
	c->w[k] += n;
	return 0;
}

/* Moves one field: any of the table's letters but '#'. */
ALWAYS_INLINE int move_field(struct cursors *c, char f)
{
	uint64_t v;
	switch (f) {
	case 'm': return move_varint(c, MS_COL_MAIN, MS_COL_MAIN, &v);
	case 't': return move_varint(c, MS_COL_TS, MS_COL_TS, &v);
	case 'a': return move_varint(c, MS_COL_ADDR, MS_COL_ADDR, &v);
	case 'k': return move_varint(c, MS_COL_STACK, MS_COL_STACK, &v);
	case 'i': return move_varint(c, MS_COL_IPS, MS_COL_IPS, &v);
	case 's': return move_varint(c, MS_COL_SIZE, MS_COL_SIZE_HI, &v);
	default: /* 'S' */
		return move_varint(c, MS_COL_MAIN, MS_COL_MAIN, &v) || move_bytes(c, MS_COL_MAIN, v) ? -1 : 0;
	}
}

/* Moves the fields spec names, and after a count the rest of spec that
 * many times; every repetition moves at least one byte, so a bad count
 * ends at the end of the records. */
ALWAYS_INLINE int move_fields(struct cursors *c, const char *spec)
{
	for (; *spec; spec++) {
		if (*spec != '#') {
			if (move_field(c, *spec))
				return -1;
			continue;
		}
		uint64_t n;
		if (move_varint(c, MS_COL_MAIN, MS_COL_MAIN, &n))
			return -1;
		for (uint64_t i = 0; i < n; i++)
			for (const char *f = spec + 1; *f; f++)
				if (move_field(c, *f))
					return -1;
		return 0;
	}
	return 0;
}

/* Moves one record's fields; the commonest records with their fields known
 * at compile time, so that the walk of the table unrolls. */
ALWAYS_INLINE int move_record(struct cursors *c, uint8_t tag)
{
	switch (tag) {
	case MS_REC_ALLOC: return move_fields(c, fields[MS_REC_ALLOC]);
	case MS_REC_FREE: return move_fields(c, fields[MS_REC_FREE]);
	case MS_REC_FREE_REF: return move_fields(c, fields[MS_REC_FREE_REF]);
	case MS_REC_ALLOC_REF: return move_fields(c, fields[MS_REC_ALLOC_REF]);
	case MS_REC_ALLOC_TOP: return move_fields(c, fields[MS_REC_ALLOC_TOP]);
	default: return move_fields(c, fields[tag]);
	}
}

int ms_col_split(struct ms_col_bufs *b, const uint8_t *rec, size_t n)
{
	struct cursors c;
	c.in = rec;
	c.in_end = rec + n;
	for (int k = 0; k < MS_COL_STREAMS; k++)
		c.w[k] = b->s[k] + b->len[k];
	int rc = 0;
	while (c.in != c.in_end) {
		uint8_t tag;
		if (*c.in >= sizeof fields / sizeof fields[0] || !fields[*c.in] || move_byte(&c, MS_COL_MAIN, &tag) ||
		    move_record(&c, tag)) {
			rc = -1;
			break;
		}
	}
	for (int k = 0; k < MS_COL_STREAMS; k++)
		b->len[k] = (size_t)(c.w[k] - b->s[k]);
	return rc;
}

uint8_t *ms_col_directory(uint8_t *out, const size_t len[MS_COL_STREAMS])
{
	out = ms_put_varint(out, MS_COL_STREAMS);
	for (int k = 0; k < MS_COL_STREAMS; k++)
		out = ms_put_varint(out, len[k]);
	return out;
}
