/*
 * HTTP, on civetweb: what both listeners share (http.c), the public
 * listener (http_ocsp.c), the admin listener (http_admin.c), the admin
 * API's bodies and issuer document (api_json.c), and the stats, text and
 * Prometheus documents they serve (metrics.c). Only http*.c include
 * civetweb.h.
 */
#ifndef OCSPBOX_HTTP_H
#define OCSPBOX_HTTP_H

#include "server.h"

/* ---- http.c: what both listeners share (civetweb) ---------------------- */

/*
 * How long a client may take, in ms (both listeners): to send the first
 * byte of a new connection; to send one whole request, head and body,
 * from its first byte (then 408); to start the next request on a
 * keep-alive connection. Connections wait for these in civetweb's master
 * thread (the gate, third_party/civetweb/gate.inl), never in a worker.
 */
#define HTTP_FIRST_BYTE_TIMEOUT_MS 2000
#define HTTP_REQUEST_TIMEOUT_MS 5000
#define HTTP_KEEP_ALIVE_TIMEOUT_MS 5000
/* Bytes of requests not yet complete that a listener holds in all; past
 * it the connection held longest is closed. */
#define HTTP_REQUEST_BUFFER_BUDGET (16 * 1024 * 1024)
/* Complete requests waiting for a worker, per listener (each holds its
 * connection's descriptor). */
#define HTTP_CONNECTION_QUEUE 1024
/* The admin listener: its workers and the connections it holds. */
#define HTTP_ADMIN_THREADS 4
#define HTTP_ADMIN_MAX_CONNECTIONS 256

/* The largest request body accepted (SPEC: 413 above 64 KiB). */
#define HTTP_BODY_MAX (64 * 1024)

/* One listener's settings. */
struct http_listen_conf {
	const char *listen; /* "A:P", "[v6]:P" or "P" */
	int threads; /* workers */
	int max_connections; /* held without a complete request */
	size_t buffer_budget; /* bytes of incomplete requests, in all */
	int decode_url; /* civetweb %-decodes paths (the public one: no) */
	size_t body_max; /* the largest request body; 0: HTTP_BODY_MAX */
};

/*
 * Starts a civetweb context listening as lc says, with the deadlines
 * above, that sends every path to fn(conn, user) and logs civetweb's own
 * errors to stderr. On failure *ctx is NULL and errbuf says why (a port
 * in use, say). Both listeners start this way.
 */
struct mg_context;
struct mg_connection;
enum ob_err http_start(const struct http_listen_conf *lc,
    int (*fn)(struct mg_connection *, void *), void *user,
    struct mg_context **ctx, char *errbuf, size_t errsz);

/*
 * Sends an answer's head (its status line, its fields and the empty
 * line) and body in one write, with "Date" added after the status line
 * (RFC 9110 6.6.1). HEAD requests get the head only. Never waits for the
 * client: what it does not take at once, civetweb's gate sends as it
 * reads (mg_write_gated); on an error the connection closes after the
 * handler. Worker threads.
 */
void http_send_all(struct mg_connection *, const char *head, size_t hlen,
    const unsigned char *body, size_t blen);

/*
 * The bytes http_send_all sends: head's status line, "Date" for this
 * second, "Connection: " conn unless conn is NULL ("close", or
 * "keep-alive" to an HTTP/1.0 client that asked for it: RFC 9112 9.3),
 * head's fields and empty line, then blen bytes of body, written to out
 * (cap bytes). Returns their length, or 0 when they do not fit (out then
 * holds nothing of use). Any thread.
 */
size_t http_frame(char *out, size_t cap, const char *head, size_t hlen,
    const unsigned char *body, size_t blen, const char *conn);

/*
 * civetweb's global state: http_init before the first listener starts,
 * http_exit after the last stops (main thread). http_version is
 * civetweb's version string.
 */
void http_init(void);
void http_exit(void);
const char *http_version(void);

/* t (seconds since the epoch) as an IMF-fixdate, RFC 9110 5.6.7. */
#define HTTP_DATE_LEN 30 /* with the NUL */
void http_date(int64_t t, char out[HTTP_DATE_LEN]);

