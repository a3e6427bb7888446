/*
 * Unit tests for ocsp_req.c: the openssl-made requests under
 * tests/vectors/ocsp_req/ (expected results in the table below) and every
 * malformed shape we could think of, built with a small DER writer.
 * Inputs are parsed from exact-size heap copies so ASan sees overreads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "harness.h"
#include "../fuzz/ocsp_req_check.h"

#define VECTORS "tests/vectors/ocsp_req/"

/* ---- the vectors (make.sh; offsets from openssl asn1parse) ------------ */

#define RSA_CA_NAME_SHA1 "c9b573fff774af30cd0ae8c269427c2c87e9e353"
#define EC_CA_NAME_SHA256 \
	"fb5a783510366e89893406b389f0ca12c0cbc06a612b62675fee85b2d9b1755c"

struct want_certid {
	size_t off, len; /* the CertID TLV in the file */
	enum ocsp_hash hash;
	size_t name_off, key_off, key_len, serial_off; /* contents */
	const char *name_hash; /* hex */
	const char *serial; /* hex of the INTEGER contents */
};

static const struct vector {
	const char *file;
	size_t len;
	enum ob_err e;
	size_t ncertids;
	struct want_certid c[3];
	/* nonce_ext_len 0: no nonce */
	size_t nonce_ext_off, nonce_ext_len, nonce_off, nonce_len;
	int signed_req;
} vectors[] = {
    {"sha1-nonce", 106, OB_OK, 1,
	{{8, 61, OCSP_HASH_SHA1, 23, 45, 20, 67, RSA_CA_NAME_SHA1, "0a01"}}, 88,
	18, 90, 16, 0},
    {"sha1-nononce", 69, OB_OK, 1,
	{{8, 61, OCSP_HASH_SHA1, 23, 45, 20, 67, RSA_CA_NAME_SHA1, "0a01"}}, 0,
	0, 0, 0, 0},
    {"sha256", 136, OB_OK, 1,
	{{10, 89, OCSP_HASH_SHA256, 29, 63, 32, 97, EC_CA_NAME_SHA256, "0b01"}},
	118, 18, 120, 16, 0},
    {"three", 235, OB_OK, 3,
	{{11, 61, OCSP_HASH_SHA1, 26, 48, 20, 70, RSA_CA_NAME_SHA1, "0a01"},
	    {74, 61, OCSP_HASH_SHA1, 89, 111, 20, 133, RSA_CA_NAME_SHA1,
		"0a02"},
	    {137, 61, OCSP_HASH_SHA1, 152, 174, 20, 196, RSA_CA_NAME_SHA1,
		"0a03"}},
	217, 18, 219, 16, 0},
    {"serial00", 70, OB_OK, 1,
	{{8, 62, OCSP_HASH_SHA1, 23, 45, 20, 67, RSA_CA_NAME_SHA1, "008a01"}},
	0, 0, 0, 0, 0},
    {"signed", 1342, OB_OK, 1,
	{{74, 61, OCSP_HASH_SHA1, 89, 111, 20, 133, RSA_CA_NAME_SHA1, "0a01"}},
	154, 18, 156, 16, 1},
    {"signed-nocerts", 419, OB_OK, 1,
	{{74, 61, OCSP_HASH_SHA1, 89, 111, 20, 133, RSA_CA_NAME_SHA1, "0a02"}},
	0, 0, 0, 0, 1},
    {"nonce32", 122, OB_OK, 1,
	{{8, 61, OCSP_HASH_SHA1, 23, 45, 20, 67, RSA_CA_NAME_SHA1, "0a01"}}, 88,
	34, 90, 32, 0},
    {"nonce33", 123, OB_ERR_RANGE, 0, {{0}}, 0, 0, 0, 0, 0},
    {"nonce-bare", 104, OB_OK, 1,
	{{8, 61, OCSP_HASH_SHA1, 23, 45, 20, 67, RSA_CA_NAME_SHA1, "0a01"}}, 88,
	16, 88, 16, 0},
    {"keyhash-empty", 49, OB_OK, 1,
	{{8, 41, OCSP_HASH_SHA1, 23, 45, 0, 47, RSA_CA_NAME_SHA1, "0a01"}}, 0,
	0, 0, 0, 0},
};
#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

/* ---- helpers ------------------------------------------------------------ */

/* Reads tests/vectors/ocsp_req/NAME.der into an exact-size buffer. */
static unsigned char *
load(const char *name, size_t *len)
{
	char path[256];
	unsigned char *buf = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), VECTORS "%s.der", name);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "  cannot read %s (run from the top)\n", path);
		abort();
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
is_zero(const struct ocsp_req *r)
{
	static const struct ocsp_req zero;

	return memcmp(r, &zero, sizeof(zero)) == 0;
}

/* Moves a pointer into copy over to the same offset in orig. */
static const unsigned char *
rebase(const unsigned char *p, const unsigned char *copy,
    const unsigned char *orig)
{
	return p == NULL ? NULL : orig + (p - copy);
}

/*
 * Records why when the contract of ocsp_req_parse does not hold (the
 * checker the fuzz target aborts on).
 */
static void
check_contract(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "  ocsp_req_parse contract: %s\n", why);
	CHECK(why == NULL);
}

/*
 * Parses an exact-size heap copy of der (len bytes) and checks the
 * contract (ocsp_req_check.h), then points *r's borrowed pointers into
 * der itself so the caller may look at them.
 */
static enum ob_err
parse(const unsigned char *der, size_t len, struct ocsp_req *r)
{
	unsigned char *copy;
	enum ob_err e;
	size_t i;

	if ((copy = malloc(len == 0 ? 1 : len)) == NULL)
		abort();
	if (len > 0)
		memcpy(copy, der, len);
	check_contract(ocsp_req_check(copy, len, r, &e));
	if (e == OB_OK) {
		for (i = 0; i < r->ncertids; i++) {
			r->certids[i].der =
			    rebase(r->certids[i].der, copy, der);
			r->certids[i].name_hash =
			    rebase(r->certids[i].name_hash, copy, der);
			r->certids[i].key_hash =
			    rebase(r->certids[i].key_hash, copy, der);
			r->certids[i].serial =
			    rebase(r->certids[i].serial, copy, der);
		}
		r->nonce_ext = rebase(r->nonce_ext, copy, der);
		r->nonce = rebase(r->nonce, copy, der);
	}
	free(copy);
	return e;
}

