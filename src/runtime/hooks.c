/* Every interposed symbol of libmemscope.so, and nothing else exported. Each
 * hook forwards to the real function (dlsym RTLD_NEXT) and to the recorder.
 * Fast path: guard clear and state READY. Anything else (before init, nested
 * calls from our own code or from a signal handler, no trace) goes to a
 * noinline slow path. dlopen is an assembly trampoline that only steps in
 * for RTLD_DEEPBIND (see there): glibc's dlopen resolves $ORIGIN/RUNPATH and
 * namespaces from its caller's address; rounds and the dlclose hook catch
 * module changes. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/clock.h"
#include "runtime/rt.h"

#define EXPORT __attribute__((visibility("default")))
#define INLINE static inline __attribute__((always_inline))
#define RA() __builtin_return_address(0)
/* where the stack walk can start: see ms_cfi_walk */
#define FRAME() __builtin_frame_address(0)

extern char **environ;

struct ms_rt_real ms_rt_real;

static int (*real_dlclose)(void *);
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static int (*real_fexecve)(int, char *const[], char *const[]);
static void (*real_exit)(int) __attribute__((noreturn));
static void (*real__exit)(int) __attribute__((noreturn));
static void (*real__Exit)(int) __attribute__((noreturn));
static void (*real_abort)(void) __attribute__((noreturn));
static void (*real_assert_fail)(const char *, const char *, unsigned, const char *) __attribute__((noreturn));
static void (*real_assert_perror_fail)(int, const char *, unsigned, const char *) __attribute__((noreturn));
static int (*real_setname)(pthread_t, const char *);
static int (*real_prctl)(int, unsigned long, unsigned long, unsigned long, unsigned long);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static int (*real_munmap)(void *, size_t);
static void *(*real_mremap)(void *, size_t, size_t, int, ...);
static int (*real_brk)(void *);
static void *(*real_sbrk)(intptr_t);
typedef int (*main_fn)(int, char **, char **);
static int (*real_start_main)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);

/* Looks a symbol up with our own allocations passing through. */
static void *next_sym(const char *name, void *where)
{
	struct ms_tls *tl = &ms_rt_tls;
	uint8_t g = tl->guard, f = tl->foreign;
	tl->guard = 1;
	tl->foreign = 1;
	void *p = dlsym(where, name);
	tl->guard = g;
	tl->foreign = f;
	return p;
}

void ms_rt_resolve_real(void)
{
#define R(var, name) (*(void **)&(var) = next_sym(name, RTLD_NEXT))
	R(ms_rt_real.calloc, "calloc");
	R(ms_rt_real.malloc, "malloc");
	R(ms_rt_real.free, "free");
	R(ms_rt_real.realloc, "realloc");
	R(ms_rt_real.posix_memalign, "posix_memalign");
	R(ms_rt_real.aligned_alloc, "aligned_alloc");
	R(ms_rt_real.memalign, "memalign");
	R(ms_rt_real.valloc, "valloc");
	R(ms_rt_real.pvalloc, "pvalloc");
	R(real_dlclose, "dlclose");
	R(real_execve, "execve");
	R(real_execvpe, "execvpe");
	R(real_fexecve, "fexecve");
	R(real_exit, "exit");
	R(real__exit, "_exit");
	R(real__Exit, "_Exit");
	R(real_abort, "abort");
	R(real_setname, "pthread_setname_np");
	R(real_prctl, "prctl");
	R(real_mmap, "mmap");
	R(real_munmap, "munmap");
	R(real_mremap, "mremap");
	R(real_brk, "brk");
	R(real_sbrk, "sbrk");
#undef R
}

/* ---- the malloc family ---- */

enum kind { K_MALLOC, K_CALLOC, K_MEMALIGN, K_ALIGNED, K_VALLOC, K_PVALLOC, K_ALNEW };

INLINE void *real_call(int k, size_t a, size_t b)
{
	switch (k) {
	case K_MALLOC:
		return ms_rt_real.malloc(a);
	case K_CALLOC:
		return ms_rt_real.calloc(a, b);
	case K_MEMALIGN:
		return ms_rt_real.memalign(a, b);
	case K_ALIGNED:
		return ms_rt_real.aligned_alloc(a, b);
	case K_VALLOC:
		return ms_rt_real.valloc(a);
	case K_PVALLOC:
		return ms_rt_real.pvalloc(a);
	default: { /* aligned operator new: posix_memalign exists in every malloc */
		void *p;
		return ms_rt_real.posix_memalign(&p, a < sizeof(void *) ? sizeof(void *) : a, b) ? NULL : p;
	}
	}
}

/* Requested size, as memcheck counts it. */
INLINE size_t req_size(int k, size_t a, size_t b)
{
	switch (k) {
	case K_CALLOC:
		return a * b;
	case K_MEMALIGN:
	case K_ALIGNED:
	case K_ALNEW:
		return b;
	default:
		return a;
	}
}

