/* Internal interface of the runtime (libmemscope.so): global state, the
 * per-thread state, and the functions each runtime file provides. Nothing
 * here is exported from the library; only hooks.c defines public symbols.
 *
 * Lock order (fork's prepare takes them in this order): round lock ->
 * thread list -> each thread's buffer lock -> livetab shards -> livetab
 * region -> livetab side table -> buffer pool -> modules lock -> writer
 * records lock -> arena. */
#ifndef MS_RT_RT_H
#define MS_RT_RT_H

#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/spin.h"
#include "trace/encode.h"

#define MS_LIKELY(x) __builtin_expect(!!(x), 1)
#define MS_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- global state ---- */
enum ms_rt_state {
	MS_ST_OFF = 0,      /* not initialized yet */
	MS_ST_INIT = 1,     /* one thread is initializing */
	MS_ST_READY = 2,    /* recording */
	MS_ST_DISABLED = 3, /* no trace (cannot write it, or it ended): pass through */
};
extern _Atomic int ms_rt_state;
extern uint32_t ms_rt_gen; /* trace generation: bumped in a fork child (new file) */
extern pid_t ms_rt_pid;    /* pid the current trace belongs to */

/* ---- options (options.c) ---- */
struct ms_rt_options {
	char output[PATH_MAX]; /* MEMSCOPE_OUTPUT, or "" for the default name */
	int64_t root_pid;      /* MEMSCOPE_ROOT_PID, 0 if unset */
	uint32_t depth;        /* MEMSCOPE_DEPTH */
	int follow;            /* MEMSCOPE_FOLLOW */
	int zstd_level;        /* MEMSCOPE_ZSTD_LEVEL */
	int post_exec;         /* MEMSCOPE_POST_EXEC named our pid */
	uint64_t sample_rate;  /* MEMSCOPE_SAMPLE_RATE: mean bytes between samples, 0 = every allocation */
	int mmap;              /* MEMSCOPE_MMAP: record anonymous mmap/munmap/mremap and brk */
	int libunwind;         /* MEMSCOPE_LIBUNWIND: no .eh_frame walk (cfi.c) */
};
extern struct ms_rt_options ms_rt_opt;
void ms_rt_options_load(void);
/* Fills path (PATH_MAX) with the trace path of process pid. */
void ms_rt_trace_path(char *path, pid_t pid);
/* Edits environ once at init: drops MEMSCOPE_POST_EXEC, adds
 * MEMSCOPE_ROOT_PID when an output is set, removes us from LD_PRELOAD when
 * MEMSCOPE_FOLLOW=0. */
void ms_rt_environ_fixup(void);
/* Returns a copy of env (arena memory, or NULL) with MEMSCOPE_POST_EXEC=pid
 * replacing any previous one; free with ms_rt_free. */
char **ms_rt_env_with_post_exec(char *const *env);

/* ---- the real allocator (hooks.c) ---- */
struct ms_rt_real {
	void *(*malloc)(size_t);
	void (*free)(void *);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
};
extern struct ms_rt_real ms_rt_real;
/* Fills ms_rt_real with dlsym(RTLD_NEXT) (guard and foreign set). */
void ms_rt_resolve_real(void);
/* Reentrancy state in initial-exec TLS. guard: this thread is inside a hook
 * (or is the writer). foreign: the nested calls are the runtime's own (dlsym,
 * pthread_create, ...) and pass through unrecorded; without it a nested call
 * comes from a signal handler and goes to the side array. */
struct ms_tls {
	uint8_t guard;
	uint8_t foreign;
	uint8_t exited; /* the thread's key destructor ran */
	uint8_t stop_pending; /* a snapshot's stop signal came inside a hook: park at its exit */
	uint8_t sample_ready; /* sample_left and rng are seeded */
	struct ms_tstate *t;
	int64_t sample_left;  /* sampling: bytes still to allocate before the next sample */
	uint64_t rng;         /* sampling: this thread's xorshift state */
};
extern __thread struct ms_tls ms_rt_tls __attribute__((tls_model("initial-exec")));

