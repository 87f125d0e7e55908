/* Per-thread recording: thread registration, event buffers, the buffer pool,
 * and the record functions the hooks call. A thread's buffer is touched only
 * under its own spinlock (owner, writer, renamers): every timestamp is taken
 * with that lock held and the event appended before it is released, which is
 * what makes the writer's ROUND watermarks true. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/arena.h"
#include "runtime/clock.h"
#include "runtime/rt.h"
#include "runtime/snap.h" /* ms_rt_rec_event */
#include "trace/encode_snap.h"
#include "trace/sizeclass.h"
#include "runtime/sys.h"

__thread struct ms_tls ms_rt_tls __attribute__((tls_model("initial-exec")));

ms_spin ms_rt_threads_lock = MS_SPIN_INIT;
struct ms_tstate *ms_rt_threads;

static pthread_key_t thread_key;
static struct ms_rt_counts retired; /* threads lock */
static ms_spin pool_lock = MS_SPIN_INIT;
static struct ms_buf *pool;
static unsigned pool_count;
#define POOL_KEEP 16
#define NAME_MAX_LEN 64

/* ---- buffer pool ---- */

struct ms_buf *ms_rt_buf_get(void)
{
	ms_spin_lock(&pool_lock);
	struct ms_buf *b = pool;
	if (b) {
		pool = b->next;
		pool_count--;
	}
	ms_spin_unlock(&pool_lock);
	if (!b)
		b = ms_rt_map(sizeof *b);
	if (b) {
		b->next = NULL;
		b->len = 0;
	}
	return b;
}

void ms_rt_buf_put_list(struct ms_buf *b)
{
	while (b) {
		struct ms_buf *next = b->next;
		ms_spin_lock(&pool_lock);
		int keep = pool_count < POOL_KEEP;
		if (keep) {
			b->next = pool;
			pool = b;
			pool_count++;
		}
		ms_spin_unlock(&pool_lock);
		if (!keep)
			ms_rt_unmap(b, sizeof *b);
		b = next;
	}
}

void ms_rt_pool_lock(void) { ms_spin_lock(&pool_lock); }
void ms_rt_pool_unlock(void) { ms_spin_unlock(&pool_lock); }

/* ---- buffers of one thread (lock held) ---- */

static size_t reserve_bytes(void)
{
	return MS_ENC_CHUNK_MAX + ms_enc_stack_max(ms_rt_opt.depth) + MS_ENC_MREMAP_MAX +
	       ms_enc_string_max(NAME_MAX_LEN) + 16;
}

static void install(struct ms_tstate *t, struct ms_buf *b)
{
	t->cur = b;
	t->start = t->p = b->data;
	t->end = b->data + MS_BUF_SIZE - reserve_bytes();
}

/* The current buffer is full: queue it for the writer, start a new one.
 * Returns the new write position. Events are dropped once the trace ended. */
static __attribute__((noinline)) uint8_t *rotate(struct ms_tstate *t)
{
	struct ms_buf *nb;
	if (atomic_load_explicit(&ms_rt_ended, memory_order_relaxed) || !(nb = ms_rt_buf_get())) {
		t->p = t->start;
		return t->p;
	}
	t->cur->len = (uint32_t)(t->p - t->start);
	t->cur->next = NULL;
	*t->full_tail = t->cur;
	t->full_tail = &t->cur->next;
	install(t, nb);
	ms_rt_writer_wake();
	return t->p;
}

/* Room for one record group, and the CHUNK header if the buffer is empty. */
static inline uint8_t *begin(struct ms_tstate *t, uint64_t ts)
{
	uint8_t *w = t->p;
	if (MS_UNLIKELY(w > t->end))
		w = rotate(t);
	if (MS_UNLIKELY(w == t->start)) {
		t->cur->first_ts = ts;
		w = ms_enc_chunk(w, &t->enc, t->tid, ts);
	}
	return w;
}