static void *boot_call(int k, size_t a, size_t b)
{
	switch (k) {
	case K_CALLOC:
		return b && a > SIZE_MAX / b ? NULL : ms_rt_boot_alloc(a * b, 16);
	case K_MEMALIGN:
	case K_ALIGNED:
	case K_ALNEW:
		return ms_rt_boot_alloc(b, a);
	case K_VALLOC:
	case K_PVALLOC:
		return ms_rt_boot_alloc(a, 4096);
	default:
		return ms_rt_boot_alloc(a, 16);
	}
}

static void *real_or_boot(int k, size_t a, size_t b)
{
	return ms_rt_real.malloc && ms_rt_real.calloc && ms_rt_real.posix_memalign ? real_call(k, a, b)
	                                                                             : boot_call(k, a, b);
}

static inline int ready(void) { return atomic_load_explicit(&ms_rt_state, memory_order_relaxed) == MS_ST_READY; }

/* A nested call that is not ours comes from a signal handler: record it. */
static inline struct ms_tstate *nested_target(struct ms_tls *tl)
{
	return !tl->foreign && tl->t && ready() ? tl->t : NULL;
}

static __attribute__((noinline)) void stack_only(struct ms_tstate *t, const struct ms_stackref *sr)
{
	/* the allocation failed but we claimed the stack: define it anyway */
	ms_rt_rec_alloc_failed(t, sr);
}

/* Sampling mode and this allocation is not a sample: nothing to record. */
INLINE int skip_unsampled(struct ms_tls *tl, size_t size)
{
	return MS_UNLIKELY(ms_rt_opt.sample_rate != 0) && !ms_rt_sampled(tl, size);
}

INLINE void *alloc_rec_all(struct ms_tls *tl, int k, size_t a, size_t b, void *ra)
{
	tl->guard = 1;
	struct ms_tstate *t = tl->t;
	if (MS_UNLIKELY(!t) && !(t = ms_rt_thread_get())) {
		tl->guard = 0;
		return real_call(k, a, b);
	}
	/* The block first, then its stack: the live-table slot of p is fetched
	 * while the stack is unwound (only the timestamp, taken in
	 * ms_rt_rec_alloc, is bound by the ordering contract). */
	void *p = real_call(k, a, b);
	if (MS_LIKELY(p != NULL))
		ms_livetab_prefetch((uintptr_t)p);
	struct ms_stackref sr;
	ms_rt_stack_capture(t, ra, FRAME(), &sr);
	if (MS_LIKELY(p != NULL))
		ms_rt_rec_alloc(t, p, req_size(k, a, b), &sr);
	else if (sr.claim)
		stack_only(t, &sr);
	ms_rt_leave(t);
	return p;
}

INLINE void *alloc_rec(struct ms_tls *tl, int k, size_t a, size_t b, void *ra)
{
	if (skip_unsampled(tl, req_size(k, a, b)))
		return real_call(k, a, b);
	return alloc_rec_all(tl, k, a, b, ra);
}

static __attribute__((noinline)) void *alloc_rec_any(int k, size_t a, size_t b, void *ra)
{
	return alloc_rec(&ms_rt_tls, k, a, b, ra);
}

/* Out of line, so that a hook's fast path keeps a small frame: the
 * sampled-out path of a sampled run returns without touching it. */
static __attribute__((noinline)) void *alloc_rec_out(int k, size_t a, size_t b, void *ra)
{
	return alloc_rec_all(&ms_rt_tls, k, a, b, ra);
}

static __attribute__((noinline)) void *alloc_slow(int k, size_t a, size_t b, void *ra)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (!tl->guard) {
		if (ms_rt_init())
			return alloc_rec_any(k, a, b, ra);
		return real_or_boot(k, a, b);
	}
	void *p = real_or_boot(k, a, b);
	struct ms_tstate *t;
	if (p && (t = nested_target(tl)))
		ms_rt_side_push(t, MS_SIDE_ALLOC, NULL, p, req_size(k, a, b));
	return p;
}

/* Any state, any kind: used by operator new's retry loop and reallocs. */
static __attribute__((noinline)) void *alloc_any(int k, size_t a, size_t b, void *ra)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (MS_UNLIKELY(tl->guard | !ready()))
		return alloc_slow(k, a, b, ra);
	return alloc_rec(tl, k, a, b, ra);
}

#define ALLOC_HOOK(k, a, b)                                                                                  \
	do {                                                                                                 \
		struct ms_tls *tl = &ms_rt_tls;                                                              \
		if (MS_UNLIKELY(tl->guard | !ready()))                                                       \
			return alloc_slow(k, a, b, RA());                                                    \
		if (skip_unsampled(tl, req_size(k, a, b)))                                                   \
			return real_call(k, a, b);                                                           \
		return alloc_rec_out(k, a, b, RA());                                                         \
	} while (0)

EXPORT void *malloc(size_t n) { ALLOC_HOOK(K_MALLOC, n, 0); }
EXPORT void *calloc(size_t n, size_t m) { ALLOC_HOOK(K_CALLOC, n, m); }
EXPORT void *memalign(size_t al, size_t n) { ALLOC_HOOK(K_MEMALIGN, al, n); }
EXPORT void *aligned_alloc(size_t al, size_t n) { ALLOC_HOOK(K_ALIGNED, al, n); }
EXPORT void *valloc(size_t n) { ALLOC_HOOK(K_VALLOC, n, 0); }
EXPORT void *pvalloc(size_t n) { ALLOC_HOOK(K_PVALLOC, n, 0); }

