/*
 * The connection gate's request scanner (gate.inl includes it): where a
 * request a client is sending ends, by RFC 9112's framing read the way
 * civetweb's own parser will read it, and which requests to refuse
 * before civetweb sees them. Pure: no I/O, no allocation, no state
 * beyond the caller's struct gate_scan. Unit-tested by
 * tests/unit/test_gate.c and fuzzed against civetweb's parser by
 * tests/fuzz/fuzz_gate.c.
 */

/* The scan of one request's bytes (gate_scan). */
enum { GATE_NEED, GATE_COMPLETE, GATE_ERROR };
struct gate_scan {
	/* Progress, kept between calls on one request (all zero for a new
	 * one), so that each byte is looked at about once however the
	 * request is cut into reads. Offsets count from the request line. */
	int searched;   /* head bytes known not to hold its end */
	int head_len;   /* the request line and fields; 0 until found */
	int64_t cl;     /* Content-Length; -1: none */
	int chunked;    /* Transfer-Encoding: chunked */
	int asks_100;   /* Expect: 100-continue */
	int chunk_at;   /* chunked: where the next chunk's size line starts */
	int64_t decoded; /* chunked: body octets so far */
	/* What the last call found. */
	int skip;        /* empty lines before the request, to drop */
	int total;       /* GATE_COMPLETE: head and body, after skip */
	int expect;      /* asks for 100-continue and its body is not all in */
	int status;      /* GATE_ERROR: the HTTP status to answer */
	const char *why; /* GATE_ERROR: one line */
	/* The request target's form (RFC 9112 3.2), found with the head. */
	int star;        /* asterisk-form: OPTIONS * */
	int drop_at;     /* absolute-form: where "scheme://authority" starts */
	int drop_len;    /* and its length, which the gate removes; 0: none */
};

/* RFC 9110 5.6.2 tchar: what a field name and a method are made of. */
static int
gate_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	       || (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c));
}


static int
gate_is(const char *p, size_t n, const char *name)
{
	return (n == strlen(name)) && (mg_strncasecmp(p, name, n) == 0);
}


static int
gate_err(struct gate_scan *sc, int status, const char *why)
{
	sc->status = status;
	sc->why = why;
	return GATE_ERROR;
}


/*
 * The head buf[0..h) (it ends with an empty line, where civetweb ends
 * it): the request line and every field, checked; Content-Length,
 * Transfer-Encoding and Expect into sc. GATE_NEED when all is well (the
 * body may follow), else GATE_ERROR.
 */
