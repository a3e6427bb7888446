/*
 * OCSPResponse building (RFC 6960 4.2.1), written backwards from the end of
 * a caller's buffer by der.c. Pure: no I/O, no allocation; signing is the
 * caller's, between ocsp_resp_tbs and ocsp_resp_wrap.
 */
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>

#include "codec.h"

/* id-pkix-ocsp-basic 1.3.6.1.5.5.7.48.1.1 and id-pkix-ocsp-nonce .2 */
static const char oid_basic[] = "\x2b\x06\x01\x05\x05\x07\x30\x01\x01";
static const char oid_nonce[] = "\x2b\x06\x01\x05\x05\x07\x30\x01\x02";

static size_t
w_single(struct der_w *w, const struct ocsp_single *s)
{
	size_t len = 0, st = 0;
	unsigned char reason;

	/* nextUpdate [0] EXPLICIT: always present (see OCSP-NOTES). */
	len += der_wrap(w, der_gentime(w, s->next_update), DER_CTX(0));
	len += der_gentime(w, s->this_update);
	switch (s->status) {
	case OCSP_GOOD: /* good [0] IMPLICIT NULL */
		len += der_wrap(w, 0, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0);
		break;
	case OCSP_REVOKED: /* revoked [1] IMPLICIT RevokedInfo */
		if (s->reason >= 0) {
			reason = (unsigned char)s->reason;
			st += der_wrap(w,
			    der_wrap(w, der_raw(w, &reason, 1),
				MBEDTLS_ASN1_ENUMERATED),
			    DER_CTX(0));
		}
		st += der_gentime(w, s->revoked_at);
		len += der_wrap(w, st, DER_CTX(1));
		break;
	default: /* unknown [2] IMPLICIT NULL */
		len += der_wrap(w, 0, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2);
		break;
	}
	len += der_raw(w, s->certid, s->certid_len);
	return der_wrap(w, len, DER_SEQ);
}

size_t
ocsp_resp_tbs_max(const struct ocsp_single *s, size_t n, size_t nonce_ext_len)
{
	size_t i, total = 64 + nonce_ext_len + 32;

	/* per single: certid + status, times, reason and headers */
	for (i = 0; i < n; i++)
		total += s[i].certid_len + 96;
	return total;
}

enum ob_err
ocsp_resp_tbs(const unsigned char key_hash[20], int64_t produced_at,
    const struct ocsp_single *s, size_t n, const unsigned char *nonce_ext,
    size_t nonce_ext_len, unsigned char *buf, size_t cap, unsigned char **out,
    size_t *outlen)
{
	struct der_w w;
	size_t len = 0, list = 0, ext, i;

	*out = NULL;
	*outlen = 0;
	der_w_init(&w, buf, cap);
	if (nonce_ext != NULL) {
		/* responseExtensions [1] EXPLICIT Extensions { nonce } */
		ext = der_wrap(&w, der_raw(&w, nonce_ext, nonce_ext_len),
		    MBEDTLS_ASN1_OCTET_STRING);
		ext += der_oid(&w, oid_nonce, sizeof(oid_nonce) - 1);
		len += der_wrap(&w,
		    der_wrap(&w, der_wrap(&w, ext, DER_SEQ), DER_SEQ),
		    DER_CTX(1));
	}
	for (i = n; i > 0; i--)
		list += w_single(&w, &s[i - 1]);
	len += der_wrap(&w, list, DER_SEQ);
	len += der_gentime(&w, produced_at);
	/* responderID byKey [2] EXPLICIT KeyHash (OCTET STRING) */
	len += der_wrap(&w,
	    der_wrap(&w, der_raw(&w, key_hash, 20), MBEDTLS_ASN1_OCTET_STRING),
	    DER_CTX(2));
	len = der_wrap(&w, len, DER_SEQ); /* version v1 is DEFAULT: omitted */
	if (w.full)
		return OB_ERR_RANGE;
	*out = w.p;
	*outlen = len;
	return OB_OK;
}

enum ob_err
ocsp_resp_wrap(const unsigned char *tbs, size_t tbs_len,
    const unsigned char *alg, size_t alg_len, const unsigned char *sig,
    size_t sig_len, const unsigned char *cert, size_t cert_len,
    unsigned char *buf, size_t cap, unsigned char **out, size_t *outlen)
{
	struct der_w w;
	size_t len = 0, bs;
	unsigned char status = OCSP_SUCCESSFUL, zero = 0;

	*out = NULL;
	*outlen = 0;
	der_w_init(&w, buf, cap);
	/* BasicOCSPResponse */
	if (cert != NULL)
		len += der_wrap(&w,
		    der_wrap(&w, der_raw(&w, cert, cert_len), DER_SEQ),
		    DER_CTX(0));
	bs = der_raw(&w, sig, sig_len);
	bs += der_raw(&w, &zero, 1); /* no unused bits */
	len += der_wrap(&w, bs, MBEDTLS_ASN1_BIT_STRING);
	len += der_raw(&w, alg, alg_len);
	len += der_raw(&w, tbs, tbs_len);
	len = der_wrap(&w, len, DER_SEQ);
	/* ResponseBytes { responseType, response OCTET STRING } */
	len = der_wrap(&w, len, MBEDTLS_ASN1_OCTET_STRING);
	len += der_oid(&w, oid_basic, sizeof(oid_basic) - 1);
	len = der_wrap(&w, der_wrap(&w, len, DER_SEQ), DER_CTX(0));
	len += der_wrap(&w, der_raw(&w, &status, 1), MBEDTLS_ASN1_ENUMERATED);
	len = der_wrap(&w, len, DER_SEQ);
	if (w.full)
		return OB_ERR_RANGE;
	*out = w.p;
	*outlen = len;
	return OB_OK;
}

