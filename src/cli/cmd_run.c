/* `memscope run [OPTIONS] -- PROGRAM [ARGS...]`: starts PROGRAM with the
 * recording runtime preloaded, passes its exit status (or death by signal)
 * through, and summarizes the trace it wrote. The runtime does the recording;
 * this file only prepares the environment and waits. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/child.h"
#include "cli/cli.h"
#include "cli/run_checks.h"
#include "cli/run_follow.h"
#include "report/summary.h"
#include "trace/ctl.h"
#include "trace/read.h"
#include "trace/statspage.h"

const char cmd_run_usage[] =
	"usage: memscope run [OPTIONS] -- PROGRAM [ARGS...]\n"
	"\n"
	"Runs PROGRAM with memscope's runtime preloaded and records every heap\n"
	"allocation (malloc family, C++ new/delete) with its call stack into a\n"
	"trace file. PROGRAM's stdin, stdout, stderr and exit status are its own;\n"
	"memscope's messages go to stderr, prefixed 'memscope:'. At exit a summary\n"
	"is printed, with the trace's path and the command that explains it.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE  write the trace to FILE (default:\n"
	"                     memscope.PROGRAM.PID.mst in the current directory)\n"
	"  --depth N          record at most N frames per call stack (default 64,\n"
	"                     1 to 1024)\n"
	"  --no-follow        do not trace programs that PROGRAM executes\n"
	"                     (by default they are traced too)\n"
	"  --sample-rate SIZE sampling mode, for production: record on average one\n"
	"                     allocation per SIZE bytes allocated (e.g. 512K;\n"
	"                     Poisson sampling by bytes, as tcmalloc and jemalloc\n"
	"                     do). Bytes in reports are unbiased estimates (a\n"
	"                     sample of s bytes counts s / (1 - exp(-s/SIZE))),\n"
	"                     shown with their 95% interval ('+/-'; JSON: *_stderr);\n"
	"                     block and allocation counts are counts of samples;\n"
	"                     snapshots are not scanned, so no leak classes\n"
	"  --mmap             also record the program's anonymous mmap, munmap,\n"
	"                     mremap and brk/sbrk calls with their stacks, to\n"
	"                     explain memory the heap does not (report: 'mapped')\n"
	"  --snapshot-interval T\n"
	"                     take a snapshot every T (e.g. 500ms, 10s, 2m)\n"
	"  --snapshot-at-peak take a snapshot near each new heap peak (when the\n"
	"                     live heap falls 10% below a maximum of at least 1 MiB\n"
	"                     that is 10% above the previous peak snapshot)\n"
	"  -q, --quiet        do not print the summary at exit\n"
	"  -h, --help         show this help\n"
	"\n"
	"checks, for CI (see docs/run.md):\n"
	"  --leak-check KIND  at exit, count as failures the blocks left:\n"
	"                     definite (definitely lost), possible (definitely\n"
	"                     and possibly lost), all (definitely, indirectly and\n"
	"                     possibly lost); still reachable never fails\n"
	"  --suppressions FILE\n"
	"                     'leak:PATTERN' lines: leaks whose stack has a\n"
	"                     function, file or module matching PATTERN ('*',\n"
	"                     '?') are not failures (repeatable; docs/leaks.md)\n"
	"  --max-peak SIZE    fail when the heap peak exceeds SIZE (bytes, or with\n"
	"                     K or KiB, M or MiB, G or GiB: powers of 1024)\n"
	"  --error-exitcode N exit with N (0 to 255) when a check fails; without\n"
	"                     it (or with 0) failures are printed and PROGRAM's\n"
	"                     own status is kept, as with valgrind\n"
	"\n"
	"Child processes: a forked child writes its own trace, named by appending\n"
	"'.PID' to the trace's path; the blocks it inherited count as live in it.\n"
	"When a process calls exec, the new program writes the process's trace\n"
	"name and the trace of the image before the exec is kept with the suffix\n"
	"'.pre-exec'.\n"
	"\n"
	"PROGRAM must be dynamically linked: a statically linked program cannot\n"
	"load the runtime.\n"
	"\n"
	"example:\n"
	"  memscope run -o app.mst -- ./app --input data.txt\n"
	"  memscope report app.mst\n"
	"  memscope run --leak-check=definite --error-exitcode 3 -- ./unit-tests\n";

struct run_opts {
	const char *output;
	unsigned long long depth;
	bool follow;
	bool quiet;
	unsigned long long snap_interval_ms; /* 0: none */
	bool snap_at_peak;
	uint64_t sample_rate; /* 0: every allocation */
	bool mmap;
	char **argv; /* PROGRAM [ARGS...] */
	struct ms_run_checks checks;
};

