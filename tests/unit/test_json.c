/* The JSON writer: structure (commas, nesting, indentation), integers, and
 * escaping of quotes, control characters and invalid UTF-8. */
#include "assert.h"
#include "report/json.h"

static char *render(void (*fn)(struct ms_json *))
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct ms_json j;
	ms_json_init(&j, f);
	fn(&j);
	fclose(f);
	return buf;
}

static void doc(struct ms_json *j)
{
	ms_json_object_begin(j);
	ms_json_kv_u64(j, "n", UINT64_MAX);
	ms_json_kv_str(j, "s", "a\"b\\c\n\t\x01\x7f");
	ms_json_key(j, "list");
	ms_json_array_begin(j);
	ms_json_i64(j, -5);
	ms_json_bool(j, true);
	ms_json_null(j);
	ms_json_object_begin(j);
	ms_json_object_end(j);
	ms_json_array_end(j);
	ms_json_key(j, "empty");
	ms_json_array_begin(j);
	ms_json_array_end(j);
	ms_json_kv_str(j, "none", NULL);
	ms_json_object_end(j);
}

static void utf8(struct ms_json *j)
{
	/* valid 2/3/4-byte sequences kept; a lone continuation byte, an
	 * overlong '/', a surrogate and a cut sequence each become U+FFFD */
	ms_json_string(j, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\x80|\xc0\xaf|\xed\xa0\x80|\xe2\x82");
}

int main(void)
{
	ASSERT_EQ_STR(render(doc), "{\n"
	                           "  \"n\": 18446744073709551615,\n"
	                           "  \"s\": \"a\\\"b\\\\c\\n\\t\\u0001\\u007f\",\n"
	                           "  \"list\": [\n"
	                           "    -5,\n"
	                           "    true,\n"
	                           "    null,\n"
	                           "    {}\n"
	                           "  ],\n"
	                           "  \"empty\": [],\n"
	                           "  \"none\": null\n"
	                           "}\n");
	ASSERT_EQ_STR(render(utf8), "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\\ufffd|\\ufffd\\ufffd|"
	                            "\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\"");
	puts("ok");
	return 0;
}
