/* Damaged input: a trace cut at every byte of its last frame reads up to the
 * previous frame and is flagged truncated; flipped bytes give an error or a
 * partial model, never a crash; random record bytes inside valid frames are
 * rejected cleanly; foreign, empty, newer-version and header-only files get
 * their own error codes. */
#include <errno.h>
#include <sys/stat.h>

#include "analysis/model.h"
#include "assert.h"
#include "trace/read.h"
#include "tracegen.h"

static const char *path = "test_trace_damage.mst";
static const char *cut = "test_trace_damage.cut.mst";

static uint8_t *file;
static long file_len;
static long frame_end[3]; /* file offset after each frame */

static void write_trace(void)
{
	struct tg t;
	struct ms_trace_header h = tg_header();
	tg_open(&t, path, &h);
	uint64_t ts = 2000, addr = 0x10000;
	for (int f = 0; f < 3; f++) {
		tg_chunk(&t, 1, ts);
		for (int i = 0; i < 50; i++, ts++, addr += 64)
			tg_alloc(&t, ts, addr, 32, (uint64_t)i % 5);
		tg_round(&t, ts);
		if (f == 2)
			tg_end(&t, ts, MS_END_EXIT, 0, 0);
		tg_frame(&t);
		fflush(t.f);
		frame_end[f] = ftell(t.f);
	}
	tg_close(&t);
	file_len = tg_file_size(path);
	ASSERT_EQ_I64(file_len, frame_end[2]);
	FILE *fp = fopen(path, "rb");
	file = malloc((size_t)file_len);
	ASSERT_TRUE(fread(file, 1, (size_t)file_len, fp) == (size_t)file_len);
	fclose(fp);
}

static void write_bytes(const char *p, const uint8_t *b, size_t n)
{
	FILE *f = fopen(p, "wb");
	ASSERT_TRUE(f && fwrite(b, 1, n, f) == n);
	fclose(f);
}

static int replay(const char *p, struct ms_model *m)
{
	ms_model_init(m);
	return ms_replay_file(m, p);
}

static void test_truncation(void)
{
	struct ms_model m;
	ASSERT_EQ_I64(replay(path, &m), 0);
	ASSERT_EQ_U64(m.summary.allocations, 150);
	ASSERT_TRUE(!m.summary.truncated);
	ms_model_release(&m);
	for (long n = frame_end[1]; n < file_len; n++) {
		write_bytes(cut, file, (size_t)n);
		int rc = replay(cut, &m);
		if (rc != 0 || m.frames != 2 || m.summary.allocations != 100 || !m.summary.truncated)
			MS_FAIL_AT("cut at %ld: rc %d frames %u allocations %" PRIu64, n, rc, m.frames,
			           m.summary.allocations);
		ASSERT_EQ_U64(m.summary.end, n == frame_end[1] ? MS_ENDK_KILLED : MS_ENDK_TRUNCATED);
		ms_model_release(&m);
	}
	/* a cut in the first frame leaves nothing to read */
	write_bytes(cut, file, (size_t)frame_end[0] - 1);
	ASSERT_EQ_I64(replay(cut, &m), MS_TRACE_E_NODATA);
	ms_model_release(&m);
	/* cuts inside the header */
	for (long n = 1; n < MS_TRACE_HEADER_SIZE; n++) {
		write_bytes(cut, file, (size_t)n);
		ASSERT_EQ_I64(replay(cut, &m), n < 8 ? MS_TRACE_E_FOREIGN : MS_TRACE_E_HEADER);
		ms_model_release(&m);
	}
}

