/* libFuzzer target: one OpenSSL index.txt line through index_parse_line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct index_entry ent;
	char err[OB_ERRBUF], *line;

	if (size > 65536)
		return 0;
	/* Exactly size + 1 bytes: the parser may write line[size] only. */
	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	if (index_parse_line(line, size, &ent, err, sizeof(err)) == OB_OK) {
		if (strchr("VRE", ent.status) == NULL || ent.serial[0] == '\0')
			abort();
		if (ent.status != 'R' && ent.reason != -1)
			abort();
	} else if (err[0] == '\0')
		abort(); /* every failure says why */
	free(line);
	return 0;
}
