/* A stack walk from the loaded objects' .eh_frame, with each return
 * address's unwind rule computed once and kept in a table shared by all
 * threads (the "precompiled unwind tables" of eBPF profilers, built lazily).
 *
 * Only the rules ordinary x86-64 code uses are taken: the CFA is rsp or rbp
 * plus an offset, the return address is saved at CFA-8, rbp is unchanged or
 * saved at CFA+n. Anything else (signal frames, DWARF expressions, stack
 * realignment through another register, code without unwind info, a stack
 * that is not the thread's own) makes the walk give up, and the caller asks
 * libunwind for the whole stack. Every read is checked against the thread's
 * stack bounds, so a wrong rule yields a wrong stack, never a fault.
 *
 * Cold addresses are found with _dl_find_object (lock-free and
 * async-signal-safe, glibc 2.35) and the object's .eh_frame_hdr search
 * table: no dl_iterate_phdr and no sigprocmask per frame, which is what made
 * libunwind's first sight of an address expensive (clang's start-up). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>

#include "runtime/arena.h"
#include "runtime/rt.h"

/* DWARF register numbers (x86-64 psABI) */
#define REG_RBP 6
#define REG_RSP 7
#define REG_RA 16

/* ---- a rule, packed in 64 bits ----
 * bits 0-2 kind, bit 3 CFA from rbp (else rsp), bit 4 rbp saved at CFA+bp_off,
 * bits 5-15 generation (dlclose), bits 16-31 bp_off, bits 32-63 CFA offset. */
enum {
	K_NONE = 0,  /* (an empty table value) */
	K_STEP = 1,  /* the caller's frame is found by the rule */
	K_END = 2,   /* the return address is undefined: outermost frame */
	K_UNSUP = 3, /* a rule the walk does not follow */
	K_NOFDE = 4, /* no unwind info: the end if rbp is 0 (the psABI's mark) */
};
#define R_KIND_MASK 7u
#define R_CFA_BP 8u
#define R_BP_SAVED 16u
#define R_GEN_SHIFT 5
#define R_GEN_MASK 0x7ffu

static inline uint64_t rule_pack(unsigned kind, int cfa_bp, int bp_saved, int32_t cfa_off, int16_t bp_off,
                                 uint32_t gen)
{
	return kind | (cfa_bp ? R_CFA_BP : 0) | (bp_saved ? R_BP_SAVED : 0) |
	       (uint64_t)(gen & R_GEN_MASK) << R_GEN_SHIFT | (uint64_t)(uint16_t)bp_off << 16 |
	       (uint64_t)(uint32_t)cfa_off << 32;
}
static inline unsigned rule_kind(uint64_t r) { return r & R_KIND_MASK; }
static inline uint32_t rule_gen(uint64_t r) { return (r >> R_GEN_SHIFT) & R_GEN_MASK; }
static inline int32_t rule_cfa_off(uint64_t r) { return (int32_t)(r >> 32); }
static inline int16_t rule_bp_off(uint64_t r) { return (int16_t)(r >> 16); }

/* Bumped by dlclose: rules computed before it are recomputed, since another
 * object may now sit at their addresses. */
static _Atomic uint32_t cfi_gen;

void ms_cfi_forget(void) { atomic_fetch_add_explicit(&cfi_gen, 1, memory_order_release); }

/* ---- reading .eh_frame ---- */

struct cur {
	const uint8_t *p, *end;
	int bad;
};

