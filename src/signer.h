/*
 * Keys and signing (signer.c): the only owner of mbedTLS key contexts
 * (mbedtls/pk.h), the checks of what `issuer add` registers, and CRL
 * signature verification.
 */
#ifndef OCSPBOX_SIGNER_H
#define OCSPBOX_SIGNER_H

#include "store.h"

/* ---- signer.c: keys, certificates, CertID hashes (the mbedTLS owner) ---- */

/*
 * Loads and checks what `issuer add` registers: the CA certificate, the
 * responder certificate and key, and optionally the CA's CRL key. Refuses
 * (OB_ERR_INVAL, OB_ERR_PERM, OB_ERR_CRYPTO...) a CA that is not a CA, a
 * responder not issued by the CA or lacking id-kp-OCSPSigning (unless it is
 * the CA), a key that does not match its certificate, an unsupported key
 * type, and a key file readable by group or others. On success fills *out
 * (except id; members malloc'd, free with store_issuer_clear). errbuf gets
 * one line on failure.
 */
enum ob_err signer_check_issuer(const char *ca_pem, const char *resp_pem,
    const char *resp_key, const char *crl_key, struct store_issuer *out,
    char *errbuf, size_t errsz);

/* What `cert add --cert` reads from a leaf certificate. */
struct signer_leaf {
	char serial[OB_SERIAL_HEX_MAX + 1]; /* canonical, signed */
	int64_t not_after; /* seconds since the epoch */
	char *subject; /* malloc'd; the caller frees it */
	/*
	 * The CertID name hashes (RFC 6960 4.1.1) of its issuer field: of
	 * that Name's DER as this certificate holds it, which may encode
	 * the CA's name otherwise than the CA's own subject.
	 */
	struct store_name_alias issuer;
};

/*
 * Reads the leaf certificate at pem (PEM or DER) and checks that the CA
 * certificate ca_der (ca_len bytes) signed it (its validity aside), into
 * *out. OB_OK; or OB_ERR_NOTFOUND, OB_ERR_INVAL (not a certificate, not
 * issued by the CA), OB_ERR_RANGE (a serial of more than
 * OB_SERIAL_MAX_OCTETS octets), OB_ERR_CRYPTO or OB_ERR_NOMEM, with
 * errbuf naming the file and why and out->subject NULL. Any thread.
 */
enum ob_err signer_leaf_info(const char *pem, const unsigned char *ca_der,
    size_t ca_len, struct signer_leaf *out, char *errbuf, size_t errsz);

/*
 * A responder's signing key, loaded into a pool of contexts so that several
 * threads sign at once (mbedTLS key contexts are not safe to share). Any
 * thread may call signer_sign; it blocks only when every context is busy.
 */
struct signer;

/* Longest signature and AlgorithmIdentifier we produce. */
#define SIGNER_SIG_MAX 1024
#define SIGNER_ALG_MAX 32

/*
 * Loads the responder key of is (its file must be 0600 or stricter and
 * match is->resp_der) into ncontexts contexts, each with its own DRBG.
 * On failure *out is NULL and errbuf names the file and the reason.
 * Free with signer_free, which wipes the keys.
 */
enum ob_err signer_open(const struct store_issuer *is, int ncontexts,
    struct signer **out, char *errbuf, size_t errsz);
void signer_free(struct signer *);

/*
 * Signs data (len bytes) with SHA-256 (SHA-384 for P-384 keys). Writes
 * the signature (the BIT STRING value) into sig (SIGNER_SIG_MAX bytes).
 * Returns OB_OK or OB_ERR_CRYPTO.
 */
enum ob_err signer_sign(struct signer *, const unsigned char *data, size_t len,
    unsigned char *sig, size_t *siglen);

/*
 * Whether every context is busy, so that one more signature would wait.
 * A hint for choosing the cached answer over a live one; any thread.
 */
int signer_saturated(const struct signer *);

/* The signatureAlgorithm AlgorithmIdentifier DER; borrowed. */
const unsigned char *signer_alg(const struct signer *, size_t *len);

/* SHA-1 of the responder's public key BIT STRING: ResponderID byKey. */
const unsigned char *signer_key_hash(const struct signer *);

/*
 * A signer with the CRL key of an issuer (issuer add --crl-key), checked
 * against the issuer certificate: one context, for the thread that builds
 * CRLs. OB_ERR_NOTFOUND when the issuer has no CRL key; otherwise as
 * signer_open, with errbuf naming the key file and why.
 */
enum ob_err signer_open_crl(const struct store_issuer *, struct signer **out,
    char *errbuf, size_t errsz);

/*
 * Of a CRL signer: the issuer's Name DER, and the keyIdentifier for the
 * authorityKeyIdentifier (the issuer's subjectKeyIdentifier, else the
 * SHA-1 of its public key); borrowed. NULL and 0 for OCSP signers.
 */
const unsigned char *signer_name(const struct signer *, size_t *len);
const unsigned char *signer_key_id(const struct signer *, size_t *len);

/*
 * Whether the DER CRL was issued and signed by the issuer certificate
 * ca_der: the issuer Name matches its subject and the signature verifies
 * with its key (SHA-1 and MD5 signatures refused). OB_OK, or OB_ERR_INVAL
 * with errbuf saying why.
 */
enum ob_err signer_crl_verify(const unsigned char *ca_der, size_t ca_len,
    const unsigned char *crl_der, size_t crl_len, char *errbuf, size_t errsz);

/* mbedTLS's version string. */
const char *signer_mbedtls_version(void);

#endif /* OCSPBOX_SIGNER_H */
