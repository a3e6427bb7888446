/*
 * The public listener: OCSP over HTTP (RFC 6960 A.1, RFC 5019 5-6) and
 * /healthz, on civetweb. OCSP-level failures are OCSP responses with
 * HTTP 200; HTTP status codes are only for HTTP misuse.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "civetweb.h"
#include "http.h"

struct http_ocsp {
	struct mg_context *ctx;
	struct responder *r;
	struct http_ocsp_conf conf;
	struct http_ocsp_counts n; /* atomics */
};

static void
bump(int64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

void
http_ocsp_counts(struct http_ocsp *h, struct http_ocsp_counts *out)
{
	struct mg_gate_stats g;
	size_t m, i;

	memset(out, 0, sizeof(*out));
	for (m = 0; m < 2; m++)
		for (i = 0; i < OCSP_RESP_STATUS_COUNT; i++) {
			out->by[m][i] =
			    __atomic_load_n(&h->n.by[m][i], __ATOMIC_RELAXED);
			out->status[i] += out->by[m][i];
			if (m == 0)
				out->get += out->by[m][i];
			else
				out->post += out->by[m][i];
		}
	out->http_errors = __atomic_load_n(&h->n.http_errors, __ATOMIC_RELAXED);
	out->crl = __atomic_load_n(&h->n.crl, __ATOMIC_RELAXED);
	if (mg_get_gate_stats(h->ctx, &g) == 0) {
		out->conn_open = g.open;
		out->conn_accepted = g.accepted;
		out->conn_evicted = g.evicted;
		out->conn_idle_closed = g.idle_closed;
		out->req_timed_out = g.timed_out;
		out->req_rejected = g.rejected;
		out->gate_answered = g.answered;
	}
}

/* Whether an If-None-Match header lists tag (or is "*"). */
static int
etag_matches(const char *inm, const char *tag)
{
	const char *p;

	if (inm == NULL)
		return 0;
	if (strcmp(inm, "*") == 0)
		return 1;
	for (p = inm; (p = strstr(p, tag)) != NULL; p++)
		if (p == inm || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/')
			return 1;
	return 0;
}

static void
send_plain(struct mg_connection *c, int code, const char *reason,
    const char *extra, const char *body)
{
	struct http_ocsp *h = mg_get_user_data(mg_get_context(c));
	char head[512];
	int n;

	n = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d %s\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "%s\r\n",
	    code, reason, strlen(body), extra != NULL ? extra : "");
	if (code >= 400 && code < 500)
		bump(&h->n.http_errors);
	http_send_all(
	    c, head, (size_t)n, (const unsigned char *)body, strlen(body));
}

/*
 * The head (status line, fields, empty line; no Date) of der (len bytes)
 * as a cacheable 200 (RFC 5019 6.2 for OCSP; the same for CRLs):
 * max-age to a margin before nextUpdate (http_max_age), at most cap
 * seconds when cap >= 0, "no-cache" (stored, but revalidated each time)
 * when cap is 0; Last-Modified, Expires, the strong ETag tag, and a 304
 * without a body when the If-None-Match field inm (NULL: none) names it.
 * Writes it to head (room for 768 bytes); returns its length, *hit 1
 * for a 304.
 */
static size_t
cacheable_head(struct http_ocsp *h, const char *type, size_t len,
    int64_t this_update, int64_t next_update, const char *tag, int64_t cap,
    const char *inm, char head[768], int *hit)
{
	char lm[HTTP_DATE_LEN], ex[HTTP_DATE_LEN], cc[96];
	int64_t now = (int64_t)time(NULL),
		age = http_max_age(next_update, now, h->conf.validity);
	int n;

	if (cap == 0) {
		age = 0; /* and Expires now: stale for HTTP/1.0 caches too */
		snprintf(cc, sizeof(cc), "no-cache, no-transform");
	} else {
		if (cap > 0 && age > cap)
			age = cap;
		snprintf(cc, sizeof(cc),
		    "max-age=%lld, public, no-transform, must-revalidate",
		    (long long)age);
	}
	http_date(this_update, lm);
	/* Expires is for HTTP/1.0 caches: nextUpdate (RFC 5019 6.2), or
	 * when a cap shortens max-age, the end of that. */
	http_date(cap >= 0 ? now + age : next_update, ex);
	*hit = etag_matches(inm, tag);
	if (*hit)
		n = snprintf(head, 768, "HTTP/1.1 304 Not Modified\r\n");
	else
		n = snprintf(head, 768,
		    "HTTP/1.1 200 OK\r\n"
		    "Content-Type: %s\r\n"
		    "Content-Length: %zu\r\n",
		    type, len);
	n += snprintf(head + n, 768 - (size_t)n,
	    "Cache-Control: %s\r\n"
	    "Last-Modified: %s\r\n"
	    "Expires: %s\r\n"
	    "ETag: %s\r\n\r\n",
	    cc, lm, ex, tag);
	return (size_t)n;
}

/* Sends der as cacheable_head says, for the request on c. */
static void
send_cacheable(struct http_ocsp *h, struct mg_connection *c, const char *type,
    const unsigned char *der, size_t len, int64_t this_update,
    int64_t next_update, const char *tag, int64_t cap)
{
	char head[768];
	size_t n;
	int hit;

	n = cacheable_head(h, type, len, this_update, next_update, tag, cap,
	    mg_get_header(c, "If-None-Match"), head, &hit);
	http_send_all(c, head, n, hit ? NULL : der, hit ? 0 : len);
}

/*
 * The head of an OCSP answer a (status line, fields, empty line; no
 * Date), into head (room for 768 bytes); returns its length, *with_body
 * 0 for a 304. GET answers that may be cached get RFC 5019's headers
 * (cacheable_head; inm is the If-None-Match field or NULL); one with an
 * "unknown" in it is kept by shared caches for --unknown-max-age at
 * most, since registering the certificate makes it "good" at once.
 */
static size_t
answer_head(struct http_ocsp *h, const struct responder_answer *a, int is_get,
    const char *inm, char head[768], int *with_body)
{
	char tag[OCSP_ETAG_MAX];
	size_t n;
	int hit;

	*with_body = 1;
	if (!is_get || a->status != OCSP_SUCCESSFUL || a->nonce)
		return (size_t)snprintf(head, 768,
		    "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/ocsp-response\r\n"
		    "Content-Length: %zu\r\n"
		    "Cache-Control: no-cache\r\n\r\n",
		    a->len);
	ocsp_resp_etag(a->der, a->len, tag);
	n = cacheable_head(h, "application/ocsp-response", a->len,
	    a->this_update, a->next_update, tag,
	    a->unknown ? h->conf.unknown_max_age : -1, inm, head, &hit);
	*with_body = !hit;
	return n;
}

/* Sends the OCSP answer a to the request on c (answer_head). */
static void
send_answer(struct http_ocsp *h, struct mg_connection *c,
    const struct responder_answer *a, int is_get)
{
	char head[768];
	size_t n;
	int body;

	if (a->der == NULL) {
		send_plain(
		    c, 500, "Internal Server Error", NULL, "out of memory\n");
		return;
	}
	n = answer_head(
	    h, a, is_get, mg_get_header(c, "If-None-Match"), head, &body);
	http_send_all(c, head, n, body ? a->der : NULL, body ? a->len : 0);
}

/*
 * GET /crl/{issuer_id}.crl: the issuer's cached CRL as it was signed.
 * Issuer ids are letters, digits, '.', '_' and '-', so anything else in
 * the name is not one (and never reaches the database).
 */
static void
handle_crl(struct http_ocsp *h, struct mg_connection *c, const char *name)
{
	char id[OB_ID_MAX + 1], tag[128], dec[OB_CRLNUM_DEC + 1];
	unsigned char *der = NULL;
	size_t len, n = strlen(name), i;
	struct ob_crlnum number;
	int64_t this_update = 0, next_update = 0;
	enum ob_err e;

	if (n <= 4 || n - 4 > OB_ID_MAX || strcmp(name + n - 4, ".crl") != 0) {
		send_plain(c, 404, "Not Found", NULL,
		    "CRLs are at /crl/{issuer_id}.crl\n");
		return;
	}
	for (i = 0; i < n - 4; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
			(name[i] >= 'A' && name[i] <= 'Z') ||
			(name[i] >= '0' && name[i] <= '9') || name[i] == '.' ||
			name[i] == '_' || name[i] == '-')) {
			send_plain(
			    c, 404, "Not Found", NULL, "no such issuer\n");
			return;
		}
	memcpy(id, name, n - 4);
	id[n - 4] = '\0';
	e = responder_crl_get(
	    h->r, id, &der, &len, &number, &this_update, &next_update);
	if (e == OB_ERR_NOTFOUND)
		send_plain(c, 404, "Not Found", NULL,
		    "no CRL for this issuer (unknown, or none built or "
		    "imported yet)\n");
	else if (e != OB_OK)
		send_plain(
		    c, 503, "Service Unavailable", NULL, "store unavailable\n");
	else {
		/*
		 * The number and thisUpdate name one CRL of this issuer (a
		 * number taken back by a restore comes with a later time):
		 * no need to hash a CRL that may be megabytes per request.
		 */
		util_crlnum_dec(&number, dec);
		snprintf(tag, sizeof(tag), "\"crl-%s-%lld-%zu\"", dec,
		    (long long)this_update, len);
		bump(&h->n.crl);
		send_cacheable(h, c, "application/pkix-crl", der, len,
		    this_update, next_update, tag, -1);
	}
	free(der);
}

