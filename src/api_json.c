/*
 * The admin API's JSON, without I/O: the request bodies, parsed and
 * checked (the fuzzer drives these functions) -- a JSON document (RFC
 * 8259) that is the whole body, and the revoke request's members, every
 * value checked to fit the C side whole: no string that C would cut
 * short at an embedded NUL, none longer than its buffer -- and the
 * issuer document, the one writer of it for the API and the CLI.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "http.h"

/*
 * Whether a JSON text (already parsed by cJSON, so well-formed) holds a
 * string escape "\u0000": cJSON decodes it to a NUL byte, and the C
 * string it hands out would end there ("ca\u0000x" read as "ca").
 */
static int
has_nul_escape(const char *s, size_t len)
{
	size_t i;
	int in_string = 0;

	for (i = 0; i < len; i++) {
		if (!in_string) {
			in_string = s[i] == '"';
			continue;
		}
		if (s[i] == '"')
			in_string = 0;
		else if (s[i] == '\\' && i + 1 < len) {
			i++;
			if (s[i] == 'u' && i + 4 < len &&
			    memcmp(s + i + 1, "0000", 4) == 0)
				return 1;
		}
	}
	return 0;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Whether an object anywhere in v has two members of one name: cJSON
 * keeps both and its lookups find the first, where most parsers take
 * the last, so a checker in front could read another request. Names
 * are sorted, so that an object of many members costs n log n, not n²;
 * -1 when out of memory.
 */
static int
has_duplicate(const cJSON *v)
{
	const cJSON *a;
	const char **names = NULL;
	size_t n = 0, i;
	int r;

	if (cJSON_IsObject(v)) {
		for (a = v->child; a != NULL; a = a->next)
			n++;
		if (n > 1 && (names = malloc(n * sizeof(*names))) == NULL)
			return -1;
		for (a = v->child, i = 0; n > 1 && a != NULL; a = a->next)
			names[i++] = a->string != NULL ? a->string : "";
		if (n > 1)
			qsort(names, n, sizeof(*names), cmp_name);
		for (i = 1; i < n; i++)
			if (strcmp(names[i - 1], names[i]) == 0)
				break;
		free(names);
		if (n > 1 && i < n)
			return 1;
	}
	for (a = v->child; a != NULL; a = a->next)
		if ((r = has_duplicate(a)) != 0)
			return r;
	return 0;
}

cJSON *
api_json_parse(const char *body, size_t len, const char **why)
{
	const char *end = NULL;
	cJSON *doc;
	int r;

	*why = "malformed JSON";
	/* A NUL byte in the body would end cJSON's input early. */
	if (memchr(body, '\0', len) != NULL)
		return NULL;
	/* cJSON wants the terminating NUL inside the length it is given:
	 * the caller's buffer has it (API contract). */
	if ((doc = cJSON_ParseWithLengthOpts(body, len + 1, &end, 1)) == NULL)
		return NULL;
	if (has_nul_escape(body, len)) {
		cJSON_Delete(doc);
		*why = "a string holds \\u0000";
		return NULL;
	}
	if ((r = has_duplicate(doc)) != 0) {
		cJSON_Delete(doc);
		*why = r < 0 ? "out of memory"
			     : "an object has two members of one name";
		return NULL;
	}
	return doc;
}

/*
 * The string member name of o into out (size bytes, NUL included).
 * Returns 1 when present and fits, 0 when absent or null (out is ""),
 * -1 when not a string, -2 when too long for out.
 */
static int
member(const cJSON *o, const char *name, char *out, size_t size)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
	size_t n;

	out[0] = '\0';
	if (m == NULL || cJSON_IsNull(m))
		return 0;
	if (!cJSON_IsString(m) || m->valuestring == NULL)
		return -1;
	if ((n = strlen(m->valuestring)) >= size)
		return -2;
	memcpy(out, m->valuestring, n + 1);
	return 1;
}

