/*
 * Answering OCSP: match each CertID to an issuer, look up the status, build
 * the BasicOCSPResponse and sign it with the issuer's responder. The issuer
 * table is loaded at start and read-only after; each thread has its own
 * database connection (SQLite connections are not shared across threads).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extern.h"

struct issuer_ent {
	struct store_issuer is;
	struct signer *signer;
};

struct responder {
	char *db_path;
	int64_t validity;
	struct issuer_ent *iss;
	size_t niss;
	pthread_key_t tls; /* this thread's struct store */
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
	return st;
}

enum ob_err
responder_new(const char *db_path, int nsign, int64_t validity,
    struct responder **out, char *errbuf, size_t errsz)
{
	struct responder *r = NULL;
	struct store_issuer *v = NULL;
	struct store *st = NULL;
	char msg[OB_ERRBUF];
	enum ob_err e;
	size_t n = 0, i;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->db_path = strdup(db_path)) == NULL) {
		free(r);
		return OB_ERR_NOMEM;
	}
	r->validity = validity;
	if (pthread_key_create(&r->tls, tls_close) != 0) {
		free(r->db_path);
		free(r);
		return OB_ERR_NOMEM;
	}
	if ((e = store_open(db_path, 0, &st, errbuf, errsz)) != OB_OK ||
	    (e = store_issuer_list(st, &v, &n, errbuf, errsz)) != OB_OK)
		goto fail;
	if ((r->iss = calloc(n ? n : 1, sizeof(*r->iss))) == NULL) {
		e = OB_ERR_NOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		r->iss[i].is = v[i]; /* takes ownership of the members */
		memset(&v[i], 0, sizeof(v[i]));
		r->niss++;
		if ((e = signer_open(&r->iss[i].is, nsign, &r->iss[i].signer,
			 msg, sizeof(msg))) != OB_OK) {
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
		store_issuer_clear(&r->iss[i].is);
	}
	/* Only this thread's connection: other threads close their own. */
	tls_close(pthread_getspecific(r->tls));
	pthread_setspecific(r->tls, NULL);
	pthread_key_delete(r->tls);
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

void
responder_answer(struct responder *r, const unsigned char *req, size_t len,
    struct responder_answer *out)
{
	struct ocsp_single singles[OCSP_REQ_MAX_CERTIDS];
	struct ocsp_req q;
	struct issuer_ent *ie = NULL, *m;
	struct store *st;
	unsigned char *buf = NULL, *tbs, *der, sig[SIGNER_SIG_MAX];
	const unsigned char *alg;
	char serial[OB_SERIAL_HEX_MAX + 1], err[OB_ERRBUF];
	size_t i, cap, tbs_cap, tbs_len, sig_len, alg_len, der_len;
	int64_t now = (int64_t)time(NULL), revoked_at;
	int revoked, reason;
	enum ob_err e;

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
	}
	if ((st = thread_store(r)) == NULL) {
		answer_error(out, OCSP_TRY_LATER);
		return;
	}
	for (i = 0; i < q.ncertids; i++) {
		singles[i].certid = q.certids[i].der;
		singles[i].certid_len = q.certids[i].der_len;
		singles[i].this_update = now;
		singles[i].next_update = now + r->validity;
		singles[i].reason = -1;
		if (util_serial_from_bytes(q.certids[i].serial,
			q.certids[i].serial_len, serial) != OB_OK) {
			answer_error(out, OCSP_MALFORMED);
			return;
		}
		e = store_cert_status(st, ie->is.id, serial, &revoked,
		    &revoked_at, &reason, err, sizeof(err));
		if (e == OB_ERR_NOTFOUND)
			singles[i].status = OCSP_UNKNOWN;
		else if (e != OB_OK) {
			fprintf(stderr, "ocspbox: issuer %s serial %s: %s\n",
			    ie->is.id, serial, err);
			answer_error(out,
			    e == OB_ERR_BUSY ? OCSP_TRY_LATER
					     : OCSP_INTERNAL_ERROR);
			return;
		} else if (revoked) {
			singles[i].status = OCSP_REVOKED;
			singles[i].revoked_at = revoked_at;
			singles[i].reason = reason;
		} else
			singles[i].status = OCSP_GOOD;
	}
	/* tbsResponseData first, then the whole response built after it. */
	tbs_cap = ocsp_resp_tbs_max(singles, q.ncertids, q.nonce_ext_len);
	cap = tbs_cap + tbs_cap + SIGNER_SIG_MAX + SIGNER_ALG_MAX +
	    ie->is.resp_len + 64;
	if ((buf = malloc(cap)) == NULL) {
		answer_error(out, OCSP_INTERNAL_ERROR);
		return;
	}
	if (ocsp_resp_tbs(signer_key_hash(ie->signer), now, singles, q.ncertids,
		q.nonce_ext, q.nonce_ext_len, buf, tbs_cap, &tbs,
		&tbs_len) != OB_OK ||
	    signer_sign(ie->signer, tbs, tbs_len, sig, &sig_len) != OB_OK) {
		free(buf);
		answer_error(out, OCSP_INTERNAL_ERROR);
		return;
	}
	alg = signer_alg(ie->signer, &alg_len);
	if (ocsp_resp_wrap(tbs, tbs_len, alg, alg_len, sig, sig_len,
		ie->is.resp_is_ca ? NULL : ie->is.resp_der, ie->is.resp_len,
		buf + tbs_cap, cap - tbs_cap, &der, &der_len) != OB_OK) {
		free(buf);
		answer_error(out, OCSP_INTERNAL_ERROR);
		return;
	}
	memmove(buf, der, der_len);
	out->der = buf;
	out->len = der_len;
	out->status = OCSP_SUCCESSFUL;
	out->nonce = q.nonce != NULL;
	out->this_update = now;
	out->next_update = now + r->validity;
}

int
responder_healthy(struct responder *r)
{
	struct store *st = thread_store(r);
	char err[OB_ERRBUF];

	/* Every signer was loaded by responder_new, or it failed. */
	return st != NULL && store_ping(st, err, sizeof(err)) == OB_OK;
}
