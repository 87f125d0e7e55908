/* snap_wait: threads blocked in calls that a signal handler interrupts for
 * good (EINTR, or an early return) while main takes 5 snapshots. Each
 * waiter holds a block of 1000 + its number bytes that only its own stack
 * points to. Timed waits last 2 s; untimed ones end when main wakes them
 * (a pipe write, SIGUSR1 for sigwaitinfo, SIGUSR2 with a handler for
 * pause). Main snapshots only once every waiter sits in its system call
 * (/proc/self/task/TID/syscall), and checks that none had returned by the
 * last snapshot ("covered yes").
 *
 * Prints "tid NAME TID" for each waiter, then "NAME ok" or "NAME eintr" or
 * "NAME early rc=R errno=E", then "snapshots N covered yes|no traced T"
 * (T: threads that still had a tracer after the snapshots). memscope
 * is declared weak: without it, "snapshots 0". */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#define MEMSCOPE_WEAK
#include "memscope.h"

#define TIMED_MS 2000
#define NSNAP 5

enum { W_NANOSLEEP, W_POLL, W_EPOLL, W_SELECT, W_SIGTIMEDWAIT, W_PAUSE, W_SIGWAITINFO, W_EPOLL_INF, NW };
static const char *const names[NW] = {"nanosleep", "poll",  "epoll_wait",  "select",
                                      "sigtimedwait", "pause", "sigwaitinfo", "epoll_wait_inf"};

struct waiter {
	pthread_t th;
	int kind;
	_Atomic int tid;
	_Atomic int entering, returned;
	int rc, err, early;
	long long elapsed_ns;
};
static struct waiter w[NW];
static int idle_pipe[2], wake_pipe[2], ep_idle, ep_wake;
static _Atomic int woken, usr2_seen;

static void on_usr2(int sig)
{
	(void)sig;
	usr2_seen = 1;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* The call this waiter blocks in; its result in me->rc / me->err. */
static void wait_call(struct waiter *me)
{
	struct epoll_event ev;
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	switch (me->kind) {
	case W_NANOSLEEP: {
		struct timespec d = {TIMED_MS / 1000, 0};
		me->rc = nanosleep(&d, NULL);
		break;
	}
	case W_POLL: {
		struct pollfd p = {idle_pipe[0], POLLIN, 0};
		me->rc = poll(&p, 1, TIMED_MS);
		break;
	}
	case W_EPOLL:
		me->rc = epoll_wait(ep_idle, &ev, 1, TIMED_MS);
		break;
	case W_SELECT: {
		fd_set rs;
		FD_ZERO(&rs);
		FD_SET(idle_pipe[0], &rs);
		struct timeval tv = {TIMED_MS / 1000, 0};
		me->rc = select(idle_pipe[0] + 1, &rs, NULL, NULL, &tv);
		break;
	}
	case W_SIGTIMEDWAIT: {
		struct timespec d = {TIMED_MS / 1000, 0};
		sigset_t usr2;
		sigemptyset(&usr2);
		sigaddset(&usr2, SIGUSR2); /* never sent to this thread: times out */
		me->rc = sigtimedwait(&usr2, NULL, &d);
		break;
	}
	case W_PAUSE:
		me->rc = pause();
		break;
	case W_SIGWAITINFO:
		me->rc = sigwaitinfo(&usr1, NULL);
		break;
	case W_EPOLL_INF:
		me->rc = epoll_wait(ep_wake, &ev, 1, -1);
		break;
	}
	me->err = errno;
}

static void *waiter(void *arg)
{
	struct waiter *me = arg;
	me->tid = gettid();
	if (me->kind == W_PAUSE) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR2);
		pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	}
	/* only this stack points to it (a volatile local lives in the frame) */
	char *volatile mine = malloc(1000 + (size_t)me->kind);
	memset(mine, 1, 1000 + (size_t)me->kind);
	long long t0 = now_ns();
	me->entering = 1;
	wait_call(me);
	me->early = !atomic_load(&woken);
	me->elapsed_ns = now_ns() - t0;
	me->returned = 1;
	free(mine);
	return NULL;
}