/* ---- sampling (sample.c) ---- */
int ms_rt_sample_slow(struct ms_tls *tl, size_t size);
/* Sampling mode: 1 if an allocation of size bytes is a sample. The budget
 * only ever counts down here; the draw is out of line. */
static inline int ms_rt_sampled(struct ms_tls *tl, size_t size)
{
	if ((uint64_t)size < (uint64_t)tl->sample_left) {
		tl->sample_left -= (int64_t)size;
		return 0;
	}
	return ms_rt_sample_slow(tl, size);
}
/* Sampling mode: the bytes a sample of size bytes stands for. */
uint64_t ms_rt_sample_bytes(size_t size);

/* dlopen with RTLD_DEEPBIND (rebind.c): name, our hook, and the next
 * definition (dlsym RTLD_NEXT, or NULL); entries with ours NULL are skipped. */
struct ms_rt_rebind {
	const char *name;
	void *ours;
	void *next;
};
/* Points the GOT slots of every object of the base namespace (except ours)
 * that bind a name of tab to its next definition or to a lazy stub at our
 * hook. Returns the number of slots changed. Allocation-free. */
int ms_rt_rebind_gots(const struct ms_rt_rebind *tab, size_t n);

/* bootstrap memory for calls made before the real allocator is known */
#define MS_BOOT_SIZE (256u << 10)
extern uint8_t ms_rt_boot_area[MS_BOOT_SIZE] __attribute__((visibility("hidden")));
void *ms_rt_boot_alloc(size_t size, size_t align);
/* Inline: every free asks. */
static inline int ms_rt_is_boot(const void *p)
{
	return (uintptr_t)p - (uintptr_t)ms_rt_boot_area < MS_BOOT_SIZE;
}
size_t ms_rt_boot_size(const void *p);

/* ---- stack table (stacktab.c) ---- */
struct ms_stacknode {
	uint64_t hash;
	uint32_t id;
	uint32_t n;
	_Atomic uint32_t gen; /* generation whose trace has (or will get) its STACK record */
	uint32_t pad;
	uintptr_t ips[];
};
struct ms_bump {
	uint8_t *p, *end;
};
int ms_stacktab_init(void);
void ms_stacktab_fork_child(void);
/* Returns the id of ips[0..n) (n > 0), inserting it if new. *claim is set
 * when the caller must write the STACK record into the current trace (first
 * use in this generation), else NULL. A known stack takes no lock, a new
 * one the table's insert lock; nodes come from bump. */
uint32_t ms_stacktab_lookup(const uintptr_t *ips, uint32_t n, struct ms_stacknode **claim, struct ms_bump *bump);
/* Node of id, or NULL. */
struct ms_stacknode *ms_stacktab_get(uint32_t id);
/* Claims id for the current generation: returns its node if the caller must
 * write its STACK record, else NULL. */
struct ms_stacknode *ms_stacktab_claim(uint32_t id);
void *ms_rt_bump_alloc(struct ms_bump *b, size_t size);
/* A stack as a path from its outermost frame (stacktab.c): the node of ip
 * is the stack from ip outward, parent NULL when ip is the outermost. */
struct ms_stackpath {
	uint64_t hash; /* of (parent, ip) */
	uintptr_t ip;
	struct ms_stackpath *parent;
	uint32_t len; /* frames from ip outward */
	uint32_t pad;
	struct ms_stacknode *_Atomic stack; /* its entry in the stack table, once known */
};
/* The node of ip called from parent's stack, made if new; NULL if out of
 * memory. A known one takes no lock. */
struct ms_stackpath *ms_stackpath_child(struct ms_stackpath *parent, uintptr_t ip);
/* The id of p's stack and its claim (see ms_stacktab_lookup), or
 * MS_STACK_UNKNOWN while p has not been given one. */
