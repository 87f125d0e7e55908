/* Stopping threads with ptrace for a heap scan (the steps are in snap.h):
 * a tracer process T, cloned by the snapshotting thread S for one stop,
 * shares our address space and answers S's requests. Unlike the stop
 * signal, a ptrace stop runs no handler in the program, so the kernel
 * restarts what it interrupted (nanosleep, poll, select, pause, futex,
 * read...) and T turns the calls that fail with EINTR after any stop
 * (epoll_wait, sigtimedwait, semtimedop...) into restarts too.
 *
 * Invariants:
 * - T shares S's thread pointer (no CLONE_SETTLS): it calls no libc
 *   function that may touch TLS (errno, locks): raw syscalls only, and it
 *   takes no memscope lock (a thread T holds stopped may be about to
 *   release it);
 * - T blocks every signal from its first instruction (S blocks them around
 *   the clone): the program's handlers, copied into T, never run there;
 * - a thread stopped inside a hook (its ms_rt_tls.guard, read through its
 *   thread pointer, is set) is told to park at the hook's exit and detached
 *   at once, so a lock it holds is released before S needs it;
 * - T never outlives the stop: S reaps it; if the program dies, T gets
 *   SIGKILL (PR_SET_PDEATHSIG) and the kernel detaches every tracee; if T
 *   dies, every tracee runs again and S counts them MISSED. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "runtime/arena.h"
#include "runtime/rt.h"
#include "runtime/snap.h"
#include "runtime/sys.h"

#if defined(__x86_64__)

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACER_STACK (64u << 10)
#define ERESTARTNOHAND 514 /* kernel-internal: restart unless a handler runs */
#define ANSWER_SLACK_NS 1000000000ull

enum { OP_STOP = 1, OP_FINISH = 2 };

struct ms_pt {
	pid_t pid;                  /* the tracer process */
	pid_t parent;               /* our pid: T exits if its parent changes */
	_Atomic uint32_t req, done; /* futexes: last request, last answer */
	_Atomic int dead;           /* T is gone (reaped): its tracees run */
	int op;
	struct ms_sw_thread *th;
	uint32_t from, to, n, gen;
	uint64_t timeout_ns;
	int64_t off_tls, off_pend;  /* &ms_rt_tls, &ms_sw_pend minus a thread pointer */
};

/* One stop at a time (the snapshot lock): one tracer, one stack. */
static struct ms_pt tracer;
static uint8_t *tracer_stack;
static int yama_scope = -1;

/* ---- T's side: raw syscalls only ---- */

static long rsys(long n, long a, long b, long c, long d, long e)
{
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e;
	long ret;
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
	                 : "rcx", "r11", "memory");
	return ret;
}

static long pt(long req, uint32_t tid, long addr, long data) { return rsys(SYS_ptrace, req, tid, addr, data, 0); }

static uint64_t t_now(void)
{
	struct timespec ts;
	rsys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0, 0);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The thread's static TLS base, if tp is a glibc thread pointer (its TCB
 * starts with a pointer to itself); else 0: not one of glibc's threads,
 * so never inside a hook. */
static uint64_t tls_base(uint32_t tid, uint64_t tp)
{
	uint64_t w = 0;
	if (!tp || pt(PTRACE_PEEKDATA, tid, (long)tp, (long)&w) < 0 || w != tp)
		return 0;
	return tp;
}

/* The thread tid stopped (ptrace): takes its registers, or tells it to
 * park at its hook's exit and lets it go. */