static void test_flips(void)
{
	uint8_t *copy = malloc((size_t)file_len);
	/* every byte of the middle frame, three patterns each */
	for (long i = frame_end[0]; i < frame_end[1]; i++) {
		for (int k = 0; k < 3; k++) {
			static const uint8_t x[3] = {0xff, 0x01, 0x80};
			memcpy(copy, file, (size_t)file_len);
			copy[i] ^= x[k];
			write_bytes(cut, copy, (size_t)file_len);
			struct ms_model m;
			int rc = replay(cut, &m);
			bool corrupt = rc == MS_TRACE_E_CORRUPT && m.frames == 1;
			bool cut_short = rc == 0 && m.frames == 1 && m.summary.truncated;
			/* a few zstd bits do not change the content (the checksum
			 * then matches): the data read must be exactly the original */
			bool harmless = rc == 0 && m.frames == 3 && m.summary.allocations == 150 && !m.summary.truncated;
			if (!corrupt && !cut_short && !harmless)
				MS_FAIL_AT("flip 0x%02x at %ld: rc %d frames %u", x[k], i, rc, m.frames);
			if (!harmless)
				ASSERT_EQ_U64(m.summary.allocations, 50);
			ms_model_release(&m);
		}
	}
	/* anywhere in the file: never a crash */
	for (long i = 0; i < file_len; i++) {
		memcpy(copy, file, (size_t)file_len);
		copy[i] ^= 0x5a;
		write_bytes(cut, copy, (size_t)file_len);
		struct ms_model m;
		replay(cut, &m);
		ms_model_release(&m);
	}
	free(copy);
}

static uint8_t next_random(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint8_t)(*seed >> 56);
}

/* Replays the trace at cut: it must end cleanly, whole or corrupt. */
static void replay_cleanly(void)
{
	struct ms_model m;
	int rc = replay(cut, &m);
	ASSERT_TRUE(rc == 0 || rc == MS_TRACE_E_CORRUPT);
	ms_model_release(&m);
}

/* Valid frames holding random record bytes: decoding must stop cleanly.
 * (Version 4 frames: random bytes are not records a version 5 frame could
 * be split from; test_random_columns feeds those.) */
static void test_random_records(void)
{
	uint64_t seed = 12345;
	for (int iter = 0; iter < 3000; iter++) {
		struct tg t;
		struct ms_trace_header h = tg_header();
		h.version = 4;
		tg_open(&t, cut, &h);
		size_t n = 1 + (size_t)(seed % 300);
		uint8_t *p = tg_room(&t, n + 16);
		if (iter & 1)
			p = ms_enc_chunk(p, &t.st, 1, 100);
		for (size_t i = 0; i < n; i++) {
			uint8_t b = next_random(&seed);
			*p++ = (i % 7 == 0) ? (uint8_t)(b % 0x19) : b; /* often a real tag */
		}
		tg_done(&t, p);
		tg_close(&t);
		replay_cleanly();
	}
}

/* Version 5 frames whose payload is a directory of random stream lengths
 * and random bytes, or random bytes alone: the join or the decoding must
 * stop cleanly. */
static void test_random_columns(void)
{
	uint64_t seed = 777;
	for (int iter = 0; iter < 3000; iter++) {
		struct tg t;
		struct ms_trace_header h = tg_header();
		tg_open(&t, cut, &h);
		t.columns = false; /* the payload as written below */
		size_t n = 1 + (size_t)(seed % 300), len[MS_COL_STREAMS] = {0};
		for (size_t left = n, k = 0; k < MS_COL_STREAMS; k++) {
			next_random(&seed);
			len[k] = k == MS_COL_STREAMS - 1 ? left : (seed >> 40) % (left + 1);
			left -= len[k];
		}
		uint8_t *p = tg_room(&t, MS_COL_DIR_MAX + n);
		if (iter % 3)
			p = ms_col_directory(p, len);
		for (size_t i = 0; i < n; i++) {
			uint8_t b = next_random(&seed);
			*p++ = (i % 5 == 0) ? (uint8_t)(b % 0x20) : (iter & 1) ? b : b & 0x7f;
		}
		tg_done(&t, p);
		tg_close(&t);
		replay_cleanly();
	}
}

