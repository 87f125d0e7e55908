/* leak_interior: a global keeps only a pointer to the middle (offset 56) of
 * a 100-byte block, whose first word points to the start of a 24-byte block.
 * memcheck: possibly lost 124 bytes in 2 blocks (an interior pointer on the
 * only chain to either), nothing definitely lost, still reachable 16 bytes
 * in 1 block (kept_start). Offset 56 matches none of memcheck's heuristics
 * (they look at offsets 8 and 24 and at the block's first words). */
#include <stdlib.h>
#include <string.h>

#include "tsupport.h"

char *kept_middle; /* external linkage: the interior pointer */
void *kept_start;  /* a start pointer, for comparison */

NOIPA void keep_middle(void)
{
	void **big = malloc(100);
	memset(big, 0, 100);
	big[0] = calloc(1, 24);
	kept_middle = (char *)big + 56;
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
	kept_start = calloc(1, 16);
	keep_middle();
}

int main(void)
{
	build();
	scrub();
	return 0;
}