/*
 * The max-age, in seconds, of a cacheable answer valid until next_update
 * (RFC 5019 6.2), as of now: it ends before next_update by a margin,
 * HTTP_MAX_AGE_MARGIN or half of validity if less, for caches that serve
 * a little past max-age (Varnish's default grace is 10 s) and for the
 * second now is rounded down from; never over validity, never negative.
 */
#define HTTP_MAX_AGE_MARGIN 60
int64_t http_max_age(int64_t next_update, int64_t now, int64_t validity);

/* ---- http_ocsp.c: the public listener (civetweb) ------------------------- */

struct http_ocsp;

/* Settings of the public listener. */
struct http_ocsp_conf {
	struct http_listen_conf lc;
	int64_t validity; /* seconds: --validity, for max-age */
	/* seconds a shared cache may keep an answer with an "unknown" in
	 * it; 0: "no-cache", revalidated every time */
	int64_t unknown_max_age;
};

/*
 * Starts serving POST / and /ocsp, GET /{req} and /ocsp/{req}, GET
 * /crl/{issuer_id}.crl and /healthz from r, with conf. On failure *out
 * is NULL and errbuf says why (a port in use, say). Stop with
 * http_ocsp_stop, which finishes the requests in flight first. r must
 * outlive it.
 */
enum ob_err http_ocsp_start(struct responder *r,
    const struct http_ocsp_conf *conf, struct http_ocsp **out, char *errbuf,
    size_t errsz);
void http_ocsp_stop(struct http_ocsp *);

/* What the public listener answered since it started. */
struct http_ocsp_counts {
	/* [0] GET (HEAD too), [1] POST; by OCSPResponseStatus, [4] unused */
	int64_t by[2][OCSP_RESP_STATUS_COUNT];
	int64_t get, post; /* the sums of by[0] and by[1] */
	int64_t status[OCSP_RESP_STATUS_COUNT]; /* the sums over both methods */
	int64_t http_errors; /* answered with an HTTP 4xx */
	int64_t crl; /* CRLs served (200 or 304) */
	/* Connections, as the gate saw them (third_party/civetweb/gate.inl) */
	int64_t conn_open; /* held now without a complete request */
	int64_t conn_accepted, conn_evicted, conn_idle_closed;
	int64_t req_timed_out; /* answered 408 */
	int64_t req_rejected; /* bad framing or size, answered by the gate */
	int64_t gate_answered; /* OCSP answered by the gate, without a worker */
};

/* Reads the counts; any thread. */
void http_ocsp_counts(struct http_ocsp *, struct http_ocsp_counts *);

/* ---- api_json.c: the admin API's request bodies (pure, fuzzed) ---------- */

struct cJSON;

/*
 * Parses body (len bytes; body[len] must be the NUL that ends it) as one
 * JSON value (RFC 8259) and nothing after it. Refuses a body with a NUL
 * byte, any string escape \u0000, which would cut the C string cJSON
 * hands out short, and an object with two members of one name (cJSON
 * finds the first, most parsers the last). Returns the document (free with cJSON_Delete), or NULL
 * with *why set to a static one-line reason for a 400.
 */
struct cJSON *api_json_parse(const char *body, size_t len, const char **why);

/* Whether id is an issuer id: 1 to OB_ID_MAX of A-Z a-z 0-9 . _ -, not
 * starting with "." (ids appear in URLs and log lines). */
int api_issuer_id_valid(const char *id);

/* POST /api/v1/revoke's body, checked. */
struct api_revoke {
	char issuer_id[OB_ID_MAX + 1];
	char serial[OB_SERIAL_HEX_MAX + 1]; /* canonical (util_serial_canon) */
	int reason; /* RFC 5280 5.3.1 CRLReason code; -1 when absent */
	int unregistered; /* "unregistered": true, a serial never registered
			   * is revoked all the same */
};

/*
 * Parses {"issuer_id": ID, "serial_hex": HEX, "reason": NAME or absent,
 * "unregistered": true, false or absent} (body as for api_json_parse)
 * into out. OB_OK, or OB_ERR_INVAL with *why
 * a static one-line reason for a 400: malformed JSON, a member missing,
 * of the wrong type, too long or malformed, an unknown reason name or
 * removeFromCRL (a delta-CRL marker, RFC 5280 5.3.1).
 */
