/* big_blocks: blocks of 16 MiB and more, whose sizes the runtime's live
 * table keeps apart from its 12-byte slots (src/runtime/livetab.c), next to
 * small ones. The big blocks are never touched, so they cost no RSS.
 *   snapshot "big": 16 MiB, 16 MiB - 1, 100 MiB + 3, 40 MiB (realloc'd
 *     from 20 MiB), a 1,000 x 48-byte list: 1,004 blocks,
 *     16777216 + 16777215 + 104857603 + 41943040 + 48000 = 180403074 bytes;
 *   snapshot "freed": the 16 MiB and the 100 MiB + 3 blocks freed, every
 *     other list node freed: 502 blocks, 16777215 + 41943040 + 24000 =
 *     58744255 bytes;
 *   at exit: the 40 MiB block leaked (definitely: its pointer is gone),
 *     the 16 MiB - 1 block possibly lost (a global points 9 MiB into it,
 *     nothing to its start: the scan must know the block spans that far),
 *     the 500 nodes still reachable. */
#include <stdlib.h>

#define MEMSCOPE_WEAK
#include "memscope.h"
#include "tsupport.h"

#define MIB (1024 * 1024)

char *keep_big; /* a global root: 9 MiB into its block, from the first snapshot on */
void *nodes[1000];

int main(void)
{
	void *a = malloc(16 * MIB);
	keep_big = malloc(16 * MIB - 1);
	void *c = malloc(100 * MIB + 3);
	void *d = malloc(20 * MIB);
	d = realloc(d, 40 * MIB);
	ms_keep(a);
	ms_keep(c);
	ms_keep(d);
	for (int i = 0; i < 1000; i++)
		nodes[i] = malloc(48);
	keep_big += 9 * MIB;
	memscope_snapshot_weak("big");
	free(a);
	free(c);
	for (int i = 0; i < 1000; i += 2) {
		free(nodes[i]);
		nodes[i] = NULL;
	}
	memscope_snapshot_weak("freed");
	d = NULL;
	ms_keep(NULL);
	return 0;
}
