/* Leak classes, dominators, retention paths and diffs on a synthetic trace
 * whose pointer graph covers memcheck's cases (valgrind manual, "Memory leak
 * detection"): a global holding a list, a block reached only through an
 * interior root, a block reached from a possible one, an interior pointer
 * out of a reachable block, a leaked list whose second node lies below its
 * head, a leaked cycle, a leaked block pointing into another, and a block
 * first seen through an interior root then through a start pointer. Every
 * figure is worked out by hand in the comments. */
#include "analysis/diff.h"
#include "analysis/heap.h"
#include "analysis/model.h"
#include "assert.h"
#include "scangen.h"

static const char *path = "test_leak.mst";

enum { S1 = 1, S2, S3, S4, S5, S6, S7, S8, S9 };

/* address, size, stack */
static const uint64_t blocks[][3] = {
	{0x1000, 16, S1},  /* G1: a global points to it: reachable */
	{0x2000, 32, S2},  /* L1: G1+8 -> L1: reachable */
	{0x3000, 64, S3},  /* P1: a register points at +8: possible */
	{0x3100, 8, S3},   /* P2: P1 -> P2: possible (from a possible block) */
	{0x3200, 24, S3},  /* R: L1+16 -> R+4: possible (interior) */
	{0x4000, 100, S4}, /* D1: leaked list head: definite */
	{0x0800, 50, S4},  /* D2: D1 -> D2: indirect (an earlier head, absorbed) */
	{0x4100, 50, S4},  /* D3: D2 -> D3: indirect */
	{0x5000, 10, S5},  /* C1 <-> C2: a leaked cycle: C1 definite */
	{0x5100, 20, S5},  /* C2: indirect */
	{0x6000, 40, S6},  /* U: TLS +16 (possible), then G1 -> U: reachable */
	{0x7000, 12, S7},  /* X: definite */
	{0x7100, 14, S7},  /* Y: X -> Y+2: indirect */
};
#define NB (sizeof(blocks) / sizeof(blocks[0]))

static void write_trace(void)
{
	struct tg t;
	struct ms_trace_header h = tg_header();
	tg_open(&t, path, &h);
	uintptr_t ips[1] = {0x401000};
	for (uint64_t s = S1; s <= S9; s++) {
		ips[0] = 0x401000 + 0x10 * s;
		tg_stack(&t, s, ips, 1);
	}
	tg_chunk(&t, 7, 100);
	for (size_t i = 0; i < NB; i++)
		tg_alloc(&t, 100 + i, blocks[i][0], blocks[i][1], blocks[i][2]);
	tg_alloc(&t, 150, 0x9000, 5, S9);
	tg_event(&t, 160, 3, S2);
	tg_event(&t, 161, 4, S2);
	tg_round(&t, 200);
	tg_snapshot(&t, 200, 1, MS_SNAP_API, "before", NB + 1, 0);
	/* between the snapshots: W freed, two blocks of S8 added, R freed and
	 * a new block of S3 at R's address */
	tg_chunk(&t, 7, 210);
	tg_free(&t, 210, 0x9000);
	tg_alloc(&t, 220, 0x8000, 1000, S8);
	tg_alloc(&t, 221, 0x8400, 1000, S8);
	tg_free(&t, 230, 0x3200);
	tg_alloc(&t, 231, 0x3200, 24, S3);
	tg_round(&t, 300);
	tg_snapshot(&t, 300, 2, MS_SNAP_API, "after", NB + 2, 0);
	tg_frame(&t);
	tg_chunk(&t, 7, 310);
	tg_free(&t, 310, 0x8000);
	tg_free(&t, 311, 0x8400);
	tg_round(&t, 400);
	tg_snapshot(&t, 400, 3, MS_SNAP_EXIT, "exit", NB, 0);
	const uint64_t roots[] = {
		MS_ROOT_STACK,    7, 0x10,   0x1000, 0,  /* G1 from a stack word too */
		MS_ROOT_MODULE,   1, 0x4010, 0x1000, 0,  /* a global: preferred for paths */
		MS_ROOT_REGISTER, 7, 3,      0x3000, 8,  /* P1 interior */
		MS_ROOT_TLS,      7, 0x20,   0x6000, 16, /* U interior */
	};
	tg_roots(&t, 3, roots, 4);
	const uint64_t edges[] = {
		0x0800, 0, 0x4100, 0, /* D2 -> D3 */
		0x1000, 0, 0x6000, 0, /* G1 -> U */
		0x1000, 8, 0x2000, 0, /* G1 -> L1 */
		0x2000, 16, 0x3200, 4, /* L1 -> R+4 */
		0x3000, 0, 0x3100, 0, /* P1 -> P2 */
		0x4000, 8, 0x0800, 0, /* D1 -> D2 */
		0x5000, 0, 0x5100, 0, /* C1 -> C2 */
		0x5100, 0, 0x5000, 0, /* C2 -> C1 */
		0x7000, 0, 0x7100, 2, /* X -> Y+2 */
	};
	tg_edges(&t, 3, edges, 9);
	const uint64_t types[] = {0x6000, 0x403010};
	tg_types(&t, 3, types, 1);
	tg_scan_end(&t, 3, NB, 4, 9);
	tg_end(&t, 500, MS_END_EXIT, 0, 0);
	tg_close(&t);
}

