/* See array.h. */
#include "analysis/array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <sys/mman.h>

int ms_array_reserve(void **arr, size_t *cap, size_t elem, size_t need, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : first;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		c *= 2;
	}
	void *p = realloc(*arr, c * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

int ms_array_reserve_mapped(void **arr, size_t *cap, size_t elem, size_t need, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : first;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		c *= 2;
	}
	void *p = *cap ? mremap(*arr, *cap * elem, c * elem, MREMAP_MAYMOVE)
	               : mmap(NULL, c * elem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	if (c * elem >= (2u << 20))
		madvise(p, c * elem, MADV_HUGEPAGE);
	*arr = p;
	*cap = c;
	return 0;
}

void ms_array_unmap(void *arr, size_t cap, size_t elem)
{
	if (arr && cap)
		munmap(arr, cap * elem);
}
