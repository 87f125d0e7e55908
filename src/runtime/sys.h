/* Small OS helpers for the runtime that never allocate: whole-file reads of
 * /proc files, decimal formatting and parsing, hexadecimal parsing, and the one way the runtime
 * prints (stderr, prefixed "memscope: "). Safe before initialization. */
#ifndef MS_RT_SYS_H
#define MS_RT_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads up to cap-1 bytes of path into buf and NUL-terminates. Returns the
 * length or a negative errno. */
ssize_t ms_rt_read_file(const char *path, char *buf, size_t cap);

/* Writes v in decimal at p (no terminator); returns the end. */
char *ms_rt_fmt_u64(char *p, uint64_t v);

/* Reads the hexadecimal digits at *p (either case) as a number, leaving *p
 * on the first other character: /proc's addresses and signal masks. */
uint64_t ms_rt_scan_hex(const char **p);

/* Parses a decimal (optional leading '-'); returns 0 and sets *out, or -1. */
int ms_rt_parse_i64(const char *s, int64_t *out);

/* Copies src into dst of cap bytes (always terminated); returns the end. */
char *ms_rt_stpcpy(char *dst, const char *src, size_t cap);

/* Prints "memscope: " + the NULL-terminated list of strings + "\n" on stderr
 * with one write. */
void ms_rt_say(const char *first, ...);

pid_t ms_rt_gettid(void);

/* Looks up "NAME=" in environ; returns the value or NULL (no allocation). */
const char *ms_rt_getenv(const char *name);

#endif
