/* The CI checks of `memscope run` (--leak-check, --suppressions, --max-peak,
 * --error-exitcode): their options and the verdict after the program ended.
 * The judging is analysis/leakcheck.h's, the wording report/check_report.h's.
 *
 * Steps:
 *  1. struct ms_run_checks c = {0};
 *  2. ms_run_checks_arg(&c, ...) for each option (suppression files are read
 *     there, so a bad file fails before the program runs);
 *  3. after the program ended: failed = ms_run_checks_judge(&c, trace);
 *  4. ms_run_checks_release(&c). */
#ifndef MS_CLI_RUN_CHECKS_H
#define MS_CLI_RUN_CHECKS_H

#include <stdbool.h>

#include "analysis/leakcheck.h"
#include "analysis/suppress.h"

struct ms_run_checks {
	const char *leak_kind;             /* --leak-check value as given; NULL: none */
	struct ms_check_opts opts;
	struct ms_supp supp;
	unsigned long long error_exitcode; /* 0: keep the program's status */
};

/* Takes argv[*i] (and its value) if it is a check option. Returns 1 when it
 * was one, 0 when not, -1 after printing an error. */
int ms_run_checks_arg(struct ms_run_checks *c, int argc, char **argv, int *i);
/* A size: digits, then nothing or B, K/KiB, M/MiB, G/GiB (powers of 1024).
 * Returns 0, or -1 when v is not one. */
int ms_run_parse_size(const char *v, uint64_t *out);

/* Replays the trace and prints a line per failed check on stderr. Returns
 * true when a check failed or the trace could not be judged (one line
 * says why); false when no check was asked for or all passed. */
bool ms_run_checks_judge(struct ms_run_checks *c, const char *trace);

void ms_run_checks_release(struct ms_run_checks *c);

#endif
