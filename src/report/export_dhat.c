/* DHAT export: the JSON of valgrind's DHAT in heap mode (file version 2),
 * as its viewer dh_view.html reads it. One program point per recorded
 * stack: totals, its own maximum, what was live at the global heap peak
 * (t-gmax) and at the end. memscope records no memory accesses, so
 * "bkacc" is false and the access fields are left out, as DHAT allows.
 * Times are nanoseconds since the start ("tu": "ns"; rates per "ms"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lifetime.h"
#include "report/export.h"
#include "report/export_strtab.h"
#include "report/json.h"

/* Blocks living at most this long are "short-lived" in the viewer's sort. */
#define SHORT_LIVED_NS 10000

static void write_cmd(struct ms_json *j, const struct ms_model *m)
{
	/* DHAT writes the command line as one string */
	size_t len = 1;
	for (size_t i = 0; i < m->argc; i++)
		len += strlen(m->argv[i]) + 1;
	char *cmd = m->argc ? malloc(len) : NULL;
	if (!cmd) {
		ms_json_kv_str(j, "cmd", m->exe ? m->exe : "(unknown)");
		return;
	}
	char *p = cmd;
	for (size_t i = 0; i < m->argc; i++) {
		size_t n = strlen(m->argv[i]);
		if (i)
			*p++ = ' ';
		memcpy(p, m->argv[i], n);
		p += n;
	}
	*p = 0;
	ms_json_kv_str(j, "cmd", cmd);
	free(cmd);
}

static int write_pp(struct ms_json *j, const struct ms_model *m, const struct ms_stack *s, const struct ms_frame *f,
                    size_t nf, struct ms_strtab *ftbl)
{
	ms_json_object_begin(j);
	ms_json_kv_u64(j, "tb", s->bytes_allocated);
	ms_json_kv_u64(j, "tbk", s->allocations);
	ms_json_kv_u64(j, "tl", ms_stack_lifetime_ns(m, s));
	ms_json_kv_u64(j, "mb", s->max_live_bytes);
	ms_json_kv_u64(j, "mbk", s->max_live_blocks);
	ms_json_kv_u64(j, "gb", s->peak_bytes);
	ms_json_kv_u64(j, "gbk", s->peak_blocks);
	ms_json_kv_u64(j, "eb", s->live_bytes);
	ms_json_kv_u64(j, "ebk", s->live_blocks);
	ms_json_key(j, "fs");
	ms_json_array_begin(j);
	for (size_t k = 0; k < nf || k == 0; k++) {
		char buf[4096];
		/* the viewer needs a frame per point: an empty stack gets "???" */
		const char *text = nf ? ms_export_valgrind_frame(buf, sizeof(buf), &f[k]) : "0x0: ???";
		int64_t idx = ms_strtab_add(ftbl, text);
		if (idx < 0)
			return -ENOMEM;
		ms_json_u64(j, (uint64_t)idx);
	}
	ms_json_array_end(j);
	ms_json_object_end(j);
	return 0;
}

int ms_export_dhat(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_export_opts *o)
{
	struct ms_json j;
	struct ms_strtab ftbl;
	size_t n;
	uint32_t *order = ms_model_sort_stacks(m, MS_BY_BYTES, &n);
	if (!order && n)
		return -ENOMEM;
	ms_strtab_init(&ftbl);
	int rc = ms_strtab_add(&ftbl, "[root]") < 0 ? -ENOMEM : 0;
	ms_json_init(&j, out);
	ms_json_object_begin(&j);
	ms_json_kv_u64(&j, "dhatFileVersion", 2);
	ms_json_kv_str(&j, "mode", "heap");
	ms_json_kv_str(&j, "verb", "Allocated");
	ms_json_kv_bool(&j, "bklt", true);
	ms_json_kv_bool(&j, "bkacc", false);
	ms_json_kv_str(&j, "tu", "ns");
	ms_json_kv_str(&j, "Mtu", "ms");
	ms_json_kv_u64(&j, "tuth", SHORT_LIVED_NS);
	write_cmd(&j, m);
	ms_json_kv_u64(&j, "pid", m->hdr.pid);
	ms_json_kv_u64(&j, "te", m->summary.wall_time_ns);
	ms_json_kv_u64(&j, "tg", m->summary.peak_time_ns);
	ms_json_key(&j, "pps");
	ms_json_array_begin(&j);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct ms_frame *f;
		size_t nf;
		rc = ms_symbolize_stack(sym, order[i], &f, &nf);
		if (!rc)
			rc = write_pp(&j, m, &m->stacks[order[i]], f, nf, &ftbl);
	}
	ms_json_array_end(&j);
	ms_json_key(&j, "ftbl");
	ms_json_array_begin(&j);
	for (size_t i = 0; i < ftbl.n; i++)
		ms_json_string(&j, ftbl.strs[i]);
	ms_json_array_end(&j);
	ms_json_object_end(&j);
	free(order);
	ms_strtab_release(&ftbl);
	(void)o;
	if (!rc && ferror(out))
		rc = -EIO;
	return rc;
}
