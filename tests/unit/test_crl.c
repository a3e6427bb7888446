/*
 * Unit tests for crl.c and der.c: the CRL encoder, read back by mbedTLS's
 * own CRL parser and by crl_parse, and the extension readers (the CRL
 * half of store.c is in test_store.c).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/x509_crl.h>

#include "codec.h"
#include "harness.h"

static char err[OB_ERRBUF];

/* Name: CN=t */
static const unsigned char name[] = {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06,
    0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x74};
/* sha256WithRSAEncryption */
static const unsigned char alg[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
static const unsigned char key_id[] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

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

static void
test_der_uint(void)
{
	static const struct {
		uint64_t v;
		size_t len;
		unsigned char der[11];
	} t[] = {
	    {0, 3, {0x02, 0x01, 0x00}},
	    {1, 3, {0x02, 0x01, 0x01}},
	    {127, 3, {0x02, 0x01, 0x7f}},
	    {128, 4, {0x02, 0x02, 0x00, 0x80}},
	    {256, 4, {0x02, 0x02, 0x01, 0x00}},
	    {UINT64_MAX, 11,
		{0x02, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff}},
	};
	unsigned char buf[16];
	struct der_w w;
	size_t i, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		der_w_init(&w, buf, sizeof(buf));
		n = der_uint(&w, t[i].v);
		CHECK(!w.full && n == t[i].len);
		CHECK(w.p == buf + sizeof(buf) - n);
		CHECK(memcmp(w.p, t[i].der, t[i].len) == 0);
	}
	/* Full: noted, and every later call is a no-op. */
	der_w_init(&w, buf, 2);
	der_uint(&w, 128);
	CHECK(w.full);
	CHECK(der_raw(&w, buf, 1) == 0 && w.p >= buf);
}

static void
test_der_time(void)
{
	unsigned char buf[32];
	struct der_w w;
	size_t n;
	int64_t t;

	/* 2049-12-31T23:59:59Z: the last UTCTime of RFC 5280 */
	CHECK(util_time_parse("2049-12-31T23:59:59Z", &t) == OB_OK);
	der_w_init(&w, buf, sizeof(buf));
	n = der_time(&w, t);
	CHECK(n == 15 && w.p[0] == 0x17 && w.p[1] == 13);
	CHECK(memcmp(w.p + 2, "491231235959Z", 13) == 0);
	/* 2050 onwards: GeneralizedTime */
	CHECK(util_time_parse("2050-01-01T00:00:00Z", &t) == OB_OK);
	der_w_init(&w, buf, sizeof(buf));
	n = der_time(&w, t);
	CHECK(n == 17 && w.p[0] == 0x18 && w.p[1] == 15);
	CHECK(memcmp(w.p + 2, "20500101000000Z", 15) == 0);
	/* OCSP always writes GeneralizedTime */
	CHECK(util_time_parse("2026-11-24T01:02:03Z", &t) == OB_OK);
	der_w_init(&w, buf, sizeof(buf));
	n = der_gentime(&w, t);
	CHECK(n == 17 && memcmp(w.p + 2, "20261124010203Z", 15) == 0);
}

/* Builds a CRL of entries (with a dummy signature) into *der, malloc'd. */
static enum ob_err
build_num(const struct crl_entry *v, size_t n, const struct ob_crlnum *number,
    unsigned char **der, size_t *len, unsigned char **mem)
{
	static const unsigned char sig[16] = {0x5a};
	struct crl_tbs_in in;
	unsigned char *buf, *tbs;
	size_t cap, tbs_len;
	enum ob_err e;

	memset(&in, 0, sizeof(in));
	in.alg = alg;
	in.alg_len = sizeof(alg);
	in.issuer = name;
	in.issuer_len = sizeof(name);
	in.key_id = key_id;
	in.key_id_len = sizeof(key_id);
	in.number = *number;
	in.this_update = 1795000000; /* 2026-11-18T11:06:40Z */
	in.next_update = 1795086400;
	in.entries = v;
	in.n = n;
	cap = crl_tbs_max(&in) + sizeof(alg) + sizeof(sig) + 16;
	if ((buf = malloc(2 * cap)) == NULL)
		return OB_ERR_NOMEM;
	*mem = buf;
	if ((e = crl_tbs(&in, buf, cap, &tbs, &tbs_len)) != OB_OK)
		return e;
	return crl_wrap(tbs, tbs_len, alg, sizeof(alg), sig, sizeof(sig),
	    buf + cap, cap, der, len);
}

