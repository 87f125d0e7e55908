/* Format names and dispatch of the exports (export.h), and what several
 * formats share. */
#include "report/export.h"

#include <inttypes.h>
#include <string.h>

static const char *const format_names[] = {"pprof", "massif", "dhat", "collapsed", "json"};

int ms_export_format_parse(const char *name, enum ms_export_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(name, format_names[i])) {
			*out = (enum ms_export_format)i;
			return 0;
		}
	return -1;
}

int ms_export_at_parse(const char *name, enum ms_export_at *out)
{
	if (!strcmp(name, "end") || !strcmp(name, "exit"))
		*out = MS_AT_END;
	else if (!strcmp(name, "peak"))
		*out = MS_AT_PEAK;
	else
		return -1;
	return 0;
}

bool ms_export_is_binary(enum ms_export_format f) { return f == MS_EXPORT_PPROF; }

int ms_export(FILE *out, enum ms_export_format f, const struct ms_model *m, struct ms_symbolizer *sym,
              const struct ms_export_opts *o)
{
	switch (f) {
	case MS_EXPORT_PPROF: return ms_export_pprof(out, m, sym, o);
	case MS_EXPORT_MASSIF: return ms_export_massif(out, m, sym, o);
	case MS_EXPORT_DHAT: return ms_export_dhat(out, m, sym, o);
	case MS_EXPORT_COLLAPSED: return ms_export_collapsed(out, m, sym, o);
	case MS_EXPORT_JSON: return ms_export_json(out, m, sym, o);
	}
	return -1;
}

char *ms_export_valgrind_frame(char *buf, size_t n, const struct ms_frame *f)
{
	/* an unknown address: the symbolizer's "0xIP" stands for the function */
	if (!f->module && !f->file)
		snprintf(buf, n, "0x%" PRIX64 ": ???", f->ip);
	else if (f->file && f->line)
		snprintf(buf, n, "0x%" PRIX64 ": %s (%s:%" PRIu32 ")", f->ip, f->function, ms_basename(f->file), f->line);
	else
		snprintf(buf, n, "0x%" PRIX64 ": %s (in %s)", f->ip, f->function, f->module ? f->module : "???");
	return buf;
}
