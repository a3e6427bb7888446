/*
 * Keys and signing (signer.c, signer_check.c, signer_issue.c, which
 * share signer_int.h): the only owner of mbedTLS key contexts
 * (mbedtls/pk.h), the checks of what `issuer add` registers, and CRL
 * signature verification.
 */
#ifndef OCSPBOX_SIGNER_H
#define OCSPBOX_SIGNER_H

#include "store.h"

/* ---- signer_check.c: certificates and keys checked, CertID hashes -------- */

/*
 * Loads and checks what `issuer add` registers: the CA certificate, the
 * responder certificate and key, and optionally the CA's key (crl_key:
 * --ca-key, which signs CRLs). With resp_pem and resp_key both NULL (an
 * automatic responder, which signer_issue_responder then makes) crl_key
 * is required, and *out gets the CA's fields only. Refuses
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
 * What `issuer update` checks: the new responder certificate and key
 * (resp_pem and resp_key, or both NULL) and the new CA key (crl_key, or
 * NULL) against the CA certificate is holds, as signer_check_issuer does
 * (a responder outside its validity is refused). On success fills out's
 * id and what was given (resp_* members, crl_key_path; malloc'd, free
 * with store_issuer_clear); errbuf gets one line on failure.
 */
enum ob_err signer_check_update(const struct store_issuer *is,
    const char *resp_pem, const char *resp_key, const char *crl_key,
    struct store_issuer *out, char *errbuf, size_t errsz);

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
 * The same for text, one PEM certificate (NUL-terminated; the API's
 * "pem"), named name in messages: OB_ERR_INVAL also for text that is not
 * exactly one PEM certificate. Any thread.
 */
enum ob_err signer_leaf_info_pem(const char *text, const char *name,
    const unsigned char *ca_der, size_t ca_len, struct signer_leaf *out,
    char *errbuf, size_t errsz);

/* ---- signer.c: the signing contexts, CRL signatures checked -------------- */

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

/* ---- signer_issue.c: automatic responders and their key files ------------ */

/*
 * ocspbox's own delegated responders (issuer add --auto-responder): a
 * fresh key of the CA key's family (RSA 2048, ECDSA P-256 or P-384), a
 * certificate of SIGNER_RESPONDER_SERIAL_OCTETS random octets of serial,
 * valid from SIGNER_RESPONDER_BACKDATE seconds before it is made. Lives,
 * in seconds: the default and the least `issuer add` takes.
 */
#define SIGNER_RESPONDER_LIFE_DEFAULT (30 * 86400)
#define SIGNER_RESPONDER_LIFE_MIN 86400
#define SIGNER_RESPONDER_BACKDATE 3600
#define SIGNER_RESPONDER_SERIAL_OCTETS 16
#define SIGNER_RESPONDER_RSA_BITS 2048
#define SIGNER_KEY_PEM_MAX 8192 /* room for the PEM of any key we make */

/*
 * Issues a delegated OCSP responder certificate for the issuer is (RFC
 * 6960 4.2.2.2), signed with the CA's key, and writes its new private key
 * to a file. Any thread; it blocks for the key generation (RSA 2048: up
 * to a second or two) and the fsyncs.
 *
 * Reads of is: id, cert_der/cert_len (the CA certificate) and
 * crl_key_path (the CA's key, given as --ca-key; mode 0600 or stricter,
 * and it must match the CA certificate).
 * now: seconds since the epoch. life_s: the certificate's life in
 * seconds (> 0; the CLI takes SIGNER_RESPONDER_LIFE_MIN or more).
 * keydir: the directory of the key file, created (mode 0700) when
 * missing; `issuer add` passes "<database path>.keys".
 *
 * The certificate: v3, a random positive serial of 16 octets, the CA
 * key's signature algorithm (sha256WithRSAEncryption, ecdsa-with-SHA256
 * for P-256, ecdsa-with-SHA384 for P-384), issuer the CA's subject Name
 * copied byte for byte, subject "CN=<the CA's CN> OCSP Responder" (or
 * "<id> OCSP Responder"), notBefore now - SIGNER_RESPONDER_BACKDATE (not
 * before the CA's notBefore), notAfter now + life_s but never past the
 * CA's notAfter (clamped to it), and basicConstraints (critical, cA
 * FALSE), keyUsage (critical, digitalSignature), extKeyUsage
 * id-kp-OCSPSigning, id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1),
 * authorityKeyIdentifier (the CA's subjectKeyIdentifier, else the SHA-1
 * of its public key BIT STRING) and subjectKeyIdentifier (the SHA-1 of
 * its own). It is read back and checked (issued by the CA, with the
 * EKU, matching the key) before anything is written.
 *
 * The key file: keydir/"<id>-responder-<serial hex>.key", PEM (SEC1 for
 * EC, PKCS#1 for RSA), mode 0600 from its creation, fsync'd and renamed
 * into place (file_write_secret). Keys are wiped from memory.
 *
 * On success *out (cleared first) holds the responder only: id,
 * resp_der/resp_len, resp_subject, resp_key_path (absolute),
 * resp_key_alg, resp_not_before, resp_not_after, resp_is_ca 0,
 * resp_generated 1 and auto_life_s = life_s; the caller frees it with
 * store_issuer_clear, and stores it with store_issuer_add (its CA fields
 * copied in) or store_responder_replace. A caller that then fails to
 * store it unlinks out->resp_key_path. On failure *out is empty, no key
 * file is left, and errbuf says why in one line: OB_ERR_INVAL (no CA key,
 * a CA that may not sign certificates, a CA expired or not valid yet),
 * OB_ERR_PERM / OB_ERR_NOTFOUND (the CA key file), OB_ERR_UNSUPPORTED (a
 * CA key we do not sign with), OB_ERR_CRYPTO, OB_ERR_IO (the key
 * directory or file), OB_ERR_NOMEM.
 */
enum ob_err signer_issue_responder(const struct store_issuer *is, int64_t now,
    int64_t life_s, const char *keydir, struct store_issuer *out, char *errbuf,
    size_t errsz);

/*
 * Removes the key files at paths (n of them) that ocspbox made in keydir
 * for automatic responders and nothing uses any more (from
 * store_issuer_remove or store_responder_keys_unused), each with
 * file_remove_secret: a file outside keydir, or not a regular file, is
 * left alone. A failure is logged (log_warnx) naming the file, and the
 * rest go on. Returns how many were removed (one gone already is not
 * counted). Any thread.
 */
size_t signer_remove_keys(const char *keydir, char *const *paths, size_t n);

/*
 * Removes from keydir the key files of st's superseded automatic
 * responders (store_responder_keys_unused), as signer_remove_keys does.
 * Returns how many; a store error is logged and removes nothing. The
 * thread that owns st.
 */
size_t signer_prune_keys(struct store *st, const char *keydir);

/* ---- signer.c ------------------------------------------------------------ */

/* mbedTLS's version string. */
const char *signer_mbedtls_version(void);

#endif /* OCSPBOX_SIGNER_H */
