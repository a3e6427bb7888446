/*
 * DER writing over mbedTLS's asn1write, which writes backwards from the
 * end of a caller's buffer: the helpers OCSP responses and CRLs share.
 * Pure: no I/O, no allocation.
 */
#include <string.h>

#include <mbedtls/asn1write.h>

#include "codec.h"

void
der_w_init(struct der_w *w, unsigned char *buf, size_t cap)
{
	w->start = buf;
	w->p = buf + cap;
	w->full = 0;
}

/* Counts what an asn1write call wrote, or notes that the buffer is full. */
static size_t
add(struct der_w *w, int rc)
{
	if (rc < 0) {
		w->full = 1;
		return 0;
	}
	return (size_t)rc;
}

size_t
der_raw(struct der_w *w, const unsigned char *b, size_t n)
{
	if (w->full)
		return 0;
	return add(w, mbedtls_asn1_write_raw_buffer(&w->p, w->start, b, n));
}

size_t
der_oid(struct der_w *w, const char *oid, size_t n)
{
	if (w->full)
		return 0;
	return add(w, mbedtls_asn1_write_oid(&w->p, w->start, oid, n));
}

size_t
der_wrap(struct der_w *w, size_t len, unsigned char tag)
{
	size_t n = 0;

	if (w->full)
		return 0;
	n += add(w, mbedtls_asn1_write_len(&w->p, w->start, len));
	if (!w->full)
		n += add(w, mbedtls_asn1_write_tag(&w->p, w->start, tag));
	return len + n;
}

size_t
der_uint(struct der_w *w, uint64_t v)
{
	unsigned char b[9];
	size_t n = 0;

	/* Big-endian, minimal, with a 0x00 first when the top bit is set. */
	do {
		b[sizeof(b) - 1 - n++] = (unsigned char)(v & 0xff);
		v >>= 8;
	} while (v != 0);
	if (b[sizeof(b) - n] & 0x80)
		b[sizeof(b) - 1 - n++] = 0;
	return der_wrap(
	    w, der_raw(w, b + sizeof(b) - n, n), MBEDTLS_ASN1_INTEGER);
}

/*
 * "YYYY-MM-DDTHH:MM:SSZ" as ASN.1 digits: "YYYYMMDDHHMMSSZ" (15 octets),
 * written into out; returns the year.
 */
static int
time_digits(int64_t t, unsigned char out[15])
{
	char buf[32];

	util_time_format(t, buf, sizeof(buf));
	memcpy(out, buf, 4);
	memcpy(out + 4, buf + 5, 2);
	memcpy(out + 6, buf + 8, 2);
	memcpy(out + 8, buf + 11, 2);
	memcpy(out + 10, buf + 14, 2);
	memcpy(out + 12, buf + 17, 2);
	out[14] = 'Z';
	return (buf[0] - '0') * 1000 + (buf[1] - '0') * 100 +
	    (buf[2] - '0') * 10 + (buf[3] - '0');
}

size_t
der_gentime(struct der_w *w, int64_t t)
{
	unsigned char gt[15];

	time_digits(t, gt);
	return der_wrap(
	    w, der_raw(w, gt, sizeof(gt)), MBEDTLS_ASN1_GENERALIZED_TIME);
}

size_t
der_time(struct der_w *w, int64_t t)
{
	unsigned char gt[15];
	int year = time_digits(t, gt);

	/* RFC 5280 4.1.2.5: UTCTime (two-digit year) for 1950 to 2049. */
	if (year >= 1950 && year <= 2049)
		return der_wrap(
		    w, der_raw(w, gt + 2, 13), MBEDTLS_ASN1_UTC_TIME);
	return der_wrap(
	    w, der_raw(w, gt, sizeof(gt)), MBEDTLS_ASN1_GENERALIZED_TIME);
}
