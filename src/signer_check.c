/*
 * Reading and checking what an issuer registers: the CA, responder and
 * leaf certificates and the keys that go with them (issuer add and
 * update, cert add), and the CertID hashes of an issuer. The signer's
 * other files share its readers and checks through signer_int.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "signer_int.h"

/* Key and certificate files larger than this are not what we think. */
#define SIGNER_FILE_MAX (1024 * 1024)

void
signer_tlserr(
    int rc, const char *what, const char *path, char *errbuf, size_t errsz)
{
	char msg[128];

	mbedtls_strerror(rc, msg, sizeof(msg));
	snprintf(errbuf, errsz, "%s: %s: %s", path, what, msg);
}

/*
 * Reads a certificate or key file (file_read, regular files only): *out
 * NUL-terminated, *len its length with the NUL, which mbedTLS counts for
 * PEM. An empty file is OB_ERR_INVAL.
 */
static enum ob_err
read_file(const char *path, int secret, unsigned char **out, size_t *len,
    char *errbuf, size_t errsz)
{
	int flags = FILE_REGULAR | (secret ? FILE_SECRET : 0);
	enum ob_err e;

	if ((e = file_read(path, SIGNER_FILE_MAX, flags, out, len, errbuf,
		 errsz)) != OB_OK)
		return e;
	if (*len == 0) {
		snprintf(errbuf, errsz, "%s: empty file", path);
		file_free(*out, 0, flags);
		*out = NULL;
		return OB_ERR_INVAL;
	}
	*len += 1;
	return OB_OK;
}

/*
 * Whether a responder certificate (path, for the message) is valid at
 * now: OB_OK, or OB_ERR_INVAL with errbuf saying since when it expired
 * or from when it will be valid.
 */
static enum ob_err
responder_in_validity(const char *path, int64_t not_before, int64_t not_after,
    int64_t now, char *errbuf, size_t errsz)
{
	char ts[32];

	if (not_after != INT64_MIN && not_after <= now) {
		util_time_format(not_after, ts, sizeof(ts));
		snprintf(errbuf, errsz,
		    "%s: the responder certificate expired at %s; "
		    "clients would refuse every answer it signs",
		    path, ts);
		return OB_ERR_INVAL;
	}
	if (not_before != INT64_MIN && not_before > now) {
		util_time_format(not_before, ts, sizeof(ts));
		snprintf(errbuf, errsz,
		    "%s: the responder certificate is not valid before %s; "
		    "clients would refuse every answer it signs",
		    path, ts);
		return OB_ERR_INVAL;
	}
	return OB_OK;
}

/* Parses the first certificate of a PEM or DER file into crt. */
static enum ob_err
load_cert(const char *path, mbedtls_x509_crt *crt, char *errbuf, size_t errsz)
{
	unsigned char *buf = NULL;
	size_t len;
	enum ob_err e;
	int rc;

	if ((e = read_file(path, 0, &buf, &len, errbuf, errsz)) != OB_OK)
		return e;
	/* DER has no NUL; PEM parsing wants it counted. */
	if (strstr((char *)buf, "-----BEGIN") == NULL)
		len--;
	rc = mbedtls_x509_crt_parse(crt, buf, len);
	free(buf);
	if (rc < 0) {
		signer_tlserr(rc, "not a certificate", path, errbuf, errsz);
		return OB_ERR_INVAL;
	}
	if (rc > 0 || crt->raw.p == NULL) {
		snprintf(errbuf, errsz, "%s: no parsable certificate", path);
		return OB_ERR_INVAL;
	}
	return OB_OK;
}

/*
 * Whether text, a NUL-terminated key file, is a PEM key encrypted with a
 * password: PKCS#8's EncryptedPrivateKeyInfo, or the Proc-Type header of
 * OpenSSL's older form. Our mbedTLS has none of the ciphers that would
 * let it tell (third_party/mbedtls/ocspbox_config.h).
 */
