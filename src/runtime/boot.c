/* Bootstrap memory: allocations made before the real allocator is known
 * (dlsym itself calls calloc). A static bump buffer; blocks are never
 * reused, and free() of them does nothing. Each block is preceded by its
 * size so that realloc can copy it out. */
#include <stdatomic.h>
#include <string.h>

#include "runtime/rt.h"

#define BOOT_SIZE MS_BOOT_SIZE
#define boot ms_rt_boot_area

_Alignas(64) uint8_t ms_rt_boot_area[MS_BOOT_SIZE];
static _Atomic size_t boot_used;

void *ms_rt_boot_alloc(size_t size, size_t align)
{
	if (align < 16)
		align = 16;
	if (size > BOOT_SIZE || align > 4096)
		return NULL;
	size_t old = atomic_load(&boot_used), start, end;
	do {
		start = (old + 16 + align - 1) & ~(align - 1);
		end = start + size;
		if (end > BOOT_SIZE)
			return NULL;
	} while (!atomic_compare_exchange_weak(&boot_used, &old, end));
	memcpy(boot + start - sizeof(size_t), &size, sizeof size);
	return boot + start; /* static storage: already zero */
}

size_t ms_rt_boot_size(const void *p)
{
	size_t n;
	memcpy(&n, (const uint8_t *)p - sizeof n, sizeof n);
	return n;
}