void ms_rt_thread_take(struct ms_tstate *t, struct ms_buf ***tail)
{
	if (t->p != t->start) {
		struct ms_buf *nb = ms_rt_buf_get();
		if (nb) {
			t->cur->len = (uint32_t)(t->p - t->start);
			t->cur->next = NULL;
			*t->full_tail = t->cur;
			t->full_tail = &t->cur->next;
			install(t, nb);
		}
	}
	if (t->full) {
		**tail = t->full;
		*tail = t->full_tail;
		t->full = NULL;
		t->full_tail = &t->full;
	}
}

/* ---- address references (FREE_REF, ALLOC_REF) ----
 * A free of a block allocated earlier in the same chunk, or an allocation
 * at an address freed earlier in it, names that record by how many back it
 * is instead of by an address delta: addresses were three quarters of
 * churn's and clang's trace once stamps were coarse, and glibc hands the
 * blocks a thread just freed back to it. Two tables per thread, one for
 * allocations and one for frees, map an address to its record's place
 * in the chunk; an entry of another chunk, or overwritten, is a miss and
 * the plain record is written. A hit needs only the address to match:
 * the record it names has that address, whichever block it was.
 *
 * Sizes: 4096 entries for allocations (64 KiB), 256 for frees (4 KiB).
 * Since ALLOC_TOP names most reused addresses, the frees' table matters
 * less, and every FREE_REF the allocations' table misses also costs the
 * next allocation of that class its ALLOC_TOP. churn (frees 64 allocations
 * back), in B/event with column frames: 512 + 512 entries 1.30, 1024 + 256
 * 1.11, 2048 + 256 1.03, 4096 + 256 0.98, 8192 + 256 0.98; churn's time
 * did not grow (0.84 s with 512 + 512, 0.78-0.80 s with 4096 + 256). */
#define ALLOC_REF_BITS 12
#define FREE_REF_BITS 8
#define NREFS ((1u << ALLOC_REF_BITS) + (1u << FREE_REF_BITS))
struct ms_addr_ref {
	uint64_t addr;
	uint32_t seq : 24; /* its record's place among the chunk's ALLOCs or FREEs
	                    * (a 64 KiB chunk holds fewer than 2^15 records) */
	uint32_t cls : 8;  /* ALLOCs: the size class of the size recorded */
	uint32_t chunk;    /* t->enc.chunk when written */
};

/* The two tables, then the size classes' entries (trace/sizeclass.h). */
#define REFS_BYTES (sizeof(struct ms_addr_ref) * NREFS + sizeof(struct ms_class_lifo) * MS_NCLASS)

/* Mapped, not from the arena: zero pages cost nothing until written, so a
 * thread that allocates little (most threads of a server) holds a few
 * pages of it. */
static struct ms_addr_ref *refs_new(void) { return ms_rt_map(REFS_BYTES); }

static inline struct ms_addr_ref *ref_slot(struct ms_tstate *t, int frees, uint64_t addr)
{
	uint64_t h = addr * 0x9E3779B97F4A7C15ull;
	if (frees)
		return &t->refs[(1u << ALLOC_REF_BITS) + (uint32_t)(h >> (64 - FREE_REF_BITS))];
	return &t->refs[h >> (64 - ALLOC_REF_BITS)];
}

static inline struct ms_class_lifo *class_lifo(struct ms_tstate *t, unsigned cls)
{
	return (struct ms_class_lifo *)(t->refs + NREFS) + cls;
}

/* 7-bit groups of a varint of v (v < 2^63) */
static inline unsigned varint_groups(uint64_t v) { return (64 - (unsigned)__builtin_clzll(v | 1) + 6) / 7; }

/* How many records back among count (the chunk's ALLOCs, or FREEs) the
 * entry r (addr's slot) says addr was written; 0 if the table does not know,
 * or if the address delta is shorter (python's chunks: a reference far back
 * cost more than a delta). An entry of this chunk was written when count
 * was its seq, or less. */
static inline uint32_t ref_back(const struct ms_tstate *t, const struct ms_addr_ref *r, uint64_t addr,
                                uint32_t count)
{
	if (r->addr != addr || r->chunk != t->enc.chunk)
		return 0;
	uint32_t back = count - r->seq;
	return varint_groups(back) < varint_groups(ms_zigzag((int64_t)(addr - t->enc.prev_addr))) ? back : 0;
}

