/* The writer: owns the trace file. A round (writer thread every 100 ms, or
 * when a thread hands over a full buffer, or synchronously at exit/exec)
 * takes T = now, collects every thread's buffers, writes them as zstd frames
 * followed by writer records and ROUND(T). Rounds are serialized by
 * round_lock; the file is only written under it.
 *
 * The trace fd lives at a high number, and before each frame we check that
 * it still is our file (st_dev/st_ino): a daemon may close every fd or reuse
 * the number; then the file is reopened by its path in append mode. We never
 * write into a descriptor that is not ours. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h> /* rename() only */
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createCCtx_advanced: zstd allocates from our arena */
#include <zstd.h>

#include "runtime/arena.h"
#include "runtime/clock.h"
#include "runtime/rt.h"
#include "runtime/sys.h"
#include "trace/write.h"

/* A frame's records at most: its size bounds what the runtime holds (the
 * streams, zstd's window) and what a reader holds (two frames decompressed
 * ahead, each also before its join). Frames of up to 4 MiB cost churn-2t's
 * report 21 MB more peak RSS than frames of 1 MiB and compressed churn only
 * 1% better; frames of 512 KiB compressed it 2% worse. A scan's records,
 * staged up to 4 MiB, raised perl's peak RSS by up to 4 MiB at its exit,
 * when its heap still holds most of its peak. */
#define RAW_CAP (1u << 20)
#define ROUND_MS 100
#define PUBLISH_MS 15 /* stats page refresh, only while a page exists */

_Atomic int ms_rt_ended;
_Atomic int ms_rt_writer_named;

static pthread_mutex_t round_lock = PTHREAD_MUTEX_INITIALIZER;
static int fd = -1;
static dev_t fd_dev; /* identity of our file, to notice a closed or reused fd */
static ino_t fd_ino;
static char path[PATH_MAX];
static char abs_path[PATH_MAX]; /* path from the cwd at open: the program may chdir */
static ZSTD_CCtx *cctx;
/* The records of the next frame, split into streams (trace/columns.h) as
 * they are staged: each stream is mapped RAW_CAP bytes, and its pages are
 * touched only as far as it fills. */
static struct ms_col_bufs cols;
static uint8_t *out;
static size_t out_cap;
static uint64_t peak_rss;

static ms_spin wrec_lock = MS_SPIN_INIT;
static uint8_t *wrec;
static size_t wrec_len, wrec_cap;

static pthread_t writer_thread;
static int writer_running;
static _Atomic int wake_word, sleeping, stopping;

/* ---- zstd memory from the arena ---- */
static void *zalloc(void *opaque, size_t size) { return ms_rt_alloc(size); }
static void zfree(void *opaque, void *p) { ms_rt_free(p); }

/* ---- writer records ---- */

uint8_t *ms_rt_wrec_begin(size_t need)
{
	ms_spin_lock(&wrec_lock);
	if (wrec_cap - wrec_len < need) {
		size_t cap = wrec_cap ? wrec_cap : 64u << 10;
		while (cap - wrec_len < need)
			cap *= 2;
		uint8_t *n = ms_rt_alloc(cap);
		if (!n) {
			ms_spin_unlock(&wrec_lock);
			return NULL;
		}
		if (wrec)
			memcpy(n, wrec, wrec_len);
		ms_rt_free(wrec);
		wrec = n;
		wrec_cap = cap;
	}
	return wrec + wrec_len;
}

void ms_rt_wrec_end(uint8_t *end)
{
	wrec_len = (size_t)(end - wrec);
	ms_spin_unlock(&wrec_lock);
}

/* ---- the descriptor (round_lock held, or single-threaded init/fork) ---- */

/* Lowest number for our fd: high, so that a program that dup2s onto or
 * closes low numbers rarely meets it, but below the soft RLIMIT_NOFILE
 * (F_DUPFD fails above it) and below FD_SETSIZE for programs that assume it. */
static int high_fd_base(void)
{
	struct rlimit rl;
	rlim_t lim = getrlimit(RLIMIT_NOFILE, &rl) ? 1024 : rl.rlim_cur;
	if (lim > 1024)
		lim = 1024;
	return (int)(lim - lim / 8); /* 896 under the usual 1024 */
}

