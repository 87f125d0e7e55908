/* mon_grow [STEPS]: grows by exactly 1 MiB every 100 ms (each block written,
 * so RSS and private bytes grow too) for STEPS steps (default 30, 3 s), then
 * exits 0. Expected slope: 10 MiB/s = 600 MiB/min in rss, rss_anon, pss,
 * private, heap and virtual. The steps follow absolute deadlines, so the
 * rate does not drift with the time memset takes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tsupport.h"

int main(int argc, char **argv)
{
	long steps = argc > 1 ? atol(argv[1]) : 30;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < steps; i++) {
		char *p = malloc(1 << 20);
		if (!p)
			return 1;
		memset(p, (int)(i + 1), 1 << 20);
		ms_keep(p);
		next.tv_nsec += 100 * 1000 * 1000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return 0;
}
