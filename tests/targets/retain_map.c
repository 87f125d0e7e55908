/* retain_map: a global points to a hash map (24 bytes, map_new) whose
 * bucket array (8 pointers, 64 bytes, alloc_buckets) holds chains of
 * entries (32 bytes, entry_new; the chain link at offset 16). Keys 0..15 go
 * to bucket key % 8, inserted at the head, so bucket 3 holds 11 -> 3.
 * The program prints the addresses of the entries of keys 3 and 11 (one a
 * line): `memscope why ADDRESS-OF-3` must
 * show g_map (retain_map) -> map +8 -> buckets +24 -> entry 11 +16 -> entry 3.
 * Everything is still reachable at exit: 24 + 64 + 16 x 32 = 600 bytes in
 * 18 blocks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsupport.h"

struct entry {
	long key, val;
	struct entry *next; /* offset 16 */
	long pad;
}; /* 32 bytes */

struct map {
	size_t n;
	struct entry **buckets; /* offset 8 */
	long pad;
}; /* 24 bytes */

struct map *g_map; /* external linkage: the one root */

NOIPA struct entry **alloc_buckets(size_t n)
{
	return calloc(n, sizeof(struct entry *));
}

NOIPA struct map *map_new(void)
{
	struct map *m = malloc(sizeof *m);
	memset(m, 0, sizeof *m);
	m->n = 8;
	m->buckets = alloc_buckets(m->n);
	return m;
}

NOIPA struct entry *entry_new(long key)
{
	struct entry *e = malloc(sizeof *e);
	memset(e, 0, sizeof *e);
	e->key = key;
	e->val = key * 10;
	return e;
}

NOIPA void map_put(struct map *m, long key)
{
	struct entry *e = entry_new(key);
	size_t b = (size_t)key % m->n;
	e->next = m->buckets[b];
	m->buckets[b] = e;
}

NOIPA struct entry *map_get(struct map *m, long key)
{
	for (struct entry *e = m->buckets[(size_t)key % m->n]; e; e = e->next)
		if (e->key == key)
			return e;
	return NULL;
}

NOIPA void scrub(void)
{
	volatile char buf[8192];
	for (size_t i = 0; i < sizeof buf; i++) /* volatile stores: memset here would be deleted */
		buf[i] = 0;
}

int main(void)
{
	g_map = map_new();
	for (long k = 0; k < 16; k++)
		map_put(g_map, k);
	ms_putu(1, (unsigned long)(uintptr_t)map_get(g_map, 3));
	ms_putu(1, (unsigned long)(uintptr_t)map_get(g_map, 11));
	scrub();
	return 0;
}
