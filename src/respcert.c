/*
 * The delegated OCSP responder certificates ocspbox issues itself (issuer
 * add --auto-responder): their TBSCertificate (RFC 5280 4.1, RFC 6960
 * 4.2.2.2), built by hand like crl.c's TBSCertList so that the issuer
 * Name is the CA's subject byte for byte, and when one is due for
 * renewal. Pure: no I/O, no allocation; keys and signing are the signer's.
 */
#include <string.h>

#include <mbedtls/asn1.h>

#include "codec.h"

/* id-ce-basicConstraints, keyUsage, extKeyUsage, subjectKeyIdentifier,
 * authorityKeyIdentifier; id-pkix-ocsp-nocheck; id-kp-OCSPSigning;
 * id-at-commonName */
static const char oid_bc[] = "\x55\x1d\x13";
static const char oid_ku[] = "\x55\x1d\x0f";
static const char oid_eku[] = "\x55\x1d\x25";
static const char oid_ski[] = "\x55\x1d\x0e";
static const char oid_aki[] = "\x55\x1d\x23";
static const char oid_nocheck[] = "\x2b\x06\x01\x05\x05\x07\x30\x01\x05";
static const char oid_ocsp_signing[] = "\x2b\x06\x01\x05\x05\x07\x03\x09";
static const char oid_cn[] = "\x55\x04\x03";

#define OID(o) (o), (sizeof(o) - 1)

size_t
respcert_tbs_max(const struct respcert_in *in)
{
	return 512 + in->alg_len + in->serial_len + in->issuer_len +
	    in->cn_len + in->spki_len + in->key_id_len + in->ca_key_id_len;
}

/*
 * Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE,
 * extnValue OCTET STRING { the last len bytes written } }
 */
static size_t
extension(
    struct der_w *w, const char *oid, size_t oid_len, int critical, size_t len)
{
	static const unsigned char true_[] = {MBEDTLS_ASN1_BOOLEAN, 1, 0xff};

	len = der_wrap(w, len, MBEDTLS_ASN1_OCTET_STRING);
	if (critical)
		len += der_raw(w, true_, sizeof(true_));
	len += der_oid(w, oid, oid_len);
	return der_wrap(w, len, DER_SEQ);
}

/* The extensions, [3] EXPLICIT, in the order openssl and Go write them. */
static size_t
extensions(struct der_w *w, const struct respcert_in *in)
{
	/* keyUsage digitalSignature: bit 0, seven unused bits */
	static const unsigned char ku[] = {MBEDTLS_ASN1_BIT_STRING, 2, 7, 0x80};
	static const unsigned char null_[] = {MBEDTLS_ASN1_NULL, 0};
	size_t len = 0, n;

	/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT } */
	n = der_wrap(w, der_raw(w, in->ca_key_id, in->ca_key_id_len),
	    MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0);
	len += extension(w, OID(oid_aki), 0, der_wrap(w, n, DER_SEQ));
	/* SubjectKeyIdentifier ::= OCTET STRING */
	n = der_wrap(w, der_raw(w, in->key_id, in->key_id_len),
	    MBEDTLS_ASN1_OCTET_STRING);
	len += extension(w, OID(oid_ski), 0, n);
	/*
	 * id-pkix-ocsp-nocheck, NULL (RFC 6960 4.2.2.2.1): clients do not
	 * ask anyone whether this certificate is revoked; hence its short
	 * life.
	 */
	len +=
	    extension(w, OID(oid_nocheck), 0, der_raw(w, null_, sizeof(null_)));
	/* ExtKeyUsageSyntax ::= SEQUENCE { id-kp-OCSPSigning } */
	n = der_wrap(w, der_oid(w, OID(oid_ocsp_signing)), DER_SEQ);
	len += extension(w, OID(oid_eku), 0, n);
	len += extension(w, OID(oid_ku), 1, der_raw(w, ku, sizeof(ku)));
	/* BasicConstraints: cA FALSE is the DEFAULT, so DER omits it. */
	len += extension(w, OID(oid_bc), 1, der_wrap(w, 0, DER_SEQ));
	return der_wrap(w, der_wrap(w, len, DER_SEQ), DER_CTX(3));
}