uint32_t ms_stackpath_id(struct ms_stackpath *p, struct ms_stacknode **claim);
void ms_stackpath_set_id(struct ms_stackpath *p, uint32_t id);
/* p's innermost frames, up to cap, innermost first; returns the count. */
uint32_t ms_stackpath_ips(const struct ms_stackpath *p, uintptr_t *ips, uint32_t cap);

/* ---- live blocks (livetab.c) ---- */
struct ms_live {
	uint64_t addr;
	uint64_t size;
	uint32_t stack;
};
int ms_livetab_init(void);
void ms_livetab_insert(uint64_t addr, uint64_t size, uint32_t stack);
/* Starts fetching addr's slot into the cache: a hook calls it as early as it
 * knows the address, so that the table's cache miss (the table is larger
 * than the cache once a program holds ~100k blocks) overlaps other work. */
void ms_livetab_prefetch(uint64_t addr);
static inline uint64_t ms_livetab_hash(uint64_t a)
{
	a *= 0x9E3779B97F4A7C15ull;
	return a ^ (a >> 29);
}
/* Sampling mode: a counting filter over the table's addresses (livetab.c). */
#define MS_LIVETAB_FILTER_BITS 16
extern _Atomic uint16_t ms_livetab_filter[1u << MS_LIVETAB_FILTER_BITS] __attribute__((visibility("hidden")));
static inline _Atomic uint16_t *ms_livetab_filter_of(uint64_t h)
{
	return &ms_livetab_filter[(h >> 32) & ((1u << MS_LIVETAB_FILTER_BITS) - 1)];
}
/* Sampling mode only: 0 if addr is certainly not in the table (for a block
 * the caller owns), 1 if it may be. Inline: every free of a sampled run
 * asks. */
static inline int ms_livetab_maybe_live(uint64_t addr)
{
	return atomic_load_explicit(ms_livetab_filter_of(ms_livetab_hash(addr)), memory_order_relaxed) != 0;
}
/* Returns 1 and fills *out (may be NULL) if addr was live, removing it. */
int ms_livetab_remove(uint64_t addr, struct ms_live *out);
/* Calls fn for each live block; only without concurrent writers (fork child). */
void ms_livetab_foreach(void (*fn)(const struct ms_live *, void *), void *ctx);
void ms_livetab_lock_all(void);
void ms_livetab_unlock_all(void);

/* ---- unwinding (unwind.c, cfi.c) ---- */
void ms_rt_unwind_init(void);
/* Captures the calling thread's stack into t->ips (depth + MS_UNWIND_SLACK
 * slots) starting at the frame whose return address is ra; returns the
 * count. */
#define MS_UNWIND_SLACK 16
#define MS_UNWIND_CUT_PAST 4 /* frames past the depth where main()'s wrapper is looked for */
struct ms_tstate;
/* When the walk knows the stack as a path, *path is set and the stack is
 * the path's innermost depth frames (the rest of t->ips is not kept): see
 * ms_rt_unwind_path for them. */
uint32_t ms_rt_unwind(struct ms_tstate *t, uint32_t depth, void *ra, const void *frame, struct ms_stackpath **path);
/* Fills t->ips with path's stack as ms_rt_unwind would have; the count. */
uint32_t ms_rt_unwind_path(struct ms_tstate *t, uint32_t depth, const struct ms_stackpath *path);
/* The .eh_frame walk (cfi.c): up to cap frames from the one whose return
 * address is ra (found within slack frames), or -1 when it cannot follow
 * this stack and libunwind must. [lo, hi) bounds the thread's stack; memo
 * (or NULL) keeps the thread's previous walk. frame, if not NULL, is
 * __builtin_frame_address(0) of a function of ours that is still running
 * (built with frame pointers): the walk starts at its caller instead of
 * here, and skips the frames in between without looking up their rules.
 * When the walk (with a memo) reaches the outermost frame, *path is set to
 * the stack's path and the return value is its length, which may exceed
 * cap: ips then holds only the new inner frames. */
