/* Unit tests for follow.c: versions of an `openssl ca` index applied to a
 * real database, only what changed, all or nothing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "server.h"
#include "harness.h"
#include "store_fixture.h"

/* 2026-11-30T00:00:00Z: the tests' now. */
#define NOW 1795996800

/* Every certificate of "ca" as "SERIAL STATUS REASON;", by serial. */
static char *
certs(void)
{
	return peek("SELECT group_concat(x, ';') FROM (SELECT serial_hex"
		    " || ' ' || status || ' ' || coalesce(revocation_reason,"
		    " '-') AS x FROM certificates WHERE issuer_id = 'ca'"
		    " ORDER BY serial_hex)");
}

/* follow_apply on a writable copy of text (as the file's bytes). */
static enum ob_err
apply(struct store *st, const char *text, struct follow_seen *seen,
    struct follow_outcome *out)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	enum ob_err e;

	memcpy(buf, text, len + 1);
	e = follow_apply(st, "ca", buf, len, NOW, seen, out);
	free(buf);
	return e;
}

#define V1 \
	"V\t301231235959Z\t\t0A01\tunknown\t/CN=a\n" \
	"V\t301231235959Z\t\t0A02\tunknown\t/CN=b\n" \
	"R\t301231235959Z\t260102030405Z,keyCompromise\t0A03\tunknown\t/CN=c\n"

/* Only what changed is written; the same version again writes nothing. */
static void
test_changes_only(void)
{
	struct store *st = fresh();
	struct follow_seen seen = {NULL, 0};
	struct follow_outcome o;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(apply(st, V1, &seen, &o) == OB_OK);
	CHECK(o.lines == 3 && o.valid == 2 && o.revoked == 1 &&
	    o.expired == 0 && o.bad_line == 0 && !o.torn);
	CHECK(seen.n == 3);
	CHECK_STR(certs(), "a01 good -;a02 good -;a03 revoked 1");
	/* The same bytes again: nothing to write. */
	CHECK(apply(st, V1, &seen, &o) == OB_OK);
	CHECK(o.lines == 3 && o.valid == 0 && o.revoked == 0);
	/* openssl ca revokes 0A02 and issues 0A04: two lines written. */
	CHECK(
	    apply(st,
		"V\t301231235959Z\t\t0A01\tunknown\t/CN=a\n"
		"R\t301231235959Z\t261101000000Z,superseded\t0A02\tunknown\t/CN=b\n"
		"R\t301231235959Z\t260102030405Z,keyCompromise\t0A03\tunknown\t/CN=c\n"
		"V\t311231235959Z\t\t0A04\tunknown\t/CN=d\n",
		&seen, &o) == OB_OK);
	CHECK(o.lines == 4 && o.valid == 1 && o.revoked == 1);
	CHECK_STR(certs(), "a01 good -;a02 revoked 4;a03 revoked 1;a04 good -");
	CHECK_STR(peek("SELECT revoked_at FROM certificates"
		       " WHERE serial_hex = 'a02'"),
	    "2026-11-01T00:00:00Z");
	/* A line that turns a revoked certificate V again: never
	 * un-revoked. E lines: expired, registered as such. */
	CHECK(apply(st,
		  "V\t301231235959Z\t\t0A01\tunknown\t/CN=a\n"
		  "V\t301231235959Z\t\t0A02\tunknown\t/CN=b\n"
		  "E\t200101000000Z\t\t0A05\tunknown\t/CN=e\n",
		  &seen, &o) == OB_OK);
	CHECK(o.valid == 1 && o.expired == 1);
	CHECK_STR(certs(),
	    "a01 good -;a02 revoked 4;a03 revoked 1;a04 good -;a05 good -");
	follow_seen_free(&seen);
	store_close(st);
}

/* One broken line: nothing of that version written, the last good one
 * still the reference; the next good version applied. */
