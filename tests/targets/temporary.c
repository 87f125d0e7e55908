/* temporary: known numbers of temporary and non-temporary allocations.
 * A block is temporary when it is freed before the thread that allocated it
 * allocates anything else (frees in between do not matter; other threads'
 * allocations do not matter).
 *
 *   temp_simple     20 x (p = malloc(32); free(p))            20 temporary
 *   temp_calloc     10 x (p = calloc(4, 8); free(p))          10 temporary
 *   not_temp_pair   15 x (p = malloc(40); q = malloc(40); free(p); free(q))
 *                   p is not temporary (q allocated in between);
 *                   q is: only a free comes between q's allocation and its
 *                   free                                       15 temporary, 15 not
 *   kept_blocks     5 x malloc(56), freed at the end of main
 *                   after other allocations                    5 not
 *   leak_here       1 x malloc(64) (LEAK-LINE), never freed    1 not
 *   thread phase    main allocates M = malloc(72) (mainthread_alloc); a
 *                   second thread then allocates and frees 8 x malloc(24)
 *                   in other_thread_work (all 8 temporary); then main frees
 *                   M without having allocated anything: M is temporary
 *                   (the other thread's allocations do not count) 9 temporary
 * Totals: allocations 20 + 10 + 30 + 5 + 1 + 1 + 8 = 75 (+ the thread's DTV,
 *   see below), temporary_allocations 20 + 10 + 15 + 9 = 54,
 *   frees 20 + 10 + 30 + 5 + 1 + 8 = 74 (+ DTV),
 *   bytes 640 + 320 + 1200 + 280 + 64 + 72 + 192 = 2768 (+ DTV),
 *   leaked_bytes 64 in leaked_blocks 1.
 * glibc's pthread_create allocates the thread's DTV (1 calloc, in
 * allocate_dtv, freed by __libc_freeres; 272 bytes under valgrind): valgrind
 * 3.19 memcheck gives 76 allocs, 75 frees, 3,040 bytes. The DTV block is not
 * temporary (main allocates it, then M). */
#include <pthread.h>
#include <stdlib.h>

#include "tsupport.h"

NOIPA void temp_simple(void)
{
	for (int i = 0; i < 20; i++) {
		void *p = malloc(32);
		ms_keep(p);
		free(p);
	}
}

NOIPA void temp_calloc(void)
{
	for (int i = 0; i < 10; i++) {
		void *p = calloc(4, 8);
		ms_keep(p);
		free(p);
	}
}

NOIPA void not_temp_pair(void)
{
	for (int i = 0; i < 15; i++) {
		void *p = malloc(40);
		ms_keep(p);
		void *q = malloc(40);
		ms_keep(q);
		free(p);
		free(q);
	}
}

void *kept[5]; /* external linkage: roots */

NOIPA void kept_blocks(void)
{
	for (int i = 0; i < 5; i++)
		kept[i] = malloc(56);
}

NOIPA void leak_here(void)
{
	void *p = malloc(64); /* LEAK-LINE */
	ms_keep(p);
}

NOIPA void *mainthread_alloc(void)
{
	void *m = malloc(72);
	ms_keep(m);
	return m;
}

NOIPA void other_thread_work(void)
{
	for (int i = 0; i < 8; i++) {
		void *p = malloc(24);
		ms_keep(p);
		free(p);
	}
}

static void *other(void *arg)
{
	other_thread_work();
	return arg;
}

int main(void)
{
	temp_simple();
	temp_calloc();
	not_temp_pair();
	kept_blocks();
	leak_here();
	pthread_t t;
	/* pthread_create allocates the DTV first, then main allocates M; main
	 * allocates nothing else until it frees M. */
	if (pthread_create(&t, NULL, other, NULL))
		return 1;
	void *m = mainthread_alloc();
	pthread_join(t, NULL);
	free(m);
	for (int i = 0; i < 5; i++)
		free(kept[i]);
	return 0;
}