/*
 * Whether a Content-Type (maybe with parameters) names something else
 * than an OCSP request: JSON, text, a form of fields. None at all,
 * application/ocsp-request, application/octet-stream and the
 * x-www-form-urlencoded that `curl --data-binary` sends all may carry one.
 */
static int
foreign_content_type(const char *ct)
{
	static const char *const ok[] = {
	    "application/ocsp-request",
	    "application/octet-stream",
	    "application/x-www-form-urlencoded",
	};
	size_t i, n;

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		n = strlen(ok[i]);
		if (strncasecmp(ct, ok[i], n) == 0 &&
		    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
			return 0;
	}
	return 1;
}

/* Whether path (n bytes) is "/" or "/ocsp", with any number of slashes. */
static int
post_path(const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end && *p == '/')
		p++;
	if (end - p >= 4 && memcmp(p, "ocsp", 4) == 0)
		p += 4;
	while (p < end && *p == '/')
		p++;
	return p == end;
}

static void
handle_post(struct http_ocsp *h, struct mg_connection *c,
    const struct mg_request_info *ri)
{
	struct responder_answer a;
	unsigned char *body = NULL;
	size_t n = 0;
	int r;

	/* The gate refuses these first; here for a listener without it. */
	if (ri->content_length > HTTP_BODY_MAX) {
		mg_set_must_close(c);
		send_plain(c, 413, "Payload Too Large", NULL,
		    "request body over 64 KiB\n");
		return;
	}
	if ((body = malloc(HTTP_BODY_MAX + 1)) == NULL) {
		send_plain(
		    c, 503, "Service Unavailable", NULL, "out of memory\n");
		return;
	}
	/* Chunked or unannounced bodies are read up to the cap, plus one. */
	while (n <= HTTP_BODY_MAX &&
	    (r = mg_read(c, body + n, HTTP_BODY_MAX + 1 - n)) > 0)
		n += (size_t)r;
	if (n > HTTP_BODY_MAX) {
		free(body);
		mg_set_must_close(c);
		send_plain(c, 413, "Payload Too Large", NULL,
		    "request body over 64 KiB\n");
		return;
	}
	responder_answer(h->r, body, n, &a);
	free(body);
	/*
	 * Whatever the Content-Type, a body that is an OCSP request gets its
	 * answer, as openssl ocsp's responder does; one that is not, and
	 * says it is something else, was never meant for us.
	 */
	if (a.status == OCSP_MALFORMED &&
	    foreign_content_type(mg_get_header(c, "Content-Type"))) {
		free(a.der);
		send_plain(c, 415, "Unsupported Media Type", NULL,
		    "not an OCSP request: want Content-Type: "
		    "application/ocsp-request\n");
		return;
	}
	assert((unsigned)a.status < OCSP_RESP_STATUS_COUNT);
	bump(&h->n.by[1][a.status]);
	send_answer(h, c, &a, 0);
	free(a.der);
}