/* "500ms", "10s", "2m", or a bare number of seconds; at least 10 ms.
 * Returns 0 or -1 after printing the error. */
static int parse_duration_ms(const char *val, unsigned long long *out)
{
	char *end;
	if (!val || !*val || *val == '-') {
		ms_cli_error("option '--snapshot-interval' needs a duration (e.g. 500ms, 10s, 2m)");
		return -1;
	}
	errno = 0;
	double v = strtod(val, &end);
	double mul = !*end || !strcmp(end, "s") ? 1000 : !strcmp(end, "ms") ? 1 : !strcmp(end, "m") ? 60000 : -1;
	if (errno || end == val || mul < 0 || v * mul < 10 || v * mul > 86400000.0) {
		ms_cli_error("invalid value '%s' for option '--snapshot-interval' (a duration from 10ms to 24h, "
		             "e.g. 500ms, 10s, 2m)", val);
		return -1;
	}
	*out = (unsigned long long)(v * mul);
	return 0;
}

static int parse_run_args(int argc, char **argv, struct run_opts *o)
{
	o->depth = 64;
	o->follow = true;
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cmd_run_usage, stdout);
			return 1;
		}
		int check = ms_run_checks_arg(&o->checks, argc, argv, &i);
		if (check < 0)
			return -1;
		if (check > 0)
			continue;
		if (!strcmp(a, "--no-follow")) {
			o->follow = false;
		} else if (!strcmp(a, "--mmap")) {
			o->mmap = true;
		} else if (!strcmp(a, "--snapshot-at-peak")) {
			o->snap_at_peak = true;
		} else if (!strcmp(a, "--snapshot-interval") || !strncmp(a, "--snapshot-interval=", 20)) {
			val = a[19] == '=' ? a + 20 : (i + 1 < argc ? argv[++i] : NULL);
			if (parse_duration_ms(val, &o->snap_interval_ms) < 0)
				return -1;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strncmp(a, "--output=", 9)) {
			val = a[2] == 'o' && a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!val || !*val) {
				ms_cli_error("option '%s' needs a file name", a);
				return -1;
			}
			o->output = val;
		} else if (!strcmp(a, "--sample-rate") || !strncmp(a, "--sample-rate=", 14)) {
			val = a[13] == '=' ? a + 14 : (i + 1 < argc ? argv[++i] : NULL);
			if (ms_run_parse_size(val, &o->sample_rate) < 0 || o->sample_rate == 0 ||
			    o->sample_rate > UINT32_MAX) {
				ms_cli_error("invalid value '%s' for option '--sample-rate' (a size from 1 byte to "
				             "4095 MiB, such as 512K)", val ? val : "");
				return -1;
			}
		} else if (!strcmp(a, "--depth") || !strncmp(a, "--depth=", 8)) {
			val = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
			if (ms_cli_parse_uint("--depth", val, 1024, &o->depth) < 0)
				return -1;
			if (o->depth == 0) {
				ms_cli_error("invalid value '0' for option '--depth' (a number from 1 to 1024)");
				return -1;
			}
		} else if (a[0] == '-') {
			ms_cli_error("unknown option '%s' for 'run' (see 'memscope help run')", a);
			return -1;
		} else {
			ms_cli_error("missing '--' before the program '%s' (usage: memscope run [OPTIONS] -- PROGRAM [ARGS...])", a);
			return -1;
		}
	}
	if (i >= argc) {
		ms_cli_error("missing '-- PROGRAM' (usage: memscope run [OPTIONS] -- PROGRAM [ARGS...])");
		return -1;
	}
	if (i + 1 >= argc) {
		ms_cli_error("missing the program after '--' (usage: memscope run [OPTIONS] -- PROGRAM [ARGS...])");
		return -1;
	}
	if (o->sample_rate && o->checks.leak_kind) {
		ms_cli_error("'--leak-check' needs every allocation: it cannot be combined with '--sample-rate'");
		return -1;
	}
	o->argv = argv + i + 1;
	return 0;
}

