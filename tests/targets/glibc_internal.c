/* glibc_internal: allocations that glibc makes on the program's behalf,
 * through its own calls to malloc (strdup, asprintf, fmemopen, getline,
 * opendir, stdio's buffers). memscope must see exactly what memcheck sees.
 *
 * Per call (glibc 2.36, measured with valgrind 3.19 DHAT):
 *   dup_leak   strdup("memscope"): 9 bytes, leaked (LEAK-LINE)
 *   fmt        asprintf: malloc 100 in vasprintf, then shrunk by realloc
 *              to 10 (memcheck: 1 more alloc of 10 and 1 free), freed
 *   file_io    fmemopen on a fixed 300-character line: cookie 40, FILE 280,
 *              stream buffer 8192; getline: 120, then realloc (303 bytes);
 *              all freed
 *   dir_walk   opendir("/"): 32816, freed by closedir
 *   say        printf: stdout's buffer, 4096 bytes when stdout is a pipe or
 *              a file (1024 on a terminal), freed by __libc_freeres at exit
 * Expected with stdout a pipe or file (valgrind 3.19 memcheck and DHAT):
 *   allocations 10, frees 9, bytes_allocated 45966,
 *   leaked_bytes 9 in leaked_blocks 1, peak_bytes 32825 (the DIR + the
 *   strdup block). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsupport.h"

NOIPA void dup_leak(void)
{
	char *s = strdup("memscope"); /* LEAK-LINE */
	ms_keep(s);
}

NOIPA void fmt(void)
{
	char *s = NULL;
	if (asprintf(&s, "%d-%s", 42, "answer") < 0)
		exit(1);
	ms_keep(s);
	free(s);
}

static char text[] = "a line of 300 characters, so that getline grows its buffer: "
	"..................................................................................."
	"..................................................................................."
	"...........................................................................\n";

NOIPA void file_io(void)
{
	FILE *f = fmemopen(text, sizeof(text) - 1, "r");
	if (!f)
		exit(1);
	char *line = NULL;
	size_t cap = 0;
	if (getline(&line, &cap, f) < 0)
		exit(1);
	free(line);
	fclose(f);
}

NOIPA void dir_walk(void)
{
	DIR *d = opendir("/");
	if (!d)
		exit(1);
	while (readdir(d))
		ms_isink++;
	closedir(d);
}

NOIPA void say(void)
{
	printf("glibc_internal: done\n");
}

int main(void)
{
	dup_leak();
	fmt();
	file_io();
	dir_walk();
	say();
	return 0;
}
