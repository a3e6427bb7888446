/*
 * ocspbox's own delegated responders (issuer add --auto-responder):
 * issuing a responder certificate with the CA's key for a fresh key,
 * written to a key file, and removing the key files nothing uses any
 * more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha1.h>
#include <mbedtls/x509_crt.h>

#include "signer_int.h"

/*
 * The commonName of ocspbox's own responder for the CA ca registered as
 * id, into out (cap bytes): "<CA's CN> OCSP Responder", or "<id> OCSP
 * Responder" when the CA has no commonName in a string type we can copy
 * as UTF-8 (UTF8String, PrintableString, IA5String) without control
 * characters. The first such commonName, when there are several.
 */
static void
responder_cn(const mbedtls_x509_crt *ca, const char *id, char *out, size_t cap)
{
	const mbedtls_x509_name *n;
	size_t i;

	for (n = &ca->subject; n != NULL; n = n->next) {
		if (n->oid.p == NULL ||
		    MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid))
			continue;
		if (n->val.tag != MBEDTLS_ASN1_UTF8_STRING &&
		    n->val.tag != MBEDTLS_ASN1_PRINTABLE_STRING &&
		    n->val.tag != MBEDTLS_ASN1_IA5_STRING)
			continue;
		for (i = 0; i < n->val.len; i++)
			if (n->val.p[i] < 0x20 || n->val.p[i] == 0x7f)
				break;
		if (i < n->val.len || n->val.len == 0 ||
		    n->val.len > cap - sizeof(" OCSP Responder"))
			continue;
		snprintf(out, cap, "%.*s OCSP Responder", (int)n->val.len,
		    (const char *)n->val.p);
		return;
	}
	snprintf(out, cap, "%s OCSP Responder", id);
}

/* A fresh key of the algorithm alg ("rsa", "ec-p256", "ec-p384"). */
static int
generate_key(
    mbedtls_pk_context *key, const char *alg, mbedtls_ctr_drbg_context *drbg)
{
	int rc;

	if (strcmp(alg, "rsa") == 0) {
		if ((rc = mbedtls_pk_setup(
			 key, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA))) != 0)
			return rc;
		return mbedtls_rsa_gen_key(mbedtls_pk_rsa(*key),
		    mbedtls_ctr_drbg_random, drbg, SIGNER_RESPONDER_RSA_BITS,
		    65537);
	}
	if ((rc = mbedtls_pk_setup(
		 key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))) != 0)
		return rc;
	return mbedtls_ecp_gen_key(strcmp(alg, "ec-p384") == 0
		? MBEDTLS_ECP_DP_SECP384R1
		: MBEDTLS_ECP_DP_SECP256R1,
	    mbedtls_pk_ec(*key), mbedtls_ctr_drbg_random, drbg);
}

/*
 * The validity of a responder certificate made at now for the CA ca
 * (registered as id) to live life_s seconds: notBefore
 * SIGNER_RESPONDER_BACKDATE before now, for clients whose clocks run
 * slow (as thisUpdate is), but not before the CA's; notAfter now +
 * life_s, but never past the CA's notAfter (RFC 5280 6.1.3 checks each
 * certificate of the path at the time of use: a responder outliving its
 * CA would sign answers no client accepts). OB_ERR_INVAL when the CA has
 * expired or is not valid yet.
 */
static enum ob_err
responder_validity(const mbedtls_x509_crt *ca, const char *id, int64_t now,
    int64_t life_s, int64_t *nb, int64_t *na, char *errbuf, size_t errsz)
{
	int64_t ca_nb = util_x509_time(&ca->valid_from);
	int64_t ca_na = util_x509_time(&ca->valid_to);
	char ts[32];

	if (ca_na == INT64_MIN || ca_nb == INT64_MIN) {
		snprintf(errbuf, errsz,
		    "issuer %s: the CA certificate's validity is unreadable",
		    id);
		return OB_ERR_INVAL;
	}
	if (ca_na <= now) {
		util_time_format(ca_na, ts, sizeof(ts));
		snprintf(errbuf, errsz,
		    "issuer %s: the CA certificate expired at %s; it can "
		    "certify no responder",
		    id, ts);
		return OB_ERR_INVAL;
	}
	if (ca_nb > now) {
		util_time_format(ca_nb, ts, sizeof(ts));
		snprintf(errbuf, errsz,
		    "issuer %s: the CA certificate is not valid before %s", id,
		    ts);
		return OB_ERR_INVAL;
	}
	*nb = now - SIGNER_RESPONDER_BACKDATE < ca_nb
	    ? ca_nb
	    : now - SIGNER_RESPONDER_BACKDATE;
	*na = life_s > ca_na - now ? ca_na : now + life_s;
	return OB_OK;
}

