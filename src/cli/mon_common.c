/* Option parsing and log loading shared by monitor, trend and plot. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/mon_common.h"
#include "proc/samplelog.h"

int ms_mon_parse_duration(const char *opt, const char *val, double min_s, double max_s, double *out)
{
	char *end;
	if (!val || !*val) {
		ms_cli_error("option '%s' needs a duration, e.g. '1s' or '100ms'", opt);
		return -1;
	}
	errno = 0;
	double v = strtod(val, &end);
	double mult = !strcmp(end, "ms") ? 0.001 : !strcmp(end, "s") || !*end ? 1 : !strcmp(end, "m") ? 60
	            : !strcmp(end, "h") ? 3600 : -1;
	if (end == val || errno || mult < 0 || !isfinite(v) || v * mult < min_s - 1e-12 || v * mult > max_s) {
		ms_cli_error("invalid duration '%s' for option '%s' (from %g ms to %g s, e.g. '1s', '100ms')", val,
		             opt, min_s * 1000, max_s);
		return -1;
	}
	*out = v * mult;
	return 0;
}

int ms_mon_parse_counters(const char *opt, const char *val, enum ms_col *cols, int max)
{
	int n = 0;
	const char *p = val;
	while (p && *p) {
		size_t len = strcspn(p, ",");
		char name[32];
		if (len == 0 || len >= sizeof(name)) {
			ms_cli_error("invalid counter list '%s' for option '%s'", val, opt);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = 0;
		int c = ms_col_lookup(name);
		if (c < 0) {
			ms_cli_error("unknown counter '%s' for option '%s' (one of: rss, rss_anon, rss_file, rss_shmem, "
			             "pss, private, virtual, swap, heap, threads, faults_per_s, live_bytes, "
			             "live_blocks, allocs_per_s, frees_per_s)", name, opt);
			return -1;
		}
		if (n == max) {
			ms_cli_error("too many counters for option '%s' (at most %d)", opt, max);
			return -1;
		}
		cols[n++] = (enum ms_col)c;
		p += len;
		if (*p == ',')
			p++;
	}
	if (n == 0)
		ms_cli_error("option '%s' needs counter names, e.g. 'rss,private'", opt);
	return n ? n : -1;
}

int ms_mon_load_csv(const char *path, struct ms_series **out, size_t *n)
{
	struct ms_csv_error err;
	bool truncated;
	int rc = ms_csv_read(path, out, n, &truncated, &err);
	if (rc == -EINVAL) {
		if (err.line)
			ms_cli_error("cannot read log '%s': line %zu: %s", path, err.line, err.msg);
		else
			ms_cli_error("cannot read log '%s': %s", path, err.msg);
		return -1;
	}
	if (rc < 0) {
		ms_cli_error("cannot read log '%s': %s", path, strerror(-rc));
		return -1;
	}
	if (truncated)
		fprintf(stderr, "memscope: log '%s' ends with a cut line (the writer was killed?); it is ignored\n", path);
	return 0;
}

void ms_mon_free_series(struct ms_series *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ms_series_release(&s[i]);
	free(s);
}

const struct ms_series *ms_mon_pick_series(const char *path, const struct ms_series *s, size_t n, long pid)
{
	if (pid == 0 && n == 1)
		return &s[0];
	for (size_t i = 0; pid && i < n; i++)
		if (s[i].pid == pid)
			return &s[i];
	if (pid)
		ms_cli_error("log '%s' has no samples of pid %ld", path, pid);
	else
		ms_cli_error("log '%s' holds %zu processes (pids %d, %d...): choose one with --pid", path, n,
		             (int)s[0].pid, (int)s[1].pid);
	return NULL;
}
