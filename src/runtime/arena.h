/* The runtime's own memory: mmap-backed, never the hooked malloc. Small
 * blocks come from power-of-two size classes with free lists, large ones
 * (> 256 KiB) are mmapped one by one. One global spinlock: it is taken only
 * off the allocation hot path (thread start, buffer pool growth, table growth,
 * zstd). Returned memory is zeroed. */
#ifndef MS_RT_ARENA_H
#define MS_RT_ARENA_H

#include <stddef.h>

/* Returns zeroed memory aligned to 16 bytes, or NULL if mmap failed. */
void *ms_rt_alloc(size_t size);
/* Returns p (from ms_rt_alloc) to the arena; NULL does nothing. */
void ms_rt_free(void *p);
/* Fresh anonymous mapping of size bytes (rounded to pages), NULL on failure. */
void *ms_rt_map(size_t size);
void ms_rt_unmap(void *p, size_t size);

/* fork: prepare takes the lock, parent and child release it. */
void ms_rt_arena_lock(void);
void ms_rt_arena_unlock(void);

#endif
