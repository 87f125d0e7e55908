/* bigtrace: writes a synthetic memscope trace of N events with the trace
 * writer's own encoders (src/trace/encode.h, write.c), to measure
 * `memscope report` on traces far larger than a benchmark run makes
 * (bench/bigtrace.sh). The mix: T threads allocating in turn from S
 * distinct call stacks (a skewed choice: a few stacks are hot, most are
 * rare), mostly short-lived blocks (a ring of R blocks per thread, 10 % freed
 * at once), 2 % of stacks long-lived (a pool of P blocks, a random one freed
 * when it is full), 1 % reallocs; addresses are reused LIFO like malloc's.
 * Live blocks are bounded by T x R + P whatever N is, so is this program's
 * memory. It works out the totals a replay must find (allocations, frees,
 * bytes, peak, leaked, temporary, stacks used) as it writes.
 *
 * usage: bigtrace [-n EVENTS] [-t THREADS] [-s STACKS] [-r RING] [-p POOL]
 *                 [-S SEED] -o TRACE
 * Prints the totals as one line of key=value pairs on stdout.
 * Built with BIGTRACE_NO_MAIN, it is a library for tests/unit/test_bigtrace.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "trace/encode.h"
#include "trace/write.h"
#include "tracegen.h" /* tests/unit: the synthetic header the tests use too */

struct bt_opts {
	uint64_t events;  /* allocations + frees to write (a realloc is both) */
	uint32_t threads;
	uint32_t stacks;  /* distinct call stacks */
	uint32_t ring;    /* short-lived blocks per thread */
	uint32_t pool;    /* long-lived blocks, all threads */
	uint64_t seed;
};

/* What a replay of the trace must report. */
struct bt_totals {
	uint64_t events, allocations, frees, bytes_allocated;
	uint64_t peak_bytes, leaked_bytes, leaked_blocks, temporary;
	uint64_t stacks_used, max_live_blocks, trace_bytes;
};

struct bt_block {
	uint64_t addr, size; /* addr 0: empty */
};

struct bt_thread {
	uint64_t tid, rng;
	struct bt_block *ring, *pool;
	uint32_t ring_pos, n_pool, cap_pool;
	uint64_t *free_cells; /* freed addresses, reused last first */
	size_t n_free, cap_free;
	uint64_t next_cell, last_alloc;
	uint8_t *buf; /* this round's chunk */
	size_t len, cap;
	struct ms_enc_state st;
};

struct bt {
	const struct bt_opts *o;
	struct bt_totals *tot;
	struct bt_thread *th;
	uint8_t *stack_seen;
	uint64_t ts, cur_bytes, live_blocks;
	FILE *f;
	ZSTD_CCtx *cctx;
	uint8_t *frame, *out; /* raw records of the frame being filled; its compressed form */
	size_t flen, fcap, outcap;
	struct ms_col_bufs cols; /* the frame split into streams (trace/columns.h) */
	size_t colcap[MS_COL_STREAMS];
};

enum { CELL = 1024, ROUND_EVENTS = 1 << 15, FRAME_RAW = 1 << 20, MAX_DEPTH = 28 };

