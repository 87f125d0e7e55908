/* Symbolization with libdw; see symbolize.h. Every string handed out is
 * interned in s->strings and lives until ms_symbolizer_free(). */
#include "analysis/symbolize.h"

#include "analysis/array.h"
#include "analysis/dwscope.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

#define MOD_NONE UINT32_MAX
#define MOD_AMBIGUOUS (UINT32_MAX - 1)
#define MOD_OUTSIDE (UINT32_MAX - 2) /* stored for "in no module" */

/* One function symbol of a module's symbol table, in Dwfl addresses. */
struct funcsym {
	GElf_Addr addr, size;
	const char *name; /* points into the ELF's string table */
	int rank;         /* binding: global 0, weak 1, local 2 (lower wins a tie) */
};

struct symfile {
	const char *path;
	const uint8_t *build_id;
	size_t build_id_len;
	bool tried, ok;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	GElf_Addr elf_bias;
	struct funcsym *syms; /* sorted by addr, built on the first symtab lookup */
	size_t n_syms;
	bool syms_built;
	struct funcsym *objs; /* data symbols (STT_OBJECT), sorted, built on first use */
	size_t n_objs;
	bool objs_built;
	struct ms_dwscope *scopes; /* its units' function indexes, made on first use */
};

struct span {
	uint32_t off, n;
};

struct ms_symbolizer {
	const struct ms_model *m;
	struct symfile *files;
	size_t n_files;
	uint32_t *file_of_module; /* model module index -> files index */

	struct ms_u64map ip_module;  /* ip -> module index, MOD_AMBIGUOUS, MOD_NONE */
	struct ms_u64map frame_cache; /* file << 48 | offset -> spans index */
	struct span *spans;
	size_t n_spans, cap_spans;
	struct ms_frame *pool; /* frames of cached addresses */
	size_t n_pool, cap_pool;
	struct ms_frame *out;  /* the last stack's frames */
	size_t cap_out;

	char **strings; /* interned: open addressing on content */
	size_t cap_strings, n_strings;

	char *(*demangle)(const char *, char *, size_t *, int *);
	void *libstdcxx;
};

static void take_warm(struct ms_symbolizer *s, struct ms_symwarm *w);

