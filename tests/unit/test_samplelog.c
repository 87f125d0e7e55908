/* Sample logs (src/proc/samplelog.c, csvread.c): a CSV written by the
 * monitor's writer reads back exactly; malformed files are refused with the
 * line and the reason; a line cut by a killed writer is dropped. Also the
 * series' decimation (series.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mon_assert.h"
#include "proc/samplelog.h"

static char dir[] = "/tmp/ms_test_samplelog.XXXXXX";

static const char *path_of(const char *name)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");
	ASSERT_TRUE(f);
	fputs(text, f);
	fclose(f);
}

static void make_row(struct ms_sample *r, int i)
{
	r->t = i * 0.05;
	r->unix_ms = 1700000000000.0 + i * 50;
	for (int c = 0; c < MS_COL__COUNT; c++)
		r->v[c] = NAN;
	r->v[MS_COL_RSS] = 1048576.0 * (i + 1);
	r->v[MS_COL_PRIVATE] = 4096.0 * i;
	r->v[MS_COL_HEAP] = 123456789012.0 + i; /* exact beyond 32 bits */
	r->v[MS_COL_THREADS] = 3;
	r->v[MS_COL_FAULTS_PS] = i ? 12.5 : NAN;
}

static void test_roundtrip(void)
{
	struct ms_series s;
	ms_series_init(&s, 4242, "odd, \"name\"", 0);
	struct ms_samplelog l;
	ASSERT_EQ_I64(ms_samplelog_open(&l, path_of("rt.csv"), MS_LOG_CSV), 0);
	struct ms_sample rows[25];
	for (int i = 0; i < 25; i++) {
		make_row(&rows[i], i);
		ASSERT_EQ_I64(ms_samplelog_write(&l, &s, &rows[i]), 0);
	}
	ASSERT_EQ_I64(ms_samplelog_close(&l), 0);

	struct ms_series *out;
	size_t n;
	bool cut;
	struct ms_csv_error err;
	ASSERT_EQ_I64(ms_csv_read(path_of("rt.csv"), &out, &n, &cut, &err), 0);
	ASSERT_EQ_U64(n, 1);
	ASSERT_TRUE(!cut);
	ASSERT_EQ_I64(out[0].pid, 4242);
	ASSERT_EQ_STR(out[0].name, "odd, \"name\"");
	ASSERT_EQ_U64(out[0].n, 25);
	for (int i = 0; i < 25; i++) {
		const struct ms_sample *g = &out[0].rows[i];
		ASSERT_NEAR(g->t, rows[i].t, 5e-4); /* written with 3 decimals */
		ASSERT_NEAR(g->unix_ms, rows[i].unix_ms, 0);
		for (int c = 0; c < MS_COL__COUNT; c++)
			ASSERT_NEAR(g->v[c], rows[i].v[c], 0);
	}
	ms_series_release(&out[0]);
	free(out);
	ms_series_release(&s);
}

static void test_jsonl(void)
{
	struct ms_series s;
	ms_series_init(&s, 7, "a\"b", 0);
	struct ms_samplelog l;
	ASSERT_EQ_I64(ms_samplelog_open(&l, path_of("x.jsonl"), MS_LOG_JSONL), 0);
	struct ms_sample r;
	make_row(&r, 1);
	ASSERT_EQ_I64(ms_samplelog_write(&l, &s, &r), 0);
	ASSERT_EQ_I64(ms_samplelog_exit(&l, &s, 0.1, "exited with status 0"), 0);
	ASSERT_EQ_I64(ms_samplelog_close(&l), 0);
	FILE *f = fopen(path_of("x.jsonl"), "r");
	char line[4096];
	ASSERT_TRUE(fgets(line, sizeof(line), f));
	ASSERT_TRUE(strstr(line, "{\"event\":\"sample\",\"time_s\":0.050,\"unix_ms\":1700000000050,\"pid\":7,"
	                         "\"name\":\"a\\\"b\",\"rss\":2097152,") == line);
	ASSERT_TRUE(strstr(line, "\"heap\":123456789013,"));
	ASSERT_TRUE(strstr(line, "\"live_bytes\":null,"));
	ASSERT_TRUE(strstr(line, "\"faults_per_s\":12.5,"));
	ASSERT_TRUE(fgets(line, sizeof(line), f));
	ASSERT_EQ_STR(line, "{\"event\":\"exit\",\"time_s\":0.100,\"pid\":7,\"name\":\"a\\\"b\",\"how\":\"exited with "
	                    "status 0\"}\n");
	fclose(f);
	ms_series_release(&s);
}

static void expect_error(const char *name, const char *text, size_t line, const char *msg)
{
	write_file(name, text);
	struct ms_series *out;
	size_t n;
	bool cut;
	struct ms_csv_error err;
	ASSERT_EQ_I64(ms_csv_read(path_of(name), &out, &n, &cut, &err), -EINVAL);
	ASSERT_EQ_U64(err.line, line);
	ASSERT_EQ_STR(err.msg, msg);
}

