/* Unit tests for util.c: serials, cRLNumbers, times, durations, reasons. */
#include <stdint.h>
#include <string.h>

#include "ob.h"
#include "harness.h"

static void
test_serial_canon(void)
{
	static const struct {
		const char *in, *out;
		enum ob_err e;
	} v[] = {
	    {"0A01", "a01", OB_OK},
	    {"0x0a01", "a01", OB_OK},
	    {"0XA01", "a01", OB_OK},
	    {"00000", "0", OB_OK},
	    {"0", "0", OB_OK},
	    {"DE:AD:BE:EF", "deadbeef", OB_OK},
	    /* negative serials keep their sign (RFC 5280 4.1.2.2) */
	    {"-1", "-1", OB_OK},
	    {"-66", "-66", OB_OK},
	    {"-0x0066", "-66", OB_OK},
	    {"-00:9A", "-9a", OB_OK},
	    {"-0", "0", OB_OK},
	    {"-0x00", "0", OB_OK},
	    {"", "", OB_ERR_INVAL},
	    {"0x", "", OB_ERR_INVAL},
	    {"xyz", "", OB_ERR_INVAL},
	    {"12 34", "", OB_ERR_INVAL},
	    {"-", "", OB_ERR_INVAL},
	    {"-0x", "", OB_ERR_INVAL},
	    {"--1", "", OB_ERR_INVAL},
	    {"0x-1", "", OB_ERR_INVAL},
	    {"1-", "", OB_ERR_INVAL},
	    {"+1", "", OB_ERR_INVAL},
	    {"- 1", "", OB_ERR_INVAL},
	    {"-:12", "", OB_ERR_INVAL},
	    {":12", "", OB_ERR_INVAL},
	    {"12:", "", OB_ERR_INVAL},
	    {"12::34", "", OB_ERR_INVAL},
	};
	char out[OB_SERIAL_HEX_MAX + 1], big[OB_SERIAL_HEX_MAX + 8];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(util_serial_canon(v[i].in, out) == v[i].e);
		CHECK_STR(out, v[i].out);
	}
	memset(big, 'f', OB_SERIAL_DIGITS_MAX);
	big[OB_SERIAL_DIGITS_MAX] = '\0';
	CHECK(util_serial_canon(big, out) == OB_OK);
	CHECK(strlen(out) == OB_SERIAL_DIGITS_MAX);
	strcat(big, "f");
	CHECK(util_serial_canon(big, out) == OB_ERR_RANGE);
	/* The sign does not count toward the digits; it fits the buffer. */
	big[0] = '-';
	CHECK(util_serial_canon(big, out) == OB_OK);
	CHECK(strlen(out) == OB_SERIAL_HEX_MAX && out[0] == '-');
	strcat(big, "f");
	CHECK(util_serial_canon(big, out) == OB_ERR_RANGE);
	/* leading zeros do not count toward the limit */
	memset(big, '0', 8);
	memset(big + 8, 'f', OB_SERIAL_DIGITS_MAX - 1);
	big[8 + OB_SERIAL_DIGITS_MAX - 1] = '\0';
	CHECK(util_serial_canon(big, out) == OB_OK);
}

/*
 * Serials and their minimal DER INTEGER contents (X.690 8.3.2), both
 * ways: the boundaries of two's complement.
 */
static const struct {
	const char *hex;
	size_t len;
	const char *der;
} serial_der[] = {
    {"0", 1, "\x00"},
    {"1", 1, "\x01"},
    {"7f", 1, "\x7f"},
    {"80", 2, "\x00\x80"},
    {"9a", 2, "\x00\x9a"},
    {"ff", 2, "\x00\xff"},
    {"100", 2, "\x01\x00"},
    {"abc", 2, "\x0a\xbc"},
    {"8a01", 3, "\x00\x8a\x01"},
    {"ffff", 3, "\x00\xff\xff"},
    {"123456789abcdef", 8, "\x01\x23\x45\x67\x89\xab\xcd\xef"},
    {"-1", 1, "\xff"},
    {"-66", 1, "\x9a"},
    {"-7f", 1, "\x81"},
    {"-80", 1, "\x80"},
    {"-81", 2, "\xff\x7f"},
    {"-ff", 2, "\xff\x01"},
    {"-100", 2, "\xff\x00"},
    {"-101", 2, "\xfe\xff"},
    {"-8000", 2, "\x80\x00"},
    {"-8001", 3, "\xff\x7f\xff"},
    {"-abc", 2, "\xf5\x44"},
};

