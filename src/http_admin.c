/*
 * The admin listener: the cache stats as JSON behind a Bearer token, on its
 * own civetweb context and port (127.0.0.1:8081 by default), so that the
 * public OCSP listener never exposes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <mbedtls/sha256.h>

#include "cJSON.h"
#include "civetweb.h"
#include "extern.h"

/* The largest JSON body the API takes. */
#define ADMIN_BODY_MAX 4096

struct http_admin {
	struct mg_context *ctx;
	struct http_admin_conf conf;
};

void
http_admin_token_hash(const char *token, unsigned char out[32])
{
	mbedtls_sha256_ret((const unsigned char *)token, strlen(token), out, 0);
}

enum ob_err
http_admin_token_new(char out[65], unsigned char hash[32])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32];
	size_t got = 0;
	ssize_t n;
	int i;

	while (got < sizeof(raw)) {
		if ((n = getrandom(raw + got, sizeof(raw) - got, 0)) <= 0)
			return OB_ERR_IO;
		got += (size_t)n;
	}
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 0xf];
	}
	out[64] = '\0';
	memset(raw, 0, sizeof(raw));
	http_admin_token_hash(out, hash);
	return OB_OK;
}

static void
send_json(struct mg_connection *c, int code, const char *reason,
    const char *extra, const char *body, size_t blen)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "%s\r\n",
	    code, reason, blen, extra != NULL ? extra : "");
	http_send_all(c, head, (size_t)n, (const unsigned char *)body, blen);
}

/* {"error": msg}; msg is ours, with nothing to escape. */
static void
send_error(struct mg_connection *c, int code, const char *reason,
    const char *extra, const char *msg)
{
	char body[256];
	int n;

	n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", msg);
	send_json(c, code, reason, extra, body, (size_t)n);
}

/*
 * Whether the request carries "Authorization: Bearer TOKEN" with the
 * right token. The hashes are compared, all 32 octets every time, so the
 * time taken says nothing about how much of a guess was right.
 */
static int
authorized(struct http_admin *h, struct mg_connection *c)
{
	const char *auth = mg_get_header(c, "Authorization");
	unsigned char got[32], diff = 0;
	int i;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return 0;
	auth += 7;
	while (*auth == ' ')
		auth++;
	if (*auth == '\0')
		return 0;
	http_admin_token_hash(auth, got);
	for (i = 0; i < 32; i++)
		diff |= got[i] ^ h->conf.token_sha256[i];
	return diff == 0;
}

/* The most issuers /metrics shows signing histograms of. */
#define ADMIN_HISTS_MAX 64

/*
 * GET /api/v1/cache/stats (JSON) or, with metrics, GET /metrics
 * (Prometheus text): the store's numbers and the server's own.
 */
