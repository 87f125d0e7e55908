/* The control socket of a traced process: where it is and what is said on
 * it. Shared by the runtime (src/runtime/ctlsock.c, the server) and the CLI
 * (src/cli/cmd_snapshot.c, the client). No allocation, no stdio: the runtime
 * includes it.
 *
 * Where: /tmp/memscope-UID/PID.sock, UID the effective uid of the traced
 * process. The directory is created mode 0700 and must be owned by UID (the
 * runtime refuses to serve from any other directory); the socket is mode
 * 0600. The server also checks each client's uid (SO_PEERCRED) and answers
 * only its own user.
 *
 * Protocol: one request line per connection, one answer line, then close.
 *   "snapshot LABEL\n"   -> "ok ID TRACE\n"   (after the scan is written)
 *                        -> "error MESSAGE\n"
 * LABEL is the rest of the line (may be empty, at most MS_CTL_LABEL_MAX
 * bytes); ID is the snapshot id in TRACE, the absolute trace path. */
#ifndef MS_TRACE_CTL_H
#define MS_TRACE_CTL_H

#include <stddef.h>
#include <stdint.h>

#define MS_CTL_DIR_PREFIX "/tmp/memscope-"
#define MS_CTL_LABEL_MAX 255
#define MS_CTL_LINE_MAX 4352 /* request or answer line, newline included */
#define MS_CTL_PATH_MAX 108  /* sizeof(sun_path) */

static inline char *ms_ctl_put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Writes the socket's directory (pid < 0) or path into buf
 * (MS_CTL_PATH_MAX bytes) and returns its length. */
static inline size_t ms_ctl_path(char *buf, uint64_t uid, int64_t pid)
{
	char *p = buf;
	for (const char *s = MS_CTL_DIR_PREFIX; *s; s++)
		*p++ = *s;
	p = ms_ctl_put_u64(p, uid);
	if (pid >= 0) {
		*p++ = '/';
		p = ms_ctl_put_u64(p, (uint64_t)pid);
		for (const char *s = ".sock"; *s; s++)
			*p++ = *s;
	}
	*p = 0;
	return (size_t)(p - buf);
}

#endif
