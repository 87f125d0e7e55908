/* `memscope diff`: two heaps of one trace, or of two traces, compared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/diff.h"
#include "cli/cli.h"
#include "report/diff_report.h"

const char cmd_diff_usage[] =
	"usage: memscope diff [OPTIONS] TRACE A B\n"
	"       memscope diff [OPTIONS] TRACE1@A TRACE2@B\n"
	"\n"
	"Shows what changed between two heaps: per call stack (or function, file,\n"
	"module, C++ type), the blocks and bytes added, freed, and the net growth,\n"
	"largest growth first. A and B name a snapshot by id or label (see\n"
	"'memscope snapshots'), or 'start' (empty), 'peak' (the heap at its peak),\n"
	"'end' (at the end of the trace), 'exit' (the exit snapshot).\n"
	"\n"
	"In one trace, a block live at both moments is the same allocation; across\n"
	"two runs blocks are matched by call stack (module+offset frames), and the\n"
	"bytes of a group follow its net change.\n"
	"\n"
	"options:\n"
	"  --group-by K  stack (default), function, file, module or type (the C++\n"
	"                class of objects with a vtable, from the scan at A and B)\n"
	"  --top N       show the first N groups (default 10; with --json all)\n"
	"  --json        print JSON: {\"before\", \"after\", \"same_run\", \"group_by\",\n"
	"                \"total\", \"groups\": [{\"key\", \"added_blocks\", \"added_bytes\",\n"
	"                \"freed_blocks\", \"freed_bytes\", \"net_bytes\", ...}]}\n"
	"  -h, --help    show this help\n"
	"\n"
	"examples:\n"
	"  memscope diff app.mst before after\n"
	"  memscope diff --group-by function app.mst 1 end\n"
	"  memscope diff old.mst@exit new.mst@exit\n";

/* Splits "TRACE@SEL" at its last '@'; returns the selector or NULL. */
static char *split_at(char *arg)
{
	char *at = strrchr(arg, '@');
	if (!at || at == arg || !at[1])
		return NULL;
	*at = 0;
	return at + 1;
}

/* warm: open the debug information while replaying (symbolize.h); one
 * model only, as libdw is not known to be safe in two threads at once */
static int load(struct ms_model *m, const char *path, const char *sel_a, const char *sel_b, bool warm)
{
	ms_model_init(m);
	if (warm)
		m->warm = ms_symwarm_new();
	ms_heap_sel_parse(sel_a, &m->want[0]);
	if (sel_b)
		ms_heap_sel_parse(sel_b, &m->want[1]);
	return ms_cli_load_heaps(m, path);
}

static int missing(const char *path, const char *sel)
{
	ms_cli_error("no snapshot '%s' in trace '%s' (see 'memscope snapshots %s'; or use start, peak, end)", sel,
	             path, path);
	return 1;
}

int cmd_diff(int argc, char **argv)
{
	enum ms_diff_group g = MS_GROUP_STACK;
	bool json = false, top_given = false;
	size_t top = 10;
	char *pos[3];
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cmd_diff_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--group-by") || !strncmp(a, "--group-by=", 11)) {
			const char *v = a[10] == '=' ? a + 11 : i + 1 < argc ? argv[++i] : NULL;
			if (!v || ms_diff_group_parse(v, &g)) {
				ms_cli_error("invalid value '%s' for option '--group-by' (stack, function, file, module or type)",
				             v ? v : "");
				return 2;
			}
		} else if (!strcmp(a, "--top") || !strncmp(a, "--top=", 6)) {
			unsigned long long v;
			if (ms_cli_parse_uint("--top", a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : NULL, 1000000000ull,
			                      &v))
				return 2;
			top = (size_t)v;
			top_given = true;
		} else if (a[0] == '-' && a[1]) {
			ms_cli_error("unknown option '%s' for 'diff' (see 'memscope diff --help')", a);
			return 2;
		} else if (npos == 3) {
			ms_cli_error("too many arguments (usage: memscope diff TRACE A B, or TRACE1@A TRACE2@B)");
			return 2;
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (json && !top_given)
		top = SIZE_MAX;
	struct ms_model ma, mb;
	const char *path_a, *path_b, *sel_a, *sel_b;
	bool two = npos == 2;
	if (npos == 3) {
		path_a = path_b = pos[0];
		sel_a = pos[1];
		sel_b = pos[2];
	} else if (two && (sel_a = split_at(pos[0])) && (sel_b = split_at(pos[1]))) {
		path_a = pos[0];
		path_b = pos[1];
	} else {
		ms_cli_error("missing arguments (usage: memscope diff TRACE A B, or TRACE1@A TRACE2@B)");
		return 2;
	}
	if (load(&ma, path_a, sel_a, two ? NULL : sel_b, true)) {
		ms_model_release(&ma);
		return 1;
	}
	if (two && load(&mb, path_b, sel_b, NULL, false)) {
		ms_model_release(&ma);
		ms_model_release(&mb);
		return 1;
	}
	struct ms_model *pb = two ? &mb : &ma;
	const struct ms_heap *ha = ma.heaps[0], *hb = two ? mb.heaps[0] : ma.heaps[1];
	int rc = 1;
	struct ms_symbolizer *sa = NULL, *sb = NULL;
	if (!ha)
		missing(path_a, sel_a);
	else if (!hb)
		missing(path_b, sel_b);
	else if (!(sa = ms_symbolizer_new(&ma)) || (two && !(sb = ms_symbolizer_new(&mb))))
		ms_cli_error("cannot compare: out of memory");
	else {
		struct ms_diff_side a = {&ma, ha, sa}, b = {pb, hb, two ? sb : sa};
		struct ms_diff d;
		if (ms_diff_compute(&d, &a, &b, g)) {
			ms_cli_error("cannot compare: out of memory");
		} else {
			char na[4096], nb[4096];
			snprintf(na, sizeof(na), two ? "%s@%s" : "%.0s%s", path_a, sel_a);
			snprintf(nb, sizeof(nb), two ? "%s@%s" : "%.0s%s", path_b, sel_b);
			rc = json ? ms_report_diff_json(stdout, &d, &a, &b, g, na, nb, top)
			          : ms_report_diff_text(stdout, &d, &a, &b, g, na, nb, top);
			ms_diff_release(&d);
			if (fflush(stdout) || rc) {
				ms_cli_error("cannot write the diff (out of memory or output closed?)");
				rc = 1;
			}
		}
	}
	ms_symbolizer_free(sa);
	ms_symbolizer_free(sb);
	ms_model_release(&ma);
	if (two)
		ms_model_release(&mb);
	return rc;
}
