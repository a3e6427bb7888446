/*
 * Small pure helpers shared by every module: the error strings, signed
 * serials (canonical text and DER INTEGER), cRLNumbers, RFC 3339 and
 * ASN.1 times, durations and CRL reasons.
 * No I/O, no globals beyond constant tables.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <mbedtls/x509.h>

#include "ob.h"

static const char *const errstr[] = {
    [OB_OK] = "success",
    [OB_ERR_NOMEM] = "out of memory",
    [OB_ERR_INVAL] = "malformed input",
    [OB_ERR_RANGE] = "out of range",
    [OB_ERR_NOTFOUND] = "not found",
    [OB_ERR_EXISTS] = "already exists",
    [OB_ERR_IO] = "I/O error",
    [OB_ERR_DB] = "database error",
    [OB_ERR_BUSY] = "database busy",
    [OB_ERR_CRYPTO] = "cryptographic error",
    [OB_ERR_PERM] = "permissions too open",
    [OB_ERR_UNSUPPORTED] = "unsupported",
    [OB_ERR_STALE] = "issuer changed",
    [OB_ERR_EXPIRED] = "responder or CA certificate expired",
};

const char *
ob_strerror(enum ob_err e)
{
	if ((size_t)e >= sizeof(errstr) / sizeof(errstr[0]) ||
	    errstr[e] == NULL)
		return "unknown error";
	return errstr[e];
}

enum ob_err
util_serial_canon(const char *in, char *out)
{
	const char *p = in;
	size_t n = 0, start;
	int seen = 0;

	out[0] = '\0';
	if (in == NULL)
		return OB_ERR_INVAL;
	if (*p == '-')
		out[n++] = *p++; /* dropped again if the value is zero */
	start = n;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; *p != '\0'; p++) {
		if (*p == ':' && seen && p[1] != '\0' && p[1] != ':')
			continue;
		if (!isxdigit((unsigned char)*p)) {
			out[0] = '\0';
			return OB_ERR_INVAL;
		}
		seen = 1;
		if (n == start && *p == '0')
			continue;
		if (n - start == OB_SERIAL_DIGITS_MAX) {
			out[0] = '\0';
			return OB_ERR_RANGE;
		}
		out[n++] = (char)tolower((unsigned char)*p);
	}
	if (!seen) {
		out[0] = '\0';
		return OB_ERR_INVAL;
	}
	if (n == start) { /* zero has no sign: "-0" is "0" */
		out[0] = '0';
		n = 1;
	}
	out[n] = '\0';
	return OB_OK;
}

int64_t
util_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
util_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/*
 * Lower-case hex of len big-endian octets (len >= 1, no leading zero
 * octet unless len is 1), without a leading zero digit, and a NUL.
 */
static void
hex_trim(const unsigned char *p, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (n > 0 || (p[i] >> 4) != 0)
			out[n++] = hex[p[i] >> 4];
		out[n++] = hex[p[i] & 0xf];
	}
	out[n] = '\0';
}

/* Negates the two's complement integer of len big-endian octets at p. */
static void
negate(unsigned char *p, size_t len)
{
	unsigned int v, carry = 1;

	while (len-- > 0) {
		v = (unsigned int)(~p[len] & 0xff) + carry;
		p[len] = (unsigned char)v;
		carry = v >> 8;
	}
}

enum ob_err
util_serial_from_bytes(const unsigned char *p, size_t len, char *out)
{
	unsigned char mag[OB_SERIAL_MAX_OCTETS + 1];
	size_t i = 0;

	out[0] = '\0';
	if (len == 0)
		return OB_ERR_INVAL;
	if ((p[0] & 0x80) == 0) {
		while (len > 1 && p[0] == 0) {
			p++;
			len--;
		}
		if (len > OB_SERIAL_MAX_OCTETS)
			return OB_ERR_RANGE;
		hex_trim(p, len, out);
		return OB_OK;
	}
	/* Negative: ff octets that only repeat the sign go first. */
	while (len > 1 && p[0] == 0xff && (p[1] & 0x80) != 0) {
		p++;
		len--;
	}
	/* Its magnitude, at most 2^(8 len - 1), takes at most len octets. */
	if (len > sizeof(mag))
		return OB_ERR_RANGE;
	memcpy(mag, p, len);
	negate(mag, len);
	while (i < len - 1 && mag[i] == 0)
		i++;
	if (len - i > OB_SERIAL_MAX_OCTETS)
		return OB_ERR_RANGE;
	out[0] = '-';
	hex_trim(mag + i, len - i, out + 1);
	return OB_OK;
}

