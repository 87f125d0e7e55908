/* Stopping the world for a heap scan. The caller (S) stops every other
 * thread listed in /proc/self/task, with ptrace from a tracer process
 * (ptrace_stop.c: no handler runs, so the program's blocking calls do not
 * fail with EINTR), or, for the threads it cannot trace (a debugger traces
 * them, the process is not dumpable, MEMSCOPE_STOP_SIGNAL=1, no clone),
 * with a reserved real-time signal: its handler saves the interrupted
 * registers and thread pointer, acknowledges, and parks on a futex until S
 * releases it. Both methods mix in one stop.
 *
 * Invariants that keep it deadlock-free:
 * - a thread interrupted inside a memscope hook (guard set: it may hold its
 *   buffer lock, a live-table shard, the arena) does not park there: it
 *   marks itself BUSY, sets ms_rt_tls.stop_pending and returns; the hook
 *   parks it at its exit (ms_rt_leave -> ms_sw_park) once its locks are
 *   released, its registers spilled into the parking frame (the stack scan
 *   starts there, so the hook's result is a root). The tracer does the same
 *   for a thread it finds stopped with the guard set, and detaches it. Hooks
 *   that leave without ms_rt_leave: S asks again after 2 ms;
 * - the handler calls only raw syscalls and touches only its own slot;
 * - S gives up on a thread after 2 s (or 50 ms if it blocks the signal),
 *   BUSY ones included, and scans without it (MISSED), and the handler
 *   gives up parking after 120 s;
 * - S re-reads /proc/self/task until no new thread shows up: threads
 *   created meanwhile are stopped too; exiting ones answer ESRCH.
 * The signal is SIGRTMAX-2: glibc uses 32 and 33 for itself. A handler the
 * program installed before us is chained to for signals that are not ours
 * (ours carry SI_QUEUE, our pid and the stop generation). */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "runtime/arena.h"
#include "runtime/clock.h"
#include "runtime/rt.h"
#include "runtime/snap.h"
#include "runtime/sys.h"

#define STOP_TIMEOUT_NS 2000000000ull
#define BLOCKED_GRACE_NS 50000000ull
#define PARK_MAX_NS 120000000000ull

static int sw_sig;
static struct sigaction prev_action;
static _Atomic uint32_t stop_gen;     /* generation of the current/last stop */
static _Atomic uint32_t released_gen; /* futex: == stop_gen when not stopped */
static _Atomic uint32_t ack_word;     /* futex: bumped by each handler arrival */
/* Slots: grow-only, never freed, so that a late handler never touches freed memory. */
static struct ms_sw_thread *_Atomic slots;
static _Atomic uint32_t nslots_cap;
/* The stop a BUSY thread must park for (read by ms_sw_park). */
__thread struct ms_sw_pend ms_sw_pend __attribute__((tls_model("initial-exec")));

static long futex(_Atomic uint32_t *w, int op, uint32_t val, const struct timespec *to)
{
	return syscall(SYS_futex, w, op, val, to, NULL, 0);
}

static inline uint64_t thread_pointer(void)
{
	uint64_t tp = 0;
#if defined(__x86_64__)
	__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
#endif
	return tp;
}

static void ack(void)
{
	atomic_fetch_add(&ack_word, 1);
	futex(&ack_word, FUTEX_WAKE_PRIVATE, 1, NULL);
}

/* Publishes me as STOPPED and waits until the stop is over. */
static void park(struct ms_sw_thread *me)
{
	uint32_t full = atomic_load(&stop_gen);
	me->tp = thread_pointer();
	atomic_store_explicit(&me->state, MS_SW_STOPPED, memory_order_release);
	atomic_fetch_add(&me->seen, 1);
	ack();
	uint64_t t0 = ms_rt_clock_ns(CLOCK_MONOTONIC);
	for (;;) {
		uint32_t r = atomic_load(&released_gen);
		if (r == full)
			break;
		struct timespec to = {0, 100000000L};
		futex(&released_gen, FUTEX_WAIT_PRIVATE, r, &to);
		if (ms_rt_clock_ns(CLOCK_MONOTONIC) - t0 > PARK_MAX_NS)
			break; /* S is gone or stuck: never hang the program */
	}
}

static void chain(int sig, siginfo_t *si, void *uc)
{
	if (prev_action.sa_flags & SA_SIGINFO) {
		if (prev_action.sa_sigaction)
			prev_action.sa_sigaction(sig, si, uc);
	} else if (prev_action.sa_handler == SIG_DFL) {
		/* the default action of a real-time signal is to terminate */
		signal(sig, SIG_DFL);
		syscall(SYS_tgkill, (long)getpid(), (long)ms_rt_gettid(), (long)sig);
	} else if (prev_action.sa_handler != SIG_IGN) {
		prev_action.sa_handler(sig);
	}
}