static void
tohex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* ---- a tiny DER writer -------------------------------------------------- */

struct buf {
	size_t len;
	unsigned char b[OCSP_REQ_MAX_LEN + 4096];
};

static struct buf *
b_new(void)
{
	struct buf *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		abort();
	return b;
}

static void
b_raw(struct buf *b, const void *p, size_t n)
{
	if (n > sizeof(b->b) - b->len)
		abort();
	memcpy(b->b + b->len, p, n);
	b->len += n;
}

/* Appends bytes written as hex; spaces are ignored. */
static void
b_hex(struct buf *b, const char *hex)
{
	unsigned char c;
	unsigned int v;

	for (; *hex != '\0'; hex++) {
		if (*hex == ' ')
			continue;
		if (sscanf(hex, "%2x", &v) != 1)
			abort();
		c = (unsigned char)v;
		b_raw(b, &c, 1);
		hex++;
	}
}

/* Appends n copies of byte c. */
static void
b_fill(struct buf *b, int c, size_t n)
{
	if (n > sizeof(b->b) - b->len)
		abort();
	memset(b->b + b->len, c, n);
	b->len += n;
}

/* Appends a DER tag and length header. */
static void
b_hdr(struct buf *b, int tag, size_t n)
{
	unsigned char h[6];
	size_t k = 0, i;

	h[k++] = (unsigned char)tag;
	if (n < 0x80)
		h[k++] = (unsigned char)n;
	else {
		i = n > 0xffff ? 3 : n > 0xff ? 2 : 1;
		h[k++] = (unsigned char)(0x80 | i);
		while (i-- > 0)
			h[k++] = (unsigned char)(n >> (8 * i));
	}
	b_raw(b, h, k);
}

/* Appends the TLV tag { body } (body may be NULL: empty). */
static void
b_tlv(struct buf *b, int tag, const struct buf *body)
{
	b_hdr(b, tag, body == NULL ? 0 : body->len);
	if (body != NULL)
		b_raw(b, body->b, body->len);
}

/* Replaces b with the TLV tag { b }. */
static void
b_wrap(struct buf *b, int tag)
{
	struct buf *t = b_new();

	b_tlv(t, tag, b);
	memcpy(b->b, t->b, t->len);
	b->len = t->len;
	free(t);
}

#define OID_SHA1 "06 05 2b0e03021a"
#define OID_SHA256 "06 09 608648016503040201"
#define OID_SHA512 "06 09 608648016503040203"
#define OID_NONCE "06 09 2b0601050507300102"
#define OID_RESPONSE "06 09 2b0601050507300104"
#define OID_LOCATOR "06 09 2b0601050507300107"
#define OID_PREF_SIG "06 09 2b0601050507300108"
#define OID_UNKNOWN "06 03 2a0304" /* 1.2.3.4 */

/*
 * Appends a CertID: alg is the hashAlgorithm's contents (hex), the hashes
 * are name_len bytes of 0x11 and key_len of 0x22, serial is hex contents
 * and tail (hex) comes after it, inside the CertID.
 */
static void
b_certid_tail(struct buf *b, const char *alg, size_t name_len, size_t key_len,
    const char *serial, const char *tail)
{
	struct buf *c = b_new(), *a = b_new();

	b_hex(a, alg);
	b_tlv(c, 0x30, a);
	b_hdr(c, 0x04, name_len);
	b_fill(c, 0x11, name_len);
	b_hdr(c, 0x04, key_len);
	b_fill(c, 0x22, key_len);
	a->len = 0;
	b_hex(a, serial);
	b_tlv(c, 0x02, a);
	b_hex(c, tail);
	b_tlv(b, 0x30, c);
	free(a);
	free(c);
}

static void
b_certid(struct buf *b, const char *alg, size_t name_len, size_t key_len,
    const char *serial)
{
	b_certid_tail(b, alg, name_len, key_len, serial, "");
}

/* Appends n Requests of SHA-1 CertIDs with serials 1, 2 .... */
static void
b_requests(struct buf *b, size_t n)
{
	struct buf *r = b_new();
	char serial[8];
	size_t i;

	for (i = 0; i < n; i++) {
		r->len = 0;
		snprintf(serial, sizeof(serial), "%02zx", i + 1);
		b_certid(r, OID_SHA1 " 0500", 20, 20, serial);
		b_tlv(b, 0x30, r);
	}
	free(r);
}

/* Appends an Extension (critical: 0 absent, 1 TRUE, -1 explicit FALSE). */
static void
b_ext(struct buf *b, const char *oid, int critical, const struct buf *value)
{
	struct buf *e = b_new();

	b_hex(e, oid);
	if (critical != 0)
		b_hex(e, critical > 0 ? "0101ff" : "010100");
	b_tlv(e, 0x04, value);
	b_tlv(b, 0x30, e);
	free(e);
}

/*
 * An OCSPRequest: pre goes before the requestList in the TBSRequest
 * (version, requestorName), reqs is the requestList's contents, exts the
 * Extensions' contents ([2] absent when NULL), sig the optionalSignature
 * contents (absent when NULL). Any may be NULL; the caller frees.
 */
static struct buf *
mk_req(const struct buf *pre, const struct buf *reqs, const struct buf *exts,
    const struct buf *sig)
{
	struct buf *b = b_new(), *t = b_new();

	if (pre != NULL)
		b_raw(t, pre->b, pre->len);
	b_tlv(t, 0x30, reqs);
	if (exts != NULL) {
		b_tlv(b, 0x30, exts);
		b_wrap(b, 0xa2);
		b_raw(t, b->b, b->len);
		b->len = 0;
	}
	b_tlv(b, 0x30, t);
	if (sig != NULL)
		b_tlv(b, 0xa0, sig);
	b_wrap(b, 0x30);
	free(t);
	return b;
}

/* A request of one SHA-1 CertID with the Extensions contents exts. */
static struct buf *
mk_req_exts(const struct buf *exts)
{
	struct buf *reqs = b_new(), *b;

	b_requests(reqs, 1);
	b = mk_req(NULL, reqs, exts, NULL);
	free(reqs);
	return b;
}

/* A request of one CertID (its contents written by b_certid's args). */
static struct buf *
mk_req_certid(
    const char *alg, size_t name_len, size_t key_len, const char *serial)
{
	struct buf *reqs = b_new(), *r = b_new(), *b;

	b_certid(r, alg, name_len, key_len, serial);
	b_tlv(reqs, 0x30, r);
	b = mk_req(NULL, reqs, NULL, NULL);
	free(r);
	free(reqs);
	return b;
}

