/* CSV sample log reader. The file may be hand-made or cut short: every line
 * is bounded (MS_CSV_MAX_LINE), every field checked, and the first problem
 * is reported with its line number. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/samplelog.h"

#define MAX_FIELDS 128
#define MAX_SERIES 1024

/* Column roles besides the counters (enum ms_col values are >= 0). */
enum { COL_IGNORED = -1, COL_TIME = -2, COL_UNIX = -3, COL_PID = -4, COL_NAME = -5 };

struct reader {
	struct ms_csv_error *err;
	size_t line;
	int role[MAX_FIELDS];
	int nfields;
	struct ms_series *series;
	size_t nseries;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->err->line = r->line;
	vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Splits line in place into fields (RFC 4180 quoting). Returns the count,
 * or -1 for an unterminated quote. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return max + 1;
		if (*p == '"') {
			char *w = ++p;
			f[n++] = w;
			for (;;) {
				if (!*p)
					return -1;
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
			*w = 0;
			if (*p && *p != ',')
				return -1;
		} else {
			f[n++] = p;
			p += strcspn(p, ",");
		}
		if (!*p)
			return n;
		*p++ = 0;
	}
}

static int header(struct reader *r, char *line)
{
	char *f[MAX_FIELDS + 1];
	int n = split(line, f, MAX_FIELDS);
	if (n < 0 || n > MAX_FIELDS)
		return fail(r, "the header is malformed (not a memscope monitor log?)");
	bool time = false, counter = false;
	for (int i = 0; i < n; i++) {
		int c = ms_col_lookup(f[i]);
		r->role[i] = c >= 0 ? c
		           : !strcmp(f[i], "time_s") ? COL_TIME
		           : !strcmp(f[i], "unix_ms") ? COL_UNIX
		           : !strcmp(f[i], "pid") ? COL_PID
		           : !strcmp(f[i], "name") ? COL_NAME
		                                 : COL_IGNORED;
		time |= r->role[i] == COL_TIME;
		counter |= c >= 0;
	}
	if (!time)
		return fail(r, "no 'time_s' column in the header (not a memscope monitor log?)");
	if (!counter)
		return fail(r, "no counter column (rss, private, heap...) in the header");
	r->nfields = n;
	return 0;
}

static int number(struct reader *r, const char *s, const char *col, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v < 0)
		return fail(r, "field '%s' is not a non-negative number ('%.40s')", col, s);
	*out = v;
	return 0;
}

static struct ms_series *series_of(struct reader *r, long pid, const char *name)
{
	for (size_t i = 0; i < r->nseries; i++)
		if (r->series[i].pid == pid)
			return &r->series[i];
	if (r->nseries == MAX_SERIES)
		return NULL;
	struct ms_series *v = realloc(r->series, (r->nseries + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->series = v;
	ms_series_init(&v[r->nseries], (pid_t)pid, name, 0);
	return &v[r->nseries++];
}

static int row(struct reader *r, char *line)
{
	char *f[MAX_FIELDS + 1];
	int n = split(line, f, MAX_FIELDS);
	if (n < 0)
		return fail(r, "a quoted field is not closed");
	if (n != r->nfields)
		return fail(r, "%d fields where the header has %d", n, r->nfields);
	struct ms_sample s;
	s.t = NAN;
	s.unix_ms = NAN;
	for (int i = 0; i < MS_COL__COUNT; i++)
		s.v[i] = NAN;
	double pid = 0;
	const char *name = "";
	for (int i = 0; i < n; i++) {
		int role = r->role[i];
		if (role == COL_IGNORED)
			continue;
		if (role == COL_NAME) {
			name = f[i];
			continue;
		}
		if (!*f[i]) {
			if (role == COL_TIME)
				return fail(r, "field 'time_s' is empty");
			if (role == COL_PID)
				return fail(r, "field 'pid' is empty");
			continue;
		}
		const char *col = role >= 0 ? ms_cols[role].name
		                : role == COL_TIME ? "time_s"
		                : role == COL_UNIX ? "unix_ms"
		                                   : "pid";
		double v = 0;
		if (number(r, f[i], col, &v) < 0)
			return -EINVAL;
		if (role >= 0)
			s.v[role] = v;
		else if (role == COL_TIME)
			s.t = v;
		else if (role == COL_UNIX)
			s.unix_ms = v;
		else if (v != floor(v) || v > 4194304)
			return fail(r, "field 'pid' is not a process id ('%.40s')", f[i]);
		else
			pid = v;
	}
	struct ms_series *se = series_of(r, (long)pid, name);
	if (!se)
		return r->nseries == MAX_SERIES ? fail(r, "more than %d processes in one log", MAX_SERIES) : -ENOMEM;
	/* The last row stored may be a decimated one; compare with it anyway:
	 * time must never go backwards. */
	if (se->n && s.t < se->rows[se->n - 1].t)
		return fail(r, "time goes backwards for pid %ld (%.3f s after %.3f s)", (long)pid, s.t,
		            se->rows[se->n - 1].t);
	return ms_series_append(se, &s);
}

int ms_csv_read(const char *path, struct ms_series **out, size_t *nout, bool *truncated,
                struct ms_csv_error *err)
{
	struct reader r = {.err = err};
	*out = NULL;
	*nout = 0;
	*truncated = false;
	err->line = 0;
	err->msg[0] = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char *line = malloc(MS_CSV_MAX_LINE + 2);
	if (!line) {
		fclose(f);
		return -ENOMEM;
	}
	int rc = 0;
	size_t rows = 0;
	bool have_header = false;
	while (fgets(line, MS_CSV_MAX_LINE + 2, f)) {
		r.line++;
		size_t len = strlen(line);
		bool complete = len && line[len - 1] == '\n';
		if (!complete && len > MS_CSV_MAX_LINE) {
			rc = fail(&r, "line longer than %d bytes", MS_CSV_MAX_LINE);
			break;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (len == 0 || line[0] == '#')
			continue;
		if (!have_header) {
			if ((rc = header(&r, line)) < 0)
				break;
			have_header = true;
			continue;
		}
		if (++rows > MS_CSV_MAX_ROWS) {
			rc = fail(&r, "more than %d samples", MS_CSV_MAX_ROWS);
			break;
		}
		rc = row(&r, line);
		if (rc == -EINVAL && !complete && feof(f)) {
			/* The writer died mid-line: keep what came before. */
			*truncated = true;
			rc = 0;
			break;
		}
		if (rc < 0)
			break;
	}
	if (rc == 0 && ferror(f))
		rc = -EIO;
	if (rc == 0 && !have_header) {
		r.line = 0;
		rc = fail(&r, "the file is empty");
	} else if (rc == 0 && r.nseries == 0) {
		r.line = 0;
		rc = fail(&r, "no samples after the header");
	}
	free(line);
	fclose(f);
	if (rc < 0) {
		for (size_t i = 0; i < r.nseries; i++)
			ms_series_release(&r.series[i]);
		free(r.series);
		return rc;
	}
	*out = r.series;
	*nout = r.nseries;
	return 0;
}