const char *ms_basename(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* Returns the interned copy of s[0..len), or NULL when out of memory. */
static const char *intern_n(struct ms_symbolizer *s, const char *str, size_t len)
{
	if ((s->n_strings + 1) * 2 > s->cap_strings) {
		size_t nc = s->cap_strings ? s->cap_strings * 2 : 1024;
		char **ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return NULL;
		for (size_t i = 0; i < s->cap_strings; i++) {
			if (!s->strings[i])
				continue;
			size_t j = ms_hash_bytes(s->strings[i], strlen(s->strings[i])) & (nc - 1);
			while (ns[j])
				j = (j + 1) & (nc - 1);
			ns[j] = s->strings[i];
		}
		free(s->strings);
		s->strings = ns;
		s->cap_strings = nc;
	}
	size_t mask = s->cap_strings - 1;
	for (size_t j = ms_hash_bytes(str, len) & mask;; j = (j + 1) & mask) {
		char *e = s->strings[j];
		if (!e) {
			if (!(e = malloc(len + 1)))
				return NULL;
			memcpy(e, str, len);
			e[len] = 0;
			s->strings[j] = e;
			s->n_strings++;
			return e;
		}
		if (!strncmp(e, str, len) && e[len] == 0)
			return e;
	}
}

static const char *intern(struct ms_symbolizer *s, const char *str)
{
	return str ? intern_n(s, str, strlen(str)) : NULL;
}

static const char *demangled(struct ms_symbolizer *s, const char *name)
{
	if (!name)
		return NULL;
	if (s->demangle && name[0] == '_' && name[1] == 'Z') {
		int status = -1;
		char *d = s->demangle(name, NULL, NULL, &status);
		if (d && status == 0) {
			const char *r = intern(s, d);
			free(d);
			return r;
		}
		free(d);
	}
	return intern(s, name);
}

/* Two recordings of one file: same path, same build-id. */
static bool same_file(const char *path, const uint8_t *bid, size_t bid_len, const char *path2, const uint8_t *bid2,
                      size_t bid_len2)
{
	return !strcmp(path, path2) && bid_len == bid_len2 && !memcmp(bid, bid2, bid_len);
}

struct ms_symbolizer *ms_symbolizer_new(const struct ms_model *m)
{
	struct ms_symbolizer *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->m = m;
	ms_u64map_init(&s->ip_module);
	ms_u64map_init(&s->frame_cache);
	s->file_of_module = malloc((m->n_modules + 1) * sizeof(uint32_t));
	s->files = calloc(m->n_modules + 1, sizeof(*s->files));
	if (!s->file_of_module || !s->files) {
		ms_symbolizer_free(s);
		return NULL;
	}
	/* one symfile per distinct (path, build-id) */
	for (size_t i = 0; i < m->n_modules; i++) {
		const struct ms_module *mod = &m->modules[i];
		const char *path = ms_module_file(m, mod);
		size_t f = 0;
		for (; f < s->n_files; f++)
			if (same_file(s->files[f].path, s->files[f].build_id, s->files[f].build_id_len, path, mod->build_id,
			              mod->build_id_len))
				break;
		if (f == s->n_files) {
			s->files[f].path = path;
			s->files[f].build_id = mod->build_id;
			s->files[f].build_id_len = mod->build_id_len;
			s->n_files++;
		}
		s->file_of_module[i] = (uint32_t)f;
	}
	/* __cxa_demangle from the C++ runtime, if it is there: C programs'
	 * reports must not need libstdc++ */
	s->libstdcxx = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
	if (s->libstdcxx)
		*(void **)&s->demangle = dlsym(s->libstdcxx, "__cxa_demangle");
	if (m->warm)
		take_warm(s, m->warm);
	return s;
}

void ms_symbolizer_free(struct ms_symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_files; i++) {
		ms_dwscope_free(s->files[i].scopes); /* before the Dwfl its DIEs point into */
		if (s->files[i].dwfl)
			dwfl_end(s->files[i].dwfl);
		free(s->files[i].syms);
		free(s->files[i].objs);
	}
	free(s->files);
	free(s->file_of_module);
	ms_u64map_release(&s->ip_module);
	ms_u64map_release(&s->frame_cache);
	free(s->spans);
	free(s->pool);
	free(s->out);
	for (size_t i = 0; i < s->cap_strings; i++)
		free(s->strings[i]);
	free(s->strings);
	if (s->libstdcxx)
		dlclose(s->libstdcxx);
	free(s);
}

