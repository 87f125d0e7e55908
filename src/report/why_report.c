/* Naming the hops of a retention path: roots by what holds them (a module's
 * global symbol, a thread's stack, register or TLS), blocks by where they
 * were allocated. Text and JSON carry the same names. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "report/json.h"
#include "report/units.h"
#include "report/why_report.h"
#include "trace/format.h"

uint32_t ms_why_pick(const struct ms_model *m, const struct ms_heap *h, uint64_t stack_id)
{
	uint32_t best = MS_HBLOCK_NONE;
	for (size_t i = 0; i < h->n_blocks; i++)
		if (m->stacks[h->blocks[i].stack].id == stack_id &&
		    (best == MS_HBLOCK_NONE || h->retained[i] > h->retained[best]))
			best = (uint32_t)i;
	return best;
}

/* x86-64 ucontext gregs order */
static const char *reg_name(uint64_t i)
{
	static const char *const n[] = {"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rdi", "rsi",
	                                "rbp", "rbx", "rdx", "rax", "rcx", "rsp", "rip"};
	return i < sizeof(n) / sizeof(n[0]) ? n[i] : "?";
}

/* The root's name into buf. */
static int root_name(char *buf, size_t n, const struct ms_model *m, struct ms_symbolizer *sym,
                     const struct ms_hroot *r)
{
	switch (r->kind) {
	case MS_ROOT_MODULE: {
		for (size_t i = 0; i < m->n_modules; i++) {
			if (m->modules[i].id != r->ref)
				continue;
			struct ms_datasym d;
			if (ms_symbolize_data(sym, (uint32_t)i, r->where, &d))
				return -ENOMEM;
			const char *mod = ms_basename(m->modules[i].path);
			if (d.name)
				snprintf(buf, n, "global %s+%" PRIu64 " (%s)", d.name, d.offset, mod);
			else
				snprintf(buf, n, "global at %s+0x%" PRIx64, mod, r->where);
			return 0;
		}
		snprintf(buf, n, "global in module %" PRIu64 " +0x%" PRIx64, r->ref, r->where);
		return 0;
	}
	case MS_ROOT_STACK: snprintf(buf, n, "thread %" PRIu64 " stack, sp+0x%" PRIx64, r->ref, r->where); return 0;
	case MS_ROOT_REGISTER: snprintf(buf, n, "thread %" PRIu64 " register %s", r->ref, reg_name(r->where)); return 0;
	case MS_ROOT_TLS: snprintf(buf, n, "thread %" PRIu64 " TLS +0x%" PRIx64, r->ref, r->where); return 0;
	default: snprintf(buf, n, "word at 0x%" PRIx64, r->where); return 0;
	}
}

/* The first frame of the block's stack (allocation site). */
static int site(struct ms_symbolizer *sym, const struct ms_hblock *b, const struct ms_frame **f)
{
	size_t n;
	static const struct ms_frame none = {.function = "(no frames)"};
	if (ms_symbolize_stack(sym, b->stack, f, &n))
		return -ENOMEM;
	if (!n)
		*f = &none;
	return 0;
}

static void block_text(FILE *out, const struct ms_model *m, const struct ms_heap *h, const struct ms_frame *f,
                       uint32_t i)
{
	const struct ms_hblock *b = &h->blocks[i];
	char a[MS_FMT_MAX];
	fprintf(out, "0x%" PRIx64 " (%s, stack id %" PRIu64 ") allocated in %s", b->addr, ms_fmt_size(a, b->size),
	        m->stacks[b->stack].id, f->function);
	if (f->file)
		fprintf(out, " %s:%u", ms_basename(f->file), f->line);
}

