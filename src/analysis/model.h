/* The model a replay builds from a trace: global figures, per-stack figures,
 * threads, modules, process. Everything here is plain data owned by the
 * model; ms_model_release() frees it all.
 *
 * Steps:
 *  1. struct ms_model m; ms_model_init(&m);
 *  2. rc = ms_replay_file(&m, path): 0, or a negative code from read.h
 *     (m.frames/m.corrupt tell how far it got when rc == MS_TRACE_E_CORRUPT
 *     and m.summary.truncated when the file was cut: both are still a usable
 *     model when m.frames > 0);
 *  3. read m.summary, m.stacks (ms_model_sort_stacks for an order);
 *  4. ms_model_release(&m). */
#ifndef MS_ANALYSIS_MODEL_H
#define MS_ANALYSIS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/live.h"
#include "analysis/maps.h"
#include "analysis/sampling.h"
#include "analysis/u64map.h"
#include "trace/format.h"

enum ms_end_kind {
	MS_ENDK_EXIT,      /* exit() or return from main (END record) */
	MS_ENDK__EXIT,     /* _exit() (END record) */
	MS_ENDK_EXEC,      /* the image was replaced by exec */
	MS_ENDK_KILLED,    /* no END record: killed, or the writer never finished */
	MS_ENDK_TRUNCATED, /* the file ends inside a frame */
	MS_ENDK_CORRUPT,   /* reading stopped at a damaged frame */
	MS_ENDK_ABORT,     /* abort() (END record) */
};

/* "exit", "_exit", "exec", "killed", "truncated", "corrupt" */
const char *ms_end_kind_name(enum ms_end_kind k);

struct ms_stack {
	/* First, the fields every allocation and free of the replay touches
	 * (112 bytes: two cache lines, which replay.c prefetches). */
	uint64_t live_bytes, live_blocks; /* now; at the end = leaked_bytes/blocks */
	uint64_t peak_epoch;              /* see replay.c: lazy peak capture */
	uint64_t peak_bytes;              /* live at the global heap peak */
	uint64_t peak_blocks;             /* blocks live at the global heap peak */
	uint64_t allocations, frees, bytes_allocated, temporary_allocations;
	uint64_t max_live_bytes;          /* this stack's own maximum */
	uint64_t max_live_blocks;         /* live blocks when max_live_bytes was reached */
	uint64_t lifetime_acc;            /* sum of free ts - sum of alloc ts, modulo 2^64:
	                                   * see ms_stack_lifetime_ns (lifetime.h) */
	uint64_t first_ts;                /* first event using it (module choice) */
	bool used;
	bool defined;
	uint32_t n_ips;       /* 0 until the STACK record is seen */
	uint32_t ips_off;     /* into ms_model.ips */
	uint64_t id;          /* stack id in the trace */
	uint64_t events, event_weight;    /* MS_REC_EVENT: memscope_event() calls, summed weights */
	uint64_t mapped_bytes;            /* --mmap: mapped by this stack now; at the end: at exit */
	uint64_t mapped_total;            /* --mmap: mapped by this stack in total */
	/* At the scanned heap (ms_model.heaps[0], the exit snapshot by default;
	 * see heap.h): blocks and bytes by leak class (enum ms_leak_class), and
	 * the bytes that only this stack's blocks keep alive. */
	uint64_t class_bytes[4], class_blocks[4];
	uint64_t retained_bytes;
	/* A sampled trace's estimated variances (bytes squared, sampling.h)
	 * of bytes_allocated, live_bytes and peak_bytes; 0 in a full trace. */
	double var_allocated, var_live, var_peak;
};

struct ms_thread {
	uint64_t tid;
	char *name; /* NULL if never named */
	uint64_t start_ts, exit_ts;
	bool exited;
	uint64_t last_alloc; /* address of its latest allocation, 0 after its free */
	uint64_t allocations;
};

struct ms_module {
	uint64_t id;
	char *path;
	uint8_t *build_id;
	size_t build_id_len;
	uint64_t bias;
	uint64_t load_ts, unload_ts; /* unload_ts = UINT64_MAX while loaded */
	uint32_t nseg;
	uint64_t *seg;               /* nseg x (vaddr, memsz, p_flags) */
	uint64_t lo, hi;             /* runtime address range [lo, hi) */
	bool warmed;                 /* handed to the model's warm-up */
};

