/* Target for `memscope run --mmap`: mappings the malloc heap does not
 * explain, with known sizes (4 KiB pages):
 *   map_keep:    mmap 64 pages anonymous, kept           -> 262,144 B at exit
 *   map_trim:    mmap 16 pages, munmap its last 6 pages  ->  40,960 B at exit
 *   map_gone:    mmap 32 pages, munmap all               ->       0 B
 *   map_grow:    mmap 8 pages, mremap to 24 (may move)   ->  98,304 B at exit
 *   file map:    /proc/self/exe mapped 1 page, unmapped  -> not recorded
 *   brk_grow:    sbrk(+12 pages) then sbrk(-4 pages)     ->  32,768 B at exit
 *   malloc(8 MiB) (glibc maps it itself)                 -> heap, not a mapping
 * Mapped at exit 434,176 B in 4 ranges; peak and total 606,208 B (148
 * pages: everything above is mapped before the first munmap; the mremap's
 * 16 new pages count for grow(), its 8 moved ones stay map_grow's). */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096
#define NOINLINE __attribute__((noinline))

static void *volatile sink;

static NOINLINE void *anon(size_t pages)
{
	void *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		exit(2);
	memset(p, 1, pages * PG);
	return p;
}

static NOINLINE void *map_keep(void) { return anon(64); }
static NOINLINE void *map_trim(void) { return anon(16); }
static NOINLINE void *map_gone(void) { return anon(32); }
static NOINLINE void *map_grow(void) { return anon(8); }

static NOINLINE void *grow(void *p)
{
	void *q = mremap(p, 8 * PG, 24 * PG, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		exit(3);
	return q;
}

static NOINLINE void *brk_grow(void)
{
	void *old = sbrk(12 * PG);
	if (old == (void *)-1)
		exit(4);
	return old;
}

int main(void)
{
	sink = map_keep();
	char *t = map_trim();
	char *g = map_gone();
	void *r = grow(map_grow());
	sink = r;
	/* align the break first so that whole pages move */
	uintptr_t cur = (uintptr_t)sbrk(0);
	if (cur % PG && sbrk((intptr_t)(PG - cur % PG)) == (void *)-1)
		return 4;
	brk_grow();
	if (munmap(t + 10 * PG, 6 * PG) || munmap(g, 32 * PG))
		return 5;
	if (sbrk(-4 * PG) == (void *)-1)
		return 6;
	int fd = open("/proc/self/exe", O_RDONLY);
	void *f = fd >= 0 ? mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	if (f == MAP_FAILED || munmap(f, PG))
		return 7;
	close(fd);
	char *big = malloc(8 << 20);
	memset(big, 2, 4096);
	sink = big;
	free(big);
	return 0;
}