/* Finds PROGRAM as execvp would. Returns 0 with the path in out, or the exit
 * status a shell would give (127 not found, 126 not executable). */
static int resolve_program(const char *prog, char *out, size_t outlen)
{
	if (strchr(prog, '/')) {
		if (snprintf(out, outlen, "%s", prog) >= (int)outlen)
			return 127;
		struct stat st;
		if (stat(out, &st) < 0)
			return 127;
		if (S_ISDIR(st.st_mode) || access(out, X_OK) < 0)
			return 126;
		return 0;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	int found_nonexec = 0;
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int dlen = (int)(end - p);
		if (snprintf(out, outlen, "%.*s%s%s", dlen, p, dlen ? "/" : "", prog) < (int)outlen) {
			struct stat st;
			if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
				if (access(out, X_OK) == 0)
					return 0;
				found_nonexec = 1;
			}
		}
		if (!*end)
			break;
		p = end;
	}
	return found_nonexec ? 126 : 127;
}

/* 1 if path is an ELF executable without a program interpreter (statically
 * linked), 0 otherwise (dynamic ELF, script, or unreadable: let exec decide). */
static int is_static_elf(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	Elf64_Ehdr eh;
	int is_static = 0;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phnum < 4096) {
		is_static = 1;
		for (unsigned i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph)) {
				is_static = 0;
				break;
			}
			if (ph.p_type == PT_INTERP) {
				is_static = 0;
				break;
			}
		}
	}
	close(fd);
	return is_static;
}

/* The runtime library: next to the memscope binary (build tree), then at the
 * installed path relative to it, then at the configured install path. */
static int find_runtime(char *out, size_t outlen)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			const char *rel[] = {"/libmemscope.so", "/../lib/memscope/libmemscope.so",
			                     "/../lib64/memscope/libmemscope.so"};
			for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
				char cand[PATH_MAX + 64];
				snprintf(cand, sizeof(cand), "%s%s", exe, rel[i]);
				if (access(cand, R_OK) == 0 && realpath(cand, out) && strlen(out) < outlen)
					return 0;
			}
		}
	}
	if (access(MS_RUNTIME_INSTALLED, R_OK) == 0 && strlen(MS_RUNTIME_INSTALLED) < outlen) {
		strcpy(out, MS_RUNTIME_INSTALLED);
		return 0;
	}
	return -1;
}

/* Makes path absolute (the program may chdir) without requiring it to exist. */
static int absolute_path(const char *path, char *out, size_t outlen)
{
	if (path[0] == '/')
		return snprintf(out, outlen, "%s", path) < (int)outlen ? 0 : -1;
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return snprintf(out, outlen, "%s/%s", cwd, path) < (int)outlen ? 0 : -1;
}

/* Checks that the trace can be created where asked, before the program runs,
 * so that a bad path fails fast instead of after a long run. */