static inline void ref_note(struct ms_tstate *t, int frees, uint64_t addr, uint32_t seq, unsigned cls)
{
	*ref_slot(t, frees, addr) = (struct ms_addr_ref){addr, seq, cls, t->enc.chunk};
}

/* ALLOC, ALLOC_REF or ALLOC_TOP, FREE or FREE_REF, after begin(): every
 * allocation and free the thread writes goes through these, so the tables
 * and classes know them. Without tables (t->refs NULL: out of memory), the
 * plain records. */
static inline uint8_t *enc_alloc(struct ms_tstate *t, uint8_t *w, uint64_t ts, uint64_t addr, uint64_t size,
                                 uint32_t stack)
{
	if (MS_UNLIKELY(!t->refs))
		return ms_enc_alloc(w, &t->enc, ts, addr, size, stack);
	unsigned cls = ms_size_class(size);
	ref_note(t, 0, addr, t->enc.nalloc, cls);
	if (cls < MS_NCLASS) {
		struct ms_class_lifo *l = class_lifo(t, cls);
		if (ms_class_top(l, t->enc.chunk) == addr) {
			ms_class_pop(l);
			return ms_enc_alloc_top(w, &t->enc, ts, addr, size, stack);
		}
	}
	uint32_t back = ref_back(t, ref_slot(t, 1, addr), addr, t->enc.nfree);
	return ms_enc_alloc_ref(w, &t->enc, ts, back, addr, size, stack);
}

/* A FREE_REF names the allocation, whose class the decoder knows: that
 * class's entries take the address. */
static inline uint8_t *enc_free(struct ms_tstate *t, uint8_t *w, uint64_t ts, uint64_t addr)
{
	if (MS_UNLIKELY(!t->refs))
		return ms_enc_free(w, &t->enc, ts, addr);
	ref_note(t, 1, addr, t->enc.nfree, MS_NCLASS);
	const struct ms_addr_ref *r = ref_slot(t, 0, addr);
	uint32_t back = ref_back(t, r, addr, t->enc.nalloc);
	if (back && r->cls < MS_NCLASS)
		ms_class_push(class_lifo(t, r->cls), t->enc.chunk, addr);
	return ms_enc_free_ref(w, &t->enc, ts, back, addr);
}

/* ---- threads ---- */

static void thread_name_record(struct ms_tstate *t, const char *name, size_t len)
{
	if (len > NAME_MAX_LEN)
		len = NAME_MAX_LEN;
	ms_spin_lock(&t->lock);
	uint64_t ts = ms_rt_now();
	uint8_t *w = begin(t, ts);
	t->p = ms_enc_thread(w, &t->enc, ts, name, len);
	ms_spin_unlock(&t->lock);
}

static void key_destructor(void *arg)
{
	struct ms_tls *tl = &ms_rt_tls;
	struct ms_tstate *t = arg;
	if (!t || tl->t != t)
		return;
	uint8_t g = tl->guard;
	tl->guard = 1;
	ms_spin_lock(&t->lock);
	uint64_t ts = ms_rt_now();
	uint8_t *w = begin(t, ts);
	t->p = ms_enc_thread_exit(w, &t->enc, ts);
	ms_spin_unlock(&t->lock);
	if (atomic_load(&t->nside))
		ms_rt_side_flush(t);
	tl->t = NULL;
	tl->exited = 1;
	/* last touch: from here the writer may free t */
	atomic_store_explicit(&t->exited, 1, memory_order_release);
	tl->guard = g;
}

void ms_rt_thread_key_init(void) { pthread_key_create(&thread_key, key_destructor); }

