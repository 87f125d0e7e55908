/* LEB128 varints and zigzag, shared by the trace writer (runtime) and reader.
 * The put functions need 10 bytes of room; the get functions never read past
 * end and return NULL on a truncated or over-long varint. */
#ifndef MS_UTIL_VARINT_H
#define MS_UTIL_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define MS_VARINT_MAX 10

static inline uint64_t ms_zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t ms_unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static inline uint8_t *ms_put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint8_t *ms_put_svarint(uint8_t *p, int64_t v) { return ms_put_varint(p, ms_zigzag(v)); }

static inline const uint8_t *ms_get_varint(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (p >= end)
			return NULL;
		uint8_t b = *p++;
		if (shift == 63 && b > 1)
			return NULL; /* more than 64 bits */
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return p;
		}
	}
	return NULL;
}

static inline const uint8_t *ms_get_svarint(const uint8_t *p, const uint8_t *end, int64_t *out)
{
	uint64_t u;
	p = ms_get_varint(p, end, &u);
	if (p)
		*out = ms_unzigzag(u);
	return p;
}

#endif
