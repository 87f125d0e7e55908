/* memscope's API for programs: snapshots and ad-hoc events.
 *
 * The functions live in libmemscope.so, the runtime that `memscope run`
 * preloads. A program uses them in one of two ways:
 *
 * 1. Link with -lmemscope (-L where libmemscope.so is, e.g. lib/memscope).
 *    Run without memscope, the library is inert: every allocation goes
 *    straight to the real allocator, nothing is recorded, no thread, file
 *    or socket is created, and these functions return at once. "Under
 *    memscope" means: libmemscope.so is named in LD_PRELOAD (what `memscope
 *    run` does), or MEMSCOPE_OUTPUT is set (and MEMSCOPE_FOLLOW is not 0).
 *
 * 2. Do not link it: define MEMSCOPE_WEAK before including this header. The
 *    functions are then weak, NULL unless memscope preloaded its runtime,
 *    and the memscope_*_weak() helpers below call them only if present.
 *    This needs a position-independent executable (the default on Debian,
 *    Ubuntu and Fedora) so that the weak references stay dynamic:
 *
 *        #define MEMSCOPE_WEAK
 *        #include <memscope.h>
 *        ...
 *        memscope_snapshot_weak("after load");   // nothing without memscope
 *
 *    or, without this header:
 *
 *        extern int memscope_snapshot(const char *) __attribute__((weak));
 *        if (memscope_snapshot) memscope_snapshot("after load");
 *
 * None of these functions may be called from a signal handler. */
#ifndef MEMSCOPE_H
#define MEMSCOPE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef MEMSCOPE_WEAK
#define MEMSCOPE_DECL __attribute__((weak))
#else
#define MEMSCOPE_DECL
#endif

/* Takes a snapshot now, named label (NULL: ""; at most 1024 bytes are
 * kept): every other thread is stopped for a moment, the live blocks are
 * written to the trace with a conservative scan of what points to them
 * (globals, stacks, registers, thread-local storage, other blocks), which
 * `memscope snapshots`, `diff` and `why` explain. Blocks the calling thread.
 * Returns the snapshot's id in the trace (1, 2, ...), or 0 when not under
 * memscope or no longer recording. Thread-safe. */
MEMSCOPE_DECL int memscope_snapshot(const char *label);

/* Records an event of the given weight with the caller's call stack (like
 * dhat's ad-hoc profiling: count anything, e.g. bytes read, cache misses),
 * summed per stack offline. Does nothing when not under memscope. */
MEMSCOPE_DECL void memscope_event(uint64_t weight);

/* 1 when this process is being recorded, else 0. */
MEMSCOPE_DECL int memscope_is_active(void);

#ifdef MEMSCOPE_WEAK
static inline int memscope_snapshot_weak(const char *label)
{
	return memscope_snapshot ? memscope_snapshot(label) : 0;
}
static inline void memscope_event_weak(uint64_t weight)
{
	if (memscope_event)
		memscope_event(weight);
}
static inline int memscope_is_active_weak(void) { return memscope_is_active ? memscope_is_active() : 0; }
#endif

#ifdef __cplusplus
}
#endif

#endif
