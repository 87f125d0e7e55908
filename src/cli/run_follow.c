/* See run_follow.h. */
#include "cli/run_follow.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report/summary.h"
#include "trace/read.h"

static int more_to_come(void *ctx)
{
	struct ms_run_follow *f = ctx;
	return !atomic_load(&f->done);
}

/* Whether path holds a trace header of process pid; fills dev and ino. A
 * file left at path by an earlier run has another pid until the runtime
 * truncates it. */
static bool header_ready(struct ms_run_follow *f)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	uint8_t b[MS_TRACE_HEADER_SIZE];
	struct ms_trace_header h;
	struct stat st;
	bool ok = pread(fd, b, sizeof(b), 0) == (ssize_t)sizeof(b) && !ms_trace_header_decode(b, sizeof(b), &h) &&
	          h.pid == (uint32_t)f->pid && !fstat(fd, &st);
	if (ok) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	close(fd);
	return ok;
}

static void *follow_main(void *arg)
{
	struct ms_run_follow *f = arg;
	for (;;) {
		bool ended = atomic_load(&f->done);
		if (header_ready(f))
			break;
		if (ended)
			return NULL; /* no trace: the summary says so after the end */
		nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
	f->m.follow = more_to_come;
	f->m.follow_ctx = f;
	f->rc = ms_replay_file(&f->m, f->path);
	f->ran = true;
	return NULL;
}

int ms_run_follow_start(struct ms_run_follow *f, const char *path, pid_t pid)
{
	memset(f, 0, sizeof(*f));
	if (snprintf(f->path, sizeof(f->path), "%s", path) >= (int)sizeof(f->path))
		return -1;
	f->pid = pid;
	ms_report_run_summary_init(&f->m);
	if (pthread_create(&f->thread, NULL, follow_main, f)) {
		ms_model_release(&f->m);
		return -1;
	}
	f->started = true;
	return 0;
}

const struct ms_model *ms_run_follow_finish(struct ms_run_follow *f)
{
	if (!f->started)
		return NULL;
	atomic_store(&f->done, 1);
	pthread_join(f->thread, NULL);
	f->started = false;
	struct stat st;
	if (!f->ran || (f->rc && !(f->rc == MS_TRACE_E_CORRUPT && f->m.frames > 0)) ||
	    f->m.summary.end == MS_ENDK_EXEC || stat(f->path, &st) || st.st_dev != f->dev || st.st_ino != f->ino)
		return NULL;
	return &f->m;
}

void ms_run_follow_release(struct ms_run_follow *f)
{
	if (f->started) {
		atomic_store(&f->done, 1);
		pthread_join(f->thread, NULL);
		f->started = false;
	}
	ms_model_release(&f->m);
}
