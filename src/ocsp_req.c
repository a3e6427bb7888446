/*
 * OCSPRequest parsing (RFC 6960 4.1, nonces per RFC 8954) over mbedTLS's
 * ASN.1 reader: strict DER for the structure, tolerant of what real
 * clients send inside it. Pure: borrows the input, no I/O, no globals.
 */
#include <string.h>

#include <mbedtls/asn1.h>

#include "codec.h"

#define SEQ (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
#define CTX(n) (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | (n))

static const unsigned char oid_sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
static const unsigned char oid_sha256[] = {
    0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
/* id-pkix-ocsp 1.3.6.1.5.5.7.48.1; the last arc follows. */
static const unsigned char oid_pkix_ocsp[] = {
    0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01};
#define ARC_NONCE 2
#define ARC_RESPONSE 4 /* acceptable response types */
#define ARC_SERVICE_LOCATOR 7

/*
 * Reads a length at *p (before end) into *len and moves *p to the
 * contents. DER only: definite and in its shortest form (mbedTLS takes
 * 0x81 0x05 or 0x82 0x00 0x80 too). Returns 0 or -1.
 */
static int
get_len(unsigned char **p, const unsigned char *end, size_t *len)
{
	const unsigned char *start = *p;

	if (mbedtls_asn1_get_len(p, end, len) != 0)
		return -1;
	if (*p - start > 1 && (start[1] == 0 || *len < 0x80))
		return -1;
	return 0;
}

/* Reads the header of a TLV with this tag; as get_len. */
static int
get_tag(unsigned char **p, const unsigned char *end, int tag, size_t *len)
{
	if (*p >= end || **p != tag)
		return -1;
	(*p)++;
	return get_len(p, end, len);
}

/*
 * Steps over one TLV whose contents we do not read, with any tag in the
 * one-byte form (no OCSP structure uses the others). Returns 0 or -1.
 */
static int
skip_tlv(unsigned char **p, const unsigned char *end)
{
	size_t len;

	if (*p >= end || (**p & 0x1f) == 0x1f)
		return -1;
	(*p)++;
	if (get_len(p, end, &len) != 0)
		return -1;
	*p += len;
	return 0;
}

/* Whether the next TLV (if any before end) has this tag. */
static int
next_is(const unsigned char *p, const unsigned char *end, int tag)
{
	return p < end && *p == tag;
}

/*
 * Whether len bytes at p are OBJECT IDENTIFIER contents: at least one
 * subidentifier, each base-128 without a leading 0x80, the last one
 * complete.
 */
static int
oid_ok(const unsigned char *p, size_t len)
{
	size_t i;

	if (len == 0 || (p[len - 1] & 0x80) != 0)
		return 0;
	for (i = 0; i < len; i++)
		if (p[i] == 0x80 && (i == 0 || (p[i - 1] & 0x80) == 0))
			return 0;
	return 1;
}

/* Whether OID contents p (len bytes) are id-pkix-ocsp.arc. */
static int
oid_is_ocsp(const unsigned char *p, size_t len, unsigned char arc)
{
	return len == sizeof(oid_pkix_ocsp) + 1 &&
	    memcmp(p, oid_pkix_ocsp, sizeof(oid_pkix_ocsp)) == 0 &&
	    p[len - 1] == arc;
}

/*
 * Reads one OBJECT IDENTIFIER into *oid / *len (borrowed). Returns 0 or
 * -1.
 */
static int
get_oid(unsigned char **p, const unsigned char *end, const unsigned char **oid,
    size_t *len)
{
	if (get_tag(p, end, MBEDTLS_ASN1_OID, len) != 0 || !oid_ok(*p, *len))
		return -1;
	*oid = *p;
	*p += *len;
	return 0;
}

/*
 * Reads one primitive TLV with this tag into *val / *len (borrowed).
 * Returns 0 or -1.
 */
static int
get_prim(unsigned char **p, const unsigned char *end, int tag,
    const unsigned char **val, size_t *len)
{
	if (get_tag(p, end, tag, len) != 0)
		return -1;
	*val = *p;
	*p += *len;
	return 0;
}

/*
 * Records the nonce of the extnValue contents val (len bytes) in req:
 * RFC 8954 wraps it in an OCTET STRING, older clients send it bare.
 * Returns OB_OK, or OB_ERR_RANGE for 0 or more than OCSP_NONCE_MAX octets.
 */
static enum ob_err
set_nonce(struct ocsp_req *req, const unsigned char *val, size_t len)
{
	unsigned char *q = (unsigned char *)val; /* only read */
	size_t n;

	req->nonce_ext = val;
	req->nonce_ext_len = len;
	if (get_tag(&q, val + len, MBEDTLS_ASN1_OCTET_STRING, &n) == 0 &&
	    q + n == val + len) {
		req->nonce = q;
		req->nonce_len = n;
	} else {
		req->nonce = val;
		req->nonce_len = len;
	}
	if (req->nonce_len == 0 || req->nonce_len > OCSP_NONCE_MAX)
		return OB_ERR_RANGE;
	return OB_OK;
}

/*
 * Reads an Extension's critical flag. It is DEFAULT FALSE, so DER leaves
 * out a FALSE one; we take it anyway, and any non-zero octet as TRUE.
 * Returns 0 or -1.
 */
static int
get_critical(unsigned char **p, const unsigned char *end, int *critical)
{
	size_t n;

	*critical = 0;
	if (!next_is(*p, end, MBEDTLS_ASN1_BOOLEAN))
		return 0;
	if (get_tag(p, end, MBEDTLS_ASN1_BOOLEAN, &n) != 0 || n != 1)
		return -1;
	*critical = **p != 0;
	(*p)++;
	return 0;
}

/*
 * Reads Extensions, which must fill [*p, end). The nonce is recorded in
 * req; with req NULL (singleRequestExtensions) it is ignored like the
 * other extensions we know. Returns OB_OK, OB_ERR_INVAL (bad structure,
 * a second nonce, an unknown critical extension) or OB_ERR_RANGE.
 */
static enum ob_err
get_extensions(
    unsigned char **p, const unsigned char *end, struct ocsp_req *req)
{
	const unsigned char *oid, *ext_end, *val;
	size_t n, oid_len, val_len;
	int critical;
	enum ob_err e;

	/* Extensions ::= SEQUENCE SIZE (1..MAX); an empty one is harmless. */
	if (get_tag(p, end, SEQ, &n) != 0 || *p + n != end)
		return OB_ERR_INVAL;
	while (*p < end) {
		/* Extension ::= SEQUENCE { extnID, critical, extnValue } */
		if (get_tag(p, end, SEQ, &n) != 0)
			return OB_ERR_INVAL;
		ext_end = *p + n;
		if (get_oid(p, ext_end, &oid, &oid_len) != 0 ||
		    get_critical(p, ext_end, &critical) != 0 ||
		    get_prim(p, ext_end, MBEDTLS_ASN1_OCTET_STRING, &val,
			&val_len) != 0 ||
		    *p != ext_end)
			return OB_ERR_INVAL;
		if (oid_is_ocsp(oid, oid_len, ARC_NONCE)) {
			if (req == NULL)
				continue;
			if (req->nonce_ext != NULL)
				return OB_ERR_INVAL;
			if ((e = set_nonce(req, val, val_len)) != OB_OK)
				return e;
		} else if (oid_is_ocsp(oid, oid_len, ARC_RESPONSE) ||
		    oid_is_ocsp(oid, oid_len, ARC_SERVICE_LOCATOR))
			continue;
		else if (critical)
			return OB_ERR_INVAL;
	}
	return OB_OK;
}

/*
 * Reads a CertID's hashAlgorithm: an AlgorithmIdentifier whose parameters
 * are NULL or absent. Returns 0 or -1.
 */
static int
get_hash_alg(unsigned char **p, const unsigned char *end, enum ocsp_hash *hash)
{
	const unsigned char *alg_end, *oid;
	size_t n, oid_len;

	if (get_tag(p, end, SEQ, &n) != 0)
		return -1;
	alg_end = *p + n;
	if (get_oid(p, alg_end, &oid, &oid_len) != 0)
		return -1;
	if (*p < alg_end &&
	    (get_tag(p, alg_end, MBEDTLS_ASN1_NULL, &n) != 0 || n != 0))
		return -1;
	if (*p != alg_end)
		return -1;
	if (oid_len == sizeof(oid_sha1) &&
	    memcmp(oid, oid_sha1, sizeof(oid_sha1)) == 0)
		*hash = OCSP_HASH_SHA1;
	else if (oid_len == sizeof(oid_sha256) &&
	    memcmp(oid, oid_sha256, sizeof(oid_sha256)) == 0)
		*hash = OCSP_HASH_SHA256;
	else
		*hash = OCSP_HASH_OTHER;
	return 0;
}

/* The digest length of a hash we match on; 0 for OCSP_HASH_OTHER. */
static size_t
hash_len(enum ocsp_hash hash)
{
	switch (hash) {
	case OCSP_HASH_SHA1:
		return 20;
	case OCSP_HASH_SHA256:
		return 32;
	default:
		return 0;
	}
}

/*
 * Reads a CertID into c. Returns OB_OK, OB_ERR_INVAL, or OB_ERR_RANGE
 * for a serial longer than OB_SERIAL_MAX_OCTETS.
 */
static enum ob_err
get_certid(unsigned char **p, const unsigned char *end, struct ocsp_certid *c)
{
	const unsigned char *start = *p, *cid_end;
	size_t n, want;

	if (get_tag(p, end, SEQ, &n) != 0)
		return OB_ERR_INVAL;
	cid_end = *p + n;
	c->der = start;
	c->der_len = (size_t)(cid_end - start);
	if (get_hash_alg(p, cid_end, &c->hash) != 0 ||
	    get_prim(p, cid_end, MBEDTLS_ASN1_OCTET_STRING, &c->name_hash,
		&c->name_hash_len) != 0 ||
	    get_prim(p, cid_end, MBEDTLS_ASN1_OCTET_STRING, &c->key_hash,
		&c->key_hash_len) != 0 ||
	    get_prim(p, cid_end, MBEDTLS_ASN1_INTEGER, &c->serial,
		&c->serial_len) != 0 ||
	    *p != cid_end)
		return OB_ERR_INVAL;
	/* Negative and non-minimal serials are tolerated: CAs issue them. */
	if (c->serial_len == 0)
		return OB_ERR_INVAL;
	if (c->serial_len > OB_SERIAL_MAX_OCTETS)
		return OB_ERR_RANGE;
	want = hash_len(c->hash);
	/* certutil sends an empty issuerKeyHash; the name hash decides. */
	if (want != 0 &&
	    (c->name_hash_len != want ||
		(c->key_hash_len != want && c->key_hash_len != 0)))
		return OB_ERR_INVAL;
	return OB_OK;
}

/*
 * Reads "[tag] EXPLICIT Extensions OPTIONAL" at *p: nothing when the next
 * tag is not tag, else the Extensions as get_extensions does.
 */
static enum ob_err
get_opt_extensions(
    unsigned char **p, const unsigned char *end, int tag, struct ocsp_req *req)
{
	size_t n;

	if (!next_is(*p, end, tag))
		return OB_OK;
	if (get_tag(p, end, tag, &n) != 0)
		return OB_ERR_INVAL;
	return get_extensions(p, *p + n, req);
}

/* Reads one Request into c; as get_certid. */
static enum ob_err
get_request(unsigned char **p, const unsigned char *end, struct ocsp_certid *c)
{
	const unsigned char *req_end;
	size_t n;
	enum ob_err e;

	if (get_tag(p, end, SEQ, &n) != 0)
		return OB_ERR_INVAL;
	req_end = *p + n;
	if ((e = get_certid(p, req_end, c)) != OB_OK)
		return e;
	/* singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL */
	if ((e = get_opt_extensions(p, req_end, CTX(0), NULL)) != OB_OK)
		return e;
	return *p == req_end ? OB_OK : OB_ERR_INVAL;
}

/* Reads the TBSRequest into req; as ocsp_req_parse. */
static enum ob_err
get_tbs(unsigned char **p, const unsigned char *end, struct ocsp_req *req)
{
	const unsigned char *tbs_end, *x_end;
	size_t n;
	enum ob_err e;

	if (get_tag(p, end, SEQ, &n) != 0)
		return OB_ERR_INVAL;
	tbs_end = *p + n;
	if (next_is(*p, tbs_end, CTX(0))) {
		/* version [0] EXPLICIT INTEGER DEFAULT v1: only v1 (0) */
		if (get_tag(p, tbs_end, CTX(0), &n) != 0 || n != 3 ||
		    get_tag(p, tbs_end, MBEDTLS_ASN1_INTEGER, &n) != 0 ||
		    n != 1 || **p != 0)
			return OB_ERR_INVAL;
		(*p)++;
	}
	if (next_is(*p, tbs_end, CTX(1))) {
		/* requestorName [1] EXPLICIT GeneralName: one TLV, unread */
		if (get_tag(p, tbs_end, CTX(1), &n) != 0)
			return OB_ERR_INVAL;
		x_end = *p + n;
		if (skip_tlv(p, x_end) != 0 || *p != x_end)
			return OB_ERR_INVAL;
	}
	/* requestList SEQUENCE OF Request */
	if (get_tag(p, tbs_end, SEQ, &n) != 0)
		return OB_ERR_INVAL;
	x_end = *p + n;
	while (*p < x_end) {
		if (req->ncertids == OCSP_REQ_MAX_CERTIDS)
			return OB_ERR_RANGE;
		if ((e = get_request(p, x_end, &req->certids[req->ncertids])) !=
		    OB_OK)
			return e;
		req->ncertids++;
	}
	if (req->ncertids == 0)
		return OB_ERR_INVAL;
	/* requestExtensions [2] EXPLICIT Extensions OPTIONAL */
	if ((e = get_opt_extensions(p, tbs_end, CTX(2), req)) != OB_OK)
		return e;
	return *p == tbs_end ? OB_OK : OB_ERR_INVAL;
}

/*
 * Reads optionalSignature's contents, [*p, end): Signature ::= SEQUENCE {
 * signatureAlgorithm, signature BIT STRING, certs [0] EXPLICIT SEQUENCE
 * OF Certificate OPTIONAL }. Nothing is verified; each piece must be a
 * well-formed TLV. Returns 0 or -1.
 */
static int
get_signature(unsigned char **p, const unsigned char *end)
{
	const unsigned char *x_end, *oid;
	size_t n, oid_len;

	if (get_tag(p, end, SEQ, &n) != 0 || *p + n != end)
		return -1;
	/* signatureAlgorithm: OID and parameters of any shape */
	if (get_tag(p, end, SEQ, &n) != 0)
		return -1;
	x_end = *p + n;
	if (get_oid(p, x_end, &oid, &oid_len) != 0 ||
	    (*p < x_end && skip_tlv(p, x_end) != 0) || *p != x_end)
		return -1;
	/* signature: the unused-bits octet, then the bits */
	if (get_tag(p, end, MBEDTLS_ASN1_BIT_STRING, &n) != 0 || n == 0 ||
	    **p > 7)
		return -1;
	*p += n;
	if (*p == end)
		return 0;
	if (get_tag(p, end, CTX(0), &n) != 0 || *p + n != end ||
	    get_tag(p, end, SEQ, &n) != 0 || *p + n != end)
		return -1;
	while (*p < end) {
		/* A Certificate: one SEQUENCE, contents unread. */
		if (!next_is(*p, end, SEQ) || skip_tlv(p, end) != 0)
			return -1;
	}
	return 0;
}

enum ob_err
ocsp_req_parse(const unsigned char *der, size_t len, struct ocsp_req *out)
{
	/* mbedTLS's reader takes unsigned char **; it never writes. */
	unsigned char *p = (unsigned char *)der;
	const unsigned char *end, *sig_end;
	size_t n;
	enum ob_err e;

	memset(out, 0, sizeof(*out));
	if (der == NULL || len == 0) {
		e = OB_ERR_INVAL;
		goto out;
	}
	if (len > OCSP_REQ_MAX_LEN) {
		e = OB_ERR_RANGE;
		goto out;
	}
	end = der + len;
	/* One OCSPRequest, exactly filling the input. */
	if (get_tag(&p, end, SEQ, &n) != 0 || p + n != end) {
		e = OB_ERR_INVAL;
		goto out;
	}
	if ((e = get_tbs(&p, end, out)) != OB_OK)
		goto out;
	if (p < end) {
		/* optionalSignature [0] EXPLICIT Signature */
		if (get_tag(&p, end, CTX(0), &n) != 0) {
			e = OB_ERR_INVAL;
			goto out;
		}
		sig_end = p + n;
		if (get_signature(&p, sig_end) != 0 || p != end) {
			e = OB_ERR_INVAL;
			goto out;
		}
		out->signed_req = 1;
	}
out:
	if (e != OB_OK)
		memset(out, 0, sizeof(*out));
	return e;
}
