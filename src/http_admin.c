/*
 * The admin listener, on its own civetweb context and port (127.0.0.1:8081
 * by default) so that the public OCSP listener never exposes it: the Bearer
 * token and its guessing limits, the Host check, routing, the stats and
 * /metrics, and the panel's files. The API's handlers are in http_api.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <mbedtls/sha256.h>

#include "civetweb.h"
#include "http.h"

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
	char host[256]; /* this machine's name, for the panel's header */
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
		http_api_error(
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
		http_api_error(
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
	live.next_due =
	    h->conf.rf != NULL ? refresh_next_due(h->conf.rf) : INT64_MIN;
	live.host = h->host[0] != '\0' ? h->host : NULL;
	live.database = h->conf.db_path;
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
		http_api_error(
		    c, 503, "Service Unavailable", NULL, "out of memory");
		return;
	}
	if (!metrics)
		http_api_json(c, 200, "OK", NULL, text, len);
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
		http_api_error(c, 405, "Method Not Allowed",
		    "Allow: GET, HEAD\r\n", "method not allowed");
		return 1;
	}
	/* Stored gzip-compressed only (scripts/embed-web.sh): every browser
	 * takes that; a client that says it cannot is told why. */
	if (!accepts_gzip(c)) {
		http_api_error(c, 406, "Not Acceptable",
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
		http_api_error(c, 421, "Misdirected Request", NULL,
		    "Host names another server (serve --admin-host adds "
		    "names)");
		return 200;
	}
	/* SPEC: every /api/ and /metrics request needs the token. */
	if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0 &&
	    strcmp(path, "/metrics") != 0) {
		if (!serve_file(c, path, get))
			http_api_error(c, 404, "Not Found", NULL, "not found");
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
		http_api_error(c, 429, "Too Many Requests",
		    "Retry-After: 1\r\n",
		    "too many failed authentications; try again later");
		return 200;
	}
	if (!right) {
		if (token != NULL)
			auth_failed(h, ri->remote_addr, path);
		http_api_error(c, 401, "Unauthorized",
		    "WWW-Authenticate: Bearer realm=\"ocspbox\"\r\n",
		    "missing or wrong bearer token");
		return 200;
	}
	if (strcmp(path, "/api/v1/cache/stats") == 0 ||
	    strcmp(path, "/api/v1/issuers") == 0 ||
	    strcmp(path, "/api/v1/history") == 0 ||
	    strcmp(path, "/metrics") == 0) {
		if (!get)
			http_api_error(c, 405, "Method Not Allowed",
			    "Allow: GET, HEAD\r\n", "method not allowed");
		else if (strcmp(path, "/api/v1/issuers") == 0)
			http_api_issuers(&h->conf, c);
		else if (strcmp(path, "/api/v1/history") == 0)
			http_api_history(&h->conf, c);
		else
			handle_stats(h, c, strcmp(path, "/metrics") == 0);
		return 200;
	}
	if (strcmp(path, "/api/v1/certificates") == 0) {
		if (strcmp(m, "POST") != 0)
			http_api_error(c, 405, "Method Not Allowed",
			    "Allow: POST\r\n", "method not allowed");
		else
			http_api_certs_post(&h->conf, c);
		return 200;
	}
	if (strncmp(path, "/api/v1/certificates/", 21) == 0) {
		if (!get)
			http_api_error(c, 405, "Method Not Allowed",
			    "Allow: GET, HEAD\r\n", "method not allowed");
		else
			http_api_cert_get(&h->conf, c, path + 21);
		return 200;
	}
	if (strcmp(path, "/api/v1/revoke") == 0 ||
	    strcmp(path, "/api/v1/unrevoke") == 0 ||
	    strcmp(path, "/api/v1/cache/refresh") == 0) {
		if (strcmp(m, "POST") != 0)
			http_api_error(c, 405, "Method Not Allowed",
			    "Allow: POST\r\n", "method not allowed");
		else if (strcmp(path, "/api/v1/revoke") == 0)
			http_api_revoke(&h->conf, c);
		else if (strcmp(path, "/api/v1/unrevoke") == 0)
			http_api_unrevoke(&h->conf, c);
		else if (h->conf.rf == NULL)
			http_api_error(c, 503, "Service Unavailable", NULL,
			    "no refresh thread");
		else {
			static const char ok[] =
			    "{\"status\":\"refresh started\"}\n";

			refresh_kick(h->conf.rf);
			log_warnx("admin: refresh started, from %s",
			    mg_get_request_info(c) != NULL
				? mg_get_request_info(c)->remote_addr
				: "?");
			http_api_json(
			    c, 202, "Accepted", NULL, ok, sizeof(ok) - 1);
		}
		return 200;
	}
	http_api_error(c, 404, "Not Found", NULL, "not found");
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
	    /* Two of the largest requests at once (a batch of PEMs sent
	     * chunked, at most twice its body); past it the gate closes
	     * the connection parked longest, a client trickling bytes
	     * before one that sends at once. */
	    .buffer_budget = 2 * (2 * HTTP_API_CERTS_BODY_MAX) + 64 * 1024,
	    .decode_url = 1,
	    /* POST /api/v1/certificates takes a batch of PEMs. */
	    .body_max = HTTP_API_CERTS_BODY_MAX,
	};
	struct http_admin *h;
	enum ob_err e;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return OB_ERR_NOMEM;
	h->conf = *conf;
	if (gethostname(h->host, sizeof(h->host) - 1) != 0)
		h->host[0] = '\0';
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
