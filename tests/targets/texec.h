/* Finds a sibling program of this target (same directory as
 * /proc/self/exe), without allocating. */
#ifndef MS_TARGET_EXEC_H
#define MS_TARGET_EXEC_H

#include <string.h>
#include <unistd.h>

static char ms_path_buf[4096];

/* Returns a static buffer holding DIR/name, where DIR is this program's
 * directory, or NULL if the path does not fit. */
static inline const char *ms_sibling(const char *name)
{
	ssize_t n = readlink("/proc/self/exe", ms_path_buf, sizeof(ms_path_buf) - 1);
	if (n <= 0)
		return NULL;
	ms_path_buf[n] = 0;
	char *slash = strrchr(ms_path_buf, '/');
	if (!slash || (size_t)(slash + 1 - ms_path_buf) + strlen(name) + 1 > sizeof(ms_path_buf))
		return NULL;
	strcpy(slash + 1, name);
	return ms_path_buf;
}

#endif
