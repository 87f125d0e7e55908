/* A tiny protocol buffers encoder: a growing byte buffer with varint and
 * length-delimited fields, enough for pprof's profile.proto. A nested
 * message is encoded into its own buffer first and then appended, so its
 * length is known. The buffer owns its bytes. An allocation failure sets
 * `failed` and turns later calls into no-ops: check once at the end.
 *
 * Steps: ms_pb_init(&b); ms_pb_uint(&b, 1, 42); ...; if (b.failed) ...;
 * use b.buf[0..b.len); ms_pb_release(&b). */
#ifndef MS_REPORT_EXPORT_PB_H
#define MS_REPORT_EXPORT_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ms_pb_wire { MS_PB_VARINT = 0, MS_PB_LEN = 2 };

struct ms_pb {
	uint8_t *buf;
	size_t len, cap;
	bool failed;
};

void ms_pb_init(struct ms_pb *b);
void ms_pb_release(struct ms_pb *b);
/* Empties b, keeping its memory (and its failed flag). */
void ms_pb_clear(struct ms_pb *b);

/* A raw base-128 varint (no tag). */
void ms_pb_varint(struct ms_pb *b, uint64_t v);
/* A varint field: uint64, or int64 (negative values as 10 bytes, two's
 * complement, as protobuf's int64 does), or bool. Always written, even 0. */
void ms_pb_uint(struct ms_pb *b, uint32_t field, uint64_t v);
void ms_pb_int(struct ms_pb *b, uint32_t field, int64_t v);
/* Same, but a zero is left out (proto3's default value). */
void ms_pb_uint_nz(struct ms_pb *b, uint32_t field, uint64_t v);
/* A length-delimited field: bytes, a string, or an encoded message. */
void ms_pb_bytes(struct ms_pb *b, uint32_t field, const void *p, size_t n);
void ms_pb_message(struct ms_pb *b, uint32_t field, const struct ms_pb *msg);
/* A packed repeated varint field (nothing when n == 0). */
void ms_pb_packed(struct ms_pb *b, uint32_t field, const uint64_t *v, size_t n);

#endif
