/* A program that brings its own allocator: linked with -ljemalloc, so its
 * malloc family is jemalloc's (mallctl proves it and prints the version).
 * Known figures (memscope must see them through jemalloc as through glibc):
 *   1,000 malloc(100)                    -> all freed
 *   10 calloc(10, 50)                    -> all freed
 *   realloc(NULL, 40) -> 400 -> 4,000    -> freed
 *   posix_memalign(64, 256)              -> freed
 *   3 malloc(777)                        -> leaked
 * allocations 1,017 (the realloc chain counts 3), frees 1,014, bytes
 * 100,000 + 5,000 + 4,440 + 256 + 2,331 = 112,027, leaked 2,331 in 3.
 * Besides these, libstdc++ (which jemalloc links) and stdio allocate at
 * start and free at exit (freeres). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

static void *volatile sink;
static void *keep[3];
static volatile int n_leaks = 3; /* not unrolled: one call site */

static __attribute__((noinline)) void *leak_777(void) { return malloc(777); }

int main(void)
{
	const char *version = NULL;
	size_t len = sizeof version;
	if (mallctl("version", &version, &len, NULL, 0) || !version) {
		fprintf(stderr, "not running on jemalloc\n");
		return 1;
	}
	printf("jemalloc %s\n", version);
	static void *blocks[1000];
	for (int i = 0; i < 1000; i++)
		memset(blocks[i] = malloc(100), i, 100);
	for (int i = 0; i < 1000; i++)
		free(blocks[i]);
	for (int i = 0; i < 10; i++) {
		sink = calloc(10, 50);
		free(sink);
	}
	char *p = realloc(NULL, 40);
	p = realloc(p, 400);
	p = realloc(p, 4000);
	free(p);
	void *a = NULL;
	if (posix_memalign(&a, 64, 256))
		return 1;
	free(a);
	for (int i = 0; i < n_leaks; i++)
		keep[i] = leak_777();
	sink = keep;
	return 0;
}
