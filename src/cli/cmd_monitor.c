/* `memscope monitor`: samples the memory counters of running processes (or
 * of a program it starts) at a fixed interval, shows them live, logs every
 * sample, and ends with a growth verdict per counter. Sampling is src/proc's
 * (watch.c), verdicts trend.c's, the chart plot_svg.c's; this file only runs
 * the clock, the processes and the files. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/child.h"
#include "cli/cli.h"
#include "cli/mon_common.h"
#include "cli/mon_view.h"
#include "proc/proclist.h"
#include "report/plot_svg.h"
#include "report/trend_text.h"

const char cmd_monitor_usage[] =
	"usage: memscope monitor [OPTIONS] -p PID[,PID...]\n"
	"       memscope monitor [OPTIONS] --name NAME\n"
	"       memscope monitor [OPTIONS] -- PROGRAM [ARGS...]\n"
	"\n"
	"Samples the memory of running processes, or of PROGRAM which it starts,\n"
	"until they exit, --duration passes, or you quit. Any process can be\n"
	"watched, traced by memscope or not, without stopping it: your own, or any\n"
	"as root. Counters per process: RSS (anon, file, shmem), PSS, private bytes,\n"
	"virtual size, swap, heap ([heap] plus private writable anonymous mappings),\n"
	"page faults per second, threads; and when the process runs under\n"
	"'memscope run', the runtime's live heap bytes and blocks, allocations and\n"
	"frees per second.\n"
	"\n"
	"On a terminal a table is redrawn in place with each counter's change since\n"
	"the start, its rate over the last 5 s, its trend and verdict (keys: q quit,\n"
	"p pause the display, r resume). Otherwise one timestamped line per process\n"
	"and sample. At the end, each counter's slope (Theil-Sen, per minute), 95%\n"
	"interval, R2 and verdict: growing (likely leak), shrinking, stable, noisy\n"
	"or too short to tell (docs/monitor.md has the thresholds).\n"
	"\n"
	"options:\n"
	"  -p, --pid PID[,PID...]  watch these processes\n"
	"  --name NAME             watch every process named NAME (short name, or the\n"
	"                          last component of its first argument) at the start\n"
	"  -i, --interval TIME     time between samples (default 1s; from 10ms to 1h;\n"
	"                          units ms, s, m, h; a bare number is seconds)\n"
	"  -d, --duration TIME     stop after TIME (default: when the processes exit)\n"
	"  --csv FILE              log every sample to FILE as CSV (for 'memscope\n"
	"                          trend' and 'memscope plot')\n"
	"  --jsonl FILE            log every sample to FILE as JSON Lines\n"
	"  --svg FILE              draw the counters to FILE as an SVG chart at the end\n"
	"  -q, --quiet             no live display, only the verdicts at the end\n"
	"  -h, --help              show this help\n"
	"\n"
	"Logs are flushed at every sample: if memscope or a process dies, every\n"
	"sample taken so far is in the file. With several processes, each gets its\n"
	"own log and chart, named by inserting '.PID' before the file's extension\n"
	"(app.csv: app.1234.csv); a process that exits is reported, its files are\n"
	"closed, and the others go on.\n"
	"\n"
	"With '-- PROGRAM', the program's stdin, stdout and stderr are its own and\n"
	"memscope exits with its status; memscope's display and verdicts go to\n"
	"stderr, as plain lines. When --duration passes first, the program is sent\n"
	"SIGTERM (as timeout(1) does). ^C goes to the program.\n"
	"\n"
	"examples:\n"
	"  memscope monitor -p 1234 --csv app.csv --duration 10m\n"
	"  memscope monitor --name nginx -i 5s\n"
	"  memscope monitor -i 100ms --csv run.csv --svg run.svg -- ./app --serve\n"
	"  memscope trend app.csv; memscope plot app.csv -o app.svg\n";

#define MAX_TARGETS 256

struct mon_opts {
	pid_t pids[MAX_TARGETS];
	size_t npids;
	const char *name;
	char **argv; /* PROGRAM [ARGS...] */
	double interval, duration; /* duration 0: none */
	const char *csv, *jsonl, *svg;
	bool quiet;
};

