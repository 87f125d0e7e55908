/* basic: malloc, calloc and free with one known leak and a known peak.
 *
 * Expected figures (by construction; valgrind 3.19 memcheck and DHAT agree):
 *   allocations           6   (1000 + calloc 10x100 + 500 + 2000 + 0 + 100)
 *   frees                 5   (free(NULL) is not a free)
 *   bytes_allocated    4600
 *   peak_bytes         3500   (b 1000 + c 500 + d 2000, right after d)
 *   leaked_bytes        100   in leaked_blocks 1, allocated in leak_here()
 *                             at the line marked LEAK-LINE, called from
 *                             leak_outer() called from main()
 *   temporary_allocations 1   (e = malloc(0), freed before anything else is
 *                             allocated; d is not: e is allocated meanwhile)
 * The program makes no other allocation (no stdio). */
#include <stdlib.h>

#include "tsupport.h"

NOIPA void leak_here(void)
{
	void *p = malloc(100); /* LEAK-LINE */
	ms_keep(p);
}

NOIPA void leak_outer(void)
{
	leak_here();
	ms_isink++;
}

int main(void)
{
	char *a = malloc(1000);
	ms_keep(a);
	char *b = calloc(10, 100);
	ms_keep(b);
	char *c = malloc(500);
	ms_keep(c);
	free(a);
	char *d = malloc(2000); /* peak: 3500 live */
	ms_keep(d);
	free(b);
	char *e = malloc(0);
	ms_keep(e);
	free(e);
	free(c);
	free(d);
	free(NULL);
	leak_outer();
	return 0;
}