static int
gate_fields(const char *buf, int h, int body_max, struct gate_scan *sc)
{
	const char *p, *end = buf + h, *eol, *le, *colon, *v, *ve;
	int nfields = 0, http10, te = 0, hosts = 0;
	char method[16];
	int64_t n;

	sc->cl = -1;
	eol = (const char *)memchr(buf, '\n', (size_t)h);
	le = (eol > buf && eol[-1] == '\r') ? eol - 1 : eol;
	/* method SP request-target SP HTTP-version (RFC 9112 3): one space
	 * each, nothing civetweb would read otherwise. */
	for (p = buf; (p < le) && gate_tchar((unsigned char)*p); p++)
		;
	if ((p == buf) || (p == le) || (*p != ' ')) {
		return gate_err(sc, 400, "a malformed request line");
	}
	/* Methods are case-sensitive (RFC 9110 9.1); civetweb knows the
	 * registered ones, the handlers answer 405 for those they do not
	 * serve. */
	if ((size_t)(p - buf) >= sizeof(method)) {
		return gate_err(sc, 501, "an unknown method");
	}
	memcpy(method, buf, (size_t)(p - buf));
	method[p - buf] = '\0';
	if (get_http_method_info(method) == NULL) {
		return gate_err(sc, 501, "an unknown method");
	}
	for (v = ++p; (p < le) && (*p > ' ') && (*p < 127); p++)
		;
	if ((p == v) || (le - p != 9) || (*p != ' ')
	    || (memcmp(p + 1, "HTTP/", 5) != 0) || !isdigit((unsigned char)p[6])
	    || (p[7] != '.') || !isdigit((unsigned char)p[8])) {
		return gate_err(sc, 400, "a malformed request line");
	}
	if ((memcmp(p + 6, "1.1", 3) != 0) && (memcmp(p + 6, "1.0", 3) != 0)) {
		return gate_err(sc, 505, "HTTP/1.1 and HTTP/1.0 only");
	}
	http10 = (memcmp(p + 6, "1.0", 3) == 0);
	/*
	 * RFC 9112 3.2: origin-form ("/..."); absolute-form, which a server
	 * must accept (3.2.2) and which the gate turns into its path, since
	 * civetweb would close on one naming another host or port without
	 * a word; asterisk-form for OPTIONS only (3.2.4), which the gate
	 * answers itself. Nothing else (authority-form is CONNECT's).
	 */
	sc->star = 0;
	sc->drop_at = sc->drop_len = 0;
	if ((p - v == 1) && (*v == '*')) {
		if (strcmp(method, "OPTIONS") != 0) {
			return gate_err(sc, 400, "an asterisk target is for OPTIONS only");
		}
		sc->star = 1;
	} else if (*v != '/') {
		const char *at = v, *slash;

		if ((p - v > 7) && (mg_strncasecmp(v, "http://", 7) == 0)) {
			at = v + 7;
		} else if ((p - v > 8) && (mg_strncasecmp(v, "https://", 8) == 0)) {
			at = v + 8;
		}
		/* The authority ends at the first "/", "?" or "#" (RFC 3986
		 * 3.2); a path must follow it. */
		for (slash = at; (at != v) && (slash < p) && (*slash != '/')
		                 && (*slash != '?') && (*slash != '#');
		     slash++)
			;
		if ((at == v) || (slash == p) || (*slash != '/') || (slash == at)) {
			return gate_err(sc,
			                400,
			                "a request target neither \"/path\" nor "
			                "\"http://host/path\"");
		}
		sc->drop_at = (int)(v - buf);
		sc->drop_len = (int)(slash - v);
	}
	for (p = eol + 1; p < end; p = eol + 1) {
		eol = (const char *)memchr(p, '\n', (size_t)(end - p));
		le = (eol > p && eol[-1] == '\r') ? eol - 1 : eol;
		if (le == p) {
			/* The empty line that ends the head, where civetweb
			 * ends it too: "\n\r\n" ends nothing for civetweb. */
			if (eol + 1 != end) {
				return gate_err(sc, 400, "an empty line inside the head");
			}
			break;
		}
		if ((*p == ' ') || (*p == '\t')) {
			return gate_err(sc, 400, "obsolete line folding");
		}
		if (memchr(p, '\r', (size_t)(le - p)) != NULL) {
			return gate_err(sc, 400, "a bare CR in a header field");
		}
		if (++nfields > MG_MAX_HEADERS) {
			return gate_err(sc, 400, "more than 64 header fields");
		}
		for (colon = p; (colon < le) && gate_tchar((unsigned char)*colon);
		     colon++)
			;
		if ((colon == p) || (colon == le) || (*colon != ':')) {
			return gate_err(sc, 400, "a malformed header field");
		}
		for (v = colon + 1; (v < le) && ((*v == ' ') || (*v == '\t')); v++)
			;
		for (ve = le; (ve > v) && ((ve[-1] == ' ') || (ve[-1] == '\t'));
		     ve--)
			;
		if (gate_is(p, (size_t)(colon - p), "Content-Length")) {
			if (v == ve) {
				return gate_err(sc, 400, "an empty Content-Length");
			}
			/* Saturates far above any limit: no overflow. */
			for (n = 0; v < ve; v++) {
				if (!isdigit((unsigned char)*v)) {
					return gate_err(sc, 400, "a Content-Length not a number");
				}
				n = (n > ((int64_t)1 << 40)) ? n : n * 10 + (*v - '0');
			}
			if ((sc->cl >= 0) && (n != sc->cl)) {
				return gate_err(sc, 400, "Content-Lengths that differ");
			}
			sc->cl = n;
		} else if (gate_is(p, (size_t)(colon - p), "Transfer-Encoding")) {
			if (te++) {
				return gate_err(sc, 400, "Transfer-Encoding twice");
			}
			if (!gate_is(v, (size_t)(ve - v), "chunked")) {
				return gate_err(sc,
				                501,
				                "a transfer coding other than chunked");
			}
		} else if (gate_is(p, (size_t)(colon - p), "Expect") && !http10) {
			/* RFC 9110 10.1.1: ignored from HTTP/1.0 clients. */
			if (!gate_is(v, (size_t)(ve - v), "100-continue")) {
				return gate_err(sc, 417, "an Expect other than 100-continue");
			}
			sc->asks_100 = 1;
		} else if (gate_is(p, (size_t)(colon - p), "Host")) {
			hosts++;
		}
	}
	/* RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one before. */
	if ((hosts > 1) || ((hosts == 0) && !http10)) {
		return gate_err(sc, 400, "a request without exactly one Host");
	}
	if (te && (sc->cl >= 0)) {
		return gate_err(sc, 400, "both Transfer-Encoding and Content-Length");
	}
	if (te && http10) {
		return gate_err(sc, 400, "Transfer-Encoding in an HTTP/1.0 request");
	}
	if (sc->cl > body_max) {
		return gate_err(sc, 413, "a request body over the limit");
	}
	sc->chunked = te;
	return GATE_NEED;
}


/*
 * Where the chunked body at buf[sc->chunk_at..len) ends (RFC 9112 7.1),
 * in the grammar civetweb's reader takes: hex sizes of at most 8 digits
 * without extensions, each chunk followed by CRLF, the last chunk "0"
 * followed by CRLF and no trailer fields. Goes on from where the last
 * call stopped (sc->chunk_at, sc->decoded: whole chunks only). Sets
 * sc->total on GATE_COMPLETE.
 */
