/* `memscope run`'s exit summary, replayed while the program runs: the
 * trace is read as the runtime writes it (ms_trace_reader_open_follow), on
 * a thread of memscope's own, so that the summary is ready when the
 * program ends instead of costing a whole replay after it (as heaptrack
 * interprets its trace alongside the program). */
#ifndef MS_CLI_RUN_FOLLOW_H
#define MS_CLI_RUN_FOLLOW_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "analysis/model.h"

struct ms_run_follow {
	char path[PATH_MAX];
	pid_t pid;            /* the program: its trace's header names it */
	pthread_t thread;
	bool started, ran;
	_Atomic int done;     /* the program ended: read what is there, then stop */
	int rc;               /* ms_replay_file's */
	dev_t dev;            /* the file followed */
	ino_t ino;
	struct ms_model m;
};

/* Starts following path, the trace of process pid. Returns 0, or -1 when
 * no thread could be started (then the summary replays after the end). */
int ms_run_follow_start(struct ms_run_follow *f, const char *path, pid_t pid);
/* The program has ended: finishes the replay. Returns its model when it
 * stands for the trace at path (not an image that exec'd away, not another
 * file put there since), else NULL. */
const struct ms_model *ms_run_follow_finish(struct ms_run_follow *f);
void ms_run_follow_release(struct ms_run_follow *f);

#endif
