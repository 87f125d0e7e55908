/* Leak suppression rules and their matching; see suppress.h. */
#include "analysis/suppress.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ms_supp_init(struct ms_supp *s) { memset(s, 0, sizeof(*s)); }

void ms_supp_release(struct ms_supp *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].pattern);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int add_rule(struct ms_supp *s, const char *pat, size_t len, unsigned line)
{
	if (s->n == s->cap) {
		size_t c = s->cap ? 2 * s->cap : 16;
		struct ms_supp_rule *p = realloc(s->v, c * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->v = p;
		s->cap = c;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, pat, len);
	copy[len] = 0;
	s->v[s->n++] = (struct ms_supp_rule){copy, line};
	return 0;
}

/* Parses one line (without its newline). 0 (a rule was added, or nothing
 * to add), -ENOMEM, or MS_SUPP_E_SYNTAX with err filled. */
static int parse_line(struct ms_supp *s, char *l, unsigned no, char *err, size_t errlen)
{
	size_t len = strlen(l);
	while (len && isspace((unsigned char)l[len - 1]))
		l[--len] = 0;
	while (isspace((unsigned char)*l))
		l++, len--;
	if (!len || *l == '#')
		return 0;
	char *colon = strchr(l, ':');
	if (!colon) {
		snprintf(err, errlen, "line %u: '%.80s' is not a rule (expected 'leak:PATTERN', '# comment' or a "
		         "blank line)", no, l);
		return MS_SUPP_E_SYNTAX;
	}
	if (colon - l != 4 || strncmp(l, "leak", 4)) {
		snprintf(err, errlen, "line %u: unknown kind '%.*s' (only 'leak:PATTERN' rules are supported)", no,
		         (int)(colon - l > 80 ? 80 : colon - l), l);
		return MS_SUPP_E_SYNTAX;
	}
	const char *pat = colon + 1;
	while (isspace((unsigned char)*pat))
		pat++;
	if (!*pat) {
		snprintf(err, errlen, "line %u: empty pattern after 'leak:'", no);
		return MS_SUPP_E_SYNTAX;
	}
	return add_rule(s, pat, strlen(pat), no);
}

int ms_supp_load(struct ms_supp *s, const char *path, char *err, size_t errlen)
{
	err[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	char buf[MS_SUPP_MAX_LINE + 2];
	unsigned no = 0;
	int rc = 0;
	while (!rc && fgets(buf, sizeof(buf), f)) {
		no++;
		size_t len = strlen(buf);
		if (len && buf[len - 1] == '\n')
			buf[--len] = 0;
		else if (!feof(f)) {
			snprintf(err, errlen, "line %u: longer than %d characters", no, MS_SUPP_MAX_LINE);
			rc = MS_SUPP_E_SYNTAX;
			break;
		}
		rc = parse_line(s, buf, no, err, errlen);
	}
	if (!rc && ferror(f))
		rc = -EIO;
	fclose(f);
	return rc;
}

/* Iterative glob: on a mismatch, the last '*' takes one more character.
 * Linear in practice, quadratic at worst; patterns and names are short. */
bool ms_glob_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* A C++ function's name without its parameter list ("ns::f(int)" -> "ns::f"),
 * so that "leak:ns::f" matches; "operator()" keeps its parentheses. */
static bool match_function(const char *pat, const char *fn)
{
	if (ms_glob_match(pat, fn))
		return true;
	const char *paren = strchr(fn, '(');
	if (!paren || paren == fn)
		return false;
	if (paren - fn >= 8 && !strncmp(paren - 8, "operator", 8))
		paren = strchr(paren + 2, '(');
	if (!paren)
		return false;
	char name[1024];
	size_t n = (size_t)(paren - fn);
	if (n >= sizeof(name))
		return false;
	memcpy(name, fn, n);
	name[n] = 0;
	return ms_glob_match(pat, name);
}

static bool match_path(const char *pat, const char *path)
{
	return path && (ms_glob_match(pat, path) || ms_glob_match(pat, ms_basename(path)));
}

long ms_supp_match_stack(const struct ms_supp *s, struct ms_symbolizer *sym, uint32_t stack)
{
	if (!s->n)
		return -1;
	const struct ms_frame *f;
	size_t n;
	if (ms_symbolize_stack(sym, stack, &f, &n))
		return -ENOMEM;
	for (size_t r = 0; r < s->n; r++) {
		const char *pat = s->v[r].pattern;
		for (size_t i = 0; i < n; i++)
			if (match_function(pat, f[i].function) || match_path(pat, f[i].file) ||
			    match_path(pat, f[i].module))
				return (long)r;
	}
	return -1;
}
