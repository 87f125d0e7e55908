/* CSV and JSONL sample log writer (see samplelog.h for the format). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "proc/samplelog.h"
#include "report/json.h"

int ms_samplelog_open(struct ms_samplelog *l, const char *path, enum ms_log_format fmt)
{
	l->fmt = fmt;
	l->err = 0;
	l->f = fopen(path, "we");
	if (!l->f)
		return -errno;
	if (fmt == MS_LOG_CSV) {
		fputs("time_s,unix_ms,pid,name", l->f);
		for (int i = 0; i < MS_COL__COUNT; i++)
			fprintf(l->f, ",%s", ms_cols[i].name);
		fputc('\n', l->f);
	}
	return fflush(l->f) == EOF ? (l->err = -errno) : 0;
}

static void csv_name(FILE *f, const char *name)
{
	if (!strpbrk(name, ",\" \t\r\n")) {
		fputs(name, f);
		return;
	}
	fputc('"', f);
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

/* Values are whole numbers except the time and the rates: printing them
 * with %.0f keeps byte counts exact (doubles hold integers up to 2^53). */
static void put_value(FILE *f, int col, double v, const char *nan)
{
	if (isnan(v))
		fputs(nan, f);
	else if (ms_cols[col].kind == MS_KIND_RATE)
		fprintf(f, "%.1f", v);
	else
		fprintf(f, "%.0f", v);
}

static int finish(struct ms_samplelog *l)
{
	if (ferror(l->f) || fflush(l->f) == EOF) {
		if (!l->err)
			l->err = errno ? -errno : -EIO;
	}
	return l->err;
}

int ms_samplelog_write(struct ms_samplelog *l, const struct ms_series *s, const struct ms_sample *row)
{
	if (!l->f)
		return -EBADF;
	if (l->err)
		return l->err;
	FILE *f = l->f;
	if (l->fmt == MS_LOG_CSV) {
		fprintf(f, "%.3f,%.0f,%d,", row->t, row->unix_ms, (int)s->pid);
		csv_name(f, s->name);
		for (int i = 0; i < MS_COL__COUNT; i++) {
			fputc(',', f);
			put_value(f, i, row->v[i], "");
		}
	} else {
		fprintf(f, "{\"event\":\"sample\",\"time_s\":%.3f,\"unix_ms\":%.0f,\"pid\":%d,\"name\":\"", row->t,
		        row->unix_ms, (int)s->pid);
		ms_json_escape(f, s->name, strlen(s->name));
		fputc('"', f);
		for (int i = 0; i < MS_COL__COUNT; i++) {
			fprintf(f, ",\"%s\":", ms_cols[i].name);
			put_value(f, i, row->v[i], "null");
		}
		fputc('}', f);
	}
	fputc('\n', f);
	return finish(l);
}

int ms_samplelog_exit(struct ms_samplelog *l, const struct ms_series *s, double t, const char *how)
{
	if (!l->f)
		return -EBADF;
	if (l->fmt != MS_LOG_JSONL || l->err)
		return l->err;
	fprintf(l->f, "{\"event\":\"exit\",\"time_s\":%.3f,\"pid\":%d,\"name\":\"", t, (int)s->pid);
	ms_json_escape(l->f, s->name, strlen(s->name));
	fputs("\",\"how\":\"", l->f);
	ms_json_escape(l->f, how, strlen(how));
	fputs("\"}\n", l->f);
	return finish(l);
}

int ms_samplelog_close(struct ms_samplelog *l)
{
	if (!l->f)
		return l->err;
	if (fclose(l->f) == EOF && !l->err)
		l->err = -errno;
	l->f = NULL;
	return l->err;
}
