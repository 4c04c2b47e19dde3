// SPDX-License-Identifier: MIT
/* The status writer: JSON escaping, nesting, embedded JSON, and the text units. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "memshow.h"

static void test_show_json(void)
{
	struct memshow m;
	struct mt6d_show *s = memshow_begin(&m, true);
	char *buf;

	mt6d_show_object_begin(s, NULL);
	mt6d_show_str(s, "a", "%s", "q\"\\\n\x01");
	mt6d_show_null(s, "n", NULL);
	mt6d_show_array_begin(s, "l");
	mt6d_show_u64(s, NULL, NULL, 18446744073709551615ULL);
	mt6d_show_i64(s, NULL, NULL, -3);
	mt6d_show_bool(s, NULL, NULL, true);
	mt6d_show_array_end(s);
	mt6d_show_text(s, "text only");
	mt6d_show_duration(s, "d", "%s", 3725);
	mt6d_show_bytes(s, "b", "%s", 1536);
	mt6d_show_json(s, "o", "{\"x\":1}\n", 7);
	mt6d_show_json(s, "z", NULL, 0);
	mt6d_show_object_end(s);
	buf = memshow_end(&m);
	CHECK(!strcmp(buf, "{\"a\":\"q\\\"\\\\\\n\\u0001\",\"n\":null,"
			   "\"l\":[18446744073709551615,-3,true],\"d\":3725,\"b\":1536,"
			   "\"o\":{\"x\":1},\"z\":null}\n"),
	      "json: %s", buf);
	free(buf);

	s = memshow_begin(&m, false);
	mt6d_show_object_begin(s, NULL);
	mt6d_show_duration(s, "d", "[%s]", 3725);
	mt6d_show_bytes(s, "b", "[%s]", 1536);
	mt6d_show_bytes(s, "b", "[%s]", 7);
	mt6d_show_null(s, "n", "[%s]");
	mt6d_show_text(s, "[%d]", 5);
	mt6d_show_json(s, "o", "{}", 2);
	mt6d_show_object_end(s);
	buf = memshow_end(&m);
	CHECK(!strcmp(buf, "[1h 2m][1.50 KiB][7 B][-][5]"), "text: %s", buf);
	free(buf);
}

int main(void)
{
	test_show_json();
	return check_done();
}