struct ms_summary {
	uint64_t allocations, frees, bytes_allocated;
	uint64_t peak_bytes, peak_ts;
	uint64_t leaked_bytes, leaked_blocks;
	uint64_t temporary_allocations;
	uint64_t peak_rss_bytes;
	uint64_t unknown_frees;  /* FREE/REALLOC of an address not live: not a free */
	uint64_t replaced_blocks; /* ALLOC of an address already live */
	uint64_t first_ts, last_ts;
	uint64_t wall_time_ns, peak_time_ns; /* peak time: since the start */
	enum ms_end_kind end;
	uint64_t exit_status;
	char *exec_path;         /* when end == MS_ENDK_EXEC */
	bool truncated;          /* no clean end: cut, killed or corrupt */
	bool forked;             /* header flag FORKED */
	uint64_t events, event_weight;
	/* leak classes of heaps[0] when it was scanned (leak_scan true) */
	bool leak_scan;
	uint64_t leak_snapshot;  /* its snapshot id */
	uint64_t class_bytes[4], class_blocks[4];
	/* report --suppressions (leakcheck.h): lost blocks (leaked ones without
	 * a scan) of matching stacks, taken out of the figures above */
	bool suppressions;
	uint64_t suppressed_bytes, suppressed_blocks;
	/* sampled traces: estimated variances of bytes_allocated, peak_bytes
	 * and leaked_bytes (sampling.h) */
	double var_allocated, var_peak, var_leaked;
};

/* One snapshot of the trace (MS_REC_SNAPSHOT), with the replay's own live
 * figures at that moment and what its scan held. */
struct ms_snapshot {
	uint64_t id, ts, reason; /* reason: enum ms_snapshot_reason */
	char *label;             /* never NULL ("" when none) */
	uint64_t live_blocks, live_bytes;       /* replayed */
	double live_var;                        /* sampled traces: live_bytes' variance (sampling.h) */
	uint64_t rt_live_blocks, rt_live_bytes; /* the runtime's count */
	bool scanned;                           /* SCAN_END seen */
	uint64_t roots, edges, scan_ns;
	uint64_t stop_method;                   /* SCAN_END: enum ms_stop_method bits, 0: no other thread */
	uint64_t threads_stopped, threads_missed;
};

/* Which heap a replay keeps (ms_model.want[i]): a snapshot's live set and,
 * if it was scanned, its pointer graph; or the live set at the start (empty),
 * at the heap peak, or at the end of the trace (no graph). */
enum ms_heap_at {
	MS_HEAP_NONE,
	MS_HEAP_EXIT,     /* the last snapshot taken at exit (the default of want[0]) */
	MS_HEAP_ID,       /* the snapshot whose id is .id */
	MS_HEAP_LABEL,    /* the first snapshot labelled .label */
	MS_HEAP_START,
	MS_HEAP_PEAK,     /* the first moment the heap holds .id bytes (the peak of a first replay) */
	MS_HEAP_END,
};

struct ms_heap_sel {
	enum ms_heap_at at;
	uint64_t id;
	const char *label; /* owned by the caller, outlives the replay */
};

struct ms_heap; /* heap.h */

struct ms_clock_point {
	uint64_t ts, ns;
};

/* One buffered memory event of a round (32 bytes). */
struct ms_event {
	uint64_t ts;
	uint64_t addr;
	uint64_t size;
	uint32_t stack;
	uint32_t thread_kind; /* thread index << 1 | (1 = alloc, 0 = free) */
};

/* An optional watcher of a replay (ms_model.observer, NULL by default): told
 * of every change of a stack's live bytes in replay (time) order, of every
 * counter sample in file order, and of every snapshot with the live set at
 * that moment (the same set a heap capture would copy). The timeline
 * (timeline.h) and the snapshot spans (snapspan.h) replay a trace a second
 * time with one. Any callback may be NULL. Callbacks must not touch the
 * model. */
struct ms_replay_observer {
	void *ctx;
	void (*live_change)(void *ctx, uint64_t ts, uint32_t stack, int64_t delta);
	void (*counters)(void *ctx, uint64_t ts, const uint64_t *v, uint32_t n);
	void (*snapshot)(void *ctx, const struct ms_snapshot *s, const struct ms_live *live);
};

struct ms_symwarm;

struct ms_model {
	struct ms_trace_header hdr;
	const struct ms_replay_observer *observer; /* set before ms_replay_file */
	/* set before ms_replay_file to open the modules' debug information
	 * while the trace replays (symbolize.h); freed by ms_model_release */
	struct ms_symwarm *warm;
	size_t warm_last; /* the module the last return address was in */
	/* set before ms_replay_file to replay a trace while it is written
	 * (ms_trace_reader_open_follow) */
	int (*follow)(void *ctx);
	void *follow_ctx;
	struct ms_summary summary;
	uint32_t frames;     /* complete frames read */
	int corrupt;         /* 0, or the error that stopped reading */