static void on_stopped(struct ms_pt *a, struct ms_sw_thread *t, uint32_t idx, int restartable)
{
	struct user_regs_struct r;
	if (pt(PTRACE_GETREGS, t->tid, 0, (long)&r) < 0) {
		atomic_store(&t->state, MS_SW_MISSED);
		return;
	}
	/* interrupted by us with EINTR (orig_rax: it was in a system call) */
	if (restartable && (int64_t)r.orig_rax >= 0 && (int64_t)r.rax == -EINTR) {
		struct user_regs_struct w = r;
		w.rax = (unsigned long long)-ERESTARTNOHAND;
		pt(PTRACE_SETREGS, t->tid, 0, (long)&w);
	}
	uint64_t tp = tls_base(t->tid, r.fs_base);
	struct ms_tls *tl = tp ? (struct ms_tls *)(uintptr_t)(tp + (uint64_t)a->off_tls) : NULL;
	t->via = MS_SW_VIA_PTRACE;
	if (tl && ((volatile struct ms_tls *)tl)->guard) {
		struct ms_sw_pend *pd = (struct ms_sw_pend *)(uintptr_t)(tp + (uint64_t)a->off_pend);
		pd->gen = a->gen;
		pd->idx = idx;
		((volatile struct ms_tls *)tl)->stop_pending = 1;
		t->sent++;
		atomic_fetch_add(&t->seen, 1);
		atomic_store_explicit(&t->state, MS_SW_BUSY, memory_order_release);
		pt(PTRACE_DETACH, t->tid, 0, t->inject);
		t->pt = MS_SW_PT_NONE;
		return;
	}
	if (tl)
		((volatile struct ms_tls *)tl)->stop_pending = 0; /* a BUSY thread that left its hook another way */
	const unsigned long long g[MS_SW_NREGS] = {r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15,
	                                           r.rdi, r.rsi, r.rbp, r.rbx, r.rdx, r.rax, r.rcx, r.rsp};
	for (int i = 0; i < MS_SW_NREGS; i++)
		t->regs[i] = g[i];
	t->sp = r.rsp;
	t->tp = r.fs_base;
	t->has_regs = 1;
	atomic_store_explicit(&t->state, MS_SW_STOPPED, memory_order_release);
}

/* A wait status of tid. Returns 1 if it settles a thread of the batch. */
static int on_event(struct ms_pt *a, uint32_t tid, int st)
{
	uint32_t i = a->n;
	while (i-- > 0 && a->th[i].tid != tid)
		;
	if (i >= a->n)
		return 0;
	struct ms_sw_thread *t = &a->th[i];
	int in_batch = i >= a->from && i < a->to && t->pt == MS_SW_PT_SEIZED;
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		t->pt = MS_SW_PT_NONE;
		if (atomic_load(&t->state) == MS_SW_SENT)
			atomic_store(&t->state, MS_SW_GONE);
		return in_batch;
	}
	if (!WIFSTOPPED(st) || t->pt != MS_SW_PT_SEIZED)
		return 0;
	int event = st >> 16, sig = WSTOPSIG(st);
	t->pt = MS_SW_PT_HELD;
	t->inject = event ? 0 : sig; /* a signal-delivery stop: deliver it when detached */
	if (in_batch && atomic_load(&t->state) == MS_SW_SENT)
		on_stopped(a, t, i, event == PTRACE_EVENT_STOP && sig == SIGTRAP);
	return in_batch; /* else a late stop of a MISSED thread: held until the end */
}

static void t_stop(struct ms_pt *a)
{
	uint64_t deadline = t_now() + a->timeout_ns;
	uint32_t waiting = 0;
	for (uint32_t i = a->from; i < a->to; i++) {
		struct ms_sw_thread *t = &a->th[i];
		if (atomic_load(&t->state) != MS_SW_SENT || t->pt != MS_SW_PT_NONE)
			continue;
		long r = pt(PTRACE_SEIZE, t->tid, 0, 0);
		if (r == -ESRCH) {
			atomic_store(&t->state, MS_SW_GONE);
			continue;
		}
		if (r < 0) {
			t->pt = MS_SW_PT_FAILED; /* traced already, not dumpable, exiting... */
			continue;
		}
		t->pt = MS_SW_PT_SEIZED;
		t->inject = 0;
		if (pt(PTRACE_INTERRUPT, t->tid, 0, 0) < 0)
			atomic_store(&t->state, MS_SW_GONE); /* exited meanwhile; our exit detaches it */
		else
			waiting++;
	}
	uint64_t chld = 1ull << (SIGCHLD - 1);
	while (waiting) {
		int st;
		long r;
		while (waiting && (r = rsys(SYS_wait4, -1, (long)&st, __WALL | WNOHANG, 0, 0)) > 0)
			waiting -= (uint32_t)on_event(a, (uint32_t)r, st);
		if (!waiting || r == -ECHILD || t_now() > deadline)
			break;
		struct timespec to = {0, 1000000L}; /* SIGCHLD says a tracee stopped; the slice covers a lost one */
		rsys(SYS_rt_sigtimedwait, (long)&chld, 0, (long)&to, 8, 0);
	}
	for (uint32_t i = a->from; i < a->to; i++)
		if (a->th[i].pt == MS_SW_PT_SEIZED && atomic_load(&a->th[i].state) == MS_SW_SENT)
			atomic_store(&a->th[i].state, MS_SW_MISSED); /* held if it stops later */
}

