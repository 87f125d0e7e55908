/* See run_checks.h. */
#include "cli/run_checks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/model.h"
#include "analysis/symbolize.h"
#include "cli/cli.h"
#include "report/check_report.h"
#include "trace/read.h"

/* Matches --name VALUE and --name=VALUE: true when a is the option, with
 * *val its value (NULL when missing). */
static bool opt_arg(const char *a, const char *name, int argc, char **argv, int *i, const char **val)
{
	size_t n = strlen(name);
	if (strncmp(a, name, n) || (a[n] && a[n] != '='))
		return false;
	*val = a[n] == '=' ? a + n + 1 : *i + 1 < argc ? argv[++*i] : NULL;
	return true;
}

/* Digits, then nothing or B, K/KiB, M/MiB, G/GiB (powers of 1024: a heap is
 * measured in pages and KiB, and "K" meaning 1000 would surprise). */
int ms_run_parse_size(const char *v, uint64_t *out)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {{"", 0}, {"B", 0}, {"K", 10}, {"KiB", 10}, {"M", 20}, {"MiB", 20}, {"G", 30}, {"GiB", 30}};
	if (!v || !(*v >= '0' && *v <= '9'))
		return -1;
	errno = 0;
	char *end;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].suffix)) {
			if (n > (UINT64_MAX >> units[i].shift))
				return -1;
			*out = (uint64_t)n << units[i].shift;
			return 0;
		}
	return -1;
}

static int load_suppressions(struct ms_supp *supp, const char *path)
{
	if (!path || !*path) {
		ms_cli_error("option '--suppressions' needs a file name");
		return -1;
	}
	char err[256];
	int rc = ms_supp_load(supp, path, err, sizeof(err));
	if (rc == MS_SUPP_E_SYNTAX)
		ms_cli_error("bad suppressions file '%s': %s", path, err);
	else if (rc)
		ms_cli_error("cannot read suppressions file '%s': %s", path, strerror(-rc));
	return rc ? -1 : 0;
}

int ms_run_checks_arg(struct ms_run_checks *c, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *val;
	if (opt_arg(a, "--leak-check", argc, argv, i, &val)) {
		if (!val || ms_check_kinds_parse(val, &c->opts.kinds)) {
			ms_cli_error("invalid value '%s' for option '--leak-check' (definite, possible or all)",
			             val ? val : "");
			return -1;
		}
		c->leak_kind = val;
	} else if (opt_arg(a, "--error-exitcode", argc, argv, i, &val)) {
		if (ms_cli_parse_uint("--error-exitcode", val, 255, &c->error_exitcode) < 0)
			return -1;
	} else if (opt_arg(a, "--suppressions", argc, argv, i, &val)) {
		if (load_suppressions(&c->supp, val) < 0)
			return -1;
	} else if (opt_arg(a, "--max-peak", argc, argv, i, &val)) {
		if (ms_run_parse_size(val, &c->opts.max_peak) < 0) {
			ms_cli_error("invalid value '%s' for option '--max-peak' (a size such as 4096, 512K, 64MiB, 2G)",
			             val ? val : "");
			return -1;
		}
		c->opts.max_peak_set = true;
	} else {
		return 0;
	}
	return 1;
}

bool ms_run_checks_judge(struct ms_run_checks *c, const char *trace)
{
	if (!c->opts.kinds && !c->opts.max_peak_set)
		return false;
	c->opts.supp = &c->supp;
	struct ms_model m;
	ms_model_init(&m);
	int rc = ms_replay_file(&m, trace);
	if (rc && !(rc == MS_TRACE_E_CORRUPT && m.frames > 0)) {
		char msg[512];
		ms_trace_error_message(msg, sizeof(msg), trace, rc, &m.hdr, m.frames);
		ms_cli_error("checks failed: %s", msg);
		ms_model_release(&m);
		return true;
	}
	struct ms_symbolizer *sym = c->supp.n ? ms_symbolizer_new(&m) : NULL;
	struct ms_check_result r;
	rc = c->supp.n && !sym ? -ENOMEM : ms_check_evaluate(&m, sym, &c->opts, &r);
	if (rc)
		ms_cli_error("checks failed: cannot judge trace '%s': out of memory", trace);
	else
		ms_report_check_text(stderr, &m, &c->opts, c->leak_kind, &r);
	ms_symbolizer_free(sym);
	ms_model_release(&m);
	return rc || r.leak_failed || r.peak_failed;
}

void ms_run_checks_release(struct ms_run_checks *c) { ms_supp_release(&c->supp); }
