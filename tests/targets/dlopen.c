/* dlopen: dlopen the sibling libdlalloc.so, call dl_work(), dlclose.
 *
 * The library's own figures: allocations 4, frees 3, bytes 3 x 512 + 4096 =
 * 5632; leaked 4096 bytes in 1 block, in dl_leak_here (libdlalloc.c,
 * LEAK-LINE), whose module is libdlalloc.so, unloaded before exit.
 * The program allocates nothing itself; dlopen/dlclose allocate in ld.so
 * (link map, scope arrays, ...) and free it all again at dlclose or in
 * __libc_freeres. Expected totals (valgrind 3.19 memcheck, glibc 2.36, with
 * the program in /tmp/tt): allocations 11, frees 10, bytes_allocated 9362,
 * leaked_bytes 4096 in leaked_blocks 1, DHAT t-gmax 7818. ld.so's blocks
 * hold the library's path, so bytes_allocated and the peak depend on the
 * directory: the e2e test compares with valgrind on the same binary.
 * With the argument "deepbind", the library is opened with RTLD_DEEPBIND:
 * its references to malloc/free bind to libc's first, before any
 * preloaded library (a known blind spot of LD_PRELOAD interposition;
 * valgrind redirects the functions themselves and sees the same 4
 * allocations of the library: valgrind 3.19 memcheck gives the same
 * figures as without deepbind, 11 allocs / 10 frees).
 * With the argument "two": after the dlclose of libdlalloc.so, dlopen the
 * sibling libdlalloc2.so (mapped where the first one was, as a rule), call
 * dl2_work() (leaks 2048 at dl2_leak_here) and dlclose it: each leak must
 * symbolize to its own library.
 * Exit status 0 if dl_work returned 42 (and dl2_work 43), 1 if a library
 * could not be loaded. */
#include <dlfcn.h>
#include <string.h>

#include "texec.h"
#include "tsupport.h"

int main(int argc, char **argv)
{
	int flags = RTLD_NOW;
	if (argc > 1 && !strcmp(argv[1], "deepbind"))
		flags |= RTLD_DEEPBIND;
	const char *path = ms_sibling("libdlalloc.so");
	if (!path)
		return 1;
	void *h = dlopen(path, flags);
	if (!h)
		return 1;
	int (*work)(void) = (int (*)(void))dlsym(h, "dl_work");
	if (!work)
		return 1;
	int r = work();
	if (dlclose(h))
		return 1;
	if (r != 42)
		return 2;
	if (argc > 1 && !strcmp(argv[1], "two")) {
		path = ms_sibling("libdlalloc2.so");
		if (!path || !(h = dlopen(path, RTLD_NOW)))
			return 1;
		work = (int (*)(void))dlsym(h, "dl2_work");
		if (!work || work() != 43 || dlclose(h))
			return 1;
	}
	return 0;
}
