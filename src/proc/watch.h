/* One watched process: reads its counters into samples, computes the rates,
 * and follows the runtime's stats page when there is one. Works on any
 * process the caller may ptrace-read (same user, or root).
 *
 * Steps:
 *   1. ms_watch_start(&w, pid): checks the process and the permission;
 *   2. ms_watch_sample(&w, t, unix_ms, &row) at every tick, until it returns
 *      -ESRCH (the process is gone, or its pid now names another process);
 *   3. ms_watch_release(&w). */
#ifndef MS_PROC_WATCH_H
#define MS_PROC_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc/series.h"
#include "proc/statsread.h"

struct ms_watch {
	pid_t pid;
	char comm[16];
	uid_t uid;
	uint64_t starttime;
	struct ms_statsread stats;
	bool has_stats; /* the process runs under memscope's runtime */
	int stats_err;  /* why not, when !has_stats (negative errno) */
	bool have_prev;
	struct ms_sample first, prev;
};

/* Returns 0, or -ENOENT (no such process, or a zombie), -EACCES (its memory
 * map may not be read: another user's process), -EINVAL (a kernel thread:
 * no user memory). */
int ms_watch_start(struct ms_watch *w, pid_t pid);

/* Samples the process. Returns 0 with row filled (NAN where a value is not
 * available), or -ESRCH when the process has exited. */
int ms_watch_sample(struct ms_watch *w, double t, double unix_ms, struct ms_sample *row);

void ms_watch_release(struct ms_watch *w);

#endif
