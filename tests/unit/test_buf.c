/*
 * Unit tests for the growing string (buf.c): appends across many growths,
 * the NUL always after the text, the sticky failure and what finish hands
 * over, and the JSON string and time forms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ob.h"
#include "harness.h"

/* Thousands of appends of both kinds land in order, each NUL-terminated. */
static void
test_grow(void)
{
	struct ob_buf b = {NULL, 0, 0, 0};
	char want[16];
	size_t i, off = 0, n;
	char *out;
	int ok = 1;

	for (i = 0; i < 3000; i++) {
		if (i % 2)
			buf_printf(&b, "%zu,", i);
		else {
			n = (size_t)snprintf(want, sizeof(want), "%zu,", i);
			buf_add(&b, want, n);
		}
		ok = ok && !b.oom && b.p != NULL && b.p[b.len] == '\0';
	}
	CHECK(ok);
	/* One printf far longer than the space left. */
	buf_printf(&b, "%5000s|", "x");
	CHECK(!b.oom && b.len > 5000 && b.p[b.len - 1] == '|');
	CHECK(buf_finish(&b, &out, &n) == OB_OK);
	CHECK(b.p == NULL && b.len == 0 && b.cap == 0 && !b.oom);
	CHECK(out != NULL && strlen(out) == n);
	for (i = 0; out != NULL && i < 3000; i++) {
		snprintf(want, sizeof(want), "%zu,", i);
		if (strncmp(out + off, want, strlen(want)) != 0) {
			CHECK(strncmp(out + off, want, strlen(want)) == 0);
			break;
		}
		off += strlen(want);
	}
	CHECK(out != NULL && out[off + 4999] == 'x' && out[off + 5000] == '|' &&
	    out[off + 5001] == '\0');
	free(out);
}

/* Nothing appended is still a string; "" allocates it like anything. */
static void
test_empty(void)
{
	struct ob_buf b = {NULL, 0, 0, 0};
	char *out = NULL;
	size_t n = 99;

	CHECK(buf_finish(&b, &out, &n) == OB_OK);
	CHECK(out != NULL && n == 0 && out[0] == '\0');
	free(out);
	buf_puts(&b, "");
	CHECK(b.p != NULL && b.len == 0 && b.p[0] == '\0');
	buf_printf(&b, "%s", "");
	CHECK(b.p != NULL && b.len == 0 && b.p[0] == '\0');
	buf_free(&b);
	CHECK(b.p == NULL && b.len == 0);
	buf_free(&b); /* twice is fine */
}

/* An append that cannot fit fails, keeps the text, and sticks. */
static void
test_oom_sticks(void)
{
	struct ob_buf b = {NULL, 0, 0, 0};
	char *out = (char *)"x";
	size_t n = 99;

	buf_puts(&b, "kept");
	buf_add(&b, "", SIZE_MAX / 4); /* past the bound: never allocated */
	CHECK(b.oom);
	CHECK(b.p != NULL && strcmp(b.p, "kept") == 0 && b.len == 4);
	buf_puts(&b, "more");
	buf_printf(&b, "%d", 1);
	CHECK(b.len == 4 && strcmp(b.p, "kept") == 0);
	CHECK(buf_finish(&b, &out, &n) == OB_ERR_NOMEM);
	CHECK(out == NULL && n == 0);
	CHECK(b.p == NULL && !b.oom);
}

static void
test_truncate(void)
{
	struct ob_buf b = {NULL, 0, 0, 0};

	buf_truncate(&b, 0); /* nothing there yet */
	CHECK(b.p == NULL);
	buf_puts(&b, "abc \t");
	buf_truncate(&b, 3);
	CHECK(b.len == 3 && strcmp(b.p, "abc") == 0);
	buf_truncate(&b, 7); /* longer: unchanged */
	CHECK(b.len == 3 && strcmp(b.p, "abc") == 0);
	buf_puts(&b, "d");
	CHECK(strcmp(b.p, "abcd") == 0);
	buf_free(&b);
}

static void
test_json(void)
{
	static const struct {
		const char *in, *want;
	} v[] = {
	    {"", "\"\""}, {"plain", "\"plain\""},
	    {"a\"b\\c", "\"a\\\"b\\\\c\""},
	    {"\n\t\x01\x1f ", "\"\\u000a\\u0009\\u0001\\u001f \""},
	    {"\x7f\xc3\xa9/", "\"\x7f\xc3\xa9/\""}, /* as they are */
	};
	struct ob_buf b = {NULL, 0, 0, 0};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_truncate(&b, 0);
		buf_json_str(&b, v[i].in);
		CHECK_STR(b.p, v[i].want);
	}
	buf_truncate(&b, 0);
	buf_json_time(&b, 1800000000);
	buf_puts(&b, ",");
	buf_json_time(&b, INT64_MIN);
	buf_puts(&b, ",");
	buf_json_time(&b, 0);
	CHECK_STR(
	    b.p, "\"2027-01-15T08:00:00Z\",null,\"1970-01-01T00:00:00Z\"");
	buf_free(&b);
}

static const struct test tests[] = {
    {"grow", test_grow},
    {"empty", test_empty},
    {"oom_sticks", test_oom_sticks},
    {"truncate", test_truncate},
    {"json", test_json},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