static void test_bad_files(void)
{
	struct ms_model m;
	struct ms_trace_reader r;
	write_bytes(cut, (const uint8_t *)"", 0);
	ASSERT_EQ_I64(replay(cut, &m), MS_TRACE_E_EMPTY);
	ms_model_release(&m);
	write_bytes(cut, (const uint8_t *)"#!/bin/sh\necho hello\n", 21);
	ASSERT_EQ_I64(replay(cut, &m), MS_TRACE_E_FOREIGN);
	ms_model_release(&m);
	ASSERT_EQ_I64(replay("no-such-trace.mst", &m), -ENOENT);
	ms_model_release(&m);
	ASSERT_EQ_I64(replay(".", &m), -EISDIR);
	ms_model_release(&m);

	uint8_t hdr[MS_TRACE_HEADER_SIZE];
	memcpy(hdr, file, sizeof(hdr));
	write_bytes(cut, hdr, sizeof(hdr));
	ASSERT_EQ_I64(replay(cut, &m), MS_TRACE_E_NODATA);
	ms_model_release(&m);

	hdr[8] = 9; /* version 9 */
	write_bytes(cut, hdr, sizeof(hdr));
	ms_trace_reader_init(&r);
	ASSERT_EQ_I64(ms_trace_reader_open(&r, cut), MS_TRACE_E_VERSION);
	ASSERT_EQ_U64(r.hdr.version, 9);
	char msg[512], want[128];
	ms_trace_error_message(msg, sizeof(msg), "x.mst", MS_TRACE_E_VERSION, &r.hdr, 0);
	snprintf(want, sizeof want, "trace 'x.mst' is version 9, this memscope reads up to %d; upgrade memscope",
	         MS_TRACE_VERSION);
	ASSERT_EQ_STR(msg, want);
	ms_trace_reader_release(&r);

	/* another architecture, another pointer size */
	memcpy(hdr, file, sizeof(hdr));
	hdr[12] = 183;
	write_bytes(cut, hdr, sizeof(hdr));
	ASSERT_EQ_I64(replay(cut, &m), MS_TRACE_E_ARCH);
	ms_trace_error_message(msg, sizeof(msg), "x.mst", MS_TRACE_E_ARCH, &m.hdr, 0);
	ASSERT_EQ_STR(msg, "trace 'x.mst' was recorded on another architecture (ELF machine 183, 8-byte pointers); "
	                   "report it on a machine of that kind");
	ms_model_release(&m);
	memcpy(hdr, file, sizeof(hdr));
	hdr[14] = 4;
	write_bytes(cut, hdr, sizeof(hdr));
	ASSERT_EQ_I64(replay(cut, &m), MS_TRACE_E_ARCH);
	ms_model_release(&m);

	/* a frame header claiming 72 MiB in a tiny file: truncated, no allocation */
	uint8_t big[MS_TRACE_HEADER_SIZE + 8];
	memcpy(big, file, MS_TRACE_HEADER_SIZE);
	uint32_t cs = MS_FRAME_MAX_COMPRESSED, rs = MS_FRAME_MAX_RAW;
	memcpy(big + 64, &cs, 4);
	memcpy(big + 68, &rs, 4);
	write_bytes(cut, big, sizeof(big));
	ms_trace_reader_init(&r);
	ASSERT_EQ_I64(ms_trace_reader_open(&r, cut), 0);
	struct ms_record rec;
	ASSERT_EQ_I64(ms_trace_reader_next(&r, &rec), 0);
	ASSERT_TRUE(r.truncated);
	ASSERT_EQ_U64(r.ccap, 0);
	ms_trace_reader_release(&r);
	/* over the limit: corrupt */
	cs = MS_FRAME_MAX_COMPRESSED + 1;
	memcpy(big + 64, &cs, 4);
	write_bytes(cut, big, sizeof(big));
	ASSERT_EQ_I64(replay(cut, &m), MS_TRACE_E_CORRUPT);
	ms_model_release(&m);

	/* a chunk event at the start of a frame, with no CHUNK: corrupt */
	struct tg t;
	struct ms_trace_header h = tg_header();
	tg_open(&t, cut, &h);
	tg_chunk(&t, 1, 100);
	tg_alloc(&t, 100, 0x10, 8, 1);
	tg_frame(&t);
	tg_alloc(&t, 101, 0x20, 8, 1);
	tg_close(&t);
	ASSERT_EQ_I64(replay(cut, &m), MS_TRACE_E_CORRUPT);
	ASSERT_EQ_U64(m.frames, 1);
	ASSERT_EQ_U64(m.summary.allocations, 1);
	ms_model_release(&m);
}

int main(void)
{
	write_trace();
	test_truncation();
	test_flips();
	test_random_records();
	test_random_columns();
	test_bad_files();
	free(file);
	remove(path);
	remove(cut);
	puts("ok");
	return 0;
}