EXPORT int posix_memalign(void **out, size_t al, size_t n)
{
	struct ms_tls *tl = &ms_rt_tls;
	void *ra = RA();
	if (MS_UNLIKELY(tl->guard | !ready())) {
		if (tl->guard || !ms_rt_init()) {
			if (!ms_rt_real.posix_memalign) {
				void *p = ms_rt_boot_alloc(n, al);
				return p ? (*out = p, 0) : ENOMEM;
			}
			int r = ms_rt_real.posix_memalign(out, al, n);
			struct ms_tstate *t;
			if (!r && tl->guard && (t = nested_target(tl)))
				ms_rt_side_push(t, MS_SIDE_ALLOC, NULL, *out, n);
			return r;
		}
	}
	if (skip_unsampled(tl, n))
		return ms_rt_real.posix_memalign(out, al, n);
	tl->guard = 1;
	struct ms_tstate *t = tl->t;
	if (MS_UNLIKELY(!t) && !(t = ms_rt_thread_get())) {
		tl->guard = 0;
		return ms_rt_real.posix_memalign(out, al, n);
	}
	struct ms_stackref sr;
	ms_rt_stack_capture(t, ra, FRAME(), &sr);
	int r = ms_rt_real.posix_memalign(out, al, n);
	if (!r)
		ms_rt_rec_alloc(t, *out, n, &sr);
	else if (sr.claim)
		stack_only(t, &sr);
	ms_rt_leave(t);
	return r;
}

INLINE void free_rec(struct ms_tls *tl, void *p)
{
	ms_livetab_prefetch((uintptr_t)p);
	tl->guard = 1;
	struct ms_tstate *t = tl->t;
	if (MS_UNLIKELY(!t) && !(t = ms_rt_thread_get())) {
		tl->guard = 0;
		ms_rt_real.free(p);
		return;
	}
	ms_rt_rec_free(t, p);
	ms_rt_real.free(p);
	ms_rt_leave(t);
}

static __attribute__((noinline)) void free_slow(void *p)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (ms_rt_is_boot(p))
		return;
	if (!tl->guard) {
		if (ms_rt_init())
			free_rec(tl, p);
		else
			ms_rt_real.free(p);
		return;
	}
	struct ms_tstate *t = nested_target(tl);
	if (t && ms_rt_side_push(t, MS_SIDE_FREE, p, NULL, 0))
		return; /* the outer hook frees it after recording */
	ms_rt_real.free(p);
}

INLINE void free_hook(void *p)
{
	if (MS_UNLIKELY(!p))
		return;
	struct ms_tls *tl = &ms_rt_tls;
	if (MS_UNLIKELY(tl->guard | !ready()) || MS_UNLIKELY(ms_rt_is_boot(p))) {
		free_slow(p);
		return;
	}
	if (MS_UNLIKELY(ms_rt_opt.sample_rate != 0) && !ms_livetab_maybe_live((uintptr_t)p)) {
		ms_rt_real.free(p); /* never sampled */
		return;
	}
	free_rec(tl, p);
}

EXPORT void free(void *p) { free_hook(p); }
EXPORT void cfree(void *p) { free_hook(p); }

/* realloc of a bootstrap block: a fresh block and a copy; the old one stays. */
static void *boot_realloc(void *old, size_t n, void *ra)
{
	void *p = alloc_any(K_MALLOC, n ? n : 1, 0, ra);
	if (p) {
		size_t m = ms_rt_boot_size(old);
		memcpy(p, old, m < n ? m : n);
	}
	return p;
}

static __attribute__((noinline)) void *realloc_rec(void *old, size_t n, void *ra)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (!old)
		return alloc_rec(tl, K_MALLOC, n, 0, ra);
	if (MS_UNLIKELY(ms_rt_is_boot(old)))
		return boot_realloc(old, n, ra);
	int unsampled = skip_unsampled(tl, n);
	if (unsampled && !ms_livetab_maybe_live((uintptr_t)old))
		return ms_rt_real.realloc(old, n); /* neither block is a sample */
	tl->guard = 1;
	struct ms_tstate *t = tl->t;
	if (MS_UNLIKELY(!t) && !(t = ms_rt_thread_get())) {
		tl->guard = 0;
		return ms_rt_real.realloc(old, n);
	}
	if (unsampled) {
		/* the new block is not a sample; the old one was */
		void *p = ms_rt_rec_realloc_unsampled(t, old, n);
		ms_rt_leave(t);
		return p;
	}
	struct ms_stackref sr = {MS_STACK_UNKNOWN, NULL};
	if (n)
		ms_rt_stack_capture(t, ra, FRAME(), &sr);
	void *p = ms_rt_rec_realloc(t, old, n, &sr);
	if (!p && sr.claim)
		stack_only(t, &sr);
	ms_rt_leave(t);
	return p;
}

