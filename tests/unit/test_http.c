/* Unit tests for http.c's pure parts: HTTP dates and max-age. */
#include <stdint.h>
#include <string.h>

#include "http.h"
#include "harness.h"

static void
test_date(void)
{
	static const struct {
		int64_t t;
		const char *want;
	} v[] = {
	    /* RFC 9110 5.6.7's own example */
	    {784111777, "Sun, 06 Nov 1994 08:49:37 GMT"},
	    {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
	    {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
	    {1795437296, "Mon, 23 Nov 2026 12:34:56 GMT"},
	    {4102444799LL, "Thu, 31 Dec 2099 23:59:59 GMT"},
	};
	char out[HTTP_DATE_LEN];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(out, 'x', sizeof(out));
		http_date(v[i].t, out);
		CHECK_STR(out, v[i].want);
	}
}

/* max-age ends before nextUpdate by the margin and the rounding second. */
static void
test_max_age(void)
{
	static const struct {
		int64_t next, now, validity, want;
	} v[] = {
	    /* a day's validity: 60 s margin, one rounding second */
	    {1000 + 86400, 1000, 86400, 86400 - 61},
	    {1000 + 3600, 1000, 86400, 3600 - 61},
	    /* a short validity: half of it */
	    {1000 + 100, 1000, 100, 100 - 51},
	    {1000 + 40, 1000, 40, 40 - 21},
	    /* at the end, or past it: 0 */
	    {1000 + 61, 1000, 86400, 0},
	    {1000 + 30, 1000, 86400, 0},
	    {1000, 2000, 86400, 0},
	    /* a clock stepped back: never over the validity */
	    {1000 + 86400, 1000 - 3600, 86400, 86400},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK(http_max_age(v[i].next, v[i].now, v[i].validity) ==
		    v[i].want);
	/* Whenever within the second it is received, it expires before. */
	for (i = 0; i < 1000; i++) {
		int64_t now = 5000 + (int64_t)i, next = 5000 + 7200,
			age = http_max_age(next, now, 7200);

		CHECK(now + 1 + age <= next - 60);
	}
}

static const struct test tests[] = {
    {"date", test_date},
    {"max_age", test_max_age},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
