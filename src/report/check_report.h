/* The lines `memscope run` prints for its checks (--leak-check, --max-peak,
 * --suppressions): one line per failure, each prefixed "memscope: ". */
#ifndef MS_REPORT_CHECK_REPORT_H
#define MS_REPORT_CHECK_REPORT_H

#include <stdio.h>

#include "analysis/leakcheck.h"

/* kind_name: the --leak-check value as given ("definite", ...), named in
 * each leak line. */
void ms_report_check_text(FILE *out, const struct ms_model *m, const struct ms_check_opts *o,
                          const char *kind_name, const struct ms_check_result *r);

#endif