static void t_finish(struct ms_pt *a)
{
	for (uint32_t i = 0; i < a->n; i++) {
		struct ms_sw_thread *t = &a->th[i];
		int st;
		if (t->pt == MS_SW_PT_SEIZED && rsys(SYS_wait4, t->tid, (long)&st, __WALL | WNOHANG, 0, 0) == t->tid &&
		    WIFSTOPPED(st)) {
			t->pt = MS_SW_PT_HELD;
			t->inject = (st >> 16) ? 0 : WSTOPSIG(st);
		}
		if (t->pt == MS_SW_PT_HELD)
			pt(PTRACE_DETACH, t->tid, 0, t->inject);
		t->pt = MS_SW_PT_NONE; /* still seized and running: our exit detaches it */
	}
}

static int tracer_main(void *arg)
{
	struct ms_pt *a = arg;
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} dfl = {SIG_DFL, 0, NULL, 0};
	/* our own copy of the program's dispositions: SIGCHLD (blocked) must
	 * queue to tell us of stops, even if the program ignores it */
	rsys(SYS_rt_sigaction, SIGCHLD, (long)&dfl, 0, 8, 0);
	rsys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	uint32_t seen = 0;
	for (;;) {
		if (rsys(SYS_getppid, 0, 0, 0, 0, 0) != a->parent)
			return 0; /* the program is gone */
		uint32_t r = atomic_load(&a->req);
		if (r == seen) {
			struct timespec to = {0, 100000000L};
			rsys(SYS_futex, (long)&a->req, FUTEX_WAIT_PRIVATE, r, (long)&to, 0);
			continue;
		}
		seen = r;
		if (a->op == OP_FINISH) {
			t_finish(a);
			atomic_store(&a->done, r);
			rsys(SYS_futex, (long)&a->done, FUTEX_WAKE_PRIVATE, 1, 0, 0);
			return 0;
		}
		t_stop(a);
		atomic_store(&a->done, r);
		rsys(SYS_futex, (long)&a->done, FUTEX_WAKE_PRIVATE, 1, 0, 0);
	}
}

/* ---- S's side ---- */

static inline uint64_t thread_pointer(void)
{
	uint64_t tp;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
	return tp;
}

static uint64_t s_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reaps T (blocking if it runs), or notes that the program did. */
static void reap(struct ms_pt *a, int options)
{
	long r = syscall(SYS_wait4, (long)a->pid, NULL, (long)(__WCLONE | options), NULL);
	if (r == a->pid || (r < 0 && errno == ECHILD))
		atomic_store(&a->dead, 1);
}

/* T died before answering: its tracees run again. */
static void after_death(struct ms_pt *a)
{
	for (uint32_t i = 0; i < a->n; i++) {
		struct ms_sw_thread *t = &a->th[i];
		if (t->via == MS_SW_VIA_PTRACE && atomic_load(&t->state) == MS_SW_STOPPED)
			atomic_store(&t->state, MS_SW_MISSED);
		if (t->pt == MS_SW_PT_SEIZED || t->pt == MS_SW_PT_HELD)
			t->pt = MS_SW_PT_NONE;
		if (i >= a->from && i < a->to && atomic_load(&t->state) == MS_SW_SENT)
			t->pt = MS_SW_PT_FAILED;
	}
}

