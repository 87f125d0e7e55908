/* Taking a snapshot (the steps are listed in snap.h) and what triggers one:
 * the API, the control socket, an interval, the heap peak, and exit. The
 * control thread ("memscope-ctl", every signal blocked, never recorded)
 * serves the socket and runs the interval and peak triggers.
 *
 * Peak rule (MEMSCOPE_SNAPSHOT_AT_PEAK=1): the control thread samples the
 * live heap every 2 ms and keeps its maximum M since the last peak
 * snapshot; when the heap falls 10% below M, M is at least 1 MiB, and M is
 * at least 10% above the level of the previous peak snapshot, it takes one
 * (so a program gets one per new plateau, not one per wobble). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "runtime/arena.h"
#include "runtime/clock.h"
#include "runtime/rt.h"
#include "runtime/snap.h"
#include "runtime/sys.h"
#include "trace/encode_snap.h"

#define LABEL_MAX 1024 /* longer API labels are cut */

#define PEAK_SAMPLE_MS 2
#define PEAK_MIN_BYTES (1u << 20)
#define LOCK_WAIT_NS 200000000ull

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t next_id = 1;
static char trace_path[PATH_MAX];
static int started, atfork_done;

static pthread_t ctl_thread;
static int ctl_running;
static _Atomic int ctl_stopping;
static _Atomic uint32_t ctl_tid;
static int wake_fd = -1, listen_fd = -1;

const char *ms_rt_snap_trace_path(void) { return trace_path; }

/* ---- one snapshot ---- */

/* Takes t->lock, giving up after a while: a thread that could not be
 * stopped might hold it across a blocking call. Returns 1 if taken. */
static int lock_timed(ms_spin *l)
{
	uint64_t t0 = ms_rt_clock_ns(CLOCK_MONOTONIC);
	while (!ms_spin_trylock(l)) {
		if (ms_rt_clock_ns(CLOCK_MONOTONIC) - t0 > LOCK_WAIT_NS)
			return 0;
		sched_yield();
	}
	return 1;
}

static struct ms_buf *take_buffers(void)
{
	struct ms_buf *list = NULL, **tail = &list;
	ms_spin_lock(&ms_rt_threads_lock);
	for (struct ms_tstate *t = ms_rt_threads; t; t = t->next_thread) {
		if (!lock_timed(&t->lock))
			continue;
		ms_rt_thread_take(t, &tail);
		ms_spin_unlock(&t->lock);
	}
	ms_spin_unlock(&ms_rt_threads_lock);
	return list;
}

static void put_record(const uint8_t *b, const uint8_t *e) { ms_rt_writer_snap_put(b, (size_t)(e - b)); }

/* Steps 4-7 of snap.h, with the round lock held. */
static void stopped_part(uint64_t id, int reason, const char *label, uintptr_t self_sp,
                         const struct ms_scan_module *mods, uint32_t nmods)
{
	struct ms_sw sw = {.ctl_tid = atomic_load(&ctl_tid)};
	int stopped = !ms_sw_stop(&sw);
	uint64_t t0 = ms_rt_clock_ns(CLOCK_MONOTONIC), ts = ms_rt_now_after();
	struct ms_buf *bufs = take_buffers();
	struct ms_scan_block *blocks = NULL;
	uint64_t nblocks = 0, bytes = 0;
	int err = ms_livetab_copy(&blocks, &nblocks, &bytes);
	if (!err)
		err = ms_scan_sort(blocks, nblocks);

	struct ms_scan_thread *th = ms_rt_alloc((sw.n + 1) * sizeof *th);
	uint32_t nth = 0;
	for (uint32_t i = 0; th && i < sw.n; i++) {
		struct ms_sw_thread *s = &sw.th[i];
		if (atomic_load(&s->state) != MS_SW_STOPPED)
			continue;
		th[nth++] = (struct ms_scan_thread){s->tid, s->has_regs, s->sp, s->tp, s->regs};
	}
	if (th && self_sp) {
		uint64_t tp = 0;
#if defined(__x86_64__)
		__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
#endif
		th[nth++] = (struct ms_scan_thread){(uint32_t)ms_rt_gettid(), 0, self_sp, tp, NULL};
	}
	/* The events before ts, then ROUND(ts) and SNAPSHOT, so that the scan
	 * can stream its records behind them: buffered, the scan of a large heap
	 * (perl's exit: 2.7 M edges, 12 MB) grew the program's RSS while it was
	 * stopped. Compressing them lengthens the stop by a fraction of the
	 * scan's own time. */
	for (struct ms_buf *b = bufs; b; b = b->next)
		ms_rt_writer_snap_put(b->data, b->len);
	ms_rt_buf_put_list(bufs);
	size_t llen = strnlen(label, LABEL_MAX);
	uint8_t rec[MS_ENC_SNAPSHOT_MAX(LABEL_MAX) + 1 + MS_VARINT_MAX];
	uint8_t *p = ms_enc_round(rec, ts);
	put_record(rec, ms_enc_snapshot(p, ts, id, (uint64_t)reason, label, llen, nblocks, bytes));

	struct ms_scan_out out = {.sink = ms_rt_writer_snap_put};
	struct ms_scan_in in = {id, blocks, nblocks, mods, nmods, th, nth, sw.missed > 0 || !stopped};
	/* A sampled run knows only the sampled blocks: a pointer graph of those
	 * would call most of them lost. The snapshot keeps its (estimated) live
	 * set, without a scan. */
	int scan = !ms_rt_opt.sample_rate;
	if (!err && th && scan)
		err = ms_scan_run(&in, &out);
	if (stopped)
		ms_sw_resume(&sw);
	uint64_t dur = ms_rt_clock_ns(CLOCK_MONOTONIC) - t0;
	if (scan)
		put_record(rec, ms_enc_scan_end(rec, id, nblocks, out.roots, out.edges, dur, sw.method, sw.stopped,
		                                sw.missed));

	if (err)
		ms_rt_say("snapshot ", label, ": scan incomplete (out of memory)", NULL);
	if (sw.missed || !stopped) {
		char n[24], tid[24] = "?";
		*ms_rt_fmt_u64(n, sw.missed) = 0;
		for (uint32_t i = 0; i < sw.n; i++)
			if (atomic_load(&sw.th[i].state) == MS_SW_MISSED) {
				*ms_rt_fmt_u64(tid, sw.th[i].tid) = 0;
				break;
			}
		ms_rt_say("snapshot '", label, "': ", stopped ? n : "all", " thread(s) (first: ", tid,
		          ") did not stop (signal SIGRTMAX-2 blocked, or stuck in the kernel for 2 s): their stacks were not "
		          "scanned",
		          NULL);
	}
	ms_rt_free(th);
	if (blocks)
		ms_rt_unmap(blocks, nblocks * sizeof *blocks);
}