/* Moves a fresh descriptor to a high number. Returns the fd to use (the
 * original if it cannot move). */
static int move_high(int f)
{
	int h = fcntl(f, F_DUPFD_CLOEXEC, high_fd_base());
	if (h < 0)
		return f;
	close(f);
	return h;
}

static int same_file(int f)
{
	struct stat st;
	return !fstat(f, &st) && st.st_dev == fd_dev && st.st_ino == fd_ino;
}

/* 1 if fd still refers to the file we opened. */
static int fd_is_ours(void) { return same_file(fd); }

/* Records the identity of the new trace file and its absolute path. */
static void remember_file(void)
{
	struct stat st;
	if (!fstat(fd, &st)) {
		fd_dev = st.st_dev;
		fd_ino = st.st_ino;
	}
	abs_path[0] = 0;
	if (path[0] != '/' && getcwd(abs_path, sizeof abs_path - 1)) {
		char *p = abs_path + strlen(abs_path);
		*p++ = '/';
		ms_rt_stpcpy(p, path, (size_t)(abs_path + sizeof abs_path - p));
	} else {
		ms_rt_stpcpy(abs_path, path, sizeof abs_path);
	}
}

/* The program closed our fd (or reused its number): reopen the file by its
 * absolute path, appending, never truncating, and only if it is still the
 * same file. Leaves the program's fd alone. Returns 0 or a negative errno. */
static int reopen_fd(void)
{
	int f = open(abs_path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (f < 0)
		return -errno;
	if (!same_file(f)) {
		close(f);
		return -ESTALE; /* replaced under the same name: not ours */
	}
	fd = move_high(f);
	return 0;
}

static void give_up(int err)
{
	ms_rt_say("cannot write trace '", path, "': ", strerrordesc_np(err), NULL);
	if (fd_is_ours())
		close(fd);
	fd = -1;
	atomic_store(&ms_rt_ended, 1);
}

/* Checks the fd before a frame (one fstat: cheap at one frame per round). */
static int ensure_fd(void)
{
	if (fd < 0)
		return -1;
	if (MS_LIKELY(fd_is_ours()))
		return 0;
	int err = reopen_fd();
	if (err) {
		fd = -1; /* the number is not ours any more: do not close it */
		give_up(-err);
		return -1;
	}
	return 0;
}

/* ---- frames (round_lock held) ---- */

static void write_all(const uint8_t *p, size_t n)
{
	int reopened = 0;
	while (n && fd >= 0) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EBADF && !reopened) {
			/* closed between the check and the write (another thread) */
			reopened = 1;
			int err = reopen_fd();
			if (!err)
				continue;
			fd = -1;
			give_up(-err);
			return;
		}
		if (r <= 0) {
			give_up(r < 0 ? errno : EIO);
			return;
		}
		p += r;
		n -= (size_t)r;
	}
}

/* MEMSCOPE_ZSTD_LEVEL, or by default, while one thread records, a level
 * by the rate the records come at, and 1 from the second thread on: with
 * one thread the writer has a core to itself on most machines, and with more
 * threads the cores are the program's (level 3 cost churn in 2 threads 19%
 * more CPU than level 1). Records that come slower than SLOW_RATE take
 * level 7 for a few percent of a core: python's trace (1.4 MB/s of records)
 * came out 4% smaller than at level 3, perl's (8 MB/s, its exit scan
 * faster) 13%, clang's 4%. churn's records, at 56 MB/s, keep level 3.
 * rate: bytes of records per second since the last frame. */
#define SLOW_RATE (32u << 20)
#define SLOW_LEVEL 7
static int frame_level(uint64_t rate)
{
	if (ms_rt_opt.zstd_level)
		return ms_rt_opt.zstd_level;
	if (__atomic_load_n(&ms_rt_clock_mask, __ATOMIC_RELAXED) == ~(uint64_t)0)
		return 1;
	return rate < SLOW_RATE ? SLOW_LEVEL : 3;
}

/* Sets the frame's level. Level 7 keeps level 3's tables (2^17 hashes and
 * 2^16 chain links): its own (2^19 and 2^18 for a 1 MiB frame) raised
 * perl's peak RSS by 6 MB, above the bound, for 1% smaller traces. */
static void set_level(int level)
{
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_hashLog, level == SLOW_LEVEL ? 17 : 0);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_chainLog, level == SLOW_LEVEL ? 16 : 0);
}