/* The same with a number of up to 64 bits. */
static enum ob_err
build(const struct crl_entry *v, size_t n, uint64_t number, unsigned char **der,
    size_t *len, unsigned char **mem)
{
	struct ob_crlnum num;

	util_crlnum_set(&num, number);
	return build_num(v, n, &num, der, len, mem);
}

static void
test_crl_parses(void)
{
	static const struct crl_entry v[] = {
	    {"a01", 1794000000, 1, 0}, /* keyCompromise */
	    {"ff", 1794000001, -1, 0}, /* none */
	    {"7", 1794000002, 0, 0}, /* unspecified: written as none */
	    /* certificateHold, with an invalidityDate */
	    {"1234", 1794000003, 6, 1793000000},
	};
	/* cRLNumber 7: OID 2.5.29.20, OCTET STRING { INTEGER 7 } */
	static const unsigned char number[] = {
	    0x06, 0x03, 0x55, 0x1d, 0x14, 0x04, 0x03, 0x02, 0x01, 0x07};
	/* AKI: OID, OCTET STRING { SEQUENCE { [0] key_id } } */
	static const unsigned char aki[] = {0x06, 0x03, 0x55, 0x1d, 0x23, 0x04,
	    0x18, 0x30, 0x16, 0x80, 0x14, 1, 2, 3};
	/* reasonCode keyCompromise */
	static const unsigned char reason1[] = {0x30, 0x0c, 0x30, 0x0a, 0x06,
	    0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01, 0x01};
	/* invalidityDate 2026-10-26T07:33:20Z, GeneralizedTime (RFC 5280
	 * 5.3.2) though UTCTime could hold it */
	static const unsigned char inv[] = {0x30, 0x18, 0x06, 0x03, 0x55, 0x1d,
	    0x18, 0x04, 0x11, 0x18, 0x0f, '2', '0', '2', '6', '1', '0', '2',
	    '6', '0', '7', '3', '3', '2', '0', 'Z'};
	mbedtls_x509_crl crl;
	const mbedtls_x509_crl_entry *e;
	unsigned char *der = NULL, *mem = NULL;
	size_t len = 0, i;

	CHECK(build(v, 4, 7, &der, &len, &mem) == OB_OK);
	mbedtls_x509_crl_init(&crl);
	CHECK(der != NULL && mbedtls_x509_crl_parse_der(&crl, der, len) == 0);
	CHECK(crl.version == 2);
	CHECK(crl.issuer_raw.len == sizeof(name) &&
	    memcmp(crl.issuer_raw.p, name, sizeof(name)) == 0);
	/* 2026-11-18T11:06:40Z and a day later, as UTCTime */
	CHECK(crl.this_update.year == 2026 && crl.this_update.mon == 11 &&
	    crl.this_update.day == 18 && crl.this_update.hour == 11 &&
	    crl.this_update.min == 6 && crl.this_update.sec == 40);
	CHECK(crl.next_update.day == 19 && crl.next_update.hour == 11);
	CHECK(contains(crl.crl_ext.p, crl.crl_ext.len, number, sizeof(number)));
	CHECK(contains(crl.crl_ext.p, crl.crl_ext.len, aki, sizeof(aki)));
	/* The entries in order, a reason only where one means something. */
	for (e = &crl.entry, i = 0; e != NULL && e->raw.len > 0;
	     e = e->next, i++) {
		if (i >= 4)
			break;
		CHECK(e->revocation_date.year == 2026);
		CHECK((e->entry_ext.len > 0) == (v[i].reason > 0));
	}
	CHECK(i == 4);
	e = &crl.entry;
	CHECK(e->serial.len == 2 && e->serial.p[0] == 0x0a &&
	    e->serial.p[1] == 0x01);
	CHECK(contains(e->raw.p, e->raw.len, reason1, sizeof(reason1)));
	e = e->next;
	/* 0xFF needs a leading zero to stay positive */
	CHECK(e != NULL && e->serial.len == 2 && e->serial.p[0] == 0 &&
	    e->serial.p[1] == 0xff);
	CHECK(e != NULL && !contains(e->raw.p, e->raw.len, inv, 7));
	e = e != NULL && e->next != NULL ? e->next->next : NULL;
	CHECK(e != NULL && contains(e->raw.p, e->raw.len, inv, sizeof(inv)));
	/* Both extensions: mbedTLS's entry_ext is the SEQUENCE's content. */
	CHECK(e != NULL && e->entry_ext.len == 26 + 12);
	mbedtls_x509_crl_free(&crl);
	free(mem);
}

