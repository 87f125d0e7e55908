/* `memscope report [OPTIONS] TRACE`: parses options, replays the trace and
 * prints a report. All figures come from src/analysis, all output from
 * src/report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/heap.h"
#include "analysis/leakcheck.h"
#include "analysis/model.h"
#include "analysis/symbolize.h"
#include "cli/cli.h"
#include "report/report.h"
#include "trace/read.h"

const char cmd_report_usage[] =
	"usage: memscope report [OPTIONS] TRACE\n"
	"\n"
	"Explains a trace recorded by 'memscope run': totals (allocation calls,\n"
	"frees, bytes allocated, peak heap and when, peak RSS, leaked bytes and\n"
	"blocks, temporary allocations, threads, how the program ended), then the\n"
	"call stacks that matter most, symbolized (function, file:line, inlined\n"
	"frames, module). A sampled trace (run --sample-rate) shows its bytes as\n"
	"estimates +/- their 95% interval; it cannot know temporary allocations.\n"
	"\n"
	"options:\n"
	"  --by METRIC      order stacks by: peak (bytes live at the heap peak,\n"
	"                   the default), leaked (live at exit), allocations (calls),\n"
	"                   temporary (blocks freed before their thread allocated\n"
	"                   again), bytes (bytes allocated); at the exit scan:\n"
	"                   definite, indirect, possible, reachable (bytes of each\n"
	"                   leak class), retained (bytes kept alive only through\n"
	"                   the stack's blocks); events (memscope_event() calls);\n"
	"                   mapped (bytes mapped at exit, traces of run --mmap);\n"
	"                   type: instead of stacks, a table of the live blocks\n"
	"                   per C++ class (named from their vtable) at the scan\n"
	"  --at SNAPSHOT    leak classes, retained bytes and types of this scanned\n"
	"                   snapshot (id, label or exit; default exit)\n"
	"  --top N          show the first N stacks (default 10; with --json all\n"
	"                   stacks unless --top is given)\n"
	"  --tree           show a caller tree instead: stacks merged by function,\n"
	"                   the allocating function first, its callers indented\n"
	"                   below; nodes below the threshold are hidden\n"
	"  --threshold PCT  with --tree, hide nodes below PCT percent of the total\n"
	"                   of the --by metric (default 1)\n"
	"  --suppressions FILE\n"
	"                   leave out of the leak figures the lost blocks of\n"
	"                   stacks a 'leak:PATTERN' line matches (repeatable;\n"
	"                   docs/leaks.md); the summary says how much\n"
	"  --json           print JSON instead of text (schema: docs/report.md)\n"
	"  -h, --help       show this help\n"
	"\n"
	"A truncated trace (the program was killed) is reported up to its last\n"
	"complete frame, with a warning and \"truncated\": true.\n"
	"\n"
	"examples:\n"
	"  memscope report app.mst\n"
	"  memscope report --by leaked --top 5 app.mst\n"
	"  memscope report --tree --by allocations app.mst\n"
	"  memscope report --by type --at before app.mst\n"
	"  memscope report --json app.mst > app.json\n";

/* cmd_report's body; supp collects the --suppressions rules. */
static int report(int argc, char **argv, struct ms_supp *supp)
{
	struct ms_report_opts o = {.by = MS_BY_PEAK, .top = 10, .tree_min_pct = 1.0};
	bool json = false, tree = false, by_type = false;
	const char *path = NULL, *at = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cmd_report_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--tree")) {
			tree = true;
		} else if (ms_cli_is_opt(a, "--by")) {
			const char *v = ms_cli_opt_value("--by", argc, argv, &i);
			by_type = v && !strcmp(v, "type");
			if (!v || (!by_type && ms_metric_parse(v, &o.by))) {
				ms_cli_error("invalid value '%s' for option '--by' (peak, leaked, allocations, temporary, bytes, "
				             "definite, indirect, possible, reachable, retained, events, mapped or type)",
				             v ? v : "");
				return 2;
			}
		} else if (ms_cli_is_opt(a, "--suppressions")) {
			const char *v = ms_cli_opt_value("--suppressions", argc, argv, &i);
			char err[256];
			int rc = v && *v ? ms_supp_load(supp, v, err, sizeof(err)) : -ENOENT;
			if (rc == MS_SUPP_E_SYNTAX)
				ms_cli_error("bad suppressions file '%s': %s", v, err);
			else if (rc)
				ms_cli_error("cannot read suppressions file '%s': %s", v ? v : "", strerror(-rc));
			if (rc)
				return 2;
		} else if (ms_cli_is_opt(a, "--at")) {
			at = ms_cli_opt_value("--at", argc, argv, &i);
			if (!at || !*at) {
				ms_cli_error("option '--at' needs a snapshot (an id, a label or 'exit')");
				return 2;
			}
		} else if (ms_cli_is_opt(a, "--top")) {
			unsigned long long v;
			if (ms_cli_parse_uint("--top", ms_cli_opt_value("--top", argc, argv, &i), 1000000000ull, &v))
				return 2;
			o.top = (size_t)v;
			o.top_given = true;
		} else if (ms_cli_is_opt(a, "--threshold")) {
			const char *v = ms_cli_opt_value("--threshold", argc, argv, &i);
			char *end = NULL;
			double d = v ? strtod(v, &end) : -1;
			if (!v || !*v || *end || !(d >= 0 && d <= 100)) {
				ms_cli_error("invalid value '%s' for option '--threshold' (a percentage from 0 to 100)",
				             v ? v : "");
				return 2;
			}
			o.tree_min_pct = d;
		} else if (a[0] == '-' && a[1]) {
			ms_cli_error("unknown option '%s' for 'report' (see 'memscope report --help')", a);
			return 2;
		} else if (path) {
			ms_cli_error("more than one trace given ('%s' and '%s'); report reads one trace", path, a);
			return 2;
		} else {
			path = a;
		}
	}
	if (!path) {
		ms_cli_error("missing the trace file (usage: memscope report [OPTIONS] TRACE)");
		return 2;
	}

	if (tree && by_type) {
		ms_cli_error("options '--tree' and '--by type' cannot be combined");
		return 2;
	}

	struct ms_model m;
	ms_model_init(&m);
	m.warm = ms_symwarm_new();
	if (at)
		ms_heap_sel_parse(at, &m.want[0]);
	int rc = ms_replay_file_heaps(&m, path);
	char msg[4096 + 256];
	if (rc && !(rc == MS_TRACE_E_CORRUPT && m.frames > 0)) {
		ms_trace_error_message(msg, sizeof(msg), path, rc, &m.hdr, m.frames);
		ms_cli_error("%s", msg);
		ms_model_release(&m);
		return 1;
	}
	if (rc == MS_TRACE_E_CORRUPT)
		ms_cli_error("warning: trace '%s' is corrupt after %u complete frames; reporting what precedes it",
		             path, m.frames);
	else if (m.summary.end == MS_ENDK_TRUNCATED)
		ms_cli_error("warning: trace '%s' is truncated after %u complete frames (the program was killed?); "
		             "reporting what was written", path, m.frames);
	else if (m.summary.end == MS_ENDK_KILLED)
		ms_cli_error("warning: trace '%s' has no end record (the program was killed?); "
		             "reporting what was written", path);

	const char *unknown = ms_metric_unknown(&m, o.by);
	if (unknown) {
		ms_cli_error("cannot report trace '%s' by %s: %s", path, ms_metric_name(o.by), unknown);
		ms_model_release(&m);
		return 1;
	}
	if ((at || by_type) && !(m.heaps[0] && m.heaps[0]->scanned)) {
		if (!m.heaps[0] && at)
			ms_cli_error("no snapshot '%s' in trace '%s' (see 'memscope snapshots %s')", at, path, path);
		else
			ms_cli_error("trace '%s' has no heap scan at %s (the program was killed, or it is not a "
			             "snapshot): %s needs one", path, at ? at : "exit", by_type ? "--by type" : "--at");
		ms_model_release(&m);
		return 1;
	}

	struct ms_symbolizer *sym = ms_symbolizer_new(&m);
	if (!sym) {
		ms_cli_error("cannot report trace '%s': out of memory", path);
		ms_model_release(&m);
		return 1;
	}
	if (supp->n && ms_check_apply_suppressions(&m, sym, supp))
		rc = -ENOMEM;
	else if (by_type)
		rc = ms_report_types(stdout, &m, sym, &o, path, json);
	else if (tree)
		rc = json ? ms_report_tree_json(stdout, &m, sym, &o, path) : ms_report_tree_text(stdout, &m, sym, &o, path);
	else
		rc = json ? ms_report_json(stdout, &m, sym, &o, path) : ms_report_text(stdout, &m, sym, &o, path);
	ms_symbolizer_free(sym);
	ms_model_release(&m);
	if (fflush(stdout) || rc) {
		ms_cli_error("cannot write the report of '%s' (out of memory or output closed?)", path);
		return 1;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct ms_supp supp;
	ms_supp_init(&supp);
	int status = report(argc, argv, &supp);
	ms_supp_release(&supp);
	return status;
}
