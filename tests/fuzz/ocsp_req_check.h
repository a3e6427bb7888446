/*
 * The contract of ocsp_req_parse (extern.h), checked in one place: the
 * fuzz target (fuzz_ocsp_req.c, which aborts) and the unit test
 * (tests/unit/test_ocsp_req.c, which records a failure) include this file,
 * so both assert the same invariants. Static functions only; include it
 * after extern.h.
 */
#ifndef OCSPBOX_OCSP_REQ_CHECK_H
#define OCSPBOX_OCSP_REQ_CHECK_H

#include <string.h>

/* Whether [p, p + n) lies inside [base, base + len). */
static int
ocsp_req_check_inside(
    const unsigned char *p, size_t n, const unsigned char *base, size_t len)
{
	return p != NULL && p >= base && n <= len &&
	    (size_t)(p - base) <= len - n;
}

/*
 * What the responder does with a serial the parser hands out: its signed
 * canonical text (util_serial_from_bytes) exists, and that text's DER
 * (util_serial_to_der) is the serial's INTEGER less any redundant sign
 * octets (00 before a clear top bit, ff before a set one): the same
 * value, sign included. NULL when that holds, else what broke.
 */
static const char *
ocsp_req_check_serial(const unsigned char *p, size_t len)
{
	unsigned char der[OB_SERIAL_MAX_OCTETS + 1];
	char text[OB_SERIAL_HEX_MAX + 1];
	size_t n;

	if (util_serial_from_bytes(p, len, text) != OB_OK)
		return "a serial the parser takes has no canonical text";
	if (util_serial_to_der(text, der, sizeof(der), &n) != OB_OK)
		return "a serial's canonical text has no DER";
	if ((text[0] == '-') != ((p[0] & 0x80) != 0))
		return "a serial's text lost its sign";
	while (len > 1 &&
	    ((p[0] == 0 && (p[1] & 0x80) == 0) ||
		(p[0] == 0xff && (p[1] & 0x80) != 0))) {
		p++;
		len--;
	}
	if (n != len || memcmp(der, p, n) != 0)
		return "a serial's DER, from its text, is another value";
	return NULL;
}

/*
 * The invariants of a successful parse of der (len bytes): NULL when they
 * hold, else the first one broken.
 */
static const char *
ocsp_req_check_ok(
    const struct ocsp_req *r, const unsigned char *der, size_t len)
{
	const struct ocsp_certid *c, *prev;
	const char *why;
	size_t i, want;

	if (r->ncertids < 1 || r->ncertids > OCSP_REQ_MAX_CERTIDS)
		return "ncertids out of range";
	for (i = 0; i < r->ncertids; i++) {
		c = &r->certids[i];
		if (!ocsp_req_check_inside(c->der, c->der_len, der, len) ||
		    c->der[0] != 0x30)
			return "a CertID is not a SEQUENCE inside the input";
		if (!ocsp_req_check_inside(
			c->name_hash, c->name_hash_len, c->der, c->der_len) ||
		    !ocsp_req_check_inside(
			c->key_hash, c->key_hash_len, c->der, c->der_len) ||
		    !ocsp_req_check_inside(
			c->serial, c->serial_len, c->der, c->der_len))
			return "a hash or serial lies outside its CertID";
		if (c->serial_len < 1 || c->serial_len > OB_SERIAL_MAX_OCTETS)
			return "serial length out of range";
		if ((why = ocsp_req_check_serial(c->serial, c->serial_len)) !=
		    NULL)
			return why;
		/* CertIDs come in order and do not overlap. */
		prev = i > 0 ? &r->certids[i - 1] : NULL;
		if (prev != NULL && c->der < prev->der + prev->der_len)
			return "CertIDs out of order or overlapping";
		switch (c->hash) {
		case OCSP_HASH_SHA1:
			want = 20;
			break;
		case OCSP_HASH_SHA256:
			want = 32;
			break;
		case OCSP_HASH_OTHER:
			want = 0;
			break;
		default:
			return "hash not an enum ocsp_hash value";
		}
		if (want != 0 &&
		    (c->name_hash_len != want ||
			(c->key_hash_len != want && c->key_hash_len != 0)))
			return "hash lengths do not match the algorithm";
	}
	if (r->nonce_ext != NULL) {
		if (!ocsp_req_check_inside(
			r->nonce_ext, r->nonce_ext_len, der, len) ||
		    !ocsp_req_check_inside(
			r->nonce, r->nonce_len, r->nonce_ext, r->nonce_ext_len))
			return "the nonce lies outside the input or extension";
		if (r->nonce_len < 1 || r->nonce_len > OCSP_NONCE_MAX)
			return "nonce length out of range";
	} else if (r->nonce != NULL || r->nonce_len != 0 ||
	    r->nonce_ext_len != 0)
		return "a nonce without its extension";
	if (r->signed_req != 0 && r->signed_req != 1)
		return "signed_req not 0 or 1";
	return NULL;
}

/* Whether two parses agree, field by field (padding aside). */
static int
ocsp_req_check_same(const struct ocsp_req *a, const struct ocsp_req *b)
{
	const struct ocsp_certid *x, *y;
	size_t i;

	if (a->ncertids != b->ncertids || a->nonce_ext != b->nonce_ext ||
	    a->nonce_ext_len != b->nonce_ext_len || a->nonce != b->nonce ||
	    a->nonce_len != b->nonce_len || a->signed_req != b->signed_req)
		return 0;
	for (i = 0; i < a->ncertids && i < OCSP_REQ_MAX_CERTIDS; i++) {
		x = &a->certids[i];
		y = &b->certids[i];
		if (x->hash != y->hash || x->der != y->der ||
		    x->der_len != y->der_len || x->name_hash != y->name_hash ||
		    x->name_hash_len != y->name_hash_len ||
		    x->key_hash != y->key_hash ||
		    x->key_hash_len != y->key_hash_len ||
		    x->serial != y->serial || x->serial_len != y->serial_len)
			return 0;
	}
	return 1;
}

/*
 * Parses der (len bytes; pass an exact-size heap copy so that ASan sees
 * any read past it) into *r, with *e the result, and checks the whole
 * contract: on OB_OK the invariants above, and the same result from a
 * second parse (the parser is pure); on failure OB_ERR_INVAL or
 * OB_ERR_RANGE and *r all zeros, whatever it held before. Returns NULL
 * when the contract holds, else the first part broken.
 */
static const char *
ocsp_req_check(
    const unsigned char *der, size_t len, struct ocsp_req *r, enum ob_err *e)
{
	static const struct ocsp_req zero;
	struct ocsp_req again;
	const char *why;

	memset(r, 0xa5, sizeof(*r));
	*e = ocsp_req_parse(der, len, r);
	if (*e != OB_OK) {
		if (*e != OB_ERR_INVAL && *e != OB_ERR_RANGE)
			return "failed with an error other than INVAL or RANGE";
		if (memcmp(r, &zero, sizeof(*r)) != 0)
			return "failed without clearing its result";
		return NULL;
	}
	if ((why = ocsp_req_check_ok(r, der, len)) != NULL)
		return why;
	memset(&again, 0x5a, sizeof(again));
	if (ocsp_req_parse(der, len, &again) != OB_OK ||
	    !ocsp_req_check_same(r, &again))
		return "a second parse of the same input differs";
	return NULL;
}

#endif
