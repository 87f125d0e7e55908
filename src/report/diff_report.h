/* `memscope diff` output (text and JSON) of an ms_diff; top limits the
 * groups shown. 0 or a negative code. */
#ifndef MS_REPORT_DIFF_REPORT_H
#define MS_REPORT_DIFF_REPORT_H

#include <stdio.h>

#include "analysis/diff.h"

int ms_report_diff_text(FILE *out, const struct ms_diff *d, const struct ms_diff_side *a,
                        const struct ms_diff_side *b, enum ms_diff_group g, const char *name_a,
                        const char *name_b, size_t top);
int ms_report_diff_json(FILE *out, const struct ms_diff *d, const struct ms_diff_side *a,
                        const struct ms_diff_side *b, enum ms_diff_group g, const char *name_a,
                        const char *name_b, size_t top);

#endif