static bool hex_equal(const uint8_t *raw, size_t raw_len, const uint8_t *rec, size_t rec_len)
{
	static const char hex[] = "0123456789abcdef";
	if (rec_len != raw_len * 2)
		return false;
	for (size_t i = 0; i < raw_len; i++) {
		char a = (char)rec[2 * i], b = (char)rec[2 * i + 1];
		if ((a | 0x20) != hex[raw[i] >> 4] || (b | 0x20) != hex[raw[i] & 15])
			return false;
	}
	return true;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* Opens f's Dwfl once. A missing file or a build-id that differs from the
 * recorded one leaves f->ok false: its frames become module+offset. */
static void open_file(struct symfile *f)
{
	f->tried = true;
	if (!*f->path || f->path[0] == '[' || !strncmp(f->path, "linux-vdso", 10))
		return;
	f->dwfl = dwfl_begin(&offline_callbacks);
	if (!f->dwfl)
		return;
	dwfl_report_begin(f->dwfl);
	f->mod = dwfl_report_elf(f->dwfl, f->path, f->path, -1, 0, false);
	dwfl_report_end(f->dwfl, NULL, NULL);
	if (!f->mod)
		return;
	if (f->build_id_len) {
		const unsigned char *bits;
		GElf_Addr vaddr;
		int len = dwfl_module_build_id(f->mod, &bits, &vaddr);
		if (len <= 0)
			return;
		bool same = ((size_t)len == f->build_id_len && !memcmp(bits, f->build_id, (size_t)len)) ||
		            hex_equal(bits, (size_t)len, f->build_id, f->build_id_len);
		if (!same)
			return; /* the file changed since the recording */
	}
	if (!dwfl_module_getelf(f->mod, &f->elf_bias))
		return;
	f->ok = true;
}

/* The module holding ip for a stack first used at ts: among the modules
 * whose segments contain ip, the one whose lifetime is nearest ts (a library
 * may be loaded after a stack that points into it was recorded). */
static uint32_t module_for(const struct ms_model *m, uint64_t ip, uint64_t ts, bool *ambiguous)
{
	uint32_t best = MOD_NONE;
	uint64_t best_dist = UINT64_MAX;
	unsigned hits = 0;
	for (size_t i = 0; i < m->n_modules; i++) {
		const struct ms_module *mod = &m->modules[i];
		if (ip < mod->lo || ip >= mod->hi)
			continue;
		bool in = false;
		for (uint32_t k = 0; k < mod->nseg && !in; k++) {
			uint64_t lo = mod->bias + mod->seg[3 * k];
			in = ip >= lo && ip - lo < mod->seg[3 * k + 1];
		}
		if (!in)
			continue;
		hits++;
		uint64_t d = ts < mod->load_ts ? mod->load_ts - ts : ts >= mod->unload_ts ? ts - mod->unload_ts + 1 : 0;
		if (d <= best_dist) { /* ties: the latest load */
			best_dist = d;
			best = (uint32_t)i;
		}
	}
	*ambiguous = hits > 1;
	return best;
}

static int push_frame(struct ms_symbolizer *s, const struct ms_frame *f)
{
	if (ms_array_reserve((void **)&s->pool, &s->cap_pool, sizeof(*s->pool), s->n_pool + 1, 64))
		return -ENOMEM;
	s->pool[s->n_pool++] = *f;
	return 0;
}

static const char *die_name(struct ms_symbolizer *s, Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *n = NULL;
	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &a) || dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a))
		n = dwarf_formstring(&a);
	if (!n)
		n = dwarf_diename(die);
	if (!n && dwarf_attr_integrate(die, DW_AT_name, &a))
		n = dwarf_formstring(&a);
	return demangled(s, n);
}

static int funcsym_cmp(const void *a, const void *b)
{
	const struct funcsym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->name, y->name);
}

/* Reads f's function symbols once, sorted by address. elfutils'
 * dwfl_module_addrinfo scans the whole symbol table on every call, which
 * dominates the report of a program built on a large library without debug
 * info (clang's libLLVM: ~100k symbols); a sorted copy makes it a binary
 * search. Leaves f->n_syms 0 on failure (frames fall back to module+offset). */
static void build_symbols(struct symfile *f)
{
	f->syms_built = true;
	int n = dwfl_module_getsymtab(f->mod);
	if (n <= 0)
		return;
	f->syms = malloc((size_t)n * sizeof(*f->syms));
	if (!f->syms)
		return;
	for (int i = 0; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(f->mod, i, &sym, &addr, NULL, NULL, NULL);
		int type = GELF_ST_TYPE(sym.st_info);
		if (!name || !*name || !addr || (type != STT_FUNC && type != STT_GNU_IFUNC))
			continue;
		int bind = GELF_ST_BIND(sym.st_info);
		f->syms[f->n_syms++] = (struct funcsym){addr, sym.st_size, name,
		                                        bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2};
	}
	qsort(f->syms, f->n_syms, sizeof(*f->syms), funcsym_cmp);
}

/* ---- debug information opened ahead (see symbolize.h) ---- */

struct warmfile {
	char *path;
	uint8_t *build_id;
	size_t build_id_len;
	struct symfile f; /* the opened file; its dwfl goes to the symbolizer */
};