static void
handle_stats(struct http_admin *h, struct mg_connection *c, int metrics)
{
	struct store_stats s;
	struct responder_counters rc, totals;
	struct responder_hist hists[ADMIN_HISTS_MAX];
	struct http_ocsp_counts q;
	struct cache_live live;
	struct store *st = NULL;
	char err[OB_ERRBUF], *text = NULL, head[256];
	size_t len;
	int64_t now = (int64_t)time(NULL);
	enum ob_err e;
	int n;

	if (store_open(h->conf.db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "ocspbox: admin: stats: %s\n", err);
		send_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	/* The stored counts and the ones in memory, with no flush between. */
	responder_counters_hold(h->conf.r);
	e = store_stats(st, now, &s, err, sizeof(err));
	responder_counters_peek(h->conf.r, &rc);
	responder_counters_release(h->conf.r);
	store_close(st);
	if (e != OB_OK) {
		fprintf(stderr, "ocspbox: admin: stats: %s\n", err);
		send_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	memset(&live, 0, sizeof(live));
	live.hits = rc.hits;
	live.misses = rc.misses;
	live.live_signs = rc.live_signs;
	live.interval = h->conf.interval;
	live.started_at = h->conf.started_at;
	if (h->conf.pub != NULL) {
		http_ocsp_counts(h->conf.pub, &q);
		live.requests = &q;
	}
	live.running = h->conf.rf != NULL && refresh_running(h->conf.rf);
	if (metrics) {
		responder_totals(h->conf.r, &totals);
		live.totals = &totals;
		live.hists = hists;
		live.nhists =
		    responder_sign_hists(h->conf.r, hists, ADMIN_HISTS_MAX);
		e = cache_metrics_text(&s, &live, &text, &len);
	} else
		e = cache_stats_json(&s, &live, now, &text, &len);
	store_stats_free(&s);
	if (e != OB_OK) {
		send_error(
		    c, 503, "Service Unavailable", NULL, "out of memory");
		return;
	}
	if (!metrics)
		send_json(c, 200, "OK", NULL, text, len);
	else {
		n = snprintf(head, sizeof(head),
		    "HTTP/1.1 200 OK\r\n"
		    "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		    "Content-Length: %zu\r\n"
		    "Cache-Control: no-store\r\n\r\n",
		    len);
		http_send_all(
		    c, head, (size_t)n, (const unsigned char *)text, len);
	}
	free(text);
}

/*
 * The panel's embedded files; the page reads the token from its URL
 * fragment, which no request carries, so these need none. Returns
 * whether path was one of them.
 */
static int
serve_file(struct mg_connection *c, const char *path, int get)
{
	const struct web_file *f;
	char head[768];
	int n;

	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (f = web_files; f->path != NULL; f++)
		if (strcmp(f->path, path) == 0)
			break;
	if (f->path == NULL)
		return 0;
	if (!get) {
		send_error(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n",
		    "method not allowed");
		return 1;
	}
	/* Nothing from elsewhere: the box may be air-gapped anyway. */
	n = snprintf(head, sizeof(head),
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-cache\r\n"
	    "Content-Security-Policy: default-src 'self'; "
	    "img-src 'self' data:; frame-ancestors 'none'\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: no-referrer\r\n\r\n",
	    f->type, f->len);
	http_send_all(
	    c, head, (size_t)n, (const unsigned char *)f->data, f->len);
	return 1;
}

/* Sends a cJSON document (and frees it); 503 if it cannot be printed. */
static void
send_cjson(struct mg_connection *c, int code, const char *reason, cJSON *doc)
{
	char *text = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;

	cJSON_Delete(doc);
	if (text == NULL) {
		send_error(
		    c, 503, "Service Unavailable", NULL, "out of memory");
		return;
	}
	send_json(c, code, reason, NULL, text, strlen(text));
	cJSON_free(text);
}

static const char *
time_text(int64_t t, char *buf, size_t sz)
{
	util_time_format(t, buf, sz);
	return buf;
}

static void
handle_issuers(struct http_admin *h, struct mg_connection *c)
{
	struct store_issuer *v = NULL;
	struct store *st = NULL;
	cJSON *doc, *arr, *o, *r;
	char err[OB_ERRBUF], ts[32];
	size_t n = 0, i;

	if (store_open(h->conf.db_path, 0, &st, err, sizeof(err)) != OB_OK ||
	    store_issuer_list(st, &v, &n, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "ocspbox: admin: issuers: %s\n", err);
		store_close(st);
		send_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	store_close(st);
	doc = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(doc, "issuers");
	for (i = 0; arr != NULL && i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "id", v[i].id);
		cJSON_AddStringToObject(o, "subject", v[i].subject);
		cJSON_AddStringToObject(
		    o, "not_after", time_text(v[i].not_after, ts, sizeof(ts)));
		cJSON_AddNumberToObject(
		    o, "certificates", (double)v[i].n_certs);
		cJSON_AddNumberToObject(o, "revoked", (double)v[i].n_revoked);
		cJSON_AddBoolToObject(o, "crl_key", v[i].crl_key_path != NULL);
		r = cJSON_AddObjectToObject(o, "responder");
		if (r == NULL)
			continue;
		cJSON_AddStringToObject(r, "subject", v[i].resp_subject);
		cJSON_AddStringToObject(r, "key_algorithm", v[i].resp_key_alg);
		cJSON_AddBoolToObject(r, "is_ca", v[i].resp_is_ca);
		cJSON_AddStringToObject(r, "not_after",
		    time_text(v[i].resp_not_after, ts, sizeof(ts)));
	}
	store_issuer_list_free(v, n);
	send_cjson(c, 200, "OK", doc);
}

/*
 * Reads a JSON request body of at most ADMIN_BODY_MAX bytes and parses
 * it. Returns the document, or NULL after answering 413, 415 or 400.
 */
static cJSON *
read_json(struct mg_connection *c)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	const char *ct = mg_get_header(c, "Content-Type");
	char body[ADMIN_BODY_MAX + 1];
	const char *end = NULL;
	size_t n = 0;
	cJSON *doc;
	int r;

	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		send_error(c, 415, "Unsupported Media Type", NULL,
		    "want Content-Type: application/json");
		return NULL;
	}
	if (ri->content_length > ADMIN_BODY_MAX) {
		mg_set_must_close(c);
		send_error(
		    c, 413, "Payload Too Large", NULL, "body over 4 KiB");
		return NULL;
	}
	while (n <= ADMIN_BODY_MAX &&
	    (r = mg_read(c, body + n, ADMIN_BODY_MAX + 1 - n)) > 0)
		n += (size_t)r;
	if (n > ADMIN_BODY_MAX) {
		mg_set_must_close(c);
		send_error(
		    c, 413, "Payload Too Large", NULL, "body over 4 KiB");
		return NULL;
	}
	body[n] = '\0';
	/*
	 * Whole body, one value, nothing after it, no NULs inside. cJSON
	 * wants the terminating NUL inside the length it is given.
	 */
	doc = cJSON_ParseWithLengthOpts(body, n + 1, &end, 1);
	if (doc == NULL || strlen(body) != n) {
		cJSON_Delete(doc);
		send_error(c, 400, "Bad Request", NULL, "malformed JSON");
		return NULL;
	}
	return doc;
}