struct ms_tstate *ms_rt_thread_get(void)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (tl->t)
		return tl->t;
	size_t nips = ms_rt_opt.depth + MS_UNWIND_SLACK;
	struct ms_tstate *t = ms_rt_alloc(sizeof(struct ms_tstate) + (1 + MS_RECENT) * nips * sizeof(uintptr_t));
	if (!t)
		return NULL;
	t->ips = t->buf;
	for (unsigned i = 0; i < MS_RECENT; i++)
		t->recent[i].ips = t->buf + (i + 1) * nips;
	struct ms_buf *b = ms_rt_buf_get();
	if (!b) {
		ms_rt_free(t);
		return NULL;
	}
	install(t, b);
	t->full_tail = &t->full;
	t->tid = (uint32_t)ms_rt_gettid();
	t->self = (uint64_t)pthread_self();
	t->memo = ms_cfi_memo_new(ms_rt_opt.depth + MS_UNWIND_CUT_PAST + MS_UNWIND_SLACK);
	t->refs = refs_new();
	t->late = tl->exited;
	uint8_t f = tl->foreign;
	tl->foreign = 1; /* pthread_getattr_np allocates, pthread_setspecific may calloc a key block */
	ms_cfi_thread_stack(&t->stack_lo, &t->stack_hi, t->tid == (uint32_t)getpid());
	if (!t->late)
		pthread_setspecific(thread_key, t);
	tl->foreign = f;
	ms_spin_lock(&ms_rt_threads_lock);
	t->next_thread = ms_rt_threads;
	if (ms_rt_threads) {
		ms_rt_threads->prev_thread = t;
		ms_rt_clock_fine(); /* before this thread's first stamp: clock.h */
	}
	ms_rt_threads = t;
	ms_spin_unlock(&ms_rt_threads_lock);
	tl->t = t;

	char path[64], name[NAME_MAX_LEN + 2];
	char *p = ms_rt_stpcpy(path, "/proc/self/task/", sizeof path);
	p = ms_rt_fmt_u64(p, t->tid);
	ms_rt_stpcpy(p, "/comm", 8);
	ssize_t n = ms_rt_read_file(path, name, sizeof name);
	if (n < 0)
		n = 0;
	while (n > 0 && name[n - 1] == '\n')
		n--;
	thread_name_record(t, name, (size_t)n);
	return t;
}

void ms_rt_thread_renamed(uint64_t self, const char *name)
{
	size_t len = strnlen(name, 15); /* the kernel keeps 15 characters */
	if (self == (uint64_t)pthread_self()) {
		struct ms_tstate *t = ms_rt_thread_get();
		if (t)
			thread_name_record(t, name, len);
		return;
	}
	ms_spin_lock(&ms_rt_threads_lock);
	for (struct ms_tstate *t = ms_rt_threads; t; t = t->next_thread)
		if (t->self == self && !t->exited) {
			thread_name_record(t, name, len);
			break;
		}
	ms_spin_unlock(&ms_rt_threads_lock);
}

void ms_rt_thread_free(struct ms_tstate *t)
{
	ms_rt_buf_put_list(t->full);
	ms_rt_buf_put_list(t->cur);
	ms_cfi_memo_free(t->memo);
	if (t->refs)
		ms_rt_unmap(t->refs, REFS_BYTES);
	ms_rt_free(t);
}

/* ---- counters (see struct ms_tcounts) ---- */

static inline void ctr_add(_Atomic uint64_t *c, uint64_t d)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + d, memory_order_relaxed);
}

static inline void count_alloc(struct ms_tstate *t, uint64_t size)
{
	ctr_add(&t->ctr.allocs, 1);
	ctr_add(&t->ctr.live_blocks, 1);
	ctr_add(&t->ctr.live_bytes, size);
	ctr_add(&t->ctr.bytes, size);
}

static inline void count_free(struct ms_tstate *t, uint64_t size)
{
	ctr_add(&t->ctr.frees, 1);
	ctr_add(&t->ctr.live_blocks, (uint64_t)-1);
	ctr_add(&t->ctr.live_bytes, -size);
}

static void counts_add(struct ms_rt_counts *s, const struct ms_tcounts *c)
{
	s->live_bytes += atomic_load_explicit(&c->live_bytes, memory_order_relaxed);
	s->live_blocks += atomic_load_explicit(&c->live_blocks, memory_order_relaxed);
	s->allocs += atomic_load_explicit(&c->allocs, memory_order_relaxed);
	s->frees += atomic_load_explicit(&c->frees, memory_order_relaxed);
	s->bytes += atomic_load_explicit(&c->bytes, memory_order_relaxed);
}

