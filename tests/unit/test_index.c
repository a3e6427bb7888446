/* Unit tests for index.c: OpenSSL index.txt lines, good and hostile. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "harness.h"

static const struct {
	const char *line;
	enum ob_err e;
	char status;
	const char *serial;
	int reason;
	const char *subject;
	const char *errpart;
} vectors[] = {
    {"V\t301231235959Z\t\t0A01\tunknown\t/CN=a", OB_OK, 'V', "a01", -1, "/CN=a",
	NULL},
    {"E\t200101000000Z\t\t1\tunknown\t/CN=e", OB_OK, 'E', "1", -1, "/CN=e",
	NULL},
    {"R\t301231235959Z\t240102030405Z,keyCompromise\tFF\tunknown\t/CN=r", OB_OK,
	'R', "ff", 1, "/CN=r", NULL},
    {"R\t301231235959Z\t240102030405Z,CACompromise\t2\tunknown\t/CN=r", OB_OK,
	'R', "2", 2, "/CN=r", NULL},
    {"R\t301231235959Z\t240102030405Z,certificateHold,"
     "holdInstructionReject\t3\tunknown\t/CN=h",
	OB_OK, 'R', "3", 6, "/CN=h", NULL},
    /* What openssl ca -crl_hold, -crl_compromise and -crl_CA_compromise
     * write (its make_revocation_str). */
    {"R\t301231235959Z\t240102030405Z,holdInstruction,1.2.840.10040.2.2\t31"
     "\tunknown\t/CN=h",
	OB_OK, 'R', "31", 6, "/CN=h", NULL},
    {"R\t301231235959Z\t240102030405Z,holdInstruction,"
     "holdInstructionCallIssuer\t32\tunknown\t/CN=h",
	OB_OK, 'R', "32", 6, "/CN=h", NULL},
    {"R\t301231235959Z\t240102030405Z,keyTime,20231201000000Z\t33\tunknown"
     "\t/CN=k",
	OB_OK, 'R', "33", 1, "/CN=k", NULL},
    {"R\t301231235959Z\t240102030405Z,CAkeyTime,20231201000000Z\t34\tunknown"
     "\t/CN=c",
	OB_OK, 'R', "34", 2, "/CN=c", NULL},
    {"R\t301231235959Z\t240102030405Z,HOLDINSTRUCTION,1.2.3\t35\tunknown"
     "\t/CN=h",
	OB_OK, 'R', "35", 6, "/CN=h", NULL},
    /* A reason part that cannot be read in full: revoked all the same,
     * with what could be read (the notes are test_notes'). */
    {"R\t301231235959Z\t240102030405Z,holdInstruction\t36\tunknown\t/CN=x",
	OB_OK, 'R', "36", 6, "/CN=x", NULL},
    {"R\t301231235959Z\t240102030405Z,holdInstruction,Hold Instruction "
     "Reject\t37\tunknown\t/CN=x",
	OB_OK, 'R', "37", 6, "/CN=x", NULL},
    {"R\t301231235959Z\t240102030405Z,keyTime,202611280000Z\t38\tunknown"
     "\t/CN=x",
	OB_OK, 'R', "38", 1, "/CN=x", NULL},
    {"R\t301231235959Z\t240102030405Z,CAkeyTime\t39\tunknown\t/CN=x", OB_OK,
	'R', "39", 2, "/CN=x", NULL},
    {"R\t301231235959Z\t240102030405Z,\t3a\tunknown\t/CN=x", OB_OK, 'R', "3a",
	-1, "/CN=x", NULL},
    {"R\t301231235959Z\t240102030405Z\t4\tunknown\t/CN=n", OB_OK, 'R', "4", -1,
	"/CN=n", NULL},
    /* openssl ca writes a negative serial as BN_bn2hex does: "-66" */
    {"R\t301231235959Z\t240102030405Z\t-66\tunknown\t/CN=m", OB_OK, 'R', "-66",
	-1, "/CN=m", NULL},
    {"V\t301231235959Z\t\t-0A01\tunknown\t/CN=m", OB_OK, 'V', "-a01", -1,
	"/CN=m", NULL},
    {"V\t301231235959Z\t\t--1\tunknown\t/CN=x", OB_ERR_INVAL, 0, "", -1, "",
	"bad serial"},
    {"V\t20301231235959Z\t\t5\tunknown", OB_OK, 'V', "5", -1, "", NULL},
    {"V\t301231235959Z\t\t6", OB_OK, 'V', "6", -1, "", NULL},
    {"X\t301231235959Z\t\t1\tunknown\t/CN=x", OB_ERR_INVAL, 0, "", -1, "",
	"not V, R or E"},
    {"VV\t301231235959Z\t\t1\tunknown\t/CN=x", OB_ERR_INVAL, 0, "", -1, "",
	"not V, R or E"},
    {"V\t3012312359Z\t\t1\tunknown\t/CN=x", OB_ERR_INVAL, 0, "", -1, "",
	"bad expiry"},
    {"V\t301231235959Z\t240102030405Z\t1\tunknown\t/CN=x", OB_ERR_INVAL, 0, "",
	-1, "", "not R"},
    {"R\t301231235959Z\t\t1\tunknown\t/CN=x", OB_ERR_INVAL, 0, "", -1, "",
	"bad revocation time"},
    /* A reason that cannot be read: revoked all the same, without it
     * (the note is test_notes'). */
    {"R\t301231235959Z\t240102030405Z,sadness\t1\tunknown\t/CN=x", OB_OK, 'R',
	"1", -1, "/CN=x", NULL},
    {"R\t301231235959Z\t240102030405Z,removeFromCRL\t1\tunknown\t/CN=x", OB_OK,
	'R', "1", -1, "/CN=x", NULL},
    {"V\t301231235959Z\t\tzz\tunknown\t/CN=x", OB_ERR_INVAL, 0, "", -1, "",
	"bad serial"},
    {"V\t301231235959Z\t\t\tunknown\t/CN=x", OB_ERR_INVAL, 0, "", -1, "",
	"bad serial"},
    {"V\t301231235959Z", OB_ERR_INVAL, 0, "", -1, "", "fields"},
    {"", OB_ERR_INVAL, 0, "", -1, "", "fields"},
    {"V\t301231235959Z\t\t1\tunknown\t/CN=x\textra", OB_ERR_INVAL, 0, "", -1,
	"", "more than 6"},
    {"\t\t\t\t\t\t\t\t", OB_ERR_INVAL, 0, "", -1, "", "more than 6"},
    /* What the error quotes is printable: a terminal escape is not
     * passed to the log. */
    {"R\t301231235959Z\t240102030405Z,\x1b[31mX\r\t1\tunknown\t/CN=x", OB_OK,
	'R', "1", -1, "/CN=x", NULL},
    {"V\t301231235959Z\t\t0123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "012345678901234567890123456789\tunknown\t/CN=x",
	OB_ERR_INVAL, 0, "", -1, "", "0123456789...\" (too long)"},
};

