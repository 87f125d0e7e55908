/* The conservative heap scan of a snapshot (memcheck's leak check and
 * LeakSanitizer are the models): every aligned word of the roots and of the
 * live blocks is looked up in the sorted live blocks; a hit is a root
 * (SCAN_ROOTS) or an edge (SCAN_EDGES). Runs with the world stopped, so it
 * never allocates from the program's heap, never takes the loader's lock,
 * and reads only memory that /proc/self/maps shows readable (module
 * segments may have holes); when a thread could not be stopped, every read
 * goes through process_vm_readv, which fails instead of faulting.
 *
 * Roots: the writable PT_LOAD segments of every module but memscope's own
 * and libunwind/libzstd; each stopped thread's registers, its stack from
 * sp-128 (the x86-64 red zone) up, and its static TLS: [tp - used, tp +
 * TCB), used = the lowest static TLS block of any module below tp
 * (dl_iterate_phdr's dlpi_tls_data on the scanning thread), bounded by
 * glibc's _dl_get_tls_static_info; TCB measured as the distance from tp to
 * the end of a thread's stack mapping (struct pthread). memscope's arenas are
 * anonymous mappings outside every module, so they are never roots. */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "runtime/arena.h"
#include "runtime/rt.h"
#include "runtime/snap.h"
#include "runtime/sys.h"
#include "trace/encode_snap.h"

#define BATCH_CAP (256u << 10)
#define BOUNCE (64u << 10)
#define RED_ZONE 128
#define TCB_DEFAULT 2368 /* sizeof(struct pthread) is ~2.3 KiB on x86-64 */

static size_t tls_static_size;
/* Bytes of static TLS in use below the thread pointer (the lowest module
 * block; the rest of tls_static_size is surplus, and a thread's stack
 * starts right below the blocks in use). Measured on the calling thread
 * by ms_scan_modules: the offsets are the same in every thread. */
static uint64_t tls_used;

void ms_scan_init(void)
{
	void (*get)(size_t *, size_t *) = NULL;
	*(void **)&get = dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info");
	size_t size = 0, align = 0;
	if (get)
		get(&size, &align);
	tls_static_size = size;
}

static inline uint64_t thread_pointer(void)
{
	uint64_t tp = 0;
#if defined(__x86_64__)
	__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
#endif
	return tp;
}

/* ---- modules (world running) ---- */

struct mod_collect {
	uint64_t tp, tls_used;
	struct ms_scan_module *m;
	const void **phdr;
	uint32_t n, cap;
};

static int is_excluded(const char *name, uint64_t base, const ElfW(Phdr) *ph, int phnum)
{
	uintptr_t me = (uintptr_t)&ms_scan_init;
	for (int i = 0; i < phnum; i++)
		if (ph[i].p_type == PT_LOAD && me - (base + ph[i].p_vaddr) < ph[i].p_memsz)
			return 1;
	const char *b = strrchr(name, '/');
	b = b ? b + 1 : name;
	return !strncmp(b, "libunwind", 9) || !strncmp(b, "libzstd", 7);
}

static int mod_cb(struct dl_phdr_info *info, size_t size, void *ctx)
{
	struct mod_collect *c = ctx;
	if (c->n == c->cap)
		return 1;
	struct ms_scan_module *m = &c->m[c->n];
	memset(m, 0, sizeof *m);
	m->bias = info->dlpi_addr;
	m->excluded = is_excluded(info->dlpi_name ? info->dlpi_name : "", info->dlpi_addr, info->dlpi_phdr,
	                          info->dlpi_phnum);
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) && m->nrw < 8) {
			m->rw[m->nrw][0] = lo;
			m->rw[m->nrw++][1] = hi;
		} else if ((ph->p_type == PT_LOAD && !(ph->p_flags & PF_W)) || ph->p_type == PT_GNU_RELRO) {
			if (m->nro < 9) {
				m->ro[m->nro][0] = lo;
				m->ro[m->nro++][1] = hi;
			}
		}
	}
	const char *b = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
	m->libc = b && !strncmp(b + 1, "libc.so", 7);
	if (size >= offsetof(struct dl_phdr_info, dlpi_tls_data) + sizeof info->dlpi_tls_data && info->dlpi_tls_data) {
		uint64_t off = c->tp - (uint64_t)(uintptr_t)info->dlpi_tls_data;
		if (off <= tls_static_size && off > c->tls_used) /* else dynamic TLS (a heap block) */
			c->tls_used = off;
	}
	c->phdr[c->n++] = info->dlpi_phdr;
	return 0;
}

