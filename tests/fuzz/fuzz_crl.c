/*
 * libFuzzer target: one CRL (DER or PEM) through crl_parse, the path
 * `ocspbox crl import` takes before any signature is checked, and the
 * same bytes as an Extensions SEQUENCE through crl_ext_number and
 * crl_ext_reason; from an exact-size copy so that ASan sees any read past
 * it. Aborts when a result breaks the contract in extern.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(const struct crl_info *ci)
{
	unsigned char der[OB_CRLNUM_OCTETS + 1];
	struct ob_crlnum back;
	size_t i, n;

	/* The number survives its own encoding: 20 octets of value at most */
	n = util_crlnum_der(&ci->number, der);
	if (n == 0 || n > sizeof(der) ||
	    util_crlnum_from_der(der, n, &back) != OB_OK ||
	    util_crlnum_cmp(&back, &ci->number) != 0)
		abort();
	if (ci->der == NULL || ci->len == 0 || ci->issuer == NULL ||
	    ci->next_update <= ci->this_update ||
	    (ci->n > 0 && ci->entries == NULL))
		abort();
	for (i = 0; i < ci->n; i++) {
		if (strlen(ci->entries[i].serial) == 0 ||
		    strlen(ci->entries[i].serial) > OB_SERIAL_HEX_MAX)
			abort();
		if (ci->entries[i].reason < -1 || ci->entries[i].reason > 10 ||
		    ci->entries[i].reason == 7)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crl_info ci;
	unsigned char *buf;
	char err[OB_ERRBUF];
	static const struct ob_crlnum zero;
	struct ob_crlnum number;
	const char *why = NULL;
	int reason;
	enum ob_err e;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);
	buf[size] = '\0';
	/* DER exactly; PEM with its NUL counted, as the CLI passes them. */
	e = crl_parse(buf,
	    strstr((char *)buf, "-----BEGIN") != NULL ? size + 1 : size, &ci,
	    err, sizeof(err));
	if (e == OB_OK)
		check(&ci);
	else if (ci.der != NULL || ci.entries != NULL || err[0] == '\0')
		abort();
	crl_info_free(&ci);
	free(buf);

	if ((buf = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);
	e = crl_ext_number(buf, size, &number, &why);
	if (why == NULL || (e == OB_OK) != (why[0] == '\0') ||
	    (e != OB_OK && util_crlnum_cmp(&number, &zero) != 0))
		abort();
	e = crl_ext_reason(buf, size, &reason);
	if (e == OB_OK ? reason < -1 || reason > 10 || reason == 7
		       : reason != -1)
		abort();
	free(buf);
	return 0;
}