/*
 * civetweb takes at most 16 KiB of request head, so a GET path decodes to
 * at most 12 KiB: a buffer on the stack, no allocation per request.
 */
#define GET_DER_MAX (12 * 1024)

static void
handle_get(struct http_ocsp *h, struct mg_connection *c, const char *path)
{
	struct responder_answer a;
	unsigned char der[GET_DER_MAX];
	size_t n;

	/* A path that is not base64 at all is still an OCSP request gone
	 * wrong: malformedRequest, as for an unparsable POST body. */
	if (ocsp_get_decode(path, strlen(path), der, sizeof(der), &n) != OB_OK)
		n = 0;
	responder_answer(h->r, der, n, &a);
	assert((unsigned)a.status < OCSP_RESP_STATUS_COUNT);
	bump(&h->n.by[0][a.status]);
	send_answer(h, c, &a, 1);
	free(a.der);
}

/*
 * The HTTP gate's own answers (mg_set_gate_answer): a plain GET or POST
 * of an OCSP request (http_head_plain) that the cache answers at once
 * (responder_answer_cached), written whole into out (cap bytes): the
 * status, fields and body handler would send, and counted as handler
 * counts it.
 * Returns their length, or 0 to leave the request to a worker (handler),
 * which answers it as always: /healthz and CRLs, anything not plain, a
 * nonce, an error; -1 for a miss to sign, a page not in memory or a
 * locked database, a wait the next request may not have: the worker
 * gives the connection back to the gate after it (mg_gate_answer_fn).
 * A loop's thread of the gate, so it never waits on a lock or a page
 * read from the disk (store_reads_nowait).
 */
