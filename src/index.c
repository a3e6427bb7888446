/*
 * The OpenSSL `ca` database (index.txt) line parser, for importing a PKI
 * that runs `openssl ca` and `openssl ocsp` today. Pure: no I/O.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "codec.h"

#define INDEX_FIELDS 6

/*
 * s, at most max bytes of it, into out (max + 4 bytes) for an error
 * message: a byte outside printable ASCII becomes '?' (a line may hold
 * terminal escapes meant for whoever reads the log), and a longer s
 * ends with "...".
 */
static const char *
shown(char *out, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i] != '\0'; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] != '\0')
		memcpy(out + i, "...", 3), i += 3;
	out[i] = '\0';
	return out;
}

/* Whether s is an OID in dotted form (at least two arcs). */
static int
dotted_oid(const char *s)
{
	int arcs = 0;

	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
		arcs++;
		if (*s == '.' && s[1] != '\0')
			s++;
		else if (*s != '\0')
			return 0;
	}
	return arcs >= 2;
}

/*
 * What follows an R line's time: "reason", or one of the three forms
 * `openssl ca` writes with an argument (its make_revocation_str):
 * "holdInstruction,OID" (-crl_hold: certificateHold, the OID dotted or
 * one of the holdInstruction names), "keyTime,TIME" (-crl_compromise:
 * keyCompromise, known compromised since TIME) and "CAkeyTime,TIME"
 * (-crl_CA_compromise: cACompromise). TIME, a GeneralizedTime, becomes
 * out->invalidity_at (RFC 5280 5.3.2). Names in any case, as openssl
 * reads them. s is modified.
 */
static enum ob_err
parse_reason(char *s, struct index_entry *out, char *errbuf, size_t errsz)
{
	char *arg = strchr(s, ','), q[48];

	if (arg != NULL)
		*arg++ = '\0';
	if (strcasecmp(s, "holdInstruction") == 0) {
		if (arg == NULL ||
		    (!dotted_oid(arg) &&
			strcasecmp(arg, "holdInstructionNone") != 0 &&
			strcasecmp(arg, "holdInstructionCallIssuer") != 0 &&
			strcasecmp(arg, "holdInstructionReject") != 0)) {
			snprintf(errbuf, errsz,
			    "holdInstruction without a hold instruction OID");
			return OB_ERR_INVAL;
		}
		out->reason = OB_REASON_CERTIFICATE_HOLD;
		return OB_OK;
	}
	if (strcasecmp(s, "keyTime") == 0 || strcasecmp(s, "CAkeyTime") == 0) {
		if (arg == NULL ||
		    util_asn1time_parse(arg, &out->invalidity_at) != OB_OK) {
			snprintf(errbuf, errsz, "bad %s time \"%s\"", s,
			    shown(q, arg != NULL ? arg : "", 32));
			out->invalidity_at = INT64_MIN;
			return OB_ERR_INVAL;
		}
		out->reason = (s[0] == 'k' || s[0] == 'K')
		    ? OB_REASON_KEY_COMPROMISE
		    : OB_REASON_CA_COMPROMISE;
		return OB_OK;
	}
	/* A plain reason; anything after it (no openssl writes it) is
	 * ignored, as openssl ca ignores it. */
	if ((out->reason = util_reason_code(s)) < 0) {
		snprintf(errbuf, errsz, "unknown revocation reason \"%s\"",
		    shown(q, s, 32));
		return OB_ERR_INVAL;
	}
	if (out->reason == OB_REASON_REMOVE_FROM_CRL) {
		snprintf(
		    errbuf, errsz, "removeFromCRL is not a reason to revoke");
		return OB_ERR_INVAL;
	}
	return OB_OK;
}

enum ob_err
index_parse_line(
    char *line, size_t len, struct index_entry *out, char *errbuf, size_t errsz)
{
	char *f[INDEX_FIELDS], *p, *end = line + len, *comma, q[48];
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->reason = -1;
	out->invalidity_at = INT64_MIN;
	out->subject = "";
	if (memchr(line, '\0', len) != NULL) {
		snprintf(errbuf, errsz, "NUL byte in line");
		return OB_ERR_INVAL;
	}
	/* Split on tabs; the subject (last field) may not contain one. */
	for (p = line, f[n++] = p; p < end; p++) {
		if (*p != '\t')
			continue;
		if (n == INDEX_FIELDS) {
			snprintf(
			    errbuf, errsz, "more than %d fields", INDEX_FIELDS);
			return OB_ERR_INVAL;
		}
		*p = '\0';
		f[n++] = p + 1;
	}
	*end = '\0';
	if (n < 4) {
		snprintf(errbuf, errsz, "%zu fields, want at least 4", n);
		return OB_ERR_INVAL;
	}
	if (strlen(f[0]) != 1 || strchr("VRE", f[0][0]) == NULL) {
		snprintf(errbuf, errsz, "status \"%s\" is not V, R or E",
		    shown(q, f[0], 16));
		return OB_ERR_INVAL;
	}
	out->status = f[0][0];
	if (util_asn1time_parse(f[1], &out->not_after) != OB_OK) {
		snprintf(errbuf, errsz, "bad expiry time \"%s\"",
		    shown(q, f[1], 32));
		return OB_ERR_INVAL;
	}
	if (out->status == 'R') {
		/* "YYMMDDHHMMSSZ[,reason[,extra]]" */
		if ((comma = strchr(f[2], ',')) != NULL)
			*comma = '\0';
		if (util_asn1time_parse(f[2], &out->revoked_at) != OB_OK) {
			snprintf(errbuf, errsz, "bad revocation time \"%s\"",
			    shown(q, f[2], 32));
			return OB_ERR_INVAL;
		}
		if (comma != NULL &&
		    parse_reason(comma + 1, out, errbuf, errsz) != OB_OK)
			return OB_ERR_INVAL;
	} else if (f[2][0] != '\0') {
		snprintf(
		    errbuf, errsz, "revocation time on a line that is not R");
		return OB_ERR_INVAL;
	}
	if (util_serial_canon(f[3], out->serial) != OB_OK) {
		snprintf(errbuf, errsz, "bad serial \"%s\"%s",
		    shown(q, f[3], 40),
		    strlen(f[3]) > OB_SERIAL_HEX_MAX ? " (too long)" : "");
		return OB_ERR_INVAL;
	}
	if (n == INDEX_FIELDS)
		out->subject = f[5];
	return OB_OK;
}