struct ms_cfi_memo;
int ms_cfi_init(void);
int ms_cfi_walk(uintptr_t *ips, uint32_t cap, uint32_t slack, uintptr_t ra, const void *frame, uintptr_t lo,
                uintptr_t hi, struct ms_cfi_memo *memo, struct ms_stackpath **path);
/* A memo for walks of up to frames frames, the skipped ones included. */
struct ms_cfi_memo *ms_cfi_memo_new(uint32_t frames);
void ms_cfi_memo_free(struct ms_cfi_memo *m);
/* dlclose: forget the rules computed so far. */
void ms_cfi_forget(void);
/* The calling thread's stack; call once per thread, with the guard set. */
void ms_cfi_thread_stack(uintptr_t *lo, uintptr_t *hi, int main_thread);

/* ---- per-thread recording (recorder.c) ---- */
#define MS_BUF_SIZE (64u << 10)
struct ms_buf {
	struct ms_buf *next;
	uint32_t len;
	uint32_t pad;
	uint64_t first_ts; /* the stamp of its CHUNK */
	uint8_t data[MS_BUF_SIZE];
};

/* FREE: the real free is deferred to the flush; FREED: it already happened. */
enum ms_side_kind { MS_SIDE_ALLOC = 1, MS_SIDE_FREE, MS_SIDE_FREED, MS_SIDE_REALLOC };
struct ms_side {
	uint8_t kind;
	void *a, *b; /* ALLOC: b; FREE: a (real free deferred); REALLOC: a -> b */
	size_t size;
};
#define MS_SIDE_CAP 64

/* Heap counters for the stats page. Per thread: written only by the owner
 * thread (relaxed load + store, no locked instruction), read racily by the
 * writer thread. A thread that frees another thread's block decrements its
 * own live counters, so one thread's live values may wrap below zero: only
 * the (modular) sum over all threads means something. */
struct ms_rt_counts {
	uint64_t live_bytes, live_blocks, allocs, frees, bytes;
};
struct ms_tcounts {
	_Atomic uint64_t live_bytes, live_blocks, allocs, frees;
	_Atomic uint64_t bytes; /* allocated in total, for a fork child's history */
};

#define MS_RECENT 4
struct ms_tstate {
	ms_spin lock;             /* owner, writer, and renamers only */
	struct ms_tcounts ctr;    /* owner-written, see struct ms_tcounts */
	uint32_t tid;
	uint8_t *p, *start, *end; /* write position in cur (end leaves room for one record) */
	struct ms_buf *cur;
	struct ms_buf *full, **full_tail;
	struct ms_enc_state enc;
	_Atomic int exited;       /* THREAD_EXIT written; the writer reaps it */
	int late;                 /* registered after its destructor ran */
	uint64_t self;            /* pthread_self() */
	uintptr_t stack_lo, stack_hi; /* bounds of the reads of a stack walk */
	struct ms_cfi_memo *memo; /* its previous stack walk (cfi.c) */
	struct ms_addr_ref *refs; /* recent addresses of its chunk (recorder.c), or NULL */
	struct ms_tstate *next_thread, *prev_thread;
	struct ms_bump bump;      /* stack nodes */
	_Atomic int nside;
	struct ms_side side[MS_SIDE_CAP];
	/* The stack being captured, and the last MS_RECENT stacks captured
	 * with their ids, most recent first (recorder.c). Buffers of depth +
	 * MS_UNWIND_SLACK words in buf; they change places, never contents. */
	uintptr_t *ips;
	struct ms_recent {
		uintptr_t *ips;
		uint32_t n, id, gen;
	} recent[MS_RECENT];
	uintptr_t buf[];
};

