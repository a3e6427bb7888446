/*
 * The public listener: OCSP over HTTP (RFC 6960 A.1, RFC 5019 5-6) and
 * /healthz, on civetweb. OCSP-level failures are OCSP responses with
 * HTTP 200; HTTP status codes are only for HTTP misuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <mbedtls/sha256.h>

#include "civetweb.h"
#include "extern.h"

struct http_ocsp {
	struct mg_context *ctx;
	struct responder *r;
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
	size_t m, i;

	memset(out, 0, sizeof(*out));
	for (m = 0; m < 2; m++)
		for (i = 0; i < 7; i++) {
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
}

/* HTTP-date (RFC 7231 7.1.1.1) of t. */
static void
http_date(int64_t t, char *buf, size_t sz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(buf, sz, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* A strong ETag: the first 16 octets of the SHA-256 of the body, in hex. */
static void
etag(const unsigned char *der, size_t len, char out[35])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[32];
	int i;

	mbedtls_sha256_ret(der, len, h, 0);
	out[0] = '"';
	for (i = 0; i < 16; i++) {
		out[1 + 2 * i] = hex[h[i] >> 4];
		out[2 + 2 * i] = hex[h[i] & 0xf];
	}
	out[33] = '"';
	out[34] = '\0';
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

/*
 * Sends head and body in one write: two small writes on one connection
 * meet Nagle's algorithm and the peer's delayed ACK, 40 ms a response.
 */
void
http_send_all(struct mg_connection *c, const char *head, size_t hlen,
    const unsigned char *body, size_t blen)
{
	char *buf;

	/* A HEAD answer has the headers of GET's, Content-Length too. */
	if (strcmp(mg_get_request_info(c)->request_method, "HEAD") == 0)
		blen = 0;

	if ((buf = malloc(hlen + blen)) == NULL) {
		mg_write(c, head, hlen);
		if (blen > 0)
			mg_write(c, body, blen);
		return;
	}
	memcpy(buf, head, hlen);
	if (blen > 0)
		memcpy(buf + hlen, body, blen);
	mg_write(c, buf, hlen + blen);
	free(buf);
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
 * Sends der as a cacheable 200 (RFC 5019 6.2 for OCSP; the same for
 * CRLs): max-age up to nextUpdate, Last-Modified, Expires, a strong ETag
 * (given_tag, else one from a hash of der), and 304 without a body when
 * If-None-Match names it.
 */
static void
send_cacheable(struct mg_connection *c, const char *type,
    const unsigned char *der, size_t len, int64_t this_update,
    int64_t next_update, const char *given_tag)
{
	char head[768], lm[64], ex[64], tag[64];
	int64_t age = next_update - (int64_t)time(NULL);
	int n, hit;

	if (age < 0)
		age = 0;
	http_date(this_update, lm, sizeof(lm));
	http_date(next_update, ex, sizeof(ex));
	if (given_tag != NULL)
		snprintf(tag, sizeof(tag), "%s", given_tag);
	else
		etag(der, len, tag);
	hit = etag_matches(mg_get_header(c, "If-None-Match"), tag);
	if (hit)
		n = snprintf(
		    head, sizeof(head), "HTTP/1.1 304 Not Modified\r\n");
	else
		n = snprintf(head, sizeof(head),
		    "HTTP/1.1 200 OK\r\n"
		    "Content-Type: %s\r\n"
		    "Content-Length: %zu\r\n",
		    type, len);
	n += snprintf(head + n, sizeof(head) - (size_t)n,
	    "Cache-Control: max-age=%lld, public, no-transform, "
	    "must-revalidate\r\n"
	    "Last-Modified: %s\r\n"
	    "Expires: %s\r\n"
	    "ETag: %s\r\n\r\n",
	    (long long)age, lm, ex, tag);
	http_send_all(c, head, (size_t)n, hit ? NULL : der, hit ? 0 : len);
}

/* Sends an OCSP answer; GET answers that may be cached get RFC 5019's. */
static void
send_answer(
    struct mg_connection *c, const struct responder_answer *a, int is_get)
{
	char head[256];
	int n;

	if (a->der == NULL) {
		send_plain(
		    c, 500, "Internal Server Error", NULL, "out of memory\n");
		return;
	}
	if (!is_get || a->status != OCSP_SUCCESSFUL || a->nonce) {
		n = snprintf(head, sizeof(head),
		    "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/ocsp-response\r\n"
		    "Content-Length: %zu\r\n"
		    "Cache-Control: no-cache\r\n\r\n",
		    a->len);
		http_send_all(c, head, (size_t)n, a->der, a->len);
		return;
	}
	send_cacheable(c, "application/ocsp-response", a->der, a->len,
	    a->this_update, a->next_update, NULL);
}

/*
 * GET /crl/{issuer_id}.crl: the issuer's cached CRL as it was signed.
 * Issuer ids are letters, digits, '.', '_' and '-', so anything else in
 * the name is not one (and never reaches the database).
 */
static void
handle_crl(struct http_ocsp *h, struct mg_connection *c, const char *name)
{
	char id[OB_ID_MAX + 1], tag[64];
	unsigned char *der = NULL;
	size_t len, n = strlen(name), i;
	int64_t number = 0, this_update = 0, next_update = 0;
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
		snprintf(tag, sizeof(tag), "\"crl-%lld-%lld-%zu\"",
		    (long long)number, (long long)this_update, len);
		bump(&h->n.crl);
		send_cacheable(c, "application/pkix-crl", der, len, this_update,
		    next_update, tag);
	}
	free(der);
}

/* Whether a Content-Type (maybe with parameters) is the OCSP one. */
static int
ocsp_content_type(const char *ct)
{
	size_t n = strlen("application/ocsp-request");

	if (ct == NULL)
		return 1; /* lenient: some clients send none */
	return strncasecmp(ct, "application/ocsp-request", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Whether path is "/" or "/ocsp", with any number of slashes. */
static int
post_path(const char *p)
{
	while (*p == '/')
		p++;
	if (strncmp(p, "ocsp", 4) == 0)
		p += 4;
	while (*p == '/')
		p++;
	return *p == '\0';
}

static void
handle_post(struct http_ocsp *h, struct mg_connection *c,
    const struct mg_request_info *ri)
{
	struct responder_answer a;
	unsigned char *body = NULL;
	size_t n = 0;
	int r;

	if (!ocsp_content_type(mg_get_header(c, "Content-Type"))) {
		send_plain(c, 415, "Unsupported Media Type", NULL,
		    "want Content-Type: application/ocsp-request\n");
		return;
	}
	if (ri->content_length > HTTP_BODY_MAX) {
		send_plain(c, 413, "Payload Too Large", "Connection: close\r\n",
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
		send_plain(c, 413, "Payload Too Large", "Connection: close\r\n",
		    "request body over 64 KiB\n");
		return;
	}
	responder_answer(h->r, body, n, &a);
	free(body);
	bump(&h->n.by[1][a.status]);
	send_answer(c, &a, 0);
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
	bump(&h->n.by[0][a.status]);
	send_answer(c, &a, 1);
	free(a.der);
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
		else if (responder_healthy(h->r))
			send_plain(c, 200, "OK", NULL, "ok\n");
		else
			send_plain(c, 503, "Service Unavailable", NULL,
			    "store unavailable\n");
		return 200;
	}
	if (strcmp(m, "POST") == 0) {
		if (!post_path(path))
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

/* civetweb's own errors (bad request lines, say): one line to stderr. */
static int
log_message(const struct mg_connection *c, const char *msg)
{
	(void)c;
	fprintf(stderr, "ocspbox: http: %s\n", msg);
	return 1;
}

enum ob_err
http_start(const char **opts, int (*fn)(struct mg_connection *, void *),
    void *user, struct mg_context **ctx, char *errbuf, size_t errsz)
{
	struct mg_callbacks cb;
	struct mg_init_data init;
	struct mg_error_data err;
	char errtext[256];

	memset(&cb, 0, sizeof(cb));
	cb.log_message = log_message;
	memset(&init, 0, sizeof(init));
	init.callbacks = &cb;
	init.user_data = user;
	init.configuration_options = opts;
	memset(&err, 0, sizeof(err));
	errtext[0] = '\0';
	err.text = errtext;
	err.text_buffer_size = sizeof(errtext);
	if ((*ctx = mg_start2(&init, &err)) == NULL) {
		snprintf(errbuf, errsz, "listen %s: %s", opts[1],
		    errtext[0] != '\0' ? errtext : "cannot start");
		return OB_ERR_IO;
	}
	mg_set_request_handler(*ctx, "/", fn, user);
	return OB_OK;
}

enum ob_err
http_ocsp_start(struct responder *r, const struct http_ocsp_conf *conf,
    struct http_ocsp **out, char *errbuf, size_t errsz)
{
	struct http_ocsp *h;
	char threads[16], rto[16], kato[16], fbto[16], maxconn[16], body[16],
	    budget[16];
	enum ob_err e;
	const char *opts[] = {
	    "listening_ports",
	    conf->listen,
	    "num_threads",
	    threads,
	    "request_timeout_ms",
	    rto,
	    "keep_alive_timeout_ms",
	    kato,
	    "first_byte_timeout_ms",
	    fbto,
	    "max_connections",
	    maxconn,
	    "max_request_body",
	    body,
	    "request_buffer_budget",
	    budget,
	    "enable_keep_alive",
	    "yes",
	    /* We decode GET paths ourselves, leniently. */
	    "decode_url",
	    "no",
	    "max_request_size",
	    "16384",
	    "listen_backlog",
	    "512",
	    "connection_queue",
	    "1024",
	    NULL,
	    NULL,
	};

	*out = NULL;
	snprintf(threads, sizeof(threads), "%d", conf->threads);
	snprintf(rto, sizeof(rto), "%d", conf->request_timeout_ms);
	snprintf(kato, sizeof(kato), "%d", conf->keep_alive_timeout_ms);
	snprintf(fbto, sizeof(fbto), "%d", HTTP_FIRST_BYTE_TIMEOUT_MS);
	snprintf(maxconn, sizeof(maxconn), "%d", conf->max_connections);
	snprintf(body, sizeof(body), "%d", HTTP_BODY_MAX);
	snprintf(budget, sizeof(budget), "%d", HTTP_REQUEST_BUFFER_BUDGET);
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return OB_ERR_NOMEM;
	h->r = r;
	if ((e = http_start(opts, handler, h, &h->ctx, errbuf, errsz)) !=
	    OB_OK) {
		free(h);
		return e;
	}
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