static __attribute__((noinline)) void *realloc_slow(void *old, size_t n, void *ra)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (!tl->guard && ms_rt_init())
		return realloc_rec(old, n, ra);
	if (!old)
		return alloc_slow(K_MALLOC, n, 0, ra);
	if (ms_rt_is_boot(old)) {
		void *p = alloc_slow(K_MALLOC, n ? n : 1, 0, ra);
		if (p) {
			size_t m = ms_rt_boot_size(old);
			memcpy(p, old, m < n ? m : n);
		}
		return p;
	}
	void *p = ms_rt_real.realloc(old, n);
	struct ms_tstate *t;
	if (tl->guard && (t = nested_target(tl))) {
		if (p)
			ms_rt_side_push(t, MS_SIDE_REALLOC, old, p, n);
		else if (!n)
			ms_rt_side_push(t, MS_SIDE_FREED, old, NULL, 0);
	}
	return p;
}

EXPORT void *realloc(void *old, size_t n)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (MS_UNLIKELY(tl->guard | !ready()))
		return realloc_slow(old, n, RA());
	return realloc_rec(old, n, RA());
}

EXPORT void *reallocarray(void *old, size_t n, size_t m)
{
	if (m && n > SIZE_MAX / m) {
		errno = ENOMEM;
		return NULL;
	}
	struct ms_tls *tl = &ms_rt_tls;
	if (MS_UNLIKELY(tl->guard | !ready()))
		return realloc_slow(old, n * m, RA());
	return realloc_rec(old, n * m, RA());
}

/* ---- mappings (--mmap) ----
 * Only the program's own calls: glibc's malloc maps and grows its heap
 * through internal calls that never reach these symbols, and the
 * runtime's own mappings happen with the guard set. The syscall fallbacks
 * serve the calls made before dlsym answered. */

static void *sys_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off)
{
	return real_mmap ? real_mmap(a, n, prot, flags, fd, off) : (void *)syscall(SYS_mmap, a, n, prot, flags, fd, off);
}

static int sys_munmap(void *a, size_t n) { return real_munmap ? real_munmap(a, n) : (int)syscall(SYS_munmap, a, n); }

static uint64_t page_round(uint64_t n)
{
	static uint64_t mask;
	if (!mask)
		mask = (uint64_t)sysconf(_SC_PAGESIZE) - 1;
	return (n + mask) & ~mask;
}

/* The calling thread's state when this call is to be recorded (guard now
 * set), else NULL. */
static struct ms_tstate *map_enter(struct ms_tls *tl)
{
	if (MS_LIKELY(!ms_rt_opt.mmap) || tl->guard || !ready())
		return NULL;
	tl->guard = 1;
	struct ms_tstate *t = tl->t ? tl->t : ms_rt_thread_get();
	if (!t)
		tl->guard = 0;
	return t;
}

static void map_record(struct ms_tstate *t, void *ra, uint64_t addr, uint64_t len)
{
	struct ms_stackref sr;
	ms_rt_stack_capture(t, ra, FRAME(), &sr);
	ms_rt_rec_mmap(t, addr, page_round(len), &sr);
}

EXPORT void *mmap(void *a, size_t n, int prot, int flags, int fd, off_t off)
{
	struct ms_tstate *t;
	if (!(flags & MAP_ANONYMOUS) || !(t = map_enter(&ms_rt_tls)))
		return sys_mmap(a, n, prot, flags, fd, off);
	void *p = sys_mmap(a, n, prot, flags, fd, off);
	if (p != MAP_FAILED)
		map_record(t, RA(), (uintptr_t)p, n);
	ms_rt_leave(t);
	return p;
}

EXPORT void *mmap64(void *a, size_t n, int prot, int flags, int fd, off_t off) __attribute__((alias("mmap")));

/* munmap, mremap and brk release addresses: they run inside
 * ms_rt_map_call_begin/end, stamped before the call (see rt.h). Their
 * stack is captured first, outside the thread lock. */
static const struct ms_stackref no_stack = {MS_STACK_UNKNOWN, NULL};

EXPORT int munmap(void *a, size_t n)
{
	struct ms_tstate *t = map_enter(&ms_rt_tls);
	if (!t)
		return sys_munmap(a, n);
	struct ms_map_change c = {.ts = ms_rt_map_call_begin(t), .old_addr = (uintptr_t)a, .old_len = page_round(n)};
	int r = sys_munmap(a, n);
	c.kind = r == 0 ? MS_REC_MUNMAP : 0;
	ms_rt_map_call_end(t, &c, &no_stack);
	ms_rt_leave(t);
	return r;
}

static void *sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *want)
{
	return real_mremap ? real_mremap(old, old_len, new_len, flags, want)
	                   : (void *)syscall(SYS_mremap, old, old_len, new_len, flags, want);
}

EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	void *want = NULL;
	if (flags & MREMAP_FIXED) {
		va_list ap;
		va_start(ap, flags);
		want = va_arg(ap, void *);
		va_end(ap);
	}
	struct ms_tstate *t = map_enter(&ms_rt_tls);
	if (!t)
		return sys_mremap(old, old_len, new_len, flags, want);
	struct ms_stackref sr;
	ms_rt_stack_capture(t, RA(), FRAME(), &sr);
	struct ms_map_change c = {.ts = ms_rt_map_call_begin(t), .old_addr = (uintptr_t)old, .old_len = page_round(old_len)};
	void *p = sys_mremap(old, old_len, new_len, flags, want);
	if (p != MAP_FAILED) {
		c.kind = MS_REC_MREMAP;
		c.new_addr = (uintptr_t)p;
		c.new_len = page_round(new_len);
	}
	ms_rt_map_call_end(t, &c, &sr);
	ms_rt_leave(t);
	return p;
}

/* The break moved from `from` to `to`: growth is a mapping, shrinking an
 * unmapping (exact bytes: a break moves by bytes). */
static void break_moved(struct ms_map_change *c, uint64_t from, uint64_t to)
{
	if (to > from)
		*c = (struct ms_map_change){MS_REC_MMAP, c->ts, 0, 0, from, to - from};
	else if (to < from)
		*c = (struct ms_map_change){MS_REC_MUNMAP, c->ts, to, from - to, 0, 0};
}

EXPORT void *sbrk(intptr_t incr)
{
	if (!real_sbrk) {
		errno = ENOMEM;
		return (void *)-1;
	}
	struct ms_tstate *t = incr ? map_enter(&ms_rt_tls) : NULL;
	if (!t)
		return real_sbrk(incr);
	struct ms_stackref sr;
	ms_rt_stack_capture(t, RA(), FRAME(), &sr);
	struct ms_map_change c = {.ts = ms_rt_map_call_begin(t)};
	void *old = real_sbrk(incr);
	if (old != (void *)-1)
		break_moved(&c, (uintptr_t)old, (uintptr_t)old + (uint64_t)incr);
	ms_rt_map_call_end(t, &c, &sr);
	ms_rt_leave(t);
	return old;
}

EXPORT int brk(void *to)
{
	if (!real_brk || !real_sbrk) {
		errno = ENOMEM;
		return -1;
	}
	struct ms_tstate *t = map_enter(&ms_rt_tls);
	if (!t)
		return real_brk(to);
	struct ms_stackref sr;
	ms_rt_stack_capture(t, RA(), FRAME(), &sr);
	struct ms_map_change c = {.ts = ms_rt_map_call_begin(t)};
	void *from = real_sbrk(0);
	int r = real_brk(to);
	if (r == 0 && from != (void *)-1)
		break_moved(&c, (uintptr_t)from, (uintptr_t)to);
	ms_rt_map_call_end(t, &c, &sr);
	ms_rt_leave(t);
	return r;
}

/* ---- C++ operator new / delete ---- */

/* Allocation failed in a throwing new: run the new_handler loop like
 * libstdc++ does (user code, recorded normally), and when there is no
 * handler let libstdc++'s own operator new throw bad_alloc. No guard is held
 * here, so an exception crossing these frames leaves no state behind. */
static __attribute__((noinline)) void *new_fail(size_t n, size_t al, void *ra)
{
	typedef void (*handler_fn)(void);
	static handler_fn (*get_handler)(void);
	if (!get_handler)
		*(void **)&get_handler = next_sym("_ZSt15get_new_handlerv", RTLD_DEFAULT);
	for (;;) {
		handler_fn h = get_handler ? get_handler() : NULL;
		if (!h)
			break;
		h();
		void *p = al ? alloc_any(K_ALNEW, al, n, ra) : alloc_any(K_MALLOC, n, 0, ra);
		if (p)
			return p;
	}
	if (al) {
		void *(*op)(size_t, size_t) = NULL;
		*(void **)&op = next_sym("_ZnwmSt11align_val_t", RTLD_NEXT);
		return op ? op(n, al) : NULL;
	}
	void *(*op)(size_t) = NULL;
	*(void **)&op = next_sym("_Znwm", RTLD_NEXT);
	return op ? op(n) : NULL;
}

#define NEW_HOOK(k, a, b, al, n)                                                                             \
	do {                                                                                                 \
		void *ra = RA();                                                                             \
		struct ms_tls *tl = &ms_rt_tls;                                                              \
		void *p = MS_UNLIKELY(tl->guard | !ready()) ? alloc_slow(k, a, b, ra) : alloc_rec(tl, k, a, b, ra); \
		return MS_LIKELY(p != NULL) ? p : new_fail(n, al, ra);                                       \
	} while (0)

EXPORT void *_Znwm(size_t n) { NEW_HOOK(K_MALLOC, n, 0, 0, n); }
EXPORT void *_Znam(size_t n) { NEW_HOOK(K_MALLOC, n, 0, 0, n); }
EXPORT void *_ZnwmSt11align_val_t(size_t n, size_t al) { NEW_HOOK(K_ALNEW, al, n, al, n); }
EXPORT void *_ZnamSt11align_val_t(size_t n, size_t al) { NEW_HOOK(K_ALNEW, al, n, al, n); }
EXPORT void *_ZnwmRKSt9nothrow_t(size_t n, const void *nt) { ALLOC_HOOK(K_MALLOC, n, 0); }
EXPORT void *_ZnamRKSt9nothrow_t(size_t n, const void *nt) { ALLOC_HOOK(K_MALLOC, n, 0); }
EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt) { ALLOC_HOOK(K_ALNEW, al, n); }
EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt) { ALLOC_HOOK(K_ALNEW, al, n); }

