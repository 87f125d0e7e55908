/* exec_self: execs its own program file with the argument "child" (same
 * pid, a new image).
 *
 * First image (no argument): allocates 111 in first_image() (kept, live at
 *   the exec) and 222 (freed), then execv(DIR/exec_self, "child"). Its trace
 *   is kept as <trace>.pre-exec: allocations 2, frees 1, bytes_allocated 333.
 * Second image ("child"): leaks 333 at second_image (LEAK-LINE), allocates
 *   and frees 444. Its trace is <trace>: allocations 2, frees 1,
 *   bytes_allocated 777, leaked_bytes 333 in leaked_blocks 1, peak_bytes 777.
 *   `exec_self child` run directly gives the same figures (valgrind:
 *   2 allocs, 1 frees, 777 bytes; in use at exit 333 bytes in 1 block).
 * With the argument "badexec": first_image(), then an execv of a missing
 *   program, which fails; recording goes on in the same trace, no .pre-exec:
 *   after_failed_exec() leaks 555 (LEAK-LINE-BADEXEC). Trace <trace>:
 *   allocations 3, frees 1, bytes_allocated 888, leaked_bytes 666 in
 *   leaked_blocks 2 (valgrind: 3 allocs, 1 frees, 888 bytes; 666 in 2).
 * Exit status 0, or 4 if the exec failed (5 if the bad exec succeeded). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "texec.h"
#include "tsupport.h"

void *kept; /* external linkage: a root */

NOIPA void first_image(void)
{
	kept = malloc(111);
	void *p = malloc(222);
	ms_keep(p);
	free(p);
}

NOIPA void second_image(void)
{
	void *p = malloc(333); /* LEAK-LINE */
	ms_keep(p);
	void *q = malloc(444);
	ms_keep(q);
	free(q);
}

NOIPA void after_failed_exec(void)
{
	void *p = malloc(555); /* LEAK-LINE-BADEXEC */
	ms_keep(p);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "badexec")) {
		first_image();
		execv("/nonexistent/memscope-test-prog", argv);
		after_failed_exec();
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "child")) {
		second_image();
		return 0;
	}
	first_image();
	const char *path = ms_sibling("exec_self");
	if (path)
		execv(path, (char *[]){argv[0], "child", NULL});
	return 4;
}