static enum ob_err
parse_buf(const struct buf *b, struct ocsp_req *r)
{
	return parse(b->b, b->len, r);
}

/* ---- the vectors -------------------------------------------------------- */

static void
test_vectors(void)
{
	const struct vector *v;
	const struct want_certid *w;
	const struct ocsp_certid *c;
	struct ocsp_req r;
	unsigned char *der;
	char hex[2 * OB_SERIAL_MAX_OCTETS + 1];
	size_t i, k, len;
	enum ob_err e;

	for (i = 0; i < NVECTORS; i++) {
		v = &vectors[i];
		der = load(v->file, &len);
		CHECK(len == v->len);
		/* Straight on the exact-size buffer: pointers into der. */
		check_contract(ocsp_req_check(der, len, &r, &e));
		if (e != v->e)
			fprintf(stderr, "  %s: %s\n", v->file, ob_strerror(e));
		CHECK(e == v->e);
		if (e != OB_OK) {
			free(der);
			continue;
		}
		CHECK(r.ncertids == v->ncertids);
		for (k = 0; k < r.ncertids && k < 3; k++) {
			c = &r.certids[k];
			w = &v->c[k];
			CHECK(c->hash == w->hash);
			CHECK(c->der == der + w->off && c->der_len == w->len);
			CHECK(c->name_hash == der + w->name_off);
			CHECK(c->key_hash == der + w->key_off &&
			    c->key_hash_len == w->key_len);
			CHECK(c->serial == der + w->serial_off);
			tohex(c->name_hash, c->name_hash_len, hex);
			CHECK_STR(hex, w->name_hash);
			if (c->serial_len <= OB_SERIAL_MAX_OCTETS) {
				tohex(c->serial, c->serial_len, hex);
				CHECK_STR(hex, w->serial);
			}
		}
		if (v->nonce_ext_len == 0)
			CHECK(r.nonce_ext == NULL && r.nonce == NULL);
		else {
			CHECK(r.nonce_ext == der + v->nonce_ext_off &&
			    r.nonce_ext_len == v->nonce_ext_len);
			CHECK(r.nonce == der + v->nonce_off &&
			    r.nonce_len == v->nonce_len);
		}
		CHECK(r.signed_req == v->signed_req);
		free(der);
	}
}

/* Every proper prefix of every vector fails, with no read past it. */
static void
test_truncation(void)
{
	struct ocsp_req r;
	unsigned char *der;
	size_t i, cut, len, bad;

	for (i = 0; i < NVECTORS; i++) {
		der = load(vectors[i].file, &len);
		for (cut = 0, bad = 0; cut < len; cut++)
			if (parse(der, cut, &r) == OB_OK)
				bad++;
		if (bad != 0)
			fprintf(stderr, "  %s: %zu prefixes parse\n",
			    vectors[i].file, bad);
		CHECK(bad == 0);
		free(der);
	}
}

/* One TLV the parser reads: its tag's offset, its length octets. */
struct tlv_at {
	size_t off, nlen;
};
#define MAX_TLVS 256

/*
 * Collects in at every TLV the parser reads in der[start, end) (a valid
 * vector), descending into constructed ones except the two it steps
 * over unread: the GeneralName of requestorName and each Certificate of
 * the signature. path[0..depth) holds the enclosing tags.
 */
static void
walk(const unsigned char *der, size_t start, size_t end, int *path,
    size_t depth, struct tlv_at *at, size_t *n)
{
	static const int gname[] = {0x30, 0x30, 0xa1};
	static const int cert[] = {0x30, 0xa0, 0x30, 0xa0, 0x30};
	size_t i = start, len, k, j;

	while (i < end) {
		k = (der[i + 1] & 0x80) != 0 ? der[i + 1] & 0x7fu : 0;
		len = k == 0 ? der[i + 1] : 0;
		for (j = 0; j < k; j++)
			len = len << 8 | der[i + 2 + j];
		if (*n == MAX_TLVS)
			abort();
		at[*n].off = i;
		at[(*n)++].nlen = 1 + k;
		if ((der[i] & 0x20) != 0 && depth < 16 &&
		    !(depth == 3 && memcmp(path, gname, sizeof(gname)) == 0) &&
		    !(depth == 5 && memcmp(path, cert, sizeof(cert)) == 0)) {
			path[depth] = der[i];
			walk(der, i + 2 + k, i + 2 + k + len, path, depth + 1,
			    at, n);
		}
		i += 2 + k + len;
	}
}

/* A lying length anywhere fails: every other value of every octet. */
static void
test_lying_lengths(void)
{
	struct tlv_at at[MAX_TLVS];
	struct ocsp_req r;
	unsigned char *der;
	size_t i, j, k, n, len, off, tried, bad;
	int path[16], v, orig;

	for (i = 0; i < NVECTORS; i++) {
		der = load(vectors[i].file, &len);
		n = 0;
		walk(der, 0, len, path, 0, at, &n);
		CHECK(n >= 11); /* the walk found the structure */
		for (j = 0, tried = 0, bad = 0; j < n; j++) {
			for (k = 0; k < at[j].nlen; k++) {
				off = at[j].off + 1 + k;
				orig = der[off];
				for (v = 0; v < 256; v++) {
					if (v == orig)
						continue;
					der[off] = (unsigned char)v;
					tried++;
					if (parse(der, len, &r) != OB_OK)
						continue;
					/*
					 * An OID may grow over the header
					 * after it (06 05 2b0e03021a 0500 as
					 * 06 07 ...) and still be DER: its
					 * contents have no structure.
					 */
					if (der[at[j].off] == 0x06 && v > orig)
						continue;
					if (bad++ == 0)
						fprintf(stderr,
						    "  %s: offset %zu = %02x "
						    "parses\n",
						    vectors[i].file, off, v);
				}
				der[off] = (unsigned char)orig;
			}
		}
		CHECK(bad == 0 && tried >= 11 * 255);
		CHECK(parse(der, len, &r) == vectors[i].e);
		free(der);
	}
}