static uint64_t uleb(struct cur *c)
{
	uint64_t v = 0;
	for (unsigned shift = 0; c->p < c->end; shift += 7) {
		uint8_t b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->bad = 1;
	return 0;
}

static int64_t sleb(struct cur *c)
{
	int64_t v = 0;
	unsigned shift = 0;
	for (;;) {
		if (c->p >= c->end) {
			c->bad = 1;
			return 0;
		}
		uint8_t b = *c->p++;
		if (shift < 64)
			v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
		shift += 7;
		if (!(b & 0x80)) {
			if (shift < 64 && (b & 0x40))
				v |= -(int64_t)((uint64_t)1 << shift);
			return v;
		}
	}
}

static uint64_t fixed(struct cur *c, unsigned n)
{
	if ((size_t)(c->end - c->p) < n) {
		c->bad = 1;
		return 0;
	}
	uint64_t v = 0;
	memcpy(&v, c->p, n); /* little-endian */
	c->p += n;
	return v;
}

static int64_t sext(uint64_t v, unsigned bytes)
{
	unsigned s = 64 - 8 * bytes;
	return (int64_t)(v << s) >> s;
}

/* A DW_EH_PE-encoded pointer; datarel is relative to base. */
static uint64_t encoded(struct cur *c, uint8_t enc, uint64_t base)
{
	const uint8_t *at = c->p;
	uint64_t v;
	switch (enc & 0x0f) {
	case 0x00: v = fixed(c, 8); break;
	case 0x01: v = uleb(c); break;
	case 0x02: v = fixed(c, 2); break;
	case 0x03: v = fixed(c, 4); break;
	case 0x04: v = fixed(c, 8); break;
	case 0x09: v = (uint64_t)sleb(c); break;
	case 0x0a: v = (uint64_t)sext(fixed(c, 2), 2); break;
	case 0x0b: v = (uint64_t)sext(fixed(c, 4), 4); break;
	case 0x0c: v = fixed(c, 8); break;
	default: c->bad = 1; return 0;
	}
	switch (enc & 0x70) {
	case 0x00: break;
	case 0x10: v += (uint64_t)(uintptr_t)at; break;
	case 0x30: v += base; break;
	default: c->bad = 1; return 0;
	}
	if (enc & 0x80)
		c->bad = 1; /* indirect: not used for code addresses */
	return v;
}

/* The state of the registers we follow at one row of the table. */
enum { RR_SAME = 0, RR_OFFSET, RR_UNDEF, RR_OTHER };
struct row {
	int cfa_reg; /* REG_RSP, REG_RBP, or -1: anything else */
	int64_t cfa_off;
	uint8_t bp_rule, ra_rule;
	int64_t bp_off, ra_off;
};

struct cie {
	uint64_t code_align;
	int64_t data_align;
	uint8_t fde_enc;
	int signal, has_aug;
	struct cur insns;
};

#define STATE_STACK 8

struct interp {
	struct row row, init, saved[STATE_STACK];
	unsigned nsaved;
	uint64_t loc, target;
	const struct cie *cie;
};

static void set_rule(struct interp *s, uint64_t reg, uint8_t rule, int64_t off)
{
	if (reg == REG_RBP) {
		s->row.bp_rule = rule;
		s->row.bp_off = off;
	} else if (reg == REG_RA) {
		s->row.ra_rule = rule;
		s->row.ra_off = off;
	}
}

static void restore_rule(struct interp *s, uint64_t reg)
{
	if (reg == REG_RBP) {
		s->row.bp_rule = s->init.bp_rule;
		s->row.bp_off = s->init.bp_off;
	} else if (reg == REG_RA) {
		s->row.ra_rule = s->init.ra_rule;
		s->row.ra_off = s->init.ra_off;
	}
}

/* Runs instructions until the row that covers s->target; returns -1 on an
 * instruction it cannot follow, 1 when the target's row is reached. */
static int run(struct interp *s, struct cur *c)
{
	const struct cie *ci = s->cie;
	while (c->p < c->end && !c->bad) {
		uint8_t op = *c->p++;
		uint64_t delta = 0, reg;
		switch (op >> 6) {
		case 1: delta = op & 0x3f; goto advance;
		case 2: set_rule(s, op & 0x3f, RR_OFFSET, (int64_t)uleb(c) * ci->data_align); continue;
		case 3: restore_rule(s, op & 0x3f); continue;
		}
		switch (op) {
		case 0x00: continue; /* nop */
		case 0x01: { /* set_loc */
			uint64_t to = encoded(c, ci->fde_enc, 0);
			if (to > s->target)
				return 1;
			s->loc = to;
			continue;
		}
		case 0x02: delta = fixed(c, 1); goto advance;
		case 0x03: delta = fixed(c, 2); goto advance;
		case 0x04: delta = fixed(c, 4); goto advance;
		case 0x05: reg = uleb(c); set_rule(s, reg, RR_OFFSET, (int64_t)uleb(c) * ci->data_align); continue;
		case 0x06: restore_rule(s, uleb(c)); continue;
		case 0x07: set_rule(s, uleb(c), RR_UNDEF, 0); continue;
		case 0x08: set_rule(s, uleb(c), RR_SAME, 0); continue;
		case 0x09: reg = uleb(c); uleb(c); set_rule(s, reg, RR_OTHER, 0); continue;
		case 0x0a:
			if (s->nsaved == STATE_STACK)
				return -1;
			s->saved[s->nsaved++] = s->row;
			continue;
		case 0x0b:
			/* the CFA comes back too, as GCC's code expects (and libgcc does) */
			if (!s->nsaved)
				return -1;
			s->row = s->saved[--s->nsaved];
			continue;
		case 0x0c: reg = uleb(c); s->row.cfa_off = (int64_t)uleb(c); goto cfa_reg;
		case 0x0d: reg = uleb(c); goto cfa_reg;
		case 0x0e: s->row.cfa_off = (int64_t)uleb(c); continue;
		case 0x0f: /* def_cfa_expression */
			s->row.cfa_reg = -1;
			c->p += uleb(c);
			continue;
		case 0x10: /* expression */
		case 0x16: /* val_expression */
			reg = uleb(c);
			set_rule(s, reg, RR_OTHER, 0);
			c->p += uleb(c);
			continue;
		case 0x11: reg = uleb(c); set_rule(s, reg, RR_OFFSET, sleb(c) * ci->data_align); continue;
		case 0x12: reg = uleb(c); s->row.cfa_off = sleb(c) * ci->data_align; goto cfa_reg;
		case 0x13: s->row.cfa_off = sleb(c) * ci->data_align; continue;
		case 0x14: reg = uleb(c); uleb(c); set_rule(s, reg, RR_OTHER, 0); continue;
		case 0x15: reg = uleb(c); sleb(c); set_rule(s, reg, RR_OTHER, 0); continue;
		case 0x2e: uleb(c); continue; /* GNU_args_size */
		case 0x2f: reg = uleb(c); set_rule(s, reg, RR_OFFSET, -(int64_t)uleb(c) * ci->data_align); continue;
		default: return -1;
		}
	advance:
		if (s->loc + delta * ci->code_align > s->target)
			return 1;
		s->loc += delta * ci->code_align;
		continue;
	cfa_reg:
		s->row.cfa_reg = reg == REG_RSP || reg == REG_RBP ? (int)reg : -1;
	}
	return c->bad ? -1 : 0;
}

/* One entry of .eh_frame at p: its body [*body, *end) and CIE id field. */
static int entry(const uint8_t *p, const uint8_t *lo, const uint8_t *hi, struct cur *body, const uint8_t **id_at,
                 uint64_t *id)
{
	if (p < lo || p + 4 > hi)
		return -1;
	struct cur c = {p, hi, 0};
	uint64_t len = fixed(&c, 4);
	unsigned idsz = 4;
	if (len == 0xffffffffu) {
		len = fixed(&c, 8);
		idsz = 8;
	}
	if (!len || c.bad || len > (uint64_t)(hi - c.p))
		return -1;
	const uint8_t *end = c.p + len;
	*id_at = c.p;
	c.end = end;
	*id = fixed(&c, idsz);
	if (c.bad)
		return -1;
	*body = c;
	return 0;
}

static int parse_cie(const uint8_t *p, const uint8_t *lo, const uint8_t *hi, struct cie *out)
{
	struct cur c;
	const uint8_t *id_at;
	uint64_t id;
	if (entry(p, lo, hi, &c, &id_at, &id) || id != 0)
		return -1;
	uint8_t version = (uint8_t)fixed(&c, 1);
	const char *aug = (const char *)c.p;
	size_t alen = strnlen(aug, (size_t)(c.end - c.p));
	if (c.bad || aug + alen == (const char *)c.end || (version != 1 && version != 3))
		return -1;
	c.p += alen + 1;
	memset(out, 0, sizeof *out);
	out->code_align = uleb(&c);
	out->data_align = sleb(&c);
	uint64_t ra = version == 1 ? fixed(&c, 1) : uleb(&c);
	if (ra != REG_RA || c.bad)
		return -1;
	out->fde_enc = 0; /* absptr */
	if (aug[0] == 'z') {
		out->has_aug = 1;
		uint64_t n = uleb(&c);
		if (c.bad || n > (uint64_t)(c.end - c.p))
			return -1;
		struct cur a = {c.p, c.p + n, 0};
		c.p += n;
		for (const char *k = aug + 1; *k && !a.bad; k++) {
			if (*k == 'R')
				out->fde_enc = (uint8_t)fixed(&a, 1);
			else if (*k == 'P') {
				uint8_t enc = (uint8_t)fixed(&a, 1);
				encoded(&a, enc & 0x7f, 0); /* skipped: its value is not needed */
			} else if (*k == 'L')
				fixed(&a, 1);
			else if (*k == 'S')
				out->signal = 1;
			else
				break; /* unknown: the rest of the data is skipped by length */
		}
	} else if (aug[0]) {
		return -1; /* "eh" and other pre-'z' augmentations */
	}
	out->insns = c;
	return c.bad ? -1 : 0;
}

/* The search table of .eh_frame_hdr: the FDE whose range holds pc. */
static const uint8_t *find_fde(const uint8_t *hdr, const uint8_t *lo, const uint8_t *hi, uint64_t pc)
{
	if (hdr < lo || hdr + 4 > hi || hdr[0] != 1)
		return NULL;
	struct cur c = {hdr + 4, hi, 0};
	encoded(&c, hdr[1], 0); /* eh_frame_ptr */
	uint64_t count = encoded(&c, hdr[2], 0);
	if (c.bad || hdr[3] != 0x3b || count == 0 || count > (uint64_t)(hi - c.p) / 8)
		return NULL; /* only datarel sdata4 pairs, what every linker writes */
	const int32_t *t = (const int32_t *)(const void *)c.p;
	uint64_t base = (uint64_t)(uintptr_t)hdr;
	size_t a = 0, b = (size_t)count;
	while (b - a > 1) {
		size_t m = a + (b - a) / 2;
		if (base + (uint64_t)(int64_t)t[2 * m] <= pc)
			a = m;
		else
			b = m;
	}
	if (base + (uint64_t)(int64_t)t[2 * a] > pc)
		return NULL;
	return (const uint8_t *)(uintptr_t)(base + (uint64_t)(int64_t)t[2 * a + 1]);
}

static uint64_t rule_from_row(const struct row *r, uint32_t gen)
{
	if (r->ra_rule == RR_UNDEF)
		return rule_pack(K_END, 0, 0, 0, 0, gen);
	if (r->cfa_reg < 0 || r->ra_rule != RR_OFFSET || r->ra_off != -8 || r->cfa_off < 8 ||
	    r->cfa_off > INT32_MAX || r->bp_rule == RR_OTHER)
		return rule_pack(K_UNSUP, 0, 0, 0, 0, gen);
	int bp_saved = r->bp_rule == RR_OFFSET;
	if (bp_saved && (r->bp_off < INT16_MIN || r->bp_off > INT16_MAX))
		return rule_pack(K_UNSUP, 0, 0, 0, 0, gen);
	return rule_pack(K_STEP, r->cfa_reg == REG_RBP, bp_saved, (int32_t)r->cfa_off,
	                 (int16_t)(bp_saved ? r->bp_off : 0), gen);
}

/* The rule for code address pc, from the object's tables. */
static uint64_t compute_rule(uint64_t pc, uint32_t gen)
{
	const uint64_t unsup = rule_pack(K_UNSUP, 0, 0, 0, 0, gen);
	struct dl_find_object fo;
	if (_dl_find_object((void *)(uintptr_t)pc, &fo) != 0 || !fo.dlfo_eh_frame)
		return unsup;
	const uint8_t *lo = fo.dlfo_map_start, *hi = fo.dlfo_map_end;
	const uint8_t *fde = find_fde(fo.dlfo_eh_frame, lo, hi, pc);
	struct cur c;
	const uint8_t *id_at;
	uint64_t id;
	if (!fde)
		return rule_pack(K_NOFDE, 0, 0, 0, 0, gen);
	if (entry(fde, lo, hi, &c, &id_at, &id) || id == 0)
		return unsup;
	struct cie cie;
	if (parse_cie(id_at - id, lo, hi, &cie) || cie.signal)
		return unsup;
	uint64_t start = encoded(&c, cie.fde_enc, 0);
	uint64_t range = encoded(&c, cie.fde_enc & 0x0f, 0);
	if (c.bad)
		return unsup;
	if (pc < start || pc - start >= range)
		return rule_pack(K_NOFDE, 0, 0, 0, 0, gen);
	if (cie.has_aug) {
		uint64_t n = uleb(&c);
		if (c.bad || n > (uint64_t)(c.end - c.p))
			return unsup;
		c.p += n;
	}
	/* the CIE's instructions all apply (no target), then the FDE's up to pc */
	struct interp s = {.loc = start, .target = UINT64_MAX, .cie = &cie};
	s.row.cfa_reg = -1;
	s.row.bp_rule = RR_SAME;
	s.row.ra_rule = RR_OTHER; /* until the CIE says where it is */
	struct cur ci = cie.insns;
	if (run(&s, &ci) < 0)
		return unsup;
	s.init = s.row;
	s.target = pc;
	if (run(&s, &c) < 0)
		return unsup;
	return rule_from_row(&s.row, gen);
}

/* ---- the table: return address -> rule ----
 * Open addressing, insert-only: a key is set once with a CAS and never
 * changes, its value is one atomic word (rewritten only for a newer
 * generation). When the probe window is full, rules are computed but not
 * kept. The table starts small, because its pages are touched at random (a
 * fixed 2 MiB one cost perl 1.7 MiB of resident memory), and doubles at half
 * full. It is a cache, so the copy may miss a rule inserted meanwhile: it is
 * computed again. Old tables stay mapped, for walks still reading them. */
#define FIRST_BITS 10
#define MAX_BITS 20
#define PROBES 16

struct slot {
	_Atomic uint64_t key, val;
};
struct table {
	uint32_t bits;
	_Atomic uint32_t used;
	struct slot s[];
};
static struct table *_Atomic tab;
static ms_spin grow_lock = MS_SPIN_INIT;

static struct table *table_new(uint32_t bits)
{
	struct table *t = ms_rt_map(sizeof *t + ((size_t)1 << bits) * sizeof t->s[0]);
	if (t)
		t->bits = bits;
	return t;
}

int ms_cfi_init(void)
{
	atomic_store(&tab, table_new(FIRST_BITS));
	return atomic_load(&tab) ? 0 : -1;
}

static inline uint32_t slot_of(uint64_t pc, uint32_t bits)
{
	return (uint32_t)((pc * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/* Replaces t by a table twice its size, unless another thread is at it. */
static void grow(struct table *t)
{
	if (t->bits >= MAX_BITS || !ms_spin_trylock(&grow_lock))
		return;
	struct table *n = atomic_load_explicit(&tab, memory_order_relaxed) == t ? table_new(t->bits + 1) : NULL;
	if (n) {
		uint32_t mask = (1u << n->bits) - 1, used = 0;
		for (uint32_t i = 0; i < (1u << t->bits); i++) {
			uint64_t k = atomic_load_explicit(&t->s[i].key, memory_order_acquire);
			if (!k)
				continue;
			uint32_t j = slot_of(k, n->bits);
			for (unsigned p = 0; p < PROBES && atomic_load_explicit(&n->s[j].key, memory_order_relaxed); p++)
				j = (j + 1) & mask;
			if (atomic_load_explicit(&n->s[j].key, memory_order_relaxed))
				continue; /* window full: computed again when asked */
			atomic_store_explicit(&n->s[j].val, atomic_load_explicit(&t->s[i].val, memory_order_acquire),
			                      memory_order_relaxed);
			atomic_store_explicit(&n->s[j].key, k, memory_order_relaxed);
			used++;
		}
		atomic_store_explicit(&n->used, used, memory_order_relaxed);
		atomic_store_explicit(&tab, n, memory_order_release);
	}
	ms_spin_unlock(&grow_lock);
}

/* The rule for pc, of generation gen (read once per walk). */
static uint64_t rule_for(uint64_t pc, uint32_t gen)
{
	struct table *t = atomic_load_explicit(&tab, memory_order_acquire);
	uint32_t mask = (1u << t->bits) - 1, h = slot_of(pc, t->bits);
	for (unsigned i = 0; i < PROBES; i++) {
		struct slot *s = &t->s[(h + i) & mask];
		uint64_t k = atomic_load_explicit(&s->key, memory_order_acquire);
		if (k == pc) {
			uint64_t v = atomic_load_explicit(&s->val, memory_order_acquire);
			if (MS_LIKELY(v != 0 && rule_gen(v) == gen))
				return v;
			v = compute_rule(pc, gen);
			atomic_store_explicit(&s->val, v, memory_order_release);
			return v;
		}
		if (k == 0) {
			uint64_t v = compute_rule(pc, gen);
			uint64_t want = 0;
			if (atomic_compare_exchange_strong(&s->key, &want, pc)) {
				atomic_store_explicit(&s->val, v, memory_order_release);
				if (atomic_fetch_add_explicit(&t->used, 1, memory_order_relaxed) + 1 > (mask + 1) / 2)
					grow(t);
			} else if (want == pc) {
				atomic_store_explicit(&s->val, v, memory_order_release);
			}
			return v;
		}
	}
	return compute_rule(pc, gen);
}

/* ---- the walk ---- */

extern void *__libc_stack_end; /* ld.so: the stack pointer _start was given */

void ms_cfi_thread_stack(uintptr_t *lo, uintptr_t *hi, int main_thread)
{
	*lo = *hi = 0;
	if (main_thread) {
		/* Nothing else is mapped within the stack limit below the top, and
		 * the page holding __libc_stack_end is the stack's own. */
		struct rlimit rl;
		uintptr_t top = ((uintptr_t)__libc_stack_end + 4095) & ~(uintptr_t)4095;
		uint64_t size = 8u << 20;
		if (!getrlimit(RLIMIT_STACK, &rl) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (1ull << 32))
			size = rl.rlim_cur;
		if (top > size) {
			*lo = top - size;
			*hi = top;
		}
		return;
	}
	pthread_attr_t a;
	void *addr;
	size_t size;
	if (pthread_getattr_np(pthread_self(), &a))
		return;
	if (!pthread_attr_getstack(&a, &addr, &size)) {
		*lo = (uintptr_t)addr;
		*hi = (uintptr_t)addr + size;
	}
	pthread_attr_destroy(&a);
}

static inline int readable(uintptr_t a, uintptr_t lo, uintptr_t hi) { return a >= lo && a <= hi - 8 && !(a & 7); }

/* ---- the thread's previous walk ----
 * Consecutive stacks of a thread mostly share their outer part. When the
 * walk arrives at a frame of the previous walk (same ip and sp, and rbp
 * where the rest depends on it) and the stack words that walk read above
 * it still hold what it read, the rest of the stack is the same: those
 * reads are independent loads at known addresses, where walking anew is a
 * chain of a table lookup and a load per frame. The memo keeps the frames
 * in place; only the new inner ones are written. */
enum {
	F_STEP, /* a frame that led to the next entry */
	F_END,  /* the outermost frame */
	F_ZERO, /* after the last frame: a return address of 0 was read */
	F_CUT,  /* after the last frame recorded (the depth was reached) */
};
struct mframe {
	uintptr_t ip, sp, bp;
	uintptr_t bp_at;  /* F_STEP: where the next frame's rbp was read, or 0 */
	uint8_t kind;
	uint8_t cfa_bp;   /* F_STEP: the CFA came from rbp */
	uint8_t needs_bp; /* the walk from this frame on depends on its rbp */
	uint32_t nchk;    /* the stack words the walk read from here outward: memo->chk[0..nchk) */
	/* The path of the stack from this frame outward, or NULL. Set only
	 * where the memo reaches the outermost frame: the memo's frames from
	 * here on are that path's. */
	struct ms_stackpath *path;
};

/* The thread's recent steps from a path to its inner child: the shared
 * table of paths outgrows the caches, and a thread's stacks mostly revisit
 * a few steps (perl: 9 thousand misses in 4.3 million steps).
 *
 * A thread whose stacks rarely repeat (clang: half its steps miss) pays a
 * cache miss in the shared table per new frame, more than hashing the
 * whole stack costs: after a trial of PATH_TRIAL steps with more than a
 * quarter of misses, it goes without paths for a while, from PATH_PAUSE
 * walks, twice as long after each trial that misses as often again, up to
 * PATH_PAUSE_MAX (a program's start-up misses, and then its loop may not).
 * A thread's first trial only fills its cache: every step misses there.
 * A thread starts without paths for PATH_START walks: a short program
 * (clang --version) would only pay for building them. */
#define EDGE_CACHE_BITS 9
#define PATH_START 4096
#define PATH_TRIAL 4096
#define PATH_PAUSE 16384
#define PATH_PAUSE_MAX (1u << 20)
struct edge {
	const struct ms_stackpath *parent;
	uintptr_t ip;
	struct ms_stackpath *child;
};
/* The thread's recent rules: the shared table outgrows the caches too
 * (clang: 11% of its samples were the walk, a fifth of them reading it). */
#define RULE_CACHE_BITS 10
struct rule_entry {
	uint64_t pc, rule;
};
/* A stack word a walk read, and what it read there. */
struct word {
	uintptr_t at, val;
};
struct ms_cfi_memo {
	uint32_t cap, n, gen;
	uint8_t busy, valid;
	/* steps and misses of the current trial; walks left without paths;
	 * the next pause (0 until the first trial, which fills the cache) */
	uint32_t steps, misses, pause, next_pause;
	struct mframe *f, *scratch; /* cap entries each */
	struct word *chk; /* 2 * cap: from the outermost frame in, see still_valid */
	struct edge edges[1u << EDGE_CACHE_BITS];
	struct rule_entry rules[1u << RULE_CACHE_BITS];
};

/* rule_for through the thread's cache, if it has one. */
static inline uint64_t rule_cached(struct ms_cfi_memo *memo, uint64_t pc, uint32_t gen)
{
	if (!memo)
		return rule_for(pc, gen);
	struct rule_entry *e = &memo->rules[(pc * 0x9E3779B97F4A7C15ull) >> (64 - RULE_CACHE_BITS)];
	if (MS_LIKELY(e->pc == pc && e->rule && rule_gen(e->rule) == gen))
		return e->rule;
	uint64_t r = rule_for(pc, gen);
	*e = (struct rule_entry){pc, r};
	return r;
}

static inline struct ms_stackpath *path_child(struct ms_cfi_memo *memo, struct ms_stackpath *parent, uintptr_t ip)
{
	uint64_t h = ((uint64_t)(uintptr_t)parent ^ (ip << 7)) * 0x9E3779B97F4A7C15ull;
	struct edge *e = &memo->edges[h >> (64 - EDGE_CACHE_BITS)];
	memo->steps++;
	if (MS_LIKELY(e->parent == parent && e->ip == ip && e->child))
		return e->child;
	memo->misses++;
	struct ms_stackpath *c = ms_stackpath_child(parent, ip);
	*e = (struct edge){parent, ip, c};
	return c;
}

/* Whether this walk keeps paths (see PATH_TRIAL). */
static inline int paths_on(struct ms_cfi_memo *memo)
{
	if (MS_UNLIKELY(memo->pause)) {
		memo->pause--;
		return 0;
	}
	if (MS_UNLIKELY(memo->steps >= PATH_TRIAL)) {
		if (!memo->next_pause || memo->misses <= memo->steps / 4) {
			memo->next_pause = PATH_PAUSE;
		} else {
			memo->pause = memo->next_pause;
			if (memo->next_pause < PATH_PAUSE_MAX)
				memo->next_pause *= 2;
		}
		memo->steps = memo->misses = 0;
	}
	return 1;
}

struct ms_cfi_memo *ms_cfi_memo_new(uint32_t frames)
{
	if (!tab)
		return NULL; /* no walk (MEMSCOPE_LIBUNWIND=1), no memo */
	uint32_t cap = frames + 2;
	struct ms_cfi_memo *m =
	    ms_rt_alloc(sizeof *m + 2 * (size_t)cap * sizeof(struct mframe) + 2 * (size_t)cap * sizeof(struct word));
	if (!m)
		return NULL;
	memset(m, 0, sizeof *m);
	m->pause = PATH_START;
	m->cap = cap;
	m->f = (struct mframe *)(void *)(m + 1);
	m->scratch = m->f + cap;
	m->chk = (struct word *)(void *)(m->scratch + cap);
	return m;
}

void ms_cfi_memo_free(struct ms_cfi_memo *m) { ms_rt_free(m); }

/* The stack words the walk from frame m on read are unchanged: the return
 * address each step read, and the saved rbp where the rest depended on
 * it. They are kept from the outermost frame in, so that m's are a prefix
 * and a walk that keeps m adds its new frames' words after them. Each was
 * within the thread's stack when read, and lies above its frame's rsp (the
 * walk gives up on a rule that saves rbp below it), so above m's, which is
 * the current walk's: all are still readable. */
static int still_valid(const struct ms_cfi_memo *memo, const struct mframe *f, uint32_t m)
{
	const struct word *c = memo->chk, *end = c + f[m].nchk;
	for (; c < end; c++)
		if (*(const uintptr_t *)c->at != c->val)
			return 0;
	return 1;
}

/* needs_bp of f[from - 1] down to f[0], from f[from]'s, and the words
 * their steps read, after those of f[from] (all entries below a memo's
 * last are steps). */
static void mark_frames(struct ms_cfi_memo *memo, struct mframe *f, uint32_t from)
{
	struct word *c = memo->chk;
	for (uint32_t j = from; j-- > 0;) {
		const struct mframe *nx = &f[j + 1];
		uint32_t k = nx->nchk;
		c[k++] = (struct word){nx->sp - 8, nx->ip};
		if (f[j].bp_at && nx->needs_bp)
			c[k++] = (struct word){f[j].bp_at, nx->bp};
		f[j].nchk = k;
		f[j].needs_bp = f[j].cfa_bp || (!f[j].bp_at && nx->needs_bp);
	}
}

/* All of f[0..n)'s, the memo's frames. */
static void mark_all(struct ms_cfi_memo *memo, struct mframe *f, uint32_t n)
{
	f[n - 1].nchk = 0;
	mark_frames(memo, f, n - 1);
}

static void memo_keep(struct ms_cfi_memo *memo, uint32_t n, uint32_t gen)
{
	memo->n = n;
	memo->gen = gen;
	memo->valid = 1;
	memo->busy = 0;
}

/* The paths of the memo's frames from the outermost one in to frame first
 * (the innermost one of the stack): the stack's path, or NULL if the walk
 * did not reach the outermost frame (then no frame keeps a path), out of
 * memory (then only the outer frames that got one keep it) or without
 * paths (on 0: the frames keep those they have). */
static struct ms_stackpath *memo_paths(struct ms_cfi_memo *memo, uint32_t first, int on)
{
	struct mframe *f = memo->f;
	uint32_t end = memo->n;
	if (!end || f[end - 1].kind == F_CUT) {
		for (uint32_t j = 0; j < end; j++)
			f[j].path = NULL;
		return NULL;
	}
	if (!on)
		return NULL;
	if (f[end - 1].kind == F_ZERO)
		end--;
	struct ms_stackpath *p = NULL;
	for (uint32_t j = end; j-- > first;) {
		if (!f[j].path && !(f[j].path = path_child(memo, p, f[j].ip)))
			return NULL;
		p = f[j].path;
	}
	return p;
}

/* The paths of out[first..nout), the new inner frames, from tail's; 0 if
 * out of memory (then none is kept). */
static int new_paths(struct ms_cfi_memo *memo, struct mframe *out, uint32_t first, uint32_t nout,
                     struct ms_stackpath *tail)
{
	for (uint32_t j = nout; j-- > first;) {
		if (!(tail = path_child(memo, tail, out[j].ip))) {
			for (j = first; j < nout; j++)
				out[j].path = NULL;
			return 0;
		}
		out[j].path = tail;
	}
	return 1;
}

struct walk {
	uintptr_t *ips;
	uint32_t cap, slack, n, skipped;
	uintptr_t ra;
};

/* Frame ip joins the stack (our own frames before ra are skipped): 1 when
 * the stack is full, -1 when ra was not found within the slack. */
static inline int emit(struct walk *w, uintptr_t ip)
{
	if (w->n || ip == w->ra) {
		w->ips[w->n++] = ip;
		return w->n == w->cap;
	}
	return ++w->skipped > w->slack ? -1 : 0;
}

/* The previous walk's frames from m on join the stack, none of ours left
 * to skip: its entries are steps but for its last, so they are copied out
 * in one go. Returns the last entry kept: the memo's last, or, if the stack
 * fills first, the entry after the last frame taken, now a cut (where a
 * later walk resumes; *cut_made if it was a frame). */
static uint32_t take_over(struct walk *w, struct mframe *prev, uint32_t m, uint32_t nprev, int *cut_made)
{
	uint32_t stop = prev[nprev - 1].kind == F_END ? nprev : nprev - 1;
	uint32_t take = stop > m ? stop - m : 0, room = w->cap - w->n;
	if (take > room)
		take = room;
	for (uint32_t i = 0; i < take; i++)
		w->ips[w->n + i] = prev[m + i].ip;
	w->n += take;
	if (!take || w->n < w->cap || prev[m + take - 1].kind == F_END)
		return nprev - 1;
	uint32_t j = m + take;
	if (prev[j].kind != F_ZERO) {
		*cut_made = prev[j].kind != F_CUT;
		prev[j].kind = F_CUT;
	}
	return j;
}

int ms_cfi_walk(uintptr_t *ips, uint32_t cap, uint32_t slack, uintptr_t ra, const void *frame, uintptr_t lo,
                uintptr_t hi, struct ms_cfi_memo *memo, struct ms_stackpath **path)
{
	uintptr_t ip, sp, bp;
	/* where we are: this instruction's row describes these rsp and rbp */
	__asm__ volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2" : "=&r"(ip), "=&r"(sp), "=&r"(bp));
	if (!tab || sp < lo || sp >= hi)
		return -1;
	lo = sp;
	int in_caller = 0; /* ip is a return address: look up ip - 1 (the call) */
	if (frame) {
		/* A frame-pointer frame: the caller's rbp, then the return
		 * address; the caller's rsp is just above them. */
		uintptr_t f = (uintptr_t)frame;
		if (!readable(f, lo, hi) || !readable(f + 8, lo, hi))
			return -1;
		bp = *(const uintptr_t *)f;
		ip = *(const uintptr_t *)(f + 8);
		sp = f + 16;
		in_caller = 1;
	}
	uint32_t gen = atomic_load_explicit(&cfi_gen, memory_order_acquire) & R_GEN_MASK;
	struct walk w = {ips, cap, slack, 0, 0, ra};
	/* The new frames go to out[nout]: the scratch while the previous walk
	 * may still be taken over (prev), then the memo itself. */
	struct mframe *prev = NULL, *out = NULL;
	uint32_t nprev = 0, nout = 0, m = 0, limit = 0;
	if (memo && (memo->busy || memo->cap < slack + cap + 2))
		memo = NULL; /* a walk in a signal handler, inside another walk */
	if (memo) {
		memo->busy = 1;
		limit = memo->cap - 1;
		if (memo->valid && memo->gen == gen) {
			prev = memo->f;
			nprev = memo->n;
			out = memo->scratch;
		} else {
			out = memo->f;
		}
		memo->valid = 0;
	}
	int with_paths = memo && paths_on(memo), ret;
	for (;;) {
		if (prev) {
			while (m < nprev && prev[m].sp < sp)
				m++;
			if (m < nprev && prev[m].sp == sp && prev[m].ip == ip &&
			    (prev[m].kind == F_STEP || prev[m].kind == F_END) && (!prev[m].needs_bp || prev[m].bp == bp) &&
			    still_valid(memo, prev, m)) {
				/* The rest is the previous walk's. Where that reached the
				 * outermost frame, its path is the rest of the stack. */
				if (with_paths && prev[m].path && (w.n || prev[m].ip == w.ra) && nout + nprev - m <= limit &&
				    new_paths(memo, out, w.skipped, nout, prev[m].path)) {
					prev[m].bp = bp;
					if (nout != m)
						memmove(prev + nout, prev + m, (nprev - m) * sizeof *prev);
					memcpy(prev, out, nout * sizeof *prev);
					mark_frames(memo, prev, nout);
					memo_keep(memo, nout + nprev - m, gen);
					*path = prev[w.skipped].path;
					return (int)(*path)->len;
				}
				uint32_t j = m, end; /* end: the last entry kept */
				int cut_made = 0;
				while (!w.n && prev[j].kind == F_STEP) { /* frames of ours before ra */
					if (emit(&w, prev[j].ip) < 0)
						goto fail;
					j++;
				}
				if (w.n) {
					end = take_over(&w, prev, j, nprev, &cut_made);
				} else {
					if (prev[j].kind == F_END && emit(&w, prev[j].ip) < 0)
						goto fail;
					end = j;
				}
				prev[m].bp = bp;
				if (nout != m)
					memmove(prev + nout, prev + m, (end - m + 1) * sizeof *prev);
				memcpy(prev, out, nout * sizeof *prev);
				uint32_t n = nout + end - m + 1;
				if (cut_made) { /* what the frames above depend on changed */
					prev[n - 1].needs_bp = 1;
					mark_all(memo, prev, n);
				} else {
					mark_frames(memo, prev, nout);
				}
				if (prev[n - 1].kind == F_CUT && w.n < w.cap) {
					/* the previous walk stopped at its depth, this one goes on */
					out = prev;
					nout = n - 1;
					ip = prev[nout].ip;
					sp = prev[nout].sp;
					bp = prev[nout].bp;
					in_caller = 1;
					prev = NULL;
					continue;
				}
				memo_keep(memo, n, gen);
				if (w.n)
					*path = memo_paths(memo, w.skipped, with_paths);
				return w.n ? (int)w.n : -1;
			}
		}
		int e = emit(&w, ip);
		if (e < 0)
			goto fail;
		uint64_t r = rule_cached(memo, in_caller ? ip - 1 : ip, gen);
		unsigned kind = rule_kind(r);
		if (kind == K_END || (kind == K_NOFDE && bp == 0)) {
			if (out)
				out[nout++] = (struct mframe){ip, sp, bp, 0, F_END, 0, kind == K_NOFDE, 0, NULL};
			ret = w.n ? (int)w.n : -1;
			goto done;
		}
		if (kind != K_STEP)
			goto fail;
		uintptr_t cfa = (r & R_CFA_BP ? bp : sp) + (uintptr_t)(intptr_t)rule_cfa_off(r);
		if (cfa <= sp || !readable(cfa - 8, lo, hi))
			goto fail;
		uintptr_t next = *(const uintptr_t *)(cfa - 8), at = 0;
		if (out)
			out[nout] = (struct mframe){ip, sp, bp, 0, F_STEP, (r & R_CFA_BP) != 0, 0, 0, NULL};
		if (r & R_BP_SAVED) {
			at = cfa + (uintptr_t)(intptr_t)rule_bp_off(r);
			if (at < sp || !readable(at, lo, hi)) /* below its frame: not a slot a prologue saved */
				goto fail;
			bp = *(const uintptr_t *)at;
		}
		if (out)
			out[nout++].bp_at = at;
		sp = cfa;
		ip = next;
		in_caller = 1;
		if (!ip || e > 0) {
			if (out)
				out[nout++] = (struct mframe){ip, sp, bp, 0, ip ? F_CUT : F_ZERO, 0, ip != 0, 0, NULL};
			ret = ip || w.n ? (int)w.n : -1;
			goto done;
		}
		if (out && nout >= limit) /* cannot happen within cap and slack; stay safe */
			out = prev = NULL;
	}
fail:
	ret = -1;
done:
	if (memo) {
		if (ret >= 0 && out && nout) {
			if (out != memo->f)
				memcpy(memo->f, out, nout * sizeof *out);
			mark_all(memo, memo->f, nout);
			memo_keep(memo, nout, gen);
			if (w.n)
				*path = memo_paths(memo, w.skipped, with_paths);
		}
		memo->busy = 0;
	}
	return ret;
}
