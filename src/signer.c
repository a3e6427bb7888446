/*
 * Keys and certificates: loading and checking them, the CertID hashes of
 * an issuer, and (later) signing. The only module that owns mbedTLS key
 * contexts; key material is wiped before memory is released.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "signer.h"

/* Key and certificate files larger than this are not what we think. */
#define SIGNER_FILE_MAX (1024 * 1024)

const char *
signer_mbedtls_version(void)
{
	return MBEDTLS_VERSION_STRING;
}

static void
tlserr(int rc, const char *what, const char *path, char *errbuf, size_t errsz)
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
		tlserr(rc, "not a certificate", path, errbuf, errsz);
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

/* Parses a private key file (0600 or stricter) into pk. */
static enum ob_err
load_key(const char *path, mbedtls_pk_context *pk, char *errbuf, size_t errsz)
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
		tlserr(rc, "not a private key", path, errbuf, errsz);
		return OB_ERR_INVAL;
	}
	return OB_OK;
}

/* "rsa", "ec-p256" or "ec-p384"; NULL for anything else. */
static const char *
key_algorithm(const mbedtls_pk_context *pk)
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

/* The subject as text, malloc'd. */
static char *
subject_text(const mbedtls_x509_crt *crt)
{
	char buf[1024];

	if (mbedtls_x509_dn_gets(buf, sizeof(buf), &crt->subject) < 0)
		snprintf(buf, sizeof(buf), "(unprintable subject)");
	return strdup(buf);
}

/*
 * Finds the value of the subjectPublicKey BIT STRING (without its
 * unused-bits octet) in a SubjectPublicKeyInfo: what RFC 6960 hashes for
 * CertIDs and for ResponderID byKey, and RFC 5280 4.2.1.2 for key
 * identifiers. *out borrows spki.
 */
