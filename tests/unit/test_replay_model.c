/* Replay of synthetic traces with hand-computed figures: three threads whose
 * chunks arrive out of order inside rounds, events carried over a round,
 * reallocs (free + alloc, like memcheck), temporaries per thread, an
 * unknown free, a known peak with per-stack bytes at the peak, leaks; then
 * the end reasons (exit, exec, killed), TSC time conversion, a block no
 * address space holds, and the variances of a sampled trace. */
#include "analysis/model.h"
#include "analysis/sampling.h"
#include "trace/read.h"
#include "mon_assert.h"
#include "tracegen.h"

static const char *path = "test_replay_model.mst";

enum { S1 = 11, S2 = 22, S3 = 33, S4 = 44 };

static void write_main_trace(void)
{
	struct tg t;
	struct ms_trace_header h = tg_header();
	h.start_ts = 50;
	tg_open(&t, path, &h);
	/* round 1: T1, T3, T2 chunks in file order; F@180 is carried over */
	tg_chunk(&t, 10, 90);
	tg_thread(&t, 90, "main");
	tg_alloc(&t, 100, 0x1000, 100, S1);
	tg_free(&t, 120, 0x1000);
	tg_alloc(&t, 130, 0x3000, 300, S1);
	tg_alloc(&t, 180, 0x6000, 50, S4);
	tg_chunk(&t, 30, 140);
	tg_thread(&t, 140, "worker-b");
	tg_alloc(&t, 140, 0x4000, 1000, S3);
	tg_free(&t, 170, 0x4000);
	uintptr_t ips[2] = {0x401000, 0x402000};
	tg_stack(&t, S1, ips, 2);
	tg_chunk(&t, 20, 105);
	tg_thread(&t, 105, "worker-a");
	tg_alloc(&t, 110, 0x2000, 200, S2);
	tg_realloc(&t, 150, 160, 0x2000, 0x5000, 400, S2);
	tg_round(&t, 175);
	tg_frame(&t);
	/* round 2, across a frame boundary */
	tg_chunk(&t, 30, 230);
	tg_alloc(&t, 230, 0x9000, 5, S3);
	tg_chunk(&t, 20, 190);
	tg_free(&t, 190, 0x9999);
	tg_alloc(&t, 210, 0x8000, 10, S2);
	tg_frame(&t);
	tg_chunk(&t, 10, 200);
	tg_alloc(&t, 200, 0x7000, 2000, S1);
	tg_free(&t, 220, 0x7000);
	tg_round(&t, 235);
	/* the rest: flushed at the end */
	tg_chunk(&t, 20, 240);
	tg_free(&t, 240, 0x5000);
	tg_chunk(&t, 10, 250);
	tg_realloc(&t, 250, 255, 0x3000, 0x3000, 600, S4);
	uint64_t ctr[2] = {2 << 20, 0};
	tg_done(&t, ms_enc_counters(tg_room(&t, 40), 260, ctr, 2));
	tg_stack(&t, S4, ips, 1);
	tg_end(&t, 300, MS_END_EXIT, 0, 1 << 20);
	tg_close(&t);
}

static const struct ms_stack *stack(const struct ms_model *m, uint64_t id)
{
	for (size_t i = 0; i < m->n_stacks; i++)
		if (m->stacks[i].id == id)
			return &m->stacks[i];
	MS_FAIL_AT("no stack %" PRIu64, id);
}

static void check_stack(const struct ms_stack *s, uint64_t allocs, uint64_t bytes, uint64_t frees, uint64_t temp,
                        uint64_t leaked, uint64_t leaked_blocks, uint64_t peak, uint64_t max_live)
{
	ASSERT_EQ_U64(s->allocations, allocs);
	ASSERT_EQ_U64(s->bytes_allocated, bytes);
	ASSERT_EQ_U64(s->frees, frees);
	ASSERT_EQ_U64(s->temporary_allocations, temp);
	ASSERT_EQ_U64(s->live_bytes, leaked);
	ASSERT_EQ_U64(s->live_blocks, leaked_blocks);
	ASSERT_EQ_U64(s->peak_bytes, peak);
	ASSERT_EQ_U64(s->max_live_bytes, max_live);
}

