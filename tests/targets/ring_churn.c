/* ring_churn N: N malloc/free pairs of 16..512 bytes (xorshift sizes, fixed
 * seed) from 4 call sites, each block kept in a ring of 64 before it is
 * freed: the allocation pattern of bench/churn.c, small enough for a test of
 * how the trace encodes it (e2e/0298). Prints the number of pairs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define RING 64
static void *volatile sink;

#define SITE(name)                                                            \
	static __attribute__((noinline)) void *name(size_t n)                 \
	{                                                                     \
		unsigned char *p = malloc(n);                                 \
		if (!p)                                                       \
			exit(1);                                              \
		p[0] = (unsigned char)n;                                      \
		sink = p;                                                     \
		return p;                                                     \
	}
SITE(site_a)
SITE(site_b)
SITE(site_c)
SITE(site_d)

int main(int argc, char **argv)
{
	long pairs = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	void *ring[RING] = {0};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (long i = 0; i < pairs; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t n = 16 + (size_t)(x % 497);
		unsigned slot = (unsigned)(i % RING);
		free(ring[slot]);
		switch ((x >> 32) & 3) {
		case 0: ring[slot] = site_a(n); break;
		case 1: ring[slot] = site_b(n); break;
		case 2: ring[slot] = site_c(n); break;
		default: ring[slot] = site_d(n); break;
		}
	}
	for (unsigned s = 0; s < RING; s++)
		free(ring[s]);
	printf("%ld\n", pairs);
	return 0;
}
