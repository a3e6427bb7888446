/*
 * libFuzzer target for schema_translate: any bytes, any length. Checks the
 * contract on every input: OB_OK exactly when there is an output, and a
 * "NAME:LINE: " message on every failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, err[256];
	enum ob_err rc;

	rc = schema_translate(
	    "f.sql", (const char *)data, size, &out, err, sizeof(err));
	if ((rc == OB_OK) != (out != NULL))
		abort();
	if (rc != OB_OK && strncmp(err, "f.sql:", 6) != 0)
		abort();
	if (rc == OB_OK && (err[0] != '\0' || strlen(out) > 64 * size + 64))
		abort();
	free(out);
	return 0;
}
