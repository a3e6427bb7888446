/*
 * Unit tests for ocsp_resp.c: tbsResponseData and the wrapped response
 * compared byte for byte with DER worked out by hand from RFC 6960 4.2.1,
 * and the CertID a pre-signed response carries against openssl-made
 * requests.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "harness.h"

static const unsigned char certid[] = {0x30, 0x03, 0x02, 0x01, 0x05};

#define T1970 \
	'1', '9', '7', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', \
	    'Z'
#define T1970_1H \
	'1', '9', '7', '0', '0', '1', '0', '1', '0', '1', '0', '0', '0', '0', \
	    'Z'
#define KH20 \
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, \
	    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11

static const unsigned char key_hash[20] = {KH20};

static void
single(struct ocsp_single *s, enum ocsp_cert_status st)
{
	memset(s, 0, sizeof(*s));
	s->certid = certid;
	s->certid_len = sizeof(certid);
	s->status = st;
	s->reason = -1;
	s->this_update = 0;
	s->next_update = 3600;
}

static void
test_tbs_good(void)
{
	static const unsigned char want[] = {
	    0x30, 0x58, /* ResponseData */
	    0xa2, 0x16, 0x04, 0x14, KH20, /* responderID byKey */
	    0x18, 0x0f, T1970, /* producedAt */
	    0x30, 0x2d, /* responses */
	    0x30, 0x2b, /* SingleResponse */
	    0x30, 0x03, 0x02, 0x01, 0x05, /* certID, echoed */
	    0x80, 0x00, /* good */
	    0x18, 0x0f, T1970, /* thisUpdate */
	    0xa0, 0x11, 0x18, 0x0f, T1970_1H, /* nextUpdate */
	};
	struct ocsp_single s;
	unsigned char buf[512], *out;
	size_t len;

	single(&s, OCSP_GOOD);
	CHECK(ocsp_resp_tbs(key_hash, 0, &s, 1, NULL, 0, buf, sizeof(buf), &out,
		  &len) == OB_OK);
	CHECK(len == sizeof(want));
	CHECK(len == sizeof(want) && memcmp(out, want, len) == 0);
	CHECK(out + len == buf + sizeof(buf));
	CHECK(ocsp_resp_tbs_max(&s, 1, 0) >= len);
}

static void
test_tbs_revoked_unknown_nonce(void)
{
	static const unsigned char want[] = {
	    0x30, 0x81, 0xb2, /* 24 + 17 + 114 + 23 */
	    0xa2, 0x16, 0x04, 0x14, KH20, 0x18, 0x0f, T1970, 0x30,
	    0x70, /* 45 + 67 */
	    0x30, 0x2b, /* unknown */
	    0x30, 0x03, 0x02, 0x01, 0x05, 0x82, 0x00, 0x18, 0x0f, T1970, 0xa0,
	    0x11, 0x18, 0x0f, T1970_1H, 0x30,
	    0x41, /* revoked: 5 + 24 + 17 + 19 */
	    0x30, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x16, /* RevokedInfo */
	    0x18, 0x0f, T1970_1H, /* revocationTime */
	    0xa0, 0x03, 0x0a, 0x01, 0x01, /* keyCompromise */
	    0x18, 0x0f, T1970, 0xa0, 0x11, 0x18, 0x0f, T1970_1H, 0xa1, 0x15,
	    0x30, 0x13, 0x30, 0x11, /* responseExtensions */
	    0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02,
	    0x04, 0x04, 0x04, 0x02, 0xab, 0xcd, /* nonce, echoed */
	};
	static const unsigned char nonce_ext[] = {0x04, 0x02, 0xab, 0xcd};
	struct ocsp_single s[2];
	unsigned char buf[512], *out;
	size_t len, i;

	single(&s[0], OCSP_UNKNOWN);
	single(&s[1], OCSP_REVOKED);
	s[1].revoked_at = 3600;
	s[1].reason = 1;
	CHECK(ocsp_resp_tbs(key_hash, 0, s, 2, nonce_ext, sizeof(nonce_ext),
		  buf, sizeof(buf), &out, &len) == OB_OK);
	CHECK(len == sizeof(want));
	for (i = 0; i < len && i < sizeof(want); i++)
		if (out[i] != want[i]) {
			fprintf(stderr, "  byte %zu: %02x != %02x\n", i, out[i],
			    want[i]);
			CHECK(out[i] == want[i]);
			break;
		}
	CHECK(ocsp_resp_tbs_max(s, 2, sizeof(nonce_ext)) >= len);
}

