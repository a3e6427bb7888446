/*
 * Signatures: a key loaded into a pool of contexts that several threads
 * sign with at once (OCSP responses, CRLs), and a CRL's signature checked
 * against its issuer. With signer_check.c and signer_issue.c (sharing
 * signer_int.h), the only owner of mbedTLS key contexts; key material is
 * wiped before memory is released.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha1.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "signer_int.h"

const char *
signer_mbedtls_version(void)
{
	return MBEDTLS_VERSION_STRING;
}

/* One signing context: a copy of the key and its own random generator. */
struct signer_ctx {
	pthread_mutex_t lock;
	mbedtls_pk_context key;
	mbedtls_ctr_drbg_context drbg;
};

struct signer {
	int nctx;
	struct signer_ctx *ctx;
	unsigned int next; /* where the next caller starts looking */
	int inflight; /* signatures under way or waiting, atomic */
	int delay_ms; /* test hook, see signer_open */
	mbedtls_md_type_t md;
	unsigned char alg[SIGNER_ALG_MAX];
	size_t alg_len;
	unsigned char key_hash[20];
	/* CRL signers: the issuer's Name and authorityKeyIdentifier */
	unsigned char *name;
	size_t name_len;
	unsigned char key_id[64];
	size_t key_id_len;
	mbedtls_entropy_context entropy; /* shared; mbedTLS locks it */
};

/*
 * signatureAlgorithm DER: sha256WithRSAEncryption takes NULL parameters,
 * ecdsa-with-SHA256/384 none (RFC 5758 3.2).
 */
