/* libdlalloc.so: loaded by the `dlopen` target with dlopen, called, then
 * unloaded with dlclose. dl_work() allocates 3 blocks of 512 bytes and frees
 * them, and leaks 4096 bytes at dl_leak_here (LEAK-LINE): that stack must
 * still symbolize to this file after dlclose. */
#include <stdlib.h>

static void *volatile dl_sink;

__attribute__((noipa)) void dl_leak_here(void)
{
	void *p = malloc(4096); /* LEAK-LINE */
	dl_sink = p;
}

__attribute__((noipa)) int dl_work(void)
{
	void *b[3];
	for (int i = 0; i < 3; i++) {
		b[i] = malloc(512);
		dl_sink = b[i];
	}
	for (int i = 0; i < 3; i++)
		free(b[i]);
	dl_leak_here();
	return 42;
}
