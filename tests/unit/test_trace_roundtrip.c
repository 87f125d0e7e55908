/* Every record type written with encode.h/write.c reads back with the same
 * values through read.c, including negative deltas and chunk state resets
 * at frame boundaries. */
#include "assert.h"
#include "trace/read.h"
#include "tracegen.h"

static const char *path = "test_trace_roundtrip.mst";

static void next(struct ms_trace_reader *r, struct ms_record *rec, uint8_t tag)
{
	int rc = ms_trace_reader_next(r, rec);
	ASSERT_EQ_I64(rc, 1);
	ASSERT_EQ_U64(rec->tag, tag);
}

static void write_trace(void)
{
	struct tg t;
	struct ms_trace_header h = tg_header();
	h.flags = MS_HDR_FORKED;
	tg_open(&t, path, &h);
	struct ms_enc_segment seg[2] = {{0, 0x1000, 5}, {0x2000, 0x500, 6}};
	const uint8_t bid[4] = {0xde, 0xad, 0xbe, 0xef};
	uint8_t *p = tg_room(&t, ms_enc_module_max(8, 4, 2));
	tg_done(&t, ms_enc_module_load(p, 1100, 7, 0x555500000000, "/bin/ls", 7, bid, 4, seg, 2));
	p = tg_room(&t, 200);
	p = ms_enc_process_begin(p, "/bin/ls", 7, 3);
	p = ms_enc_string(p, "ls", 2);
	p = ms_enc_string(p, "-l", 2);
	p = ms_enc_string(p, "", 0);
	tg_done(&t, p);
	tg_done(&t, ms_enc_clock_sync(tg_room(&t, 40), 1200, 55, 66));
	uint64_t ctr[2] = {1 << 20, 3 << 20};
	tg_done(&t, ms_enc_counters(tg_room(&t, 40), 1300, ctr, 2));
	tg_chunk(&t, 99, 2000);
	tg_thread(&t, 2001, "worker");
	tg_alloc(&t, 2005, 0x10000, 48, 3);
	tg_free(&t, 2003, 0x8000);   /* ts and address go backwards */
	tg_realloc(&t, 2010, 2012, 0x20000, 0x10000, 96, 4);
	uintptr_t ips[3] = {0x555500001234, 0x555500000100, 0x7f0000000000};
	tg_stack(&t, 3, ips, 3);
	tg_done(&t, ms_enc_thread_exit(tg_room(&t, 20), &t.st, 2020));
	tg_round(&t, 2021);
	tg_done(&t, ms_enc_module_unload(tg_room(&t, 30), 2030, 7));
	tg_done(&t, ms_enc_exec(tg_room(&t, 30), 2040, "/bin/sh", 7));
	tg_done(&t, ms_enc_exec_failed(tg_room(&t, 30), 2041));
	tg_frame(&t);
	/* frame 2: a fresh chunk, then END */
	tg_chunk(&t, 100, 3000);
	tg_alloc(&t, 3000, 0xfffffffffff0, 1, 0);
	tg_alloc(&t, 3001, 0x5000, 8, 2);
	/* by reference: the 2nd last allocation, the last one, then an
	 * allocation at the 2nd last free's address */
	tg_done(&t, ms_enc_free_ref(tg_room(&t, MS_ENC_FREE_MAX), &t.st, 3002, 2, 0xfffffffffff0));
	tg_done(&t, ms_enc_free_ref(tg_room(&t, MS_ENC_FREE_MAX), &t.st, 3003, 1, 0x5000));
	tg_done(&t, ms_enc_alloc_ref(tg_room(&t, MS_ENC_ALLOC_MAX), &t.st, 3004, 2, 0xfffffffffff0, 24, 5));
	tg_free(&t, 3005, 0xfffffffffff8); /* a plain delta after a reference */
	/* size classes: 40 and 33 bytes are both class 3, 24 is class 2. Two
	 * FREE_REFs push 0x9000 then 0xa000 on class 3, one pushes 0xb000 on
	 * class 2; ALLOC_TOPs take them back last in, first out. */
	tg_alloc(&t, 3010, 0x9000, 40, 1);
	tg_alloc(&t, 3011, 0xa000, 33, 1);
	tg_alloc(&t, 3012, 0xb000, 24, 1);
	tg_done(&t, ms_enc_free_ref(tg_room(&t, MS_ENC_FREE_MAX), &t.st, 3013, 3, 0x9000));
	tg_done(&t, ms_enc_free_ref(tg_room(&t, MS_ENC_FREE_MAX), &t.st, 3014, 2, 0xa000));
	tg_done(&t, ms_enc_free_ref(tg_room(&t, MS_ENC_FREE_MAX), &t.st, 3015, 1, 0xb000));
	tg_done(&t, ms_enc_alloc_top(tg_room(&t, MS_ENC_ALLOC_MAX), &t.st, 3016, 0xa000, 39, 6));
	tg_done(&t, ms_enc_alloc_top(tg_room(&t, MS_ENC_ALLOC_MAX), &t.st, 3017, 0xb000, 1, 6));
	tg_done(&t, ms_enc_alloc_top(tg_room(&t, MS_ENC_ALLOC_MAX), &t.st, 3018, 0x9000, 40, 6));
	/* an ALLOC_TOP is an allocation a FREE_REF can name */
	tg_done(&t, ms_enc_free_ref(tg_room(&t, MS_ENC_FREE_MAX), &t.st, 3019, 2, 0xb000));
	tg_end(&t, 3100, MS_END__EXIT, 3, 4 << 20);
	tg_close(&t);
}