struct ms_stackref {
	uint32_t id;
	struct ms_stacknode *claim;
};

/* Returns this thread's state, registering it on first use (NULL if out of
 * memory). Call with the guard set. */
struct ms_tstate *ms_rt_thread_get(void);
void ms_rt_thread_key_init(void);
/* The stack from the frame whose return address is ra; frame: see
 * ms_cfi_walk (the hook's __builtin_frame_address(0), or NULL). */
void ms_rt_stack_capture(struct ms_tstate *t, void *ra, const void *frame, struct ms_stackref *sr);
void ms_rt_rec_alloc(struct ms_tstate *t, void *p, size_t size, const struct ms_stackref *sr);
/* The allocation failed after sr was claimed: writes the STACK record alone. */
void ms_rt_rec_alloc_failed(struct ms_tstate *t, const struct ms_stackref *sr);
/* Records the free of p if it is live (ts taken before the caller's real free). */
void ms_rt_rec_free(struct ms_tstate *t, void *p);
/* Real realloc with the recording around it (ordering contract). */
void *ms_rt_rec_realloc(struct ms_tstate *t, void *old, size_t size, const struct ms_stackref *sr);
/* Sampling mode, the new block is not a sample: real realloc, and FREE of
 * old if old was one. */
void *ms_rt_rec_realloc_unsampled(struct ms_tstate *t, void *old, size_t size);
/* --mmap: an anonymous mapping made (stamped after the call returned). */
void ms_rt_rec_mmap(struct ms_tstate *t, uint64_t addr, uint64_t len, const struct ms_stackref *sr);
/* --mmap, a call that may release mappings (munmap, mremap, brk): as with
 * realloc, it runs between ms_rt_map_call_begin (thread lock taken,
 * returns the stamp, taken before the call) and ms_rt_map_call_end, which
 * writes what changed (kind: MS_REC_MUNMAP at ts, MS_REC_MREMAP, or
 * MS_REC_MMAP for a break that grew; 0: nothing) and the claimed stack, and
 * unlocks. Another thread that gets the released addresses stamps later. */
struct ms_map_change {
	int kind;
	uint64_t ts;
	uint64_t old_addr, old_len, new_addr, new_len;
};
uint64_t ms_rt_map_call_begin(struct ms_tstate *t);
void ms_rt_map_call_end(struct ms_tstate *t, const struct ms_map_change *c, const struct ms_stackref *sr);
/* Nested (signal handler inside a hook): queue for the outer hook. Returns 0
 * if the side array is full. */
int ms_rt_side_push(struct ms_tstate *t, int kind, void *a, void *b, size_t size);
/* Leaves the hook: flushes side events, clears the guard. */
void ms_rt_side_flush(struct ms_tstate *t);
void ms_sw_park(void);
static inline void ms_rt_leave(struct ms_tstate *t)
{
	if (MS_UNLIKELY(atomic_load_explicit(&t->nside, memory_order_relaxed)))
		ms_rt_side_flush(t);
	atomic_signal_fence(memory_order_seq_cst);
	ms_rt_tls.guard = 0;
	atomic_signal_fence(memory_order_seq_cst);
	if (MS_UNLIKELY(ms_rt_tls.stop_pending))
		ms_sw_park(); /* stopworld.c: every lock of this hook is released */
}
/* THREAD record with a new name for the thread of pthread handle self (any
 * thread; found in the list). */
void ms_rt_thread_renamed(uint64_t self, const char *name);
/* Writer: grabs all buffers of t (locked by the caller) into *list. */
void ms_rt_thread_take(struct ms_tstate *t, struct ms_buf ***tail);
/* Buffer pool. */
struct ms_buf *ms_rt_buf_get(void);
void ms_rt_buf_put_list(struct ms_buf *b);
/* Thread list (lock + head) for the writer and fork. */
extern ms_spin ms_rt_threads_lock;
extern struct ms_tstate *ms_rt_threads;
void ms_rt_threads_fork_prepare(void);
void ms_rt_threads_fork_parent(void);
void ms_rt_threads_fork_child(void);
/* Writes STACK + ALLOC for every live block into this thread's buffer (fork
 * child's first chunk). */
