/* sigkill: allocates a known amount, waits so the runtime's periodic rounds
 * write the events, then kills itself with SIGKILL (no exit handler runs).
 *
 * sigkill_alloc() allocates 10 blocks of 1000 bytes and frees 3 of them:
 *   allocations 10, frees 3, bytes_allocated 10000, live at death 7000 in 7
 *   blocks, peak_bytes 10000.
 * Then it sleeps argv[1] milliseconds (default 500) and raises SIGKILL: the
 * process dies by signal 9. The trace has no end record; the report reads it
 * up to its last written frame. */
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "tsupport.h"

void *blocks[10]; /* external linkage: roots */

NOIPA void sigkill_alloc(void)
{
	for (int i = 0; i < 10; i++)
		blocks[i] = malloc(1000);
	for (int i = 0; i < 3; i++)
		free(blocks[i]);
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 500;
	sigkill_alloc();
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts))
		;
	raise(SIGKILL);
	return 0;
}
