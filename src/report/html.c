/* The HTML page: the skeleton, stylesheets and scripts from web/ (the
 * report's own and the npm libraries', embedded at build time by
 * cmake/embed.cmake into web_assets.c), and the data document. Nothing is
 * fetched when the page is viewed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/html.h"
#include "web_assets.h"

/* Inside <script>, "</script" or "<!--" would end or confuse the element:
 * the data goes through this filter, which writes every '<' as the JSON
 * escape \u003c ('<' only occurs inside JSON strings). */
static ssize_t lt_escape_write(void *cookie, const char *buf, size_t n)
{
	FILE *out = cookie;
	size_t start = 0;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '<') {
			fwrite(buf + start, 1, i - start, out);
			fputs("\\u003c", out);
			start = i + 1;
		}
	fwrite(buf + start, 1, n - start, out);
	return ferror(out) ? -1 : (ssize_t)n;
}

static void asset(FILE *out, const char *open, const unsigned char *data, size_t len, const char *close)
{
	fputs(open, out);
	fwrite(data, 1, len, out);
	fputs(close, out);
}

int ms_report_html(FILE *out, const struct ms_html_input *in, const struct ms_html_opts *o, const char *trace_path)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"memscope\">\n<title>memscope report</title>\n",
	      out);
	asset(out, "<style>\n", ms_web_uplot_css, ms_web_uplot_css_len, "</style>\n");
	asset(out, "<style>\n", ms_web_report_css, ms_web_report_css_len, "</style>\n");
	fputs("</head>\n<body>\n", out);
	fwrite(ms_web_body_html, 1, ms_web_body_html_len, out);
	fputs("<script type=\"application/json\" id=\"ms-data\">", out);
	FILE *data = fopencookie(out, "w", (cookie_io_functions_t){.write = lt_escape_write});
	if (!data)
		return -ENOMEM;
	int rc = ms_report_html_data(data, in, o, trace_path);
	if (fclose(data) && !rc)
		rc = -EIO;
	if (rc)
		return rc;
	fputs("</script>\n", out);
	asset(out, "<script>\n", ms_web_d3_js, ms_web_d3_js_len, "\n</script>\n");
	asset(out, "<script>\n", ms_web_flamegraph_js, ms_web_flamegraph_js_len, "\n</script>\n");
	asset(out, "<script>\n", ms_web_uplot_js, ms_web_uplot_js_len, "\n</script>\n");
	asset(out, "<script>\n", ms_web_report_js, ms_web_report_js_len, "\n</script>\n");
	fputs("</body>\n</html>\n", out);
	return ferror(out) ? -EIO : 0;
}
