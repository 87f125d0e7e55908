/* See u64map.h. */
#include "analysis/u64map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

void ms_u64map_init(struct ms_u64map *m) { memset(m, 0, sizeof(*m)); }

void ms_u64map_release(struct ms_u64map *m)
{
	free(m->slots);
	ms_u64map_init(m);
}

uint32_t ms_u64map_get(const struct ms_u64map *m, uint64_t key)
{
	if (!m->cap)
		return MS_U64MAP_NONE;
	size_t mask = m->cap - 1;
	for (size_t i = ms_hash_u64(key) & mask;; i = (i + 1) & mask) {
		const struct ms_u64map_slot *s = &m->slots[i];
		if (s->val == MS_U64MAP_NONE || s->key == key)
			return s->val;
	}
}

static void put_nogrow(struct ms_u64map *m, uint64_t key, uint32_t val)
{
	size_t mask = m->cap - 1;
	for (size_t i = ms_hash_u64(key) & mask;; i = (i + 1) & mask) {
		struct ms_u64map_slot *s = &m->slots[i];
		if (s->val == MS_U64MAP_NONE) {
			s->key = key;
			s->val = val;
			m->len++;
			return;
		}
		if (s->key == key) {
			s->val = val;
			return;
		}
	}
}

int ms_u64map_put(struct ms_u64map *m, uint64_t key, uint32_t val)
{
	if ((m->len + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		struct ms_u64map_slot *ns = malloc(ncap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		for (size_t i = 0; i < ncap; i++)
			ns[i].val = MS_U64MAP_NONE;
		struct ms_u64map old = *m;
		m->slots = ns;
		m->cap = ncap;
		m->len = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.slots[i].val != MS_U64MAP_NONE)
				put_nogrow(m, old.slots[i].key, old.slots[i].val);
		free(old.slots);
	}
	put_nogrow(m, key, val);
	return 0;
}
