/* /proc/PID readers for one process's memory counters. Formats are those of
 * Linux 4.14 and later (smaps_rollup); older kernels fall back to smaps. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/procfs.h"

ssize_t ms_proc_read_file(pid_t pid, const char *name, char *buf, size_t cap)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = 0;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			close(fd);
			/* A process that exits while we read gives ESRCH on some files. */
			return err == ESRCH ? -ENOENT : -err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	return (ssize_t)len;
}

int ms_proc_kv_kib(const char *text, const char *key, uint64_t *bytes)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen))
			continue;
		p += klen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			return -EPROTO;
		char *end;
		errno = 0;
		unsigned long long v = strtoull(p, &end, 10);
		if (errno || v > UINT64_MAX / 1024)
			return -EPROTO;
		/* Every memory figure in these files is in kB (KiB). */
		if (strncmp(end, " kB", 3))
			return -EPROTO;
		*bytes = (uint64_t)v * 1024;
		return 0;
	}
	return -ENOENT;
}

int ms_proc_read_stat(pid_t pid, char *state, uint64_t *minflt, uint64_t *majflt, uint64_t *threads,
                      uint64_t *starttime)
{
	char buf[1024];
	ssize_t n = ms_proc_read_file(pid, "stat", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	/* comm may hold spaces and parentheses: the fields start after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -EPROTO;
	p += 2;
	/* Fields from 3 (state) on; we want 3, 10, 12, 20, 22. */
	unsigned long long f[23] = {0};
	char st = *p;
	if (!st)
		return -EPROTO;
	p++;
	for (int i = 4; i <= 22; i++) {
		char *end;
		errno = 0;
		long long v = strtoll(p, &end, 10);
		if (errno || end == p)
			return -EPROTO;
		f[i] = (unsigned long long)v;
		p = end;
	}
	if (state)
		*state = st;
	if (minflt)
		*minflt = f[10];
	if (majflt)
		*majflt = f[12];
	if (threads)
		*threads = f[20];
	if (starttime)
		*starttime = f[22];
	return 0;
}

int ms_proc_read_comm(pid_t pid, char name[16])
{
	char buf[64];
	ssize_t n = ms_proc_read_file(pid, "comm", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	size_t len = strcspn(buf, "\n");
	if (len > 15)
		len = 15;
	memcpy(name, buf, len);
	name[len] = 0;
	return 0;
}

int ms_proc_read_cmdline(pid_t pid, char *buf, size_t cap)
{
	if (cap < 20)
		return -EINVAL;
	ssize_t n = ms_proc_read_file(pid, "cmdline", buf, cap);
	if (n < 0)
		return (int)n;
	while (n > 0 && buf[n - 1] == 0)
		n--;
	if (n == 0) {
		char comm[16];
		int rc = ms_proc_read_comm(pid, comm);
		if (rc < 0)
			return rc;
		snprintf(buf, cap, "[%s]", comm);
		return 0;
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == 0 || buf[i] == '\n' || buf[i] == '\t')
			buf[i] = ' ';
	buf[n] = 0;
	return 0;
}

static int read_status(pid_t pid, struct ms_proc_counters *c)
{
	char buf[8192];
	ssize_t n = ms_proc_read_file(pid, "status", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	const char *uid = strstr(buf, "\nUid:");
	unsigned long ruid, euid;
	if (!uid || sscanf(uid + 5, "%lu %lu", &ruid, &euid) != 2)
		return -EPROTO;
	c->uid = (uid_t)euid;
	/* Kernel threads and zombies have no VmRSS line: no memory to watch. */
	c->has_mm = ms_proc_kv_kib(buf, "VmRSS:", &c->rss) == 0;
	if (c->has_mm) {
		if (ms_proc_kv_kib(buf, "VmSize:", &c->vsize) < 0)
			return -EPROTO;
		if (ms_proc_kv_kib(buf, "RssAnon:", &c->rss_anon) < 0 ||
		    ms_proc_kv_kib(buf, "RssFile:", &c->rss_file) < 0 ||
		    ms_proc_kv_kib(buf, "RssShmem:", &c->rss_shmem) < 0)
			c->rss_anon = c->rss_file = c->rss_shmem = MS_PROC_NA;
		if (ms_proc_kv_kib(buf, "VmSwap:", &c->swap) < 0)
			c->swap = MS_PROC_NA;
	}
	return 0;
}

/* Sums Pss and Private_* over smaps or smaps_rollup, streaming: smaps of a
 * large process is megabytes. */
static int read_smaps(pid_t pid, const char *name, struct ms_proc_counters *c)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ESRCH ? -ENOENT : -errno;
	char line[512];
	uint64_t pss = 0, priv = 0, v;
	int keys = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n')) {
			/* A mapping line with a long path: skip its tail. */
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
		}
		if (line[0] == 'P') {
			if (ms_proc_kv_kib(line, "Pss:", &v) == 0) {
				pss += v;
				keys++;
			} else if (ms_proc_kv_kib(line, "Private_Clean:", &v) == 0 ||
			           ms_proc_kv_kib(line, "Private_Dirty:", &v) == 0) {
				priv += v;
				keys++;
			}
		}
	}
	int err = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (err)
		return err == ESRCH ? -ENOENT : -err;
	/* An empty file (zombie, kernel thread) or one without the keys. */
	if (keys == 0)
		return -ENODATA;
	c->pss = pss;
	c->private_bytes = priv;
	return 0;
}