/* 1 if thread tid sleeps inside a system call. */
static int in_syscall(int tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] != 'S')
		return 0;
	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return buf[0] >= '0' && buf[0] <= '9';
}

/* Number of our threads whose TracerPid is not 0. */
static int traced_threads(void)
{
	int n = 0;
	for (int i = -1; i < NW; i++) {
		char path[64], buf[2048];
		snprintf(path, sizeof path, "/proc/self/task/%d/status", i < 0 ? (int)getpid() : (int)w[i].tid);
		int fd = open(path, O_RDONLY);
		ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
		if (fd >= 0)
			close(fd);
		buf[len > 0 ? len : 0] = 0;
		char *t = strstr(buf, "TracerPid:");
		n += t && atoi(t + 10) != 0;
	}
	return n;
}

static const char *verdict(const struct waiter *me)
{
	int timed = me->kind <= W_SIGTIMEDWAIT;
	if (me->rc == -1 && me->err == EINTR && (me->kind != W_PAUSE || me->early))
		return "eintr";
	if (timed) {
		int want = me->kind == W_SIGTIMEDWAIT ? -1 : 0;
		int ok = me->rc == want && (want == 0 || me->err == EAGAIN) && me->elapsed_ns >= TIMED_MS * 1000000ll;
		return ok ? "ok" : "early";
	}
	if (me->early)
		return "early";
	if (me->kind == W_PAUSE)
		return me->rc == -1 && me->err == EINTR && usr2_seen ? "ok" : "early";
	if (me->kind == W_SIGWAITINFO)
		return me->rc == SIGUSR1 ? "ok" : "early";
	return me->rc == 1 ? "ok" : "early";
}

int main(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL); /* every thread inherits it */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr2; /* no SA_RESTART: pause returns after it anyway */
	sigaction(SIGUSR2, &sa, NULL);
	if (pipe(idle_pipe) || pipe(wake_pipe))
		return 1;
	ep_idle = epoll_create1(0);
	ep_wake = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};
	epoll_ctl(ep_idle, EPOLL_CTL_ADD, idle_pipe[0], &ev);
	epoll_ctl(ep_wake, EPOLL_CTL_ADD, wake_pipe[0], &ev);

	for (int i = 0; i < NW; i++) {
		w[i].kind = i;
		pthread_create(&w[i].th, NULL, waiter, &w[i]);
	}
	for (int i = 0; i < NW; i++)
		while (!w[i].entering || !in_syscall(w[i].tid))
			usleep(1000);
	for (int i = 0; i < NW; i++)
		printf("tid %s %d\n", names[i], w[i].tid);

	int ids = 0;
	for (int k = 0; k < NSNAP; k++)
		ids += memscope_snapshot_weak("waiting") > 0;
	int covered = 1;
	for (int i = 0; i < NW; i++)
		covered &= !w[i].returned;
	int traced = traced_threads(); /* the stop is over: nobody traces us */

	woken = 1;
	pthread_kill(w[W_PAUSE].th, SIGUSR2);
	pthread_kill(w[W_SIGWAITINFO].th, SIGUSR1);
	if (write(wake_pipe[1], "x", 1) != 1)
		return 1;
	for (int i = 0; i < NW; i++)
		pthread_join(w[i].th, NULL);
	for (int i = 0; i < NW; i++) {
		const char *v = verdict(&w[i]);
		if (!strcmp(v, "early"))
			printf("%s early rc=%d errno=%d\n", names[i], w[i].rc, w[i].err);
		else
			printf("%s %s\n", names[i], v);
	}
	printf("snapshots %d covered %s traced %d\n", ids, covered ? "yes" : "no", traced);
	return 0;
}
