/* mon_grow_free: grows by 1 MiB every 100 ms for 1 s (10 MiB, written),
 * holds it for 300 ms, frees it all (each block was mmap'd by malloc, so
 * the memory returns to the system at once), then holds still for 4 s and
 * exits 0. The robust slope over the whole run is 0: the verdict is
 * stable, after growing during the first second. The peak lasts 3 samples
 * of 100 ms, so that a monitor that skips a late sample still sees it, and
 * the still end is three quarters of the run, so that it stays the
 * majority of the samples however many a loaded machine skips. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tsupport.h"

static void tick(struct timespec *next)
{
	next->tv_nsec += 100 * 1000 * 1000;
	if (next->tv_nsec >= 1000000000) {
		next->tv_nsec -= 1000000000;
		next->tv_sec++;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

int main(void)
{
	char *blocks[10];
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (int i = 0; i < 10; i++) {
		blocks[i] = malloc(1 << 20);
		if (!blocks[i])
			return 1;
		memset(blocks[i], i + 1, 1 << 20);
		ms_keep(blocks[i]);
		tick(&next);
	}
	for (int i = 0; i < 3; i++)
		tick(&next);
	for (int i = 0; i < 10; i++)
		free(blocks[i]);
	for (int i = 0; i < 40; i++)
		tick(&next);
	return 0;
}