struct ms_scan_module *ms_scan_modules(uint32_t *n)
{
	struct mod_collect c = {0};
	for (c.cap = 256;; c.cap *= 4) {
		c.m = ms_rt_alloc(c.cap * sizeof *c.m);
		c.phdr = ms_rt_alloc(c.cap * sizeof *c.phdr);
		if (!c.m || !c.phdr) {
			ms_rt_free(c.m);
			ms_rt_free(c.phdr);
			return NULL;
		}
		c.n = 0;
		c.tp = thread_pointer();
		dl_iterate_phdr(mod_cb, &c);
		if (c.n < c.cap)
			break;
		ms_rt_free(c.m);
		ms_rt_free(c.phdr);
	}
	for (uint32_t i = 0; i < c.n; i++)
		c.m[i].id = ms_rt_module_id(c.m[i].bias, c.phdr[i]);
	tls_used = c.tls_used ? (c.tls_used + 15) & ~(uint64_t)15 : tls_static_size;
	ms_rt_free(c.phdr);
	*n = c.n;
	return c.m;
}

/* ---- output ---- */

/* A batch record under construction: entries go to buf; the head (tag, id,
 * count) is written when it is flushed. */
struct batch {
	uint8_t tag;
	uint64_t n, prev;
	size_t len;
	uint8_t *buf; /* BATCH_CAP + MS_ENC_BATCH_HEAD_MAX, the head first */
};

static void batch_flush(struct ms_scan_out *out, struct batch *b, uint64_t id)
{
	if (!b->n)
		return;
	uint8_t head[MS_ENC_BATCH_HEAD_MAX];
	size_t hl = (size_t)(ms_enc_batch_head(head, b->tag, id, b->n) - head);
	uint8_t *start = b->buf + MS_ENC_BATCH_HEAD_MAX - hl;
	memcpy(start, head, hl);
	out->sink(start, hl + b->len);
	b->n = b->len = 0;
	b->prev = 0;
}

static inline uint8_t *batch_room(struct batch *b) { return b->buf + MS_ENC_BATCH_HEAD_MAX + b->len; }

/* ---- memory map ---- */

struct map {
	uint64_t lo, hi;
};

/* Readable mappings of /proc/self/maps, sorted, adjacent ones merged when
 * asked. Returns an arena array or NULL. */