static int parse_pids(const char *val, struct mon_opts *o)
{
	const char *p = val;
	while (p && *p) {
		char *end;
		errno = 0;
		long v = strtol(p, &end, 10);
		if (errno || end == p || v <= 0 || v > 4194304 || (*end && *end != ',')) {
			ms_cli_error("invalid process id list '%s' for option '--pid' (e.g. '1234' or '1234,5678')", val);
			return -1;
		}
		if (o->npids == MAX_TARGETS) {
			ms_cli_error("too many processes for '--pid' (at most %d)", MAX_TARGETS);
			return -1;
		}
		o->pids[o->npids++] = (pid_t)v;
		p = *end ? end + 1 : end;
	}
	if (o->npids == 0) {
		ms_cli_error("option '--pid' needs a process id");
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct mon_opts *o)
{
	o->interval = 1;
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			break;
		const char *eq = a[0] == '-' && a[1] == '-' ? strchr(a, '=') : NULL;
		char opt[32];
		snprintf(opt, sizeof(opt), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
		const char *val = eq ? eq + 1 : NULL;
#define VALUE() (val ? val : i + 1 < argc ? argv[++i] : NULL)
		if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			fputs(cmd_monitor_usage, stdout);
			return 1;
		} else if (!strcmp(opt, "-q") || !strcmp(opt, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(opt, "-p") || !strcmp(opt, "--pid")) {
			if (parse_pids(VALUE(), o) < 0)
				return -1;
		} else if (!strcmp(opt, "--name")) {
			o->name = VALUE();
			if (!o->name || !*o->name) {
				ms_cli_error("option '--name' needs a process name");
				return -1;
			}
		} else if (!strcmp(opt, "-i") || !strcmp(opt, "--interval")) {
			if (ms_mon_parse_duration("--interval", VALUE(), 0.010, 3600, &o->interval) < 0)
				return -1;
		} else if (!strcmp(opt, "-d") || !strcmp(opt, "--duration")) {
			if (ms_mon_parse_duration("--duration", VALUE(), 0.001, 30 * 86400.0, &o->duration) < 0)
				return -1;
		} else if (!strcmp(opt, "--csv") || !strcmp(opt, "--jsonl") || !strcmp(opt, "--svg")) {
			const char *f = VALUE();
			if (!f || !*f) {
				ms_cli_error("option '%s' needs a file name", opt);
				return -1;
			}
			*(opt[2] == 'c' ? &o->csv : opt[2] == 'j' ? &o->jsonl : &o->svg) = f;
		} else if (a[0] == '-') {
			ms_cli_error("unknown option '%s' for 'monitor' (see 'memscope help monitor')", a);
			return -1;
		} else {
			ms_cli_error("unexpected '%s' (to start a program: memscope monitor [OPTIONS] -- PROGRAM)", a);
			return -1;
		}
#undef VALUE
	}
	if (i < argc) {
		if (i + 1 >= argc) {
			ms_cli_error("missing the program after '--' (usage: memscope monitor [OPTIONS] -- PROGRAM [ARGS...])");
			return -1;
		}
		o->argv = argv + i + 1;
	}
	int ways = (o->npids > 0) + (o->name != NULL) + (o->argv != NULL);
	if (ways != 1) {
		ms_cli_error(ways ? "choose one of -p PID, --name NAME and -- PROGRAM"
		                  : "nothing to monitor: give -p PID, --name NAME or -- PROGRAM (see 'memscope help monitor')");
		return -1;
	}
	return 0;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double unix_ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1000 + (double)(ts.tv_nsec / 1000000);
}

/* Signals reach the loop through a pipe, so that poll wakes up at once. */
static int sigpipe_fds[2] = {-1, -1};
static volatile sig_atomic_t got_stop, got_child;
static volatile sig_atomic_t child_pid;

static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGCHLD)
		got_child = 1;
	else if (child_pid > 0)
		kill(child_pid, sig); /* the program decides, as under a shell */
	else
		got_stop = 1;
	char c = 0;
	if (write(sigpipe_fds[1], &c, 1) < 0) {
		/* full pipe: the loop is awake anyway */
	}
	errno = saved;
}

static void install_signals(bool child)
{
	if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
		sigpipe_fds[0] = sigpipe_fds[1] = -1;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	if (child) {
		/* The terminal's ^C and ^\ reach the program too: it decides. */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
	} else {
		sigaction(SIGINT, &sa, NULL);
	}
}

