/*
 * libFuzzer target: one DER OCSPRequest through ocsp_req_parse, from an
 * exact-size copy so that ASan sees any read past it; aborts when a
 * successful parse breaks the contract in extern.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whether [p, p + n) lies inside [base, base + len). */
static int
inside(const unsigned char *p, size_t n, const unsigned char *base, size_t len)
{
	return p != NULL && p >= base && n <= len &&
	    (size_t)(p - base) <= len - n;
}

static void
check(const struct ocsp_req *r, const unsigned char *der, size_t len)
{
	const struct ocsp_certid *c;
	size_t i, want;

	if (r->ncertids < 1 || r->ncertids > OCSP_REQ_MAX_CERTIDS)
		abort();
	for (i = 0; i < r->ncertids; i++) {
		c = &r->certids[i];
		if (!inside(c->der, c->der_len, der, len) ||
		    c->der[0] != 0x30 ||
		    !inside(
			c->name_hash, c->name_hash_len, c->der, c->der_len) ||
		    !inside(c->key_hash, c->key_hash_len, c->der, c->der_len) ||
		    !inside(c->serial, c->serial_len, c->der, c->der_len))
			abort();
		if (c->serial_len < 1 || c->serial_len > OB_SERIAL_MAX_OCTETS)
			abort();
		/* CertIDs come in order and do not overlap. */
		if (i > 0 &&
		    c->der < r->certids[i - 1].der + r->certids[i - 1].der_len)
			abort();
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
			abort();
		}
		if (want != 0 &&
		    (c->name_hash_len != want ||
			(c->key_hash_len != want && c->key_hash_len != 0)))
			abort();
	}
	if (r->nonce_ext != NULL) {
		if (!inside(r->nonce_ext, r->nonce_ext_len, der, len) ||
		    !inside(r->nonce, r->nonce_len, r->nonce_ext,
			r->nonce_ext_len) ||
		    r->nonce_len < 1 || r->nonce_len > OCSP_NONCE_MAX)
			abort();
	} else if (r->nonce != NULL || r->nonce_len != 0 ||
	    r->nonce_ext_len != 0)
		abort();
	if (r->signed_req != 0 && r->signed_req != 1)
		abort();
}

/* Whether two parses agree, field by field (padding aside). */
static int
same(const struct ocsp_req *a, const struct ocsp_req *b)
{
	const struct ocsp_certid *x, *y;
	size_t i;

	if (a->ncertids != b->ncertids || a->nonce_ext != b->nonce_ext ||
	    a->nonce_ext_len != b->nonce_ext_len || a->nonce != b->nonce ||
	    a->nonce_len != b->nonce_len || a->signed_req != b->signed_req)
		return 0;
	for (i = 0; i < a->ncertids; i++) {
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ocsp_req zero;
	struct ocsp_req r, again;
	unsigned char *der;
	enum ob_err e;

	if ((der = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	if (size > 0)
		memcpy(der, data, size);
	memset(&r, 0xa5, sizeof(r));
	e = ocsp_req_parse(der, size, &r);
	if (e == OB_OK) {
		check(&r, der, size);
		/* Pure: the same input parses the same way. */
		if (ocsp_req_parse(der, size, &again) != OB_OK ||
		    !same(&r, &again))
			abort();
	} else if ((e != OB_ERR_INVAL && e != OB_ERR_RANGE) ||
	    memcmp(&r, &zero, sizeof(r)) != 0)
		abort();
	free(der);
	return 0;
}
