/* Writes a synthetic trace with N distinct call stacks (the HTML report's
 * size test), with the real encoders through tests/unit/tracegen.h.
 * usage: gen_many_stacks OUT.mst N [S]
 *
 * Stack i (1..N) has three frames, innermost first: a leaf of its own
 * (0x7100000000 + 16 i), one of 100 middles (0x7200000000 + 16 (i % 100)),
 * one shared root (0x7300000000). Allocation i: ts 2000 + 10 i, 16 (1 + i % 97)
 * bytes; then every even i is freed at ts 2000 + 10 (N + i). A COUNTERS
 * sample (RSS = live bytes + 1 MiB) follows every 1000th allocation. With
 * S > 0, an interval snapshot k (1..S, no label, no scan) follows
 * allocation k * (N / S), at its ts + 5. The e2e test recomputes every
 * figure from these rules. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "scangen.h"
#include "tracegen.h"

#define EVENTS_PER_FRAME 20000

/* A writer record ends the chunk: the thread's events go on in a new one. */
static void counters(struct tg *t, uint64_t ts, uint64_t rss, uint64_t tid)
{
	uint64_t v[MS_CTR__COUNT] = {rss, rss};
	tg_done(t, ms_enc_counters(tg_room(t, 1 + (2 + MS_CTR__COUNT) * MS_VARINT_MAX), ts, v, MS_CTR__COUNT));
	tg_chunk(t, tid, ts);
}

/* An interval snapshot of the live set after every event before ts. */
static void snapshot(struct tg *t, uint64_t ts, uint64_t id, uint64_t blocks, uint64_t bytes, uint64_t tid)
{
	tg_round(t, ts);
	tg_snapshot(t, ts, id, MS_SNAP_INTERVAL, "", blocks, bytes);
	tg_chunk(t, tid, ts);
}

/* Ends a frame at a round boundary: every event before ts is in the file. */
static void cut(struct tg *t, uint64_t ts, uint64_t tid)
{
	tg_round(t, ts);
	tg_frame(t);
	tg_chunk(t, tid, ts);
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: gen_many_stacks OUT.mst N [S]\n");
		return 2;
	}
	uint64_t n = strtoull(argv[2], NULL, 10), live = 0, tid = 77;
	uint64_t snaps = argc == 4 ? strtoull(argv[3], NULL, 10) : 0, every = snaps ? n / snaps : 0;
	struct ms_trace_header h = tg_header();
	struct tg t;
	tg_open(&t, argv[1], &h);
	tg_chunk(&t, tid, 1000);
	tg_thread(&t, 1000, "synth");
	for (uint64_t i = 1; i <= n; i++) {
		uintptr_t ips[3] = {0x7100000000 + 16 * i, 0x7200000000 + 16 * (i % 100), 0x7300000000};
		uint64_t ts = 2000 + 10 * i, size = 16 * (1 + i % 97);
		tg_stack(&t, i, ips, 3);
		tg_alloc(&t, ts, 0x10000000 + 64 * i, size, i);
		live += size;
		if (i % 1000 == 0)
			counters(&t, ts, live + (1u << 20), tid);
		if (every && i % every == 0 && i / every <= snaps)
			snapshot(&t, ts + 5, i / every, i, live, tid);
		if (i % EVENTS_PER_FRAME == 0)
			cut(&t, ts + 1, tid);
	}
	for (uint64_t i = 2; i <= n; i += 2) {
		uint64_t ts = 2000 + 10 * (n + i);
		tg_free(&t, ts, 0x10000000 + 64 * i);
		live -= 16 * (1 + i % 97);
		if (i % EVENTS_PER_FRAME == 0)
			cut(&t, ts + 1, tid);
	}
	tg_round(&t, 2000 + 10 * (2 * n + 1));
	tg_end(&t, 2000 + 10 * (2 * n + 1), MS_END_EXIT, 0, live + (1u << 20));
	tg_close(&t);
	return 0;
}
