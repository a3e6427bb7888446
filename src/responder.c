/*
 * Answering OCSP: match each CertID to an issuer and answer. The hot path
 * (one SHA-1 CertID in the form a pre-signed response carries, no nonce)
 * is one cache lookup; a miss signs once per key however many requests
 * wait for it (single-flight) and writes the answer back; everything else
 * is signed live. The issuer table is loaded at start and read-only after;
 * each thread has its own database connection.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extern.h"

/* How long a request waits for a database lock, in ms. */
#define RESPONDER_BUSY_MS 250

/* After a CRL key failed to load, how long until a revoke tries again. */
#define RESPONDER_CRL_RETRY_S 30

struct issuer_ent {
	struct store_issuer is;
	struct signer *signer;
	struct signer *crl_signer; /* opened on first use, under crl_mu */
	int64_t
	    crl_retry_at; /* after a failure: not before (CLOCK_MONOTONIC) */
	/* signing latency: counts per bucket of ob_sign_buckets, atomics */
	int64_t hist[OB_SIGN_BUCKETS + 1];
	int64_t hist_count, hist_sum_us;
};

struct responder {
	char *db_path;
	int64_t validity;
	int64_t backdate;
	int64_t unknown_max;
	struct issuer_ent *iss;
	size_t niss;
	pthread_key_t tls; /* this thread's struct store */
	pthread_mutex_t crl_mu; /* the CRL signers */
	struct flights *flights;
	/* atomics */
	int64_t hits, misses, live_signs; /* taken by the flush */
	pthread_mutex_t counters_mu; /* the flush and the stats: see extern.h */
	struct responder_counters total; /* since start, never taken */
	int64_t unknown; /* cached "unknown" entries */
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
		fprintf(stderr, "ocspbox: %s\n", err);
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
	struct store_issuer *v = NULL;
	struct store *st = NULL;
	char msg[OB_ERRBUF];
	enum ob_err e;
	size_t n = 0, i;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->db_path = strdup(conf->db_path)) == NULL) {
		free(r);
		return OB_ERR_NOMEM;
	}
	r->validity = conf->validity;
	r->backdate = conf->backdate;
	r->unknown_max = conf->unknown_max;
	if (pthread_key_create(&r->tls, tls_close) != 0) {
		free(r->db_path);
		free(r);
		return OB_ERR_NOMEM;
	}
	pthread_mutex_init(&r->crl_mu, NULL);
	pthread_mutex_init(&r->counters_mu, NULL);
	if ((r->flights = flights_new()) == NULL) {
		e = OB_ERR_NOMEM;
		goto fail;
	}
	if ((e = store_open(conf->db_path, 0, &st, errbuf, errsz)) != OB_OK ||
	    (e = store_issuer_list(st, &v, &n, errbuf, errsz)) != OB_OK ||
	    (e = store_cache_unknown_count(st, &r->unknown, errbuf, errsz)) !=
		OB_OK)
		goto fail;
	if ((r->iss = calloc(n ? n : 1, sizeof(*r->iss))) == NULL) {
		e = OB_ERR_NOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		r->iss[i].is = v[i]; /* takes ownership of the members */
		memset(&v[i], 0, sizeof(v[i]));
		r->niss++;
		if ((e = signer_open(&r->iss[i].is, conf->nsign,
			 &r->iss[i].signer, msg, sizeof(msg))) != OB_OK) {
			snprintf(errbuf, errsz, "issuer %s: %s",
			    r->iss[i].is.id, msg);
			goto fail;
		}
	}
	store_issuer_list_free(v, n);
	store_close(st);
	*out = r;
	return OB_OK;
fail:
	store_issuer_list_free(v, n);
	store_close(st);
	responder_free(r);
	return e;
}

void
responder_free(struct responder *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->niss; i++) {
		signer_free(r->iss[i].signer);
		signer_free(r->iss[i].crl_signer);
		store_issuer_clear(&r->iss[i].is);
	}
	pthread_mutex_destroy(&r->crl_mu);
	pthread_mutex_destroy(&r->counters_mu);
	/* Only this thread's connection: other threads close their own. */
	tls_close(pthread_getspecific(r->tls));
	pthread_setspecific(r->tls, NULL);
	pthread_key_delete(r->tls);
	flights_free(r->flights);
	free(r->iss);
	free(r->db_path);
	free(r);
}

