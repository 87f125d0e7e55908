/* The one JSON writer behind every --json output (STYLE.md rule 4). Strings
 * are escaped for control characters and invalid UTF-8 (each bad byte
 * becomes U+FFFD), numbers are written as integers. The writer tracks
 * commas and indentation; it never allocates.
 *
 * Steps: ms_json_init(&j, out); then nested begin/end calls, with
 * ms_json_key() before each member of an object. */
#ifndef MS_REPORT_JSON_H
#define MS_REPORT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MS_JSON_MAX_DEPTH 64

struct ms_json {
	FILE *out;
	int depth;
	bool has_items[MS_JSON_MAX_DEPTH]; /* a comma is due before the next item */
	bool after_key;
};

void ms_json_init(struct ms_json *j, FILE *out);
void ms_json_object_begin(struct ms_json *j);
void ms_json_object_end(struct ms_json *j);
void ms_json_array_begin(struct ms_json *j);
void ms_json_array_end(struct ms_json *j);
void ms_json_key(struct ms_json *j, const char *key);
void ms_json_string(struct ms_json *j, const char *s); /* NULL writes null */
void ms_json_string_n(struct ms_json *j, const char *s, size_t n);
void ms_json_u64(struct ms_json *j, uint64_t v);
void ms_json_i64(struct ms_json *j, int64_t v);
void ms_json_bool(struct ms_json *j, bool v);
void ms_json_null(struct ms_json *j);

/* Shorthands for one member: key then value. */
void ms_json_kv_u64(struct ms_json *j, const char *key, uint64_t v);
void ms_json_kv_str(struct ms_json *j, const char *key, const char *s);
void ms_json_kv_bool(struct ms_json *j, const char *key, bool v);

/* Writes s[0..n) escaped, without the quotes. */
void ms_json_escape(FILE *out, const char *s, size_t n);

#endif