static const unsigned char alg_rsa_sha256[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
    0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
static const unsigned char alg_ecdsa_sha256[] = {
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const unsigned char alg_ecdsa_sha384[] = {
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};

void
signer_sig_alg(const char *alg, const unsigned char **der, size_t *len,
    mbedtls_md_type_t *md)
{
	if (strcmp(alg, "rsa") == 0) {
		*md = MBEDTLS_MD_SHA256;
		*der = alg_rsa_sha256;
		*len = sizeof(alg_rsa_sha256);
	} else if (strcmp(alg, "ec-p256") == 0) {
		*md = MBEDTLS_MD_SHA256;
		*der = alg_ecdsa_sha256;
		*len = sizeof(alg_ecdsa_sha256);
	} else {
		*md = MBEDTLS_MD_SHA384;
		*der = alg_ecdsa_sha384;
		*len = sizeof(alg_ecdsa_sha384);
	}
}

size_t
signer_subject_key_id(
    const mbedtls_x509_crt *crt, unsigned char *out, size_t cap)
{
	static const unsigned char oid_ski[] = {0x55, 0x1d, 0x0e};
	unsigned char *p = crt->v3_ext.p, *end = p + crt->v3_ext.len, *ext;
	size_t len;

	if (p == NULL || crt->v3_ext.len == 0)
		return 0;
	/* mbedTLS keeps the Extensions SEQUENCE, inside the [3] tag. */
	if (*p ==
		(MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED |
		    3) &&
	    mbedtls_asn1_get_tag(&p, end, &len,
		MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 3) !=
		0)
		return 0;
	if (mbedtls_asn1_get_tag(&p, end, &len,
		MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
		return 0;
	end = p + len;
	while (p < end) {
		if (mbedtls_asn1_get_tag(&p, end, &len,
			MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
			return 0;
		ext = p + len;
		if (mbedtls_asn1_get_tag(&p, ext, &len, MBEDTLS_ASN1_OID) != 0)
			return 0;
		if (len != sizeof(oid_ski) ||
		    memcmp(p, oid_ski, sizeof(oid_ski)) != 0) {
			p = ext;
			continue;
		}
		p += len;
		/* critical BOOLEAN DEFAULT FALSE, then extnValue */
		if (p < ext && *p == MBEDTLS_ASN1_BOOLEAN) {
			if (mbedtls_asn1_get_tag(
				&p, ext, &len, MBEDTLS_ASN1_BOOLEAN) != 0)
				return 0;
			p += len;
		}
		if (mbedtls_asn1_get_tag(
			&p, ext, &len, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
		    mbedtls_asn1_get_tag(
			&p, ext, &len, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
		    len == 0 || len > cap || p + len != ext)
			return (size_t)-1;
		memcpy(out, p, len);
		return len;
	}
	return 0;
}

/*
 * A signer of ncontexts contexts with the key at key_path, which must
 * match the certificate cert_der: the responder's for OCSP, the issuer's
 * for CRLs (crl set: also keeps the issuer's Name and key identifier).
 */
static enum ob_err
open_signer(const char *id, const unsigned char *cert_der, size_t cert_len,
    const char *key_path, int ncontexts, int crl, struct signer **out,
    char *errbuf, size_t errsz)
{
	static const char pers[] = "ocspbox signer";
	struct signer *sg = NULL;
	mbedtls_x509_crt crt;
	const char *alg;
	const unsigned char *algder;
	unsigned char *bits;
	size_t bitslen;
	enum ob_err e = OB_OK;
	int i, rc;

	*out = NULL;
	mbedtls_x509_crt_init(&crt);
	if (ncontexts < 1)
		ncontexts = 1;
	if ((sg = calloc(1, sizeof(*sg))) == NULL ||
	    (sg->ctx = calloc((size_t)ncontexts, sizeof(*sg->ctx))) == NULL) {
		free(sg);
		snprintf(errbuf, errsz, "out of memory");
		return OB_ERR_NOMEM;
	}
	mbedtls_entropy_init(&sg->entropy);
	for (i = 0; i < ncontexts; i++) {
		pthread_mutex_init(&sg->ctx[i].lock, NULL);
		mbedtls_pk_init(&sg->ctx[i].key);
		mbedtls_ctr_drbg_init(&sg->ctx[i].drbg);
	}
	sg->nctx = ncontexts;
#ifdef OB_TEST_HOOKS
	/*
	 * Sanitizer builds only: each signature holds its context this
	 * long, which widens the window between reading a status and
	 * writing its signature back, and lets tests saturate the pool.
	 */
	if (getenv("OCSPBOX_TEST_SIGN_DELAY_MS") != NULL)
		sg->delay_ms = atoi(getenv("OCSPBOX_TEST_SIGN_DELAY_MS"));
#endif
	if ((rc = mbedtls_x509_crt_parse_der(&crt, cert_der, cert_len)) != 0) {
		signer_tlserr(rc, "stored certificate", id, errbuf, errsz);
		e = OB_ERR_CRYPTO;
		goto out;
	}
	for (i = 0; i < ncontexts; i++) {
		if ((e = signer_load_key(
			 key_path, &sg->ctx[i].key, errbuf, errsz)) != OB_OK ||
		    (e = signer_check_key_pair(&crt, &sg->ctx[i].key, key_path,
			 errbuf, errsz)) != OB_OK)
			goto out;
		if ((rc = mbedtls_ctr_drbg_seed(&sg->ctx[i].drbg,
			 mbedtls_entropy_func, &sg->entropy,
			 (const unsigned char *)pers, sizeof(pers) - 1)) != 0) {
			signer_tlserr(
			    rc, "seeding the DRBG", id, errbuf, errsz);
			e = OB_ERR_CRYPTO;
			goto out;
		}
	}
	alg = signer_key_algorithm(&sg->ctx[0].key);
	if (alg == NULL ||
	    mbedtls_pk_get_len(&sg->ctx[0].key) > SIGNER_SIG_MAX) {
		snprintf(errbuf, errsz, "%s: unsupported key", key_path);
		e = OB_ERR_UNSUPPORTED;
		goto out;
	}
	signer_sig_alg(alg, &algder, &sg->alg_len, &sg->md);
	memcpy(sg->alg, algder, sg->alg_len);
	if (signer_public_key_bits(&crt, &bits, &bitslen) != OB_OK ||
	    mbedtls_sha1_ret(bits, bitslen, sg->key_hash) != 0) {
		snprintf(errbuf, errsz, "%s: cannot hash the public key", id);
		e = OB_ERR_CRYPTO;
		goto out;
	}
	if (crl) {
		if ((sg->name = malloc(crt.subject_raw.len)) == NULL) {
			snprintf(errbuf, errsz, "out of memory");
			e = OB_ERR_NOMEM;
			goto out;
		}
		memcpy(sg->name, crt.subject_raw.p, crt.subject_raw.len);
		sg->name_len = crt.subject_raw.len;
		/* Without a subjectKeyIdentifier: RFC 5280's method (1). */
		sg->key_id_len =
		    signer_subject_key_id(&crt, sg->key_id, sizeof(sg->key_id));
		if (sg->key_id_len == (size_t)-1) {
			snprintf(errbuf, errsz,
			    "%s: the CA certificate's subjectKeyIdentifier is "
			    "malformed or over %zu octets",
			    id, sizeof(sg->key_id));
			e = OB_ERR_UNSUPPORTED;
			goto out;
		}
		if (sg->key_id_len == 0) {
			memcpy(sg->key_id, sg->key_hash, 20);
			sg->key_id_len = 20;
		}
	}
	*out = sg;
out:
	mbedtls_x509_crt_free(&crt);
	if (e != OB_OK)
		signer_free(sg);
	return e;
}

enum ob_err
signer_open(const struct store_issuer *is, int ncontexts, struct signer **out,
    char *errbuf, size_t errsz)
{
	return open_signer(is->id, is->resp_der, is->resp_len,
	    is->resp_key_path, ncontexts, 0, out, errbuf, errsz);
}

enum ob_err
signer_open_crl(const struct store_issuer *is, struct signer **out,
    char *errbuf, size_t errsz)
{
	*out = NULL;
	if (is->crl_key_path == NULL) {
		snprintf(errbuf, errsz, "issuer %s has no CRL key", is->id);
		return OB_ERR_NOTFOUND;
	}
	return open_signer(is->id, is->cert_der, is->cert_len, is->crl_key_path,
	    1, 1, out, errbuf, errsz);
}

const unsigned char *
signer_name(const struct signer *sg, size_t *len)
{
	*len = sg->name_len;
	return sg->name;
}

const unsigned char *
signer_key_id(const struct signer *sg, size_t *len)
{
	*len = sg->key_id_len;
	return sg->key_id;
}

void
signer_free(struct signer *sg)
{
	int i;

	if (sg == NULL)
		return;
	for (i = 0; i < sg->nctx; i++) {
		mbedtls_pk_free(&sg->ctx[i].key); /* zeroises */
		mbedtls_ctr_drbg_free(&sg->ctx[i].drbg);
		pthread_mutex_destroy(&sg->ctx[i].lock);
	}
	mbedtls_entropy_free(&sg->entropy);
	free(sg->name);
	free(sg->ctx);
	free(sg);
}

int
signer_key_sign(mbedtls_pk_context *key, mbedtls_md_type_t md,
    const unsigned char *hash, size_t hash_len, unsigned char *sig,
    size_t *sig_len, mbedtls_ctr_drbg_context *drbg)
{
	if (mbedtls_pk_get_type(key) == MBEDTLS_PK_ECKEY ||
	    mbedtls_pk_get_type(key) == MBEDTLS_PK_ECDSA)
		return mbedtls_ecdsa_write_signature(mbedtls_pk_ec(*key), md,
		    hash, hash_len, sig, sig_len, mbedtls_ctr_drbg_random,
		    drbg);
	return mbedtls_pk_sign(key, md, hash, hash_len, sig, sig_len,
	    mbedtls_ctr_drbg_random, drbg);
}

enum ob_err
signer_sign(struct signer *sg, const unsigned char *data, size_t len,
    unsigned char *sig, size_t *siglen)
{
	unsigned char hash[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(sg->md);
	struct signer_ctx *c = NULL;
	unsigned int start;
	int i, rc;

	*siglen = 0;
	if (mbedtls_md(md, data, len, hash) != 0)
		return OB_ERR_CRYPTO;
	/* Take the first free context; if all are busy, wait for one. */
	__atomic_add_fetch(&sg->inflight, 1, __ATOMIC_RELAXED);
	start = __atomic_fetch_add(&sg->next, 1, __ATOMIC_RELAXED);
	for (i = 0; i < sg->nctx; i++) {
		c = &sg->ctx[(start + (unsigned)i) % (unsigned)sg->nctx];
		if (pthread_mutex_trylock(&c->lock) == 0)
			break;
		c = NULL;
	}
	if (c == NULL) {
		c = &sg->ctx[start % (unsigned)sg->nctx];
		pthread_mutex_lock(&c->lock);
	}
	if (sg->delay_ms > 0)
		usleep((useconds_t)sg->delay_ms * 1000);
	rc = signer_key_sign(&c->key, sg->md, hash, mbedtls_md_get_size(md),
	    sig, siglen, &c->drbg);
	pthread_mutex_unlock(&c->lock);
	__atomic_sub_fetch(&sg->inflight, 1, __ATOMIC_RELAXED);
	if (rc != 0 || *siglen > SIGNER_SIG_MAX)
		return OB_ERR_CRYPTO;
	return OB_OK;
}

int
signer_saturated(const struct signer *sg)
{
	return __atomic_load_n(&sg->inflight, __ATOMIC_RELAXED) >= sg->nctx;
}

const unsigned char *
signer_alg(const struct signer *sg, size_t *len)
{
	*len = sg->alg_len;
	return sg->alg;
}

const unsigned char *
signer_key_hash(const struct signer *sg)
{
	return sg->key_hash;
}

enum ob_err
signer_crl_verify(const unsigned char *ca_der, size_t ca_len,
    const unsigned char *crl_der, size_t crl_len, char *errbuf, size_t errsz)
{
	unsigned char hash[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *md;
	mbedtls_x509_crt ca;
	mbedtls_x509_crl crl;
	enum ob_err e = OB_ERR_INVAL;
	int rc;

	mbedtls_x509_crt_init(&ca);
	mbedtls_x509_crl_init(&crl);
	if ((rc = mbedtls_x509_crt_parse_der(&ca, ca_der, ca_len)) != 0 ||
	    (rc = mbedtls_x509_crl_parse_der(&crl, crl_der, crl_len)) != 0) {
		signer_tlserr(
		    rc, "parse", "CRL or issuer certificate", errbuf, errsz);
		goto out;
	}
	if (crl.issuer_raw.len != ca.subject_raw.len ||
	    memcmp(crl.issuer_raw.p, ca.subject_raw.p, ca.subject_raw.len) !=
		0) {
		snprintf(errbuf, errsz,
		    "the CRL's issuer is not this issuer's subject");
		goto out;
	}
	if (mbedtls_x509_crt_check_key_usage(&ca, MBEDTLS_X509_KU_CRL_SIGN) !=
	    0) {
		snprintf(errbuf, errsz,
		    "the issuer certificate's keyUsage lacks cRLSign");
		goto out;
	}
	if ((md = mbedtls_md_info_from_type(crl.sig_md)) == NULL ||
	    crl.sig_md == MBEDTLS_MD_MD5 || crl.sig_md == MBEDTLS_MD_SHA1) {
		snprintf(errbuf, errsz,
		    "the CRL is signed with a digest too weak to trust");
		goto out;
	}
	if (mbedtls_md(md, crl.tbs.p, crl.tbs.len, hash) != 0 ||
	    (rc = mbedtls_pk_verify_ext(crl.sig_pk, crl.sig_opts, &ca.pk,
		 crl.sig_md, hash, mbedtls_md_get_size(md), crl.sig.p,
		 crl.sig.len)) != 0) {
		snprintf(errbuf, errsz,
		    "the CRL's signature does not verify with the issuer's "
		    "key");
		goto out;
	}
	e = OB_OK;
out:
	mbedtls_x509_crt_free(&ca);
	mbedtls_x509_crl_free(&crl);
	return e;
}
