/*
 * The OpenSSL `ca` database (index.txt) line parser, for importing a PKI
 * that runs `openssl ca` and `openssl ocsp` today. Pure: no I/O.
 */
#include <stdio.h>
#include <string.h>

#include "codec.h"

#define INDEX_FIELDS 6

enum ob_err
index_parse_line(
    char *line, size_t len, struct index_entry *out, char *errbuf, size_t errsz)
{
	char *f[INDEX_FIELDS], *p, *end = line + len, *comma, *rest;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->reason = -1;
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
		snprintf(
		    errbuf, errsz, "status \"%.16s\" is not V, R or E", f[0]);
		return OB_ERR_INVAL;
	}
	out->status = f[0][0];
	if (util_asn1time_parse(f[1], &out->not_after) != OB_OK) {
		snprintf(errbuf, errsz, "bad expiry time \"%.32s\"", f[1]);
		return OB_ERR_INVAL;
	}
	if (out->status == 'R') {
		/* "YYMMDDHHMMSSZ[,reason[,extra]]" */
		if ((comma = strchr(f[2], ',')) != NULL)
			*comma = '\0';
		if (util_asn1time_parse(f[2], &out->revoked_at) != OB_OK) {
			snprintf(errbuf, errsz, "bad revocation time \"%.32s\"",
			    f[2]);
			return OB_ERR_INVAL;
		}
		if (comma != NULL) {
			rest = comma + 1;
			/* certificateHold,holdInstruction... and keyTime */
			if ((comma = strchr(rest, ',')) != NULL)
				*comma = '\0';
			if ((out->reason = util_reason_code(rest)) < 0) {
				snprintf(errbuf, errsz,
				    "unknown revocation reason \"%.32s\"",
				    rest);
				return OB_ERR_INVAL;
			}
			if (out->reason == OB_REASON_REMOVE_FROM_CRL) {
				snprintf(errbuf, errsz,
				    "removeFromCRL is not a reason to revoke");
				return OB_ERR_INVAL;
			}
		}
	} else if (f[2][0] != '\0') {
		snprintf(
		    errbuf, errsz, "revocation time on a line that is not R");
		return OB_ERR_INVAL;
	}
	if (util_serial_canon(f[3], out->serial) != OB_OK) {
		snprintf(errbuf, errsz, "bad serial \"%.40s\"", f[3]);
		return OB_ERR_INVAL;
	}
	if (n == INDEX_FIELDS)
		out->subject = f[5];
	return OB_OK;
}
