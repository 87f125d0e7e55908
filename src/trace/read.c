/* The trace reader; see read.h. Invariants: r->p..r->end lies inside the
 * current slot's buffer;
 * every allocation is bounded by format.h's frame limits or by the small
 * caps below, never by a raw length field. */
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
	free(r->slots[0].raw);
	free(r->slots[1].raw);
	free(r->slots[0].cols);
	free(r->slots[1].cols);
	free(r->chunk_addr[0]);
	free(r->chunk_addr[1]);
	free(r->chunk_cls);
	free(r->vals);
	free(r->argv);
	free(r->scan);
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
	r->valcap = MS_MAX_DEPTH_LIMIT > MAX_SEGMENTS * 3 ? MS_MAX_DEPTH_LIMIT : MAX_SEGMENTS * 3;
	r->vals = malloc(r->valcap * sizeof(*r->vals));
	if (!r->dctx || !r->vals)
		return -ENOMEM;
	start_producer(r);
	return 0;
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64 * 1024;
	while (c < need)
		c *= 2;
	uint8_t *nb = realloc(*buf, c);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = c;
	return 0;
}

static int corrupt(struct ms_trace_reader *r)
{
	r->error = MS_TRACE_E_CORRUPT;
	r->p = r->end = NULL;
	return r->error;
}

/* The producer's half: reads and decompresses the next frame into s.
 * Returns 1 (a frame in s), 0 at the end of the file (s->truncated set if it
 * ends inside a frame), MS_TRACE_E_CORRUPT, -EIO or -ENOMEM. Touches only
 * the producer's fields (f, dctx, cbuf, prod_offset, file_size, follow) and
 * s. */
static int produce_once(struct ms_trace_reader *r, struct ms_frame_slot *s)
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
	/* version 5: the payload is streams (columns.h), joined into s->raw */
	bool cols = r->hdr.version >= 5;
	if (grow(&r->cbuf, &r->ccap, csize) || grow(&s->raw, &s->cap, rsize ? rsize : 1) ||
	    (cols && grow(&s->cols, &s->cols_cap, rsize ? rsize : 1)))
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
	size_t got = ZSTD_decompressDCtx(r->dctx, cols ? s->cols : s->raw, rsize, r->cbuf, csize);
	if (ZSTD_isError(got) || got != rsize)
		return MS_TRACE_E_CORRUPT;
	long len = cols ? ms_col_join(s->cols, rsize, s->raw) : (long)rsize;
	if (len < 0)
		return MS_TRACE_E_CORRUPT;
	r->prod_offset += MS_FRAME_HEADER_SIZE + csize;
	s->len = (size_t)len;
	s->end_offset = r->prod_offset;
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

/* produce_once, waiting at the end of the file in follow mode: the writer
 * appends whole frames, but a reader may see one half written. The wait
 * doubles from 1 to 16 ms while nothing comes: a quiet program costs ~60
 * wake-ups a second, and its end is seen within 16 ms. */
