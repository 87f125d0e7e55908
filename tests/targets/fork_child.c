/* fork_child: parent and child each allocate and free known amounts after a
 * fork; the child inherits the parent's live blocks.
 *
 * Before fork, the parent allocates in before_fork(): A 100, B 200, C 300
 * (all live at fork; no free before the fork, so "inherited" is the same
 * under every way of counting).
 * Child (in_child, then exit(0)):
 *   frees inherited A; allocates 1000 and frees it; allocates 50 at
 *   child_leak (LEAK-LINE), never freed.
 *   Child trace (<trace>.<childpid>): inherited blocks count as allocations
 *   and live blocks, like valgrind --trace-children=yes:
 *     allocations 3 + 2 = 5, frees 2, bytes_allocated 600 + 1050 = 1650,
 *     leaked_bytes B 200 + C 300 + 50 = 550 in leaked_blocks 3,
 *     peak_bytes 600 + 1000 - 100 = 1500 (A freed before the 1000 block)
 * Parent (after waitpid): frees B; allocates 4000 and frees it; allocates
 *   70 at parent_leak (LEAK-LINE-PARENT), never freed.
 *     allocations 3 + 2 = 5, frees 2, bytes_allocated 600 + 4070 = 4670,
 *     leaked_bytes A 100 + C 300 + 70 = 470 in leaked_blocks 3,
 *     peak_bytes 100 + 300 + 4000 = 4400
 * The child's pid is printed on stdout (one line, "child PID"), and the exit
 * status is 0 if the child exited with 0. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tsupport.h"

void *A, *B, *C; /* external linkage: roots */

NOIPA void before_fork(void)
{
	A = malloc(100);
	B = malloc(200);
	C = malloc(300);
}

NOIPA void child_leak(void)
{
	void *p = malloc(50); /* LEAK-LINE */
	ms_keep(p);
}

NOIPA void parent_leak(void)
{
	void *p = malloc(70); /* LEAK-LINE-PARENT */
	ms_keep(p);
}

NOIPA void in_child(void)
{
	free(A);
	void *p = malloc(1000);
	ms_keep(p);
	free(p);
	child_leak();
}

NOIPA void in_parent(void)
{
	free(B);
	void *p = malloc(4000);
	ms_keep(p);
	free(p);
	parent_leak();
}

int main(void)
{
	before_fork();
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		in_child();
		exit(0);
	}
	ms_puts(1, "child ");
	ms_putu(1, (unsigned long)pid);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 3;
	in_parent();
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