static struct map *read_maps(uint32_t *n, struct map **each, uint32_t *neach)
{
	size_t cap = 1u << 16;
	char *buf = NULL;
	ssize_t len;
	for (;;) {
		buf = ms_rt_map(cap);
		if (!buf)
			return NULL;
		len = ms_rt_read_file("/proc/self/maps", buf, cap);
		if (len < 0 || (size_t)len + 1 < cap)
			break;
		ms_rt_unmap(buf, cap);
		cap *= 4;
	}
	uint32_t lines = 0;
	for (ssize_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	struct map *m = ms_rt_alloc((lines + 1) * sizeof *m), *e = ms_rt_alloc((lines + 1) * sizeof *e);
	uint32_t k = 0, ke = 0;
	for (const char *p = buf; m && e && len > 0 && p < buf + len;) {
		uint64_t lo = ms_rt_scan_hex(&p);
		if (*p == '-')
			p++;
		uint64_t hi = ms_rt_scan_hex(&p);
		int readable = p[0] == ' ' && p[1] == 'r';
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
		e[ke++] = (struct map){lo, readable ? hi : lo}; /* unreadable: empty */
		if (!readable)
			continue;
		if (k && m[k - 1].hi == lo)
			m[k - 1].hi = hi;
		else
			m[k++] = (struct map){lo, hi};
	}
	ms_rt_unmap(buf, cap);
	if (!m || !e) {
		ms_rt_free(m);
		ms_rt_free(e);
		return NULL;
	}
	*n = k;
	*each = e;
	*neach = ke;
	return m;
}

/* Index of the map containing a, or -1. */
static long map_find(const struct map *m, uint32_t n, uint64_t a)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (m[mid].hi <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && m[lo].lo <= a && a < m[lo].hi ? (long)lo : -1;
}

/* ---- the scan ---- */

struct scan {
	const struct ms_scan_in *in;
	struct ms_scan_out *out;
	struct map *maps, *each;
	uint32_t nmaps, neach;
	uint64_t lo_all, hi_all; /* [first block, end of last block) */
	struct gran *gran;       /* index of the granules holding blocks, or NULL */
	uint32_t gran_bits;
	struct batch roots, edges, types, heur;
	uint64_t last_heur; /* the block of the last SCAN_HEUR entry */
	uint64_t *bounce;
	/* root context */
	int libc; /* the words are glibc's writable data */
	uint32_t kind;
	uint64_t ref, base;
	/* edge context */
	const struct ms_scan_block *from;
	uint32_t *seen; /* per target block: (from + 1) << 1 | start pointer seen, or NULL */
	int pagemap; /* /proc/self/pagemap, or -1 */
	uint64_t *pm; /* PM_BATCH entries */
};

/* A module's writable pages can hold a heap pointer only once written: a
 * private page that was never written is not present, or present as the
 * file's page (pagemap: present, file-page bit set). Only pages that are
 * present and anonymous (copied on write, or .bss touched) or swapped out
 * are scanned. Clang's writable data is megabytes that a run barely
 * touches: scanning all of it was 14 ms of clang --version's 53 ms under
 * memscope, and it faulted every page in. */
#define PM_BATCH 512
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define PM_FILE (1ull << 61)

/* ---- granules ----
 * The blocks' span [lo_all, hi_all) usually covers the shared libraries as
 * well (glibc maps large blocks near them), so every pointer to code or
 * constant data (a vtable, a string) fell into it and cost a binary search
 * over all the blocks: 10 MB of LLVM's relocated constants made that most
 * of clang --version's exit scan. A hash table of the 64 KiB granules that
 * hold a block answers "no" for those in one probe, and for a granule it
 * holds, gives the blocks that overlap it: a run of the sorted array (they
 * do not overlap each other), searched instead of the whole array (perl's
 * exit heap: 17,000 blocks, 2.7 M pointers between them). Keys are stored
 * plus one: 0 is an empty slot. */
#define GRAN_SHIFT 16
#define GRAN_MAX (1u << 22) /* more granules (256 GiB of blocks): no index */

struct gran {
	uint64_t key;          /* granule + 1 */
	uint32_t first, count; /* blocks[first .. first + count) overlap it */
};

static inline uint32_t gran_hash(uint64_t g, uint32_t bits) { return (uint32_t)((g * 0x9E3779B97F4A7C15ull) >> (64 - bits)); }

/* Granule g's entry, or the empty slot where it would go (the table is
 * built 1/4 full at most). */
static inline struct gran *gran_slot_of(const struct scan *s, uint64_t g)
{
	uint32_t mask = (1u << s->gran_bits) - 1, i = gran_hash(g, s->gran_bits);
	while (s->gran[i].key && s->gran[i].key != g + 1)
		i = (i + 1) & mask;
	return &s->gran[i];
}

/* The entry of granule g, added if new. */
static struct gran *gran_get(struct scan *s, uint64_t g, uint32_t block)
{
	struct gran *e = gran_slot_of(s, g);
	if (!e->key)
		*e = (struct gran){g + 1, block, 0};
	return e;
}

/* Counts the granules of the blocks (sorted), or fills the table: each
 * block joins every granule it overlaps. */
static uint64_t gran_each(struct scan *s, int fill)
{
	uint64_t n = 0, next = 0; /* granules below next are counted */
	for (uint64_t i = 0; i < s->in->nblocks; i++) {
		const struct ms_scan_block *b = &s->in->blocks[i];
		uint64_t first = b->addr >> GRAN_SHIFT, last = (b->addr + (b->size ? b->size - 1 : 0)) >> GRAN_SHIFT;
		if (fill)
			for (uint64_t g = first; g <= last; g++)
				gran_get(s, g, (uint32_t)i)->count++;
		if (last >= next)
			n += last - (first > next ? first : next) + 1;
		if (last + 1 > next)
			next = last + 1;
		if (n > GRAN_MAX)
			break;
	}
	return n;
}

/* Builds the index, 1/4 full at most; without it, find() searches all. */
static void gran_build(struct scan *s)
{
	uint64_t n = gran_each(s, 0);
	if (!n || n > GRAN_MAX || s->in->nblocks > UINT32_MAX)
		return;
	uint32_t bits = 6;
	while ((1ull << bits) < 4 * n)
		bits++;
	s->gran = ms_rt_map(((size_t)1 << bits) * sizeof *s->gran);
	if (!s->gran)
		return;
	s->gran_bits = bits;
	gran_each(s, 1);
}

static void gran_free(struct scan *s)
{
	if (s->gran)
		ms_rt_unmap(s->gran, ((size_t)1 << s->gran_bits) * sizeof *s->gran);
}

/* The block holding address v (or starting at it, for a zero-size block), or NULL. */
static inline const struct ms_scan_block *find(const struct scan *s, uint64_t v)
{
	if (v - s->lo_all >= s->hi_all - s->lo_all)
		return NULL;
	const struct ms_scan_block *b = s->in->blocks;
	uint64_t lo = 0, n = s->in->nblocks;
	if (s->gran) {
		const struct gran *e = gran_slot_of(s, v >> GRAN_SHIFT);
		if (!e->key)
			return NULL;
		lo = e->first;
		n = e->count;
	}
	while (n > 1) {
		uint64_t half = n / 2;
		if (b[lo + half].addr <= v)
			lo += half;
		n -= half;
	}
	const struct ms_scan_block *h = &b[lo];
	return h->addr <= v && (v - h->addr < h->size || v == h->addr) ? h : NULL;
}

/* Reads the first n words of block t (the caller checked its size): directly
 * while every other thread is stopped, else through process_vm_readv.
 * Returns 0, or -1 when the memory could not be read. */
static int first_words(const struct scan *s, const struct ms_scan_block *t, uint64_t *w, size_t n)
{
	if (!s->in->safe_reads) {
		memcpy(w, (const void *)(uintptr_t)t->addr, n * 8);
		return 0;
	}
	struct iovec l = {w, n * 8}, r = {(void *)(uintptr_t)t->addr, n * 8};
	return process_vm_readv(ms_rt_pid, &l, 1, &r, 1, 0) == (ssize_t)(n * 8) ? 0 : -1;
}

/* memcheck's default leak-check heuristics for an interior pointer at off
 * into t: which one accepts it as a start pointer (0: none). The same
 * tests, in the same order, on the same words. */
static int heuristic(const struct scan *s, const struct ms_scan_block *t, uint64_t off)
{
	uint64_t w[2];
	if (off == 24 && t->size >= 25 && !first_words(s, t, w, 2) && 24 + w[1] + 1 == t->size && w[0] <= w[1])
		return MS_HEUR_STDSTRING;
	if (off != 8 || t->size < 8 || first_words(s, t, w, 1) || w[0] == 0)
		return 0;
	if (w[0] == t->size - 8)
		return MS_HEUR_LENGTH64;
	return (t->size - 8) % w[0] == 0 ? MS_HEUR_NEWARRAY : 0;
}

/* An interior pointer at off 8 or 24: records the heuristic that accepts
 * it, once per block in a row. */
static void check_heuristic(struct scan *s, const struct ms_scan_block *t, uint64_t off)
{
	if ((off != 8 && off != 24) || s->last_heur == t->addr)
		return;
	int kind = heuristic(s, t, off);
	if (!kind)
		return;
	struct batch *b = &s->heur;
	if (b->len + MS_ENC_HEUR_MAX > BATCH_CAP)
		batch_flush(s->out, b, s->in->id);
	b->len = (size_t)(ms_enc_heur(batch_room(b), &b->prev, t->addr, off, (uint64_t)kind) - b->buf) -
	         MS_ENC_BATCH_HEAD_MAX;
	b->n++;
	s->last_heur = t->addr;
}

static void hit_root(struct scan *s, uint64_t where, const struct ms_scan_block *t, uint64_t v)
{
	struct batch *b = &s->roots;
	uint64_t off = v - t->addr;
	/* glibc's main_arena (top, last_remainder) points at chunk headers,
	 * which lie in the last 8 bytes of the block before them: not a root */
	if (s->libc && off && !(off & 15) && off + 8 >= t->size)
		return;
	if (b->len + MS_ENC_ROOT_MAX > BATCH_CAP)
		batch_flush(s->out, b, s->in->id);
	b->len = (size_t)(ms_enc_root(batch_room(b), s->kind, s->ref, where, t->addr, v - t->addr) - b->buf) -
	         MS_ENC_BATCH_HEAD_MAX;
	b->n++;
	s->out->roots++;
	check_heuristic(s, t, off);
}

/* Whether an edge adds nothing to those already written from its block:
 * per (from, to) pair only the first edge is written, and after an
 * interior first one, the first start pointer. These are the edges the
 * analysis keeps (analysis/heap.h): a later duplicate changes no leak
 * class, dominator or shortest path. perl's exit heap has 2.7 M edges over
 * 50 K pairs; they were a third of its trace. */
static inline bool redundant_edge(struct scan *s, const struct ms_scan_block *t, uint64_t to_off)
{
	if (!s->seen)
		return false;
	uint32_t *seen = &s->seen[t - s->in->blocks];
	uint32_t stamp = (uint32_t)(s->from - s->in->blocks + 1) << 1;
	if ((*seen & ~1u) != stamp) {
		*seen = stamp | (to_off == 0);
		return false;
	}
	if (to_off != 0 || (*seen & 1))
		return true;
	*seen |= 1;
	return false;
}

static void hit_edge(struct scan *s, uint64_t off, const struct ms_scan_block *t, uint64_t v)
{
	check_heuristic(s, t, v - t->addr);
	if (redundant_edge(s, t, v - t->addr))
		return;
	struct batch *b = &s->edges;
	if (b->len + MS_ENC_EDGE_MAX > BATCH_CAP)
		batch_flush(s->out, b, s->in->id);
	b->len = (size_t)(ms_enc_edge(batch_room(b), &b->prev, s->from->addr, off, t->addr, v - t->addr) - b->buf) -
	         MS_ENC_BATCH_HEAD_MAX;
	b->n++;
	s->out->edges++;
}

/* Scans nw words at w, which hold the memory at address a. */
static void scan_words(struct scan *s, const uint64_t *w, uint64_t a, size_t nw, int is_root)
{
	uint64_t lo = s->lo_all, span = s->hi_all - s->lo_all;
	for (size_t i = 0; i < nw; i++) {
		uint64_t v = w[i];
		if (MS_LIKELY(v - lo >= span))
			continue;
		const struct ms_scan_block *t = find(s, v);
		if (!t)
			continue;
		if (is_root)
			hit_root(s, a + 8 * i - s->base, t, v);
		else
			hit_edge(s, a + 8 * i - s->from->addr, t, v);
	}
}

/* Reads [a, b) (8-aligned) through process_vm_readv into the bounce buffer. */
static void scan_safe(struct scan *s, uint64_t a, uint64_t b, int is_root)
{
	while (a < b) {
		size_t len = b - a > BOUNCE ? BOUNCE : (size_t)(b - a);
		struct iovec l = {s->bounce, len}, r = {(void *)(uintptr_t)a, len};
		ssize_t got = process_vm_readv(ms_rt_pid, &l, 1, &r, 1, 0);
		if (got <= 0) {
			a = (a + 4096) & ~(uint64_t)4095; /* skip the unreadable page */
			continue;
		}
		scan_words(s, s->bounce, a, (size_t)got / 8, is_root);
		a += (uint64_t)got & ~(uint64_t)7;
		if (got < 8)
			break;
	}
}

/* Scans [a, b) restricted to readable mappings. */
static void scan_range(struct scan *s, uint64_t a, uint64_t b, int is_root)
{
	a = (a + 7) & ~(uint64_t)7;
	b &= ~(uint64_t)7;
	while (a < b) {
		long i = map_find(s->maps, s->nmaps, a);
		if (i < 0) { /* not mapped: go to the next mapping */
			uint32_t lo = 0, hi = s->nmaps;
			while (lo < hi) {
				uint32_t mid = (lo + hi) / 2;
				if (s->maps[mid].lo <= a)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo >= s->nmaps || s->maps[lo].lo >= b)
				return;
			a = s->maps[lo].lo;
			continue;
		}
		uint64_t e = s->maps[i].hi < b ? s->maps[i].hi : b;
		if (s->in->safe_reads)
			scan_safe(s, a, e, is_root);
		else
			scan_words(s, (const uint64_t *)(uintptr_t)a, a, (size_t)((e - a) / 8), is_root);
		a = e;
	}
}

static inline int written(uint64_t pm) { return (pm & PM_SWAPPED) || (pm & (PM_PRESENT | PM_FILE)) == PM_PRESENT; }

/* Scans the written pages of [a, b) (scan_range when pagemap cannot say). */
static void scan_written(struct scan *s, uint64_t a, uint64_t b)
{
	uint64_t page = (uint64_t)getpagesize();
	while (a < b) {
		uint64_t first = a / page, n = (b - 1) / page - first + 1;
		if (n > PM_BATCH)
			n = PM_BATCH;
		ssize_t got = pread(s->pagemap, s->pm, n * 8, (off_t)(first * 8));
		if (got < 8) {
			scan_range(s, a, b, 1);
			return;
		}
		n = (uint64_t)got / 8;
		uint64_t end = (first + n) * page < b ? (first + n) * page : b;
		for (uint64_t i = 0; i < n;) {
			if (!written(s->pm[i])) {
				i++;
				continue;
			}
			uint64_t j = i + 1;
			while (j < n && written(s->pm[j]))
				j++;
			uint64_t lo = (first + i) * page, hi = (first + j) * page;
			scan_range(s, lo > a ? lo : a, hi < end ? hi : end, 1);
			i = j;
		}
		a = end;
	}
}

static void root_range(struct scan *s, uint32_t kind, uint64_t ref, uint64_t base, uint64_t a, uint64_t b)
{
	s->kind = kind;
	s->ref = ref;
	s->base = base;
	if (a >= b)
		return;
	if (kind == MS_ROOT_MODULE && s->pagemap >= 0)
		scan_written(s, a, b);
	else
		scan_range(s, a, b, 1);
}

static void scan_thread(struct scan *s, const struct ms_scan_thread *t, uint64_t tcb)
{
	if (t->has_regs) {
		s->kind = MS_ROOT_REGISTER;
		s->ref = t->tid;
		s->base = 0;
		for (uint64_t r = 0; r < MS_SW_NREGS; r++) {
			uint64_t v = t->regs[r];
			const struct ms_scan_block *h = v - s->lo_all < s->hi_all - s->lo_all ? find(s, v) : NULL;
			if (h)
				hit_root(s, r, h, v);
		}
	}
	/* the stack: the mapping holding sp; for a thread whose TLS sits on top
	 * of its stack (every thread but the main one), it ends at the TLS */
	/* a thread interrupted by the signal may keep live data in the red zone
	 * below sp; below a parking frame (or memscope_snapshot's) there are
	 * only memscope's own frames */
	uint64_t lo = t->has_regs ? t->sp - RED_ZONE : t->sp, hi = 0;
	long m = map_find(s->each, s->neach, t->sp);
	if (m >= 0) {
		hi = s->each[m].hi;
		if (lo < s->each[m].lo)
			lo = s->each[m].lo;
	}
	uint64_t tls_lo = t->tp - tls_used, tls_hi = t->tp + tcb;
	long tm = map_find(s->each, s->neach, t->tp);
	if (tm >= 0) {
		if (tls_lo < s->each[tm].lo)
			tls_lo = s->each[tm].lo;
		if (tls_hi > s->each[tm].hi)
			tls_hi = s->each[tm].hi;
	}
	if (m >= 0) {
		if (t->tp > lo && t->tp < hi && tls_lo < hi)
			hi = tls_lo > lo ? tls_lo : lo;
		root_range(s, MS_ROOT_STACK, t->tid, lo, lo, hi);
	}
	if (t->tp && tm >= 0)
		root_range(s, MS_ROOT_TLS, t->tid, tls_lo, tls_lo, tls_hi);
}

/* Bytes from the thread pointer to the end of its stack mapping, for a
 * thread whose TLS block is on its stack: the size of glibc's TCB. */
static uint64_t tcb_size(const struct scan *s)
{
	uint64_t best = 0;
	for (uint32_t i = 0; i < s->in->nthreads; i++) {
		const struct ms_scan_thread *t = &s->in->threads[i];
		long m = map_find(s->each, s->neach, t->sp);
		if (m >= 0 && t->tp > t->sp && t->tp < s->each[m].hi) {
			uint64_t d = s->each[m].hi - t->tp;
			if (d <= 8192 && (!best || d < best))
				best = d;
		}
	}
	return best ? best : TCB_DEFAULT;
}

/* First word of each block pointing into read-only data of a module. */
static void scan_types(struct scan *s)
{
	for (uint64_t i = 0; i < s->in->nblocks; i++) {
		const struct ms_scan_block *b = &s->in->blocks[i];
		if (b->size < 8 || map_find(s->maps, s->nmaps, b->addr) < 0)
			continue;
		uint64_t w;
		if (first_words(s, b, &w, 1))
			continue;
		int hit = 0;
		for (uint32_t k = 0; k < s->in->nmods && !hit; k++)
			for (uint32_t j = 0; j < s->in->mods[k].nro && !hit; j++)
				hit = w - s->in->mods[k].ro[j][0] < s->in->mods[k].ro[j][1] - s->in->mods[k].ro[j][0];
		if (!hit)
			continue;
		struct batch *bt = &s->types;
		if (bt->len + MS_ENC_TYPE_MAX > BATCH_CAP)
			batch_flush(s->out, bt, s->in->id);
		bt->len = (size_t)(ms_enc_type(batch_room(bt), &bt->prev, b->addr, w) - bt->buf) - MS_ENC_BATCH_HEAD_MAX;
		bt->n++;
		s->out->types++;
	}
}

int ms_scan_run(const struct ms_scan_in *in, struct ms_scan_out *out)
{
	struct scan s = {.in = in, .out = out};
	s.maps = read_maps(&s.nmaps, &s.each, &s.neach);
	size_t bsz = BATCH_CAP + MS_ENC_BATCH_HEAD_MAX + 64, memsz = 4 * bsz + BOUNCE + PM_BATCH * 8;
	uint8_t *mem = ms_rt_map(memsz);
	if (!s.maps || !mem) {
		ms_rt_free(s.maps);
		if (mem)
			ms_rt_unmap(mem, memsz);
		return -ENOMEM;
	}
	s.pm = (uint64_t *)(mem + 4 * bsz + BOUNCE);
	s.pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	s.roots = (struct batch){.tag = MS_REC_SCAN_ROOTS, .buf = mem};
	s.edges = (struct batch){.tag = MS_REC_SCAN_EDGES, .buf = mem + bsz};
	s.types = (struct batch){.tag = MS_REC_SCAN_TYPES, .buf = mem + 2 * bsz};
	s.heur = (struct batch){.tag = MS_REC_SCAN_HEUR, .buf = mem + 3 * bsz};
	s.bounce = (uint64_t *)(mem + 4 * bsz);
	if (in->nblocks) {
		const struct ms_scan_block *last = &in->blocks[in->nblocks - 1];
		s.lo_all = in->blocks[0].addr;
		s.hi_all = last->addr + (last->size ? last->size : 1);
		gran_build(&s);
		for (uint32_t i = 0; i < in->nmods; i++) {
			const struct ms_scan_module *m = &in->mods[i];
			s.libc = m->libc;
			for (uint32_t j = 0; j < m->nrw && !m->excluded; j++)
				root_range(&s, MS_ROOT_MODULE, m->id, m->bias, m->rw[j][0], m->rw[j][1]);
			s.libc = 0;
		}
		uint64_t tcb = tcb_size(&s);
		for (uint32_t i = 0; i < in->nthreads; i++)
			scan_thread(&s, &in->threads[i], tcb);
		/* without room for the marks every edge is written, as they are */
		if (in->nblocks < (1u << 31) - 1)
			s.seen = ms_rt_map(in->nblocks * sizeof(*s.seen));
		for (uint64_t i = 0; i < in->nblocks; i++) {
			s.from = &in->blocks[i];
			uint64_t a = s.from->addr, e = a + (s.from->size & ~(uint64_t)7);
			if (a == e)
				continue;
			long m = map_find(s.maps, s.nmaps, a);
			if (!in->safe_reads && m >= 0 && e <= s.maps[m].hi)
				scan_words(&s, (const uint64_t *)(uintptr_t)a, a, (size_t)((e - a) / 8), 0);
			else
				scan_range(&s, a, e, 0);
		}
		scan_types(&s);
	}
	batch_flush(out, &s.roots, in->id);
	batch_flush(out, &s.edges, in->id);
	batch_flush(out, &s.types, in->id);
	batch_flush(out, &s.heur, in->id);
	if (s.pagemap >= 0)
		close(s.pagemap);
	gran_free(&s);
	if (s.seen)
		ms_rt_unmap(s.seen, in->nblocks * sizeof(*s.seen));
	ms_rt_unmap(mem, memsz);
	ms_rt_free(s.maps);
	ms_rt_free(s.each);
	return 0;
}

/* ---- sorting ---- */

int ms_scan_sort(struct ms_scan_block *b, uint64_t n)
{
	if (n < 2)
		return 0;
	uint64_t max = 0;
	for (uint64_t i = 0; i < n; i++)
		if (b[i].addr > max)
			max = b[i].addr;
	struct ms_scan_block *tmp = ms_rt_map(n * sizeof *tmp);
	if (!tmp)
		return -ENOMEM;
	static uint64_t count[1u << 11]; /* only one snapshot at a time */
	struct ms_scan_block *src = b, *dst = tmp;
	for (unsigned shift = 0; shift < 64 && (max >> shift); shift += 11) {
		memset(count, 0, sizeof count);
		for (uint64_t i = 0; i < n; i++)
			count[(src[i].addr >> shift) & 2047]++;
		uint64_t sum = 0;
		for (unsigned k = 0; k < 2048; k++) {
			uint64_t c = count[k];
			count[k] = sum;
			sum += c;
		}
		for (uint64_t i = 0; i < n; i++)
			dst[count[(src[i].addr >> shift) & 2047]++] = src[i];
		struct ms_scan_block *x = src;
		src = dst;
		dst = x;
	}
	if (src != b)
		memcpy(b, src, n * sizeof *b);
	ms_rt_unmap(tmp, n * sizeof *tmp);
	return 0;
}
