/*
 * Unit tests for the admin API's checks: request bodies (api_json.c),
 * Host names and token strength (http_admin.c).
 */
#include <string.h>

#include "cJSON.h"
#include "http.h"
#include "harness.h"

/* api_json_parse on a string literal. */
static int
parses(const char *body)
{
	const char *why = NULL;
	cJSON *doc = api_json_parse(body, strlen(body), &why);

	cJSON_Delete(doc);
	return doc != NULL;
}

static void
test_json_nul(void)
{
	static const char raw_nul[] = "{\"a\":\"x\"}\0 ";
	const char *why = NULL;

	CHECK(parses("{\"a\":\"x\"}"));
	CHECK(!parses("{\"a\":\"x\\u0000y\"}"));
	CHECK(!parses("{\"a\\u0000\":1}"));
	CHECK(!parses("[\"\\u0000\"]"));
	/* An escaped backslash, then "u0000": no NUL in that string. */
	CHECK(parses("{\"a\":\"x\\\\u0000\"}"));
	CHECK(parses("{\"a\":\"\\\\\\\\u0000\"}"));
	/* \u0001 and a quote before the escape do not confuse it. */
	CHECK(parses("{\"a\":\"\\u0001\",\"b\":\"\\\"\"}"));
	CHECK(!parses("{\"a\":\"\\\"\\u0000\"}"));
	/* A NUL byte in the body. */
	CHECK(api_json_parse(raw_nul, sizeof(raw_nul) - 1, &why) == NULL);
	CHECK_STR(why, "malformed JSON");
	CHECK(!parses("{\"a\":1} x"));
	CHECK(!parses(""));
}

static void
test_json_duplicates(void)
{
	CHECK(!parses("{\"a\":1,\"a\":2}"));
	CHECK(!parses("{\"x\":{\"b\":1,\"c\":2,\"b\":3}}"));
	CHECK(!parses("[1,{\"a\":[{\"k\":1,\"k\":1}]}]"));
	CHECK(parses("{\"a\":{\"b\":1},\"c\":{\"b\":2}}"));
	CHECK(parses("[{\"a\":1},{\"a\":1}]"));
	CHECK(parses("{\"a\":1,\"A\":2}"));
}

static void
test_revoke_parse(void)
{
	static const struct {
		const char *body;
		enum ob_err e;
		const char *issuer, *serial;
		int reason;
	} v[] = {
	    {"{\"issuer_id\":\"rsa\",\"serial_hex\":\"0x0A01\"}", OB_OK, "rsa",
		"a01", -1},
	    {"{\"issuer_id\":\"rsa\",\"serial_hex\":\"-66\"}", OB_OK, "rsa",
		"-66", -1},
	    {"{\"issuer_id\":\"rsa\",\"serial_hex\":\"a01\",\"reason\":"
	     "\"keyCompromise\"}",
		OB_OK, "rsa", "a01", 1},
	    {"{\"issuer_id\":\"rsa\",\"serial_hex\":\"a01\",\"reason\":null}",
		OB_OK, "rsa", "a01", -1},
	    {"{\"issuer_id\":\"rsa\\u0000x\",\"serial_hex\":\"a01\"}",
		OB_ERR_INVAL, "", "", -1},
	    {"{\"issuer_id\":\"rsa\",\"serial_hex\":\"a01\",\"reason\":"
	     "\"keyCompromise\\u0000\"}",
		OB_ERR_INVAL, "", "", -1},
	    {"{\"issuer_id\":\"r/s\",\"serial_hex\":\"a01\"}", OB_ERR_INVAL, "",
		"", -1},
	    {"{\"issuer_id\":\".rsa\",\"serial_hex\":\"a01\"}", OB_ERR_INVAL,
		"", "", -1},
	    {"{\"issuer_id\":\"\",\"serial_hex\":\"a01\"}", OB_ERR_INVAL, "",
		"", -1},
	    {"{\"issuer_id\":\"rsa\",\"serial_hex\":\"a01\",\"reason\":"
	     "\"removeFromCRL\"}",
		OB_ERR_INVAL, "", "", -1},
	    {"{\"issuer_id\":\"rsa\",\"serial_hex\":\"a01\",\"reason\":7}",
		OB_ERR_INVAL, "", "", -1},
	    {"{\"issuer_id\":\"rsa\"}", OB_ERR_INVAL, "", "", -1},
	    {"[\"rsa\",\"a01\"]", OB_ERR_INVAL, "", "", -1},
	};
	struct api_revoke rq;
	const char *why;
	char big[256];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		why = NULL;
		CHECK(api_revoke_parse(
			  v[i].body, strlen(v[i].body), &rq, &why) == v[i].e);
		if (v[i].e == OB_OK) {
			CHECK_STR(rq.issuer_id, v[i].issuer);
			CHECK_STR(rq.serial, v[i].serial);
			CHECK(rq.reason == v[i].reason);
		} else
			CHECK(why != NULL && why[0] != '\0');
	}
	/* 64 characters fit, 65 do not (no silent cut). */
	for (i = 64; i <= 65; i++) {
		memcpy(big, "{\"issuer_id\":\"", 14);
		memset(big + 14, 'r', i);
		strcpy(big + 14 + i, "\",\"serial_hex\":\"1\"}");
		CHECK(api_revoke_parse(big, strlen(big), &rq, &why) ==
		    (i == 64 ? OB_OK : OB_ERR_INVAL));
	}
}

