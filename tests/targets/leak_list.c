/* leak_list: a global points to a reachable list of 5 nodes; a second list
 * of 4 nodes is leaked. memcheck: still reachable 240 bytes in 5 blocks,
 * definitely lost 48 bytes in 1 block (the head), indirectly lost 144 bytes
 * in 3 blocks (the nodes behind it). */
#include <stdlib.h>
#include <string.h>

#include "tsupport.h"

struct node {
	struct node *next;
	long v[5];
}; /* 48 bytes */

struct node *kept_list; /* external linkage: the list's root */

NOIPA struct node *make_list(int n)
{
	struct node *head = NULL;
	for (int i = 0; i < n; i++) {
		struct node *p = malloc(sizeof *p);
		memset(p, 0, sizeof *p);
		p->next = head;
		head = p;
	}
	return head;
}

/* The leaked list's head goes through the sink (so gcc keeps it) and is
 * then overwritten: no root holds it. */
NOIPA void leak_list(void)
{
	ms_keep(make_list(4));
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
	kept_list = make_list(5);
	leak_list();
}

int main(void)
{
	build();
	scrub();
	return 0;
}
