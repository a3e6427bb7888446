/*
 * The signer's private header, included by src/signer*.c only: the
 * certificate and key readers, checks and signing helpers its files
 * share. Nothing outside the signer sees mbedTLS's key contexts.
 */
#ifndef OCSPBOX_SIGNER_INT_H
#define OCSPBOX_SIGNER_INT_H

#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "signer.h"

/* ---- signer_check.c: reading and checking certificates and keys ----------
 * Any thread: each call works on its own contexts.
 */

/*
 * Writes "path: what: mbedTLS's message for rc" to errbuf (errsz bytes),
 * path being whatever names the object (a file, an issuer id).
 */
void signer_tlserr(
    int rc, const char *what, const char *path, char *errbuf, size_t errsz);

/*
 * Parses the private key file at path (0600 or stricter; PEM or DER)
 * into pk, which the caller initialised and frees (mbedtls_pk_free,
 * which zeroises); the file's bytes are wiped. OB_ERR_INVAL for a file
 * that is not a key or is encrypted, or file_read's error, with errbuf
 * naming the file.
 */
enum ob_err signer_load_key(
    const char *path, mbedtls_pk_context *pk, char *errbuf, size_t errsz);

/*
 * "rsa" (2048 bits or more), "ec-p256" or "ec-p384": the algorithm of a
 * key we sign with, a static string; NULL for anything else.
 */
const char *signer_key_algorithm(const mbedtls_pk_context *pk);

/* The subject of crt as text, malloc'd (the caller frees); NULL on OOM. */
char *signer_subject_text(const mbedtls_x509_crt *crt);

/*
 * Finds the value of the subjectPublicKey BIT STRING (without its
 * unused-bits octet) in a SubjectPublicKeyInfo: what RFC 6960 hashes for
 * CertIDs and for ResponderID byKey, and RFC 5280 4.2.1.2 for key
 * identifiers. *out borrows spki. OB_OK, or OB_ERR_INVAL when spki does
 * not parse.
 */
enum ob_err signer_spki_bits(
    unsigned char *spki, size_t spki_len, unsigned char **out, size_t *outlen);

/* The same of a certificate's SubjectPublicKeyInfo; *out borrows crt. */
enum ob_err signer_public_key_bits(
    const mbedtls_x509_crt *crt, unsigned char **out, size_t *outlen);

/*
 * Whether key is the private key of crt's public key: OB_OK, or
 * OB_ERR_INVAL with errbuf naming path (the key file) and saying so.
 */
enum ob_err signer_check_key_pair(mbedtls_x509_crt *crt,
    mbedtls_pk_context *key, const char *path, char *errbuf, size_t errsz);

/*
 * The checks of a delegated responder certificate resp, to be registered
 * for the CA ca: issued by it, with id-kp-OCSPSigning. OB_OK, or
 * OB_ERR_INVAL with errbuf naming the files (resp_pem, ca_pem).
 */
enum ob_err signer_check_delegated(mbedtls_x509_crt *resp, mbedtls_x509_crt *ca,
    const char *resp_pem, const char *ca_pem, char *errbuf, size_t errsz);

/* ---- signer.c: signing --------------------------------------------------- */

/*
 * The signature algorithm of a key of algorithm alg
 * (signer_key_algorithm's name): its AlgorithmIdentifier DER (borrowed,
 * static) and digest. Any thread.
 */
void signer_sig_alg(const char *alg, const unsigned char **der, size_t *len,
    mbedtls_md_type_t *md);

/*
 * The subjectKeyIdentifier of crt into out (cap bytes): what a CRL's
 * authorityKeyIdentifier must carry (RFC 5280 4.2.1.1). 0 when crt has
 * none, (size_t)-1 when it is malformed or does not fit. Any thread.
 */
size_t signer_subject_key_id(
    const mbedtls_x509_crt *crt, unsigned char *out, size_t cap);

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
int signer_key_sign(mbedtls_pk_context *key, mbedtls_md_type_t md,
    const unsigned char *hash, size_t hash_len, unsigned char *sig,
    size_t *sig_len, mbedtls_ctr_drbg_context *drbg);

#endif /* OCSPBOX_SIGNER_INT_H */
