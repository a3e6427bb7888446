/* Unit tests for follow.c: versions of an `openssl ca` index applied to a
 * real database, only what changed; broken lines skipped, the rest
 * applied; the follower thread against a real file. */
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

/* follow_apply on text as the file's bytes (a memory stream), the text
 * whole or not, at now. */
static enum ob_err
apply_at(struct store *st, const char *text, int whole, int64_t now,
    struct follow_seen *seen, struct follow_outcome *out)
{
	size_t len = strlen(text);
	enum ob_err e;
	FILE *f;

	/* fmemopen of 0 bytes is refused before glibc 2.22: one NUL-less
	 * stream of nothing instead. */
	if ((f = len > 0 ? fmemopen((void *)text, len, "r")
			 : fopen("/dev/null", "r")) == NULL)
		return OB_ERR_NOMEM;
	e = follow_apply(st, "ca", f, whole, now, seen, out);
	fclose(f);
	return e;
}

static enum ob_err
apply(struct store *st, const char *text, struct follow_seen *seen,
    struct follow_outcome *out)
{
	return apply_at(st, text, 0, NOW, seen, out);
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
	struct follow_seen seen = {0};
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
	CHECK(
	    o.valid == 0 && o.unchanged == 0 && o.kept == 1 && o.expired == 1);
	CHECK(strstr(o.kept_note, "serial a02 is revoked here") != NULL);
	CHECK_STR(certs(),
	    "a01 good -;a02 revoked 4;a03 revoked 1;a04 good -;a05 good -");
	CHECK(seen.anchor[0] != '\0');
	/* After a restart (nothing seen), the whole file again: the store
	 * holds every line already (a02's as revoked, kept), so no row is
	 * written. */
	follow_seen_free(&seen);
	CHECK(apply(st, V1, &seen, &o) == OB_OK);
	CHECK(o.lines == 3 && o.unchanged == 2 && o.kept == 1 && o.valid == 0 &&
	    o.revoked == 0);
	follow_seen_free(&seen);
	store_close(st);
}

/* A broken line: skipped, counted, the lines around it applied; reported
 * once; the fixed line applied. A revocation dated after now: held back
 * until then. */
static void
test_broken_line(void)
{
	struct store *st = fresh();
	struct follow_seen seen = {0};
	struct follow_outcome o;
	char *big;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(apply(st, V1, &seen, &o) == OB_OK);
	CHECK(apply(st,
		  V1 "X\tbroken\n"
		     "R\t311231235959Z\t261101000000Z,keyCompromise\t0B01\t"
		     "unknown\t/CN=new\n",
		  &seen, &o) == OB_OK);
	CHECK(o.broken == 1 && o.new_broken == 1 && o.bad_line == 4);
	CHECK(strstr(o.err, "2 fields, want at least 4") != NULL);
	CHECK(o.revoked == 1 && seen.nbad == 1);
	CHECK_STR(peek("SELECT status FROM certificates"
		       " WHERE serial_hex = 'b01'"),
	    "revoked");
	/* The same broken line in the next version: not new, still said. */
	CHECK(apply(st,
		  V1 "X\tbroken\n"
		     "R\t311231235959Z\t261101000000Z,keyCompromise\t0B01\t"
		     "unknown\t/CN=new\n"
		     "V\t311231235959Z\t\t0B02\tunknown\t/CN=g\n",
		  &seen, &o) == OB_OK);
	CHECK(o.broken == 1 && o.new_broken == 0 && o.bad_line == 4);
	CHECK(o.valid == 1 && o.revoked == 0);
	/* Fixed: nothing broken is left. */
	CHECK(apply(st,
		  V1 "V\t311231235959Z\t\t0B03\tunknown\t/CN=h\n"
		     "R\t311231235959Z\t261101000000Z,keyCompromise\t0B01\t"
		     "unknown\t/CN=new\n"
		     "V\t311231235959Z\t\t0B02\tunknown\t/CN=g\n",
		  &seen, &o) == OB_OK);
	CHECK(o.broken == 0 && o.bad_line == 0 && o.err[0] == '\0');
	CHECK(o.valid == 1 && seen.nbad == 0);
	/* A line over FOLLOW_LINE_MAX: broken, whatever it holds. */
	big = malloc(FOLLOW_LINE_MAX + 64);
	CHECK(big != NULL);
	if (big != NULL) {
		memset(big, 'a', FOLLOW_LINE_MAX + 32);
		memcpy(big, "V\t311231235959Z\t\t0B04\tunknown\t/CN=", 34);
		memcpy(big + FOLLOW_LINE_MAX + 32, "\n", 2);
		CHECK(apply(st, big, &seen, &o) == OB_OK);
		CHECK(o.broken == 1 && strstr(o.err, "over 8192") != NULL);
		free(big);
	}
	/* Exactly FOLLOW_LINE_MAX bytes, with "\n" or "\r\n": read; one
	 * byte more: broken. */
	big = malloc(FOLLOW_LINE_MAX + 64);
	CHECK(big != NULL);
	if (big != NULL) {
		size_t head = strlen("V\t311231235959Z\t\t0B06\tunknown\t/CN=");

		memcpy(big, "V\t311231235959Z\t\t0B06\tunknown\t/CN=", head);
		memset(big + head, 'b', FOLLOW_LINE_MAX - head);
		memcpy(big + FOLLOW_LINE_MAX, "\r\n", 3);
		CHECK(apply(st, big, &seen, &o) == OB_OK);
		CHECK(o.broken == 0 && o.valid == 1);
		big[FOLLOW_LINE_MAX - 1] = 'c'; /* another line, "\n" only */
		memcpy(big + FOLLOW_LINE_MAX, "\n", 2);
		CHECK(apply(st, big, &seen, &o) == OB_OK);
		CHECK(o.broken == 0 && o.unchanged + o.valid == 1);
		memcpy(big + FOLLOW_LINE_MAX, "d\n", 3);
		CHECK(apply(st, big, &seen, &o) == OB_OK);
		CHECK(o.broken == 1 && strstr(o.err, "over 8192") != NULL);
		free(big);
	}
	/* A reason part openssl wrote that is not read here in full: the
	 * line is revoked all the same, and that is said. */
	CHECK(apply(st,
		  V1 "R\t311231235959Z\t261101000000Z,holdInstruction\t0B07"
		     "\tunknown\t/CN=h\n",
		  &seen, &o) == OB_OK);
	CHECK(o.broken == 0 && o.revoked == 1 && o.noted == 1);
	CHECK(strstr(o.note, "serial b07: holdInstruction without") != NULL);
	CHECK_STR(peek("SELECT status || ' ' || revocation_reason FROM "
		       "certificates WHERE serial_hex = 'b07'"),
	    "revoked 6");
	/* Dated after now (a CA clock ahead of ours): revoked as of now,
	 * said once. */
	CHECK(apply(st,
		  V1 "R\t311231235959Z\t261130000010Z\t0B05\tunknown\t/CN=f\n",
		  &seen, &o) == OB_OK);
	CHECK(o.clamped == 1 && o.revoked == 1 && o.broken == 0);
	CHECK(strstr(o.clamp_note,
		  "serial b05 revoked at "
		  "2026-11-30T00:00:10Z, after now") != NULL);
	CHECK_STR(peek("SELECT status || ' ' || revoked_at FROM certificates"
		       " WHERE serial_hex = 'b05'"),
	    "revoked 2026-11-30T00:00:00Z");
	follow_seen_free(&seen);
	store_close(st);
}

