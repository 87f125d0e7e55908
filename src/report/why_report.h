/* `memscope why` output: a block, its class and retained size, and the
 * chain of pointers from a root, each hop named. 0 or a negative code. */
#ifndef MS_REPORT_WHY_REPORT_H
#define MS_REPORT_WHY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/heap.h"
#include "analysis/model.h"
#include "analysis/symbolize.h"

/* The block of stack id (the trace's id) that retains most, or MS_HBLOCK_NONE. */
uint32_t ms_why_pick(const struct ms_model *m, const struct ms_heap *h, uint64_t stack_id);
int ms_report_why_text(FILE *out, const struct ms_model *m, const struct ms_heap *h, struct ms_symbolizer *sym,
                       uint32_t block, bool stack_summary, const char *path, const char *snap);
int ms_report_why_json(FILE *out, const struct ms_model *m, const struct ms_heap *h, struct ms_symbolizer *sym,
                       uint32_t block, bool stack_summary, const char *path, const char *snap);

#endif
