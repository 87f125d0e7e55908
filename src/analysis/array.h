/* Growable arrays of the analysis: one way to make room, so that every
 * table doubles the same way and reports running out of memory the same way. */
#ifndef MS_ANALYSIS_ARRAY_H
#define MS_ANALYSIS_ARRAY_H

#include <stddef.h>

/* Makes *arr (elements of elem bytes, capacity *cap) hold at least need
 * elements: the capacity doubles, starting at first. Returns 0, or -ENOMEM
 * with *arr and *cap unchanged (the old array stays valid). */
int ms_array_reserve(void **arr, size_t *cap, size_t elem, size_t need, size_t first);

#endif
