/* Unit tests for ocsp_get.c: the path spellings real clients send. */
#include <string.h>

#include "codec.h"
#include "harness.h"

/* base64 of these bytes is "+/8=": both characters URLs mangle. */
static const unsigned char want[] = {0xfb, 0xff};

static const struct {
	const char *path;
	enum ob_err e;
} vectors[] = {
    {"/+/8=", OB_OK},
    {"/ocsp/+/8=", OB_OK},
    {"/%2B%2F8%3D", OB_OK},
    {"/%2b%2f8%3d", OB_OK},
    {"/ocsp/%2B/8%3d", OB_OK},
    {"/ /8=", OB_OK}, /* '+' form-decoded into a space */
    {"/%20/8=", OB_OK}, /* ... and then escaped again */
    {"//ocsp//+/8=", OB_OK}, /* doubled slashes */
    {"///+/8=", OB_OK},
    {"/-_8", OB_OK}, /* base64url, no padding */
    {"/+/8", OB_OK}, /* missing padding */
    {"ocsp/+/8=", OB_OK},
    {"/", OB_ERR_INVAL},
    {"", OB_ERR_INVAL},
    {"/ocsp", OB_ERR_INVAL},
    {"/ocsp/", OB_ERR_INVAL},
    {"/+/8=A", OB_ERR_INVAL}, /* data after padding */
    {"/+/8===", OB_ERR_INVAL}, /* too much padding */
    {"/+/8*", OB_ERR_INVAL},
    {"/+/8%", OB_ERR_INVAL},
    {"/+/8%3", OB_ERR_INVAL},
    {"/+/8%zz", OB_ERR_INVAL},
    {"/+/8=%00", OB_ERR_INVAL},
    {"/A", OB_ERR_INVAL}, /* one character is no byte */
    {"/+/8?x=1", OB_ERR_INVAL},
};

static void
test_vectors(void)
{
	unsigned char out[16];
	size_t i, n;
	enum ob_err e;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		e = ocsp_get_decode(vectors[i].path, strlen(vectors[i].path),
		    out, sizeof(out), &n);
		if (e != vectors[i].e)
			fprintf(stderr, "  \"%s\": %d\n", vectors[i].path, e);
		CHECK(e == vectors[i].e);
		if (e == OB_OK)
			CHECK(n == sizeof(want) &&
			    memcmp(out, want, sizeof(want)) == 0);
	}
}

static void
test_real_request(void)
{
	/* A request made by openssl, as its base64 and %-encoded. */
	static const char b64[] =
	    "MEMwQTA/MD0wOzAJBgUrDgMCGgUABBQ7bNMqIJkVGjU+JqkUp2n3u6ChwAQU"
	    "yMZQ4yRQ2B6JJIvXIcl2FgHoT4MCAgoB";
	char path[256], *p = path;
	unsigned char out[128];
	size_t i, n;

	p += snprintf(path, sizeof(path), "/ocsp/");
	for (i = 0; b64[i] != '\0'; i++)
		p += b64[i] == '+'  ? snprintf(p, 4, "%%2B")
		    : b64[i] == '/' ? snprintf(p, 4, "%%2F")
				    : snprintf(p, 2, "%c", b64[i]);
	CHECK(
	    ocsp_get_decode(path, strlen(path), out, sizeof(out), &n) == OB_OK);
	CHECK(n == 69 && out[0] == 0x30 && out[1] == 0x43);
}

static void
test_cap(void)
{
	unsigned char out[2];
	size_t n = 99;

	CHECK(ocsp_get_decode("/+/8=", 5, out, 2, &n) == OB_OK && n == 2);
	CHECK(ocsp_get_decode("/+/8=", 5, out, 1, &n) == OB_ERR_RANGE);
	CHECK(n == 0);
	CHECK(ocsp_get_decode("/+/8=", 5, out, 0, &n) == OB_ERR_RANGE);
}

static void
test_length_is_respected(void)
{
	unsigned char out[8];
	size_t n;

	/* Only the first 5 bytes count: the rest is not looked at. */
	CHECK(
	    ocsp_get_decode("/+/8=garbage", 5, out, sizeof(out), &n) == OB_OK);
	CHECK(n == 2);
}

static const struct test tests[] = {
    {"vectors", test_vectors},
    {"real_request", test_real_request},
    {"cap", test_cap},
    {"length_is_respected", test_length_is_respected},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