/* "dir/app.csv" + 1234 -> "dir/app.1234.csv"; without several targets the
 * name is kept. */
static int log_name(char *out, size_t cap, const char *path, pid_t pid, bool several)
{
	if (!several)
		return snprintf(out, cap, "%s", path) < (int)cap ? 0 : -1;
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : path))
		dot = path + strlen(path);
	return snprintf(out, cap, "%.*s.%d%s", (int)(dot - path), path, (int)pid, dot) < (int)cap ? 0 : -1;
}

static int open_logs(struct ms_mon_target *t, const struct mon_opts *o, bool several)
{
	const char *which[3] = {o->csv, o->jsonl, o->svg};
	char *paths[3] = {t->csv_path, t->jsonl_path, t->svg_path};
	for (int k = 0; k < 3; k++) {
		paths[k][0] = 0;
		if (which[k] && log_name(paths[k], PATH_MAX, which[k], t->w.pid, several) < 0) {
			ms_cli_error("file name too long: '%s'", which[k]);
			return -1;
		}
	}
	int rc = 0;
	if (o->csv && (rc = ms_samplelog_open(&t->csv, t->csv_path, MS_LOG_CSV)) < 0) {
		ms_cli_error("cannot write log '%s': %s", t->csv_path, strerror(-rc));
		return -1;
	}
	if (o->jsonl && (rc = ms_samplelog_open(&t->jsonl, t->jsonl_path, MS_LOG_JSONL)) < 0) {
		ms_cli_error("cannot write log '%s': %s", t->jsonl_path, strerror(-rc));
		return -1;
	}
	if (o->svg) {
		/* Checked now so that a bad path fails before a long run, not after. */
		FILE *f = fopen(t->svg_path, "we");
		if (!f) {
			ms_cli_error("cannot write chart '%s': %s", t->svg_path, strerror(errno));
			return -1;
		}
		fclose(f);
	}
	return 0;
}

/* Checks pid and starts watching it; t's files are left alone. Returns 0,
 * or -1 with a message. With ended (pid is the program memscope started):
 * returns 1, silently, with its wait status in *ended when it has already
 * ended, as a program that fails at once does before its first sample. */
static int start_target(struct ms_mon_target *t, pid_t pid, int *ended)
{
	int rc = ms_watch_start(&t->w, pid);
	if (rc == 0) {
		ms_series_init(&t->s, pid, t->w.comm, 0);
		t->active = true;
		return 0;
	}
	/* no /proc entry, a zombie's, or no memory left (mid-exit; the child
	 * memscope started is never a kernel thread): it is going, so the wait
	 * returns at once */
	if (ended && (rc == -ENOENT || rc == -EINVAL) && waitpid(pid, ended, 0) == pid)
		return 1;
	char comm[16] = "?";
	ms_proc_read_comm(pid, comm);
	if (rc == -ENOENT)
		ms_cli_error("no process with pid %d (see 'memscope ps')", (int)pid);
	else if (rc == -EACCES)
		ms_cli_error("cannot monitor pid %d ('%s'): permission denied (run as its user or as root)", (int)pid,
		             comm);
	else if (rc == -EINVAL)
		ms_cli_error("pid %d ('%s') is a kernel thread: it has no user memory to monitor", (int)pid, comm);
	else
		ms_cli_error("cannot monitor pid %d ('%s'): %s", (int)pid, comm, strerror(-rc));
	return -1;
}

/* Writes one row to a log; the first failure is reported, later ones are
 * silent, and sampling goes on (the other log and the verdicts still work). */
static void log_row(struct ms_samplelog *l, const char *path, struct ms_mon_target *t, const struct ms_sample *row)
{
	if (!l->f)
		return;
	int had = l->err;
	ms_samplelog_write(l, &t->s, row);
	if (!had && l->err)
		ms_cli_error("cannot write log '%s': %s (the samples before are in it; sampling goes on)", path,
		             strerror(-l->err));
}

