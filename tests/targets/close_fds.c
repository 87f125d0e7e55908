/* close_fds: a daemon-like program that closes every file descriptor above
 * 2 (and dup2s /dev/null over stdin), between two batches of allocations.
 * A runtime that writes its trace through a descriptor of its own must
 * survive this.
 *
 * before_close(): 10 x malloc(100), 5 freed; close fds 3..1023;
 * after_close(): 10 x malloc(200), 5 freed; leak 64 at leak_here (LEAK-LINE).
 *   allocations 21, frees 10, bytes_allocated 3064,
 *   leaked_bytes 500 + 1000 + 64 = 1564 in leaked_blocks 11
 *   (valgrind 3.19 memcheck: 21 allocs, 10 frees, 3,064 bytes; 1,564 in 11).
 * Exit status 0. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "tsupport.h"

void *kept[11]; /* external linkage: roots */

NOIPA void before_close(void)
{
	void *b[10];
	for (int i = 0; i < 10; i++)
		b[i] = malloc(100);
	for (int i = 0; i < 5; i++) {
		free(b[i]);
		kept[i] = b[i + 5];
	}
}

NOIPA void after_close(void)
{
	void *b[10];
	for (int i = 0; i < 10; i++)
		b[i] = malloc(200);
	for (int i = 0; i < 5; i++) {
		free(b[i]);
		kept[5 + i] = b[i + 5];
	}
}

NOIPA void leak_here(void)
{
	kept[10] = malloc(64); /* LEAK-LINE */
}

int main(void)
{
	before_close();
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	int n = open("/dev/null", O_RDONLY);
	if (n >= 0 && n != 0) {
		dup2(n, 0);
		close(n);
	}
	after_close();
	leak_here();
	return 0;
}