int ms_report_why_text(FILE *out, const struct ms_model *m, const struct ms_heap *h, struct ms_symbolizer *sym,
                       uint32_t block, bool stack_summary, const char *path, const char *snap)
{
	char a[MS_FMT_MAX], b[MS_FMT_MAX];
	const struct ms_frame *f;
	if (stack_summary) {
		uint64_t cb[MS_LEAK__COUNT] = {0}, cn[MS_LEAK__COUNT] = {0};
		uint32_t s = h->blocks[block].stack;
		for (size_t i = 0; i < h->n_blocks; i++)
			if (h->blocks[i].stack == s) {
				cb[h->cls[i]] += h->blocks[i].size;
				cn[h->cls[i]]++;
			}
		fprintf(out, "call stack %" PRIu64 " at snapshot %s of %s:\n", m->stacks[s].id, snap, path);
		for (int c = 0; c < MS_LEAK__COUNT; c++)
			if (cn[c])
				fprintf(out, "  %-16s %s in %s blocks\n", ms_leak_class_name((enum ms_leak_class)c),
				        ms_fmt_bytes(a, cb[c]), ms_fmt_count(b, cn[c]));
		fprintf(out, "  retains %s; the block that retains most:\n", ms_fmt_bytes(a, m->stacks[s].retained_bytes));
	}
	if (site(sym, &h->blocks[block], &f))
		return -ENOMEM;
	fputs("block ", out);
	block_text(out, m, h, f, block);
	fprintf(out, "\n  %s, retains %s\n", ms_leak_class_name((enum ms_leak_class)h->cls[block]),
	        ms_fmt_bytes(a, h->retained[block]));
	struct ms_hop *hops;
	long n = ms_heap_path(h, block, &hops);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		fputs("  no root reaches it: it is lost", out);
		if (h->idom[block] != MS_HBLOCK_NONE) {
			fputs(", held by the lost block ", out);
			if (site(sym, &h->blocks[h->idom[block]], &f))
				return -ENOMEM;
			block_text(out, m, h, f, h->idom[block]);
		}
		fputc('\n', out);
		return ferror(out) ? -EIO : 0;
	}
	fprintf(out, "  kept alive by (%ld hop%s):\n", n, n > 1 ? "s" : "");
	for (long k = 0; k < n; k++) {
		char name[512];
		uint32_t target;
		uint64_t off;
		if (k == 0) {
			const struct ms_hroot *r = &h->roots[hops[0].root];
			if (root_name(name, sizeof(name), m, sym, r)) {
				free(hops);
				return -ENOMEM;
			}
			fprintf(out, "    %s\n", name);
			target = r->target;
			off = r->off;
		} else {
			const struct ms_hedge *e = &h->edges[hops[k].edge];
			fprintf(out, "      at +%" PRIu64 "\n", e->from_off);
			target = e->to;
			off = e->to_off;
		}
		if (site(sym, &h->blocks[target], &f)) {
			free(hops);
			return -ENOMEM;
		}
		fputs("    -> ", out);
		block_text(out, m, h, f, target);
		if (off)
			fprintf(out, " (interior pointer, +%" PRIu64 ")", off);
		fputc('\n', out);
	}
	free(hops);
	return ferror(out) ? -EIO : 0;
}

static int block_json(struct ms_json *j, const struct ms_model *m, const struct ms_heap *h,
                      struct ms_symbolizer *sym, uint32_t i)
{
	const struct ms_frame *f;
	if (site(sym, &h->blocks[i], &f))
		return -ENOMEM;
	ms_json_kv_u64(j, "address", h->blocks[i].addr);
	ms_json_kv_u64(j, "size", h->blocks[i].size);
	ms_json_kv_u64(j, "stack_id", m->stacks[h->blocks[i].stack].id);
	ms_json_kv_str(j, "function", f->function);
	ms_json_kv_str(j, "file", f->file);
	ms_json_kv_u64(j, "line", f->line);
	ms_json_kv_str(j, "class", ms_leak_class_key((enum ms_leak_class)h->cls[i]));
	ms_json_kv_u64(j, "retained_bytes", h->retained[i]);
	ms_json_kv_str(j, "type", ms_symbolize_type(sym, h->blocks[i].first_word, h->ts));
	return 0;
}

int ms_report_why_json(FILE *out, const struct ms_model *m, const struct ms_heap *h, struct ms_symbolizer *sym,
                       uint32_t block, bool stack_summary, const char *path, const char *snap)
{
	struct ms_json j;
	struct ms_hop *hops;
	long n = ms_heap_path(h, block, &hops);
	if (n < 0)
		return (int)n;
	ms_json_init(&j, out);
	ms_json_object_begin(&j);
	ms_json_kv_str(&j, "trace", path);
	ms_json_kv_str(&j, "snapshot", snap);
	if (stack_summary)
		ms_json_kv_u64(&j, "stack_retained_bytes", m->stacks[h->blocks[block].stack].retained_bytes);
	ms_json_key(&j, "block");
	ms_json_object_begin(&j);
	int rc = block_json(&j, m, h, sym, block);
	ms_json_object_end(&j);
	ms_json_key(&j, "path");
	ms_json_array_begin(&j);
	for (long k = 0; k < n && !rc; k++) {
		ms_json_object_begin(&j);
		uint32_t target;
		uint64_t off;
		if (k == 0) {
			const struct ms_hroot *r = &h->roots[hops[0].root];
			char name[512];
			static const char *const kinds[] = {"?", "module", "stack", "register", "tls", "other"};
			rc = root_name(name, sizeof(name), m, sym, r);
			ms_json_kv_str(&j, "root", kinds[r->kind <= 5 ? r->kind : 0]);
			ms_json_kv_str(&j, "name", name);
			ms_json_kv_u64(&j, "ref", r->ref);
			ms_json_kv_u64(&j, "where", r->where);
			target = r->target;
			off = r->off;
		} else {
			const struct ms_hedge *e = &h->edges[hops[k].edge];
			ms_json_kv_u64(&j, "from_offset", e->from_off);
			target = e->to;
			off = e->to_off;
		}
		ms_json_kv_u64(&j, "target_offset", off);
		ms_json_key(&j, "block");
		ms_json_object_begin(&j);
		if (!rc)
			rc = block_json(&j, m, h, sym, target);
		ms_json_object_end(&j);
		ms_json_object_end(&j);
	}
	ms_json_array_end(&j);
	ms_json_object_end(&j);
	fputc('\n', out);
	free(hops);
	return rc ? rc : ferror(out) ? -EIO : 0;
}
