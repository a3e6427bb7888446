/*
 * The issuers a server answers for, loaded from the database at start and
 * read-only after: each with its record, its responder's signing pool, its
 * CRL signer (opened on first use) and its signing-latency histogram; and
 * signing one OCSP response with an issuer's responder key. Every request
 * matches its CertIDs here, so matching is a scan of a few records.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

/* After a CRL key failed to load, how long until a revoke tries again. */
#define ISSUERS_CRL_RETRY_S 30

/* How often an expiring responder is logged, in seconds. */
#define ISSUERS_WARN_EVERY_S 86400

/*
 * One issuer as loaded, shared by every table (snapshot) that holds it: a
 * reload keeps an issuer whose record did not change, and builds a new
 * one for one that did.
 */
struct issuer {
	int refs; /* atomic: the tables holding it */
	struct store_issuer is;
	/* other encodings of its name, as leaves' issuer fields carry it */
	struct store_name_alias *alias;
	size_t nalias;
	struct signer *signer;
	/*
	 * Cache entries signed by an earlier responder of this issuer may
	 * remain (atomic): the refresh pass re-signs every entry that does not
	 * hold the needle, the responder certificate (or, for a CA that
	 * signs its own answers, its key hash), until one pass finds none.
	 */
	int resign;
	const unsigned char *needle; /* borrowed from is or the signer */
	size_t needle_len;
	int expired_logged; /* atomic: the expiry was logged */
	int stale_logged; /* atomic: its id was found to be another CA's */
	int renew_tried; /* atomic: an automatic renewal was tried */
	int renewed; /* atomic: and stored; the next reload replaces this */
	int64_t warned_at; /* atomic: when an expiring responder was logged */
	pthread_mutex_t crl_mu; /* the CRL signer */
	struct signer *crl_signer; /* opened on first use, under crl_mu */
	/* after a failure: not before (CLOCK_MONOTONIC seconds) */
	int64_t crl_retry_at;
	/* signing latency: counts per bucket of ob_sign_buckets, atomics */
	int64_t hist[OB_SIGN_BUCKETS + 1];
	int64_t hist_count, hist_sum_us;
};

struct issuers {
	int refs; /* atomic: its holders */
	int *retired; /* when superseded: a count to decrement when freed */
	struct issuer **v;
	size_t n;
	/* registered issuers whose record failed to load at this reload */
	struct issuer_failure *failed;
	size_t nfailed;
};

const double ob_sign_buckets[OB_SIGN_BUCKETS] = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

/*
 * When ie's answers stop verifying: its responder certificate's
 * notAfter, or its CA's when that comes first (an operator's responder
 * may outlive the CA that certified it; no chain verifies past either).
 */
static int64_t
issuer_signing_end(const struct issuer *ie)
{
	return ie->is.not_after < ie->is.resp_not_after ? ie->is.not_after
							: ie->is.resp_not_after;
}

/*
 * Logs that ie's responder, or its CA, has expired as of now: answers are
 * tryLater. Says what can help: renewing the CA when it has expired
 * (whatever the responder), the automatic renewal (whose failure the
 * log gave just before), or an issuer update.
 */
static void
log_expired(const struct issuer *ie, int64_t now)
{
	char ts[32];

	if (now >= ie->is.not_after) {
		util_time_format(ie->is.not_after, ts, sizeof(ts));
		log_warnx("issuer %s: the CA certificate expired at %s; no "
			  "answer verifies past it: answering tryLater (renew "
			  "the CA)",
		    ie->is.id, ts);
		return;
	}
	util_time_format(ie->is.resp_not_after, ts, sizeof(ts));
	if (ie->is.auto_life_s > 0)
		log_warnx("issuer %s: the automatic responder expired at %s "
			  "and was not renewed (see above why); answering "
			  "tryLater; SIGHUP tries again",
		    ie->is.id, ts);
	else
		log_warnx("issuer %s: the responder certificate has expired "
			  "(at %s); answering tryLater until it is replaced "
			  "(ocspbox issuer update %s)",
		    ie->is.id, ts, ie->is.id);
}

