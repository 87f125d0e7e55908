/* `memscope export TRACE --format F [-o FILE]`: replays a trace and writes
 * it for another tool (pprof, massif, DHAT, folded stacks) or as the full
 * model in JSON. Parsing and files only; the formats live in
 * src/report/export*.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/model.h"
#include "analysis/symbolize.h"
#include "cli/cli.h"
#include "report/export.h"
#include "trace/read.h"

const char cmd_export_usage[] =
	"usage: memscope export [OPTIONS] --format FORMAT [-o FILE] TRACE\n"
	"\n"
	"Writes a trace recorded by 'memscope run' in the format of another tool,\n"
	"with every call stack symbolized (function, file:line, inlined frames).\n"
	"\n"
	"formats:\n"
	"  pprof       gzipped profile.proto for 'go tool pprof' and other pprof\n"
	"              viewers: sample types alloc_objects, alloc_space,\n"
	"              inuse_objects, inuse_space (inuse: see --at); binary, so it\n"
	"              needs -o FILE or a redirected stdout\n"
	"  massif      valgrind's massif.out for ms_print and massif-visualizer:\n"
	"              the heap at evenly spaced times (see --snapshots), the peak\n"
	"              and the end with their trees of call stacks\n"
	"  dhat        valgrind's DHAT JSON for dh_view.html: per call stack, bytes\n"
	"              and blocks in total, at its own maximum, at the heap peak\n"
	"              (t-gmax) and at the end, and block lifetimes (no access\n"
	"              counts)\n"
	"  collapsed   folded stacks for flamegraph.pl, inferno and speedscope: one\n"
	"              line 'outermost;...;innermost COUNT' per call stack\n"
	"  json        the whole model: the summary, threads, modules, every stack\n"
	"              with its frames and figures, the heap over time\n"
	"\n"
	"options:\n"
	"  -f, --format FORMAT  pprof, massif, dhat, collapsed or json (required)\n"
	"  -o, --output FILE    write to FILE (default: stdout; '-' is stdout too);\n"
	"                       FILE is replaced only once the export is complete\n"
	"  --at WHEN            pprof: inuse_* are the blocks live at 'end' (at exit,\n"
	"                       the default) or at 'peak' (at the global heap peak)\n"
	"  --metric METRIC      collapsed: the count of each line: bytes (bytes\n"
	"                       allocated, the default), allocations (calls), peak\n"
	"                       (bytes live at the heap peak), leaked (bytes live at\n"
	"                       exit), temporary (blocks freed before their thread\n"
	"                       allocated again), mapped (bytes mapped at exit, run\n"
	"                       --mmap)\n"
	"  --with-lines         collapsed: frames as 'function (file:line)' instead\n"
	"                       of 'function'\n"
	"  --snapshots N        massif, json: points of the heap over time, evenly\n"
	"                       spaced from start to end (default 50, at most 10000),\n"
	"                       plus the start and the peak\n"
	"  --threshold PCT      massif: tree nodes under PCT percent of a snapshot's\n"
	"                       heap are summed into one 'in N places' line\n"
	"                       (default 1, as massif)\n"
	"  -h, --help           show this help\n"
	"\n"
	"A trace without allocations gives a valid, empty export (exit status 0)\n"
	"and a note on stderr. A truncated trace (the program was killed) is\n"
	"exported up to its last complete frame, with a warning.\n"
	"\n"
	"examples:\n"
	"  memscope export --format pprof -o app.pb.gz app.mst\n"
	"  go tool pprof -top -sample_index=alloc_space app.pb.gz\n"
	"  memscope export --format massif -o massif.out.app app.mst && ms_print massif.out.app\n"
	"  memscope export --format dhat -o dhat.json app.mst   # open in dh_view.html\n"
	"  memscope export --format collapsed --metric peak app.mst | flamegraph.pl > peak.svg\n"
	"  memscope export --format json app.mst > app.json\n";

struct export_args {
	const char *trace, *output;
	bool have_format, have_at, have_metric, have_snapshots, have_threshold;
	enum ms_export_format format;
	struct ms_export_opts o;
};

/* Takes the value of --opt VALUE, --opt=VALUE or -x VALUE; NULL if absent. */
static const char *opt_value(int argc, char **argv, int *i)
{
	const char *eq = argv[*i][1] == '-' ? strchr(argv[*i], '=') : NULL;
	if (eq)
		return eq + 1;
	if (*i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static bool is_opt(const char *arg, const char *opt)
{
	size_t n = strlen(opt);
	return !strncmp(arg, opt, n) && (arg[n] == 0 || (arg[n] == '=' && opt[1] == '-'));
}

/* Parses argv into a; returns 0, 1 after --help, or 2 (message printed). */
static int parse(int argc, char **argv, struct export_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *v;
		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			fputs(cmd_export_usage, stdout);
			return 1;
		} else if (is_opt(s, "--format") || is_opt(s, "-f")) {
			v = opt_value(argc, argv, &i);
			if (!v || ms_export_format_parse(v, &a->format)) {
				ms_cli_error("unknown export format '%s' (pprof, massif, dhat, collapsed or json)", v ? v : "");
				return 2;
			}
			a->have_format = true;
		} else if (is_opt(s, "--output") || is_opt(s, "-o")) {
			if (!(v = opt_value(argc, argv, &i)) || !*v) {
				ms_cli_error("option '%s' needs a file name ('-' for stdout)", s);
				return 2;
			}
			a->output = v;
		} else if (is_opt(s, "--at")) {
			v = opt_value(argc, argv, &i);
			if (!v || ms_export_at_parse(v, &a->o.at)) {
				ms_cli_error("invalid value '%s' for option '--at' (end or peak)", v ? v : "");
				return 2;
			}
			a->have_at = true;
		} else if (is_opt(s, "--metric")) {
			v = opt_value(argc, argv, &i);
			if (!v || ms_metric_parse(v, &a->o.metric)) {
				ms_cli_error("unknown metric '%s' for option '--metric' (bytes, allocations, peak, leaked, "
				             "temporary or mapped)", v ? v : "");
				return 2;
			}
			a->have_metric = true;
		} else if (!strcmp(s, "--with-lines")) {
			a->o.with_lines = true;
		} else if (is_opt(s, "--snapshots")) {
			unsigned long long n;
			if (ms_cli_parse_uint("--snapshots", opt_value(argc, argv, &i), MS_EXPORT_MAX_SNAPSHOTS, &n))
				return 2;
			if (n == 0) {
				ms_cli_error("invalid value '0' for option '--snapshots' (a number from 1 to %d)",
				             MS_EXPORT_MAX_SNAPSHOTS);
				return 2;
			}
			a->o.snapshots = (size_t)n;
			a->have_snapshots = true;
		} else if (is_opt(s, "--threshold")) {
			v = opt_value(argc, argv, &i);
			char *end = NULL;
			double d = v ? strtod(v, &end) : -1;
			if (!v || !*v || *end || !(d >= 0 && d <= 100)) {
				ms_cli_error("invalid value '%s' for option '--threshold' (a percentage from 0 to 100)",
				             v ? v : "");
				return 2;
			}
			a->o.threshold_pct = d;
			a->have_threshold = true;
		} else if (s[0] == '-' && s[1]) {
			ms_cli_error("unknown option '%s' for 'export' (see 'memscope export --help')", s);
			return 2;
		} else if (a->trace) {
			ms_cli_error("more than one trace given ('%s' and '%s'); export reads one trace", a->trace, s);
			return 2;
		} else {
			a->trace = s;
		}
	}
	if (!a->trace) {
		ms_cli_error("missing the trace file (usage: memscope export --format FORMAT [-o FILE] TRACE)");
		return 2;
	}
	if (!a->have_format) {
		ms_cli_error("missing --format (pprof, massif, dhat, collapsed or json)");
		return 2;
	}
	/* an option that the chosen format ignores is a mistake worth telling */
	const struct {
		bool given;
		const char *name, *formats;
		bool ok;
	} scoped[] = {
		{a->have_at, "--at", "pprof", a->format == MS_EXPORT_PPROF},
		{a->have_metric, "--metric", "collapsed", a->format == MS_EXPORT_COLLAPSED},
		{a->o.with_lines, "--with-lines", "collapsed", a->format == MS_EXPORT_COLLAPSED},
		{a->have_snapshots, "--snapshots", "massif and json",
		 a->format == MS_EXPORT_MASSIF || a->format == MS_EXPORT_JSON},
		{a->have_threshold, "--threshold", "massif", a->format == MS_EXPORT_MASSIF},
	};
	for (size_t k = 0; k < sizeof(scoped) / sizeof(scoped[0]); k++)
		if (scoped[k].given && !scoped[k].ok) {
			ms_cli_error("option '%s' applies to --format %s only", scoped[k].name, scoped[k].formats);
			return 2;
		}
	return 0;
}