/*
 * cRLNumbers past 63 bits, up to 20 octets of DER: written minimal and
 * positive, read back by mbedTLS and by crl_parse as the same number.
 */
static void
test_crl_wide_numbers(void)
{
	static const struct {
		const char *hex; /* 40 digits */
		unsigned char der[24]; /* the INTEGER, tag and length first */
		size_t len;
	} v[] = {
	    {"0000000000000000000000008000000000000000",
		{0x02, 0x09, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0}, 11},
	    {"0000000000000000000000010000000000000000",
		{0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}, 11},
	    {"7f00000000000000000000000000000000000001",
		{0x02, 0x14, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0x01},
		22},
	    /* crl_tbs writes what it is given; util_crlnum_next is what
	     * keeps ocspbox's own numbers within 20 octets of DER */
	    {"ff00000000000000000000000000000000000000",
		{0x02, 0x15, 0x00, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0},
		23},
	};
	struct ob_crlnum n;
	struct crl_info ci;
	mbedtls_x509_crl crl;
	unsigned char *der = NULL, *mem = NULL;
	size_t len = 0, i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(util_crlnum_from_hex(v[i].hex, &n) == OB_OK);
		CHECK(build_num(NULL, 0, &n, &der, &len, &mem) == OB_OK);
		mbedtls_x509_crl_init(&crl);
		CHECK(der != NULL &&
		    mbedtls_x509_crl_parse_der(&crl, der, len) == 0);
		CHECK(contains(
		    crl.crl_ext.p, crl.crl_ext.len, v[i].der, v[i].len));
		mbedtls_x509_crl_free(&crl);
		CHECK(der != NULL &&
		    crl_parse(der, len, &ci, err, sizeof(err)) == OB_OK);
		CHECK(util_crlnum_cmp(&ci.number, &n) == 0);
		crl_info_free(&ci);
		free(mem);
		mem = NULL;
	}
}

static void
test_crl_empty_and_bounds(void)
{
	struct crl_entry *v;
	struct crl_tbs_in in;
	mbedtls_x509_crl crl;
	unsigned char *der = NULL, *mem = NULL, *out, small[64];
	size_t len = 0, i, n = 300, cap, outlen;

	/* No revocations: revokedCertificates is absent (RFC 5280 5.1.2.6) */
	CHECK(build(NULL, 0, 1, &der, &len, &mem) == OB_OK);
	mbedtls_x509_crl_init(&crl);
	CHECK(der != NULL && mbedtls_x509_crl_parse_der(&crl, der, len) == 0);
	CHECK(crl.entry.raw.len == 0 && crl.entry.next == NULL);
	mbedtls_x509_crl_free(&crl);
	free(mem);

	/* The bound holds for the longest serials with reasons. */
	if ((v = calloc(n, sizeof(*v))) == NULL) {
		CHECK(0);
		return;
	}
	for (i = 0; i < n; i++) {
		memset(v[i].serial, 'f', OB_SERIAL_DIGITS_MAX);
		v[i].serial[OB_SERIAL_DIGITS_MAX - 1] = "0123456789"[i % 10];
		v[i].revoked_at = 4102444800; /* 2100: GeneralizedTime */
		v[i].reason = 10;
	}
	CHECK(build(v, n, UINT64_MAX >> 1, &der, &len, &mem) == OB_OK);
	mbedtls_x509_crl_init(&crl);
	CHECK(der != NULL && mbedtls_x509_crl_parse_der(&crl, der, len) == 0);
	mbedtls_x509_crl_free(&crl);
	free(mem);

	/* Too small a buffer: RANGE, never a write outside it. */
	memset(&in, 0, sizeof(in));
	in.alg = alg;
	in.alg_len = sizeof(alg);
	in.issuer = name;
	in.issuer_len = sizeof(name);
	in.key_id = key_id;
	in.key_id_len = sizeof(key_id);
	in.entries = v;
	in.n = n;
	CHECK(
	    crl_tbs(&in, small, sizeof(small), &out, &outlen) == OB_ERR_RANGE);
	CHECK(out == NULL && outlen == 0);
	/* A serial that is not canonical hex */
	snprintf(v[0].serial, sizeof(v[0].serial), "xyz");
	cap = crl_tbs_max(&in);
	if ((mem = malloc(cap)) != NULL)
		CHECK(crl_tbs(&in, mem, cap, &out, &outlen) == OB_ERR_INVAL);
	free(mem);
	free(v);
}

