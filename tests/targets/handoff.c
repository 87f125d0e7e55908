/* handoff: blocks that change threads while the trace clock turns from
 * coarse to exact (src/runtime/clock.h). The main thread first allocates
 * and frees PRE blocks of 32 bytes alone (coarse stamps), then starts a
 * worker. Through a ring under a mutex, main sends N blocks of 40 bytes
 * (handoff_send) that the worker frees, and the worker answers each with a
 * block of 56 bytes (handoff_reply) that main frees: every block is freed
 * by the other thread, and glibc hands freed chunks from one thread to the
 * other. Nothing is leaked.
 *   own figures: handoff_pre 2,000 allocations and frees, 64,000 bytes;
 *   handoff_send and handoff_reply 20,000 each, 800,000 and 1,120,000 bytes;
 *   no leaked byte from any of them. */
#include <pthread.h>
#include <stdlib.h>

#include "tsupport.h"

#define PRE 2000
#define N 20000
#define RING 64

struct ring {
	void *slot[RING];
	unsigned head, tail; /* head - tail blocks waiting */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static struct ring to_worker = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
static struct ring to_main = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void put(struct ring *r, void *p)
{
	pthread_mutex_lock(&r->mu);
	while (r->head - r->tail == RING)
		pthread_cond_wait(&r->cv, &r->mu);
	r->slot[r->head++ % RING] = p;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void *take(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	while (r->head == r->tail)
		pthread_cond_wait(&r->cv, &r->mu);
	void *p = r->slot[r->tail++ % RING];
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return p;
}

NOIPA void *handoff_pre(void) { return malloc(32); }
NOIPA void *handoff_send(void) { return malloc(40); }
NOIPA void *handoff_reply(void) { return malloc(56); }

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < N; i++) {
		free(take(&to_worker));
		void *r = handoff_reply();
		ms_keep(r);
		put(&to_main, r);
	}
	return NULL;
}

int main(void)
{
	for (int i = 0; i < PRE; i++) {
		void *p = handoff_pre();
		ms_keep(p);
		free(p);
	}
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	/* up to RING blocks in flight each way, so the two threads overlap */
	int sent = 0, got = 0;
	while (got < N) {
		if (sent < N && sent - got < RING) {
			void *p = handoff_send();
			ms_keep(p);
			put(&to_worker, p);
			sent++;
		} else {
			free(take(&to_main));
			got++;
		}
	}
	pthread_join(t, NULL);
	ms_puts(1, "handoff done\n");
	return 0;
}