/* A trace of the given version at path, its first chunk begun. */
static void open_version(struct tg *t, uint16_t version)
{
	struct ms_trace_header h = tg_header();
	h.version = version;
	tg_open(t, path, &h);
	tg_chunk(t, 1, 10);
}

/* Closes t, then reads its records up to the n-th of tag: returns 1 with
 * that record in rec, or the reader's code when it stops before. */
static int read_to(struct tg *t, uint8_t tag, int n, struct ms_record *rec)
{
	tg_end(t, 20, MS_END_EXIT, 0, 0);
	tg_close(t);
	struct ms_trace_reader r;
	ms_trace_reader_init(&r);
	ASSERT_EQ_I64(ms_trace_reader_open(&r, path), 0);
	int rc, seen = 0;
	while ((rc = ms_trace_reader_next(&r, rec)) == 1 && !(rec->tag == tag && ++seen == n))
		;
	ms_trace_reader_release(&r);
	remove(path);
	return rc;
}

/* A reference past the chunk's start, or of 0, is corrupt data, as is one
 * in a version 2 trace; the chunk's lists start empty at every CHUNK. */
static void bad_reference(uint16_t version, int chunks, uint32_t back)
{
	struct tg t;
	open_version(&t, version);
	tg_alloc(&t, 11, 0x1000, 8, 0);
	if (chunks == 2)
		tg_chunk(&t, 1, 12);
	/* by hand: the encoder writes a plain FREE for back 0 */
	uint8_t *p = tg_room(&t, MS_ENC_FREE_MAX);
	*p++ = MS_REC_FREE_REF;
	p = ms_enc_dts(p, &t.st, 13);
	tg_done(&t, ms_put_varint(p, back));
	struct ms_record rec;
	int rc = read_to(&t, MS_REC_FREE, 1, &rec);
	if (version >= 3 && chunks == 1 && back == 1) {
		ASSERT_EQ_I64(rc, 1);
		ASSERT_EQ_U64(rec.u.free.addr, 0x1000);
	} else {
		ASSERT_EQ_I64(rc, MS_TRACE_E_CORRUPT);
	}
}

/* ALLOC_TOP: the class must hold an entry of this chunk (the FREE_REF was
 * in it, of an allocation of that class), and the trace be of version 4. */
static void alloc_top(uint16_t version, int chunks, uint64_t size)
{
	struct tg t;
	open_version(&t, version);
	tg_alloc(&t, 11, 0x1000, 100, 0);
	tg_done(&t, ms_enc_free_ref(tg_room(&t, MS_ENC_FREE_MAX), &t.st, 12, 1, 0x1000));
	if (chunks == 2)
		tg_chunk(&t, 1, 12);
	tg_done(&t, ms_enc_alloc_top(tg_room(&t, MS_ENC_ALLOC_MAX), &t.st, 13, 0x1000, size, 0));
	struct ms_record rec;
	int rc = read_to(&t, MS_REC_ALLOC, 2, &rec);
	if (version >= 4 && chunks == 1 && ms_size_class(size) == ms_size_class(100)) {
		ASSERT_EQ_I64(rc, 1);
		ASSERT_EQ_U64(rec.u.alloc.addr, 0x1000);
	} else {
		ASSERT_EQ_I64(rc, MS_TRACE_E_CORRUPT);
	}
}