static void
test_crl_read_back(void)
{
	static const struct crl_entry v[] = {
	    {"a01", 1794000000, 1, 0}, {"ff", 1794000001, -1, 0},
	    {"7", 1794000002, 0, 0}, {"1234", 1794000003, 6, 0},
	    {"-66", 1794000004, 1, 0}, /* INTEGER 9a */
	    {"9a", 1794000005, -1, 0}, /* INTEGER 00 9a */
	};
	static const int want_reason[] = {1, -1, -1, 6, 1, -1};
	struct crl_info ci;
	mbedtls_x509_crl crl;
	const mbedtls_x509_crl_entry *e;
	unsigned char *der = NULL, *mem = NULL;
	size_t len = 0, i;
	uint64_t number = 0;

	CHECK(build(v, 6, 7, &der, &len, &mem) == OB_OK);
	CHECK(
	    der != NULL && crl_parse(der, len, &ci, err, sizeof(err)) == OB_OK);
	CHECK(util_crlnum_u64(&ci.number, &number) && number == 7 &&
	    ci.this_update == 1795000000 && ci.next_update == 1795086400 &&
	    ci.n == 6);
	CHECK(ci.len == len && ci.der != NULL && memcmp(ci.der, der, len) == 0);
	CHECK(ci.issuer_len == sizeof(name) &&
	    memcmp(ci.issuer, name, sizeof(name)) == 0);
	/* A negative serial is a negative INTEGER (RFC 5280 4.1.2.2). */
	mbedtls_x509_crl_init(&crl);
	CHECK(mbedtls_x509_crl_parse_der(&crl, der, len) == 0);
	for (e = &crl.entry, i = 0; e != NULL && i < 4; e = e->next, i++)
		;
	CHECK(e != NULL && e->serial.len == 1 && e->serial.p[0] == 0x9a);
	e = e != NULL ? e->next : NULL;
	CHECK(e != NULL && e->serial.len == 2 && e->serial.p[0] == 0 &&
	    e->serial.p[1] == 0x9a);
	mbedtls_x509_crl_free(&crl);
	for (i = 0; i < ci.n && i < 6; i++) {
		CHECK_STR(ci.entries[i].serial, v[i].serial);
		CHECK(ci.entries[i].revoked_at == v[i].revoked_at);
		CHECK(ci.entries[i].reason == want_reason[i]);
	}
	crl_info_free(&ci);
	/* Not a CRL, or a truncated one: INVAL, with a reason, nothing kept */
	CHECK(crl_parse(der, len / 2, &ci, err, sizeof(err)) == OB_ERR_INVAL);
	CHECK(ci.der == NULL && ci.entries == NULL && err[0] != '\0');
	CHECK(crl_parse(name, sizeof(name), &ci, err, sizeof(err)) ==
	    OB_ERR_INVAL);
	free(mem);
}

