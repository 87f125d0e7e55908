/* See check_report.h. */
#include "report/check_report.h"

#include "report/units.h"

/* Why a trace has no exit scan, from how it ended. */
static const char *no_scan_reason(enum ms_end_kind e)
{
	switch (e) {
	case MS_ENDK__EXIT: return "the program ended with _exit";
	case MS_ENDK_ABORT: return "the program aborted";
	case MS_ENDK_EXEC: return "the image was replaced by exec";
	case MS_ENDK_EXIT: return "the runtime did not scan";
	default: return "the program was killed?";
	}
}

void ms_report_check_text(FILE *out, const struct ms_model *m, const struct ms_check_opts *o,
                          const char *kind_name, const struct ms_check_result *r)
{
	char a[MS_FMT_MAX], b[MS_FMT_MAX];
	if (o->kinds && !r->scan)
		fprintf(out, "memscope: the trace has no heap scan at exit (%s): the %s bytes in %s blocks live at "
		        "its end count as definitely lost\n", no_scan_reason(m->summary.end),
		        ms_fmt_count(a, m->summary.leaked_bytes), ms_fmt_count(b, m->summary.leaked_blocks));
	for (int c = 0; c < MS_LEAK__COUNT; c++)
		if (r->blocks[c])
			fprintf(out, "memscope: %s bytes %s in %s blocks (--leak-check=%s)\n", ms_fmt_count(a, r->bytes[c]),
			        ms_leak_class_name((enum ms_leak_class)c), ms_fmt_count(b, r->blocks[c]), kind_name);
	if (r->supp_blocks)
		fprintf(out, "memscope: %s bytes in %s blocks suppressed (--suppressions)\n",
		        ms_fmt_count(a, r->supp_bytes), ms_fmt_count(b, r->supp_blocks));
	if (r->peak_failed)
		fprintf(out, "memscope: peak heap %s bytes exceeds %s bytes (--max-peak)\n",
		        ms_fmt_count(a, m->summary.peak_bytes), ms_fmt_count(b, o->max_peak));
}
