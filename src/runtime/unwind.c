/* Stack capture with libunwind's cached fast path (unw_backtrace). The
 * runtime's own frames are cut by position: the hook passes its own return
 * address, and the stack starts at that frame, whatever got inlined. At the
 * outer end, our main() wrapper (hooks.c) is dropped too. */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <link.h>

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
}

uint32_t ms_rt_unwind(uintptr_t *ips, uint32_t depth, void *ra)
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
	uintptr_t *out = ips;
	ips += skip;
	cnt -= skip;
	/* the wrapper of main sits a few frames from the outer end */
	for (uint32_t i = cnt > 4 ? cnt - 4 : 0; i < cnt; i++) {
		if (ips[i] - self_lo < self_hi - self_lo) {
			for (uint32_t j = i + 1; j < cnt; j++)
				ips[j - 1] = ips[j];
			cnt--;
			break;
		}
	}
	if (cnt > depth)
		cnt = depth;
	if (skip)
		for (uint32_t i = 0; i < cnt; i++)
			out[i] = ips[i];
	return cnt;
}
