/* leak_tree: a complete binary tree of depth 4 (15 nodes of 32 bytes) is
 * leaked, and a global keeps a 3-node tree. memcheck: definitely lost 32
 * bytes in 1 block (the root), indirectly lost 448 bytes in 14 blocks,
 * still reachable 96 bytes in 3 blocks. */
#include <stdlib.h>
#include <string.h>

#include "tsupport.h"

struct tnode {
	struct tnode *left, *right;
	long key, pad;
}; /* 32 bytes */

struct tnode *kept_tree; /* external linkage: the small tree's root */

NOIPA struct tnode *make_tree(int depth)
{
	if (depth == 0)
		return NULL;
	struct tnode *t = malloc(sizeof *t);
	memset(t, 0, sizeof *t);
	t->left = make_tree(depth - 1);
	t->right = make_tree(depth - 1);
	t->key = depth;
	return t;
}

NOIPA void leak_tree(void)
{
	ms_keep(make_tree(4));
	ms_keep(NULL);
}

/* Every function that held a leaked pointer ran at least two calls below
 * main (main -> build -> ...), and scrub, one call below main, zeroes that
 * area: no stale copy (say, a callee-saved register the allocator spilled)
 * is left where the exit path's frames will not overwrite it. */
NOIPA void scrub(void)
{
	volatile char buf[8192];
	for (size_t i = 0; i < sizeof buf; i++) /* volatile stores: memset here would be deleted */
		buf[i] = 0;
}

NOIPA void build(void)
{
	kept_tree = make_tree(2);
	leak_tree();
}

int main(void)
{
	build();
	scrub();
	return 0;
}