enum ob_err api_revoke_parse(
    const char *body, size_t len, struct api_revoke *out, const char **why);

/* One certificate of POST /api/v1/certificates, checked. */
struct api_cert {
	char issuer_id[OB_ID_MAX + 1];
	char *pem; /* the certificate, PEM; NULL: by serial */
	char serial[OB_SERIAL_HEX_MAX + 1]; /* canonical; "" with pem */
	int64_t not_after; /* seconds since the epoch; with serial */
};

/* The most certificates one request registers. */
#define API_CERTS_MAX 1000

/*
 * Parses POST /api/v1/certificates's body (as for api_json_parse): one
 * object, or an array of 1 to API_CERTS_MAX, each {"issuer_id": ID,
 * "pem": PEM} or {"issuer_id": ID, "serial_hex": HEX, "not_after":
 * RFC 3339}, nothing else. On OB_OK *out is a malloc'd array of *n
 * (free with api_certs_free). OB_ERR_INVAL with why (a buffer of
 * whysz bytes) a one-line reason for a 400, naming the item ("item 3:
 * ...") in a batch; OB_ERR_NOMEM.
 */
enum ob_err api_certs_parse(const char *body, size_t len, struct api_cert **out,
    size_t *n, char *why, size_t whysz);
void api_certs_free(struct api_cert *, size_t n);

/*
 * The issuer document, {"issuers": [{"id", "subject", "not_after",
 * "key_sha1", "certificates", "revoked", "crl_key", "responder":
 * {"subject", "key_algorithm", "is_ca", "not_before", "not_after",
 * "status", "auto_life_seconds"}}]} (times RFC 3339, key_sha1 the
 * issuerKeyHash of RFC 6960 4.1.1 in hex, status "ok", "expiring" when
 * the responder certificate expires within warn seconds of now, or
 * "expired", auto_life_seconds the life of the responders ocspbox
 * issues itself, null for an operator's responder): GET /api/v1/issuers
 * and `issuer list --json` both print this one. Returns the text,
 * malloc'd (the caller frees it), or NULL when out of memory.
 */
struct store_issuer;
char *api_issuers_json(
    const struct store_issuer *v, size_t n, int64_t now, int64_t warn);

/*
 * What ocspbox knows of one certificate (sc, from store_cert_get) as
 * GET /api/v1/certificates/{issuer_id}/{serial_hex} and `cert show
 * --json` print it: {"issuer_id", "serial_hex", "status": "good" or
 * "revoked", "expired" (not_after at or before now, seconds), "not_after",
 * "revoked_at", "reason", "subject", "registered_at", "updated_at"},
 * times RFC 3339 or null. Returns the text, malloc'd (the caller frees
 * it), or NULL when out of memory. Pure.
 */
struct store_cert;
char *api_cert_json(const char *issuer_id, const char *serial,
    const struct store_cert *sc, int64_t now);

/*
 * "ok", "expiring" or "expired": the state of is's responder as of now
 * (respcert_state, warn seconds of warning).
 */
const char *api_responder_status(
    const struct store_issuer *is, int64_t now, int64_t warn);

/* ---- http_admin.c: the admin listener (civetweb) ------------------------ */

/* The panel's files, embedded at build time (build/gen/web.c). */
struct web_file {
	const char *path; /* "/index.html" */
	const char *type; /* Content-Type */
	const char *data; /* gzip-compressed (RFC 1952), len bytes */
	size_t len;
};
extern const struct web_file web_files[]; /* ends with a NULL path */

struct http_admin;

/* Settings of the admin listener; r, rf (may be NULL) outlive it. */
/* An `openssl ca` index serve follows (--follow-index). */
struct http_follow {
	const char *issuer, *path;
	struct follower *fw;
};

