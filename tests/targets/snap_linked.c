/* snap_linked: links libmemscope.so (-lmemscope) and calls the API directly.
 * Run plainly, the library must be inert: prints "active 0 id 0 threads 1"
 * (no memscope thread, no trace, no socket); under memscope
 * "active 1 id 1 threads 3" (the writer and control threads). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscope.h"

static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	char *p = malloc(100);
	strcpy(p, "x");
	int id = memscope_snapshot("linked");
	memscope_event(5);
	printf("active %d id %d threads %d\n", memscope_is_active(), id, count_threads());
	free(p);
	return 0;
}