static void
test_revoked_without_reason(void)
{
	struct ocsp_single s;
	unsigned char buf[512], *out;
	size_t len;

	single(&s, OCSP_REVOKED);
	s.revoked_at = 3600;
	CHECK(ocsp_resp_tbs(key_hash, 0, &s, 1, NULL, 0, buf, sizeof(buf), &out,
		  &len) == OB_OK);
	/* RevokedInfo holds the time only: a1 11 18 0f ... */
	CHECK(memmem(out, len, "\xa1\x11\x18\x0f", 4) != NULL);
	CHECK(memmem(out, len, "\x0a\x01", 2) == NULL);
}

static void
test_times_are_whole_seconds(void)
{
	struct ocsp_single s;
	unsigned char buf[512], *out;
	size_t len;

	single(&s, OCSP_GOOD);
	s.this_update = 1795437296; /* 2026-11-23T12:34:56Z */
	CHECK(ocsp_resp_tbs(key_hash, 1795437296, &s, 1, NULL, 0, buf,
		  sizeof(buf), &out, &len) == OB_OK);
	CHECK(memmem(out, len,
		  "\x18\x0f"
		  "20261123123456Z",
		  17) != NULL);
}

static void
test_small_buffers(void)
{
	struct ocsp_single s;
	unsigned char buf[512], *out;
	size_t len, cap, full;

	single(&s, OCSP_GOOD);
	CHECK(ocsp_resp_tbs(key_hash, 0, &s, 1, NULL, 0, buf, sizeof(buf), &out,
		  &len) == OB_OK);
	full = len;
	/* Every size below the need fails cleanly; the exact size works. */
	for (cap = 0; cap < full; cap++)
		CHECK(ocsp_resp_tbs(key_hash, 0, &s, 1, NULL, 0, buf, cap, &out,
			  &len) == OB_ERR_RANGE &&
		    out == NULL);
	CHECK(ocsp_resp_tbs(key_hash, 0, &s, 1, NULL, 0, buf, full, &out,
		  &len) == OB_OK &&
	    out == buf);
}

