/*
 * libFuzzer target: one DER OCSPRequest through ocsp_req_parse, from an
 * exact-size copy so that ASan sees any read past it; aborts when the
 * parse breaks the contract in extern.h, as ocsp_req_check.h checks it
 * (the unit test checks the same).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "ocsp_req_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ocsp_req r;
	unsigned char *der;
	const char *why;
	enum ob_err e;

	if ((der = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	if (size > 0)
		memcpy(der, data, size);
	if ((why = ocsp_req_check(der, size, &r, &e)) != NULL) {
		fprintf(
		    stderr, "ocsp_req_parse (%s): %s\n", ob_strerror(e), why);
		abort();
	}
	free(der);
	return 0;
}