static void
test_serial_from_bytes(void)
{
	static const struct {
		size_t len;
		const char *der, *hex;
	} v[] = {
	    /* redundant sign octets, as CAs write them */
	    {3, "\x00\x0a\x01", "a01"},
	    {3, "\x00\x00\x9a", "9a"},
	    {2, "\x00\x00", "0"},
	    {2, "\xff\x9a", "-66"},
	    {3, "\xff\xff\x80", "-80"},
	    {2, "\xff\xff", "-1"},
	};
	unsigned char big[OB_SERIAL_MAX_OCTETS + 1];
	char out[OB_SERIAL_HEX_MAX + 1], again[OB_SERIAL_HEX_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(serial_der) / sizeof(serial_der[0]); i++) {
		CHECK(util_serial_from_bytes(
			  (const unsigned char *)serial_der[i].der,
			  serial_der[i].len, out) == OB_OK);
		CHECK_STR(out, serial_der[i].hex);
	}
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(util_serial_from_bytes((const unsigned char *)v[i].der,
			  v[i].len, out) == OB_OK);
		CHECK_STR(out, v[i].hex);
	}
	CHECK(util_serial_from_bytes(big, 0, out) == OB_ERR_INVAL);
	CHECK_STR(out, "");
	/* Positive: 64 octets of value, after any number of 00. */
	memset(big, 0x11, sizeof(big));
	CHECK(util_serial_from_bytes(big, OB_SERIAL_MAX_OCTETS + 1, out) ==
	    OB_ERR_RANGE);
	CHECK_STR(out, "");
	big[0] = 0;
	CHECK(util_serial_from_bytes(big, OB_SERIAL_MAX_OCTETS + 1, out) ==
	    OB_OK);
	CHECK(strlen(out) == OB_SERIAL_DIGITS_MAX);
	/* Negative: -(2^512 - 1), ff 00.. 01, has a 64-octet magnitude; that
	 * of -2^512, ff 00.. 00, takes 65. */
	memset(big, 0, sizeof(big));
	big[0] = 0xff;
	big[OB_SERIAL_MAX_OCTETS] = 0x01;
	CHECK(util_serial_from_bytes(big, OB_SERIAL_MAX_OCTETS + 1, out) ==
	    OB_OK);
	CHECK(strlen(out) == OB_SERIAL_HEX_MAX && out[0] == '-' &&
	    strspn(out + 1, "f") == OB_SERIAL_DIGITS_MAX);
	big[OB_SERIAL_MAX_OCTETS] = 0;
	CHECK(util_serial_from_bytes(big, OB_SERIAL_MAX_OCTETS + 1, out) ==
	    OB_ERR_RANGE);
	CHECK_STR(out, "");
	/* -2^511 is 80 00.., with or without a redundant ff first */
	big[0] = 0x80;
	CHECK(util_serial_from_bytes(big, OB_SERIAL_MAX_OCTETS, out) == OB_OK);
	CHECK(strlen(out) == OB_SERIAL_HEX_MAX && out[0] == '-' &&
	    out[1] == '8' && strspn(out + 2, "0") == OB_SERIAL_DIGITS_MAX - 1);
	memmove(big + 1, big, OB_SERIAL_MAX_OCTETS);
	big[0] = 0xff;
	CHECK(util_serial_from_bytes(big, OB_SERIAL_MAX_OCTETS + 1, again) ==
	    OB_OK);
	CHECK_STR(again, out);
}