static void
issuer_unref(struct issuer *ie)
{
	if (ie == NULL ||
	    __atomic_sub_fetch(&ie->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	signer_free(ie->signer);
	signer_free(ie->crl_signer);
	pthread_mutex_destroy(&ie->crl_mu);
	store_issuer_clear(&ie->is);
	free(ie->alias);
	free(ie);
}

/*
 * A new issuer of record rec and nalias name aliases alias (both taken
 * over: rec cleared, alias freed with the issuer) with its responder key
 * in nsign contexts; NULL with errbuf set on failure.
 */
static struct issuer *
issuer_new(struct store_issuer *rec, struct store_name_alias *alias,
    size_t nalias, int nsign, char *errbuf, size_t errsz)
{
	struct issuer *ie;
	char msg[OB_ERRBUF];

	if ((ie = calloc(1, sizeof(*ie))) == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		free(alias);
		return NULL;
	}
	ie->refs = 1;
	ie->alias = alias;
	ie->nalias = nalias;
	ie->is = *rec;
	memset(rec, 0, sizeof(*rec));
	pthread_mutex_init(&ie->crl_mu, NULL);
	if (signer_open(&ie->is, nsign, &ie->signer, msg, sizeof(msg)) !=
	    OB_OK) {
		snprintf(errbuf, errsz, "issuer %s: %.400s", ie->is.id, msg);
		issuer_unref(ie);
		return NULL;
	}
	if (ie->is.resp_is_ca) {
		ie->needle = signer_key_hash(ie->signer);
		ie->needle_len = OB_SHA1_LEN;
	} else {
		ie->needle = ie->is.resp_der;
		ie->needle_len = ie->is.resp_len;
	}
	return ie;
}

/*
 * Whether ie is what record b with its nalias aliases alias would load:
 * the same signers and the same names.
 */
static int
same_record(const struct issuer *ie, const struct store_issuer *b,
    const struct store_name_alias *alias, size_t nalias)
{
	const struct store_issuer *a = &ie->is;

	if (ie->nalias != nalias ||
	    (nalias > 0 && memcmp(ie->alias, alias, nalias * sizeof(*alias))))
		return 0;
	return a->resp_id == b->resp_id && a->cert_len == b->cert_len &&
	    memcmp(a->cert_der, b->cert_der, a->cert_len) == 0 &&
	    a->resp_len == b->resp_len &&
	    memcmp(a->resp_der, b->resp_der, a->resp_len) == 0 &&
	    strcmp(a->resp_key_path, b->resp_key_path) == 0 &&
	    (a->crl_key_path == NULL) == (b->crl_key_path == NULL) &&
	    (a->crl_key_path == NULL ||
		strcmp(a->crl_key_path, b->crl_key_path) == 0);
}

/* The issuer of id in t (NULL: none), or NULL. */
static struct issuer *
find(const struct issuers *t, const char *id)
{
	size_t i;

	for (i = 0; t != NULL && i < t->n; i++)
		if (strcmp(t->v[i]->is.id, id) == 0)
			return t->v[i];
	return NULL;
}

/* Whether id is among the issuers of t that failed to load. */
static int
failed_to_load(const struct issuers *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->nfailed; i++)
		if (strcmp(t->failed[i].id, id) == 0)
			return 1;
	return 0;
}

/* Keeps ie (a reference taken) as the next of t. */
static void
keep(struct issuers *t, struct issuer *ie)
{
	__atomic_add_fetch(&ie->refs, 1, __ATOMIC_RELAXED);
	t->v[t->n++] = ie;
}

enum ob_err
issuers_load(struct store *st, int nsign, const struct issuers *prev, int force,
    struct issuers **out, int *rotated, char *errbuf, size_t errsz)
{
	struct issuers *t = NULL;
	struct store_issuer *v = NULL;
	struct issuer *old, *ie;
	struct issuer_failure *f;
	struct store_name_alias *alias;
	char msg[OB_ERRBUF], ts[32], id[OB_ID_MAX + 1];
	enum ob_err e;
	size_t n = 0, i, b, nalias;

	*out = NULL;
	if (rotated != NULL)
		*rotated = 0;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return OB_ERR_NOMEM;
	t->refs = 1;
	if ((e = store_issuer_records(st, &v, &n, errbuf, errsz)) != OB_OK)
		goto fail;
	if ((t->v = calloc(n ? n : 1, sizeof(*t->v))) == NULL ||
	    (t->failed = calloc(n ? n : 1, sizeof(*t->failed))) == NULL) {
		e = OB_ERR_NOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if ((e = store_issuer_aliases(st, v[i].id, &alias, &nalias, msg,
			 sizeof(msg))) != OB_OK) {
			snprintf(errbuf, errsz, "issuer %s: %s", v[i].id, msg);
			goto fail;
		}
		old = find(prev, v[i].id);
		/*
		 * An id removed and added again for another CA is another
		 * issuer: nothing of the old one is kept, not even on a
		 * failure to load (its key would sign the new CA's
		 * statuses, its CRL key the new CA's revocations).
		 */
		if (old != NULL &&
		    (old->is.cert_len != v[i].cert_len ||
			memcmp(old->is.cert_der, v[i].cert_der,
			    v[i].cert_len) != 0)) {
			log_warnx("issuer %s: its CA certificate changed (%s); "
				  "loading it as a new issuer",
			    v[i].id, v[i].subject);
			old = NULL;
		}
		if (old != NULL && !force &&
		    same_record(old, &v[i], alias, nalias)) {
			free(alias);
			keep(t, old);
			continue;
		}
		/* Its id outlives a failure to load (issuer_new clears v[i]). */
		snprintf(id, sizeof(id), "%s", v[i].id);
		ie = issuer_new(&v[i], alias, nalias, nsign, msg, sizeof(msg));
		if (ie == NULL) {
			/*
			 * At start, every issuer loads or the server does
			 * not start; on a reload the one that does not keeps
			 * what it had (or stays out), and the rest go on.
			 */
			if (prev == NULL) {
				snprintf(errbuf, errsz, "%s", msg);
				e = OB_ERR_CRYPTO;
				goto fail;
			}
			log_warnx("reload: %s; %s", msg,
			    old != NULL ? "keeping what it had"
					: "not answering for it");
			if (old != NULL)
				keep(t, old);
			/* /healthz and /metrics say so until it loads. */
			f = &t->failed[t->nfailed++];
			snprintf(f->id, sizeof(f->id), "%s", id);
			f->kept = old != NULL;
			continue;
		}
		if (old != NULL) {
			/* Its counts go on; so does a re-sign under way. */
			for (b = 0; b <= OB_SIGN_BUCKETS; b++)
				ie->hist[b] = __atomic_load_n(
				    &old->hist[b], __ATOMIC_RELAXED);
			ie->hist_count =
			    __atomic_load_n(&old->hist_count, __ATOMIC_RELAXED);
			ie->hist_sum_us = __atomic_load_n(
			    &old->hist_sum_us, __ATOMIC_RELAXED);
			ie->resign = old->is.resp_id != ie->is.resp_id ||
			    __atomic_load_n(&old->resign, __ATOMIC_RELAXED);
			if (old->is.resp_id != ie->is.resp_id) {
				util_time_format(
				    ie->is.resp_not_after, ts, sizeof(ts));
				log_warnx("issuer %s: responder replaced (%s, "
					  "valid until %s); re-signing its "
					  "cache",
				    ie->is.id,
				    ie->is.resp_is_ca ? "the CA"
						      : ie->is.resp_subject,
				    ts);
				if (rotated != NULL)
					*rotated = 1;
			} else
				log_warnx("issuer %s: reloaded", ie->is.id);
		} else if (prev != NULL)
			log_warnx(
			    "issuer %s: added (%s)", ie->is.id, ie->is.subject);
		t->v[t->n++] = ie;
	}
	/* Gone from the database, not merely failed to load (said above). */
	for (i = 0; prev != NULL && i < prev->n; i++)
		if (find(t, prev->v[i]->is.id) == NULL &&
		    !failed_to_load(t, prev->v[i]->is.id))
			log_warnx("issuer %s: removed", prev->v[i]->is.id);
	store_issuer_list_free(v, n);
	*out = t;
	return OB_OK;
fail:
	store_issuer_list_free(v, n);
	issuers_release(t);
	return e;
}

struct issuers *
issuers_hold(struct issuers *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	return t;
}

void
issuers_retire(struct issuers *t, int *count)
{
	__atomic_add_fetch(count, 1, __ATOMIC_RELAXED);
	t->retired = count;
}

void
issuers_release(struct issuers *t)
{
	size_t i;

	if (t == NULL || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (i = 0; i < t->n; i++)
		issuer_unref(t->v[i]);
	if (t->retired != NULL)
		__atomic_sub_fetch(t->retired, 1, __ATOMIC_RELEASE);
	free(t->v);
	free(t->failed);
	free(t);
}

/*
 * How c's issuerNameHash (hl octets) names ie: 2 as the hash of its
 * subject, 1 as that of one of its aliases, 0 not at all.
 */
static int
name_match(const struct issuer *ie, const struct ocsp_certid *c, size_t hl)
{
	const unsigned char *own;
	size_t i;

	own = hl == OB_SHA1_LEN ? ie->is.name_sha1 : ie->is.name_sha256;
	if (memcmp(c->name_hash, own, hl) == 0)
		return 2;
	for (i = 0; i < ie->nalias; i++)
		if (memcmp(c->name_hash,
			hl == OB_SHA1_LEN ? ie->alias[i].name_sha1
					  : ie->alias[i].name_sha256,
			hl) == 0)
			return 1;
	return 0;
}

struct issuer *
issuers_match(struct issuers *t, const struct ocsp_certid *c)
{
	struct issuer *found = NULL;
	const unsigned char *key;
	size_t i, hl, named = 0;
	int how;

	if (c->hash == OCSP_HASH_SHA1)
		hl = OB_SHA1_LEN;
	else if (c->hash == OCSP_HASH_SHA256)
		hl = OB_SHA256_LEN;
	else
		return NULL;
	if (c->name_hash_len != hl ||
	    (c->key_hash_len != 0 && c->key_hash_len != hl))
		return NULL;
	for (i = 0; i < t->n; i++) {
		if ((how = name_match(t->v[i], c, hl)) == 0)
			continue;
		/*
		 * An empty issuerKeyHash names the issuer by its name alone:
		 * only when one issuer has that name, since two CAs may
		 * share one (a CA re-keyed under its old name), and an
		 * answer for the other one would be wrong.
		 */
		if (c->key_hash_len == 0) {
			found = t->v[i];
			named++;
			continue;
		}
		key = hl == OB_SHA1_LEN ? t->v[i]->is.key_sha1
					: t->v[i]->is.key_sha256;
		if (memcmp(c->key_hash, key, hl) != 0)
			continue;
		if (how == 2)
			return t->v[i];
		if (found == NULL) /* by an alias: a subject match wins */
			found = t->v[i];
	}
	if (c->key_hash_len == 0 && named != 1)
		return NULL;
	return found;
}

struct issuer *
issuers_find(struct issuers *t, const char *id)
{
	return find(t, id);
}

const char *
issuer_id(const struct issuer *ie)
{
	return ie->is.id;
}

const unsigned char *
issuer_key_sha1(const struct issuer *ie)
{
	return ie->is.key_sha1;
}

int64_t
issuer_ca_not_after(const struct issuer *ie)
{
	return ie->is.not_after;
}

int
issuer_saturated(const struct issuer *ie)
{
	return signer_saturated(ie->signer);
}

/* Counts one signature of us microseconds in ie's histogram. */
static void
observe(struct issuer *ie, int64_t us)
{
	size_t i;

	for (i = 0; i < OB_SIGN_BUCKETS; i++)
		if ((double)us <= ob_sign_buckets[i] * 1e6)
			break;
	__atomic_add_fetch(&ie->hist[i], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ie->hist_count, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ie->hist_sum_us, us, __ATOMIC_RELAXED);
}

enum ob_err
issuer_sign(struct issuer *ie, const struct ocsp_single *singles, size_t n,
    const unsigned char *nonce_ext, size_t nonce_ext_len, int64_t now,
    unsigned char **der, size_t *len)
{
	unsigned char *buf = NULL, *tbs, *resp, sig[SIGNER_SIG_MAX];
	const unsigned char *alg;
	size_t cap, tbs_cap, tbs_len, sig_len, alg_len, resp_len;
	int64_t t0;
	enum ob_err e;

	*der = NULL;
	*len = 0;
	/*
	 * Every client refuses an answer from a responder past its notAfter
	 * (RFC 6960 4.2.2.2), and nextUpdate may not pass it: tryLater until
	 * the operator replaces it (issuer update).
	 */
	if (now >= issuer_signing_end(ie)) {
		if (!__atomic_exchange_n(
			&ie->expired_logged, 1, __ATOMIC_RELAXED))
			log_expired(ie, now);
		return OB_ERR_EXPIRED;
	}
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
	t0 = util_mono_us();
	e = signer_sign(ie->signer, tbs, tbs_len, sig, &sig_len);
	observe(ie, util_mono_us() - t0);
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

enum ob_err
issuer_status(struct issuer *ie, struct store *st, const char *serial,
    struct ocsp_single *s)
{
	char err[OB_ERRBUF];
	int64_t revoked_at;
	int revoked, reason;
	enum ob_err e;

	s->reason = -1;
	s->revoked_at = 0;
	e = store_cert_status(st, ie->is.id, ie->is.key_sha1, serial, &revoked,
	    &revoked_at, &reason, err, sizeof(err));
	if (e == OB_ERR_NOTFOUND) {
		s->status = OCSP_UNKNOWN;
		return OB_OK;
	}
	if (e == OB_ERR_STALE) {
		/* Until the reload, seconds away: tryLater, said once. */
		if (!__atomic_exchange_n(
			&ie->stale_logged, 1, __ATOMIC_RELAXED))
			log_warnx("%s: answering tryLater for the CA loaded as "
				  "%s until the reload",
			    err, ie->is.id);
		return e;
	}
	if (e != OB_OK) {
		log_warnx("issuer %s serial %s: %s", ie->is.id, serial, err);
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

enum ob_err
issuer_certid(const struct issuer *ie, const char *serial,
    unsigned char buf[OCSP_CERTID_MAX], unsigned char **der, size_t *len)
{
	unsigned char ser[OB_SERIAL_MAX_OCTETS + 1];
	size_t sl;
	enum ob_err e;

	if ((e = util_serial_to_der(serial, ser, sizeof(ser), &sl)) != OB_OK)
		return e;
	return ocsp_certid_sha1(ie->is.name_sha1, ie->is.key_sha1, ser, sl, buf,
	    OCSP_CERTID_MAX, der, len);
}

size_t
issuers_sign_hists(struct issuers *t, struct responder_hist *out, size_t max)
{
	size_t i, b;

	for (i = 0; i < t->n && i < max; i++) {
		snprintf(
		    out[i].issuer, sizeof(out[i].issuer), "%s", t->v[i]->is.id);
		for (b = 0; b <= OB_SIGN_BUCKETS; b++)
			out[i].bucket[b] = __atomic_load_n(
			    &t->v[i]->hist[b], __ATOMIC_RELAXED);
		out[i].count =
		    __atomic_load_n(&t->v[i]->hist_count, __ATOMIC_RELAXED);
		out[i].sum_us =
		    __atomic_load_n(&t->v[i]->hist_sum_us, __ATOMIC_RELAXED);
	}
	return i;
}

size_t
issuers_crl_ids(struct issuers *t, const char **ids, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->v[i]->is.crl_key_path != NULL) {
			if (n < max)
				ids[n] = t->v[i]->is.id;
			n++;
		}
	return n;
}

enum ob_err
issuers_crl_signer(struct issuers *t, const char *issuer_id, int retry,
    struct signer **out, char *errbuf, size_t errsz)
{
	struct issuer *ie;
	enum ob_err e = OB_OK;
	int64_t now;

	*out = NULL;
	if ((ie = issuers_find(t, issuer_id)) == NULL ||
	    ie->is.crl_key_path == NULL) {
		snprintf(errbuf, errsz, "issuer %s: no CRL key loaded at start",
		    issuer_id);
		return OB_ERR_NOTFOUND;
	}
	now = util_mono_ms() / 1000;
	pthread_mutex_lock(&ie->crl_mu);
	if (ie->crl_signer == NULL) {
		if (!retry && ie->crl_retry_at > now) {
			snprintf(errbuf, errsz,
			    "issuer %s: CRL key failed to load; retried later",
			    issuer_id);
			e = OB_ERR_BUSY;
		} else if ((e = signer_open_crl(&ie->is, &ie->crl_signer,
				errbuf, errsz)) != OB_OK) {
			ie->crl_retry_at = now + ISSUERS_CRL_RETRY_S;
			/* A key file gone is a failure, not "no CRL key". */
			if (e == OB_ERR_NOTFOUND)
				e = OB_ERR_IO;
		}
	}
	*out = ie->crl_signer;
	pthread_mutex_unlock(&ie->crl_mu);
	return e;
}

void
issuer_times(const struct issuer *ie, struct ocsp_single *s, int64_t now,
    int64_t validity, int64_t backdate)
{
	ocsp_single_times(s, now, validity, backdate);
	if (s->next_update > issuer_signing_end(ie))
		s->next_update = issuer_signing_end(ie);
}

int64_t
issuer_responder_not_after(const struct issuer *ie)
{
	return ie->is.resp_not_after;
}

enum respcert_state
issuer_health(const struct issuer *ie, int64_t now, int64_t warn)
{
	return respcert_state(ie->is.resp_not_before, ie->is.resp_not_after,
	    ie->is.not_after, ie->is.auto_life_s > 0, now, warn);
}

size_t
issuers_failures(
    const struct issuers *t, struct issuer_failure *out, size_t max)
{
	size_t i;

	for (i = 0; out != NULL && i < t->nfailed && i < max; i++)
		out[i] = t->failed[i];
	return out != NULL && t->nfailed > max ? max : t->nfailed;
}

size_t
issuers_health(struct issuers *t, int64_t now, int64_t warn,
    struct issuer_state *out, size_t max)
{
	size_t i;

	for (i = 0; i < t->n && i < max; i++) {
		snprintf(out[i].id, sizeof(out[i].id), "%s", t->v[i]->is.id);
		out[i].not_after = issuer_signing_end(t->v[i]);
		out[i].ca_first =
		    t->v[i]->is.not_after <= t->v[i]->is.resp_not_after;
		out[i].health = issuer_health(t->v[i], now, warn);
		out[i].expiring = out[i].health != RESPCERT_OK;
	}
	return i;
}

void
issuers_warn(struct issuers *t, int64_t now, int64_t warn)
{
	enum respcert_state state;
	struct issuer *ie;
	char ts[32], left[24];
	int64_t last, end;
	size_t i;

	for (i = 0; i < t->n; i++) {
		ie = t->v[i];
		state = issuer_health(ie, now, warn);
		/*
		 * Said at start too, not only once a request comes; not for
		 * a responder just renewed, which the reload replaces.
		 */
		if (state == RESPCERT_EXPIRED &&
		    !__atomic_load_n(&ie->renewed, __ATOMIC_RELAXED) &&
		    !__atomic_exchange_n(
			&ie->expired_logged, 1, __ATOMIC_RELAXED))
			log_expired(ie, now);
		if (state != RESPCERT_EXPIRING)
			continue;
		/*
		 * An automatic responder that a renewal can replace: said
		 * once the renewal was tried here and failed (its reason
		 * logged just before), not before it is even tried.
		 */
		if (ie->is.auto_life_s > 0 &&
		    ie->is.resp_not_after < ie->is.not_after &&
		    (!__atomic_load_n(&ie->renew_tried, __ATOMIC_RELAXED) ||
			__atomic_load_n(&ie->renewed, __ATOMIC_RELAXED)))
			continue;
		last = __atomic_load_n(&ie->warned_at, __ATOMIC_RELAXED);
		if (last != 0 && now - last < ISSUERS_WARN_EVERY_S &&
		    now >= last)
			continue;
		__atomic_store_n(&ie->warned_at, now, __ATOMIC_RELAXED);
		end = issuer_signing_end(ie);
		util_time_format(end, ts, sizeof(ts));
		if (ie->is.not_after <= ie->is.resp_not_after)
			log_warnx("issuer %s: the CA certificate expires at %s "
				  "(in %s): no answer verifies past it, "
				  "whatever the responder; renew the CA",
			    ie->is.id, ts,
			    util_time_left(end - now, left, sizeof(left)));
		else if (ie->is.auto_life_s > 0)
			log_warnx("issuer %s: the automatic responder was not "
				  "renewed (see above why) and expires at %s "
				  "(in %s); SIGHUP tries again",
			    ie->is.id, ts,
			    util_time_left(end - now, left, sizeof(left)));
		else
			log_warnx("issuer %s: the responder certificate "
				  "expires at %s (in %s); replace it: "
				  "ocspbox issuer update %s --responder-cert "
				  "R.pem --responder-key R.key",
			    ie->is.id, ts,
			    util_time_left(end - now, left, sizeof(left)),
			    ie->is.id);
	}
}

size_t
issuers_resign(struct issuers *t, struct store_resign *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++) {
		if (!__atomic_load_n(&t->v[i]->resign, __ATOMIC_RELAXED))
			continue;
		if (n < max) {
			out[n].issuer_id = t->v[i]->is.id;
			out[n].needle = t->v[i]->needle;
			out[n].needle_len = t->v[i]->needle_len;
		}
		n++;
	}
	return n;
}

void
issuers_resign_done(
    struct issuers *t, const struct store_resign *done, size_t n)
{
	struct issuer *ie;
	size_t i;

	for (i = 0; i < n; i++)
		if ((ie = find(t, done[i].issuer_id)) != NULL &&
		    ie->needle == done[i].needle) {
			__atomic_store_n(&ie->resign, 0, __ATOMIC_RELAXED);
			log_warnx("issuer %s: every cached answer is signed by "
				  "its current responder",
			    ie->is.id);
		}
}

size_t
issuers_renew(
    struct issuers *t, struct store *st, const char *keydir, int64_t now)
{
	enum ob_err e;
	struct store_issuer made;
	struct issuer *ie;
	char err[OB_ERRBUF], ts[32];
	size_t i, n = 0, removed;

	for (i = 0; i < t->n; i++) {
		ie = t->v[i];
		if (ie->is.auto_life_s <= 0 ||
		    !respcert_renew_due(ie->is.resp_not_before,
			ie->is.resp_not_after, ie->is.not_after, now))
			continue;
		/* One try per issuer object: a reload after it starts again. */
		if (__atomic_exchange_n(&ie->renew_tried, 1, __ATOMIC_RELAXED))
			continue;
		if (signer_issue_responder(&ie->is, now, ie->is.auto_life_s,
			keydir, &made, err, sizeof(err)) != OB_OK) {
			log_warnx(
			    "issuer %s: renewing its automatic responder: "
			    "%s",
			    ie->is.id, err);
			continue;
		}
		if ((e = store_responder_renew(st, ie->is.id, ie->is.key_sha1,
			 ie->is.resp_id, &made, err, sizeof(err))) != OB_OK) {
			log_warnx(
			    "issuer %s: storing its renewed responder: %s",
			    ie->is.id, err);
			(void)unlink(made.resp_key_path);
			store_issuer_clear(&made);
			/* Changed meanwhile: the reload brings what stands. */
			if (e == OB_ERR_STALE)
				__atomic_store_n(
				    &ie->renewed, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_store_n(&ie->renewed, 1, __ATOMIC_RELAXED);
		util_time_format(made.resp_not_after, ts, sizeof(ts));
		log_warnx("issuer %s: automatic responder renewed (%s, valid "
			  "until %s)",
		    ie->is.id, made.resp_subject, ts);
		store_issuer_clear(&made);
		n++;
	}
	/* The key of the responder a renewal replaced is used no more. */
	if (n > 0 && (removed = signer_prune_keys(st, keydir)) > 0)
		log_warnx("removed %zu superseded responder key file%s from %s",
		    removed, removed == 1 ? "" : "s", keydir);
	return n;
}
