/* The writer side of the stats page (src/trace/statspage.h): a shared-memory
 * object /memscope.<pid> that `memscope monitor` maps read-only. Only the
 * writer thread publishes (ms_rt_statspage_publish); the hooks never touch
 * it, they bump per-thread counters (recorder.c) that are summed here.
 * A page that cannot be created is silently absent: monitoring is optional,
 * the trace is not. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/clock.h"
#include "runtime/rt.h"
#include "runtime/sys.h"
#include "trace/statspage.h"

static struct ms_statspage *page; /* NULL: no page */
static char page_name[32];

/* Field 22 of /proc/self/stat (clock ticks after boot); 0 if unreadable. */
static uint64_t self_starttime(void)
{
	char buf[1024];
	if (ms_rt_read_file("/proc/self/stat", buf, sizeof buf) <= 0)
		return 0;
	char *p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p)
		return 0;
	for (int field = 2; field < 22 && *p; p++)
		if (*p == ' ')
			field++;
	uint64_t v = 0;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	return v;
}

static void make_name(pid_t pid)
{
	char *p = ms_rt_stpcpy(page_name, "/memscope.", sizeof page_name);
	*ms_rt_fmt_u64(p, (uint64_t)pid) = 0;
}

/* Creates the object, replacing a stale one: a page with our pid can only
 * be left by a dead process (or by our own image before an exec). */
static int create_fd(void)
{
	for (int tries = 0; tries < 2; tries++) {
		int fd = shm_open(page_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -1;
		shm_unlink(page_name);
	}
	return -1;
}

void ms_rt_statspage_open(void)
{
	make_name(ms_rt_pid);
	int fd = create_fd();
	if (fd < 0)
		return;
	void *p = MAP_FAILED;
	if (!fchmod(fd, 0600) && !ftruncate(fd, sizeof(struct ms_statspage)))
		p = mmap(NULL, sizeof(struct ms_statspage), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		shm_unlink(page_name);
		return;
	}
	struct ms_statspage *pg = p;
	pg->version = MS_STATSPAGE_VERSION;
	pg->size = sizeof *pg;
	pg->pid = (uint32_t)ms_rt_pid;
	pg->starttime = self_starttime();
	__atomic_store_n(&pg->magic, MS_STATSPAGE_MAGIC, __ATOMIC_RELEASE);
	page = pg;
}

int ms_rt_statspage_active(void) { return page != NULL; }

void ms_rt_statspage_publish(void)
{
	struct ms_statspage *pg = page;
	if (!pg)
		return;
	struct ms_rt_counts c;
	ms_rt_counts_sum(&c);
	uint64_t g = pg->generation;
	__atomic_store_n(&pg->generation, g + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&pg->live_bytes, c.live_bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&pg->live_blocks, c.live_blocks, __ATOMIC_RELAXED);
	__atomic_store_n(&pg->total_allocs, c.allocs, __ATOMIC_RELAXED);
	__atomic_store_n(&pg->total_frees, c.frees, __ATOMIC_RELAXED);
	__atomic_store_n(&pg->generation, g + 2, __ATOMIC_RELEASE);
	__atomic_store_n(&pg->update_mono_ns, ms_rt_clock_ns(CLOCK_MONOTONIC), __ATOMIC_RELAXED);
}

void ms_rt_statspage_remove(void)
{
	struct ms_statspage *pg = page;
	if (!pg)
		return;
	page = NULL;
	shm_unlink(page_name);
	/* not unmapped: the writer thread may still be publishing into it */
}

void ms_rt_statspage_fork_child(void)
{
	if (page) /* the parent's page: leave its name, drop our mapping */
		munmap(page, sizeof *page);
	page = NULL;
	ms_rt_statspage_open();
}
