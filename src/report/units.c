/* See units.h. */
#include "report/units.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

char *ms_fmt_count(char *buf, uint64_t v)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%" PRIu64, v);
	char *p = buf;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			*p++ = ',';
		*p++ = digits[i];
	}
	*p = 0;
	return buf;
}

char *ms_fmt_size(char *buf, uint64_t b)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	if (b < 1024) {
		snprintf(buf, MS_FMT_MAX, "%" PRIu64 " B", b);
		return buf;
	}
	double v = (double)b / 1024;
	int u = 0;
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, MS_FMT_MAX, "%.*f %s", v < 10 ? 2 : v < 100 ? 1 : 0, v, units[u]);
	return buf;
}

char *ms_fmt_bytes(char *buf, uint64_t b)
{
	if (b < 1024)
		return ms_fmt_size(buf, b);
	char h[MS_FMT_MAX], c[MS_FMT_MAX];
	snprintf(buf, MS_FMT_MAX, "%s (%s B)", ms_fmt_size(h, b), ms_fmt_count(c, b));
	return buf;
}

char *ms_fmt_estimate(char *buf, uint64_t bytes, uint64_t half)
{
	char v[MS_FMT_MAX], h[MS_FMT_MAX];
	snprintf(buf, MS_FMT_MAX, "%s +/- %s", ms_fmt_size(v, bytes), ms_fmt_size(h, half));
	return buf;
}

char *ms_fmt_duration(char *buf, uint64_t ns)
{
	if (ns >= 1000000000ull)
		snprintf(buf, MS_FMT_MAX, "%.3f s", (double)ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, MS_FMT_MAX, "%.1f ms", (double)ns / 1e6);
	else if (ns >= 1000)
		snprintf(buf, MS_FMT_MAX, "%.1f us", (double)ns / 1e3);
	else
		snprintf(buf, MS_FMT_MAX, "%" PRIu64 " ns", ns);
	return buf;
}
