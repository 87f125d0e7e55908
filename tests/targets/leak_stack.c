/* leak_stack: a 64-byte block is reachable only from a local variable of
 * main (volatile, so it lives in main's frame) when exit() is called from a
 * function three calls deeper; a 16-byte block is leaked. memcheck: still
 * reachable 64 bytes in 1 block, definitely lost 16 bytes in 1 block. */
#include <stdlib.h>
#include <string.h>

#include "tsupport.h"

NOIPA void leak_small(void)
{
	ms_keep(malloc(16));
	ms_keep(NULL);
}

NOIPA void build(void) { leak_small(); }

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

/* Three distinct frames between main and exit(). */
NOIPA void level3(void) { exit(0); }
NOIPA void level2(void) { level3(); }
NOIPA void level1(void) { level2(); }

int main(void)
{
	void *volatile on_stack = calloc(1, 64);

	build();
	scrub();
	level1();
	return on_stack == NULL;
}
