/* The trace reader; see read.h. Invariant: every allocation is bounded by
 * format.h's frame limits or by the small caps below, never by a raw length
 * field. */
#include "trace/read.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zstd.h>

#include "trace/columns.h"
#include "util/varint.h"

static void start_producer(struct ms_trace_reader *r);
static void stop_producer(struct ms_trace_reader *r);

/* Caps on counts inside one record, far above what a writer produces. */
#define MAX_SEGMENTS 1024u
#define MAX_COUNTERS 256u
#define MAX_ARGC (1u << 20)

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}


void ms_trace_reader_init(struct ms_trace_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->cur = -1;
}

void ms_trace_reader_release(struct ms_trace_reader *r)
{
	stop_producer(r);
	if (r->f)
		fclose(r->f);
	ZSTD_freeDCtx(r->dctx);
	free(r->cbuf);
	free(r->frame);
	for (int i = 0; i < MS_READ_SLOTS; i++) {
		struct ms_frame_slot *s = &r->slots[i];
		free(s->recs);
		free(s->full);
		free(s->vals);
		free(s->argv);
		free(s->strs);
	}
	free(r->dec.chunk_addr[0]);
	free(r->dec.chunk_addr[1]);
	free(r->dec.chunk_cls);
	ms_trace_reader_init(r);
}

int ms_trace_header_decode(const uint8_t *b, size_t len, struct ms_trace_header *h)
{
	memset(h, 0, sizeof(*h));
	if (len < 8 || memcmp(b, MS_TRACE_MAGIC, 8))
		return MS_TRACE_E_FOREIGN;
	memcpy(h->magic, b, 8);
	if (len < 12)
		return MS_TRACE_E_HEADER;
	h->version = (uint16_t)get_le(b + 8, 2);
	h->header_size = (uint16_t)get_le(b + 10, 2);
	if (h->version > MS_TRACE_VERSION)
		return MS_TRACE_E_VERSION;
	if (h->version == 0 || len < MS_TRACE_HEADER_SIZE || h->header_size != MS_TRACE_HEADER_SIZE)
		return MS_TRACE_E_HEADER;
	h->e_machine = (uint16_t)get_le(b + 12, 2);
	h->ptr_size = b[14];
	h->clock_kind = b[15];
	h->pid = (uint32_t)get_le(b + 16, 4);
	h->ppid = (uint32_t)get_le(b + 20, 4);
	h->start_realtime_ns = get_le(b + 24, 8);
	h->start_ts = get_le(b + 32, 8);
	h->start_mono_ns = get_le(b + 40, 8);
	h->flags = (uint32_t)get_le(b + 48, 4);
	h->max_depth = (uint32_t)get_le(b + 52, 4);
	h->page_size = (uint32_t)get_le(b + 56, 4);
	h->sample_rate = (uint32_t)get_le(b + 60, 4);
	if (h->ptr_size != 8 && h->ptr_size != 4)
		return MS_TRACE_E_HEADER;
	if (h->clock_kind != MS_CLOCK_MONOTONIC_NS && h->clock_kind != MS_CLOCK_TSC)
		return MS_TRACE_E_HEADER;
	if ((MS_HOST_MACHINE && h->e_machine != MS_HOST_MACHINE) || h->ptr_size != sizeof(void *))
		return MS_TRACE_E_ARCH;
	return 0;
}

static int open_file(struct ms_trace_reader *r, const char *path);

int ms_trace_reader_open(struct ms_trace_reader *r, const char *path)
{
	ms_trace_reader_release(r);
	return open_file(r, path);
}

int ms_trace_reader_open_follow(struct ms_trace_reader *r, const char *path, int (*follow)(void *ctx), void *ctx)
{
	ms_trace_reader_release(r);
	r->follow = follow;
	r->follow_ctx = ctx;
	return open_file(r, path);
}

static int open_file(struct ms_trace_reader *r, const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	r->f = fopen(path, "rb");
	if (!r->f)
		return -errno;
	if (fstat(fileno(r->f), &st))
		return -errno;
	r->file_size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX;
	uint8_t b[MS_TRACE_HEADER_SIZE];
	size_t n = fread(b, 1, sizeof(b), r->f);
	if (n == 0)
		return ferror(r->f) ? -EIO : MS_TRACE_E_EMPTY;
	int rc = ms_trace_header_decode(b, n, &r->hdr);
	if (rc)
		return rc;
	r->offset = r->prod_offset = MS_TRACE_HEADER_SIZE;
	r->dctx = ZSTD_createDCtx();
	if (!r->dctx)
		return -ENOMEM;
	/* A follower reads a trace while the program runs, and a thread of its
	 * own would compete with the program for the cores; decoded in the
	 * follower's thread, a frame is also held once, not twice. */
	if (!r->follow)
		start_producer(r);
	return 0;
}

/* Makes *arr (elements of elem bytes, capacity *cap) hold at least need:
 * the capacity doubles, starting at first. 0, or -ENOMEM with *arr and *cap
 * unchanged. The reader's one way to grow (analysis/array.h is the
 * analysis's, a layer above). */
static int reserve(void *arr, size_t *cap, size_t elem, size_t need, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : first;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		c *= 2;
	}
	void *n = realloc(*(void **)arr, c * elem);
	if (!n)
		return -ENOMEM;
	*(void **)arr = n;
	*cap = c;
	return 0;
}

static int corrupt(struct ms_trace_reader *r)
{
	r->error = MS_TRACE_E_CORRUPT;
	r->eof = true;
	return r->error;
}