struct ms_symwarm {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct warmfile **files; /* queued, in order; the thread takes them by next */
	size_t n, cap, next;
	bool stop, joined;
};

/* Opens a file the way a symbolizer's first lookup would, and has libdw
 * load its debug information now: dwfl_module_getdwarf decompresses every
 * debug section. A file without DWARF gets its sorted symbol table. */
static void warm_file(struct symfile *f)
{
	open_file(f);
	if (!f->ok)
		return;
	Dwarf_Addr bias;
	if (!dwfl_module_getdwarf(f->mod, &bias))
		build_symbols(f);
}

static void *warm_main(void *arg)
{
	struct ms_symwarm *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->next == w->n && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		struct warmfile *e = w->files[w->next++];
		pthread_mutex_unlock(&w->mu);
		warm_file(&e->f);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct ms_symwarm *ms_symwarm_new(void)
{
	struct ms_symwarm *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	if (pthread_mutex_init(&w->mu, NULL)) {
		free(w);
		return NULL;
	}
	if (pthread_cond_init(&w->cv, NULL)) {
		pthread_mutex_destroy(&w->mu);
		free(w);
		return NULL;
	}
	if (pthread_create(&w->thread, NULL, warm_main, w)) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return NULL;
	}
	return w;
}

int ms_symwarm_add(struct ms_symwarm *w, const char *path, const uint8_t *build_id, size_t build_id_len)
{
	/* only the main thread adds: reading the queue needs no lock */
	for (size_t i = 0; i < w->n; i++)
		if (same_file(w->files[i]->path, w->files[i]->build_id, w->files[i]->build_id_len, path, build_id,
		              build_id_len))
			return 0;
	struct warmfile *e = calloc(1, sizeof(*e));
	if (!e || !(e->path = strdup(path)) || !(e->build_id = malloc(build_id_len ? build_id_len : 1))) {
		if (e)
			free(e->path);
		free(e);
		return -ENOMEM;
	}
	memcpy(e->build_id, build_id, build_id_len);
	e->build_id_len = build_id_len;
	e->f.path = e->path;
	e->f.build_id = e->build_id;
	e->f.build_id_len = build_id_len;
	pthread_mutex_lock(&w->mu);
	int rc = ms_array_reserve((void **)&w->files, &w->cap, sizeof(*w->files), w->n + 1, 16);
	if (!rc) {
		w->files[w->n++] = e;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	if (rc) {
		free(e->path);
		free(e->build_id);
		free(e);
	}
	return rc;
}

/* Stops the thread once the file in hand is done; the files it never
 * reached are opened on demand, as without a warm-up. */
static void symwarm_stop(struct ms_symwarm *w)
{
	if (w->joined)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->joined = true;
}

void ms_symwarm_free(struct ms_symwarm *w)
{
	if (!w)
		return;
	symwarm_stop(w);
	for (size_t i = 0; i < w->n; i++) {
		struct warmfile *e = w->files[i];
		ms_dwscope_free(e->f.scopes);
		if (e->f.dwfl)
			dwfl_end(e->f.dwfl);
		free(e->f.syms);
		free(e->path);
		free(e->build_id);
		free(e);
	}
	free(w->files);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

/* Moves what the warm-up opened into s's files of the same path and
 * build-id; the symbolizer then owns those Dwfl handles. */
static void take_warm(struct ms_symbolizer *s, struct ms_symwarm *w)
{
	symwarm_stop(w);
	for (size_t i = 0; i < w->next; i++) {
		struct symfile *from = &w->files[i]->f;
		for (size_t k = 0; k < s->n_files && from->tried; k++) {
			struct symfile *to = &s->files[k];
			if (to->tried || !same_file(to->path, to->build_id, to->build_id_len, from->path, from->build_id,
			                            from->build_id_len))
				continue;
			const char *path = to->path;
			const uint8_t *bid = to->build_id;
			*to = *from;
			to->path = path; /* the model's strings, which outlive s */
			to->build_id = bid;
			memset(from, 0, sizeof(*from));
		}
	}
}

/* The function symbol containing pc, or NULL. A symbol of size 0 covers up to
 * the next symbol, as assemblers leave sizes out of hand-written code. */
static const char *symbol_at(struct symfile *f, GElf_Addr pc)
{
	if (!f->syms_built)
		build_symbols(f);
	size_t lo = 0, hi = f->n_syms;
	while (lo < hi) { /* first symbol with addr > pc */
		size_t mid = lo + (hi - lo) / 2;
		if (f->syms[mid].addr <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	GElf_Addr start = f->syms[lo - 1].addr;
	size_t i = lo - 1;
	while (i > 0 && f->syms[i - 1].addr == start)
		i--; /* aliases sort best-ranked first */
	for (; i < f->n_syms && f->syms[i].addr == start; i++)
		if (f->syms[i].size == 0 || pc < start + f->syms[i].size)
			return f->syms[i].name;
	return NULL;
}

/* Appends the frames of one address of a good file to the pool: the inline
 * chain from the innermost inlined call out to the real function. */
static int resolve(struct ms_symbolizer *s, struct symfile *f, const char *module, uint64_t ip, uint64_t off)
{
	Dwarf_Addr pc = off + f->elf_bias - 1; /* a return address: look at the call */
	struct ms_frame fr = {.module = module, .ip = ip, .offset = off};
	Dwfl_Line *line = dwfl_module_getsrc(f->mod, pc);
	int lineno = 0;
	if (line) {
		fr.file = intern(s, dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL));
		fr.line = lineno > 0 ? (uint32_t)lineno : 0;
	}
	Dwarf_Addr cubias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(f->mod, pc, &cubias);
	Dwarf_Die *scopes = NULL;
	if (cu && !f->scopes && !(f->scopes = ms_dwscope_new()))
		return -ENOMEM;
	int nscopes = cu ? ms_dwscope_chain(f->scopes, cu, pc - cubias, &scopes) : 0;
	if (nscopes < 0)
		return nscopes;
	size_t before = s->n_pool;
	Dwarf_Files *files = NULL;
	size_t nfiles = 0;
	for (int i = 0; i < nscopes; i++) { /* inlined calls, then their function */
		fr.function = die_name(s, &scopes[i]);
		fr.inlined = dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine;
		if (!fr.function)
			fr.function = intern(s, "??");
		if (push_frame(s, &fr)) {
			free(scopes);
			return -ENOMEM;
		}
		if (!fr.inlined)
			break;
		/* the caller's position is where this inlined call sits */
		Dwarf_Attribute a;
		Dwarf_Word cf = 0, cl = 0;
		fr.file = NULL;
		fr.line = 0;
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &a), &cf) == 0 &&
		    (files || dwarf_getsrcfiles(cu, &files, &nfiles) == 0) && cf < nfiles)
			fr.file = intern(s, dwarf_filesrc(files, cf, NULL, NULL));
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &a), &cl) == 0)
			fr.line = (uint32_t)cl;
	}
	free(scopes);
	if (s->n_pool == before) {
		/* no DWARF scope: the symbol table still names the function */
		const char *name = symbol_at(f, pc);
		if (name)
			fr.function = demangled(s, name);
		else {
			char buf[64];
			snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, ms_basename(module), off);
			fr.function = intern(s, buf);
		}
		fr.inlined = false;
		if (!fr.function || push_frame(s, &fr))
			return -ENOMEM;
	}
	return 0;
}

