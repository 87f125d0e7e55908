/* `memscope ps`: processes with their memory (RSS, PSS, private bytes, swap,
 * virtual size), sorted, filtered, as a table or JSON. Any process, traced
 * or not; the figures come from src/proc. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "proc/proclist.h"
#include "report/json.h"
#include "report/trend_text.h"

const char cmd_ps_usage[] =
	"usage: memscope ps [OPTIONS]\n"
	"\n"
	"Lists processes with their memory, largest private bytes first. Works on\n"
	"any process; PSS and private bytes need permission to read the process's\n"
	"smaps (your own processes, or root): for the others they show '?'.\n"
	"\n"
	"columns:\n"
	"  PRIVATE  private bytes (USS): private clean + private dirty pages, what\n"
	"           the process alone holds in memory (from smaps_rollup)\n"
	"  RSS      resident set size (VmRSS)\n"
	"  PSS      proportional set size: private pages plus its share of shared ones\n"
	"  SWAP     bytes swapped out (VmSwap)\n"
	"  VIRTUAL  virtual address space size (VmSize)\n"
	"\n"
	"options:\n"
	"  --sort KEY     private (default), rss, pss, swap, virtual, pid, name, user;\n"
	"                 sizes sort largest first, the others ascending\n"
	"  --top N        show only the first N processes\n"
	"  --name NAME    only processes named NAME (their short name, or the last\n"
	"                 component of their first argument)\n"
	"  --user USER    only processes of USER (a name or a numeric uid)\n"
	"  --json         print a JSON array instead of the table\n"
	"  -h, --help     show this help\n"
	"\n"
	"Kernel threads and zombies hold no memory of their own and are not listed.\n"
	"\n"
	"example:\n"
	"  memscope ps --top 10\n"
	"  memscope ps --name nginx --sort rss --json\n";

enum sort_key { SORT_PRIVATE, SORT_RSS, SORT_PSS, SORT_SWAP, SORT_VIRTUAL, SORT_PID, SORT_NAME, SORT_USER };
static const char *sort_names[] = {"private", "rss", "pss", "swap", "virtual", "pid", "name", "user"};

struct ps_opts {
	enum sort_key sort;
	unsigned long long top;
	const char *name, *user;
	bool json;
};

static enum sort_key g_sort; /* qsort has no context argument */

static uint64_t size_of(const struct ms_proc_entry *e, enum sort_key k)
{
	switch (k) {
	case SORT_RSS:
		return e->c.rss;
	case SORT_PSS:
		return e->c.pss;
	case SORT_SWAP:
		return e->c.swap;
	case SORT_VIRTUAL:
		return e->c.vsize;
	default:
		return e->c.private_bytes;
	}
}

static int compare(const void *pa, const void *pb)
{
	const struct ms_proc_entry *a = pa, *b = pb;
	int r = 0;
	if (g_sort == SORT_NAME)
		r = strcmp(a->comm, b->comm);
	else if (g_sort == SORT_USER)
		r = strcmp(a->user, b->user);
	else if (g_sort != SORT_PID) {
		/* Largest first; unknown (MS_PROC_NA) after every known size. */
		uint64_t x = size_of(a, g_sort), y = size_of(b, g_sort);
		bool xn = x == MS_PROC_NA, yn = y == MS_PROC_NA;
		r = xn != yn ? (xn ? 1 : -1) : x > y ? -1 : x < y ? 1 : 0;
	}
	return r ? r : (a->pid > b->pid) - (a->pid < b->pid);
}

static int parse(int argc, char **argv, struct ps_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *eq = strchr(a, '=');
		size_t alen = eq && a[0] == '-' && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
		const char *val = eq && alen != strlen(a) ? eq + 1 : NULL;
#define IS(s) (alen == strlen(s) && !strncmp(a, s, alen))
#define VALUE()                                                                              \
	do {                                                                                 \
		if (!val)                                                                    \
			val = i + 1 < argc ? argv[++i] : NULL;                               \
		if (!val || !*val) {                                                         \
			ms_cli_error("option '%.*s' needs a value (see 'memscope help ps')", (int)alen, a); \
			return -1;                                                           \
		}                                                                            \
	} while (0)
		if (IS("-h") || IS("--help")) {
			fputs(cmd_ps_usage, stdout);
			return 1;
		} else if (IS("--json")) {
			o->json = true;
		} else if (IS("--sort")) {
			VALUE();
			size_t k;
			for (k = 0; k < sizeof(sort_names) / sizeof(sort_names[0]); k++)
				if (!strcmp(val, sort_names[k]))
					break;
			if (k == sizeof(sort_names) / sizeof(sort_names[0])) {
				ms_cli_error("invalid value '%s' for option '--sort' (private, rss, pss, swap, virtual, "
				             "pid, name or user)", val);
				return -1;
			}
			o->sort = (enum sort_key)k;
		} else if (IS("--top")) {
			VALUE();
			if (ms_cli_parse_uint("--top", val, 1000000000, &o->top) < 0)
				return -1;
			if (o->top == 0) {
				ms_cli_error("invalid value '0' for option '--top' (at least 1)");
				return -1;
			}
		} else if (IS("--name")) {
			VALUE();
			o->name = val;
		} else if (IS("--user")) {
			VALUE();
			o->user = val;
		} else {
			ms_cli_error("unknown %s '%s' for 'ps' (see 'memscope help ps')",
			             a[0] == '-' ? "option" : "argument", a);
			return -1;
		}
#undef IS
#undef VALUE
	}
	return 0;
}

