/* many_stacks: allocations from 1024 distinct call paths.
 *
 * node(d) calls go_left(d-1) and go_right(d-1), each of which calls node
 * again, down to depth 10; at the bottom leaf_alloc() allocates. The path
 * through go_left/go_right call sites differs for each of the 2^10 = 1024
 * leaves, so there are 1024 distinct call stacks (each 10 go_* frames deep,
 * about 24 frames with node, leaf_alloc and main).
 * Leaf number i (0..1023, bit k = the turn taken at level k) allocates
 * 8 + (i % 8) * 8 bytes and frees it at once.
 *   allocations 1024, frees 1024, bytes_allocated 128 * (8+16+...+64) = 36864,
 *   leaked 0, temporary_allocations 1024, peak_bytes 64 (one block at a time).
 * Valgrind 3.19 memcheck: 1,024 allocs, 1,024 frees, 36,864 bytes. */
#include <stdlib.h>

#include "tsupport.h"

#define LEVELS 10

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

int main(void)
{
	node(LEVELS, 0);
	return 0;
}
