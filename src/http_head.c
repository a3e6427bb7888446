/*
 * Reading an HTTP/1.1 request head strictly, for the answers the HTTP
 * gate gives on its own thread (http_ocsp.c): only the plainest request
 * is one, and anything else is left to civetweb's full parser in a
 * worker. Pure: no I/O, no allocation. Unit-tested by test_http.c;
 * fuzz_gate.c checks it against civetweb's own parser.
 */
#include <string.h>
#include <strings.h>

#include "codec.h"

/* Whether the n bytes at p are name, in any case (field names, RFC 9110
 * 5.1). */
static int
is_name(const char *p, size_t n, const char *name)
{
	return n == strlen(name) && strncasecmp(p, name, n) == 0;
}

/* Whether the field value v (n bytes, without surrounding whitespace)
 * keeps the connection open as it would be without it. */
static int
keeps_alive(const char *v, size_t n)
{
	return is_name(v, n, "keep-alive");
}

/*
 * The fields whose effect a plain answer would miss: the connection's
 * fate, conditional requests (a 304), a body not framed by
 * Content-Length, a protocol switch, 100-continue.
 */
static int
unplain_field(const char *name, size_t n, const char *v, size_t vn)
{
	static const char *const no[] = {
	    "If-None-Match",
	    "If-Match",
	    "If-Modified-Since",
	    "If-Unmodified-Since",
	    "If-Range",
	    "Transfer-Encoding",
	    "Upgrade",
	    "Expect",
	    "TE",
	    "Keep-Alive",
	};
	size_t i;

	if (is_name(name, n, "Connection"))
		return !keeps_alive(v, vn);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (is_name(name, n, no[i]))
			return 1;
	return 0;
}

int
http_head_plain(const char *head, size_t len, struct http_head *out)
{
	const char *p = head, *end = head + len, *eol, *le, *t, *colon, *v, *ve;
	size_t hosts = 0;

	memset(out, 0, sizeof(*out));
	/* The head ends with its empty line (CRLF CRLF, or LF LF). */
	if (len < 2 || head[len - 1] != '\n')
		return 0;
	if ((eol = memchr(p, '\n', len)) == NULL)
		return 0;
	le = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
	/* request-line = method SP request-target SP HTTP-version */
	if (le - p > 4 && memcmp(p, "GET ", 4) == 0) {
		out->method = HTTP_HEAD_GET;
		p += 4;
	} else if (le - p > 5 && memcmp(p, "POST ", 5) == 0) {
		out->method = HTTP_HEAD_POST;
		p += 5;
	} else
		return 0;
	/* origin-form (RFC 9112 3.2.1), visible ASCII only, as civetweb
	 * takes it; the query is not part of the path. */
	if (p >= le || *p != '/')
		return 0;
	for (t = p; t < le && *t != ' '; t++)
		if ((unsigned char)*t < 33 || (unsigned char)*t > 126)
			return 0;
	if (le - t != 9 || memcmp(t, " HTTP/1.1", 9) != 0)
		return 0;
	out->path = p;
	out->path_len = (size_t)(t - p);
	if ((v = memchr(p, '?', out->path_len)) != NULL)
		out->path_len = (size_t)(v - p);
	/* field-line = field-name ":" OWS field-value OWS */
	for (p = eol + 1; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return 0;
		le = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		if (le == p)
			/* The empty line ends the head; HTTP/1.1 names its
			 * host once (RFC 9112 3.2). */
			return eol + 1 == end && hosts == 1;
		if (*p == ' ' || *p == '\t')
			return 0; /* obsolete line folding */
		if ((colon = memchr(p, ':', (size_t)(le - p))) == NULL ||
		    colon == p)
			return 0;
		for (t = p; t < colon; t++)
			if (*t == ' ' || *t == '\t')
				return 0;
		for (v = colon + 1; v < le && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = le; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		if (unplain_field(p, (size_t)(colon - p), v, (size_t)(ve - v)))
			return 0;
		if (is_name(p, (size_t)(colon - p), "Host"))
			hosts++;
	}
	return 0; /* no empty line */
}

/* Whether the qvalue text at p (n bytes: "0", "0.5", "1.000") is above
 * zero (RFC 9110 12.4.2); -1 when it is not a qvalue. */
static int
qvalue_positive(const char *p, size_t n)
{
	size_t i;
	int nonzero = 0;

	if (n == 0 || (p[0] != '0' && p[0] != '1'))
		return -1;
	if (n > 1 && (p[1] != '.' || n > 5))
		return -1;
	for (i = 2; i < n; i++)
		if (p[i] < '0' || p[i] > '9' || (p[0] == '1' && p[i] != '0'))
			return -1;
	if (p[0] == '1')
		return 1;
	for (i = 2; i < n; i++)
		nonzero |= p[i] != '0';
	return nonzero;
}

int
http_accepts_gzip(const char *v)
{
	const char *p, *e, *semi, *w, *we, *qe;
	int gzip = -1, star = -1, q;

	if (v == NULL)
		return 1; /* no preference (RFC 9110 12.5.3) */
	for (p = v; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = p + strcspn(p, ",");
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		semi = memchr(p, ';', (size_t)(e - p));
		we = semi != NULL ? semi : e;
		while (we > p && (we[-1] == ' ' || we[-1] == '\t'))
			we--;
		q = 1;
		if (semi != NULL) {
			/* weight = OWS ";" OWS "q=" qvalue */
			for (w = semi + 1; w < e && (*w == ' ' || *w == '\t');
			     w++)
				;
			if (e - w < 2 || (w[0] != 'q' && w[0] != 'Q') ||
			    w[1] != '=')
				continue; /* another parameter: not ours */
			w += 2;
			for (qe = e;
			     qe > w && (qe[-1] == ' ' || qe[-1] == '\t'); qe--)
				;
			if ((q = qvalue_positive(w, (size_t)(qe - w))) < 0)
				continue;
		}
		if (is_name(p, (size_t)(we - p), "gzip") ||
		    is_name(p, (size_t)(we - p), "x-gzip"))
			gzip = gzip > 0 ? 1 : q;
		else if (is_name(p, (size_t)(we - p), "*"))
			star = star > 0 ? 1 : q;
	}
	if (gzip >= 0)
		return gzip;
	return star > 0;
}
