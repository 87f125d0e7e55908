/* Helpers shared by the target programs: a sink the compiler cannot see
 * through (so no allocation is deleted), and output without stdio (stdio
 * buffers are heap allocations of their own and would blur the counts). */
#ifndef MS_TARGET_SUPPORT_H
#define MS_TARGET_SUPPORT_H

#include <string.h>
#include <unistd.h>

#define NOIPA __attribute__((noipa, used))

/* Every pointer stored here escapes: gcc cannot delete the allocation, and a
 * malloc/free pair around a store is kept. */
static void *volatile ms_sink __attribute__((unused));
static volatile unsigned long ms_isink __attribute__((unused));

static inline void ms_keep(void *p) { ms_sink = p; }

static inline void ms_puts(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Writes an unsigned number and a newline, without allocating. */
static inline void ms_putu(int fd, unsigned long v)
{
	char buf[24];
	int i = (int)sizeof(buf);
	buf[--i] = '\n';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ssize_t r = write(fd, buf + i, sizeof(buf) - (size_t)i);
	(void)r;
}

#endif
