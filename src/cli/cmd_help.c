/* `memscope help [COMMAND]` and `memscope version`. Each command's full help
 * lives beside its code (cmd_NAME_usage); this file only routes to it. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	const char *usage;
} usages[] = {
	{"run", cmd_run_usage},
	{"snapshot", cmd_snapshot_usage},
	{"report", cmd_report_usage},
	{"snapshots", cmd_snapshots_usage},
	{"diff", cmd_diff_usage},
	{"why", cmd_why_usage},
	{"export", cmd_export_usage},
	{"ps", cmd_ps_usage},
	{"monitor", cmd_monitor_usage},
	{"trend", cmd_trend_usage},
	{"plot", cmd_plot_usage},
	{"html", cmd_html_usage},
	{"flamegraph", cmd_flamegraph_usage},
};

int cmd_help(int argc, char **argv)
{
	if (argc >= 2) {
		for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
			if (!strcmp(argv[1], usages[i].name)) {
				fputs(usages[i].usage, stdout);
				return 0;
			}
		if (!strcmp(argv[1], "help") || !strcmp(argv[1], "version")) {
			printf("usage: memscope %s%s\n", argv[1], argv[1][0] == 'h' ? " [COMMAND]" : "");
			return 0;
		}
		ms_cli_error("no help for unknown command '%s' (see 'memscope help')", argv[1]);
		return 2;
	}
	fputs("usage: memscope COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "memscope records every heap allocation of a native Linux program with its\n"
	      "call stack, and explains where memory goes: peak, leaks, temporaries.\n"
	      "\n"
	      "commands:\n",
	      stdout);
	ms_cli_list_commands(stdout);
	fputs("\n"
	      "Run 'memscope help COMMAND' or 'memscope COMMAND --help' for a command's\n"
	      "options. A typical session:\n"
	      "  memscope run -o app.mst -- ./app ARGS    # record\n"
	      "  memscope report app.mst                  # peak, leaks, top call stacks\n"
	      "  memscope report --by leaked --tree app.mst\n",
	      stdout);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	printf("memscope %s\n", MS_VERSION);
	return 0;
}