static void test_main_trace(void)
{
	write_main_trace();
	struct ms_model m;
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	const struct ms_summary *s = &m.summary;
	ASSERT_EQ_U64(s->allocations, 10);
	ASSERT_EQ_U64(s->frees, 6);
	ASSERT_EQ_U64(s->bytes_allocated, 4665);
	ASSERT_EQ_U64(s->peak_bytes, 2760);
	ASSERT_EQ_U64(s->peak_ts, 210);
	ASSERT_EQ_U64(s->peak_time_ns, 160);
	ASSERT_EQ_U64(s->wall_time_ns, 250);
	ASSERT_EQ_U64(s->leaked_bytes, 665);
	ASSERT_EQ_U64(s->leaked_blocks, 4);
	ASSERT_EQ_U64(s->temporary_allocations, 4);
	ASSERT_EQ_U64(s->unknown_frees, 1);
	ASSERT_EQ_U64(s->peak_rss_bytes, 2 << 20);
	ASSERT_EQ_U64(s->end, MS_ENDK_EXIT);
	ASSERT_TRUE(!s->truncated);
	ASSERT_EQ_U64(m.frames, 3);
	ASSERT_EQ_U64(m.n_threads, 3);
	ASSERT_EQ_STR(m.threads[0].name, "main");
	ASSERT_EQ_STR(m.threads[1].name, "worker-b");
	ASSERT_EQ_STR(m.threads[2].name, "worker-a");
	/*          allocs bytes frees temp leaked blocks peak max_live */
	check_stack(stack(&m, S1), 3, 2400, 3, 2, 0, 0, 2300, 2300);
	check_stack(stack(&m, S2), 3, 610, 2, 1, 10, 1, 410, 410);
	check_stack(stack(&m, S3), 2, 1005, 1, 1, 5, 1, 0, 1000);
	check_stack(stack(&m, S4), 2, 650, 0, 0, 650, 2, 50, 650);
	ASSERT_EQ_U64(stack(&m, S1)->n_ips, 2);
	ASSERT_EQ_U64(m.ips[stack(&m, S1)->ips_off + 1], 0x402000);
	ASSERT_EQ_U64(stack(&m, S4)->n_ips, 1);

	size_t n;
	uint32_t *order = ms_model_sort_stacks(&m, MS_BY_LEAKED, &n);
	ASSERT_EQ_U64(n, 4);
	ASSERT_EQ_U64(m.stacks[order[0]].id, S4);
	ASSERT_EQ_U64(m.stacks[order[1]].id, S2);
	free(order);
	order = ms_model_sort_stacks(&m, MS_BY_PEAK, &n);
	ASSERT_EQ_U64(m.stacks[order[0]].id, S1);
	ASSERT_EQ_U64(m.stacks[order[3]].id, S3);
	free(order);
	ms_model_release(&m);
}

/* Same-ts events of two threads keep their arrival order; a trace that
 * stops without END is "killed" and truncated; EXEC is an end reason. */
static void test_ends(void)
{
	struct tg t;
	struct ms_trace_header h = tg_header();
	tg_open(&t, path, &h);
	tg_chunk(&t, 1, 2000);
	tg_alloc(&t, 2000, 0x10, 8, 1);
	tg_chunk(&t, 2, 2000);
	tg_free(&t, 2000, 0x10);
	tg_alloc(&t, 2001, 0x20, 16, 1);
	tg_close(&t);
	struct ms_model m;
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	ASSERT_EQ_U64(m.summary.frees, 1);
	ASSERT_EQ_U64(m.summary.unknown_frees, 0);
	ASSERT_EQ_U64(m.summary.temporary_allocations, 1); /* freed by another thread, still temporary */
	ASSERT_EQ_U64(m.summary.end, MS_ENDK_KILLED);
	ASSERT_TRUE(m.summary.truncated);
	ASSERT_EQ_U64(m.summary.leaked_bytes, 16);
	ms_model_release(&m);

	tg_open(&t, path, &h);
	tg_chunk(&t, 1, 2000);
	tg_alloc(&t, 2000, 0x10, 8, 1);
	tg_done(&t, ms_enc_exec(tg_room(&t, 40), 2100, "/bin/true", 9));
	tg_done(&t, ms_enc_exec_failed(tg_room(&t, 40), 2101));
	tg_chunk(&t, 1, 2200);
	tg_alloc(&t, 2200, 0x20, 24, 1);
	tg_done(&t, ms_enc_exec(tg_room(&t, 40), 2300, "/bin/echo", 9));
	tg_close(&t);
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	ASSERT_EQ_U64(m.summary.end, MS_ENDK_EXEC);
	ASSERT_EQ_STR(m.summary.exec_path, "/bin/echo");
	ASSERT_EQ_U64(m.summary.leaked_bytes, 32);
	ASSERT_EQ_U64(m.summary.leaked_blocks, 2);
	ASSERT_TRUE(!m.summary.truncated);
	ms_model_release(&m);
}

