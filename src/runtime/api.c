/* The public API of include/memscope.h, exported by libmemscope.so. Each
 * function returns at once when the process is not recording (inert
 * library, trace ended) or when called from inside memscope (a signal
 * handler interrupting a hook). */
#include <errno.h>

#include "memscope.h"
#include "runtime/rt.h"
#include "runtime/snap.h"

#define EXPORT __attribute__((visibility("default")))

static inline int recording(void)
{
	return atomic_load_explicit(&ms_rt_state, memory_order_relaxed) == MS_ST_READY &&
	       !atomic_load_explicit(&ms_rt_ended, memory_order_relaxed);
}

/* noinline: the caller's callee-saved registers are spilled into this
 * frame (__builtin_unwind_init), and the scan of this thread's stack starts
 * here, so they are roots like the rest of the caller's stack. */
EXPORT __attribute__((noinline)) int memscope_snapshot(const char *label)
{
	__builtin_unwind_init();
	volatile uintptr_t here = 0;
	if (!recording() || ms_rt_tls.guard)
		return 0;
	int e = errno;
	uint64_t id = ms_rt_snapshot(MS_SNAP_API, label ? label : "", (uintptr_t)&here);
	errno = e;
	return (int)id;
}

EXPORT __attribute__((noinline)) void memscope_event(uint64_t weight)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (!recording() || tl->guard)
		return;
	int e = errno;
	tl->guard = 1;
	struct ms_tstate *t = tl->t;
	if (!t && !(t = ms_rt_thread_get())) {
		tl->guard = 0;
		errno = e;
		return;
	}
	struct ms_stackref sr;
	ms_rt_stack_capture(t, __builtin_return_address(0), __builtin_frame_address(0), &sr);
	ms_rt_rec_event(t, weight, &sr);
	ms_rt_leave(t);
	errno = e;
}

EXPORT int memscope_is_active(void) { return recording(); }
