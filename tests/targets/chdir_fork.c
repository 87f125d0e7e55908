/* chdir_fork: changes directory (into ./sub, created) before forking and
 * before an exec, so a relative trace path (-o rel.mst) must still land in
 * the directory memscope was started in.
 *
 * Parent: mkdir("sub"), chdir("sub"); fork; the child leaks 100 bytes at
 * child_leak and exits 0. The parent waits, leaks 200 bytes at parent_leak
 * (LEAK-LINE), then execs the sibling target `basic`.
 * Expected files next to the trace (none under sub/):
 *   <trace>              basic's figures (allocations 6, ...)
 *   <trace>.pre-exec     the parent image: allocations 1, bytes 200
 *   <trace>.<childpid>   the child: allocations 1, bytes 100
 * Prints "child PID"; exit status: basic's (0), or 4 if the exec failed. */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "texec.h"
#include "tsupport.h"

NOIPA void child_leak(void)
{
	void *p = malloc(100);
	ms_keep(p);
}

NOIPA void parent_leak(void)
{
	void *p = malloc(200); /* LEAK-LINE */
	ms_keep(p);
}

int main(void)
{
	const char *path = ms_sibling("basic"); /* before the chdir */
	if (!path)
		return 1;
	mkdir("sub", 0755);
	if (chdir("sub"))
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		child_leak();
		exit(0);
	}
	ms_puts(1, "child ");
	ms_putu(1, (unsigned long)pid);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 3;
	parent_leak();
	execv(path, (char *[]){"basic", NULL});
	return 4;
}