static void
test_serial_to_der(void)
{
	unsigned char out[80];
	char big[OB_SERIAL_HEX_MAX + 2];
	size_t i, len;

	for (i = 0; i < sizeof(serial_der) / sizeof(serial_der[0]); i++) {
		CHECK(util_serial_to_der(
			  serial_der[i].hex, out, sizeof(out), &len) == OB_OK);
		CHECK(len == serial_der[i].len &&
		    memcmp(out, serial_der[i].der, len) == 0);
	}
	CHECK(util_serial_to_der("-0", out, sizeof(out), &len) == OB_OK &&
	    len == 1 && out[0] == 0);
	CHECK(util_serial_to_der("", out, sizeof(out), &len) == OB_ERR_RANGE);
	CHECK(util_serial_to_der("-", out, sizeof(out), &len) == OB_ERR_RANGE);
	CHECK(util_serial_to_der("1g", out, sizeof(out), &len) == OB_ERR_INVAL);
	CHECK(
	    util_serial_to_der("--1", out, sizeof(out), &len) == OB_ERR_INVAL);
	CHECK(util_serial_to_der("AB", out, sizeof(out), &len) ==
	    OB_ERR_INVAL); /* canonical is lower case */
	CHECK(len == 0);
	CHECK(util_serial_to_der("ffff", out, 2, &len) == OB_ERR_RANGE);
	CHECK(util_serial_to_der("ffff", out, 3, &len) == OB_OK && len == 3);
	CHECK(util_serial_to_der("-8001", out, 2, &len) == OB_ERR_RANGE);
	CHECK(util_serial_to_der("-8000", out, 2, &len) == OB_OK && len == 2);
	/* The longest serials fit the buffer every caller passes. */
	memset(big, '8', OB_SERIAL_DIGITS_MAX);
	big[OB_SERIAL_DIGITS_MAX] = '\0';
	CHECK(util_serial_to_der(big, out, OB_SERIAL_MAX_OCTETS + 1, &len) ==
	    OB_OK);
	CHECK(len == OB_SERIAL_MAX_OCTETS + 1 && out[0] == 0 && out[1] == 0x88);
	memmove(big + 1, big, OB_SERIAL_DIGITS_MAX + 1);
	big[0] = '-';
	CHECK(util_serial_to_der(big, out, OB_SERIAL_MAX_OCTETS + 1, &len) ==
	    OB_OK);
	CHECK(len == OB_SERIAL_MAX_OCTETS + 1 && out[0] == 0xff &&
	    out[1] == 0x77);
	memset(big, 'f', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(util_serial_to_der(big, out, sizeof(out), &len) == OB_ERR_RANGE);
	big[0] = '-';
	CHECK(util_serial_to_der(big, out, sizeof(out), &len) == OB_ERR_RANGE);
}

/* xorshift64: the same pseudo-random serials on every run. */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Random signed serials of 1 to 64 octets of magnitude: text to DER and
 * back is the identity, the DER is minimal with the sign in its top bit,
 * and its value, negated here octet by octet, is the magnitude.
 */
static void
test_serial_roundtrip(void)
{
	unsigned char mag[OB_SERIAL_MAX_OCTETS], der[OB_SERIAL_MAX_OCTETS + 1],
	    back[OB_SERIAL_MAX_OCTETS + 1];
	char text[OB_SERIAL_HEX_MAX + 2], canon[OB_SERIAL_HEX_MAX + 1],
	    again[OB_SERIAL_HEX_MAX + 1];
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t i, j, n, len, k, bad = 0;
	unsigned int v, carry;
	int neg, zero;

	for (i = 0; i < 20000 && bad < 5; i++) {
		n = 1 + next_rand(&seed) % OB_SERIAL_MAX_OCTETS;
		for (j = 0; j < n; j++)
			mag[j] = (unsigned char)next_rand(&seed);
		/* Favour the boundaries: 80 00.., 7f ff.., ff ff.. */
		switch (next_rand(&seed) % 8) {
		case 0:
			memset(mag, 0, n);
			mag[0] = 0x80;
			break;
		case 1:
			memset(mag, 0xff, n);
			mag[0] = 0x7f;
			break;
		case 2:
			memset(mag, 0xff, n);
			break;
		case 3:
			mag[0] = 0;
			break;
		}
		neg = next_rand(&seed) % 2;
		text[0] = '-';
		util_hex(mag, n, text + neg);
		for (zero = 1, j = 0; j < n; j++)
			zero &= mag[j] == 0;
		if (util_serial_canon(text, canon) != OB_OK ||
		    util_serial_to_der(canon, der, sizeof(der), &len) !=
			OB_OK ||
		    util_serial_from_bytes(der, len, again) != OB_OK) {
			CHECK(!"a random serial converts");
			bad++;
			continue;
		}
		CHECK_STR(again, canon);
		CHECK((canon[0] == '-') == (neg && !zero));
		/* minimal, and its top bit is the sign */
		CHECK(len == 1 ||
		    !((der[0] == 0 && (der[1] & 0x80) == 0) ||
			(der[0] == 0xff && (der[1] & 0x80) != 0)));
		CHECK(((der[0] & 0x80) != 0) == (neg && !zero));
		/* the value: |der|, negated by hand when negative */
		memcpy(back, der, len);
		if (der[0] & 0x80)
			for (carry = 1, j = len; j-- > 0;) {
				v = (unsigned int)(~back[j] & 0xff) + carry;
				back[j] = (unsigned char)v;
				carry = v >> 8;
			}
		for (j = 0; j < len - 1 && back[j] == 0; j++)
			;
		for (k = 0; k < n - 1 && mag[k] == 0; k++)
			;
		if (len - j != n - k || memcmp(back + j, mag + k, n - k) != 0) {
			CHECK(!"the DER's value is the serial's");
			bad++;
		}
	}
}

static void
test_time_parse(void)
{
	static const struct {
		const char *in;
		int64_t t;
		enum ob_err e;
	} v[] = {
	    {"1970-01-01T00:00:00Z", 0, OB_OK},
	    {"2026-11-23T12:34:56Z", 1795437296, OB_OK},
	    {"2026-11-23t12:34:56z", 1795437296, OB_OK},
	    {"2026-11-23T12:34:56.789Z", 1795437296, OB_OK},
	    {"2026-11-23T13:34:56+01:00", 1795437296, OB_OK},
	    {"2026-11-23T11:04:56-01:30", 1795437296, OB_OK},
	    {"2024-02-29T00:00:00Z", 1709164800, OB_OK},
	    {"2023-02-29T00:00:00Z", 0, OB_ERR_INVAL},
	    {"2026-13-01T00:00:00Z", 0, OB_ERR_INVAL},
	    {"2026-11-23T24:00:00Z", 0, OB_ERR_INVAL},
	    {"2026-11-23T12:34:56", 0, OB_ERR_INVAL},
	    {"2026-11-23T12:34:56Zjunk", 0, OB_ERR_INVAL},
	    {"2026-11-23T12:34:56.Z", 0, OB_ERR_INVAL},
	    {"2026-11-23", 0, OB_ERR_INVAL},
	    {"tomorrow", 0, OB_ERR_INVAL},
	    {"", 0, OB_ERR_INVAL},
	};
	int64_t t;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(util_time_parse(v[i].in, &t) == v[i].e);
		if (v[i].e == OB_OK)
			CHECK(t == v[i].t);
	}
}

