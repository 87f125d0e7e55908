/* An insert-only open-addressing map from u64 keys to u32 values (stack ids,
 * thread ids, module ids to dense indexes). Linear probing, load <= 1/2. */
#ifndef MS_ANALYSIS_U64MAP_H
#define MS_ANALYSIS_U64MAP_H

#include <stddef.h>
#include <stdint.h>

#define MS_U64MAP_NONE UINT32_MAX

struct ms_u64map_slot {
	uint64_t key;
	uint32_t val; /* MS_U64MAP_NONE: empty */
};

struct ms_u64map {
	struct ms_u64map_slot *slots;
	size_t cap, len; /* cap is a power of two */
};

void ms_u64map_init(struct ms_u64map *m);
void ms_u64map_release(struct ms_u64map *m);
/* Returns the value for key or MS_U64MAP_NONE. */
uint32_t ms_u64map_get(const struct ms_u64map *m, uint64_t key);
/* Sets key to val (val != MS_U64MAP_NONE). Returns 0 or -ENOMEM. */
int ms_u64map_put(struct ms_u64map *m, uint64_t key, uint32_t val);

#endif
