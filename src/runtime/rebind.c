/* GOT rebinding after a dlopen with RTLD_DEEPBIND: such a library (and the
 * dependencies loaded with it) looks symbols up in its own scope first, so
 * its malloc/free slots hold libc's functions and bypass our hooks. We walk
 * the relocations of every object of the base namespace (except ourselves)
 * and point those slots at our hooks. x86-64 ELF only (RELA relocations).
 *
 * Invariants: a slot is rewritten only if the object does not define the
 * symbol itself and the slot holds the next definition after ours (what
 * deep binding picked) or a lazy PLT stub of the object; anything else (a
 * user allocator, another namespace's libc) is left alone. Runs inside
 * dl_iterate_phdr, whose lock keeps objects from being unmapped meanwhile.
 * Allocation-free. */
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime/rt.h"

struct rebind_ctx {
	const struct ms_rt_rebind *tab;
	size_t n;
	int patched;
};

/* Objects described by one dl_iterate_phdr entry. */
struct object {
	uintptr_t base;
	uintptr_t lo, hi;               /* extent of the PT_LOAD segments */
	uintptr_t relro_lo, relro_hi;   /* PT_GNU_RELRO, page-rounded */
	const ElfW(Dyn) *dyn;
	const ElfW(Sym) *symtab;
	const char *strtab;
	size_t strsz;
};

/* A d_ptr is relocated in place by ld.so for most objects, but not for a
 * read-only dynamic section (the vDSO): accept both. */
static uintptr_t dyn_addr(const struct object *o, ElfW(Addr) v)
{
	return o->base && v < o->base ? o->base + v : v;
}

/* 1 if the object with this dynamic section is in the base namespace. The
 * list changes only under dl_load_write_lock, which the caller holds. */
static int in_base_namespace(const ElfW(Dyn) *dyn)
{
	for (const struct link_map *m = _r_debug.r_map; m; m = m->l_next)
		if (m->l_ld == dyn)
			return 1;
	return 0;
}

static const struct ms_rt_rebind *match(const struct rebind_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->tab[i].ours && name[0] == c->tab[i].name[0] && !strcmp(name, c->tab[i].name))
			return &c->tab[i];
	return NULL;
}

static void write_slot(const struct object *o, void **slot, void *v)
{
	uintptr_t a = (uintptr_t)slot;
	uintptr_t page = a & ~(uintptr_t)(getpagesize() - 1);
	int relro = a >= o->relro_lo && a < o->relro_hi;
	if (relro && mprotect((void *)page, (size_t)getpagesize(), PROT_READ | PROT_WRITE))
		return;
	__atomic_store_n(slot, v, __ATOMIC_RELAXED); /* aligned: a concurrent call sees old or new */
	if (relro)
		mprotect((void *)page, (size_t)getpagesize(), PROT_READ);
}

static void patch_relocs(struct rebind_ctx *c, const struct object *o, const ElfW(Rela) *r, size_t bytes)
{
	for (size_t i = 0; i < bytes / sizeof *r; i++) {
		unsigned long type = ELF64_R_TYPE(r[i].r_info);
		if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT)
			continue;
		const ElfW(Sym) *s = &o->symtab[ELF64_R_SYM(r[i].r_info)];
		if (s->st_shndx != SHN_UNDEF || s->st_name >= o->strsz)
			continue;
		const struct ms_rt_rebind *h = match(c, o->strtab + s->st_name);
		if (!h)
			continue;
		void **slot = (void **)(o->base + r[i].r_offset);
		uintptr_t v = (uintptr_t)*slot;
		if (v == (uintptr_t)h->ours)
			continue;
		int lazy_stub = type == R_X86_64_JUMP_SLOT && v >= o->lo && v < o->hi;
		if ((h->next && v == (uintptr_t)h->next) || lazy_stub) {
			write_slot(o, slot, h->ours);
			c->patched++;
		}
	}
}

static void read_dynamic(struct object *o, const ElfW(Rela) **jmprel, size_t *jmpsz, const ElfW(Rela) **rela,
                         size_t *relasz)
{
	int pltrel_rela = 1;
	for (const ElfW(Dyn) *d = o->dyn; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB: o->symtab = (const ElfW(Sym) *)dyn_addr(o, d->d_un.d_ptr); break;
		case DT_STRTAB: o->strtab = (const char *)dyn_addr(o, d->d_un.d_ptr); break;
		case DT_STRSZ: o->strsz = d->d_un.d_val; break;
		case DT_JMPREL: *jmprel = (const ElfW(Rela) *)dyn_addr(o, d->d_un.d_ptr); break;
		case DT_PLTRELSZ: *jmpsz = d->d_un.d_val; break;
		case DT_PLTREL: pltrel_rela = d->d_un.d_val == DT_RELA; break;
		case DT_RELA: *rela = (const ElfW(Rela) *)dyn_addr(o, d->d_un.d_ptr); break;
		case DT_RELASZ: *relasz = d->d_un.d_val; break;
		}
	}
	if (!pltrel_rela)
		*jmprel = NULL;
}

static int one_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct rebind_ctx *c = arg;
	struct object o = {.base = info->dlpi_addr, .lo = UINTPTR_MAX};
	uintptr_t self = (uintptr_t)&one_object, pg = (uintptr_t)getpagesize();
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = o.base + ph->p_vaddr;
		if (ph->p_type == PT_LOAD) {
			if (a < o.lo)
				o.lo = a;
			if (a + ph->p_memsz > o.hi)
				o.hi = a + ph->p_memsz;
		} else if (ph->p_type == PT_DYNAMIC) {
			o.dyn = (const ElfW(Dyn) *)a;
		} else if (ph->p_type == PT_GNU_RELRO) {
			o.relro_lo = a & ~(pg - 1);
			o.relro_hi = (a + ph->p_memsz + pg - 1) & ~(pg - 1);
		}
	}
	if (!o.dyn || (self >= o.lo && self < o.hi) || !in_base_namespace(o.dyn))
		return 0; /* no relocations, ourselves, or another namespace's libc */
	const ElfW(Rela) *jmprel = NULL, *rela = NULL;
	size_t jmpsz = 0, relasz = 0;
	read_dynamic(&o, &jmprel, &jmpsz, &rela, &relasz);
	if (!o.symtab || !o.strtab)
		return 0;
	if (jmprel)
		patch_relocs(c, &o, jmprel, jmpsz);
	if (rela)
		patch_relocs(c, &o, rela, relasz);
	return 0;
}

int ms_rt_rebind_gots(const struct ms_rt_rebind *tab, size_t n)
{
	struct rebind_ctx c = {tab, n, 0};
	dl_iterate_phdr(one_object, &c);
	return c.patched;
}
