/* libdlalloc2.so: the second library of the `dlopen two` run, loaded after
 * libdlalloc.so was unloaded (usually at the same address). dl2_work()
 * leaks 2048 bytes at dl2_leak_here (LEAK-LINE) and returns 43. */
#include <stdlib.h>

static void *volatile dl2_sink;

__attribute__((noipa)) void dl2_leak_here(void)
{
	void *p = malloc(2048); /* LEAK-LINE */
	dl2_sink = p;
}

__attribute__((noipa)) int dl2_work(void)
{
	dl2_leak_here();
	return 43;
}
