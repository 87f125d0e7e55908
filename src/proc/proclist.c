/* Walks /proc for `memscope ps` and `monitor --name`. A process may exit at
 * any point of the walk: every per-process failure skips that process. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/proclist.h"

void ms_proc_user_name(uid_t uid, char *buf, size_t cap)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];
	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res && res->pw_name[0])
		snprintf(buf, cap, "%s", res->pw_name);
	else
		snprintf(buf, cap, "%u", (unsigned)uid);
}

int ms_proc_user_lookup(const char *name, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];
	if (getpwnam_r(name, &pw, tmp, sizeof(tmp), &res) == 0 && res) {
		*uid = res->pw_uid;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(name, &end, 10);
	if (*name && isdigit((unsigned char)*name) && !*end && !errno && v < (uid_t)-1) {
		*uid = (uid_t)v;
		return 0;
	}
	return -ENOENT;
}

bool ms_proc_name_matches(pid_t pid, const char *comm, const char *name)
{
	if (!strcmp(comm, name) || (strlen(name) > 15 && !strncmp(comm, name, 15)))
		return true;
	char buf[4096];
	ssize_t n = ms_proc_read_file(pid, "cmdline", buf, sizeof(buf));
	if (n <= 0)
		return false;
	/* buf holds argv[0] up to its NUL. */
	const char *slash = strrchr(buf, '/');
	return !strcmp(slash ? slash + 1 : buf, name);
}

static int push(struct ms_proc_list *l, const struct ms_proc_entry *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct ms_proc_entry *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *e;
	return 0;
}

int ms_proc_list_read(struct ms_proc_list *l)
{
	memset(l, 0, sizeof(*l));
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		struct ms_proc_entry e = {.pid = (pid_t)pid};
		if (ms_proc_counters_read(e.pid, &e.c) < 0 || !e.c.has_mm)
			continue;
		if (ms_proc_read_comm(e.pid, e.comm) < 0)
			continue;
		char cmd[4096];
		if (ms_proc_read_cmdline(e.pid, cmd, sizeof(cmd)) < 0)
			continue;
		e.cmdline = strdup(cmd);
		if (!e.cmdline) {
			rc = -ENOMEM;
			break;
		}
		ms_proc_user_name(e.c.uid, e.user, sizeof(e.user));
		if ((rc = push(l, &e)) < 0) {
			free(e.cmdline);
			break;
		}
	}
	closedir(d);
	if (rc < 0)
		ms_proc_list_release(l);
	return rc;
}

void ms_proc_list_release(struct ms_proc_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].cmdline);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