static void
test_time_roundtrip(void)
{
	char buf[32];
	int64_t t, back;

	util_time_format(0, buf, sizeof(buf));
	CHECK_STR(buf, "1970-01-01T00:00:00Z");
	util_time_format(1795437296, buf, sizeof(buf));
	CHECK_STR(buf, "2026-11-23T12:34:56Z");
	util_time_format(951782400, buf, sizeof(buf)); /* 2000-02-29 */
	CHECK_STR(buf, "2000-02-29T00:00:00Z");
	util_time_format(-1, buf, sizeof(buf));
	CHECK_STR(buf, "1969-12-31T23:59:59Z");
	for (t = -86400 * 400LL; t < 86400 * 365 * 200LL; t += 86399 * 7) {
		util_time_format(t, buf, sizeof(buf));
		if (util_time_parse(buf, &back) != OB_OK || back != t) {
			CHECK(back == t);
			break;
		}
	}
}

static void
test_time_split(void)
{
	static const struct {
		int64_t t;
		int y, mo, d, h, mi, sec, wday;
	} v[] = {
	    {0, 1970, 1, 1, 0, 0, 0, 4},
	    {-1, 1969, 12, 31, 23, 59, 59, 3},
	    {784111777, 1994, 11, 6, 8, 49, 37, 0},
	    {951782400, 2000, 2, 29, 0, 0, 0, 2},
	    {1795437296, 2026, 11, 23, 12, 34, 56, 1},
	    {4102444799LL, 2099, 12, 31, 23, 59, 59, 4},
	};
	struct util_civil c;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		util_time_split(v[i].t, &c);
		CHECK(c.year == v[i].y && c.mon == v[i].mo && c.day == v[i].d &&
		    c.hour == v[i].h && c.min == v[i].mi && c.sec == v[i].sec &&
		    c.wday == v[i].wday);
	}
}