/* TSC ticks at 2 per ns: the header's (start_ts, start_mono_ns) and one
 * CLOCK_SYNC give the rate. */
static void test_tsc(void)
{
	struct tg t;
	struct ms_trace_header h = tg_header();
	h.clock_kind = MS_CLOCK_TSC;
	h.start_ts = 1000;
	h.start_mono_ns = 5000;
	tg_open(&t, path, &h);
	tg_done(&t, ms_enc_clock_sync(tg_room(&t, 40), 3000, 6000, 0));
	tg_chunk(&t, 1, 2000);
	tg_alloc(&t, 2000, 0x10, 8, 1);
	tg_end(&t, 5000, MS_END_EXIT, 0, 0);
	tg_close(&t);
	struct ms_model m;
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	ASSERT_EQ_U64(m.summary.peak_time_ns, 500);
	ASSERT_EQ_U64(m.summary.wall_time_ns, 2000);
	ms_model_release(&m);
}

/* A block larger than any address space is a damaged record: what came
 * before it counts, the rest of the trace does not; a failed allocation of
 * that size (address 0) is no block and reads fine. */
static void test_huge_block(void)
{
	struct tg t;
	struct ms_trace_header h = tg_header();
	tg_open(&t, path, &h);
	tg_chunk(&t, 1, 100);
	tg_alloc(&t, 100, 0x10, 8, 1);
	tg_alloc(&t, 101, 0, UINT64_MAX, 1);
	tg_alloc(&t, 102, 0x20, UINT64_C(1) << 56, 1);
	tg_alloc(&t, 103, 0x30, 16, 1);
	tg_end(&t, 200, MS_END_EXIT, 0, 0);
	tg_close(&t);
	struct ms_model m;
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), MS_TRACE_E_CORRUPT);
	ASSERT_EQ_U64(m.summary.allocations, 1);
	ASSERT_EQ_U64(m.summary.leaked_bytes, 8);
	ASSERT_EQ_U64(m.summary.end, MS_ENDK_CORRUPT);
	ms_model_release(&m);

	tg_open(&t, path, &h);
	tg_chunk(&t, 1, 100);
	tg_alloc(&t, 100, 0x10, (UINT64_C(1) << 56) - 1, 1);
	tg_alloc(&t, 101, 0, UINT64_MAX, 1);
	tg_free(&t, 102, 0x10);
	tg_end(&t, 200, MS_END_EXIT, 0, 0);
	tg_close(&t);
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	ASSERT_EQ_U64(m.summary.peak_bytes, (UINT64_C(1) << 56) - 1);
	ASSERT_EQ_U64(m.summary.frees, 1);
	ms_model_release(&m);
}

/* A sampled allocation of s bytes at R bytes per sample, as the runtime
 * records it (runtime/sample.c), and the variance it adds: w^2 exp(-s/R). */
static uint64_t sampled_w(double s, double r) { return (uint64_t)(s / -expm1(-s / r) + 0.5); }
static double sampled_v(double s, double r)
{
	double w = (double)sampled_w(s, r);
	return w * w * exp(-s / r);
}

