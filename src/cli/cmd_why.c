/* `memscope why TRACE[@SNAP] ADDRESS | --stack ID`: the chain of pointers
 * that keeps a block alive. The analysis is heap.h's; the output why_report.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/heap.h"
#include "cli/cli.h"
#include "report/why_report.h"

const char cmd_why_usage[] =
	"usage: memscope why [OPTIONS] TRACE[@SNAPSHOT] ADDRESS\n"
	"       memscope why [OPTIONS] --stack ID TRACE[@SNAPSHOT]\n"
	"\n"
	"Explains why a block is alive at a scanned snapshot (default: the exit\n"
	"snapshot): the shortest chain of pointers from a root (a global of a\n"
	"module, a thread's stack, register or TLS) to the block, each hop named\n"
	"(the global's symbol, then each block by its allocation site and the\n"
	"offset of the pointer inside it); its leak class; and the bytes it\n"
	"retains (kept alive only through it). ADDRESS may point anywhere inside\n"
	"the block (hex with 0x, or decimal).\n"
	"\n"
	"options:\n"
	"  --stack ID  explain the blocks of call stack ID (the stack_id of\n"
	"              'memscope report'): their classes, and the chain of the one\n"
	"              that retains most\n"
	"  --json      print JSON\n"
	"  -h, --help  show this help\n"
	"\n"
	"examples:\n"
	"  memscope why app.mst 0x55d0c0a1b2c0\n"
	"  memscope why --stack 12 app.mst@before\n";

int cmd_why(int argc, char **argv)
{
	bool json = false, by_stack = false;
	unsigned long long stack_id = 0;
	char *pos[2];
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cmd_why_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--stack") || !strncmp(a, "--stack=", 8)) {
			if (ms_cli_parse_uint("--stack", a[7] == '=' ? a + 8 : i + 1 < argc ? argv[++i] : NULL,
			                      UINT64_MAX, &stack_id))
				return 2;
			by_stack = true;
		} else if (a[0] == '-' && a[1]) {
			ms_cli_error("unknown option '%s' for 'why' (see 'memscope why --help')", a);
			return 2;
		} else if (npos == 2) {
			ms_cli_error("too many arguments (usage: memscope why TRACE[@SNAPSHOT] ADDRESS)");
			return 2;
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (npos != (by_stack ? 1 : 2)) {
		ms_cli_error(by_stack ? "give one trace with --stack (usage: memscope why --stack ID TRACE[@SNAPSHOT])"
		                      : "missing arguments (usage: memscope why TRACE[@SNAPSHOT] ADDRESS)");
		return 2;
	}
	uint64_t addr = 0;
	if (!by_stack) {
		char *end;
		errno = 0;
		addr = strtoull(pos[1], &end, 0);
		if (errno || !*pos[1] || *end || *pos[1] == '-') {
			ms_cli_error("invalid address '%s' (hex like 0x55d0c0a1b2c0, or decimal)", pos[1]);
			return 2;
		}
	}
	char *path = pos[0], *sel = strrchr(path, '@');
	if (sel && sel != path && sel[1])
		*sel++ = 0;
	else
		sel = NULL;
	struct ms_model m;
	ms_model_init(&m);
	m.warm = ms_symwarm_new();
	if (sel)
		ms_heap_sel_parse(sel, &m.want[0]);
	if (ms_cli_load_heaps(&m, path)) {
		ms_model_release(&m);
		return 1;
	}
	const char *name = sel ? sel : "exit";
	struct ms_heap *h = m.heaps[0];
	int rc = 1;
	struct ms_symbolizer *sym = NULL;
	if (!h) {
		ms_cli_error("no snapshot '%s' in trace '%s' (see 'memscope snapshots %s')", name, path, path);
	} else if (!h->scanned || !h->cls) {
		ms_cli_error("snapshot '%s' of trace '%s' has no heap scan, so nothing says what points where "
		             "(use a scanned snapshot: see 'memscope snapshots %s')", name, path, path);
	} else if (!(sym = ms_symbolizer_new(&m))) {
		ms_cli_error("cannot explain: out of memory");
	} else {
		uint32_t b = MS_HBLOCK_NONE;
		if (!by_stack && (b = ms_heap_find(h, addr)) == MS_HBLOCK_NONE) {
			ms_cli_error("address 0x%llx is not in a block live at snapshot '%s' of '%s'",
			             (unsigned long long)addr, name, path);
		} else if (by_stack && (b = ms_why_pick(&m, h, stack_id)) == MS_HBLOCK_NONE) {
			ms_cli_error("call stack %llu has no block live at snapshot '%s' of '%s' (stack ids: "
			             "'memscope report --json')", stack_id, name, path);
		} else {
			rc = json ? ms_report_why_json(stdout, &m, h, sym, b, by_stack, path, name)
			          : ms_report_why_text(stdout, &m, h, sym, b, by_stack, path, name);
			if (fflush(stdout) || rc) {
				ms_cli_error("cannot write the explanation (out of memory or output closed?)");
				rc = 1;
			}
		}
	}
	ms_symbolizer_free(sym);
	ms_model_release(&m);
	return rc;
}
