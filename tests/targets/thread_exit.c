/* thread_exit: exit(3) called from a thread other than main while main
 * waits in pthread_join.
 *
 * The thread allocates 5 blocks of 100 bytes in thread_alloc(), frees 2,
 * leaks 777 bytes at leak_here (LEAK-LINE), then calls exit(3). main
 * allocates 64 bytes before creating the thread (kept).
 * Own figures: allocations 1 + 5 + 1 = 7, frees 2, bytes 64 + 500 + 777 =
 *   1341, leaked 64 + 300 + 777 = 1141 bytes in 5 blocks.
 * glibc adds the new thread's DTV (1 calloc in allocate_dtv, 272 bytes with
 * glibc 2.36 and no other TLS module; still in use at exit because the
 * thread is still running when exit() frees glibc's memory).
 * Expected totals (valgrind 3.19 memcheck and DHAT): allocations 8, frees 2,
 *   bytes_allocated 1613, leaked_bytes 1413 in leaked_blocks 6 (1141 in 5
 *   of the program's own + the DTV), peak_bytes 1413.
 * Exit status 3. */
#include <pthread.h>
#include <stdlib.h>

#include "tsupport.h"

void *kept[6]; /* external linkage: roots */

NOIPA void leak_here(void)
{
	kept[5] = malloc(777); /* LEAK-LINE */
}

NOIPA void thread_alloc(void)
{
	void *b[5];
	for (int i = 0; i < 5; i++) {
		b[i] = malloc(100);
		ms_keep(b[i]);
	}
	free(b[0]);
	free(b[1]);
	kept[1] = b[2];
	kept[2] = b[3];
	kept[3] = b[4];
}

static void *worker(void *arg)
{
	thread_alloc();
	leak_here();
	exit(3);
	return arg;
}

int main(void)
{
	kept[0] = malloc(64);
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	pthread_join(t, NULL);
	return 0; /* not reached */
}
