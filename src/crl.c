/*
 * X.509 v2 CRLs (RFC 5280 5.1): building the TBSCertList of an issuer's
 * revoked certificates and the CertificateList around its signature
 * (mbedTLS 2.28 parses CRLs but cannot write them), and reading one an
 * offline CA made. Pure: no I/O; building allocates nothing, and signing
 * is the caller's, between crl_tbs and crl_wrap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/error.h>
#include <mbedtls/x509_crl.h>

#include "codec.h"

/* id-ce-authorityKeyIdentifier, id-ce-cRLNumber, id-ce-cRLReasons,
 * id-ce-invalidityDate */
static const char oid_aki[] = "\x55\x1d\x23";
static const char oid_crl_number[] = "\x55\x1d\x14";
static const char oid_reason[] = "\x55\x1d\x15";
static const char oid_invalidity[] = "\x55\x1d\x18";

/* Per entry: serial, revocationDate, reasonCode, invalidityDate and
 * every header. */
#define ENTRY_MAX (OB_SERIAL_MAX_OCTETS + 1 + 96)

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
	/* RFC 5280 5.3.2: InvalidityDate ::= GeneralizedTime, always. */
	if (e->invalidity_at != 0)
		len = extension(w, oid_invalidity, sizeof(oid_invalidity) - 1,
		    der_gentime(w, e->invalidity_at));
	if (e->reason > 0 && e->reason <= 10 && e->reason != 7 &&
	    e->reason != 8) {
		reason = (unsigned char)e->reason;
		len += extension(w, oid_reason, sizeof(oid_reason) - 1,
		    der_wrap(
			w, der_raw(w, &reason, 1), MBEDTLS_ASN1_ENUMERATED));
	}
	if (len > 0)
		len = der_wrap(w, len, DER_SEQ); /* crlEntryExtensions */
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
	unsigned char num[OB_CRLNUM_OCTETS + 1];
	size_t len = 0, exts, aki, list = 0, n, i;
	enum ob_err e;

	*out = NULL;
	*outlen = 0;
	der_w_init(&w, buf, cap);
	/* crlExtensions [0] EXPLICIT: authorityKeyIdentifier, cRLNumber */
	n = util_crlnum_der(&in->number, num);
	exts = extension(&w, oid_crl_number, sizeof(oid_crl_number) - 1,
	    der_wrap(&w, der_raw(&w, num, n), MBEDTLS_ASN1_INTEGER));
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

/*
 * Finds the extension oid in the Extensions SEQUENCE at der (its tag
 * first; at most len bytes, what follows it ignored): *val and *vlen are
 * its extnValue's contents. OB_ERR_NOTFOUND when absent, OB_ERR_INVAL
 * when the SEQUENCE is not well-formed DER.
 */