static void on_stop(int sig, siginfo_t *si, void *ucv)
{
	uint64_t v = (uint64_t)(uintptr_t)si->si_value.sival_ptr;
	if (si->si_code != SI_QUEUE || si->si_pid != ms_rt_pid || (v >> 63) != 1) {
		chain(sig, si, ucv);
		return;
	}
	int e = errno;
	uint32_t gen = (uint32_t)(v >> 32) & 0x7fffffffu, idx = (uint32_t)v;
	struct ms_sw_thread *th = atomic_load(&slots);
	if (gen != (atomic_load(&stop_gen) & 0x7fffffffu) || atomic_load(&released_gen) == atomic_load(&stop_gen) ||
	    !th || idx >= atomic_load(&nslots_cap)) {
		errno = e; /* a late signal of a finished stop */
		return;
	}
	struct ms_sw_thread *me = &th[idx];
	if (ms_rt_tls.guard) {
		ms_sw_pend.gen = gen;
		ms_sw_pend.idx = idx;
		ms_rt_tls.stop_pending = 1;
		atomic_store_explicit(&me->state, MS_SW_BUSY, memory_order_release);
		atomic_fetch_add(&me->seen, 1);
		ack();
	} else {
		ucontext_t *uc = ucv;
		for (int i = 0; i < MS_SW_NREGS; i++)
			me->regs[i] = (uint64_t)uc->uc_mcontext.gregs[i];
		me->sp = me->regs[15]; /* REG_RSP */
		me->has_regs = 1;
		park(me);
	}
	errno = e;
}

/* A hook's exit with a stop pending: park here, outside every lock. The
 * caller's callee-saved registers are spilled into this frame, and the
 * stack is scanned from it. */
__attribute__((noinline)) void ms_sw_park(void)
{
	__builtin_unwind_init();
	volatile uint64_t here = 0;
	ms_rt_tls.stop_pending = 0;
	struct ms_sw_thread *th = atomic_load(&slots);
	uint32_t idx = ms_sw_pend.idx;
	if (!th || idx >= atomic_load(&nslots_cap) || ms_sw_pend.gen != (atomic_load(&stop_gen) & 0x7fffffffu) ||
	    atomic_load(&released_gen) == atomic_load(&stop_gen))
		return; /* that stop is over */
	int e = errno;
	struct ms_sw_thread *me = &th[idx];
	me->sp = (uint64_t)(uintptr_t)&here;
	me->has_regs = 0;
	park(me);
	errno = e;
}

int ms_sw_init(void)
{
	if (sw_sig)
		return 0;
	int sig = SIGRTMAX - MS_SW_SIGNAL_FROM_MAX;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigfillset(&sa.sa_mask); /* no other handler runs on top of a parked thread */
	if (sigaction(sig, &sa, &prev_action) < 0)
		return -errno;
	sw_sig = sig;
	return 0;
}

/* ---- S side ---- */

static uint64_t now_ns(void) { return ms_rt_clock_ns(CLOCK_MONOTONIC); }

static int ensure_cap(uint32_t need)
{
	uint32_t cap = atomic_load(&nslots_cap);
	if (need <= cap)
		return 0;
	uint32_t ncap = cap ? cap : 64;
	while (ncap < need)
		ncap *= 2;
	struct ms_sw_thread *n = ms_rt_alloc((size_t)ncap * sizeof *n);
	if (!n)
		return -ENOMEM;
	struct ms_sw_thread *old = atomic_load(&slots);
	if (old)
		memcpy(n, old, (size_t)cap * sizeof *n);
	/* publish the larger array; the old one stays allocated (late handlers) */
	atomic_store(&slots, n);
	atomic_store(&nslots_cap, ncap);
	return 0;
}

/* Whether the signal mask after key in a /proc status text has our signal. */
static int has_sig(const char *buf, const char *key)
{
	const char *s = strstr(buf, key);
	if (!s)
		return 0;
	s += strlen(key);
	return (int)((ms_rt_scan_hex(&s) >> (sw_sig - 1)) & 1);
}

