/* Target for `memscope run --sample-rate`: a mix whose small blocks are
 * all freed (by the allocating thread, by another thread, through realloc
 * and realloc(p, 0)) and whose only blocks left at exit are BIG_BLOCKS
 * blocks of BIG bytes. With a sample rate far below BIG every big block is
 * a sample of weight 1, so a sampled trace knows the leak exactly; the
 * small bytes are known exactly here and estimated there.
 *   small malloc/free:   SMALL_N blocks of 64 B, freed in the same thread
 *   cross-thread:        CROSS_N blocks of 128 B, freed by a second thread
 *   realloc:             REALLOC_N blocks grown 32 -> 96 -> 160 B, then
 *                        realloc(p, 0) (glibc frees)
 *   leaked:              BIG_BLOCKS x BIG bytes, never freed
 * Bytes allocated in total: SMALL_N*64 + CROSS_N*128 + REALLOC_N*(32+96+160)
 * + BIG_BLOCKS*BIG = 12,800,000 + 12,800,000 + 14,400,000 + 16,777,216
 * = 56,777,216 B. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_N 200000
#define CROSS_N 100000
#define REALLOC_N 50000
#define BIG_BLOCKS 4
#define BIG (4u << 20)

static void *volatile sink;
static void *cross[CROSS_N];
static void *big[BIG_BLOCKS];

static __attribute__((noinline)) void *small_block(void) { return malloc(64); }
static __attribute__((noinline)) void *cross_block(void) { return malloc(128); }
static __attribute__((noinline)) void *big_block(void) { return malloc(BIG); }

static void *free_cross(void *arg)
{
	(void)arg;
	for (int i = 0; i < CROSS_N; i++)
		free(cross[i]);
	return NULL;
}

int main(void)
{
	for (int i = 0; i < SMALL_N; i++) {
		char *p = small_block();
		memset(p, i, 64);
		sink = p;
		free(p);
	}
	for (int i = 0; i < CROSS_N; i++)
		cross[i] = cross_block();
	pthread_t t;
	if (pthread_create(&t, NULL, free_cross, NULL) || pthread_join(t, NULL))
		return 1;
	for (int i = 0; i < REALLOC_N; i++) {
		char *p = realloc(NULL, 32);
		p = realloc(p, 96);
		p = realloc(p, 160);
		sink = p;
		if (realloc(p, 0) != NULL)
			return 1;
	}
	for (int i = 0; i < BIG_BLOCKS; i++) {
		big[i] = big_block();
		memset(big[i], 1, 4096);
	}
	sink = big;
	return 0;
}