static void
test_vectors(void)
{
	struct index_entry ent;
	char err[OB_ERRBUF], *buf;
	size_t i, len;
	enum ob_err e;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		len = strlen(vectors[i].line);
		/* Exactly len + 1 bytes: ASan catches a read past them. */
		buf = malloc(len + 1);
		memcpy(buf, vectors[i].line, len);
		err[0] = '\0';
		e = index_parse_line(buf, len, &ent, err, sizeof(err));
		if (e != vectors[i].e)
			fprintf(stderr, "  vector %zu: %s\n", i, err);
		CHECK(e == vectors[i].e);
		if (e == OB_OK) {
			CHECK(ent.status == vectors[i].status);
			CHECK_STR(ent.serial, vectors[i].serial);
			CHECK(ent.reason == vectors[i].reason);
			CHECK_STR(ent.subject, vectors[i].subject);
		} else
			CHECK(strstr(err, vectors[i].errpart) != NULL);
		free(buf);
	}
}

static void
test_times(void)
{
	struct index_entry ent;
	char err[OB_ERRBUF];
	char line[] = "R\t301231235959Z\t240102030405Z,superseded\t1\tx\t/CN=a";

	CHECK(index_parse_line(line, strlen(line), &ent, err, sizeof(err)) ==
	    OB_OK);
	CHECK(ent.not_after == 1924991999); /* 2030-12-31T23:59:59Z */
	CHECK(ent.revoked_at == 1704164645); /* 2024-01-02T03:04:05Z */
	CHECK(ent.reason == 4);
	CHECK(ent.invalidity_at == INT64_MIN);
}