struct http_admin_conf {
	const char *listen; /* "A:P" */
	/* Host names, comma-separated, that requests may name in Host
	 * besides IP literals and localhost (DNS rebinding); may be NULL. */
	const char *hosts;
	const char *db_path;
	unsigned char token_sha256[32]; /* SHA-256 of the Bearer token */
	struct responder *r;
	struct refresher *rf;
	struct http_ocsp *pub; /* the public listener, for its counts */
	int64_t interval; /* the refresh interval, for the stats */
	int64_t started_at;
	const struct http_follow *follows; /* nfollows, outliving it */
	size_t nfollows;
};

/*
 * Starts the admin listener: GET /api/v1/cache/stats, every /api/ path
 * behind "Authorization: Bearer TOKEN" (401 with a JSON error otherwise,
 * compared in constant time). On failure *out is NULL and errbuf says why.
 */
enum ob_err http_admin_start(const struct http_admin_conf *,
    struct http_admin **out, char *errbuf, size_t errsz);
void http_admin_stop(struct http_admin *);

/* What the admin listener refused since it started. */
struct http_admin_counts {
	int64_t auth_failures; /* 401: a wrong token (not a missing one) */
	int64_t auth_limited; /* 429: too many failures from one client */
	int64_t misdirected; /* 421: a Host that names another server */
};

/* Reads the counts; any thread. */
void http_admin_counts(struct http_admin *, struct http_admin_counts *);

/*
 * Whether a request's Host header (NULL when absent, as HTTP/1.0 allows)
 * may reach the admin listener: an IP literal, "localhost", or one of
 * names (comma-separated, may be NULL), any case, with or without a
 * port, a trailing dot on either side and blanks after the value
 * ignored (RFC 9110 5.5, 7.2). A browser sends the name it resolved, so
 * a page whose name an attacker points at 127.0.0.1 (DNS rebinding) is
 * refused. Pure.
 */
int http_admin_host_ok(const char *host, const char *names);

/* Whether names is a comma-separated list of DNS names (A-Z a-z 0-9 .
 * -, 1 to 253 each) for --admin-host. Pure. */
int http_admin_names_valid(const char *names);

/*
 * Whether token is strong enough for the admin listener: at least 128
 * bits, counting 4 bits a character when all are hex digits, 6 when
 * all are base64 (RFC 4648 4 or 5), and refusing any other character
 * (spaces and controls do not survive an Authorization header). Pure.
 */
int http_admin_token_strong(const char *token);

/* The SHA-256 of a token, as stored and compared. */
void http_admin_token_hash(const char *token, unsigned char out[32]);

/*
 * Makes a new random token: 32 octets from the kernel, as 64 hex digits
 * into out (65 bytes), and its hash. OB_OK or OB_ERR_IO.
 */
enum ob_err http_admin_token_new(char out[65], unsigned char hash[32]);

/* ---- http_api.c: the admin API's answers and handlers ------------------ */

/* POST /api/v1/certificates's largest body: a batch of API_CERTS_MAX PEMs
 * of ordinary leaves (RSA-2048, EC) fits; RSA-4096 ones take two. */
#define HTTP_API_CERTS_BODY_MAX (2 * 1024 * 1024)

/*
 * Sends code and reason with a JSON body (blen bytes) and "Cache-Control:
 * no-store"; extra, when not NULL, is more header lines, each ending with
 * CRLF. Worker threads.
 */
void http_api_json(struct mg_connection *, int code, const char *reason,
    const char *extra, const char *body, size_t blen);

/* The same with {"error": msg}: msg is ours, ASCII, one line, cut at
 * about 300 bytes; its quotes and backslashes are escaped here. */
void http_api_error(struct mg_connection *, int code, const char *reason,
    const char *extra, const char *msg);

/*
 * The API's handlers, for an authenticated request on the admin listener
 * (conf is its settings): GET /api/v1/issuers (api_issuers_json);
 * POST /api/v1/certificates (one or a batch registered in one
 * transaction: 201 when one was new, 200 when all were known, 400 naming
 * the item, 404 for an issuer not there, 413, 415); GET
 * /api/v1/certificates/{issuer_id}/{serial_hex} with rest what follows
 * "/api/v1/certificates/" (404 when either is not there, 400 when either
 * cannot be one); POST /api/v1/revoke (SPEC; 404 for an issuer or a
 * certificate not there). Each answers the request itself, 503 when the
 * store is busy or unavailable. Worker threads.
 */
