/* snap_sigblock: a thread that blocks every signal, as some runtimes'
 * helper threads do, holds a block of 3000 bytes that only its own stack
 * points to, sleeping 1 ms at a time, while main takes one snapshot. The
 * signal method cannot stop such a thread; ptrace can.
 *
 * Prints "tid TID" (the blocking thread), then "snapshot R" (memscope_snapshot's
 * result, 0 without memscope) and "done". */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MEMSCOPE_WEAK
#include "memscope.h"

static _Atomic int tid, quit;

static void *blocker(void *arg)
{
	(void)arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	char *volatile held = malloc(3000);
	if (!held)
		abort();
	memset(held, 1, 3000);
	atomic_store(&tid, (int)syscall(SYS_gettid));
	struct timespec ms = {0, 1000000L};
	while (!atomic_load(&quit))
		nanosleep(&ms, NULL);
	free(held);
	return NULL;
}

int main(void)
{
	pthread_t th;
	if (pthread_create(&th, NULL, blocker, NULL))
		return 1;
	while (!atomic_load(&tid))
		usleep(1000);
	printf("tid %d\n", atomic_load(&tid));
	printf("snapshot %d\n", memscope_snapshot_weak("blocked"));
	atomic_store(&quit, 1);
	pthread_join(th, NULL);
	printf("done\n");
	return 0;
}