enum ob_err
util_serial_to_der(
    const char *hex, unsigned char *out, size_t cap, size_t *outlen)
{
	/* mag[0] is room for the sign octet, the magnitude after it */
	unsigned char mag[OB_SERIAL_MAX_OCTETS + 1];
	size_t n, k, i, r, s = 0;
	int neg = hex[0] == '-', v;

	*outlen = 0;
	hex += neg;
	n = strlen(hex);
	if (n == 0 || n > OB_SERIAL_DIGITS_MAX)
		return OB_ERR_RANGE;
	k = (n + 1) / 2;
	memset(mag, 0, k + 1);
	for (i = 0; i < n; i++) {
		if (hex[i] >= '0' && hex[i] <= '9')
			v = hex[i] - '0';
		else if (hex[i] >= 'a' && hex[i] <= 'f')
			v = hex[i] - 'a' + 10;
		else
			return OB_ERR_INVAL;
		r = n - 1 - i; /* the digit's place, from the right */
		mag[k - r / 2] |= (unsigned char)(v << (r % 2 * 4));
	}
	if (neg)
		negate(mag, k + 1);
	/* Minimal (X.690 8.3.2): no first octet that only repeats the
	 * sign of the next one. */
	while (s < k &&
	    ((mag[s] == 0 && (mag[s + 1] & 0x80) == 0) ||
		(mag[s] == 0xff && (mag[s + 1] & 0x80) != 0)))
		s++;
	if (cap < k + 1 - s)
		return OB_ERR_RANGE;
	memcpy(out, mag + s, k + 1 - s);
	*outlen = k + 1 - s;
	return OB_OK;
}

void
util_crlnum_set(struct ob_crlnum *n, uint64_t v)
{
	size_t i;

	memset(n, 0, sizeof(*n));
	for (i = OB_CRLNUM_OCTETS; i > 0 && v != 0; i--, v >>= 8)
		n->b[i - 1] = (unsigned char)(v & 0xff);
}

int
util_crlnum_cmp(const struct ob_crlnum *a, const struct ob_crlnum *b)
{
	return memcmp(a->b, b->b, OB_CRLNUM_OCTETS);
}

enum ob_err
util_crlnum_from_der(const unsigned char *p, size_t len, struct ob_crlnum *out)
{
	memset(out, 0, sizeof(*out));
	if (len == 0 || (p[0] & 0x80) != 0)
		return OB_ERR_INVAL;
	/* DER: minimal, a 0x00 first only before a set top bit (X.690
	 * 8.3.2); openssl reads no number from anything else. */
	if (len > 1 && p[0] == 0 && (p[1] & 0x80) == 0)
		return OB_ERR_INVAL;
	while (len > 0 && p[0] == 0) {
		p++;
		len--;
	}
	if (len > OB_CRLNUM_OCTETS)
		return OB_ERR_RANGE;
	memcpy(out->b + OB_CRLNUM_OCTETS - len, p, len);
	return OB_OK;
}

size_t
util_crlnum_der(
    const struct ob_crlnum *n, unsigned char out[OB_CRLNUM_OCTETS + 1])
{
	size_t i = 0, len;

	while (i < OB_CRLNUM_OCTETS - 1 && n->b[i] == 0)
		i++;
	len = OB_CRLNUM_OCTETS - i;
	if (n->b[i] & 0x80) {
		out[0] = 0; /* keep the INTEGER positive */
		memcpy(out + 1, n->b + i, len);
		return len + 1;
	}
	memcpy(out, n->b + i, len);
	return len;
}

enum ob_err
util_crlnum_next(const struct ob_crlnum *in, struct ob_crlnum *out)
{
	struct ob_crlnum n = *in;
	size_t i = OB_CRLNUM_OCTETS;

	while (i > 0 && ++n.b[i - 1] == 0)
		i--;
	/* Wrapped to 0, or reached 2^159: 21 octets with the sign octet. */
	if (i == 0 || (n.b[0] & 0x80) != 0) {
		*out = *in;
		return OB_ERR_RANGE;
	}
	*out = n;
	return OB_OK;
}

void
util_crlnum_hex(const struct ob_crlnum *n, char out[OB_CRLNUM_HEX + 1])
{
	util_hex(n->b, OB_CRLNUM_OCTETS, out);
}