void http_api_issuers(const struct http_admin_conf *, struct mg_connection *);
void http_api_certs_post(
    const struct http_admin_conf *, struct mg_connection *);
void http_api_cert_get(
    const struct http_admin_conf *, struct mg_connection *, const char *rest);
void http_api_revoke(const struct http_admin_conf *, struct mg_connection *);

/* GET /api/v1/history's default and largest ?limit= (per list). */
#define HTTP_API_HISTORY_DEFAULT 50
#define HTTP_API_HISTORY_MAX 500

/*
 * GET /api/v1/history[?limit=N]: the newest N (default 50, 1 to 500)
 * revocations with their reason and source, CRL generation events (a
 * failure repeated counted once: "repeated") and refresh passes, each
 * list newest first, from the tables (store_history). 400 for a bad
 * limit, 503 when the store is busy or unavailable.
 */
void http_api_history(const struct http_admin_conf *, struct mg_connection *);

/*
 * POST /api/v1/unrevoke {"issuer_id", "serial_hex"}: releases a
 * certificateHold (store_unrevoke, RFC 5280 5.3.1) and pokes the CRL
 * thread. 200 {"issuer_id", "serial_hex", "status": "good"}; 400 for a
 * malformed body or one with "reason" or "unregistered"; 404 no such
 * issuer or certificate; 409 not revoked, or revoked for another reason
 * (final); 503 when the store is busy.
 */
void http_api_unrevoke(const struct http_admin_conf *, struct mg_connection *);

/* ---- metrics.c: the stats document, its text, the Prometheus exposition -- */

/* What only a running server knows, for the stats. */
struct http_ocsp_counts;
struct responder_counters;
struct responder_hist;
/* Where a followed index stands (serve --follow-index). */
struct metrics_follow {
	const char *issuer, *path;
	struct follow_status st;
};

struct metrics_live {
	int64_t hits, misses, live_signs; /* not yet in cache_counters */
	int64_t interval; /* 0: no refresh thread (the CLI) */
	int running; /* a refresh pass is under way */
	int64_t next_due; /* this server's next pass; INT64_MIN: not known */
	/* The server's host name and database path; NULL: left out. */
	const char *host, *database;
	int64_t started_at; /* when serve started */
	const struct http_ocsp_counts *requests; /* NULL: none */
	const struct responder_counters *totals; /* since start, or NULL */
	const struct responder_hist *hists; /* per issuer */
	size_t nhists;
	const struct http_admin_counts *admin; /* NULL: none */
	const struct issuer_state *states; /* per issuer: its responder */
	size_t nstates;
	int64_t warn; /* the warning period before a responder expires, s */
	int64_t not_loaded; /* issuers whose record failed to load */
	/* ocspbox's version and its libraries' (ocspbox_build_info); a
	 * NULL version leaves that family out. */
	const char *version, *sqlite_version, *mbedtls_version,
	    *civetweb_version;
	const struct metrics_follow *follows; /* the indexes followed */
	size_t nfollows;
};

/*
 * The stats document of SPEC "The admin listener" as JSON, malloc'd into
 * *out (NUL-terminated, *len bytes). live may be NULL. Pure. A crl_number
 * is a JSON number up to 2^53 - 1 (what a double holds exactly) and a
 * string of its decimal digits above that.
 */
enum ob_err metrics_stats_json(const struct store_stats *,
    const struct metrics_live *, int64_t now, char **out, size_t *len);

/*
 * The Prometheus text exposition (format 0.0.4) of the same numbers and
 * live's (requests, totals, histograms), names prefixed ocspbox_,
 * malloc'd into *out. Pure.
 */
enum ob_err metrics_text(const struct store_stats *,
    const struct metrics_live *, char **out, size_t *len);

/* The same for people, as `cache stats` prints it. */
void metrics_stats_text(const struct store_stats *, int64_t now, FILE *);

#endif /* OCSPBOX_HTTP_H */
