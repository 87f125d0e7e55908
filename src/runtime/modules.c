/* Loaded objects and process-wide records: MODULE_LOAD/UNLOAD from
 * dl_iterate_phdr (rescanned only when its adds/subs counters move), the
 * PROCESS record and the COUNTERS sample. Module ids are sequential and never
 * reused. Everything is read with raw reads of /proc, never stdio. */
#include <elf.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "runtime/arena.h"
#include "runtime/clock.h"
#include "runtime/rt.h"
#include "runtime/snap.h"
#include "runtime/sys.h"

struct module {
	uint64_t base;        /* dlpi_addr */
	const void *phdr;     /* with base: identifies one load of one object */
	uint32_t id;
	uint8_t alive, seen;
};

static ms_spin lock = MS_SPIN_INIT;
static struct module *mods;
static uint32_t nmods, capmods, next_id = 1;
static unsigned long long last_adds, last_subs;
static int scanned;

void ms_rt_modules_lock(void) { ms_spin_lock(&lock); }
void ms_rt_modules_unlock(void) { ms_spin_unlock(&lock); }

static size_t build_id(const struct dl_phdr_info *info, const uint8_t **out)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const void *)p;
			const uint8_t *name = p + sizeof *nh;
			const uint8_t *desc = name + ((nh->n_namesz + 3) & ~3u);
			if (desc + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(name, "GNU", 4) &&
			    nh->n_descsz <= 64) {
				*out = desc;
				return nh->n_descsz;
			}
			p = desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 0;
}

static void emit_load(const struct dl_phdr_info *info, uint32_t id)
{
	char exe[PATH_MAX];
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	if (!*name) { /* the main program */
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = 0;
		name = exe;
	}
	size_t len = strnlen(name, MS_MAX_STRING - 1);
	const uint8_t *bid = NULL;
	size_t bid_len = build_id(info, &bid);
	struct ms_enc_segment seg[32];
	uint32_t nseg = 0;
	for (int i = 0; i < info->dlpi_phnum && nseg < 32; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD)
			seg[nseg++] = (struct ms_enc_segment){ph->p_vaddr, ph->p_memsz, ph->p_flags};
	}
	uint8_t *p = ms_rt_wrec_begin(ms_enc_module_max(len, bid_len, nseg));
	if (p)
		ms_rt_wrec_end(ms_enc_module_load(p, ms_rt_now(), id, info->dlpi_addr, name, len, bid, bid_len, seg, nseg));
}

static int counters_cb(struct dl_phdr_info *info, size_t size, void *ctx)
{
	unsigned long long *c = ctx;
	if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs) {
		c[0] = info->dlpi_adds;
		c[1] = info->dlpi_subs;
	}
	return 1;
}

static int scan_cb(struct dl_phdr_info *info, size_t size, void *ctx)
{
	int force = *(int *)ctx;
	for (uint32_t i = 0; i < nmods; i++) {
		struct module *m = &mods[i];
		if (m->alive && m->base == info->dlpi_addr && m->phdr == info->dlpi_phdr) {
			m->seen = 1;
			if (force)
				emit_load(info, m->id);
			return 0;
		}
	}
	if (nmods == capmods) {
		uint32_t cap = capmods ? capmods * 2 : 64;
		struct module *n = ms_rt_alloc(cap * sizeof *n);
		if (!n)
			return 1;
		if (mods)
			memcpy(n, mods, nmods * sizeof *n);
		ms_rt_free(mods);
		mods = n;
		capmods = cap;
	}
	struct module *m = &mods[nmods++];
	*m = (struct module){info->dlpi_addr, info->dlpi_phdr, next_id++, 1, 1};
	emit_load(info, m->id);
	return 0;
}

