/* Sample logs: one row per sample, CSV or JSON Lines, written by `monitor`
 * and read back (CSV) by `trend` and `plot`. Every row is flushed when
 * written, so a log holds every sample taken before memscope or the process
 * died; nothing here ever deletes a log.
 *
 * CSV: a header line "time_s,unix_ms,pid,name,<one per enum ms_col>", then
 * one line per sample; an empty field is a value that could not be read;
 * name is quoted as RFC 4180 says when it holds a comma, quote or space.
 * JSONL: one object a line with the same keys (null for missing values) and
 * "event":"sample"; a process's exit adds {"event":"exit",...}.
 *
 * Writer steps: ms_samplelog_open, ms_samplelog_write per sample,
 * ms_samplelog_exit when the process is gone (JSONL only writes it),
 * ms_samplelog_close. */
#ifndef MS_PROC_SAMPLELOG_H
#define MS_PROC_SAMPLELOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "proc/series.h"

enum ms_log_format { MS_LOG_CSV, MS_LOG_JSONL };

struct ms_samplelog {
	FILE *f;
	enum ms_log_format fmt;
	int err; /* first write error (negative errno), 0 if none */
};

/* Creates or truncates path. Returns 0 or a negative errno. */
int ms_samplelog_open(struct ms_samplelog *l, const char *path, enum ms_log_format fmt);
/* Writes and flushes one row. Returns 0 or a negative errno (then every
 * later write fails too; the rows before stay in the file). */
int ms_samplelog_write(struct ms_samplelog *l, const struct ms_series *s, const struct ms_sample *row);
/* how: e.g. "exited with status 0"; t: seconds since the monitor started. */
int ms_samplelog_exit(struct ms_samplelog *l, const struct ms_series *s, double t, const char *how);
/* Closes the file (if open). Returns 0 or the first write error. */
int ms_samplelog_close(struct ms_samplelog *l);

/* Why a CSV was refused: the line (1-based, 0 for the whole file) and a
 * message such as "field 'rss' is not a number ('12x')". */
struct ms_csv_error {
	size_t line;
	char msg[160];
};

#define MS_CSV_MAX_LINE 4096
#define MS_CSV_MAX_ROWS 10000000

/* Reads a CSV sample log into one series per pid, in order of first
 * appearance (*out, *nout; the caller releases each series and frees the
 * array). Unknown columns are ignored; time_s, pid and at least one counter
 * column are required. A last line cut short (no newline, unparsable) is
 * dropped and *truncated set: the writer was killed mid-line.
 * Returns 0, -EINVAL with err filled (malformed or empty), or a negative
 * errno for an unreadable file. */
int ms_csv_read(const char *path, struct ms_series **out, size_t *nout, bool *truncated,
                struct ms_csv_error *err);

#endif
