/*
 * The admin listener's JSON API (SPEC "The admin listener"): its answers
 * and errors, the issuer list, revoking, and registering and looking up
 * certificates. http_admin.c authenticates and routes; these run on its
 * workers after the Bearer token was found right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cJSON.h"
#include "civetweb.h"
#include "http.h"

/* The largest JSON body of the other endpoints. */
#define API_BODY_MAX 4096

void
http_api_json(struct mg_connection *c, int code, const char *reason,
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

void
http_api_error(struct mg_connection *c, int code, const char *reason,
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
	http_api_json(c, code, reason, extra, body, n + 3);
}

static void
send_cjson(struct mg_connection *c, int code, const char *reason, cJSON *doc)
{
	char *text = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;

	cJSON_Delete(doc);
	if (text == NULL) {
		http_api_error(
		    c, 503, "Service Unavailable", NULL, "out of memory");
		return;
	}
	http_api_json(c, code, reason, NULL, text, strlen(text));
	cJSON_free(text);
}

/* 200 with a JSON text made for it (and frees it); 503 when it is NULL,
 * which its maker returns out of memory. */
/* The address an admin request came from, for its log line. */
static const char *
peer(const struct mg_connection *c)
{
	const struct mg_request_info *ri = mg_get_request_info(c);

	return ri != NULL && ri->remote_addr[0] != '\0' ? ri->remote_addr : "?";
}

static void
send_text(struct mg_connection *c, char *text)
{
	if (text == NULL) {
		http_api_error(
		    c, 503, "Service Unavailable", NULL, "out of memory");
		return;
	}
	http_api_json(c, 200, "OK", NULL, text, strlen(text));
	free(text);
}

static const char *
time_text(int64_t t, char *buf, size_t sz)
{
	util_time_format(t, buf, sz);
	return buf;
}

void
http_api_issuers(const struct http_admin_conf *conf, struct mg_connection *c)
{
	struct store_issuer *v = NULL;
	struct store *st = NULL;
	char err[OB_ERRBUF], *text;
	size_t n = 0;

	if (store_open(conf->db_path, 0, &st, err, sizeof(err)) != OB_OK ||
	    store_issuer_list(st, &v, &n, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: issuers: %s", err);
		store_close(st);
		http_api_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	store_close(st);
	text = api_issuers_json(
	    v, n, (int64_t)time(NULL), responder_warn(conf->r));
	store_issuer_list_free(v, n);
	send_text(c, text);
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
		http_api_error(c, 415, "Unsupported Media Type", NULL,
		    "want Content-Type: application/json");
		return 0;
	}
	snprintf(why, sizeof(why), "body over %zu KiB", max / 1024);
	if (ri->content_length > (long long)max) {
		mg_set_must_close(c);
		http_api_error(c, 413, "Payload Too Large", NULL, why);
		return 0;
	}
	while (n <= max && (r = mg_read(c, body + n, max + 1 - n)) > 0)
		n += (size_t)r;
	if (n > max) {
		mg_set_must_close(c);
		http_api_error(c, 413, "Payload Too Large", NULL, why);
		return 0;
	}
	body[n] = '\0';
	*len = n;
	return 1;
}

/* read_body_max for the small bodies: at most API_BODY_MAX. */
static int
read_body(struct mg_connection *c, char *body, size_t *len)
{
	return read_body_max(c, body, API_BODY_MAX, len);
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
void
http_api_certs_post(const struct http_admin_conf *conf, struct mg_connection *c)
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

	if ((body = malloc(HTTP_API_CERTS_BODY_MAX + 1)) == NULL) {
		http_api_error(
		    c, 503, "Service Unavailable", NULL, "out of memory");
		return;
	}
	if (!read_body_max(c, body, HTTP_API_CERTS_BODY_MAX, &len))
		goto out;
	if ((e = api_certs_parse(body, len, &v, &n, why, sizeof(why))) !=
	    OB_OK) {
		http_api_error(c, e == OB_ERR_NOMEM ? 503 : 400,
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
	if (store_open(conf->db_path, 0, &st, err, sizeof(err)) != OB_OK ||
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
	serial = v[0].pem != NULL ? leaves[0].serial : v[0].serial;
	log_warnx("admin: certificates: %lld new, %lld known (%s %s%s), "
		  "from %s",
	    fresh, known, v[0].issuer_id, serial, n > 1 ? " first" : "",
	    peer(c));
	cJSON_AddNumberToObject(out, "registered", (double)fresh);
	cJSON_AddNumberToObject(out, "known", (double)known);
	send_cjson(c, fresh > 0 ? 201 : 200, fresh > 0 ? "Created" : "OK", out);
	out = NULL;
	goto out;
fail:
	if (in_tx)
		store_rollback(st);
	http_api_error(c, code,
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
void
http_api_cert_get(const struct http_admin_conf *conf, struct mg_connection *c,
    const char *rest)
{
	char id[OB_ID_MAX + 1], serial[OB_SERIAL_HEX_MAX + 1], raw[160];
	char err[OB_ERRBUF], *text;
	const char *slash = strchr(rest, '/');
	struct store_cert sc;
	struct store *st = NULL;
	int64_t now = (int64_t)time(NULL);
	enum ob_err e;

	if (slash == NULL) {
		http_api_error(c, 404, "Not Found", NULL,
		    "want /api/v1/certificates/{issuer_id}/{serial_hex}");
		return;
	}
	if ((size_t)(slash - rest) > OB_ID_MAX) {
		http_api_error(c, 400, "Bad Request", NULL, "bad issuer_id");
		return;
	}
	if (strlen(slash + 1) >= sizeof(raw)) {
		http_api_error(c, 400, "Bad Request", NULL, "bad serial_hex");
		return;
	}
	memcpy(id, rest, (size_t)(slash - rest));
	id[slash - rest] = '\0';
	snprintf(raw, sizeof(raw), "%s", slash + 1);
	if (!api_issuer_id_valid(id)) {
		http_api_error(c, 400, "Bad Request", NULL, "bad issuer_id");
		return;
	}
	if (util_serial_canon(raw, serial) != OB_OK) {
		http_api_error(c, 400, "Bad Request", NULL, "bad serial_hex");
		return;
	}
	if (store_open(conf->db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: certificate: %s", err);
		http_api_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	e = store_cert_get(st, id, serial, &sc, err, sizeof(err));
	store_close(st);
	if (e == OB_ERR_NOTFOUND) {
		http_api_error(c, 404, "Not Found", NULL, err);
		return;
	}
	if (e != OB_OK) {
		log_warnx("admin: certificate %s %s: %s", id, serial, err);
		http_api_error(c, e == OB_ERR_BUSY ? 503 : 500,
		    e == OB_ERR_BUSY ? "Service Unavailable"
				     : "Internal Server Error",
		    NULL, "lookup failed");
		return;
	}
	text = api_cert_json(id, serial, &sc, now);
	store_cert_clear(&sc);
	send_text(c, text);
}

void
http_api_revoke(const struct http_admin_conf *conf, struct mg_connection *c)
{
	char body[API_BODY_MAX + 1], err[OB_ERRBUF], ts[32];
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
		http_api_error(c, 400, "Bad Request", NULL, why);
		return;
	}
	if (store_open(conf->db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: revoke: %s", err);
		http_api_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	store_source(st, "api");
	/* The API revokes what it knows; unknown ids are the caller's typo. */
	err[0] = '\0';
	missing = "no such issuer";
	e = store_issuer_exists(st, rq.issuer_id, err, sizeof(err));
	if (e == OB_OK) {
		missing = "no such certificate (\"unregistered\": true "
			  "revokes it all the same)";
		e = store_cert_status(st, rq.issuer_id, NULL, rq.serial,
		    &revoked, &at, &old_reason, err, sizeof(err));
		/* A serial never registered: a typo, unless the caller
		 * says it is meant (as revoke --unregistered). */
		if (e == OB_ERR_NOTFOUND && rq.unregistered)
			e = OB_OK;
	}
	if (e == OB_OK)
		e = store_revoke(st, rq.issuer_id, rq.serial, rq.reason, now,
		    &already, err, sizeof(err));
	store_close(st);
	if (e == OB_ERR_NOTFOUND) {
		http_api_error(c, 404, "Not Found", NULL, missing);
		return;
	}
	if (e != OB_OK) {
		log_warnx(
		    "admin: revoke %s %s: %s", rq.issuer_id, rq.serial, err);
		http_api_error(c, e == OB_ERR_BUSY ? 503 : 500,
		    e == OB_ERR_BUSY ? "Service Unavailable"
				     : "Internal Server Error",
		    NULL, "revoke failed");
		return;
	}
	log_warnx("admin: revoked %s %s%s%s%s%s, from %s", rq.issuer_id,
	    rq.serial, rq.reason >= 0 ? " reason " : "",
	    rq.reason >= 0 ? util_reason_name(rq.reason) : "",
	    already == 1       ? " (already revoked)"
		: already == 2 ? " (was on certificateHold)"
			       : "",
	    rq.unregistered ? " (unregistered allowed)" : "", peer(c));
	if (already != 1 && conf->rf != NULL)
		refresh_crl_poke(conf->rf); /* onto the CRL now */
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "issuer_id", rq.issuer_id);
	cJSON_AddStringToObject(out, "serial_hex", rq.serial);
	cJSON_AddBoolToObject(out, "already_revoked", already == 1);
	if (already == 2)
		cJSON_AddBoolToObject(out, "was_on_hold", 1);
	if (already != 1) {
		cJSON_AddStringToObject(
		    out, "revoked_at", time_text(now, ts, sizeof(ts)));
		if (rq.reason >= 0)
			cJSON_AddStringToObject(
			    out, "reason", util_reason_name(rq.reason));
	}
	send_cjson(c, 200, "OK", out);
}

void
http_api_unrevoke(const struct http_admin_conf *conf, struct mg_connection *c)
{
	char body[API_BODY_MAX + 1], err[OB_ERRBUF];
	const char *why;
	struct api_revoke rq;
	struct store *st = NULL;
	cJSON *out;
	size_t len;
	enum ob_err e;

	if (!read_body(c, body, &len))
		return;
	/* revoke's body, less what unrevoke does not take: its own words. */
	if (api_revoke_parse(body, len, &rq, &why) != OB_OK) {
		http_api_error(c, 400, "Bad Request", NULL,
		    strncmp(why, "want {", 6) == 0 ||
			    strncmp(why, "unknown reason", 14) == 0 ||
			    strncmp(why, "unregistered", 12) == 0
			? "want {\"issuer_id\": string, \"serial_hex\": "
			  "string}: unrevoke takes nothing else"
			: why);
		return;
	}
	if (rq.reason != -1 || rq.unregistered) {
		http_api_error(c, 400, "Bad Request", NULL,
		    "unrevoke takes issuer_id and serial_hex only");
		return;
	}
	if (store_open(conf->db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: unrevoke: %s", err);
		http_api_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	e = store_unrevoke(st, rq.issuer_id, rq.serial, err, sizeof(err));
	store_close(st);
	if (e == OB_ERR_NOTFOUND) {
		http_api_error(c, 404, "Not Found", NULL, err);
		return;
	}
	if (e == OB_ERR_INVAL) {
		/* Not on hold: the request is right, the state says no. */
		http_api_error(c, 409, "Conflict", NULL, err);
		return;
	}
	if (e != OB_OK) {
		log_warnx(
		    "admin: unrevoke %s %s: %s", rq.issuer_id, rq.serial, err);
		http_api_error(c, e == OB_ERR_BUSY ? 503 : 500,
		    e == OB_ERR_BUSY ? "Service Unavailable"
				     : "Internal Server Error",
		    NULL, "unrevoke failed");
		return;
	}
	log_warnx("admin: released %s %s from certificateHold, from %s",
	    rq.issuer_id, rq.serial, peer(c));
	if (conf->rf != NULL)
		refresh_crl_poke(conf->rf); /* off the CRL now */
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "issuer_id", rq.issuer_id);
	cJSON_AddStringToObject(out, "serial_hex", rq.serial);
	cJSON_AddStringToObject(out, "status", "good");
	send_cjson(c, 200, "OK", out);
}

/* t as RFC 3339 into o under name, or null when INT64_MIN. */
static int
add_time_or_null(cJSON *o, const char *name, int64_t t)
{
	char ts[32];

	return (t == INT64_MIN ? cJSON_AddNullToObject(o, name)
			       : cJSON_AddStringToObject(o, name,
				     time_text(t, ts, sizeof(ts)))) != NULL;
}

/* The history's three lists as JSON, or NULL when out of memory. */
static cJSON *
history_json(const struct store_history *h)
{
	char dec[OB_CRLNUM_DEC + 1];
	cJSON *out, *list, *o;
	uint64_t n64;
	size_t i;
	int ok;

	if ((out = cJSON_CreateObject()) == NULL)
		return NULL;
	ok = (list = cJSON_AddArrayToObject(out, "revocations")) != NULL;
	for (i = 0; ok && i < h->nrevocations; i++) {
		const struct store_revocation_event *r = &h->revocations[i];

		ok = (o = cJSON_CreateObject()) != NULL &&
		    cJSON_AddItemToArray(list, o) &&
		    cJSON_AddStringToObject(o, "issuer_id", r->issuer_id) &&
		    cJSON_AddStringToObject(o, "serial_hex", r->serial) &&
		    add_time_or_null(o, "revoked_at", r->revoked_at) &&
		    (r->reason >= 0 ? cJSON_AddStringToObject(o, "reason",
					  util_reason_name(r->reason))
				    : cJSON_AddNullToObject(o, "reason")) &&
		    (r->source[0] != '\0'
			    ? cJSON_AddStringToObject(o, "source", r->source)
			    : cJSON_AddNullToObject(o, "source")) &&
		    add_time_or_null(o, "recorded_at", r->recorded_at);
	}
	ok = ok && (list = cJSON_AddArrayToObject(out, "crl_builds")) != NULL;
	for (i = 0; ok && i < h->ncrl_builds; i++) {
		const struct store_crl_event *c = &h->crl_builds[i];

		ok = (o = cJSON_CreateObject()) != NULL &&
		    cJSON_AddItemToArray(list, o) &&
		    cJSON_AddStringToObject(o, "issuer_id", c->issuer_id) &&
		    add_time_or_null(o, "started_at", c->started_at) &&
		    add_time_or_null(o, "last_at", c->last_at) &&
		    cJSON_AddNumberToObject(o, "repeated", (double)c->repeated);
		/* As the stats: a number up to 2^53 - 1, else its digits. */
		if (ok && !c->has_number)
			ok = cJSON_AddNullToObject(o, "crl_number") != NULL;
		else if (ok && util_crlnum_u64(&c->number, &n64) &&
		    n64 < ((uint64_t)1 << 53))
			ok = cJSON_AddNumberToObject(
				 o, "crl_number", (double)n64) != NULL;
		else if (ok) {
			util_crlnum_dec(&c->number, dec);
			ok = cJSON_AddStringToObject(o, "crl_number", dec) !=
			    NULL;
		}
		ok = ok &&
		    (c->revoked_count >= 0
			    ? cJSON_AddNumberToObject(
				  o, "revoked_count", (double)c->revoked_count)
			    : cJSON_AddNullToObject(o, "revoked_count")) &&
		    cJSON_AddBoolToObject(o, "succeeded", c->succeeded) &&
		    cJSON_AddNumberToObject(
			o, "duration_ms", (double)c->duration_ms) &&
		    (c->error[0] != '\0'
			    ? cJSON_AddStringToObject(o, "error", c->error)
			    : cJSON_AddNullToObject(o, "error"));
	}
	ok = ok && (list = cJSON_AddArrayToObject(out, "refresh_runs")) != NULL;
	for (i = 0; ok && i < h->nruns; i++) {
		const struct store_refresh_run *r = &h->runs[i];

		ok = (o = cJSON_CreateObject()) != NULL &&
		    cJSON_AddItemToArray(list, o) &&
		    add_time_or_null(o, "started_at", r->started_at) &&
		    cJSON_AddNumberToObject(
			o, "duration_ms", (double)r->duration_ms) &&
		    cJSON_AddNumberToObject(o, "signed", (double)r->nsigned) &&
		    cJSON_AddNumberToObject(o, "errors", (double)r->errors) &&
		    cJSON_AddNumberToObject(o, "dropped", (double)r->dropped) &&
		    cJSON_AddStringToObject(o, "source", r->source);
	}
	if (!ok) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

void
http_api_history(const struct http_admin_conf *conf, struct mg_connection *c)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	const char *q = ri->query_string;
	struct store_history h;
	struct store *st = NULL;
	char err[OB_ERRBUF], val[16], *end;
	long limit = HTTP_API_HISTORY_DEFAULT;
	cJSON *out;
	enum ob_err e;

	if (q != NULL &&
	    mg_get_var(q, strlen(q), "limit", val, sizeof(val)) >= 0) {
		limit = strtol(val, &end, 10);
		if (val[0] < '0' || val[0] > '9' || *end != '\0' || limit < 1 ||
		    limit > HTTP_API_HISTORY_MAX) {
			http_api_error(c, 400, "Bad Request", NULL,
			    "limit: want 1 to 500");
			return;
		}
	} else if (q != NULL &&
	    mg_get_var(q, strlen(q), "limit", val, sizeof(val)) == -2) {
		http_api_error(
		    c, 400, "Bad Request", NULL, "limit: want 1 to 500");
		return;
	}
	if (store_open(conf->db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("admin: history: %s", err);
		http_api_error(
		    c, 503, "Service Unavailable", NULL, "store unavailable");
		return;
	}
	e = store_history(st, (size_t)limit, &h, err, sizeof(err));
	store_close(st);
	if (e != OB_OK) {
		log_warnx("admin: history: %s", err);
		http_api_error(c, e == OB_ERR_BUSY ? 503 : 500,
		    e == OB_ERR_BUSY ? "Service Unavailable"
				     : "Internal Server Error",
		    NULL, "history unavailable");
		return;
	}
	out = history_json(&h);
	store_history_free(&h);
	if (out == NULL) {
		http_api_error(
		    c, 500, "Internal Server Error", NULL, "out of memory");
		return;
	}
	send_cjson(c, 200, "OK", out);
}