/* Frames of one ip of a stack first used at ts, as a span of the pool. */
static int lookup(struct ms_symbolizer *s, uint64_t ip, uint64_t ts, struct span *out)
{
	const struct ms_model *m = s->m;
	uint32_t mi = ms_u64map_get(&s->ip_module, ip);
	if (mi == MS_U64MAP_NONE || mi == MOD_AMBIGUOUS) {
		bool amb;
		uint32_t found = module_for(m, ip, ts, &amb);
		if (mi == MS_U64MAP_NONE &&
		    ms_u64map_put(&s->ip_module, ip, amb ? MOD_AMBIGUOUS : found == MOD_NONE ? MOD_OUTSIDE : found))
			return -ENOMEM;
		mi = found;
	} else if (mi == MOD_OUTSIDE) {
		mi = MOD_NONE;
	}
	uint64_t off = ip;
	uint32_t fi = UINT32_MAX;
	if (mi != MOD_NONE) {
		off = ip - m->modules[mi].bias;
		fi = s->file_of_module[mi];
	}
	bool cacheable = off < (1ull << 48) && (fi == UINT32_MAX || fi < 0xffff);
	uint64_t key = (uint64_t)(fi == UINT32_MAX ? 0xffff : fi) << 48 | off;
	if (cacheable) {
		uint32_t si = ms_u64map_get(&s->frame_cache, key);
		if (si != MS_U64MAP_NONE) {
			*out = s->spans[si];
			return 0;
		}
	}
	size_t before = s->n_pool;
	int rc = 0;
	if (fi == UINT32_MAX) {
		char buf[32];
		snprintf(buf, sizeof(buf), "0x%" PRIx64, ip);
		struct ms_frame fr = {.function = intern(s, buf), .ip = ip, .offset = ip};
		rc = fr.function ? push_frame(s, &fr) : -ENOMEM;
	} else {
		struct symfile *f = &s->files[fi];
		const char *module = intern(s, f->path);
		if (!module)
			return -ENOMEM;
		if (!f->tried)
			open_file(f);
		if (f->ok) {
			rc = resolve(s, f, module, ip, off);
		} else {
			char buf[64];
			snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, ms_basename(f->path), off);
			struct ms_frame fr = {.function = intern(s, buf), .module = module, .ip = ip, .offset = off};
			rc = fr.function ? push_frame(s, &fr) : -ENOMEM;
		}
	}
	if (rc)
		return rc;
	*out = (struct span){(uint32_t)before, (uint32_t)(s->n_pool - before)};
	if (cacheable) {
		if (ms_array_reserve((void **)&s->spans, &s->cap_spans, sizeof(*s->spans), s->n_spans + 1, 64))
			return -ENOMEM;
		s->spans[s->n_spans] = *out;
		if (ms_u64map_put(&s->frame_cache, key, (uint32_t)s->n_spans++))
			return -ENOMEM;
	}
	return 0;
}