static enum ob_err
ext_find(const unsigned char *der, size_t len, const char *oid, size_t oid_len,
    const unsigned char **val, size_t *vlen)
{
	unsigned char *p = (unsigned char *)der, *end = p + len, *ext;
	size_t n;
	int critical;

	if (mbedtls_asn1_get_tag(&p, end, &n, DER_SEQ) != 0)
		return OB_ERR_INVAL;
	end = p + n;
	while (p < end) {
		if (mbedtls_asn1_get_tag(&p, end, &n, DER_SEQ) != 0)
			return OB_ERR_INVAL;
		ext = p + n;
		if (mbedtls_asn1_get_tag(&p, ext, &n, MBEDTLS_ASN1_OID) != 0)
			return OB_ERR_INVAL;
		if (n == oid_len && memcmp(p, oid, oid_len) == 0) {
			p += n;
			if (p < ext && *p == MBEDTLS_ASN1_BOOLEAN &&
			    mbedtls_asn1_get_bool(&p, ext, &critical) != 0)
				return OB_ERR_INVAL;
			if (mbedtls_asn1_get_tag(
				&p, ext, &n, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
			    p + n != ext)
				return OB_ERR_INVAL;
			*val = p;
			*vlen = n;
			return OB_OK;
		}
		p = ext;
	}
	return OB_ERR_NOTFOUND;
}

enum ob_err
crl_ext_number(const unsigned char *der, size_t len, struct ob_crlnum *number,
    const char **why)
{
	const unsigned char *v;
	unsigned char *p;
	size_t vlen, n;
	enum ob_err e;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	*why = "a malformed cRLNumber or crlExtensions";
	memset(number, 0, sizeof(*number));
	if ((e = ext_find(der, len, oid_crl_number, sizeof(oid_crl_number) - 1,
		 &v, &vlen)) != OB_OK) {
		if (e == OB_ERR_NOTFOUND)
			*why = "no cRLNumber extension";
		return e;
	}
	/* CRLNumber ::= INTEGER (0..MAX), and nothing after it */
	p = (unsigned char *)v;
	if (mbedtls_asn1_get_tag(&p, v + vlen, &n, MBEDTLS_ASN1_INTEGER) != 0 ||
	    n == 0 || p + n != v + vlen)
		return OB_ERR_INVAL;
	if ((p[0] & 0x80) != 0) {
		*why = "a negative cRLNumber (RFC 5280 5.2.3: 0 or more)";
		return OB_ERR_RANGE;
	}
	if ((e = util_crlnum_from_der(p, n, number)) != OB_OK) {
		*why = "a cRLNumber longer than 20 octets (RFC 5280 5.2.3)";
		return e;
	}
	*why = "";
	return OB_OK;
}

enum ob_err
crl_ext_reason(const unsigned char *der, size_t len, int *reason)
{
	const unsigned char *v;
	unsigned char *p;
	size_t vlen, n;
	enum ob_err e;

	*reason = -1;
	if (der == NULL || len == 0)
		return OB_OK;
	e = ext_find(der, len, oid_reason, sizeof(oid_reason) - 1, &v, &vlen);
	if (e == OB_ERR_NOTFOUND)
		return OB_OK;
	if (e != OB_OK)
		return e;
	/* CRLReason ::= ENUMERATED, one of RFC 5280's codes (7 unused) */
	p = (unsigned char *)v;
	if (mbedtls_asn1_get_tag(&p, v + vlen, &n, MBEDTLS_ASN1_ENUMERATED) !=
		0 ||
	    n != 1 || p + 1 != v + vlen || p[0] > 10 || p[0] == 7)
		return OB_ERR_INVAL;
	*reason = p[0];
	return OB_OK;
}

void
crl_info_free(struct crl_info *ci)
{
	if (ci == NULL)
		return;
	free(ci->der);
	free(ci->issuer);
	free(ci->entries);
	memset(ci, 0, sizeof(*ci));
}

enum ob_err
crl_parse(const unsigned char *buf, size_t len, struct crl_info *out,
    char *errbuf, size_t errsz)
{
	mbedtls_x509_crl crl;
	const mbedtls_x509_crl_entry *ent;
	struct crl_entry *ce;
	const unsigned char *extp;
	size_t n = 0, cap = 0;
	enum ob_err e = OB_ERR_INVAL;
	const char *why = "no crlExtensions, so no cRLNumber";
	char msg[128];
	int rc;

	memset(out, 0, sizeof(*out));
	mbedtls_x509_crl_init(&crl);
	/* PEM wants its NUL counted; the caller gives one past len. */
	if ((rc = mbedtls_x509_crl_parse(&crl, buf, len)) != 0) {
		mbedtls_strerror(rc, msg, sizeof(msg));
		snprintf(errbuf, errsz, "not a CRL mbedTLS can read: %s", msg);
		goto out;
	}
	if (crl.next != NULL) {
		snprintf(errbuf, errsz, "more than one CRL in the file");
		goto out;
	}
	if (crl.version != 2) {
		snprintf(errbuf, errsz, "a v1 CRL: want v2, with a cRLNumber");
		goto out;
	}
	if (crl.crl_ext.p == NULL ||
	    (e = crl_ext_number(crl.crl_ext.p, crl.crl_ext.len, &out->number,
		 &why)) != OB_OK) {
		snprintf(errbuf, errsz, "%s", why);
		e = e == OB_ERR_RANGE ? OB_ERR_RANGE : OB_ERR_INVAL;
		goto out;
	}
	e = OB_ERR_INVAL;
	out->this_update = util_x509_time(&crl.this_update);
	out->next_update = crl.next_update.year == 0
	    ? INT64_MIN
	    : util_x509_time(&crl.next_update);
	if (out->this_update == INT64_MIN || out->next_update == INT64_MIN ||
	    out->next_update <= out->this_update) {
		snprintf(errbuf, errsz,
		    out->next_update == INT64_MIN
			? "no nextUpdate: a CRL served here needs one"
			: "nextUpdate not after thisUpdate");
		goto out;
	}
	for (ent = &crl.entry; ent != NULL && ent->raw.len > 0;
	     ent = ent->next) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((ce = realloc(out->entries, cap * sizeof(*ce))) ==
			    NULL) {
				e = OB_ERR_NOMEM;
				snprintf(errbuf, errsz, "out of memory");
				goto out;
			}
			out->entries = ce;
		}
		ce = &out->entries[n];
		ce->invalidity_at = 0; /* not read from an imported CRL */
		if (util_serial_from_bytes(
			ent->serial.p, ent->serial.len, ce->serial) != OB_OK) {
			snprintf(
			    errbuf, errsz, "entry %zu: unusable serial", n + 1);
			goto out;
		}
		ce->revoked_at = util_x509_time(&ent->revocation_date);
		/* mbedTLS's entry_ext.len counts the contents only. */
		extp = ent->entry_ext.p;
		if (ce->revoked_at == INT64_MIN ||
		    crl_ext_reason(extp,
			extp == NULL
			    ? 0
			    : (size_t)(ent->raw.p + ent->raw.len - extp),
			&ce->reason) != OB_OK) {
			snprintf(errbuf, errsz,
			    "entry %zu (serial %s): bad time or reasonCode",
			    n + 1, ce->serial);
			goto out;
		}
		if (ce->reason == OB_REASON_REMOVE_FROM_CRL) {
			snprintf(errbuf, errsz,
			    "entry %zu (serial %s): removeFromCRL belongs to "
			    "delta CRLs, not to a full one",
			    n + 1, ce->serial);
			goto out;
		}
		n++;
	}
	out->n = n;
	if ((out->der = malloc(crl.raw.len)) == NULL ||
	    (out->issuer = malloc(crl.issuer_raw.len)) == NULL) {
		e = OB_ERR_NOMEM;
		snprintf(errbuf, errsz, "out of memory");
		goto out;
	}
	memcpy(out->der, crl.raw.p, crl.raw.len);
	out->len = crl.raw.len;
	memcpy(out->issuer, crl.issuer_raw.p, crl.issuer_raw.len);
	out->issuer_len = crl.issuer_raw.len;
	e = OB_OK;
out:
	mbedtls_x509_crl_free(&crl);
	if (e != OB_OK)
		crl_info_free(out);
	return e;
}