static int
pem_encrypted(const char *text)
{
	return strstr(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL ||
	    strstr(text, "Proc-Type: 4,ENCRYPTED") != NULL;
}

enum ob_err
signer_load_key(
    const char *path, mbedtls_pk_context *pk, char *errbuf, size_t errsz)
{
	unsigned char *buf = NULL;
	size_t len, size;
	enum ob_err e;
	int rc, encrypted;

	if ((e = read_file(path, 1, &buf, &size, errbuf, errsz)) != OB_OK)
		return e;
	/* DER has no NUL to count; PEM parsing wants it counted. */
	len = strstr((char *)buf, "-----BEGIN") == NULL ? size - 1 : size;
	rc = mbedtls_pk_parse_key(pk, buf, len, NULL, 0);
	encrypted = rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED ||
	    (rc != 0 && pem_encrypted((char *)buf));
	mbedtls_platform_zeroize(buf, size);
	free(buf);
	if (encrypted) {
		snprintf(errbuf, errsz, "%s: encrypted keys are not supported",
		    path);
		return OB_ERR_INVAL;
	}
	if (rc != 0) {
		signer_tlserr(rc, "not a private key", path, errbuf, errsz);
		return OB_ERR_INVAL;
	}
	return OB_OK;
}

const char *
signer_key_algorithm(const mbedtls_pk_context *pk)
{
	const mbedtls_ecp_keypair *ec;

	switch (mbedtls_pk_get_type(pk)) {
	case MBEDTLS_PK_RSA:
		return mbedtls_pk_get_bitlen(pk) >= 2048 ? "rsa" : NULL;
	case MBEDTLS_PK_ECKEY: /* not ECKEY_DH: such a key cannot sign */
	case MBEDTLS_PK_ECDSA:
		ec = mbedtls_pk_ec(*pk);
		if (ec->grp.id == MBEDTLS_ECP_DP_SECP256R1)
			return "ec-p256";
		if (ec->grp.id == MBEDTLS_ECP_DP_SECP384R1)
			return "ec-p384";
		return NULL;
	default:
		return NULL;
	}
}

char *
signer_subject_text(const mbedtls_x509_crt *crt)
{
	char buf[1024];

	if (mbedtls_x509_dn_gets(buf, sizeof(buf), &crt->subject) < 0)
		snprintf(buf, sizeof(buf), "(unprintable subject)");
	return strdup(buf);
}

enum ob_err
signer_spki_bits(
    unsigned char *spki, size_t spki_len, unsigned char **out, size_t *outlen)
{
	unsigned char *p = spki, *end = p + spki_len;
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len,
		MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
		return OB_ERR_INVAL;
	end = p + len;
	if (mbedtls_asn1_get_tag(&p, end, &len,
		MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
		return OB_ERR_INVAL;
	p += len; /* AlgorithmIdentifier */
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_BIT_STRING) != 0 ||
	    len < 1 || *p != 0)
		return OB_ERR_INVAL;
	*out = p + 1;
	*outlen = len - 1;
	return OB_OK;
}

enum ob_err
signer_public_key_bits(
    const mbedtls_x509_crt *crt, unsigned char **out, size_t *outlen)
{
	return signer_spki_bits(crt->pk_raw.p, crt->pk_raw.len, out, outlen);
}

/* The CertID hashes of an issuer (RFC 6960 4.1.1), SHA-1 and SHA-256. */
static enum ob_err
certid_hashes(const mbedtls_x509_crt *ca, struct store_issuer *out)
{
	unsigned char *p;
	size_t len;

	if (signer_public_key_bits(ca, &p, &len) != OB_OK)
		return OB_ERR_INVAL;
	if (mbedtls_sha1_ret(
		ca->subject_raw.p, ca->subject_raw.len, out->name_sha1) != 0 ||
	    mbedtls_sha1_ret(p, len, out->key_sha1) != 0 ||
	    mbedtls_sha256_ret(ca->subject_raw.p, ca->subject_raw.len,
		out->name_sha256, 0) != 0 ||
	    mbedtls_sha256_ret(p, len, out->key_sha256, 0) != 0)
		return OB_ERR_CRYPTO;
	return OB_OK;
}

/* Whether crt was signed by ca; time validity is the caller's business. */
static int
issued_by(mbedtls_x509_crt *crt, mbedtls_x509_crt *ca)
{
	uint32_t flags = 0;
	mbedtls_x509_crt *next = crt->next;
	int rc;

	crt->next = NULL; /* verify this certificate alone */
	rc = mbedtls_x509_crt_verify(crt, ca, NULL, NULL, &flags, NULL, NULL);
	crt->next = next;
	if (rc == 0)
		return 1;
	flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED |
	    MBEDTLS_X509_BADCERT_FUTURE | MBEDTLS_X509_BADCRL_EXPIRED |
	    MBEDTLS_X509_BADCERT_CN_MISMATCH);
	return flags == 0;
}

enum ob_err
signer_check_key_pair(mbedtls_x509_crt *crt, mbedtls_pk_context *key,
    const char *path, char *errbuf, size_t errsz)
{
	if (mbedtls_pk_check_pair(&crt->pk, key) != 0) {
		snprintf(errbuf, errsz,
		    "%s: key does not match the certificate", path);
		return OB_ERR_INVAL;
	}
	return OB_OK;
}

