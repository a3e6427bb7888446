/*
 * The fixture test_store.c and test_follow.c share: a temporary
 * directory (dir, made by each test's main), a fresh migrated database
 * in it with issuer "ca" (fresh, add_issuer_ca), and one value read by a side
 * connection, as another process would see it (peek). Included by the
 * test files, as tests/fuzz/ocsp_req_check.h is.
 */
#ifndef OCSPBOX_STORE_FIXTURE_H
#define OCSPBOX_STORE_FIXTURE_H

#include <sqlite3.h>

#include "store.h"

static char dir[64], path[128];
static char err[OB_ERRBUF];

/* Registers issuer "ca" (a stand-in certificate) in st; OB_OK or why. */
static enum ob_err
add_issuer_ca(struct store *st)
{
	static unsigned char der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	struct store_issuer is;

	memset(&is, 0, sizeof(is));
	snprintf(is.id, sizeof(is.id), "ca");
	is.subject = "CN=ca";
	is.cert_der = der;
	is.cert_len = sizeof(der);
	memset(is.key_sha1, 0xab, 20);
	is.not_after = 2000000000;
	is.resp_not_before = 1700000000;
	is.resp_not_after = 2000000000;
	is.resp_der = der;
	is.resp_len = sizeof(der);
	is.resp_subject = "CN=ca";
	is.resp_key_path = "/nonexistent/key";
	snprintf(is.resp_key_alg, sizeof(is.resp_key_alg), "ec-p256");
	is.resp_is_ca = 1;
	return store_issuer_add(st, &is, err, sizeof(err));
}

/* A fresh, migrated database with issuer "ca". */
static struct store *
fresh(void)
{
	static int n;
	struct store *st = NULL;

	snprintf(path, sizeof(path), "%s/t%d.db", dir, n++);
	if (store_open(path, 1, &st, err, sizeof(err)) != OB_OK ||
	    store_migrate(st, 0, NULL, err, sizeof(err)) != OB_OK ||
	    add_issuer_ca(st) != OB_OK) {
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
	static char buf[512];
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

#endif
