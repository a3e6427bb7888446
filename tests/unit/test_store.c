/* Unit tests for store.c on a real database file in a temporary dir. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "extern.h"
#include "harness.h"

static char dir[64], path[128];
static char err[OB_ERRBUF];

/* A fresh, migrated database with issuer "ca". */
static struct store *
fresh(void)
{
	static int n;
	struct store_issuer is;
	struct store *st = NULL;
	unsigned char der[] = {0x30, 0x03, 0x02, 0x01, 0x01};

	snprintf(path, sizeof(path), "%s/t%d.db", dir, n++);
	if (store_open(path, 1, &st, err, sizeof(err)) != OB_OK ||
	    store_migrate(st, 0, NULL, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "  fresh: %s\n", err);
		store_close(st);
		return NULL;
	}
	memset(&is, 0, sizeof(is));
	snprintf(is.id, sizeof(is.id), "ca");
	is.subject = "CN=ca";
	is.cert_der = der;
	is.cert_len = sizeof(der);
	memset(is.key_sha1, 0xab, 20);
	is.not_after = 2000000000;
	is.resp_der = der;
	is.resp_len = sizeof(der);
	is.resp_subject = "CN=ca";
	is.resp_key_path = "/nonexistent/key";
	snprintf(is.resp_key_alg, sizeof(is.resp_key_alg), "ec-p256");
	is.resp_is_ca = 1;
	if (store_issuer_add(st, &is, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "  fresh: %s\n", err);
		store_close(st);
		return NULL;
	}
	return st;
}

/* One value from a side connection, as another process would see it. */
static char *
peek(const char *sql)
{
	static char buf[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	buf[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_text(stmt, 0) != NULL)
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return buf;
}

static void
test_open_errors(void)
{
	struct store *st = NULL;
	char p[192];

	snprintf(p, sizeof(p), "%s/missing/x.db", dir);
	CHECK(store_open(p, 1, &st, err, sizeof(err)) == OB_ERR_NOTFOUND);
	CHECK(strstr(err, "database directory") != NULL);
	CHECK(st == NULL);
	snprintf(p, sizeof(p), "%s/absent.db", dir);
	CHECK(store_open(p, 0, &st, err, sizeof(err)) == OB_ERR_NOTFOUND);
	CHECK(access(p, F_OK) == -1);
	CHECK(store_open(dir, 1, &st, err, sizeof(err)) == OB_ERR_INVAL);
}

static void
test_migrate_idempotent(void)
{
	struct store *st = NULL;
	int n = -1;

	snprintf(path, sizeof(path), "%s/m.db", dir);
	CHECK(store_open(path, 1, &st, err, sizeof(err)) == OB_OK);
	CHECK(store_migrate(st, 0, &n, err, sizeof(err)) == OB_OK);
	CHECK(n == (int)schema_migrations_count);
	CHECK(store_migrate(st, 0, &n, err, sizeof(err)) == OB_OK);
	CHECK(n == 0);
	store_close(st);
	CHECK_STR(peek("SELECT count(*) FROM schema_migrations"), "5");
	CHECK_STR(peek("PRAGMA journal_mode"), "wal");
	/* A new connection sees the schema done: nothing to apply. */
	CHECK(store_open(path, 0, &st, err, sizeof(err)) == OB_OK);
	CHECK(store_migrate(st, 0, &n, err, sizeof(err)) == OB_OK);
	CHECK(n == 0);
	store_close(st);
}

static void
test_issuers(void)
{
	struct store *st = fresh();
	struct store_issuer *v = NULL, is;
	size_t n = 0;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_issuer_exists(st, "ca", err, sizeof(err)) == OB_OK);
	CHECK(store_issuer_exists(st, "nope", err, sizeof(err)) ==
	    OB_ERR_NOTFOUND);
	CHECK(store_issuer_list(st, &v, &n, err, sizeof(err)) == OB_OK);
	CHECK(n == 1);
	if (n == 1) {
		CHECK_STR(v[0].id, "ca");
		CHECK_STR(v[0].resp_key_alg, "ec-p256");
		CHECK(v[0].resp_is_ca == 1);
		CHECK(v[0].cert_len == 5 && v[0].cert_der[0] == 0x30);
		CHECK(v[0].key_sha1[19] == 0xab);
		CHECK(v[0].not_after == 2000000000);
		CHECK(v[0].crl_key_path == NULL);
		/* Adding it again is refused and changes nothing. */
		is = v[0];
		CHECK(store_issuer_add(st, &is, err, sizeof(err)) ==
		    OB_ERR_EXISTS);
	}
	store_issuer_list_free(v, n);
	CHECK_STR(peek("SELECT count(*) FROM responder_certs"), "1");
	store_close(st);
}

