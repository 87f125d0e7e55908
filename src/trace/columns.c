/* Column frames: see columns.h. One table says where each field of each
 * record goes; the split and the join walk it the same way, moving each
 * field from a source to a destination: the split from the records to the
 * field's stream, the join from the field's stream to the records. */
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

struct src {
	const uint8_t *p, *e;
};

/* Where each stream's bytes come from and go to: in a split every source is
 * the records, in a join every destination is. */
struct mover {
	struct src *from[MS_COL_STREAMS];
	uint8_t **to[MS_COL_STREAMS];
};

static int stream_of(char f)
{
	switch (f) {
	case 'm': return MS_COL_MAIN;
	case 't': return MS_COL_TS;
	case 'a': return MS_COL_ADDR;
	case 'k': return MS_COL_STACK;
	case 'i': return MS_COL_IPS;
	default: return -1;
	}
}

/* Moves one varint of stream k, continued in stream k2 after its first
 * byte (k2 == k but for sizes); *v gets its value. */
static int move_varint(struct mover *m, int k, int k2, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned i = 0; i < MS_VARINT_MAX; i++) {
		int s = i ? k2 : k;
		struct src *f = m->from[s];
		if (f->p == f->e)
			return -1;
		uint8_t c = *f->p++;
		*(*m->to[s])++ = c;
		x |= (uint64_t)(c & 0x7f) << (7 * i);
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

static int move_bytes(struct mover *m, int k, uint64_t n)
{
	struct src *f = m->from[k];
	if (n > (uint64_t)(f->e - f->p))
		return -1;
	memcpy(*m->to[k], f->p, (size_t)n);
	f->p += n;
	*m->to[k] += n;
	return 0;
}

/* Moves the fields spec names, and for a count the rest of spec that many
 * times; every repetition moves at least one byte, so a bad count ends at
 * the end of a stream. */
static int move_fields(struct mover *m, const char *spec)
{
	uint64_t v;
	for (; *spec; spec++) {
		int k = stream_of(*spec);
		if (k >= 0) {
			if (move_varint(m, k, k, &v))
				return -1;
		} else if (*spec == 's') {
			if (move_varint(m, MS_COL_SIZE, MS_COL_SIZE_HI, &v))
				return -1;
		} else if (*spec == 'S') {
			if (move_varint(m, MS_COL_MAIN, MS_COL_MAIN, &v) || move_bytes(m, MS_COL_MAIN, v))
				return -1;
		} else { /* '#' */
			if (move_varint(m, MS_COL_MAIN, MS_COL_MAIN, &v))
				return -1;
			for (uint64_t i = 0; i < v; i++)
				if (move_fields(m, spec + 1))
					return -1;
			return 0;
		}
	}
	return 0;
}

/* Moves records until the source of MAIN (the records, or MAIN) ends. */
static int move_records(struct mover *m)
{
	struct src *tags = m->from[MS_COL_MAIN];
	while (tags->p < tags->e) {
		uint8_t tag = *tags->p;
		if (tag >= sizeof fields / sizeof fields[0] || !fields[tag])
			return -1;
		if (move_bytes(m, MS_COL_MAIN, 1) || move_fields(m, fields[tag]))
			return -1;
	}
	return 0;
}

int ms_col_split(struct ms_col_bufs *b, const uint8_t *rec, size_t n)
{
	struct src in = {rec, rec + n};
	uint8_t *w[MS_COL_STREAMS];
	struct mover m;
	for (int k = 0; k < MS_COL_STREAMS; k++) {
		w[k] = b->s[k] + b->len[k];
		m.from[k] = &in;
		m.to[k] = &w[k];
	}
	int rc = move_records(&m);
	for (int k = 0; k < MS_COL_STREAMS; k++)
		b->len[k] = (size_t)(w[k] - b->s[k]);
	return rc;
}

uint8_t *ms_col_directory(uint8_t *out, const size_t len[MS_COL_STREAMS])
{
	out = ms_put_varint(out, MS_COL_STREAMS);
	for (int k = 0; k < MS_COL_STREAMS; k++)
		out = ms_put_varint(out, len[k]);
	return out;
}

long ms_col_join(const uint8_t *p, size_t n, uint8_t *out)
{
	const uint8_t *e = p + n;
	uint64_t ns, len[MS_COL_STREAMS];
	struct src s[MS_COL_STREAMS];
	if (!(p = ms_get_varint(p, e, &ns)) || ns != MS_COL_STREAMS)
		return -1;
	for (int k = 0; k < MS_COL_STREAMS; k++)
		if (!(p = ms_get_varint(p, e, &len[k])))
			return -1;
	for (int k = 0; k < MS_COL_STREAMS; k++) {
		if (len[k] > (uint64_t)(e - p))
			return -1;
		s[k].p = p;
		s[k].e = p += len[k];
	}
	if (p != e)
		return -1;
	uint8_t *w = out;
	struct mover m;
	for (int k = 0; k < MS_COL_STREAMS; k++) {
		m.from[k] = &s[k];
		m.to[k] = &w;
	}
	if (move_records(&m))
		return -1;
	for (int k = 0; k < MS_COL_STREAMS; k++)
		if (s[k].p != s[k].e)
			return -1;
	return (long)(w - out);
}