/*
 * Signs the TBSCertificate of in with the CA's key cakey (algorithm alg)
 * and wraps it: *der malloc'd (the caller frees), *len its length.
 * OB_ERR_CRYPTO, OB_ERR_NOMEM.
 */
static enum ob_err
responder_sign(const struct respcert_in *in, mbedtls_pk_context *cakey,
    mbedtls_md_type_t mdtype, mbedtls_ctr_drbg_context *drbg,
    unsigned char **der, size_t *len)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(mdtype);
	unsigned char hash[MBEDTLS_MD_MAX_SIZE], sig[SIGNER_SIG_MAX];
	unsigned char *buf, *tbs, *cert;
	size_t cap, tbs_len, sig_len;
	enum ob_err e = OB_ERR_CRYPTO;

	*der = NULL;
	*len = 0;
	/* The TBSCertificate in the first half, the Certificate after it. */
	cap = 2 * (respcert_tbs_max(in) + SIGNER_SIG_MAX + 64);
	if ((buf = malloc(cap)) == NULL)
		return OB_ERR_NOMEM;
	if (respcert_tbs(in, buf, cap / 2, &tbs, &tbs_len) != OB_OK ||
	    mbedtls_md(md, tbs, tbs_len, hash) != 0 ||
	    signer_key_sign(cakey, mdtype, hash, mbedtls_md_get_size(md), sig,
		&sig_len, drbg) != 0 ||
	    sig_len > sizeof(sig) ||
	    respcert_wrap(tbs, tbs_len, in->alg, in->alg_len, sig, sig_len,
		buf + cap / 2, cap - cap / 2, &cert, len) != OB_OK)
		goto out;
	if ((*der = malloc(*len)) == NULL) {
		*len = 0;
		e = OB_ERR_NOMEM;
		goto out;
	}
	memcpy(*der, cert, *len);
	e = OB_OK;
out:
	free(buf);
	return e;
}

