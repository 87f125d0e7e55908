/* Leak suppressions: rules read from files of "leak:PATTERN" lines (format
 * in docs/leaks.md). A rule matches a call stack when PATTERN (glob: '*'
 * any run of characters, '?' one character, the whole name must match)
 * matches the function, the source file or the module of any of its frames,
 * a file or module by its full path or its basename.
 *
 * Steps:
 *  1. struct ms_supp s; ms_supp_init(&s);
 *  2. ms_supp_load(&s, path, err, n) per file (rules accumulate);
 *  3. ms_supp_match_stack(&s, sym, stack) per stack;
 *  4. ms_supp_release(&s). */
#ifndef MS_ANALYSIS_SUPPRESS_H
#define MS_ANALYSIS_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/symbolize.h"

#define MS_SUPP_E_SYNTAX (-1000) /* a line is not a rule, a comment or blank */
#define MS_SUPP_MAX_LINE 4096

struct ms_supp_rule {
	char *pattern; /* owned */
	unsigned line; /* in its file, for messages */
};

struct ms_supp {
	struct ms_supp_rule *v;
	size_t n, cap;
};

void ms_supp_init(struct ms_supp *s);
void ms_supp_release(struct ms_supp *s);

/* Appends the rules of the file at path. Returns 0; -errno when the file
 * cannot be read; -ENOMEM; or MS_SUPP_E_SYNTAX with err holding "line N:
 * what is wrong" (the rules of the file read so far are kept). */
int ms_supp_load(struct ms_supp *s, const char *path, char *err, size_t errlen);

/* true when the glob pattern matches all of str */
bool ms_glob_match(const char *pattern, const char *str);

/* Index of the first rule matching a frame of stack (an index into the
 * symbolizer's model's stacks), -1 when none does, or -ENOMEM (< -1). */
long ms_supp_match_stack(const struct ms_supp *s, struct ms_symbolizer *sym, uint32_t stack);

#endif
