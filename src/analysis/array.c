/* See array.h. */
#include "analysis/array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <sys/mman.h>

/* The capacity that holds need elements: cap (first when 0) doubled;
 * 0 when it would overflow. */
static size_t grown_cap(size_t cap, size_t elem, size_t need, size_t first)
{
	size_t c = cap ? cap : first;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elem)
			return 0;
		c *= 2;
	}
	return c;
}

int ms_array_reserve(void **arr, size_t *cap, size_t elem, size_t need, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t c = grown_cap(*cap, elem, need, first);
	void *p = c ? realloc(*arr, c * elem) : NULL;
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

void ms_array_advise_huge(void *p, size_t bytes)
{
	if (bytes >= (2u << 20))
		madvise(p, bytes, MADV_HUGEPAGE);
}

int ms_array_reserve_mapped(void **arr, size_t *cap, size_t elem, size_t need, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t c = grown_cap(*cap, elem, need, first);
	if (!c)
		return -ENOMEM;
	void *p = *cap ? mremap(*arr, *cap * elem, c * elem, MREMAP_MAYMOVE)
	               : mmap(NULL, c * elem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	ms_array_advise_huge(p, c * elem);
	*arr = p;
	*cap = c;
	return 0;
}

void ms_array_unmap(void *arr, size_t cap, size_t elem)
{
	if (arr && cap)
		munmap(arr, cap * elem);
}
