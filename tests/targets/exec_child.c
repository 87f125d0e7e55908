/* exec_child: fork, and the child execs the sibling target `basic`.
 *
 * Parent: allocates P 128 in before_fork() (live at the fork); after
 *   waitpid frees P and leaks 64 at parent_leak (LEAK-LINE).
 *   Trace <trace>: allocations 2, frees 1, bytes_allocated 192,
 *   leaked_bytes 64 in leaked_blocks 1, peak_bytes 128.
 * Child before exec: inherits P, allocates 256 in child_before_exec(), then
 *   execv(DIR/basic). Its image is kept as <trace>.<childpid>.pre-exec:
 *   allocations 2 (P 128 inherited + 256), frees 0, bytes_allocated 384.
 * Child after exec: `basic`, whose trace <trace>.<childpid> has basic's
 *   figures (allocations 6, frees 5, bytes 4600, leaked 100 in 1 block).
 * Prints "child PID" on stdout; exit status 0 if basic exited with 0, 4 if
 * the exec failed. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "texec.h"
#include "tsupport.h"

void *P; /* external linkage: a root */

NOIPA void before_fork(void)
{
	P = malloc(128);
}

NOIPA void child_before_exec(void)
{
	void *p = malloc(256);
	ms_keep(p);
}

NOIPA void parent_leak(void)
{
	void *p = malloc(64); /* LEAK-LINE */
	ms_keep(p);
}

int main(void)
{
	before_fork();
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		child_before_exec();
		const char *path = ms_sibling("basic");
		if (path)
			execv(path, (char *[]){"basic", NULL});
		_exit(4);
	}
	ms_puts(1, "child ");
	ms_putu(1, (unsigned long)pid);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 3;
	free(P);
	parent_leak();
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
