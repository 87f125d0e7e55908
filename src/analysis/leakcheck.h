/* The checks of `memscope run --leak-check/--max-peak`: which leak classes
 * count as failures, suppressions, the peak limit, judged on a replayed
 * model. Classes come from the exit scan (model.h: summary.leak_scan);
 * without one, every block live at the end counts as definitely lost.
 *
 * Steps: fill ms_check_opts; ms_check_evaluate(&m, sym, &o, &r); read r. */
#ifndef MS_ANALYSIS_LEAKCHECK_H
#define MS_ANALYSIS_LEAKCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/heap.h"
#include "analysis/model.h"
#include "analysis/suppress.h"
#include "analysis/symbolize.h"

/* --leak-check=KIND as a set of classes (bit 1 << enum ms_leak_class) */
#define MS_CHECK_DEFINITE (1u << MS_LEAK_DEFINITE)
#define MS_CHECK_POSSIBLE (MS_CHECK_DEFINITE | 1u << MS_LEAK_POSSIBLE)
#define MS_CHECK_ALL (MS_CHECK_POSSIBLE | 1u << MS_LEAK_INDIRECT)

/* Parses "definite", "possible", "all" into *kinds; 0 or -1. */
int ms_check_kinds_parse(const char *name, unsigned *kinds);

struct ms_check_opts {
	unsigned kinds;             /* 0: no leak check */
	const struct ms_supp *supp; /* NULL or empty: nothing suppressed */
	bool max_peak_set;
	uint64_t max_peak;          /* fails when peak_bytes > max_peak */
};

struct ms_check_result {
	bool scan;                  /* classes from a scan; false: leaked at exit counted as definite */
	uint64_t bytes[MS_LEAK__COUNT], blocks[MS_LEAK__COUNT]; /* counted classes, not suppressed */
	uint64_t supp_bytes, supp_blocks; /* in counted classes, silenced by a rule */
	bool leak_failed, peak_failed;
};

/* Judges m. sym is needed only with suppressions (may be NULL otherwise).
 * Returns 0 or -ENOMEM. */
int ms_check_evaluate(const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_check_opts *o,
                      struct ms_check_result *r);

/* report --suppressions: moves the lost blocks (definitely, indirectly,
 * possibly; without a scan, the blocks leaked at exit) of every stack a rule
 * matches out of its figures and the summary's into
 * summary.suppressed_bytes/_blocks. Returns 0 or -ENOMEM (m is then
 * partly filtered). */
int ms_check_apply_suppressions(struct ms_model *m, struct ms_symbolizer *sym, const struct ms_supp *supp);

#endif
