/* many_sites: main calls site() from 1000 distinct call sites, so stack
 * walks meet over 1000 distinct return addresses, and the runtime's table
 * of unwind rules (src/runtime/cfi.c), which starts at 1024 slots and
 * doubles at half full, grows at least once.
 * Call site number k (1000..1999) calls site(k), which allocates
 * 1 + k % 100 bytes and frees them at once:
 *   1000 stacks with first frame site, one allocation and one free each;
 *   allocations 1000, frees 1000, bytes_allocated 10 * (1 + ... + 100) =
 *   50500, leaked 0.
 * Valgrind 3.19 memcheck: 1,000 allocs, 1,000 frees, 50,500 bytes. */
#include <stdlib.h>

#include "tsupport.h"

NOIPA void site(unsigned k)
{
	void *p = malloc(1 + k % 100);
	ms_keep(p);
	free(p);
}

#define S(k) site(k);
#define S10(k) S(k##0) S(k##1) S(k##2) S(k##3) S(k##4) S(k##5) S(k##6) S(k##7) S(k##8) S(k##9)
#define S100(k) S10(k##0) S10(k##1) S10(k##2) S10(k##3) S10(k##4) S10(k##5) S10(k##6) S10(k##7) S10(k##8) S10(k##9)

int main(void)
{
	/* numbers 1000..1999: no leading 0, which would make them octal */
	S100(10) S100(11) S100(12) S100(13) S100(14) S100(15) S100(16) S100(17) S100(18) S100(19)
	return 0;
}