void ms_rt_counts_retire(const struct ms_tstate *t) { counts_add(&retired, &t->ctr); }

void ms_rt_counts_sum(struct ms_rt_counts *out)
{
	ms_spin_lock(&ms_rt_threads_lock);
	*out = retired;
	for (struct ms_tstate *t = ms_rt_threads; t; t = t->next_thread)
		counts_add(out, &t->ctr);
	ms_spin_unlock(&ms_rt_threads_lock);
}

/* ---- events ---- */

static inline int same_ips(const uintptr_t *a, const uintptr_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) /* innermost first: where stacks differ */
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* The index of ips[0..n) among the thread's recent stacks, or -1. An entry
 * of an older generation (before a fork) does not count: its STACK record
 * is in the parent's trace. */
static inline int recent_find(const struct ms_tstate *t, uint32_t n)
{
	for (int i = 0; i < MS_RECENT; i++) {
		const struct ms_recent *r = &t->recent[i];
		if (r->n == n && r->gen == ms_rt_gen && same_ips(r->ips, t->ips, n))
			return i;
	}
	return -1;
}

/* e goes first; entries 0 .. i-1 move down one place over entry i. */
static inline void recent_to_front(struct ms_tstate *t, int i, struct ms_recent e)
{
	for (; i > 0; i--)
		t->recent[i] = t->recent[i - 1];
	t->recent[0] = e;
}

/* Loops allocate from a few stacks in turn (perl: 93% of its stacks are
 * one of the thread's last four, churn: all), and finding a stack among
 * them costs less than hashing it and looking it up in the shared table. */
static void stack_of_ips(struct ms_tstate *t, uint32_t n, struct ms_stackref *sr)
{
	if (!n) {
		sr->id = MS_STACK_UNKNOWN;
		return;
	}
	int i = recent_find(t, n);
	if (i >= 0) { /* its STACK record was written by the event that claimed it */
		sr->id = t->recent[i].id;
		if (i)
			recent_to_front(t, i, t->recent[i]);
		return;
	}
	sr->id = ms_stacktab_lookup(t->ips, n, &sr->claim, &t->bump);
	if (sr->id == MS_STACK_UNKNOWN)
		return;
	uintptr_t *spare = t->recent[MS_RECENT - 1].ips;
	recent_to_front(t, MS_RECENT - 1, (struct ms_recent){t->ips, n, sr->id, ms_rt_gen});
	t->ips = spare;
}

/* A path's first use: its stack's id, from its frames. */
static __attribute__((noinline)) void stack_of_path(struct ms_tstate *t, struct ms_stackpath *path,
                                                    struct ms_stackref *sr)
{
	stack_of_ips(t, ms_rt_unwind_path(t, ms_rt_opt.depth, path), sr);
	if (sr->id != MS_STACK_UNKNOWN)
		ms_stackpath_set_id(path, sr->id);
}

/* A walk that reuses the outer frames of the thread's previous one gives
 * the stack as a path: known paths carry their stack's id. */
void ms_rt_stack_capture(struct ms_tstate *t, void *ra, const void *frame, struct ms_stackref *sr)
{
	struct ms_stackpath *path;
	uint32_t n = ms_rt_unwind(t, ms_rt_opt.depth, ra, frame, &path);
	sr->claim = NULL;
	if (MS_LIKELY(path != NULL)) {
		sr->id = ms_stackpath_id(path, &sr->claim);
		if (MS_UNLIKELY(sr->id == MS_STACK_UNKNOWN))
			stack_of_path(t, path, sr);
		return;
	}
	stack_of_ips(t, n, sr);
}

static inline uint8_t *put_stack(uint8_t *w, const struct ms_stackref *sr)
{
	if (MS_UNLIKELY(sr->claim != NULL))
		w = ms_enc_stack(w, sr->id, sr->claim->ips, sr->claim->n);
	return w;
}

/* The size an event records: the estimate a sample stands for. */
static inline uint64_t recorded_size(size_t size)
{
	return MS_UNLIKELY(ms_rt_opt.sample_rate != 0) ? ms_rt_sample_bytes(size) : size;
}

