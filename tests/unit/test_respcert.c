/*
 * Unit tests for respcert.c: the TBSCertificate of ocspbox's own OCSP
 * responder certificates, read back by mbedTLS's certificate parser
 * (which does not check the signature, so a dummy one serves), its
 * refusals, and when a responder is due for renewal.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "codec.h"
#include "harness.h"

/* Name: C=DE, CN=Printable CA, both PrintableString (not re-encodable). */
static const unsigned char issuer[] = {0x30, 0x2b, 0x31, 0x0b, 0x30, 0x09, 0x06,
    0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x44, 0x45, 0x31, 0x1c, 0x30, 0x1a,
    0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x13, 'P', 'r', 'i', 'n', 't', 'a', 'b',
    'l', 'e', ' ', 'C', 'A', ' ', 'x', 'x', 'x', 'x', 'x', 'x'};
/* ecdsa-with-SHA256 */
static const unsigned char alg[] = {
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
/* A P-256 SubjectPublicKeyInfo (openssl pkey -pubout -outform DER). */
static const unsigned char spki[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0x36, 0x8f, 0x32, 0x65,
    0x42, 0xac, 0xa6, 0xf4, 0x6b, 0xe8, 0xd1, 0xaf, 0xa1, 0x2e, 0x0e, 0x7f,
    0xa0, 0x4b, 0x08, 0x47, 0x89, 0xd3, 0x00, 0xe2, 0x3c, 0x46, 0xb3, 0x71,
    0x2f, 0x40, 0x36, 0xf3, 0x74, 0xfd, 0x43, 0x88, 0xa9, 0x5e, 0x93, 0x14,
    0x7b, 0x1a, 0xd8, 0x06, 0xcc, 0xca, 0x76, 0x69, 0x80, 0x8f, 0x2d, 0x3f,
    0x61, 0x3f, 0x21, 0x5e, 0xa6, 0x44, 0xfb, 0xb5, 0x5e, 0x2b, 0xbc, 0x2b};
static const unsigned char serial[16] = {
    0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const unsigned char ski[20] = {0x51, 0x51, 0x51, 0x51, 0x51, 0x51, 0x51,
    0x51, 0x51, 0x51, 0x51, 0x51, 0x51, 0x51, 0x51, 0x51, 0x51, 0x51, 0x51,
    0x51};
static const unsigned char aki[20] = {0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1,
    0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1,
    0xa1};
/* A dummy ECDSA-Sig-Value: parsing checks its framing, not its value. */
static const unsigned char sig[] = {
    0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};

/* 2030-01-01T00:00:00Z and 30 days later */
#define T0 1893456000
#define T1 (T0 + 30 * 86400)

static void
input(struct respcert_in *in)
{
	memset(in, 0, sizeof(*in));
	in->alg = alg;
	in->alg_len = sizeof(alg);
	in->serial = serial;
	in->serial_len = sizeof(serial);
	in->issuer = issuer;
	in->issuer_len = sizeof(issuer);
	in->cn = "Printable CA OCSP Responder";
	in->cn_len = strlen(in->cn);
	in->not_before = T0;
	in->not_after = T1;
	in->spki = spki;
	in->spki_len = sizeof(spki);
	in->key_id = ski;
	in->key_id_len = sizeof(ski);
	in->ca_key_id = aki;
	in->ca_key_id_len = sizeof(aki);
}

/* Whether needle (n bytes) occurs in hay (len bytes). */
static int
contains(
    const unsigned char *hay, size_t len, const unsigned char *needle, size_t n)
{
	size_t i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Builds and wraps in into a Certificate at *der (inside buf). */
static enum ob_err
build(const struct respcert_in *in, unsigned char *buf, size_t cap,
    unsigned char **der, size_t *len)
{
	unsigned char *tbs;
	size_t tbs_len;
	enum ob_err e;

	if ((e = respcert_tbs(in, buf, cap / 2, &tbs, &tbs_len)) != OB_OK)
		return e;
	return respcert_wrap(tbs, tbs_len, in->alg, in->alg_len, sig,
	    sizeof(sig), buf + cap / 2, cap - cap / 2, der, len);
}

static void
test_read_back(void)
{
	/* extensions as written: critical flags and values, byte for byte */
	static const unsigned char bc[] = {0x06, 0x03, 0x55, 0x1d, 0x13, 0x01,
	    0x01, 0xff, 0x04, 0x02, 0x30, 0x00};
	static const unsigned char ku[] = {0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01,
	    0x01, 0xff, 0x04, 0x04, 0x03, 0x02, 0x07, 0x80};
	static const unsigned char nocheck[] = {0x30, 0x0f, 0x06, 0x09, 0x2b,
	    0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x05, 0x04, 0x02, 0x05,
	    0x00};
	static const unsigned char aki_ext[] = {
	    0x04, 0x18, 0x30, 0x16, 0x80, 0x14, 0xa1, 0xa1};
	struct respcert_in in;
	mbedtls_x509_crt crt;
	unsigned char buf[2048], *der = NULL;
	size_t len = 0;
	char cn[128];
	int rc;

	input(&in);
	CHECK(build(&in, buf, sizeof(buf), &der, &len) == OB_OK);
	CHECK(len <= respcert_tbs_max(&in) + sizeof(alg) + sizeof(sig) + 16);
	mbedtls_x509_crt_init(&crt);
	rc = mbedtls_x509_crt_parse_der(&crt, der, len);
	CHECK(rc == 0);
	if (rc != 0) {
		mbedtls_x509_crt_free(&crt);
		return;
	}
	CHECK(crt.version == 3);
	CHECK(crt.serial.len == sizeof(serial) &&
	    memcmp(crt.serial.p, serial, sizeof(serial)) == 0);
	/* The issuer is the input's bytes, PrintableStrings and all. */
	CHECK(crt.issuer_raw.len == sizeof(issuer) &&
	    memcmp(crt.issuer_raw.p, issuer, sizeof(issuer)) == 0);
	CHECK(mbedtls_x509_dn_gets(cn, sizeof(cn), &crt.subject) > 0);
	CHECK_STR(cn, "CN=Printable CA OCSP Responder");
	CHECK(crt.subject.val.tag == MBEDTLS_ASN1_UTF8_STRING);
	CHECK(crt.valid_from.year == 2030 && crt.valid_from.mon == 1 &&
	    crt.valid_from.day == 1 && crt.valid_from.hour == 0);
	CHECK(crt.valid_to.year == 2030 && crt.valid_to.mon == 1 &&
	    crt.valid_to.day == 31);
	CHECK(crt.sig_md == MBEDTLS_MD_SHA256);
	CHECK(crt.pk_raw.len == sizeof(spki) &&
	    memcmp(crt.pk_raw.p, spki, sizeof(spki)) == 0);
	CHECK(crt.ca_istrue == 0);
	CHECK((crt.ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS) != 0);
	CHECK((crt.ext_types & MBEDTLS_X509_EXT_KEY_USAGE) != 0);
	CHECK(crt.key_usage == MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
	CHECK((crt.ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) != 0);
	CHECK(mbedtls_x509_crt_check_extended_key_usage(&crt,
		  MBEDTLS_OID_OCSP_SIGNING,
		  MBEDTLS_OID_SIZE(MBEDTLS_OID_OCSP_SIGNING)) == 0);
	CHECK(mbedtls_x509_crt_check_extended_key_usage(&crt,
		  MBEDTLS_OID_SERVER_AUTH,
		  MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) != 0);
	CHECK(contains(crt.v3_ext.p, crt.v3_ext.len, bc, sizeof(bc)));
	CHECK(contains(crt.v3_ext.p, crt.v3_ext.len, ku, sizeof(ku)));
	CHECK(contains(crt.v3_ext.p, crt.v3_ext.len, nocheck, sizeof(nocheck)));
	CHECK(contains(crt.v3_ext.p, crt.v3_ext.len, aki_ext, sizeof(aki_ext)));
	CHECK(contains(crt.v3_ext.p, crt.v3_ext.len, ski, sizeof(ski)));
	mbedtls_x509_crt_free(&crt);
}

static void
test_refusals(void)
{
	static const unsigned char neg[] = {0x80, 1};
	static const unsigned char padded[] = {0x00, 0x01};
	static const unsigned char zero[] = {0x00};
	static const unsigned char top[] = {0x00, 0x80}; /* 128: minimal */
	static const unsigned char long_[21] = {1};
	struct respcert_in in;
	unsigned char buf[2048], *out = NULL;
	size_t len = 0;

	input(&in);
	in.serial = neg;
	in.serial_len = sizeof(neg);
	CHECK(respcert_tbs(&in, buf, sizeof(buf), &out, &len) == OB_ERR_INVAL);
	CHECK(out == NULL && len == 0);
	in.serial = padded;
	in.serial_len = sizeof(padded);
	CHECK(respcert_tbs(&in, buf, sizeof(buf), &out, &len) == OB_ERR_INVAL);
	in.serial = zero;
	in.serial_len = sizeof(zero);
	CHECK(respcert_tbs(&in, buf, sizeof(buf), &out, &len) == OB_ERR_INVAL);
	in.serial_len = 0;
	CHECK(respcert_tbs(&in, buf, sizeof(buf), &out, &len) == OB_ERR_INVAL);
	in.serial = long_;
	in.serial_len = sizeof(long_);
	CHECK(respcert_tbs(&in, buf, sizeof(buf), &out, &len) == OB_ERR_INVAL);
	in.serial = top;
	in.serial_len = sizeof(top);
	CHECK(respcert_tbs(&in, buf, sizeof(buf), &out, &len) == OB_OK);
	CHECK(out != NULL && len > 0);

	input(&in);
	in.not_after = in.not_before;
	CHECK(respcert_tbs(&in, buf, sizeof(buf), &out, &len) == OB_ERR_INVAL);
	input(&in);
	in.cn_len = 0;
	CHECK(respcert_tbs(&in, buf, sizeof(buf), &out, &len) == OB_ERR_INVAL);
	input(&in);
	in.ca_key_id_len = 0;
	CHECK(respcert_tbs(&in, buf, sizeof(buf), &out, &len) == OB_ERR_INVAL);
	/* Too small a buffer, at every size short of what it takes. */
	input(&in);
	CHECK(respcert_tbs(&in, buf, sizeof(buf), &out, &len) == OB_OK);
	CHECK(respcert_tbs(&in, buf, len - 1, &out, &len) == OB_ERR_RANGE);
	CHECK(out == NULL);
	CHECK(respcert_tbs(&in, buf, 10, &out, &len) == OB_ERR_RANGE);
}

static void
test_renew_due(void)
{
	static const struct {
		const char *name;
		int64_t nb, na, ca_na, now;
		int due;
	} t[] = {
	    /* 30 days of life: due from 10 days before the end */
	    {"fresh", 0, 30 * 86400, 3650 * 86400, 86400, 0},
	    {"half way", 0, 30 * 86400, 3650 * 86400, 15 * 86400, 0},
	    {"just over a third", 0, 30 * 86400, 3650 * 86400, 20 * 86400 - 1,
		0},
	    {"a third left", 0, 30 * 86400, 3650 * 86400, 20 * 86400, 1},
	    {"a day left", 0, 30 * 86400, 3650 * 86400, 29 * 86400, 1},
	    {"expired", 0, 30 * 86400, 3650 * 86400, 31 * 86400, 1},
	    {"before its start", 86400, 30 * 86400, 3650 * 86400, 0, 0},
	    {"backwards validity", 30 * 86400, 0, 3650 * 86400, 86400, 1},
	    /* ending at the CA's notAfter: a new one would end there too */
	    {"ends with the CA", 0, 30 * 86400, 30 * 86400, 29 * 86400, 0},
	    {"CA expired", 0, 30 * 86400, 31 * 86400, 32 * 86400, 0},
	    {"ends a second before the CA", 0, 30 * 86400, 30 * 86400 + 1,
		29 * 86400, 1},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (respcert_renew_due(
			t[i].nb, t[i].na, t[i].ca_na, t[i].now) != t[i].due) {
			fprintf(stderr, "  renew case %s\n", t[i].name);
			CHECK(0);
		}
}

/*
 * respcert_state: expired from notAfter; expiring within the warning; an
 * automatic responder only once its renewal is overdue (an hour after a
 * third of its life remains), unless it ends with its CA.
 */
static void
test_state(void)
{
	const int64_t D = 86400, W = 14 * D;
	const struct {
		const char *name;
		int64_t nb, na, ca_na, now;
		int automatic;
		enum respcert_state want;
	} t[] = {
	    {"fresh", 0, 90 * D, 3650 * D, D, 0, RESPCERT_OK},
	    {"15 days left", 0, 90 * D, 3650 * D, 75 * D, 0, RESPCERT_OK},
	    {"14 days left", 0, 90 * D, 3650 * D, 76 * D, 0, RESPCERT_EXPIRING},
	    {"a second left", 0, 90 * D, 3650 * D, 90 * D - 1, 0,
		RESPCERT_EXPIRING},
	    {"at notAfter", 0, 90 * D, 3650 * D, 90 * D, 0, RESPCERT_EXPIRED},
	    {"automatic, 12 days left of 30", 0, 30 * D, 3650 * D, 18 * D, 1,
		RESPCERT_OK},
	    {"automatic, renewal due", 0, 30 * D, 3650 * D, 20 * D, 1,
		RESPCERT_OK},
	    {"automatic, due 59 minutes ago", 0, 30 * D, 3650 * D,
		20 * D + 3540, 1, RESPCERT_OK},
	    {"automatic, due an hour ago", 0, 30 * D, 3650 * D, 20 * D + 3600,
		1, RESPCERT_EXPIRING},
	    {"automatic, expired", 0, 30 * D, 3650 * D, 30 * D, 1,
		RESPCERT_EXPIRED},
	    {"automatic, a day's life, due 59 minutes ago", 0, D, 3650 * D,
		D - D / 3 + 3540, 1, RESPCERT_OK},
	    {"automatic, a day's life, due an hour ago", 0, D, 3650 * D,
		D - D / 3 + 3600, 1, RESPCERT_EXPIRING},
	    /* a 3-hour life (none is that short): half the third, 30 min */
	    {"automatic, 3 hours, due 29 minutes ago", 0, 10800, 3650 * D,
		7200 + 1740, 1, RESPCERT_OK},
	    {"automatic, 3 hours, due 30 minutes ago", 0, 10800, 3650 * D,
		7200 + 1800, 1, RESPCERT_EXPIRING},
	    /* a 90-day life: the warning, shorter than a third, rules */
	    {"automatic, 15 days left of 90", 0, 90 * D, 3650 * D, 75 * D, 1,
		RESPCERT_OK},
	    {"automatic, 14 days left of 90", 0, 90 * D, 3650 * D, 76 * D, 1,
		RESPCERT_EXPIRING},
	    /* no renewal can help: the CA's end is the responder's */
	    {"automatic, ends with its CA", 0, 30 * D, 30 * D, 18 * D, 1,
		RESPCERT_EXPIRING},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (respcert_state(t[i].nb, t[i].na, t[i].ca_na, t[i].automatic,
			t[i].now, W) != t[i].want) {
			fprintf(stderr, "  state case %s\n", t[i].name);
			CHECK(0);
		}
	CHECK(strcmp(respcert_state_name(RESPCERT_OK), "ok") == 0);
	CHECK(strcmp(respcert_state_name(RESPCERT_EXPIRING), "expiring") == 0);
	CHECK(strcmp(respcert_state_name(RESPCERT_EXPIRED), "expired") == 0);
}

static const struct test tests[] = {
    {"read_back", test_read_back},
    {"refusals", test_refusals},
    {"renew_due", test_renew_due},
    {"state", test_state},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