/* Replays a->trace into m, with report's warnings; returns 0 or 1 (message
 * printed). */
static int load(struct ms_model *m, const char *path)
{
	int rc = ms_replay_file(m, path);
	char msg[4096 + 256];
	if (rc && !(rc == MS_TRACE_E_CORRUPT && m->frames > 0)) {
		ms_trace_error_message(msg, sizeof(msg), path, rc, &m->hdr, m->frames);
		ms_cli_error("%s", msg);
		return 1;
	}
	if (rc == MS_TRACE_E_CORRUPT)
		ms_cli_error("warning: trace '%s' is corrupt after %u complete frames; exporting what precedes it", path,
		             m->frames);
	else if (m->summary.end == MS_ENDK_TRUNCATED)
		ms_cli_error("warning: trace '%s' is truncated after %u complete frames (the program was killed?); "
		             "exporting what was written", path, m->frames);
	else if (m->summary.end == MS_ENDK_KILLED)
		ms_cli_error("warning: trace '%s' has no end record (the program was killed?); exporting what was "
		             "written", path);
	if (m->summary.allocations == 0)
		ms_cli_error("trace '%s' has no allocations: the export holds no call stacks", path);
	return 0;
}

/* Where the export goes: stdout; or, for a path, a temporary file beside it
 * that replaces it once the export is complete, so that a failed export
 * leaves no half-written file and an earlier file as it was; or, for a
 * device or a FIFO, the path itself (never renamed or removed). */
