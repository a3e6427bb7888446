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

#include "server.h"

/* After a CRL key failed to load, how long until a revoke tries again. */
#define ISSUERS_CRL_RETRY_S 30

struct issuer {
	struct store_issuer is;
	/* other encodings of its name, as leaves' issuer fields carry it */
	struct store_name_alias *alias;
	size_t nalias;
	struct signer *signer;
	struct signer *crl_signer; /* opened on first use, under crl_mu */
	/* after a failure: not before (CLOCK_MONOTONIC seconds) */
	int64_t crl_retry_at;
	/* signing latency: counts per bucket of ob_sign_buckets, atomics */
	int64_t hist[OB_SIGN_BUCKETS + 1];
	int64_t hist_count, hist_sum_us;
};

struct issuers {
	struct issuer *v;
	size_t n;
	pthread_mutex_t crl_mu; /* the CRL signers */
};

const double ob_sign_buckets[OB_SIGN_BUCKETS] = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

/*
 * Reads the name aliases of ie (issuer_name_aliases) into ie->alias.
 * OB_OK, or the store's error with errbuf naming the issuer.
 */
static enum ob_err
load_aliases(struct store *st, struct issuer *ie, char *errbuf, size_t errsz)
{
	char msg[OB_ERRBUF];
	enum ob_err e;

	if ((e = store_issuer_aliases(st, ie->is.id, &ie->alias, &ie->nalias,
		 msg, sizeof(msg))) != OB_OK)
		snprintf(errbuf, errsz, "issuer %s: %s", ie->is.id, msg);
	return e;
}

enum ob_err
issuers_load(struct store *st, int nsign, struct issuers **out, char *errbuf,
    size_t errsz)
{
	struct issuers *t = NULL;
	struct store_issuer *v = NULL;
	char msg[OB_ERRBUF];
	enum ob_err e;
	size_t n = 0, i;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return OB_ERR_NOMEM;
	pthread_mutex_init(&t->crl_mu, NULL);
	if ((e = store_issuer_list(st, &v, &n, errbuf, errsz)) != OB_OK)
		goto fail;
	if ((t->v = calloc(n ? n : 1, sizeof(*t->v))) == NULL) {
		e = OB_ERR_NOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		t->v[i].is = v[i]; /* takes ownership of the members */
		memset(&v[i], 0, sizeof(v[i]));
		t->n++;
		if ((e = load_aliases(st, &t->v[i], errbuf, errsz)) != OB_OK)
			goto fail;
		if ((e = signer_open(&t->v[i].is, nsign, &t->v[i].signer, msg,
			 sizeof(msg))) != OB_OK) {
			snprintf(
			    errbuf, errsz, "issuer %s: %s", t->v[i].is.id, msg);
			goto fail;
		}
	}
	store_issuer_list_free(v, n);
	*out = t;
	return OB_OK;
fail:
	store_issuer_list_free(v, n);
	issuers_free(t);
	return e;
}

void
issuers_free(struct issuers *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		signer_free(t->v[i].signer);
		signer_free(t->v[i].crl_signer);
		store_issuer_clear(&t->v[i].is);
		free(t->v[i].alias);
	}
	pthread_mutex_destroy(&t->crl_mu);
	free(t->v);
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
		if ((how = name_match(&t->v[i], c, hl)) == 0)
			continue;
		/*
		 * An empty issuerKeyHash names the issuer by its name alone:
		 * only when one issuer has that name, since two CAs may
		 * share one (a CA re-keyed under its old name), and an
		 * answer for the other one would be wrong.
		 */
		if (c->key_hash_len == 0) {
			found = &t->v[i];
			named++;
			continue;
		}
		key = hl == OB_SHA1_LEN ? t->v[i].is.key_sha1
					: t->v[i].is.key_sha256;
		if (memcmp(c->key_hash, key, hl) != 0)
			continue;
		if (how == 2)
			return &t->v[i];
		if (found == NULL) /* by an alias: a subject match wins */
			found = &t->v[i];
	}
	if (c->key_hash_len == 0 && named != 1)
		return NULL;
	return found;
}

struct issuer *
issuers_find(struct issuers *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].is.id, id) == 0)
			return &t->v[i];
	return NULL;
}

const char *
issuer_id(const struct issuer *ie)
{
	return ie->is.id;
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
	e = store_cert_status(st, ie->is.id, serial, &revoked, &revoked_at,
	    &reason, err, sizeof(err));
	if (e == OB_ERR_NOTFOUND) {
		s->status = OCSP_UNKNOWN;
		return OB_OK;
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
		    out[i].issuer, sizeof(out[i].issuer), "%s", t->v[i].is.id);
		for (b = 0; b <= OB_SIGN_BUCKETS; b++)
			out[i].bucket[b] =
			    __atomic_load_n(&t->v[i].hist[b], __ATOMIC_RELAXED);
		out[i].count =
		    __atomic_load_n(&t->v[i].hist_count, __ATOMIC_RELAXED);
		out[i].sum_us =
		    __atomic_load_n(&t->v[i].hist_sum_us, __ATOMIC_RELAXED);
	}
	return i;
}

size_t
issuers_crl_ids(struct issuers *t, const char **ids, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->v[i].is.crl_key_path != NULL) {
			if (n < max)
				ids[n] = t->v[i].is.id;
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
	pthread_mutex_lock(&t->crl_mu);
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
	pthread_mutex_unlock(&t->crl_mu);
	return e;
}
