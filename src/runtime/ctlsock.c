/* The control socket of a traced process (protocol and path in
 * src/trace/ctl.h). Owner only: the directory must be ours and mode 0700,
 * the socket is 0600, and every client's uid (SO_PEERCRED) must be our
 * effective uid. Served by the control thread, one connection at a time. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime/clock.h"
#include "runtime/rt.h"
#include "runtime/snap.h"
#include "runtime/sys.h"
#include "trace/ctl.h"

#define READ_TIMEOUT_MS 2000
#define FD_BASE 900 /* keep the program's low fd numbers free */

static char sock_path[MS_CTL_PATH_MAX];
static dev_t sock_dev;
static ino_t sock_ino;
static ino_t fd_ino;

static int move_high(int f)
{
	int h = fcntl(f, F_DUPFD_CLOEXEC, FD_BASE);
	if (h < 0)
		return f;
	close(f);
	return h;
}

int ms_ctl_open(void)
{
	char dir[MS_CTL_PATH_MAX];
	uid_t uid = geteuid();
	ms_ctl_path(dir, uid, -1);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	struct stat st;
	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077)) {
		ms_rt_say("not serving 'memscope snapshot': '", dir, "' is not a private directory of this user", NULL);
		return -EPERM;
	}
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	ms_ctl_path(a.sun_path, uid, ms_rt_pid);
	unlink(a.sun_path); /* a stale one: same pid, so an image before an exec, or a dead process */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || chmod(a.sun_path, 0600) < 0 || listen(fd, 8) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	fd = move_high(fd);
	ms_rt_stpcpy(sock_path, a.sun_path, sizeof sock_path);
	if (!stat(sock_path, &st)) { /* the file, to remove only ours at exit */
		sock_dev = st.st_dev;
		sock_ino = st.st_ino;
	}
	if (!fstat(fd, &st)) /* the socket itself (sockfs), to notice a reused fd */
		fd_ino = st.st_ino;
	return fd;
}

void ms_ctl_close(int lfd, int unlink_it)
{
	struct stat st;
	if (lfd >= 0)
		close(lfd);
	/* remove the file only if it still is ours (a new image may own the name) */
	if (unlink_it && sock_path[0] && !stat(sock_path, &st) && st.st_dev == sock_dev && st.st_ino == sock_ino)
		unlink(sock_path);
	sock_path[0] = 0;
}

/* Sends the line a b d e (NULLs skipped) and a newline. */
static void answer(int c, const char *a, const char *b, const char *d, const char *e)
{
	char line[MS_CTL_LINE_MAX];
	char *p = ms_rt_stpcpy(line, a, sizeof line - 2);
	const char *more[3] = {b, d, e};
	for (int i = 0; i < 3; i++)
		if (more[i])
			p = ms_rt_stpcpy(p, more[i], (size_t)(line + sizeof line - 2 - p));
	*p++ = '\n';
	for (char *w = line; w < p;) {
		ssize_t n = send(c, w, (size_t)(p - w), MSG_NOSIGNAL);
		if (n <= 0)
			return;
		w += n;
	}
}

/* Reads one line (without its newline) into buf; returns its length or -1. */
static long read_line(int c, char *buf, size_t cap)
{
	size_t len = 0;
	uint64_t t0 = ms_rt_clock_ns(CLOCK_MONOTONIC);
	for (;;) {
		int64_t left = READ_TIMEOUT_MS - (int64_t)((ms_rt_clock_ns(CLOCK_MONOTONIC) - t0) / 1000000u);
		struct pollfd pf = {c, POLLIN, 0};
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			return -1;
		ssize_t n = recv(c, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			return -1;
		char *nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl) {
			*nl = 0;
			return nl - buf;
		}
		if (len >= cap - 1)
			return -1;
	}
}

int ms_ctl_serve(int lfd)
{
	struct stat st;
	if (fstat(lfd, &st) < 0 || st.st_ino != fd_ino) {
		/* not a socket we made any more (the program reused the number):
		 * accept nothing on it, stop polling it */
		return -1;
	}
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return 0;
	struct ucred cr;
	socklen_t len = sizeof cr;
	char line[MS_CTL_LINE_MAX];
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.uid != geteuid()) {
		answer(c, "error permission denied: the process belongs to another user", NULL, NULL, NULL);
	} else if (read_line(c, line, sizeof line) < 0) {
		answer(c, "error no request line within 2 s", NULL, NULL, NULL);
	} else if (!strncmp(line, "snapshot", 8) && (line[8] == ' ' || !line[8])) {
		const char *label = line[8] ? line + 9 : "";
		char lab[MS_CTL_LABEL_MAX + 1];
		ms_rt_stpcpy(lab, label, sizeof lab);
		uint64_t id = ms_rt_snapshot(MS_SNAP_SOCKET, lab, 0);
		char num[24];
		*ms_rt_fmt_u64(num, id) = 0;
		if (id)
			answer(c, "ok ", num, " ", ms_rt_snap_trace_path());
		else
			answer(c, "error the process is not recording any more (its trace has ended)", NULL, NULL, NULL);
	} else {
		answer(c, "error unknown request (expected 'snapshot LABEL')", NULL, NULL, NULL);
	}
	close(c);
	return 0;
}