EXPORT void _ZdlPv(void *p) { free_hook(p); }
EXPORT void _ZdaPv(void *p) { free_hook(p); }
EXPORT void _ZdlPvm(void *p, size_t n) { free_hook(p); }
EXPORT void _ZdaPvm(void *p, size_t n) { free_hook(p); }
EXPORT void _ZdlPvRKSt9nothrow_t(void *p, const void *nt) { free_hook(p); }
EXPORT void _ZdaPvRKSt9nothrow_t(void *p, const void *nt) { free_hook(p); }
EXPORT void _ZdlPvSt11align_val_t(void *p, size_t al) { free_hook(p); }
EXPORT void _ZdaPvSt11align_val_t(void *p, size_t al) { free_hook(p); }
EXPORT void _ZdlPvmSt11align_val_t(void *p, size_t n, size_t al) { free_hook(p); }
EXPORT void _ZdaPvmSt11align_val_t(void *p, size_t n, size_t al) { free_hook(p); }
EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *nt) { free_hook(p); }
EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *nt) { free_hook(p); }

/* ---- dlopen ---- */

/* dlopen is an assembly trampoline so that the common case is exactly the
 * real dlopen: without RTLD_DEEPBIND it tail-jumps there and glibc still sees
 * the program's return address (RUNPATH, $ORIGIN, namespace of the caller).
 * With RTLD_DEEPBIND it goes to dlopen_deepbind(), which calls the real
 * dlopen itself and then points the new library's malloc/free GOT slots back
 * at our hooks. Trade-off, for that flag only: glibc sees libmemscope as the
 * caller, so a bare name is searched with our RUNPATH (none) instead of the
 * caller's, and $ORIGIN-relative dependencies of the caller are not found.
 * Blocks the library's constructors allocate inside dlopen come from libc
 * unseen (the slots are patched afterwards); their frees pass through, as
 * the live table does not know them. dlmopen is left alone: another
 * namespace has its own libc and allocator. */
__attribute__((visibility("hidden"))) void *(*ms_rt_real_dlopen)(const char *, int);

/* Called by the trampoline before the first dlopen is resolved (a
 * constructor may dlopen before our init): returns the real dlopen. */
__attribute__((visibility("hidden"), used)) void *ms_rt_dlopen_resolve(void)
{
	if (!ms_rt_real_dlopen)
		*(void **)&ms_rt_real_dlopen = next_sym("dlopen", RTLD_NEXT);
	return *(void **)&ms_rt_real_dlopen;
}

#define STR_(x) #x
#define STR(x) STR_(x)
__asm__(".text\n"
        ".globl dlopen\n"
        ".type dlopen, @function\n"
        "dlopen:\n"
        "	.cfi_startproc\n"
        "	testl $" STR(RTLD_DEEPBIND) ", %esi\n"
        "	jnz ms_rt_dlopen_deepbind\n" /* a tail call: the C function returns to the caller */
        "	movq ms_rt_real_dlopen(%rip), %rax\n"
        "	testq %rax, %rax\n"
        "	jz 1f\n"
        "	jmp *%rax\n"
        "1:	pushq %rdi\n" /* resolve first, keeping the arguments and the return address */
        "	.cfi_adjust_cfa_offset 8\n"
        "	pushq %rsi\n"
        "	.cfi_adjust_cfa_offset 8\n"
        "	subq $8, %rsp\n" /* 16-byte alignment for the call */
        "	.cfi_adjust_cfa_offset 8\n"
        "	call ms_rt_dlopen_resolve\n"
        "	addq $8, %rsp\n"
        "	.cfi_adjust_cfa_offset -8\n"
        "	popq %rsi\n"
        "	.cfi_adjust_cfa_offset -8\n"
        "	popq %rdi\n"
        "	.cfi_adjust_cfa_offset -8\n"
        "	testq %rax, %rax\n"
        "	jz 2f\n"
        "	jmp *%rax\n"
        "2:	xorl %eax, %eax\n" /* no dlopen at all: fail like it */
        "	ret\n"
        "	.cfi_endproc\n"
        ".size dlopen, .-dlopen\n");

