/* Unit tests for http.c's pure parts (HTTP dates and max-age, the framing
 * of an answer) and for http_head.c (plain request heads, Accept-Encoding). */
#include <stdint.h>
#include <stdio.h>
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

/* http_head_plain: what the gate may answer itself, and what not. */
static void
test_head_plain(void)
{
	static const struct {
		const char *head;
		int plain;
		enum http_head_method m;
		const char *path;
	} v[] = {
	    {"GET /MEIw HTTP/1.1\r\nHost: a\r\n\r\n", 1, HTTP_HEAD_GET,
		"/MEIw"},
	    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n", 1,
		HTTP_HEAD_POST, "/"},
	    /* bare LF lines, a query, keep-alive, spaces around values */
	    {"GET /ocsp/MEIw?x=1 HTTP/1.1\nhost:a\nConnection:  Keep-Alive \n\n",
		1, HTTP_HEAD_GET, "/ocsp/MEIw"},
	    {"POST /ocsp HTTP/1.1\r\nHost: a\r\nContent-Type: "
	     "application/ocsp-request\r\nUser-Agent: x\r\n\r\n",
		1, HTTP_HEAD_POST, "/ocsp"},
	    /* not plain: other methods, versions, targets */
	    {"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0, NULL},
	    {"get / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0, NULL},
	    {"PUT / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.0\r\nHost: a\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 0, 0, NULL},
	    {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0, NULL},
	    {"GET * HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0, NULL},
	    {"GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0, NULL},
	    {"GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0, NULL},
	    {"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0, NULL},
	    /* Host: none, or twice */
	    {"GET / HTTP/1.1\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 0, 0, NULL},
	    /* fields whose effect a plain answer would miss */
	    {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 0, 0,
		NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nconnection: keep-alive, Upgrade\r\n"
	     "\r\n",
		0, 0, NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"x\"\r\n\r\n", 0, 0,
		NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nif-modified-since: x\r\n\r\n", 0, 0,
		NULL},
	    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	     "\r\n",
		0, 0, NULL},
	    {"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", 0, 0,
		NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nIf-Match: *\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nIf-Unmodified-Since: x\r\n\r\n", 0,
		0, NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nIf-Range: x\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nTE: trailers\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nKeep-Alive: 5\r\n\r\n", 0, 0, NULL},
	    /* broken heads */
	    {"GET / HTTP/1.1\r\nHost: a\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1\r\n: a\r\nHost: a\r\n\r\n", 0, 0, NULL},
	    {"GET / HTTP/1.1\r\nHost: a\r\n\r\nX", 0, 0, NULL},
	    {"", 0, 0, NULL},
	    {"\n", 0, 0, NULL},
	};
	struct http_head h;
	size_t i;
	int r;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		r = http_head_plain(v[i].head, strlen(v[i].head), &h);
		if (r != v[i].plain)
			fprintf(stderr, "  case %zu: %s\n", i, v[i].head);
		CHECK(r == v[i].plain);
		if (r && v[i].plain) {
			CHECK(h.method == v[i].m);
			CHECK(h.path_len == strlen(v[i].path) &&
			    memcmp(h.path, v[i].path, h.path_len) == 0);
		}
	}
}

/* http_accepts_gzip: RFC 9110 12.5.3's reading of Accept-Encoding. */
static void
test_accepts_gzip(void)
{
	static const struct {
		const char *v;
		int want;
	} v[] = {
	    /* no field: no preference */
	    {NULL, 1},
	    /* what browsers and curl --compressed send */
	    {"gzip, deflate, br, zstd", 1},
	    {"deflate, gzip", 1},
	    {"GZIP", 1},
	    {"x-gzip", 1},
	    {"*", 1},
	    {"br;q=1.0, gzip;q=0.8, *;q=0.1", 1},
	    {"gzip ; q=0.001", 1},
	    {" gzip\t,", 1},
	    {"gzip;q=1", 1},
	    {"gzip;Q=1.000", 1},
	    /* refused */
	    {"", 0},
	    {"identity", 0},
	    {"br, deflate", 0},
	    {"gzip;q=0", 0},
	    {"gzip;q=0.000", 0},
	    {"gzip;q=0, *", 0},
	    {"*, gzip;q=0", 0},
	    {"*;q=0", 0},
	    {"identity, *;q=0", 0},
	    {"gzipx", 0},
	    {"gzi", 0},
	    /* an element that cannot be read is not listed */
	    {"gzip;q=2", 0},
	    {"gzip;q=0.5.5", 0},
	    {"gzip;q=1.5", 0},
	    {"gzip;q=", 0},
	    {"gzip;q=0.12345", 0},
	    {"gzip;level=9", 0},
	    {"gzip;q=abc, *", 1},
	    /* listed twice: one acceptable listing is enough */
	    {"gzip;q=0, gzip", 1},
	    {",,, ,gzip", 1},
	};
	size_t i;
	int r;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		r = http_accepts_gzip(v[i].v);
		if (r != v[i].want)
			fprintf(stderr, "  case %zu: %s\n", i,
			    v[i].v ? v[i].v : "(none)");
		CHECK(r == v[i].want);
	}
}

/* http_frame: Date after the status line, Connection: close, the body. */
static void
test_frame(void)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nA: b\r\n\r\n";
	static const unsigned char body[] = "xyz";
	char out[256], date[HTTP_DATE_LEN];
	size_t n;

	n = http_frame(out, sizeof(out), head, strlen(head), body, 3, NULL);
	CHECK(n == strlen(head) + 6 + HTTP_DATE_LEN - 1 + 2 + 3);
	CHECK(memcmp(out, "HTTP/1.1 200 OK\r\nDate: ", 23) == 0);
	memcpy(date, out + 23, HTTP_DATE_LEN - 1);
	date[HTTP_DATE_LEN - 1] = '\0';
	CHECK(strstr(date, " GMT") == date + HTTP_DATE_LEN - 5);
	CHECK(memcmp(out + 23 + HTTP_DATE_LEN - 1, "\r\nA: b\r\n\r\nxyz", 13) ==
	    0);
	n = http_frame(out, sizeof(out), head, strlen(head), NULL, 0, "close");
	CHECK(n > 0 &&
	    memcmp(out + n - 27, "Connection: close\r\nA: b\r\n\r\n", 27) == 0);
	/* too small: nothing */
	CHECK(http_frame(out, 40, head, strlen(head), body, 3, NULL) == 0);
}

static const struct test tests[] = {
    {"date", test_date},
    {"max_age", test_max_age},
    {"head_plain", test_head_plain},
    {"accepts_gzip", test_accepts_gzip},
    {"frame", test_frame},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