static void bad_references(void)
{
	alloc_top(4, 1, 104); /* the good one: 100 and 104 bytes are class 7 */
	alloc_top(4, 1, 105); /* class 8 has no entry */
	alloc_top(4, 2, 100); /* the entry was of the chunk before */
	alloc_top(3, 1, 100);

	bad_reference(3, 1, 1); /* the good one */
	bad_reference(3, 1, 0);
	bad_reference(3, 1, 2);
	bad_reference(3, 2, 1); /* the allocation was in the chunk before */
	bad_reference(2, 1, 1);
}

/* Writes one column frame whose payload is p[0, n) as it is, then reads
 * its records into rec[]: returns the reader's last code, *got the records. */
static int read_payload(const uint8_t *p, size_t n, struct ms_record *rec, int max, int *got)
{
	struct tg t;
	struct ms_trace_header h = tg_header();
	tg_open(&t, path, &h);
	t.columns = false; /* the payload as written below */
	memcpy(tg_room(&t, n), p, n);
	tg_done(&t, t.raw + n);
	tg_close(&t);
	struct ms_trace_reader r;
	ms_trace_reader_init(&r);
	ASSERT_EQ_I64(ms_trace_reader_open(&r, path), 0);
	int rc;
	*got = 0;
	static uint64_t ips[16]; /* a record's arrays last only until the reader moves on */
	while (*got < max && (rc = ms_trace_reader_next(&r, &rec[*got])) == 1) {
		if (rec[*got].tag == MS_REC_STACK && rec[*got].u.stack.n <= 16) {
			memcpy(ips, rec[*got].u.stack.ips, rec[*got].u.stack.n * sizeof *ips);
			rec[*got].u.stack.ips = ips;
		}
		++*got;
	}
	ms_trace_reader_release(&r);
	remove(path);
	return rc;
}

/* Column frames: the reader decodes what the split wrote, each field from
 * its stream; the split refuses a cut record, the reader a directory that
 * does not fill the payload or a stream left with bytes. */