void
ocsp_resp_error(
    enum ocsp_resp_status st, unsigned char out[OCSP_ERROR_RESP_LEN])
{
	/* SEQUENCE { ENUMERATED st }, no responseBytes */
	out[0] = 0x30;
	out[1] = 0x03;
	out[2] = 0x0a;
	out[3] = 0x01;
	out[4] = (unsigned char)st;
}

/* id-sha1 1.3.14.3.2.26 */
static const char oid_sha1[] = "\x2b\x0e\x03\x02\x1a";

enum ob_err
ocsp_certid_sha1(const unsigned char name_hash[20],
    const unsigned char key_hash[20], const unsigned char *serial,
    size_t serial_len, unsigned char *buf, size_t cap, unsigned char **out,
    size_t *outlen)
{
	struct der_w w;
	size_t len = 0, alg;

	*out = NULL;
	*outlen = 0;
	der_w_init(&w, buf, cap);
	len +=
	    der_wrap(&w, der_raw(&w, serial, serial_len), MBEDTLS_ASN1_INTEGER);
	len +=
	    der_wrap(&w, der_raw(&w, key_hash, 20), MBEDTLS_ASN1_OCTET_STRING);
	len +=
	    der_wrap(&w, der_raw(&w, name_hash, 20), MBEDTLS_ASN1_OCTET_STRING);
	/* hashAlgorithm with NULL parameters, as OpenSSL and NSS send it */
	alg = der_wrap(&w, 0, MBEDTLS_ASN1_NULL);
	alg += der_oid(&w, oid_sha1, sizeof(oid_sha1) - 1);
	len += der_wrap(&w, alg, DER_SEQ);
	len = der_wrap(&w, len, DER_SEQ);
	if (w.full)
		return OB_ERR_RANGE;
	*out = w.p;
	*outlen = len;
	return OB_OK;
}

enum ob_err
ocsp_resp_signature(const unsigned char *der, size_t len,
    const unsigned char **sig, size_t *sig_len)
{
	unsigned char *p = (unsigned char *)der, *end = p + len;
	size_t n;

	*sig = NULL;
	*sig_len = 0;
	/* OCSPResponse { responseStatus, [0] ResponseBytes } */
	if (mbedtls_asn1_get_tag(&p, end, &n, DER_SEQ) != 0)
		return OB_ERR_INVAL;
	end = p + n;
	if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_ENUMERATED) != 0)
		return OB_ERR_INVAL;
	p += n;
	/* ResponseBytes { responseType, response OCTET STRING } */
	if (mbedtls_asn1_get_tag(&p, end, &n, DER_CTX(0)) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &n, DER_SEQ) != 0)
		return OB_ERR_INVAL;
	end = p + n;
	if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_OID) != 0)
		return OB_ERR_INVAL;
	p += n;
	if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_OCTET_STRING) != 0)
		return OB_ERR_INVAL;
	end = p + n;
	/* BasicOCSPResponse { tbsResponseData, signatureAlgorithm,
	 * signature BIT STRING, certs } */
	if (mbedtls_asn1_get_tag(&p, end, &n, DER_SEQ) != 0)
		return OB_ERR_INVAL;
	end = p + n;
	if (mbedtls_asn1_get_tag(&p, end, &n, DER_SEQ) != 0)
		return OB_ERR_INVAL;
	p += n;
	if (mbedtls_asn1_get_tag(&p, end, &n, DER_SEQ) != 0)
		return OB_ERR_INVAL;
	p += n;
	if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_BIT_STRING) != 0 ||
	    n < 2 || p[0] != 0)
		return OB_ERR_INVAL;
	*sig = p + 1;
	*sig_len = n - 1;
	return OB_OK;
}

void
ocsp_resp_etag(const unsigned char *der, size_t len, char out[OCSP_ETAG_MAX])
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *sig;
	size_t sig_len, i, k = 0;
	int shift;

	out[k++] = '"';
	if (ocsp_resp_signature(der, len, &sig, &sig_len) == OB_OK) {
		i = sig_len > 8 ? 8 : sig_len;
		util_hex(sig + sig_len - i, i, out + k);
		k += 2 * i;
	}
	out[k++] = '-';
	for (shift = 28; shift >= 0; shift -= 4)
		if ((len >> shift) != 0 || shift == 0)
			out[k++] = hex[(len >> shift) & 0xf];
	out[k++] = '"';
	out[k] = '\0';
}

void
ocsp_single_times(
    struct ocsp_single *s, int64_t now, int64_t validity, int64_t backdate)
{
	s->this_update = now - backdate;
	if (s->status == OCSP_REVOKED && s->this_update < s->revoked_at)
		s->this_update = s->revoked_at;
	if (s->this_update > now)
		s->this_update = now;
	s->next_update = now + validity;
}
