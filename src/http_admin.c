/*
 * The admin listener: the cache stats as JSON behind a Bearer token, on its
 * own civetweb context and port (127.0.0.1:8081 by default), so that the
 * public OCSP listener never exposes it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <mbedtls/sha256.h>

#include "cJSON.h"
#include "civetweb.h"
#include "http.h"

/* The largest JSON body the API takes. */
#define ADMIN_BODY_MAX 4096
/* POST /api/v1/certificates: a batch of API_CERTS_MAX PEMs of ordinary
 * leaves (RSA-2048, EC) fits; RSA-4096 ones take two requests. */
#define ADMIN_CERTS_BODY_MAX (2 * 1024 * 1024)

/*
 * Failed authentications: a client (by address) may present
 * ADMIN_AUTH_BURST wrong tokens, then one per ADMIN_AUTH_EVERY seconds;
 * a wrong token past that is answered 429 after ADMIN_AUTH_DELAY_MS, so
 * that a client guessing keeps at most one worker a guess busy. The
 * right token is always served: a client sharing the operator's address
 * (a local user, a proxy) cannot lock the operator out. The table holds
 * the clients seen last.
 */
#define ADMIN_AUTH_BURST 5
#define ADMIN_AUTH_EVERY 1
#define ADMIN_AUTH_CLIENTS 256
#define ADMIN_AUTH_DELAY_MS 250
/* One log line about failures at most this often, seconds. */
#define ADMIN_AUTH_LOG_EVERY 60

struct auth_client {
	char addr[48]; /* "" when free */
	double credit; /* failures it may still make now */
	int64_t at; /* when credit was last topped up (monotonic ms) */
};

struct http_admin {
	struct mg_context *ctx;
	struct http_admin_conf conf;
	pthread_mutex_t lock; /* over what follows */
	struct http_admin_counts counts;
	struct auth_client clients[ADMIN_AUTH_CLIENTS];
	int64_t logged_at; /* the last failure log line */
	int64_t unlogged; /* failures since it */
};

void
http_admin_token_hash(const char *token, unsigned char out[32])
{
	mbedtls_sha256_ret((const unsigned char *)token, strlen(token), out, 0);
}

enum ob_err
http_admin_token_new(char out[65], unsigned char hash[32])
{
	unsigned char raw[32];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(raw)) {
		if ((n = getrandom(raw + got, sizeof(raw) - got, 0)) <= 0)
			return OB_ERR_IO;
		got += (size_t)n;
	}
	util_hex(raw, sizeof(raw), out);
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

/* {"error": msg}; msg is ours, ASCII, its quotes and backslashes
 * escaped here. */
static void
send_error(struct mg_connection *c, int code, const char *reason,
    const char *extra, const char *msg)
{
	char body[320];
	size_t n = 0;

	memcpy(body, "{\"error\":\"", 10);
	n = 10;
	for (; *msg != '\0' && n < sizeof(body) - 5; msg++) {
		if (*msg == '"' || *msg == '\\')
			body[n++] = '\\';
		body[n++] = *msg;
	}
	memcpy(body + n, "\"}\n", 3);
	send_json(c, code, reason, extra, body, n + 3);
}

/*
 * The Bearer token a request presents (RFC 6750 2.1) into out (size
 * bytes), the whitespace around it dropped (RFC 9110 5.5); NULL when
 * there is none or it does not fit.
 */