enum ob_err
signer_issue_responder(const struct store_issuer *is, int64_t now,
    int64_t life_s, const char *keydir, struct store_issuer *out, char *errbuf,
    size_t errsz)
{
	static const char pers[] = "ocspbox responder";
	mbedtls_x509_crt ca, crt;
	mbedtls_pk_context cakey, key;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_md_type_t md;
	struct respcert_in in;
	unsigned char spki[1024], serial[SIGNER_RESPONDER_SERIAL_OCTETS];
	unsigned char ski[20], aki[64], *bits, *der = NULL, *pem = NULL;
	char cn[256], serial_hex[2 * sizeof(serial) + 1], *name = NULL;
	const char *alg;
	size_t spki_len, bits_len, aki_len, der_len = 0;
	enum ob_err e = OB_ERR_INVAL;
	int rc, written = 0;

	memset(out, 0, sizeof(*out));
	memset(&in, 0, sizeof(in));
	mbedtls_x509_crt_init(&ca);
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&cakey);
	mbedtls_pk_init(&key);
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);

	if (is->crl_key_path == NULL) {
		snprintf(errbuf, errsz,
		    "issuer %s: an automatic responder needs the CA's key "
		    "(--ca-key)",
		    is->id);
		goto out;
	}
	/* The id names the key file: a plain name, as issuer ids are. */
	if (is->id[0] == '\0' || is->id[0] == '.' ||
	    strchr(is->id, '/') != NULL || life_s <= 0) {
		snprintf(errbuf, errsz, "issuer %s: bad id or life", is->id);
		goto out;
	}
	if ((rc = mbedtls_x509_crt_parse_der(
		 &ca, is->cert_der, is->cert_len)) != 0) {
		signer_tlserr(rc, "stored certificate", is->id, errbuf, errsz);
		e = OB_ERR_CRYPTO;
		goto out;
	}
	/* A CA that may not sign certificates makes none clients accept. */
	if (!ca.ca_istrue ||
	    mbedtls_x509_crt_check_key_usage(
		&ca, MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0) {
		snprintf(errbuf, errsz,
		    "issuer %s: the CA certificate may not sign certificates "
		    "(basicConstraints cA or keyUsage keyCertSign missing)",
		    is->id);
		goto out;
	}
	if ((e = responder_validity(&ca, is->id, now, life_s, &in.not_before,
		 &in.not_after, errbuf, errsz)) != OB_OK ||
	    (e = signer_load_key(is->crl_key_path, &cakey, errbuf, errsz)) !=
		OB_OK ||
	    (e = signer_check_key_pair(
		 &ca, &cakey, is->crl_key_path, errbuf, errsz)) != OB_OK)
		goto out;
	if ((alg = signer_key_algorithm(&cakey)) == NULL ||
	    mbedtls_pk_get_len(&cakey) > SIGNER_SIG_MAX) {
		snprintf(errbuf, errsz, "%s: unsupported key type",
		    is->crl_key_path);
		e = OB_ERR_UNSUPPORTED;
		goto out;
	}

	/* A fresh key of the CA key's family. */
	e = OB_ERR_CRYPTO;
	if ((rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
		 (const unsigned char *)pers, sizeof(pers) - 1)) != 0 ||
	    (rc = generate_key(&key, alg, &drbg)) != 0) {
		signer_tlserr(
		    rc, "generating the responder key", is->id, errbuf, errsz);
		goto out;
	}
	/* A positive serial of exactly 16 octets (RFC 5280 4.1.2.2). */
	do {
		if ((rc = mbedtls_ctr_drbg_random(
			 &drbg, serial, sizeof(serial))) != 0) {
			signer_tlserr(
			    rc, "drawing a serial", is->id, errbuf, errsz);
			goto out;
		}
		serial[0] &= 0x7f;
	} while (serial[0] == 0);
	util_hex(serial, sizeof(serial), serial_hex);

	/* Its key, and both key identifiers (RFC 5280 4.2.1.1, 4.2.1.2). */
	if ((rc = mbedtls_pk_write_pubkey_der(&key, spki, sizeof(spki))) <= 0) {
		signer_tlserr(
		    rc, "writing the public key", is->id, errbuf, errsz);
		goto out;
	}
	spki_len = (size_t)rc;
	if (signer_spki_bits(spki + sizeof(spki) - spki_len, spki_len, &bits,
		&bits_len) != OB_OK ||
	    mbedtls_sha1_ret(bits, bits_len, ski) != 0 ||
	    signer_public_key_bits(&ca, &bits, &bits_len) != OB_OK) {
		snprintf(errbuf, errsz, "issuer %s: cannot hash a public key",
		    is->id);
		goto out;
	}
	aki_len = signer_subject_key_id(&ca, aki, sizeof(aki));
	if (aki_len == (size_t)-1 || aki_len == 0) {
		/* Malformed or absent: RFC 5280's method (1), as for CRLs. */
		if (mbedtls_sha1_ret(bits, bits_len, aki) != 0) {
			snprintf(errbuf, errsz,
			    "issuer %s: cannot hash the CA's key", is->id);
			goto out;
		}
		aki_len = 20;
	}
	responder_cn(&ca, is->id, cn, sizeof(cn));

	signer_sig_alg(alg, &in.alg, &in.alg_len, &md);
	in.serial = serial;
	in.serial_len = sizeof(serial);
	in.issuer = ca.subject_raw.p; /* byte for byte */
	in.issuer_len = ca.subject_raw.len;
	in.cn = cn;
	in.cn_len = strlen(cn);
	in.spki = spki + sizeof(spki) - spki_len;
	in.spki_len = spki_len;
	in.key_id = ski;
	in.key_id_len = sizeof(ski);
	in.ca_key_id = aki;
	in.ca_key_id_len = aki_len;
	if ((e = responder_sign(&in, &cakey, md, &drbg, &der, &der_len)) !=
	    OB_OK) {
		snprintf(errbuf, errsz,
		    "issuer %s: cannot build or sign the responder certificate",
		    is->id);
		goto out;
	}
	/* What we made, read back: issued by the CA, matching the key. */
	e = OB_ERR_CRYPTO;
	if (mbedtls_x509_crt_parse_der(&crt, der, der_len) != 0 ||
	    signer_check_delegated(
		&crt, &ca, "responder", "CA", errbuf, errsz) != OB_OK ||
	    mbedtls_pk_check_pair(&crt.pk, &key) != 0) {
		snprintf(errbuf, errsz,
		    "issuer %s: the responder certificate made does not "
		    "verify",
		    is->id);
		goto out;
	}

	/* The key, PEM (SEC1 or PKCS#1, which signer_load_key reads), 0600. */
	if ((pem = malloc(SIGNER_KEY_PEM_MAX)) == NULL ||
	    (name = malloc(strlen(is->id) + sizeof(serial_hex) + 32)) == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		e = OB_ERR_NOMEM;
		goto out;
	}
	if ((rc = mbedtls_pk_write_key_pem(&key, pem, SIGNER_KEY_PEM_MAX)) !=
	    0) {
		signer_tlserr(
		    rc, "writing the responder key", is->id, errbuf, errsz);
		goto out;
	}
	sprintf(name, "%s-responder-%s.key", is->id, serial_hex);
	if ((e = file_write_secret(keydir, name, pem, strlen((char *)pem),
		 &out->resp_key_path, errbuf, errsz)) != OB_OK)
		goto out;
	written = 1;

	snprintf(out->id, sizeof(out->id), "%s", is->id);
	snprintf(out->resp_key_alg, sizeof(out->resp_key_alg), "%s", alg);
	out->resp_not_before = in.not_before;
	out->resp_not_after = in.not_after;
	out->resp_generated = 1;
	out->auto_life_s = life_s;
	if ((out->resp_subject = signer_subject_text(&crt)) == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		e = OB_ERR_NOMEM;
		goto out;
	}
	out->resp_der = der; /* handed over */
	out->resp_len = der_len;
	der = NULL;
	e = OB_OK;
