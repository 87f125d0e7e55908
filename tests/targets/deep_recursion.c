/* deep_recursion: one allocation at the bottom of a 100-deep recursion, to
 * test the stack depth limit (--depth).
 *
 * main -> recurse(100) -> recurse(99) -> ... -> recurse(1) -> recurse(0)
 *   -> deep_alloc, which leaks 1234 bytes (LEAK-LINE).
 * The full stack has deep_alloc, 101 recurse frames, main and the C start
 * frames (__libc_start_call_main, __libc_start_main, _start).
 * With --depth N (N < 102), the recorded stack is the innermost N frames:
 * deep_alloc then N - 1 recurse frames.
 *   allocations 1, frees 0, bytes_allocated 1234, leaked 1234 in 1 block.
 * Valgrind 3.19 memcheck: 1 allocs, 0 frees, 1,234 bytes. */
#include <stdlib.h>

#include "tsupport.h"

#define DEPTH 100

void *deep_block; /* external linkage: a root */

NOIPA void deep_alloc(void)
{
	deep_block = malloc(1234); /* LEAK-LINE */
}

NOIPA void recurse(int n)
{
	if (n == 0)
		deep_alloc();
	else
		recurse(n - 1);
	ms_isink++;
}

int main(void)
{
	recurse(DEPTH);
	return 0;
}
