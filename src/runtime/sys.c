/* Allocation-free OS helpers (see sys.h). */
#include "runtime/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

ssize_t ms_rt_read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = 0;
	while (n + 1 < cap) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	return (ssize_t)n;
}

uint64_t ms_rt_scan_hex(const char **p)
{
	uint64_t v = 0;
	for (const char *s = *p;; s++) {
		char c = (char)(*s | 0x20);
		if (*s >= '0' && *s <= '9')
			v = v * 16 + (uint64_t)(*s - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else {
			*p = s;
			return v;
		}
	}
}

char *ms_rt_fmt_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

int ms_rt_parse_i64(const char *s, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (uint64_t)INT64_MAX / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

char *ms_rt_stpcpy(char *dst, const char *src, size_t cap)
{
	if (!cap)
		return dst;
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
	return dst + n;
}

void ms_rt_say(const char *first, ...)
{
	char buf[1024];
	char *p = ms_rt_stpcpy(buf, "memscope: ", sizeof buf);
	va_list ap;
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		p = ms_rt_stpcpy(p, s, (size_t)(buf + sizeof buf - 1 - p));
	va_end(ap);
	*p++ = '\n';
	ssize_t r = write(2, buf, (size_t)(p - buf));
	(void)r;
}

pid_t ms_rt_gettid(void) { return (pid_t)syscall(SYS_gettid); }

const char *ms_rt_getenv(const char *name)
{
	size_t n = strlen(name);
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}
