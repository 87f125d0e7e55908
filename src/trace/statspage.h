/* The stats page: live counters that the recording runtime publishes in a
 * POSIX shared-memory object, so that `memscope monitor` can read them without
 * stopping the process. A contract between the runtime (writer) and the
 * monitor (src/proc/statspage.c, reader), like format.h for the trace.
 *
 * Object: shm_open name "/memscope.<pid>" (MS_STATSPAGE_NAME_FMT), created by
 * the runtime with O_CREAT|O_EXCL and mode 0600, sized with ftruncate to
 * sizeof(struct ms_statspage), unlinked by the runtime at exit. Native byte
 * order (reader and writer run on one machine).
 *
 * Writer's steps (one publisher, e.g. the runtime's writer thread, which sums
 * its sharded counters every few milliseconds):
 *   1. at start: fill version, size, pid, starttime; then store magic last
 *      with release order;
 *   2. to publish: generation += 1 (now odd, relaxed store), release fence,
 *      store the counters with relaxed atomics, generation += 1 (now even,
 *      release store), then update_mono_ns;
 *   3. at exit: shm_unlink the name.
 * Reader's steps: load generation (acquire); retry while odd; load the
 * counters (relaxed); acquire fence; reload generation; retry if it changed.
 * A writer that updates the counters directly from many threads (relaxed
 * fetch-add, generation never changed) is also read correctly, each counter
 * on its own.
 *
 * The reader refuses an object whose owner is not the process's user, that
 * group or others may write, that is smaller than size, or whose pid or
 * starttime differ from the process's (a page left behind by a dead process
 * whose pid was reused). */
#ifndef MS_TRACE_STATSPAGE_H
#define MS_TRACE_STATSPAGE_H

#include <stdint.h>

#define MS_STATSPAGE_NAME_FMT "/memscope.%d"
#define MS_STATSPAGE_MAGIC 0x3145474150534d4dull /* "MMSPAGE1" read as little-endian */
#define MS_STATSPAGE_VERSION 1u

struct ms_statspage {
	uint64_t magic;          /* MS_STATSPAGE_MAGIC, stored last at start */
	uint32_t version;        /* MS_STATSPAGE_VERSION */
	uint32_t size;           /* sizeof(struct ms_statspage) as the writer knows it */
	uint32_t pid;            /* getpid() of the publishing process */
	uint32_t reserved0;      /* 0 */
	uint64_t starttime;      /* field 22 of /proc/self/stat: clock ticks after boot */
	uint64_t generation;     /* seqlock: odd while a publish is in progress */
	uint64_t update_mono_ns; /* CLOCK_MONOTONIC of the last publish, 0 if none */
	uint64_t live_bytes;     /* bytes in blocks allocated and not yet freed */
	uint64_t live_blocks;    /* number of such blocks */
	uint64_t total_allocs;   /* allocations since start (realloc counts as one) */
	uint64_t total_frees;    /* frees of non-NULL blocks since start */
	uint64_t reserved[6];    /* 0; room for counters of later versions */
};
_Static_assert(sizeof(struct ms_statspage) == 128, "the stats page layout is fixed");

#endif