/* Default chart: the counters a leak shows in, plus the runtime's live heap. */
static void write_svg(struct ms_mon_target *t, const struct mon_opts *o, FILE *msg)
{
	if (!t->svg_path[0] || t->s.n == 0)
		return;
	enum ms_col cols[4] = {MS_COL_RSS, MS_COL_PRIVATE, MS_COL_HEAP, MS_COL_LIVE_BYTES};
	size_t ncols = ms_series_has(&t->s, MS_COL_LIVE_BYTES) ? 4 : 3;
	FILE *f = fopen(t->svg_path, "we");
	char sub[96];
	if (o->interval < 1)
		snprintf(sub, sizeof(sub), "memscope monitor, a sample every %g ms", o->interval * 1000);
	else
		snprintf(sub, sizeof(sub), "memscope monitor, a sample every %g s", o->interval);
	int rc = f ? ms_plot_series(f, &t->s, cols, ncols, sub) : -errno;
	if (f && fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc < 0)
		ms_cli_error("cannot write chart '%s': %s", t->svg_path, strerror(-rc));
	else
		fprintf(msg, "memscope: chart of pid %d written to '%s'\n", (int)t->w.pid, t->svg_path);
}

/* Ends a target: final verdicts, logs closed (an exit event first in the
 * JSONL log when the process ended), chart drawn. Returns -1 when a log
 * could not be written completely. */
static int finish_target(struct ms_mon_target *t, const struct mon_opts *o, FILE *out, double now_t, bool ended)
{
	t->active = false;
	if (ended && t->jsonl.f)
		ms_samplelog_exit(&t->jsonl, &t->s, now_t, t->how);
	struct ms_trend fits[MS_COL__COUNT];
	bool has[MS_COL__COUNT];
	if (ms_trend_fit_series(&t->s, fits, has) == 0)
		ms_trend_print_text(out, &t->s, fits, has, t->how[0] ? t->how : NULL);
	fflush(out);
	int had = t->csv.err || t->jsonl.err;
	int e1 = ms_samplelog_close(&t->csv), e2 = ms_samplelog_close(&t->jsonl);
	if ((e1 < 0 || e2 < 0) && !had)
		ms_cli_error("cannot write log '%s': %s", e1 < 0 ? t->csv_path : t->jsonl_path,
		             strerror(-(e1 < 0 ? e1 : e2)));
	write_svg(t, o, out == stdout ? stderr : out);
	ms_watch_release(&t->w);
	return e1 < 0 || e2 < 0 ? -1 : 0;
}

static void describe_status(char *buf, size_t cap, int status)
{
	if (WIFEXITED(status))
		snprintf(buf, cap, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, cap, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, cap, "ended");
}

/* In the started program: the terminal's ^C and ^\ are its own again. */
static void reset_child_signals(void *arg)
{
	(void)arg;
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
}

static struct termios saved_tty;
static bool tty_raw;

static void tty_enter(void)
{
	struct termios t;
	if (tcgetattr(STDIN_FILENO, &saved_tty) < 0)
		return;
	t = saved_tty;
	t.c_lflag &= ~(ICANON | ECHO); /* keys without Enter; ^C still works */
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		tty_raw = true;
}

static void tty_leave(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_raw = false;
}

/* Finds the targets of --name, leaving out memscope itself. */
static int find_by_name(struct mon_opts *o)
{
	struct ms_proc_list l;
	int rc = ms_proc_list_read(&l);
	if (rc < 0) {
		ms_cli_error("cannot list processes in /proc: %s", strerror(-rc));
		return -1;
	}
	for (size_t i = 0; i < l.n && o->npids < MAX_TARGETS; i++)
		if (l.v[i].pid != getpid() && ms_proc_name_matches(l.v[i].pid, l.v[i].comm, o->name))
			o->pids[o->npids++] = l.v[i].pid;
	ms_proc_list_release(&l);
	if (o->npids == 0) {
		ms_cli_error("no process named '%s' (see 'memscope ps')", o->name);
		return -1;
	}
	return 0;
}

struct loop {
	struct mon_opts *o;
	struct ms_mon_target *t;
	size_t n;
	struct ms_mon_view view;
	pid_t child;
	int child_status;
	bool child_reaped;
	double start;
	int rc;
};