static void
test_broken_line(void)
{
	struct store *st = fresh();
	struct follow_seen seen = {NULL, 0};
	struct follow_outcome o;
	uint64_t *before;
	size_t n;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(apply(st, V1, &seen, &o) == OB_OK);
	n = seen.n;
	before = seen.h;
	CHECK(apply(st,
		  V1 "V\t311231235959Z\t\t0B01\tunknown\t/CN=new\n"
		     "X\tbroken\n",
		  &seen, &o) == OB_ERR_INVAL);
	CHECK(o.bad_line == 5);
	CHECK(strstr(o.err, "2 fields, want at least 4") != NULL);
	CHECK(o.valid == 0 && o.revoked == 0);
	CHECK(seen.n == n && seen.h == before);
	CHECK_STR(peek("SELECT count(*) FROM certificates"
		       " WHERE serial_hex = 'b01'"),
	    "0");
	/* A revocation after now is a broken line too. */
	CHECK(apply(st,
		  V1 "R\t311231235959Z\t271231000000Z\t0B02\tunknown\t/CN=f\n",
		  &seen, &o) == OB_ERR_INVAL);
	CHECK(o.bad_line == 4 && strstr(o.err, "after now") != NULL);
	/* The fixed file: applied, from the last good version. */
	CHECK(apply(st, V1 "V\t311231235959Z\t\t0B01\tunknown\t/CN=new\n",
		  &seen, &o) == OB_OK);
	CHECK(o.valid == 1 && o.revoked == 0);
	CHECK_STR(peek("SELECT count(*) FROM certificates"), "4");
	follow_seen_free(&seen);
	store_close(st);
}

/* A file caught mid-write: its last line, without a newline, waits. */
static void
test_torn(void)
{
	struct store *st = fresh();
	struct follow_seen seen = {NULL, 0};
	struct follow_outcome o;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(apply(st, V1 "V\t3112312359", &seen, &o) == OB_OK);
	CHECK(o.torn && o.lines == 3 && o.valid == 2 && o.revoked == 1);
	CHECK(apply(st, V1 "V\t311231235959Z\t\t0C01\tunknown\t/CN=g\n", &seen,
		  &o) == OB_OK);
	CHECK(!o.torn && o.valid == 1);
	/* CRLF and empty lines: as cert import reads them. */
	CHECK(apply(st,
		  V1 "V\t311231235959Z\t\t0C01\tunknown\t/CN=g\n\n"
		     "V\t311231235959Z\t\t0C02\tunknown\t/CN=h\r\n",
		  &seen, &o) == OB_OK);
	CHECK(o.valid == 1 && o.lines == 6);
	CHECK_STR(peek("SELECT subject FROM certificates"
		       " WHERE serial_hex = 'c02'"),
	    "/CN=h");
	/* An empty file: nothing written, nothing forgotten in the DB. */
	CHECK(apply(st, "", &seen, &o) == OB_OK);
	CHECK(o.lines == 0 && seen.n == 0);
	CHECK_STR(peek("SELECT count(*) FROM certificates"), "5");
	follow_seen_free(&seen);
	store_close(st);
}

/* An issuer that is not there: a store error, nothing kept. */
static void
test_no_issuer(void)
{
	struct store *st = fresh();
	struct follow_seen seen = {NULL, 0};
	struct follow_outcome o;
	char text[] = V1;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(follow_apply(st, "nope", text, strlen(text), NOW, &seen, &o) !=
	    OB_OK);
	CHECK(strstr(o.err, "nope") != NULL);
	CHECK(seen.n == 0);
	CHECK_STR(peek("SELECT count(*) FROM certificates"), "0");
	store_close(st);
}

/* Writes text as the file at p, as openssl ca does: a new file renamed
 * over it. */