static enum ob_err
spki_bits(
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

/* The same of a certificate's SubjectPublicKeyInfo. */
static enum ob_err
public_key_bits(
    const mbedtls_x509_crt *crt, unsigned char **out, size_t *outlen)
{
	return spki_bits(crt->pk_raw.p, crt->pk_raw.len, out, outlen);
}

/* The CertID hashes of an issuer (RFC 6960 4.1.1), SHA-1 and SHA-256. */
static enum ob_err
certid_hashes(const mbedtls_x509_crt *ca, struct store_issuer *out)
{
	unsigned char *p;
	size_t len;

	if (public_key_bits(ca, &p, &len) != OB_OK)
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

static enum ob_err
check_key_pair(mbedtls_x509_crt *crt, mbedtls_pk_context *key, const char *path,
    char *errbuf, size_t errsz)
{
	if (mbedtls_pk_check_pair(&crt->pk, key) != 0) {
		snprintf(errbuf, errsz,
		    "%s: key does not match the certificate", path);
		return OB_ERR_INVAL;
	}
	return OB_OK;
}

/*
 * The checks of a delegated responder certificate resp, to be registered
 * for the CA ca: issued by it, with id-kp-OCSPSigning. errbuf names the
 * files.
 */
static enum ob_err
check_delegated(mbedtls_x509_crt *resp, mbedtls_x509_crt *ca,
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
	    (e = load_key(resp_key, &rkey, errbuf, errsz)) != OB_OK)
		goto out;
	is_ca = resp.raw.len == ca->raw.len &&
	    memcmp(resp.raw.p, ca->raw.p, ca->raw.len) == 0;
	if (!is_ca &&
	    (e = check_delegated(
		 &resp, ca, resp_pem, ca_name, errbuf, errsz)) != OB_OK)
		goto out;
	if ((e = check_key_pair(&resp, &rkey, resp_key, errbuf, errsz)) !=
	    OB_OK)
		goto out;
	if ((alg = key_algorithm(&rkey)) == NULL) {
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
	out->resp_subject = subject_text(&resp);
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
	if ((e = load_key(crl_key, &ckey, errbuf, errsz)) != OB_OK ||
	    (e = check_key_pair(ca, &ckey, crl_key, errbuf, errsz)) != OB_OK)
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
	if (key_algorithm(&ckey) == NULL) {
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
	out->subject = subject_text(&ca);
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
		tlserr(rc, "stored issuer certificate", name, errbuf, errsz);
		e = OB_ERR_CRYPTO;
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
	if ((out->subject = subject_text(leaf)) == NULL) {
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
		tlserr(rc, "not a certificate", name, errbuf, errsz);
	else if (rc > 0 || leaf.raw.p == NULL || leaf.next != NULL)
		snprintf(errbuf, errsz,
		    "%s: want exactly one parsable certificate", name);
	else
		e = leaf_facts(&leaf, name, ca_der, ca_len, out, errbuf, errsz);
	mbedtls_x509_crt_free(&leaf);
	return e;
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

/*
 * The signature algorithm of a key of algorithm alg (key_algorithm's
 * name): its AlgorithmIdentifier DER (borrowed) and digest.
 */
static void
sig_alg(const char *alg, const unsigned char **der, size_t *len,
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

/*
 * The subjectKeyIdentifier of crt into out (cap bytes): what a CRL's
 * authorityKeyIdentifier must carry (RFC 5280 4.2.1.1). 0 when crt has
 * none, (size_t)-1 when it is malformed or does not fit.
 */
static size_t
subject_key_id(const mbedtls_x509_crt *crt, unsigned char *out, size_t cap)
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
		tlserr(rc, "stored certificate", id, errbuf, errsz);
		e = OB_ERR_CRYPTO;
		goto out;
	}
	for (i = 0; i < ncontexts; i++) {
		if ((e = load_key(key_path, &sg->ctx[i].key, errbuf, errsz)) !=
			OB_OK ||
		    (e = check_key_pair(&crt, &sg->ctx[i].key, key_path, errbuf,
			 errsz)) != OB_OK)
			goto out;
		if ((rc = mbedtls_ctr_drbg_seed(&sg->ctx[i].drbg,
			 mbedtls_entropy_func, &sg->entropy,
			 (const unsigned char *)pers, sizeof(pers) - 1)) != 0) {
			tlserr(rc, "seeding the DRBG", id, errbuf, errsz);
			e = OB_ERR_CRYPTO;
			goto out;
		}
	}
	alg = key_algorithm(&sg->ctx[0].key);
	if (alg == NULL ||
	    mbedtls_pk_get_len(&sg->ctx[0].key) > SIGNER_SIG_MAX) {
		snprintf(errbuf, errsz, "%s: unsupported key", key_path);
		e = OB_ERR_UNSUPPORTED;
		goto out;
	}
	sig_alg(alg, &algder, &sg->alg_len, &sg->md);
	memcpy(sg->alg, algder, sg->alg_len);
	if (public_key_bits(&crt, &bits, &bitslen) != OB_OK ||
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
		    subject_key_id(&crt, sg->key_id, sizeof(sg->key_id));
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

/*
 * mbedtls_pk_sign, but an EC key signs with its own group: mbedTLS's
 * pk layer copies an id-ecPublicKey key (how openssl writes P-256 keys)
 * into a fresh ECDSA context for every signature, whose group then
 * computes its table of multiples of the base point again each time
 * (about half the work of a P-256 signature). Signed in place, the
 * group keeps that table from the first signature on. sig holds at
 * least SIGNER_SIG_MAX bytes. mbedTLS's return code. The caller holds
 * the key alone (it writes the table into the key's group).
 */
static int
key_sign(mbedtls_pk_context *key, mbedtls_md_type_t md,
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
	rc = key_sign(&c->key, sg->md, hash, mbedtls_md_get_size(md), sig,
	    siglen, &c->drbg);
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
		tlserr(rc, "parse", "CRL or issuer certificate", errbuf, errsz);
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
	    key_sign(cakey, mdtype, hash, mbedtls_md_get_size(md), sig,
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
		tlserr(rc, "stored certificate", is->id, errbuf, errsz);
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
	    (e = load_key(is->crl_key_path, &cakey, errbuf, errsz)) != OB_OK ||
	    (e = check_key_pair(
		 &ca, &cakey, is->crl_key_path, errbuf, errsz)) != OB_OK)
		goto out;
	if ((alg = key_algorithm(&cakey)) == NULL ||
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
		tlserr(
		    rc, "generating the responder key", is->id, errbuf, errsz);
		goto out;
	}
	/* A positive serial of exactly 16 octets (RFC 5280 4.1.2.2). */
	do {
		if ((rc = mbedtls_ctr_drbg_random(
			 &drbg, serial, sizeof(serial))) != 0) {
			tlserr(rc, "drawing a serial", is->id, errbuf, errsz);
			goto out;
		}
		serial[0] &= 0x7f;
	} while (serial[0] == 0);
	util_hex(serial, sizeof(serial), serial_hex);

	/* Its key, and both key identifiers (RFC 5280 4.2.1.1, 4.2.1.2). */
	if ((rc = mbedtls_pk_write_pubkey_der(&key, spki, sizeof(spki))) <= 0) {
		tlserr(rc, "writing the public key", is->id, errbuf, errsz);
		goto out;
	}
	spki_len = (size_t)rc;
	if (spki_bits(spki + sizeof(spki) - spki_len, spki_len, &bits,
		&bits_len) != OB_OK ||
	    mbedtls_sha1_ret(bits, bits_len, ski) != 0 ||
	    public_key_bits(&ca, &bits, &bits_len) != OB_OK) {
		snprintf(errbuf, errsz, "issuer %s: cannot hash a public key",
		    is->id);
		goto out;
	}
	aki_len = subject_key_id(&ca, aki, sizeof(aki));
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

	sig_alg(alg, &in.alg, &in.alg_len, &md);
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
	    check_delegated(&crt, &ca, "responder", "CA", errbuf, errsz) !=
		OB_OK ||
	    mbedtls_pk_check_pair(&crt.pk, &key) != 0) {
		snprintf(errbuf, errsz,
		    "issuer %s: the responder certificate made does not "
		    "verify",
		    is->id);
		goto out;
	}

	/* The key, PEM (SEC1 or PKCS#1, which load_key reads), 0600. */
	if ((pem = malloc(SIGNER_KEY_PEM_MAX)) == NULL ||
	    (name = malloc(strlen(is->id) + sizeof(serial_hex) + 32)) == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		e = OB_ERR_NOMEM;
		goto out;
	}
	if ((rc = mbedtls_pk_write_key_pem(&key, pem, SIGNER_KEY_PEM_MAX)) !=
	    0) {
		tlserr(rc, "writing the responder key", is->id, errbuf, errsz);
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
	if ((out->resp_subject = subject_text(&crt)) == NULL) {
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
