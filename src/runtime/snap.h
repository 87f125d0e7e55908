/* Snapshots inside the runtime: stopping the world (stopworld.c), the heap
 * scan (scan.c), taking a snapshot and its triggers (snapshot.c), the
 * control socket (ctlsock.c) and the public API (api.c).
 *
 * Taking a snapshot (snapshot.c), in this order:
 *   1. the snapshot lock (one snapshot at a time; fork waits for it);
 *   2. with the world running: sync modules, collect module segments (this
 *      takes the loader's lock, which a stopped thread may hold);
 *   3. the writer's round lock (a round now; nothing else writes the file
 *      until step 7 ends);
 *   4. stop every other program thread (ms_sw_stop);
 *   5. take every thread's buffers and copy the live table;
 *   6. write the buffers, ROUND(ts) and SNAPSHOT;
 *   7. scan (ms_scan_run), its records going to the file as they come
 *      (the trace writer's frames, nothing held in memory), then resume the
 *      world; write SCAN_END; release the round lock, then the snapshot
 *      lock. */
#ifndef MS_RT_SNAP_H
#define MS_RT_SNAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace/format.h"

/* The signal reserved to stop threads: SIGRTMAX - 2 (62 on Linux/glibc,
 * whose own real-time signals are 32 and 33). */
#define MS_SW_SIGNAL_FROM_MAX 2

#define MS_SW_NREGS 16 /* ucontext gregs 0..15: R8..R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP */

enum ms_sw_state {
	MS_SW_SENT = 1,    /* signal on its way */
	MS_SW_BUSY = 2,    /* it arrived inside a memscope hook: parks at the hook's exit */
	MS_SW_STOPPED = 3, /* parked in the handler; regs and tp valid */
	MS_SW_GONE = 4,    /* exited (ESRCH, zombie) */
	MS_SW_MISSED = 5,  /* did not answer in time (or blocks the signal) */
	MS_SW_SKIP = 6,    /* one of memscope's own threads */
};

/* How a thread was asked to stop (ms_sw_thread.via), and the methods a
 * stop used (ms_sw.method, SCAN_END's stop_method: the same bits). */
enum ms_sw_via {
	MS_SW_VIA_PTRACE = MS_STOP_PTRACE, /* ptrace-stopped by the tracer process (ptrace_stop.c) */
	MS_SW_VIA_SIGNAL = MS_STOP_SIGNAL, /* the stop signal's handler */
};

/* The tracer's hold on a thread (ms_sw_thread.pt), written by the tracer only. */
enum ms_sw_pt {
	MS_SW_PT_NONE = 0,   /* not traced (never, or detached) */
	MS_SW_PT_SEIZED = 1, /* seized and interrupted, its stop not seen yet */
	MS_SW_PT_HELD = 2,   /* in a ptrace stop: detached when the stop ends */
	MS_SW_PT_FAILED = 3, /* cannot be traced (EPERM...): S signals it instead */
};

/* One thread of a stop. The handler (or the tracer) writes regs/tp then
 * state (release). */
struct ms_sw_thread {
	uint32_t tid;
	_Atomic int state;
	_Atomic uint32_t seen; /* handler arrivals (or tracer answers) */
	uint32_t sent;
	uint64_t busy_since;   /* S: when it was first seen BUSY */
	int blocked;           /* our signal is blocked and pending: undeliverable */
	int has_regs;          /* stopped by the handler (regs valid), or parked at a hook's exit */
	int via;               /* enum ms_sw_via: how it was last asked */
	int pt;                /* enum ms_sw_pt */
	int inject;            /* signal to deliver when detached (it stopped with one pending) */
	uint64_t sp;           /* stack pointer, or the parking frame */
	uint64_t tp;           /* thread pointer (fs base) */
	uint64_t regs[MS_SW_NREGS];
};

struct ms_pt;

