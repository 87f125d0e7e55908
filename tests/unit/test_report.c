/* The report outputs on a small known trace: the run summary paragraph, the
 * text report's figures, the JSON summary's exact integer fields and stack
 * order, and the caller tree merging stacks by function. */
#include "analysis/model.h"
#include "analysis/symbolize.h"
#include "assert.h"
#include "report/report.h"
#include "report/summary.h"
#include "tracegen.h"

static const char *path = "test_report.mst";

static void write_trace(void)
{
	struct tg t;
	struct ms_trace_header h = tg_header();
	h.start_ts = 0;
	tg_open(&t, path, &h);
	tg_chunk(&t, 7, 10);
	tg_thread(&t, 10, "main\x01\xff");
	tg_alloc(&t, 10, 0x1000, 100, 1);
	tg_alloc(&t, 20, 0x2000, 2000, 2);
	tg_free(&t, 30, 0x1000);
	tg_realloc(&t, 40, 41, 0x2000, 0x3000, 3000, 2);
	/* two stacks through the same outer address: one tree node below */
	uintptr_t a[2] = {0x111, 0x999}, b[2] = {0x222, 0x999};
	tg_stack(&t, 1, a, 2);
	tg_stack(&t, 2, b, 2);
	tg_end(&t, 50, MS_END_EXIT, 0, 4096);
	tg_close(&t);
}

static char *capture(int (*fn)(FILE *, const struct ms_model *, struct ms_symbolizer *,
                               const struct ms_report_opts *, const char *),
                     const struct ms_model *m, const struct ms_report_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ms_symbolizer *s = ms_symbolizer_new(m);
	ASSERT_EQ_I64(fn(f, m, s, o, path), 0);
	ms_symbolizer_free(s);
	fclose(f);
	return buf;
}

static void has(const char *text, const char *want)
{
	if (!strstr(text, want))
		MS_FAIL_AT("missing \"%s\" in:\n%s", want, text);
}

int main(void)
{
	write_trace();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ASSERT_EQ_I64(ms_report_run_summary(f, path), 0);
	fclose(f);
	ASSERT_EQ_STR(buf, "memscope: 3 allocations, 2 frees, 4.98 KiB (5,100 B) allocated\n"
	                   "memscope: peak heap 2.93 KiB (3,000 B) at 31 ns, peak RSS 4.00 KiB (4,096 B)\n"
	                   "memscope: leaked 2.93 KiB (3,000 B) in 1 blocks, 1 temporary allocations\n"
	                   "memscope: trace written to test_report.mst\n"
	                   "memscope: explain it with: memscope report test_report.mst\n");
	free(buf);
	f = open_memstream(&buf, &len);
	ASSERT_TRUE(ms_report_run_summary(f, "no-such.mst") < 0);
	fclose(f);
	ASSERT_EQ_U64(len, 0);
	free(buf);

	struct ms_model m;
	ms_model_init(&m);
	ASSERT_EQ_I64(ms_replay_file(&m, path), 0);
	struct ms_report_opts o = {.by = MS_BY_PEAK, .top = 10, .tree_min_pct = 1};

	char *text = capture(ms_report_text, &m, &o);
	has(text, "  allocation calls       3\n");
	has(text, "  frees                  2\n");
	has(text, "  peak heap              2.93 KiB (3,000 B) at 31 ns\n");
	has(text, "  leaked at exit         2.93 KiB (3,000 B) in 1 blocks\n");
	has(text, "  temporary allocations  1 (33.3% of calls)\n");
	has(text, "  end                    exit, status 0\n");
	has(text, "\n#1  peak 2.93 KiB (3,000 B), leaked 2.93 KiB (3,000 B) in 1 blocks\n"
	          "    2 allocations, 4.88 KiB (5,000 B) allocated, 1 temporary, 1 frees, max live 2.93 KiB\n"
	          "      0x222\n      0x999\n");
	ASSERT_TRUE(!strstr(text, "#2")); /* stack 1 has no peak bytes */
	free(text);

	o.top_given = false;
	char *json = capture(ms_report_json, &m, &o);
	has(json, "\"allocations\": 3,");
	has(json, "\"frees\": 2,");
	has(json, "\"bytes_allocated\": 5100,");
	has(json, "\"peak_bytes\": 3000,");
	has(json, "\"leaked_bytes\": 3000,");
	has(json, "\"leaked_blocks\": 1,");
	has(json, "\"temporary_allocations\": 1,");
	has(json, "\"peak_rss_bytes\": 4096,");
	has(json, "\"wall_time_ns\": 40,");
	has(json, "\"peak_time_ns\": 31,");
	has(json, "\"truncated\": false,");
	has(json, "\"end_reason\": \"exit\",");
	has(json, "\"name\": \"main\\u0001\\ufffd\",");
	/* both stacks (no --top), the peak one first */
	const char *s2 = strstr(json, "\"stack_id\": 2"), *s1 = strstr(json, "\"stack_id\": 1");
	ASSERT_TRUE(s1 && s2 && s2 < s1);
	has(json, "\"function\": \"0x222\",\n          \"file\": null,\n          \"line\": 0,\n"
	          "          \"module\": null,\n          \"inlined\": false,");
	free(json);
	o.top = 1;
	o.top_given = true;
	json = capture(ms_report_json, &m, &o);
	ASSERT_TRUE(strstr(json, "\"stack_id\": 2") && !strstr(json, "\"stack_id\": 1"));
	free(json);

	o.by = MS_BY_ALLOCATIONS;
	char *tree = capture(ms_report_tree_text, &m, &o);
	/* roots 0x222 (2 allocations) then 0x111 (1); 0x999 below each */
	has(tree, "0x222\n  peak 2.93 KiB, leaked 2.93 KiB, 2 allocations, 1 temporary, 4.88 KiB allocated\n"
	          "  0x999\n    peak 2.93 KiB, leaked 2.93 KiB, 2 allocations");
	has(tree, "0x111\n  peak 0 B, leaked 0 B, 1 allocations, 0 temporary, 100 B allocated\n");
	ASSERT_TRUE(strstr(tree, "0x222") < strstr(tree, "0x111"));
	free(tree);
	char *tj = capture(ms_report_tree_json, &m, &o);
	has(tj, "\"tree_threshold\": 1,");
	has(tj, "\"callers\": [");
	free(tj);

	ms_model_release(&m);
	remove(path);
	puts("ok");
	return 0;
}
