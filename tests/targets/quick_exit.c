/* quick_exit: ends with _exit(7) (no atexit handlers, no stdio flush)
 * right after allocating, and with a printf whose stdout buffer is never
 * flushed or freed.
 *   exit_alloc(): malloc 1000 (freed), malloc 2000 (kept, LEAK-LINE);
 *   printf allocates stdout's buffer (4096 on a pipe or file) and _exit
 *   does not flush it (nothing is printed).
 * Run directly, it prints nothing and exits with 7:
 *   allocations 3, frees 1, bytes_allocated 7096, leaked_bytes 6096 in
 *   leaked_blocks 2 (the 2000-byte block and stdout's buffer).
 * Valgrind 3.19 differs: it runs __libc_freeres also at _exit, which
 * flushes stdout ("never flushed" IS printed under valgrind) and frees its
 * buffer: 3 allocs, 2 frees, 7,096 bytes; in use at exit 2,000 in 1 block.
 * memscope must not change what the program prints, so it cannot do the
 * same: the e2e test expects the figures of the plain run. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tsupport.h"

void *kept; /* external linkage: a root */

NOIPA void exit_alloc(void)
{
	void *p = malloc(1000);
	ms_keep(p);
	free(p);
	kept = malloc(2000); /* LEAK-LINE */
}

int main(void)
{
	exit_alloc();
	printf("never flushed\n");
	_exit(7);
}