/* Every other value of every tag octet of the unsigned vectors fails. */
static void
test_wrong_tags(void)
{
	static const char *files[] = {
	    "sha1-nonce", "sha256", "three", "keyhash-empty"};
	struct tlv_at at[MAX_TLVS];
	struct ocsp_req r;
	unsigned char *der;
	size_t i, j, n, len, bad;
	int path[16], v, orig;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		der = load(files[i], &len);
		n = 0;
		walk(der, 0, len, path, 0, at, &n);
		for (j = 0, bad = 0; j < n; j++) {
			orig = der[at[j].off];
			for (v = 0; v < 256; v++) {
				if (v == orig)
					continue;
				der[at[j].off] = (unsigned char)v;
				if (parse(der, len, &r) == OB_OK && bad++ == 0)
					fprintf(stderr,
					    "  %s: tag at %zu = %02x parses\n",
					    files[i], at[j].off, v);
			}
			der[at[j].off] = (unsigned char)orig;
		}
		CHECK(n >= 11 && bad == 0);
		free(der);
	}
}

static void
test_trailing(void)
{
	struct ocsp_req r;
	struct buf *b = b_new();
	unsigned char *der;
	size_t len;

	der = load("sha1-nonce", &len);
	b_raw(b, der, len);
	CHECK(parse_buf(b, &r) == OB_OK);
	b_hex(b, "00");
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	b_hex(b, "00");
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	/* Two requests back to back. */
	b->len = 0;
	b_raw(b, der, len);
	b_raw(b, der, len);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	/* Trailing bytes inside the outer SEQUENCE, after the TBSRequest. */
	b->len = 0;
	b_raw(b, der + 2, len - 2);
	b_hex(b, "0500");
	b_wrap(b, 0x30);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	free(der);
	free(b);
}

/* Indefinite and non-shortest lengths are BER, not DER. */
static void
test_length_forms(void)
{
	struct ocsp_req r;
	struct buf *b = b_new();
	unsigned char *der;
	size_t len;

	der = load("sha1-nononce", &len); /* 30 43 30 41 ... */
	b_hex(b, "3080");
	b_raw(b, der + 2, len - 2);
	b_hex(b, "0000");
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	/* The indefinite form inside: the TBSRequest. */
	b->len = 0;
	b_hex(b, "3045 3080");
	b_raw(b, der + 4, len - 4);
	b_hex(b, "0000");
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	/* 0x81 0x43 where 0x43 will do; 0x82 0x00 0x43. */
	b->len = 0;
	b_hex(b, "3081 43");
	b_raw(b, der + 2, len - 2);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	b->len = 0;
	b_hex(b, "3082 0043");
	b_raw(b, der + 2, len - 2);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	/* The same in the CertID. */
	b->len = 0;
	b_hex(b, "3044 3042 3040 303e 3081 3b");
	b_raw(b, der + 10, len - 10);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	/* The long form where it is the shortest (30 81 81) is fine. */
	free(b);
	b = mk_req_certid(OID_SHA1 " 0500", 20, 20,
	    "0102030405060708090a0b0c0d0e0f10111213141516171819"
	    "1a1b1c1d1e1f20212223242526272829"
	    "2a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40");
	CHECK(b->b[1] == 0x81 && b->b[2] >= 0x80);
	CHECK(parse_buf(b, &r) == OB_OK && r.certids[0].serial_len == 64);
	free(b);
	free(der);
}

static void
test_outer_tags(void)
{
	struct ocsp_req r;
	unsigned char *der;
	size_t len;
	int v, bad = 0;

	der = load("sha1-nononce", &len);
	for (v = 0; v < 256; v++) {
		der[0] = (unsigned char)v;
		if ((parse(der, len, &r) == OB_OK) != (v == 0x30))
			bad++;
	}
	CHECK(bad == 0);
	der[0] = 0x31; /* SET */
	CHECK(parse(der, len, &r) == OB_ERR_INVAL);
	free(der);
}

static void
test_empty_input(void)
{
	struct ocsp_req r;
	unsigned char z[2] = {0x30, 0x00};

	memset(&r, 0xa5, sizeof(r));
	CHECK(ocsp_req_parse(NULL, 0, &r) == OB_ERR_INVAL && is_zero(&r));
	CHECK(parse(z, 0, &r) == OB_ERR_INVAL);
	CHECK(parse(z, 1, &r) == OB_ERR_INVAL);
	CHECK(parse(z, 2, &r) == OB_ERR_INVAL); /* no TBSRequest */
}

/* Built from nesting: SEQUENCE { SEQUENCE { ... depth times } }. */
static void
b_nest(struct buf *b, size_t depth)
{
	size_t i;

	for (i = 0; i < depth; i++)
		b_wrap(b, 0x30);
}

static void
test_deep_nesting(void)
{
	struct ocsp_req r;
	struct buf *pre = b_new(), *reqs = b_new(), *exts = b_new(), *v, *b;

	b_requests(reqs, 1);
	/* requestorName: stepped over, unread, however deep. */
	b_nest(pre, 5000);
	b_wrap(pre, 0xa4);
	b_wrap(pre, 0xa1);
	b = mk_req(pre, reqs, NULL, NULL);
	CHECK(parse_buf(b, &r) == OB_OK && r.ncertids == 1);
	free(b);
	/* In a non-critical extension's value: OK; a critical one: not. */
	v = b_new();
	b_nest(v, 5000);
	b_ext(exts, OID_UNKNOWN, 0, v);
	b = mk_req_exts(exts);
	CHECK(parse_buf(b, &r) == OB_OK && r.nonce == NULL);
	free(b);
	exts->len = 0;
	b_ext(exts, OID_UNKNOWN, 1, v);
	b = mk_req_exts(exts);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	free(b);
	/* Nesting where an Extension belongs. */
	exts->len = 0;
	b_nest(exts, 5000);
	b = mk_req_exts(exts);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	free(b);
	/* Nesting where a Request belongs. */
	reqs->len = 0;
	b_nest(reqs, 5000);
	b = mk_req(NULL, reqs, NULL, NULL);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	free(b);
	free(v);
	free(pre);
	free(reqs);
	free(exts);
}

static void
test_certid_count(void)
{
	struct ocsp_req r;
	struct buf *reqs = b_new(), *b;

	b_requests(reqs, OCSP_REQ_MAX_CERTIDS);
	b = mk_req(NULL, reqs, NULL, NULL);
	CHECK(parse_buf(b, &r) == OB_OK);
	CHECK(r.ncertids == OCSP_REQ_MAX_CERTIDS);
	CHECK(r.certids[31].serial_len == 1 && r.certids[31].serial[0] == 32);
	free(b);
	reqs->len = 0;
	b_requests(reqs, OCSP_REQ_MAX_CERTIDS + 1);
	b = mk_req(NULL, reqs, NULL, NULL);
	CHECK(parse_buf(b, &r) == OB_ERR_RANGE);
	free(b);
	/* An empty requestList: no CertID is malformed (the contract). */
	reqs->len = 0;
	b = mk_req(NULL, reqs, NULL, NULL);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	free(b);
	free(reqs);
}

