/* Allocation-churn microbenchmark for bench/run.sh.
 *
 * usage: churn [THREADS [PAIRS]]
 *   THREADS  number of threads (default 1); every thread does the full count
 *   PAIRS    malloc/free pairs per thread (default 5,000,000)
 *
 * Each thread makes PAIRS malloc calls of 16..512 bytes (sizes from a
 * deterministic xorshift PRNG seeded per thread) and frees every block, so
 * a run has 2 * THREADS * PAIRS allocation events. Every malloc is reached
 * through a call chain of 10 noinline functions ending in one of 4 leaf
 * sites (4 distinct allocation stacks, 12+ frames deep), which a profiler has
 * to unwind. A block stays alive in a ring of 64 slots before it is freed,
 * so frees do not directly follow their malloc. The memory is written and
 * read, and pointers escape through a volatile sink, so the compiler cannot
 * delete the allocations.
 *
 * Build: cc -O2 -g -pthread churn.c -o churn
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING 64
#define NOINLINE __attribute__((noinline))

/* Per thread, so that two threads do not write one shared cache line. */
static _Thread_local void *volatile sink;
static volatile uint64_t checksum_sink;

struct worker {
	uint64_t rng;
	unsigned long pairs;
	void *ring[RING];
	uint64_t checksum;
	pthread_t tid;
	char pad[64]; /* no cache line shared between two workers' hot fields */
};

static inline uint64_t next_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* Four leaf allocation sites, so the stacks are not all the same. */
#define LEAF(name, fill)                                                      \
	static NOINLINE void *name(size_t n)                                  \
	{                                                                     \
		unsigned char *p = malloc(n);                                 \
		if (!p) {                                                     \
			fputs("churn: out of memory\n", stderr);              \
			exit(1);                                              \
		}                                                             \
		p[0] = (fill);                                                \
		p[n - 1] = (unsigned char)n;                                  \
		sink = p;                                                     \
		return p;                                                     \
	}
LEAF(leaf_a, 0xa1)
LEAF(leaf_b, 0xb2)
LEAF(leaf_c, 0xc3)
LEAF(leaf_d, 0xd4)

static NOINLINE void *level10(size_t n, unsigned which)
{
	void *p;
	switch (which & 3) {
	case 0: p = leaf_a(n); break;
	case 1: p = leaf_b(n); break;
	case 2: p = leaf_c(n); break;
	default: p = leaf_d(n); break;
	}
	__asm__ volatile("" : : "r"(p) : "memory"); /* no tail call */
	return p;
}

/* Levels 9..1: each calls the next and does work after the call, so no
 * level is turned into a tail call and every frame is on the stack. */
#define LEVEL(name, callee)                                                   \
	static NOINLINE void *name(size_t n, unsigned which)                  \
	{                                                                     \
		void *p = callee(n, which);                                   \
		__asm__ volatile("" : : "r"(p) : "memory");                   \
		return p;                                                     \
	}
LEVEL(level9, level10)
LEVEL(level8, level9)
LEVEL(level7, level8)
LEVEL(level6, level7)
LEVEL(level5, level6)
LEVEL(level4, level5)
LEVEL(level3, level4)
LEVEL(level2, level3)
LEVEL(level1, level2)

static NOINLINE void release(struct worker *w, unsigned slot)
{
	unsigned char *old = w->ring[slot];
	if (old) {
		w->checksum += old[0];
		free(old);
	}
	w->ring[slot] = NULL;
}

static NOINLINE void churn(struct worker *w)
{
	for (unsigned long i = 0; i < w->pairs; i++) {
		uint64_t r = next_rand(&w->rng);
		size_t n = 16 + (size_t)(r % 497); /* 16..512 bytes */
		unsigned slot = (unsigned)(i % RING);
		release(w, slot);
		w->ring[slot] = level1(n, (unsigned)(r >> 32));
	}
	for (unsigned slot = 0; slot < RING; slot++)
		release(w, slot);
}

static void *thread_main(void *arg)
{
	churn(arg);
	return NULL;
}

int main(int argc, char **argv)
{
	long threads = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
	long pairs = argc > 2 ? strtol(argv[2], NULL, 10) : 5000000L;
	if (threads < 1 || threads > 64 || pairs < 1) {
		fputs("usage: churn [THREADS (1..64) [PAIRS]]\n", stderr);
		return 2;
	}
	struct worker *w = calloc((size_t)threads, sizeof *w);
	if (!w)
		return 1;
	for (long t = 0; t < threads; t++) {
		w[t].rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(t + 1) * 0x100000001b3ULL;
		w[t].pairs = (unsigned long)pairs;
	}
	if (threads == 1) {
		churn(&w[0]);
	} else {
		for (long t = 0; t < threads; t++)
			if (pthread_create(&w[t].tid, NULL, thread_main, &w[t])) {
				fputs("churn: pthread_create failed\n", stderr);
				return 1;
			}
		for (long t = 0; t < threads; t++)
			pthread_join(w[t].tid, NULL);
	}
	uint64_t sum = 0;
	for (long t = 0; t < threads; t++)
		sum += w[t].checksum;
	checksum_sink = sum;
	printf("churn: %ld thread(s) x %ld pairs, checksum %llu\n", threads, pairs,
	       (unsigned long long)sum);
	free(w);
	return 0;
}
