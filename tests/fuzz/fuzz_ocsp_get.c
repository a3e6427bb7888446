/* libFuzzer target: GET paths through ocsp_get_decode, then the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ocsp_req q;
	unsigned char out[4096];
	char *path;
	size_t n = 12345;
	enum ob_err e;

	if (size > 8192 || (path = malloc(size)) == NULL)
		return 0;
	memcpy(path, data, size); /* no NUL: the decoder must use size */
	e = ocsp_get_decode(path, size, out, sizeof(out), &n);
	if (e == OB_OK) {
		/* every 4 characters make 3 bytes at most */
		if (n == 0 || n > sizeof(out) || n > size)
			abort();
		(void)ocsp_req_parse(out, n, &q);
	} else if (n != 0)
		abort();
	free(path);
	return 0;
}