struct ms_sw {
	struct ms_sw_thread *th; /* valid until the next stop */
	uint32_t n;
	uint32_t stopped, missed;
	uint32_t ctl_tid;        /* skip this one too (control thread) */
	uint32_t method;         /* enum ms_sw_via bits of the threads STOPPED or MISSED */
	struct ms_pt *pt;        /* the tracer process of this stop, or NULL */
	int no_pt;               /* it could not be started: signals only */
};

/* Where a thread stopped inside a hook parks (ms_sw_park): written by the
 * thread's own handler, or by the tracer into the stopped thread's TLS
 * (initial-exec: the same offset from every thread pointer). */
struct ms_sw_pend {
	uint32_t gen, idx;
};
extern __thread struct ms_sw_pend ms_sw_pend __attribute__((tls_model("initial-exec")));

/* Installs the stop signal's handler (keeping a program's handler to chain
 * to). Returns 0 or a negative errno. */
int ms_sw_init(void);
/* Stops every thread of the process but the caller, memscope's writer and
 * w->ctl_tid. Never blocks more than ~2 s on a thread that does not answer
 * (it is MISSED). Returns 0, or a negative errno if nothing was stopped. */
int ms_sw_stop(struct ms_sw *w);
void ms_sw_resume(struct ms_sw *w);

/* ---- the ptrace method (ptrace_stop.c) ----
 * A thread cannot ptrace its own thread group, so a tracer process shares
 * our address space (clone CLONE_VM without CLONE_THREAD, exit signal 0:
 * the program's wait() never sees it) for the length of one stop:
 *   1. ms_pt_start: clones the tracer (NULL if impossible: use signals);
 *   2. ms_pt_stop, once per batch of new threads or re-asked BUSY ones;
 *   3. ms_pt_finish: the tracer detaches every thread and exits; reaped.
 * A thread stopped inside a hook is told to park at the hook's exit (as
 * with the signal) and detached at once. A blocking call that the stop
 * made fail with EINTR is turned into a restart (-ERESTARTNOHAND): the
 * kernel re-runs it unless a signal handler runs first. */
struct ms_pt *ms_pt_start(void);
/* Stops th[from..to) (each SENT, pt NONE). Each ends STOPPED (regs, tp, sp
 * valid), BUSY (parks itself; sent and seen bumped), GONE, MISSED (no stop
 * within timeout_ns), or SENT with pt FAILED (cannot be traced: signal it).
 * gen: the stop generation a BUSY thread parks for. */
void ms_pt_stop(struct ms_pt *pt, struct ms_sw_thread *th, uint32_t from, uint32_t to, uint32_t gen,
                uint64_t timeout_ns);
/* Detaches th[0..n) and ends the tracer; pt is invalid afterwards. */
void ms_pt_finish(struct ms_pt *pt, struct ms_sw_thread *th, uint32_t n);

/* ---- scan (scan.c) ---- */
struct ms_scan_block {
	uint64_t addr, size;
};

/* A thread whose stack, registers and TLS are roots. */
struct ms_scan_thread {
	uint32_t tid;
	int has_regs;
	uint64_t sp, tp;
	const uint64_t *regs; /* MS_SW_NREGS */
};

struct ms_scan_module {
	uint32_t id;
	int excluded;         /* memscope's own module, libunwind, libzstd */
	int libc;             /* glibc's libc.so: chunk-header words are not roots */
	uint64_t bias;
	uint32_t nrw, nro;
	uint64_t rw[8][2];    /* writable PT_LOAD [lo, hi) */
	uint64_t ro[9][2];    /* read-only PT_LOAD and PT_GNU_RELRO [lo, hi) */
};

/* Where the scan's records go as they are made (the snapshot's: the trace
 * writer, so that no record waits in memory), and how many it made. */
struct ms_scan_out {
	void (*sink)(const uint8_t *rec, size_t len); /* one whole record, <= 64 KiB */
	uint64_t roots, edges, types;
};

