/* Growable arrays of the analysis: one way to make room, so that every
 * table doubles the same way and reports running out of memory the same way. */
#ifndef MS_ANALYSIS_ARRAY_H
#define MS_ANALYSIS_ARRAY_H

#include <stddef.h>

/* Makes *arr (elements of elem bytes, capacity *cap) hold at least need
 * elements: the capacity doubles, starting at first. Returns 0, or -ENOMEM
 * with *arr and *cap unchanged (the old array stays valid). */
int ms_array_reserve(void **arr, size_t *cap, size_t elem, size_t need, size_t first);

/* The same for an array in a mapping of its own, for arrays that grow to
 * megabytes and are written through: the mapping grows in place (mremap)
 * and asks for transparent huge pages, since each 4 KiB page's first write
 * is a page fault, and in a virtual machine a fault costs microseconds.
 * first * elem is a multiple of the page size. Freed by ms_array_unmap. */
int ms_array_reserve_mapped(void **arr, size_t *cap, size_t elem, size_t need, size_t first);
/* Transparent huge pages for a mapping of 2 MiB or more (the machine's THP
 * mode is often madvise): for arrays read at random, or written through. */
void ms_array_advise_huge(void *p, size_t bytes);
void ms_array_unmap(void *arr, size_t cap, size_t elem);

#endif