/* Sends request op and waits for T's answer; kills T if it does not
 * answer in time (its tracees are then detached by the kernel). */
static void call(struct ms_pt *a, int op)
{
	if (atomic_load(&a->dead)) {
		after_death(a);
		return;
	}
	a->op = op;
	uint32_t r = atomic_fetch_add(&a->req, 1) + 1;
	syscall(SYS_futex, &a->req, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	uint64_t t0 = s_now();
	for (;;) {
		uint32_t d = atomic_load(&a->done);
		if (d == r)
			return;
		struct timespec to = {0, 10000000L};
		syscall(SYS_futex, &a->done, FUTEX_WAIT_PRIVATE, d, &to, NULL, 0);
		if (atomic_load(&a->done) == r)
			return;
		reap(a, WNOHANG);
		if (!atomic_load(&a->dead) && s_now() - t0 > a->timeout_ns + ANSWER_SLACK_NS) {
			kill(a->pid, SIGKILL);
			reap(a, 0);
			atomic_store(&a->dead, 1);
		}
		if (atomic_load(&a->dead)) {
			after_death(a);
			return;
		}
	}
}

/* Yama's ptrace_scope, 0 when Yama is absent. */
static int read_yama(void)
{
	char buf[16];
	ssize_t n = ms_rt_read_file("/proc/sys/kernel/yama/ptrace_scope", buf, sizeof buf);
	return n > 0 ? buf[0] - '0' : 0;
}

struct ms_pt *ms_pt_start(void)
{
	if (!tracer_stack && !(tracer_stack = ms_rt_map(TRACER_STACK)))
		return NULL;
	if (yama_scope < 0)
		yama_scope = read_yama();
	struct ms_pt *a = &tracer;
	memset(a, 0, sizeof *a);
	uint64_t tp = thread_pointer();
	a->off_tls = (int64_t)((uintptr_t)&ms_rt_tls - tp);
	a->off_pend = (int64_t)((uintptr_t)&ms_sw_pend - tp);
	a->parent = getpid();
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = errno;
	int pid = clone(tracer_main, tracer_stack + TRACER_STACK, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		errno = e;
		return NULL;
	}
	a->pid = pid;
	/* Yama ptrace_scope 1 lets a process trace its descendants only: name
	 * T as ours (EINVAL without Yama: nothing to do) */
	if (yama_scope == 1 && prctl(PR_SET_PTRACER, (unsigned long)pid, 0, 0, 0) < 0)
		errno = e;
	return a;
}

void ms_pt_stop(struct ms_pt *a, struct ms_sw_thread *th, uint32_t from, uint32_t to, uint32_t gen,
                uint64_t timeout_ns)
{
	a->th = th;
	a->from = from;
	a->to = to;
	if (to > a->n)
		a->n = to;
	a->gen = gen;
	a->timeout_ns = timeout_ns;
	call(a, OP_STOP);
}

void ms_pt_finish(struct ms_pt *a, struct ms_sw_thread *th, uint32_t n)
{
	a->th = th;
	a->from = a->to = 0;
	if (n > a->n)
		a->n = n;
	call(a, OP_FINISH);
	if (!atomic_load(&a->dead))
		reap(a, 0); /* T returns right after its answer */
}

#else /* no ptrace method on this architecture: signals only */

struct ms_pt *ms_pt_start(void) { return NULL; }
void ms_pt_stop(struct ms_pt *a, struct ms_sw_thread *th, uint32_t from, uint32_t to, uint32_t gen,
                uint64_t timeout_ns)
{
	(void)a, (void)th, (void)from, (void)to, (void)gen, (void)timeout_ns;
}
void ms_pt_finish(struct ms_pt *a, struct ms_sw_thread *th, uint32_t n) { (void)a, (void)th, (void)n; }

#endif