static uint64_t next_rand(uint64_t *s) /* xorshift64* */
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static int room(uint8_t **buf, size_t *cap, size_t len, size_t need)
{
	if (len + need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 65536;
	while (c < len + need)
		c *= 2;
	uint8_t *p = realloc(*buf, c);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = c;
	return 0;
}

/* Space for one more record in thread t's chunk, starting the chunk at ts if
 * it is the round's first record. */
static uint8_t *chunk_room(struct bt *g, struct bt_thread *t, size_t need)
{
	if (room(&t->buf, &t->cap, t->len, need + MS_ENC_CHUNK_MAX))
		return NULL;
	if (!t->len)
		t->len = (size_t)(ms_enc_chunk(t->buf, &t->st, t->tid, g->ts) - t->buf);
	return t->buf + t->len;
}

/* Stack s: hot stacks are the small ids; frames shared towards the root. */
static uint64_t pick_stack(struct bt *g, struct bt_thread *t)
{
	double u = (double)(next_rand(&t->rng) >> 11) / 9007199254740992.0;
	return 1 + (uint64_t)(u * u * u * g->o->stacks);
}

static bool long_lived(uint64_t s) { return mix(s) % 50 == 0; }

static int define_stack(struct bt *g, struct bt_thread *t, uint64_t s)
{
	if (g->stack_seen[s])
		return 0;
	g->stack_seen[s] = 1;
	g->tot->stacks_used++;
	uintptr_t ips[MAX_DEPTH];
	uint32_t n = 6 + (uint32_t)(mix(s ^ 0x5bd1e995) % (MAX_DEPTH - 6));
	for (uint32_t k = 0; k < n; k++) /* the leaf differs by stack, callers are shared by groups */
		ips[k] = 0x400000 + (mix((s >> (2 * k)) * 31 + k) % 0x200000) * 4;
	uint8_t *p = chunk_room(g, t, ms_enc_stack_max(n));
	if (!p)
		return -ENOMEM;
	t->len = (size_t)(ms_enc_stack(p, s, ips, n) - t->buf);
	return 0;
}

static uint64_t new_addr(struct bt_thread *t)
{
	if (t->n_free)
		return t->free_cells[--t->n_free];
	return t->next_cell += CELL;
}

/* What the replay counts for an allocation of b (also a realloc's). */
static void account_alloc(struct bt *g, struct bt_thread *t, const struct bt_block *b)
{
	t->last_alloc = b->addr;
	g->tot->allocations++;
	g->tot->bytes_allocated += b->size;
	g->tot->events++;
	g->cur_bytes += b->size;
	if (g->cur_bytes > g->tot->peak_bytes)
		g->tot->peak_bytes = g->cur_bytes;
	if (++g->live_blocks > g->tot->max_live_blocks)
		g->tot->max_live_blocks = g->live_blocks;
}

static int alloc_block(struct bt *g, struct bt_thread *t, uint64_t s, struct bt_block *b)
{
	int rc = define_stack(g, t, s);
	uint8_t *p = rc ? NULL : chunk_room(g, t, MS_ENC_ALLOC_MAX);
	if (!p)
		return -ENOMEM;
	b->addr = new_addr(t);
	b->size = 16 + mix(s) % 497 + (next_rand(&t->rng) & 15);
	t->len = (size_t)(ms_enc_alloc(p, &t->st, g->ts++, b->addr, b->size, s) - t->buf);
	account_alloc(g, t, b);
	return 0;
}

/* The replay's bookkeeping of a free (replay.c: apply_free): temporary when
 * the thread allocated nothing since. */
static int account_free(struct bt *g, struct bt_thread *t, struct bt_block *b)
{
	if (room((uint8_t **)&t->free_cells, &t->cap_free, t->n_free * 8, 8))
		return -ENOMEM;
	t->free_cells[t->n_free++] = b->addr;
	if (t->last_alloc == b->addr) {
		g->tot->temporary++;
		t->last_alloc = 0;
	}
	g->tot->frees++;
	g->tot->events++;
	g->cur_bytes -= b->size;
	g->live_blocks--;
	b->addr = 0;
	return 0;
}

static int free_block(struct bt *g, struct bt_thread *t, struct bt_block *b)
{
	uint8_t *p = chunk_room(g, t, MS_ENC_FREE_MAX);
	if (!p)
		return -ENOMEM;
	t->len = (size_t)(ms_enc_free(p, &t->st, g->ts++, b->addr) - t->buf);
	return account_free(g, t, b);
}

/* realloc of a live block to a new size at a new address: a free, then an
 * allocation from the same stack, as the replay counts it. */
static int realloc_block(struct bt *g, struct bt_thread *t, uint64_t s, struct bt_block *b)
{
	int rc = define_stack(g, t, s);
	uint8_t *p = rc ? NULL : chunk_room(g, t, MS_ENC_REALLOC_MAX);
	if (!p)
		return -ENOMEM;
	struct bt_block old = *b;
	uint64_t ts = g->ts, addr = new_addr(t); /* moved, as a growing realloc often is */
	if ((rc = account_free(g, t, b)))
		return rc;
	b->addr = addr;
	b->size = 16 + (old.size * 3) % 1000;
	t->len = (size_t)(ms_enc_realloc(p, &t->st, ts, ts + 1, old.addr, b->addr, b->size, s) - t->buf);
	g->ts += 2;
	account_alloc(g, t, b);
	return 0;
}

/* One step of thread t: 1 to 3 events. */
static int step(struct bt *g, struct bt_thread *t)
{
	uint64_t s = pick_stack(g, t), r = next_rand(&t->rng) % 100;
	int rc;
	if (long_lived(s)) {
		if (t->n_pool == t->cap_pool) {
			struct bt_block *b = &t->pool[next_rand(&t->rng) % t->n_pool];
			if ((rc = free_block(g, t, b)))
				return rc;
			*b = t->pool[--t->n_pool];
		}
		return alloc_block(g, t, s, &t->pool[t->n_pool++]);
	}
	struct bt_block *b = &t->ring[t->ring_pos];
	if (r == 0 && b->addr)
		return realloc_block(g, t, s, b);
	if (r < 10) { /* freed at once: a temporary allocation */
		struct bt_block tmp;
		if ((rc = alloc_block(g, t, s, &tmp)))
			return rc;
		return free_block(g, t, &tmp);
	}
	if (b->addr && (rc = free_block(g, t, b)))
		return rc;
	t->ring_pos = (t->ring_pos + 1) % g->o->ring;
	return alloc_block(g, t, s, b);
}

static int write_frame(struct bt *g)
{
	if (!g->flen)
		return 0;
	size_t need = ms_trace_frame_bound(g->flen);
	if (room(&g->out, &g->outcap, 0, need))
		return -ENOMEM;
	for (int k = 0; k < MS_COL_STREAMS; k++)
		if (room(&g->cols.s[k], &g->colcap[k], 0, g->flen))
			return -ENOMEM;
	long n = ms_trace_frame_encode_split(g->cctx, g->frame, g->flen, &g->cols, g->out);
	if (n < 0)
		return (int)n;
	if (fwrite(g->out, 1, (size_t)n, g->f) != (size_t)n)
		return -EIO;
	g->tot->trace_bytes += (uint64_t)n;
	g->flen = 0;
	return 0;
}

/* The round's chunks into the frame, then ROUND: every event so far is
 * older than the watermark. */
static int end_round(struct bt *g)
{
	for (uint32_t i = 0; i < g->o->threads; i++) {
		struct bt_thread *t = &g->th[i];
		if (room(&g->frame, &g->fcap, g->flen, t->len))
			return -ENOMEM;
		memcpy(g->frame + g->flen, t->buf, t->len);
		g->flen += t->len;
		t->len = 0;
	}
	if (room(&g->frame, &g->fcap, g->flen, 1 + MS_VARINT_MAX))
		return -ENOMEM;
	g->flen = (size_t)(ms_enc_round(g->frame + g->flen, g->ts) - g->frame);
	return g->flen >= FRAME_RAW ? write_frame(g) : 0;
}

static int start(struct bt *g, const char *path)
{
	const struct bt_opts *o = g->o;
	g->th = calloc(o->threads, sizeof(*g->th));
	g->stack_seen = calloc(o->stacks + 2, 1);
	g->cctx = ZSTD_createCCtx();
	g->f = fopen(path, "wb");
	if (!g->th || !g->stack_seen || !g->cctx || ms_trace_cctx_setup(g->cctx, 1))
		return -ENOMEM;
	if (!g->f)
		return -errno;
	for (uint32_t i = 0; i < o->threads; i++) {
		struct bt_thread *t = &g->th[i];
		t->tid = 1000 + i;
		t->rng = mix(o->seed + i + 1) | 1;
		t->cap_pool = o->pool / o->threads ? o->pool / o->threads : 1;
		t->ring = calloc(o->ring, sizeof(*t->ring));
		t->pool = calloc(t->cap_pool, sizeof(*t->pool));
		t->next_cell = 0x7f0000000000ull + ((uint64_t)i << 36);
		if (!t->ring || !t->pool)
			return -ENOMEM;
	}
	struct ms_trace_header h = tg_header(); /* starts at ts 1000 */
	g->ts = h.start_ts;
	uint8_t b[MS_TRACE_HEADER_SIZE];
	ms_trace_header_encode(&h, b);
	if (fwrite(b, 1, sizeof(b), g->f) != sizeof(b))
		return -EIO;
	g->tot->trace_bytes = sizeof(b);
	return 0;
}

static void finish(struct bt *g)
{
	for (uint32_t i = 0; g->th && i < g->o->threads; i++) {
		free(g->th[i].ring);
		free(g->th[i].pool);
		free(g->th[i].free_cells);
		free(g->th[i].buf);
	}
	free(g->th);
	free(g->stack_seen);
	free(g->frame);
	free(g->out);
	for (int k = 0; k < MS_COL_STREAMS; k++)
		free(g->cols.s[k]);
	ZSTD_freeCCtx(g->cctx);
}

/* Writes the trace to path and fills *tot. Returns 0, -ENOMEM, -EIO or a
 * negative errno from fopen/fclose. */
int bt_write(const char *path, const struct bt_opts *o, struct bt_totals *tot)
{
	struct bt g = {.o = o, .tot = tot};
	memset(tot, 0, sizeof(*tot));
	int rc = o->threads && o->stacks && o->ring ? start(&g, path) : -EINVAL;
	uint64_t round_end = ROUND_EVENTS;
	for (uint32_t i = 0; !rc && tot->events < o->events; i = (i + 1) % o->threads) {
		rc = step(&g, &g.th[i]);
		if (!rc && tot->events >= round_end) {
			rc = end_round(&g);
			round_end = tot->events + ROUND_EVENTS;
		}
	}
	if (!rc)
		rc = end_round(&g);
	if (!rc && room(&g.frame, &g.fcap, g.flen, 1 + 4 * MS_VARINT_MAX) == 0)
		g.flen = (size_t)(ms_enc_end(g.frame + g.flen, g.ts, MS_END_EXIT, 0, 0) - g.frame);
	if (!rc)
		rc = write_frame(&g);
	tot->leaked_bytes = g.cur_bytes;
	tot->leaked_blocks = g.live_blocks;
	if (g.f && fclose(g.f) && !rc)
		rc = -errno;
	finish(&g);
	return rc;
}

#ifndef BIGTRACE_NO_MAIN
static int usage(void)
{
	fputs("usage: bigtrace [-n EVENTS] [-t THREADS] [-s STACKS] [-r RING] [-p POOL] [-S SEED] -o TRACE\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct bt_opts o = {1000000000ull, 4, 100000, 256, 200000, 1};
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-o") && i + 1 < argc)
			path = argv[++i];
		else if (a[0] == '-' && a[1] && !a[2] && i + 1 < argc && strchr("ntsrpS", a[1])) {
			char *end;
			unsigned long long v = strtoull(argv[++i], &end, 10);
			if (*end || !*argv[i])
				return usage();
			switch (a[1]) {
			case 'n': o.events = v; break;
			case 't': o.threads = (uint32_t)v; break;
			case 's': o.stacks = (uint32_t)v; break;
			case 'r': o.ring = (uint32_t)v; break;
			case 'p': o.pool = (uint32_t)v; break;
			case 'S': o.seed = v; break;
			}
		} else {
			return usage();
		}
	}
	if (!path || !o.threads || !o.stacks || !o.ring || o.threads > 4096)
		return usage();
	struct bt_totals t;
	int rc = bt_write(path, &o, &t);
	if (rc) {
		fprintf(stderr, "bigtrace: cannot write '%s': %s\n", path, strerror(-rc));
		return 1;
	}
	printf("events=%llu allocations=%llu frees=%llu bytes_allocated=%llu peak_bytes=%llu "
	       "leaked_bytes=%llu leaked_blocks=%llu temporary=%llu stacks=%llu max_live_blocks=%llu "
	       "trace_bytes=%llu\n",
	       (unsigned long long)t.events, (unsigned long long)t.allocations, (unsigned long long)t.frees,
	       (unsigned long long)t.bytes_allocated, (unsigned long long)t.peak_bytes,
	       (unsigned long long)t.leaked_bytes, (unsigned long long)t.leaked_blocks,
	       (unsigned long long)t.temporary, (unsigned long long)t.stacks_used,
	       (unsigned long long)t.max_live_blocks, (unsigned long long)t.trace_bytes);
	return 0;
}
#endif