static void
write_renamed(const char *p, const char *text)
{
	char tmp[256];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", p);
	f = fopen(tmp, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
	CHECK(rename(tmp, p) == 0);
}

/* Waits up to ms for sql's value to be want; returns the ms it took,
 * or -1. */
static long
wait_for(const char *sql, const char *want, long ms)
{
	int64_t t0 = util_mono_ms();

	while (util_mono_ms() - t0 < ms) {
		if (strcmp(peek(sql), want) == 0)
			return (long)(util_mono_ms() - t0);
		usleep(10000);
	}
	fprintf(stderr, "  waited %ld ms for %s = %s: %s\n", ms, sql, want,
	    peek(sql));
	return -1;
}

/* Waits up to ms for the follower's status to satisfy ok(); 1 if it did. */
static int
wait_status(struct follower *fw, int (*ok)(const struct follow_status *),
    struct follow_status *fs, long ms)
{
	int64_t t0 = util_mono_ms();

	do {
		follower_status(fw, fs);
		if (ok(fs))
			return 1;
		usleep(10000);
	} while (util_mono_ms() - t0 < ms);
	return 0;
}

static int
is_broken(const struct follow_status *fs)
{
	return fs->broken > 0;
}

static int
is_waiting(const struct follow_status *fs)
{
	return strstr(fs->err, "waiting for it") != NULL;
}

/* The thread: a file renamed over, appended to, broken, fixed, removed
 * and written again, each version applied within a second. */
static void
test_follower(void)
{
	struct store *st = fresh();
	struct follower *fw = NULL;
	struct follow_status fs;
	char idx[160];
	long ms;
	FILE *f;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	store_close(st); /* the follower has its own connection */
	snprintf(idx, sizeof(idx), "%s/index-%d.txt", dir, (int)getpid());
	write_renamed(idx, V1);
	CHECK(follower_start(path, "ca", idx, &fw, err, sizeof(err)) == OB_OK);
	if (fw == NULL)
		return;
	CHECK(wait_for("SELECT count(*) FROM certificates", "3", 3000) >= 0);
	/* openssl ca revokes 0A02: index.txt.new renamed over index.txt */
	write_renamed(idx,
	    "V\t301231235959Z\t\t0A01\tunknown\t/CN=a\n"
	    "R\t301231235959Z\t261101000000Z,superseded\t0A02\tunknown\t/CN=b\n"
	    "R\t301231235959Z\t260102030405Z,keyCompromise\t0A03\tunknown\t/CN=c\n");
	ms =
	    wait_for("SELECT status FROM certificates WHERE serial_hex = 'a02'",
		"revoked", 1000);
	CHECK(ms >= 0);
	fprintf(stderr, "  rename over: applied in %ld ms\n", ms);
	/* Appended in place, in two writes: the half line waits. */
	f = fopen(idx, "a");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs("V\t311231235959Z\t\t0A0", f);
		fflush(f);
		usleep(200000);
		CHECK_STR(peek("SELECT count(*) FROM certificates"), "3");
		fputs("4\tunknown\t/CN=d\n", f);
		fclose(f);
	}
	CHECK(wait_for("SELECT count(*) FROM certificates", "4", 1000) >= 0);
	/* A broken version: nothing applied, said in the status. */
	write_renamed(idx,
	    V1 "V\t311231235959Z\t\t0A04\tunknown\t/CN=d\n"
	       "V\t311231235959Z\t\t0A05\tunknown\t/CN=e\n"
	       "garbage\n");
	CHECK(wait_status(fw, is_broken, &fs, 2000));
	CHECK(fs.broken == 1 && fs.bad_line == 6);
	CHECK(strstr(fs.err, ":6: ") != NULL);
	CHECK_STR(peek("SELECT count(*) FROM certificates"), "4");
	/* The fixed file. */
	write_renamed(idx,
	    V1 "V\t311231235959Z\t\t0A04\tunknown\t/CN=d\n"
	       "V\t311231235959Z\t\t0A05\tunknown\t/CN=e\n");
	CHECK(wait_for("SELECT count(*) FROM certificates", "5", 1000) >= 0);
	follower_status(fw, &fs);
	CHECK(fs.broken == 1 && fs.bad_line == 0 && fs.err[0] == '\0');
	CHECK(fs.versions >= 4 && fs.applied_at > 0);
	/* Removed: waited for; written again: applied. */
	CHECK(unlink(idx) == 0);
	CHECK(wait_status(fw, is_waiting, &fs, 2000));
	write_renamed(idx, V1 "V\t311231235959Z\t\t0A06\tunknown\t/CN=f\n");
	CHECK(wait_for("SELECT count(*) FROM certificates", "6", 1000) >= 0);
	follower_stop(fw);
	unlink(idx);
}

static const struct test tests[] = {
    {"changes_only", test_changes_only},
    {"broken_line", test_broken_line},
    {"torn", test_torn},
    {"no_issuer", test_no_issuer},
    {"follower", test_follower},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	char cmd[128];
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/ocspbox-follow.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	rc = harness_main(argc, argv, tests);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
