/* leak_tls: a 72-byte block is reachable only through a static __thread
 * variable of the main thread (its static TLS block); an 8-byte block is
 * leaked. memcheck: still reachable 72 bytes in 1 block, definitely lost 8
 * bytes in 1 block. The TLS variable has external linkage and is read
 * at the end, so gcc keeps the store. */
#include <stdlib.h>
#include <string.h>

#include "tsupport.h"

__thread void *tls_root;

NOIPA void keep_in_tls(void)
{
	tls_root = calloc(1, 72);
}

NOIPA void leak_small(void)
{
	ms_keep(malloc(8));
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
	keep_in_tls();
	leak_small();
}

int main(void)
{
	build();
	scrub();
	return tls_root == NULL; /* 0: the block is there */
}