#define REBIND(name) {#name, (void *)name, NULL}
static struct ms_rt_rebind rebind_tab[] = {
	REBIND(malloc), REBIND(free), REBIND(calloc), REBIND(realloc), REBIND(reallocarray),
	REBIND(posix_memalign), REBIND(aligned_alloc), REBIND(memalign), REBIND(valloc), REBIND(pvalloc),
	REBIND(cfree), REBIND(_Znwm), REBIND(_Znam), REBIND(_ZnwmSt11align_val_t), REBIND(_ZnamSt11align_val_t),
	REBIND(_ZnwmRKSt9nothrow_t), REBIND(_ZnamRKSt9nothrow_t), REBIND(_ZnwmSt11align_val_tRKSt9nothrow_t),
	REBIND(_ZnamSt11align_val_tRKSt9nothrow_t), REBIND(_ZdlPv), REBIND(_ZdaPv), REBIND(_ZdlPvm),
	REBIND(_ZdaPvm), REBIND(_ZdlPvRKSt9nothrow_t), REBIND(_ZdaPvRKSt9nothrow_t), REBIND(_ZdlPvSt11align_val_t),
	REBIND(_ZdaPvSt11align_val_t), REBIND(_ZdlPvmSt11align_val_t), REBIND(_ZdaPvmSt11align_val_t),
	REBIND(_ZdlPvSt11align_val_tRKSt9nothrow_t), REBIND(_ZdaPvSt11align_val_tRKSt9nothrow_t),
};
#undef REBIND
#define NREBIND (sizeof rebind_tab / sizeof rebind_tab[0])
static void *rebind_hook[NREBIND];
static ms_spin rebind_lock = MS_SPIN_INIT;

/* 1 if p is in libmemscope (a hook's address taken through the GOT is the
 * global definition, which may be the program's own). */
static int in_self(void *p)
{
	Dl_info a, b;
	return dladdr(p, &a) && dladdr((void *)&in_self, &b) && a.dli_fbase == b.dli_fbase;
}

/* Fills each entry's next definition; an entry whose global definition is
 * not our hook (the program brings its own allocator) is disabled, since
 * redirecting it to us would mix two allocators. */
static void rebind_resolve(void)
{
	for (size_t i = 0; i < NREBIND; i++) {
		if (!rebind_hook[i])
			rebind_hook[i] = rebind_tab[i].ours;
		void *global = next_sym(rebind_tab[i].name, RTLD_DEFAULT);
		rebind_tab[i].ours = global == rebind_hook[i] && in_self(global) ? global : NULL;
		rebind_tab[i].next = next_sym(rebind_tab[i].name, RTLD_NEXT);
	}
}

__attribute__((visibility("hidden"), used)) void *ms_rt_dlopen_deepbind(const char *file, int flags)
{
	void *(*real)(const char *, int);
	*(void **)&real = ms_rt_dlopen_resolve();
	if (!real)
		return NULL;
	void *h = real(file, flags);
	if (!h)
		return NULL;
	int e = errno;
	struct ms_tls *tl = &ms_rt_tls;
	uint8_t g = tl->guard, f = tl->foreign;
	tl->guard = 1;
	tl->foreign = 1;
	ms_spin_lock(&rebind_lock); /* two threads may dlopen at once */
	rebind_resolve();
	ms_rt_rebind_gots(rebind_tab, NREBIND);
	ms_spin_unlock(&rebind_lock);
	tl->guard = g;
	tl->foreign = f;
	errno = e;
	return h;
}

/* ---- modules, threads ---- */

EXPORT int dlclose(void *h)
{
	if (!real_dlclose)
		*(void **)&real_dlclose = next_sym("dlclose", RTLD_NEXT);
	struct ms_tls *tl = &ms_rt_tls;
	int rec = ready() && !tl->guard;
	if (rec) { /* a module loaded since the last round gets its LOAD before it goes */
		tl->guard = tl->foreign = 1;
		ms_rt_modules_sync(0);
		tl->guard = tl->foreign = 0;
	}
	int r = real_dlclose(h);
	ms_cfi_forget(); /* its code's unwind rules must not serve what comes next */
	if (rec && ready()) {
		int e = errno;
		tl->guard = tl->foreign = 1;
		ms_rt_modules_sync(0);
		tl->guard = tl->foreign = 0;
		errno = e;
	}
	return r;
}

static void renamed(uint64_t self, const char *name)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (!ready() || tl->guard)
		return;
	int e = errno;
	tl->guard = 1;
	ms_rt_thread_renamed(self, name);
	tl->guard = 0;
	errno = e;
}

EXPORT int pthread_setname_np(pthread_t th, const char *name)
{
	if (!real_setname)
		*(void **)&real_setname = next_sym("pthread_setname_np", RTLD_NEXT);
	int r = real_setname(th, name);
	if (!r)
		renamed((uint64_t)th, name);
	return r;
}

EXPORT int prctl(int option, ...)
{
	va_list ap;
	va_start(ap, option);
	unsigned long a2 = va_arg(ap, unsigned long), a3 = va_arg(ap, unsigned long);
	unsigned long a4 = va_arg(ap, unsigned long), a5 = va_arg(ap, unsigned long);
	va_end(ap);
	if (!real_prctl)
		*(void **)&real_prctl = next_sym("prctl", RTLD_NEXT);
	int r = real_prctl(option, a2, a3, a4, a5);
	if (!r && option == PR_SET_NAME)
		renamed((uint64_t)pthread_self(), (const char *)a2);
	return r;
}

/* ---- exit ---- */

static main_fn user_main;