static void
test_version(void)
{
	static const struct {
		const char *pre;
		enum ob_err e;
	} cases[] = {
	    {"a003 020100", OB_OK}, /* v1, though DER omits a DEFAULT */
	    {"a003 020101", OB_ERR_INVAL}, /* v2 does not exist */
	    {"a003 0201ff", OB_ERR_INVAL},
	    {"a004 02020000", OB_ERR_INVAL}, /* not minimal */
	    {"a002 0200", OB_ERR_INVAL},
	    {"a002 020100", OB_ERR_INVAL}, /* the INTEGER overruns [0] */
	    {"a000", OB_ERR_INVAL},
	    {"a005 020100 0500", OB_ERR_INVAL}, /* [0] not filled */
	    {"a003 040100", OB_ERR_INVAL}, /* not an INTEGER */
	    {"a303 020100", OB_ERR_INVAL}, /* unknown field */
	    /* requestorName: one TLV of any shape, after the version. */
	    {"a003 020100 a106 8204 612e6f72", OB_OK},
	    {"a106 8204 612e6f72", OB_OK},
	    {"a106 8204 612e6f72 a003 020100", OB_ERR_INVAL}, /* order */
	    {"a100", OB_ERR_INVAL},
	    {"a108 8204 612e6f72 0500", OB_ERR_INVAL}, /* two TLVs */
	    {"a104 9f020100", OB_ERR_INVAL}, /* high tag number form */
	};
	struct ocsp_req r;
	struct buf *pre = b_new(), *reqs = b_new(), *b;
	size_t i;
	enum ob_err e;

	b_requests(reqs, 2);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pre->len = 0;
		b_hex(pre, cases[i].pre);
		b = mk_req(pre, reqs, NULL, NULL);
		if ((e = parse_buf(b, &r)) != cases[i].e)
			fprintf(stderr, "  case %zu: %s\n", i, ob_strerror(e));
		CHECK(e == cases[i].e);
		if (e == OB_OK)
			CHECK(r.ncertids == 2 && r.signed_req == 0);
		free(b);
	}
	free(pre);
	free(reqs);
}

/* Extensions holding one nonce whose extnValue contents are val (hex). */
static enum ob_err
nonce_case(const char *val, struct ocsp_req *r, struct buf **out)
{
	struct buf *exts = b_new(), *v = b_new();
	enum ob_err e;

	b_hex(v, val);
	b_ext(exts, OID_NONCE, 0, v);
	*out = mk_req_exts(exts);
	e = parse_buf(*out, r);
	free(v);
	free(exts);
	return e;
}

static void
test_nonce(void)
{
	static const struct {
		const char *val;
		enum ob_err e;
		size_t skip, len; /* the nonce inside extnValue */
	} cases[] = {
	    {"0401aa", OB_OK, 2, 1},
	    {"0410 00112233445566778899aabbccddeeff", OB_OK, 2, 16},
	    {"aa", OB_OK, 0, 1}, /* bare */
	    {"00112233445566778899aabbccddeeff", OB_OK, 0, 16},
	    {"0402aa", OB_OK, 0, 3}, /* not one OCTET STRING: bare */
	    {"0401aabb", OB_OK, 0, 4}, {"", OB_ERR_RANGE, 0, 0}, /* empty */
	    {"0400", OB_ERR_RANGE, 0, 0}, /* empty inside */
	};
	struct ocsp_req r;
	struct buf *b, *v = b_new(), *exts = b_new();
	const unsigned char *val;
	size_t i;
	enum ob_err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if ((e = nonce_case(cases[i].val, &r, &b)) != cases[i].e)
			fprintf(stderr, "  case %zu: %s\n", i, ob_strerror(e));
		CHECK(e == cases[i].e);
		if (e == OB_OK) {
			/* extnValue is the last TLV of the request. */
			val = b->b + b->len - r.nonce_ext_len;
			CHECK(r.nonce_ext == val);
			CHECK(r.nonce == val + cases[i].skip);
			CHECK(r.nonce_len == cases[i].len);
		}
		free(b);
	}
	/* 32 octets, wrapped and bare, are fine; 33 are not. */
	for (i = 31; i <= 34; i++) {
		v->len = 0;
		b_hdr(v, 0x04, i);
		b_fill(v, 0x5a, i);
		exts->len = 0;
		b_ext(exts, OID_NONCE, 0, v);
		b = mk_req_exts(exts);
		CHECK(parse_buf(b, &r) ==
		    (i <= OCSP_NONCE_MAX ? OB_OK : OB_ERR_RANGE));
		if (i <= OCSP_NONCE_MAX)
			CHECK(r.nonce_len == i && r.nonce_ext_len == i + 2);
		free(b);
		v->len = 0;
		b_fill(v, 0x5a, i);
		exts->len = 0;
		b_ext(exts, OID_NONCE, 0, v);
		b = mk_req_exts(exts);
		CHECK(parse_buf(b, &r) ==
		    (i <= OCSP_NONCE_MAX ? OB_OK : OB_ERR_RANGE));
		free(b);
	}
	/* A critical nonce is one we know. */
	v->len = 0;
	b_hex(v, "0401aa");
	exts->len = 0;
	b_ext(exts, OID_NONCE, 1, v);
	b = mk_req_exts(exts);
	CHECK(parse_buf(b, &r) == OB_OK && r.nonce_len == 1);
	free(b);
	/* Two nonces: which one to echo? */
	b_ext(exts, OID_NONCE, 0, v);
	b = mk_req_exts(exts);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	free(b);
	free(v);
	free(exts);
}

