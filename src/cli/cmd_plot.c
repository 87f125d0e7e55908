/* `memscope plot FILE.csv -o FILE.svg`: a saved monitor log as an SVG line
 * chart (src/report/plot_svg.c draws it). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/mon_common.h"
#include "report/plot_svg.h"

const char cmd_plot_usage[] =
	"usage: memscope plot [OPTIONS] FILE.csv -o FILE.svg\n"
	"\n"
	"Draws a log written by 'memscope monitor --csv FILE' as a self-contained\n"
	"SVG line chart: the chosen counters over time, axes in KiB/MiB/GiB and\n"
	"s/min/h, a legend with each counter's verdict and slope, the fitted trend\n"
	"line (dashed), and markers where a counter's growth verdict changes. Open\n"
	"it in any browser.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE    write the SVG to FILE (required; '-' for stdout)\n"
	"  --counters LIST      counters to draw, comma-separated, all in bytes or all\n"
	"                       counts, at most 8 (default: rss,private,heap, plus\n"
	"                       live_bytes when the log has it)\n"
	"  --pid PID            the process to draw, when the log holds several\n"
	"  -h, --help           show this help\n"
	"\n"
	"example:\n"
	"  memscope plot app.csv -o app.svg\n"
	"  memscope plot app.csv --counters rss_anon,rss_file -o rss.svg\n";

int cmd_plot(int argc, char **argv)
{
	const char *path = NULL, *output = NULL;
	unsigned long long pid = 0;
	enum ms_col cols[8];
	int ncols = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cmd_plot_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			output = i + 1 < argc ? argv[++i] : NULL;
			if (!output || !*output) {
				ms_cli_error("option '%s' needs a file name", a);
				return 2;
			}
		} else if (!strcmp(a, "--pid")) {
			if (ms_cli_parse_uint("--pid", i + 1 < argc ? argv[++i] : NULL, 4194304, &pid) < 0)
				return 2;
		} else if (!strcmp(a, "--counters")) {
			if ((ncols = ms_mon_parse_counters("--counters", i + 1 < argc ? argv[++i] : NULL, cols, 8)) < 0)
				return 2;
		} else if (a[0] == '-' && a[1]) {
			ms_cli_error("unknown option '%s' for 'plot' (see 'memscope help plot')", a);
			return 2;
		} else if (path) {
			ms_cli_error("one log at a time: unexpected '%s' after '%s'", a, path);
			return 2;
		} else {
			path = a;
		}
	}
	if (!path || !output) {
		ms_cli_error("missing %s (usage: memscope plot [OPTIONS] FILE.csv -o FILE.svg)",
		             path ? "'-o FILE.svg'" : "the log to draw");
		return 2;
	}
	for (int k = 1; k < ncols; k++)
		if ((ms_cols[cols[k]].kind == MS_KIND_BYTES) != (ms_cols[cols[0]].kind == MS_KIND_BYTES)) {
			ms_cli_error("cannot draw '%s' and '%s' on one axis: one is in bytes, the other a count "
			             "(make two plots)", ms_cols[cols[0]].name, ms_cols[cols[k]].name);
			return 2;
		}
	struct ms_series *s;
	size_t n;
	if (ms_mon_load_csv(path, &s, &n) < 0)
		return 1;
	const struct ms_series *se = ms_mon_pick_series(path, s, n, (long)pid);
	int rc = 1;
	if (!se)
		goto out;
	if (ncols == 0) {
		cols[ncols++] = MS_COL_RSS;
		cols[ncols++] = MS_COL_PRIVATE;
		cols[ncols++] = MS_COL_HEAP;
		if (ms_series_has(se, MS_COL_LIVE_BYTES))
			cols[ncols++] = MS_COL_LIVE_BYTES;
	}
	FILE *f = strcmp(output, "-") ? fopen(output, "we") : stdout;
	if (!f) {
		ms_cli_error("cannot write '%s': %s", output, strerror(errno));
		goto out;
	}
	char sub[128];
	snprintf(sub, sizeof(sub), "%zu samples from %.80s", se->n, path);
	int prc = ms_plot_series(f, se, cols, (size_t)ncols, sub);
	int crc = f == stdout ? fflush(f) : fclose(f);
	if (prc == -EINVAL)
		ms_cli_error("nothing to draw: log '%s' has no values for the chosen counters", path);
	else if (prc < 0 || crc != 0)
		ms_cli_error("cannot write '%s': %s", output, strerror(prc < 0 ? -prc : errno));
	else
		rc = 0;
out:
	ms_mon_free_series(s, n);
	return rc;
}
