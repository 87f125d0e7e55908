/* diff_grow: takes the snapshot "before", grows a global list by 100 nodes
 * of 48 bytes (grow_list), then takes "after". In between, 10 temporary
 * blocks are allocated and freed (churn), so only the list's stack changes:
 * `memscope diff TRACE before after` shows +100 blocks, +4,800 bytes there.
 * memscope_snapshot is a weak reference: without memscope it is NULL and
 * the program runs unchanged. */
#include <stdlib.h>
#include <string.h>

#include "tsupport.h"

extern int memscope_snapshot(const char *label) __attribute__((weak));

struct node {
	struct node *next;
	long v[5];
}; /* 48 bytes */

struct node *grown; /* external linkage: the list's root */
void *base_block;   /* live in both snapshots */

NOIPA void grow_list(int n)
{
	for (int i = 0; i < n; i++) {
		struct node *p = malloc(sizeof *p); /* GROW-LINE */
		memset(p, 0, sizeof *p);
		p->next = grown;
		grown = p;
	}
}

NOIPA void churn(int n)
{
	for (int i = 0; i < n; i++) {
		void *p = malloc(200);
		ms_keep(p);
		free(p);
	}
}

static void snapshot(const char *label)
{
	if (memscope_snapshot)
		memscope_snapshot(label);
}

int main(void)
{
	base_block = calloc(1, 500);
	snapshot("before");
	grow_list(100);
	churn(10);
	snapshot("after");
	while (grown) {
		struct node *n = grown->next;
		free(grown);
		grown = n;
	}
	free(base_block);
	return 0;
}
