/* Stats page reader. The page is written by another process, so it is read
 * only through atomic loads, and every header field is validated before use. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/statsread.h"

#define LOAD(p) __atomic_load_n(&(p), __ATOMIC_RELAXED)

int ms_statsread_open(struct ms_statsread *r, pid_t pid, uid_t uid, uint64_t starttime)
{
	r->page = NULL;
	r->pid = pid;
	char name[64];
	snprintf(name, sizeof(name), MS_STATSPAGE_NAME_FMT, (int)pid);
	int fd = shm_open(name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : errno == EACCES ? -EACCES : -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	/* Anyone can create a name in /dev/shm: only a page made by the
	 * process's own user, writable by nobody else, is believed. */
	if (st.st_uid != uid || (st.st_mode & 022) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EPERM;
	}
	if (st.st_size < (off_t)sizeof(struct ms_statspage)) {
		close(fd);
		return -EPROTO;
	}
	void *p = mmap(NULL, sizeof(struct ms_statspage), PROT_READ, MAP_SHARED, fd, 0);
	int err = errno;
	close(fd);
	if (p == MAP_FAILED)
		return -err;
	const struct ms_statspage *pg = p;
	uint64_t magic = __atomic_load_n(&pg->magic, __ATOMIC_ACQUIRE);
	int rc = 0;
	if (magic != MS_STATSPAGE_MAGIC || LOAD(pg->version) != MS_STATSPAGE_VERSION ||
	    LOAD(pg->size) < sizeof(struct ms_statspage))
		rc = -EPROTO;
	else if (LOAD(pg->pid) != (uint32_t)pid || (starttime && LOAD(pg->starttime) != starttime))
		rc = -ESTALE;
	if (rc < 0) {
		munmap(p, sizeof(struct ms_statspage));
		return rc;
	}
	r->page = pg;
	return 0;
}

int ms_statsread_get(const struct ms_statsread *r, struct ms_stats_snapshot *s)
{
	const struct ms_statspage *pg = r->page;
	if (!pg)
		return -EBADF;
	for (int tries = 0; tries < 1000; tries++) {
		uint64_t g1 = __atomic_load_n(&pg->generation, __ATOMIC_ACQUIRE);
		if (g1 & 1) {
			if (tries > 16)
				sched_yield();
			continue;
		}
		s->live_bytes = LOAD(pg->live_bytes);
		s->live_blocks = LOAD(pg->live_blocks);
		s->total_allocs = LOAD(pg->total_allocs);
		s->total_frees = LOAD(pg->total_frees);
		s->update_mono_ns = LOAD(pg->update_mono_ns);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (LOAD(pg->generation) == g1) {
			s->generation = g1;
			return 0;
		}
	}
	return -EAGAIN;
}

void ms_statsread_close(struct ms_statsread *r)
{
	if (r->page)
		munmap((void *)r->page, sizeof(struct ms_statspage));
	r->page = NULL;
}