void ms_rt_rec_alloc(struct ms_tstate *t, void *p, size_t real_size, const struct ms_stackref *sr)
{
	uint64_t size = recorded_size(real_size);
	ms_spin_lock(&t->lock);
	uint64_t ts = ms_rt_now();
	uint8_t *w = put_stack(begin(t, ts), sr);
	t->p = enc_alloc(t, w, ts, (uintptr_t)p, size, sr->id);
	ms_livetab_insert((uintptr_t)p, size, sr->id);
	ms_spin_unlock(&t->lock);
	count_alloc(t, size);
}

void ms_rt_rec_alloc_failed(struct ms_tstate *t, const struct ms_stackref *sr)
{
	ms_spin_lock(&t->lock);
	t->p = put_stack(begin(t, ms_rt_now()), sr);
	ms_spin_unlock(&t->lock);
}

void ms_rt_rec_event(struct ms_tstate *t, uint64_t weight, const struct ms_stackref *sr)
{
	ms_spin_lock(&t->lock);
	uint64_t ts = ms_rt_now();
	uint8_t *w = put_stack(begin(t, ts), sr);
	t->p = ms_enc_event(w, &t->enc, ts, weight, sr->id);
	ms_spin_unlock(&t->lock);
}

/* The caller frees p right after. The block leaves the live table first
 * (the thread lock is not needed for that, and most frees of a sampled run
 * end there), then FREE is stamped under the thread lock. */
void ms_rt_rec_free(struct ms_tstate *t, void *p)
{
	struct ms_live old;
	if (!ms_livetab_remove((uintptr_t)p, &old))
		return;
	ms_spin_lock(&t->lock);
	uint64_t ts = ms_rt_now();
	uint8_t *w = begin(t, ts);
	t->p = enc_free(t, w, ts, (uintptr_t)p);
	count_free(t, old.size);
	ms_spin_unlock(&t->lock);
}

/* The real realloc, with old taken out of the live table before it (once
 * realloc has released old, another thread may get the same address and
 * insert it) and put back if realloc failed and left old alone. Thread lock
 * held. Returns realloc's result; *had says whether old was live. */
static void *realloc_unlinked(void *old, size_t size, struct ms_live *was, int *had)
{
	*had = ms_livetab_remove((uintptr_t)old, was);
	void *p = ms_rt_real.realloc(old, size);
	/* glibc's realloc(p, 0) frees p and returns NULL; any other NULL is a
	 * failure that left p alone. */
	if (!p && size != 0 && *had) {
		ms_livetab_insert(was->addr, was->size, was->stack);
		*had = 0;
	}
	return p;
}

void *ms_rt_rec_realloc(struct ms_tstate *t, void *old, size_t real_size, const struct ms_stackref *sr)
{
	struct ms_live was;
	int had;
	uint64_t size = recorded_size(real_size);
	ms_spin_lock(&t->lock);
	uint64_t ts0 = ms_rt_now();
	void *p = realloc_unlinked(old, real_size, &was, &had);
	if (!p) {
		if (had) {
			uint8_t *w = begin(t, ts0);
			t->p = enc_free(t, w, ts0, (uintptr_t)old);
			count_free(t, was.size);
		}
		ms_spin_unlock(&t->lock);
		return p;
	}
	uint64_t ts1 = ms_rt_now();
	uint8_t *w = put_stack(begin(t, ts0), sr);
	if (had) {
		w = ms_enc_realloc(w, &t->enc, ts0, ts1, (uintptr_t)old, (uintptr_t)p, size, sr->id);
		count_free(t, was.size);
	} else {
		w = enc_alloc(t, w, ts1, (uintptr_t)p, size, sr->id);
	}
	t->p = w;
	ms_livetab_insert((uintptr_t)p, size, sr->id);
	ms_spin_unlock(&t->lock);
	count_alloc(t, size);
	return p;
}

void *ms_rt_rec_realloc_unsampled(struct ms_tstate *t, void *old, size_t size)
{
	struct ms_live was;
	int had;
	ms_spin_lock(&t->lock);
	uint64_t ts0 = ms_rt_now();
	void *p = realloc_unlinked(old, size, &was, &had);
	if (had && (p || size == 0)) {
		uint8_t *w = begin(t, ts0);
		t->p = enc_free(t, w, ts0, (uintptr_t)old);
		count_free(t, was.size);
	}
	ms_spin_unlock(&t->lock);
	return p;
}