void ms_rt_redeclare_live(struct ms_tstate *t);
/* Reaps exited threads (writer, thread list locked): frees their state. */
void ms_rt_thread_free(struct ms_tstate *t);
void ms_rt_pool_lock(void);
void ms_rt_pool_unlock(void);
/* Folds the counters of t (leaving the thread list, threads lock held) into
 * the retired total. */
void ms_rt_counts_retire(const struct ms_tstate *t);
/* Sums retired + every listed thread's counters (takes the threads lock). */
void ms_rt_counts_sum(struct ms_rt_counts *out);

/* ---- stats page (statspage.c) ---- */
/* Creates /memscope.<pid> (silently nothing if impossible). */
void ms_rt_statspage_open(void);
int ms_rt_statspage_active(void);
/* Writer thread: publishes the summed counters. */
void ms_rt_statspage_publish(void);
/* Unlinks the name (exit, _exit, abort, before exec). */
void ms_rt_statspage_remove(void);
/* Fork child: forgets the parent's page, creates its own. */
void ms_rt_statspage_fork_child(void);

/* ---- writer (writer.c) ---- */
/* Opens the trace file and writes the header and start records. Returns 0 or
 * a negative errno (a message was printed). */
int ms_rt_writer_open(uint32_t flags);
int ms_rt_writer_start(void); /* starts the writer thread */
void ms_rt_writer_wake(void);
/* Stops and joins the writer thread (exit path). */
void ms_rt_writer_stop(void);
/* Runs a round now from the calling thread; final writes ROUND(UINT64_MAX). */
void ms_rt_round(int final);
/* END record and close; later events are dropped. */
void ms_rt_writer_end(int reason, int status);
/* exec: flush + EXEC record + rename; returns with the round lock held. */
void ms_rt_writer_exec_begin(const char *path);
void ms_rt_writer_exec_failed(void);
/* Appends writer records (absolute values) to the pending buffer. */
uint8_t *ms_rt_wrec_begin(size_t need);
void ms_rt_wrec_end(uint8_t *end);
void ms_rt_writer_fork_prepare(void);
void ms_rt_writer_fork_parent(void);
/* Fork child: new file OUTPUT.<pid>, FORKED flag, restart the thread. */
void ms_rt_writer_fork_child(void);
extern _Atomic int ms_rt_ended; /* END written: rotation drops events */
/* 1 once the writer thread has its name (a stop tells it by the name), or
 * when it could not start */
extern _Atomic int ms_rt_writer_named;

/* ---- modules and process records (modules.c) ---- */
/* Emits MODULE_LOAD/UNLOAD for changes since the last call (all when
 * force_all, e.g. in a new trace file). Takes the modules lock. */
void ms_rt_modules_sync(int force_all);
void ms_rt_process_record(void);
void ms_rt_counters_record(uint64_t ts, uint64_t *peak_rss);
void ms_rt_modules_lock(void);
void ms_rt_modules_unlock(void);

/* ---- lifecycle (lifecycle.c) ---- */
/* Initializes once; returns 1 if recording. Safe to call from any hook. */
int ms_rt_init(void);
void ms_rt_exit_status(int status);
void ms_rt_on__exit(int status);
/* abort() or a failed assert: final round, END(abort). Does nothing when
 * called inside a hook (a handler interrupting us may hold our locks). */
void ms_rt_on_abort(void);
/* exec wrappers: returns the env to pass (maybe a new array), or NULL to
 * forward untouched. */
char **ms_rt_exec_prepare(const char *path, char *const *envp, int *prepared);
void ms_rt_exec_failed(char **newenv, int prepared);

#endif
