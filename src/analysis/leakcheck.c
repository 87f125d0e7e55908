/* See leakcheck.h. Suppressions work per call stack: every block of a stack
 * shares its frames, so one match per stack decides for all its blocks. */
#include "analysis/leakcheck.h"

#include <string.h>

int ms_check_kinds_parse(const char *name, unsigned *kinds)
{
	if (!strcmp(name, "definite"))
		*kinds = MS_CHECK_DEFINITE;
	else if (!strcmp(name, "possible"))
		*kinds = MS_CHECK_POSSIBLE;
	else if (!strcmp(name, "all"))
		*kinds = MS_CHECK_ALL;
	else
		return -1;
	return 0;
}

int ms_check_evaluate(const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_check_opts *o,
                      struct ms_check_result *r)
{
	memset(r, 0, sizeof(*r));
	r->scan = m->summary.leak_scan;
	r->peak_failed = o->max_peak_set && m->summary.peak_bytes > o->max_peak;
	if (!o->kinds)
		return 0;
	bool supp = o->supp && o->supp->n && sym;
	for (size_t i = 0; i < m->n_stacks; i++) {
		const struct ms_stack *s = &m->stacks[i];
		uint64_t bytes[MS_LEAK__COUNT] = {0}, blocks[MS_LEAK__COUNT] = {0};
		if (r->scan) {
			memcpy(bytes, s->class_bytes, sizeof(bytes));
			memcpy(blocks, s->class_blocks, sizeof(blocks));
		} else {
			bytes[MS_LEAK_DEFINITE] = s->live_bytes;
			blocks[MS_LEAK_DEFINITE] = s->live_blocks;
		}
		uint64_t counted = 0;
		for (int c = 0; c < MS_LEAK__COUNT; c++)
			if (o->kinds & 1u << c)
				counted += blocks[c];
		if (!counted)
			continue;
		long rule = supp ? ms_supp_match_stack(o->supp, sym, (uint32_t)i) : -1;
		if (rule < -1)
			return (int)rule;
		for (int c = 0; c < MS_LEAK__COUNT; c++) {
			if (!(o->kinds & 1u << c))
				continue;
			if (rule >= 0) {
				r->supp_bytes += bytes[c];
				r->supp_blocks += blocks[c];
			} else {
				r->bytes[c] += bytes[c];
				r->blocks[c] += blocks[c];
			}
		}
	}
	for (int c = 0; c < MS_LEAK__COUNT; c++)
		if (r->blocks[c])
			r->leak_failed = true;
	return 0;
}

int ms_check_apply_suppressions(struct ms_model *m, struct ms_symbolizer *sym, const struct ms_supp *supp)
{
	struct ms_summary *su = &m->summary;
	su->suppressions = true;
	for (size_t i = 0; i < m->n_stacks; i++) {
		struct ms_stack *s = &m->stacks[i];
		bool lost = su->leak_scan ? s->class_blocks[MS_LEAK_DEFINITE] + s->class_blocks[MS_LEAK_INDIRECT] +
		                                    s->class_blocks[MS_LEAK_POSSIBLE] : s->live_blocks;
		if (!lost)
			continue;
		long rule = ms_supp_match_stack(supp, sym, (uint32_t)i);
		if (rule < -1)
			return (int)rule;
		if (rule < 0)
			continue;
		if (!su->leak_scan) {
			su->suppressed_bytes += s->live_bytes;
			su->suppressed_blocks += s->live_blocks;
			su->leaked_bytes -= s->live_bytes;
			su->leaked_blocks -= s->live_blocks;
			su->var_leaked = su->leaked_blocks && su->var_leaked > s->var_live ? su->var_leaked - s->var_live : 0;
			s->live_bytes = s->live_blocks = 0;
			s->var_live = 0;
			continue;
		}
		for (int c = MS_LEAK_DEFINITE; c <= MS_LEAK_POSSIBLE; c++) {
			su->suppressed_bytes += s->class_bytes[c];
			su->suppressed_blocks += s->class_blocks[c];
			su->class_bytes[c] -= s->class_bytes[c];
			su->class_blocks[c] -= s->class_blocks[c];
			s->class_bytes[c] = s->class_blocks[c] = 0;
		}
	}
	return 0;
}
