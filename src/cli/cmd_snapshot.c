/* `memscope snapshot -p PID [--label L]`: asks a process that runs under
 * memscope to take a snapshot now, through its control socket (path and
 * protocol in src/trace/ctl.h), and waits until the scan is in its trace. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "trace/ctl.h"

const char cmd_snapshot_usage[] =
	"usage: memscope snapshot -p PID [--label LABEL] [--timeout SECONDS]\n"
	"\n"
	"Asks process PID, which runs under memscope ('memscope run', or the\n"
	"runtime preloaded), to take a snapshot now: its threads stop for a moment\n"
	"while the live heap and what points to it are written to its trace.\n"
	"Prints the snapshot's id and the trace; 'memscope snapshots TRACE' lists\n"
	"them. Only the user who runs PID may ask (its control socket is\n"
	"/tmp/memscope-UID/PID.sock, private to that user).\n"
	"\n"
	"options:\n"
	"  -p, --pid PID          the process\n"
	"  -l, --label LABEL      the snapshot's name in the trace (default: none;\n"
	"                         at most 255 bytes, no newline)\n"
	"  --timeout SECONDS      wait at most this long for the answer (default 30)\n"
	"  -h, --help             show this help\n"
	"\n"
	"example:\n"
	"  memscope run -o app.mst -- ./app &\n"
	"  memscope snapshot -p $! --label before-load\n";

struct snap_opts {
	long pid;
	const char *label;
	unsigned long long timeout;
};

static int parse_args(int argc, char **argv, struct snap_opts *o)
{
	o->label = "";
	o->timeout = 30;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cmd_snapshot_usage, stdout);
			return 1;
		}
		if (!strcmp(a, "-p") || !strcmp(a, "--pid") || !strncmp(a, "--pid=", 6)) {
			val = a[1] == '-' && a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
			unsigned long long v;
			if (ms_cli_parse_uint("--pid", val, 0x7fffffff, &v) < 0)
				return -1;
			if (!v) {
				ms_cli_error("invalid value '0' for option '--pid' (a process id)");
				return -1;
			}
			o->pid = (long)v;
		} else if (!strcmp(a, "-l") || !strcmp(a, "--label") || !strncmp(a, "--label=", 8)) {
			val = a[1] == '-' && a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
			if (!val) {
				ms_cli_error("option '%s' needs a label", a);
				return -1;
			}
			if (strchr(val, '\n') || strlen(val) > MS_CTL_LABEL_MAX) {
				ms_cli_error("invalid label: at most %d bytes, no newline", MS_CTL_LABEL_MAX);
				return -1;
			}
			o->label = val;
		} else if (!strcmp(a, "--timeout") || !strncmp(a, "--timeout=", 10)) {
			val = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
			if (ms_cli_parse_uint("--timeout", val, 86400, &o->timeout) < 0)
				return -1;
		} else {
			ms_cli_error("unknown %s '%s' for 'snapshot' (see 'memscope help snapshot')",
			             a[0] == '-' ? "option" : "argument", a);
			return -1;
		}
	}
	if (!o->pid) {
		ms_cli_error("missing '-p PID' (usage: memscope snapshot -p PID [--label LABEL])");
		return -1;
	}
	return 0;
}

/* Effective uid of pid from /proc/PID/status, or -1. */
static long proc_euid(long pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	FILE *f = fopen(path, "r");
	long euid = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "Uid:", 4)) {
			long r, e;
			if (sscanf(line + 4, "%ld %ld", &r, &e) == 2)
				euid = e;
			break;
		}
	fclose(f);
	return euid;
}

/* Connects to pid's control socket after checking who owns it. Returns the
 * fd, or -1 after printing the one-line error. */
static int connect_ctl(long pid)
{
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
		ms_cli_error("no process with pid %ld", pid);
		return -1;
	}
	uid_t me = geteuid();
	long owner = proc_euid(pid);
	if (owner >= 0 && owner != (long)me) {
		ms_cli_error("process %ld belongs to another user (uid %ld): run 'memscope snapshot' as that user",
		             pid, owner);
		return -1;
	}
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	ms_ctl_path(a.sun_path, me, pid);
	struct stat st;
	if (lstat(a.sun_path, &st) < 0) {
		ms_cli_error("process %ld is not running under memscope (no control socket '%s'; start it with "
		             "'memscope run')", pid, a.sun_path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		ms_cli_error("'%s' is not a socket: refusing to use it", a.sun_path);
		return -1;
	}
	if (st.st_uid != me) {
		ms_cli_error("control socket '%s' is owned by another user (uid %ld): refusing to use it", a.sun_path,
		             (long)st.st_uid);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ms_cli_error("cannot create a socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		int e = errno;
		close(fd);
		if (e == ECONNREFUSED || e == ENOENT)
			ms_cli_error("process %ld is not running under memscope (stale control socket '%s')", pid,
			             a.sun_path);
		else
			ms_cli_error("cannot connect to '%s': %s", a.sun_path, strerror(e));
		return -1;
	}
	struct ucred cr;
	socklen_t len = sizeof cr;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.uid != me) {
		ms_cli_error("control socket '%s' is served by another user: refusing to use it", a.sun_path);
		close(fd);
		return -1;
	}
	if ((long)cr.pid != pid) {
		ms_cli_error("control socket '%s' is served by process %ld, not %ld: refusing to use it", a.sun_path,
		             (long)cr.pid, pid);
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads the answer line into buf within timeout_s. Returns 0 or -1. */
static int read_answer(int fd, char *buf, size_t cap, unsigned long long timeout_s)
{
	size_t len = 0;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		long long left = (long long)timeout_s * 1000 - ((t.tv_sec - t0.tv_sec) * 1000LL +
		                                                 (t.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd pf = {fd, POLLIN, 0};
		int r = left > 0 ? poll(&pf, 1, left > 60000 ? 60000 : (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return left > 0 ? -1 : -2;
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = 0;
		char *nl = strchr(buf, '\n');
		if (nl) {
			*nl = 0;
			return 0;
		}
		if (len >= cap - 1)
			return -1;
	}
}

int cmd_snapshot(int argc, char **argv)
{
	struct snap_opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	int fd = connect_ctl(o.pid);
	if (fd < 0)
		return 1;
	char req[MS_CTL_LINE_MAX];
	int n = snprintf(req, sizeof req, "snapshot %s\n", o.label);
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		ms_cli_error("cannot send to process %ld: %s", o.pid, strerror(errno));
		close(fd);
		return 1;
	}
	char ans[MS_CTL_LINE_MAX];
	rc = read_answer(fd, ans, sizeof ans, o.timeout);
	close(fd);
	if (rc == -2) {
		ms_cli_error("no answer from process %ld within %llu s (is it stopped?)", o.pid, o.timeout);
		return 1;
	}
	if (rc < 0) {
		ms_cli_error("process %ld closed the connection without an answer (did it exit?)", o.pid);
		return 1;
	}
	unsigned long long id;
	int off = 0;
	if (sscanf(ans, "ok %llu %n", &id, &off) == 1 && off > 0) {
		printf("memscope: snapshot %llu '%s' of %ld written to %s\n", id, o.label, o.pid, ans + off);
		return 0;
	}
	if (!strncmp(ans, "error ", 6)) {
		ms_cli_error("process %ld did not take the snapshot: %s", o.pid, ans + 6);
		return 1;
	}
	ms_cli_error("process %ld gave an answer memscope does not understand: '%.80s'", o.pid, ans);
	return 1;
}