enum ob_err
respcert_tbs(const struct respcert_in *in, unsigned char *buf, size_t cap,
    unsigned char **out, size_t *outlen)
{
	struct der_w w;
	size_t len = 0, n;

	*out = NULL;
	*outlen = 0;
	/* A positive INTEGER, minimal, of at most 20 octets (RFC 5280
	 * 4.1.2.2). */
	if (in->serial_len == 0 || in->serial_len > 20 ||
	    (in->serial[0] & 0x80) != 0 ||
	    (in->serial_len > 1 && in->serial[0] == 0 &&
		(in->serial[1] & 0x80) == 0) ||
	    (in->serial_len == 1 && in->serial[0] == 0))
		return OB_ERR_INVAL;
	if (in->cn_len == 0 || in->not_before >= in->not_after ||
	    in->issuer_len == 0 || in->spki_len == 0 || in->key_id_len == 0 ||
	    in->ca_key_id_len == 0)
		return OB_ERR_INVAL;
	der_w_init(&w, buf, cap);
	len += extensions(&w, in);
	len += der_raw(&w, in->spki, in->spki_len);
	/* subject: one RDN, commonName as a UTF8String (RFC 5280 4.1.2.6) */
	n = der_wrap(&w, der_raw(&w, (const unsigned char *)in->cn, in->cn_len),
	    MBEDTLS_ASN1_UTF8_STRING);
	n += der_oid(&w, OID(oid_cn));
	n = der_wrap(&w, der_wrap(&w, n, DER_SEQ),
	    MBEDTLS_ASN1_SET | MBEDTLS_ASN1_CONSTRUCTED);
	len += der_wrap(&w, n, DER_SEQ);
	/* Validity ::= SEQUENCE { notBefore, notAfter } */
	n = der_time(&w, in->not_after);
	n += der_time(&w, in->not_before);
	len += der_wrap(&w, n, DER_SEQ);
	/* issuer: the CA's subject as it is in the CA certificate */
	len += der_raw(&w, in->issuer, in->issuer_len);
	len += der_raw(&w, in->alg, in->alg_len);
	len += der_wrap(
	    &w, der_raw(&w, in->serial, in->serial_len), MBEDTLS_ASN1_INTEGER);
	len += der_wrap(&w, der_uint(&w, 2), DER_CTX(0)); /* version v3 */
	len = der_wrap(&w, len, DER_SEQ);
	if (w.full)
		return OB_ERR_RANGE;
	*out = w.p;
	*outlen = len;
	return OB_OK;
}

enum ob_err
respcert_wrap(const unsigned char *tbs, size_t tbs_len,
    const unsigned char *alg, size_t alg_len, const unsigned char *sig,
    size_t sig_len, unsigned char *buf, size_t cap, unsigned char **out,
    size_t *outlen)
{
	/*
	 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
	 * signatureValue BIT STRING }: framed as a CertificateList is
	 * (RFC 5280 4.1 and 5.1).
	 */
	return crl_wrap(
	    tbs, tbs_len, alg, alg_len, sig, sig_len, buf, cap, out, outlen);
}

int
respcert_renew_due(
    int64_t not_before, int64_t not_after, int64_t ca_not_after, int64_t now)
{
	/* Nothing the CA signs can outlive it: no renewal gains anything. */
	if (ca_not_after <= now || not_after >= ca_not_after)
		return 0;
	if (not_after <= now || not_after <= not_before)
		return 1;
	/* (not_after - now) <= (not_after - not_before) / 3, in integers */
	return (not_after - now) * 3 <= not_after - not_before;
}

enum respcert_state
respcert_state(int64_t not_before, int64_t not_after, int64_t ca_not_after,
    int automatic, int64_t now, int64_t warn)
{
	int64_t third, grace, end;

	/* Nothing verifies past the CA's notAfter either. */
	end = not_after < ca_not_after ? not_after : ca_not_after;
	if (now >= end)
		return RESPCERT_EXPIRED;
	if (automatic && not_after < ca_not_after && not_after > not_before) {
		/* Renewal falls due with a third left; then give it time. */
		third = (not_after - not_before) / 3;
		grace = third / 2 < 3600 ? third / 2 : 3600;
		if (third - grace < warn)
			warn = third - grace;
	}
	return end - now <= warn ? RESPCERT_EXPIRING : RESPCERT_OK;
}

const char *
respcert_state_name(enum respcert_state s)
{
	switch (s) {
	case RESPCERT_EXPIRING:
		return "expiring";
	case RESPCERT_EXPIRED:
		return "expired";
	default:
		return "ok";
	}
}