static int check_writable(const char *path)
{
	struct stat st;
	bool existed = stat(path, &st) == 0;
	if (existed && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	if (!existed)
		unlink(path);
	return 0;
}

static int check_dir_writable(const char *dir)
{
	if (access(dir, W_OK | X_OK) < 0)
		return -1;
	return 0;
}

static void set_env_or_die(const char *name, const char *value)
{
	if (setenv(name, value, 1) < 0) {
		fprintf(stderr, "memscope: cannot set %s: %s\n", name, strerror(errno));
		_exit(127);
	}
}

/* What the child needs to configure the runtime before its exec. */
struct child_env {
	const struct run_opts *o;
	const char *runtime;
	char trace[PATH_MAX]; /* filled in the child when the name needs its pid */
};

static void default_trace_name(const struct run_opts *o, pid_t pid, char *out, size_t outlen)
{
	const char *base = strrchr(o->argv[0], '/');
	char name[NAME_MAX + 64];
	snprintf(name, sizeof(name), "memscope.%.200s.%d.mst", base ? base + 1 : o->argv[0], (int)pid);
	if (absolute_path(name, out, outlen) < 0) {
		fprintf(stderr, "memscope: cannot write trace '%s': path too long\n", name);
		_exit(127);
	}
}

/* In the child, before the exec: the runtime's configuration, which
 * src/runtime/options.c reads. */
static void set_runtime_env(void *arg)
{
	struct child_env *c = arg;
	const struct run_opts *o = c->o;
	const char *runtime = c->runtime;
	if (!o->output)
		default_trace_name(o, getpid(), c->trace, sizeof(c->trace));
	const char *trace = c->trace;
	char buf[64];
	const char *user_preload = getenv("LD_PRELOAD");
	if (user_preload && *user_preload) {
		set_env_or_die("MEMSCOPE_ORIG_LD_PRELOAD", user_preload);
		size_t len = strlen(runtime) + strlen(user_preload) + 2;
		char *both = malloc(len);
		if (!both)
			_exit(127);
		snprintf(both, len, "%s:%s", runtime, user_preload);
		set_env_or_die("LD_PRELOAD", both);
	} else {
		unsetenv("MEMSCOPE_ORIG_LD_PRELOAD");
		set_env_or_die("LD_PRELOAD", runtime);
	}
	set_env_or_die("MEMSCOPE_OUTPUT", trace);
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	set_env_or_die("MEMSCOPE_ROOT_PID", buf);
	snprintf(buf, sizeof(buf), "%llu", o->depth);
	set_env_or_die("MEMSCOPE_DEPTH", buf);
	set_env_or_die("MEMSCOPE_FOLLOW", o->follow ? "1" : "0");
	snprintf(buf, sizeof(buf), "%llu", o->snap_interval_ms);
	set_env_or_die("MEMSCOPE_SNAPSHOT_INTERVAL_MS", buf);
	set_env_or_die("MEMSCOPE_SNAPSHOT_AT_PEAK", o->snap_at_peak ? "1" : "0");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)o->sample_rate);
	set_env_or_die("MEMSCOPE_SAMPLE_RATE", buf);
	set_env_or_die("MEMSCOPE_MMAP", o->mmap ? "1" : "0");
}

/* A program killed by a signal could not remove its stats page (the page
 * `memscope monitor` reads) nor its control socket; its pid is gone, so
 * both are stale, and a later process given the same pid would find them. */
static void remove_stale_files(pid_t pid, int status)
{
	if (!WIFSIGNALED(status))
		return;
	char name[MS_CTL_PATH_MAX];
	snprintf(name, sizeof(name), MS_STATSPAGE_NAME_FMT, (int)pid);
	shm_unlink(name);
	ms_ctl_path(name, geteuid(), pid);
	unlink(name);
}

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* Lists the other traces of the run: forked children (TRACE.PID) and
 * pre-exec images (TRACE.pre-exec). */
static void print_other_traces(const char *trace)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", trace);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return; /* trace paths are made absolute before the run */
	*slash = 0;
	const char *base = slash + 1;
	size_t blen = strlen(base);
	DIR *d = opendir(dir[0] ? dir : "/");
	if (!d)
		return;
	unsigned count = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, base, blen) || e->d_name[blen] != '.')
			continue;
		if (count++ == 0)
			fprintf(stderr, "memscope: traces of child processes and exec'd images:\n");
		fprintf(stderr, "memscope:   %s/%s\n", dir, e->d_name);
	}
	closedir(d);
}