/* ---- mappings (--mmap) ---- */

void ms_rt_rec_mmap(struct ms_tstate *t, uint64_t addr, uint64_t len, const struct ms_stackref *sr)
{
	ms_spin_lock(&t->lock);
	uint64_t ts = ms_rt_now();
	uint8_t *w = put_stack(begin(t, ts), sr);
	t->p = ms_enc_mmap(w, &t->enc, ts, addr, len, MS_MAP_ANON, sr->id);
	ms_spin_unlock(&t->lock);
}

uint64_t ms_rt_map_call_begin(struct ms_tstate *t)
{
	ms_spin_lock(&t->lock);
	return ms_rt_now();
}

void ms_rt_map_call_end(struct ms_tstate *t, const struct ms_map_change *c, const struct ms_stackref *sr)
{
	uint64_t ts1 = ms_rt_now();
	uint8_t *w = put_stack(begin(t, c->ts), sr); /* claimed: defined even when nothing changed */
	switch (c->kind) {
	case MS_REC_MMAP:
		w = ms_enc_mmap(w, &t->enc, ts1, c->new_addr, c->new_len, MS_MAP_BRK, sr->id);
		break;
	case MS_REC_MUNMAP:
		w = ms_enc_munmap(w, &t->enc, c->ts, c->old_addr, c->old_len);
		break;
	case MS_REC_MREMAP:
		w = ms_enc_mremap(w, &t->enc, c->ts, ts1, c->old_addr, c->new_addr, c->old_len, c->new_len, sr->id);
		break;
	default: /* the call failed or changed nothing */
		break;
	}
	t->p = w;
	ms_spin_unlock(&t->lock);
}

/* ---- signal handlers nested in a hook ---- */

int ms_rt_side_push(struct ms_tstate *t, int kind, void *a, void *b, size_t size)
{
	/* reserve first: a handler nested in this handler takes the next slot */
	int i = atomic_fetch_add(&t->nside, 1);
	if (i >= MS_SIDE_CAP)
		return 0;
	t->side[i].kind = (uint8_t)kind;
	t->side[i].a = a;
	t->side[i].b = b;
	t->side[i].size = size;
	return 1;
}

static void side_one(struct ms_tstate *t, const struct ms_side *s)
{
	void *deferred = NULL;
	struct ms_live was;
	ms_spin_lock(&t->lock);
	uint64_t ts = ms_rt_now();
	uint8_t *w = t->p;
	switch (s->kind) {
	case MS_SIDE_ALLOC: {
		if (ms_rt_opt.sample_rate && !ms_rt_sampled(&ms_rt_tls, s->size))
			break;
		uint64_t size = recorded_size(s->size);
		w = begin(t, ts);
		w = enc_alloc(t, w, ts, (uintptr_t)s->b, size, MS_STACK_UNKNOWN);
		ms_livetab_insert((uintptr_t)s->b, size, MS_STACK_UNKNOWN);
		count_alloc(t, size);
		break;
	}
	case MS_SIDE_FREE:
		deferred = s->a;
		/* fall through */
	default: /* the real free already happened */
		if (ms_livetab_remove((uintptr_t)s->a, &was)) {
			w = begin(t, ts);
			w = enc_free(t, w, ts, (uintptr_t)s->a);
			count_free(t, was.size);
		}
		break;
	case MS_SIDE_REALLOC: {
		int had = ms_livetab_remove((uintptr_t)s->a, &was);
		if (had)
			count_free(t, was.size);
		if (ms_rt_opt.sample_rate && !ms_rt_sampled(&ms_rt_tls, s->size)) {
			if (had)
				w = enc_free(t, begin(t, ts), ts, (uintptr_t)s->a);
			break;
		}
		uint64_t size = recorded_size(s->size);
		w = begin(t, ts);
		if (had)
			w = ms_enc_realloc(w, &t->enc, ts, ts, (uintptr_t)s->a, (uintptr_t)s->b, size, MS_STACK_UNKNOWN);
		else
			w = enc_alloc(t, w, ts, (uintptr_t)s->b, size, MS_STACK_UNKNOWN);
		ms_livetab_insert((uintptr_t)s->b, size, MS_STACK_UNKNOWN);
		count_alloc(t, size);
		break;
	}
	}
	t->p = w;
	ms_spin_unlock(&t->lock);
	if (deferred)
		ms_rt_real.free(deferred);
}

