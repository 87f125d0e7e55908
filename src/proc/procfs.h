/* Reading /proc: the only place that knows file names and formats under
 * /proc/PID. /proc is untrusted input: every read is bounded, every field
 * checked. Functions return 0 or a negative errno (-ENOENT: no such process,
 * -EACCES: no permission, -EPROTO: a file that does not parse). */
#ifndef MS_PROC_PROCFS_H
#define MS_PROC_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Counters of one process at one moment. Byte values; a field that could not
 * be read is left at UINT64_MAX (MS_PROC_NA) and its group's flag is false. */
#define MS_PROC_NA UINT64_MAX

struct ms_proc_counters {
	/* /proc/PID/status: readable for any process */
	uint64_t rss, rss_anon, rss_file, rss_shmem, vsize, swap;
	uint64_t threads;
	uid_t uid; /* effective uid */
	char state; /* 'R', 'S', 'Z'... */
	bool has_mm; /* false for kernel threads and zombies */
	/* /proc/PID/stat */
	uint64_t minflt, majflt, starttime;
	/* /proc/PID/smaps_rollup (or smaps): needs ptrace-read permission */
	bool smaps_ok;
	int smaps_err; /* negative errno when !smaps_ok */
	uint64_t pss, private_bytes;
	/* /proc/PID/maps: [heap] plus writable private anonymous mappings */
	bool maps_ok;
	uint64_t heap;
};

/* Reads /proc/PID/NAME into buf (at most cap-1 bytes, NUL-terminated).
 * Returns the length, or a negative errno. A file longer than cap is cut. */
ssize_t ms_proc_read_file(pid_t pid, const char *name, char *buf, size_t cap);

/* Reads every counter of pid. Returns 0 when at least status and stat were
 * read (smaps and maps may still have failed: see the flags), else a
 * negative errno. */
int ms_proc_counters_read(pid_t pid, struct ms_proc_counters *c);

/* Only /proc/PID/stat: state, faults, threads and start time (clock ticks
 * after boot), the cheapest way to tell a live process from a reused pid. */
int ms_proc_read_stat(pid_t pid, char *state, uint64_t *minflt, uint64_t *majflt, uint64_t *threads,
                      uint64_t *starttime);

/* The process's short name (comm, at most 15 bytes) into name[16]. */
int ms_proc_read_comm(pid_t pid, char name[16]);

/* The command line, arguments joined by spaces, into buf; "[comm]" when the
 * process has none (kernel threads, zombies). */
int ms_proc_read_cmdline(pid_t pid, char *buf, size_t cap);

/* Parses the "Key:   123 kB" line of a status or smaps file; stores bytes.
 * Returns 0, or -ENOENT when the key is absent, -EPROTO when malformed. */
int ms_proc_kv_kib(const char *text, const char *key, uint64_t *bytes);

#endif
