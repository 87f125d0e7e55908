/* Starting the program a command watches or records, and ending memscope the
 * way that program ended. Shared by `run` and `monitor`. */
#ifndef MS_CLI_CHILD_H
#define MS_CLI_CHILD_H

#include <sys/types.h>

/* Forks and execs argv (path: the resolved file, or NULL to search PATH as
 * execvp does). In the child, in_child(arg) runs first when given (it may
 * set the environment; it must not return on failure but _exit). Returns the
 * child's pid once the exec succeeded; on an exec failure the child is
 * reaped, one line is printed ("cannot run 'X': ...") and -1 is returned
 * with *exit_code 127 (not found) or 126 (not executable); other failures
 * give 1. */
pid_t ms_cli_spawn(const char *path, char **argv, void (*in_child)(void *arg), void *arg, int *exit_code);

/* The exit status that reproduces the child's: its exit code, or the same
 * signal raised on memscope itself (without a core file of memscope's own);
 * 128 + signal if that returns. */
int ms_cli_exit_like(int status);

#endif