out:
	if (e != OB_OK) {
		if (written)
			unlink(out->resp_key_path);
		store_issuer_clear(out);
	}
	if (pem != NULL) {
		mbedtls_platform_zeroize(pem, SIGNER_KEY_PEM_MAX);
		free(pem);
	}
	free(name);
	free(der);
	mbedtls_x509_crt_free(&ca);
	mbedtls_x509_crt_free(&crt);
	mbedtls_pk_free(&cakey); /* zeroises */
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return e;
}

size_t
signer_remove_keys(const char *keydir, char *const *paths, size_t n)
{
	char err[OB_ERRBUF];
	size_t i, removed = 0;
	enum ob_err e;

	for (i = 0; i < n; i++) {
		e = file_remove_secret(keydir, paths[i], err, sizeof(err));
		if (e == OB_OK)
			removed++;
		else if (e != OB_ERR_NOTFOUND)
			log_warnx(
			    "removing a responder key no one uses: %s", err);
	}
	return removed;
}

size_t
signer_prune_keys(struct store *st, const char *keydir)
{
	char err[OB_ERRBUF], **v = NULL;
	size_t n = 0, removed;

	if (store_responder_keys_unused(st, &v, &n, err, sizeof(err)) !=
	    OB_OK) {
		log_warnx("superseded responder keys: %s", err);
		return 0;
	}
	removed = signer_remove_keys(keydir, v, n);
	store_paths_free(v, n);
	return removed;
}