/* Name, State, SigBlk and SigPnd of a thread, from /proc/self/task/TID/status. */
static void thread_status(uint32_t tid, int *ours, int *zombie, int *blocked)
{
	char path[64], buf[2048];
	char *p = ms_rt_stpcpy(path, "/proc/self/task/", sizeof path);
	p = ms_rt_fmt_u64(p, tid);
	ms_rt_stpcpy(p, "/status", 8);
	*ours = *zombie = *blocked = 0;
	ssize_t n = ms_rt_read_file(path, buf, sizeof buf);
	if (n <= 0) {
		*zombie = 1;
		return;
	}
	const char *s = strstr(buf, "Name:\t");
	if (s && !strncmp(s + 6, "memscope-", 9))
		*ours = 1;
	s = strstr(buf, "State:\t");
	if (s && (s[7] == 'Z' || s[7] == 'X'))
		*zombie = 1;
	/* Blocked and still pending: it cannot be delivered. Blocked alone is
	 * also how a thread looks inside our handler before it says so (the
	 * kernel blocks the signal while its handler runs), which a loaded
	 * machine, or a tracer such as strace -f, can stretch past the grace. */
	*blocked = has_sig(buf, "SigBlk:\t") && has_sig(buf, "SigPnd:\t");
}

static int send_one(struct ms_sw *w, uint32_t idx)
{
	struct ms_sw_thread *t = &w->th[idx];
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sw_sig;
	si.si_code = SI_QUEUE;
	si.si_pid = ms_rt_pid;
	si.si_uid = getuid();
	uint64_t v = (1ull << 63) | ((uint64_t)(atomic_load(&stop_gen) & 0x7fffffffu) << 32) | idx;
	si.si_value.sival_ptr = (void *)(uintptr_t)v;
	atomic_store(&t->state, MS_SW_SENT);
	t->sent++;
	t->via = MS_SW_VIA_SIGNAL;
	if (syscall(SYS_rt_tgsigqueueinfo, (long)ms_rt_pid, (long)t->tid, (long)sw_sig, &si) < 0) {
		atomic_store(&t->state, errno == ESRCH ? MS_SW_GONE : MS_SW_MISSED);
		return -1;
	}
	return 0;
}

/* Reads the tids of /proc/self/task into an arena array (*n entries).
 * Returns it, or NULL. */
