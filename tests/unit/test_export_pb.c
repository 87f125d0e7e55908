/* The exports' protobuf writer and string table: messages built with
 * export_pb.h are decoded again by a small independent decoder written
 * from the wire format (varint keys, wire types 0 and 2), field by field. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "assert.h"
#include "report/export_pb.h"
#include "report/export_strtab.h"

struct field {
	uint32_t num, wire;
	uint64_t v;         /* wire type 0 */
	const uint8_t *p;   /* wire type 2 */
	size_t n;
};

/* Reads a varint at *pos; returns 0, or -1 past end or after 10 bytes. */
static int get_varint(const uint8_t *b, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (*pos >= len)
			return -1;
		uint8_t c = b[(*pos)++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* Decodes every field of a message into f[0..max); returns their count or -1. */
static int decode(const uint8_t *b, size_t len, struct field *f, int max)
{
	size_t pos = 0;
	int n = 0;
	while (pos < len) {
		uint64_t key;
		if (n == max || get_varint(b, len, &pos, &key))
			return -1;
		f[n].num = (uint32_t)(key >> 3);
		f[n].wire = key & 7;
		if (f[n].wire == 0) {
			if (get_varint(b, len, &pos, &f[n].v))
				return -1;
		} else if (f[n].wire == 2) {
			uint64_t l;
			if (get_varint(b, len, &pos, &l) || l > len - pos)
				return -1;
			f[n].p = b + pos;
			f[n].n = (size_t)l;
			pos += (size_t)l;
		} else {
			return -1;
		}
		n++;
	}
	return n;
}

static void test_varints(void)
{
	struct ms_pb b;
	ms_pb_init(&b);
	ms_pb_varint(&b, 0);
	ms_pb_varint(&b, 127);
	ms_pb_varint(&b, 128);
	ms_pb_varint(&b, 300);
	ms_pb_varint(&b, UINT64_MAX);
	/* 300 = 0b1_0010_1100: low 7 bits 0x2c with the continuation bit, then 2 */
	const uint8_t want[] = {0x00, 0x7f, 0x80, 0x01, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff,
	                        0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	ASSERT_EQ_U64(b.len, sizeof(want));
	ASSERT_EQ_MEM(b.buf, want, sizeof(want));
	ASSERT_TRUE(!b.failed);
	ms_pb_release(&b);
}

static void test_fields(void)
{
	struct ms_pb b, sub;
	ms_pb_init(&b);
	ms_pb_init(&sub);
	ms_pb_uint(&b, 1, 0);           /* kept: a plain uint is always written */
	ms_pb_uint_nz(&b, 2, 0);        /* left out */
	ms_pb_uint_nz(&b, 3, 1u << 20);
	ms_pb_int(&b, 4, -2);           /* int64: ten bytes, two's complement */
	ms_pb_bytes(&b, 5, "", 0);      /* an empty string is still a field */
	ms_pb_bytes(&b, 6, "alloc_space", 11);
	uint64_t packed[] = {1, 300, 0, 1ull << 40};
	ms_pb_packed(&b, 7, packed, 4);
	ms_pb_packed(&b, 8, packed, 0); /* nothing */
	ms_pb_uint(&sub, 1, 7);
	ms_pb_bytes(&sub, 2, "x", 1);
	ms_pb_message(&b, 9, &sub);
	ms_pb_uint(&b, 200, 5);          /* a two-byte key */
	ASSERT_TRUE(!b.failed);

	struct field f[16];
	int n = decode(b.buf, b.len, f, 16);
	ASSERT_EQ_I64(n, 8);
	ASSERT_EQ_U64(f[0].num, 1);
	ASSERT_EQ_U64(f[0].wire, 0);
	ASSERT_EQ_U64(f[0].v, 0);
	ASSERT_EQ_U64(f[1].num, 3);
	ASSERT_EQ_U64(f[1].v, 1u << 20);
	ASSERT_EQ_U64(f[2].num, 4);
	ASSERT_EQ_I64((int64_t)f[2].v, -2);
	ASSERT_EQ_U64(f[3].num, 5);
	ASSERT_EQ_U64(f[3].wire, 2);
	ASSERT_EQ_U64(f[3].n, 0);
	ASSERT_EQ_U64(f[4].num, 6);
	ASSERT_EQ_U64(f[4].n, 11);
	ASSERT_EQ_MEM(f[4].p, "alloc_space", 11);
	ASSERT_EQ_U64(f[5].num, 7);
	ASSERT_EQ_U64(f[5].wire, 2);
	size_t pos = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t v;
		ASSERT_TRUE(get_varint(f[5].p, f[5].n, &pos, &v) == 0);
		ASSERT_EQ_U64(v, packed[i]);
	}
	ASSERT_EQ_U64(pos, f[5].n);
	ASSERT_EQ_U64(f[6].num, 9);
	struct field g[4];
	ASSERT_EQ_I64(decode(f[6].p, f[6].n, g, 4), 2);
	ASSERT_EQ_U64(g[0].num, 1);
	ASSERT_EQ_U64(g[0].v, 7);
	ASSERT_EQ_U64(g[1].num, 2);
	ASSERT_EQ_MEM(g[1].p, "x", 1);
	ASSERT_EQ_U64(f[7].num, 200);
	ASSERT_EQ_U64(f[7].v, 5);

	/* clear keeps the memory, empties the content */
	ms_pb_clear(&sub);
	ASSERT_EQ_U64(sub.len, 0);
	ms_pb_release(&sub);
	ms_pb_release(&b);
}

static void test_large_message(void)
{
	/* a message longer than 127 bytes needs a two-byte length */
	struct ms_pb b, sub;
	ms_pb_init(&b);
	ms_pb_init(&sub);
	char s[1000];
	memset(s, 'a', sizeof(s));
	for (int i = 0; i < 50; i++)
		ms_pb_bytes(&sub, 1, s, sizeof(s));
	ms_pb_message(&b, 2, &sub);
	struct field f[2];
	ASSERT_EQ_I64(decode(b.buf, b.len, f, 2), 1);
	ASSERT_EQ_U64(f[0].n, sub.len);
	struct field g[64];
	ASSERT_EQ_I64(decode(f[0].p, f[0].n, g, 64), 50);
	ASSERT_EQ_U64(g[49].n, 1000);
	ms_pb_release(&sub);
	ms_pb_release(&b);
}

static void test_strtab(void)
{
	struct ms_strtab t;
	ms_strtab_init(&t);
	ASSERT_EQ_I64(ms_strtab_find(&t, ""), -1);
	ASSERT_EQ_I64(ms_strtab_add(&t, ""), 0);
	ASSERT_EQ_I64(ms_strtab_add(&t, "main"), 1);
	ASSERT_EQ_I64(ms_strtab_add(&t, ""), 0);
	ASSERT_EQ_I64(ms_strtab_add(&t, "main"), 1);
	char buf[32];
	/* enough strings to grow the table several times */
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "f%d", i);
		ASSERT_EQ_I64(ms_strtab_add(&t, buf), 2 + i);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "f%d", i);
		ASSERT_EQ_I64(ms_strtab_find(&t, buf), 2 + i);
		ASSERT_EQ_STR(t.strs[2 + i], buf);
	}
	ASSERT_EQ_U64(t.n, 5002);
	ASSERT_EQ_STR(t.strs[1], "main");
	ms_strtab_release(&t);
	ASSERT_EQ_U64(t.n, 0);
}

int main(void)
{
	test_varints();
	test_fields();
	test_large_message();
	test_strtab();
	puts("test_export_pb: ok");
	return 0;
}