static const char *
bearer(struct mg_connection *c, char *out, size_t size)
{
	const char *auth = mg_get_header(c, "Authorization");
	size_t n;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return NULL;
	auth += 7;
	while (*auth == ' ' || *auth == '\t')
		auth++;
	n = strlen(auth);
	while (n > 0 && (auth[n - 1] == ' ' || auth[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= size)
		return n == 0 ? NULL : "\x01"; /* too long: never right */
	memcpy(out, auth, n);
	out[n] = '\0';
	return out;
}

/*
 * Whether token is the right one. The hashes are compared, all 32
 * octets every time, so the time taken says nothing about how much of a
 * guess was right.
 */
static int
authorized(struct http_admin *h, const char *token)
{
	unsigned char got[32], diff = 0;
	int i;

	http_admin_token_hash(token, got);
	for (i = 0; i < 32; i++)
		diff |= got[i] ^ h->conf.token_sha256[i];
	return diff == 0;
}

/* The limiter's slot of addr: its own, else the one idle longest. Under
 * h->lock. */
static struct auth_client *
auth_client(struct http_admin *h, const char *addr, int64_t now)
{
	struct auth_client *oldest = &h->clients[0];
	size_t i;

	for (i = 0; i < ADMIN_AUTH_CLIENTS; i++) {
		if (strcmp(h->clients[i].addr, addr) == 0)
			return &h->clients[i];
		if (h->clients[i].at < oldest->at)
			oldest = &h->clients[i];
	}
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	oldest->credit = ADMIN_AUTH_BURST;
	oldest->at = now;
	return oldest;
}

/* Whether addr may present a wrong token now: its failure credit,
 * topped up one per ADMIN_AUTH_EVERY seconds (continuously) up to
 * ADMIN_AUTH_BURST. */
static int
auth_allowed(struct http_admin *h, const char *addr)
{
	int64_t now = util_mono_ms();
	struct auth_client *a;
	int ok;

	pthread_mutex_lock(&h->lock);
	a = auth_client(h, addr, now);
	if (now > a->at) {
		a->credit +=
		    (double)(now - a->at) / (1000.0 * ADMIN_AUTH_EVERY);
		if (a->credit > ADMIN_AUTH_BURST)
			a->credit = ADMIN_AUTH_BURST;
		a->at = now;
	}
	if (!(ok = a->credit >= 1))
		h->counts.auth_limited++;
	pthread_mutex_unlock(&h->lock);
	return ok;
}

/* Counts a failed authentication from addr, spends its credit, and logs
 * (one line a minute at most, with the count since the last). */
static void
auth_failed(struct http_admin *h, const char *addr, const char *path)
{
	int64_t now = (int64_t)time(NULL), n = 0;
	struct auth_client *a;
	char shown[72];
	size_t i;

	/* The path is the client's: nothing in it may start a line of the
	 * log or drive a terminal. */
	for (i = 0; path[i] != '\0' && i < sizeof(shown) - 1; i++)
		shown[i] = path[i] > ' ' && path[i] < 127 ? path[i] : '?';
	shown[i] = '\0';
	pthread_mutex_lock(&h->lock);
	h->counts.auth_failures++;
	a = auth_client(h, addr, util_mono_ms());
	if (a->credit >= 1)
		a->credit -= 1;
	h->unlogged++;
	if (now - h->logged_at >= ADMIN_AUTH_LOG_EVERY) {
		n = h->unlogged;
		h->unlogged = 0;
		h->logged_at = now;
	}
	pthread_mutex_unlock(&h->lock);
	if (n > 0)
		log_warnx(
		    "admin: %lld failed authentication%s since the "
		    "last such line (one a minute at most), the last from %s "
		    "for %s",
		    (long long)n, n == 1 ? "" : "s", addr, shown);
}

void
http_admin_counts(struct http_admin *h, struct http_admin_counts *out)
{
	pthread_mutex_lock(&h->lock);
	*out = h->counts;
	pthread_mutex_unlock(&h->lock);
}

/* Whether name (len bytes) is one of names, comma-separated, any case. */
static int
host_listed(const char *name, size_t len, const char *names)
{
	const char *p = names, *comma;
	size_t n;

	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n > 1 && p[n - 1] == '.')
			n--; /* the root's dot, as the Host's */
		if (n == len && strncasecmp(p, name, len) == 0)
			return 1;
		p = comma != NULL ? comma + 1 : NULL;
	}
	return 0;
}