uint64_t ms_rt_snapshot(int reason, const char *label, uintptr_t self_sp)
{
	if (atomic_load(&ms_rt_state) != MS_ST_READY || atomic_load(&ms_rt_ended))
		return 0;
	struct ms_tls *tl = &ms_rt_tls;
	uint8_t g = tl->guard, f = tl->foreign;
	/* wait unguarded: a snapshot in progress stops us here like anywhere */
	tl->guard = 0;
	pthread_mutex_lock(&snap_lock);
	tl->guard = 1;
	tl->foreign = 1;
	uint64_t id = 0;
	if (atomic_load(&ms_rt_state) == MS_ST_READY && !atomic_load(&ms_rt_ended) && getpid() == ms_rt_pid) {
		ms_rt_modules_sync(0); /* ids for every module the scan names */
		uint32_t nmods = 0;
		struct ms_scan_module *mods = ms_scan_modules(&nmods);
		if (!ms_rt_writer_snap_begin()) {
			id = next_id++;
			stopped_part(id, reason, label ? label : "", self_sp, mods, nmods);
			ms_rt_writer_snap_end();
		}
		ms_rt_free(mods);
	}
	pthread_mutex_unlock(&snap_lock);
	tl->guard = g;
	tl->foreign = f;
	return id;
}

/* ---- the control thread ---- */

static int64_t ms_now_ms(void) { return (int64_t)(ms_rt_clock_ns(CLOCK_MONOTONIC) / 1000000u); }

