/* snap_threads: 8 threads allocate and free (each keeps a ring of 64 live
 * blocks) until a line arrives on stdin; then main joins them, prints
 * "done", frees everything and exits with status 3. It prints "ready PID"
 * once every thread runs, for a test that snapshots it from outside. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NTHREADS 8
#define RING 64

static atomic_int stop, running;
static atomic_long rounds;

static void *worker(void *arg)
{
	void *ring[RING] = {0};
	unsigned seed = (unsigned)(uintptr_t)arg, i = 0;
	atomic_fetch_add(&running, 1);
	while (!atomic_load(&stop)) {
		unsigned k = i++ % RING;
		free(ring[k]);
		seed = seed * 1103515245u + 12345u;
		ring[k] = malloc(16 + (seed >> 16) % 2000);
		if (k == 0) {
			atomic_fetch_add(&rounds, 1);
			usleep(200); /* keeps the trace small: ~300k allocations/s in all */
		}
	}
	for (unsigned k = 0; k < RING; k++)
		free(ring[k]);
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(i + 1));
	while (atomic_load(&running) < NTHREADS)
		usleep(1000);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	char line[64];
	if (!fgets(line, sizeof line, stdin)) {
		/* EOF: stop too */
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	printf("done %s\n", atomic_load(&rounds) > 0 ? "yes" : "no");
	return 3;
}
