/* The monitor's side of the stats page (src/trace/statspage.h): maps a
 * process's page read-only and takes consistent snapshots of its counters
 * without stopping the process.
 *
 * Steps:
 *   1. ms_statsread_open(&r, pid, uid, starttime) when the process starts
 *      being watched (-ENOENT: not under memscope's runtime);
 *   2. ms_statsread_get(&r, &snap) at every sample;
 *   3. ms_statsread_close(&r). */
#ifndef MS_PROC_STATSREAD_H
#define MS_PROC_STATSREAD_H

#include <stdint.h>
#include <sys/types.h>

#include "trace/statspage.h"

struct ms_statsread {
	const struct ms_statspage *page; /* NULL when closed */
	pid_t pid;
};

struct ms_stats_snapshot {
	uint64_t live_bytes, live_blocks, total_allocs, total_frees;
	uint64_t generation, update_mono_ns;
};

/* Opens "/memscope.<pid>". Returns 0, or:
 *   -ENOENT  no page: the process is not under memscope's runtime;
 *   -EPERM   the page is not owned by uid (the process's user), or group or
 *            others may write it: it was not made by the runtime;
 *   -EACCES  the page cannot be opened (owned by another user, 0600);
 *   -ESTALE  the page belongs to an older process with the same pid;
 *   -EPROTO  wrong magic, version or size. */
int ms_statsread_open(struct ms_statsread *r, pid_t pid, uid_t uid, uint64_t starttime);

/* Copies a consistent snapshot. Returns 0, or -EAGAIN when the writer kept
 * publishing during every retry (try again at the next sample). */
int ms_statsread_get(const struct ms_statsread *r, struct ms_stats_snapshot *s);

/* Unmaps the page; does nothing when r is not open. */
void ms_statsread_close(struct ms_statsread *r);

#endif