static uint64_t last_frame_ns; /* when the last frame was written */

/* Compresses the split records in b and writes the frame. */
static void frame(const struct ms_col_bufs *b)
{
	size_t len = ms_col_total(b);
	if (!len || ensure_fd())
		return;
	uint64_t now = ms_rt_clock_ns(CLOCK_MONOTONIC), dt = now - last_frame_ns;
	uint64_t rate = dt ? (uint64_t)((double)len * 1e9 / (double)dt) : UINT64_MAX;
	last_frame_ns = now;
	set_level(frame_level(rate)); /* a few stores, once a frame */
	size_t need = ms_trace_frame_bound(len);
	if (need > out_cap) {
		uint8_t *n = ms_rt_alloc(need);
		if (!n)
			return;
		ms_rt_free(out);
		out = n;
		out_cap = need;
	}
	long n = ms_trace_frame_encode_cols(cctx, b, out);
	if (n > 0)
		write_all(out, (size_t)n);
}

static void flush_raw(void)
{
	frame(&cols);
	ms_col_clear(&cols);
}

/* Splits len bytes of whole records into b, whose streams have room for
 * them. Records that do not split (never ours, but the file must stay
 * readable) are left out whole, and said once. */
static void split(struct ms_col_bufs *b, const uint8_t *src, size_t len)
{
	static int said;
	size_t before[MS_COL_STREAMS];
	memcpy(before, b->len, sizeof before);
	if (!ms_col_split(b, src, len))
		return;
	memcpy(b->len, before, sizeof before);
	if (!said++)
		ms_rt_say("internal error: records that do not decode were left out of trace '", path, "'", NULL);
}

/* More than a frame's staging holds (a snapshot's records): a frame of its
 * own, split into streams mapped for it. */
static void frame_large(const uint8_t *src, size_t len)
{
	struct ms_col_bufs b = {0};
	int k;
	for (k = 0; k < MS_COL_STREAMS && (b.s[k] = ms_rt_map(len)); k++)
		;
	if (k == MS_COL_STREAMS) {
		split(&b, src, len);
		frame(&b);
	}
	while (k-- > 0)
		ms_rt_unmap(b.s[k], len);
}

static void stage(const uint8_t *src, size_t len)
{
	if (ms_col_total(&cols) + len > RAW_CAP)
		flush_raw();
	if (len > RAW_CAP) {
		frame_large(src, len);
		return;
	}
	split(&cols, src, len);
}

static void stage_wrec(void)
{
	ms_spin_lock(&wrec_lock);
	stage(wrec, wrec_len);
	wrec_len = 0;
	ms_spin_unlock(&wrec_lock);
}

static void clock_sync(void)
{
	uint64_t ts, mono;
	ms_rt_clock_pair(&ts, &mono);
	uint64_t real = ms_rt_clock_ns(CLOCK_REALTIME);
	uint8_t *p = ms_rt_wrec_begin(1 + 3 * MS_VARINT_MAX);
	if (p)
		ms_rt_wrec_end(ms_enc_clock_sync(p, ts, mono, real));
}

static int thread_dead(uint32_t tid)
{
	return syscall(SYS_tgkill, (long)ms_rt_pid, (long)tid, 0) < 0 && errno == ESRCH;
}

/* A round ends with a frame only FRAME_MS after the last one (or at the
 * end): a busy program hands a full buffer over every millisecond or so, and
 * a frame per buffer (64 KiB) left zstd too little to learn the streams'
 * statistics from (churn: 1.44 instead of 1.30 B/event, 619 frames instead
 * of 42). A busy program's frames are then cut at RAW_CAP by stage(); a
 * quiet program's rounds, every ROUND_MS, each still end with a frame, so
 * the file is never more than ROUND_MS behind. */
#define FRAME_MS (ROUND_MS / 2)

static void flush_now_and_then(int final)
{
	if (final || ms_rt_clock_ns(CLOCK_MONOTONIC) - last_frame_ns >= FRAME_MS * 1000000ull)
		flush_raw();
}

static inline uint64_t earlier(uint64_t a, uint64_t b) { return a < b ? a : b; }

