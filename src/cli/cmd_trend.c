/* `memscope trend FILE.csv`: the growth verdicts of a saved monitor log,
 * exactly as `monitor` prints them at its end. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/mon_common.h"
#include "report/json.h"
#include "report/trend_text.h"

const char cmd_trend_usage[] =
	"usage: memscope trend [OPTIONS] FILE.csv\n"
	"\n"
	"Reads a log written by 'memscope monitor --csv FILE' and prints, for each\n"
	"process and counter, the growth slope (Theil-Sen, per minute), its 95%\n"
	"confidence interval, R2, and a verdict: growing (likely leak), shrinking,\n"
	"stable, noisy, or too short to tell. See docs/monitor.md for the method\n"
	"and the thresholds.\n"
	"\n"
	"options:\n"
	"  --pid PID            only this process of the log\n"
	"  --counters LIST      only these counters, comma-separated (default: every\n"
	"                       counter with a verdict: rss, rss_anon, rss_file,\n"
	"                       rss_shmem, pss, private, virtual, swap, heap, threads,\n"
	"                       live_bytes, live_blocks)\n"
	"  --json               print a JSON array, one object per process\n"
	"  --fail-if-growing    exit with status 3 when a counter shown is growing\n"
	"                       (for scripts and CI)\n"
	"  -h, --help           show this help\n"
	"\n"
	"example:\n"
	"  memscope monitor --csv app.csv --duration 10m -p 1234\n"
	"  memscope trend app.csv\n";

int cmd_trend(int argc, char **argv)
{
	const char *path = NULL;
	bool json = false, fail_growing = false;
	unsigned long long pid = 0;
	enum ms_col cols[MS_COL__COUNT];
	int ncols = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cmd_trend_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--fail-if-growing")) {
			fail_growing = true;
		} else if (!strcmp(a, "--pid")) {
			if (ms_cli_parse_uint("--pid", i + 1 < argc ? argv[++i] : NULL, 4194304, &pid) < 0)
				return 2;
		} else if (!strcmp(a, "--counters")) {
			if ((ncols = ms_mon_parse_counters("--counters", i + 1 < argc ? argv[++i] : NULL, cols,
			                                   MS_COL__COUNT)) < 0)
				return 2;
		} else if (a[0] == '-' && a[1]) {
			ms_cli_error("unknown option '%s' for 'trend' (see 'memscope help trend')", a);
			return 2;
		} else if (path) {
			ms_cli_error("one log at a time: unexpected '%s' after '%s'", a, path);
			return 2;
		} else {
			path = a;
		}
	}
	if (!path) {
		ms_cli_error("missing the log to read (usage: memscope trend [OPTIONS] FILE.csv)");
		return 2;
	}
	struct ms_series *s;
	size_t n;
	if (ms_mon_load_csv(path, &s, &n) < 0)
		return 1;
	const struct ms_series *only = pid ? ms_mon_pick_series(path, s, n, (long)pid) : NULL;
	if (pid && !only) {
		ms_mon_free_series(s, n);
		return 1;
	}
	struct ms_json j;
	if (json) {
		ms_json_init(&j, stdout);
		ms_json_array_begin(&j);
	}
	int rc = 0;
	bool growing = false;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (only && &s[i] != only)
			continue;
		struct ms_trend fits[MS_COL__COUNT];
		bool has[MS_COL__COUNT];
		if (ms_trend_fit_series(&s[i], fits, has) < 0) {
			ms_cli_error("out of memory fitting '%s'", path);
			rc = 1;
			break;
		}
		if (ncols) {
			bool want[MS_COL__COUNT] = {false};
			for (int k = 0; k < ncols; k++)
				want[cols[k]] = true;
			for (int c = 0; c < MS_COL__COUNT; c++)
				has[c] = has[c] && want[c];
		}
		for (int c = 0; c < MS_COL__COUNT; c++)
			growing |= has[c] && fits[c].verdict == MS_VERDICT_GROWING;
		if (json)
			ms_trend_print_json(&j, &s[i], fits, has, NULL);
		else {
			if (i && !only)
				putchar('\n');
			ms_trend_print_text(stdout, &s[i], fits, has, NULL);
		}
	}
	if (json)
		ms_json_array_end(&j);
	ms_mon_free_series(s, n);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc ? rc : fail_growing && growing ? 3 : 0;
}
