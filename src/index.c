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

/*
 * What follows an R line's time: "reason", or one of the three forms
 * `openssl ca` writes with an argument (its make_revocation_str):
 * "holdInstruction,OID" (-crl_hold: certificateHold), "keyTime,TIME"
 * (-crl_compromise: keyCompromise, known compromised since TIME) and
 * "CAkeyTime,TIME" (-crl_CA_compromise: cACompromise). TIME, a
 * GeneralizedTime, becomes out->invalidity_at (RFC 5280 5.3.2). Names
 * in any case, as openssl reads them. s is modified.
 *
 * Never a reason to leave the line out: a line whose time reads is a
 * revocation, and a certificate the CA revoked must not stay good for
 * want of its reason. What cannot be read (an unknown name, removeFromCRL,
 * a time openssl takes and we do not) is said in out->note and left
 * out: no reason, or no invalidity date.
 */
static void
parse_reason(char *s, struct index_entry *out)
{
	char *arg = strchr(s, ','), q[48];

	if (arg != NULL)
		*arg++ = '\0';
	if (strcasecmp(s, "holdInstruction") == 0) {
		/* Any instruction openssl's -crl_hold took (a dotted OID or
		 * a name): ocspbox keeps none (RFC 5280 dropped them). */
		out->reason = OB_REASON_CERTIFICATE_HOLD;
		if (arg == NULL || arg[0] == '\0')
			snprintf(out->note, sizeof(out->note),
			    "holdInstruction without its instruction");
		return;
	}
	if (strcasecmp(s, "keyTime") == 0 || strcasecmp(s, "CAkeyTime") == 0) {
		out->reason = (s[0] == 'k' || s[0] == 'K')
		    ? OB_REASON_KEY_COMPROMISE
		    : OB_REASON_CA_COMPROMISE;
		if (arg == NULL ||
		    util_asn1time_parse(arg, &out->invalidity_at) != OB_OK) {
			out->invalidity_at = INT64_MIN;
			snprintf(out->note, sizeof(out->note),
			    "%s \"%s\" is no time read here: no invalidity "
			    "date",
			    s, shown(q, arg != NULL ? arg : "", 32));
		}
		return;
	}
	/* A plain reason; anything after it (no openssl writes it) is
	 * ignored, as openssl ca ignores it. */
	out->reason = util_reason_code(s);
	if (out->reason == OB_REASON_REMOVE_FROM_CRL) {
		out->reason = -1;
		snprintf(out->note, sizeof(out->note),
		    "removeFromCRL is no reason to revoke: revoked without "
		    "a reason");
	} else if (out->reason < 0)
		snprintf(out->note, sizeof(out->note),
		    "unknown revocation reason \"%s\": revoked without a "
		    "reason",
		    shown(q, s, 32));
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
		if (comma != NULL)
			parse_reason(comma + 1, out);
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
