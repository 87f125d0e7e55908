/* passthrough: checks that memscope leaves the program's stdin, stdout,
 * stderr, exit status and death by signal alone.
 *
 *   passthrough echo STATUS   copies stdin to stdout byte for byte, writes
 *                             "passthrough: to stderr\n" on stderr, exits
 *                             with STATUS
 *   passthrough segv          leaks 4096 bytes at crash_alloc, then dies by
 *                             SIGSEGV (a write through NULL)
 *   passthrough abort         leaks 4096 bytes at crash_alloc, then dies by
 *                             SIGABRT (abort())
 *   passthrough args A B ...  writes each argument on its own line
 *   passthrough maps NAME     writes "mapped\n" if a file whose path holds
 *                             NAME is mapped in the process, else
 *                             "not mapped\n" (to check the user's own
 *                             LD_PRELOAD survives)
 * It allocates one block of 4096 bytes (the copy buffer, freed) so that there
 * is something to record: allocations 1, frees 1 in mode echo. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tsupport.h"

int *volatile null_ptr;
void *crash_block; /* external linkage: a root */

NOIPA void crash_alloc(void)
{
	crash_block = malloc(4096);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "echo")) {
		char *buf = malloc(4096);
		ms_keep(buf);
		ssize_t n;
		while ((n = read(0, buf, 4096)) > 0) {
			char *p = buf;
			while (n > 0) {
				ssize_t w = write(1, p, (size_t)n);
				if (w <= 0)
					return 5;
				p += w;
				n -= w;
			}
		}
		free(buf);
		ms_puts(2, "passthrough: to stderr\n");
		return argc > 2 ? atoi(argv[2]) : 0;
	}
	if (!strcmp(argv[1], "segv")) {
		crash_alloc();
		*null_ptr = 1;
		return 6;
	}
	if (!strcmp(argv[1], "abort")) {
		crash_alloc();
		abort();
	}
	if (!strcmp(argv[1], "args")) {
		for (int i = 2; i < argc; i++) {
			ms_puts(1, argv[i]);
			ms_puts(1, "\n");
		}
		return 0;
	}
	if (!strcmp(argv[1], "maps") && argc > 2) {
		static char maps[1 << 20];
		int fd = open("/proc/self/maps", O_RDONLY);
		size_t n = 0;
		ssize_t r;
		while (fd >= 0 && n < sizeof(maps) - 1 && (r = read(fd, maps + n, sizeof(maps) - 1 - n)) > 0)
			n += (size_t)r;
		maps[n] = 0;
		ms_puts(1, strstr(maps, argv[2]) ? "mapped\n" : "not mapped\n");
		return 0;
	}
	return 2;
}