static int
gate_answer(
    void *arg, const char *req, int head_len, int len, char *out, int cap)
{
	struct http_ocsp *h = arg;
	struct responder_answer a;
	struct http_head hd;
	unsigned char der[GET_DER_MAX];
	const unsigned char *q;
	char head[768];
	size_t n, hn, total;
	int get, body, r;

	if (head_len <= 0 || len < head_len || cap < 1024 ||
	    !http_head_plain(req, (size_t)head_len, &hd))
		return 0;
	get = hd.method == HTTP_HEAD_GET;
	if (get) {
		/* /healthz and /crl/... are handler's; a GET has no body. */
		if (len != head_len ||
		    (hd.path_len == 8 && memcmp(hd.path, "/healthz", 8) == 0) ||
		    (hd.path_len >= 5 && memcmp(hd.path, "/crl/", 5) == 0) ||
		    ocsp_get_decode(
			hd.path, hd.path_len, der, sizeof(der), &n) != OB_OK)
			return 0;
		q = der;
	} else {
		if (!post_path(hd.path, hd.path_len))
			return 0;
		q = (const unsigned char *)req + head_len;
		n = (size_t)(len - head_len);
	}
	/* Room for the head and the Date line (http_frame) beside it. */
	if ((r = responder_answer_cached(h->r, q, n,
		 (size_t)cap - sizeof(head) - HTTP_DATE_LEN - 32, &a)) != 1)
		return r;
	hn = answer_head(h, &a, get, NULL, head, &body);
	total = http_frame(out, (size_t)cap, head, hn, a.der, a.len, NULL);
	free(a.der);
	assert(total > 0 && body);
	bump(&h->n.by[get ? 0 : 1][a.status]);
	return (int)total;
}

/*
 * The gate's loop has answered what it read (mg_set_gate_answer): the
 * snapshot its answers shared ends before it reads more.
 */
static void
gate_done(void *arg)
{
	struct http_ocsp *h = arg;

	responder_cached_done(h->r);
}

/* Most issuers /healthz names. */
#define HEALTH_MAX 64

/*
 * /healthz: 503 "store unavailable" when the store does not answer; 200
 * "ok" when every responder certificate is valid beyond the warning
 * period and every issuer loaded; else 200 "degraded" and a line per
 * issuer whose record failed to load at the last reload, and per issuer
 * whose responder (or CA) expires within it or has expired (its answers
 * are then tryLater).
 */