static void
test_extensions(void)
{
	static const struct {
		const char *oid;
		int critical;
		enum ob_err e;
	} cases[] = {
	    {OID_UNKNOWN, 0, OB_OK},
	    {OID_UNKNOWN, -1, OB_OK}, /* explicit FALSE */
	    {OID_UNKNOWN, 1, OB_ERR_INVAL}, {OID_PREF_SIG, 0, OB_OK},
	    {OID_PREF_SIG, 1, OB_ERR_INVAL}, {OID_RESPONSE, 0, OB_OK},
	    {OID_RESPONSE, 1, OB_OK}, {OID_LOCATOR, 1, OB_OK},
	    {"06 0a 2b060105050730010201", 1, OB_ERR_INVAL}, /* nonce.1 */
	    {"06 08 2b06010505073001", 1, OB_ERR_INVAL}, /* id-pkix-ocsp */
	    {"0600", 0, OB_ERR_INVAL}, /* empty OID */
	    {"0602 2a83", 0, OB_ERR_INVAL}, /* unfinished arc */
	    {"0603 2a8001", 0, OB_ERR_INVAL}, /* leading 0x80 */
	    {"0603 2a8101", 0, OB_OK},
	    {"0403 2a0304", 0, OB_ERR_INVAL}, /* not an OID */
	};
	static const struct {
		const char *ext;
		enum ob_err e;
	} shapes[] = {
	    {"3008 0603 2a0304 0401 00", OB_OK},
	    {"3005 0603 2a0304", OB_ERR_INVAL}, /* no extnValue */
	    {"3009 0603 2a0304 0403 ff00", OB_ERR_INVAL}, /* lying */
	    {"300b 0603 2a0304 010101 0401 00", OB_ERR_INVAL}, /* 01: true */
	    {"300c 0603 2a0304 0102ffff 0401 00", OB_ERR_INVAL},
	    {"300a 0603 2a0304 0401 00 0500", OB_ERR_INVAL}, /* extra */
	    {"300b 0603 2a0304 0401 00 0101ff", OB_ERR_INVAL}, /* order */
	    {"3108 0603 2a0304 0401 00", OB_ERR_INVAL}, /* SET */
	    {"0500", OB_ERR_INVAL},
	    {"", OB_OK}, /* SIZE (1..MAX), but harmless */
	};
	struct ocsp_req r;
	struct buf *exts = b_new(), *v = b_new(), *b;
	size_t i;
	enum ob_err e;

	b_hex(v, "3000");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		exts->len = 0;
		b_ext(exts, cases[i].oid, cases[i].critical, v);
		b = mk_req_exts(exts);
		if ((e = parse_buf(b, &r)) != cases[i].e)
			fprintf(stderr, "  case %zu: %s\n", i, ob_strerror(e));
		CHECK(e == cases[i].e);
		free(b);
	}
	/* Hand-made Extension shapes. */
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		exts->len = 0;
		b_hex(exts, shapes[i].ext);
		b = mk_req_exts(exts);
		if ((e = parse_buf(b, &r)) != shapes[i].e)
			fprintf(stderr, "  shape %zu: %s\n", i, ob_strerror(e));
		CHECK(e == shapes[i].e);
		free(b);
	}
	free(exts);
	free(v);
}

/* The TBSRequest's tail: [2] twice, [2] not wrapping one SEQUENCE. */
static void
test_request_extensions_shape(void)
{
	static const struct {
		const char *tail;
		enum ob_err e;
	} cases[] = {
	    {"a202 3000", OB_OK},
	    {"a202 3000 a202 3000", OB_ERR_INVAL},
	    {"a204 3000 3000", OB_ERR_INVAL},
	    {"a200", OB_ERR_INVAL},
	    {"a202 3100", OB_ERR_INVAL},
	    {"8202 3000", OB_ERR_INVAL}, /* primitive [2] */
	    {"a302 3000", OB_ERR_INVAL},
	};
	struct ocsp_req r;
	struct buf *b = b_new(), *t = b_new();
	size_t i;
	enum ob_err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t->len = 0;
		b->len = 0;
		b_requests(b, 1);
		b_wrap(b, 0x30);
		b_raw(t, b->b, b->len);
		b_hex(t, cases[i].tail);
		b_wrap(t, 0x30);
		b_wrap(t, 0x30);
		if ((e = parse_buf(t, &r)) != cases[i].e)
			fprintf(stderr, "  case %zu: %s\n", i, ob_strerror(e));
		CHECK(e == cases[i].e);
	}
	free(b);
	free(t);
}

/* singleRequestExtensions: skipped, but a critical unknown one is not. */
static void
test_single_extensions(void)
{
	static const struct {
		const char *oid;
		int critical;
		const char *val;
		enum ob_err e;
	} cases[] = {
	    {OID_UNKNOWN, 0, "3000", OB_OK},
	    {OID_UNKNOWN, 1, "3000", OB_ERR_INVAL},
	    {OID_LOCATOR, 1, "3000", OB_OK},
	    {OID_NONCE, 0, "0401aa", OB_OK}, /* not the request's nonce */
	    {OID_NONCE, 0, "", OB_OK},
	};
	/* Request shapes: [1], two [0]s, trailing bytes. */
	static const char *bad[] = {"a102 3000", "a002 3000 a002 3000",
	    "a002 3000 0500", "a000", "0500"};
	struct ocsp_req r;
	struct buf *exts = b_new(), *v = b_new(), *req = b_new(),
		   *reqs = b_new(), *b;
	size_t i;
	enum ob_err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v->len = exts->len = req->len = reqs->len = 0;
		b_hex(v, cases[i].val);
		b_ext(exts, cases[i].oid, cases[i].critical, v);
		b_wrap(exts, 0x30);
		b_wrap(exts, 0xa0);
		b_certid(req, OID_SHA1 " 0500", 20, 20, "01");
		b_raw(req, exts->b, exts->len);
		b_tlv(reqs, 0x30, req);
		b = mk_req(NULL, reqs, NULL, NULL);
		if ((e = parse_buf(b, &r)) != cases[i].e)
			fprintf(stderr, "  case %zu: %s\n", i, ob_strerror(e));
		CHECK(e == cases[i].e);
		if (e == OB_OK) {
			CHECK(r.nonce == NULL && r.nonce_ext == NULL);
			/* The CertID stops before the extensions. */
			CHECK(r.certids[0].der_len == 60);
		}
		free(b);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req->len = reqs->len = 0;
		b_certid(req, OID_SHA1 " 0500", 20, 20, "01");
		b_hex(req, bad[i]);
		b_tlv(reqs, 0x30, req);
		b = mk_req(NULL, reqs, NULL, NULL);
		CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
		free(b);
	}
	free(exts);
	free(v);
	free(req);
	free(reqs);
}