/* A string member of o, or NULL when absent or not a string. */
static const char *
member_string(const cJSON *o, const char *name, int *wrong_type)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);

	if (m == NULL || cJSON_IsNull(m))
		return NULL;
	if (!cJSON_IsString(m) || m->valuestring == NULL) {
		*wrong_type = 1;
		return NULL;
	}
	return m->valuestring;
}

static void
handle_revoke(struct http_admin *h, struct mg_connection *c)
{
	char serial[OB_SERIAL_HEX_MAX + 1], err[OB_ERRBUF], ts[32];
	const char *issuer, *serial_in, *reason_in, *missing;
	struct store *st = NULL;
	cJSON *doc, *out;
	int64_t now = (int64_t)time(NULL), at;
	int wrong = 0, reason = -1, already = 0, revoked, old_reason;
	enum ob_err e;

	if ((doc = read_json(c)) == NULL)
		return;
	issuer = member_string(doc, "issuer_id", &wrong);
	serial_in = member_string(doc, "serial_hex", &wrong);
	reason_in = member_string(doc, "reason", &wrong);
	if (!cJSON_IsObject(doc) || wrong || issuer == NULL ||
	    serial_in == NULL) {
		cJSON_Delete(doc);
		send_error(c, 400, "Bad Request", NULL,
		    "want {\\\"issuer_id\\\": string, \\\"serial_hex\\\": "
		    "string, \\\"reason\\\": string or absent}");
		return;
	}
	if (util_serial_canon(serial_in, serial) != OB_OK) {
		cJSON_Delete(doc);
		send_error(c, 400, "Bad Request", NULL, "bad serial_hex");
		return;
	}
	if (reason_in != NULL &&
	    ((reason = util_reason_code(reason_in)) < 0 ||
		reason == OB_REASON_REMOVE_FROM_CRL)) {
		cJSON_Delete(doc);
		send_error(c, 400, "Bad Request", NULL,
		    "unknown reason (want an RFC 5280 name)");
		return;
	}
	if (store_open(h->conf.db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		cJSON_Delete(doc);
		fprintf(stderr, "ocspbox: admin: revoke: %s\n", err);
		send_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	/* The API revokes what it knows; unknown ids are the caller's typo. */
	err[0] = '\0';
	missing = "no such issuer";
	e = store_issuer_exists(st, issuer, err, sizeof(err));
	if (e == OB_OK) {
		missing = "no such certificate";
		e = store_cert_status(st, issuer, serial, &revoked, &at,
		    &old_reason, err, sizeof(err));
	}
	if (e == OB_OK)
		e = store_revoke(st, issuer, serial, reason, now, &already, err,
		    sizeof(err));
	store_close(st);
	if (e == OB_ERR_NOTFOUND) {
		cJSON_Delete(doc);
		send_error(c, 404, "Not Found", NULL, missing);
		return;
	}
	if (e != OB_OK) {
		cJSON_Delete(doc);
		fprintf(stderr, "ocspbox: admin: revoke %s %s: %s\n", issuer,
		    serial, err);
		send_error(c, e == OB_ERR_BUSY ? 503 : 500,
		    e == OB_ERR_BUSY ? "Service Unavailable"
				     : "Internal Server Error",
		    NULL, "revoke failed");
		return;
	}
	fprintf(stderr, "ocspbox: admin: revoked %s %s%s\n", issuer, serial,
	    already ? " (already revoked)" : "");
	if (!already && h->conf.rf != NULL)
		refresh_crl_poke(h->conf.rf); /* onto the CRL now */
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "issuer_id", issuer);
	cJSON_AddStringToObject(out, "serial_hex", serial);
	cJSON_AddBoolToObject(out, "already_revoked", already);
	if (!already) {
		cJSON_AddStringToObject(
		    out, "revoked_at", time_text(now, ts, sizeof(ts)));
		if (reason >= 0)
			cJSON_AddStringToObject(
			    out, "reason", util_reason_name(reason));
	}
	cJSON_Delete(doc);
	send_cjson(c, 200, "OK", out);
}

static int
handler(struct mg_connection *c, void *arg)
{
	struct http_admin *h = arg;
	const struct mg_request_info *ri = mg_get_request_info(c);
	const char *m = ri->request_method, *path = ri->local_uri;
	int get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;

	if (path == NULL)
		path = "";
	/* SPEC: every /api/ and /metrics request needs the token. */
	if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0 &&
	    strcmp(path, "/metrics") != 0) {
		if (!serve_file(c, path, get))
			send_error(c, 404, "Not Found", NULL, "not found");
		return 200;
	}
	/* Authorization first: unknown paths say nothing to strangers. */
	if (!authorized(h, c)) {
		send_error(c, 401, "Unauthorized",
		    "WWW-Authenticate: Bearer realm=\"ocspbox\"\r\n",
		    "missing or wrong bearer token");
		return 200;
	}
	if (strcmp(path, "/api/v1/cache/stats") == 0 ||
	    strcmp(path, "/api/v1/issuers") == 0 ||
	    strcmp(path, "/metrics") == 0) {
		if (!get)
			send_error(c, 405, "Method Not Allowed",
			    "Allow: GET, HEAD\r\n", "method not allowed");
		else if (strcmp(path, "/api/v1/issuers") == 0)
			handle_issuers(h, c);
		else
			handle_stats(h, c, strcmp(path, "/metrics") == 0);
		return 200;
	}
	if (strcmp(path, "/api/v1/revoke") == 0 ||
	    strcmp(path, "/api/v1/cache/refresh") == 0) {
		if (strcmp(m, "POST") != 0)
			send_error(c, 405, "Method Not Allowed",
			    "Allow: POST\r\n", "method not allowed");
		else if (strcmp(path, "/api/v1/revoke") == 0)
			handle_revoke(h, c);
		else if (h->conf.rf == NULL)
			send_error(c, 503, "Service Unavailable", NULL,
			    "no refresh thread");
		else {
			static const char ok[] =
			    "{\"status\":\"refresh started\"}\n";

			refresh_kick(h->conf.rf);
			send_json(c, 202, "Accepted", NULL, ok, sizeof(ok) - 1);
		}
		return 200;
	}
	send_error(c, 404, "Not Found", NULL, "not found");
	return 200;
}

enum ob_err
http_admin_start(const struct http_admin_conf *conf, struct http_admin **out,
    char *errbuf, size_t errsz)
{
	/* The public listener's limits, on a smaller scale. */
	struct http_listen_conf lc = {
	    .listen = conf->listen,
	    .threads = HTTP_ADMIN_THREADS,
	    .max_connections = HTTP_ADMIN_MAX_CONNECTIONS,
	    .buffer_budget = HTTP_REQUEST_BUFFER_BUDGET / 4,
	    .decode_url = 1,
	};
	struct http_admin *h;
	enum ob_err e;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return OB_ERR_NOMEM;
	h->conf = *conf;
	if ((e = http_start(&lc, handler, h, &h->ctx, errbuf, errsz)) !=
	    OB_OK) {
		free(h);
		return e;
	}
	*out = h;
	return OB_OK;
}

void
http_admin_stop(struct http_admin *h)
{
	if (h == NULL)
		return;
	mg_stop(h->ctx);
	memset(h->conf.token_sha256, 0, sizeof(h->conf.token_sha256));
	free(h);
}
