/* Live blocks of a scanned heap counted per C++ class, like dotnet-dump's
 * `dumpheap -stat`: a block is of the class whose vtable its first word
 * points into (symbolize.h: ms_symbolize_type); the others are grouped in
 * one row whose name is NULL ("no vtable"). */
#ifndef MS_ANALYSIS_TYPES_H
#define MS_ANALYSIS_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/heap.h"
#include "analysis/symbolize.h"

struct ms_type_row {
	const char *name; /* lives as long as the symbolizer; NULL: no vtable */
	uint64_t blocks, bytes;
	uint64_t class_blocks[MS_LEAK__COUNT], class_bytes[MS_LEAK__COUNT]; /* zero when h->cls is NULL */
};

/* Rows of h by bytes (largest first, then name; the no-vtable row sorts
 * like the others) into *rows (malloc'd, caller frees), *n rows. Returns 0
 * or -ENOMEM. */
int ms_heap_types(const struct ms_heap *h, struct ms_symbolizer *sym, struct ms_type_row **rows, size_t *n);

#endif