static uint32_t block(const struct ms_heap *h, uint64_t addr)
{
	uint32_t i = ms_heap_find(h, addr);
	if (i == MS_HBLOCK_NONE || h->blocks[i].addr != addr)
		MS_FAIL_AT("no block at 0x%" PRIx64, addr);
	return i;
}

static const struct ms_stack *stack(const struct ms_model *m, uint64_t id)
{
	for (size_t i = 0; i < m->n_stacks; i++)
		if (m->stacks[i].id == id)
			return &m->stacks[i];
	MS_FAIL_AT("no stack %" PRIu64, id);
}

static void test_classes(void)
{
	struct ms_model m;
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	ASSERT_EQ_U64(m.n_snaps, 3);
	ASSERT_EQ_STR(m.snaps[0].label, "before");
	ASSERT_EQ_U64(m.snaps[0].live_blocks, NB + 1);
	ASSERT_EQ_U64(m.snaps[1].live_blocks, NB + 2);
	ASSERT_EQ_U64(m.snaps[1].live_bytes, 440 + 2000);
	ASSERT_TRUE(m.snaps[2].scanned && !m.snaps[0].scanned);
	const struct ms_summary *s = &m.summary;
	ASSERT_TRUE(s->leak_scan);
	ASSERT_EQ_U64(s->leak_snapshot, 3);
	ASSERT_EQ_U64(s->class_bytes[MS_LEAK_DEFINITE], 100 + 10 + 12);
	ASSERT_EQ_U64(s->class_blocks[MS_LEAK_DEFINITE], 3);
	ASSERT_EQ_U64(s->class_bytes[MS_LEAK_INDIRECT], 50 + 50 + 20 + 14);
	ASSERT_EQ_U64(s->class_blocks[MS_LEAK_INDIRECT], 4);
	ASSERT_EQ_U64(s->class_bytes[MS_LEAK_POSSIBLE], 64 + 8 + 24);
	ASSERT_EQ_U64(s->class_blocks[MS_LEAK_POSSIBLE], 3);
	ASSERT_EQ_U64(s->class_bytes[MS_LEAK_REACHABLE], 16 + 32 + 40);
	ASSERT_EQ_U64(s->class_blocks[MS_LEAK_REACHABLE], 3);
	ASSERT_EQ_U64(s->events, 2);
	ASSERT_EQ_U64(s->event_weight, 7);
	ASSERT_EQ_U64(stack(&m, S2)->events, 2);
	ASSERT_EQ_U64(stack(&m, S4)->class_bytes[MS_LEAK_DEFINITE], 100);
	ASSERT_EQ_U64(stack(&m, S4)->class_bytes[MS_LEAK_INDIRECT], 100);
	ASSERT_EQ_U64(stack(&m, S7)->class_blocks[MS_LEAK_INDIRECT], 1);

	/* dominators: G1 keeps L1 and R (U is also under the TLS root);
	 * P1 keeps P2; D1 the whole list; C1 its cycle; X keeps Y */
	const struct ms_heap *h = m.heaps[0];
	ASSERT_EQ_U64(h->retained[block(h, 0x1000)], 16 + 32 + 24);
	ASSERT_EQ_U64(h->retained[block(h, 0x2000)], 32 + 24);
	ASSERT_EQ_U64(h->retained[block(h, 0x6000)], 40);
	ASSERT_EQ_U64(h->retained[block(h, 0x3000)], 72);
	ASSERT_EQ_U64(h->retained[block(h, 0x4000)], 200);
	ASSERT_EQ_U64(h->retained[block(h, 0x0800)], 100);
	ASSERT_EQ_U64(h->retained[block(h, 0x5000)], 30);
	ASSERT_EQ_U64(h->retained[block(h, 0x7000)], 26);
	ASSERT_EQ_U64(h->idom[block(h, 0x4100)], block(h, 0x0800));
	ASSERT_EQ_U64(h->idom[block(h, 0x6000)], MS_HBLOCK_NONE);
	/* per stack: S3's P2 lies under P1 (same stack): counted once */
	ASSERT_EQ_U64(stack(&m, S1)->retained_bytes, 72);
	ASSERT_EQ_U64(stack(&m, S3)->retained_bytes, 72 + 24);
	ASSERT_EQ_U64(stack(&m, S4)->retained_bytes, 200);
	ASSERT_EQ_U64(h->blocks[block(h, 0x6000)].first_word, 0x403010);
	ASSERT_EQ_U64(h->bad_refs, 0);

	/* the path to R: the global (not the stack word) -> G1+8 -> L1+16 -> R+4 */
	struct ms_hop *hops;
	long n = ms_heap_path(h, block(h, 0x3200), &hops);
	ASSERT_EQ_I64(n, 3);
	ASSERT_EQ_U64(h->roots[hops[0].root].kind, MS_ROOT_MODULE);
	ASSERT_EQ_U64(h->roots[hops[0].root].where, 0x4010);
	ASSERT_EQ_U64(h->edges[hops[1].edge].from, block(h, 0x1000));
	ASSERT_EQ_U64(h->edges[hops[1].edge].from_off, 8);
	ASSERT_EQ_U64(h->edges[hops[2].edge].from_off, 16);
	ASSERT_EQ_U64(h->edges[hops[2].edge].to_off, 4);
	free(hops);
	/* a lost block has no path; an interior address finds its block */
	ASSERT_EQ_I64(ms_heap_path(h, block(h, 0x4000), &hops), 0);
	ASSERT_EQ_U64(ms_heap_find(h, 0x4131), block(h, 0x4100));
	ASSERT_EQ_U64(ms_heap_find(h, 0x4132), MS_HBLOCK_NONE);
	ms_model_release(&m);
}

