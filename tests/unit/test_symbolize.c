/* Symbolization of this test's own code: a return address recorded with the
 * module map of the running process resolves to the calling function, this
 * file and the call's line; a changed build-id falls back to module+offset;
 * an address in no module to 0xIP; memscope's runtime frames are hidden at
 * the top; a module loaded after the stack was first used still matches. */
#include <elf.h>
#include <link.h>
#include <unistd.h>

#include "analysis/model.h"
#include "analysis/symbolize.h"
#include "assert.h"
#include "tracegen.h"

static const char *path = "test_symbolize.mst";
static uintptr_t recorded_ip;
static int call_line;

__attribute__((noinline)) static void record_caller(void)
{
	recorded_ip = (uintptr_t)__builtin_return_address(0);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void known_caller(void)
{
	call_line = __LINE__ + 1;
	record_caller();
	__asm__ volatile("" ::: "memory");
}

static uintptr_t inlined_ip;
static int inline_line, outer_line;

static inline __attribute__((always_inline)) void inlined_helper(void)
{
	inline_line = __LINE__ + 1;
	record_caller();
	inlined_ip = recorded_ip;
}

__attribute__((noinline)) static void outer_caller(void)
{
	outer_line = __LINE__ + 1;
	inlined_helper();
	__asm__ volatile("" ::: "memory");
}

struct self {
	uint64_t bias;
	struct ms_enc_segment seg[16];
	uint32_t nseg;
	uint8_t bid[64];
	size_t bid_len;
};

static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct self *s = arg;
	if (info->dlpi_name && info->dlpi_name[0])
		return 0; /* the main program has an empty name */
	s->bias = info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && s->nseg < 16)
			s->seg[s->nseg++] = (struct ms_enc_segment){ph->p_vaddr, ph->p_memsz, ph->p_flags};
		if (ph->p_type != PT_NOTE)
			continue;
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *e = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= e) {
			const ElfW(Nhdr) *n = (const void *)p;
			const uint8_t *name = p + sizeof(*n), *desc = name + ((n->n_namesz + 3) & ~3u);
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(name, "GNU", 4) &&
			    n->n_descsz <= sizeof(s->bid)) {
				memcpy(s->bid, desc, n->n_descsz);
				s->bid_len = n->n_descsz;
			}
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	return 1;
}

static void write_trace(const struct self *s, const char *exe, bool wrong_bid)
{
	struct tg t;
	struct ms_trace_header h = tg_header();
	tg_open(&t, path, &h);
	uint8_t bid[64];
	memcpy(bid, s->bid, s->bid_len);
	if (wrong_bid)
		bid[0] ^= 0xff;
	/* the stack is first used at ts 100, the module "loads" at 200 */
	tg_chunk(&t, 1, 100);
	tg_alloc(&t, 100, 0x1000, 8, 1);
	uintptr_t ips[3] = {0x10010, recorded_ip, 0x10};
	tg_stack(&t, 1, ips, 3);
	tg_alloc(&t, 101, 0x2000, 8, 2);
	uintptr_t ips2[1] = {inlined_ip};
	tg_stack(&t, 2, ips2, 1);
	struct ms_enc_segment rt = {0, 0x10000, 5};
	const char *rtpath = "/nonexistent/libmemscope.so";
	uint8_t *p = tg_room(&t, ms_enc_module_max(strlen(rtpath), 0, 1));
	tg_done(&t, ms_enc_module_load(p, 50, 1, 0x10000, rtpath, strlen(rtpath), NULL, 0, &rt, 1));
	p = tg_room(&t, ms_enc_module_max(strlen(exe), s->bid_len, s->nseg));
	tg_done(&t, ms_enc_module_load(p, 200, 2, s->bias, exe, strlen(exe), bid, s->bid_len, s->seg, s->nseg));
	tg_end(&t, 300, MS_END_EXIT, 0, 0);
	tg_close(&t);
}

int main(void)
{
	outer_caller();
	known_caller();
	struct self s = {0};
	dl_iterate_phdr(find_self, &s);
	ASSERT_TRUE(s.nseg > 0);
	ASSERT_TRUE(s.bid_len > 0);
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_TRUE(n > 0);
	exe[n] = 0;

	for (int wrong = 0; wrong < 2; wrong++) {
		write_trace(&s, exe, wrong);
		struct ms_model m;
		ms_model_init(&m);
		ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
		struct ms_symbolizer *sym = ms_symbolizer_new(&m);
		ASSERT_TRUE(sym != NULL);
		const struct ms_frame *f;
		size_t nf;
		ASSERT_EQ_I64(ms_symbolize_stack(sym, 0, &f, &nf), 0);
		ASSERT_EQ_U64(nf, 2); /* the runtime's frame is hidden */
		ASSERT_EQ_STR(f[0].module, exe);
		ASSERT_EQ_U64(f[0].ip, recorded_ip);
		ASSERT_EQ_U64(f[0].offset, recorded_ip - s.bias);
		if (!wrong) {
			ASSERT_EQ_STR(f[0].function, "known_caller");
			ASSERT_TRUE(f[0].file && strstr(f[0].file, "test_symbolize.c"));
			ASSERT_EQ_U64(f[0].line, call_line);
			ASSERT_TRUE(!f[0].inlined);
		} else {
			char want[128];
			snprintf(want, sizeof(want), "%s+0x%" PRIx64, ms_basename(exe), (uint64_t)(recorded_ip - s.bias));
			ASSERT_EQ_STR(f[0].function, want);
			ASSERT_TRUE(f[0].file == NULL);
			ASSERT_EQ_U64(f[0].line, 0);
		}
		ASSERT_EQ_STR(f[1].function, "0x10");
		ASSERT_TRUE(f[1].module == NULL);
		ASSERT_EQ_I64(ms_symbolize_stack(sym, 1, &f, &nf), 0);
		if (!wrong) {
			ASSERT_EQ_U64(nf, 2); /* one address, two frames */
			ASSERT_EQ_STR(f[0].function, "inlined_helper");
			ASSERT_TRUE(f[0].inlined);
			ASSERT_EQ_U64(f[0].line, inline_line);
			ASSERT_EQ_STR(f[1].function, "outer_caller");
			ASSERT_TRUE(!f[1].inlined);
			ASSERT_EQ_U64(f[1].line, outer_line);
			ASSERT_TRUE(f[1].file && strstr(f[1].file, "test_symbolize.c"));
			ASSERT_EQ_U64(f[0].ip, f[1].ip);
		}
		/* cached: same answer again */
		ASSERT_EQ_I64(ms_symbolize_stack(sym, 0, &f, &nf), 0);
		ASSERT_EQ_I64(ms_symbolize_stack(sym, 0, &f, &nf), 0);
		ASSERT_EQ_U64(nf, 2);
		ms_symbolizer_free(sym);
		ms_model_release(&m);
	}
	remove(path);
	puts("ok");
	return 0;
}