static void
test_certid_shapes(void)
{
	static const struct {
		const char *alg;
		size_t name_len, key_len;
		const char *serial;
		enum ob_err e;
		enum ocsp_hash hash;
	} cases[] = {
	    {OID_SHA1 " 0500", 20, 20, "01", OB_OK, OCSP_HASH_SHA1},
	    {OID_SHA1, 20, 20, "01", OB_OK, OCSP_HASH_SHA1}, /* no NULL */
	    {OID_SHA1 " 0500", 19, 20, "01", OB_ERR_INVAL, 0},
	    {OID_SHA1 " 0500", 21, 20, "01", OB_ERR_INVAL, 0},
	    {OID_SHA1 " 0500", 20, 19, "01", OB_ERR_INVAL, 0},
	    {OID_SHA1 " 0500", 20, 0, "01", OB_OK, OCSP_HASH_SHA1},
	    {OID_SHA1 " 0500", 0, 20, "01", OB_ERR_INVAL, 0},
	    {OID_SHA1 " 0500", 32, 32, "01", OB_ERR_INVAL, 0},
	    {OID_SHA256 " 0500", 32, 32, "01", OB_OK, OCSP_HASH_SHA256},
	    {OID_SHA256, 32, 0, "01", OB_OK, OCSP_HASH_SHA256},
	    {OID_SHA256 " 0500", 20, 20, "01", OB_ERR_INVAL, 0},
	    {OID_SHA256 " 0500", 32, 31, "01", OB_ERR_INVAL, 0},
	    {OID_SHA512 " 0500", 64, 64, "01", OB_OK, OCSP_HASH_OTHER},
	    {"06 05 2b0e03021b", 20, 20, "01", OB_OK, OCSP_HASH_OTHER},
	    {"06 04 2b0e0302", 20, 20, "01", OB_OK, OCSP_HASH_OTHER},
	    {OID_SHA1 " 0400", 20, 20, "01", OB_ERR_INVAL, 0},
	    {OID_SHA1 " 050100", 20, 20, "01", OB_ERR_INVAL, 0},
	    {OID_SHA1 " 0500 0500", 20, 20, "01", OB_ERR_INVAL, 0},
	    {"0500", 20, 20, "01", OB_ERR_INVAL, 0}, /* no OID */
	    {"", 20, 20, "01", OB_ERR_INVAL, 0},
	    {"06 00", 20, 20, "01", OB_ERR_INVAL, 0},
	    {"06 05 2b0e03029a", 20, 20, "01", OB_ERR_INVAL, 0},
	    /* Serials: signs and leading zeros tolerated, empty not. */
	    {OID_SHA1 " 0500", 20, 20, "", OB_ERR_INVAL, 0},
	    {OID_SHA1 " 0500", 20, 20, "00", OB_OK, OCSP_HASH_SHA1},
	    {OID_SHA1 " 0500", 20, 20, "80", OB_OK, OCSP_HASH_SHA1},
	    {OID_SHA1 " 0500", 20, 20, "ff01", OB_OK, OCSP_HASH_SHA1},
	    {OID_SHA1 " 0500", 20, 20, "000001", OB_OK, OCSP_HASH_SHA1},
	};
	struct ocsp_req r;
	struct buf *b;
	size_t i;
	enum ob_err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = mk_req_certid(cases[i].alg, cases[i].name_len,
		    cases[i].key_len, cases[i].serial);
		if ((e = parse_buf(b, &r)) != cases[i].e)
			fprintf(stderr, "  case %zu: %s\n", i, ob_strerror(e));
		CHECK(e == cases[i].e);
		if (e == OB_OK) {
			CHECK(r.certids[0].hash == cases[i].hash);
			CHECK(r.certids[0].name_hash_len == cases[i].name_len);
			CHECK(r.certids[0].key_hash_len == cases[i].key_len);
			CHECK(r.certids[0].serial_len ==
			    strlen(cases[i].serial) / 2);
			/* The CertID ends the request. */
			CHECK(r.certids[0].der[0] == 0x30 &&
			    r.certids[0].der + r.certids[0].der_len ==
				b->b + b->len);
		}
		free(b);
	}
}

/* Nothing may follow the serial inside a CertID, not even extensions. */
static void
test_certid_trailing(void)
{
	static const char *tails[] = {"0500", "a0023000", "00", "020101"};
	struct ocsp_req r;
	struct buf *c = b_new(), *reqs = b_new(), *b;
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		c->len = reqs->len = 0;
		b_certid_tail(c, OID_SHA1 " 0500", 20, 20, "01", tails[i]);
		b_tlv(reqs, 0x30, c);
		b = mk_req(NULL, reqs, NULL, NULL);
		CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
		free(b);
	}
	/* The same [0] after the CertID is singleRequestExtensions. */
	c->len = reqs->len = 0;
	b_certid(c, OID_SHA1 " 0500", 20, 20, "01");
	b_hex(c, "a0023000");
	b_tlv(reqs, 0x30, c);
	b = mk_req(NULL, reqs, NULL, NULL);
	CHECK(parse_buf(b, &r) == OB_OK && r.certids[0].der_len == 60);
	free(b);
	free(c);
	free(reqs);
}

static void
test_serial_bounds(void)
{
	struct ocsp_req r;
	struct buf *reqs = b_new(), *c = b_new(), *b;
	char hex[2 * (OB_SERIAL_MAX_OCTETS + 2) + 1];
	size_t n;

	for (n = OB_SERIAL_MAX_OCTETS - 1; n <= OB_SERIAL_MAX_OCTETS + 1; n++) {
		memset(hex, '7', 2 * n);
		hex[2 * n] = '\0';
		b = mk_req_certid(OID_SHA1 " 0500", 20, 20, hex);
		CHECK(parse_buf(b, &r) ==
		    (n <= OB_SERIAL_MAX_OCTETS ? OB_OK : OB_ERR_RANGE));
		if (n <= OB_SERIAL_MAX_OCTETS)
			CHECK(r.certids[0].serial_len == n &&
			    r.certids[0].serial[0] == 0x77);
		free(b);
	}
	/* A wrong type where the serial belongs. */
	b_certid(c, OID_SHA1 " 0500", 20, 20, "01");
	c->b[c->len - 3] = 0x04;
	b_tlv(reqs, 0x30, c);
	b = mk_req(NULL, reqs, NULL, NULL);
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	free(b);
	free(c);
	free(reqs);
}