static void
send_health(struct http_ocsp *h, struct mg_connection *c)
{
	struct issuer_state v[HEALTH_MAX];
	struct issuer_failure f[HEALTH_MAX];
	const char *what;
	struct issuers *iss;
	struct ob_buf b = {NULL, 0, 0, 0};
	int64_t now = (int64_t)time(NULL);
	char ts[32], left[24], *text;
	size_t n, nf, i, len;

	if (!responder_healthy(h->r)) {
		send_plain(
		    c, 503, "Service Unavailable", NULL, "store unavailable\n");
		return;
	}
	iss = responder_issuers_hold(h->r);
	n = issuers_health(iss, now, responder_warn(h->r), v, HEALTH_MAX);
	nf = issuers_failures(iss, f, HEALTH_MAX);
	issuers_release(iss);
	for (i = 0; i < nf; i++) {
		if (b.len == 0)
			buf_puts(&b, "degraded\n");
		buf_printf(&b,
		    "issuer %s: %s: its responder key failed to load at the "
		    "last reload (the log says why; fix it, then SIGHUP)\n",
		    f[i].id,
		    f[i].kept ? "answering with its previous responder"
			      : "not answered for");
	}
	for (i = 0; i < n; i++) {
		if (v[i].health == RESPCERT_OK)
			continue;
		if (b.len == 0)
			buf_puts(&b, "degraded\n");
		util_time_format(v[i].not_after, ts, sizeof(ts));
		what = v[i].ca_first ? "CA" : "responder";
		if (v[i].health == RESPCERT_EXPIRED)
			buf_printf(&b,
			    "issuer %s: %s certificate expired at %s; "
			    "answers are tryLater\n",
			    v[i].id, what, ts);
		else
			buf_printf(&b,
			    "issuer %s: %s certificate expires at %s "
			    "(in %s)\n",
			    v[i].id, what, ts,
			    util_time_left(
				v[i].not_after - now, left, sizeof(left)));
	}
	if (b.len == 0) {
		send_plain(c, 200, "OK", NULL, "ok\n");
		return;
	}
	if (buf_finish(&b, &text, &len) != OB_OK) {
		send_plain(c, 200, "OK", NULL, "degraded\n");
		return;
	}
	send_plain(c, 200, "OK", NULL, text);
	free(text);
}

static int
handler(struct mg_connection *c, void *arg)
{
	struct http_ocsp *h = arg;
	const struct mg_request_info *ri = mg_get_request_info(c);
	const char *m = ri->request_method, *path = ri->request_uri;

	if (strcmp(path, "/healthz") == 0) {
		if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0)
			send_plain(c, 405, "Method Not Allowed",
			    "Allow: GET, HEAD\r\n", "method not allowed\n");
		else
			send_health(h, c);
		return 200;
	}
	if (strcmp(m, "POST") == 0) {
		if (!post_path(path, strlen(path)))
			send_plain(c, 404, "Not Found", NULL,
			    "POST OCSP requests to / or /ocsp\n");
		else
			handle_post(h, c, ri);
	} else if ((strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0) &&
	    strncmp(path, "/crl/", 5) == 0)
		handle_crl(h, c, path + 5);
	else if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		handle_get(h, c, path);
	else
		send_plain(c, 405, "Method Not Allowed",
		    "Allow: GET, HEAD, POST\r\n", "method not allowed\n");
	return 200;
}

enum ob_err
http_ocsp_start(struct responder *r, const struct http_ocsp_conf *conf,
    struct http_ocsp **out, char *errbuf, size_t errsz)
{
	struct http_listen_conf lc = conf->lc;
	struct http_ocsp *h;
	enum ob_err e;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return OB_ERR_NOMEM;
	h->r = r;
	h->conf = *conf;
	lc.decode_url = 0; /* We decode GET paths ourselves, leniently. */
	if ((e = http_start(&lc, handler, h, &h->ctx, errbuf, errsz)) !=
	    OB_OK) {
		free(h);
		return e;
	}
	/* Until this, the gate leaves every request to the workers. */
	if (mg_set_gate_answer(h->ctx, gate_answer, gate_done, h) != 0)
		log_warnx("http: the gate answers nothing itself (no gate)");
	*out = h;
	return OB_OK;
}

void
http_ocsp_stop(struct http_ocsp *h)
{
	if (h == NULL)
		return;
	mg_stop(h->ctx); /* waits for the workers to finish */
	free(h);
}
