/* many_live: 200,000 blocks live at once (sizes 16 to 112 bytes by
 * i % 7), then every other one freed; a global array keeps the rest. The
 * runtime's live table grows many times on the way: in place in its
 * reserved region, or table by table when the address space is too small
 * to reserve it. */
#include <stdlib.h>

#include "tsupport.h"

#define N 200000

void **kept; /* external linkage: the array's root */

NOIPA void *one_block(int i) { return malloc((size_t)(i % 7 + 1) * 16); }

int main(void)
{
	kept = malloc(N * sizeof *kept);
	for (int i = 0; i < N; i++)
		kept[i] = one_block(i);
	for (int i = 0; i < N; i += 2) {
		free(kept[i]);
		kept[i] = NULL;
	}
	ms_keep(kept);
	return 0;
}