static void columns(void)
{
	uint8_t rec[256], *p = rec, s[MS_COL_STREAMS][256], payload[512];
	struct ms_enc_state st = {0};
	p = ms_enc_chunk(p, &st, 7, 100);
	p = ms_enc_alloc(p, &st, 101, 0x7f0012345670, 300, 2);
	p = ms_enc_free_ref(p, &st, 101, 1, 0x7f0012345670);
	p = ms_enc_alloc_top(p, &st, 101, 0x7f0012345670, 310, 3);
	p = ms_enc_realloc(p, &st, 102, 104, 0x7f0012345670, 0x7f0012345000, 1u << 30, 4);
	uintptr_t ips[2] = {0x401000, 0x7f0000001234};
	p = ms_enc_stack(p, 9, ips, 2);
	p = ms_enc_thread(p, &st, 105, "worker", 6);
	p = ms_enc_round(p, 200);
	size_t n = (size_t)(p - rec);
	struct ms_col_bufs b = {0};
	for (int k = 0; k < MS_COL_STREAMS; k++)
		b.s[k] = s[k];
	ASSERT_EQ_I64(ms_col_split(&b, rec, n), 0);
	ASSERT_EQ_U64(b.len[MS_COL_MAIN], 8 + 2 + 2 + 7 + 2); /* tags, chunk, stack, "worker", round */
	ASSERT_EQ_U64(b.len[MS_COL_SIZE], 3);    /* one byte of each size ... */
	ASSERT_EQ_U64(b.len[MS_COL_SIZE_HI], 1 + 1 + 4); /* ... and the rest */
	ASSERT_EQ_U64(b.len[MS_COL_STACK], 3);
	ASSERT_EQ_U64(b.len[MS_COL_ADDR], 7 + 1 + 1 + 2); /* an address, a reference, realloc's deltas 0 and -0x670 */
	ASSERT_EQ_U64(b.len[MS_COL_IPS], 4 + 7); /* 0x401000 zigzagged: 24 bits; the delta: 48 */
	uint8_t *w = ms_col_directory(payload, b.len);
	for (int k = 0; k < MS_COL_STREAMS; k++) {
		memcpy(w, b.s[k], b.len[k]);
		w += b.len[k];
	}
	size_t plen = (size_t)(w - payload);
	struct ms_record got[16];
	int ngot;
	ASSERT_EQ_I64(read_payload(payload, plen, got, 16, &ngot), 0);
	ASSERT_EQ_I64(ngot, 8);
	ASSERT_EQ_U64(got[0].tag, MS_REC_CHUNK);
	ASSERT_EQ_U64(got[0].tid, 7);
	ASSERT_EQ_U64(got[0].u.chunk.base_ts, 100);
	ASSERT_EQ_U64(got[1].tag, MS_REC_ALLOC);
	ASSERT_EQ_U64(got[1].u.alloc.addr, 0x7f0012345670);
	ASSERT_EQ_U64(got[1].u.alloc.size, 300);
	ASSERT_EQ_U64(got[1].u.alloc.stack_id, 2);
	ASSERT_EQ_U64(got[2].tag, MS_REC_FREE);
	ASSERT_EQ_U64(got[2].u.free.addr, 0x7f0012345670);
	ASSERT_EQ_U64(got[3].tag, MS_REC_ALLOC); /* the top of 310's class, that of 300 */
	ASSERT_EQ_U64(got[3].u.alloc.addr, 0x7f0012345670);
	ASSERT_EQ_U64(got[3].u.alloc.size, 310);
	ASSERT_EQ_U64(got[3].u.alloc.stack_id, 3);
	ASSERT_EQ_U64(got[4].tag, MS_REC_REALLOC);
	ASSERT_EQ_U64(got[4].u.realloc.ts_after, 104);
	ASSERT_EQ_U64(got[4].u.realloc.old_addr, 0x7f0012345670);
	ASSERT_EQ_U64(got[4].u.realloc.new_addr, 0x7f0012345000);
	ASSERT_EQ_U64(got[4].u.realloc.size, 1u << 30);
	ASSERT_EQ_U64(got[5].tag, MS_REC_STACK);
	ASSERT_EQ_U64(got[5].u.stack.n, 2);
	ASSERT_EQ_U64(got[5].u.stack.ips[1], 0x7f0000001234);
	ASSERT_EQ_U64(got[6].tag, MS_REC_THREAD);
	ASSERT_EQ_U64(got[6].tid, 7);
	ASSERT_EQ_U64(got[6].u.thread.ts, 105);
	ASSERT_EQ_U64(got[7].tag, MS_REC_ROUND);
	ASSERT_EQ_U64(got[7].u.round.watermark, 200);
	/* the last stream is short: nothing of the frame is read */
	ASSERT_EQ_I64(read_payload(payload, plen - 1, got, 16, &ngot), MS_TRACE_E_CORRUPT);
	ASSERT_EQ_I64(ngot, 0);
	/* a byte past the streams */
	payload[plen] = 0;
	ASSERT_EQ_I64(read_payload(payload, plen + 1, got, 16, &ngot), MS_TRACE_E_CORRUPT);
	ASSERT_EQ_I64(ngot, 0);
	/* a stream longer than its fields: the records, then the damage */
	size_t len2[MS_COL_STREAMS];
	memcpy(len2, b.len, sizeof len2);
	len2[MS_COL_IPS]++;
	w = ms_col_directory(payload, len2);
	for (int k = 0; k < MS_COL_STREAMS; k++) {
		memcpy(w, b.s[k], b.len[k]);
		w += b.len[k];
	}
	*w++ = 0;
	ASSERT_EQ_I64(read_payload(payload, (size_t)(w - payload), got, 16, &ngot), MS_TRACE_E_CORRUPT);
	ASSERT_EQ_I64(ngot, 8);
	ms_col_clear(&b);
	ASSERT_EQ_I64(ms_col_split(&b, rec, n - 1), -1); /* ROUND cut */
}

