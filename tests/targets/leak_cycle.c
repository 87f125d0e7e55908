/* leak_cycle: three 40-byte blocks point to each other in a ring and
 * nothing else points to them; a global keeps one 24-byte block. memcheck:
 * definitely lost 40 bytes in 1 block (the first of the ring in address
 * order heads the group), indirectly lost 80 bytes in 2 blocks, still
 * reachable 24 bytes in 1 block. */
#include <stdlib.h>
#include <string.h>

#include "tsupport.h"

struct ring {
	struct ring *next;
	long v[4];
}; /* 40 bytes */

void *kept_block; /* external linkage: a root */

NOIPA void leak_cycle(void)
{
	struct ring *a = malloc(sizeof *a), *b = malloc(sizeof *b), *c = malloc(sizeof *c);
	memset(a, 0, sizeof *a);
	memset(b, 0, sizeof *b);
	memset(c, 0, sizeof *c);
	a->next = b;
	b->next = c;
	c->next = a;
	ms_keep(a);
	ms_keep(NULL);
}

/* Every function that held a leaked pointer ran at least two calls below
 * main (main -> build -> ...), and scrub, one call below main, zeroes that
 * area: no stale copy (say, a callee-saved register the allocator spilled)
 * is left where the exit path's frames will not overwrite it. */
NOIPA void scrub(void)
{
	volatile char buf[8192];
	for (size_t i = 0; i < sizeof buf; i++) /* volatile stores: memset here would be deleted */
		buf[i] = 0;
}

NOIPA void build(void)
{
	kept_block = calloc(1, 24);
	leak_cycle();
}

int main(void)
{
	build();
	scrub();
	return 0;
}