#define SIGALG "300d 0609 2a864886f70d01010b 0500" /* sha256WithRSA */

static void
test_signature(void)
{
	static const struct {
		const char *sig;
		enum ob_err e;
	} cases[] = {
	    {"3012 " SIGALG " 0301 00", OB_OK},
	    {"3010 300b 0609 2a864886f70d01010b 0301 00", OB_OK}, /* no NULL */
	    {"3015 " SIGALG " 0304 00aabbcc", OB_OK},
	    /* certs: [0] { SEQUENCE OF Certificate }, contents unread */
	    {"301a " SIGALG " 0301 00 a006 3004 3002 0500", OB_OK},
	    {"3016 " SIGALG " 0301 00 a002 3000", OB_OK},
	    {"3018 " SIGALG " 0301 00 a004 3002 0500",
		OB_ERR_INVAL}, /* a NULL */
	    {"3018 " SIGALG " 0301 00 a004 0500 0500", OB_ERR_INVAL},
	    {"3016 " SIGALG " 0301 00 a002 3100", OB_ERR_INVAL},
	    {"3018 " SIGALG " 0301 00 a004 3000 3000", OB_ERR_INVAL},
	    {"3016 " SIGALG " 0301 00 a102 3000", OB_ERR_INVAL},
	    {"3014 " SIGALG " 0301 00 0500", OB_ERR_INVAL},
	    {"3011 " SIGALG " 0300", OB_ERR_INVAL}, /* no unused-bits */
	    {"3012 " SIGALG " 0301 08", OB_ERR_INVAL},
	    {"3012 " SIGALG " 0401 00", OB_ERR_INVAL},
	    {"3005 3000 0301 00", OB_ERR_INVAL}, /* no algorithm */
	    {"300f " SIGALG, OB_ERR_INVAL},
	    {"3012 " SIGALG " 0301 00 00", OB_ERR_INVAL}, /* after it */
	    {"3013 " SIGALG " 0301 00 00", OB_ERR_INVAL}, /* inside */
	    {"3100", OB_ERR_INVAL},
	    {"", OB_ERR_INVAL},
	};
	struct ocsp_req r;
	struct buf *reqs = b_new(), *sig = b_new(), *b, *two;
	size_t i;
	enum ob_err e;

	b_requests(reqs, 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sig->len = 0;
		b_hex(sig, cases[i].sig);
		b = mk_req(NULL, reqs, NULL, sig);
		if ((e = parse_buf(b, &r)) != cases[i].e)
			fprintf(stderr, "  case %zu: %s\n", i, ob_strerror(e));
		CHECK(e == cases[i].e);
		if (e == OB_OK)
			CHECK(r.signed_req == 1 && r.ncertids == 1);
		free(b);
	}
	/* [1] instead of [0]. */
	sig->len = 0;
	b_hex(sig, cases[0].sig);
	b = mk_req(NULL, reqs, NULL, sig);
	b->b[b->len - sig->len - 2] = 0xa1;
	CHECK(parse_buf(b, &r) == OB_ERR_INVAL);
	b->b[b->len - sig->len - 2] = 0xa0;
	CHECK(parse_buf(b, &r) == OB_OK && r.signed_req == 1);
	free(b);
	/* Two optionalSignatures. */
	b = mk_req(NULL, reqs, NULL, sig);
	CHECK(b->b[1] < 0x80); /* a two-byte outer header */
	two = b_new();
	b_raw(two, b->b + 2, b->len - 2);
	b_raw(two, b->b + b->len - sig->len - 2, sig->len + 2);
	b_wrap(two, 0x30);
	CHECK(parse_buf(two, &r) == OB_ERR_INVAL);
	free(two);
	free(b);
	free(sig);
	free(reqs);
}

static void
test_max_len(void)
{
	struct ocsp_req r;
	struct buf *exts = b_new(), *v = b_new(), *b = NULL;
	size_t fill = OCSP_REQ_MAX_LEN - 200;
	int i;

	/* Grow a non-critical extension until the request is exactly max. */
	for (i = 0; i < 4; i++) {
		free(b);
		v->len = exts->len = 0;
		b_fill(v, 0x42, fill);
		b_ext(exts, OID_UNKNOWN, 0, v);
		b = mk_req_exts(exts);
		fill += OCSP_REQ_MAX_LEN - b->len;
	}
	CHECK(b->len == OCSP_REQ_MAX_LEN);
	CHECK(parse_buf(b, &r) == OB_OK && r.ncertids == 1);
	free(b);
	v->len = exts->len = 0;
	b_fill(v, 0x42, fill + 1);
	b_ext(exts, OID_UNKNOWN, 0, v);
	b = mk_req_exts(exts);
	CHECK(b->len == OCSP_REQ_MAX_LEN + 1);
	CHECK(parse_buf(b, &r) == OB_ERR_RANGE);
	free(b);
	free(v);
	free(exts);
}

/* A failure after CertIDs were read still leaves *out all zero. */
static void
test_zeroed_on_failure(void)
{
	struct ocsp_req r;
	unsigned char *der;
	size_t len;

	der = load("nonce33", &len);
	memset(&r, 0xa5, sizeof(r));
	CHECK(ocsp_req_parse(der, len, &r) == OB_ERR_RANGE);
	CHECK(is_zero(&r));
	der[len - 1] ^= 1; /* still 33 octets */
	CHECK(ocsp_req_parse(der, len, &r) == OB_ERR_RANGE && is_zero(&r));
	free(der);
}

static const struct test tests[] = {
    {"vectors", test_vectors},
    {"truncation", test_truncation},
    {"lying_lengths", test_lying_lengths},
    {"wrong_tags", test_wrong_tags},
    {"trailing", test_trailing},
    {"length_forms", test_length_forms},
    {"outer_tags", test_outer_tags},
    {"empty_input", test_empty_input},
    {"deep_nesting", test_deep_nesting},
    {"certid_count", test_certid_count},
    {"version", test_version},
    {"nonce", test_nonce},
    {"extensions", test_extensions},
    {"request_extensions_shape", test_request_extensions_shape},
    {"single_extensions", test_single_extensions},
    {"certid_shapes", test_certid_shapes},
    {"certid_trailing", test_certid_trailing},
    {"serial_bounds", test_serial_bounds},
    {"signature", test_signature},
    {"max_len", test_max_len},
    {"zeroed_on_failure", test_zeroed_on_failure},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