static void stage_round(uint64_t watermark)
{
	uint8_t rb[1 + MS_VARINT_MAX];
	stage(rb, (size_t)(ms_enc_round(rb, watermark) - rb));
}

/* A round's buffers, stably merge-sorted by their first stamp: a thread's
 * own buffers keep their order. Staged in that order, each buffer can be
 * followed by a ROUND up to the next one's first stamp, so a reader sorts
 * and holds a buffer's worth of events per thread instead of the whole
 * round's (churn-2t: rounds of up to 1.2 M events when the writer waits
 * for a core). */
static struct ms_buf *by_first_stamp(struct ms_buf *list)
{
	if (!list || !list->next)
		return list;
	struct ms_buf *slow = list, *fast = list->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	struct ms_buf *b = by_first_stamp(slow->next), *a;
	slow->next = NULL;
	a = by_first_stamp(list);
	struct ms_buf *head = NULL, **tail = &head;
	while (a && b) {
		struct ms_buf **take = b->first_ts < a->first_ts ? &b : &a;
		*tail = *take;
		tail = &(*take)->next;
		*take = (*take)->next;
	}
	*tail = a ? a : b;
	return head;
}

static void round_locked(int final)
{
	if (fd < 0)
		return;
	/* T, the round's watermark, is the earliest of the times each thread's
	 * buffers were taken, read under its lock: every stamp is taken under
	 * that lock, so the thread's later events are stamped after it. Read
	 * once before the walk, T fell behind the buffers by however long the
	 * writer waited for the locks (a yield, on 2 busy cores, is a time
	 * slice), and every event in between waited a round in the reader:
	 * up to 1.2 M of churn-2t's. */
	uint64_t T = UINT64_MAX;
	struct ms_buf *list = NULL, **tail = &list;
	struct ms_tstate *reap = NULL;
	ms_spin_lock(&ms_rt_threads_lock);
	for (struct ms_tstate *t = ms_rt_threads, *next; t; t = next) {
		next = t->next_thread;
		ms_spin_lock(&t->lock);
		T = earlier(T, ms_rt_now_fine());
		ms_rt_thread_take(t, &tail);
		ms_spin_unlock(&t->lock);
		if (atomic_load_explicit(&t->exited, memory_order_acquire) || (t->late && thread_dead(t->tid))) {
			ms_rt_counts_retire(t);
			if (t->prev_thread)
				t->prev_thread->next_thread = t->next_thread;
			else
				ms_rt_threads = t->next_thread;
			if (t->next_thread)
				t->next_thread->prev_thread = t->prev_thread;
			t->next_thread = reap;
			reap = t;
		}
	}
	/* a thread that registers after the walk stamps after this */
	T = earlier(T, ms_rt_now_fine());
	ms_spin_unlock(&ms_rt_threads_lock);
	/* rounded down even when the clock has just turned fine: an event
	 * stamped coarse after the buffers were taken is still >= T (clock.h) */
	T = final ? UINT64_MAX : T & ms_rt_clock_coarse;

	int e = errno;
	ms_rt_modules_sync(0);
	ms_rt_counters_record(ms_rt_now(), &peak_rss);
	clock_sync();
	errno = e;
	stage_wrec();
	list = by_first_stamp(list);
	uint64_t said = 0;
	for (struct ms_buf *b = list; b; b = b->next) {
		stage(b->data, b->len);
		/* the buffers left start no earlier than the next one */
		uint64_t w = b->next ? earlier(T, b->next->first_ts) : 0;
		if (w > said)
			stage_round(said = w);
	}
	ms_rt_buf_put_list(list);
	while (reap) {
		struct ms_tstate *next = reap->next_thread;
		ms_rt_thread_free(reap);
		reap = next;
	}
	stage_round(T);
	flush_now_and_then(final);
}

void ms_rt_round(int final)
{
	pthread_mutex_lock(&round_lock);
	round_locked(final);
	pthread_mutex_unlock(&round_lock);
}

/* Snapshots (snapshot.c, steps in snap.h): the round lock stays held from
 * begin to end, so nothing comes between the snapshot's records. */
int ms_rt_writer_snap_begin(void)
{
	pthread_mutex_lock(&round_lock);
	if (fd < 0) {
		pthread_mutex_unlock(&round_lock);
		return -1;
	}
	round_locked(0);
	return 0;
}

