/*
 * Unit tests for the connection gate's request scanner (gate_scan in
 * third_party/civetweb/gate_scan.inl, RFC 9112 framing): civetweb.c, patched,
 * is compiled into this test, since the scanner is static in it.
 */
#include "civetweb.c"

#include "harness.h"

#define HEAD_MAX 1024
#define BODY_MAX 100

/* One request's bytes and what the scanner must say of them. */
struct gate_vec {
	const char *name;
	const char *in;
	int verdict; /* GATE_NEED, GATE_COMPLETE, GATE_ERROR */
	int status; /* GATE_ERROR */
	int total; /* GATE_COMPLETE: bytes after skip; -1: all of them */
	int skip;
	int expect;
};

static const struct gate_vec vecs[] = {
    {"a GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", GATE_COMPLETE, 0, -1},
    {"bare LF lines", "GET / HTTP/1.1\nHost: a\n\n", GATE_COMPLETE, 0, -1},
    {"a head not ended", "GET / HTTP/1.1\r\nHost: a\r\n", GATE_NEED},
    {"empty lines first", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	GATE_COMPLETE, 0, 27, 4},
    {"nothing but CRLF", "\r\n\r\n", GATE_NEED, 0, 0, 4},
    {"a body not all in",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabc",
	GATE_NEED},
    {"a body all in",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde",
	GATE_COMPLETE, 0, -1},
    {"a pipelined request after the body",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcdeGET / HTTP/1.1\r\n",
	GATE_COMPLETE, 0, 52},
    {"content-length in any case",
	"POST / HTTP/1.1\r\nHost: a\r\ncontent-LENGTH: 2\r\n\r\nab",
	GATE_COMPLETE, 0, -1},
    {"Content-Length with spaces around",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  2 \r\n\r\nab",
	GATE_COMPLETE, 0, -1},
    {"two equal Content-Lengths",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab",
	GATE_COMPLETE, 0, -1},
    {"two Content-Lengths that differ",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab",
	GATE_ERROR, 400},
    {"a Content-Length list",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\n\r\nab",
	GATE_ERROR, 400},
    {"a signed Content-Length",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +2\r\n\r\nab",
	GATE_ERROR, 400},
    {"an empty Content-Length",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", GATE_ERROR,
	400},
    {"Content-Length past INT64_MAX",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999999\r\n\r\n",
	GATE_ERROR, 413},
    {"Content-Length 2^63-1",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n",
	GATE_ERROR, 413},
    {"Content-Length one past the limit",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n", GATE_ERROR,
	413},
    {"Content-Length at the limit",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n", GATE_NEED},
    {"Transfer-Encoding with Content-Length",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
	"\r\n0\r\n\r\n",
	GATE_ERROR, 400},
    {"Transfer-Encoding twice",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	GATE_ERROR, 400},
    {"a transfer coding other than chunked",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	GATE_ERROR, 501},
    {"Transfer-Encoding in HTTP/1.0",
	"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	GATE_ERROR, 400},
    {"a chunked body all in",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	"5\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n",
	GATE_COMPLETE, 0, -1},
    {"a chunked body not all in",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
	GATE_NEED},
    {"a chunked body without its last CRLF",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r",
	GATE_NEED},
    {"a chunk extension",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello"
	"\r\n0\r\n\r\n",
	GATE_ERROR, 400},
    {"trailer fields",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n"
	"\r\n",
	GATE_ERROR, 400},
    {"a chunk longer than its size",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n"
	"0\r\n\r\n",
	GATE_ERROR, 400},
    {"leading zeros in a chunk size",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	"0000000005\r\nhello\r\n0\r\n\r\n",
	GATE_COMPLETE, 0, -1},
    {"a chunk size of 9 digits",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100000000\r\n",
	GATE_ERROR, 413},
    {"an absolute-form target",
	"GET http://a/healthz HTTP/1.1\r\nHost: a\r\n\r\n", GATE_COMPLETE, 0,
	-1},
    {"an absolute-form target with a port, https, any case",
	"GET HTTPS://b.example:8443/ocsp/x HTTP/1.1\r\nHost: a\r\n\r\n",
	GATE_COMPLETE, 0, -1},
    {"an absolute-form target without a path",
	"GET http://a HTTP/1.1\r\nHost: a\r\n\r\n", GATE_ERROR, 400},
    {"an absolute-form target with a query before any slash",
	"GET http://evil?x=/healthz HTTP/1.1\r\nHost: a\r\n\r\n", GATE_ERROR,
	400},
    {"an absolute-form target with a fragment before any slash",
	"GET http://evil#/healthz HTTP/1.1\r\nHost: a\r\n\r\n", GATE_ERROR,
	400},
    {"an absolute-form target with a query after the path",
	"GET http://a/healthz?x=/y HTTP/1.1\r\nHost: a\r\n\r\n", GATE_COMPLETE,
	0, -1},
    {"an absolute-form target without a host",
	"GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", GATE_ERROR, 400},
    {"another scheme", "GET ftp://a/x HTTP/1.1\r\nHost: a\r\n\r\n", GATE_ERROR,
	400},
    {"the authority form", "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n",
	GATE_ERROR, 400},
    {"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", GATE_COMPLETE, 0,
	-1},
    {"the asterisk form with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
	GATE_ERROR, 400},
    {"an unknown method", "FOO / HTTP/1.1\r\nHost: a\r\n\r\n", GATE_ERROR, 501},
    {"a method in lower case", "get / HTTP/1.1\r\nHost: a\r\n\r\n", GATE_ERROR,
	501},
    {"HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", GATE_ERROR, 505},
    {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", GATE_ERROR, 505},
    {"HTTP/1.1 without Host", "GET / HTTP/1.1\r\nX: a\r\n\r\n", GATE_ERROR,
	400},
    {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", GATE_ERROR,
	400},
    {"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", GATE_COMPLETE, 0, -1},
    {"Expect from HTTP/1.0 is ignored",
	"POST / HTTP/1.0\r\nExpect: 200-ok\r\nContent-Length: 3\r\n\r\n",
	GATE_NEED, 0, 0, 0, 0},
    {"a tab around a value",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\t2\t\r\n\r\nab",
	GATE_COMPLETE, 0, -1},
    {"chunks over the body limit",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n",
	GATE_NEED},
    {"chunks one past the body limit",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n",
	GATE_ERROR, 413},
    {"obsolete line folding",
	"GET / HTTP/1.1\r\nHost: a\r\n b\r\nContent-Length: 5\r\n\r\n",
	GATE_ERROR, 400},
    {"folding with a tab", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n",
	GATE_ERROR, 400},
    {"a bare CR",
	"GET / HTTP/1.1\r\nHost: a\r\nX: a\rContent-Length: 5\r\n\r\n",
	GATE_ERROR, 400},
    {"whitespace before the colon",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nabcde",
	GATE_ERROR, 400},
    {"a field without a name", "GET / HTTP/1.1\r\nHost: a\r\n: a\r\n\r\n",
	GATE_ERROR, 400},
    {"a field without a colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", GATE_ERROR,
	400},
    {"a NUL in the head", "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n",
	GATE_ERROR, 400},
    {"Expect: 100-continue, body not in",
	"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
	GATE_NEED, 0, 0, 0, 1},
    {"Expect: 100-continue, body in",
	"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"
	"abc",
	GATE_COMPLETE, 0, -1},
    {"Expect: 100-continue, chunked",
	"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: "
	"chunked\r\n\r\n",
	GATE_NEED, 0, 0, 0, 1},
    {"another Expect", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n",
	GATE_ERROR, 417},
};

/* The vector's input: its C string, or with the NUL in "a NUL". */
static int
vec_len(const struct gate_vec *v)
{
	if (strcmp(v->name, "a NUL in the head") == 0) {
		return 35;
	}
	return (int)strlen(v->in);
}

static void
test_vectors(void)
{
	struct gate_scan sc;
	size_t i;
	int r, len, total;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		len = vec_len(&vecs[i]);
		memset(&sc, 0, sizeof(sc));
		r = gate_scan(vecs[i].in, len, HEAD_MAX, BODY_MAX, &sc);
		total = vecs[i].total < 0 ? len - vecs[i].skip : vecs[i].total;
		if (r != vecs[i].verdict ||
		    (r == GATE_ERROR && sc.status != vecs[i].status) ||
		    (r == GATE_COMPLETE && sc.total != total) ||
		    sc.skip != vecs[i].skip || sc.expect != vecs[i].expect) {
			fprintf(stderr,
			    "  %s: got verdict %d status %d total %d skip %d "
			    "expect %d (%s)\n",
			    vecs[i].name, r, sc.status, sc.total, sc.skip,
			    sc.expect, sc.why ? sc.why : "");
			harness_failures++;
		}
	}
}

/* What the gate does with each request-target form (RFC 9112 3.2). */
static void
test_target_forms(void)
{
	static const char abs[] =
	    "GET http://b.example:8080/ocsp/x HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char star[] = "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char origin[] = "GET /ocsp/x HTTP/1.1\r\nHost: a\r\n\r\n";
	struct gate_scan sc;

	memset(&sc, 0, sizeof(sc));
	CHECK(gate_scan(abs, (int)strlen(abs), HEAD_MAX, BODY_MAX, &sc) ==
	    GATE_COMPLETE);
	/* What goes is exactly "http://b.example:8080", the path stays. */
	CHECK(sc.drop_at == 4 && sc.drop_len == 21 && !sc.star);
	CHECK(memcmp(abs + sc.drop_at + sc.drop_len, "/ocsp/x ", 8) == 0);
	memset(&sc, 0, sizeof(sc));
	CHECK(gate_scan(star, (int)strlen(star), HEAD_MAX, BODY_MAX, &sc) ==
	    GATE_COMPLETE);
	CHECK(sc.star && sc.drop_len == 0);
	memset(&sc, 0, sizeof(sc));
	CHECK(gate_scan(origin, (int)strlen(origin), HEAD_MAX, BODY_MAX, &sc) ==
	    GATE_COMPLETE);
	CHECK(!sc.star && sc.drop_len == 0);
}

/* 64 header fields are civetweb's to keep; the 65th is refused. */
static void
test_field_count(void)
{
	char buf[HEAD_MAX * 4];
	struct gate_scan sc;
	int i, n;

	for (n = 64; n <= 65; n++) {
		int len = 0;

		len += sprintf(buf + len, "GET / HTTP/1.1\r\nHost: a\r\n");
		for (i = 1; i < n; i++) {
			len += sprintf(buf + len, "X%d: y\r\n", i);
		}
		len += sprintf(buf + len, "\r\n");
		memset(&sc, 0, sizeof(sc));
		CHECK(gate_scan(buf, len, (int)sizeof(buf), BODY_MAX, &sc) ==
		    (n == 64 ? GATE_COMPLETE : GATE_ERROR));
		if (n == 65) {
			CHECK(sc.status == 400);
		}
	}
}

/* A head past head_max: 431, complete or not. */
static void
test_head_max(void)
{
	char buf[HEAD_MAX + 64];
	struct gate_scan sc;

	memset(&sc, 0, sizeof(sc));
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET / HTTP/1.1\r\nHost: a\r\nX: ", 28);
	CHECK(
	    gate_scan(buf, HEAD_MAX - 1, HEAD_MAX, BODY_MAX, &sc) == GATE_NEED);
	CHECK(gate_scan(buf, HEAD_MAX, HEAD_MAX, BODY_MAX, &sc) == GATE_ERROR);
	CHECK(sc.status == 431);
	memcpy(buf + HEAD_MAX + 10, "\r\n\r\n", 4);
	CHECK(gate_scan(buf, HEAD_MAX + 14, HEAD_MAX, BODY_MAX, &sc) ==
	    GATE_ERROR);
	CHECK(sc.status == 431);
	/* The request line alone over the limit: 414 (RFC 9112 3). */
	memset(&sc, 0, sizeof(sc));
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET /", 5);
	CHECK(gate_scan(buf, HEAD_MAX, HEAD_MAX, BODY_MAX, &sc) == GATE_ERROR);
	CHECK(sc.status == 414);
}

/*
 * Every prefix of a complete request needs more, never errs, whether it
 * is scanned afresh or as more of the same request (the state the gate
 * keeps between reads); the whole is complete either way.
 */
static void
test_prefixes(void)
{
	static const char *const reqs[] = {
	    "POST /ocsp HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd",
	    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n",
	    "\r\n\nGET / HTTP/1.1\nHost: a\nX: y\n\n",
	};
	struct gate_scan fresh, more;
	size_t i;
	int n, len;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		len = (int)strlen(reqs[i]);
		memset(&more, 0, sizeof(more));
		for (n = 0; n < len; n++) {
			memset(&fresh, 0, sizeof(fresh));
			CHECK(gate_scan(reqs[i], n, HEAD_MAX, BODY_MAX,
				  &fresh) == GATE_NEED);
			CHECK(gate_scan(reqs[i], n, HEAD_MAX, BODY_MAX,
				  &more) == GATE_NEED);
		}
		CHECK(gate_scan(reqs[i], len, HEAD_MAX, BODY_MAX, &more) ==
		    GATE_COMPLETE);
		CHECK(more.total == len - more.skip);
	}
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
	    {"vectors", test_vectors},
	    {"target_forms", test_target_forms},
	    {"field_count", test_field_count},
	    {"head_max", test_head_max},
	    {"prefixes", test_prefixes},
	    {NULL, NULL},
	};

	return harness_main(argc, argv, tests);
}