enum ob_err
signer_check_delegated(mbedtls_x509_crt *resp, mbedtls_x509_crt *ca,
    const char *resp_pem, const char *ca_pem, char *errbuf, size_t errsz)
{
	if (!issued_by(resp, ca)) {
		snprintf(errbuf, errsz,
		    "%s: responder certificate was not issued by %s", resp_pem,
		    ca_pem);
		return OB_ERR_INVAL;
	}
	/*
	 * check_extended_key_usage() accepts a certificate with no EKU at
	 * all; RFC 6960 4.2.2.2 requires it to be present.
	 */
	if ((resp->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) == 0 ||
	    mbedtls_x509_crt_check_extended_key_usage(resp,
		MBEDTLS_OID_OCSP_SIGNING,
		MBEDTLS_OID_SIZE(MBEDTLS_OID_OCSP_SIGNING)) != 0) {
		snprintf(errbuf, errsz,
		    "%s: responder certificate lacks id-kp-OCSPSigning in "
		    "extendedKeyUsage",
		    resp_pem);
		return OB_ERR_INVAL;
	}
	return OB_OK;
}

/*
 * Checks the responder certificate and key files against the CA ca
 * (ca_name, for messages) and fills out's resp_* members (malloc'd).
 */
static enum ob_err
check_responder(mbedtls_x509_crt *ca, const char *ca_name, const char *resp_pem,
    const char *resp_key, struct store_issuer *out, char *errbuf, size_t errsz)
{
	mbedtls_x509_crt resp;
	mbedtls_pk_context rkey;
	const char *alg;
	enum ob_err e;
	int is_ca;

	mbedtls_x509_crt_init(&resp);
	mbedtls_pk_init(&rkey);
	if ((e = load_cert(resp_pem, &resp, errbuf, errsz)) != OB_OK ||
	    (e = signer_load_key(resp_key, &rkey, errbuf, errsz)) != OB_OK)
		goto out;
	is_ca = resp.raw.len == ca->raw.len &&
	    memcmp(resp.raw.p, ca->raw.p, ca->raw.len) == 0;
	if (!is_ca &&
	    (e = signer_check_delegated(
		 &resp, ca, resp_pem, ca_name, errbuf, errsz)) != OB_OK)
		goto out;
	if ((e = signer_check_key_pair(
		 &resp, &rkey, resp_key, errbuf, errsz)) != OB_OK)
		goto out;
	if ((alg = signer_key_algorithm(&rkey)) == NULL) {
		snprintf(errbuf, errsz,
		    "%s: unsupported key (want RSA of 2048 bits or more, "
		    "or ECDSA P-256 or P-384)",
		    resp_key);
		e = OB_ERR_UNSUPPORTED;
		goto out;
	}
	out->resp_not_before = util_x509_time(&resp.valid_from);
	out->resp_not_after = util_x509_time(&resp.valid_to);
	/*
	 * Every client refuses an answer signed by a responder outside its
	 * validity (RFC 6960 4.2.2.2): registering one would serve nothing
	 * but failures.
	 */
	if ((e = responder_in_validity(resp_pem, out->resp_not_before,
		 out->resp_not_after, (int64_t)time(NULL), errbuf, errsz)) !=
	    OB_OK)
		goto out;
	snprintf(out->resp_key_alg, sizeof(out->resp_key_alg), "%s", alg);
	out->resp_is_ca = is_ca;
	out->resp_subject = signer_subject_text(&resp);
	out->resp_der = malloc(resp.raw.len);
	out->resp_key_path = realpath(resp_key, NULL);
	if (out->resp_subject == NULL || out->resp_der == NULL ||
	    out->resp_key_path == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		e = OB_ERR_NOMEM;
		goto out;
	}
	memcpy(out->resp_der, resp.raw.p, resp.raw.len);
	out->resp_len = resp.raw.len;
out:
	mbedtls_x509_crt_free(&resp);
	mbedtls_pk_free(&rkey); /* zeroises */
	return e;
}

/*
 * Checks that the key file crl_key is the CA ca's (ca_name, for
 * messages) and that ca may sign CRLs; sets out->crl_key_path (malloc'd).
 */
static enum ob_err
check_ca_key(mbedtls_x509_crt *ca, const char *ca_name, const char *crl_key,
    struct store_issuer *out, char *errbuf, size_t errsz)
{
	mbedtls_pk_context ckey;
	enum ob_err e;