/* Many lines, one transaction; read again from nothing (a restart), the
 * database is read, not written. */
static void
test_many(void)
{
	struct store *st = fresh();
	struct follow_seen seen = {0};
	struct follow_outcome o;
	size_t n = 20005, i, len = 0;
	char *text = malloc(n * 64 + 1), *before = NULL;

	CHECK(st != NULL && text != NULL);
	if (st == NULL || text == NULL) {
		store_close(st);
		free(text);
		return;
	}
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, 64,
		    "V\t311231235959Z\t\t%06zX\tunknown\t/CN=%zu\n", i + 1, i);
	CHECK(apply(st, text, &seen, &o) == OB_OK);
	CHECK(o.valid == (long long)n && seen.n == n);
	CHECK_STR(peek("SELECT count(*) FROM certificates"), "20005");
	before = strdup(peek("SELECT max(updated_at) || count(*) FROM "
			     "certificates"));
	follow_seen_free(&seen);
	CHECK(apply(st, text, &seen, &o) == OB_OK);
	CHECK(o.unchanged == (long long)n && o.valid == 0 && seen.n == n);
	CHECK(before != NULL &&
	    strcmp(peek("SELECT max(updated_at) || count(*) FROM certificates"),
		before) == 0);
	free(before);
	follow_seen_free(&seen);
	store_close(st);
	free(text);
}

/* A file caught mid-write: its last line, without a newline, waits. */
static void
test_torn(void)
{
	struct store *st = fresh();
	struct follow_seen seen = {0};
	struct follow_outcome o;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(apply(st, V1 "V\t3112312359", &seen, &o) == OB_OK);
	CHECK(o.torn && o.lines == 3 && o.valid == 2 && o.revoked == 1);
	CHECK(apply(st, V1 "V\t311231235959Z\t\t0C01\tunknown\t/CN=g\n", &seen,
		  &o) == OB_OK);
	CHECK(!o.torn && o.valid == 1);
	/* Read whole (a last line that never got its newline): applied. */
	CHECK(apply_at(st, V1 "V\t311231235959Z\t\t0C09\tunknown\t/CN=z", 1,
		  NOW, &seen, &o) == OB_OK);
	CHECK(!o.torn && o.valid == 1 && o.lines == 4);
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
	CHECK_STR(peek("SELECT count(*) FROM certificates"), "6");
	follow_seen_free(&seen);
	store_close(st);
}