static bool allocator_function(const char *fn)
{
	static const char *const names[] = {
	    "malloc", "calloc", "realloc", "free", "reallocarray", "posix_memalign", "aligned_alloc",
	    "memalign", "valloc", "pvalloc", "__libc_malloc", "__libc_calloc", "__libc_realloc",
	    "__libc_free", "__libc_memalign", "__posix_memalign", "_int_malloc", "_int_realloc",
	    "__malloc_hook_ini", "tcache_init", "malloc_hook_ini",
	};
	if (!strncmp(fn, "operator new", 12) || !strncmp(fn, "operator delete", 15))
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(fn, names[i]))
			return true;
	return false;
}

/* A frame of memscope's runtime, or of the allocator inside libc or the C++
 * runtime: hidden at the top of a stack. */
static bool hidden(const struct ms_frame *f)
{
	if (!f->module)
		return false;
	const char *b = ms_basename(f->module);
	if (!strncmp(b, "libmemscope.so", 14))
		return true;
	if (strncmp(b, "libc.so", 7) && strncmp(b, "libstdc++.so", 12) && strncmp(b, "libc-", 5))
		return false;
	return allocator_function(f->function);
}

int ms_symbolize_stack(struct ms_symbolizer *s, uint32_t stack, const struct ms_frame **frames, size_t *n)
{
	const struct ms_model *m = s->m;
	const struct ms_stack *st = &m->stacks[stack];
	size_t count = 0;
	bool top = true;
	for (uint32_t i = 0; i < st->n_ips; i++) {
		struct span sp;
		int rc = lookup(s, m->ips[st->ips_off + i], st->first_ts, &sp);
		if (rc)
			return rc;
		if (ms_array_reserve((void **)&s->out, &s->cap_out, sizeof(*s->out), count + sp.n, 64))
			return -ENOMEM;
		for (uint32_t k = 0; k < sp.n; k++) {
			const struct ms_frame *f = &s->pool[sp.off + k];
			if (top && hidden(f))
				continue;
			top = false;
			s->out[count++] = *f;
		}
	}
	*frames = s->out;
	*n = count;
	return 0;
}