enum ob_err
util_crlnum_from_hex(const char *s, struct ob_crlnum *out)
{
	size_t i;
	int v;

	memset(out, 0, sizeof(*out));
	if (s == NULL || strlen(s) != OB_CRLNUM_HEX)
		return OB_ERR_INVAL;
	for (i = 0; i < OB_CRLNUM_HEX; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			v = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			v = s[i] - 'a' + 10;
		else {
			memset(out, 0, sizeof(*out));
			return OB_ERR_INVAL;
		}
		out->b[i / 2] |= (unsigned char)(i % 2 == 0 ? v << 4 : v);
	}
	return OB_OK;
}

void
util_crlnum_dec(const struct ob_crlnum *n, char out[OB_CRLNUM_DEC + 1])
{
	unsigned char q[OB_CRLNUM_OCTETS];
	char rev[OB_CRLNUM_DEC];
	size_t i, k = 0;
	unsigned int r;
	int nonzero;

	/* Long division by 10, one decimal digit per pass. */
	memcpy(q, n->b, sizeof(q));
	do {
		r = 0;
		nonzero = 0;
		for (i = 0; i < sizeof(q); i++) {
			r = r << 8 | q[i];
			q[i] = (unsigned char)(r / 10);
			r %= 10;
			nonzero |= q[i];
		}
		rev[k++] = (char)('0' + r);
	} while (nonzero && k < sizeof(rev));
	for (i = 0; i < k; i++)
		out[i] = rev[k - 1 - i];
	out[k] = '\0';
}

int
util_crlnum_u64(const struct ob_crlnum *n, uint64_t *v)
{
	size_t i;

	*v = UINT64_MAX;
	for (i = 0; i < OB_CRLNUM_OCTETS - 8; i++)
		if (n->b[i] != 0)
			return 0;
	for (*v = 0; i < OB_CRLNUM_OCTETS; i++)
		*v = *v << 8 | n->b[i];
	return 1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's method). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(int64_t y, int m)
{
	static const int dm[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dm[m - 1];
}

/* Reads exactly n digits at *s; advances *s. Returns -1 on failure. */
static int
digits(const char **s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**s))
			return -1;
		v = v * 10 + (**s - '0');
		(*s)++;
	}
	return v;
}

enum ob_err
util_time_civil(int y, int mo, int d, int h, int mi, int sec, int64_t *out)
{
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return OB_ERR_INVAL;
	if (sec == 60)
		sec = 59; /* a leap second: clamp, as most systems do */
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return OB_OK;
}

enum ob_err
util_time_parse(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, oh, om, sign;
	int64_t t;

	*out = 0;
	if (s == NULL)
		return OB_ERR_INVAL;
	if ((y = digits(&s, 4)) < 0 || *s++ != '-' ||
	    (mo = digits(&s, 2)) < 0 || *s++ != '-' ||
	    (d = digits(&s, 2)) < 0 || (*s != 'T' && *s != 't' && *s != ' '))
		return OB_ERR_INVAL;
	s++;
	if ((h = digits(&s, 2)) < 0 || *s++ != ':' ||
	    (mi = digits(&s, 2)) < 0 || *s++ != ':' ||
	    (sec = digits(&s, 2)) < 0)
		return OB_ERR_INVAL;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return OB_ERR_INVAL;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (util_time_civil(y, mo, d, h, mi, sec, &t) != OB_OK)
		return OB_ERR_INVAL;
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0') {
		*out = t;
		return OB_OK;
	}
	if (*s != '+' && *s != '-')
		return OB_ERR_INVAL;
	sign = *s++ == '+' ? 1 : -1;
	if ((oh = digits(&s, 2)) < 0 || *s++ != ':' ||
	    (om = digits(&s, 2)) < 0 || *s != '\0' || oh > 23 || om > 59)
		return OB_ERR_INVAL;
	*out = t - sign * (oh * 3600 + om * 60);
	return OB_OK;
}

