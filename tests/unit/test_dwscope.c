/* The unit index of dwscope.c against libdw itself: at every address of
 * the line tables of the memscope binary (built with -O2 -g, so full of
 * inlined calls; CMake passes its path), the function DIEs from the index
 * equal, DIE for DIE, what libdw's dwarf_getscopes and dwarf_getscopes_die
 * give (ms_dwscope_libdw, the fallback); where the index declines (0),
 * libdw finds no function either. Without debug information in the build,
 * it says so and fails. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "analysis/dwscope.h"
#include "assert.h"

#define MAX_CHAIN 64
/* every STRIDE-th line row: libdw's walk costs ~0.6 ms an address here */
#define STRIDE 8

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* libdw's chain as DIE offsets; 0 when it reaches no subprogram. */
static int libdw_chain(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Off *out)
{
	Dwarf_Die *sc = NULL;
	int n = ms_dwscope_libdw(cu, pc, &sc);
	int whole = n > 0 && n <= MAX_CHAIN && dwarf_tag(&sc[n - 1]) == DW_TAG_subprogram;
	for (int i = 0; i < n && whole; i++)
		out[i] = dwarf_dieoffset(&sc[i]);
	free(sc);
	return whole ? n : 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : MS_DWSCOPE_BINARY;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		MS_FAIL_AT("cannot open %s", path);
	Dwarf *dbg = dwarf_begin(fd, DWARF_C_READ);
	if (!dbg)
		MS_FAIL_AT("%s has no DWARF: build with -g (RelWithDebInfo)", path);
	struct ms_dwscope *x = ms_dwscope_new();
	ASSERT_TRUE(x != NULL);
	size_t addresses = 0, with_function = 0, with_inline = 0, units = 0;
	double t_libdw = 0, t_index = 0;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		Dwarf_Lines *lines;
		size_t nlines;
		if (dwarf_offdie(dbg, off + hsize, &cu) && dwarf_getsrclines(&cu, &lines, &nlines) == 0) {
			units++;
			for (size_t i = 0; i < nlines; i += STRIDE) {
				Dwarf_Addr pc;
				if (dwarf_lineaddr(dwarf_onesrcline(lines, i), &pc) != 0)
					continue;
				Dwarf_Off want[MAX_CHAIN];
				double t0 = seconds();
				int nwant = libdw_chain(&cu, pc, want);
				double t1 = seconds();
				Dwarf_Die *got = NULL;
				int ngot = ms_dwscope_indexed(x, &cu, pc, &got);
				t_index += seconds() - t1;
				t_libdw += t1 - t0;
				ASSERT_TRUE(ngot >= 0);
				if (ngot != nwant)
					MS_FAIL_AT("pc 0x%llx: %d DIEs from the index, %d from libdw", (unsigned long long)pc, ngot,
					           nwant);
				for (int k = 0; k < ngot; k++)
					ASSERT_EQ_U64(dwarf_dieoffset(&got[k]), want[k]);
				free(got);
				addresses++;
				with_function += nwant > 0;
				with_inline += nwant > 1;
			}
		}
		off = next;
	}
	/* not a vacuous pass: the code was all there, with inlining where the
	 * build optimizes (this file is compiled as memscope is) */
#ifdef __OPTIMIZE__
	size_t min_inline = 1000;
#else
	size_t min_inline = 0;
#endif
	if (with_function < 3000 || with_inline < min_inline)
		MS_FAIL_AT("only %zu addresses in a function, %zu in inlined code (of %zu in %zu units)", with_function,
		           with_inline, addresses, units);
	printf("%zu addresses in %zu units: %zu in a function, %zu in inlined code, all as libdw; "
	       "libdw %.3f s, the index %.3f s (building it included)\n",
	       addresses, units, with_function, with_inline, t_libdw, t_index);
	ms_dwscope_free(x);
	dwarf_end(dbg);
	close(fd);
	return 0;
}