static const struct ms_diff_row *row_of(const struct ms_diff *d, const struct ms_model *m, uint64_t stack_id)
{
	for (size_t i = 0; i < d->n; i++)
		if (m->stacks[d->rows[i].stack].id == stack_id)
			return &d->rows[i];
	MS_FAIL_AT("no diff row for stack %" PRIu64, stack_id);
}

static void test_diff(void)
{
	struct ms_model m;
	ms_model_init(&m);
	m.want[0] = (struct ms_heap_sel){MS_HEAP_LABEL, 0, "before"};
	m.want[1] = (struct ms_heap_sel){MS_HEAP_ID, 2, NULL};
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	ASSERT_TRUE(m.heaps[0] && m.heaps[1]);
	ASSERT_TRUE(!m.summary.leak_scan); /* "before" was not scanned */
	struct ms_symbolizer *sym = ms_symbolizer_new(&m);
	struct ms_diff_side a = {&m, m.heaps[0], sym}, b = {&m, m.heaps[1], sym};
	struct ms_diff d;
	ASSERT_EQ_I64(ms_diff_compute(&d, &a, &b, MS_GROUP_STACK), 0);
	ASSERT_EQ_U64(d.n, 9);
	/* S8 grew most: 2 blocks, 2000 bytes; S3 freed R and added a new
	 * block at its address; S9's W was freed */
	ASSERT_EQ_U64(m.stacks[d.rows[0].stack].id, S8);
	ASSERT_EQ_I64(d.rows[0].net_bytes, 2000);
	ASSERT_EQ_U64(d.rows[0].added_blocks, 2);
	const struct ms_diff_row *r3 = row_of(&d, &m, S3);
	ASSERT_EQ_U64(r3->added_blocks, 1);
	ASSERT_EQ_U64(r3->freed_blocks, 1);
	ASSERT_EQ_U64(r3->added_bytes, 24);
	ASSERT_EQ_I64(r3->net_bytes, 0);
	ASSERT_EQ_U64(m.stacks[d.rows[d.n - 1].stack].id, S9);
	ASSERT_EQ_U64(d.rows[d.n - 1].freed_bytes, 5);
	ASSERT_EQ_U64(d.total.added_blocks, 3);
	ASSERT_EQ_U64(d.total.freed_blocks, 2);
	ASSERT_EQ_I64(d.total.net_bytes, 2000 - 5);
	ms_diff_release(&d);

	/* across runs (the same file twice): matched by call stack, so R's
	 * replacement is no change */
	struct ms_model m2;
	ms_model_init(&m2);
	m2.want[0] = (struct ms_heap_sel){MS_HEAP_ID, 2, NULL};
	ASSERT_EQ_I64(ms_replay_file(&m2, path), 0);
	struct ms_symbolizer *sym2 = ms_symbolizer_new(&m2);
	struct ms_diff_side b2 = {&m2, m2.heaps[0], sym2};
	ASSERT_EQ_I64(ms_diff_compute(&d, &a, &b2, MS_GROUP_STACK), 0);
	ASSERT_TRUE(!d.same_run);
	ASSERT_EQ_I64(d.rows[0].net_bytes, 2000);
	ASSERT_EQ_U64(d.rows[0].added_blocks, 2);
	ASSERT_EQ_U64(d.total.added_blocks, 2);
	ASSERT_EQ_U64(d.total.freed_blocks, 1);
	ms_diff_release(&d);
	ms_symbolizer_free(sym2);
	ms_model_release(&m2);
	ms_symbolizer_free(sym);
	ms_model_release(&m);
}

static void test_start_end_peak(void)
{
	struct ms_model m;
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	uint64_t peak = m.summary.peak_bytes;
	/* W (5) is freed before the S8 blocks come */
	ASSERT_EQ_U64(peak, 2440);
	ms_model_release(&m);
	ms_model_init(&m);
	m.want[0] = (struct ms_heap_sel){MS_HEAP_PEAK, peak, NULL};
	m.want[1] = (struct ms_heap_sel){MS_HEAP_START, 0, NULL};
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	ASSERT_EQ_U64(m.heaps[0]->bytes, peak);
	ASSERT_EQ_U64(m.heaps[0]->n_blocks, NB + 2);
	ASSERT_EQ_U64(m.heaps[1]->n_blocks, 0);
	ms_model_release(&m);
	/* an unknown label captures nothing */
	ms_model_init(&m);
	m.want[0] = (struct ms_heap_sel){MS_HEAP_LABEL, 0, "nope"};
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	ASSERT_TRUE(m.heaps[0] == NULL);
	ms_model_release(&m);
}

int main(void)
{
	write_trace();
	test_classes();
	test_diff();
	test_start_end_peak();
	if (!getenv("KEEP")) remove(path);
	puts("test_leak: ok");
	return 0;
}
