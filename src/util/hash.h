/* Integer hashing for the open-addressing tables (header-only, no allocation,
 * so the runtime may use it too). */
#ifndef MS_UTIL_HASH_H
#define MS_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* A 64-bit finalizer (splitmix64): addresses differ in few low bits, so the
 * bits must be mixed before masking with a power-of-two capacity. */
static inline uint64_t ms_hash_u64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* FNV-1a over bytes, for strings. */
static inline uint64_t ms_hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

#endif
