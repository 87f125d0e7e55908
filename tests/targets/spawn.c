/* spawn: posix_spawn (a vfork-like clone, no fork handlers) of the sibling
 * target `basic`, then the parent's own allocations.
 *
 * Parent: spawn_parent() allocates 300 and frees it, and leaks 30 at
 *   parent_leak (LEAK-LINE) after the child ended. glibc's posix_spawn
 *   allocates nothing on the heap.
 *   Trace <trace>: allocations 2, frees 1, bytes_allocated 330, leaked_bytes
 *   30 in leaked_blocks 1 (valgrind 3.19: 2 allocs, 1 frees, 330 bytes).
 * Child: `basic`, a new image in a new process: its trace is
 *   <trace>.<childpid> with basic's figures.
 * Prints "child PID"; exit status 0 if basic exited with 0. */
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "texec.h"
#include "tsupport.h"

extern char **environ;

NOIPA void spawn_parent(void)
{
	void *p = malloc(300);
	ms_keep(p);
	free(p);
}

NOIPA void parent_leak(void)
{
	void *p = malloc(30); /* LEAK-LINE */
	ms_keep(p);
}

int main(void)
{
	spawn_parent();
	const char *path = ms_sibling("basic");
	if (!path)
		return 1;
	pid_t pid;
	if (posix_spawn(&pid, path, NULL, NULL, (char *[]){"basic", NULL}, environ))
		return 1;
	ms_puts(1, "child ");
	ms_putu(1, (unsigned long)pid);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 3;
	parent_leak();
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