/*
 * The issuer a CertID names, or NULL. Both hashes must match; an empty
 * issuerKeyHash (Windows certutil sends one) matches on the name alone.
 */
static struct issuer_ent *
match(struct responder *r, const struct ocsp_certid *c)
{
	const unsigned char *name, *key;
	size_t i, hl;

	for (i = 0; i < r->niss; i++) {
		if (c->hash == OCSP_HASH_SHA1) {
			name = r->iss[i].is.name_sha1;
			key = r->iss[i].is.key_sha1;
			hl = 20;
		} else if (c->hash == OCSP_HASH_SHA256) {
			name = r->iss[i].is.name_sha256;
			key = r->iss[i].is.key_sha256;
			hl = 32;
		} else
			return NULL;
		if (c->name_hash_len != hl ||
		    memcmp(c->name_hash, name, hl) != 0)
			continue;
		if (c->key_hash_len == 0 ||
		    (c->key_hash_len == hl &&
			memcmp(c->key_hash, key, hl) == 0))
			return &r->iss[i];
	}
	return NULL;
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

static void
count(int64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

const double ob_sign_buckets[OB_SIGN_BUCKETS] = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

/* Counts one signature of us microseconds in ie's histogram. */
static void
observe(struct issuer_ent *ie, int64_t us)
{
	size_t i;

	for (i = 0; i < OB_SIGN_BUCKETS; i++)
		if ((double)us <= ob_sign_buckets[i] * 1e6)
			break;
	count(&ie->hist[i]);
	count(&ie->hist_count);
	__atomic_add_fetch(&ie->hist_sum_us, us, __ATOMIC_RELAXED);
}

/*
 * The thisUpdate and nextUpdate of s, whose status is set, signed at now.
 * thisUpdate is backdated, so that a client whose clock runs slow does
 * not see an answer from its future, but never before the revocation:
 * thisUpdate is when the status was known to be right (RFC 6960 4.2.2.1).
 * Nor after now, the producedAt: a revocation time after now was written
 * by a clock that ran ahead and has since stepped back (revoke refuses
 * one in the future), and an answer dated from then would be "not yet
 * valid" to every client, which would take no revocation from it.
 * nextUpdate - thisUpdate is at most validity + backdate.
 */
static void
set_times(const struct responder *r, struct ocsp_single *s, int64_t now)
{
	s->this_update = now - r->backdate;
	if (s->status == OCSP_REVOKED && s->this_update < s->revoked_at)
		s->this_update = s->revoked_at;
	if (s->this_update > now)
		s->this_update = now;
	s->next_update = now + r->validity;
}

/*
 * Signs singles (n of them, with the nonce extension when nonce_ext is
 * not NULL) as of now: *der is a malloc'd OCSPResponse.
 */
static enum ob_err
sign_response(struct issuer_ent *ie, const struct ocsp_single *singles,
    size_t n, const unsigned char *nonce_ext, size_t nonce_ext_len, int64_t now,
    unsigned char **der, size_t *len)
{
	unsigned char *buf = NULL, *tbs, *resp, sig[SIGNER_SIG_MAX];
	const unsigned char *alg;
	size_t cap, tbs_cap, tbs_len, sig_len, alg_len, resp_len;
	struct timespec t0, t1;
	enum ob_err e;

	*der = NULL;
	*len = 0;
	/* tbsResponseData first, then the whole response built after it. */
	tbs_cap = ocsp_resp_tbs_max(singles, n, nonce_ext_len);
	cap = tbs_cap + tbs_cap + SIGNER_SIG_MAX + SIGNER_ALG_MAX +
	    ie->is.resp_len + 64;
	if ((buf = malloc(cap)) == NULL)
		return OB_ERR_NOMEM;
	if (ocsp_resp_tbs(signer_key_hash(ie->signer), now, singles, n,
		nonce_ext, nonce_ext_len, buf, tbs_cap, &tbs,
		&tbs_len) != OB_OK) {
		free(buf);
		return OB_ERR_CRYPTO;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	e = signer_sign(ie->signer, tbs, tbs_len, sig, &sig_len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	observe(ie,
	    (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
		(t1.tv_nsec - t0.tv_nsec) / 1000);
	if (e != OB_OK) {
		free(buf);
		return OB_ERR_CRYPTO;
	}
	alg = signer_alg(ie->signer, &alg_len);
	if (ocsp_resp_wrap(tbs, tbs_len, alg, alg_len, sig, sig_len,
		ie->is.resp_is_ca ? NULL : ie->is.resp_der, ie->is.resp_len,
		buf + tbs_cap, cap - tbs_cap, &resp, &resp_len) != OB_OK) {
		free(buf);
		return OB_ERR_CRYPTO;
	}
	memmove(buf, resp, resp_len);
	*der = buf;
	*len = resp_len;
	return OB_OK;
}

/*
 * The status of serial into s (certid and times are the caller's).
 * Returns OB_OK or the store's error, logged.
 */
static enum ob_err
read_status(struct issuer_ent *ie, struct store *st, const char *serial,
    struct ocsp_single *s)
{
	char err[OB_ERRBUF];
	int64_t revoked_at;
	int revoked, reason;
	enum ob_err e;

	s->reason = -1;
	s->revoked_at = 0;
	e = store_cert_status(st, ie->is.id, serial, &revoked, &revoked_at,
	    &reason, err, sizeof(err));
	if (e == OB_ERR_NOTFOUND) {
		s->status = OCSP_UNKNOWN;
		return OB_OK;
	}
	if (e != OB_OK) {
		fprintf(stderr, "ocspbox: issuer %s serial %s: %s\n", ie->is.id,
		    serial, err);
		return e;
	}
	if (revoked) {
		s->status = OCSP_REVOKED;
		s->revoked_at = revoked_at;
		s->reason = reason;
	} else
		s->status = OCSP_GOOD;
	return OB_OK;
}

static enum ocsp_resp_status
store_failure(enum ob_err e)
{
	return e == OB_ERR_BUSY ? OCSP_TRY_LATER : OCSP_INTERNAL_ERROR;
}

/*
 * The SHA-1 CertID a pre-signed response of serial carries, into buf
 * (OCSP_CERTID_MAX bytes); *der points inside it. OB_OK or an error.
 */
static enum ob_err
canonical_certid(const struct issuer_ent *ie, const char *serial,
    unsigned char *buf, unsigned char **der, size_t *len)
{
	unsigned char ser[OB_SERIAL_MAX_OCTETS + 1];
	size_t sl;
	enum ob_err e;

	if ((e = util_serial_to_der(serial, ser, sizeof(ser), &sl)) != OB_OK)
		return e;
	return ocsp_certid_sha1(ie->is.name_sha1, ie->is.key_sha1, ser, sl, buf,
	    OCSP_CERTID_MAX, der, len);
}

/* Whether c is byte for byte the CertID a cache entry of serial holds. */
static int
cacheable(const struct issuer_ent *ie, const struct ocsp_certid *c,
    const char *serial)
{
	unsigned char buf[OCSP_CERTID_MAX], *der;
	size_t len;

	if (c->hash != OCSP_HASH_SHA1 ||
	    canonical_certid(ie, serial, buf, &der, &len) != OB_OK)
		return 0;
	return len == c->der_len && memcmp(der, c->der, len) == 0;
}

/*
 * A miss: read the status now, sign it, answer with it, and write it back
 * unless write_back is 0 or it is one "unknown" too many. The answer is
 * right for this request whatever happens to the write: its status was
 * read after the request arrived. The write itself is refused when a
 * revoke came in between (store_cache_put).
 */
static void
sign_and_fill(struct responder *r, struct issuer_ent *ie, struct store *st,
    const struct ocsp_certid *c, const char *serial, int64_t now,
    int write_back, struct responder_answer *out)
{
	struct store_cache_entry ent;
	struct ocsp_single s;
	char err[OB_ERRBUF];
	size_t written;
	enum ob_err e;

	memset(&s, 0, sizeof(s));
	if ((e = read_status(ie, st, serial, &s)) != OB_OK) {
		answer_error(out, store_failure(e));
		return;
	}
	s.certid = c->der;
	s.certid_len = c->der_len;
	set_times(r, &s, now);
	if (sign_response(ie, &s, 1, NULL, 0, now, &out->der, &out->len) !=
	    OB_OK) {
		answer_error(out, OCSP_INTERNAL_ERROR);
		return;
	}
	count(&r->live_signs);
	count(&r->total.live_signs);
	out->status = OCSP_SUCCESSFUL;
	out->unknown = s.status == OCSP_UNKNOWN;
	out->this_update = s.this_update;
	out->next_update = s.next_update;
	if (!write_back ||
	    (s.status == OCSP_UNKNOWN &&
		__atomic_load_n(&r->unknown, __ATOMIC_RELAXED) >=
		    r->unknown_max))
		return;
	memset(&ent, 0, sizeof(ent));
	ent.issuer_id = ie->is.id;
	snprintf(ent.serial, sizeof(ent.serial), "%s", serial);
	ent.der = out->der;
	ent.len = out->len;
	ent.status = (int)s.status;
	ent.revoked_at = s.revoked_at;
	ent.reason = s.reason;
	ent.this_update = s.this_update;
	ent.next_update = s.next_update;
	if ((e = store_cache_put(st, &ent, 1, now, r->validity, &written, err,
		 sizeof(err))) != OB_OK)
		fprintf(stderr,
		    "ocspbox: issuer %s serial %s: cache write-back: %s\n",
		    ie->is.id, serial, err);
	else if (written > 0 && s.status == OCSP_UNKNOWN)
		count(&r->unknown);
}

/* How many times a request waits for others' flights before signing. */
#define FLIGHT_ROUNDS 3

/*
 * The hot path: the cached response, or on a miss one signature per key
 * however many requests wait for it. Followers look again once the
 * leader lands instead of taking its answer: one that arrived after a
 * revoke must not get a "good" the leader read before it.
 */
static void
answer_cached(struct responder *r, struct issuer_ent *ie, struct store *st,
    const struct ocsp_certid *c, const char *serial, int64_t now,
    struct responder_answer *out)
{
	char key[OB_FLIGHT_KEY_MAX + 1], err[OB_ERRBUF];
	struct flight *lead;
	enum ob_err e;
	int round, status;

	for (round = 0; round < FLIGHT_ROUNDS; round++) {
		e = store_cache_get(st, ie->is.id, serial, now, r->validity,
		    &out->der, &out->len, &out->this_update, &out->next_update,
		    &status, err, sizeof(err));
		if (e == OB_OK) {
			out->unknown = status == OCSP_UNKNOWN;
			if (round == 0) {
				count(&r->hits);
				count(&r->total.hits);
			}
			out->status = OCSP_SUCCESSFUL;
			return;
		}
		if (e != OB_ERR_NOTFOUND) {
			fprintf(stderr, "ocspbox: issuer %s serial %s: %s\n",
			    ie->is.id, serial, err);
			answer_error(out, store_failure(e));
			return;
		}
		if (round == 0) {
			count(&r->misses);
			count(&r->total.misses);
			/* Only a miss needs the flight's key. */
			snprintf(key, sizeof(key), "%s/%s", ie->is.id, serial);
		}
		if (flights_join(r->flights, key, &lead)) {
			sign_and_fill(r, ie, st, c, serial, now, 1, out);
			flights_done(r->flights, lead);
			return;
		}
	}
	/* The leaders' answers were never cached: sign for this one. */
	sign_and_fill(r, ie, st, c, serial, now, 1, out);
}

void
responder_answer(struct responder *r, const unsigned char *req, size_t len,
    struct responder_answer *out)
{
	struct ocsp_single singles[OCSP_REQ_MAX_CERTIDS];
	struct ocsp_req q;
	struct issuer_ent *ie = NULL, *m;
	struct store *st;
	char serial[OCSP_REQ_MAX_CERTIDS][OB_SERIAL_HEX_MAX + 1];
	int64_t now = (int64_t)time(NULL);
	enum ob_err e;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (ocsp_req_parse(req, len, &q) != OB_OK) {
		answer_error(out, OCSP_MALFORMED);
		return;
	}
	for (i = 0; i < q.ncertids; i++) {
		/*
		 * One response has one signer, so every CertID must name
		 * the same issuer; anything else is not ours to answer.
		 */
		if ((m = match(r, &q.certids[i])) == NULL ||
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
	if (q.ncertids == 1 &&
	    (q.nonce == NULL || signer_saturated(ie->signer)) &&
	    cacheable(ie, &q.certids[0], serial[0])) {
		answer_cached(r, ie, st, &q.certids[0], serial[0], now, out);
		return;
	}
	for (i = 0; i < q.ncertids; i++) {
		memset(&singles[i], 0, sizeof(singles[i]));
		if ((e = read_status(ie, st, serial[i], &singles[i])) !=
		    OB_OK) {
			answer_error(out, store_failure(e));
			return;
		}
		singles[i].certid = q.certids[i].der;
		singles[i].certid_len = q.certids[i].der_len;
		set_times(r, &singles[i], now);
		out->unknown |= singles[i].status == OCSP_UNKNOWN;
	}
	if (sign_response(ie, singles, q.ncertids, q.nonce_ext, q.nonce_ext_len,
		now, &out->der, &out->len) != OB_OK) {
		answer_error(out, OCSP_INTERNAL_ERROR);
		return;
	}
	count(&r->live_signs);
	count(&r->total.live_signs);
	out->status = OCSP_SUCCESSFUL;
	out->nonce = q.nonce != NULL;
	/* The earliest of them: each may be backdated differently. */
	out->this_update = singles[0].this_update;
	for (i = 1; i < q.ncertids; i++)
		if (singles[i].this_update < out->this_update)
			out->this_update = singles[i].this_update;
	out->next_update = now + r->validity;
}

enum ob_err
responder_presign(struct responder *r, const struct store_todo *t, int64_t now,
    struct store_cache_entry *out)
{
	unsigned char buf[OCSP_CERTID_MAX], *certid;
	struct issuer_ent *ie = NULL;
	struct ocsp_single s;
	size_t i, certid_len;
	enum ob_err e;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < r->niss && ie == NULL; i++)
		if (strcmp(r->iss[i].is.id, t->issuer_id) == 0)
			ie = &r->iss[i];
	if (ie == NULL)
		return OB_ERR_NOTFOUND;
	if ((e = canonical_certid(ie, t->serial, buf, &certid, &certid_len)) !=
	    OB_OK)
		return e;
	memset(&s, 0, sizeof(s));
	s.certid = certid;
	s.certid_len = certid_len;
	s.status = t->status == OCSP_REVOKED ? OCSP_REVOKED : OCSP_GOOD;
	s.revoked_at = t->revoked_at;
	s.reason = s.status == OCSP_REVOKED ? t->reason : -1;
	set_times(r, &s, now);
	if ((e = sign_response(
		 ie, &s, 1, NULL, 0, now, &out->der, &out->len)) != OB_OK)
		return e;
	out->issuer_id = ie->is.id;
	snprintf(out->serial, sizeof(out->serial), "%s", t->serial);
	out->status = (int)s.status;
	out->revoked_at = s.revoked_at;
	out->reason = s.reason;
	out->this_update = s.this_update;
	out->next_update = s.next_update;
	return OB_OK;
}

void
responder_unknown_set(struct responder *r, int64_t n)
{
	__atomic_store_n(&r->unknown, n, __ATOMIC_RELAXED);
}

int64_t
responder_validity(const struct responder *r)
{
	return r->validity;
}

static int64_t
take(int64_t *c)
{
	return __atomic_exchange_n(c, 0, __ATOMIC_RELAXED);
}

void
responder_counters_take(struct responder *r, struct responder_counters *c)
{
	c->hits = take(&r->hits);
	c->misses = take(&r->misses);
	c->live_signs = take(&r->live_signs);
}

void
responder_counters_give(struct responder *r, const struct responder_counters *c)
{
	__atomic_add_fetch(&r->hits, c->hits, __ATOMIC_RELAXED);
	__atomic_add_fetch(&r->misses, c->misses, __ATOMIC_RELAXED);
	__atomic_add_fetch(&r->live_signs, c->live_signs, __ATOMIC_RELAXED);
}

void
responder_counters_hold(struct responder *r)
{
	pthread_mutex_lock(&r->counters_mu);
}

void
responder_counters_release(struct responder *r)
{
	pthread_mutex_unlock(&r->counters_mu);
}

void
responder_counters_peek(struct responder *r, struct responder_counters *c)
{
	c->hits = __atomic_load_n(&r->hits, __ATOMIC_RELAXED);
	c->misses = __atomic_load_n(&r->misses, __ATOMIC_RELAXED);
	c->live_signs = __atomic_load_n(&r->live_signs, __ATOMIC_RELAXED);
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

void
responder_totals(struct responder *r, struct responder_counters *c)
{
	c->hits = __atomic_load_n(&r->total.hits, __ATOMIC_RELAXED);
	c->misses = __atomic_load_n(&r->total.misses, __ATOMIC_RELAXED);
	c->live_signs = __atomic_load_n(&r->total.live_signs, __ATOMIC_RELAXED);
}

size_t
responder_sign_hists(
    struct responder *r, struct responder_hist *out, size_t max)
{
	size_t i, b;

	for (i = 0; i < r->niss && i < max; i++) {
		snprintf(out[i].issuer, sizeof(out[i].issuer), "%s",
		    r->iss[i].is.id);
		for (b = 0; b <= OB_SIGN_BUCKETS; b++)
			out[i].bucket[b] = __atomic_load_n(
			    &r->iss[i].hist[b], __ATOMIC_RELAXED);
		out[i].count =
		    __atomic_load_n(&r->iss[i].hist_count, __ATOMIC_RELAXED);
		out[i].sum_us =
		    __atomic_load_n(&r->iss[i].hist_sum_us, __ATOMIC_RELAXED);
	}
	return i;
}

size_t
responder_crl_issuers(struct responder *r, const char **ids, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < r->niss; i++)
		if (r->iss[i].is.crl_key_path != NULL) {
			if (n < max)
				ids[n] = r->iss[i].is.id;
			n++;
		}
	return n;
}

static struct issuer_ent *
find_issuer(struct responder *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->niss; i++)
		if (strcmp(r->iss[i].is.id, id) == 0)
			return &r->iss[i];
	return NULL;
}

static int64_t
mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

enum ob_err
responder_crl_signer(struct responder *r, const char *issuer_id, int retry,
    struct signer **out, char *errbuf, size_t errsz)
{
	struct issuer_ent *ie;
	enum ob_err e = OB_OK;

	*out = NULL;
	if ((ie = find_issuer(r, issuer_id)) == NULL ||
	    ie->is.crl_key_path == NULL) {
		snprintf(errbuf, errsz, "issuer %s: no CRL key loaded at start",
		    issuer_id);
		return OB_ERR_NOTFOUND;
	}
	pthread_mutex_lock(&r->crl_mu);
	if (ie->crl_signer == NULL) {
		if (!retry && ie->crl_retry_at > mono_seconds()) {
			snprintf(errbuf, errsz,
			    "issuer %s: CRL key failed to load; retried later",
			    issuer_id);
			e = OB_ERR_BUSY;
		} else if ((e = signer_open_crl(&ie->is, &ie->crl_signer,
				errbuf, errsz)) != OB_OK) {
			ie->crl_retry_at =
			    mono_seconds() + RESPONDER_CRL_RETRY_S;
			/* A key file gone is a failure, not "no CRL key". */
			if (e == OB_ERR_NOTFOUND)
				e = OB_ERR_IO;
		}
	}
	*out = ie->crl_signer;
	pthread_mutex_unlock(&r->crl_mu);
	return e;
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
		fprintf(stderr, "ocspbox: crl %s: %s\n", issuer_id, err);
	return e;
}
