/* many_stacks [THREADS [LEVELS]]: allocations from 2^LEVELS distinct call
 * paths (default 1 thread, 10 levels: 1024 paths).
 *
 * node(d) calls go_left(d-1) and go_right(d-1), each of which calls node
 * again, down to depth LEVELS; at the bottom leaf_alloc() allocates. The
 * path through go_left/go_right call sites differs for each leaf, so there
 * are 2^LEVELS distinct call stacks (each LEVELS go_* frames deep).
 * Leaf number i (bit k = the turn taken at level k) allocates
 * 8 + (i % 8) * 8 bytes and frees it at once.
 *   Defaults: allocations 1024, frees 1024, bytes_allocated 128 *
 *   (8+16+...+64) = 36864, leaked 0, temporary_allocations 1024,
 *   peak_bytes 64 (one block at a time). Valgrind 3.19 memcheck: 1,024
 *   allocs, 1,024 frees, 36,864 bytes.
 * With THREADS > 1, the threads are released together by a barrier and walk
 * the same tree from the same call in walker(), so they race to insert the
 * same new stacks into the runtime's shared stack table, which grows while
 * they do (src/runtime/stacktab.c): each of the 2^LEVELS stacks has THREADS
 * allocations. */
#include <pthread.h>
#include <stdlib.h>

#include "tsupport.h"

#define MAX_THREADS 64

static int levels = 10;
static pthread_barrier_t start;

NOIPA void leaf_alloc(unsigned path)
{
	void *p = malloc(8 + (path % 8) * 8);
	ms_keep(p);
	free(p);
}

NOIPA void node(int d, unsigned path);

NOIPA void go_left(int d, unsigned path)
{
	node(d, path << 1);
	ms_isink++;
}

NOIPA void go_right(int d, unsigned path)
{
	node(d, path << 1 | 1);
	ms_isink++;
}

NOIPA void node(int d, unsigned path)
{
	if (d == 0) {
		leaf_alloc(path);
		return;
	}
	go_left(d - 1, path);
	go_right(d - 1, path);
	ms_isink++;
}

NOIPA void *walker(void *arg)
{
	pthread_barrier_wait(&start);
	node(levels, 0);
	ms_isink++;
	return arg;
}

int main(int argc, char **argv)
{
	int nt = argc > 1 ? atoi(argv[1]) : 1;
	if (argc > 2)
		levels = atoi(argv[2]);
	if (nt < 1 || nt > MAX_THREADS || levels < 1 || levels > 20)
		return 2;
	if (nt == 1) {
		node(levels, 0);
		return 0;
	}
	pthread_t t[MAX_THREADS];
	pthread_barrier_init(&start, NULL, (unsigned)nt);
	for (int i = 0; i < nt; i++)
		if (pthread_create(&t[i], NULL, walker, NULL))
			return 1;
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	return 0;
}
