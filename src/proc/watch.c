/* Sampling of one process: /proc counters plus the runtime's stats page. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "proc/procfs.h"
#include "proc/watch.h"

int ms_watch_start(struct ms_watch *w, pid_t pid)
{
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	struct ms_proc_counters c;
	int rc = ms_proc_counters_read(pid, &c);
	if (rc < 0)
		return rc == -EACCES ? -EACCES : -ENOENT;
	if (c.state == 'Z')
		return -ENOENT;
	if (!c.has_mm)
		return -EINVAL;
	if (!c.smaps_ok && (c.smaps_err == -EACCES || c.smaps_err == -EPERM))
		return -EACCES;
	if (!c.smaps_ok && c.smaps_err == -ENOENT)
		return -ENOENT;
	if (ms_proc_read_comm(pid, w->comm) < 0)
		return -ENOENT;
	w->uid = c.uid;
	w->starttime = c.starttime;
	w->stats_err = ms_statsread_open(&w->stats, pid, c.uid, c.starttime);
	w->has_stats = w->stats_err == 0;
	return 0;
}

static double val(uint64_t v)
{
	return v == MS_PROC_NA ? NAN : (double)v;
}

static double rate(double now, double before, double dt)
{
	if (isnan(now) || isnan(before) || dt <= 0 || now < before)
		return NAN;
	return (now - before) / dt;
}

int ms_watch_sample(struct ms_watch *w, double t, double unix_ms, struct ms_sample *row)
{
	struct ms_proc_counters c;
	int rc = ms_proc_counters_read(w->pid, &c);
	/* Gone, a zombie, or the pid reused by a newer process. */
	if (rc < 0 || c.state == 'Z' || !c.has_mm || c.starttime != w->starttime)
		return -ESRCH;
	row->t = t;
	row->unix_ms = unix_ms;
	double *v = row->v;
	for (int i = 0; i < MS_COL__COUNT; i++)
		v[i] = NAN;
	v[MS_COL_RSS] = val(c.rss);
	v[MS_COL_RSS_ANON] = val(c.rss_anon);
	v[MS_COL_RSS_FILE] = val(c.rss_file);
	v[MS_COL_RSS_SHMEM] = val(c.rss_shmem);
	v[MS_COL_PSS] = val(c.pss);
	v[MS_COL_PRIVATE] = val(c.private_bytes);
	v[MS_COL_VIRTUAL] = val(c.vsize);
	v[MS_COL_SWAP] = val(c.swap);
	v[MS_COL_HEAP] = c.maps_ok ? val(c.heap) : NAN;
	v[MS_COL_MINFLT] = (double)c.minflt;
	v[MS_COL_MAJFLT] = (double)c.majflt;
	v[MS_COL_THREADS] = (double)c.threads;
	/* The runtime creates its page when it starts, which may be after our
	 * first look (a program we just started): look again while absent. */
	if (!w->has_stats && w->stats_err == -ENOENT) {
		w->stats_err = ms_statsread_open(&w->stats, w->pid, w->uid, w->starttime);
		w->has_stats = w->stats_err == 0;
	}
	if (w->has_stats) {
		struct ms_stats_snapshot s;
		if (ms_statsread_get(&w->stats, &s) == 0) {
			v[MS_COL_LIVE_BYTES] = (double)s.live_bytes;
			v[MS_COL_LIVE_BLOCKS] = (double)s.live_blocks;
			v[MS_COL_ALLOCS] = (double)s.total_allocs;
			v[MS_COL_FREES] = (double)s.total_frees;
		}
	}
	if (w->have_prev) {
		const double *p = w->prev.v;
		double dt = t - w->prev.t;
		v[MS_COL_FAULTS_PS] = rate(v[MS_COL_MINFLT] + v[MS_COL_MAJFLT], p[MS_COL_MINFLT] + p[MS_COL_MAJFLT], dt);
		v[MS_COL_ALLOCS_PS] = rate(v[MS_COL_ALLOCS], p[MS_COL_ALLOCS], dt);
		v[MS_COL_FREES_PS] = rate(v[MS_COL_FREES], p[MS_COL_FREES], dt);
	} else {
		w->first = *row;
	}
	w->prev = *row;
	w->have_prev = true;
	return 0;
}

void ms_watch_release(struct ms_watch *w)
{
	ms_statsread_close(&w->stats);
	w->has_stats = false;
}