static void
test_wrap(void)
{
	static const unsigned char tbs[] = {0x30, 0x00};
	static const unsigned char alg[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
	    0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
	static const unsigned char sig[] = {0x30, 0x01, 0x02};
	static const unsigned char cert[] = {0x30, 0x00};
	static const unsigned char want[] = {
	    0x30, 0x30, /* OCSPResponse */
	    0x0a, 0x01, 0x00, /* successful */
	    0xa0, 0x2b, 0x30, 0x29, /* responseBytes */
	    0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01,
	    0x01, /* id-pkix-ocsp-basic */
	    0x04, 0x1c, 0x30, 0x1a, /* BasicOCSPResponse */
	    0x30, 0x00, /* tbsResponseData */
	    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
	    0x02, /* signatureAlgorithm */
	    0x03, 0x04, 0x00, 0x30, 0x01, 0x02, /* signature */
	    0xa0, 0x04, 0x30, 0x02, 0x30, 0x00, /* certs */
	};
	unsigned char buf[256], *out;
	size_t len;

	CHECK(
	    ocsp_resp_wrap(tbs, sizeof(tbs), alg, sizeof(alg), sig, sizeof(sig),
		cert, sizeof(cert), buf, sizeof(buf), &out, &len) == OB_OK);
	CHECK(len == sizeof(want) && memcmp(out, want, len) == 0);
	/* Without a certificate: no [0] certs at the end. */
	CHECK(ocsp_resp_wrap(tbs, sizeof(tbs), alg, sizeof(alg), sig,
		  sizeof(sig), NULL, 0, buf, sizeof(buf), &out, &len) == OB_OK);
	CHECK(len == sizeof(want) - 6 && out[1] == 0x30 - 6);
	CHECK(
	    ocsp_resp_wrap(tbs, sizeof(tbs), alg, sizeof(alg), sig, sizeof(sig),
		cert, sizeof(cert), buf, 20, &out, &len) == OB_ERR_RANGE);
}

/* The signature is found under the certs, and the ETag is made of it. */
static void
test_signature_etag(void)
{
	static const unsigned char tbs[] = {0x30, 0x00};
	static const unsigned char alg[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
	    0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
	static const unsigned char sig[] = {
	    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
	static const unsigned char cert[] = {0x30, 0x03, 0x02, 0x01, 0x07};
	unsigned char buf[256], *out, err[OCSP_ERROR_RESP_LEN];
	const unsigned char *got;
	char tag[OCSP_ETAG_MAX], other[OCSP_ETAG_MAX];
	size_t len, glen;

	CHECK(
	    ocsp_resp_wrap(tbs, sizeof(tbs), alg, sizeof(alg), sig, sizeof(sig),
		cert, sizeof(cert), buf, sizeof(buf), &out, &len) == OB_OK);
	CHECK(ocsp_resp_signature(out, len, &got, &glen) == OB_OK);
	CHECK(glen == sizeof(sig) && memcmp(got, sig, glen) == 0);
	ocsp_resp_etag(out, len, tag);
	/* The last 8 octets of the signature, then the length. */
	CHECK_STR(tag, "\"030405060708090a-3c\"");
	CHECK(strlen(tag) < OCSP_ETAG_MAX);
	/* Without certs: the same signature, another length. */
	CHECK(ocsp_resp_wrap(tbs, sizeof(tbs), alg, sizeof(alg), sig,
		  sizeof(sig), NULL, 0, buf, sizeof(buf), &out, &len) == OB_OK);
	ocsp_resp_etag(out, len, other);
	CHECK_STR(other, "\"030405060708090a-33\"");
	/* Truncated, or an error response: no signature. */
	CHECK(ocsp_resp_signature(out, len - 1, &got, &glen) == OB_ERR_INVAL);
	CHECK(got == NULL && glen == 0);
	ocsp_resp_error(OCSP_MALFORMED, err);
	CHECK(
	    ocsp_resp_signature(err, sizeof(err), &got, &glen) == OB_ERR_INVAL);
	ocsp_resp_etag(err, sizeof(err), tag);
	CHECK_STR(tag, "\"-5\"");
}

static void
test_error(void)
{
	static const unsigned char want[] = {0x30, 0x03, 0x0a, 0x01, 0x06};
	unsigned char out[OCSP_ERROR_RESP_LEN];

	ocsp_resp_error(OCSP_UNAUTHORIZED, out);
	CHECK(memcmp(out, want, sizeof(want)) == 0);
	ocsp_resp_error(OCSP_MALFORMED, out);
	CHECK(out[4] == 1);
	ocsp_resp_error(OCSP_TRY_LATER, out);
	CHECK(out[4] == 3);
}

#define VECTORS "tests/vectors/ocsp_req/"

static unsigned char *
slurp(const char *name, size_t *len)
{
	char path[256];
	unsigned char *buf;
	FILE *fp;

	*len = 0;
	snprintf(path, sizeof(path), VECTORS "%s", name);
	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	buf = malloc(4096);
	if (buf != NULL)
		*len = fread(buf, 1, 4096, fp);
	fclose(fp);
	return buf;
}

/*
 * openssl's own CertIDs, rebuilt from their parts, come out byte for
 * byte: the cache key matches what real clients send.
 */
static void
test_certid_like_openssl(void)
{
	static const char *const files[] = {
	    "sha1-nononce.der", "sha1-nonce.der", "serial00.der", "three.der"};
	unsigned char *der, buf[OCSP_CERTID_MAX], *out, ser[80];
	char hex[OB_SERIAL_HEX_MAX + 1];
	struct ocsp_req q;
	size_t i, j, len, olen, slen, n = 0;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		der = slurp(files[i], &len);
		CHECK(der != NULL && ocsp_req_parse(der, len, &q) == OB_OK);
		if (der == NULL)
			continue;
		for (j = 0; j < q.ncertids; j++) {
			const struct ocsp_certid *c = &q.certids[j];

			CHECK(c->hash == OCSP_HASH_SHA1);
			CHECK(util_serial_from_bytes(
				  c->serial, c->serial_len, hex) == OB_OK);
			CHECK(util_serial_to_der(
				  hex, ser, sizeof(ser), &slen) == OB_OK);
			CHECK(
			    ocsp_certid_sha1(c->name_hash, c->key_hash, ser,
				slen, buf, sizeof(buf), &out, &olen) == OB_OK);
			CHECK(olen == c->der_len &&
			    memcmp(out, c->der, olen) == 0);
			n++;
		}
		free(der);
	}
	CHECK(n == 6); /* 1 + 1 + 1 + 3 CertIDs */
}

static const struct test tests[] = {
    {"tbs_good", test_tbs_good},
    {"tbs_revoked_unknown_nonce", test_tbs_revoked_unknown_nonce},
    {"revoked_without_reason", test_revoked_without_reason},
    {"times_are_whole_seconds", test_times_are_whole_seconds},
    {"small_buffers", test_small_buffers},
    {"wrap", test_wrap},
    {"signature_etag", test_signature_etag},
    {"error", test_error},
    {"certid_like_openssl", test_certid_like_openssl},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
