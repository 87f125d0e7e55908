/* fork_recent: the child allocates from the very stack the parent
 * allocated from last before the fork, a block freed before the fork (so
 * the child does not re-declare that stack for an inherited block). The
 * runtime finds a thread's recent stacks without the shared table
 * (src/runtime/recorder.c); in the child, whose trace is a new file, the
 * stack must be defined again all the same.
 *   parent: site(64), freed; fork; waits; allocations 1, frees 1.
 *   child: site(65) from the same call in main, kept to the end: its
 *     stack site <- main, leaked_bytes 65; the child's totals also count
 *     the parent's history (allocations 2, frees 1, bytes 129).
 * The child's pid is printed on stdout ("child PID"). */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tsupport.h"

NOIPA void *site(size_t n)
{
	return malloc(n); /* SITE-LINE */
}

int main(void)
{
	volatile int round = 0; /* one call of site for both rounds, not a copy each */
	pid_t pid;
again:
	ms_keep(site(64 + (size_t)round));
	if (round == 1)
		return 0; /* the child */
	free(ms_sink);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		round = 1;
		goto again;
	}
	ms_puts(1, "child ");
	ms_putu(1, (unsigned long)pid);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 3;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
