/* See child.h. The exec error travels back through a close-on-exec pipe, so
 * that a failed exec is reported once, by the parent. */
#include "cli/child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

pid_t ms_cli_spawn(const char *path, char **argv, void (*in_child)(void *arg), void *arg, int *exit_code)
{
	int ep[2];
	if (pipe2(ep, O_CLOEXEC) < 0) {
		ms_cli_error("cannot start '%s': %s", argv[0], strerror(errno));
		*exit_code = 1;
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		ms_cli_error("cannot start '%s': %s", argv[0], strerror(errno));
		close(ep[0]);
		close(ep[1]);
		*exit_code = 1;
		return -1;
	}
	if (pid == 0) {
		close(ep[0]);
		if (in_child)
			in_child(arg);
		if (path)
			execv(path, argv);
		else
			execvp(argv[0], argv);
		int err = errno;
		if (write(ep[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(ep[1]);
	int err = 0;
	ssize_t n;
	while ((n = read(ep[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(ep[0]);
	if (n == (ssize_t)sizeof(err)) {
		waitpid(pid, NULL, 0);
		ms_cli_error("cannot run '%s': %s", argv[0], err == ENOENT ? "no such program" : strerror(err));
		*exit_code = err == ENOENT ? 127 : 126;
		return -1;
	}
	return pid;
}

int ms_cli_exit_like(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		struct rlimit no_core = {0, 0};
		setrlimit(RLIMIT_CORE, &no_core);
		signal(sig, SIG_DFL);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		return 128 + sig;
	}
	return 1;
}
