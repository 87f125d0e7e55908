/* Folded stacks ("collapsed"): one line per distinct call stack,
 * "outermost;...;innermost COUNT", the input of flamegraph.pl, inferno and
 * speedscope. Stacks that read the same once symbolized (two return
 * addresses of one line, or of one function without --with-lines) are one
 * line; stacks whose count is 0 are left out. Lines are sorted, as
 * stackcollapse tools write them. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/export.h"

struct line {
	char *text;
	uint64_t count;
};

/* Appends s[0..n) to *buf (length *len, capacity *cap, kept
 * NUL-terminated). Returns 0 or -ENOMEM. */
static int append_raw(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 256;
		while (c < *len + n + 1)
			c *= 2;
		char *p = realloc(*buf, c);
		if (!p)
			return -ENOMEM;
		*buf = p;
		*cap = c;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = 0;
	return 0;
}

/* Appends a frame's text with the characters that the folded format
 * reserves replaced: ';' separates frames, a newline ends the line. (The
 * count is after the last space, so spaces are fine.) */
static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t start = *len;
	int rc = append_raw(buf, len, cap, s, strlen(s));
	for (size_t i = start; !rc && i < *len; i++) {
		char c = (*buf)[i];
		(*buf)[i] = c == ';' ? ':' : c == '\n' || c == '\r' ? ' ' : c;
	}
	return rc;
}

static int frame_text(char **buf, size_t *len, size_t *cap, const struct ms_frame *f, bool with_lines)
{
	int rc = append(buf, len, cap, f->function);
	if (!rc && with_lines && f->file) {
		char pos[4200];
		snprintf(pos, sizeof(pos), " (%s:%" PRIu32 ")", ms_basename(f->file), f->line);
		rc = append(buf, len, cap, pos);
	}
	return rc;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

int ms_export_collapsed(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym,
                        const struct ms_export_opts *o)
{
	struct line *lines = malloc((m->n_stacks ? m->n_stacks : 1) * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; i < m->n_stacks && !rc; i++) {
		const struct ms_stack *s = &m->stacks[i];
		uint64_t count = s->used ? ms_stack_metric(s, o->metric) : 0;
		if (!count)
			continue;
		const struct ms_frame *f;
		size_t nf;
		if ((rc = ms_symbolize_stack(sym, (uint32_t)i, &f, &nf)))
			break;
		char *buf = NULL;
		size_t len = 0, cap = 0;
		if (!nf)
			rc = append(&buf, &len, &cap, "[no frames]");
		for (size_t k = nf; k-- > 0 && !rc;) {
			rc = frame_text(&buf, &len, &cap, &f[k], o->with_lines);
			if (!rc && k)
				rc = append_raw(&buf, &len, &cap, ";", 1);
		}
		if (rc) {
			free(buf);
			break;
		}
		lines[n++] = (struct line){buf, count};
	}
	if (!rc) {
		qsort(lines, n, sizeof(*lines), cmp_line);
		for (size_t i = 0; i < n;) {
			uint64_t sum = 0;
			size_t j = i;
			for (; j < n && !strcmp(lines[j].text, lines[i].text); j++)
				sum += lines[j].count;
			fprintf(out, "%s %" PRIu64 "\n", lines[i].text, sum);
			i = j;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
	if (!rc && ferror(out))
		rc = -EIO;
	return rc;
}