static void test_errors(void)
{
	expect_error("empty.csv", "", 0, "the file is empty");
	expect_error("header.csv", "time_s,pid,rss\n", 0, "no samples after the header");
	expect_error("notlog.csv", "a,b,c\n1,2,3\n", 1, "no 'time_s' column in the header (not a memscope monitor log?)");
	expect_error("nocounter.csv", "time_s,pid\n1,2\n", 1, "no counter column (rss, private, heap...) in the header");
	expect_error("badnum.csv", "time_s,pid,rss\n0,1,100\n0.5,1,12x\n", 3,
	             "field 'rss' is not a non-negative number ('12x')");
	expect_error("neg.csv", "time_s,pid,rss\n0,1,-5\n", 2, "field 'rss' is not a non-negative number ('-5')");
	expect_error("fields.csv", "time_s,pid,rss\n0,1\n", 2, "2 fields where the header has 3");
	expect_error("back.csv", "time_s,pid,rss\n1,1,5\n0.5,1,6\n", 3,
	             "time goes backwards for pid 1 (0.500 s after 1.000 s)");
	expect_error("quote.csv", "time_s,pid,name,rss\n0,1,\"abc,5\n", 2, "a quoted field is not closed");
	expect_error("notime.csv", "time_s,pid,rss\n,1,5\n", 2, "field 'time_s' is empty");
	char big[6000];
	memset(big, '1', sizeof(big));
	big[sizeof(big) - 1] = 0;
	char *text = malloc(sizeof(big) + 64);
	snprintf(text, sizeof(big) + 64, "time_s,rss\n0,%s\n", big);
	expect_error("long.csv", text, 2, "line longer than 4096 bytes");
	free(text);
	/* An unreadable file is an errno, not a format error. */
	struct ms_series *out;
	size_t n;
	bool cut;
	struct ms_csv_error err;
	ASSERT_EQ_I64(ms_csv_read(path_of("missing.csv"), &out, &n, &cut, &err), -ENOENT);
}

static void test_cut_last_line_and_hand_made(void)
{
	/* The writer was killed in the middle of a row. */
	write_file("cut.csv", "time_s,pid,rss\n0,1,100\n0.5,1,200\n1.0,1,3");
	struct ms_series *out;
	size_t n;
	bool cut;
	struct ms_csv_error err;
	ASSERT_EQ_I64(ms_csv_read(path_of("cut.csv"), &out, &n, &cut, &err), 0);
	ASSERT_TRUE(!cut); /* "1.0,1,3" parses: it is kept */
	ASSERT_EQ_U64(out[0].n, 3);
	ms_series_release(&out[0]);
	free(out);
	write_file("cut2.csv", "time_s,pid,rss\n0,1,100\n0.5,1,200\n1.0,1");
	ASSERT_EQ_I64(ms_csv_read(path_of("cut2.csv"), &out, &n, &cut, &err), 0);
	ASSERT_TRUE(cut);
	ASSERT_EQ_U64(out[0].n, 2);
	ms_series_release(&out[0]);
	free(out);
	/* Two processes, an unknown column, CRLF and a comment. */
	write_file("two.csv", "# hand-made\r\ntime_s,pid,extra,rss\r\n0,1,x,10\r\n0,2,y,20\r\n1,1,z,11\r\n");
	ASSERT_EQ_I64(ms_csv_read(path_of("two.csv"), &out, &n, &cut, &err), 0);
	ASSERT_EQ_U64(n, 2);
	ASSERT_EQ_I64(out[0].pid, 1);
	ASSERT_EQ_U64(out[0].n, 2);
	ASSERT_NEAR(out[0].rows[1].v[MS_COL_RSS], 11, 0);
	ASSERT_EQ_I64(out[1].pid, 2);
	ASSERT_TRUE(isnan(out[1].rows[0].v[MS_COL_HEAP]));
	for (size_t i = 0; i < n; i++)
		ms_series_release(&out[i]);
	free(out);
}

static void test_decimation(void)
{
	struct ms_series s;
	ms_series_init(&s, 1, "x", 8);
	struct ms_sample r;
	for (int i = 0; i < 20; i++) {
		make_row(&r, i);
		ASSERT_EQ_I64(ms_series_append(&s, &r), 0);
	}
	/* At 8 rows it halved to every 2nd, at 8 again to every 4th: 0, 4, 8,
	 * 12, 16 kept, spanning the whole run. */
	ASSERT_EQ_U64(s.n, 5);
	ASSERT_EQ_U64(s.stride, 4);
	for (size_t i = 0; i < s.n; i++)
		ASSERT_NEAR(s.rows[i].t, 0.05 * 4 * (double)i, 1e-12);
	ms_series_release(&s);
	ASSERT_EQ_I64(ms_col_lookup("private"), MS_COL_PRIVATE);
	ASSERT_EQ_I64(ms_col_lookup("nope"), -1);
}

int main(void)
{
	ASSERT_TRUE(mkdtemp(dir));
	test_roundtrip();
	test_jsonl();
	test_errors();
	test_cut_last_line_and_hand_made();
	test_decimation();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
