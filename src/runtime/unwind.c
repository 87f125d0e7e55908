/* Stack capture: memscope's own walk of .eh_frame (cfi.c) where it can
 * follow the stack, else libunwind's cached fast path (unw_backtrace). The
 * runtime's own frames are cut by position: the hook passes its own return
 * address, and the stack starts at that frame, whatever got inlined. At the
 * outer end, our main() wrapper (hooks.c) is dropped too. */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <link.h>
#include <string.h>

#include "runtime/rt.h"

static uintptr_t self_lo, self_hi; /* our executable segment */

static int find_self(struct dl_phdr_info *info, size_t size, void *ctx)
{
	uintptr_t me = (uintptr_t)ctx;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && me - lo < ph->p_memsz) {
			self_lo = lo;
			self_hi = lo + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

void ms_rt_unwind_init(void)
{
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
	dl_iterate_phdr(find_self, (void *)(uintptr_t)ms_rt_unwind);
	if (!ms_rt_opt.libunwind)
		ms_cfi_init(); /* else, or if it fails, every walk hands over to libunwind */
}

/* libunwind's stack from ra's frame on, moved to the front of ips. */
static uint32_t unwind_libunwind(uintptr_t *ips, uint32_t depth, void *ra)
{
	int n = unw_backtrace((void **)ips, (int)(depth + MS_UNWIND_SLACK));
	if (n <= 0)
		return 0;
	uint32_t cnt = (uint32_t)n, skip = 0;
	for (;; skip++) {
		if (skip == cnt || skip == MS_UNWIND_SLACK)
			return 0; /* our frames are not where expected: better unknown than wrong */
		if (ips[skip] == (uintptr_t)ra)
			break;
	}
	cnt -= skip;
	if (skip)
		memmove(ips, ips + skip, cnt * sizeof *ips);
	return cnt;
}

/* Our main() wrapper out (it sits a few frames from the outer end), and the
 * stack cut to depth. */
static uint32_t finish(uintptr_t *ips, uint32_t cnt, uint32_t depth)
{
	for (uint32_t i = cnt > MS_UNWIND_CUT_PAST ? cnt - MS_UNWIND_CUT_PAST : 0; i < cnt; i++) {
		if (ips[i] - self_lo < self_hi - self_lo) {
			for (uint32_t j = i + 1; j < cnt; j++)
				ips[j - 1] = ips[j];
			cnt--;
			break;
		}
	}
	return cnt > depth ? depth : cnt;
}

uint32_t ms_rt_unwind(struct ms_tstate *t, uint32_t depth, void *ra, const void *frame, struct ms_stackpath **path)
{
	uintptr_t *ips = t->ips;
	*path = NULL;
	int n = ms_cfi_walk(ips, depth + MS_UNWIND_CUT_PAST, MS_UNWIND_SLACK, (uintptr_t)ra, frame, t->stack_lo,
	                    t->stack_hi, t->memo, path);
	if (*path)
		return (uint32_t)n > depth ? depth : (uint32_t)n; /* an upper bound: ms_rt_unwind_path has the count */
	return finish(ips, n >= 0 ? (uint32_t)n : unwind_libunwind(ips, depth, ra), depth);
}

/* A walk cut at depth + MS_UNWIND_CUT_PAST frames would have seen no more
 * of the path. */
uint32_t ms_rt_unwind_path(struct ms_tstate *t, uint32_t depth, const struct ms_stackpath *path)
{
	return finish(t->ips, ms_stackpath_ips(path, t->ips, depth + MS_UNWIND_CUT_PAST), depth);
}