/* Reads the keys typed since the last look. Returns true on 'q'. */
static bool read_keys(struct loop *L)
{
	char buf[16];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == 'q' || buf[i] == 'Q')
			return true;
		if (buf[i] == 'p' || buf[i] == 'P')
			L->view.paused = true;
		if (buf[i] == 'r' || buf[i] == 'R')
			L->view.paused = false;
	}
	if (n > 0 && L->view.live)
		ms_mon_view_table(&L->view, L->t, L->n);
	return false;
}

static void reap_child(struct loop *L)
{
	if (L->child > 0 && !L->child_reaped && waitpid(L->child, &L->child_status, WNOHANG) == L->child) {
		L->child_reaped = true;
		child_pid = 0;
	}
}

/* Takes one sample of every active target. */
static void tick(struct loop *L, double t, double *last_fit)
{
	double ums = unix_ms_now();
	bool refit = t - *last_fit >= fmax(1.0, L->o->interval) || t == 0;
	if (refit)
		*last_fit = t;
	for (size_t i = 0; i < L->n; i++) {
		struct ms_mon_target *x = &L->t[i];
		if (!x->active)
			continue;
		struct ms_sample row;
		if (ms_watch_sample(&x->w, t, ums, &row) < 0) {
			/* Gone. Our own child is reaped here for its status. */
			if (L->child > 0 && x->w.pid == L->child) {
				if (!L->child_reaped && waitpid(L->child, &L->child_status, 0) == L->child) {
					L->child_reaped = true;
					child_pid = 0;
				}
				describe_status(x->how, sizeof(x->how), L->child_status);
			} else {
				snprintf(x->how, sizeof(x->how), "exited");
			}
			if (L->view.live)
				ms_mon_view_end(&L->view);
			fprintf(L->view.out, "memscope: pid %d (%s) %s after %.1f s\n", (int)x->w.pid, x->w.comm, x->how, t);
			if (finish_target(x, L->o, L->view.out, t, true) < 0)
				L->rc = 1;
			if (L->view.live)
				ms_mon_view_begin(&L->view);
			continue;
		}
		x->last = row;
		if (ms_series_append(&x->s, &row) < 0) {
			ms_cli_error("out of memory keeping the samples of pid %d", (int)x->w.pid);
			L->rc = 1;
		}
		log_row(&x->csv, x->csv_path, x, &row);
		log_row(&x->jsonl, x->jsonl_path, x, &row);
		if (refit && ms_trend_fit_series(&x->s, x->fits, x->has_fit) < 0)
			memset(x->has_fit, 0, sizeof(x->has_fit));
		if (!L->view.live && !L->o->quiet)
			ms_mon_view_line(&L->view, x);
	}
	L->view.elapsed = t;
	if (L->view.live && !L->view.paused)
		ms_mon_view_table(&L->view, L->t, L->n);
}

static bool any_active(const struct loop *L)
{
	for (size_t i = 0; i < L->n; i++)
		if (L->t[i].active)
			return true;
	return false;
}

static void run_loop(struct loop *L)
{
	double last_fit = -1e9;
	for (unsigned long k = 0;; k++) {
		double t = mono_now() - L->start;
		if (L->o->duration > 0 && t >= L->o->duration)
			break;
		tick(L, t, &last_fit);
		if (!any_active(L))
			break;
		/* Absolute deadlines: sampling does not drift; a late tick skips
		 * the slots it missed instead of bunching up. */
		double next = (double)(k + 1) * L->o->interval;
		double now = mono_now() - L->start;
		if (next < now) {
			k = (unsigned long)floor(now / L->o->interval);
			next = (double)(k + 1) * L->o->interval;
		}
		if (L->o->duration > 0 && next > L->o->duration)
			next = L->o->duration;
		for (;;) {
			now = mono_now() - L->start;
			if (now >= next || got_stop)
				break;
			struct pollfd p[2] = {{.fd = sigpipe_fds[0], .events = POLLIN},
			                      {.fd = L->view.keys ? STDIN_FILENO : -1, .events = POLLIN}};
			int ms = (int)ceil((next - now) * 1000);
			if (poll(p, 2, ms) > 0) {
				char drain[64];
				if (p[0].revents & POLLIN)
					while (read(sigpipe_fds[0], drain, sizeof(drain)) > 0)
						;
				if ((p[1].revents & POLLIN) && read_keys(L))
					got_stop = 1;
			}
			if (got_child) {
				got_child = 0;
				reap_child(L);
				if (L->child_reaped)
					break; /* sample now: it notices the exit */
			}
		}
		if (got_stop)
			break;
	}
}