struct sink {
	FILE *f;
	const char *path; /* NULL for stdout */
	char *tmp;        /* the temporary file, or NULL */
};

/* Opens s for path (NULL or "-": stdout); returns 0 or 1 (message printed). */
static int sink_open(struct sink *s, const char *path)
{
	struct stat st;
	memset(s, 0, sizeof(*s));
	if (!path || !strcmp(path, "-")) {
		s->f = stdout;
		return 0;
	}
	s->path = path;
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		if (!(s->f = fopen(path, "wb")))
			goto fail;
		return 0;
	}
	size_t n = strlen(path);
	if (!(s->tmp = malloc(n + sizeof(".tmp.XXXXXX"))))
		goto fail;
	memcpy(s->tmp, path, n);
	memcpy(s->tmp + n, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	int fd = mkstemp(s->tmp);
	if (fd < 0) {
		free(s->tmp);
		s->tmp = NULL;
		goto fail;
	}
	/* mkstemp makes the file 0600: give it the mode fopen would have */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || !(s->f = fdopen(fd, "wb"))) {
		int e = errno;
		close(fd);
		unlink(s->tmp);
		free(s->tmp);
		s->tmp = NULL;
		errno = e;
		goto fail;
	}
	return 0;
fail:
	ms_cli_error("cannot write '%s': %s", path, strerror(errno));
	return 1;
}

/* Finishes s: flushes and closes it, and on success (ok) puts the temporary
 * file in place. Returns 0, or -EIO with errno set. */
static int sink_close(struct sink *s, bool ok)
{
	int rc = 0;
	if (s->f == stdout) {
		if (fflush(stdout) || ferror(stdout))
			rc = -EIO;
	} else if (fclose(s->f)) {
		rc = -EIO;
	}
	int e = errno;
	if (s->tmp) {
		if (ok && !rc && rename(s->tmp, s->path)) {
			e = errno;
			rc = -EIO;
		}
		if (!ok || rc)
			unlink(s->tmp);
		free(s->tmp);
	}
	errno = e;
	return rc;
}

/* The message of an export failure (0 when there is none). */
static void export_error(int erc, const char *trace, const struct sink *s, const struct ms_model *m)
{
	if (erc == -ESTALE) {
		ms_cli_error("cannot export trace '%s': it changed while being read (is the program still writing it?)",
		             trace);
	} else if (erc == -ENOMEM) {
		ms_cli_error("cannot export trace '%s': out of memory", trace);
	} else if (erc == -EIO) {
		ms_cli_error("cannot write '%s': %s", s->path ? s->path : "stdout", strerror(errno ? errno : EIO));
	} else if (erc) {
		char msg[4096 + 256];
		ms_trace_error_message(msg, sizeof(msg), trace, erc, &m->hdr, m->frames);
		ms_cli_error("%s", msg);
	}
}

int cmd_export(int argc, char **argv)
{
	struct export_args a = {.o = {.at = MS_AT_END, .metric = MS_BY_BYTES, .threshold_pct = 1.0,
	                              .snapshots = MS_EXPORT_DEFAULT_SNAPSHOTS}};
	int rc = parse(argc, argv, &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	a.o.trace_path = a.trace;
	bool to_stdout = !a.output || !strcmp(a.output, "-");
	if (to_stdout && ms_export_is_binary(a.format) && isatty(STDOUT_FILENO)) {
		ms_cli_error("will not write a binary pprof profile to a terminal: give -o FILE or redirect stdout");
		return 2;
	}
	/* the output first: a bad -o fails before a long replay */
	struct sink out;
	if (sink_open(&out, a.output))
		return 1;

	struct ms_model m;
	struct ms_symbolizer *sym = NULL;
	ms_model_init(&m);
	m.warm = ms_symwarm_new();
	rc = load(&m, a.trace);
	if (!rc && a.format == MS_EXPORT_COLLAPSED && ms_metric_unknown(&m, a.o.metric)) {
		ms_cli_error("cannot export trace '%s' by %s: %s", a.trace, ms_metric_name(a.o.metric),
		             ms_metric_unknown(&m, a.o.metric));
		rc = 1;
	}
	if (!rc && !(sym = ms_symbolizer_new(&m))) {
		ms_cli_error("cannot export trace '%s': out of memory", a.trace);
		rc = 1;
	}
	int erc = rc ? 0 : ms_export(out.f, a.format, &m, sym, &a.o);
	int crc = sink_close(&out, !rc && !erc);
	if (!rc && !erc)
		erc = crc;
	export_error(erc, a.trace, &out, &m);
	ms_symbolizer_free(sym);
	ms_model_release(&m);
	return rc || erc ? 1 : 0;
}