/* A scan's records come by the megabyte (perl's exit: 2.7 M edges), cut
 * into frames of RAW_CAP like any others. */
void ms_rt_writer_snap_put(const uint8_t *p, size_t n) { stage(p, n); }

void ms_rt_writer_snap_end(void)
{
	flush_raw();
	pthread_mutex_unlock(&round_lock);
}

/* ---- the file ---- */

static int setup_buffers(void)
{
	ZSTD_customMem mem = {zalloc, zfree, NULL};
	cctx = ZSTD_createCCtx_advanced(mem);
	if (!cctx || ms_trace_cctx_setup(cctx, 3))
		return -ENOMEM;
	for (int k = 0; k < MS_COL_STREAMS; k++)
		if (!cols.s[k] && !(cols.s[k] = ms_rt_map(RAW_CAP)))
			return -ENOMEM;
	if (!out) {
		out_cap = ms_trace_frame_bound(RAW_CAP);
		out = ms_rt_alloc(out_cap);
	}
	return out ? 0 : -ENOMEM;
}

int ms_rt_writer_open(uint32_t flags)
{
	int clock_kind = ms_rt_clock_tsc ? MS_CLOCK_TSC : MS_CLOCK_MONOTONIC_NS;
	ms_rt_trace_path(path, ms_rt_pid);
	int err = setup_buffers();
	if (err) {
		ms_rt_say("cannot write trace '", path, "': out of memory", NULL);
		return err;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = errno;
		ms_rt_say("cannot write trace '", path, "': ", strerrordesc_np(err), NULL);
		return -err;
	}
	fd = move_high(fd);
	remember_file();
	uint64_t start_ts, start_mono;
	ms_rt_clock_pair(&start_ts, &start_mono);
	struct ms_trace_header h = {
		.version = MS_TRACE_VERSION,
		.header_size = MS_TRACE_HEADER_SIZE,
		.e_machine = 62,
		.ptr_size = sizeof(void *),
		.clock_kind = (uint8_t)clock_kind,
		.pid = (uint32_t)ms_rt_pid,
		.ppid = (uint32_t)getppid(),
		.start_realtime_ns = ms_rt_clock_ns(CLOCK_REALTIME),
		.start_ts = start_ts, /* with start_mono_ns, a clock point */
		.start_mono_ns = start_mono,
		.flags = flags,
		.max_depth = ms_rt_opt.depth,
		.page_size = (uint32_t)sysconf(_SC_PAGESIZE),
		.sample_rate = (uint32_t)ms_rt_opt.sample_rate,
	};
	uint8_t hb[MS_TRACE_HEADER_SIZE];
	ms_trace_header_encode(&h, hb);
	write_all(hb, sizeof hb);
	atomic_store(&ms_rt_ended, 0);
	clock_sync();
	ms_rt_process_record();
	ms_rt_modules_sync(1);
	/* The first frame now, synchronously: a program killed before the
	 * writer's first round still leaves a readable trace. */
	last_frame_ns = 0;
	ms_rt_round(0);
	return fd >= 0 ? 0 : -EIO;
}

void ms_rt_writer_end(int reason, int status)
{
	pthread_mutex_lock(&round_lock);
	if (fd >= 0) {
		round_locked(1);
		uint8_t b[1 + 4 * MS_VARINT_MAX];
		uint8_t *e = ms_enc_end(b, ms_rt_now(), (uint64_t)reason, (uint64_t)(uint32_t)status, peak_rss);
		stage(b, (size_t)(e - b));
		flush_raw();
		if (fd >= 0 && fd_is_ours())
			close(fd);
		fd = -1;
	}
	atomic_store(&ms_rt_ended, 1);
	atomic_store(&ms_rt_state, MS_ST_DISABLED);
	pthread_mutex_unlock(&round_lock);
}

/* ---- exec ---- */

static void pre_exec_name(char *dst)
{
	char *p = ms_rt_stpcpy(dst, path, PATH_MAX - 10);
	ms_rt_stpcpy(p, ".pre-exec", 10);
}