/* An issuer that is not there: OB_ERR_NOTFOUND, nothing kept. */
static void
test_no_issuer(void)
{
	struct store *st = fresh();
	struct follow_seen seen = {0};
	struct follow_outcome o;
	FILE *f = fmemopen((void *)V1, strlen(V1), "r");

	CHECK(st != NULL && f != NULL);
	if (st == NULL || f == NULL)
		return;
	CHECK(
	    follow_apply(st, "nope", f, 0, NOW, &seen, &o) == OB_ERR_NOTFOUND);
	fclose(f);
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
no_issuer(const struct follow_status *fs)
{
	return strstr(fs->err, "no issuer ca") != NULL;
}

static int
is_clear(const struct follow_status *fs)
{
	return fs->err[0] == '\0' && fs->bad_line == 0;
}

static int
has_err(const struct follow_status *fs)
{
	return fs->err[0] != '\0';
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
	sqlite3 *db = NULL;
	long long versions;
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
	/* A broken line: skipped, said in the status; the rest applied. */
	write_renamed(idx,
	    V1 "V\t311231235959Z\t\t0A04\tunknown\t/CN=d\n"
	       "garbage\n"
	       "V\t311231235959Z\t\t0A05\tunknown\t/CN=e\n");
	CHECK(wait_status(fw, is_broken, &fs, 2000));
	CHECK(fs.broken == 1 && fs.bad_line == 5);
	CHECK(strstr(fs.err, ":5: ") != NULL);
	CHECK(wait_for("SELECT count(*) FROM certificates", "5", 1000) >= 0);
	/* The fixed file. */
	write_renamed(idx,
	    V1 "V\t311231235959Z\t\t0A04\tunknown\t/CN=d\n"
	       "V\t311231235959Z\t\t0A05\tunknown\t/CN=e\n");
	CHECK(wait_status(fw, is_clear, &fs, 2000));
	CHECK(fs.broken == 1 && fs.bad_line == 0);
	CHECK(fs.versions >= 5 && fs.applied_at > 0);
	/* The certificates it wrote deleted behind its back (an issuer
	 * removed and added again): the whole file applied again. */
	if (sqlite3_open(path, &db) == SQLITE_OK)
		CHECK(sqlite3_exec(db, "DELETE FROM certificates", NULL, NULL,
			  NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(wait_for("SELECT count(*) FROM certificates", "5", 3000) >= 0);
	/* The issuer removed (its certificates with it): waited for; added
	 * again: the whole file applied within a second or two. */
	if (sqlite3_open(path, &db) == SQLITE_OK)
		CHECK(sqlite3_exec(db,
			  "PRAGMA foreign_keys = ON;"
			  " DELETE FROM issuers WHERE id = 'ca'",
			  NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(wait_status(fw, no_issuer, &fs, 3000));
	CHECK(store_open(path, 0, &st, err, sizeof(err)) == OB_OK);
	if (st != NULL) {
		CHECK(add_issuer_ca(st) == OB_OK);
		store_close(st);
	}
	ms = wait_for("SELECT count(*) FROM certificates", "5", 3000);
	CHECK(ms >= 0 && ms < 2500);
	fprintf(stderr, "  issuer added again: applied in %ld ms\n", ms);
	/* ... and "no issuer" is no longer said. */
	CHECK(wait_status(fw, is_clear, &fs, 2000));
	/* A last line that never gets its newline: read after
	 * FOLLOW_TORN_WAIT seconds, and the version counted once. */
	follower_status(fw, &fs);
	versions = fs.versions;
	f = fopen(idx, "a");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs("V\t311231235959Z\t\t0A07\tunknown\t/CN=g", f);
		fclose(f);
	}
	usleep(2500000);
	CHECK_STR(peek("SELECT count(*) FROM certificates"), "5");
	CHECK(wait_for("SELECT count(*) FROM certificates", "6",
		  FOLLOW_TORN_WAIT * 1000 + 2000) >= 0);
	follower_status(fw, &fs);
	CHECK(fs.versions == versions + 1);
	/* Removed: waited for; written again: applied. */
	CHECK(unlink(idx) == 0);
	CHECK(wait_status(fw, is_waiting, &fs, 2000));
	write_renamed(idx, V1 "V\t311231235959Z\t\t0A06\tunknown\t/CN=f\n");
	CHECK(wait_for("SELECT count(*) FROM certificates", "7", 1000) >= 0);
	follower_stop(fw);
	unlink(idx);
}

/* A database it cannot open: said in the status, tried again. */
static void
test_follower_no_store(void)
{
	struct follower *fw = NULL;
	struct follow_status fs;
	char idx[160];

	snprintf(idx, sizeof(idx), "%s/index-ns.txt", dir);
	write_renamed(idx, V1);
	CHECK(follower_start("/nonexistent/dir/db", "ca", idx, &fw, err,
		  sizeof(err)) == OB_OK);
	if (fw == NULL)
		return;
	CHECK(wait_status(fw, has_err, &fs, 2000));
	CHECK(fs.versions == 0 && fs.applied_at == 0);
	follower_stop(fw);
	unlink(idx);
}

static const struct test tests[] = {
    {"changes_only", test_changes_only},
    {"broken_line", test_broken_line},
    {"many", test_many},
    {"torn", test_torn},
    {"no_issuer", test_no_issuer},
    {"follower", test_follower},
    {"follower_no_store", test_follower_no_store},
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
