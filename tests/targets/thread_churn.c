/* thread_churn: 500 short-lived threads, 10 alive at a time; each
 * allocates 10 blocks of 48 bytes in churn_alloc(), frees 9 and leaks one
 * at churn_leak (LEAK-LINE), then exits. Events of threads that are gone
 * must not be lost.
 *   own figures: allocations 5000, frees 4500, bytes 240000,
 *   leaked_bytes 24000 in leaked_blocks 500.
 * glibc adds DTV blocks (allocate_dtv) for thread stacks not taken from its
 * stack cache, and frees them: valgrind 3.19 memcheck, twice the same:
 * 5,304 allocs, 4,804 frees, 322,688 bytes allocated (304 DTVs of 272
 * bytes); in use at exit 24,000 bytes in 500 blocks. */
#include <pthread.h>
#include <stdlib.h>

#include "tsupport.h"

#define BATCH 10
#define ROUNDS 50

void *leaks[BATCH * ROUNDS]; /* external linkage: roots */

NOIPA void churn_leak(int i)
{
	leaks[i] = malloc(48); /* LEAK-LINE */
}

NOIPA void churn_alloc(void)
{
	void *b[9];
	for (int k = 0; k < 9; k++) {
		b[k] = malloc(48);
		ms_keep(b[k]);
	}
	for (int k = 0; k < 9; k++)
		free(b[k]);
}

static void *worker(void *arg)
{
	churn_alloc();
	churn_leak((int)(long)arg);
	return NULL;
}

int main(void)
{
	for (int r = 0; r < ROUNDS; r++) {
		pthread_t t[BATCH];
		for (int i = 0; i < BATCH; i++)
			if (pthread_create(&t[i], NULL, worker, (void *)(long)(r * BATCH + i)))
				return 1;
		for (int i = 0; i < BATCH; i++)
			pthread_join(t[i], NULL);
	}
	return 0;
}