static void print_summary(const struct run_opts *o, const char *trace, int status, const struct ms_model *done)
{
	if (WIFSIGNALED(status))
		fprintf(stderr, "memscope: '%s' was killed by signal %d (%s)\n", o->argv[0], WTERMSIG(status),
		        strsignal(WTERMSIG(status)));
	if (access(trace, F_OK) < 0) {
		char pre[PATH_MAX + 16];
		snprintf(pre, sizeof(pre), "%s.pre-exec", trace);
		if (access(pre, F_OK) == 0) {
			/* the image before the exec was recorded; the exec'd one could not
			 * load the runtime */
			ms_cli_error("the program exec'd one that could not be recorded (statically linked, or "
			             "set-user-ID); the trace before the exec is '%s'", pre);
			ms_report_run_summary(stderr, pre);
			return;
		}
		ms_cli_error("no trace was written to '%s' (did the program start? a set-user-ID program "
		             "ignores LD_PRELOAD)", trace);
		return;
	}
	if (done) {
		ms_report_run_summary_of(stderr, done, trace);
		print_other_traces(trace);
		return;
	}
	int rc = ms_report_run_summary(stderr, trace);
	if (rc < 0) {
		char msg[512];
		ms_trace_error_message(msg, sizeof(msg), trace, rc, NULL, 0);
		ms_cli_error("%s", msg);
	}
	print_other_traces(trace);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {0};
	int rc = parse_run_args(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;

	char prog[PATH_MAX];
	rc = resolve_program(o.argv[0], prog, sizeof(prog));
	if (rc == 127) {
		ms_cli_error("cannot run '%s': no such program", o.argv[0]);
		return 127;
	}
	if (rc == 126) {
		ms_cli_error("cannot run '%s': not an executable file (permission denied)", o.argv[0]);
		return 126;
	}
	if (is_static_elf(prog)) {
		ms_cli_error("cannot record '%s': it is statically linked, so the runtime cannot be preloaded "
		             "(build it dynamically linked)", o.argv[0]);
		return 1;
	}
	char runtime[PATH_MAX];
	if (find_runtime(runtime, sizeof(runtime)) < 0) {
		ms_cli_error("cannot find the runtime 'libmemscope.so' next to memscope or in '%s' "
		             "(reinstall memscope)", MS_RUNTIME_INSTALLED);
		return 1;
	}

	/* The default name needs the child's pid, so only the directory is
	 * checked now; an explicit -o is checked by creating it. */
	char trace[PATH_MAX];
	if (o.output) {
		if (absolute_path(o.output, trace, sizeof(trace)) < 0 || check_writable(trace) < 0) {
			ms_cli_error("cannot write trace '%s': %s", o.output, strerror(errno));
			return 1;
		}
	} else if (check_dir_writable(".") < 0) {
		ms_cli_error("cannot write a trace in the current directory: %s (use -o FILE)", strerror(errno));
		return 1;
	}

	struct child_env env = {.o = &o, .runtime = runtime};
	if (o.output)
		snprintf(env.trace, sizeof(env.trace), "%s", trace);
	int exit_code;
	pid_t pid = ms_cli_spawn(prog, o.argv, set_runtime_env, &env, &exit_code);
	if (pid < 0)
		return exit_code;
	child_pid = pid;
	if (!o.output)
		default_trace_name(&o, pid, trace, sizeof(trace));

	/* Like a shell waiting for a foreground job: the terminal's ^C and ^\
	 * go to the program, which decides; a kill aimed at memscope is passed
	 * on to the program. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	struct sigaction sa = {.sa_handler = forward_signal};
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);

	struct ms_run_follow follow;
	bool following = !o.quiet && ms_run_follow_start(&follow, trace, pid) == 0;

	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ms_cli_error("cannot wait for '%s': %s", o.argv[0], strerror(errno));
			return 1;
		}
	}
	child_pid = 0;
	remove_stale_files(pid, status);
	if (!o.quiet)
		print_summary(&o, trace, status, following ? ms_run_follow_finish(&follow) : NULL);
	if (following)
		ms_run_follow_release(&follow);
	bool failed = ms_run_checks_judge(&o.checks, trace);
	ms_run_checks_release(&o.checks);
	/* As valgrind's --error-exitcode: only a given N replaces the status,
	 * and a death by signal is passed on as it is. */
	if (failed && o.checks.error_exitcode && !WIFSIGNALED(status))
		return (int)o.checks.error_exitcode;
	return ms_cli_exit_like(status);
}