	struct ms_stack *stacks;
	size_t n_stacks, cap_stacks;
	uint64_t *ips;       /* frames of every defined stack */
	size_t n_ips, cap_ips;
	struct ms_u64map stack_index;
	uint32_t *dense;     /* stack id -> index for small ids (see replay.c) */
	size_t cap_dense;

	struct ms_thread *threads;
	size_t n_threads, cap_threads;
	struct ms_u64map thread_index;

	struct ms_module *modules;
	size_t n_modules, cap_modules;

	struct ms_clock_point *clock; /* CLOCK_SYNC points, for TSC traces */
	size_t n_clock, cap_clock;

	char *exe;
	char **argv;
	size_t argc;

	struct ms_snapshot *snaps; /* file order */
	size_t n_snaps, cap_snaps;
	/* set before ms_replay_file (ms_model_init sets want[0] to the exit
	 * snapshot); heaps[i] is NULL when want[i] never happened */
	struct ms_heap_sel want[2];
	struct ms_heap *heaps[2];

	struct ms_maps maps; /* --mmap records (maps.recorded) */

	/* replay state, released when ms_replay_file returns */
	struct ms_live live;
	struct ms_event *pending, *scratch;
	size_t n_pending, cap_pending;
	uint64_t cur_bytes;
	double cur_var;      /* sampled traces: variance of cur_bytes */
	struct ms_sample_memo var_memo; /* sampled traces: ms_sample_var by weight */
	uint64_t peak_epoch;
	uint64_t peak_watch; /* MS_HEAP_PEAK: capture when cur_bytes reaches it, 0 = off */
};

void ms_model_init(struct ms_model *m);
void ms_model_release(struct ms_model *m);
/* The file of a module: its path, or the program's (m->exe) for a main
 * program recorded without a name; "" when neither is known. */
const char *ms_module_file(const struct ms_model *m, const struct ms_module *mod);
/* Frees the replay state (live table, pending events); ms_replay_file does
 * once it has read the whole trace. */
void ms_model_release_replay(struct ms_model *m);

/* Replays the trace at path into m (initialized, empty). Returns 0, or a
 * negative code (read.h); see the steps above for partial results. */
int ms_replay_file(struct ms_model *m, const char *path);

/* Parses a heap name: "start", "end", "peak", "exit", a snapshot id
 * (digits) or else a snapshot label. Returns 0 (never fails; a label that is
 * not in the trace is found missing by the replay: heaps[i] stays NULL).
 * sel->label points into text. */
void ms_heap_sel_parse(const char *text, struct ms_heap_sel *sel);
/* ms_replay_file with want[] as set, plus a first replay when a want is
 * MS_HEAP_PEAK without its byte count (id 0), to learn the peak. */
int ms_replay_file_heaps(struct ms_model *m, const char *path);

/* Converts a trace timestamp to nanoseconds since the start of the trace. */
uint64_t ms_model_ts_to_ns(const struct ms_model *m, uint64_t ts);

enum ms_metric {
	MS_BY_PEAK,
	MS_BY_LEAKED,
	MS_BY_ALLOCATIONS,
	MS_BY_TEMPORARY,
	MS_BY_BYTES,
	MS_BY_DEFINITE,  /* bytes definitely lost at the scanned snapshot */
	MS_BY_INDIRECT,
	MS_BY_POSSIBLE,
	MS_BY_REACHABLE,
	MS_BY_RETAINED,  /* bytes kept alive only through the stack's blocks */
	MS_BY_EVENTS,    /* memscope_event() calls */
	MS_BY_MAPPED,    /* --mmap: bytes mapped at exit (mmap, brk) */
};

/* Parses "peak", "leaked", ... into *out; returns 0 or -1. */
int ms_metric_parse(const char *name, enum ms_metric *out);
const char *ms_metric_name(enum ms_metric k);
uint64_t ms_stack_metric(const struct ms_stack *s, enum ms_metric k);
/* The whole trace's figure of k (the sum over stacks; retained: the bytes of
 * the scanned heap). */
uint64_t ms_summary_metric(const struct ms_model *m, enum ms_metric k);
/* true when k counts calls or events rather than bytes */
bool ms_metric_is_count(enum ms_metric k);
/* NULL when the trace knows k, else why not (one clause, for an error
 * line): a sampled trace does not know which blocks were temporary. */
const char *ms_metric_unknown(const struct ms_model *m, enum ms_metric k);

/* Returns a malloc'd array of the indexes of the used stacks, sorted by k
 * (descending, ties by bytes allocated then stack id); *n gets its length.
 * NULL on allocation failure (or when there are no stacks, *n = 0). */
uint32_t *ms_model_sort_stacks(const struct ms_model *m, enum ms_metric k, size_t *n);

#endif