static void
test_host_ok(void)
{
	CHECK(http_admin_host_ok(NULL, NULL));
	CHECK(http_admin_host_ok("127.0.0.1", NULL));
	CHECK(http_admin_host_ok("127.0.0.1:8081", NULL));
	CHECK(http_admin_host_ok("10.1.2.3:8081", NULL));
	CHECK(http_admin_host_ok("[::1]:8081", NULL));
	CHECK(http_admin_host_ok("[fe80::1]", NULL));
	CHECK(http_admin_host_ok("localhost:8081", NULL));
	CHECK(http_admin_host_ok("LOCALHOST", NULL));
	CHECK(http_admin_host_ok("ocsp.example", "a.example,ocsp.example"));
	CHECK(
	    http_admin_host_ok("OCSP.example.:443", "a.example,ocsp.example"));
	CHECK(!http_admin_host_ok("evil.example", NULL));
	CHECK(!http_admin_host_ok("evil.example", "ocsp.example"));
	CHECK(!http_admin_host_ok("xocsp.example", "ocsp.example"));
	CHECK(!http_admin_host_ok("ocsp.example.evil", "ocsp.example"));
	CHECK(!http_admin_host_ok("a", "a.example"));
	CHECK(!http_admin_host_ok("", NULL));
	CHECK(!http_admin_host_ok("127.0.0.1:80x", NULL));
	CHECK(!http_admin_host_ok("127.0.0.1:", NULL));
	CHECK(!http_admin_host_ok("127.0.0.1:1234567", NULL));
	CHECK(!http_admin_host_ok("127.0.0.1.evil.example", NULL));
	CHECK(!http_admin_host_ok("[::1", NULL));
	CHECK(!http_admin_host_ok("[::1]x", NULL));
	CHECK(!http_admin_host_ok("[evil]", NULL));
	CHECK(!http_admin_host_ok("localhost.evil.example", NULL));
}

static void
test_token_strong(void)
{
	CHECK(!http_admin_token_strong(""));
	CHECK(!http_admin_token_strong("x"));
	CHECK(!http_admin_token_strong("0123456789abcdef0123456789abcde"));
	CHECK(http_admin_token_strong("0123456789abcdef0123456789abcdef"));
	CHECK(http_admin_token_strong("0123456789ABCDEF0123456789ABCDEF"));
	/* base64 of 16 octets: 22 characters and padding */
	CHECK(http_admin_token_strong("q83vEjRWeJCrze8SNFZ4kA=="));
	CHECK(!http_admin_token_strong("q83vEjRWeJCrze8SNFZ4k==="));
	CHECK(http_admin_token_strong("api-test-token-0123456789abcdef"));
	CHECK(!http_admin_token_strong("api-test-token-42"));
	CHECK(!http_admin_token_strong("0123456789abcdef 0123456789abcdef"));
	CHECK(!http_admin_token_strong("0123456789abcdef\t0123456789abcdef"));
	CHECK(!http_admin_token_strong("=0123456789abcdef0123456789abcdef"));
	CHECK(!http_admin_token_strong("0123456789abcdef=0123456789abcdef"));
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
	    {"json_nul", test_json_nul},
	    {"json_duplicates", test_json_duplicates},
	    {"revoke_parse", test_revoke_parse},
	    {"host_ok", test_host_ok},
	    {"token_strong", test_token_strong},
	    {NULL, NULL},
	};

	return harness_main(argc, argv, tests);
}
