/* signal_alloc: allocations inside signal handlers, delivered many times at
 * points where the main thread is not inside the allocator (raise() runs
 * the handler before it returns; SIGALRM from setitimer is unblocked only
 * inside sigsuspend), so the totals are exact.
 *
 * Phase 1: raise(SIGUSR1) 1000 times. on_usr1: malloc(32) then free(32);
 *   every 100th call (n % 100 == 0) also leaks 8 bytes at leak_here
 *   (LEAK-LINE).  -> allocations 1000 + 10, frees 1000, bytes 32000 + 80.
 * Phase 2: setitimer(ITIMER_REAL, 1 ms) until on_alrm ran 200 times.
 *   on_alrm: malloc(48) then free(48). -> allocations 200, frees 200,
 *   bytes 9600.
 * Expected totals (valgrind 3.19 memcheck agrees):
 *   allocations 1210, frees 1200, bytes_allocated 41680,
 *   leaked_bytes 80 in leaked_blocks 10, peak_bytes 80 + 48 = 128 (the
 *   last on_alrm block, after all leaks), temporary_allocations 1200. */
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>

#include "tsupport.h"

static volatile sig_atomic_t n_usr1, n_alrm;

NOIPA void leak_here(void)
{
	void *p = malloc(8); /* LEAK-LINE */
	ms_keep(p);
}

NOIPA void usr1_alloc(void)
{
	void *p = malloc(32);
	ms_keep(p);
	free(p);
}

NOIPA void alrm_alloc(void)
{
	void *p = malloc(48);
	ms_keep(p);
	free(p);
}

static void on_usr1(int sig)
{
	(void)sig;
	usr1_alloc();
	if (n_usr1 % 100 == 0)
		leak_here();
	n_usr1++;
}

static void on_alrm(int sig)
{
	(void)sig;
	alrm_alloc();
	n_alrm++;
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		return 1;
	for (int i = 0; i < 1000; i++)
		raise(SIGUSR1);

	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sa.sa_handler = on_alrm;
	if (sigaction(SIGALRM, &sa, NULL))
		return 1;
	struct itimerval it = {{0, 1000}, {0, 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
	while (n_alrm < 200)
		sigsuspend(&old);
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, NULL);
	return n_usr1 == 1000 ? 0 : 1;
}
