/* A string table for the exports: each distinct string gets the next index
 * (0, 1, 2, ...) in order of first sight, and is kept (copied) in that
 * order, as pprof's string_table and DHAT's frame table want. Open
 * addressing by content hash; memory grows with the distinct strings only.
 *
 * Steps: ms_strtab_init(&t); i = ms_strtab_add(&t, s) for each string
 * (-ENOMEM on failure); read t.strs[0..t.n); ms_strtab_release(&t). */
#ifndef MS_REPORT_EXPORT_STRTAB_H
#define MS_REPORT_EXPORT_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct ms_strtab {
	char **strs;     /* strs[i]: string i, NUL-terminated, owned */
	size_t n, cap_strs;
	uint32_t *slots; /* hash slots: string index + 1, 0 = empty */
	size_t cap_slots;
};

void ms_strtab_init(struct ms_strtab *t);
void ms_strtab_release(struct ms_strtab *t);
/* Returns the index of s (added if new), or -ENOMEM. */
int64_t ms_strtab_add(struct ms_strtab *t, const char *s);
/* Returns the index of s, or -1 if it was never added. */
int64_t ms_strtab_find(const struct ms_strtab *t, const char *s);

#endif
