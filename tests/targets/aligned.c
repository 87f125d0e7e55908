/* aligned: every aligned allocator of glibc, each block checked for its
 * alignment (exit status 1 if one is misaligned). pvalloc is called only with
 * the argument "pvalloc": valgrind 3.19 aborts the program on pvalloc
 * ("Program aborting because of call to pvalloc"), so the run without it is
 * the one compared with valgrind.
 *
 *   posix_memalign(64, 100)   100 bytes
 *   aligned_alloc(128, 256)   256 bytes
 *   memalign(256, 300)        300 bytes
 *   valloc(1000)             1000 bytes (page aligned; memcheck counts the
 *                                         requested size, not a page)
 *   pvalloc(1000)            only with argv[1] == "pvalloc" (pvalloc_here):
 *                            1 allocation of 1000 requested bytes, 4096
 *                            allocated (page-rounded); freed
 *   posix_memalign(3, 10)    fails with EINVAL: no allocation
 *   posix_memalign(32, 48) in leak_here (LEAK-LINE): 48 bytes, leaked
 *
 * Expected without argument (valgrind 3.19 memcheck and DHAT agree):
 *   allocations 5, frees 4, bytes_allocated 1704
 *   leaked_bytes 48 in leaked_blocks 1 (leak_here, LEAK-LINE)
 *   peak_bytes 1704 (all five live at once, before the frees)
 * With "pvalloc": one more allocation and free, of 1000 or 4096 bytes
 * (valgrind cannot tell which); peak 1704 + that size. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

#include "tsupport.h"

static int bad;

static void check(void *p, size_t align)
{
	ms_keep(p);
	if (!p || ((uintptr_t)p & (align - 1)))
		bad = 1;
}

NOIPA void leak_here(void)
{
	void *p = NULL;
	if (posix_memalign(&p, 32, 48)) /* LEAK-LINE */
		bad = 1;
	check(p, 32);
}

NOIPA void *pvalloc_here(void)
{
	void *e = pvalloc(1000);
	check(e, 4096);
	return e;
}

int main(int argc, char **argv)
{
	void *a = NULL;
	if (posix_memalign(&a, 64, 100))
		bad = 1;
	check(a, 64);
	void *b = aligned_alloc(128, 256);
	check(b, 128);
	void *c = memalign(256, 300);
	check(c, 256);
	void *d = valloc(1000);
	check(d, 4096);
	void *e = NULL;
	if (argc > 1 && !strcmp(argv[1], "pvalloc"))
		e = pvalloc_here();
	void *f = NULL;
	if (posix_memalign(&f, 3, 10) == 0)
		bad = 1;
	leak_here();
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
	return bad;
}
