/* The command table's entries: one cmd_NAME per src/cli/cmd_NAME.c. Each
 * returns the process exit status; argv[0] is the command's name. */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

int cmd_run(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_html(int argc, char **argv);
int cmd_flamegraph(int argc, char **argv);
int cmd_snapshots(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_why(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Each command's full help (usage line, every option, examples), printed by
 * `memscope help NAME` and `memscope NAME --help`. */
extern const char cmd_run_usage[];
extern const char cmd_snapshot_usage[];
extern const char cmd_report_usage[];
extern const char cmd_export_usage[];
extern const char cmd_ps_usage[];
extern const char cmd_monitor_usage[];
extern const char cmd_trend_usage[];
extern const char cmd_plot_usage[];
extern const char cmd_html_usage[];
extern const char cmd_flamegraph_usage[];

extern const char cmd_snapshots_usage[];
extern const char cmd_diff_usage[];
extern const char cmd_why_usage[];

/* Replays path into m (want[] set by the caller) with the peak pre-pass;
 * prints one line and returns -1 when the trace cannot be read, a warning
 * when it is corrupt but usable (cmd_snapshots.c). */
struct ms_model;
int ms_cli_load_heaps(struct ms_model *m, const char *path);

/* Prints "memscope: " + message + newline on stderr. */
void ms_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 if arg is the option opt, alone or as opt=VALUE. */
bool ms_cli_is_opt(const char *arg, const char *opt);

/* The value of argv[*i], the option opt: after '=' in opt=VALUE, else the
 * next argument (advancing *i); NULL when there is none. */
const char *ms_cli_opt_value(const char *opt, int argc, char **argv, int *i);

/* Prints the command table, one line per command. */
void ms_cli_list_commands(FILE *out);

/* Parses a non-negative integer option value; returns 0 or -1 with a message
 * naming the option printed. */
int ms_cli_parse_uint(const char *opt, const char *val, unsigned long long max, unsigned long long *out);

/* Shared by html and flamegraph (cmd_html.c). */
struct ms_model;
/* Replays path into m (initialized here). Returns 0, with a warning for a
 * truncated or corrupt trace printed on stderr and copied to warning (""
 * when none); or -1 after printing the error (m released). */
int ms_cli_load_trace(struct ms_model *m, const char *path, char *warning, size_t n);
/* Opens path for writing ('-' is stdout); NULL after printing the error. */
FILE *ms_cli_open_output(const char *path);
/* Closes f; removes the file when rc or the close failed. Returns 0 or -1. */
int ms_cli_close_output(FILE *f, const char *path, int rc);
/* The trace's name with .ext instead of .mst, malloc'd; NULL when out of memory. */
char *ms_cli_output_name(const char *trace, const char *ext);

#endif
