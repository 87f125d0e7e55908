/* `memscope html TRACE -o FILE.html`: the self-contained HTML report
 * (src/report/html*.c writes it, src/analysis/timeline.c samples the heap
 * over time). Also holds the trace loading shared with `flamegraph`. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/snapspan.h"
#include "analysis/timeline.h"
#include "cli/cli.h"
#include "report/html.h"
#include "trace/read.h"

const char cmd_html_usage[] =
	"usage: memscope html [OPTIONS] TRACE [-o FILE.html]\n"
	"\n"
	"Writes one self-contained HTML file explaining a trace recorded by\n"
	"'memscope run'. It opens in any browser, with no network access:\n"
	"  - summary cards: peak heap, leaked, allocation calls, temporary\n"
	"    allocations, run time, peak RSS;\n"
	"  - the heap over time (live bytes, and RSS when the trace has samples)\n"
	"    with the peak and every snapshot marked; click a point to list the\n"
	"    stacks live then;\n"
	"  - a flame graph (also as an icicle and bottom-up) of peak, leaked,\n"
	"    allocations, temporary or bytes allocated, with search and zoom;\n"
	"  - sortable, filterable tables of call stacks with source locations;\n"
	"  - the leaks: the stacks with blocks still live at exit; with the exit\n"
	"    scan, by class (definitely, indirectly, possibly lost, still\n"
	"    reachable) with the retention paths of the stacks that retain most;\n"
	"  - with two snapshots or more, a diff of any two of them per call stack.\n"
	"\n"
	"A trace with very many stacks gives a report of bounded size: flame graph\n"
	"frames below 0.1% of a metric's total are hidden, and the tables list\n"
	"the top stacks of each metric, the diff view offers at most 64 snapshots\n"
	"and lists the 200 stacks that change most (the rest summed); the page\n"
	"says what was left out.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE  write the page to FILE ('-' for stdout; default: the\n"
	"                     trace's name with .html instead of .mst)\n"
	"  --top N            table rows: the first N stacks by each metric, merged\n"
	"                     (default 500)\n"
	"  -h, --help         show this help\n"
	"\n"
	"A truncated trace (the program was killed) is reported up to its last\n"
	"complete frame, with a warning on stderr and a banner on the page.\n"
	"\n"
	"examples:\n"
	"  memscope run -o app.mst -- ./app\n"
	"  memscope html app.mst -o app.html\n"
	"  memscope html app.mst            # writes app.html\n";

int ms_cli_load_trace(struct ms_model *m, const char *path, char *warning, size_t n)
{
	char msg[4096 + 256];
	ms_model_init(m);
	m->warm = ms_symwarm_new(); /* html and flamegraph symbolize what they replay */
	warning[0] = 0;
	int rc = ms_replay_file(m, path);
	if (rc && !(rc == MS_TRACE_E_CORRUPT && m->frames > 0)) {
		ms_trace_error_message(msg, sizeof(msg), path, rc, &m->hdr, m->frames);
		ms_cli_error("%s", msg);
		ms_model_release(m);
		return -1;
	}
	if (rc == MS_TRACE_E_CORRUPT)
		snprintf(warning, n, "trace '%s' is corrupt after %u complete frames; reporting what precedes it", path,
		         m->frames);
	else if (m->summary.end == MS_ENDK_TRUNCATED)
		snprintf(warning, n,
		         "trace '%s' is truncated after %u complete frames (the program was killed?); "
		         "reporting what was written",
		         path, m->frames);
	else if (m->summary.end == MS_ENDK_KILLED)
		snprintf(warning, n, "trace '%s' has no end record (the program was killed?); reporting what was written",
		         path);
	if (warning[0])
		ms_cli_error("warning: %s", warning);
	return 0;
}

FILE *ms_cli_open_output(const char *path)
{
	if (!strcmp(path, "-"))
		return stdout;
	FILE *f = fopen(path, "we");
	if (!f)
		ms_cli_error("cannot write '%s': %s", path, strerror(errno));
	return f;
}

int ms_cli_close_output(FILE *f, const char *path, int rc)
{
	if (f == stdout)
		return fflush(f) || rc ? -1 : 0;
	if (fclose(f) || rc) {
		unlink(path); /* no half-written report */
		return -1;
	}
	return 0;
}

/* TRACE.mst -> TRACE.ext (the trace's name plus .ext when it does not end
 * in .mst), malloc'd. */
char *ms_cli_output_name(const char *trace, const char *ext)
{
	size_t n = strlen(trace);
	if (n > 4 && !strcmp(trace + n - 4, ".mst"))
		n -= 4;
	char *p = malloc(n + strlen(ext) + 2);
	if (p)
		sprintf(p, "%.*s.%s", (int)n, trace, ext);
	return p;
}

/* The page of the replayed trace m: the timeline and, with two snapshots
 * or more, the snapshot spans come from further replays of path. 0 or a
 * negative code (-ESTALE: the trace changed between the replays). */
static int render(FILE *out, const struct ms_model *m, struct ms_html_opts *o, const char *path,
                  const char *warning)
{
	struct ms_timeline tl;
	struct ms_snapspans ss = {0};
	struct ms_symbolizer *sym = ms_symbolizer_new(m);
	int rc = sym ? ms_timeline_build(&tl, m, path, 200, 50) : -ENOMEM;
	if (rc) {
		ms_symbolizer_free(sym);
		return rc;
	}
	if (m->n_snaps >= 2)
		rc = ms_snapspans_build(&ss, m, path, o->diff_snaps);
	o->generator = "memscope " MS_VERSION;
	o->warning = warning[0] ? warning : NULL;
	if (!rc) {
		struct ms_html_input in = {m, sym, &tl, m->n_snaps >= 2 ? &ss : NULL};
		rc = ms_report_html(out, &in, o, path);
	}
	ms_snapspans_release(&ss);
	ms_timeline_release(&tl);
	ms_symbolizer_free(sym);
	return rc;
}

int cmd_html(int argc, char **argv)
{
	struct ms_html_opts o = MS_HTML_DEFAULT_OPTS;
	const char *path = NULL, *output = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cmd_html_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-o") || ms_cli_is_opt(a, "--output")) {
			output = ms_cli_opt_value(a[1] == 'o' ? "-o" : "--output", argc, argv, &i);
			if (!output || !*output) {
				ms_cli_error("option '%s' needs a file name", a);
				return 2;
			}
		} else if (ms_cli_is_opt(a, "--top")) {
			unsigned long long v;
			if (ms_cli_parse_uint("--top", ms_cli_opt_value("--top", argc, argv, &i), 100000, &v))
				return 2;
			o.rows_per_metric = (size_t)v;
		} else if (a[0] == '-' && a[1]) {
			ms_cli_error("unknown option '%s' for 'html' (see 'memscope html --help')", a);
			return 2;
		} else if (path) {
			ms_cli_error("more than one trace given ('%s' and '%s'); html reads one trace", path, a);
			return 2;
		} else {
			path = a;
		}
	}
	if (!path) {
		ms_cli_error("missing the trace file (usage: memscope html TRACE -o FILE.html)");
		return 2;
	}
	char *def = output ? NULL : ms_cli_output_name(path, "html");
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
		} else {
			int rc = render(out, &m, &o, path, warning);
			ms_model_release(&m);
			if (ms_cli_close_output(out, output, rc))
				ms_cli_error(rc == -ESTALE ? "cannot report trace '%s': it changed while being read"
				                           : "cannot write the report of '%s' to '%s' (disk full or out of memory?)",
				             path, output);
			else
				status = 0;
		}
	}
	free(def);
	return status;
}
