/* bench/bigtrace.c's generator against the replay: a small trace of the
 * same mix as the billion-event one must replay to exactly the totals the
 * generator worked out while writing it. */
#define BIGTRACE_NO_MAIN
#include "../../bench/bigtrace.c"

#include "analysis/model.h"
#include "assert.h"

static void check(const struct bt_opts *o, const char *path)
{
	struct bt_totals t;
	ASSERT_EQ_I64(bt_write(path, o, &t), 0);
	ASSERT_TRUE(t.events >= o->events && t.events <= o->events + 2);
	ASSERT_TRUE(t.temporary > 0 && t.leaked_blocks > 0);
	struct ms_model m;
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	const struct ms_summary *s = &m.summary;
	ASSERT_EQ_U64(s->allocations, t.allocations);
	ASSERT_EQ_U64(s->frees, t.frees);
	ASSERT_EQ_U64(s->allocations + s->frees, t.events);
	ASSERT_EQ_U64(s->bytes_allocated, t.bytes_allocated);
	ASSERT_EQ_U64(s->peak_bytes, t.peak_bytes);
	ASSERT_EQ_U64(s->leaked_bytes, t.leaked_bytes);
	ASSERT_EQ_U64(s->leaked_blocks, t.leaked_blocks);
	ASSERT_EQ_U64(s->temporary_allocations, t.temporary);
	ASSERT_EQ_U64(s->unknown_frees, 0);
	ASSERT_EQ_U64(s->replaced_blocks, 0);
	ASSERT_EQ_U64(s->end, MS_ENDK_EXIT);
	ASSERT_EQ_U64(s->truncated, 0);
	ASSERT_EQ_U64(m.n_threads, o->threads);
	uint64_t used = 0;
	for (size_t i = 0; i < m.n_stacks; i++)
		used += m.stacks[i].used && m.stacks[i].defined;
	ASSERT_EQ_U64(used, t.stacks_used);
	ASSERT_EQ_U64(m.n_stacks, t.stacks_used);
	ms_model_release(&m);
	remove(path);
}

int main(void)
{
	/* several rounds and frames, every kind of step */
	struct bt_opts o = {300000, 3, 2000, 64, 3000, 7};
	check(&o, "test_bigtrace.mst");
	/* one thread, a tiny ring and pool: constant address reuse */
	struct bt_opts one = {50001, 1, 50, 2, 5, 3};
	check(&one, "test_bigtrace1.mst");
	puts("test_bigtrace: ok");
	return 0;
}
