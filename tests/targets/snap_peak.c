/* snap_peak: the live heap climbs to 8 MiB (1024 blocks of 8 KiB), stays
 * there 100 ms, falls to 0, climbs to 2 MiB, stays 100 ms, then the program
 * frees everything and exits. With --snapshot-at-peak: exactly one PEAK
 * snapshot, taken on the way down from 8 MiB (2 MiB is below it); with
 * --snapshot-interval 50ms: several INTERVAL snapshots. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N 1024
#define SZ 8192

static void *blk[N];

static void fill(int n)
{
	for (int i = 0; i < n; i++) {
		blk[i] = malloc(SZ);
		memset(blk[i], 1, SZ);
	}
}

static void drain(int n)
{
	for (int i = 0; i < n; i++) {
		free(blk[i]);
		blk[i] = NULL;
		if (i % 64 == 0)
			usleep(2000); /* a slow descent: the 10 ms sampler sees it */
	}
}

int main(void)
{
	fill(N);
	usleep(100000);
	drain(N);
	fill(N / 4);
	usleep(100000);
	drain(N / 4);
	return 0;
}