int
api_issuer_id_valid(const char *id)
{
	size_t n = 0;

	for (; id[n] != '\0'; n++)
		if (!isalnum((unsigned char)id[n]) &&
		    strchr("._-", id[n]) == NULL)
			return 0;
	return n > 0 && n <= OB_ID_MAX && id[0] != '.';
}

enum ob_err
api_revoke_parse(
    const char *body, size_t len, struct api_revoke *out, const char **why)
{
	char serial[OB_SERIAL_HEX_MAX * 2 + 2], reason[40];
	const cJSON *u;
	cJSON *doc;
	int i, s, r, ub;

	memset(out, 0, sizeof(*out));
	out->reason = -1;
	if ((doc = api_json_parse(body, len, why)) == NULL)
		return OB_ERR_INVAL;
	*why = "want {\"issuer_id\": string, \"serial_hex\": string, "
	       "\"reason\": string or absent, \"unregistered\": true or "
	       "absent}";
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return OB_ERR_INVAL;
	}
	i = member(doc, "issuer_id", out->issuer_id, sizeof(out->issuer_id));
	s = member(doc, "serial_hex", serial, sizeof(serial));
	r = member(doc, "reason", reason, sizeof(reason));
	u = cJSON_GetObjectItemCaseSensitive(doc, "unregistered");
	ub = u == NULL || cJSON_IsNull(u) || cJSON_IsBool(u);
	out->unregistered = u != NULL && cJSON_IsTrue(u);
	cJSON_Delete(doc);
	if (i == -1 || s == -1 || r == -1 || i == 0 || s == 0)
		return OB_ERR_INVAL;
	if (!ub) {
		*why = "unregistered: want true or false";
		return OB_ERR_INVAL;
	}
	if (i == -2 || !api_issuer_id_valid(out->issuer_id)) {
		*why = "bad issuer_id (1-64 of A-Z a-z 0-9 . _ -)";
		return OB_ERR_INVAL;
	}
	if (s == -2 || util_serial_canon(serial, out->serial) != OB_OK) {
		*why = "bad serial_hex";
		return OB_ERR_INVAL;
	}
	if (r == -2 ||
	    (r == 1 &&
		((out->reason = util_reason_code(reason)) < 0 ||
		    out->reason == OB_REASON_REMOVE_FROM_CRL))) {
		*why = "unknown reason (want an RFC 5280 name)";
		return OB_ERR_INVAL;
	}
	return OB_OK;
}

void
api_certs_free(struct api_cert *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].pem);
	free(v);
}

/* One item of a certificates body into c; NULL, or why it is refused. */
static const char *
api_cert_item(const cJSON *o, struct api_cert *c)
{
	static const char *const names[] = {
	    "issuer_id", "pem", "serial_hex", "not_after", NULL};
	char serial[OB_SERIAL_HEX_MAX * 2 + 2], na[40];
	const cJSON *m, *pem;
	size_t k;
	int i, s, t;

	if (!cJSON_IsObject(o))
		return "want an object {\"issuer_id\", \"pem\"} or "
		       "{\"issuer_id\", \"serial_hex\", \"not_after\"}";
	for (m = o->child; m != NULL; m = m->next) {
		for (k = 0; names[k] != NULL; k++)
			if (m->string != NULL &&
			    strcmp(m->string, names[k]) == 0)
				break;
		if (names[k] == NULL)
			return "an unknown member (want issuer_id, and pem "
			       "or serial_hex and not_after)";
	}
	i = member(o, "issuer_id", c->issuer_id, sizeof(c->issuer_id));
	if (i != 1 || !api_issuer_id_valid(c->issuer_id))
		return i == 0 ? "issuer_id missing"
			      : "bad issuer_id (1-64 of A-Z a-z 0-9 . _ -)";
	pem = cJSON_GetObjectItemCaseSensitive(o, "pem");
	s = member(o, "serial_hex", serial, sizeof(serial));
	t = member(o, "not_after", na, sizeof(na));
	if (pem != NULL) {
		if (s != 0 || t != 0)
			return "pem, or serial_hex and not_after: not both";
		if (!cJSON_IsString(pem) || pem->valuestring == NULL ||
		    pem->valuestring[0] == '\0')
			return "pem: want the certificate as a string";
		if ((c->pem = strdup(pem->valuestring)) == NULL)
			return "out of memory";
		return NULL;
	}
	if (s == 0 || t == 0)
		return "want pem, or serial_hex and not_after";
	if (s != 1 || util_serial_canon(serial, c->serial) != OB_OK)
		return "bad serial_hex";
	if (t != 1 || util_time_parse(na, &c->not_after) != OB_OK)
		return "bad not_after (want RFC 3339, e.g. "
		       "2027-01-31T00:00:00Z)";
	return NULL;
}

