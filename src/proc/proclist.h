/* The list of processes in /proc, with what `memscope ps` shows and what
 * `--name`/`--user` filters need. The list owns its strings. */
#ifndef MS_PROC_PROCLIST_H
#define MS_PROC_PROCLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proc/procfs.h"

struct ms_proc_entry {
	pid_t pid;
	char comm[16];
	char *cmdline; /* arguments joined by spaces, or "[comm]" */
	char user[33]; /* user name, or the uid in decimal when it has none */
	struct ms_proc_counters c;
};

struct ms_proc_list {
	struct ms_proc_entry *v;
	size_t n, cap;
};

/* Reads every user-space process (kernel threads and zombies have no memory
 * and are left out). Processes that exit while being read are skipped.
 * Returns 0 or a negative errno (-ENOMEM, or the error opening /proc). The
 * caller releases the list with ms_proc_list_release. */
int ms_proc_list_read(struct ms_proc_list *l);
void ms_proc_list_release(struct ms_proc_list *l);

/* True if NAME names the process: its comm (exactly, or its first 15 bytes
 * for a longer NAME, as the kernel cuts comm), or the last path component
 * of its first argument. */
bool ms_proc_name_matches(pid_t pid, const char *comm, const char *name);

/* The user name of uid into buf (the uid in decimal when unknown). */
void ms_proc_user_name(uid_t uid, char *buf, size_t cap);

/* Resolves a user name or a decimal uid. Returns 0, or -ENOENT. */
int ms_proc_user_lookup(const char *name, uid_t *uid);

#endif