	mbedtls_pk_init(&ckey);
	if ((e = signer_load_key(crl_key, &ckey, errbuf, errsz)) != OB_OK ||
	    (e = signer_check_key_pair(ca, &ckey, crl_key, errbuf, errsz)) !=
		OB_OK)
		goto out;
	/* Relying parties refuse CRLs from a CA without cRLSign. */
	if (mbedtls_x509_crt_check_key_usage(ca, MBEDTLS_X509_KU_CRL_SIGN) !=
	    0) {
		snprintf(errbuf, errsz,
		    "%s: keyUsage lacks cRLSign: this CA may not sign CRLs",
		    ca_name);
		e = OB_ERR_INVAL;
		goto out;
	}
	if (signer_key_algorithm(&ckey) == NULL) {
		snprintf(errbuf, errsz, "%s: unsupported key type", crl_key);
		e = OB_ERR_UNSUPPORTED;
		goto out;
	}
	if ((out->crl_key_path = realpath(crl_key, NULL)) == NULL) {
		snprintf(errbuf, errsz, "%s: %s", crl_key, strerror(errno));
		e = OB_ERR_IO;
	}
out:
	mbedtls_pk_free(&ckey); /* zeroises */
	return e;
}

enum ob_err
signer_check_issuer(const char *ca_pem, const char *resp_pem,
    const char *resp_key, const char *crl_key, struct store_issuer *out,
    char *errbuf, size_t errsz)
{
	mbedtls_x509_crt ca;
	enum ob_err e;
	int automatic = resp_pem == NULL && resp_key == NULL;

	memset(out, 0, sizeof(*out));
	mbedtls_x509_crt_init(&ca);
	if ((automatic && crl_key == NULL) ||
	    (!automatic && (resp_pem == NULL || resp_key == NULL))) {
		snprintf(errbuf, errsz,
		    automatic ? "an automatic responder needs the CA's key"
			      : "a responder needs a certificate and a key");
		return OB_ERR_INVAL;
	}
	if ((e = load_cert(ca_pem, &ca, errbuf, errsz)) != OB_OK)
		goto out;
	if (!ca.ca_istrue) {
		snprintf(errbuf, errsz,
		    "%s: not a CA certificate (basicConstraints cA is not set)",
		    ca_pem);
		e = OB_ERR_INVAL;
		goto out;
	}
	/* Without a responder, ocspbox makes one (signer_issue_responder). */
	if ((!automatic &&
		(e = check_responder(&ca, ca_pem, resp_pem, resp_key, out,
		     errbuf, errsz)) != OB_OK) ||
	    (crl_key != NULL &&
		(e = check_ca_key(&ca, ca_pem, crl_key, out, errbuf, errsz)) !=
		    OB_OK))
		goto out;
	if ((e = certid_hashes(&ca, out)) != OB_OK) {
		snprintf(
		    errbuf, errsz, "%s: cannot hash the public key", ca_pem);
		goto out;
	}
	out->not_after = util_x509_time(&ca.valid_to);
	out->subject = signer_subject_text(&ca);
	out->cert_der = malloc(ca.raw.len);
	if (out->subject == NULL || out->cert_der == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		e = OB_ERR_NOMEM;
		goto out;
	}
	memcpy(out->cert_der, ca.raw.p, ca.raw.len);
	out->cert_len = ca.raw.len;
out:
	if (e != OB_OK)
		store_issuer_clear(out);
	mbedtls_x509_crt_free(&ca);
	return e;
}

enum ob_err
signer_check_update(const struct store_issuer *is, const char *resp_pem,
    const char *resp_key, const char *crl_key, struct store_issuer *out,
    char *errbuf, size_t errsz)
{
	mbedtls_x509_crt ca;
	char name[OB_ID_MAX + 16];
	enum ob_err e = OB_OK;

	memset(out, 0, sizeof(*out));
	snprintf(name, sizeof(name), "issuer %s", is->id);
	mbedtls_x509_crt_init(&ca);
	if (mbedtls_x509_crt_parse_der(&ca, is->cert_der, is->cert_len) != 0) {
		snprintf(errbuf, errsz,
		    "%s: its stored certificate does not "
		    "parse",
		    name);
		e = OB_ERR_INVAL;
		goto out;
	}
	if ((resp_pem != NULL &&
		(e = check_responder(&ca, name, resp_pem, resp_key, out, errbuf,
		     errsz)) != OB_OK) ||
	    (crl_key != NULL &&
		(e = check_ca_key(&ca, name, crl_key, out, errbuf, errsz)) !=
		    OB_OK))
		goto out;
	snprintf(out->id, sizeof(out->id), "%s", is->id);
out:
	if (e != OB_OK)
		store_issuer_clear(out);
	mbedtls_x509_crt_free(&ca);
	return e;
}