enum ob_err
api_certs_parse(const char *body, size_t len, struct api_cert **out, size_t *n,
    char *why, size_t whysz)
{
	const char *w;
	const cJSON *it;
	cJSON *doc;
	size_t count, i = 0;
	int batch;

	*out = NULL;
	*n = 0;
	if ((doc = api_json_parse(body, len, &w)) == NULL) {
		snprintf(why, whysz, "%s", w);
		return OB_ERR_INVAL;
	}
	batch = cJSON_IsArray(doc);
	count = batch ? (size_t)cJSON_GetArraySize(doc) : 1;
	if (count == 0 || count > API_CERTS_MAX) {
		snprintf(why, whysz, "want 1 to %d certificates, not %zu",
		    API_CERTS_MAX, count);
		cJSON_Delete(doc);
		return OB_ERR_INVAL;
	}
	if ((*out = calloc(count, sizeof(**out))) == NULL) {
		cJSON_Delete(doc);
		snprintf(why, whysz, "out of memory");
		return OB_ERR_NOMEM;
	}
	for (it = batch ? doc->child : doc; i < count && it != NULL;
	     it = it->next, i++) {
		if ((w = api_cert_item(it, &(*out)[i])) != NULL) {
			if (batch)
				snprintf(why, whysz, "item %zu: %s", i + 1, w);
			else
				snprintf(why, whysz, "%s", w);
			api_certs_free(*out, count);
			*out = NULL;
			cJSON_Delete(doc);
			return OB_ERR_INVAL;
		}
		if (!batch)
			break;
	}
	cJSON_Delete(doc);
	*n = count;
	return OB_OK;
}

const char *
api_responder_status(const struct store_issuer *is, int64_t now, int64_t warn)
{
	return respcert_state_name(respcert_state(is->resp_not_before,
	    is->resp_not_after, is->not_after, is->auto_life_s > 0, now, warn));
}