static int start_frame(struct ms_trace_reader *r, const uint8_t *p, size_t n);

/* The producer's half: reads and decompresses the next frame into r->frame
 * and sets the cursors at its records (r->in_frame). Returns 1 (s->bad set
 * when the frame's streams are not valid), 0 at the end of the file
 * (s->truncated set if it ends inside a frame), MS_TRACE_E_CORRUPT, -EIO or
 * -ENOMEM. Touches only the producer's fields (f, dctx, cbuf, prod_offset,
 * file_size, follow, dec, frame, in_frame, cur_frame) and s. */
static int read_frame(struct ms_trace_reader *r, struct ms_frame_slot *s)
{
	uint8_t fh[MS_FRAME_HEADER_SIZE];
	size_t n = fread(fh, 1, sizeof(fh), r->f);
	s->truncated = false;
	if (n < sizeof(fh)) {
		if (ferror(r->f))
			return -EIO;
		s->truncated = n > 0;
		return 0;
	}
	uint32_t csize = (uint32_t)get_le(fh, 4), rsize = (uint32_t)get_le(fh + 4, 4);
	if (csize == 0 || csize > MS_FRAME_MAX_COMPRESSED || rsize > MS_FRAME_MAX_RAW)
		return MS_TRACE_E_CORRUPT;
	/* A frame that claims more bytes than the file has left is a cut frame:
	 * check before allocating so a bogus length costs nothing. */
	if (r->file_size != UINT64_MAX && r->prod_offset + MS_FRAME_HEADER_SIZE + csize > r->file_size) {
		s->truncated = true;
		return 0;
	}
	if (reserve(&r->cbuf, &r->ccap, 1, csize, 64 * 1024) || reserve(&r->frame, &r->frame_cap, 1, rsize ? rsize : 1, 64 * 1024))
		return -ENOMEM;
	n = fread(r->cbuf, 1, csize, r->f);
	if (n < csize) {
		if (ferror(r->f))
			return -EIO;
		s->truncated = true;
		return 0;
	}
	/* one standard zstd frame (magic 0xFD2FB528) whose descriptor has the
	 * content-checksum bit (bit 2), filling the frame exactly */
	if (csize < 6 || get_le(r->cbuf, 4) != 0xFD2FB528u || !(r->cbuf[4] & 0x04) ||
	    ZSTD_findFrameCompressedSize(r->cbuf, csize) != csize)
		return MS_TRACE_E_CORRUPT;
	size_t got = ZSTD_decompressDCtx(r->dctx, r->frame, rsize, r->cbuf, csize);
	if (ZSTD_isError(got) || got != rsize)
		return MS_TRACE_E_CORRUPT;
	r->prod_offset += MS_FRAME_HEADER_SIZE + csize;
	s->bad = start_frame(r, r->frame, rsize);
	return 1;
}

static bool stopping(struct ms_trace_reader *r)
{
	if (!r->threaded)
		return false;
	pthread_mutex_lock(&r->mu);
	bool stop = r->stop;
	pthread_mutex_unlock(&r->mu);
	return stop;
}

/* read_frame, waiting at the end of the file in follow mode: the writer
 * appends whole frames, but a reader may see one half written. The wait
 * doubles from 1 to 16 ms while nothing comes: a quiet program costs ~60
 * wake-ups a second, and its end is seen within 16 ms. */
static int produce(struct ms_trace_reader *r, struct ms_frame_slot *s)
{
	long wait_ns = 1000000;
	for (;;) {
		int rc = read_frame(r, s);
		if (rc != 0 || !r->follow)
			return rc;
		if (!r->follow(r->follow_ctx))
			r->follow = NULL; /* the writer is gone: one last read of what is there */
		else if (stopping(r))
			return 0;
		else {
			nanosleep(&(struct timespec){0, wait_ns}, NULL);
			if (wait_ns < 16000000)
				wait_ns *= 2;
		}
		struct stat st;
		if (fseek(r->f, (long)r->prod_offset, SEEK_SET) || fstat(fileno(r->f), &st))
			return -EIO;
		clearerr(r->f);
		r->file_size = (uint64_t)st.st_size;
	}
}

static int produce_batch(struct ms_trace_reader *r, struct ms_frame_slot *s);

/* The producer thread: fills the slots in turn, each once the consumer has
 * handed it back, until the end, an error, or stop. */