int main(void)
{
	columns();
	write_trace();
	struct ms_trace_reader r;
	struct ms_record rec;
	ms_trace_reader_init(&r);
	ASSERT_EQ_I64(ms_trace_reader_open(&r, path), 0);
	ASSERT_EQ_U64(r.hdr.version, MS_TRACE_VERSION);
	ASSERT_EQ_U64(r.hdr.pid, 4242);
	ASSERT_EQ_U64(r.hdr.ppid, 1);
	ASSERT_EQ_U64(r.hdr.flags, MS_HDR_FORKED);
	ASSERT_EQ_U64(r.hdr.clock_kind, MS_CLOCK_MONOTONIC_NS);
	ASSERT_EQ_U64(r.hdr.e_machine, 62);
	ASSERT_EQ_U64(r.hdr.page_size, 4096);
	ASSERT_EQ_U64(r.hdr.max_depth, 64);

	next(&r, &rec, MS_REC_MODULE_LOAD);
	ASSERT_EQ_U64(rec.u.module_load.ts, 1100);
	ASSERT_EQ_U64(rec.u.module_load.module_id, 7);
	ASSERT_EQ_U64(rec.u.module_load.load_bias, 0x555500000000);
	ASSERT_EQ_U64(rec.u.module_load.path.len, 7);
	ASSERT_EQ_MEM(rec.u.module_load.path.p, "/bin/ls", 7);
	ASSERT_EQ_U64(rec.u.module_load.build_id.len, 4);
	ASSERT_EQ_MEM(rec.u.module_load.build_id.p, "\xde\xad\xbe\xef", 4);
	ASSERT_EQ_U64(rec.u.module_load.nseg, 2);
	ASSERT_EQ_U64(rec.u.module_load.seg[3], 0x2000);
	ASSERT_EQ_U64(rec.u.module_load.seg[4], 0x500);
	ASSERT_EQ_U64(rec.u.module_load.seg[5], 6);

	next(&r, &rec, MS_REC_PROCESS);
	ASSERT_EQ_MEM(rec.u.process.exe.p, "/bin/ls", 7);
	ASSERT_EQ_U64(rec.u.process.argc, 3);
	ASSERT_EQ_MEM(rec.u.process.argv[1].p, "-l", 2);
	ASSERT_EQ_U64(rec.u.process.argv[2].len, 0);

	next(&r, &rec, MS_REC_CLOCK_SYNC);
	ASSERT_EQ_U64(rec.u.clock_sync.ts, 1200);
	ASSERT_EQ_U64(rec.u.clock_sync.mono_ns, 55);
	ASSERT_EQ_U64(rec.u.clock_sync.realtime_ns, 66);

	next(&r, &rec, MS_REC_COUNTERS);
	ASSERT_EQ_U64(rec.u.counters.ts, 1300);
	ASSERT_EQ_U64(rec.u.counters.n, 2);
	ASSERT_EQ_U64(rec.u.counters.v[1], 3 << 20);

	next(&r, &rec, MS_REC_CHUNK);
	ASSERT_EQ_U64(rec.tid, 99);
	ASSERT_EQ_U64(rec.u.chunk.base_ts, 2000);
	next(&r, &rec, MS_REC_THREAD);
	ASSERT_EQ_U64(rec.tid, 99);
	ASSERT_EQ_U64(rec.u.thread.ts, 2001);
	ASSERT_EQ_MEM(rec.u.thread.name.p, "worker", 6);
	next(&r, &rec, MS_REC_ALLOC);
	ASSERT_EQ_U64(rec.u.alloc.ts, 2005);
	ASSERT_EQ_U64(rec.u.alloc.addr, 0x10000);
	ASSERT_EQ_U64(rec.u.alloc.size, 48);
	ASSERT_EQ_U64(rec.u.alloc.stack_id, 3);
	next(&r, &rec, MS_REC_FREE);
	ASSERT_EQ_U64(rec.u.free.ts, 2003);
	ASSERT_EQ_U64(rec.u.free.addr, 0x8000);
	next(&r, &rec, MS_REC_REALLOC);
	ASSERT_EQ_U64(rec.u.realloc.ts_before, 2010);
	ASSERT_EQ_U64(rec.u.realloc.ts_after, 2012);
	ASSERT_EQ_U64(rec.u.realloc.old_addr, 0x20000);
	ASSERT_EQ_U64(rec.u.realloc.new_addr, 0x10000);
	ASSERT_EQ_U64(rec.u.realloc.size, 96);
	ASSERT_EQ_U64(rec.u.realloc.stack_id, 4);
	next(&r, &rec, MS_REC_STACK);
	ASSERT_EQ_U64(rec.u.stack.stack_id, 3);
	ASSERT_EQ_U64(rec.u.stack.n, 3);
	ASSERT_EQ_U64(rec.u.stack.ips[0], 0x555500001234);
	ASSERT_EQ_U64(rec.u.stack.ips[1], 0x555500000100);
	ASSERT_EQ_U64(rec.u.stack.ips[2], 0x7f0000000000);
	next(&r, &rec, MS_REC_THREAD_EXIT);
	ASSERT_EQ_U64(rec.u.thread_exit.ts, 2020);
	next(&r, &rec, MS_REC_ROUND);
	ASSERT_EQ_U64(rec.u.round.watermark, 2021);
	next(&r, &rec, MS_REC_MODULE_UNLOAD);
	ASSERT_EQ_U64(rec.u.module_unload.ts, 2030);
	ASSERT_EQ_U64(rec.u.module_unload.module_id, 7);
	next(&r, &rec, MS_REC_EXEC);
	ASSERT_EQ_U64(rec.u.exec.ts, 2040);
	ASSERT_EQ_MEM(rec.u.exec.path.p, "/bin/sh", 7);
	next(&r, &rec, MS_REC_EXEC_FAILED);
	ASSERT_EQ_U64(rec.u.exec_failed.ts, 2041);
	ASSERT_EQ_U64(r.frames, 1);

	next(&r, &rec, MS_REC_CHUNK);
	ASSERT_EQ_U64(rec.tid, 100);
	next(&r, &rec, MS_REC_ALLOC);
	ASSERT_EQ_U64(rec.u.alloc.addr, 0xfffffffffff0);
	ASSERT_EQ_U64(rec.u.alloc.ts, 3000);
	next(&r, &rec, MS_REC_ALLOC);
	ASSERT_EQ_U64(rec.u.alloc.addr, 0x5000);
	next(&r, &rec, MS_REC_FREE); /* FREE_REF, delivered as FREE */
	ASSERT_EQ_U64(rec.u.free.addr, 0xfffffffffff0);
	ASSERT_EQ_U64(rec.u.free.ts, 3002);
	next(&r, &rec, MS_REC_FREE);
	ASSERT_EQ_U64(rec.u.free.addr, 0x5000);
	next(&r, &rec, MS_REC_ALLOC); /* ALLOC_REF */
	ASSERT_EQ_U64(rec.u.alloc.addr, 0xfffffffffff0);
	ASSERT_EQ_U64(rec.u.alloc.ts, 3004);
	ASSERT_EQ_U64(rec.u.alloc.size, 24);
	ASSERT_EQ_U64(rec.u.alloc.stack_id, 5);
	next(&r, &rec, MS_REC_FREE);
	ASSERT_EQ_U64(rec.u.free.addr, 0xfffffffffff8);
	for (int i = 0; i < 6; i++)
		next(&r, &rec, i < 3 ? MS_REC_ALLOC : MS_REC_FREE);
	static const uint64_t top_addr[3] = {0xa000, 0xb000, 0x9000}, top_size[3] = {39, 1, 40};
	for (int i = 0; i < 3; i++) {
		next(&r, &rec, MS_REC_ALLOC); /* ALLOC_TOP */
		ASSERT_EQ_U64(rec.u.alloc.addr, top_addr[i]);
		ASSERT_EQ_U64(rec.u.alloc.size, top_size[i]);
		ASSERT_EQ_U64(rec.u.alloc.ts, 3016 + (uint64_t)i);
		ASSERT_EQ_U64(rec.u.alloc.stack_id, 6);
	}
	next(&r, &rec, MS_REC_FREE);
	ASSERT_EQ_U64(rec.u.free.addr, 0xb000);
	next(&r, &rec, MS_REC_END);
	ASSERT_EQ_U64(rec.u.end.ts, 3100);
	ASSERT_EQ_U64(rec.u.end.reason, MS_END__EXIT);
	ASSERT_EQ_U64(rec.u.end.exit_status, 3);
	ASSERT_EQ_U64(rec.u.end.peak_rss, 4 << 20);
	ASSERT_EQ_I64(ms_trace_reader_next(&r, &rec), 0);
	ASSERT_EQ_U64(r.frames, 2);
	ASSERT_TRUE(!r.truncated);
	ms_trace_reader_release(&r);
	remove(path);
	bad_references();
	puts("ok");
	return 0;
}