struct ms_scan_in {
	uint64_t id;
	struct ms_scan_block *blocks; /* sorted by addr */
	uint64_t nblocks;
	const struct ms_scan_module *mods;
	uint32_t nmods;
	const struct ms_scan_thread *threads;
	uint32_t nthreads;
	int safe_reads;               /* a thread runs on: read through process_vm_readv */
};

/* Resolves what the scan needs from the loader (dlsym): call at init. */
void ms_scan_init(void);
/* Collects the loaded modules (world running: takes the loader's lock).
 * Returns an arena array (ms_rt_free) and its count in *n, or NULL. */
struct ms_scan_module *ms_scan_modules(uint32_t *n);
/* Scans with the world stopped; hands ROOTS, EDGES, TYPES and HEUR records
 * to out->sink. Returns 0, or -ENOMEM before it started. */
int ms_scan_run(const struct ms_scan_in *in, struct ms_scan_out *out);
/* Sorts blocks by address (radix, scratch from the arena). */
int ms_scan_sort(struct ms_scan_block *b, uint64_t n);

/* ---- snapshots (snapshot.c) ---- */
/* Takes a snapshot now. self_sp: the caller's stack position above memscope's
 * frames when the caller is a program thread (its stack is a root), or 0.
 * Returns the snapshot id (>= 1), 0 when not recording. */
uint64_t ms_rt_snapshot(int reason, const char *label, uintptr_t self_sp);
/* Called once when recording starts (and in a fork child): signal handler,
 * control socket thread, interval and peak triggers. */
void ms_rt_snap_start(void);
/* Exit: stops the control thread, removes the socket. */
void ms_rt_snap_stop(void);
/* _exit, abort: only removes the socket file (no join: we may be anywhere). */
void ms_rt_snap_unlink(void);
/* The trace path as the control socket reports it. */
const char *ms_rt_snap_trace_path(void);

/* ---- pieces of other runtime files used by snapshots ---- */
/* options.c: MEMSCOPE_SNAPSHOT_INTERVAL_MS (0: off), MEMSCOPE_SNAPSHOT_AT_PEAK */
extern int64_t ms_rt_snap_interval_ms;
extern int ms_rt_snap_at_peak;
/* options.c: MEMSCOPE_STOP_SIGNAL=1: stop threads with the signal, never ptrace */
extern int ms_rt_stop_signal;
/* options.c: 1 if this process runs under memscope (see the definition). */
int ms_rt_wanted(void);
/* modules.c: id of the module loaded at base with program headers phdr
 * (as in MODULE_LOAD), 0 if unknown. Takes the modules lock. */
uint32_t ms_rt_module_id(uint64_t base, const void *phdr);
/* livetab.c: live bytes (approximate: no lock); a copy of the live table
 * (mmapped: ms_rt_unmap(*out, *n * sizeof **out)). Returns 0 or -ENOMEM. */
uint64_t ms_livetab_bytes(void);
int ms_livetab_copy(struct ms_scan_block **out, uint64_t *n, uint64_t *bytes);
/* writer.c: a round now, then the round lock stays held so that the
 * snapshot's records follow with nothing in between. Returns 0, or -1 if
 * there is no trace (the lock is then not held). */
int ms_rt_writer_snap_begin(void);
void ms_rt_writer_snap_put(const uint8_t *p, size_t n);
void ms_rt_writer_snap_end(void);
/* recorder.c: EVENT record (memscope_event). */
struct ms_tstate;
struct ms_stackref;
void ms_rt_rec_event(struct ms_tstate *t, uint64_t weight, const struct ms_stackref *sr);

/* ---- control socket (ctlsock.c) ---- */
/* Creates the listening socket; returns its fd or a negative errno. */
int ms_ctl_open(void);
/* Serves one connection on listening fd lfd (if one is pending). Returns
 * 0, or -1 if lfd is not our socket any more (the program reused the fd
 * number): stop polling it. */
int ms_ctl_serve(int lfd);
/* Closes lfd (if >= 0) and removes the socket file (only ours). */
void ms_ctl_close(int lfd, int unlink_it);

#endif