static void *producer_main(void *arg)
{
	struct ms_trace_reader *r = arg;
	for (int i = 0;; i = (i + 1) % MS_READ_SLOTS) {
		struct ms_frame_slot *s = &r->slots[i];
		pthread_mutex_lock(&r->mu);
		while (s->ready && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		bool stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
		int rc = produce_batch(r, s);
		pthread_mutex_lock(&r->mu);
		s->result = rc;
		s->ready = true;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (rc != 1 || s->bad)
			break;
	}
	return NULL;
}

/* Starts decoding ahead in a thread of its own: the replay, and the
 * decompression and decoding, then use both cores. Without a thread,
 * batches are decoded on demand, into the first slot. */
static void start_producer(struct ms_trace_reader *r)
{
	if (pthread_mutex_init(&r->mu, NULL))
		return;
	if (pthread_cond_init(&r->cv, NULL)) {
		pthread_mutex_destroy(&r->mu);
		return;
	}
	if (pthread_create(&r->thread, NULL, producer_main, r)) {
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
		return;
	}
	r->threaded = true;
}

static void stop_producer(struct ms_trace_reader *r)
{
	if (!r->threaded)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	r->threaded = false;
}

/* Moves to the next batch. Returns 1 when one is ready, 0 at the end
 * (r->truncated set if the file ends inside a frame), or an error. The
 * previous batch goes back to the producer. */
static int next_batch(struct ms_trace_reader *r)
{
	struct ms_frame_slot *s;
	if (r->threaded) {
		pthread_mutex_lock(&r->mu);
		if (r->cur >= 0) {
			r->slots[r->cur].ready = false;
			pthread_cond_broadcast(&r->cv);
		}
		r->cur = r->cur < 0 ? 0 : (r->cur + 1) % MS_READ_SLOTS;
		s = &r->slots[r->cur];
		while (!s->ready)
			pthread_cond_wait(&r->cv, &r->mu);
		pthread_mutex_unlock(&r->mu);
	} else {
		r->cur = 0;
		s = &r->slots[0];
		s->result = produce_batch(r, s);
	}
	if (s->result == 1) {
		r->offset = s->end_offset;
		if (s->first)
			r->frames++;
		r->next = 0;
		return 1;
	}
	r->eof = true;
	if (s->result == 0) {
		r->truncated = s->truncated;
		return 0;
	}
	if (s->result == MS_TRACE_E_CORRUPT)
		return corrupt(r);
	return r->error = s->result;
}

/* ---- decoding, in the producer ----
 * A column frame (version 5) is decoded straight from its streams; a row
 * frame (older versions) from its one run of records. The decoder is
 * written once, for cursors into streams, and instantiated for both: in a
 * row frame every stream is the run of records (ST below). */
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

#define ST(k) (cols ? (k) : MS_COL_MAIN)

/* A varint whose first byte is in stream k and the rest in k2 (they differ
 * only for sizes). Most fields fit one or two bytes: those inline. */
ALWAYS_INLINE bool get_u(struct ms_stream_cursors *c, int k, int k2, uint64_t *out)
{
	const uint8_t *p = c->p[k], *e = c->e[k];
	if (k == k2 && e - p >= 2) {
		if (p[0] < 0x80) {
			*out = p[0];
			c->p[k] = p + 1;
			return true;
		}
		if (p[1] < 0x80) {
			*out = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
			c->p[k] = p + 2;
			return true;
		}
	}
	if (p >= e)
		return false;
	uint8_t b = *p++;
	c->p[k] = p;
	uint64_t v = b & 0x7f;
	if (b & 0x80) {
		p = c->p[k2];
		e = c->e[k2];
		for (unsigned shift = 7;; shift += 7) {
			if (shift >= 70 || p >= e)
				return false;
			b = *p++;
			if (shift == 63 && b > 1)
				return false; /* more than 64 bits */
			v |= (uint64_t)(b & 0x7f) << shift;
			if (!(b & 0x80))
				break;
		}
		c->p[k2] = p;
	}
	*out = v;
	return true;
}

#define GETV_IN(k, var)                                                \
	do {                                                           \
		if (!get_u(c, ST(k), ST(k), &(var)))                   \
			return MS_TRACE_E_CORRUPT;                     \
	} while (0)
#define GETV(var) GETV_IN(MS_COL_MAIN, var)
#define GETZ_IN(k, var)                                                \
	do {                                                           \
		uint64_t u_;                                           \
		GETV_IN(k, u_);                                        \
		(var) = ms_unzigzag(u_);                               \
	} while (0)
#define GETSIZE(var)                                                   \
	do {                                                           \
		if (!get_u(c, ST(MS_COL_SIZE), ST(MS_COL_SIZE_HI), &(var))) \
			return MS_TRACE_E_CORRUPT;                     \
	} while (0)
/* A value kept as a delta in stream k from the chunk's last one, prev,
 * which it moves: stamps (TS, the chunk's clock) and addresses (ADDR). */
#define GETDELTA(k, prev, var)                                         \
	do {                                                           \
		int64_t delta_;                                        \
		GETZ_IN(k, delta_);                                    \
		(prev) += (uint64_t)delta_;                            \
		(var) = (prev);                                        \
	} while (0)
#define GETTS(var) GETDELTA(MS_COL_TS, d->prev_ts, var)
#define GETADDR(var) GETDELTA(MS_COL_ADDR, d->prev_addr, var)
/* REALLOC's and MREMAP's first fields, into m (their members have the same
 * names): ts_before, ts_after after it, old_addr, and new_addr from it. */
#define GETMOVE(m)                                                     \
	do {                                                           \
		uint64_t after_;                                       \
		int64_t dnew_;                                         \
		GETTS((m).ts_before);                                  \
		GETV_IN(MS_COL_TS, after_);                            \
		(m).ts_after = d->prev_ts += after_;                   \
		GETADDR((m).old_addr);                                 \
		GETZ_IN(MS_COL_ADDR, dnew_);                           \
		(m).new_addr = d->prev_addr += (uint64_t)dnew_;        \
	} while (0)
/* the bytes left in stream k: each field takes at least one */
#define LEFT(k) ((uint64_t)(c->e[ST(k)] - c->p[ST(k)]))

ALWAYS_INLINE bool get_str(struct ms_stream_cursors *c, bool cols, struct ms_str *s)
{
	uint64_t len;
	if (!get_u(c, ST(MS_COL_MAIN), ST(MS_COL_MAIN), &len) || len > MS_MAX_STRING || len > LEFT(MS_COL_MAIN))
		return false;
	s->p = (const char *)c->p[MS_COL_MAIN];
	s->len = (size_t)len;
	c->p[MS_COL_MAIN] += len;
	return true;
}

/* A string of a full record, copied into the slot: a batch outlives the
 * frame it was decoded from. Its offset travels in p (fix_pointers). */
static int keep_str(struct ms_frame_slot *s, struct ms_str *str)
{
	if (reserve(&s->strs, &s->strcap, 1, s->nstrs + str->len, 4096))
		return -ENOMEM;
	memcpy(s->strs + s->nstrs, str->p, str->len);
	str->p = (const char *)(uintptr_t)s->nstrs;
	s->nstrs += str->len;
	return 0;
}

#define GETS(var)                                                      \
	do {                                                           \
		if (!get_str(c, cols, &(var)))                         \
			return MS_TRACE_E_CORRUPT;                     \
		int rc_ = keep_str(s, &(var));                         \
		if (rc_)                                               \
			return rc_;                                    \
	} while (0)

/* Room for n more of the slot's values; their offset in *off. Bounded by
 * the callers: n never exceeds the bytes left in the frame. */
static int reserve_vals(struct ms_frame_slot *s, uint64_t n, size_t *off)
{
	if (reserve(&s->vals, &s->valcap, sizeof(*s->vals), s->nvals + n, 4096))
		return -ENOMEM;
	*off = s->nvals;
	s->nvals += n;
	return 0;
}

/* Offsets into the slot's arrays travel in the pointer fields until the
 * frame is decoded (the arrays may move as they grow): see fix_pointers. */
#define AS_OFFSET(off) ((const void *)(uintptr_t)(off))

/* The body of a SCAN_ROOTS/EDGES/TYPES/HEUR record (after the tag), with
 * deltas resolved. The entry count is checked against the bytes left
 * before anything is allocated, so the values are bounded by the frame. */
ALWAYS_INLINE int decode_scan(struct ms_frame_slot *s, struct ms_stream_cursors *c, bool cols, uint8_t tag, struct ms_record *rec)
{
	uint64_t id, n;
	size_t width = tag == MS_REC_SCAN_ROOTS ? 5 : tag == MS_REC_SCAN_EDGES ? 4 : tag == MS_REC_SCAN_HEUR ? 3 : 2;
	GETV(id);
	GETV(n);
	if (n > UINT32_MAX || n * width > LEFT(MS_COL_MAIN))
		return MS_TRACE_E_CORRUPT;
	size_t off;
	if (reserve_vals(s, n * width, &off))
		return -ENOMEM;
	uint64_t *v = s->vals + off, prev = 0;
	for (uint64_t i = 0; i < n; i++, v += width) {
		for (size_t k = 0; k < width; k++)
			GETV(v[k]);
		if (tag == MS_REC_SCAN_EDGES) {
			/* dfrom vs the previous from, dto vs this from */
			v[0] = prev + (uint64_t)ms_unzigzag(v[0]);
			prev = v[0];
			v[2] = v[0] + (uint64_t)ms_unzigzag(v[2]);
		} else if (tag == MS_REC_SCAN_TYPES || tag == MS_REC_SCAN_HEUR) {
			v[0] = prev + (uint64_t)ms_unzigzag(v[0]);
			prev = v[0];
		}
	}
	rec->u.scan.snapshot_id = id;
	rec->u.scan.n = (uint32_t)n;
	rec->u.scan.v = AS_OFFSET(off);
	return 0;
}

static int grow_chunk_list(struct ms_decoder *d, int list)
{
	size_t need = d->chunk_n[list] + 1, cls_cap = d->chunk_cap[0];
	/* the allocations' classes first: they have the list's capacity */
	if (list == 0 && reserve(&d->chunk_cls, &cls_cap, 1, need, 1024))
		return -ENOMEM;
	return reserve(&d->chunk_addr[list], &d->chunk_cap[list], sizeof(uint64_t), need, 1024);
}

/* Appends addr to the chunk's list of allocations (0) or frees (1); an
 * allocation's size class is set once its size is read. */
ALWAYS_INLINE int chunk_push(struct ms_decoder *d, int list, uint64_t addr)
{
	if (UNLIKELY(d->chunk_n[list] == d->chunk_cap[list]) && grow_chunk_list(d, list))
		return -ENOMEM;
	d->chunk_addr[list][d->chunk_n[list]++] = addr;
	return 0;
}

/* The address of an ALLOC or FREE (a delta from prev_addr) or of its _REF
 * form (a place back in the chunk's other list), appended to list (0: the
 * allocations, 1: the frees). A FREE_REF gives its address to the class of
 * the allocation it names (trace/sizeclass.h). Corrupt: a reference of 0,
 * past the start of the list, or in a trace older than version 3. */
ALWAYS_INLINE int get_event_addr(struct ms_trace_reader *r, struct ms_stream_cursors *c, bool cols, bool ref, int list,
                                 uint64_t *addr)
{
	struct ms_decoder *d = &r->dec;
	uint64_t v;
	GETV_IN(MS_COL_ADDR, v);
	if (!ref) {
		d->prev_addr += (uint64_t)ms_unzigzag(v);
	} else {
		size_t n = d->chunk_n[!list];
		if (r->hdr.version < 3 || v == 0 || v > n)
			return MS_TRACE_E_CORRUPT;
		d->prev_addr = d->chunk_addr[!list][n - v];
		if (list == 1 && d->chunk_cls[n - v] < MS_NCLASS)
			ms_class_push(&d->lifo[d->chunk_cls[n - v]], d->chunk_seq, d->prev_addr);
	}
	*addr = d->prev_addr;
	return chunk_push(d, list, d->prev_addr);
}

/* ALLOC_TOP's address: the top of size's class, popped. Corrupt when the
 * class has none, or in a trace older than version 4. */
ALWAYS_INLINE int alloc_top_addr(struct ms_trace_reader *r, uint64_t size, uint64_t *addr)
{
	struct ms_decoder *d = &r->dec;
	unsigned cls = ms_size_class(size);
	if (r->hdr.version < 4 || cls >= MS_NCLASS || !(*addr = ms_class_top(&d->lifo[cls], d->chunk_seq)))
		return MS_TRACE_E_CORRUPT;
	ms_class_pop(&d->lifo[cls]);
	d->prev_addr = *addr;
	int rc = chunk_push(d, 0, *addr);
	if (!rc)
		d->chunk_cls[d->chunk_n[0] - 1] = (uint8_t)cls;
	return rc;
}

#define CHECK(call)                                                    \
	do {                                                           \
		int rc_ = (call);                                      \
		if (rc_)                                               \
			return rc_;                                    \
	} while (0)

#define KIND(k) ((uint32_t)(k) << MS_PRE_STACK_BITS)

/* An allocation, compact when its size and stack id fit. */
ALWAYS_INLINE void put_alloc(struct ms_trace_reader *r, struct ms_frame_slot *s, struct ms_prerec *q, uint64_t ts,
                             uint64_t addr, uint64_t size, uint64_t stack)
{
	if (LIKELY(size <= UINT32_MAX && stack < 1u << MS_PRE_STACK_BITS)) {
		*q = (struct ms_prerec){ts, addr, (uint32_t)size, KIND(MS_PRE_ALLOC) | (uint32_t)stack};
		return;
	}
	struct ms_record *rec = &s->full[s->nfull];
	rec->tag = MS_REC_ALLOC;
	rec->tid = r->dec.tid;
	rec->u.alloc.ts = ts;
	rec->u.alloc.addr = addr;
	rec->u.alloc.size = size;
	rec->u.alloc.stack_id = stack;
	*q = (struct ms_prerec){0, s->nfull++, 0, KIND(MS_PRE_FULL)};
}

/* A record other than the compact ones, into rec. */
ALWAYS_INLINE int decode_full(struct ms_trace_reader *r, struct ms_frame_slot *s, struct ms_stream_cursors *c, bool cols,
                              uint8_t tag, struct ms_record *rec)
{
	struct ms_decoder *d = &r->dec;
	int64_t z;
	uint64_t v;
	size_t off;
	rec->tag = tag;
	rec->tid = d->tid;
	switch (tag) {
	case MS_REC_REALLOC:
		GETMOVE(rec->u.realloc);
		GETSIZE(rec->u.realloc.size);
		GETV_IN(MS_COL_STACK, rec->u.realloc.stack_id);
		break;
	case MS_REC_MMAP:
		GETTS(rec->u.mmap.ts);
		GETADDR(rec->u.mmap.addr);
		GETV(rec->u.mmap.len);
		GETV(rec->u.mmap.kind);
		GETV_IN(MS_COL_STACK, rec->u.mmap.stack_id);
		break;
	case MS_REC_MUNMAP:
		GETTS(rec->u.munmap.ts);
		GETADDR(rec->u.munmap.addr);
		GETV(rec->u.munmap.len);
		break;
	case MS_REC_MREMAP:
		GETMOVE(rec->u.mremap);
		GETV(rec->u.mremap.old_len);
		GETV(rec->u.mremap.new_len);
		GETV_IN(MS_COL_STACK, rec->u.mremap.stack_id);
		break;
	case MS_REC_STACK: {
		GETV(rec->u.stack.stack_id);
		GETV(v);
		if (v > MS_MAX_DEPTH_LIMIT || v > LEFT(MS_COL_IPS))
			return MS_TRACE_E_CORRUPT;
		CHECK(reserve_vals(s, v, &off));
		uint64_t ip = 0, *ips = s->vals + off;
		for (uint32_t i = 0; i < v; i++) {
			GETZ_IN(MS_COL_IPS, z);
			ip += (uint64_t)z;
			ips[i] = ip;
		}
		rec->u.stack.n = (uint32_t)v;
		rec->u.stack.ips = AS_OFFSET(off);
		break;
	}
	case MS_REC_THREAD:
		GETTS(rec->u.thread.ts);
		GETS(rec->u.thread.name);
		break;
	case MS_REC_THREAD_EXIT:
		GETTS(rec->u.thread_exit.ts);
		break;
	case MS_REC_EVENT:
		GETTS(rec->u.event.ts);
		GETV(rec->u.event.weight);
		GETV_IN(MS_COL_STACK, rec->u.event.stack_id);
		break;
	case MS_REC_SNAPSHOT:
		GETV(rec->u.snapshot.ts);
		GETV(rec->u.snapshot.id);
		GETV(rec->u.snapshot.reason);
		GETS(rec->u.snapshot.label);
		GETV(rec->u.snapshot.live_blocks);
		GETV(rec->u.snapshot.live_bytes);
		break;
	case MS_REC_SCAN_ROOTS:
	case MS_REC_SCAN_EDGES:
	case MS_REC_SCAN_TYPES:
	case MS_REC_SCAN_HEUR:
		CHECK(decode_scan(s, c, cols, tag, rec));
		break;
	case MS_REC_SCAN_END:
		GETV(rec->u.scan_end.snapshot_id);
		GETV(rec->u.scan_end.blocks);
		GETV(rec->u.scan_end.roots);
		GETV(rec->u.scan_end.edges);
		GETV(rec->u.scan_end.duration_ns);
		if (r->hdr.version >= 2) {
			GETV(rec->u.scan_end.stop_method);
			GETV(rec->u.scan_end.stopped);
			GETV(rec->u.scan_end.missed);
		} else {
			rec->u.scan_end.stop_method = rec->u.scan_end.stopped = rec->u.scan_end.missed = 0;
		}
		break;
	case MS_REC_CLOCK_SYNC:
		GETV(rec->u.clock_sync.ts);
		GETV(rec->u.clock_sync.mono_ns);
		GETV(rec->u.clock_sync.realtime_ns);
		break;
	case MS_REC_MODULE_LOAD:
		GETV(rec->u.module_load.ts);
		GETV(rec->u.module_load.module_id);
		GETV(rec->u.module_load.load_bias);
		GETS(rec->u.module_load.path);
		GETS(rec->u.module_load.build_id);
		GETV(v);
		if (v > MAX_SEGMENTS || v * 3 > LEFT(MS_COL_MAIN))
			return MS_TRACE_E_CORRUPT;
		CHECK(reserve_vals(s, v * 3, &off));
		for (uint32_t i = 0; i < v * 3; i++)
			GETV(s->vals[off + i]);
		rec->u.module_load.nseg = (uint32_t)v;
		rec->u.module_load.seg = AS_OFFSET(off);
		break;
	case MS_REC_MODULE_UNLOAD:
		GETV(rec->u.module_unload.ts);
		GETV(rec->u.module_unload.module_id);
		break;
	case MS_REC_COUNTERS:
		GETV(rec->u.counters.ts);
		GETV(v);
		if (v > MAX_COUNTERS || v > LEFT(MS_COL_MAIN))
			return MS_TRACE_E_CORRUPT;
		CHECK(reserve_vals(s, v, &off));
		for (uint32_t i = 0; i < v; i++)
			GETV(s->vals[off + i]);
		rec->u.counters.n = (uint32_t)v;
		rec->u.counters.v = AS_OFFSET(off);
		break;
	case MS_REC_ROUND:
		GETV(rec->u.round.watermark);
		break;
	case MS_REC_PROCESS:
		GETS(rec->u.process.exe);
		GETV(v);
		if (v > MAX_ARGC || v > LEFT(MS_COL_MAIN))
			return MS_TRACE_E_CORRUPT;
		CHECK(reserve(&s->argv, &s->argvcap, sizeof(*s->argv), s->nargv + v, 16));
		off = s->nargv;
		for (uint32_t i = 0; i < v; i++)
			GETS(s->argv[off + i]);
		s->nargv += v;
		rec->u.process.argc = (uint32_t)v;
		rec->u.process.argv = AS_OFFSET(off);
		break;
	case MS_REC_END:
		GETV(rec->u.end.ts);
		GETV(rec->u.end.reason);
		GETV(rec->u.end.exit_status);
		GETV(rec->u.end.peak_rss);
		break;
	case MS_REC_EXEC:
		GETV(rec->u.exec.ts);
		GETS(rec->u.exec.path);
		break;
	case MS_REC_EXEC_FAILED:
		GETV(rec->u.exec_failed.ts);
		break;
	case MS_REC_INHERITED:
		GETV(rec->u.inherited.allocations);
		GETV(rec->u.inherited.frees);
		GETV(rec->u.inherited.bytes_allocated);
		break;
	default:
		return MS_TRACE_E_CORRUPT; /* unknown tag: records have no length, nothing to skip */
	}
	return 0;
}

/* Decodes the record at the cursors into q (and s->full); returns 0,
 * MS_TRACE_E_CORRUPT or -ENOMEM. */
ALWAYS_INLINE int decode_one(struct ms_trace_reader *r, struct ms_frame_slot *s, struct ms_stream_cursors *c, bool cols,
                             struct ms_prerec *q)
{
	struct ms_decoder *d = &r->dec;
	uint8_t tag = *c->p[MS_COL_MAIN]++;
	uint64_t ts, size, stack, addr;
	if (tag >= MS_REC_ALLOC && tag <= MS_REC_ALLOC_TOP && tag != MS_REC_STACK && !d->in_chunk)
		return MS_TRACE_E_CORRUPT; /* a chunk event outside a chunk */
	switch (tag) {
	case MS_REC_CHUNK:
		GETV(d->tid);
		GETV(d->prev_ts);
		*q = (struct ms_prerec){d->prev_ts, d->tid, 0, KIND(MS_PRE_CHUNK)};
		d->prev_addr = 0;
		d->chunk_n[0] = d->chunk_n[1] = 0;
		d->chunk_seq++;
		d->in_chunk = true;
		return 0;
	case MS_REC_ALLOC:
	case MS_REC_ALLOC_REF:
		GETTS(ts);
		CHECK(get_event_addr(r, c, cols, tag == MS_REC_ALLOC_REF, 0, &addr));
		GETSIZE(size);
		GETV_IN(MS_COL_STACK, stack);
		d->chunk_cls[d->chunk_n[0] - 1] = (uint8_t)ms_size_class(size);
		put_alloc(r, s, q, ts, addr, size, stack);
		return 0;
	case MS_REC_ALLOC_TOP:
		GETTS(ts);
		GETSIZE(size);
		GETV_IN(MS_COL_STACK, stack);
		CHECK(alloc_top_addr(r, size, &addr));
		put_alloc(r, s, q, ts, addr, size, stack);
		return 0;
	case MS_REC_FREE:
	case MS_REC_FREE_REF:
		GETTS(ts);
		CHECK(get_event_addr(r, c, cols, tag == MS_REC_FREE_REF, 1, &addr));
		*q = (struct ms_prerec){ts, addr, 0, KIND(MS_PRE_FREE)};
		return 0;
	default:
		CHECK(decode_full(r, s, c, cols, tag, &s->full[s->nfull]));
		*q = (struct ms_prerec){0, s->nfull++, 0, KIND(MS_PRE_FULL)};
		/* writer records end the chunk; STACK may sit inside one */
		if (tag >= MS_REC_CLOCK_SYNC)
			d->in_chunk = false;
		return 0;
	}
}

/* Room for one more record of each kind. */
static int grow_records(struct ms_frame_slot *s)
{
	if (reserve(&s->recs, &s->reccap, sizeof(*s->recs), s->nrec + 1, 16384) ||
	    reserve(&s->full, &s->fullcap, sizeof(*s->full), s->nfull + 1, 256))
		return -ENOMEM;
	return 0;
}

/* Decodes records at the cursors into s, up to MS_READ_BATCH (or
 * MS_READ_BATCH_VALS values). Returns 0,
 * or the error of the first record that does not decode (those before it
 * stay in s); at its end a column frame must have used up every stream. */
ALWAYS_INLINE int decode_records(struct ms_trace_reader *r, struct ms_frame_slot *s, struct ms_stream_cursors *c,
                                 bool cols)
{
	while (c->p[MS_COL_MAIN] < c->e[MS_COL_MAIN] && s->nrec < MS_READ_BATCH && s->nvals < MS_READ_BATCH_VALS) {
		if (UNLIKELY(s->nrec == s->reccap || s->nfull == s->fullcap))
			CHECK(grow_records(s));
		CHECK(decode_one(r, s, c, cols, &s->recs[s->nrec]));
		s->nrec++;
	}
	if (cols && c->p[MS_COL_MAIN] == c->e[MS_COL_MAIN])
		for (int k = 0; k < MS_COL_STREAMS; k++)
			if (c->p[k] != c->e[k])
				return MS_TRACE_E_CORRUPT;
	return 0;
}

/* Sets the cursors at the records of the frame of n bytes at p: for a
 * column frame (v n (MS_COL_STREAMS), n x v the length of each stream, then
 * the streams in order; columns.h) one per stream. Returns 0, or
 * MS_TRACE_E_CORRUPT when the streams do not fill the payload. */
static int start_frame(struct ms_trace_reader *r, const uint8_t *p, size_t n)
{
	const uint8_t *e = p + n;
	struct ms_stream_cursors *c = &r->cur_frame;
	r->dec.in_chunk = false; /* frames decode independently: chunks never span them */
	r->in_frame = false;
	if (r->hdr.version < 5) {
		c->p[MS_COL_MAIN] = p;
		c->e[MS_COL_MAIN] = e;
		r->in_frame = true;
		return 0;
	}
	uint64_t ns, len[MS_COL_STREAMS];
	if (!(p = ms_get_varint(p, e, &ns)) || ns != MS_COL_STREAMS)
		return MS_TRACE_E_CORRUPT;
	for (int k = 0; k < MS_COL_STREAMS; k++)
		if (!(p = ms_get_varint(p, e, &len[k])))
			return MS_TRACE_E_CORRUPT;
	for (int k = 0; k < MS_COL_STREAMS; k++) {
		if (len[k] > (uint64_t)(e - p))
			return MS_TRACE_E_CORRUPT;
		c->p[k] = p;
		c->e[k] = p += len[k];
	}
	if (p != e)
		return MS_TRACE_E_CORRUPT;
	r->in_frame = true;
	return 0;
}

static void fix_str(const struct ms_frame_slot *s, struct ms_str *str)
{
	str->p = s->strs ? s->strs + (uintptr_t)str->p : "";
}

/* Turns the offsets decode_full left in full[]'s pointer fields into
 * pointers, now that the slot's arrays stopped moving. */
static void fix_pointers(struct ms_frame_slot *s)
{
	for (size_t i = 0; i < s->nfull; i++) {
		struct ms_record *rec = &s->full[i];
		switch (rec->tag) {
		case MS_REC_STACK: rec->u.stack.ips = s->vals + (uintptr_t)rec->u.stack.ips; break;
		case MS_REC_MODULE_LOAD:
			rec->u.module_load.seg = s->vals + (uintptr_t)rec->u.module_load.seg;
			fix_str(s, &rec->u.module_load.path);
			fix_str(s, &rec->u.module_load.build_id);
			break;
		case MS_REC_COUNTERS: rec->u.counters.v = s->vals + (uintptr_t)rec->u.counters.v; break;
		case MS_REC_SCAN_ROOTS:
		case MS_REC_SCAN_EDGES:
		case MS_REC_SCAN_TYPES:
		case MS_REC_SCAN_HEUR: rec->u.scan.v = s->vals + (uintptr_t)rec->u.scan.v; break;
		case MS_REC_PROCESS: {
			struct ms_str *argv = s->argv + (uintptr_t)rec->u.process.argv;
			rec->u.process.argv = argv;
			fix_str(s, &rec->u.process.exe);
			for (uint32_t k = 0; k < rec->u.process.argc; k++)
				fix_str(s, &argv[k]);
			break;
		}
		case MS_REC_THREAD: fix_str(s, &rec->u.thread.name); break;
		case MS_REC_SNAPSHOT: fix_str(s, &rec->u.snapshot.label); break;
		case MS_REC_EXEC: fix_str(s, &rec->u.exec.path); break;
		default: break;
		}
	}
}

/* Fills s with the next batch: the next records of the frame being
 * decoded, or of the next frame (s->first). Returns 1, or read_frame's
 * code at the end or on an error before any record. */
static int produce_batch(struct ms_trace_reader *r, struct ms_frame_slot *s)
{
	s->nrec = s->nfull = s->nvals = s->nargv = s->nstrs = 0;
	s->bad = 0;
	s->first = false;
	if (!r->in_frame) {
		int rc = produce(r, s);
		if (rc != 1)
			return rc;
		s->first = true;
	}
	s->end_offset = r->prod_offset;
	if (r->in_frame) {
		struct ms_stream_cursors c = r->cur_frame; /* in registers while the batch decodes */
		s->bad = r->hdr.version >= 5 ? decode_records(r, s, &c, true) : decode_records(r, s, &c, false);
		r->cur_frame = c;
		if (s->bad || c.p[MS_COL_MAIN] == c.e[MS_COL_MAIN])
			r->in_frame = false;
	}
	fix_pointers(s);
	return 1;
}

/* A frame's damage, once its good records are read: reading ends. */
static int frame_error(struct ms_trace_reader *r, int bad)
{
	if (bad == MS_TRACE_E_CORRUPT) {
		r->frames--; /* this frame is not whole: count only good ones */
		return corrupt(r);
	}
	r->eof = true;
	return r->error = bad;
}

int ms_trace_reader_next(struct ms_trace_reader *r, struct ms_record *rec)
{
	if (r->error)
		return r->error;
	const struct ms_frame_slot *s = r->cur >= 0 ? &r->slots[r->cur] : NULL;
	while (!s || s->result != 1 || r->next >= s->nrec) {
		if (s && s->result == 1 && s->bad)
			return frame_error(r, s->bad);
		if (r->eof || !r->f)
			return 0;
		int rc = next_batch(r);
		if (rc <= 0)
			return rc;
		s = &r->slots[r->cur];
	}
	const struct ms_prerec *q = &s->recs[r->next++];
	switch (ms_prerec_kind(q)) {
	case MS_PRE_ALLOC:
		rec->tag = MS_REC_ALLOC;
		rec->tid = r->tid;
		rec->u.alloc.ts = q->ts;
		rec->u.alloc.addr = q->addr;
		rec->u.alloc.size = q->size;
		rec->u.alloc.stack_id = ms_prerec_stack(q);
		break;
	case MS_PRE_FREE:
		rec->tag = MS_REC_FREE;
		rec->tid = r->tid;
		rec->u.free.ts = q->ts;
		rec->u.free.addr = q->addr;
		break;
	case MS_PRE_CHUNK:
		r->tid = q->addr;
		rec->tag = MS_REC_CHUNK;
		rec->tid = r->tid;
		rec->u.chunk.base_ts = q->ts;
		break;
	default:
		*rec = s->full[q->addr];
		break;
	}
	return 1;
}

size_t ms_trace_reader_events(struct ms_trace_reader *r, const struct ms_prerec **out)
{
	if (r->error || r->cur < 0)
		return 0;
	const struct ms_frame_slot *s = &r->slots[r->cur];
	if (s->result != 1)
		return 0;
	size_t i = r->next;
	while (i < s->nrec && ms_prerec_kind(&s->recs[i]) - MS_PRE_ALLOC <= MS_PRE_FREE - MS_PRE_ALLOC)
		i++;
	*out = s->recs + r->next;
	size_t n = i - r->next;
	r->next = i;
	return n;
}

void ms_trace_error_message(char *buf, size_t n, const char *path, int err, const struct ms_trace_header *h,
                            uint32_t frames)
{
	unsigned version = h ? h->version : 0;
	switch (err) {
	case MS_TRACE_E_EMPTY:
		snprintf(buf, n, "trace '%s' is empty (the program was killed before memscope wrote it?)", path);
		break;
	case MS_TRACE_E_FOREIGN:
		snprintf(buf, n, "'%s' is not a memscope trace (record one with 'memscope run')", path);
		break;
	case MS_TRACE_E_VERSION:
		snprintf(buf, n, "trace '%s' is version %u, this memscope reads up to %u; upgrade memscope", path,
		         version, MS_TRACE_VERSION);
		break;
	case MS_TRACE_E_HEADER:
		snprintf(buf, n, "trace '%s' has a damaged header; record it again", path);
		break;
	case MS_TRACE_E_CORRUPT:
		snprintf(buf, n, "trace '%s' is corrupt after %u complete frames; record it again", path, frames);
		break;
	case MS_TRACE_E_ARCH:
		snprintf(buf, n,
		         "trace '%s' was recorded on another architecture (ELF machine %u, %u-byte pointers); "
		         "report it on a machine of that kind", path, h ? h->e_machine : 0, h ? h->ptr_size : 0);
		break;
	case MS_TRACE_E_NODATA:
		snprintf(buf, n, "trace '%s' holds no complete frame (the program was killed at start?)", path);
		break;
	case -ENOENT:
		snprintf(buf, n, "cannot open trace '%s': no such file (check the path)", path);
		break;
	case -EACCES:
		snprintf(buf, n, "cannot open trace '%s': permission denied (check its permissions)", path);
		break;
	case -EISDIR:
		snprintf(buf, n, "cannot read trace '%s': it is a directory (give a trace file)", path);
		break;
	case -ENOMEM:
		snprintf(buf, n, "cannot read trace '%s': out of memory", path);
		break;
	default:
		snprintf(buf, n, "cannot read trace '%s': %s", path, strerror(err < 0 ? -err : err));
		break;
	}
}