static void
test_asn1time(void)
{
	int64_t t;

	CHECK(util_asn1time_parse("261123123456Z", &t) == OB_OK);
	CHECK(t == 1795437296);
	CHECK(util_asn1time_parse("20261123123456Z", &t) == OB_OK);
	CHECK(t == 1795437296);
	CHECK(util_asn1time_parse("491231235959Z", &t) == OB_OK);
	CHECK(t == 2524607999); /* 2049 */
	CHECK(util_asn1time_parse("500101000000Z", &t) == OB_OK);
	CHECK(t == -631152000); /* 1950 */
	CHECK(util_asn1time_parse("261123123456", &t) == OB_ERR_INVAL);
	CHECK(util_asn1time_parse("2611231234560", &t) == OB_ERR_INVAL);
	CHECK(util_asn1time_parse("261323123456Z", &t) == OB_ERR_INVAL);
	CHECK(util_asn1time_parse("", &t) == OB_ERR_INVAL);
}

static void
test_duration(void)
{
	static const struct {
		const char *in;
		int64_t s;
		enum ob_err e;
	} v[] = {
	    {"90s", 90, OB_OK},
	    {"90", 90, OB_OK},
	    {"30m", 1800, OB_OK},
	    {"1h", 3600, OB_OK},
	    {"7d", 604800, OB_OK},
	    {"0s", 0, OB_ERR_RANGE},
	    {"3700d", 0, OB_ERR_RANGE},
	    /* The bound, UTIL_DURATION_MAX, in every unit. */
	    {"3660d", 3660LL * 86400, OB_OK},
	    {"3661d", 0, OB_ERR_RANGE},
	    {"87840h", 3660LL * 86400, OB_OK},
	    {"87841h", 0, OB_ERR_RANGE},
	    {"316224000", UTIL_DURATION_MAX, OB_OK},
	    {"316224001s", 0, OB_ERR_RANGE},
	    {"99999999999999999999999", 0, OB_ERR_RANGE},
	    {"1w", 0, OB_ERR_INVAL},
	    {"1hh", 0, OB_ERR_INVAL},
	    {"h", 0, OB_ERR_INVAL},
	    {"-1h", 0, OB_ERR_INVAL},
	    {"", 0, OB_ERR_INVAL},
	    {"1.5h", 0, OB_ERR_INVAL},
	};
	int64_t s;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(util_duration_parse(v[i].in, &s) == v[i].e);
		CHECK(s == v[i].s);
	}
}

static void
test_reasons(void)
{
	CHECK(util_reason_code("unspecified") == 0);
	CHECK(util_reason_code("keyCompromise") == 1);
	CHECK(util_reason_code("KEYCOMPROMISE") == 1);
	CHECK(util_reason_code("CACompromise") == 2);
	CHECK(util_reason_code("certificateHold") == 6);
	CHECK(util_reason_code("removeFromCRL") == 8);
	CHECK(util_reason_code("aACompromise") == 10);
	CHECK(util_reason_code("7") == -1);
	CHECK(util_reason_code("") == -1);
	CHECK(util_reason_code(NULL) == -1);
	CHECK(util_reason_name(7) == NULL);
	CHECK(util_reason_name(11) == NULL);
	CHECK(util_reason_name(-1) == NULL);
	CHECK_STR(util_reason_name(1), "keyCompromise");
}

/* The cRLNumber of up to 40 lower-case hex digits. */
static struct ob_crlnum
crlnum(const char *hex)
{
	char pad[OB_CRLNUM_HEX + 1];
	struct ob_crlnum n;
	size_t len = strlen(hex);

	memset(pad, '0', OB_CRLNUM_HEX);
	memcpy(pad + OB_CRLNUM_HEX - len, hex, len);
	pad[OB_CRLNUM_HEX] = '\0';
	if (util_crlnum_from_hex(pad, &n) != OB_OK)
		fprintf(stderr, "  bad test number %s\n", hex);
	return n;
}

