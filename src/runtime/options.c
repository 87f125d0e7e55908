/* The MEMSCOPE_* environment variables, read once at init from one table,
 * and the runtime's edits of the program's environment (done in place or
 * with arena memory: never malloc, never setenv). */
#include <string.h>
#include <unistd.h>

#include "runtime/arena.h"
#include "runtime/rt.h"
#include "runtime/snap.h"
#include "runtime/sys.h"

extern char **environ;

struct ms_rt_options ms_rt_opt;
int64_t ms_rt_snap_interval_ms;
int ms_rt_snap_at_peak;
int ms_rt_stop_signal;

enum opt_kind { OPT_STR, OPT_INT };
static const struct opt {
	const char *name;
	enum opt_kind kind;
	int64_t def, min, max;
	const char *help;
} opts[] = {
	{"MEMSCOPE_OUTPUT", OPT_STR, 0, 0, 0,
	 "trace path; default memscope.<program>.<pid>.mst in the cwd; other pids than the root add .<pid>"},
	{"MEMSCOPE_ROOT_PID", OPT_INT, 0, 0, INT32_MAX, "pid started by `memscope run` (writes MEMSCOPE_OUTPUT as is)"},
	{"MEMSCOPE_DEPTH", OPT_INT, 64, 1, MS_MAX_DEPTH_LIMIT, "frames per stack"},
	{"MEMSCOPE_FOLLOW", OPT_INT, 1, 0, 1, "0: exec'd programs are not traced"},
	{"MEMSCOPE_ZSTD_LEVEL", OPT_INT, 0, -50, 19,
	 "zstd level of trace frames; 0: 3 while one thread records, 1 once a second one does"},
	{"MEMSCOPE_POST_EXEC", OPT_INT, 0, 0, INT32_MAX, "internal: pid whose exec started this image"},
	{"MEMSCOPE_SNAPSHOT_INTERVAL_MS", OPT_INT, 0, 0, INT32_MAX, "snapshot every N ms (0: never)"},
	{"MEMSCOPE_SNAPSHOT_AT_PEAK", OPT_INT, 0, 0, 1, "1: snapshot near each new heap peak"},
	{"MEMSCOPE_SAMPLE_RATE", OPT_INT, 0, 0, UINT32_MAX,
	 "record a sample every N allocated bytes on average (0: every allocation)"},
	{"MEMSCOPE_MMAP", OPT_INT, 0, 0, 1, "1: also record anonymous mmap/munmap/mremap and brk/sbrk"},
	{"MEMSCOPE_LIBUNWIND", OPT_INT, 0, 0, 1,
	 "1: every stack is unwound by libunwind, not by memscope's walk of .eh_frame"},
	{"MEMSCOPE_STOP_SIGNAL", OPT_INT, 0, 0, 1,
	 "1: snapshots stop threads with signal SIGRTMAX-2, not ptrace (blocking calls may fail with EINTR)"},
};

static int64_t opt_int(const struct opt *o)
{
	const char *s = ms_rt_getenv(o->name);
	int64_t v;
	if (!s || !*s)
		return o->def;
	if (ms_rt_parse_i64(s, &v) || v < o->min || v > o->max) {
		ms_rt_say("ignoring ", o->name, "='", s, "': not a number in range", NULL);
		return o->def;
	}
	return v;
}

static const struct opt *opt_named(const char *name)
{
	size_t i = 0;
	while (i + 1 < sizeof opts / sizeof opts[0] && strcmp(opts[i].name, name))
		i++;
	return &opts[i];
}

void ms_rt_options_load(void)
{
	const char *out = ms_rt_getenv(opts[0].name);
	ms_rt_stpcpy(ms_rt_opt.output, out ? out : "", sizeof ms_rt_opt.output);
	ms_rt_opt.root_pid = opt_int(&opts[1]);
	ms_rt_opt.depth = (uint32_t)opt_int(&opts[2]);
	ms_rt_opt.follow = (int)opt_int(&opts[3]);
	ms_rt_opt.zstd_level = (int)opt_int(&opts[4]);
	ms_rt_opt.post_exec = opt_int(&opts[5]) == (int64_t)getpid();
	ms_rt_snap_interval_ms = opt_int(&opts[6]);
	ms_rt_snap_at_peak = (int)opt_int(&opts[7]);
	ms_rt_opt.sample_rate = (uint64_t)opt_int(&opts[8]);
	ms_rt_opt.mmap = (int)opt_int(opt_named("MEMSCOPE_MMAP"));
	ms_rt_opt.libunwind = (int)opt_int(opt_named("MEMSCOPE_LIBUNWIND"));
	ms_rt_stop_signal = (int)opt_int(opt_named("MEMSCOPE_STOP_SIGNAL"));
}

