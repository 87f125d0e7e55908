/* `memscope snapshots [--json] TRACE`: lists a trace's snapshots. */
#include <stdio.h>
#include <string.h>

#include "analysis/model.h"
#include "cli/cli.h"
#include "report/report.h"
#include "trace/read.h"

const char cmd_snapshots_usage[] =
	"usage: memscope snapshots [--json] TRACE\n"
	"\n"
	"Lists the snapshots of a trace: id, time since the start, why it was\n"
	"taken (api, socket, interval, peak, exit), label, live bytes and blocks,\n"
	"and whether the runtime scanned the heap then (leak classes, 'why'),\n"
	"with how the program's other threads were stopped for it (ptrace, or\n"
	"the signal SIGRTMAX-2 when ptrace was refused) and how many missed.\n"
	"Ids and labels name snapshots in 'memscope diff' and 'memscope why'.\n"
	"\n"
	"options:\n"
	"  --json      print JSON: {\"trace\", \"snapshots\": [{\"id\", \"label\",\n"
	"              \"reason\", \"time_ns\", \"live_bytes\", \"live_blocks\",\n"
	"              \"scanned\", \"roots\", \"edges\", \"stop_method\",\n"
	"              \"threads_stopped\", \"threads_missed\"}]}; a sampled\n"
	"              trace adds \"live_bytes_stderr\" (the text: a +/- column)\n"
	"  -h, --help  show this help\n"
	"\n"
	"example:\n"
	"  memscope snapshots app.mst\n";

int ms_cli_load_heaps(struct ms_model *m, const char *path)
{
	int rc = ms_replay_file_heaps(m, path);
	if (rc && !(rc == MS_TRACE_E_CORRUPT && m->frames > 0)) {
		char msg[4096 + 256];
		ms_trace_error_message(msg, sizeof(msg), path, rc, &m->hdr, m->frames);
		ms_cli_error("%s", msg);
		return -1;
	}
	if (rc == MS_TRACE_E_CORRUPT)
		ms_cli_error("warning: trace '%s' is corrupt after %u complete frames; using what precedes it", path,
		             m->frames);
	return 0;
}

int cmd_snapshots(int argc, char **argv)
{
	bool json = false;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(cmd_snapshots_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			ms_cli_error("unknown option '%s' for 'snapshots' (see 'memscope snapshots --help')", argv[i]);
			return 2;
		} else if (path) {
			ms_cli_error("more than one trace given ('%s' and '%s')", path, argv[i]);
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		ms_cli_error("missing the trace file (usage: memscope snapshots [--json] TRACE)");
		return 2;
	}
	struct ms_model m;
	ms_model_init(&m);
	m.want[0].at = MS_HEAP_NONE; /* the list only */
	if (ms_cli_load_heaps(&m, path)) {
		ms_model_release(&m);
		return 1;
	}
	int rc = json ? ms_report_snapshots_json(stdout, &m, path) : ms_report_snapshots_text(stdout, &m, path);
	ms_model_release(&m);
	if (fflush(stdout) || rc) {
		ms_cli_error("cannot write the list of snapshots (output closed?)");
		return 1;
	}
	return 0;
}