void ms_rt_modules_sync(int force_all)
{
	unsigned long long c[2] = {0, 0};
	ms_spin_lock(&lock);
	dl_iterate_phdr(counters_cb, c);
	if (scanned && !force_all && c[0] == last_adds && c[1] == last_subs) {
		ms_spin_unlock(&lock);
		return;
	}
	last_adds = c[0];
	last_subs = c[1];
	scanned = 1;
	/* compact: dead entries are never matched again */
	uint32_t k = 0;
	for (uint32_t i = 0; i < nmods; i++)
		if (mods[i].alive) {
			mods[i].seen = 0;
			mods[k++] = mods[i];
		}
	nmods = k;
	dl_iterate_phdr(scan_cb, &force_all);
	for (uint32_t i = 0; i < nmods; i++) {
		if (mods[i].alive && !mods[i].seen) {
			mods[i].alive = 0;
			uint8_t *p = ms_rt_wrec_begin(1 + 2 * MS_VARINT_MAX);
			if (p)
				ms_rt_wrec_end(ms_enc_module_unload(p, ms_rt_now(), mods[i].id));
		}
	}
	ms_spin_unlock(&lock);
}

void ms_rt_process_record(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	size_t elen = n > 0 ? (size_t)n : 0;
	exe[elen] = 0;
	/* /proc/self/cmdline can be long: grow until it fits (bounded) */
	char *cmd = NULL;
	ssize_t clen = 0;
	for (size_t cap = 4096; cap <= (64u << 20); cap *= 4) {
		ms_rt_free(cmd);
		cmd = ms_rt_alloc(cap);
		if (!cmd)
			return;
		clen = ms_rt_read_file("/proc/self/cmdline", cmd, cap);
		if (clen < 0)
			clen = 0;
		if ((size_t)clen + 1 < cap)
			break;
	}
	uint64_t argc = 0;
	for (ssize_t i = 0; i < clen; i++)
		argc += cmd[i] == 0;
	if (clen && cmd[clen - 1] != 0)
		argc++;
	uint8_t *p = ms_rt_wrec_begin(1 + 2 * MS_VARINT_MAX + elen + (size_t)argc * MS_VARINT_MAX + (size_t)clen);
	if (p) {
		p = ms_enc_process_begin(p, exe, elen, argc);
		for (ssize_t i = 0; i < clen;) {
			size_t l = strnlen(cmd + i, (size_t)(clen - i));
			/* the reader refuses longer strings: record a prefix */
			p = ms_enc_string(p, cmd + i, l < MS_MAX_STRING ? l : MS_MAX_STRING);
			i += (ssize_t)l + 1;
		}
		ms_rt_wrec_end(p);
	}
	ms_rt_free(cmd);
}

static uint64_t field_after(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	if (!p)
		return 0;
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	uint64_t v = 0;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	return v;
}

void ms_rt_counters_record(uint64_t ts, uint64_t *peak)
{
	char buf[4096];
	uint64_t v[MS_CTR__COUNT] = {0, 0};
	if (ms_rt_read_file("/proc/self/statm", buf, sizeof buf) > 0) {
		const char *p = strchr(buf, ' ');
		if (p)
			v[MS_CTR_RSS_BYTES] = field_after(p, "") * (uint64_t)sysconf(_SC_PAGESIZE);
	}
	if (ms_rt_read_file("/proc/self/status", buf, sizeof buf) > 0)
		v[MS_CTR_PEAK_RSS_BYTES] = field_after(buf, "VmHWM:") * 1024;
	if (v[MS_CTR_PEAK_RSS_BYTES] > *peak)
		*peak = v[MS_CTR_PEAK_RSS_BYTES];
	uint8_t *p = ms_rt_wrec_begin(1 + (2 + MS_CTR__COUNT) * MS_VARINT_MAX);
	if (p)
		ms_rt_wrec_end(ms_enc_counters(p, ts, v, MS_CTR__COUNT));
}

uint32_t ms_rt_module_id(uint64_t base, const void *phdr)
{
	uint32_t id = 0;
	ms_spin_lock(&lock);
	for (uint32_t i = 0; i < nmods && !id; i++)
		if (mods[i].alive && mods[i].base == base && mods[i].phdr == phdr)
			id = mods[i].id;
	ms_spin_unlock(&lock);
	return id;
}
