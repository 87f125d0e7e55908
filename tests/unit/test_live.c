/* The replay's live-block table against a plain reference: random inserts,
 * replacements and removes over a few address patterns (a dense heap,
 * page-aligned blocks, random addresses) drive it through growth to 2^18
 * slots and back down through its shrinks, and every block read back must be
 * the one put in, with its stack, thread, size and insertion ordinal. */
#include <errno.h>

#include "analysis/live.h"
#include "assert.h"

enum { N = 200000 };

struct ref {
	uint64_t addr, size, seq;
	uint32_t stack, thread;
	int live;
};

static struct ref refs[N];
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t addr_of(int pattern, uint64_t i)
{
	switch (pattern) {
	case 0: return 0x555555554000ull + 32 * i;          /* a dense heap */
	case 1: return 0x7f0000000000ull + (i << 12);       /* page-aligned blocks */
	default: return (next_rand() | 1) & ~(UINT64_C(1) << 63); /* anywhere */
	}
}

static void check_block(const struct ms_live_block *b, const struct ref *r)
{
	ASSERT_EQ_U64(b->addr, r->addr);
	ASSERT_EQ_U64(b->size, r->size);
	ASSERT_EQ_U64(b->stack, r->stack);
	ASSERT_EQ_U64(b->thread, r->thread);
	ASSERT_EQ_U64(b->seq, r->seq);
}

/* Every live reference block is in the table, and the table holds nothing
 * else. */
static void check_all(const struct ms_live *t, size_t live)
{
	size_t seen = 0;
	struct ms_live_block b;
	for (size_t i = 0; i < t->cap; i++)
		if (ms_live_at(t, i, &b))
			seen++;
	ASSERT_EQ_U64(seen, live);
	ASSERT_EQ_U64(t->len, live);
	for (size_t i = 0; i < N; i++) {
		uint32_t stack;
		bool found = ms_live_peek_stack(t, refs[i].addr, &stack);
		ASSERT_EQ_U64(found, refs[i].live);
		if (found)
			ASSERT_EQ_U64(stack, refs[i].stack);
	}
}

static void run(int pattern)
{
	struct ms_live t;
	struct ms_live_block old, out;
	uint64_t seq = 0;
	size_t live = 0, max_cap = 0;
	ms_live_init(&t);
	for (size_t i = 0; i < N; i++) /* random addresses: a repeat is as likely as 2^-29 */
		refs[i] = (struct ref){addr_of(pattern, i), 0, 0, 0, 0, 0};
	/* fill in a random order, replacing some blocks on the way */
	for (size_t n = 0; n < 3 * N; n++) {
		struct ref *r = &refs[next_rand() % N];
		struct ms_live_block b = {r->addr, next_rand() % 100000, (uint32_t)(next_rand() % 5000),
		                          (uint32_t)(next_rand() % 3), 0};
		int rc = ms_live_insert(&t, &b, &old);
		ASSERT_EQ_I64(rc, r->live);
		if (r->live)
			check_block(&old, r);
		else
			live++;
		*r = (struct ref){b.addr, b.size, seq++, b.stack, b.thread, 1};
		if (t.cap > max_cap)
			max_cap = t.cap;
	}
	check_all(&t, live);
	ASSERT_TRUE(max_cap >= (size_t)1 << 18);
	/* remove all but a few, with removes of blocks not live in between */
	for (size_t i = 0; i < N; i++) {
		struct ref *r = &refs[(i * 7919) % N];
		if (i % 1000 == 999)
			continue;
		bool had = ms_live_remove(&t, r->addr, &out);
		ASSERT_EQ_U64(had, r->live);
		if (had)
			check_block(&out, r);
		live -= had;
		r->live = 0;
		ASSERT_TRUE(!ms_live_remove(&t, r->addr, &out));
	}
	check_all(&t, live);
	ASSERT_TRUE(t.cap <= 1024); /* shrunk back */
	ms_live_release(&t);
}

static void limits(void)
{
	struct ms_live t;
	struct ms_live_block old, out;
	ms_live_init(&t);
	struct ms_live_block big = {0x1000, MS_LIVE_MAX_SIZE + 1, 1, 1, 0};
	ASSERT_EQ_I64(ms_live_insert(&t, &big, &old), -EOVERFLOW);
	ASSERT_EQ_U64(t.len, 0);
	big.size = MS_LIVE_MAX_SIZE;
	big.stack = UINT32_MAX - 1;
	big.thread = UINT32_MAX >> 1;
	ASSERT_EQ_I64(ms_live_insert(&t, &big, &old), 0);
	t.next_seq = (UINT64_C(1) << 40) - 1; /* the last ordinal a slot holds */
	struct ms_live_block last = {UINT64_MAX, 1, 2, 3, 0};
	ASSERT_EQ_I64(ms_live_insert(&t, &last, &old), 0);
	struct ms_live_block more = {0x2000, 1, 2, 3, 0};
	ASSERT_EQ_I64(ms_live_insert(&t, &more, &old), -EOVERFLOW);
	ASSERT_TRUE(ms_live_remove(&t, UINT64_MAX, &out));
	ASSERT_EQ_U64(out.seq, (UINT64_C(1) << 40) - 1);
	ASSERT_EQ_U64(out.stack, 2);
	ASSERT_EQ_U64(out.thread, 3);
	ASSERT_TRUE(ms_live_remove(&t, 0x1000, &out));
	ASSERT_EQ_U64(out.size, MS_LIVE_MAX_SIZE);
	ASSERT_EQ_U64(out.stack, UINT32_MAX - 1);
	ASSERT_EQ_U64(out.thread, UINT32_MAX >> 1);
	ASSERT_EQ_U64(out.seq, 0);
	ms_live_release(&t);
}

int main(void)
{
	for (int pattern = 0; pattern < 3; pattern++)
		run(pattern);
	limits();
	printf("ok\n");
	return 0;
}
