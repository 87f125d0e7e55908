/* See json.h. Output is indented by two spaces per level, one member a line. */
#include "report/json.h"

#include <inttypes.h>
#include <string.h>

void ms_json_init(struct ms_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

static void indent(struct ms_json *j)
{
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Separator and indentation before a value (or a key). */
static void before_item(struct ms_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (j->has_items[j->depth])
			fputc(',', j->out);
		j->has_items[j->depth] = true;
		indent(j);
	}
}

static void open_(struct ms_json *j, char c)
{
	before_item(j);
	fputc(c, j->out);
	if (j->depth + 1 < MS_JSON_MAX_DEPTH)
		j->depth++;
	j->has_items[j->depth] = false;
}

static void close_(struct ms_json *j, char c)
{
	bool had = j->has_items[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (had)
		indent(j);
	fputc(c, j->out);
	if (j->depth == 0)
		fputc('\n', j->out);
}

void ms_json_object_begin(struct ms_json *j) { open_(j, '{'); }
void ms_json_object_end(struct ms_json *j) { close_(j, '}'); }
void ms_json_array_begin(struct ms_json *j) { open_(j, '['); }
void ms_json_array_end(struct ms_json *j) { close_(j, ']'); }

void ms_json_key(struct ms_json *j, const char *key)
{
	before_item(j);
	fputc('"', j->out);
	ms_json_escape(j->out, key, strlen(key));
	fputs("\": ", j->out);
	j->after_key = true;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid: no
 * overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void ms_json_escape(FILE *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		switch (c) {
		case '"': fputs("\\\"", out); i++; continue;
		case '\\': fputs("\\\\", out); i++; continue;
		case '\n': fputs("\\n", out); i++; continue;
		case '\r': fputs("\\r", out); i++; continue;
		case '\t': fputs("\\t", out); i++; continue;
		case '\b': fputs("\\b", out); i++; continue;
		case '\f': fputs("\\f", out); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			i++;
			continue;
		}
		size_t len = utf8_len(s + i, n - i);
		if (!len) {
			fputs("\\ufffd", out);
			i++;
			continue;
		}
		fwrite(s + i, 1, len, out);
		i += len;
	}
}

void ms_json_string_n(struct ms_json *j, const char *s, size_t n)
{
	before_item(j);
	fputc('"', j->out);
	ms_json_escape(j->out, s, n);
	fputc('"', j->out);
}

void ms_json_string(struct ms_json *j, const char *s)
{
	if (!s)
		ms_json_null(j);
	else
		ms_json_string_n(j, s, strlen(s));
}

void ms_json_u64(struct ms_json *j, uint64_t v)
{
	before_item(j);
	fprintf(j->out, "%" PRIu64, v);
}

void ms_json_i64(struct ms_json *j, int64_t v)
{
	before_item(j);
	fprintf(j->out, "%" PRId64, v);
}

void ms_json_bool(struct ms_json *j, bool v)
{
	before_item(j);
	fputs(v ? "true" : "false", j->out);
}

void ms_json_null(struct ms_json *j)
{
	before_item(j);
	fputs("null", j->out);
}

void ms_json_kv_u64(struct ms_json *j, const char *key, uint64_t v)
{
	ms_json_key(j, key);
	ms_json_u64(j, v);
}

void ms_json_kv_str(struct ms_json *j, const char *key, const char *s)
{
	ms_json_key(j, key);
	ms_json_string(j, s);
}

void ms_json_kv_bool(struct ms_json *j, const char *key, bool v)
{
	ms_json_key(j, key);
	ms_json_bool(j, v);
}
