/* alloc_edges: edge cases of the malloc family and how memcheck counts them.
 *
 *   zero_sizes      malloc(0), calloc(0, 10), calloc(10, 0): 3 allocations of
 *                   0 bytes, freed
 *   array_realloc   reallocarray(NULL, 10, 8) (80), then reallocarray(p, 20, 8)
 *                   (160): 2 allocations, 1 free; then free: 1 free
 *   failures        malloc(huge), calloc(overflowing), realloc(p, huge),
 *                   reallocarray(overflowing), posix_memalign(huge),
 *                   aligned_alloc(huge): all fail; none counted, and p (64
 *                   bytes from malloc first, LEAK-LINE) is left untouched by
 *                   the failed realloc and leaked
 *   free(NULL) x 3  not counted
 * Expected (valgrind 3.19 memcheck and DHAT):
 *   allocations 6, frees 5, bytes_allocated 304 (0+0+0+80+160+64),
 *   leaked_bytes 64 in leaked_blocks 1, peak_bytes 160 (the 160-byte block,
 *   after the 80-byte one was freed by reallocarray).
 * Exit status 0 if every failing call failed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdlib.h>

#include "tsupport.h"

static int bad;
void *edge_root; /* external linkage: a root */

NOIPA void zero_sizes(void)
{
	void *a = malloc(0), *b = calloc(0, 10), *c = calloc(10, 0);
	ms_keep(a);
	ms_keep(b);
	ms_keep(c);
	free(a);
	free(b);
	free(c);
}

NOIPA void array_realloc(void)
{
	void *p = reallocarray(NULL, 10, 8);
	ms_keep(p);
	p = reallocarray(p, 20, 8);
	ms_keep(p);
	free(p);
}

NOIPA void failures(void)
{
	volatile size_t huge = SIZE_MAX - 4096;
	void *p = malloc(64); /* LEAK-LINE */
	edge_root = p;
	if (malloc(huge))
		bad = 1;
	if (calloc(huge / 2, 4))
		bad = 1;
	if (realloc(p, huge))
		bad = 1;
	if (reallocarray(NULL, huge / 2, 4))
		bad = 1;
	void *q = NULL;
	if (posix_memalign(&q, 64, huge) == 0)
		bad = 1;
	if (aligned_alloc(64, huge))
		bad = 1;
}

int main(void)
{
	zero_sizes();
	array_realloc();
	failures();
	free(NULL);
	free(NULL);
	free(NULL);
	return bad;
}