static int produce(struct ms_trace_reader *r, struct ms_frame_slot *s)
{
	long wait_ns = 1000000;
	for (;;) {
		int rc = produce_once(r, s);
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

/* The producer thread: fills the two slots in turn, each once the consumer
 * has handed it back, until the end, an error, or stop. */
static void *producer_main(void *arg)
{
	struct ms_trace_reader *r = arg;
	for (int i = 0;; i ^= 1) {
		struct ms_frame_slot *s = &r->slots[i];
		pthread_mutex_lock(&r->mu);
		while (s->full && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		bool stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
		int rc = produce(r, s);
		pthread_mutex_lock(&r->mu);
		s->result = rc;
		s->full = true;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (rc != 1)
			break;
	}
	return NULL;
}

/* Starts decompressing ahead in a thread of its own: the replay and the
 * decompression then use both cores. Without a thread, frames are read
 * on demand. */
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

/* Moves to the next frame. Returns 1 when a frame is ready, 0 at the end
 * (r->truncated set if the file ends inside a frame), or an error. The
 * previous frame's buffer goes back to the producer. */
static int next_frame(struct ms_trace_reader *r)
{
	struct ms_frame_slot *s;
	if (r->threaded) {
		pthread_mutex_lock(&r->mu);
		if (r->cur >= 0) {
			r->slots[r->cur].full = false;
			pthread_cond_broadcast(&r->cv);
		}
		r->cur = r->cur < 0 ? 0 : r->cur ^ 1;
		s = &r->slots[r->cur];
		while (!s->full)
			pthread_cond_wait(&r->cv, &r->mu);
		pthread_mutex_unlock(&r->mu);
	} else {
		r->cur = 0;
		s = &r->slots[0];
		s->result = produce(r, s);
	}
	if (s->result == 1) {
		r->offset = s->end_offset;
		r->frames++;
		r->p = s->raw;
		r->end = s->raw + s->len;
		r->in_chunk = false; /* frames decode independently: chunks never span them */
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

/* Most fields fit one or two bytes: decode those inline, the rest with
 * the general (bounded) decoder. */
static inline __attribute__((always_inline)) const uint8_t *get_v(const uint8_t *p, const uint8_t *e, uint64_t *out)
{
	if (e - p >= 2) {
		if (p[0] < 0x80) {
			*out = p[0];
			return p + 1;
		}
		if (p[1] < 0x80) {
			*out = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
			return p + 2;
		}
	}
	return ms_get_varint(p, e, out);
}

#define GETV(var)                                                      \
	do {                                                           \
		p = get_v(p, e, &(var));                               \
		if (!p)                                                \
			return -1;                                     \
	} while (0)
#define GETZ(var)                                                      \
	do {                                                           \
		uint64_t u_;                                           \
		p = get_v(p, e, &u_);                                  \
		if (!p)                                                \
			return -1;                                     \
		(var) = ms_unzigzag(u_);                               \
	} while (0)

static const uint8_t *get_str(const uint8_t *p, const uint8_t *e, struct ms_str *s)
{
	uint64_t len;
	p = ms_get_varint(p, e, &len);
	if (!p || len > MS_MAX_STRING || len > (uint64_t)(e - p))
		return NULL;
	s->p = (const char *)p;
	s->len = (size_t)len;
	return p + len;
}

#define GETS(var)                                                      \
	do {                                                           \
		p = get_str(p, e, &(var));                             \
		if (!p)                                                \
			return -1;                                     \
	} while (0)

/* The body of a SCAN_ROOTS/EDGES/TYPES record at p (after the tag) into
 * r->scan with deltas resolved. The entry count is checked against the bytes
 * left in the frame (each field takes at least one byte) before anything is
 * allocated, so the buffer is bounded by the frame size. Returns the end of
 * the record or NULL when it is malformed (or memory runs out). */
static const uint8_t *decode_scan(struct ms_trace_reader *r, uint8_t tag, const uint8_t *p, const uint8_t *e,
                                  struct ms_record *rec)
{
	uint64_t id, n;
	size_t width = tag == MS_REC_SCAN_ROOTS ? 5 : tag == MS_REC_SCAN_EDGES ? 4 : tag == MS_REC_SCAN_HEUR ? 3 : 2;
	if (!(p = get_v(p, e, &id)) || !(p = get_v(p, e, &n)))
		return NULL;
	if (n > UINT32_MAX || n * width > (uint64_t)(e - p))
		return NULL;
	if (n * width > r->scancap) {
		size_t c = r->scancap ? r->scancap : 4096;
		while (c < n * width)
			c *= 2;
		uint64_t *nb = realloc(r->scan, c * sizeof(*nb));
		if (!nb)
			return NULL;
		r->scan = nb;
		r->scancap = c;
	}
	uint64_t *v = r->scan, prev = 0, u;
	for (uint64_t i = 0; i < n; i++, v += width) {
		for (size_t k = 0; k < width; k++)
			if (!(p = get_v(p, e, &v[k])))
				return NULL;
		if (tag == MS_REC_SCAN_EDGES) {
			/* dfrom vs the previous from, dto vs this from */
			v[0] = prev + (uint64_t)ms_unzigzag(v[0]);
			prev = v[0];
			u = v[2];
			v[2] = v[0] + (uint64_t)ms_unzigzag(u);
		} else if (tag == MS_REC_SCAN_TYPES || tag == MS_REC_SCAN_HEUR) {
			v[0] = prev + (uint64_t)ms_unzigzag(v[0]);
			prev = v[0];
		}
	}
	rec->u.scan.snapshot_id = id;
	rec->u.scan.n = (uint32_t)n;
	rec->u.scan.v = r->scan;
	return p;
}

/* Appends addr to the chunk's list of allocations (0) or frees (1); an
 * allocation's size class is set once its size is read. */
static int chunk_push(struct ms_trace_reader *r, int list, uint64_t addr)
{
	if (r->chunk_n[list] == r->chunk_cap[list]) {
		size_t c = r->chunk_cap[list] ? r->chunk_cap[list] * 2 : 1024;
		uint64_t *n = realloc(r->chunk_addr[list], c * sizeof(*n));
		if (!n)
			return -1;
		r->chunk_addr[list] = n;
		if (list == 0) {
			uint8_t *cls = realloc(r->chunk_cls, c);
			if (!cls)
				return -1;
			r->chunk_cls = cls;
		}
		r->chunk_cap[list] = c;
	}
	r->chunk_addr[list][r->chunk_n[list]++] = addr;
	return 0;
}

/* The address of an ALLOC or FREE (a delta from prev_addr) or of its _REF
 * form (a place back in the chunk's other list), appended to list (0: the
 * allocations, 1: the frees). A FREE_REF gives its address to the class of
 * the allocation it names (trace/sizeclass.h). NULL when malformed: a
 * reference of 0, past the start of the list, or in a trace older than
 * version 3. */
static inline const uint8_t *get_event_addr(struct ms_trace_reader *r, const uint8_t *p, const uint8_t *e,
                                            bool ref, int list, uint64_t *addr)
{
	uint64_t v;
	if (!(p = get_v(p, e, &v)))
		return NULL;
	if (!ref) {
		r->prev_addr += (uint64_t)ms_unzigzag(v);
	} else {
		size_t n = r->chunk_n[!list];
		if (r->hdr.version < 3 || v == 0 || v > n)
			return NULL;
		r->prev_addr = r->chunk_addr[!list][n - v];
		if (list == 1 && r->chunk_cls[n - v] < MS_NCLASS)
			ms_class_push(&r->lifo[r->chunk_cls[n - v]], r->chunk_seq, r->prev_addr);
	}
	*addr = r->prev_addr;
	return chunk_push(r, list, r->prev_addr) ? NULL : p;
}

/* ALLOC_TOP's address: the top of size's class, popped. -1 when the class
 * has none, or in a trace older than version 4. */
static int alloc_top_addr(struct ms_trace_reader *r, uint64_t size, uint64_t *addr)
{
	unsigned cls = ms_size_class(size);
	if (r->hdr.version < 4 || cls >= MS_NCLASS || !(*addr = ms_class_top(&r->lifo[cls], r->chunk_seq)))
		return -1;
	ms_class_pop(&r->lifo[cls]);
	r->prev_addr = *addr;
	if (chunk_push(r, 0, *addr))
		return -1;
	r->chunk_cls[r->chunk_n[0] - 1] = (uint8_t)cls;
	return 0;
}

#define GETADDR(ref, list, var)                                        \
	do {                                                           \
		p = get_event_addr(r, p, e, (ref), (list), &(var));    \
		if (!p)                                                \
			return -1;                                     \
	} while (0)

/* Decodes one record at r->p; returns 0 or -1 when it is malformed. */
static int decode(struct ms_trace_reader *r, struct ms_record *rec)
{
	const uint8_t *p = r->p, *e = r->end;
	uint8_t tag = *p++;
	int64_t z;
	uint64_t v;
	rec->tag = tag;
	rec->tid = r->tid;
	if (tag >= MS_REC_ALLOC && tag <= MS_REC_ALLOC_TOP && tag != MS_REC_STACK && !r->in_chunk)
		return -1; /* a chunk event outside a chunk */
	switch (tag) {
	case MS_REC_CHUNK:
		GETV(r->tid);
		GETV(rec->u.chunk.base_ts);
		rec->tid = r->tid;
		r->prev_ts = rec->u.chunk.base_ts;
		r->prev_addr = 0;
		r->chunk_n[0] = r->chunk_n[1] = 0;
		r->chunk_seq++;
		r->in_chunk = true;
		break;
	case MS_REC_ALLOC:
	case MS_REC_ALLOC_REF:
		GETZ(z);
		r->prev_ts += (uint64_t)z;
		rec->u.alloc.ts = r->prev_ts;
		GETADDR(tag == MS_REC_ALLOC_REF, 0, rec->u.alloc.addr);
		rec->tag = MS_REC_ALLOC;
		GETV(rec->u.alloc.size);
		GETV(rec->u.alloc.stack_id);
		r->chunk_cls[r->chunk_n[0] - 1] = (uint8_t)ms_size_class(rec->u.alloc.size);
		break;
	case MS_REC_ALLOC_TOP:
		GETZ(z);
		r->prev_ts += (uint64_t)z;
		rec->u.alloc.ts = r->prev_ts;
		rec->tag = MS_REC_ALLOC;
		GETV(rec->u.alloc.size);
		GETV(rec->u.alloc.stack_id);
		if (alloc_top_addr(r, rec->u.alloc.size, &rec->u.alloc.addr))
			return -1;
		break;
	case MS_REC_FREE:
	case MS_REC_FREE_REF:
		GETZ(z);
		r->prev_ts += (uint64_t)z;
		rec->u.free.ts = r->prev_ts;
		GETADDR(tag == MS_REC_FREE_REF, 1, rec->u.free.addr);
		rec->tag = MS_REC_FREE;
		break;
	case MS_REC_REALLOC:
		GETZ(z);
		r->prev_ts += (uint64_t)z;
		rec->u.realloc.ts_before = r->prev_ts;
		GETV(v);
		r->prev_ts += v;
		rec->u.realloc.ts_after = r->prev_ts;
		GETZ(z);
		rec->u.realloc.old_addr = r->prev_addr + (uint64_t)z;
		GETZ(z);
		r->prev_addr = rec->u.realloc.new_addr = rec->u.realloc.old_addr + (uint64_t)z;
		GETV(rec->u.realloc.size);
		GETV(rec->u.realloc.stack_id);
		break;
	case MS_REC_MMAP:
		GETZ(z);
		r->prev_ts += (uint64_t)z;
		rec->u.mmap.ts = r->prev_ts;
		GETZ(z);
		r->prev_addr += (uint64_t)z;
		rec->u.mmap.addr = r->prev_addr;
		GETV(rec->u.mmap.len);
		GETV(rec->u.mmap.kind);
		GETV(rec->u.mmap.stack_id);
		break;
	case MS_REC_MUNMAP:
		GETZ(z);
		r->prev_ts += (uint64_t)z;
		rec->u.munmap.ts = r->prev_ts;
		GETZ(z);
		r->prev_addr += (uint64_t)z;
		rec->u.munmap.addr = r->prev_addr;
		GETV(rec->u.munmap.len);
		break;
	case MS_REC_MREMAP:
		GETZ(z);
		r->prev_ts += (uint64_t)z;
		rec->u.mremap.ts_before = r->prev_ts;
		GETV(v);
		r->prev_ts += v;
		rec->u.mremap.ts_after = r->prev_ts;
		GETZ(z);
		rec->u.mremap.old_addr = r->prev_addr + (uint64_t)z;
		GETZ(z);
		r->prev_addr = rec->u.mremap.new_addr = rec->u.mremap.old_addr + (uint64_t)z;
		GETV(rec->u.mremap.old_len);
		GETV(rec->u.mremap.new_len);
		GETV(rec->u.mremap.stack_id);
		break;
	case MS_REC_STACK: {
		GETV(rec->u.stack.stack_id);
		GETV(v);
		if (v > MS_MAX_DEPTH_LIMIT || v > (uint64_t)(e - p))
			return -1;
		uint64_t ip = 0;
		for (uint32_t i = 0; i < v; i++) {
			GETZ(z);
			ip += (uint64_t)z;
			r->vals[i] = ip;
		}
		rec->u.stack.n = (uint32_t)v;
		rec->u.stack.ips = r->vals;
		break;
	}
	case MS_REC_THREAD:
		GETZ(z);
		r->prev_ts += (uint64_t)z;
		rec->u.thread.ts = r->prev_ts;
		GETS(rec->u.thread.name);
		break;
	case MS_REC_THREAD_EXIT:
		GETZ(z);
		r->prev_ts += (uint64_t)z;
		rec->u.thread_exit.ts = r->prev_ts;
		break;
	case MS_REC_EVENT:
		GETZ(z);
		r->prev_ts += (uint64_t)z;
		rec->u.event.ts = r->prev_ts;
		GETV(rec->u.event.weight);
		GETV(rec->u.event.stack_id);
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
		if (!(p = decode_scan(r, tag, p, e, rec)))
			return -1;
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
		if (v > MAX_SEGMENTS || v * 3 > (uint64_t)(e - p))
			return -1;
		for (uint32_t i = 0; i < v * 3; i++)
			GETV(r->vals[i]);
		rec->u.module_load.nseg = (uint32_t)v;
		rec->u.module_load.seg = r->vals;
		break;
	case MS_REC_MODULE_UNLOAD:
		GETV(rec->u.module_unload.ts);
		GETV(rec->u.module_unload.module_id);
		break;
	case MS_REC_COUNTERS:
		GETV(rec->u.counters.ts);
		GETV(v);
		if (v > MAX_COUNTERS || v > (uint64_t)(e - p))
			return -1;
		for (uint32_t i = 0; i < v; i++)
			GETV(r->vals[i]);
		rec->u.counters.n = (uint32_t)v;
		rec->u.counters.v = r->vals;
		break;
	case MS_REC_ROUND:
		GETV(rec->u.round.watermark);
		break;
	case MS_REC_PROCESS:
		GETS(rec->u.process.exe);
		GETV(v);
		if (v > MAX_ARGC || v > (uint64_t)(e - p))
			return -1;
		if (v > r->argvcap) {
			size_t c = r->argvcap ? r->argvcap : 16;
			while (c < v)
				c *= 2;
			struct ms_str *na = realloc(r->argv, c * sizeof(*na));
			if (!na)
				return -1;
			r->argv = na;
			r->argvcap = c;
		}
		for (uint32_t i = 0; i < v; i++)
			GETS(r->argv[i]);
		rec->u.process.argc = (uint32_t)v;
		rec->u.process.argv = r->argv;
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
		return -1; /* unknown tag: records have no length, nothing to skip */
	}
	/* writer records end the chunk; STACK may sit inside one */
	if (tag >= MS_REC_CLOCK_SYNC)
		r->in_chunk = false;
	r->p = p;
	return 0;
}

int ms_trace_reader_next(struct ms_trace_reader *r, struct ms_record *rec)
{
	if (r->error)
		return r->error;
	while (!r->p || r->p >= r->end) {
		if (r->eof || !r->f)
			return 0;
		int rc = next_frame(r);
		if (rc <= 0)
			return rc;
	}
	if (decode(r, rec)) {
		r->frames--; /* this frame is not whole: count only good ones */
		return corrupt(r);
	}
	return 1;
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