/* Data symbols of f, sorted like the function symbols: globals for the names
 * of roots, vtables (_ZTV...) for the types of C++ objects. */
static void build_objects(struct symfile *f)
{
	f->objs_built = true;
	int n = dwfl_module_getsymtab(f->mod);
	if (n <= 0 || !(f->objs = malloc((size_t)n * sizeof(*f->objs))))
		return;
	for (int i = 0; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(f->mod, i, &sym, &addr, NULL, NULL, NULL);
		if (!name || !*name || !addr || GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
			continue;
		int bind = GELF_ST_BIND(sym.st_info);
		f->objs[f->n_objs++] = (struct funcsym){addr, sym.st_size, name,
		                                        bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2};
	}
	qsort(f->objs, f->n_objs, sizeof(*f->objs), funcsym_cmp);
}

/* The data symbol containing a (Dwfl address), or NULL; *start gets its address. */
static const char *object_at(struct symfile *f, GElf_Addr a, GElf_Addr *start)
{
	if (!f->objs_built)
		build_objects(f);
	size_t lo = 0, hi = f->n_objs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->objs[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the nearest symbol at or below a that covers it (sizes are exact
	 * for data; a 0-size symbol only names its own address) */
	for (size_t i = lo; i-- > 0 && f->objs[i].addr == f->objs[lo - 1].addr;)
		if (a < f->objs[i].addr + (f->objs[i].size ? f->objs[i].size : 1)) {
			*start = f->objs[i].addr;
			return f->objs[i].name;
		}
	return NULL;
}

int ms_symbolize_data(struct ms_symbolizer *s, uint32_t module, uint64_t off, struct ms_datasym *out)
{
	memset(out, 0, sizeof(*out));
	if (module >= s->m->n_modules)
		return 0;
	struct symfile *f = &s->files[s->file_of_module[module]];
	out->module = intern(s, f->path);
	if (!out->module)
		return -ENOMEM;
	if (!f->tried)
		open_file(f);
	if (!f->ok)
		return 0;
	GElf_Addr start;
	const char *name = object_at(f, off + f->elf_bias, &start);
	if (!name)
		return 0;
	out->raw_name = intern(s, name);
	out->name = demangled(s, name);
	out->offset = off + f->elf_bias - start;
	return out->name && out->raw_name ? 0 : -ENOMEM;
}

int ms_symbolize_data_addr(struct ms_symbolizer *s, uint64_t addr, uint64_t ts, struct ms_datasym *out)
{
	bool amb;
	uint32_t mi = module_for(s->m, addr, ts, &amb);
	memset(out, 0, sizeof(*out));
	if (mi == MOD_NONE)
		return 0;
	return ms_symbolize_data(s, mi, addr - s->m->modules[mi].bias, out);
}

const char *ms_symbolize_type(struct ms_symbolizer *s, uint64_t first_word, uint64_t ts)
{
	struct ms_datasym d;
	if (!first_word || ms_symbolize_data_addr(s, first_word, ts, &d) || !d.raw_name)
		return NULL;
	/* an object's vtable pointer points past the offset-to-top and RTTI
	 * words into "_ZTV<class>"; only vtables name a type */
	if (strncmp(d.raw_name, "_ZTV", 4))
		return NULL;
	const char *n = d.name;
	if (!strncmp(n, "vtable for ", 11))
		return intern(s, n + 11);
	return n; /* no demangler: the mangled name still identifies the class */
}

const char *ms_symbolize_intern(struct ms_symbolizer *s, const char *str) { return intern(s, str); }
