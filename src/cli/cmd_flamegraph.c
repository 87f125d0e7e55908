/* `memscope flamegraph TRACE --metric M -o FILE.svg`: a standalone
 * interactive SVG flame graph (src/report/flame_svg.c draws it). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/flame.h"
#include "report/html.h"

const char cmd_flamegraph_usage[] =
	"usage: memscope flamegraph [OPTIONS] TRACE [-o FILE.svg]\n"
	"\n"
	"Draws a trace recorded by 'memscope run' as a flame graph in one SVG file:\n"
	"the outermost callers at the bottom, the functions that called the\n"
	"allocator on top, each frame as wide as its share of the metric. Stacks\n"
	"are merged by function. Open it in a browser: hover a frame for its\n"
	"function, source location, module and value; click it to zoom; 'reset\n"
	"zoom' goes back. Frames below 0.1% of the total are left out (their share\n"
	"stays in their caller's width).\n"
	"\n"
	"options:\n"
	"  --metric METRIC   what the widths show: peak (bytes live at the heap peak,\n"
	"                    the default), leaked (live at exit), allocations\n"
	"                    (calls), temporary (blocks freed before their thread\n"
	"                    allocated again), bytes (bytes allocated)\n"
	"  -o, --output FILE write the SVG to FILE ('-' for stdout; default: the\n"
	"                    trace's name with .METRIC.svg instead of .mst)\n"
	"  -h, --help        show this help\n"
	"\n"
	"examples:\n"
	"  memscope flamegraph app.mst -o peak.svg\n"
	"  memscope flamegraph --metric leaked app.mst -o leaks.svg\n";

int cmd_flamegraph(int argc, char **argv)
{
	enum ms_metric k = MS_BY_PEAK;
	const char *path = NULL, *output = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cmd_flamegraph_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-o") || ms_cli_is_opt(a, "--output")) {
			output = ms_cli_opt_value(a[1] == 'o' ? "-o" : "--output", argc, argv, &i);
			if (!output || !*output) {
				ms_cli_error("option '%s' needs a file name", a);
				return 2;
			}
		} else if (ms_cli_is_opt(a, "--metric")) {
			const char *v = ms_cli_opt_value("--metric", argc, argv, &i);
			/* the flame tree carries the first MS_FLAME_METRICS metrics only */
			if (!v || ms_metric_parse(v, &k) || k >= MS_FLAME_METRICS) {
				ms_cli_error("invalid value '%s' for option '--metric' (peak, leaked, allocations, temporary or bytes)",
				             v ? v : "");
				return 2;
			}
		} else if (a[0] == '-' && a[1]) {
			ms_cli_error("unknown option '%s' for 'flamegraph' (see 'memscope flamegraph --help')", a);
			return 2;
		} else if (path) {
			ms_cli_error("more than one trace given ('%s' and '%s'); flamegraph reads one trace", path, a);
			return 2;
		} else {
			path = a;
		}
	}
	if (!path) {
		ms_cli_error("missing the trace file (usage: memscope flamegraph TRACE --metric METRIC -o FILE.svg)");
		return 2;
	}
	char ext[32];
	snprintf(ext, sizeof(ext), "%s.svg", ms_metric_name(k));
	char *def = output ? NULL : ms_cli_output_name(path, ext);
	if (!output && !(output = def)) {
		ms_cli_error("out of memory");
		return 1;
	}
	int status = 1;
	FILE *out = ms_cli_open_output(output);
	if (out) {
		struct ms_model m;
		char warning[4096 + 256];
		if (ms_cli_load_trace(&m, path, warning, sizeof(warning))) {
			ms_cli_close_output(out, output, -1);
		} else if (ms_metric_unknown(&m, k)) {
			ms_cli_error("cannot draw trace '%s' by %s: %s", path, ms_metric_name(k), ms_metric_unknown(&m, k));
			ms_model_release(&m);
			ms_cli_close_output(out, output, -1);
		} else {
			struct ms_symbolizer *sym = ms_symbolizer_new(&m);
			int rc = sym ? ms_report_flame_svg(out, &m, sym, k, path, warning[0] ? warning : NULL) : -1;
			ms_symbolizer_free(sym);
			ms_model_release(&m);
			if (ms_cli_close_output(out, output, rc))
				ms_cli_error("cannot write the flame graph of '%s' to '%s' (disk full or out of memory?)", path,
				             output);
			else
				status = 0;
		}
	}
	free(def);
	return status;
}
