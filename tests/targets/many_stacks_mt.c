/* many_stacks_mt: 4 threads, released together by a barrier, each
 * allocate from the same 4096 distinct call paths at the same time, so
 * that they race to insert every new stack into the runtime's shared stack
 * table, which grows from 4096 slots while they do (src/runtime/stacktab.c).
 *
 * node(d) calls go_left(d-1) and go_right(d-1), each of which calls node
 * again, down to depth 12; at the bottom leaf_alloc() allocates. Leaf i
 * (0..4095) allocates 8 + (i % 8) * 8 bytes and frees it at once. Every
 * thread starts from the same call in walker(), so the 4096 stacks are the
 * same in all threads:
 *   4096 stacks with first frame leaf_alloc, 4 allocations and 4 frees
 *   each; in all 16384 allocations of 4 * 512 * (8+16+...+64) = 589824
 *   bytes from leaf_alloc. */
#include <pthread.h>
#include <stdlib.h>

#include "tsupport.h"

#define LEVELS 12
#define NT 4

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
	node(LEVELS, 0);
	ms_isink++;
	return arg;
}

int main(void)
{
	pthread_t t[NT];
	pthread_barrier_init(&start, NULL, NT);
	for (int i = 0; i < NT; i++)
		if (pthread_create(&t[i], NULL, walker, NULL))
			return 1;
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	return 0;
}