char *
api_issuers_json(
    const struct store_issuer *v, size_t n, int64_t now, int64_t warn)
{
	cJSON *doc, *arr, *o, *r;
	char na[32], ra[32], rb[32], kh[2 * 20 + 1], *text = NULL, *printed;
	size_t i;
	int ok;

	if ((doc = cJSON_CreateObject()) == NULL)
		return NULL;
	ok = (arr = cJSON_AddArrayToObject(doc, "issuers")) != NULL;
	for (i = 0; ok && i < n; i++) {
		ok = (o = cJSON_CreateObject()) != NULL &&
		    cJSON_AddItemToArray(arr, o);
		if (!ok)
			break;
		util_hex(v[i].key_sha1, sizeof(v[i].key_sha1), kh);
		util_time_format(v[i].not_after, na, sizeof(na));
		util_time_format(v[i].resp_not_after, ra, sizeof(ra));
		util_time_format(v[i].resp_not_before, rb, sizeof(rb));
		ok = cJSON_AddStringToObject(o, "id", v[i].id) != NULL &&
		    cJSON_AddStringToObject(o, "subject", v[i].subject) !=
			NULL &&
		    cJSON_AddStringToObject(o, "not_after", na) != NULL &&
		    cJSON_AddStringToObject(o, "key_sha1", kh) != NULL &&
		    cJSON_AddNumberToObject(
			o, "certificates", (double)v[i].n_certs) != NULL &&
		    cJSON_AddNumberToObject(
			o, "revoked", (double)v[i].n_revoked) != NULL &&
		    cJSON_AddBoolToObject(
			o, "crl_key", v[i].crl_key_path != NULL) != NULL &&
		    (r = cJSON_AddObjectToObject(o, "responder")) != NULL &&
		    cJSON_AddStringToObject(r, "subject", v[i].resp_subject) !=
			NULL &&
		    cJSON_AddStringToObject(
			r, "key_algorithm", v[i].resp_key_alg) != NULL &&
		    cJSON_AddBoolToObject(r, "is_ca", v[i].resp_is_ca) !=
			NULL &&
		    cJSON_AddStringToObject(r, "not_before", rb) != NULL &&
		    cJSON_AddStringToObject(r, "not_after", ra) != NULL &&
		    cJSON_AddStringToObject(r, "status",
			api_responder_status(&v[i], now, warn)) != NULL &&
		    (v[i].auto_life_s > 0
			    ? cJSON_AddNumberToObject(r, "auto_life_seconds",
				  (double)v[i].auto_life_s) != NULL
			    : cJSON_AddNullToObject(r, "auto_life_seconds") !=
				NULL);
	}
	if (ok && (printed = cJSON_PrintUnformatted(doc)) != NULL) {
		text = strdup(printed); /* the caller's free() */
		cJSON_free(printed);
	}
	cJSON_Delete(doc);
	return text;
}

/* Adds name: t as RFC 3339, or null for INT64_MIN; whether it could. */
static int
add_time(cJSON *o, const char *name, int64_t t)
{
	char ts[32];

	if (t == INT64_MIN)
		return cJSON_AddNullToObject(o, name) != NULL;
	util_time_format(t, ts, sizeof(ts));
	return cJSON_AddStringToObject(o, name, ts) != NULL;
}

char *
api_cert_json(const char *issuer_id, const char *serial,
    const struct store_cert *sc, int64_t now)
{
	cJSON *o;
	char *text = NULL, *printed;
	int ok;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	ok = cJSON_AddStringToObject(o, "issuer_id", issuer_id) != NULL &&
	    cJSON_AddStringToObject(o, "serial_hex", serial) != NULL &&
	    cJSON_AddStringToObject(
		o, "status", sc->revoked ? "revoked" : "good") != NULL &&
	    cJSON_AddBoolToObject(o, "expired",
		sc->not_after != INT64_MIN && sc->not_after <= now) != NULL &&
	    add_time(o, "not_after", sc->not_after) &&
	    add_time(o, "revoked_at", sc->revoked ? sc->revoked_at : INT64_MIN);
	if (ok && sc->revoked && sc->reason >= 0)
		ok = cJSON_AddStringToObject(
			 o, "reason", util_reason_name(sc->reason)) != NULL;
	else if (ok)
		ok = cJSON_AddNullToObject(o, "reason") != NULL;
	if (ok)
		ok = add_time(o, "invalidity_date",
			 sc->revoked ? sc->invalidity_at : INT64_MIN) &&
		    (sc->subject != NULL
			    ? cJSON_AddStringToObject(o, "subject", sc->subject)
			    : cJSON_AddNullToObject(o, "subject")) != NULL &&
		    add_time(o, "registered_at", sc->created_at) &&
		    add_time(o, "updated_at", sc->updated_at);
	if (ok && (printed = cJSON_PrintUnformatted(o)) != NULL) {
		text = strdup(printed); /* the caller's free() */
		cJSON_free(printed);
	}
	cJSON_Delete(o);
	return text;
}