static int
gate_scan_chunked(const char *buf, int len, int body_max, struct gate_scan *sc)
{
	int64_t size;
	int i, q;

	for (;;) {
		q = sc->chunk_at;
		size = 0;
		for (i = q; (i < len) && isxdigit((unsigned char)buf[i]); i++) {
			/* civetweb reads at most 63 octets of a size line */
			if (i - q == 60) {
				return gate_err(sc, 400, "a malformed chunk size");
			}
			size = size * 16
			       + (isdigit((unsigned char)buf[i])
			              ? buf[i] - '0'
			              : (tolower((unsigned char)buf[i]) - 'a' + 10));
			if (size > body_max) {
				return gate_err(sc, 413, "a chunk over the size limit");
			}
		}
		if (i == len) {
			break;
		}
		if ((i == q) || (buf[i] != '\r')) {
			return gate_err(sc, 400, "a malformed chunk size");
		}
		if (i + 1 == len) {
			break;
		}
		if (buf[i + 1] != '\n') {
			return gate_err(sc, 400, "a malformed chunk size");
		}
		if (sc->decoded + size > body_max) {
			return gate_err(sc, 413, "a request body over the limit");
		}
		q = i + 2;
		if (size == 0) {
			/* No trailer fields: civetweb reads exactly CRLF. */
			if ((q < len) && (buf[q] != '\r')) {
				return gate_err(sc, 400, "trailer fields are not accepted");
			}
			if ((q + 1 < len) && (buf[q + 1] != '\n')) {
				return gate_err(sc, 400, "a malformed last chunk");
			}
			if (q + 2 > len) {
				break;
			}
			sc->total = q + 2;
			return GATE_COMPLETE;
		}
		if ((int64_t)len - q < size + 2) {
			break;
		}
		if ((buf[q + size] != '\r') || (buf[q + size + 1] != '\n')) {
			return gate_err(sc, 400, "a chunk longer than its size");
		}
		sc->decoded += size;
		sc->chunk_at = q + (int)size + 2;
	}
	/* Chunk framing may double a body at most; past that it is abuse. */
	if (len - sc->head_len > 2 * body_max + 64) {
		return gate_err(sc, 413, "a request body over the limit");
	}
	return GATE_NEED;
}


/*
 * Scans the bytes buf[0..len) a client sent for one request: whether it
 * is all in (GATE_COMPLETE, sc->total bytes after sc->skip), needs more
 * (GATE_NEED) or is refused (GATE_ERROR, sc->status and sc->why). The head
 * may be head_max bytes, a body body_max; every length is checked against
 * those limits before any arithmetic. sc carries the progress from one
 * call to the next on the same request (more bytes at the end of buf, the
 * skipped empty lines dropped or not): zero it for a new request. Pure: no
 * I/O, no allocation.
 *
 * Refused (RFC 9112): a control character in the head, a malformed
 * request line, obsolete line folding, a bare CR, whitespace before a
 * field's colon, more than MG_MAX_HEADERS fields (civetweb would drop the
 * rest), an empty line inside the head, Transfer-Encoding with
 * Content-Length, twice, in HTTP/1.0 or other than "chunked" (501),
 * Content-Lengths that differ or are not digits, a body over body_max
 * (413), a head over head_max (431), an Expect other than 100-continue
 * (417).
 */
static int
gate_scan(const char *buf,
          int len,
          int head_max,
          int body_max,
          struct gate_scan *sc)
{
	int from, n, r, h;

	sc->skip = sc->total = sc->expect = sc->status = 0;
	sc->why = NULL;
	/* RFC 9112 2.2: empty lines before a request line are ignored. */
	while ((sc->skip < len)
	       && ((buf[sc->skip] == '\r') || (buf[sc->skip] == '\n'))) {
		sc->skip++;
	}
	buf += sc->skip;
	len -= sc->skip;
	if (len == 0) {
		return GATE_NEED;
	}
	if (sc->head_len == 0) {
		/* Where civetweb itself will find the end of the head; a
		 * terminator not found yet ends at or after `searched`. */
		n = (len > head_max) ? head_max : len;
		from = (sc->searched > 3) ? sc->searched - 3 : 0;
		r = (from < n) ? get_http_header_len(buf + from, n - from) : 0;
		if (r < 0) {
			return gate_err(sc, 400, "a control character in the request head");
		}
		if (r == 0) {
			sc->searched = n;
			if (len < head_max) {
				return GATE_NEED;
			}
			/* RFC 9112 3: 414 when the request line itself is it. */
			return (memchr(buf, '\n', (size_t)n) == NULL)
			           ? gate_err(sc, 414, "a request target over the size limit")
			           : gate_err(sc, 431, "a request head over the size limit");
		}
		h = from + r;
		if ((r = gate_fields(buf, h, body_max, sc)) != GATE_NEED) {
			return r;
		}
		sc->head_len = sc->chunk_at = h;
	}
	h = sc->head_len;
	if (sc->chunked) {
		r = gate_scan_chunked(buf, len, body_max, sc);
		sc->expect = (r == GATE_NEED) && sc->asks_100;
		return r;
	}
	if (len - h >= ((sc->cl < 0) ? 0 : sc->cl)) {
		sc->total = h + (int)((sc->cl < 0) ? 0 : sc->cl); /* RFC 9112 6.3 */
		return GATE_COMPLETE;
	}
	sc->expect = sc->asks_100;
	return GATE_NEED;
}