static int main_wrapper(int argc, char **argv, char **envp)
{
	int r = user_main(argc, argv, envp);
	ms_rt_exit_status(r);
	return r;
}

EXPORT int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                             void (*rtld_fini)(void), void *stack_end)
{
	if (!real_start_main)
		*(void **)&real_start_main = next_sym("__libc_start_main", RTLD_NEXT);
	user_main = main;
	return real_start_main(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

EXPORT void exit(int status)
{
	ms_rt_exit_status(status);
	if (!real_exit)
		*(void **)&real_exit = next_sym("exit", RTLD_NEXT);
	real_exit(status);
}

EXPORT void _exit(int status)
{
	ms_rt_on__exit(status);
	if (!real__exit)
		*(void **)&real__exit = next_sym("_exit", RTLD_NEXT);
	real__exit(status);
}

EXPORT void _Exit(int status)
{
	ms_rt_on__exit(status);
	if (!real__Exit)
		*(void **)&real__Exit = next_sym("_Exit", RTLD_NEXT);
	real__Exit(status);
}

/* abort() and failed asserts: flush what the threads recorded and end the
 * trace (reason abort), then die by SIGABRT exactly as before. glibc's
 * assert calls its internal abort, not ours, hence the assert hooks. */
EXPORT __attribute__((noreturn)) void abort(void)
{
	ms_rt_on_abort();
	if (!real_abort)
		*(void **)&real_abort = next_sym("abort", RTLD_NEXT);
	real_abort();
}

EXPORT __attribute__((noreturn)) void __assert_fail(const char *expr, const char *file, unsigned line,
                                                    const char *fn)
{
	ms_rt_on_abort();
	if (!real_assert_fail)
		*(void **)&real_assert_fail = next_sym("__assert_fail", RTLD_NEXT);
	real_assert_fail(expr, file, line, fn);
}

EXPORT __attribute__((noreturn)) void __assert_perror_fail(int err, const char *file, unsigned line,
                                                           const char *fn)
{
	ms_rt_on_abort();
	if (!real_assert_perror_fail)
		*(void **)&real_assert_perror_fail = next_sym("__assert_perror_fail", RTLD_NEXT);
	real_assert_perror_fail(err, file, line, fn);
}

/* ---- exec ---- */

static int do_execve(const char *path, char *const argv[], char *const envp[])
{
	if (!real_execve)
		*(void **)&real_execve = next_sym("execve", RTLD_NEXT);
	int prep;
	char **env = ms_rt_exec_prepare(path, envp, &prep);
	int r = real_execve(path, argv, env ? env : envp);
	ms_rt_exec_failed(env, prep);
	return r;
}

static int do_execvpe(const char *file, char *const argv[], char *const envp[])
{
	if (!real_execvpe)
		*(void **)&real_execvpe = next_sym("execvpe", RTLD_NEXT);
	int prep;
	char **env = ms_rt_exec_prepare(file, envp, &prep);
	int r = real_execvpe(file, argv, env ? env : envp);
	ms_rt_exec_failed(env, prep);
	return r;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[]) { return do_execve(path, argv, envp); }
EXPORT int execv(const char *path, char *const argv[]) { return do_execve(path, argv, environ); }
EXPORT int execvpe(const char *f, char *const argv[], char *const envp[]) { return do_execvpe(f, argv, envp); }
EXPORT int execvp(const char *f, char *const argv[]) { return do_execvpe(f, argv, environ); }

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	if (!real_fexecve)
		*(void **)&real_fexecve = next_sym("fexecve", RTLD_NEXT);
	char name[32] = "/proc/self/fd/";
	char *p = name + 14;
	unsigned v = (unsigned)fd, n = 0;
	char tmp[12];
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	*p = 0;
	int prep;
	char **env = ms_rt_exec_prepare(name, envp, &prep);
	int r = real_fexecve(fd, argv, env ? env : envp);
	ms_rt_exec_failed(env, prep);
	return r;
}

/* execl*: collect the variadic arguments into an argv on our stack. */
#define COLLECT_ARGV(last, argv)                                                                             \
	size_t argc_ = 1;                                                                                    \
	va_list ap;                                                                                          \
	va_start(ap, last);                                                                                  \
	while (va_arg(ap, const char *))                                                                     \
		argc_++;                                                                                     \
	va_end(ap);                                                                                          \
	const char *argv[argc_ + 1];                                                                         \
	argv[0] = last;                                                                                      \
	va_start(ap, last);                                                                                  \
	for (size_t i_ = 1; i_ <= argc_; i_++)                                                               \
		argv[i_] = va_arg(ap, const char *);

EXPORT int execl(const char *path, const char *arg, ...)
{
	COLLECT_ARGV(arg, argv);
	va_end(ap);
	return do_execve(path, (char *const *)argv, environ);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	COLLECT_ARGV(arg, argv);
	va_end(ap);
	return do_execvpe(file, (char *const *)argv, environ);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	COLLECT_ARGV(arg, argv);
	char *const *envp = va_arg(ap, char *const *);
	va_end(ap);
	return do_execve(path, (char *const *)argv, envp);
}
