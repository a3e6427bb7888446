/*
 * X.509 v2 CRL building (RFC 5280 5.1): the TBSCertList of an issuer's
 * revoked certificates, and the CertificateList around its signature.
 * mbedTLS 2.28 parses CRLs but cannot write them. Pure: no I/O, no
 * allocation; signing is the caller's, between crl_tbs and crl_wrap.
 */
#include <string.h>

#include <mbedtls/asn1.h>

#include "extern.h"

/* id-ce-authorityKeyIdentifier, id-ce-cRLNumber, id-ce-cRLReasons */
static const char oid_aki[] = "\x55\x1d\x23";
static const char oid_crl_number[] = "\x55\x1d\x14";
static const char oid_reason[] = "\x55\x1d\x15";

/* Per entry: serial, revocationDate, reasonCode and every header. */
#define ENTRY_MAX (OB_SERIAL_MAX_OCTETS + 1 + 64)

size_t
crl_tbs_max(const struct crl_tbs_in *in)
{
	return 256 + in->alg_len + in->issuer_len + in->key_id_len +
	    in->n * ENTRY_MAX;
}

/* Extension ::= SEQUENCE { extnID, extnValue OCTET STRING { len bytes } } */
static size_t
extension(struct der_w *w, const char *oid, size_t oid_len, size_t len)
{
	len = der_wrap(w, len, MBEDTLS_ASN1_OCTET_STRING);
	len += der_oid(w, oid, oid_len);
	return der_wrap(w, len, DER_SEQ);
}

/*
 * One revokedCertificates entry. RFC 5280 5.3.1: the reasonCode is
 * absent rather than unspecified (0), and removeFromCRL (8) belongs to
 * delta CRLs only, so neither is written.
 */
static enum ob_err
entry(struct der_w *w, const struct crl_entry *e, size_t *outlen)
{
	unsigned char serial[OB_SERIAL_MAX_OCTETS + 1], reason;
	size_t slen, len = 0;
	enum ob_err err;

	if ((err = util_serial_to_der(
		 e->serial, serial, sizeof(serial), &slen)) != OB_OK)
		return err;
	if (e->reason > 0 && e->reason <= 10 && e->reason != 7 &&
	    e->reason != 8) {
		reason = (unsigned char)e->reason;
		len = der_wrap(
		    w, der_raw(w, &reason, 1), MBEDTLS_ASN1_ENUMERATED);
		len = extension(w, oid_reason, sizeof(oid_reason) - 1, len);
		len = der_wrap(w, len, DER_SEQ); /* crlEntryExtensions */
	}
	len += der_time(w, e->revoked_at);
	len += der_wrap(w, der_raw(w, serial, slen), MBEDTLS_ASN1_INTEGER);
	*outlen = der_wrap(w, len, DER_SEQ);
	return OB_OK;
}

enum ob_err
crl_tbs(const struct crl_tbs_in *in, unsigned char *buf, size_t cap,
    unsigned char **out, size_t *outlen)
{
	struct der_w w;
	size_t len = 0, exts, aki, list = 0, n, i;
	enum ob_err e;

	*out = NULL;
	*outlen = 0;
	der_w_init(&w, buf, cap);
	/* crlExtensions [0] EXPLICIT: authorityKeyIdentifier, cRLNumber */
	exts = extension(&w, oid_crl_number, sizeof(oid_crl_number) - 1,
	    der_uint(&w, in->number));
	/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT } */
	aki = der_wrap(&w, der_raw(&w, in->key_id, in->key_id_len),
	    MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0);
	exts += extension(
	    &w, oid_aki, sizeof(oid_aki) - 1, der_wrap(&w, aki, DER_SEQ));
	len += der_wrap(&w, der_wrap(&w, exts, DER_SEQ), DER_CTX(0));
	/* revokedCertificates, in the given order; absent when empty. */
	if (in->n > 0) {
		for (i = in->n; i > 0; i--) {
			if ((e = entry(&w, &in->entries[i - 1], &n)) != OB_OK)
				return e;
			list += n;
		}
		len += der_wrap(&w, list, DER_SEQ);
	}
	len += der_time(&w, in->next_update);
	len += der_time(&w, in->this_update);
	len += der_raw(&w, in->issuer, in->issuer_len);
	len += der_raw(&w, in->alg, in->alg_len);
	len += der_uint(&w, 1); /* version v2 */
	len = der_wrap(&w, len, DER_SEQ);
	if (w.full)
		return OB_ERR_RANGE;
	*out = w.p;
	*outlen = len;
	return OB_OK;
}

enum ob_err
crl_wrap(const unsigned char *tbs, size_t tbs_len, const unsigned char *alg,
    size_t alg_len, const unsigned char *sig, size_t sig_len,
    unsigned char *buf, size_t cap, unsigned char **out, size_t *outlen)
{
	struct der_w w;
	size_t len, bs;
	unsigned char zero = 0;

	*out = NULL;
	*outlen = 0;
	der_w_init(&w, buf, cap);
	bs = der_raw(&w, sig, sig_len);
	bs += der_raw(&w, &zero, 1); /* no unused bits */
	len = der_wrap(&w, bs, MBEDTLS_ASN1_BIT_STRING);
	len += der_raw(&w, alg, alg_len);
	len += der_raw(&w, tbs, tbs_len);
	len = der_wrap(&w, len, DER_SEQ);
	if (w.full)
		return OB_ERR_RANGE;
	*out = w.p;
	*outlen = len;
	return OB_OK;
}