/*
 * The facts of leaf (named name in messages), checked to be issued by the
 * CA certificate ca_der: signer_leaf_info's, from a parsed certificate.
 */
static enum ob_err
leaf_facts(mbedtls_x509_crt *leaf, const char *name,
    const unsigned char *ca_der, size_t ca_len, struct signer_leaf *out,
    char *errbuf, size_t errsz)
{
	mbedtls_x509_crt ca;
	enum ob_err e = OB_OK;
	int rc;

	mbedtls_x509_crt_init(&ca);
	if ((rc = mbedtls_x509_crt_parse_der(&ca, ca_der, ca_len)) != 0) {
		signer_tlserr(
		    rc, "stored issuer certificate", name, errbuf, errsz);
		e = OB_ERR_CRYPTO;
		goto out;
	}
	/* A self-signed CA is "issued by" itself, but no relying party
	 * asks its own CA about it (RFC 6960 2.2 answers for the CA's
	 * issued certificates). */
	if (leaf->raw.len == ca.raw.len &&
	    memcmp(leaf->raw.p, ca.raw.p, ca.raw.len) == 0) {
		snprintf(errbuf, errsz,
		    "%s: this is the issuer's own certificate, not one it "
		    "issued",
		    name);
		e = OB_ERR_INVAL;
		goto out;
	}
	if (!issued_by(leaf, &ca)) {
		snprintf(errbuf, errsz,
		    "%s: certificate was not issued by this issuer", name);
		e = OB_ERR_INVAL;
		goto out;
	}
	if ((e = util_serial_from_bytes(
		 leaf->serial.p, leaf->serial.len, out->serial)) != OB_OK) {
		snprintf(errbuf, errsz, "%s: unusable serial number", name);
		goto out;
	}
	/* issuer_raw is the whole Name, tag and length too, as hashed. */
	if (mbedtls_sha1_ret(leaf->issuer_raw.p, leaf->issuer_raw.len,
		out->issuer.name_sha1) != 0 ||
	    mbedtls_sha256_ret(leaf->issuer_raw.p, leaf->issuer_raw.len,
		out->issuer.name_sha256, 0) != 0) {
		snprintf(
		    errbuf, errsz, "%s: cannot hash the issuer name", name);
		e = OB_ERR_CRYPTO;
		goto out;
	}
	out->not_after = util_x509_time(&leaf->valid_to);
	if ((out->subject = signer_subject_text(leaf)) == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		e = OB_ERR_NOMEM;
	}
out:
	if (e != OB_OK)
		out->serial[0] = '\0';
	mbedtls_x509_crt_free(&ca);
	return e;
}

enum ob_err
signer_leaf_info(const char *pem, const unsigned char *ca_der, size_t ca_len,
    struct signer_leaf *out, char *errbuf, size_t errsz)
{
	mbedtls_x509_crt leaf;
	enum ob_err e;

	memset(out, 0, sizeof(*out));
	mbedtls_x509_crt_init(&leaf);
	if ((e = load_cert(pem, &leaf, errbuf, errsz)) == OB_OK)
		e = leaf_facts(&leaf, pem, ca_der, ca_len, out, errbuf, errsz);
	else
		out->serial[0] = '\0';
	mbedtls_x509_crt_free(&leaf);
	return e;
}

enum ob_err
signer_leaf_info_pem(const char *text, const char *name,
    const unsigned char *ca_der, size_t ca_len, struct signer_leaf *out,
    char *errbuf, size_t errsz)
{
	mbedtls_x509_crt leaf;
	enum ob_err e = OB_ERR_INVAL;
	int rc;

	memset(out, 0, sizeof(*out));
	mbedtls_x509_crt_init(&leaf);
	if (strstr(text, "-----BEGIN CERTIFICATE-----") == NULL)
		snprintf(errbuf, errsz, "%s: not a PEM certificate", name);
	else if ((rc = mbedtls_x509_crt_parse(&leaf,
		      (const unsigned char *)text, strlen(text) + 1)) < 0)
		signer_tlserr(rc, "not a certificate", name, errbuf, errsz);
	else if (rc > 0 || leaf.raw.p == NULL || leaf.next != NULL)
		snprintf(errbuf, errsz,
		    "%s: want exactly one parsable certificate", name);
	else
		e = leaf_facts(&leaf, name, ca_der, ca_len, out, errbuf, errsz);
	mbedtls_x509_crt_free(&leaf);
	return e;
}
