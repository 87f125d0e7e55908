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
#include "analysis/u64map.h"
#include "trace/format.h"

enum ms_end_kind {
	MS_ENDK_EXIT,      /* exit() or return from main (END record) */
	MS_ENDK__EXIT,     /* _exit() (END record) */
	MS_ENDK_EXEC,      /* the image was replaced by exec */
	MS_ENDK_KILLED,    /* no END record: killed, or the writer never finished */
	MS_ENDK_TRUNCATED, /* the file ends inside a frame */
	MS_ENDK_CORRUPT,   /* reading stopped at a damaged frame */
};

/* "exit", "_exit", "exec", "killed", "truncated", "corrupt" */
const char *ms_end_kind_name(enum ms_end_kind k);

struct ms_stack {
	uint64_t id;          /* stack id in the trace */
	uint32_t ips_off;     /* into ms_model.ips */
	uint32_t n_ips;       /* 0 until the STACK record is seen */
	bool defined;
	bool used;
	uint64_t first_ts;    /* first event using it (module choice) */
	uint64_t allocations, frees, bytes_allocated, temporary_allocations;
	uint64_t live_bytes, live_blocks; /* now; at the end = leaked_bytes/blocks */
	uint64_t max_live_bytes;          /* this stack's own maximum */
	uint64_t peak_bytes;              /* live at the global heap peak */
	uint64_t peak_epoch;              /* see replay.c: lazy peak capture */
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
};

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

struct ms_model {
	struct ms_trace_header hdr;
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

	/* replay state */
	struct ms_live live;
	struct ms_event *pending, *scratch;
	size_t n_pending, cap_pending;
	uint64_t cur_bytes;
	uint64_t peak_epoch;
};

void ms_model_init(struct ms_model *m);
void ms_model_release(struct ms_model *m);

/* Replays the trace at path into m (initialized, empty). Returns 0, or a
 * negative code (read.h); see the steps above for partial results. */
int ms_replay_file(struct ms_model *m, const char *path);

/* Converts a trace timestamp to nanoseconds since the start of the trace. */
uint64_t ms_model_ts_to_ns(const struct ms_model *m, uint64_t ts);

enum ms_metric {
	MS_BY_PEAK,
	MS_BY_LEAKED,
	MS_BY_ALLOCATIONS,
	MS_BY_TEMPORARY,
	MS_BY_BYTES,
};

/* Parses "peak", "leaked", ... into *out; returns 0 or -1. */
int ms_metric_parse(const char *name, enum ms_metric *out);
const char *ms_metric_name(enum ms_metric k);
uint64_t ms_stack_metric(const struct ms_stack *s, enum ms_metric k);

/* Returns a malloc'd array of the indexes of the used stacks, sorted by k
 * (descending, ties by bytes allocated then stack id); *n gets its length.
 * NULL on allocation failure (or when there are no stacks, *n = 0). */
uint32_t *ms_model_sort_stacks(const struct ms_model *m, enum ms_metric k, size_t *n);

#endif
