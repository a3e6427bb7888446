/*
 * libFuzzer target: the admin API's request bodies (src/api_json.c),
 * as POST /api/v1/revoke reads them. Whatever is accepted fits the C
 * side whole: an issuer id of the allowed characters, a canonical
 * serial, a known reason; and a document is never both refused and
 * half-used.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char canon[OB_SERIAL_HEX_MAX + 1], *body;
	struct api_revoke rq;
	const char *why = NULL;
	cJSON *doc;

	if (size > 4096)
		return 0;
	/* The handler's buffer: the body and a NUL after it. */
	if ((body = malloc(size + 1)) == NULL)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';
	if ((doc = api_json_parse(body, size, &why)) != NULL)
		cJSON_Delete(doc);
	else if (why == NULL)
		abort();
	if (api_revoke_parse(body, size, &rq, &why) == OB_OK) {
		if (!api_issuer_id_valid(rq.issuer_id) ||
		    util_serial_canon(rq.serial, canon) != OB_OK ||
		    strcmp(canon, rq.serial) != 0 || rq.reason < -1 ||
		    rq.reason > 10 || rq.reason == OB_REASON_REMOVE_FROM_CRL)
			abort();
		/* Accepted means it parsed, no NUL inside any string. */
		if (memchr(body, '\0', size) != NULL)
			abort();
	} else if (why == NULL || why[0] == '\0')
		abort();
	free(body);
	return 0;
}