void ms_rt_writer_exec_begin(const char *exe)
{
	pthread_mutex_lock(&round_lock);
	if (fd < 0)
		return;
	round_locked(0);
	size_t len = strnlen(exe, MS_MAX_STRING - 1);
	uint8_t *p = ms_rt_wrec_begin(1 + 2 * MS_VARINT_MAX + len);
	if (p)
		ms_rt_wrec_end(ms_enc_exec(p, ms_rt_now(), exe, len));
	stage_wrec();
	flush_raw();
	if (ms_rt_opt.follow) {
		char pre[PATH_MAX];
		pre_exec_name(pre);
		rename(path, pre);
	}
}

void ms_rt_writer_exec_failed(void)
{
	if (fd >= 0) {
		if (ms_rt_opt.follow) {
			char pre[PATH_MAX];
			pre_exec_name(pre);
			rename(pre, path);
		}
		uint8_t *p = ms_rt_wrec_begin(1 + MS_VARINT_MAX);
		if (p)
			ms_rt_wrec_end(ms_enc_exec_failed(p, ms_rt_now()));
	}
	pthread_mutex_unlock(&round_lock);
}

/* ---- the writer thread ---- */

void ms_rt_writer_wake(void)
{
	if (!atomic_exchange(&wake_word, 1) && atomic_load(&sleeping))
		syscall(SYS_futex, &wake_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Sleeps until woken (a full buffer) or the timeout; returns 1 if woken. */
static int writer_sleep(long ms)
{
	struct timespec to = {0, ms * 1000000L};
	atomic_store(&sleeping, 1);
	if (!atomic_load(&wake_word))
		syscall(SYS_futex, &wake_word, FUTEX_WAIT_PRIVATE, 0, &to, NULL, 0);
	atomic_store(&sleeping, 0);
	return atomic_exchange(&wake_word, 0);
}

/* A round every ROUND_MS or when woken; with a stats page, wakes every
 * PUBLISH_MS in between to publish the counters (a sum over the threads:
 * no round, no file write). */
static void *writer_main(void *arg)
{
	ms_rt_tls.guard = 1; /* never recorded: everything passes through */
	ms_rt_tls.foreign = 1;
	prctl(PR_SET_NAME, "memscope-writer", 0, 0, 0);
	atomic_store(&ms_rt_writer_named, 1);
	uint64_t last_round = ms_rt_clock_ns(CLOCK_MONOTONIC);
	while (!atomic_load(&stopping)) {
		int woken = writer_sleep(ms_rt_statspage_active() ? PUBLISH_MS : ROUND_MS);
		if (atomic_load(&stopping))
			break;
		uint64_t now = ms_rt_clock_ns(CLOCK_MONOTONIC);
		if (woken || now - last_round >= (ROUND_MS - PUBLISH_MS / 2) * 1000000ull) {
			ms_rt_round(0);
			last_round = now;
		}
		ms_rt_statspage_publish();
	}
	return NULL;
}

int ms_rt_writer_start(void)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* the thread inherits: no signal lands there */
	atomic_store(&stopping, 0);
	atomic_store(&ms_rt_writer_named, 0);
	int err = pthread_create(&writer_thread, NULL, writer_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	writer_running = !err;
	if (err)
		atomic_store(&ms_rt_writer_named, 1); /* no thread to wait for */
	return -err;
}

void ms_rt_writer_stop(void)
{
	if (!writer_running)
		return;
	atomic_store(&stopping, 1);
	atomic_store(&wake_word, 1);
	syscall(SYS_futex, &wake_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	pthread_join(writer_thread, NULL);
	writer_running = 0;
}

/* ---- fork ---- */

void ms_rt_writer_fork_prepare(void) { ms_spin_lock(&wrec_lock); }
void ms_rt_writer_fork_parent(void) { ms_spin_unlock(&wrec_lock); }

/* Child: the parent's writer thread, its file and its zstd context (maybe
 * mid-compression) are not ours. Start over with a new file. */
void ms_rt_writer_fork_child(void)
{
	pthread_mutex_t init = PTHREAD_MUTEX_INITIALIZER;
	round_lock = init;
	ms_spin_reset(&wrec_lock);
	wrec_len = 0;
	ms_col_clear(&cols);
	writer_running = 0;
	atomic_store(&wake_word, 0);
	atomic_store(&sleeping, 0);
	if (fd >= 0 && fd_is_ours())
		close(fd); /* the parent's file: the child gets its own */
	fd = -1;
	cctx = NULL; /* leaked on purpose: its state may be inconsistent */
}