static void json_size(struct ms_json *j, const char *key, uint64_t v)
{
	ms_json_key(j, key);
	if (v == MS_PROC_NA)
		ms_json_null(j);
	else
		ms_json_u64(j, v);
}

static void print_json(const struct ms_proc_list *l, size_t n)
{
	struct ms_json j;
	ms_json_init(&j, stdout);
	ms_json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const struct ms_proc_entry *e = &l->v[i];
		ms_json_object_begin(&j);
		ms_json_key(&j, "pid");
		ms_json_i64(&j, e->pid);
		ms_json_kv_str(&j, "user", e->user);
		ms_json_kv_u64(&j, "uid", e->c.uid);
		ms_json_kv_str(&j, "name", e->comm);
		ms_json_kv_str(&j, "command", e->cmdline);
		json_size(&j, "private", e->c.private_bytes);
		json_size(&j, "rss", e->c.rss);
		json_size(&j, "pss", e->c.pss);
		json_size(&j, "swap", e->c.swap);
		json_size(&j, "virtual", e->c.vsize);
		ms_json_kv_bool(&j, "smaps_readable", e->c.smaps_ok);
		ms_json_object_end(&j);
	}
	ms_json_array_end(&j);
}

static const char *size_cell(char *buf, uint64_t v)
{
	if (v == MS_PROC_NA)
		return "?";
	return ms_trend_fmt_value(buf, (double)v, true);
}

static void print_table(const struct ms_proc_list *l, size_t n)
{
	int width = 0;
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	printf("%7s %-10s %10s %10s %10s %10s %10s  %s\n", "PID", "USER", "PRIVATE", "RSS", "PSS", "SWAP",
	       "VIRTUAL", "COMMAND");
	size_t unreadable = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ms_proc_entry *e = &l->v[i];
		char b[5][MS_FMT_MAX];
		unreadable += !e->c.smaps_ok;
		/* The command gets what the terminal has left; a pipe gets it all. */
		int room = width ? width - 80 : 0;
		printf("%7d %-10.10s %10s %10s %10s %10s %10s  %.*s\n", (int)e->pid, e->user,
		       size_cell(b[0], e->c.private_bytes), size_cell(b[1], e->c.rss), size_cell(b[2], e->c.pss),
		       size_cell(b[3], e->c.swap), size_cell(b[4], e->c.vsize), width ? (room > 8 ? room : 8) : INT_MAX,
		       e->cmdline);
	}
	if (unreadable)
		printf("(?: the smaps of %zu process%s could not be read; PSS and private bytes need permission: "
		       "run as their user or root)\n", unreadable, unreadable == 1 ? "" : "es");
}

int cmd_ps(int argc, char **argv)
{
	struct ps_opts o = {.sort = SORT_PRIVATE};
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	uid_t uid = 0;
	if (o.user && ms_proc_user_lookup(o.user, &uid) < 0) {
		ms_cli_error("no user named '%s'", o.user);
		return 1;
	}
	struct ms_proc_list l;
	rc = ms_proc_list_read(&l);
	if (rc < 0) {
		ms_cli_error("cannot list processes in /proc: %s", strerror(-rc));
		return 1;
	}
	size_t n = 0;
	for (size_t i = 0; i < l.n; i++) {
		struct ms_proc_entry *e = &l.v[i];
		bool keep = (!o.user || e->c.uid == uid) && (!o.name || ms_proc_name_matches(e->pid, e->comm, o.name));
		if (keep) {
			struct ms_proc_entry t = l.v[n];
			l.v[n++] = *e;
			*e = t;
		}
	}
	if (n == 0 && (o.name || o.user)) {
		if (o.name && o.user)
			ms_cli_error("no process named '%s' of user '%s'", o.name, o.user);
		else if (o.name)
			ms_cli_error("no process named '%s' (see 'memscope ps')", o.name);
		else
			ms_cli_error("no process of user '%s'", o.user);
		ms_proc_list_release(&l);
		return 1;
	}
	g_sort = o.sort;
	qsort(l.v, n, sizeof(l.v[0]), compare);
	if (o.top && o.top < n)
		n = (size_t)o.top;
	if (o.json)
		print_json(&l, n);
	else
		print_table(&l, n);
	ms_proc_list_release(&l);
	return fflush(stdout) == 0 ? 0 : 1;
}
