/* fork_threads: fork while other threads allocate, 20 times. A runtime that
 * holds a lock across fork deadlocks the child (the test then hangs); one
 * that does not reset its per-thread state mixes the threads' events into
 * the child's trace.
 *
 * 4 workers each make ITER = 200000 malloc(32)/free pairs in worker_alloc().
 * Meanwhile main forks NFORK = 20 children, one after the other; each child
 * runs child_work(): 10 x malloc(100) then frees them, and leaks 77 bytes at
 * child_leak (LEAK-LINE), then exit(0). main prints "child PID" for each
 * and waits for it.
 * Parent: worker_alloc allocations 800000, frees 800000; no child_work.
 * Each child trace: child_work allocations 10, frees 10, bytes 1000;
 *   child_leak 77 bytes in 1 block; no worker_alloc activity after the fork
 *   (only blocks in flight at the fork, inherited: at most 4).
 * Exit status 0 if every child exited with 0. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tsupport.h"

#define NT 4
#define ITER 200000
#define NFORK 20

NOIPA void worker_alloc(void)
{
	for (int i = 0; i < ITER; i++) {
		void *p = malloc(32);
		ms_keep(p);
		free(p);
	}
}

static void *worker(void *arg)
{
	worker_alloc();
	return arg;
}

NOIPA void child_leak(void)
{
	void *p = malloc(77); /* LEAK-LINE */
	ms_keep(p);
}

NOIPA void child_work(void)
{
	void *b[10];
	for (int i = 0; i < 10; i++) {
		b[i] = malloc(100);
		ms_keep(b[i]);
	}
	for (int i = 0; i < 10; i++)
		free(b[i]);
	child_leak();
}

int main(void)
{
	pthread_t t[NT];
	for (long i = 0; i < NT; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i))
			return 1;
	int bad = 0;
	for (int k = 0; k < NFORK; k++) {
		pid_t pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			child_work();
			exit(0);
		}
		ms_puts(1, "child ");
		ms_putu(1, (unsigned long)pid);
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			bad = 1;
	}
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	return bad;
}
