/* See array.h. */
#include "analysis/array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

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