static void *ctl_main(void *arg)
{
	ms_rt_tls.guard = 1; /* never recorded */
	ms_rt_tls.foreign = 1;
	atomic_store(&ctl_tid, (uint32_t)ms_rt_gettid());
	prctl(PR_SET_NAME, "memscope-ctl", 0, 0, 0);
	int64_t interval = ms_rt_snap_interval_ms, next = interval ? ms_now_ms() + interval : 0;
	uint64_t max = 0, last_peak = 0;
	while (!atomic_load(&ctl_stopping)) {
		int64_t now = ms_now_ms(), timeout = 500; /* also notices a stop if the program closed wake_fd */
		if (interval && next - now < timeout)
			timeout = next > now ? next - now : 0;
		if (ms_rt_snap_at_peak && timeout > PEAK_SAMPLE_MS)
			timeout = PEAK_SAMPLE_MS;
		/* negative fds are ignored by poll */
		struct pollfd pf[2] = {{wake_fd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
		int r = poll(pf, 2, (int)timeout);
		if (atomic_load(&ctl_stopping))
			break;
		if (r > 0 && (pf[0].revents & POLLNVAL))
			wake_fd = -1;
		if (r > 0 && (pf[1].revents & POLLIN) && ms_ctl_serve(listen_fd) < 0)
			listen_fd = -1;
		if (r > 0 && (pf[1].revents & (POLLNVAL | POLLERR)))
			listen_fd = -1; /* the program closed our socket: stop serving */
		if (interval && ms_now_ms() >= next) {
			ms_rt_snapshot(MS_SNAP_INTERVAL, "interval", 0);
			next += interval;
			if (next <= ms_now_ms())
				next = ms_now_ms() + interval;
		}
		if (ms_rt_snap_at_peak) {
			uint64_t cur = ms_livetab_bytes();
			if (cur > max)
				max = cur;
			if (max >= PEAK_MIN_BYTES && cur < max - max / 10 && max > last_peak + last_peak / 10) {
				ms_rt_snapshot(MS_SNAP_PEAK, "peak", 0);
				last_peak = max;
				max = ms_livetab_bytes();
			}
		}
	}
	return NULL;
}

static void set_trace_path(void)
{
	char rel[PATH_MAX];
	ms_rt_trace_path(rel, ms_rt_pid);
	if (rel[0] == '/' || !getcwd(trace_path, sizeof trace_path - 1)) {
		ms_rt_stpcpy(trace_path, rel, sizeof trace_path);
		return;
	}
	char *p = trace_path + strlen(trace_path);
	*p++ = '/';
	ms_rt_stpcpy(p, rel, (size_t)(trace_path + sizeof trace_path - p));
}

/* Yields, then sleeps 100 us at a time; 0 once 2 s have passed since t0.
 * A new thread of ours runs within microseconds on an idle machine; on a
 * loaded one a bound of 100,000 yields ran out first, and a stop then
 * counted the unnamed writer, which blocks every signal, as a program
 * thread that did not answer (e2e/0730 under `make check`). */
static int wait_more(uint64_t t0, unsigned *spins)
{
	if (ms_rt_clock_ns(CLOCK_MONOTONIC) - t0 > 2000000000ull)
		return 0;
	if (++*spins < 1000)
		sched_yield();
	else
		nanosleep(&(struct timespec){0, 100000}, NULL);
	return 1;
}

static void start_thread(void)
{
	/* the writer was just started: let it name itself, as a stop
	 * recognizes it by that name in /proc (it blocks every signal) */
	uint64_t t0 = ms_rt_clock_ns(CLOCK_MONOTONIC);
	unsigned spins = 0;
	while (!atomic_load(&ms_rt_writer_named) && wait_more(t0, &spins))
		;

	set_trace_path();
	wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	listen_fd = ms_ctl_open();
	if (wake_fd < 0)
		return;
	atomic_store(&ctl_stopping, 0);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ctl_running = !pthread_create(&ctl_thread, NULL, ctl_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* a stop must know the control thread's tid from the start (it blocks
	 * every signal and would count as a thread that does not answer) */
	t0 = ms_rt_clock_ns(CLOCK_MONOTONIC);
	spins = 0;
	while (ctl_running && !atomic_load(&ctl_tid) && wait_more(t0, &spins))
		;
}

/* fork: no snapshot runs across it; the child serves its own socket. */
static void snap_prepare(void) { pthread_mutex_lock(&snap_lock); }
static void snap_parent(void) { pthread_mutex_unlock(&snap_lock); }
static void snap_child(void)
{
	pthread_mutex_t init = PTHREAD_MUTEX_INITIALIZER;
	snap_lock = init;
	if (listen_fd >= 0)
		close(listen_fd); /* the parent's; its file stays the parent's */
	if (wake_fd >= 0)
		close(wake_fd);
	listen_fd = wake_fd = -1;
	ctl_running = 0;
	atomic_store(&ctl_tid, 0);
	next_id = 1;
	if (atomic_load(&ms_rt_state) != MS_ST_READY)
		return;
	struct ms_tls *tl = &ms_rt_tls;
	uint8_t g = tl->guard, f = tl->foreign;
	tl->guard = tl->foreign = 1;
	start_thread();
	tl->guard = g;
	tl->foreign = f;
}

void ms_rt_snap_start(void)
{
	if (started)
		return;
	started = 1;
	ms_scan_init();
	ms_sw_init();
	if (!atfork_done) {
		atfork_done = 1;
		pthread_atfork(snap_prepare, snap_parent, snap_child);
	}
	start_thread();
}

void ms_rt_snap_stop(void)
{
	if (ctl_running) {
		atomic_store(&ctl_stopping, 1);
		uint64_t one = 1;
		if (write(wake_fd, &one, sizeof one) < 0) {
			/* the program closed it: the poll timeout still ends the thread */
		}
		pthread_join(ctl_thread, NULL);
		ctl_running = 0;
		atomic_store(&ctl_tid, 0);
	}
	if (listen_fd >= 0)
		ms_ctl_close(listen_fd, 1);
	listen_fd = -1;
}

void ms_rt_snap_unlink(void) { ms_ctl_close(-1, 1); }

/* Our constructor runs after or before lifecycle's: ms_rt_init is idempotent. */
__attribute__((constructor)) static void snap_ctor(void)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (!ms_rt_init())
		return;
	uint8_t g = tl->guard, f = tl->foreign;
	tl->guard = tl->foreign = 1;
	ms_rt_snap_start();
	tl->guard = g;
	tl->foreign = f;
}
