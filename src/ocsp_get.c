/*
 * Decoding the request from an OCSP GET path (RFC 6960 A.1: the URL
 * encoding of the base64 of the DER). Real clients and proxies mangle it
 * in known ways (OCSP-NOTES: Boulder #884, #2728, #2774); this accepts all
 * of them. Pure: no I/O, no allocation.
 */
#include <string.h>

#include "codec.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The 6-bit value of a base64 or base64url character, or -1. */
static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == ' ' || c == '-')
		return 62; /* a space is a '+' that was form-decoded */
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

enum ob_err
ocsp_get_decode(const char *path, size_t len, unsigned char *out, size_t cap,
    size_t *outlen)
{
	const char *p = path, *end = path + len;
	unsigned int acc = 0;
	size_t n = 0, bits = 0, pad = 0, chars = 0;
	int hi, lo, v;
	unsigned char c;

	*outlen = 0;
	while (p < end && *p == '/')
		p++;
	if (end - p >= 4 && memcmp(p, "ocsp", 4) == 0 &&
	    (end - p == 4 || p[4] == '/')) {
		p += 4;
		while (p < end && *p == '/')
			p++;
	}
	for (; p < end; p++) {
		c = (unsigned char)*p;
		if (c == '%') {
			if (end - p < 3 || (hi = hexval(p[1])) < 0 ||
			    (lo = hexval(p[2])) < 0)
				return OB_ERR_INVAL;
			c = (unsigned char)(hi << 4 | lo);
			p += 2;
		}
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64val(c)) < 0)
			return OB_ERR_INVAL; /* data after padding, or junk */
		chars++;
		acc = (acc << 6 | (unsigned int)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return OB_ERR_RANGE;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* One leftover character is never valid base64; padding is. */
	if (chars == 0 || chars % 4 == 1 || pad > 2 ||
	    (pad > 0 && (chars + pad) % 4 != 0))
		return OB_ERR_INVAL;
	*outlen = n;
	return OB_OK;
}
