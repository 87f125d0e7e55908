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
 * wins. ms_dwscope_chain answers 0 where that walk is not certain to agree
 * (no function contains the address, or the unit's ranges overlap): the
 * caller then asks libdw. */
#ifndef MS_ANALYSIS_DWSCOPE_H
#define MS_ANALYSIS_DWSCOPE_H

#include <elfutils/libdw.h>

struct ms_dwscope; /* the indexes of one file's units */

struct ms_dwscope *ms_dwscope_new(void);
void ms_dwscope_free(struct ms_dwscope *x);

/* The DW_TAG_inlined_subroutine and DW_TAG_subprogram DIEs containing pc
 * (an address of cu's Dwarf, cu's bias removed), innermost first, ending at
 * the innermost subprogram, into *out (malloc'ed, NULL when none). Returns
 * their number, 0 when the index cannot tell (see above), or -ENOMEM. */
int ms_dwscope_chain(struct ms_dwscope *x, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die **out);

#endif
