/* inline_frames: allocations made in functions inlined into their caller,
 * two levels deep, so the report must expand inlined frames from the debug
 * information (DWARF inlined subroutines).
 *
 *   outer_fn() calls mid_inl() (always_inline), which calls leaf_inl()
 *   (always_inline), which leaks 321 bytes at LEAK-LINE. Expected frames:
 *     0 leaf_inl  inline_frames.c LEAK-LINE          inlined: true
 *     1 mid_inl   inline_frames.c MID-CALL line      inlined: true
 *     2 outer_fn  inline_frames.c OUTER-CALL line    inlined: false
 *     3 main
 *   (valgrind 3.19 memcheck shows the same four frames, the first three at
 *   one address.) allocations 1, frees 0, bytes 321, leaked 321 in 1. */
#include <stdlib.h>

#include "tsupport.h"

static inline __attribute__((always_inline)) void *leaf_inl(size_t n)
{
	void *p = malloc(n); /* LEAK-LINE */
	ms_keep(p);
	return p;
}

static inline __attribute__((always_inline)) void *mid_inl(size_t n)
{
	void *p = leaf_inl(n + 1); /* MID-CALL */
	ms_isink++;
	return p;
}

NOIPA void outer_fn(void)
{
	mid_inl(320); /* OUTER-CALL */
	ms_isink++;
}

int main(void)
{
	outer_fn();
	return 0;
}