int cmd_monitor(int argc, char **argv)
{
	struct mon_opts o = {0};
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (o.name && find_by_name(&o) < 0)
		return 1;
	struct loop L = {.o = &o, .child = -1};
	L.view.interval = o.interval;
	bool child = o.argv != NULL;
	/* A program's stdout is its own: with one, memscope writes to stderr. */
	L.view.out = child ? stderr : stdout;
	L.view.live = !o.quiet && !child && isatty(fileno(L.view.out));
	L.view.keys = L.view.live && isatty(STDIN_FILENO);
	size_t nt = child ? 1 : o.npids;
	L.t = calloc(nt, sizeof(*L.t));
	if (!L.t) {
		ms_cli_error("out of memory");
		return 1;
	}
	int exit_code = 1;
	install_signals(child);
	if (!child) {
		/* Every pid is checked before any file is created. */
		for (size_t i = 0; i < nt; i++, L.n++)
			if (start_target(&L.t[i], o.pids[i], NULL) < 0)
				goto fail;
		for (size_t i = 0; i < nt; i++)
			if (open_logs(&L.t[i], &o, nt > 1) < 0)
				goto fail;
	} else {
		/* Files first: a bad path must fail before the program runs. */
		L.n = 1;
		if (open_logs(&L.t[0], &o, false) < 0)
			goto fail;
		L.child = ms_cli_spawn(NULL, o.argv, reset_child_signals, NULL, &exit_code);
		if (L.child < 0)
			goto fail;
		child_pid = L.child;
		int early;
		int rc = start_target(&L.t[0], L.child, &early);
		if (rc > 0) {
			char how[96];
			describe_status(how, sizeof(how), early);
			ms_cli_error("'%s' %s before its first sample", o.argv[0], how);
			exit_code = ms_cli_exit_like(early);
			goto fail;
		}
		if (rc < 0) {
			kill(L.child, SIGTERM);
			waitpid(L.child, NULL, 0);
			goto fail;
		}
	}
	for (size_t i = 0; i < L.n && !o.quiet && !L.view.live; i++)
		fprintf(L.view.out, "memscope: monitoring pid %d (%s), %s, every %g s\n", (int)L.t[i].w.pid,
		        L.t[i].w.comm, L.t[i].w.has_stats ? "under memscope" : "not under memscope", o.interval);
	if (L.view.keys)
		tty_enter();
	ms_mon_view_begin(&L.view);
	L.start = mono_now();
	run_loop(&L);
	ms_mon_view_end(&L.view);
	tty_leave();

	double end_t = mono_now() - L.start;
	if (child && !L.child_reaped) {
		/* --duration ended the watch while the program runs: end it as
		 * timeout(1) does, and report how it ended. */
		reap_child(&L);
		if (!L.child_reaped) {
			kill(L.child, SIGTERM);
			while (waitpid(L.child, &L.child_status, 0) < 0 && errno == EINTR)
				;
			L.child_reaped = true;
			child_pid = 0;
		}
	}
	for (size_t i = 0; i < L.n; i++) {
		struct ms_mon_target *x = &L.t[i];
		if (!x->active)
			continue;
		if (child)
			describe_status(x->how, sizeof(x->how), L.child_status);
		else
			snprintf(x->how, sizeof(x->how), "still running when monitoring stopped");
		if (finish_target(x, &o, L.view.out, end_t, child) < 0)
			L.rc = 1;
	}
	for (size_t i = 0; i < L.n; i++)
		ms_series_release(&L.t[i].s);
	free(L.t);
	if (child && !(L.rc && WIFEXITED(L.child_status) && WEXITSTATUS(L.child_status) == 0))
		return ms_cli_exit_like(L.child_status);
	return L.rc;

fail:
	/* Logs already created stay: nothing is ever deleted. */
	for (size_t i = 0; i < L.n; i++) {
		ms_samplelog_close(&L.t[i].csv);
		ms_samplelog_close(&L.t[i].jsonl);
		ms_watch_release(&L.t[i].w);
		ms_series_release(&L.t[i].s);
	}
	free(L.t);
	return exit_code;
}
