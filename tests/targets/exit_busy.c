/* exit_busy: main returns while 4 threads are still allocating and freeing
 * as fast as they can. The runtime must finish its trace while hooks keep
 * running in other threads: no crash, no hang, a complete trace.
 *
 * Each thread loops in busy_alloc(): p = malloc(16 + i % 32); free(p).
 * main waits until every thread made at least 1000 iterations (a counter,
 * no clock), then returns 0. The figures depend on timing; what holds:
 *   allocations >= 4000; frees >= allocations - 4 (a thread holds at most
 *   one block); exit status 0. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sched.h>

#include "tsupport.h"

#define NT 4

static atomic_long progress[NT];

NOIPA void busy_alloc(int t)
{
	for (unsigned long i = 0;; i++) {
		void *p = malloc(16 + i % 32);
		ms_keep(p);
		free(p);
		atomic_store_explicit(&progress[t], (long)i + 1, memory_order_relaxed);
	}
}

static void *worker(void *arg)
{
	busy_alloc((int)(long)arg);
	return NULL;
}

int main(void)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (long t = 0; t < NT; t++) {
		pthread_t th;
		if (pthread_create(&th, &a, worker, (void *)t))
			return 1;
	}
	for (int t = 0; t < NT; t++)
		while (atomic_load(&progress[t]) < 1000)
			sched_yield();
	return 0;
}
