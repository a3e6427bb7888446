/*
 * libFuzzer target: the admin API's request bodies (src/api_json.c),
 * as POST /api/v1/revoke and POST /api/v1/certificates read them.
 * Whatever is accepted fits the C side whole: an issuer id of the allowed
 * characters, a canonical serial, a known reason; for certificates, each
 * item a PEM string or a serial with a time, 1 to API_CERTS_MAX of them;
 * and a document is never both refused and half-used.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* api_certs_parse on body: what it accepts is whole, what it refuses is
 * said and nothing is left allocated. */
static void
certs(const char *body, size_t size)
{
	char canon[OB_SERIAL_HEX_MAX + 1], why[OB_ERRBUF];
	struct api_cert *v = NULL;
	size_t n = 99, i;

	why[0] = '\0';
	if (api_certs_parse(body, size, &v, &n, why, sizeof(why)) != OB_OK) {
		if (v != NULL || n != 0 || why[0] == '\0')
			abort();
		return;
	}
	if (v == NULL || n < 1 || n > API_CERTS_MAX)
		abort();
	for (i = 0; i < n; i++) {
		if (!api_issuer_id_valid(v[i].issuer_id))
			abort();
		if (v[i].pem != NULL) {
			if (v[i].pem[0] == '\0' || v[i].serial[0] != '\0')
				abort();
		} else if (util_serial_canon(v[i].serial, canon) != OB_OK ||
		    strcmp(canon, v[i].serial) != 0)
			abort();
	}
	api_certs_free(v, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char canon[OB_SERIAL_HEX_MAX + 1], *body;
	struct api_revoke rq;
	const char *why = NULL;
	cJSON *doc;

	if (size > 16384)
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
	certs(body, size);
	free(body);
	return 0;
}