/* One maps line: "start-end perms offset dev inode   path". Returns the
 * mapping's size when it counts as heap, else 0. */
static uint64_t heap_bytes_of(const char *line)
{
	unsigned long long start, end;
	char perms[8];
	int off = 0;
	if (sscanf(line, "%llx-%llx %7s %*s %*s %*s%n", &start, &end, perms, &off) != 3 || end < start)
		return 0;
	const char *path = line + off;
	while (*path == ' ')
		path++;
	size_t plen = strcspn(path, "\n");
	if (!strncmp(path, "[heap]", 6))
		return end - start;
	/* Private writable anonymous mappings: malloc's mmap'd blocks and arenas
	 * (glibc names them "[anon:...]" on kernels with anon naming). Guard
	 * regions (---p) and shared memory are not heap. */
	if (perms[1] != 'w' || perms[3] != 'p')
		return 0;
	if (plen == 0 || !strncmp(path, "[anon:", 6))
		return end - start;
	return 0;
}

static int read_maps(pid_t pid, struct ms_proc_counters *c)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ESRCH ? -ENOENT : -errno;
	char line[512];
	uint64_t heap = 0;
	bool any = false;
	while (fgets(line, sizeof(line), f)) {
		bool whole = strchr(line, '\n') != NULL;
		heap += heap_bytes_of(line);
		any = true;
		if (!whole) {
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
		}
	}
	int err = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (err)
		return -err;
	/* A process always has mappings: none means its address space is
	 * being torn down (it is exiting), and its heap is unknown, not 0. A
	 * last sample of 0 made a growing heap's trend look broken. */
	if (!any)
		return -ENODATA;
	c->heap = heap;
	return 0;
}

int ms_proc_counters_read(pid_t pid, struct ms_proc_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->rss = c->rss_anon = c->rss_file = c->rss_shmem = c->vsize = c->swap = MS_PROC_NA;
	c->pss = c->private_bytes = c->heap = MS_PROC_NA;
	int rc = read_status(pid, c);
	if (rc < 0)
		return rc;
	rc = ms_proc_read_stat(pid, &c->state, &c->minflt, &c->majflt, &c->threads, &c->starttime);
	if (rc < 0)
		return rc;
	if (!c->has_mm || c->state == 'Z') {
		c->has_mm = false;
		c->smaps_err = -ENODATA;
		return 0;
	}
	rc = read_smaps(pid, "smaps_rollup", c);
	if (rc == -ENOENT && access("/proc/self/smaps_rollup", F_OK) < 0)
		rc = read_smaps(pid, "smaps", c);
	c->smaps_ok = rc == 0;
	c->smaps_err = rc;
	if (!c->smaps_ok)
		c->pss = c->private_bytes = MS_PROC_NA;
	c->maps_ok = read_maps(pid, c) == 0;
	return 0;
}
