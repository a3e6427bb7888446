/*
 * OCSPResponse building (RFC 6960 4.2.1), over mbedTLS's asn1write, which
 * writes DER backwards from the end of a caller's buffer. Pure: no I/O, no
 * allocation; signing is the caller's, between ocsp_resp_tbs and
 * ocsp_resp_wrap.
 */
#include <string.h>

#include <mbedtls/asn1write.h>

#include "extern.h"

/* id-pkix-ocsp-basic 1.3.6.1.5.5.7.48.1.1 and id-pkix-ocsp-nonce .2 */
static const char oid_basic[] = "\x2b\x06\x01\x05\x05\x07\x30\x01\x01";
static const char oid_nonce[] = "\x2b\x06\x01\x05\x05\x07\x30\x01\x02";

/*
 * One step of backward writing: every helper adds what it wrote to *total
 * and returns 0, or -1 once the buffer is full (then everything after is a
 * no-op, checked once at the end).
 */
struct w {
	unsigned char *p, *start;
	int full;
};

static size_t
w_add(struct w *w, int rc)
{
	if (rc < 0) {
		w->full = 1;
		return 0;
	}
	return (size_t)rc;
}

static size_t
w_raw(struct w *w, const unsigned char *b, size_t n)
{
	if (w->full)
		return 0;
	return w_add(w, mbedtls_asn1_write_raw_buffer(&w->p, w->start, b, n));
}

static size_t
w_oid(struct w *w, const char *oid, size_t n)
{
	if (w->full)
		return 0;
	return w_add(w, mbedtls_asn1_write_oid(&w->p, w->start, oid, n));
}

/* Prefixes the last len bytes written with a tag and length. */
static size_t
w_wrap(struct w *w, size_t len, unsigned char tag)
{
	size_t n = 0;

	if (w->full)
		return 0;
	n += w_add(w, mbedtls_asn1_write_len(&w->p, w->start, len));
	if (!w->full)
		n += w_add(w, mbedtls_asn1_write_tag(&w->p, w->start, tag));
	return len + n;
}

static size_t
w_time(struct w *w, int64_t t)
{
	char buf[32];
	unsigned char gt[15];

	/* "YYYY-MM-DDTHH:MM:SSZ" -> "YYYYMMDDHHMMSSZ": no fractions. */
	util_time_format(t, buf, sizeof(buf));
	memcpy(gt, buf, 4);
	memcpy(gt + 4, buf + 5, 2);
	memcpy(gt + 6, buf + 8, 2);
	memcpy(gt + 8, buf + 11, 2);
	memcpy(gt + 10, buf + 14, 2);
	memcpy(gt + 12, buf + 17, 2);
	gt[14] = 'Z';
	return w_wrap(
	    w, w_raw(w, gt, sizeof(gt)), MBEDTLS_ASN1_GENERALIZED_TIME);
}

#define CTX(n) (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | (n))
#define SEQ (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)

static size_t
w_single(struct w *w, const struct ocsp_single *s)
{
	size_t len = 0, st = 0;
	unsigned char reason;

	/* nextUpdate [0] EXPLICIT: always present (see OCSP-NOTES). */
	len += w_wrap(w, w_time(w, s->next_update), CTX(0));
	len += w_time(w, s->this_update);
	switch (s->status) {
	case OCSP_GOOD: /* good [0] IMPLICIT NULL */
		len += w_wrap(w, 0, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0);
		break;
	case OCSP_REVOKED: /* revoked [1] IMPLICIT RevokedInfo */
		if (s->reason >= 0) {
			reason = (unsigned char)s->reason;
			st += w_wrap(w,
			    w_wrap(w, w_raw(w, &reason, 1),
				MBEDTLS_ASN1_ENUMERATED),
			    CTX(0));
		}
		st += w_time(w, s->revoked_at);
		len += w_wrap(w, st, CTX(1));
		break;
	default: /* unknown [2] IMPLICIT NULL */
		len += w_wrap(w, 0, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2);
		break;
	}
	len += w_raw(w, s->certid, s->certid_len);
	return w_wrap(w, len, SEQ);
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
	struct w w = {buf + cap, buf, 0};
	size_t len = 0, list = 0, ext, i;

	*out = NULL;
	*outlen = 0;
	if (nonce_ext != NULL) {
		/* responseExtensions [1] EXPLICIT Extensions { nonce } */
		ext = w_wrap(&w, w_raw(&w, nonce_ext, nonce_ext_len),
		    MBEDTLS_ASN1_OCTET_STRING);
		ext += w_oid(&w, oid_nonce, sizeof(oid_nonce) - 1);
		len +=
		    w_wrap(&w, w_wrap(&w, w_wrap(&w, ext, SEQ), SEQ), CTX(1));
	}
	for (i = n; i > 0; i--)
		list += w_single(&w, &s[i - 1]);
	len += w_wrap(&w, list, SEQ);
	len += w_time(&w, produced_at);
	/* responderID byKey [2] EXPLICIT KeyHash (OCTET STRING) */
	len += w_wrap(&w,
	    w_wrap(&w, w_raw(&w, key_hash, 20), MBEDTLS_ASN1_OCTET_STRING),
	    CTX(2));
	len = w_wrap(&w, len, SEQ); /* version v1 is DEFAULT: omitted */
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
	struct w w = {buf + cap, buf, 0};
	size_t len = 0, bs;
	unsigned char status = OCSP_SUCCESSFUL, zero = 0;

	*out = NULL;
	*outlen = 0;
	/* BasicOCSPResponse */
	if (cert != NULL)
		len += w_wrap(
		    &w, w_wrap(&w, w_raw(&w, cert, cert_len), SEQ), CTX(0));
	bs = w_raw(&w, sig, sig_len);
	bs += w_raw(&w, &zero, 1); /* no unused bits */
	len += w_wrap(&w, bs, MBEDTLS_ASN1_BIT_STRING);
	len += w_raw(&w, alg, alg_len);
	len += w_raw(&w, tbs, tbs_len);
	len = w_wrap(&w, len, SEQ);
	/* ResponseBytes { responseType, response OCTET STRING } */
	len = w_wrap(&w, len, MBEDTLS_ASN1_OCTET_STRING);
	len += w_oid(&w, oid_basic, sizeof(oid_basic) - 1);
	len = w_wrap(&w, w_wrap(&w, len, SEQ), CTX(0));
	len += w_wrap(&w, w_raw(&w, &status, 1), MBEDTLS_ASN1_ENUMERATED);
	len = w_wrap(&w, len, SEQ);
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
	struct w w = {buf + cap, buf, 0};
	size_t len = 0, alg;

	*out = NULL;
	*outlen = 0;
	len += w_wrap(&w, w_raw(&w, serial, serial_len), MBEDTLS_ASN1_INTEGER);
	len += w_wrap(&w, w_raw(&w, key_hash, 20), MBEDTLS_ASN1_OCTET_STRING);
	len += w_wrap(&w, w_raw(&w, name_hash, 20), MBEDTLS_ASN1_OCTET_STRING);
	/* hashAlgorithm with NULL parameters, as OpenSSL and NSS send it */
	alg = w_wrap(&w, 0, MBEDTLS_ASN1_NULL);
	alg += w_oid(&w, oid_sha1, sizeof(oid_sha1) - 1);
	len += w_wrap(&w, alg, SEQ);
	len = w_wrap(&w, len, SEQ);
	if (w.full)
		return OB_ERR_RANGE;
	*out = w.p;
	*outlen = len;
	return OB_OK;
}
