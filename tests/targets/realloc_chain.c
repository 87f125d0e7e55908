/* realloc_chain: realloc from NULL, grow, same size, shrink, to 0; and a
 * second chain that leaks.
 *
 * How memcheck counts realloc (TESTING-NOTES.md): realloc(NULL, n) = 1 alloc
 * of n; realloc(p, n>0) = 1 alloc of n + 1 free; realloc(p, 0) = 1 free.
 *
 * Chain 1 (chain_one):   realloc(NULL,100) -> 1000 -> 1000 -> 10 -> 0
 *   allocs 4 (100 + 1000 + 1000 + 10 = 2110 bytes), frees 4
 * Chain 2 (leak_here):   realloc(NULL,50) -> 300 (LEAK-LINE), never freed
 *   allocs 2 (350 bytes), frees 1
 * Big block (big_block): malloc(5000), realloc to 6000, free
 *   allocs 2 (11000 bytes), frees 2
 *
 * Expected totals (valgrind 3.19 memcheck agrees):
 *   allocations 8, frees 7, bytes_allocated 13460
 *   leaked_bytes 300 in leaked_blocks 1 (leak_here, LEAK-LINE)
 *   peak_bytes 6300: the 300-byte leak + the 6000-byte block. A realloc is
 *   a free of the old block then an allocation of the new one (trace
 *   format), so old and new are never counted live together; DHAT's t-gmax
 *   agrees (6,300 bytes in 2 blocks). */
#include <stdlib.h>

#include "tsupport.h"

NOIPA void chain_one(void)
{
	char *p = realloc(NULL, 100);
	ms_keep(p);
	p = realloc(p, 1000);
	ms_keep(p);
	p = realloc(p, 1000);
	ms_keep(p);
	p = realloc(p, 10);
	ms_keep(p);
	p = realloc(p, 0); /* glibc frees and returns NULL */
	ms_keep(p);
}

NOIPA void leak_here(void)
{
	char *q = realloc(NULL, 50);
	ms_keep(q);
	q = realloc(q, 300); /* LEAK-LINE */
	ms_keep(q);
}

NOIPA void big_block(void)
{
	char *r = malloc(5000);
	ms_keep(r);
	r = realloc(r, 6000);
	ms_keep(r);
	free(r);
}

int main(void)
{
	chain_one();
	leak_here();
	big_block();
	return 0;
}
