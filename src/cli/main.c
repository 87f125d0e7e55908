/* memscope's entry point: the command table and dispatch. Commands live in
 * cmd_NAME.c; this file only finds them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"run", cmd_run, "record every allocation of a program: run [OPTIONS] -- PROGRAM [ARGS...]"},
	{"snapshot", cmd_snapshot, "snapshot a running process now: snapshot -p PID [--label L]"},
	{"report", cmd_report, "explain a trace: summary, top call stacks, caller tree"},
	{"export", cmd_export, "write a trace for pprof, massif, DHAT, flame graphs or as JSON"},
	{"ps", cmd_ps, "list processes with their memory: RSS, PSS, private bytes, swap"},
	{"monitor", cmd_monitor, "watch processes' memory over time, log it, tell if it grows"},
	{"trend", cmd_trend, "growth verdicts of a saved monitor log (CSV)"},
	{"plot", cmd_plot, "draw a saved monitor log as an SVG chart"},
	{"html", cmd_html, "write a self-contained HTML report: charts, flame graph, tables"},
	{"flamegraph", cmd_flamegraph, "draw an interactive SVG flame graph of one metric"},
	{"snapshots", cmd_snapshots, "list a trace's snapshots: time, label, live bytes and blocks"},
	{"diff", cmd_diff, "what grew between two snapshots, or two runs, per call stack"},
	{"why", cmd_why, "why a block is alive: the chain of pointers from a root, retained size"},
	{"help", cmd_help, "show help for memscope or one command"},
	{"version", cmd_version, "print memscope's version"},
};

void ms_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("memscope: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int ms_cli_parse_uint(const char *opt, const char *val, unsigned long long max, unsigned long long *out)
{
	char *end;
	if (!val || !*val || *val == '-') {
		ms_cli_error("option '%s' needs a non-negative number", opt);
		return -1;
	}
	errno = 0;
	unsigned long long v = strtoull(val, &end, 10);
	if (errno || *end || v > max) {
		ms_cli_error("invalid value '%s' for option '%s' (a number from 0 to %llu)", val, opt, max);
		return -1;
	}
	*out = v;
	return 0;
}

bool ms_cli_is_opt(const char *arg, const char *opt)
{
	size_t n = strlen(opt);
	return !strncmp(arg, opt, n) && (arg[n] == 0 || arg[n] == '=');
}

const char *ms_cli_opt_value(const char *opt, int argc, char **argv, int *i)
{
	size_t n = strlen(opt);
	if (!strncmp(argv[*i], opt, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	return *i + 1 < argc ? argv[++*i] : NULL;
}

void ms_cli_list_commands(FILE *out)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cmd_help(1, (char *[]){"help", NULL});
		return 2;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		name = "help";
	if (!strcmp(name, "--version"))
		name = "version";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].fn(argc - 1, argv + 1);
	ms_cli_error("unknown command '%s' (see 'memscope help')", name);
	return 2;
}
