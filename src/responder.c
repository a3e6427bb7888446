/*
 * Answering OCSP: parse the request, match each CertID to an issuer
 * (issuers.c), and answer. The hot path (one SHA-1 CertID in the form a
 * pre-signed response carries, no nonce) goes to the read-through cache
 * (cache.c); everything else is signed live. Each thread that answers has
 * its own database connection, opened here on first use.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

/* How long a request waits for a database lock, in ms. */
#define RESPONDER_BUSY_MS 250

struct responder {
	char *db_path;
	int nsign;
	int64_t validity;
	int64_t backdate;
	int64_t warn;
	/* the current table of issuers, swapped by a reload, under iss_mu */
	pthread_mutex_t iss_mu;
	struct issuers *iss;
	int retired; /* atomic: superseded tables still held */
	char *version; /* store_issuers_version as last loaded, under iss_mu */
	struct cache *cache;
	pthread_key_t tls; /* this thread's struct store */
	int gone; /* atomic: the database file was replaced or removed */
};

static void
tls_close(void *p)
{
	store_close(p);
}

/* This thread's connection, opened on first use; NULL if it fails. */
static struct store *
thread_store(struct responder *r)
{
	struct store *st = pthread_getspecific(r->tls);
	char err[OB_ERRBUF];

	/* Nothing from a file that no longer receives the revocations. */
	if (__atomic_load_n(&r->gone, __ATOMIC_ACQUIRE))
		return NULL;
	if (st != NULL)
		return st;
	if (store_open(r->db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("%s", err);
		return NULL;
	}
	if (pthread_setspecific(r->tls, st) != 0) {
		store_close(st); /* do not leak one connection per request */
		return NULL;
	}
	/*
	 * These connections write nothing but cache entries, and must not
	 * hold a request long: a write-back that finds the database locked
	 * (a long import, say) gives up after a moment, and the answer goes
	 * out anyway; a later request or pass caches it.
	 */
	store_relax_sync(st);
	store_busy_ms(st, RESPONDER_BUSY_MS);
	return st;
}

enum ob_err
responder_new(const struct responder_conf *conf, struct responder **out,
    char *errbuf, size_t errsz)
{
	struct responder *r = NULL;
	struct store *st = NULL;
	int64_t unknown = 0;
	enum ob_err e;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return OB_ERR_NOMEM;
	r->validity = conf->validity;
	r->backdate = conf->backdate;
	r->nsign = conf->nsign;
	r->warn = conf->warn > 0 ? conf->warn : RESPONDER_WARN_DEFAULT;
	pthread_mutex_init(&r->iss_mu, NULL);
	if (pthread_key_create(&r->tls, tls_close) != 0) {
		pthread_mutex_destroy(&r->iss_mu);
		free(r);
		return OB_ERR_NOMEM;
	}
	if ((r->db_path = strdup(conf->db_path)) == NULL) {
		e = OB_ERR_NOMEM;
		goto fail;
	}
	if ((e = store_open(conf->db_path, 0, &st, errbuf, errsz)) != OB_OK ||
	    (e = store_issuers_version(st, &r->version, errbuf, errsz)) !=
		OB_OK ||
	    (e = issuers_load(st, conf->nsign, NULL, 0, &r->iss, NULL, errbuf,
		 errsz)) != OB_OK ||
	    (e = store_cache_unknown_count(st, &unknown, errbuf, errsz)) !=
		OB_OK)
		goto fail;
	if ((r->cache = cache_new(conf->validity, conf->backdate,
		 conf->unknown_max, unknown)) == NULL) {
		e = OB_ERR_NOMEM;
		goto fail;
	}
	store_close(st);
	*out = r;
	return OB_OK;
fail:
	store_close(st);
	responder_free(r);
	return e;
}

void
responder_free(struct responder *r)
{
	if (r == NULL)
		return;
	/* Only this thread's connection: other threads close their own. */
	tls_close(pthread_getspecific(r->tls));
	pthread_setspecific(r->tls, NULL);
	pthread_key_delete(r->tls);
	cache_free(r->cache);
	issuers_release(r->iss);
	pthread_mutex_destroy(&r->iss_mu);
	free(r->version);
	free(r->db_path);
	free(r);
}

static void
answer_error(struct responder_answer *out, enum ocsp_resp_status st)
{
	free(out->der);
	memset(out, 0, sizeof(*out));
	out->status = st;
	if ((out->der = malloc(OCSP_ERROR_RESP_LEN)) == NULL)
		return;
	ocsp_resp_error(st, out->der);
	out->len = OCSP_ERROR_RESP_LEN;
}

/*
 * The OCSPResponseStatus of a store or signing failure (RFC 6960 2.3):
 * tryLater for a locked database, for an issuer whose id the database
 * now gives another CA (the reload, seconds away, settles it), and for a
 * responder or CA past its notAfter (until it is replaced).
 */
static enum ocsp_resp_status
failure_status(enum ob_err e)
{
	return e == OB_ERR_BUSY || e == OB_ERR_STALE || e == OB_ERR_EXPIRED
	    ? OCSP_TRY_LATER
	    : OCSP_INTERNAL_ERROR;
}

/* Whether c is byte for byte the CertID a cache entry of serial holds. */
static int
cacheable(
    const struct issuer *ie, const struct ocsp_certid *c, const char *serial)
{
	unsigned char buf[OCSP_CERTID_MAX], *der;
	size_t len;

	if (c->hash != OCSP_HASH_SHA1 ||
	    issuer_certid(ie, serial, buf, &der, &len) != OB_OK)
		return 0;
	return len == c->der_len && memcmp(der, c->der, len) == 0;
}

static void answer_certids(struct responder *, struct issuers *,
    const struct ocsp_req *, int64_t now, struct responder_answer *);

void
responder_answer(struct responder *r, const unsigned char *req, size_t len,
    struct responder_answer *out)
{
	struct ocsp_req q;
	struct issuers *iss;
	int64_t now = (int64_t)time(NULL);

	memset(out, 0, sizeof(*out));
	if (ocsp_req_parse(req, len, &q) != OB_OK) {
		answer_error(out, OCSP_MALFORMED);
		return;
	}
	/* The issuers as of now, held until the answer is made. */
	iss = responder_issuers_hold(r);
	answer_certids(r, iss, &q, now, out);
	issuers_release(iss);
}

int
responder_answer_cached(struct responder *r, const unsigned char *req,
    size_t len, size_t max, struct responder_answer *out)
{
	static _Thread_local struct store *quick;
	static _Thread_local int64_t retry_at; /* after a failed open */
	char serial[OB_SERIAL_HEX_MAX + 1], err[OB_ERRBUF];
	struct ocsp_req q;
	struct issuers *iss;
	struct issuer *ie;
	struct store *st;
	int64_t now = (int64_t)time(NULL);
	enum ob_err e;
	int ok = 0;

	memset(out, 0, sizeof(*out));
	if (ocsp_req_parse(req, len, &q) != OB_OK || q.ncertids != 1 ||
	    q.nonce != NULL)
		return 0;
	/* A store that failed to open is tried again a second later, not
	 * on each request (each try is logged). */
	if (now < retry_at)
		return 0;
	if ((st = thread_store(r)) == NULL) {
		retry_at = now + 1;
		return 0;
	}
	if (st != quick) {
		/* A lock is a worker's to wait for, not this thread's. */
		store_busy_ms(st, 0);
		quick = st;
	}
	/* One snapshot until responder_cached_done: see its comment. */
	if ((e = store_read_hold(st, err, sizeof(err))) != OB_OK)
		return e == OB_ERR_BUSY ? -1 : 0;
	iss = responder_issuers_hold(r);
	/* A page on disk is a worker's to wait for too. */
	store_reads_nowait(1);
	if ((ie = issuers_match(iss, &q.certids[0])) != NULL &&
	    util_serial_from_bytes(q.certids[0].serial, q.certids[0].serial_len,
		serial) == OB_OK &&
	    cacheable(ie, &q.certids[0], serial)) {
		e = cache_hit(r->cache, ie, st, serial, now, max, out);
		/* A miss is signed by a worker; the next request, most
		 * likely, is answered from the cache again. */
		if (e == OB_OK)
			ok = 1;
		else if (e == OB_ERR_BUSY || e == OB_ERR_NOTFOUND)
			ok = -1;
	}
	store_reads_nowait(0);
	issuers_release(iss);
	return ok;
}

void
responder_cached_done(struct responder *r)
{
	struct store *st = pthread_getspecific(r->tls);

	if (st != NULL)
		store_read_release(st);
}

/* responder_answer for the parsed request q, with the issuers iss. */
static void
answer_certids(struct responder *r, struct issuers *iss,
    const struct ocsp_req *qp, int64_t now, struct responder_answer *out)
{
	struct ocsp_single singles[OCSP_REQ_MAX_CERTIDS];
	const struct ocsp_req q = *qp;
	struct issuer *ie = NULL, *m;
	struct store *st;
	char serial[OCSP_REQ_MAX_CERTIDS][OB_SERIAL_HEX_MAX + 1];
	enum ob_err e;
	size_t i;

	assert(q.ncertids >= 1 && q.ncertids <= OCSP_REQ_MAX_CERTIDS);
	for (i = 0; i < q.ncertids; i++) {
		/*
		 * One response has one signer, so every CertID must name
		 * the same issuer; anything else is not ours to answer.
		 */
		if ((m = issuers_match(iss, &q.certids[i])) == NULL ||
		    (ie != NULL && m != ie)) {
			answer_error(out, OCSP_UNAUTHORIZED);
			return;
		}
		ie = m;
		if (util_serial_from_bytes(q.certids[i].serial,
			q.certids[i].serial_len, serial[i]) != OB_OK) {
			answer_error(out, OCSP_MALFORMED);
			return;
		}
	}
	if ((st = thread_store(r)) == NULL) {
		answer_error(out, OCSP_TRY_LATER);
		return;
	}
	/*
	 * A nonce asks for a fresh signature; when every signing context is
	 * busy the cached answer goes without it (RFC 8954 allows that).
	 */
	if (q.ncertids == 1 && (q.nonce == NULL || issuer_saturated(ie)) &&
	    cacheable(ie, &q.certids[0], serial[0])) {
		if ((e = cache_answer(r->cache, ie, st, &q.certids[0],
			 serial[0], now, out)) != OB_OK)
			answer_error(out, failure_status(e));
		return;
	}
	for (i = 0; i < q.ncertids; i++) {
		memset(&singles[i], 0, sizeof(singles[i]));
		if ((e = issuer_status(ie, st, serial[i], &singles[i])) !=
		    OB_OK) {
			answer_error(out, failure_status(e));
			return;
		}
		singles[i].certid = q.certids[i].der;
		singles[i].certid_len = q.certids[i].der_len;
		issuer_times(ie, &singles[i], now, r->validity, r->backdate);
		out->unknown |= singles[i].status == OCSP_UNKNOWN;
	}
	if ((e = issuer_sign(ie, singles, q.ncertids, q.nonce_ext,
		 q.nonce_ext_len, now, &out->der, &out->len)) != OB_OK) {
		answer_error(out, failure_status(e));
		return;
	}
	cache_count_live(r->cache);
	out->status = OCSP_SUCCESSFUL;
	out->nonce = q.nonce != NULL;
	/* The earliest of them: each may be backdated differently. */
	out->this_update = singles[0].this_update;
	out->next_update = singles[0].next_update;
	for (i = 1; i < q.ncertids; i++)
		if (singles[i].this_update < out->this_update)
			out->this_update = singles[i].this_update;
}

enum ob_err
responder_presign(struct responder *r, struct issuers *iss,
    const struct store_todo *t, int64_t now, struct store_cache_entry *out)
{
	unsigned char buf[OCSP_CERTID_MAX], *certid;
	struct issuer *ie;
	struct ocsp_single s;
	size_t certid_len;
	enum ob_err e;

	memset(out, 0, sizeof(*out));
	if ((ie = issuers_find(iss, t->issuer_id)) == NULL)
		return OB_ERR_NOTFOUND;
	if ((e = issuer_certid(ie, t->serial, buf, &certid, &certid_len)) !=
	    OB_OK)
		return e;
	memset(&s, 0, sizeof(s));
	s.certid = certid;
	s.certid_len = certid_len;
	s.status = t->status == OCSP_REVOKED ? OCSP_REVOKED : OCSP_GOOD;
	s.revoked_at = t->revoked_at;
	s.reason = s.status == OCSP_REVOKED ? t->reason : -1;
	issuer_times(ie, &s, now, r->validity, r->backdate);
	if ((e = issuer_sign(ie, &s, 1, NULL, 0, now, &out->der, &out->len)) !=
	    OB_OK)
		return e;
	out->issuer_id = issuer_id(ie);
	out->key_sha1 = issuer_key_sha1(ie);
	snprintf(out->serial, sizeof(out->serial), "%s", t->serial);
	out->status = (int)s.status;
	out->revoked_at = s.revoked_at;
	out->reason = s.reason;
	out->this_update = s.this_update;
	out->next_update = s.next_update;
	return OB_OK;
}

int64_t
responder_validity(const struct responder *r)
{
	return r->validity;
}

struct cache *
responder_cache(struct responder *r)
{
	return r->cache;
}

struct issuers *
responder_issuers_hold(struct responder *r)
{
	struct issuers *t;

	pthread_mutex_lock(&r->iss_mu);
	t = issuers_hold(r->iss);
	pthread_mutex_unlock(&r->iss_mu);
	return t;
}

int64_t
responder_warn(const struct responder *r)
{
	return r->warn;
}

int
responder_retired(struct responder *r)
{
	return __atomic_load_n(&r->retired, __ATOMIC_ACQUIRE);
}

enum ob_err
responder_reload(
    struct responder *r, int force, int *rotated, char *errbuf, size_t errsz)
{
	struct store *st = thread_store(r);
	struct issuers *t = NULL, *old;
	char *version = NULL;
	enum ob_err e;
	int same, rot = 0;

	*rotated = 0;
	if (st == NULL) {
		snprintf(errbuf, errsz, "reload: the database is unavailable");
		return OB_ERR_DB;
	}
	if ((e = store_issuers_version(st, &version, errbuf, errsz)) != OB_OK)
		return e;
	/* Only the thread that reloads writes r->version. */
	same = strcmp(version, r->version) == 0;
	if (same && !force) {
		free(version);
		return OB_OK;
	}
	old = responder_issuers_hold(r);
	e = issuers_load(st, r->nsign, old, force, &t, &rot, errbuf, errsz);
	if (e != OB_OK) {
		issuers_release(old);
		free(version);
		return e;
	}
	pthread_mutex_lock(&r->iss_mu);
	issuers_retire(r->iss, &r->retired);
	issuers_release(r->iss); /* the responder's hold */
	r->iss = t;
	free(r->version);
	r->version = version;
	pthread_mutex_unlock(&r->iss_mu);
	issuers_release(old);
	*rotated = rot ? 2 : 1;
	return OB_OK;
}

int
responder_healthy(struct responder *r)
{
	struct store *st = thread_store(r);
	char err[OB_ERRBUF];

	/* Every signer was loaded by responder_new, or it failed. */
	return st != NULL && store_ping(st, err, sizeof(err)) == OB_OK;
}

void
responder_db_gone(struct responder *r)
{
	__atomic_store_n(&r->gone, 1, __ATOMIC_RELEASE);
}

enum ob_err
responder_crl_get(struct responder *r, const char *issuer_id,
    unsigned char **der, size_t *len, struct ob_crlnum *number,
    int64_t *this_update, int64_t *next_update)
{
	struct store *st = thread_store(r);
	char err[OB_ERRBUF];
	enum ob_err e;

	*der = NULL;
	*len = 0;
	if (st == NULL)
		return OB_ERR_DB;
	e = store_crl_get(st, issuer_id, der, len, number, this_update,
	    next_update, err, sizeof(err));
	if (e != OB_OK && e != OB_ERR_NOTFOUND)
		log_warnx("crl %s: %s", issuer_id, err);
	return e;
}