int
http_admin_host_ok(const char *host, const char *names)
{
	char buf[256], hb[256];
	unsigned char addr[16];
	const char *colon, *end;
	size_t len;

	if (host == NULL)
		return 1;
	/* What surrounds a field value is not part of it (RFC 9110 5.5). */
	len = strlen(host);
	while (len > 0 && (host[len - 1] == ' ' || host[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(hb))
		return 0;
	memcpy(hb, host, len);
	hb[len] = '\0';
	host = hb;
	if (host[0] == '[') {
		/* An IPv6 literal, RFC 3986 3.2.2; then only ":PORT". */
		if ((end = strchr(host, ']')) == NULL ||
		    (size_t)(end - host - 1) >= sizeof(buf))
			return 0;
		memcpy(buf, host + 1, (size_t)(end - host - 1));
		buf[end - host - 1] = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return 0;
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return 0;
	} else {
		colon = strrchr(host, ':');
		len = colon != NULL ? (size_t)(colon - host) : len;
		memcpy(buf, host, len);
		buf[len] = '\0';
		/* A name may end in the root's dot. */
		if (len > 1 && buf[len - 1] == '.')
			buf[--len] = '\0';
		if (inet_pton(AF_INET, buf, addr) != 1 &&
		    strcasecmp(buf, "localhost") != 0 &&
		    !host_listed(buf, len, names))
			return 0;
	}
	if (colon != NULL) {
		for (end = colon + 1; isdigit((unsigned char)*end); end++)
			;
		if (end == colon + 1 || *end != '\0' || end - colon > 6)
			return 0;
	}
	return 1;
}

int
http_admin_names_valid(const char *names)
{
	size_t n = 0;
	const char *p;

	for (p = names;; p++) {
		if (*p == ',' || *p == '\0') {
			if (n == 0 || n > 253)
				return 0;
			if (*p == '\0')
				return 1;
			n = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return 0;
		n++;
	}
}

int
http_admin_token_strong(const char *token)
{
	size_t n = 0, pad = 0;
	int hex = 1;

	for (; token[n] != '\0'; n++) {
		unsigned char ch = (unsigned char)token[n];

		if (ch == '=' && n > 0) {
			pad++;
			continue;
		}
		if (pad > 0 ||
		    (!isalnum(ch) && strchr("+/-_", token[n]) == NULL))
			return 0;
		if (!isxdigit(ch))
			hex = 0;
	}
	n -= pad;
	return hex ? n * 4 >= 128 : n * 6 >= 128;
}

/* The most issuers /metrics shows signing histograms of. */
#define ADMIN_HISTS_MAX 64
/* The indexes serve may follow (CLI_REPEAT_MAX). */
#define ADMIN_FOLLOWS_MAX 32

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
	struct issuer_state states[ADMIN_HISTS_MAX];
	struct issuers *iss;
	struct http_ocsp_counts q;
	struct http_admin_counts ac;
	struct metrics_live live;
	struct metrics_follow follows[ADMIN_FOLLOWS_MAX];
	struct store *st = NULL;
	char err[OB_ERRBUF], *text = NULL, head[256];
	size_t len;
	int64_t now = (int64_t)time(NULL);
	enum ob_err e;
	int n;

	if (store_open(h->conf.db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: stats: %s", err);
		send_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	/* The stored counts and the ones in memory, with no flush between. */
	cache_counters_hold(responder_cache(h->conf.r));
	e = store_stats(st, now, &s, err, sizeof(err));
	cache_counters_peek(responder_cache(h->conf.r), &rc);
	cache_counters_release(responder_cache(h->conf.r));
	store_close(st);
	if (e != OB_OK) {
		log_warnx("admin: stats: %s", err);
		send_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	memset(&live, 0, sizeof(live));
	live.version = ob_version;
	live.sqlite_version = store_sqlite_version();
	live.mbedtls_version = signer_mbedtls_version();
	live.civetweb_version = http_version();
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
	http_admin_counts(h, &ac);
	live.admin = &ac;
	iss = responder_issuers_hold(h->conf.r);
	live.warn = responder_warn(h->conf.r);
	live.states = states;
	live.nstates =
	    issuers_health(iss, now, live.warn, states, ADMIN_HISTS_MAX);
	live.not_loaded = (int64_t)issuers_failures(iss, NULL, 0);
	if (metrics) {
		cache_totals(responder_cache(h->conf.r), &totals);
		live.totals = &totals;
		live.hists = hists;
		live.nhists = issuers_sign_hists(iss, hists, ADMIN_HISTS_MAX);
	}
	issuers_release(iss);
	live.nfollows = h->conf.nfollows < ADMIN_FOLLOWS_MAX
	    ? h->conf.nfollows
	    : ADMIN_FOLLOWS_MAX;
	for (n = 0; n < (int)live.nfollows; n++) {
		follows[n].issuer = h->conf.follows[n].issuer;
		follows[n].path = h->conf.follows[n].path;
		follower_status(h->conf.follows[n].fw, &follows[n].st);
	}
	live.follows = follows;
	if (metrics)
		e = metrics_text(&s, &live, &text, &len);
	else
		e = metrics_stats_json(&s, &live, now, &text, &len);
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
 * Whether the request takes a gzip-coded answer: its Accept-Encoding
 * field lines joined into one list (RFC 9110 5.3), read by
 * http_accepts_gzip. Without memory to join them, the first line alone.
 */
static int
accepts_gzip(struct mg_connection *c)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	size_t total = 0, n = 0, len;
	char *joined;
	int i, lines = 0, r;

	for (i = 0; i < ri->num_headers; i++)
		if (strcasecmp(ri->http_headers[i].name, "Accept-Encoding") ==
		    0) {
			total += strlen(ri->http_headers[i].value) + 1;
			lines++;
		}
	if (lines < 2)
		return http_accepts_gzip(mg_get_header(c, "Accept-Encoding"));
	if ((joined = malloc(total)) == NULL)
		return http_accepts_gzip(mg_get_header(c, "Accept-Encoding"));
	for (i = 0; i < ri->num_headers; i++) {
		if (strcasecmp(ri->http_headers[i].name, "Accept-Encoding") !=
		    0)
			continue;
		len = strlen(ri->http_headers[i].value);
		if (n > 0)
			joined[n++] = ',';
		memcpy(joined + n, ri->http_headers[i].value, len);
		n += len;
	}
	joined[n] = '\0';
	r = http_accepts_gzip(joined);
	free(joined);
	return r;
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
	/* Stored gzip-compressed only (scripts/embed-web.sh): every browser
	 * takes that; a client that says it cannot is told why. */
	if (!accepts_gzip(c)) {
		send_error(c, 406, "Not Acceptable",
		    "Vary: Accept-Encoding\r\n",
		    "the panel's files are served gzip-compressed only, and "
		    "this request's Accept-Encoding does not take gzip (a "
		    "browser, curl --compressed or wget --compression=auto "
		    "does)");
		return 1;
	}
	/* Nothing from elsewhere: the box may be air-gapped anyway. */
	n = snprintf(head, sizeof(head),
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Encoding: gzip\r\n"
	    "Vary: Accept-Encoding\r\n"
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
	char err[OB_ERRBUF], *text;
	size_t n = 0;

	if (store_open(h->conf.db_path, 0, &st, err, sizeof(err)) != OB_OK ||
	    store_issuer_list(st, &v, &n, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: issuers: %s", err);
		store_close(st);
		send_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	store_close(st);
	text = api_issuers_json(
	    v, n, (int64_t)time(NULL), responder_warn(h->conf.r));
	store_issuer_list_free(v, n);
	if (text == NULL) {
		send_error(
		    c, 503, "Service Unavailable", NULL, "out of memory");
		return;
	}
	send_json(c, 200, "OK", NULL, text, strlen(text));
	free(text);
}

/*
 * Reads a JSON request body of at most max bytes into body (max + 1
 * bytes), NUL-terminated, its length in *len. Returns 1, or 0 after
 * answering 413 or 415.
 */
static int
read_body_max(struct mg_connection *c, char *body, size_t max, size_t *len)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	const char *ct = mg_get_header(c, "Content-Type");
	char why[64];
	size_t n = 0;
	int r;

	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		send_error(c, 415, "Unsupported Media Type", NULL,
		    "want Content-Type: application/json");
		return 0;
	}
	snprintf(why, sizeof(why), "body over %zu KiB", max / 1024);
	if (ri->content_length > (long long)max) {
		mg_set_must_close(c);
		send_error(c, 413, "Payload Too Large", NULL, why);
		return 0;
	}
	while (n <= max && (r = mg_read(c, body + n, max + 1 - n)) > 0)
		n += (size_t)r;
	if (n > max) {
		mg_set_must_close(c);
		send_error(c, 413, "Payload Too Large", NULL, why);
		return 0;
	}
	body[n] = '\0';
	*len = n;
	return 1;
}

/* read_body_max for the small bodies: at most ADMIN_BODY_MAX. */
static int
read_body(struct mg_connection *c, char *body, size_t *len)
{
	return read_body_max(c, body, ADMIN_BODY_MAX, len);
}

/* The issuer id in v (n), or NULL. */
static const struct store_issuer *
issuer_in(const struct store_issuer *v, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	return NULL;
}

/*
 * POST /api/v1/certificates: one certificate or a batch registered, all
 * in one transaction or none; 201 when one was new, 200 when all were
 * known already (idempotent); 400 naming the item, 404 for an issuer
 * that is not there.
 */
static void
handle_certs_post(struct http_admin *h, struct mg_connection *c)
{
	struct api_cert *v = NULL;
	struct store_issuer *iss = NULL;
	const struct store_issuer *is;
	struct signer_leaf *leaves = NULL;
	struct store *st = NULL;
	char *body, err[OB_ERRBUF], why[OB_ERRBUF], name[32];
	const char *serial;
	size_t len, n = 0, niss = 0, i;
	long long fresh = 0, known = 0;
	int code = 500, alias, in_tx = 0, is_new;
	cJSON *out = NULL, *list = NULL, *item;
	enum ob_err e;

	if ((body = malloc(ADMIN_CERTS_BODY_MAX + 1)) == NULL) {
		send_error(
		    c, 503, "Service Unavailable", NULL, "out of memory");
		return;
	}
	if (!read_body_max(c, body, ADMIN_CERTS_BODY_MAX, &len))
		goto out;
	if ((e = api_certs_parse(body, len, &v, &n, why, sizeof(why))) !=
	    OB_OK) {
		send_error(c, e == OB_ERR_NOMEM ? 503 : 400,
		    e == OB_ERR_NOMEM ? "Service Unavailable" : "Bad Request",
		    NULL, why);
		goto out;
	}
	if ((leaves = calloc(n, sizeof(*leaves))) == NULL ||
	    (out = cJSON_CreateObject()) == NULL ||
	    (list = cJSON_AddArrayToObject(out, "certificates")) == NULL) {
		code = 503;
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	if (store_open(h->conf.db_path, 0, &st, err, sizeof(err)) != OB_OK ||
	    store_issuer_list(st, &iss, &niss, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: certificates: %s", err);
		code = 503;
		snprintf(why, sizeof(why), "store unavailable");
		goto fail;
	}
	/* Every item checked (each PEM's signature too) before the write
	 * lock is taken: it is then held for the inserts alone. */
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), n > 1 ? "item %zu" : "pem", i + 1);
		if ((is = issuer_in(iss, niss, v[i].issuer_id)) == NULL) {
			code = 404;
			snprintf(why, sizeof(why), "%s%sno such issuer %s",
			    n > 1 ? name : "", n > 1 ? ": " : "",
			    v[i].issuer_id);
			goto fail;
		}
		if (v[i].pem == NULL)
			continue;
		if ((e = signer_leaf_info_pem(v[i].pem, name, is->cert_der,
			 is->cert_len, &leaves[i], why, sizeof(why))) !=
		    OB_OK) {
			code =
			    e == OB_ERR_INVAL || e == OB_ERR_RANGE ? 400 : 500;
			goto fail;
		}
		v[i].not_after = leaves[i].not_after;
	}
	if (store_begin(st, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: certificates: %s", err);
		code = 503;
		snprintf(why, sizeof(why), "store unavailable");
		goto fail;
	}
	in_tx = 1;
	for (i = 0; i < n; i++) {
		serial = v[i].pem != NULL ? leaves[i].serial : v[i].serial;
		e = store_cert_add(st, v[i].issuer_id, serial, v[i].not_after,
		    leaves[i].subject, 0, err, sizeof(err));
		is_new = e == OB_OK;
		if (e == OB_ERR_EXISTS)
			e = OB_OK; /* known already: idempotent */
		alias = 0;
		if (e == OB_OK && v[i].pem != NULL)
			e = store_issuer_alias_add(st, v[i].issuer_id,
			    &leaves[i].issuer, &alias, err, sizeof(err));
		if (e == OB_OK) {
			fresh += is_new;
			known += !is_new;
			if ((item = cJSON_CreateObject()) == NULL ||
			    !cJSON_AddItemToArray(list, item) ||
			    cJSON_AddStringToObject(
				item, "issuer_id", v[i].issuer_id) == NULL ||
			    cJSON_AddStringToObject(
				item, "serial_hex", serial) == NULL ||
			    cJSON_AddStringToObject(item, "status",
				is_new ? "new" : "known") == NULL) {
				e = OB_ERR_NOMEM;
				snprintf(err, sizeof(err), "out of memory");
			}
		}
		if (e != OB_OK) {
			code = e == OB_ERR_BUSY ? 503 : 500;
			log_warnx("admin: certificates: %s", err);
			snprintf(why, sizeof(why), "registering failed");
			goto fail;
		}
	}
	if (store_commit(st, err, sizeof(err)) != OB_OK) {
		code = 503;
		log_warnx("admin: certificates: %s", err);
		snprintf(why, sizeof(why), "registering failed");
		goto fail;
	}
	in_tx = 0;
	log_warnx("admin: certificates: %lld new, %lld known", fresh, known);
	cJSON_AddNumberToObject(out, "registered", (double)fresh);
	cJSON_AddNumberToObject(out, "known", (double)known);
	send_cjson(c, fresh > 0 ? 201 : 200, fresh > 0 ? "Created" : "OK", out);
	out = NULL;
	goto out;
fail:
	if (in_tx)
		store_rollback(st);
	send_error(c, code,
	    code == 400       ? "Bad Request"
		: code == 404 ? "Not Found"
		: code == 503 ? "Service Unavailable"
			      : "Internal Server Error",
	    NULL, why);
out:
	for (i = 0; leaves != NULL && i < n; i++)
		free(leaves[i].subject);
	free(leaves);
	cJSON_Delete(out);
	store_issuer_list_free(iss, niss);
	store_close(st);
	api_certs_free(v, n);
	free(body);
}

/*
 * GET /api/v1/certificates/{issuer_id}/{serial_hex}: what ocspbox knows
 * of one certificate; 404 for an issuer or a certificate not there, 400
 * for an id or serial that cannot be one.
 */
static void
handle_cert_get(struct http_admin *h, struct mg_connection *c, const char *rest)
{
	char id[OB_ID_MAX + 1], serial[OB_SERIAL_HEX_MAX + 1], raw[160];
	char err[OB_ERRBUF], ts[32];
	const char *slash = strchr(rest, '/');
	struct store_cert sc;
	struct store *st = NULL;
	int64_t now = (int64_t)time(NULL);
	enum ob_err e;
	cJSON *out;

	if (slash == NULL || (size_t)(slash - rest) > OB_ID_MAX ||
	    strlen(slash + 1) >= sizeof(raw)) {
		send_error(c, 404, "Not Found", NULL,
		    "want /api/v1/certificates/{issuer_id}/{serial_hex}");
		return;
	}
	memcpy(id, rest, (size_t)(slash - rest));
	id[slash - rest] = '\0';
	snprintf(raw, sizeof(raw), "%s", slash + 1);
	if (!api_issuer_id_valid(id)) {
		send_error(c, 400, "Bad Request", NULL, "bad issuer_id");
		return;
	}
	if (util_serial_canon(raw, serial) != OB_OK) {
		send_error(c, 400, "Bad Request", NULL, "bad serial_hex");
		return;
	}
	if (store_open(h->conf.db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: certificate: %s", err);
		send_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	e = store_cert_get(st, id, serial, &sc, err, sizeof(err));
	store_close(st);
	if (e == OB_ERR_NOTFOUND) {
		send_error(c, 404, "Not Found", NULL, err);
		return;
	}
	if (e != OB_OK) {
		log_warnx("admin: certificate %s %s: %s", id, serial, err);
		send_error(c, e == OB_ERR_BUSY ? 503 : 500,
		    e == OB_ERR_BUSY ? "Service Unavailable"
				     : "Internal Server Error",
		    NULL, "lookup failed");
		return;
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "issuer_id", id);
	cJSON_AddStringToObject(out, "serial_hex", serial);
	cJSON_AddStringToObject(out, "status", sc.revoked ? "revoked" : "good");
	cJSON_AddBoolToObject(
	    out, "expired", sc.not_after != INT64_MIN && sc.not_after <= now);
	if (sc.not_after != INT64_MIN)
		cJSON_AddStringToObject(
		    out, "not_after", time_text(sc.not_after, ts, sizeof(ts)));
	else
		cJSON_AddNullToObject(out, "not_after");
	if (sc.revoked) {
		cJSON_AddStringToObject(out, "revoked_at",
		    time_text(sc.revoked_at, ts, sizeof(ts)));
		if (sc.reason >= 0)
			cJSON_AddStringToObject(
			    out, "reason", util_reason_name(sc.reason));
		else
			cJSON_AddNullToObject(out, "reason");
	} else {
		cJSON_AddNullToObject(out, "revoked_at");
		cJSON_AddNullToObject(out, "reason");
	}
	if (sc.subject != NULL)
		cJSON_AddStringToObject(out, "subject", sc.subject);
	else
		cJSON_AddNullToObject(out, "subject");
	cJSON_AddStringToObject(
	    out, "registered_at", time_text(sc.created_at, ts, sizeof(ts)));
	cJSON_AddStringToObject(
	    out, "updated_at", time_text(sc.updated_at, ts, sizeof(ts)));
	store_cert_clear(&sc);
	send_cjson(c, 200, "OK", out);
}

static void
handle_revoke(struct http_admin *h, struct mg_connection *c)
{
	char body[ADMIN_BODY_MAX + 1], err[OB_ERRBUF], ts[32];
	const char *missing, *why;
	struct api_revoke rq;
	struct store *st = NULL;
	cJSON *out;
	int64_t now = (int64_t)time(NULL), at;
	int already = 0, revoked, old_reason;
	size_t len;
	enum ob_err e;

	if (!read_body(c, body, &len))
		return;
	if (api_revoke_parse(body, len, &rq, &why) != OB_OK) {
		send_error(c, 400, "Bad Request", NULL, why);
		return;
	}
	if (store_open(h->conf.db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: revoke: %s", err);
		send_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	/* The API revokes what it knows; unknown ids are the caller's typo. */
	err[0] = '\0';
	missing = "no such issuer";
	e = store_issuer_exists(st, rq.issuer_id, err, sizeof(err));
	if (e == OB_OK) {
		missing = "no such certificate";
		e = store_cert_status(st, rq.issuer_id, NULL, rq.serial,
		    &revoked, &at, &old_reason, err, sizeof(err));
	}
	if (e == OB_OK)
		e = store_revoke(st, rq.issuer_id, rq.serial, rq.reason, now,
		    &already, err, sizeof(err));
	store_close(st);
	if (e == OB_ERR_NOTFOUND) {
		send_error(c, 404, "Not Found", NULL, missing);
		return;
	}
	if (e != OB_OK) {
		log_warnx(
		    "admin: revoke %s %s: %s", rq.issuer_id, rq.serial, err);
		send_error(c, e == OB_ERR_BUSY ? 503 : 500,
		    e == OB_ERR_BUSY ? "Service Unavailable"
				     : "Internal Server Error",
		    NULL, "revoke failed");
		return;
	}
	log_warnx("admin: revoked %s %s%s%s%s", rq.issuer_id, rq.serial,
	    rq.reason >= 0 ? " reason " : "",
	    rq.reason >= 0 ? util_reason_name(rq.reason) : "",
	    already ? " (already revoked)" : "");
	if (!already && h->conf.rf != NULL)
		refresh_crl_poke(h->conf.rf); /* onto the CRL now */
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "issuer_id", rq.issuer_id);
	cJSON_AddStringToObject(out, "serial_hex", rq.serial);
	cJSON_AddBoolToObject(out, "already_revoked", already);
	if (!already) {
		cJSON_AddStringToObject(
		    out, "revoked_at", time_text(now, ts, sizeof(ts)));
		if (rq.reason >= 0)
			cJSON_AddStringToObject(
			    out, "reason", util_reason_name(rq.reason));
	}
	send_cjson(c, 200, "OK", out);
}

static int
handler(struct mg_connection *c, void *arg)
{
	struct http_admin *h = arg;
	const struct mg_request_info *ri = mg_get_request_info(c);
	const char *m = ri->request_method, *path = ri->local_uri, *token;
	char tokbuf[1024];
	int right;
	int get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;

	if (path == NULL)
		path = "";
	/*
	 * A page elsewhere whose name resolves here (DNS rebinding) would
	 * be same-origin with the panel: its Host names it (RFC 9110 7.4).
	 */
	if (!http_admin_host_ok(mg_get_header(c, "Host"), h->conf.hosts)) {
		pthread_mutex_lock(&h->lock);
		h->counts.misdirected++;
		pthread_mutex_unlock(&h->lock);
		mg_set_must_close(c);
		send_error(c, 421, "Misdirected Request", NULL,
		    "Host names another server (serve --admin-host adds "
		    "names)");
		return 200;
	}
	/* SPEC: every /api/ and /metrics request needs the token. */
	if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0 &&
	    strcmp(path, "/metrics") != 0) {
		if (!serve_file(c, path, get))
			send_error(c, 404, "Not Found", NULL, "not found");
		return 200;
	}
	/*
	 * Authorization first: unknown paths say nothing to strangers. A
	 * token presented is a guess until it is right, and guesses from
	 * one client are limited (auth_allowed); no token is no guess.
	 */
	token = bearer(c, tokbuf, sizeof(tokbuf));
	right = token != NULL && authorized(h, token);
	memset(tokbuf, 0, sizeof(tokbuf));
	if (token != NULL && !right && !auth_allowed(h, ri->remote_addr)) {
		struct timespec ts = {0, ADMIN_AUTH_DELAY_MS * 1000000L};

		nanosleep(&ts, NULL);
		send_error(c, 429, "Too Many Requests", "Retry-After: 1\r\n",
		    "too many failed authentications; try again later");
		return 200;
	}
	if (!right) {
		if (token != NULL)
			auth_failed(h, ri->remote_addr, path);
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
	if (strcmp(path, "/api/v1/certificates") == 0) {
		if (strcmp(m, "POST") != 0)
			send_error(c, 405, "Method Not Allowed",
			    "Allow: POST\r\n", "method not allowed");
		else
			handle_certs_post(h, c);
		return 200;
	}
	if (strncmp(path, "/api/v1/certificates/", 21) == 0) {
		if (!get)
			send_error(c, 405, "Method Not Allowed",
			    "Allow: GET, HEAD\r\n", "method not allowed");
		else
			handle_cert_get(h, c, path + 21);
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
	    /* POST /api/v1/certificates takes a batch of PEMs. */
	    .body_max = ADMIN_CERTS_BODY_MAX,
	};
	struct http_admin *h;
	enum ob_err e;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return OB_ERR_NOMEM;
	h->conf = *conf;
	pthread_mutex_init(&h->lock, NULL);
	if ((e = http_start(&lc, handler, h, &h->ctx, errbuf, errsz)) !=
	    OB_OK) {
		pthread_mutex_destroy(&h->lock);
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
	pthread_mutex_destroy(&h->lock);
	free(h);
}