static void
test_crlnum(void)
{
	static const struct {
		const char *hex, *dec; /* the number */
		const char *der; /* its INTEGER contents, in hex */
		const char *next; /* hex, or NULL: none within 20 octets */
	} v[] = {
	    {"0", "0", "00", "1"},
	    {"7f", "127", "7f", "80"},
	    {"80", "128", "0080", "81"},
	    {"ff", "255", "00ff", "100"},
	    {"7fffffffffffffff", "9223372036854775807", "7fffffffffffffff",
		"8000000000000000"},
	    {"8000000000000000", "9223372036854775808", "008000000000000000",
		"8000000000000001"},
	    {"ffffffffffffffff", "18446744073709551615", "00ffffffffffffffff",
		"10000000000000000"},
	    {"7effffffffffffffffffffffffffffffffffffff",
		"725041827894627619577609272480343529282435284991",
		"7effffffffffffffffffffffffffffffffffffff",
		"7f00000000000000000000000000000000000000"},
	    /* 2^159 - 1: the last whose DER INTEGER is 20 octets */
	    {"7fffffffffffffffffffffffffffffffffffffff",
		"730750818665451459101842416358141509827966271487",
		"7fffffffffffffffffffffffffffffffffffffff", NULL},
	    /* 2^160 - 1: 20 octets of value, 21 in DER */
	    {"ffffffffffffffffffffffffffffffffffffffff",
		"1461501637330902918203684832716283019655932542975",
		"00ffffffffffffffffffffffffffffffffffffffff", NULL},
	};
	unsigned char der[OB_CRLNUM_OCTETS + 1], raw[OB_CRLNUM_OCTETS + 3];
	char hex[2 * sizeof(der) + 1], dec[OB_CRLNUM_DEC + 1];
	char stored[OB_CRLNUM_HEX + 1];
	struct ob_crlnum n, m, next;
	size_t i, j, len;
	uint64_t u;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = crlnum(v[i].hex);
		util_crlnum_dec(&n, dec);
		CHECK_STR(dec, v[i].dec);
		len = util_crlnum_der(&n, der);
		for (j = 0; j < len; j++)
			snprintf(hex + 2 * j, 3, "%02x", der[j]);
		hex[2 * len] = '\0';
		CHECK_STR(hex, v[i].der);
		/* ... read back from its DER, and from its stored form */
		CHECK(util_crlnum_from_der(der, len, &m) == OB_OK &&
		    util_crlnum_cmp(&m, &n) == 0);
		util_crlnum_hex(&n, stored);
		CHECK(strlen(stored) == OB_CRLNUM_HEX);
		CHECK(util_crlnum_from_hex(stored, &m) == OB_OK &&
		    util_crlnum_cmp(&m, &n) == 0);
		if (v[i].next != NULL) {
			m = crlnum(v[i].next);
			CHECK(util_crlnum_next(&n, &next) == OB_OK &&
			    util_crlnum_cmp(&next, &m) == 0);
			CHECK(util_crlnum_cmp(&n, &next) < 0);
		} else
			CHECK(util_crlnum_next(&n, &next) == OB_ERR_RANGE &&
			    util_crlnum_cmp(&next, &n) == 0);
		/* Ordered as integers, whatever their lengths. */
		if (i > 0) {
			m = crlnum(v[i - 1].hex);
			CHECK(util_crlnum_cmp(&m, &n) < 0);
		}
	}
	/* 64 bits: fits, and one more does not */
	n = crlnum("ffffffffffffffff");
	CHECK(util_crlnum_u64(&n, &u) == 1 && u == UINT64_MAX);
	n = crlnum("10000000000000000");
	CHECK(util_crlnum_u64(&n, &u) == 0 && u == UINT64_MAX);
	util_crlnum_set(&n, 256);
	m = crlnum("100");
	CHECK(util_crlnum_cmp(&n, &m) == 0);
	CHECK(util_crlnum_u64(&n, &u) == 1 && u == 256);

	/* From DER: empty, negative and not minimal are malformed, 21
	 * octets of value too many; a 0x00 before a set top bit is no
	 * value. */
	CHECK(util_crlnum_from_der(raw, 0, &n) == OB_ERR_INVAL);
	raw[0] = 0xff;
	CHECK(util_crlnum_from_der(raw, 1, &n) == OB_ERR_INVAL);
	raw[0] = 0x80;
	CHECK(util_crlnum_from_der(raw, 1, &n) == OB_ERR_INVAL);
	memset(raw, 0, sizeof(raw));
	raw[1] = 1; /* 00 01 00 * 20: not minimal */
	CHECK(util_crlnum_from_der(raw, 22, &n) == OB_ERR_INVAL);
	raw[0] = 1; /* 01 00 * 20: 2^160 */
	raw[1] = 0;
	CHECK(util_crlnum_from_der(raw, 21, &n) == OB_ERR_RANGE);
	m = crlnum("0");
	CHECK(util_crlnum_cmp(&n, &m) == 0);
	memset(raw, 0, sizeof(raw));
	raw[1] = 0xff; /* 00 ff 00 * 19: 20 octets of value */
	CHECK(util_crlnum_from_der(raw, 21, &n) == OB_OK);
	m = crlnum("ff00000000000000000000000000000000000000");
	CHECK(util_crlnum_cmp(&n, &m) == 0);
	raw[0] = 0; /* 00 00 ff ...: a zero octet too many */
	raw[1] = 0;
	raw[2] = 0xff;
	CHECK(util_crlnum_from_der(raw, 22, &n) == OB_ERR_INVAL);
	raw[0] = 0; /* 00 07: 7, not minimal */
	raw[1] = 7;
	CHECK(util_crlnum_from_der(raw, 2, &n) == OB_ERR_INVAL);
	raw[0] = 0; /* 00: zero, minimal */
	CHECK(util_crlnum_from_der(raw, 1, &n) == OB_OK);

	/* The stored form is exactly 40 lower-case hex digits. */
	CHECK(util_crlnum_from_hex("100", &n) == OB_ERR_INVAL);
	CHECK(util_crlnum_from_hex("000000000000000000000000000000000000000A",
		  &n) == OB_ERR_INVAL);
	CHECK(util_crlnum_from_hex("00000000000000000000000000000000000000-1",
		  &n) == OB_ERR_INVAL);
	CHECK(util_crlnum_from_hex("00000000000000000000000000000000000000000",
		  &n) == OB_ERR_INVAL);
	CHECK(util_crlnum_from_hex(NULL, &n) == OB_ERR_INVAL);
}