void
util_time_split(int64_t t, struct util_civil *out)
{
	int64_t days = t / 86400, rem = t % 86400, z, era, doe, yoe, y, doy, mp,
		m;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	/* 1970-01-01 was a Thursday (4). */
	out->wday = (int)((days % 7 + 11) % 7);
	/* civil_from_days, the inverse of days_from_civil. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = mp < 10 ? mp + 3 : mp - 9;
	out->mon = (int)m;
	out->year = (int)(y + (m <= 2));
	out->hour = (int)(rem / 3600);
	out->min = (int)(rem % 3600 / 60);
	out->sec = (int)(rem % 60);
}

/* Two decimal digits of v (0 to 99) at p. */
static void
two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

void
util_time_format(int64_t t, char *buf, size_t bufsz)
{
	struct util_civil c;

	util_time_split(t, &c);
	if (c.year < 0 || c.year > 9999 || bufsz < 21) {
		snprintf(buf, bufsz, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year,
		    c.mon, c.day, c.hour, c.min, c.sec);
		return;
	}
	/* By hand: an import formats two times a line. */
	buf[0] = (char)('0' + c.year / 1000);
	buf[1] = (char)('0' + c.year / 100 % 10);
	buf[2] = (char)('0' + c.year / 10 % 10);
	buf[3] = (char)('0' + c.year % 10);
	buf[4] = '-';
	two(buf + 5, c.mon);
	buf[7] = '-';
	two(buf + 8, c.day);
	buf[10] = 'T';
	two(buf + 11, c.hour);
	buf[13] = ':';
	two(buf + 14, c.min);
	buf[16] = ':';
	two(buf + 17, c.sec);
	buf[19] = 'Z';
	buf[20] = '\0';
}

const char *
util_time_left(int64_t seconds, char *buf, size_t bufsz)
{
	if (seconds >= 3600)
		snprintf(buf, bufsz, "%lld h", (long long)(seconds / 3600));
	else if (seconds >= 60)
		snprintf(buf, bufsz, "%lld min", (long long)(seconds / 60));
	else
		snprintf(buf, bufsz, "%lld s",
		    (long long)(seconds > 0 ? seconds : 0));
	return buf;
}

enum ob_err
util_asn1time_parse(const char *s, int64_t *out)
{
	size_t len;
	int y, mo, d, h, mi, sec;

	*out = 0;
	if (s == NULL)
		return OB_ERR_INVAL;
	len = strlen(s);
	if (len == 13) { /* UTCTime YYMMDDHHMMSSZ, RFC 5280 pivot at 50 */
		if ((y = digits(&s, 2)) < 0)
			return OB_ERR_INVAL;
		y += y < 50 ? 2000 : 1900;
	} else if (len == 15) { /* GeneralizedTime YYYYMMDDHHMMSSZ */
		if ((y = digits(&s, 4)) < 0)
			return OB_ERR_INVAL;
	} else
		return OB_ERR_INVAL;
	if ((mo = digits(&s, 2)) < 0 || (d = digits(&s, 2)) < 0 ||
	    (h = digits(&s, 2)) < 0 || (mi = digits(&s, 2)) < 0 ||
	    (sec = digits(&s, 2)) < 0 || strcmp(s, "Z") != 0)
		return OB_ERR_INVAL;
	return util_time_civil(y, mo, d, h, mi, sec, out);
}

enum ob_err
util_duration_parse(const char *s, int64_t *out)
{
	int64_t v = 0, unit = 1;

	*out = 0;
	if (s == NULL || !isdigit((unsigned char)*s))
		return OB_ERR_INVAL;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (INT64_MAX - 9) / 10)
			return OB_ERR_RANGE;
		v = v * 10 + (*s - '0');
	}
	switch (*s) {
	case '\0':
		break;
	case 's':
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return OB_ERR_INVAL;
	}
	if (*s != '\0' && s[1] != '\0')
		return OB_ERR_INVAL;
	if (v == 0)
		return OB_ERR_RANGE;
	if (v > UTIL_DURATION_MAX / unit)
		return OB_ERR_RANGE;
	*out = v * unit;
	return OB_OK;
}

/* RFC 5280 5.3.1; code 7 is unused. */
static const char *const reasons[] = {
    "unspecified",
    "keyCompromise",
    "cACompromise",
    "affiliationChanged",
    "superseded",
    "cessationOfOperation",
    "certificateHold",
    NULL,
    "removeFromCRL",
    "privilegeWithdrawn",
    "aACompromise",
};

int
util_reason_code(const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < (int)(sizeof(reasons) / sizeof(reasons[0])); i++)
		if (reasons[i] != NULL && strcasecmp(reasons[i], name) == 0)
			return i;
	return -1;
}

const char *
util_reason_name(int code)
{
	if (code < 0 || code >= (int)(sizeof(reasons) / sizeof(reasons[0])))
		return NULL;
	return reasons[code];
}

int64_t
util_x509_time(const struct mbedtls_x509_time *t)
{
	int64_t out;

	if (util_time_civil(t->year, t->mon, t->day, t->hour, t->min, t->sec,
		&out) != OB_OK)
		return INT64_MIN;
	return out;
}
