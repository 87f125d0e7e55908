/* The command table's entries: one cmd_NAME per src/cli/cmd_NAME.c. Each
 * returns the process exit status; argv[0] is the command's name. */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <stdarg.h>
#include <stdio.h>

int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Each command's full help (usage line, every option, examples), printed by
 * `memscope help NAME` and `memscope NAME --help`. */
extern const char cmd_run_usage[];
extern const char cmd_report_usage[];
extern const char cmd_ps_usage[];
extern const char cmd_monitor_usage[];
extern const char cmd_trend_usage[];
extern const char cmd_plot_usage[];

/* Prints "memscope: " + message + newline on stderr. */
void ms_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the command table, one line per command. */
void ms_cli_list_commands(FILE *out);

/* Parses a non-negative integer option value; returns 0 or -1 with a message
 * naming the option printed. */
int ms_cli_parse_uint(const char *opt, const char *val, unsigned long long max, unsigned long long *out);

#endif