static void
test_strerror(void)
{
	CHECK_STR(ob_strerror(OB_OK), "success");
	CHECK_STR(ob_strerror(OB_ERR_PERM), "permissions too open");
	CHECK_STR(ob_strerror((enum ob_err)999), "unknown error");
}

/* util_time_left: hours, minutes, seconds, and never negative. */
static void
test_time_left(void)
{
	char buf[24];

	CHECK_STR(util_time_left(7200, buf, sizeof(buf)), "2 h");
	CHECK_STR(util_time_left(3600, buf, sizeof(buf)), "1 h");
	CHECK_STR(util_time_left(3599, buf, sizeof(buf)), "59 min");
	CHECK_STR(util_time_left(60, buf, sizeof(buf)), "1 min");
	CHECK_STR(util_time_left(59, buf, sizeof(buf)), "59 s");
	CHECK_STR(util_time_left(0, buf, sizeof(buf)), "0 s");
	CHECK_STR(util_time_left(-5, buf, sizeof(buf)), "0 s");
	CHECK_STR(util_time_left(1209600, buf, sizeof(buf)), "336 h");
}

static const struct test tests[] = {
    {"serial_canon", test_serial_canon},
    {"serial_from_bytes", test_serial_from_bytes},
    {"serial_to_der", test_serial_to_der},
    {"serial_roundtrip", test_serial_roundtrip},
    {"time_parse", test_time_parse},
    {"time_roundtrip", test_time_roundtrip},
    {"time_split", test_time_split},
    {"asn1time", test_asn1time},
    {"duration", test_duration},
    {"reasons", test_reasons},
    {"crlnum", test_crlnum},
    {"strerror", test_strerror},
    {"time_left", test_time_left},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