void ms_rt_side_flush(struct ms_tstate *t)
{
	int done = 0;
	for (;;) {
		int n = atomic_load(&t->nside);
		for (int i = done; i < n && i < MS_SIDE_CAP; i++)
			side_one(t, &t->side[i]);
		done = n;
		if (atomic_compare_exchange_strong(&t->nside, &n, 0))
			return;
	}
}

/* ---- fork ---- */

void ms_rt_threads_fork_prepare(void)
{
	ms_spin_lock(&ms_rt_threads_lock);
	for (struct ms_tstate *t = ms_rt_threads; t; t = t->next_thread)
		ms_spin_lock(&t->lock);
	ms_livetab_lock_all();
	ms_rt_pool_lock();
}

void ms_rt_threads_fork_parent(void)
{
	ms_rt_pool_unlock();
	ms_livetab_unlock_all();
	for (struct ms_tstate *t = ms_rt_threads; t; t = t->next_thread)
		ms_spin_unlock(&t->lock);
	ms_spin_unlock(&ms_rt_threads_lock);
}

/* Child: only the forking thread exists. Events buffered before the fork
 * belong to the parent's trace (the parent writes them): drop them here. */
void ms_rt_threads_fork_child(void)
{
	struct ms_tstate *self = ms_rt_tls.t;
	ms_rt_pool_unlock();
	ms_livetab_unlock_all();
	struct ms_tstate *t = ms_rt_threads, *next;
	ms_rt_threads = NULL;
	for (; t; t = next) {
		next = t->next_thread;
		ms_spin_reset(&t->lock);
		if (t != self) {
			ms_rt_counts_retire(t); /* their blocks stay live in the child */
			ms_rt_thread_free(t);
			continue;
		}
		ms_rt_buf_put_list(t->full);
		t->full = NULL;
		t->full_tail = &t->full;
		t->p = t->start;
		atomic_store(&t->nside, 0);
		t->tid = (uint32_t)ms_rt_gettid();
		t->self = (uint64_t)pthread_self();
		t->next_thread = t->prev_thread = NULL;
		ms_rt_threads = t;
	}
	ms_spin_reset(&ms_rt_threads_lock);
}

struct redeclare {
	struct ms_tstate *t;
	uint64_t blocks, bytes;
};

static void redeclare_one(const struct ms_live *e, void *ctx)
{
	struct redeclare *rd = ctx;
	struct ms_tstate *t = rd->t;
	struct ms_stackref sr = {e->stack, ms_stacktab_claim(e->stack)};
	uint64_t ts = ms_rt_now();
	uint8_t *w = put_stack(begin(t, ts), &sr);
	t->p = enc_alloc(t, w, ts, e->addr, e->size, e->stack);
	rd->blocks++;
	rd->bytes += e->size;
}

static uint64_t minus_or_zero(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

/* The child's totals start from the parent's whole history, as memcheck's
 * do: the re-declared blocks stand for part of it, INHERITED for the rest
 * (the counters were folded into the child's sum at fork). */
void ms_rt_redeclare_live(struct ms_tstate *t)
{
	struct ms_rt_counts sum;
	ms_rt_counts_sum(&sum);
	struct redeclare rd = {t, 0, 0};
	ms_spin_lock(&t->lock);
	ms_livetab_foreach(redeclare_one, &rd);
	ms_spin_unlock(&t->lock);
	uint8_t *w = ms_rt_wrec_begin(MS_ENC_INHERITED_MAX);
	if (w)
		ms_rt_wrec_end(ms_enc_inherited(w, minus_or_zero(sum.allocs, rd.blocks), sum.frees,
		                                minus_or_zero(sum.bytes, rd.bytes)));
}
