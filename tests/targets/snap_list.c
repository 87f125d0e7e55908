/* snap_list: a known reachability graph for snapshot scans. A global points
 * to a list of 5 nodes (1 module root, 4 edges), a cycle of 2 blocks is
 * leaked (2 edges, no root), a block is only pointed to from inside another
 * (interior pointer), and memscope_snapshot is declared weak, so the program
 * runs unchanged without memscope (it then prints "active 0 ids 0 0").
 *
 * At snapshot "built": live = 5 x 32 + 2 x 64 + 48 + 40 = 376 bytes in 9 blocks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMSCOPE_WEAK
#include "memscope.h"

struct node {
	struct node *next;
	long v[3];
}; /* 32 bytes */

struct node *list_head; /* SNAP-GLOBAL: the one module root of the list */
/* Four pointers into one block: the runtime writes the first (interior)
 * and the first start pointer after it, the edges an analysis can use. */
struct holder {
	char pad[16];
	char *inner;  /* points 8 bytes into the 40-byte block */
	char *inner2; /* 16 bytes into it: a second interior pointer */
	char *start;  /* its start */
	char *start2; /* its start again */
} *holder; /* 48 bytes, and a global root */

/* Stores through this keep the compiler from removing the leaked blocks. */
void *volatile snap_sink;

static __attribute__((noinline)) void build(void)
{
	for (int i = 0; i < 5; i++) {
		struct node *n = malloc(sizeof *n);
		memset(n, 0, sizeof *n);
		n->next = list_head;
		list_head = n;
	}
	/* the leaked cycle: nothing else points to it */
	struct node *a = malloc(64), *b = malloc(64);
	memset(a, 0, 64);
	memset(b, 0, 64);
	a->next = b;
	b->next = a;
	snap_sink = a;
	snap_sink = NULL;
	holder = calloc(1, sizeof *holder);
	char *in = malloc(40);
	holder->inner = in + 8;
	holder->inner2 = in + 16;
	holder->start = holder->start2 = in;
}

/* Clears the stack area build() used, so no stale copy of a pointer is
 * found below main's frame. */
static __attribute__((noinline)) void scrub(void)
{
	volatile char buf[4096];
	memset((char *)buf, 0, sizeof buf);
}

int main(void)
{
	build();
	scrub();
	int active = memscope_is_active_weak();
	int id1 = memscope_snapshot_weak("built");
	for (volatile int i = 0; i < 3; i++)
		memscope_event_weak(7); /* one call site: one stack, weight 21 */
	/* free the list: at "freed" only the cycle and the holder's blocks are live */
	while (list_head) {
		struct node *n = list_head->next;
		free(list_head);
		list_head = n;
	}
	int id2 = memscope_snapshot_weak("freed");
	printf("active %d ids %d %d\n", active, id1, id2);
	free(holder->inner - 8);
	free(holder);
	return 0;
}