/* The variances of a sampled trace's sums (analysis/sampling.h), from the
 * recorded weights alone: ms_sample_var recovers each sample's size. The
 * expected figures use the true sizes. */
static void test_sampled(void)
{
	enum { R = 1000 };
	ASSERT_EQ_U64(ms_sample_var(12345, 0), 0);
	ASSERT_NEAR(ms_sample_var(sampled_w(10, R), R), sampled_v(10, R), 1e-4 * sampled_v(10, R));
	ASSERT_NEAR(ms_sample_var(sampled_w(R, R), R), sampled_v(R, R), 1e-4 * sampled_v(R, R));
	/* w is recorded rounded to bytes: at s >> R, where w ~ s, 0.5 B of w
	 * moves exp(-s/R) by up to 0.5/R */
	ASSERT_NEAR(ms_sample_var(sampled_w(7.5 * R, R), R), sampled_v(7.5 * R, R), 1e-3 * sampled_v(7.5 * R, R));
	ASSERT_TRUE(ms_sample_var(sampled_w(100 * R, R), R) < 1e-30); /* always sampled: exact */
	ASSERT_NEAR(ms_sample_var(R, R), (double)R * R, 1e-6); /* s -> 0: w -> R, p -> 0 */
	ASSERT_EQ_U64(ms_sample_stderr(4e6), 2000);
	ASSERT_EQ_U64(ms_sample_ci95(4e6), 3920);

	struct tg t;
	struct ms_trace_header h = tg_header();
	h.sample_rate = R;
	tg_open(&t, path, &h);
	tg_chunk(&t, 1, 100);
	tg_alloc(&t, 100, 0x10, sampled_w(10, R), S1);
	tg_alloc(&t, 101, 0x20, sampled_w(1000, R), S1);
	tg_alloc(&t, 102, 0x30, sampled_w(100000, R), S2); /* the peak */
	tg_free(&t, 103, 0x20);
	tg_alloc(&t, 104, 0x40, sampled_w(500, R), S1);
	tg_end(&t, 200, MS_END_EXIT, 0, 0);
	tg_close(&t);
	struct ms_model m;
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	/* within 1e-3: each w is rounded to bytes, which at R = 1000 moves
	 * the recovered size by up to 0.1% */
	double v10 = sampled_v(10, R), v1000 = sampled_v(1000, R), v500 = sampled_v(500, R);
	const struct ms_stack *s1 = stack(&m, S1), *s2 = stack(&m, S2);
	ASSERT_NEAR(s1->var_allocated, v10 + v1000 + v500, 1e-3 * (v10 + v1000 + v500));
	ASSERT_NEAR(s1->var_peak, v10 + v1000, 1e-3 * (v10 + v1000));
	ASSERT_NEAR(s1->var_live, v10 + v500, 1e-3 * (v10 + v500));
	ASSERT_TRUE(s2->var_allocated < 1e-30 && s2->var_live < 1e-30);
	ASSERT_NEAR(m.summary.var_allocated, v10 + v1000 + v500, 1e-3 * (v10 + v1000 + v500));
	ASSERT_NEAR(m.summary.var_peak, v10 + v1000, 1e-3 * (v10 + v1000));
	ASSERT_NEAR(m.summary.var_leaked, v10 + v500, 1e-3 * (v10 + v500));
	ASSERT_EQ_U64(m.summary.peak_bytes, sampled_w(10, R) + sampled_w(1000, R) + sampled_w(100000, R));
	ms_model_release(&m);

	/* a full trace has no sampling error */
	h.sample_rate = 0;
	tg_open(&t, path, &h);
	tg_chunk(&t, 1, 100);
	tg_alloc(&t, 100, 0x10, 10, S1);
	tg_end(&t, 200, MS_END_EXIT, 0, 0);
	tg_close(&t);
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	ASSERT_TRUE(stack(&m, S1)->var_allocated == 0 && m.summary.var_leaked == 0);
	ms_model_release(&m);
}

int main(void)
{
	test_main_trace();
	test_ends();
	test_tsc();
	test_huge_block();
	test_sampled();
	remove(path);
	puts("ok");
	return 0;
}
