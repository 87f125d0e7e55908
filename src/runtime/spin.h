/* Spinlocks for the runtime: test-and-test-and-set with a yield after a
 * while, because on a 2-core machine the holder may be preempted. They never
 * allocate and are safe to re-initialize in a fork child. */
#ifndef MS_RT_SPIN_H
#define MS_RT_SPIN_H

#include <sched.h>
#include <stdatomic.h>

typedef struct {
	atomic_int v;
} ms_spin;

#define MS_SPIN_INIT {0}

static inline void ms_spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static inline void ms_spin_lock(ms_spin *l)
{
	if (__builtin_expect(!atomic_exchange_explicit(&l->v, 1, memory_order_acquire), 1))
		return;
	for (unsigned n = 0;; n++) {
		while (atomic_load_explicit(&l->v, memory_order_relaxed)) {
			if (++n > 64) {
				sched_yield();
				n = 0;
			} else {
				ms_spin_pause();
			}
		}
		if (!atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
			return;
	}
}

static inline int ms_spin_trylock(ms_spin *l)
{
	return !atomic_load_explicit(&l->v, memory_order_relaxed) &&
	       !atomic_exchange_explicit(&l->v, 1, memory_order_acquire);
}

static inline void ms_spin_unlock(ms_spin *l) { atomic_store_explicit(&l->v, 0, memory_order_release); }

/* Fork child: the lock may have been held by a thread that no longer exists. */
static inline void ms_spin_reset(ms_spin *l) { atomic_store_explicit(&l->v, 0, memory_order_relaxed); }

#endif
