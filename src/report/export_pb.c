/* The protocol buffers encoder; see export_pb.h. */
#include "report/export_pb.h"

#include <stdlib.h>
#include <string.h>

void ms_pb_init(struct ms_pb *b) { memset(b, 0, sizeof(*b)); }

void ms_pb_release(struct ms_pb *b)
{
	free(b->buf);
	ms_pb_init(b);
}

void ms_pb_clear(struct ms_pb *b) { b->len = 0; }

/* Room for n more bytes; false (and b->failed) when out of memory. */
static bool reserve(struct ms_pb *b, size_t n)
{
	if (b->failed)
		return false;
	if (b->len + n <= b->cap)
		return true;
	size_t c = b->cap ? b->cap : 256;
	while (c < b->len + n)
		c *= 2;
	uint8_t *p = realloc(b->buf, c);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->buf = p;
	b->cap = c;
	return true;
}

void ms_pb_varint(struct ms_pb *b, uint64_t v)
{
	if (!reserve(b, 10))
		return;
	while (v >= 0x80) {
		b->buf[b->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->buf[b->len++] = (uint8_t)v;
}

static void tag(struct ms_pb *b, uint32_t field, enum ms_pb_wire w) { ms_pb_varint(b, (uint64_t)field << 3 | w); }

void ms_pb_uint(struct ms_pb *b, uint32_t field, uint64_t v)
{
	tag(b, field, MS_PB_VARINT);
	ms_pb_varint(b, v);
}

void ms_pb_int(struct ms_pb *b, uint32_t field, int64_t v) { ms_pb_uint(b, field, (uint64_t)v); }

void ms_pb_uint_nz(struct ms_pb *b, uint32_t field, uint64_t v)
{
	if (v)
		ms_pb_uint(b, field, v);
}

void ms_pb_bytes(struct ms_pb *b, uint32_t field, const void *p, size_t n)
{
	tag(b, field, MS_PB_LEN);
	ms_pb_varint(b, n);
	if (n && reserve(b, n)) {
		memcpy(b->buf + b->len, p, n);
		b->len += n;
	}
}

void ms_pb_message(struct ms_pb *b, uint32_t field, const struct ms_pb *msg)
{
	if (msg->failed)
		b->failed = true;
	ms_pb_bytes(b, field, msg->buf, msg->len);
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

void ms_pb_packed(struct ms_pb *b, uint32_t field, const uint64_t *v, size_t n)
{
	if (!n)
		return;
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += varint_len(v[i]);
	tag(b, field, MS_PB_LEN);
	ms_pb_varint(b, len);
	for (size_t i = 0; i < n; i++)
		ms_pb_varint(b, v[i]);
}
