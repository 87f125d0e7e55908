/* The function DIEs containing an address, through an index of each
 * compilation unit's functions.
 *
 * Why: libdw's dwarf_getscopes walks a unit's DIEs from its first one on
 * every call, and the concrete chain of an inlined call (dwarf_getscopes_die)
 * walks it again. In a large unit (CPython's ceval.c) that is a millisecond
 * per address, and a report resolves every address of its stacks: two thirds
 * of the symbolizing time of python's report. Here a unit is walked once, its
 * functions' address ranges sorted, and an address then costs a binary search
 * and a descent into one function.
 *
 * The walk follows libdw's scope walk (libdw_visit_scopes.c): it descends
 * into namespaces, classes, structures and imported units, and a DIE of a
 * scope tag (subprogram, inlined subroutine, lexical block, ...) that does
 * not contain the address is not entered; the first match in DIE order
 * wins. Where that walk is not certain to agree (no function contains the
 * address, or the unit's ranges overlap), libdw is asked. */
#ifndef MS_ANALYSIS_DWSCOPE_H
#define MS_ANALYSIS_DWSCOPE_H

#include <elfutils/libdw.h>

struct ms_dwscope; /* the indexes of one file's units */

struct ms_dwscope *ms_dwscope_new(void);
void ms_dwscope_free(struct ms_dwscope *x);

/* The DW_TAG_inlined_subroutine and DW_TAG_subprogram DIEs containing pc
 * (an address of cu's Dwarf, cu's bias removed), innermost first, ending at
 * the innermost subprogram, into *out (malloc'ed, or NULL): from the index,
 * or from libdw where the index cannot tell. Returns their number (0: no
 * function there) or -ENOMEM. */
int ms_dwscope_chain(struct ms_dwscope *x, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die **out);

/* The same from the index alone: 0 where it cannot tell (see above). */
int ms_dwscope_indexed(struct ms_dwscope *x, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die **out);

/* The same from libdw alone: dwarf_getscopes, then, from the innermost
 * inlined call, dwarf_getscopes_die (the concrete chain of callers, where
 * dwarf_getscopes follows the inlined function's abstract definition).
 * Where libdw reaches no subprogram, the inlined calls it found. */
int ms_dwscope_libdw(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die **out);

#endif