void ms_rt_trace_path(char *path, pid_t pid)
{
	char *p, *end = path + PATH_MAX - 24;
	if (ms_rt_opt.output[0]) {
		p = ms_rt_stpcpy(path, ms_rt_opt.output, PATH_MAX - 24);
		if (ms_rt_opt.root_pid != pid) {
			*p++ = '.';
			p = ms_rt_fmt_u64(p, (uint64_t)pid);
		}
		*p = 0;
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	const char *base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	p = ms_rt_stpcpy(path, "memscope.", PATH_MAX);
	p = ms_rt_stpcpy(p, *base ? base : "prog", (size_t)(end - p));
	*p++ = '.';
	p = ms_rt_fmt_u64(p, (uint64_t)pid);
	ms_rt_stpcpy(p, ".mst", 5);
}

static char **env_find(const char *name)
{
	size_t n = strlen(name);
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return e;
	return NULL;
}

static void env_remove(char **slot)
{
	for (; *slot; slot++)
		slot[0] = slot[1];
}

/* Is this LD_PRELOAD entry us? Compared by file name. */
static int is_us(const char *s, size_t len)
{
	static const char me[] = "libmemscope.so";
	const char *b = s;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/')
			b = s + i + 1;
	return (size_t)(s + len - b) == sizeof me - 1 && !memcmp(b, me, sizeof me - 1);
}

static void unpreload(void)
{
	char **slot = env_find("LD_PRELOAD");
	if (!slot)
		return;
	const char *orig = ms_rt_getenv("MEMSCOPE_ORIG_LD_PRELOAD");
	if (orig) {
		if (!*orig) {
			env_remove(slot);
			return;
		}
		size_t n = strlen(orig);
		char *s = ms_rt_alloc(n + 12);
		if (s) {
			memcpy(s, "LD_PRELOAD=", 11);
			memcpy(s + 11, orig, n + 1);
			*slot = s;
		}
		return;
	}
	/* rewrite the value in place, dropping our entries */
	char *v = *slot + 11, *w = v;
	for (char *r = v; *r;) {
		while (*r == ':' || *r == ' ')
			r++;
		char *s = r;
		while (*r && *r != ':' && *r != ' ')
			r++;
		size_t len = (size_t)(r - s);
		if (!len || is_us(s, len))
			continue;
		if (w != v)
			*w++ = ':';
		memmove(w, s, len);
		w += len;
	}
	*w = 0;
	if (!*v)
		env_remove(slot);
}

void ms_rt_environ_fixup(void)
{
	char **slot = env_find("MEMSCOPE_POST_EXEC");
	if (slot)
		env_remove(slot);
	if (!ms_rt_opt.follow)
		unpreload();
	if (ms_rt_opt.output[0] && !ms_rt_opt.root_pid) {
		/* No `memscope run`: this process is the root. Tell the children,
		 * so they add their pid instead of overwriting our trace. */
		ms_rt_opt.root_pid = getpid();
		size_t n = 0;
		while (environ && environ[n])
			n++;
		char **e = ms_rt_alloc((n + 2) * sizeof *e + 48);
		if (!e)
			return;
		char *s = (char *)(e + n + 2);
		char *p = ms_rt_stpcpy(s, "MEMSCOPE_ROOT_PID=", 24);
		*ms_rt_fmt_u64(p, (uint64_t)ms_rt_opt.root_pid) = 0;
		if (n)
			memcpy(e, environ, n * sizeof *e);
		e[n] = s;
		e[n + 1] = NULL;
		environ = e;
	}
}

char **ms_rt_env_with_post_exec(char *const *env)
{
	size_t n = 0;
	while (env && env[n])
		n++;
	char **e = ms_rt_alloc((n + 2) * sizeof *e + 48);
	if (!e)
		return NULL;
	char *s = (char *)(e + n + 2);
	char *p = ms_rt_stpcpy(s, "MEMSCOPE_POST_EXEC=", 24);
	*ms_rt_fmt_u64(p, (uint64_t)getpid()) = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], "MEMSCOPE_POST_EXEC=", 19))
			e[k++] = env[i];
	e[k++] = s;
	e[k] = NULL;
	return e;
}

/* Under memscope: libmemscope.so is named in LD_PRELOAD (memscope run, or a
 * user's LD_PRELOAD), or MEMSCOPE_OUTPUT is set while MEMSCOPE_FOLLOW is not
 * 0 (so that --no-follow also leaves alone an exec'd program that links
 * -lmemscope). A program that links -lmemscope and runs plainly matches
 * neither: the runtime stays inert. Reads environ at init, before
 * ms_rt_environ_fixup edits it. */
int ms_rt_wanted(void)
{
	const char *pre = ms_rt_getenv("LD_PRELOAD");
	for (const char *r = pre; r && *r;) {
		while (*r == ':' || *r == ' ')
			r++;
		const char *s = r;
		while (*r && *r != ':' && *r != ' ')
			r++;
		if (r > s && is_us(s, (size_t)(r - s)))
			return 1;
	}
	const char *out = ms_rt_getenv("MEMSCOPE_OUTPUT"), *follow = ms_rt_getenv("MEMSCOPE_FOLLOW");
	return out && *out && !(follow && !strcmp(follow, "0"));
}