static void
test_certs(void)
{
	struct store *st = fresh();

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_cert_add(st, "ca", "a01", 1900000000, "CN=x", 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cert_add(st, "ca", "a01", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_ERR_EXISTS);
	CHECK(strstr(err, "already registered") != NULL);
	CHECK(store_cert_add(st, "nope", "a01", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_ERR_NOTFOUND);
	CHECK(store_cert_add(st, "ca", "a01", 1950000000, NULL, 1, err,
		  sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT not_after || subject FROM certificates"),
	    "2031-10-17T10:40:00ZCN=x");
	store_close(st);
}

static void
test_revoke(void)
{
	struct store *st = fresh();
	int already = -1;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_cert_add(st, "ca", "b1", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	{
		sqlite3 *db = NULL;

		sqlite3_open(path, &db);
		CHECK(sqlite3_exec(db,
			  "INSERT INTO ocsp_response_cache (issuer_id,"
			  " serial_hex, response_der, cert_status,"
			  " this_update, next_update) VALUES ('ca', 'b1',"
			  " x'00', 'good', '2026-01-01T00:00:00Z',"
			  " '2099-01-01T00:00:00Z')",
			  NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(db);
	}
	CHECK_STR(peek("SELECT count(*) FROM ocsp_response_cache"), "1");
	CHECK(store_revoke(st, "ca", "b1", 1, 1700000000, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(already == 0);
	/* Another connection sees both changes the moment revoke returns. */
	CHECK_STR(peek("SELECT count(*) FROM ocsp_response_cache"), "0");
	CHECK_STR(peek("SELECT status || revocation_reason || revoked_at"
		       " FROM certificates WHERE serial_hex = 'b1'"),
	    "revoked12023-11-14T22:13:20Z");
	CHECK(store_revoke(st, "ca", "b1", 4, 1700000001, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(already == 1);
	CHECK_STR(peek("SELECT revocation_reason FROM certificates"
		       " WHERE serial_hex = 'b1'"),
	    "1");
	/* Unregistered serial: registered revoked, no reason. */
	CHECK(store_revoke(st, "ca", "c1", -1, 1700000000, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT status || ifnull(revocation_reason, '-')"
		       " FROM certificates WHERE serial_hex = 'c1'"),
	    "revoked-");
	CHECK(store_revoke(st, "nope", "c1", -1, 1700000000, &already, err,
		  sizeof(err)) == OB_ERR_NOTFOUND);
	store_close(st);
}

static void
test_put_never_unrevokes(void)
{
	struct store *st = fresh();

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	CHECK(store_cert_put(st, "ca", "d1", 1900000000, "CN=d", 1700000000, 6,
		  err, sizeof(err)) == OB_OK);
	CHECK(store_cert_put(st, "ca", "d1", 1900000000, "CN=d", INT64_MIN, -1,
		  err, sizeof(err)) == OB_OK);
	CHECK(store_cert_put(st, "ca", "d1", 1900000000, "CN=d", 1700000500, 1,
		  err, sizeof(err)) == OB_OK);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT status || revocation_reason || revoked_at"
		       " FROM certificates WHERE serial_hex = 'd1'"),
	    "revoked62023-11-14T22:13:20Z");
	store_close(st);
}

static void
test_rollback(void)
{
	struct store *st = fresh();

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	CHECK(store_cert_put(st, "ca", "e1", INT64_MIN, NULL, INT64_MIN, -1,
		  err, sizeof(err)) == OB_OK);
	store_rollback(st);
	CHECK_STR(peek("SELECT count(*) FROM certificates"), "0");
	store_close(st);
}

static void
test_foreign_keys(void)
{
	struct store *st = fresh();
	sqlite3 *db = NULL;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_cert_add(st, "ca", "f1", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	store_close(st);
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	CHECK(sqlite3_exec(db, "DELETE FROM issuers WHERE id = 'ca'", NULL,
		  NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK_STR(peek("SELECT count(*) FROM certificates"), "0");
	CHECK_STR(peek("SELECT count(*) FROM responder_certs"), "0");
}

static const struct test tests[] = {
    {"open_errors", test_open_errors},
    {"migrate_idempotent", test_migrate_idempotent},
    {"issuers", test_issuers},
    {"certs", test_certs},
    {"revoke", test_revoke},
    {"put_never_unrevokes", test_put_never_unrevokes},
    {"rollback", test_rollback},
    {"foreign_keys", test_foreign_keys},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	char cmd[128];
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/ocspbox-store.XXXXXX");
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
