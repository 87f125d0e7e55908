/* mon_stable [SECONDS [STATUS]]: allocates and writes 8 MiB, starts one more
 * thread, prints "ready" on stdout, then holds still for SECONDS (default 3)
 * and exits with STATUS (default 0). Nothing changes after "ready": every
 * counter of it read twice from /proc gives the same value. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tsupport.h"

static void *idle(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3;
	int status = argc > 2 ? atoi(argv[2]) : 0;
	char *p = malloc(8 << 20);
	if (!p)
		return 1;
	memset(p, 1, 8 << 20);
	ms_keep(p);
	pthread_t t;
	if (pthread_create(&t, NULL, idle, NULL) != 0)
		return 1;
	ms_puts(1, "ready\n");
	struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
	while (nanosleep(&ts, &ts) != 0)
		;
	return status;
}
