/*
 * mbedTLS 2.28 as ocspbox uses it: our configuration, in place of
 * mbedTLS's include/mbedtls/config.h (the Makefile passes
 * -DMBEDTLS_CONFIG_FILE="ocspbox_config.h" to every file that includes an
 * mbedTLS header, ours and mbedTLS's own). Crypto and X.509 only: no TLS,
 * no cipher but the AES of the random generator, no file or network
 * functions (ocspbox reads its files itself). Each option says what in
 * ocspbox needs it; `make bench` (bench/own.sh) measures each speed
 * option. Nothing here depends on the target: the next one may be ARM.
 */
#ifndef OCSPBOX_MBEDTLS_CONFIG_H
#define OCSPBOX_MBEDTLS_CONFIG_H

/* The platform. */
/* Assembly for bignum multiplication, where mbedTLS has it for the
 * target (x86-64, arm, aarch64, ...); plain C elsewhere. A speed option. */
#define MBEDTLS_HAVE_ASM
/* Certificate validity and the time of a CRL check. */
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE

/* Threads: every signing context (signer.c) has its own key and random
 * generator, but the contexts of one signer share one entropy source,
 * which a reseed in one thread would otherwise read while another
 * writes. Debian's build has it too. */
#define MBEDTLS_THREADING_C
#define MBEDTLS_THREADING_PTHREAD

/* Numbers, hashes, randomness. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_GENPRIME /* RSA keys of automatic responders */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C   /* CertIDs, key identifiers, old certificates */
#define MBEDTLS_SHA256_C /* signatures, CertIDs, the admin token */
#define MBEDTLS_SHA512_C /* SHA-384 for P-384; the entropy pool */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C  /* each signing context's generator */
#define MBEDTLS_AES_C       /* which is AES-CTR */
#define MBEDTLS_HMAC_DRBG_C /* deterministic ECDSA's nonces */
/* AES's tables as constants: generating them on first use is a write two
 * threads could race on. */
#define MBEDTLS_AES_ROM_TABLES

/* Keys and signatures: RSA (PKCS#1 v1.5 to sign; PSS too to check
 * certificates and CRLs a CA signed so) and ECDSA on the NIST curves
 * (P-256 and P-384 sign; a CA may have a P-521 key). */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_SECP521R1_ENABLED
/* Fast reduction modulo the NIST primes. A speed option. */
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C /* automatic responders' keys and SKIs */

/* Encodings. */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PEM_WRITE_C /* automatic responders' key files */

/* X.509: certificates and CRLs read and checked; ocspbox writes its own
 * (respcert.c, crlgen.c), so no X.509 writing. */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CRL_PARSE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT

/* mbedtls_strerror in our messages. */
#define MBEDTLS_ERROR_C

/*
 * Speed, as make bench (bench/own.sh) measured it on x86-64: the
 * assembly above signs RSA-2048 some 1.28 times as fast, the NIST
 * reductions P-256 3 times and P-384 4 times. RSA's exponentiation keeps
 * mbedTLS's 2-bit windows: with 3 it is no faster, with 6 (the most) 1.8
 * times slower, since every step reads the whole table in constant
 * time. The EC signatures keep the table of multiples of the curve's
 * base point between signatures (FIXED_POINT_OPTIM; signer.c signs EC
 * keys in place so that it is kept: without it P-256 signs 2.2 times
 * slower), and that table pays for the widest window: 6 bits sign
 * P-256 1.16 and P-384 1.26 times as fast as mbedTLS's default of 4
 * (a table of 32 points per signing context instead of 8; other
 * points, as in checking a CRL's signature, take windows of 4 or 5).
 * SHA-256 keeps its faster, larger code (no MBEDTLS_SHA256_SMALLER).
 */
#define MBEDTLS_MPI_WINDOW_SIZE 2
#define MBEDTLS_ECP_WINDOW_SIZE 6
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 1

/* make bench only: a header that changes one of the options above. */
#ifdef OCSPBOX_MBEDTLS_BENCH
#include OCSPBOX_MBEDTLS_BENCH
#endif

#include "mbedtls/check_config.h"

#endif /* OCSPBOX_MBEDTLS_CONFIG_H */
