/* The exports' string table; see export_strtab.h. */
#include "report/export_strtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

void ms_strtab_init(struct ms_strtab *t) { memset(t, 0, sizeof(*t)); }

void ms_strtab_release(struct ms_strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->slots);
	ms_strtab_init(t);
}

static size_t slot_of(const struct ms_strtab *t, const char *s)
{
	size_t mask = t->cap_slots - 1;
	size_t j = ms_hash_bytes(s, strlen(s)) & mask;
	while (t->slots[j] && strcmp(t->strs[t->slots[j] - 1], s))
		j = (j + 1) & mask;
	return j;
}

int64_t ms_strtab_find(const struct ms_strtab *t, const char *s)
{
	if (!t->cap_slots)
		return -1;
	size_t j = slot_of(t, s);
	return t->slots[j] ? (int64_t)t->slots[j] - 1 : -1;
}

/* Doubles the slots (load stays <= 1/2). */
static int rehash(struct ms_strtab *t)
{
	size_t nc = t->cap_slots ? t->cap_slots * 2 : 256;
	uint32_t *ns = calloc(nc, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	free(t->slots);
	t->slots = ns;
	t->cap_slots = nc;
	for (size_t i = 0; i < t->n; i++)
		t->slots[slot_of(t, t->strs[i])] = (uint32_t)(i + 1);
	return 0;
}

int64_t ms_strtab_add(struct ms_strtab *t, const char *s)
{
	int64_t found = ms_strtab_find(t, s);
	if (found >= 0)
		return found;
	if (t->n >= UINT32_MAX - 1)
		return -ENOMEM;
	if ((t->n + 1) * 2 > t->cap_slots && rehash(t))
		return -ENOMEM;
	if (t->n == t->cap_strs) {
		size_t c = t->cap_strs ? t->cap_strs * 2 : 256;
		char **p = realloc(t->strs, c * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->strs = p;
		t->cap_strs = c;
	}
	char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	t->strs[t->n] = copy;
	t->slots[slot_of(t, s)] = (uint32_t)(t->n + 1);
	return (int64_t)t->n++;
}
