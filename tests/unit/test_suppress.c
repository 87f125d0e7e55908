/* Suppression files and glob matching (analysis/suppress.h), and the
 * --leak-check kinds (analysis/leakcheck.h): a file with every kind of line,
 * each syntax error with its line number, and the matcher's corner cases. */
#include <errno.h>

#include "analysis/leakcheck.h"
#include "analysis/suppress.h"
#include "assert.h"

static const char *path = "test_suppress.supp";

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	ASSERT_TRUE(f);
	fputs(text, f);
	fclose(f);
}

static void test_glob(void)
{
	ASSERT_TRUE(ms_glob_match("abc", "abc"));
	ASSERT_TRUE(!ms_glob_match("abc", "abcd"));
	ASSERT_TRUE(!ms_glob_match("abcd", "abc"));
	ASSERT_TRUE(ms_glob_match("a?c", "abc"));
	ASSERT_TRUE(!ms_glob_match("a?c", "ac"));
	ASSERT_TRUE(ms_glob_match("*", ""));
	ASSERT_TRUE(ms_glob_match("*", "anything/at all"));
	ASSERT_TRUE(ms_glob_match("lib*.so*", "libfoo.so.6"));
	ASSERT_TRUE(ms_glob_match("*leak*", "my_leak_here"));
	ASSERT_TRUE(!ms_glob_match("*leak*", "my_lea_k"));
	ASSERT_TRUE(ms_glob_match("a*b*c", "axxbyybzzc")); /* backtracking over the first b */
	ASSERT_TRUE(!ms_glob_match("a*b*c", "axxbyy"));
	ASSERT_TRUE(ms_glob_match("ns::f*", "ns::f(int)"));
	ASSERT_TRUE(ms_glob_match("**x", "x"));
	ASSERT_TRUE(!ms_glob_match("", "x"));
}

static void test_load(void)
{
	struct ms_supp s;
	char err[256];
	ms_supp_init(&s);
	write_file("# comment\n\n   \t\nleak:first\n  leak:  second_*  \r\n  # indented comment\nleak:third");
	ASSERT_EQ_I64(ms_supp_load(&s, path, err, sizeof(err)), 0);
	ASSERT_EQ_U64(s.n, 3);
	ASSERT_EQ_STR(s.v[0].pattern, "first");
	ASSERT_EQ_U64(s.v[0].line, 4);
	ASSERT_EQ_STR(s.v[1].pattern, "second_*");
	ASSERT_EQ_U64(s.v[1].line, 5);
	ASSERT_EQ_STR(s.v[2].pattern, "third"); /* no final newline */
	/* a second file adds to the rules */
	write_file("leak:fourth\n");
	ASSERT_EQ_I64(ms_supp_load(&s, path, err, sizeof(err)), 0);
	ASSERT_EQ_U64(s.n, 4);
	ms_supp_release(&s);

	static const struct {
		const char *text, *err;
	} bad[] = {
		{"leak:a\nfoo\n", "line 2: 'foo' is not a rule (expected 'leak:PATTERN', '# comment' or a blank line)"},
		{"\n\nsupp:x\n", "line 3: unknown kind 'supp' (only 'leak:PATTERN' rules are supported)"},
		{"leak:\n", "line 1: empty pattern after 'leak:'"},
		{"leak:   \n", "line 1: empty pattern after 'leak:'"},
		{"Leak:x\n", "line 1: unknown kind 'Leak' (only 'leak:PATTERN' rules are supported)"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms_supp_init(&s);
		write_file(bad[i].text);
		ASSERT_EQ_I64(ms_supp_load(&s, path, err, sizeof(err)), MS_SUPP_E_SYNTAX);
		ASSERT_EQ_STR(err, bad[i].err);
		ms_supp_release(&s);
	}
	/* a line longer than the limit */
	FILE *f = fopen(path, "w");
	ASSERT_TRUE(f);
	fputs("leak:", f);
	for (int i = 0; i < MS_SUPP_MAX_LINE; i++)
		fputc('x', f);
	fputc('\n', f);
	fclose(f);
	ms_supp_init(&s);
	ASSERT_EQ_I64(ms_supp_load(&s, path, err, sizeof(err)), MS_SUPP_E_SYNTAX);
	ASSERT_EQ_STR(err, "line 1: longer than 4096 characters");
	ms_supp_release(&s);

	ms_supp_init(&s);
	ASSERT_EQ_I64(ms_supp_load(&s, "/nonexistent/dir/x.supp", err, sizeof(err)), -ENOENT);
	ms_supp_release(&s);
}

static void test_kinds(void)
{
	unsigned k = 0;
	ASSERT_EQ_I64(ms_check_kinds_parse("definite", &k), 0);
	ASSERT_EQ_U64(k, 1u << MS_LEAK_DEFINITE);
	ASSERT_EQ_I64(ms_check_kinds_parse("possible", &k), 0);
	ASSERT_EQ_U64(k, 1u << MS_LEAK_DEFINITE | 1u << MS_LEAK_POSSIBLE);
	ASSERT_EQ_I64(ms_check_kinds_parse("all", &k), 0);
	ASSERT_EQ_U64(k, 1u << MS_LEAK_DEFINITE | 1u << MS_LEAK_INDIRECT | 1u << MS_LEAK_POSSIBLE);
	ASSERT_TRUE(!(k & 1u << MS_LEAK_REACHABLE)); /* still reachable never fails */
	ASSERT_EQ_I64(ms_check_kinds_parse("reachable", &k), -1);
	ASSERT_EQ_I64(ms_check_kinds_parse("", &k), -1);
}

int main(void)
{
	test_glob();
	test_load();
	test_kinds();
	remove(path);
	puts("test_suppress: ok");
	return 0;
}