static void
test_crl_ext_parsers(void)
{
	/* 30 L 30 L 06 03 55 1d 14 04 L 02 L, then the INTEGER's octets */
#define NUM_HEAD(n) \
	0x30, (n) + 11, 0x30, (n) + 9, 0x06, 0x03, 0x55, 0x1d, 0x14, 0x04, \
	    (n) + 2, 0x02, (n)
	static const struct {
		const char *name;
		unsigned char der[48];
		size_t len;
		enum ob_err e;
		const char *number; /* decimal */
		const char *why; /* in *why */
	} num[] = {
	    {"zero", {NUM_HEAD(1), 0x00}, 14, OB_OK, "0", ""},
	    {"critical",
		{0x30, 0x0f, 0x30, 0x0d, 0x06, 0x03, 0x55, 0x1d, 0x14, 0x01,
		    0x01, 0xff, 0x04, 0x03, 0x02, 0x01, 0x2a},
		17, OB_OK, "42", ""},
	    {"empty integer",
		{0x30, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x1d, 0x14, 0x04,
		    0x02, 0x02, 0x00},
		13, OB_ERR_INVAL, "0", "malformed"},
	    {"2^63-1",
		{NUM_HEAD(8), 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		21, OB_OK, "9223372036854775807", ""},
	    {"2^63", {NUM_HEAD(9), 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0}, 22, OB_OK,
		"9223372036854775808", ""},
	    {"2^159-1: 20 octets",
		{NUM_HEAD(20), 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff},
		33, OB_OK, "730750818665451459101842416358141509827966271487",
		""},
	    {"2^160-1: 20 octets of value",
		{NUM_HEAD(21), 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff},
		34, OB_OK, "1461501637330902918203684832716283019655932542975",
		""},
	    {"2^160: 21 octets of value",
		{NUM_HEAD(21), 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0},
		34, OB_ERR_RANGE, "0", "longer than 20 octets"},
	    {"negative", {NUM_HEAD(1), 0xff}, 14, OB_ERR_RANGE, "0",
		"negative"},
	    {"negative, long", {NUM_HEAD(9), 0x80, 0, 0, 0, 0, 0, 0, 0, 1}, 22,
		OB_ERR_RANGE, "0", "negative"},
	    {"trailing",
		{0x30, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x1d, 0x14, 0x04,
		    0x04, 0x02, 0x01, 0x00, 0x00},
		15, OB_ERR_INVAL, "0", "malformed"},
	    {"absent",
		{0x30, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x1d, 0x23, 0x04,
		    0x02, 0x30, 0x00},
		13, OB_ERR_NOTFOUND, "0", "no cRLNumber"},
	    {"lying length",
		{0x30, 0x7f, 0x30, 0x09, 0x06, 0x03, 0x55, 0x1d, 0x14, 0x04,
		    0x02, 0x02, 0x00},
		13, OB_ERR_INVAL, "0", "malformed"},
	};
#undef NUM_HEAD
	static const unsigned char reason7[] = {0x30, 0x0c, 0x30, 0x0a, 0x06,
	    0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01, 0x07};
	static const unsigned char reason10[] = {0x30, 0x0c, 0x30, 0x0a, 0x06,
	    0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01, 0x0a};
	struct ob_crlnum n;
	char dec[OB_CRLNUM_DEC + 1];
	const char *why;
	size_t i;
	int r;

	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++) {
		memset(&n, 0x5a, sizeof(n));
		why = NULL;
		if (crl_ext_number(num[i].der, num[i].len, &n, &why) !=
			num[i].e ||
		    (util_crlnum_dec(&n, dec), strcmp(dec, num[i].number)) !=
			0 ||
		    why == NULL || strstr(why, num[i].why) == NULL ||
		    (num[i].why[0] == '\0') != (why[0] == '\0')) {
			fprintf(stderr, "  number case %s\n", num[i].name);
			CHECK(0);
		}
	}
	CHECK(crl_ext_number(num[0].der, num[0].len, &n, NULL) == OB_OK);
	CHECK(
	    crl_ext_reason(reason10, sizeof(reason10), &r) == OB_OK && r == 10);
	CHECK(crl_ext_reason(reason7, sizeof(reason7), &r) == OB_ERR_INVAL &&
	    r == -1);
	CHECK(crl_ext_reason(NULL, 0, &r) == OB_OK && r == -1);
	CHECK(crl_ext_reason(num[0].der, num[0].len, &r) == OB_OK && r == -1);
}

static const struct test tests[] = {
    {"der_uint", test_der_uint},
    {"der_time", test_der_time},
    {"crl_parses", test_crl_parses},
    {"crl_wide_numbers", test_crl_wide_numbers},
    {"crl_empty_and_bounds", test_crl_empty_and_bounds},
    {"crl_read_back", test_crl_read_back},
    {"crl_ext_parsers", test_crl_ext_parsers},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
