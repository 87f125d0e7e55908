/* unwind_mix: allocations under the frame shapes a stack walk must follow,
 * so that memscope's own walk of .eh_frame can be compared with libunwind's
 * (e2e/0290): each allocation is freed, and its stack is the point.
 *
 *   warm_up        one stack, first: a thread's first 4,096 stacks are    5000 x 8 B
 *                  found without stack paths, all after these with them
 *   fp_frame       rbp-based CFA (a variable-length array forces it)   100 x 24 B
 *   aligned_frame  a 64-byte aligned local: the stack is realigned      100 x 40 B
 *   thrower/catcher  new inside a catch, after a throw through 3 frames  50 x 56 B
 *                    (plus the exception objects libstdc++ allocates)
 *   in a thread    the same three from a second thread                  once each
 *   on_usr1        malloc in a signal handler (a signal frame)           20 x 72 B
 *   recurse        70 frames deep: past the default depth of 64          10 x 88 B
 *   climb          on the way down 75 levels and back up, an allocation   3 x 152 x 104 B
 *                  at each level: consecutive stacks share their outer
 *                  frames and cross the depth both ways
 *   branch         80,000 x 120 B, each down 12 levels of a two-way     80000 x 120 B
 *                  choice (4,096 stacks): consecutive stacks part near
 *                  the outer end, and the runtime's cache of steps
 *                  between stack paths misses so often that it turns
 *                  paths off for a while, and on again
 * Every call site is NOIPA, so each function keeps its frame. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include <new>
#include <stdexcept>

#include "tsupport.h"

NOIPA void warm_up()
{
	void *p = malloc(8);
	ms_keep(p);
	free(p);
}

NOIPA void fp_frame(int n)
{
	volatile char vla[n]; /* the frame size is not known: CFA = rbp + 16 */
	vla[0] = 1;
	void *p = malloc(24);
	ms_keep(p);
	free(p);
	ms_isink += vla[0];
}

NOIPA void aligned_frame(void)
{
	alignas(64) volatile char buf[64];
	buf[0] = 2;
	void *p = malloc(40);
	ms_keep(p);
	free(p);
	ms_isink += buf[0];
}

NOIPA void thrower3(int i) { throw std::runtime_error(i & 1 ? "odd" : "even"); }
NOIPA void thrower2(int i) { thrower3(i); }
NOIPA void thrower1(int i) { thrower2(i); }

NOIPA void catcher(int i)
{
	try {
		thrower1(i);
	} catch (const std::exception &) {
		char *p = new char[56];
		ms_keep(p);
		delete[] p;
	}
}

NOIPA void on_usr1(int)
{
	void *p = malloc(72);
	ms_keep(p);
	free(p);
}

NOIPA void recurse(int n)
{
	if (n == 0) {
		void *p = malloc(88);
		ms_keep(p);
		free(p);
		return;
	}
	recurse(n - 1);
	ms_isink++;
}

NOIPA void climb(int n)
{
	void *p = malloc(104);
	ms_keep(p);
	free(p);
	if (n > 0)
		climb(n - 1);
	p = malloc(104);
	ms_keep(p);
	free(p);
}

NOIPA void branch_l(unsigned bits, int depth);
NOIPA void branch_r(unsigned bits, int depth);

NOIPA void branch(unsigned bits, int depth)
{
	if (!depth) {
		void *p = malloc(120);
		ms_keep(p);
		free(p);
		return;
	}
	if (bits & 1)
		branch_l(bits >> 1, depth - 1);
	else
		branch_r(bits >> 1, depth - 1);
	ms_isink++;
}

NOIPA void branch_l(unsigned bits, int depth)
{
	branch(bits, depth);
	ms_isink++;
}

NOIPA void branch_r(unsigned bits, int depth)
{
	branch(bits, depth);
	ms_isink++;
}

NOIPA void *second_thread(void *)
{
	fp_frame(3);
	aligned_frame();
	catcher(1);
	return nullptr;
}

int main()
{
	for (int i = 0; i < 5000; i++)
		warm_up();
	for (int i = 0; i < 100; i++)
		fp_frame(i % 7 + 1);
	for (int i = 0; i < 100; i++)
		aligned_frame();
	for (int i = 0; i < 50; i++)
		catcher(i);
	pthread_t t;
	if (pthread_create(&t, nullptr, second_thread, nullptr) || pthread_join(t, nullptr))
		return 1;
	signal(SIGUSR1, on_usr1);
	for (int i = 0; i < 20; i++)
		raise(SIGUSR1);
	for (int i = 0; i < 10; i++)
		recurse(70);
	for (int i = 0; i < 3; i++)
		climb(75);
	for (unsigned i = 0; i < 80000; i++)
		branch(i * 2654435761u, 12);
	ms_puts(1, "unwind_mix done\n");
	return 0;
}
