/*
 * libFuzzer target: the connection gate's request scanner (gate_scan,
 * third_party/civetweb/gate_scan.inl) against civetweb's own parser. Whatever
 * the gate hands a worker as one complete request, civetweb must read
 * the same way: the same head, the same Content-Length, at most
 * MG_MAX_HEADERS fields, a path for a target. A disagreement is how
 * requests get smuggled. A head that http_head_plain (src/http_head.c)
 * takes as plain, for an answer the gate gives itself, must be what
 * civetweb reads too: the same method, path and version, kept alive.
 * civetweb's parser also meets every input unscreened, for its own
 * memory safety.
 */
#include "civetweb.c"

#include "codec.h" /* http_head_plain, for what the gate answers itself;
                     http_accepts_gzip */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_request_info ri;
	struct gate_scan sc, inc;
	int ri_, cut, i;
	const char *cl, *te, *ch;
	struct http_head hd;
	struct vec opt, eq;
	char *copy, *plain;
	int r, len;
	long long n;

	if (size > 8192) {
		return 0;
	}
	len = (int)size;
	/* civetweb's own parser on anything at all, as a worker would meet
	 * it were the gate not in front. */
	if ((copy = (char *)mg_malloc(size + 1)) == NULL) {
		return 0;
	}
	memcpy(copy, data, size);
	copy[size] = '\0';
	memset(&ri, 0, sizeof(ri));
	(void)parse_http_request(copy, len, &ri);
	/* The panel's Accept-Encoding reading (http_head.c) on the same
	 * bytes as one field value: a yes or a no, nothing read past the
	 * NUL. */
	memcpy(copy, data, size);
	if ((unsigned)http_accepts_gzip(copy) > 1) {
		abort();
	}
	mg_free(copy);
	memset(&sc, 0, sizeof(sc));
	r = gate_scan((const char *)data, len, 2048, 512, &sc);
	/* The same bytes arriving in pieces, scanned with the state the gate
	 * keeps between reads, end the same way. */
	memset(&inc, 0, sizeof(inc));
	ri_ = GATE_NEED;
	for (cut = 0; (cut < len) && (ri_ == GATE_NEED);) {
		cut += 1 + (data[cut] % 97);
		ri_ = gate_scan((const char *)data, (cut < len) ? cut : len,
		    2048, 512, &inc);
	}
	if ((ri_ == GATE_ERROR) != (r == GATE_ERROR)) {
		abort();
	}
	if ((ri_ == GATE_COMPLETE) &&
	    ((r != GATE_COMPLETE) || (inc.total != sc.total))) {
		abort(); /* complete on a prefix: where the whole ends it */
	}
	if ((r == GATE_COMPLETE) && (ri_ == GATE_NEED)) {
		abort();
	}
	if (sc.skip < 0 || sc.skip > len) {
		abort();
	}
	if (r == GATE_ERROR) {
		if (sc.status < 400 || sc.status > 599 || sc.why == NULL) {
			abort();
		}
		return 0;
	}
	if (r != GATE_COMPLETE) {
		return 0;
	}
	if (sc.total <= 0 || sc.total > len - sc.skip || sc.head_len <= 0 ||
	    sc.head_len > sc.total || sc.head_len > 2048 ||
	    sc.total - sc.head_len > 2 * 512 + 64) {
		abort();
	}
	/* civetweb parses a NUL-terminated copy, as a worker's buffer. */
	if ((copy = (char *)mg_malloc((size_t)sc.total + 1)) == NULL) {
		return 0;
	}
	memcpy(copy, (const char *)data + sc.skip, (size_t)sc.total);
	copy[sc.total] = '\0';
	/* The gate turns an absolute-form target into its path. */
	if (sc.drop_len > 0) {
		if ((sc.drop_at <= 0) ||
		    (sc.drop_at + sc.drop_len >= sc.head_len)) {
			abort();
		}
		memmove(copy + sc.drop_at, copy + sc.drop_at + sc.drop_len,
		    (size_t)(sc.total - sc.drop_at - sc.drop_len) + 1);
		sc.total -= sc.drop_len;
		sc.head_len -= sc.drop_len;
	}
	/* civetweb writes into what it parses: http_head_plain's copy. */
	if ((plain = (char *)mg_malloc((size_t)sc.total + 1)) == NULL) {
		mg_free(copy);
		return 0;
	}
	memcpy(plain, copy, (size_t)sc.total + 1);
	memset(&ri, 0, sizeof(ri));
	if ((r = parse_http_request(copy, sc.total, &ri)) > 0) {
		/* The same end of the head. */
		if ((r != sc.head_len) || (ri.num_headers > MG_MAX_HEADERS)) {
			abort();
		}
		/* What reaches a handler is a path, or OPTIONS *, which the
		 * gate answers itself. */
		if (sc.star ? ((strcmp(ri.request_method, "OPTIONS") != 0) ||
				  (get_uri_type(ri.request_uri) != 1))
			    : (get_uri_type(ri.request_uri) != 2)) {
			abort();
		}
		te = get_header(
		    ri.http_headers, ri.num_headers, "Transfer-Encoding");
		cl = get_header(
		    ri.http_headers, ri.num_headers, "Content-Length");
		if (te == NULL) {
			/* The body civetweb will read is the one the gate read. */
			n = (cl != NULL) ? strtoll(cl, NULL, 10) : 0;
			if (n != sc.total - sc.head_len) {
				abort();
			}
		}
		if (http_head_plain(plain, (size_t)sc.head_len, &hd)) {
			/* No "close" token in any Connection field, as
			 * should_keep_alive reads them. */
			for (i = 0; i < ri.num_headers; i++) {
				if (mg_strcasecmp(ri.http_headers[i].name,
					"Connection")) {
					continue;
				}
				ch = ri.http_headers[i].value;
				while (
				    (ch = next_option(ch, &opt, &eq)) != NULL) {
					if ((opt.len != 10) ||
					    mg_strncasecmp(
						opt.ptr, "keep-alive", 10)) {
						abort();
					}
				}
			}
			if ((strcmp(ri.request_method,
				 (hd.method == HTTP_HEAD_GET) ? "GET"
							      : "POST") != 0) ||
			    (strcmp(ri.http_version, "1.1") != 0) ||
			    (te != NULL) ||
			    (strcspn(ri.request_uri, "?") != hd.path_len) ||
			    (memcmp(ri.request_uri, hd.path, hd.path_len) !=
				0) ||
			    (get_header(ri.http_headers, ri.num_headers,
				 "If-None-Match") != NULL)) {
				abort();
			}
		}
	} else if (http_head_plain(plain, (size_t)sc.head_len, &hd)) {
		abort(); /* plain to us, not a request to civetweb */
	}
	mg_free(plain);
	mg_free(copy);
	return 0;
}