/* keyTime and CAkeyTime: the compromise time, an invalidityDate. */
static void
test_invalidity(void)
{
	struct index_entry ent;
	char err[OB_ERRBUF];
	char k[] = "R\t301231235959Z\t240102030405Z,keyTime,20231201000000Z\t1"
		   "\tx\t/CN=a";
	char c[] = "R\t301231235959Z\t240102030405Z,CAkeyTime,231201000000Z\t2"
		   "\tx\t/CN=a";
	char h[] = "R\t301231235959Z\t240102030405Z,holdInstruction,1.2.3\t3"
		   "\tx\t/CN=a";

	CHECK(index_parse_line(k, strlen(k), &ent, err, sizeof(err)) == OB_OK);
	CHECK(ent.reason == 1 && ent.invalidity_at == 1701388800);
	CHECK(ent.revoked_at == 1704164645);
	CHECK(index_parse_line(c, strlen(c), &ent, err, sizeof(err)) == OB_OK);
	CHECK(ent.reason == 2 && ent.invalidity_at == 1701388800);
	CHECK(index_parse_line(h, strlen(h), &ent, err, sizeof(err)) == OB_OK);
	CHECK(ent.reason == 6 && ent.invalidity_at == INT64_MIN);
}

/* What could not be read of a reason is said, printable, and the rest
 * kept. */
static void
test_notes(void)
{
	static const struct {
		const char *line, *note;
		int reason;
		int64_t inv;
	} v[] = {
	    {"R\t301231235959Z\t240102030405Z,keyCompromise\t1\tx\t/CN=a", "",
		1, INT64_MIN},
	    {"R\t301231235959Z\t240102030405Z,holdInstruction\t1\tx\t/CN=a",
		"holdInstruction without its instruction", 6, INT64_MIN},
	    {"R\t301231235959Z\t240102030405Z,keyTime,202611280000Z\t1\tx"
	     "\t/CN=a",
		"keyTime \"202611280000Z\" is no time read here: no "
		"invalidity date",
		1, INT64_MIN},
	    {"R\t301231235959Z\t240102030405Z,removeFromCRL\t1\tx\t/CN=a",
		"removeFromCRL is no reason to revoke: revoked without a "
		"reason",
		-1, INT64_MIN},
	    {"R\t301231235959Z\t240102030405Z,\x1b[31mX\r\t1\tx\t/CN=a",
		"unknown revocation reason \"?[31mX?\": revoked without a "
		"reason",
		-1, INT64_MIN},
	    {"R\t301231235959Z\t240102030405Z,CAkeyTime,20231201000000Z\t1\tx"
	     "\t/CN=a",
		"", 2, 1701388800},
	};
	struct index_entry ent;
	char err[OB_ERRBUF], buf[256];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", v[i].line);
		CHECK(index_parse_line(
			  buf, strlen(buf), &ent, err, sizeof(err)) == OB_OK);
		CHECK_STR(ent.note, v[i].note);
		CHECK(ent.reason == v[i].reason);
		CHECK(ent.invalidity_at == v[i].inv);
		CHECK(ent.status == 'R');
	}
}

static void
test_embedded_nul(void)
{
	struct index_entry ent;
	char err[OB_ERRBUF];
	char line[] = "V\t301231235959Z\t\t1\0\tx\t/CN=a";

	CHECK(index_parse_line(line, sizeof(line) - 1, &ent, err,
		  sizeof(err)) == OB_ERR_INVAL);
	CHECK(strstr(err, "NUL") != NULL);
}

static const struct test tests[] = {
    {"vectors", test_vectors},
    {"times", test_times},
    {"invalidity", test_invalidity},
    {"notes", test_notes},
    {"embedded_nul", test_embedded_nul},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