static uint32_t *list_tasks(uint32_t *n)
{
	int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	uint32_t cap = 256, cnt = 0, *tids = ms_rt_alloc(cap * sizeof *tids);
	char buf[4096];
	long r;
	while (tids && (r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < r;) {
			struct {
				uint64_t ino;
				int64_t off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			off += d->reclen;
			int64_t tid;
			if (d->name[0] == '.' || ms_rt_parse_i64(d->name, &tid) || tid <= 0)
				continue;
			if (cnt == cap) {
				uint32_t *g = ms_rt_alloc(2 * cap * sizeof *g);
				if (g)
					memcpy(g, tids, cap * sizeof *g);
				ms_rt_free(tids);
				tids = g;
				cap *= 2;
				if (!tids)
					break;
			}
			tids[cnt++] = (uint32_t)tid;
		}
	}
	close(fd);
	*n = cnt;
	return tids;
}

static uint32_t cur_gen(void) { return atomic_load(&stop_gen) & 0x7fffffffu; }

/* Asks the tracer to stop th[from..to) (starting it for the first batch),
 * then signals those it could not trace. */
static void ask(struct ms_sw *w, uint32_t from, uint32_t to)
{
	uint32_t sent = 0;
	for (uint32_t i = from; i < to; i++)
		sent += atomic_load(&w->th[i].state) == MS_SW_SENT;
	if (!sent) /* only memscope's threads (or none): no tracer to start */
		return;
	if (!w->pt && !w->no_pt && !ms_rt_stop_signal) {
		w->pt = ms_pt_start();
		w->no_pt = !w->pt;
	}
	if (w->pt)
		ms_pt_stop(w->pt, w->th, from, to, cur_gen(), STOP_TIMEOUT_NS);
	for (uint32_t i = from; i < to; i++) {
		struct ms_sw_thread *t = &w->th[i];
		if (atomic_load(&t->state) != MS_SW_SENT || (w->pt && t->pt != MS_SW_PT_FAILED))
			continue;
		int ours, zombie = 0;
		if (w->pt) /* ptrace refuses an exiting thread: is it one? */
			thread_status(t->tid, &ours, &zombie, &t->blocked);
		t->pt = MS_SW_PT_NONE;
		if (zombie)
			atomic_store(&t->state, MS_SW_GONE);
		else
			send_one(w, i);
	}
}

/* Adds and stops the threads of /proc/self/task not seen yet. The slot
 * array grows only here, before any new thread is asked, and only when
 * every earlier one has settled (late writes would go to the old array).
 * Returns the number of new threads, or -1. */
static int enumerate(struct ms_sw *w, uint32_t self)
{
	uint32_t cnt;
	uint32_t *tids = list_tasks(&cnt);
	if (!tids)
		return -1;
	int added = 0;
	uint32_t first = w->n;
	if (!ensure_cap(w->n + cnt)) {
		w->th = atomic_load(&slots);
		for (uint32_t k = 0; k < cnt; k++) {
			uint32_t tid = tids[k];
			int known = tid == self;
			for (uint32_t i = 0; i < w->n && !known; i++)
				known = w->th[i].tid == tid;
			if (known)
				continue;
			struct ms_sw_thread *t = &w->th[w->n];
			memset(t, 0, sizeof *t);
			t->tid = tid;
			int ours, zombie;
			thread_status(tid, &ours, &zombie, &t->blocked);
			w->n++;
			added++;
			if (ours || tid == w->ctl_tid)
				atomic_store(&t->state, MS_SW_SKIP);
			else if (zombie)
				atomic_store(&t->state, MS_SW_GONE);
			else
				atomic_store(&t->state, MS_SW_SENT);
		}
		ask(w, first, w->n);
	}
	ms_rt_free(tids);
	return added;
}

/* A BUSY thread did not park within 2 ms (it left its hook another way):
 * asks it again, the way it was asked. */
static void ask_again(struct ms_sw *w, uint32_t i)
{
	struct ms_sw_thread *t = &w->th[i];
	if (t->via == MS_SW_VIA_PTRACE && w->pt) {
		atomic_store(&t->state, MS_SW_SENT);
		ask(w, i, i + 1);
	} else {
		send_one(w, i);
	}
}

int ms_sw_stop(struct ms_sw *w)
{
	if (!sw_sig)
		return -ENOSYS;
	uint32_t self = (uint32_t)ms_rt_gettid();
	w->n = w->stopped = w->missed = w->method = 0;
	w->pt = NULL;
	w->no_pt = 0;
	w->th = atomic_load(&slots);
	atomic_fetch_add(&stop_gen, 1); /* now released_gen != stop_gen: stopped */
	uint64_t t0 = now_ns(), last_probe = t0;
	if (enumerate(w, self) < 0) {
		ms_sw_resume(w);
		return -EIO;
	}
	for (;;) {
		int pending = 0;
		uint64_t t = now_ns();
		int probe = t - last_probe > 10000000ull;
		if (probe)
			last_probe = t;
		for (uint32_t i = 0; i < w->n; i++) {
			struct ms_sw_thread *th = &w->th[i];
			int st = atomic_load_explicit(&th->state, memory_order_acquire);
			if (st == MS_SW_STOPPED || st == MS_SW_GONE || st == MS_SW_MISSED || st == MS_SW_SKIP)
				continue;
			if (st == MS_SW_BUSY && t - t0 > STOP_TIMEOUT_NS) {
				atomic_store(&th->state, MS_SW_MISSED); /* stuck in a hook (on a lock a stopped thread holds?) */
				continue;
			}
			if (st == MS_SW_BUSY && atomic_load(&th->seen) == th->sent) {
				if (!th->busy_since)
					th->busy_since = t;
				else if (t - th->busy_since > 2000000ull) {
					th->busy_since = 0; /* left the hook another way: ask again */
					ask_again(w, i);
				}
				pending++;
				continue;
			}
			if (probe) {
				int ours, zombie;
				thread_status(th->tid, &ours, &zombie, &th->blocked);
				if (zombie || (syscall(SYS_tgkill, (long)ms_rt_pid, (long)th->tid, 0L) < 0 && errno == ESRCH)) {
					atomic_store(&th->state, MS_SW_GONE);
					continue;
				}
			}
			if (t - t0 > STOP_TIMEOUT_NS || (th->blocked && t - t0 > BLOCKED_GRACE_NS)) {
				atomic_store(&th->state, MS_SW_MISSED);
				continue;
			}
			pending++;
		}
		if (!pending) {
			/* everyone answered: threads created meanwhile? */
			int added = enumerate(w, self);
			if (added <= 0)
				break;
			continue;
		}
		uint32_t a = atomic_load(&ack_word);
		struct timespec to = {0, 200000L};
		futex(&ack_word, FUTEX_WAIT_PRIVATE, a, &to);
	}
	for (uint32_t i = 0; i < w->n; i++) {
		int st = atomic_load(&w->th[i].state);
		w->stopped += st == MS_SW_STOPPED;
		w->missed += st == MS_SW_MISSED;
		/* a missed thread was asked too: a stop that missed every
		 * thread still says how it tried */
		if (st == MS_SW_STOPPED || st == MS_SW_MISSED)
			w->method |= (uint32_t)w->th[i].via;
	}
	return 0;
}

void ms_sw_resume(struct ms_sw *w)
{
	atomic_store(&released_gen, atomic_load(&stop_gen));
	futex(&released_gen, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL);
	if (w->pt)
		ms_pt_finish(w->pt, w->th, w->n); /* detached: nothing shows us as traced any more */
	w->pt = NULL;
}
