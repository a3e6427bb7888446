/* Unit tests for store.c on a real database file in a temporary dir. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "harness.h"
#include "store_fixture.h"

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
	char want[32];
	int n = -1;

	snprintf(path, sizeof(path), "%s/m.db", dir);
	CHECK(store_open(path, 1, &st, err, sizeof(err)) == OB_OK);
	CHECK(store_migrate(st, 0, &n, err, sizeof(err)) == OB_OK);
	CHECK(n == (int)schema_migrations_count);
	CHECK(store_migrate(st, 0, &n, err, sizeof(err)) == OB_OK);
	CHECK(n == 0);
	store_close(st);
	snprintf(want, sizeof(want), "%zu", schema_migrations_count);
	CHECK_STR(peek("SELECT count(*) FROM schema_migrations"), want);
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

/*
 * store_responder_replace: the new responder active, the old one kept
 * inactive, the automatic life set and cleared, all or nothing.
 */
static void
test_responder_replace(void)
{
	struct store *st = fresh();
	struct store_issuer *v = NULL, with;
	unsigned char der[] = {0x30, 0x03, 0x02, 0x01, 0x02}, key[20];
	long long active;
	size_t n = 0;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	memset(&with, 0, sizeof(with));
	with.resp_der = der;
	with.resp_len = sizeof(der);
	with.resp_subject = "CN=ca OCSP Responder";
	with.resp_key_path = "/nonexistent/ca-responder-01.key";
	snprintf(with.resp_key_alg, sizeof(with.resp_key_alg), "ec-p384");
	with.resp_not_before = 1900000000;
	with.resp_not_after = 1902592000;
	with.resp_generated = 1;
	with.auto_life_s = 2592000;
	CHECK(store_responder_replace(st, "ca", &with, err, sizeof(err)) ==
	    OB_OK);
	CHECK(store_issuer_list(st, &v, &n, err, sizeof(err)) == OB_OK);
	CHECK(n == 1);
	if (n == 1) {
		CHECK_STR(v[0].resp_key_alg, "ec-p384");
		CHECK_STR(
		    v[0].resp_key_path, "/nonexistent/ca-responder-01.key");
		CHECK(v[0].resp_len == 5 && v[0].resp_der[4] == 0x02);
		CHECK(v[0].resp_is_ca == 0 && v[0].resp_generated == 1);
		CHECK(v[0].resp_not_before == 1900000000);
		CHECK(v[0].resp_not_after == 1902592000);
		CHECK(v[0].auto_life_s == 2592000);
	}
	store_issuer_list_free(v, n);
	CHECK_STR(peek("SELECT group_concat(active || ':' || generated, ',')"
		       " FROM (SELECT * FROM responder_certs ORDER BY id)"),
	    "0:0,1:1");
	CHECK_STR(peek("SELECT auto_responder_life_s FROM issuers"), "2592000");

	/* An operator's responder again: no longer automatic. */
	with.resp_generated = 0;
	with.auto_life_s = 0;
	CHECK(store_responder_replace(st, "ca", &with, err, sizeof(err)) ==
	    OB_OK);
	CHECK_STR(peek("SELECT count(*) || ' ' || sum(active)"
		       " FROM responder_certs"),
	    "3 1");
	CHECK_STR(peek("SELECT coalesce(auto_responder_life_s, 'null')"
		       " FROM issuers"),
	    "null");

	/*
	 * A renewal stores only over what it renewed: the operator's
	 * responder now (not automatic), so refused; once automatic again,
	 * refused for another CA's key or another active row, then stored.
	 */
	memset(key, 0xab, sizeof(key));
	active = atoll(peek("SELECT id FROM responder_certs WHERE active"));
	with.resp_generated = 1;
	with.auto_life_s = 2592000;
	CHECK(store_responder_renew(st, "ca", key, active, &with, err,
		  sizeof(err)) == OB_ERR_STALE);
	CHECK(strstr(err, "changed while its responder was renewed") != NULL);
	CHECK(store_responder_replace(st, "ca", &with, err, sizeof(err)) ==
	    OB_OK);
	active = atoll(peek("SELECT id FROM responder_certs WHERE active"));
	CHECK(store_responder_renew(st, "ca", key, active - 1, &with, err,
		  sizeof(err)) == OB_ERR_STALE);
	key[0] = 0xcd;
	CHECK(store_responder_renew(st, "ca", key, active, &with, err,
		  sizeof(err)) == OB_ERR_STALE);
	key[0] = 0xab;
	CHECK_STR(peek("SELECT count(*) FROM responder_certs"), "4");
	CHECK(store_responder_renew(
		  st, "ca", key, active, &with, err, sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT count(*) || ' ' || sum(active)"
		       " FROM responder_certs"),
	    "5 1");
	/* Back to the operator's, as the tests below expect. */
	with.resp_generated = 0;
	with.auto_life_s = 0;
	CHECK(store_responder_replace(st, "ca", &with, err, sizeof(err)) ==
	    OB_OK);

	/* No such issuer: refused, nothing written. */
	CHECK(store_responder_replace(st, "nope", &with, err, sizeof(err)) ==
	    OB_ERR_NOTFOUND);
	CHECK(strstr(err, "no issuer nope") != NULL);
	CHECK_STR(peek("SELECT count(*) FROM responder_certs"), "6");

	/* A row the schema refuses (a bad algorithm) rolls the whole
	 * swap back: the active responder stays. */
	snprintf(with.resp_key_alg, sizeof(with.resp_key_alg), "dsa");
	with.auto_life_s = 86400;
	CHECK(store_responder_replace(st, "ca", &with, err, sizeof(err)) !=
	    OB_OK);
	CHECK_STR(peek("SELECT count(*) || ' ' || sum(active)"
		       " FROM responder_certs"),
	    "6 1");
	CHECK_STR(peek("SELECT coalesce(auto_responder_life_s, 'null')"
		       " FROM issuers"),
	    "null");
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
	/* A negative serial and its magnitude are two certificates. */
	CHECK(store_cert_add(st, "ca", "-a01", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_revoke(st, "ca", "-a01", 1, 1700000000, NULL, err,
		  sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT group_concat(serial_hex || '=' || status) FROM "
		       "(SELECT * FROM certificates ORDER BY serial_hex)"),
	    "-a01=revoked,a01=good");
	store_close(st);
}

/*
 * Name aliases: neither the issuer's own name hash nor a repeat is
 * recorded, nor one for an unknown issuer; the others are listed in
 * order, and go with their issuer.
 */
static void
test_aliases(void)
{
	struct store *st = fresh();
	struct store_name_alias a, b, own, *v = NULL;
	sqlite3 *db = NULL;
	size_t n = 9;
	int added = -1;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	memset(&a, 0x11, sizeof(a));
	memset(&b, 0x22, sizeof(b));
	memset(&own, 0, sizeof(own)); /* fresh()'s name hashes */
	CHECK(
	    store_issuer_aliases(st, "ca", &v, &n, err, sizeof(err)) == OB_OK);
	CHECK(v == NULL && n == 0);
	CHECK(store_issuer_alias_add(
		  st, "ca", &own, &added, err, sizeof(err)) == OB_OK);
	CHECK(added == 0);
	CHECK(store_issuer_alias_add(st, "ca", &a, &added, err, sizeof(err)) ==
	    OB_OK);
	CHECK(added == 1);
	CHECK(store_issuer_alias_add(st, "ca", &a, &added, err, sizeof(err)) ==
	    OB_OK);
	CHECK(added == 0);
	CHECK(store_issuer_alias_add(
		  st, "nope", &b, &added, err, sizeof(err)) == OB_OK);
	CHECK(added == 0);
	CHECK(store_issuer_alias_add(st, "ca", &b, NULL, err, sizeof(err)) ==
	    OB_OK);
	CHECK(
	    store_issuer_aliases(st, "ca", &v, &n, err, sizeof(err)) == OB_OK);
	CHECK(n == 2);
	if (n == 2)
		CHECK(memcmp(&v[0], &a, sizeof(a)) == 0 &&
		    memcmp(&v[1], &b, sizeof(b)) == 0);
	free(v);
	store_close(st);
	CHECK_STR(peek("SELECT count(*) FROM issuer_name_aliases"), "2");
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	CHECK(sqlite3_exec(db, "DELETE FROM issuers WHERE id = 'ca'", NULL,
		  NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK_STR(peek("SELECT count(*) FROM issuer_name_aliases"), "0");
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

/* store_cert_put of an index line of issuer "ca": R when revoked_at is
 * not INT64_MIN, with invalidity inv (INT64_MIN: none); subject NULL
 * keeps the one known. */
static enum ob_err
put_inv(struct store *st, const char *serial, int64_t not_after,
    const char *subject, int64_t revoked_at, int reason, int64_t inv,
    enum store_put *changed, char *eb, size_t es)
{
	struct index_entry ent;

	memset(&ent, 0, sizeof(ent));
	ent.status = revoked_at != INT64_MIN ? 'R' : 'V';
	snprintf(ent.serial, sizeof(ent.serial), "%s", serial);
	ent.not_after = not_after;
	ent.subject = subject != NULL ? subject : "";
	ent.revoked_at = revoked_at;
	ent.reason = reason;
	ent.invalidity_at = inv;
	return store_cert_put(st, "ca", &ent, changed, eb, es);
}

static enum ob_err
put(struct store *st, const char *serial, int64_t not_after,
    const char *subject, int64_t revoked_at, int reason,
    enum store_put *changed, char *eb, size_t es)
{
	return put_inv(st, serial, not_after, subject, revoked_at, reason,
	    INT64_MIN, changed, eb, es);
}

static void
test_put_never_unrevokes(void)
{
	struct store *st = fresh();
	enum store_put changed = STORE_PUT_SAME;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	CHECK(put(st, "d1", 1900000000, "CN=d", 1700000000, 1, &changed, err,
		  sizeof(err)) == OB_OK);
	CHECK(changed == STORE_PUT_NEW);
	CHECK(put(st, "d1", 1900000000, "CN=d", INT64_MIN, -1, &changed, err,
		  sizeof(err)) == OB_OK);
	CHECK(changed ==
	    STORE_PUT_KEPT); /* revoked stays revoked: nothing written */
	CHECK(put(st, "d1", 1900000000, "CN=d", 1700000500, 1, &changed, err,
		  sizeof(err)) == OB_OK);
	CHECK(changed == STORE_PUT_KEPT);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT status || revocation_reason || revoked_at"
		       " FROM certificates WHERE serial_hex = 'd1'"),
	    "revoked12023-11-14T22:13:20Z");
	store_close(st);
}

/* An index line's invalidity date: kept with the revocation, never
 * changed once revoked, handed to the CRL. */
static void
test_put_invalidity(void)
{
	struct store *st = fresh();
	struct ob_crlnum num;
	struct crl_entry *v = NULL;
	size_t n = 0;
	enum store_put changed = STORE_PUT_SAME;
	enum ob_err e;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	CHECK(put_inv(st, "a1", 1900000000, "CN=i", 1700000000, 1, 1690000000,
		  &changed, err, sizeof(err)) == OB_OK);
	CHECK(changed == STORE_PUT_NEW);
	/* Another invalidity date for a revoked row: the first one stays. */
	CHECK(put_inv(st, "a1", 1900000000, "CN=i", 1700000000, 1, 1680000000,
		  &changed, err, sizeof(err)) == OB_OK);
	CHECK(changed == STORE_PUT_SAME);
	CHECK(put(st, "a2", 1900000000, "CN=j", 1700000001, 4, &changed, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT invalidity_date FROM certificates"
		       " WHERE serial_hex = 'a1'"),
	    "2023-07-22T04:26:40Z");
	e = store_crl_begin(st, "ca", NULL, 0, &num, &v, &n, err, sizeof(err));
	if (e != OB_OK)
		fprintf(stderr, "  store_crl_begin: %s\n", err);
	CHECK(e == OB_OK && n == 2);
	if (n == 2) {
		CHECK(v[0].invalidity_at == 1690000000 && v[0].reason == 1);
		CHECK(v[1].invalidity_at == 0 && v[1].reason == 4);
	}
	store_rollback(st);
	free(v);
	store_close(st);
}

/* A row that already says what a put says is not written again. */
static void
test_put_unchanged(void)
{
	struct store *st = fresh();
	sqlite3 *db = NULL;
	enum store_put changed = STORE_PUT_SAME;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	CHECK(put(st, "f1", 1900000000, "CN=f", INT64_MIN, -1, &changed, err,
		  sizeof(err)) == OB_OK);
	CHECK(changed == STORE_PUT_NEW);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	if (sqlite3_open(path, &db) == SQLITE_OK)
		CHECK(sqlite3_exec(db,
			  "UPDATE certificates"
			  " SET updated_at = '2001-01-01T00:00:00Z'",
			  NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	/* The same line again, and without a subject: nothing to write. */
	CHECK(put(st, "f1", 1900000000, "CN=f", INT64_MIN, -1, &changed, err,
		  sizeof(err)) == OB_OK);
	CHECK(changed == STORE_PUT_SAME);
	CHECK(put(st, "f1", 1900000000, NULL, INT64_MIN, -1, &changed, err,
		  sizeof(err)) == OB_OK);
	CHECK(changed == STORE_PUT_SAME);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT updated_at FROM certificates"),
	    "2001-01-01T00:00:00Z");
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	/* Each column that differs is a change. */
	CHECK(put(st, "f1", 1900000001, NULL, INT64_MIN, -1, &changed, err,
		  sizeof(err)) == OB_OK);
	CHECK(changed == STORE_PUT_UPDATED);
	CHECK(put(st, "f1", 1900000001, "CN=g", INT64_MIN, -1, &changed, err,
		  sizeof(err)) == OB_OK);
	CHECK(changed == STORE_PUT_UPDATED);
	CHECK(put(st, "f1", 1900000001, "CN=g", 1700000000, 1, &changed, err,
		  sizeof(err)) == OB_OK);
	CHECK(changed == STORE_PUT_REVOKED);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	CHECK_STR(
	    peek("SELECT status || not_after || subject FROM certificates"),
	    "revoked2030-03-17T17:46:41ZCN=g");
	store_close(st);
}

/* Puts a cached "revoked" answer of serial into the database, as a
 * signer would have. */
static void
cache_revoked(const char *serial)
{
	sqlite3 *db = NULL;
	char sql[512];

	snprintf(sql, sizeof(sql),
	    "INSERT INTO ocsp_response_cache (issuer_id, serial_hex,"
	    " response_der, cert_status, revocation_reason, revoked_at,"
	    " this_update, next_update) VALUES ('ca', '%s', x'00', 'revoked',"
	    " 6, '2023-11-14T22:13:20Z', '2026-01-01T00:00:00Z',"
	    " '2099-01-01T00:00:00Z')",
	    serial);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
}

/* A certificateHold (RFC 5280 5.3.1) is the one revocation undone: by a
 * V line, by store_unrevoke; an R line or a revoke of another reason
 * makes it permanent. Each drops the cached answers with the change. */
static void
test_hold(void)
{
	struct store *st = fresh();
	enum store_put what = STORE_PUT_SAME;
	int already = -1;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	/* Holds an index made: its V line releases them. */
	store_source(st, "import");
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	CHECK(put(st, "h1", 1900000000, "CN=h", 1700000000, 6, &what, err,
		  sizeof(err)) == OB_OK);
	CHECK(put(st, "h2", 1900000000, "CN=h", 1700000000, 6, &what, err,
		  sizeof(err)) == OB_OK);
	CHECK(put(st, "h3", 1900000000, "CN=h", 1700000000, 6, &what, err,
		  sizeof(err)) == OB_OK);
	CHECK(put(st, "k1", 1900000000, "CN=k", 1700000000, 1, &what, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	cache_revoked("h1");
	cache_revoked("h2");
	cache_revoked("h3");
	/* A V line releases h1, and its cached "revoked" goes with it. */
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	CHECK(put(st, "h1", 1900000000, NULL, INT64_MIN, -1, &what, err,
		  sizeof(err)) == OB_OK);
	CHECK(what == STORE_PUT_RELEASED);
	/* An R line of another reason makes h2's hold keyCompromise. */
	CHECK(put(st, "h2", 1900000000, NULL, 1700000500, 1, &what, err,
		  sizeof(err)) == OB_OK);
	CHECK(what == STORE_PUT_REASON);
	/* The same hold line again: nothing to do. */
	CHECK(put(st, "h3", 1900000000, NULL, 1700000000, 6, &what, err,
		  sizeof(err)) == OB_OK);
	CHECK(what == STORE_PUT_SAME);
	/* keyCompromise is never undone by a line. */
	CHECK(put(st, "k1", 1900000000, NULL, INT64_MIN, -1, &what, err,
		  sizeof(err)) == OB_OK);
	CHECK(what == STORE_PUT_KEPT);
	/* An R line whose reason could not be read leaves a hold a hold. */
	CHECK(put(st, "h3", 1900000000, NULL, 1700000000, -1, &what, err,
		  sizeof(err)) == OB_OK);
	CHECK(what == STORE_PUT_KEPT);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	CHECK_STR(
	    peek("SELECT group_concat(serial_hex || ':' || status ||"
		 " coalesce(revocation_reason, '') || coalesce(revoked_at,"
		 " ''), ' ') FROM (SELECT * FROM certificates"
		 " ORDER BY serial_hex)"),
	    "h1:good h2:revoked12023-11-14T22:21:40Z "
	    "h3:revoked62023-11-14T22:13:20Z k1:revoked12023-11-14T22:13:20Z");
	CHECK_STR(peek("SELECT group_concat(serial_hex) FROM"
		       " ocsp_response_cache"),
	    "h3");
	/* unrevoke: only a hold, and only a revoked one. */
	CHECK(store_unrevoke(st, "ca", "k1", err, sizeof(err)) == OB_ERR_INVAL);
	CHECK(strstr(err, "keyCompromise") != NULL);
	CHECK(store_unrevoke(st, "ca", "h1", err, sizeof(err)) == OB_ERR_INVAL);
	CHECK(strstr(err, "not revoked") != NULL);
	CHECK(store_unrevoke(st, "ca", "zz", err, sizeof(err)) ==
	    OB_ERR_NOTFOUND);
	CHECK(store_unrevoke(st, "nope", "h3", err, sizeof(err)) ==
	    OB_ERR_NOTFOUND);
	CHECK(store_unrevoke(st, "ca", "h3", err, sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT status || coalesce(revoked_at, '-') FROM"
		       " certificates WHERE serial_hex = 'h3'"),
	    "good-");
	CHECK_STR(peek("SELECT count(*) FROM ocsp_response_cache"), "0");
	/* A hold made by `revoke` is not the index's to release. */
	store_source(st, "cli");
	CHECK(store_revoke(st, "ca", "c9", 6, 1700000000, &already, err,
		  sizeof(err)) == OB_OK);
	store_source(st, "import");
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	CHECK(put(st, "c9", 1900000000, NULL, INT64_MIN, -1, &what, err,
		  sizeof(err)) == OB_OK);
	CHECK(what == STORE_PUT_KEPT);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT status || revocation_reason ||"
		       " revocation_source FROM certificates"
		       " WHERE serial_hex = 'c9'"),
	    "revoked6cli");
	/* Nor is a revoke without a reason a new one for a hold. */
	CHECK(store_revoke(st, "ca", "c9", -1, 1700000100, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(already == 1);
	/* revoke of a hold with another reason: made permanent (2). */
	CHECK(store_revoke(st, "ca", "h3", 6, 1700000000, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(already == 0);
	cache_revoked("h3");
	CHECK(store_revoke(st, "ca", "h3", 6, 1700000001, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(already == 1);
	CHECK(store_revoke(st, "ca", "h3", 4, 1700000002, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(already == 2);
	CHECK_STR(peek("SELECT revocation_reason || revoked_at FROM"
		       " certificates WHERE serial_hex = 'h3'"),
	    "42023-11-14T22:13:22Z");
	CHECK_STR(peek("SELECT count(*) FROM ocsp_response_cache"), "0");
	store_close(st);
}

/* store_cert_each: numeric order, the filters, stopping early. */
struct each_acc {
	char text[256];
	int stop_after;
};

static int
each_cb(void *arg, const char *serial, const struct store_cert *c)
{
	struct each_acc *a = arg;
	size_t l = strlen(a->text);

	snprintf(a->text + l, sizeof(a->text) - l, "%s%s%s", l ? " " : "",
	    serial, c->revoked ? "R" : "");
	return --a->stop_after == 0;
}

static void
test_cert_each_remove(void)
{
	struct store *st = fresh();
	struct each_acc a;
	const char *two[] = {"2", "a"}, *bad[] = {"2", "zz"}, *rv[] = {"10"};
	static const char *const serials[] = {"10", "2", "a", "-5", "ff"};
	int64_t now = 1800000000;
	size_t i, at = 99;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	for (i = 0; i < 5; i++)
		CHECK(put(st, serials[i], i == 4 ? 1700000000 : 1900000000,
			  "CN=e", i == 0 ? 1700000000 : INT64_MIN, 1, NULL, err,
			  sizeof(err)) == OB_OK);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	memset(&a, 0, sizeof(a));
	CHECK(store_cert_each(st, "ca", STORE_CERTS_ALL, now, INT64_MIN,
		  each_cb, &a, err, sizeof(err)) == OB_OK);
	CHECK_STR(a.text, "2 a 10R ff -5");
	memset(&a, 0, sizeof(a));
	CHECK(store_cert_each(st, "ca", STORE_CERTS_GOOD, now, INT64_MIN,
		  each_cb, &a, err, sizeof(err)) == OB_OK);
	CHECK_STR(a.text, "2 a -5");
	memset(&a, 0, sizeof(a));
	CHECK(store_cert_each(st, "ca", STORE_CERTS_REVOKED, now, INT64_MIN,
		  each_cb, &a, err, sizeof(err)) == OB_OK);
	CHECK_STR(a.text, "10R");
	memset(&a, 0, sizeof(a));
	CHECK(store_cert_each(st, "ca", STORE_CERTS_EXPIRED, now, INT64_MIN,
		  each_cb, &a, err, sizeof(err)) == OB_OK);
	CHECK_STR(a.text, "ff");
	memset(&a, 0, sizeof(a));
	a.stop_after = 2;
	CHECK(store_cert_each(st, "ca", STORE_CERTS_ALL, now, INT64_MIN,
		  each_cb, &a, err, sizeof(err)) == OB_OK);
	CHECK_STR(a.text, "2 a");
	/* --since: changed at or after; none after 2100, all after 2000. */
	memset(&a, 0, sizeof(a));
	CHECK(store_cert_each(st, "ca", STORE_CERTS_ALL, now, 4102444800,
		  each_cb, &a, err, sizeof(err)) == OB_OK);
	CHECK_STR(a.text, "");
	memset(&a, 0, sizeof(a));
	CHECK(store_cert_each(st, "ca", STORE_CERTS_REVOKED, now, 946684800,
		  each_cb, &a, err, sizeof(err)) == OB_OK);
	CHECK_STR(a.text, "10R");
	CHECK(store_cert_each(st, "nope", STORE_CERTS_ALL, now, INT64_MIN,
		  each_cb, &a, err, sizeof(err)) == OB_ERR_NOTFOUND);
	/* remove: all or none; a revoked one only when meant. */
	CHECK(store_cert_remove(st, "ca", bad, 2, 0, &at, err, sizeof(err)) ==
	    OB_ERR_NOTFOUND);
	CHECK(at == 1);
	CHECK_STR(peek("SELECT count(*) FROM certificates"), "5");
	CHECK(store_cert_remove(st, "ca", rv, 1, 0, &at, err, sizeof(err)) ==
	    OB_ERR_PERM);
	CHECK(strstr(err, "revoked") != NULL);
	cache_revoked("2");
	CHECK(store_cert_remove(st, "ca", two, 2, 0, &at, err, sizeof(err)) ==
	    OB_OK);
	CHECK_STR(peek("SELECT count(*) FROM ocsp_response_cache"), "0");
	CHECK(store_cert_remove(st, "ca", rv, 1, 1, &at, err, sizeof(err)) ==
	    OB_OK);
	CHECK_STR(peek("SELECT group_concat(serial_hex) FROM"
		       " (SELECT * FROM certificates ORDER BY serial_hex)"),
	    "-5,ff");
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
	CHECK(put(st, "e1", INT64_MIN, NULL, INT64_MIN, -1, NULL, err,
		  sizeof(err)) == OB_OK);
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

/* An entry for issuer "ca" with a recognisable DER. */
static struct store_cache_entry
entry(const char *serial, int status, int64_t this_update, unsigned char *der)
{
	struct store_cache_entry c;

	memset(&c, 0, sizeof(c));
	c.issuer_id = "ca";
	snprintf(c.serial, sizeof(c.serial), "%s", serial);
	der[0] = 0x30;
	der[1] = (unsigned char)this_update;
	c.der = der;
	c.len = 2;
	c.status = status;
	c.reason = -1;
	c.this_update = this_update;
	c.next_update = this_update + 3600;
	return c;
}

/*
 * Registers serial under "ca" on st and caches a "good" answer for it
 * signed at now (der: 2 bytes for entry), as checks.
 */
static void
cached_good(
    struct store *st, const char *serial, int64_t now, unsigned char *der)
{
	struct store_cache_entry c = entry(serial, OCSP_GOOD, now, der);
	size_t w = 99;

	CHECK(store_cert_add(st, "ca", serial, INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
}

/*
 * An import: an "unknown" answer of a serial it registers goes at its
 * end, one of a serial still unregistered stays; an R line drops a
 * "good" answer, in the same transaction.
 */
static void
test_put_end(void)
{
	struct store *st = fresh();
	struct store_cache_entry c[3];
	unsigned char d1[2], d2[2], d3[2];
	int64_t now = 1800000000;
	size_t w = 0;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_cert_add(st, "ca", "g", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	c[0] = entry("u1", OCSP_UNKNOWN, now, d1);
	c[1] = entry("u2", OCSP_UNKNOWN, now, d2);
	c[2] = entry("g", OCSP_GOOD, now, d3);
	CHECK(store_cache_put(st, c, 3, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 3);
	CHECK(store_begin(st, err, sizeof(err)) == OB_OK);
	CHECK(put(st, "u1", INT64_MIN, NULL, INT64_MIN, -1, NULL, err,
		  sizeof(err)) == OB_OK);
	CHECK(put(st, "g", INT64_MIN, NULL, now - 10, 1, NULL, err,
		  sizeof(err)) == OB_OK);
	/* Not yet committed: another process still sees the old answers. */
	CHECK_STR(peek("SELECT count(*) FROM ocsp_response_cache"), "3");
	CHECK(store_cert_put_end(st, "ca", err, sizeof(err)) == OB_OK);
	CHECK(store_commit(st, err, sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT group_concat(serial_hex) FROM"
		       " ocsp_response_cache"),
	    "u2");
	CHECK_STR(peek("SELECT value FROM cache_counters"
		       " WHERE name = 'invalidations'"),
	    "1");
	store_close(st);
}

static void
test_cache_put_get(void)
{
	struct store *st = fresh();
	struct store_cache_entry c;
	unsigned char d1[2], d2[2], *der = NULL;
	size_t len, w = 99;
	int64_t tu, nu, now = 1800000000;
	int cs;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_cert_add(st, "ca", "1", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cache_get(st, "ca", "1", now, 3600, &der, &len, &tu, &nu,
		  &cs, err, sizeof(err)) == OB_ERR_NOTFOUND);
	c = entry("1", OCSP_GOOD, now, d1);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	CHECK(store_cache_get(st, "ca", "1", now + 10, 3600, &der, &len, &tu,
		  &nu, &cs, err, sizeof(err)) == OB_OK);
	CHECK(len == 2 && der != NULL && der[1] == d1[1]);
	CHECK(tu == now && nu == now + 3600);
	CHECK(cs == OCSP_GOOD);
	free(der);
	der = NULL;
	CHECK_STR(peek("SELECT cert_status FROM ocsp_response_cache"), "good");
	/* Stale at its nextUpdate: never served past it. */
	CHECK(store_cache_get(st, "ca", "1", now + 3600, 3600, &der, &len, &tu,
		  &nu, &cs, err, sizeof(err)) == OB_ERR_NOTFOUND);
	CHECK(der == NULL);
	/* An older signature does not replace a newer one. */
	c = entry("1", OCSP_GOOD, now - 100, d2);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 0);
	CHECK_STR(peek("SELECT this_update FROM ocsp_response_cache"),
	    "2027-01-15T08:00:00Z");
	/* An earlier thisUpdate (a larger --backdate) valid for longer
	 * replaces it, and anything replaces a stale one. */
	c = entry("1", OCSP_GOOD, now - 3600, d2);
	c.next_update = now + 3601;
	CHECK(store_cache_put(st, &c, 1, now, 7200, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	CHECK_STR(peek("SELECT next_update FROM ocsp_response_cache"),
	    "2027-01-15T09:00:01Z");
	c = entry("1", OCSP_GOOD, now - 7200, d1);
	CHECK(store_cache_put(
		  st, &c, 1, now + 3602, 7200, &w, err, sizeof(err)) == OB_OK);
	CHECK(w == 1);
	CHECK_STR(peek("SELECT this_update FROM ocsp_response_cache"),
	    "2027-01-15T06:00:00Z");
	/* A "good" for an unregistered serial is no status we signed. */
	c = entry("2", OCSP_GOOD, now, d2);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 0);
	/* Unknown is cached for unregistered serials only ... */
	c = entry("3", OCSP_UNKNOWN, now, d2);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	c = entry("1", OCSP_UNKNOWN, now + 1, d2);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 0);
	/* ... and registering the serial drops its unknown entry. */
	CHECK(store_cert_add(st, "ca", "3", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT count(*) FROM ocsp_response_cache"
		       " WHERE serial_hex = '3'"),
	    "0");
	store_close(st);
}

/*
 * store_reads_nowait: a lookup whose page is not in memory fails at once
 * with OB_ERR_BUSY and ends the read transaction it was in; with waits
 * allowed again it reads the page.
 */
static void
test_reads_nowait(void)
{
	struct store *st = fresh(), *other = NULL;
	unsigned char d[2], *der = NULL;
	size_t len;
	int64_t tu, nu, now = 1800000000;
	long left;
	int cs, tries;
	char serial[16];
	enum ob_err e;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	cached_good(st, "1", now, d);
	/* Another connection writes: st's own page cache is dropped at its
	 * next read, which must then come from the file. */
	CHECK(store_open(path, 0, &other, err, sizeof(err)) == OB_OK);
	CHECK(other != NULL &&
	    store_cert_add(other, "ca", "2", INT64_MIN, NULL, 0, err,
		sizeof(err)) == OB_OK);
	store_close(other);
	if (!store_reads_nowait_works(path)) {
		printf("  note: no RWF_NOWAIT reads on %s: skipped\n", dir);
		store_close(st);
		return;
	}
	if ((left = harness_evict(path)) != 0) {
		printf("  note: %ld pages stay in memory (tmpfs?): skipped\n",
		    left);
		store_close(st);
		return;
	}
	/*
	 * Evicted, the page must come from the disk: BUSY. On a busy
	 * machine SQLite now and then finds what it needs without a read
	 * (it kept it, or it came back): another write and eviction, up
	 * to 5 times, before the check is given up as unprovable here.
	 */
	CHECK(store_reads_nowait(1) == 0);
	for (tries = 0; tries < 5; tries++) {
		e = store_cache_get(st, "ca", "1", now, 3600, &der, &len, &tu,
		    &nu, &cs, err, sizeof(err));
		if (e != OB_OK)
			break;
		free(der);
		der = NULL;
		store_reads_nowait(0);
		snprintf(serial, sizeof(serial), "%d", 3 + tries);
		CHECK(store_open(path, 0, &other, err, sizeof(err)) == OB_OK);
		CHECK(other != NULL &&
		    store_cert_add(other, "ca", serial, INT64_MIN, NULL, 0, err,
			sizeof(err)) == OB_OK);
		store_close(other);
		(void)harness_evict(path);
		store_reads_nowait(1);
	}
	if (e == OB_OK) {
		printf("  note: the page was read without the disk %d times "
		       "(a loaded machine): not checked\n",
		    tries);
		store_reads_nowait(0);
		store_close(st);
		return;
	}
	CHECK(e == OB_ERR_BUSY);
	CHECK(strstr(err, "page not in memory") != NULL);
	CHECK(der == NULL);
	CHECK(store_reads_nowait(0) == 1);
	CHECK(store_read_hold(st, err, sizeof(err)) == OB_OK);
	CHECK(harness_evict(path) == 0);
	store_reads_nowait(1);
	e = store_cache_get(st, "ca", "1", now, 3600, &der, &len, &tu, &nu, &cs,
	    err, sizeof(err));
	if (e == OB_OK)
		printf("  note: the page was read without the disk (a loaded "
		       "machine): its held read not checked\n");
	else
		CHECK(e == OB_ERR_BUSY);
	free(der);
	der = NULL;
	store_reads_nowait(0);
	CHECK(store_cache_get(st, "ca", "1", now, 3600, &der, &len, &tu, &nu,
		  &cs, err, sizeof(err)) == OB_OK);
	CHECK(der != NULL && len == 2 && cs == OCSP_GOOD);
	free(der);
	der = NULL;
	store_read_release(st);
	/* In memory now: nowait reads it. */
	store_reads_nowait(1);
	CHECK(store_cache_get(st, "ca", "1", now, 3600, &der, &len, &tu, &nu,
		  &cs, err, sizeof(err)) == OB_OK);
	store_reads_nowait(0);
	free(der);
	store_close(st);
}

/*
 * The seed's invariant at the store: once a revoke has committed, a
 * "good" signed before it is refused, and the revoke dropped the entry
 * that was there, counting one invalidation.
 */
static void
test_cache_revoke_race(void)
{
	struct store *st = fresh();
	struct store_cache_entry c;
	unsigned char d[2], *der = NULL;
	size_t len, w = 99;
	int64_t tu, nu, now = 1800000000;
	int cs;
	int already;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	cached_good(st, "a", now, d);
	CHECK(store_revoke(st, "ca", "a", 1, now + 5, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cache_get(st, "ca", "a", now + 10, 3600, &der, &len, &tu,
		  &nu, &cs, err, sizeof(err)) == OB_ERR_NOTFOUND);
	CHECK_STR(peek("SELECT value FROM cache_counters"
		       " WHERE name = 'invalidations'"),
	    "1");
	/* The signature that began before the revoke lands after it. */
	c = entry("a", OCSP_GOOD, now + 20, d);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 0);
	CHECK_STR(peek("SELECT count(*) FROM ocsp_response_cache"), "0");
	/* A revoked entry must match the time and reason signed. */
	c = entry("a", OCSP_REVOKED, now + 20, d);
	c.revoked_at = now + 5;
	c.reason = 2;
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 0);
	c.reason = 1;
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	CHECK_STR(peek("SELECT cert_status || ',' || revocation_reason || ','"
		       " || revoked_at FROM ocsp_response_cache"),
	    "revoked,1,2027-01-15T08:00:05Z");
	/* Revoking again changes nothing and counts nothing. */
	CHECK(store_revoke(st, "ca", "a", 1, now + 5, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(already == 1);
	CHECK_STR(peek("SELECT value FROM cache_counters"
		       " WHERE name = 'invalidations'"),
	    "1");
	/* Nor does an import's R line for it: the entry stays. */
	CHECK(put(st, "a", INT64_MIN, NULL, now + 5, 1, NULL, err,
		  sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT count(*) FROM ocsp_response_cache"), "1");
	CHECK_STR(peek("SELECT value FROM cache_counters"
		       " WHERE name = 'invalidations'"),
	    "1");
	store_close(st);
}

/*
 * Two connections, as the server and the CLI: a revoke on one is seen by
 * the other's very next lookup and write-back, even though the other has
 * just read the entry with its kept statement (a statement left un-reset
 * would pin an old snapshot and serve the stale "good").
 */
static void
test_cache_two_connections(void)
{
	struct store *a = fresh(), *b = NULL;
	struct store_cache_entry c;
	unsigned char d[2], *der = NULL;
	size_t len, w = 99;
	int64_t tu, nu, now = 1800000000;
	int cs;

	if (a == NULL || store_open(path, 0, &b, err, sizeof(err)) != OB_OK) {
		CHECK(a != NULL && b != NULL);
		store_close(a);
		return;
	}
	CHECK(store_cert_add(a, "ca", "b1", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	c = entry("b1", OCSP_GOOD, now, d);
	CHECK(store_cache_put(a, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(store_cache_get(a, "ca", "b1", now + 1, 3600, &der, &len, &tu,
		  &nu, &cs, err, sizeof(err)) == OB_OK);
	free(der);
	der = NULL;
	CHECK(store_revoke(b, "ca", "b1", 1, now + 2, NULL, err, sizeof(err)) ==
	    OB_OK);
	CHECK(store_cache_get(a, "ca", "b1", now + 3, 3600, &der, &len, &tu,
		  &nu, &cs, err, sizeof(err)) == OB_ERR_NOTFOUND);
	CHECK(der == NULL);
	c = entry("b1", OCSP_GOOD, now + 4, d);
	CHECK(store_cache_put(a, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 0);
	CHECK_STR(peek("SELECT count(*) FROM ocsp_response_cache"), "0");
	store_close(b);
	store_close(a);
}

/*
 * Every certificate due for the refresh pass, into *out (malloc'd, *n
 * records), listed two at a time so that the keyset paging is used.
 */
static enum ob_err
todo_all(struct store *st, int64_t now, const struct store_resign *rs,
    size_t nrs, struct store_todo **out, size_t *n)
{
	struct store_todo_cursor cur;
	struct store_todo *v = NULL, *nv;
	size_t got, len = 0;
	enum ob_err e;

	*out = NULL;
	*n = 0;
	memset(&cur, 0, sizeof(cur));
	if ((e = store_refresh_resign(st, rs, nrs, err, sizeof(err))) != OB_OK)
		return e;
	do {
		if ((nv = realloc(v, (len + 2) * sizeof(*v))) == NULL) {
			free(v);
			return OB_ERR_NOMEM;
		}
		v = nv;
		if ((e = store_refresh_todo(st, now, 1800, 3600, &cur, v + len,
			 2, &got, err, sizeof(err))) != OB_OK) {
			free(v);
			return e;
		}
		len += got;
	} while (got == 2);
	*out = v;
	*n = len;
	return OB_OK;
}

static void
test_cache_refresh_todo(void)
{
	struct store *st = fresh();
	struct store_cache_entry c[2];
	struct store_todo *v = NULL;
	struct store_stats s;
	unsigned char d1[2], d2[2];
	int64_t now = 1800000000;
	size_t n = 0, dropped = 99, w;
	int64_t unknown = -1;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	/* 1: fresh entry; 2: due; 3: missing; 4: expired; 5: revoked. */
	CHECK(store_cert_add(st, "ca", "1", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cert_add(st, "ca", "2", now + 86400, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cert_add(st, "ca", "3", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cert_add(
		  st, "ca", "4", now - 1, NULL, 0, err, sizeof(err)) == OB_OK);
	CHECK(store_revoke(
		  st, "ca", "5", 4, now - 50, NULL, err, sizeof(err)) == OB_OK);
	c[0] = entry("1", OCSP_GOOD, now, d1);
	c[1] = entry("2", OCSP_GOOD, now - 3000, d2); /* 600 s left */
	CHECK(store_cache_put(st, c, 2, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 2);
	CHECK(todo_all(st, now, NULL, 0, &v, &n) == OB_OK);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(v[0].serial, "2");
		CHECK_STR(v[1].serial, "3");
		CHECK_STR(v[2].serial, "5");
		CHECK(v[2].status == OCSP_REVOKED && v[2].reason == 4 &&
		    v[2].revoked_at == now - 50);
		CHECK(v[0].status == OCSP_GOOD && v[0].reason == -1);
	}
	free(v);
	CHECK(store_refresh_count(st, now, 1800, 3600, &n, err, sizeof(err)) ==
	    OB_OK);
	CHECK(n == 3);
	/* An entry of a certificate that has expired since is dropped. */
	c[0] = entry("4", OCSP_GOOD, now - 10, d1);
	CHECK(store_cache_put(st, c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	CHECK(store_cache_prune(st, now, 3600, &dropped, err, sizeof(err)) ==
	    OB_OK);
	CHECK(dropped == 1);
	CHECK(
	    store_cache_unknown_count(st, &unknown, err, sizeof(err)) == OB_OK);
	CHECK(unknown == 0);
	/* The stats see what is there. */
	CHECK(store_counters_add(st, 5, 2, 1, err, sizeof(err)) == OB_OK);
	CHECK(store_counters_add(st, 1, 0, 0, err, sizeof(err)) == OB_OK);
	CHECK(store_stats(st, now + 700, &s, err, sizeof(err)) == OB_OK);
	CHECK(s.entries == 2 && s.stale == 1);
	CHECK(s.hits == 6 && s.misses == 2 && s.live_signs == 1);
	CHECK(s.have_run == 0);
	CHECK(s.nissuers == 1);
	if (s.nissuers == 1) {
		CHECK_STR(s.issuers[0].id, "ca");
		CHECK(s.issuers[0].good == 2 && s.issuers[0].revoked == 0);
		CHECK(s.issuers[0].next_update_min == now + 600);
		CHECK(s.issuers[0].crl_present == 0);
	}
	store_stats_free(&s);
	/*
	 * Paging: after a page of one ("2"), "3" is written meanwhile: the
	 * next page is "5" alone, and a write behind the cursor changes
	 * nothing.
	 */
	{
		struct store_todo_cursor cur;
		struct store_todo t[2];
		size_t got = 9;

		memset(&cur, 0, sizeof(cur));
		CHECK(store_refresh_todo(st, now, 1800, 3600, &cur, t, 1, &got,
			  err, sizeof(err)) == OB_OK);
		CHECK(got == 1 && strcmp(t[0].serial, "2") == 0);
		CHECK_STR(cur.serial, "2");
		c[0] = entry("3", OCSP_GOOD, now, d1);
		c[1] = entry("2", OCSP_GOOD, now, d2);
		CHECK(store_cache_put(
			  st, c, 2, now, 3600, &w, err, sizeof(err)) == OB_OK);
		CHECK(store_refresh_todo(st, now, 1800, 3600, &cur, t, 2, &got,
			  err, sizeof(err)) == OB_OK);
		CHECK(got == 1 && strcmp(t[0].serial, "5") == 0);
		CHECK(store_refresh_todo(st, now, 1800, 3600, &cur, t, 2, &got,
			  err, sizeof(err)) == OB_OK);
		CHECK(got == 0);
	}
	/*
	 * Keys only a hand edit writes (a BLOB serial, a NUL inside) are
	 * never listed: a cursor holding them truncated would list them
	 * again and again.
	 */
	{
		sqlite3 *db = NULL;
		struct store_todo *v2 = NULL;
		size_t n2 = 0;

		CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
		    SQLITE_OK);
		CHECK(sqlite3_exec(db,
			  "INSERT INTO certificates (issuer_id, serial_hex)"
			  " VALUES ('ca', CAST('7' AS BLOB)),"
			  " ('ca', '8' || char(0) || 'x')",
			  NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(db);
		/* "2" and "3" are cached by now: "5" alone is due. */
		CHECK(todo_all(st, now, NULL, 0, &v2, &n2) == OB_OK);
		CHECK(n2 == 1 && strcmp(v2[0].serial, "5") == 0);
		free(v2);
	}
	store_close(st);
}

/*
 * A clock that ran two hours ahead, then stepped back: what it signed is
 * from the future. Such an entry is a miss, due for the refresh pass,
 * replaced by a signature made now (unless a revoke came in between, as
 * any write), and an "unknown" one is pruned. Within STORE_CLOCK_SLACK
 * an entry is not from the future.
 */
static void
test_cache_clock_step(void)
{
	struct store *st = fresh();
	struct store_cache_entry c;
	struct store_todo *v = NULL;
	unsigned char d1[2], d2[2], *der = NULL;
	size_t len, n = 0, w = 99, dropped = 99;
	int64_t tu, nu, now = 1800000000, ahead = now + 7200;
	int cs;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_cert_add(st, "ca", "1", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cert_add(st, "ca", "2", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_revoke(
		  st, "ca", "3", 1, now - 60, NULL, err, sizeof(err)) == OB_OK);
	/* Signed while the clock read two hours ahead. */
	c = entry("1", OCSP_GOOD, ahead, d1);
	CHECK(store_cache_put(st, &c, 1, ahead, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	c = entry("3", OCSP_REVOKED, ahead, d1);
	c.revoked_at = now - 60;
	c.reason = 1;
	CHECK(store_cache_put(st, &c, 1, ahead, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	c = entry("u", OCSP_UNKNOWN, ahead, d1);
	CHECK(store_cache_put(st, &c, 1, ahead, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	/* Signed now, within the slack, and one with a long nextUpdate. */
	c = entry("2", OCSP_GOOD, now + STORE_CLOCK_SLACK, d2);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	c = entry("v", OCSP_UNKNOWN, now - 600, d2);
	c.next_update = now + 3600 + STORE_CLOCK_SLACK + 1;
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);

	/* The clock is back at now: the entries from the future miss. */
	CHECK(store_cache_get(st, "ca", "1", now, 3600, &der, &len, &tu, &nu,
		  &cs, err, sizeof(err)) == OB_ERR_NOTFOUND);
	CHECK(der == NULL);
	CHECK(store_cache_get(st, "ca", "1", ahead, 3600, &der, &len, &tu, &nu,
		  &cs, err, sizeof(err)) == OB_OK);
	free(der);
	der = NULL;
	CHECK(store_cache_get(st, "ca", "2", now, 3600, &der, &len, &tu, &nu,
		  &cs, err, sizeof(err)) == OB_OK);
	free(der);
	der = NULL;
	/* A nextUpdate further than the validity, though thisUpdate is past. */
	CHECK(store_cache_get(st, "ca", "v", now, 3600, &der, &len, &tu, &nu,
		  &cs, err, sizeof(err)) == OB_ERR_NOTFOUND);
	CHECK(store_cache_get(st, "ca", "v", now, 3601, &der, &len, &tu, &nu,
		  &cs, err, sizeof(err)) == OB_OK);
	free(der);
	der = NULL;

	/* Due for the pass, though nextUpdate is far off: 1 and 3, not 2. */
	CHECK(todo_all(st, now, NULL, 0, &v, &n) == OB_OK);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(v[0].serial, "1");
		CHECK_STR(v[1].serial, "3");
		CHECK(v[1].status == OCSP_REVOKED);
	}
	free(v);

	/* A signature made now replaces it, though its thisUpdate is older. */
	c = entry("1", OCSP_GOOD, now, d2);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	CHECK(store_cache_get(st, "ca", "1", now, 3600, &der, &len, &tu, &nu,
		  &cs, err, sizeof(err)) == OB_OK);
	CHECK(der != NULL && der[1] == d2[1] && tu == now);
	free(der);
	der = NULL;
	/* ... but not one within the slack: that is a newer signature. */
	c = entry("2", OCSP_GOOD, now - 1, d1);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 0);
	/* Nor does a "good" replace the revoked one from the future. */
	c = entry("3", OCSP_GOOD, now, d2);
	CHECK(store_cache_put(st, &c, 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 0);
	CHECK_STR(peek("SELECT cert_status FROM ocsp_response_cache"
		       " WHERE serial_hex = '3'"),
	    "revoked");

	/* Unknown entries from the future are pruned; the others stay. */
	CHECK(store_cache_prune(st, now, 3600, &dropped, err, sizeof(err)) ==
	    OB_OK);
	CHECK(dropped == 2);
	CHECK_STR(peek("SELECT group_concat(serial_hex) FROM"
		       " (SELECT serial_hex FROM ocsp_response_cache"
		       " ORDER BY serial_hex)"),
	    "1,2,3");
	store_close(st);
}

static void
test_refresh_record(void)
{
	struct store *st = fresh();
	struct store_refresh_run run;
	struct store_stats s;
	unsigned char h[32], got[32];
	int i;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	memset(&run, 0, sizeof(run));
	snprintf(run.source, sizeof(run.source), "cli");
	for (i = 0; i < 1003; i++) {
		run.started_at = 1800000000 + i;
		run.nsigned = i;
		CHECK(
		    store_refresh_record(st, &run, err, sizeof(err)) == OB_OK);
	}
	CHECK_STR(peek("SELECT count(*) FROM cache_refresh_runs"), "1000");
	CHECK(store_stats(st, 1800000000, &s, err, sizeof(err)) == OB_OK);
	CHECK(s.have_run && s.last_run.nsigned == 1002);
	CHECK_STR(s.last_run.source, "cli");
	store_stats_free(&s);
	/* The admin token: none, then only the newest. */
	CHECK(store_admin_token(st, got, err, sizeof(err)) == OB_ERR_NOTFOUND);
	memset(h, 1, sizeof(h));
	CHECK(store_admin_token_set(st, h, err, sizeof(err)) == OB_OK);
	memset(h, 2, sizeof(h));
	CHECK(store_admin_token_set(st, h, err, sizeof(err)) == OB_OK);
	CHECK(store_admin_token(st, got, err, sizeof(err)) == OB_OK);
	CHECK(memcmp(got, h, 32) == 0);
	CHECK_STR(peek("SELECT count(*) FROM admin_tokens"), "1");
	store_close(st);
}

/* A fresh database whose issuer "ca" has a CRL key (a path only). */
static struct store *
fresh_crl(void)
{
	struct store *st = fresh();
	sqlite3 *db = NULL;

	if (st == NULL)
		return NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
		"UPDATE issuers SET crl_key_path = '/nonexistent/ca.key'", NULL,
		NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		store_close(st);
		return NULL;
	}
	sqlite3_close(db);
	return st;
}

/* A cRLNumber's value, or -1 past 63 bits. */
static int64_t
num64(const struct ob_crlnum *n)
{
	uint64_t v;

	return util_crlnum_u64(n, &v) && v <= INT64_MAX ? (int64_t)v : -1;
}

/* A time within the CRLs store_one stores. */
#define T 1795000100

/* Stores a CRL of the revoked certificates, numbered with the clock as
 * a floor when time_floor is set; returns its number or -1. */
static int64_t
store_one_at(struct store *st, int time_floor)
{
	static const unsigned char der[] = {0x30, 0x00};
	struct crl_entry *v = NULL;
	struct store_crl c;
	struct ob_crlnum number;
	size_t n;

	if (store_crl_begin(st, "ca", NULL, time_floor, &number, &v, &n, err,
		sizeof(err)) != OB_OK)
		return -1;
	free(v);
	memset(&c, 0, sizeof(c));
	c.issuer_id = "ca";
	c.der = der;
	c.len = sizeof(der);
	c.number = number;
	c.this_update = 1795000000;
	c.next_update = 1795086400;
	c.started_at = 1795000000;
	c.revoked_count = (int64_t)n;
	if (store_crl_put(st, &c, err, sizeof(err)) != OB_OK)
		return -1;
	return num64(&number);
}

static int64_t
store_one(struct store *st)
{
	return store_one_at(st, 0);
}

static void
test_store_numbers(void)
{
	struct store *st = fresh_crl(), *other = NULL;
	struct crl_entry *v = NULL;
	unsigned char *der = NULL;
	size_t n = 0, len = 0;
	struct ob_crlnum number, num;
	int64_t tu, nu;
	int already;

	if (st == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_crl_get(st, "ca", &der, &len, &num, &tu, &nu, err,
		  sizeof(err)) == OB_ERR_NOTFOUND);
	CHECK(store_revoke(st, "ca", "b2", 1, 1794000000, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_revoke(st, "ca", "a1", -1, 1793000000, &already, err,
		  sizeof(err)) == OB_OK);
	/* The revoked ones, oldest revocation first, with their reasons */
	CHECK(store_crl_begin(st, "ca", NULL, 0, &number, &v, &n, err,
		  sizeof(err)) == OB_OK);
	CHECK(num64(&number) == 1 && n == 2 && v != NULL);
	if (v != NULL && n == 2) {
		CHECK_STR(v[0].serial, "a1");
		CHECK(v[0].reason == -1 && v[0].revoked_at == 1793000000);
		CHECK_STR(v[1].serial, "b2");
		CHECK(v[1].reason == 1);
	}
	free(v);
	store_rollback(st); /* a failed build: the number is not taken */
	CHECK(store_one(st) == 1);
	CHECK(store_one(st) == 2);
	CHECK(store_crl_get(st, "ca", &der, &len, &num, &tu, &nu, err,
		  sizeof(err)) == OB_OK);
	CHECK(len == 2 && num64(&num) == 2 && tu == 1795000000 &&
	    nu == 1795086400);
	free(der);
	CHECK_STR(peek("SELECT group_concat(crl_number || ':' || succeeded"
		       " || ':' || revoked_count) FROM crl_generation_events"),
	    "1:1:2,2:1:2");

	/* While one connection builds, another cannot take a number. */
	CHECK(store_open(path, 0, &other, err, sizeof(err)) == OB_OK);
	if (other != NULL) {
		store_busy_ms(other, 50);
		CHECK(store_crl_begin(st, "ca", NULL, 0, &number, &v, &n, err,
			  sizeof(err)) == OB_OK &&
		    num64(&number) == 3);
		free(v);
		CHECK(store_crl_begin(other, "ca", NULL, 0, &number, &v, &n,
			  err, sizeof(err)) == OB_ERR_BUSY);
		store_rollback(st);
		CHECK(store_one(other) == 3);
		store_close(other);
	}
	/* Gone from crl_cache, the number still rises (events keep it). */
	store_close(st);
	{
		sqlite3 *db = NULL;
		CHECK(sqlite3_open(path, &db) == SQLITE_OK &&
		    sqlite3_exec(db, "DELETE FROM crl_cache", NULL, NULL,
			NULL) == SQLITE_OK);
		sqlite3_close(db);
	}
	CHECK(store_open(path, 0, &st, err, sizeof(err)) == OB_OK);
	CHECK(st != NULL && store_one(st) == 4);
	store_close(st);
}

/* The wall clock (ms) as a floor: a database restored from an older
 * backup never numbers a CRL below one served since (RFC 5280 5.2.3). */
static void
test_store_time_floor(void)
{
	struct store *st = fresh_crl();
	struct timespec ts;
	int64_t before, after, a, b;

	if (st == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_one(st) == 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	before = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	a = store_one_at(st, 1);
	b = store_one_at(st, 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	after = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	CHECK(a >= before && a <= after);
	CHECK(b > a && b <= after + 1);
	/* Past the clock already: one above, as without a floor. */
	CHECK(store_one(st) == b + 1);
	store_close(st);
}

static void
test_store_failed_and_due(void)
{
	struct store *st = fresh_crl();
	struct store_stats s;
	int64_t tu = 0, nu = 0;
	int i, already, due = 9;

	if (st == NULL) {
		CHECK(0);
		return;
	}
	/* No CRL yet: due, without times. */
	CHECK(store_crl_due(st, "ca", T, &due, &tu, &nu, err, sizeof(err)) ==
		OB_OK &&
	    due == 1 && tu == INT64_MIN && nu == INT64_MIN);
	CHECK(store_one(st) == 1);
	CHECK(store_crl_due(st, "ca", T, &due, NULL, NULL, err, sizeof(err)) ==
		OB_OK &&
	    due == 0);
	/*
	 * By the clock: due from its nextUpdate on, and while the clock reads
	 * before its thisUpdate (stepped back since); the times come along.
	 */
	CHECK(store_crl_due(st, "ca", 1795086399, &due, &tu, &nu, err,
		  sizeof(err)) == OB_OK &&
	    due == 0 && tu == 1795000000 && nu == 1795086400);
	CHECK(store_crl_due(st, "ca", 1795000000, &due, NULL, NULL, err,
		  sizeof(err)) == OB_OK &&
	    due == 0);
	CHECK(store_crl_due(st, "ca", 1795086400, &due, NULL, NULL, err,
		  sizeof(err)) == OB_OK &&
	    due == 1);
	CHECK(store_crl_due(st, "ca", 1794999999, &due, NULL, NULL, err,
		  sizeof(err)) == OB_OK &&
	    due == 1);
	/* A revoke makes it due again; a repeated one does not. */
	CHECK(store_revoke(st, "ca", "c3", 4, 1794000000, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_crl_due(st, "ca", T, &due, NULL, NULL, err, sizeof(err)) ==
		OB_OK &&
	    due == 1);
	CHECK(store_one(st) == 2);
	CHECK(store_revoke(st, "ca", "c3", 4, 1794000000, &already, err,
		  sizeof(err)) == OB_OK &&
	    already);
	CHECK(store_crl_due(st, "ca", T, &due, NULL, NULL, err, sizeof(err)) ==
		OB_OK &&
	    due == 0);
	/* A failure is an event without a number; the stats show it. */
	CHECK(store_crl_failed(st, "ca", 1795000000, 3, "ca.key: gone", err,
		  sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT coalesce(crl_number, 'null') || ':' ||"
		       " succeeded || ':' || error FROM crl_generation_events"
		       " ORDER BY id DESC LIMIT 1"),
	    "null:0:ca.key: gone");
	CHECK(store_stats(st, 1795000000, &s, err, sizeof(err)) == OB_OK);
	CHECK(s.nissuers == 1 && s.issuers[0].crl_present &&
	    s.issuers[0].crl_key && num64(&s.issuers[0].crl_number) == 2 &&
	    s.issuers[0].crl_revoked == 1 &&
	    strcmp(s.issuers[0].crl_error, "ca.key: gone") == 0);
	store_stats_free(&s);
	CHECK(store_one(st) == 3);
	CHECK(store_stats(st, 1795000000, &s, err, sizeof(err)) == OB_OK);
	CHECK(s.nissuers == 1 && s.issuers[0].crl_error[0] == '\0');
	store_stats_free(&s);

	/* A revoked row no ocspbox command wrote: the build fails, saying so */
	{
		sqlite3 *db = NULL;
		struct crl_entry *v = NULL;
		struct ob_crlnum number;
		size_t n;

		CHECK(sqlite3_open(path, &db) == SQLITE_OK &&
		    sqlite3_exec(db,
			"INSERT INTO certificates (issuer_id, serial_hex,"
			" status, revoked_at) VALUES ('ca', '', 'revoked',"
			" '2026-01-01T00:00:00Z')",
			NULL, NULL, NULL) == SQLITE_OK);
		CHECK(store_crl_begin(st, "ca", NULL, 0, &number, &v, &n, err,
			  sizeof(err)) == OB_ERR_INVAL &&
		    v == NULL && strstr(err, "unusable serial") != NULL);
		CHECK(sqlite3_exec(db,
			  "DELETE FROM certificates WHERE serial_hex = ''",
			  NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(db);
	}

	/*
	 * A failure that repeats the newest event is counted on it: a key
	 * unreadable for a day is one event, not 2880.
	 */
	for (i = 0; i < 50; i++)
		if (store_crl_failed(st, "ca", 1795000000 + i, 0, "x", err,
			sizeof(err)) != OB_OK)
			break;
	CHECK(i == 50);
	CHECK_STR(peek("SELECT repeated || ' ' || started_at || ' ' ||"
		       " last_at FROM crl_generation_events"
		       " ORDER BY id DESC LIMIT 1"),
	    "50 2026-11-18T11:06:40Z 2026-11-18T11:07:29Z");
	/*
	 * The events are bounded: the newest 100 failures, apart from the
	 * newest 1000 builds, which failures never push out.
	 */
	for (i = 0; i < 1010; i++) {
		char why[16];

		snprintf(why, sizeof(why), "x%d", i);
		if (store_crl_failed(st, "ca", 1795000000, 0, why, err,
			sizeof(err)) != OB_OK)
			break;
	}
	CHECK(i == 1010);
	CHECK_STR(peek("SELECT count(*) FROM crl_generation_events"
		       " WHERE succeeded = 0"),
	    "100");
	CHECK_STR(peek("SELECT count(*) FROM crl_generation_events"
		       " WHERE succeeded = 1"),
	    "3");
	/* ... and the number still rises past the pruned ones. */
	CHECK(store_one(st) == 4);
	/*
	 * What the count does not show: a hold released as another serial
	 * is revoked (the count the same), a hold made keyCompromise, a
	 * revoked certificate removed. Each makes it due; a CRL stored
	 * clears it.
	 */
	{
		const char *c5[] = {"c5"};
		size_t bad;
		int n = 5;

		CHECK(store_revoke(st, "ca", "c4", 6, 1794000000, &already, err,
			  sizeof(err)) == OB_OK);
		CHECK(store_one(st) == n++);
		CHECK(
		    store_unrevoke(st, "ca", "c4", err, sizeof(err)) == OB_OK);
		CHECK(store_revoke(st, "ca", "c5", 6, 1794000000, &already, err,
			  sizeof(err)) == OB_OK);
		CHECK(store_crl_due(st, "ca", T, &due, NULL, NULL, err,
			  sizeof(err)) == OB_OK &&
		    due == 1);
		CHECK(store_one(st) == n++);
		CHECK(store_crl_due(st, "ca", T, &due, NULL, NULL, err,
			  sizeof(err)) == OB_OK &&
		    due == 0);
		CHECK(store_revoke(st, "ca", "c5", 1, 1794000001, &already, err,
			  sizeof(err)) == OB_OK &&
		    already == 2);
		CHECK(store_crl_due(st, "ca", T, &due, NULL, NULL, err,
			  sizeof(err)) == OB_OK &&
		    due == 1);
		CHECK(store_one(st) == n++);
		CHECK(store_cert_remove(
			  st, "ca", c5, 1, 1, &bad, err, sizeof(err)) == OB_OK);
		CHECK(store_crl_due(st, "ca", T, &due, NULL, NULL, err,
			  sizeof(err)) == OB_OK &&
		    due == 1);
		CHECK(store_one(st) == n);
		CHECK(store_crl_due(st, "ca", T, &due, NULL, NULL, err,
			  sizeof(err)) == OB_OK &&
		    due == 0);
	}
	store_close(st);
}

/*
 * cRLNumbers past 63 bits, compared as integers: rows written before
 * migration 000026 (crl_number only) still count, crl_number saturates
 * while crl_number_hex keeps the number, and past 2^159 - 1 no CRL is
 * built rather than a number wrapped or reused.
 */
static void
test_store_wide_numbers(void)
{
	static const unsigned char der[] = {0x30, 0x00};
	struct store *st = fresh_crl();
	struct crl_entry *v = NULL;
	struct ob_crlnum number, want;
	struct crl_info ci;
	struct store_stats s;
	unsigned char *got = NULL;
	size_t n = 0, len = 0, revoked = 0;
	int64_t tu, nu;
	sqlite3 *db = NULL;

	if (st == NULL) {
		CHECK(0);
		return;
	}
	/* As an ocspbox from before 000026 left them: no crl_number_hex */
	CHECK(sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db,
		"INSERT INTO crl_cache (issuer_id, crl_der, crl_number,"
		" this_update, next_update) VALUES ('ca', x'3000', 41,"
		" '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z');"
		"INSERT INTO crl_generation_events (issuer_id, crl_number,"
		" succeeded) VALUES ('ca', 43, 1), ('ca', NULL, 0)",
		NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_crl_get(st, "ca", &got, &len, &number, &tu, &nu, err,
		  sizeof(err)) == OB_OK &&
	    num64(&number) == 41);
	free(got);
	CHECK(store_crl_begin(st, "ca", NULL, 0, &number, &v, &n, err,
		  sizeof(err)) == OB_OK);
	CHECK(num64(&number) == 44);
	free(v);
	store_rollback(st);
	CHECK(store_one(st) == 44);
	CHECK_STR(peek("SELECT crl_number || ':' || crl_number_hex"
		       " FROM crl_cache"),
	    "44:000000000000000000000000000000000000002c");

	/* Import 2^63: stored exactly, crl_number saturated */
	memset(&ci, 0, sizeof(ci));
	ci.der = (unsigned char *)der;
	ci.len = sizeof(der);
	ci.this_update = 1795000000;
	ci.next_update = 1795086400;
	CHECK(util_crlnum_from_hex("0000000000000000000000008000000000000000",
		  &ci.number) == OB_OK);
	CHECK(store_crl_import(st, "ca", &ci, 0, &revoked, err, sizeof(err)) ==
	    OB_OK);
	CHECK_STR(peek("SELECT crl_number || ':' || crl_number_hex"
		       " FROM crl_cache"),
	    "9223372036854775807:0000000000000000000000008000000000000000");
	/* ... so the same number again, or 2^63 - 1, is not above it */
	CHECK(store_crl_import(st, "ca", &ci, 0, &revoked, err, sizeof(err)) ==
	    OB_ERR_EXISTS);
	CHECK_STR(err,
	    "cRLNumber 9223372036854775808 is not above "
	    "9223372036854775808, the last one here");
	util_crlnum_set(&ci.number, INT64_MAX);
	CHECK(store_crl_import(st, "ca", &ci, 0, &revoked, err, sizeof(err)) ==
	    OB_ERR_EXISTS);
	/* The next built is 2^63 + 1, read back exactly everywhere */
	CHECK(store_one(st) == -1); /* beyond what num64 shows */
	CHECK(util_crlnum_from_hex(
		  "0000000000000000000000008000000000000001", &want) == OB_OK);
	CHECK(store_crl_get(st, "ca", &got, &len, &number, &tu, &nu, err,
		  sizeof(err)) == OB_OK &&
	    util_crlnum_cmp(&number, &want) == 0);
	free(got);
	CHECK(store_stats(st, 1795000000, &s, err, sizeof(err)) == OB_OK);
	CHECK(s.nissuers == 1 && s.issuers[0].crl_present &&
	    util_crlnum_cmp(&s.issuers[0].crl_number, &want) == 0);
	store_stats_free(&s);
	CHECK_STR(peek("SELECT group_concat(crl_number_hex, ' ') FROM"
		       " (SELECT crl_number_hex FROM crl_generation_events"
		       " WHERE crl_number > 44 ORDER BY id)"),
	    "0000000000000000000000008000000000000000"
	    " 0000000000000000000000008000000000000001");

	/* 2^159 - 1: imported, but ocspbox builds no number after it */
	CHECK(util_crlnum_from_hex("7fffffffffffffffffffffffffffffffffffffff",
		  &ci.number) == OB_OK);
	CHECK(store_crl_import(st, "ca", &ci, 0, &revoked, err, sizeof(err)) ==
	    OB_OK);
	v = NULL;
	CHECK(store_crl_begin(st, "ca", NULL, 0, &number, &v, &n, err,
		  sizeof(err)) == OB_ERR_RANGE);
	CHECK(v == NULL &&
	    strstr(err,
		"cRLNumber "
		"730750818665451459101842416358141509827966271487"
		" is the last") != NULL);
	/* rolled back: the connection goes on, the CRL stays */
	CHECK(store_crl_failed(st, "ca", 1795000000, 0, "no next number", err,
		  sizeof(err)) == OB_OK);
	CHECK_STR(peek("SELECT crl_number_hex FROM crl_cache"),
	    "7fffffffffffffffffffffffffffffffffffffff");
	/* A value no ocspbox wrote is refused, not misread */
	CHECK(sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db,
		"PRAGMA ignore_check_constraints = ON;"
		" UPDATE crl_cache SET crl_number_hex = 'zz'",
		NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_crl_get(st, "ca", &got, &len, &number, &tu, &nu, err,
		  sizeof(err)) == OB_ERR_INVAL &&
	    got == NULL && strstr(err, "unusable stored cRLNumber") != NULL);
	store_close(st);
}

/* Runs sql on a side connection, as another process would. */
static int
poke(const char *sql)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	return rc;
}

/* The serials of what the refresh pass finds due, joined by ",". */
static const char *
due(struct store *st, int64_t now, const struct store_resign *rs, size_t nrs)
{
	static char buf[128];
	struct store_todo *v = NULL;
	size_t n = 0, i, o = 0;

	buf[0] = '\0';
	if (todo_all(st, now, rs, nrs, &v, &n) != OB_OK)
		return "error";
	for (i = 0; i < n && o < sizeof(buf) - 40; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i > 0 ? "," : "", v[i].serial);
	free(v);
	return buf;
}

/*
 * An issuer's responder replaced: the version changes, the old row stays
 * inactive, and the refresh pass finds the entries of an earlier
 * responder (written before the active one, or lacking its needle); an
 * entry whose nextUpdate is the responder's notAfter is not re-signed
 * for the horizon alone. Removing the issuer removes what is under it.
 */
static void
test_issuer_update_remove(void)
{
	struct store *st = fresh();
	struct store_issuer upd, *v = NULL;
	struct store_cache_entry c[2];
	struct store_resign rs;
	unsigned char d1[2], d2[2], der[3] = {0x30, 0x01, 0x02};
	const unsigned char needle[1] = {0x22};
	int64_t now = (int64_t)time(NULL);
	char *v1 = NULL, *v2 = NULL, *v3 = NULL, **paths = NULL;
	size_t n = 0, w = 0, np = 0;

	if (st == NULL) {
		CHECK(st != NULL);
		return;
	}
	CHECK(store_cert_add(st, "ca", "1", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cert_add(st, "ca", "2", INT64_MIN, NULL, 0, err,
		  sizeof(err)) == OB_OK);
	c[0] = entry("1", OCSP_GOOD, now, d1);
	c[1] = entry("2", OCSP_GOOD, now, d2);
	d1[1] = 0x11;
	d2[1] = 0x22;
	CHECK(store_cache_put(st, c, 2, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 2);
	CHECK_STR(due(st, now, NULL, 0), "");
	/* The needle of the responder now: entry 1 lacks it. */
	rs.issuer_id = "ca";
	rs.needle = needle;
	rs.needle_len = sizeof(needle);
	CHECK_STR(due(st, now, &rs, 1), "1");
	rs.issuer_id = "other";
	CHECK_STR(due(st, now, &rs, 1), "");

	CHECK(store_issuers_version(st, &v1, err, sizeof(err)) == OB_OK);
	memset(&upd, 0, sizeof(upd));
	upd.resp_der = der;
	upd.resp_len = sizeof(der);
	upd.resp_subject = "CN=responder 2";
	upd.resp_key_path = "/nonexistent/key2";
	snprintf(upd.resp_key_alg, sizeof(upd.resp_key_alg), "ec-p256");
	upd.resp_not_before = now - 60;
	upd.resp_not_after = now + 600;
	CHECK(store_issuer_update(st, "ca", &upd, NULL, err, sizeof(err)) ==
	    OB_OK);
	CHECK(store_issuer_update(st, "none", &upd, NULL, err, sizeof(err)) ==
	    OB_ERR_NOTFOUND);
	CHECK(store_issuers_version(st, &v2, err, sizeof(err)) == OB_OK);
	CHECK(v1 != NULL && v2 != NULL && strcmp(v1, v2) != 0);
	CHECK_STR(peek("SELECT count(*) || '/' || sum(active)"
		       " FROM responder_certs WHERE issuer_id = 'ca'"),
	    "2/1");
	CHECK(store_issuer_records(st, &v, &n, err, sizeof(err)) == OB_OK);
	CHECK(n == 1 && v != NULL && v[0].resp_len == sizeof(der) &&
	    v[0].resp_not_after == now + 600 && v[0].n_certs == 0);
	store_issuer_list_free(v, n);
	/* A new CRL key path changes the version too. */
	CHECK(store_issuer_update(st, "ca", NULL, "/nonexistent/ca.key", err,
		  sizeof(err)) == OB_OK);
	CHECK(store_issuers_version(st, &v3, err, sizeof(err)) == OB_OK);
	CHECK(v3 != NULL && v2 != NULL && strcmp(v2, v3) != 0);

	/* Entry 1 written before the new responder was registered. */
	CHECK(poke("UPDATE ocsp_response_cache SET generated_at ="
		   " '2020-01-01T00:00:00Z' WHERE serial_hex = '1'"));
	CHECK_STR(due(st, now, NULL, 0), "1");
	/*
	 * Entry 2 due within the horizon; at the responder's notAfter,
	 * no signature can do better: not due for that.
	 */
	CHECK(poke("UPDATE ocsp_response_cache SET generated_at ="
		   " strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+1 minute')"));
	CHECK_STR(due(st, now, NULL, 0), "");
	c[1] = entry("2", OCSP_GOOD, now + 1, d2);
	c[1].next_update = now + 300;
	CHECK(store_cache_put(st, &c[1], 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK(w == 1);
	CHECK_STR(due(st, now, NULL, 0), "2");
	c[1] = entry("2", OCSP_GOOD, now + 2, d2);
	c[1].next_update = now + 600;
	CHECK(store_cache_put(st, &c[1], 1, now, 3600, &w, err, sizeof(err)) ==
	    OB_OK);
	CHECK_STR(due(st, now, NULL, 0), "");

	/*
	 * Key files ocspbox made: none unused while the operator's
	 * responders are all there is; a generated one replaced by another
	 * is unused; removing the issuer hands back the active one's.
	 */
	CHECK(store_responder_keys_unused(st, &paths, &np, err, sizeof(err)) ==
	    OB_OK);
	CHECK(paths == NULL && np == 0);
	upd.resp_generated = 1;
	upd.auto_life_s = 86400;
	upd.resp_key_path = "/nonexistent/gen1";
	CHECK(store_issuer_update(st, "ca", &upd, NULL, err, sizeof(err)) ==
	    OB_OK);
	CHECK_STR(peek("SELECT auto_responder_life_s FROM issuers"), "86400");
	upd.resp_key_path = "/nonexistent/gen2";
	CHECK(store_issuer_update(st, "ca", &upd, NULL, err, sizeof(err)) ==
	    OB_OK);
	CHECK(store_responder_keys_unused(st, &paths, &np, err, sizeof(err)) ==
	    OB_OK);
	CHECK(np == 1 && paths != NULL &&
	    strcmp(paths[0], "/nonexistent/gen1") == 0);
	store_paths_free(paths, np);
	CHECK(store_issuer_remove(st, "ca", &paths, &np, err, sizeof(err)) ==
	    OB_OK);
	CHECK(np == 2 && paths != NULL);
	store_paths_free(paths, np);
	CHECK(store_issuer_remove(st, "ca", &paths, &np, err, sizeof(err)) ==
	    OB_ERR_NOTFOUND);
	CHECK(paths == NULL && np == 0);
	CHECK_STR(peek("SELECT (SELECT count(*) FROM certificates) ||"
		       " (SELECT count(*) FROM ocsp_response_cache) ||"
		       " (SELECT count(*) FROM responder_certs)"),
	    "000");
	free(v1);
	free(v2);
	free(v3);
	store_close(st);
}

/* Registers issuer id as a CA whose key hash is 20 octets of k. */
static int
add_ca(struct store *st, const char *id, unsigned char k)
{
	struct store_issuer is;
	unsigned char der[] = {0x30, 0x03, 0x02, 0x01, 0x00};

	der[4] = k;
	memset(&is, 0, sizeof(is));
	snprintf(is.id, sizeof(is.id), "%s", id);
	is.subject = "CN=ca";
	is.cert_der = der;
	is.cert_len = sizeof(der);
	memset(is.key_sha1, k, 20);
	memset(is.name_sha1, k, 20);
	memset(is.key_sha256, k, 32);
	memset(is.name_sha256, k, 32);
	is.not_after = 2000000000;
	is.resp_not_before = 1700000000;
	is.resp_not_after = 2000000000;
	is.resp_der = der;
	is.resp_len = sizeof(der);
	is.resp_subject = "CN=ca";
	is.resp_key_path = "/nonexistent/key";
	is.crl_key_path = "/nonexistent/ca.key";
	snprintf(is.resp_key_alg, sizeof(is.resp_key_alg), "ec-p256");
	is.resp_is_ca = 1;
	return store_issuer_add(st, &is, err, sizeof(err)) == OB_OK;
}

/*
 * An issuer id removed and added again for another CA, which a server
 * that loaded the first one has not seen yet: a status read, a cache
 * write and a CRL begun for the first CA (by its key hash) are refused
 * as stale, never given the second CA's rows; and a CA's cRLNumbers go
 * on above those of its removed issuer, under any id.
 */
static void
test_issuer_reused(void)
{
	struct store *st = fresh_crl();
	unsigned char key_a[20], key_b[20], d[2];
	struct store_cache_entry c;
	struct crl_entry *v = NULL;
	struct ob_crlnum number;
	size_t n = 0, w = 9;
	int64_t at;
	int revoked, reason, already;

	if (st == NULL) {
		CHECK(0);
		return;
	}
	memset(key_a, 0xab, 20); /* fresh()'s CA */
	memset(key_b, 0xcd, 20);
	CHECK(store_revoke(st, "ca", "a1", 1, 1794000000, &already, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cert_status(st, "ca", key_a, "a1", &revoked, &at, &reason,
		  err, sizeof(err)) == OB_OK &&
	    revoked == 1);
	CHECK(store_cert_status(st, "ca", key_b, "a1", &revoked, &at, &reason,
		  err, sizeof(err)) == OB_ERR_STALE);
	CHECK(store_cert_status(st, "ca", key_a, "02", &revoked, &at, &reason,
		  err, sizeof(err)) == OB_ERR_NOTFOUND);
	CHECK(store_one(st) == 1 && store_one(st) == 2);

	CHECK(store_issuer_remove(st, "ca", NULL, NULL, err, sizeof(err)) ==
	    OB_OK);
	CHECK_STR(peek("SELECT hex(key_sha1) || ' ' || crl_number_hex"
		       " FROM crl_number_floor"),
	    "ABABABABABABABABABABABABABABABABABABABAB "
	    "0000000000000000000000000000000000000002");
	CHECK(store_cert_status(st, "ca", key_a, "a1", &revoked, &at, &reason,
		  err, sizeof(err)) == OB_ERR_STALE);
	CHECK(strstr(err, "was removed") != NULL);
	CHECK(store_cert_status(st, "ca", NULL, "a1", &revoked, &at, &reason,
		  err, sizeof(err)) == OB_ERR_NOTFOUND);

	/* The id again, for CA B, whose "a1" is good. */
	CHECK(add_ca(st, "ca", 0xcd));
	CHECK(store_cert_add(st, "ca", "a1", 1900000000, "CN=b", 0, err,
		  sizeof(err)) == OB_OK);
	CHECK(store_cert_status(st, "ca", key_a, "a1", &revoked, &at, &reason,
		  err, sizeof(err)) == OB_ERR_STALE);
	CHECK(strstr(err, "now another CA") != NULL);
	CHECK(store_cert_status(st, "ca", key_b, "a1", &revoked, &at, &reason,
		  err, sizeof(err)) == OB_OK &&
	    revoked == 0);
	/* A "good" signed for CA A is never cached for CA B; B's is. */
	c = entry("a1", OCSP_GOOD, 1795000000, d);
	c.key_sha1 = key_a;
	CHECK(store_cache_put(
		  st, &c, 1, 1795000000, 3600, &w, err, sizeof(err)) == OB_OK);
	CHECK(w == 0);
	c.key_sha1 = key_b;
	CHECK(store_cache_put(
		  st, &c, 1, 1795000000, 3600, &w, err, sizeof(err)) == OB_OK);
	CHECK(w == 1);
	/* CA A's key builds no CRL of CA B's revocations. */
	CHECK(store_crl_begin(st, "ca", key_a, 0, &number, &v, &n, err,
		  sizeof(err)) == OB_ERR_STALE);
	CHECK(v == NULL);
	/* CA B never had a CRL: its first is #1. */
	CHECK(store_crl_begin(st, "ca", key_b, 0, &number, &v, &n, err,
		  sizeof(err)) == OB_OK &&
	    num64(&number) == 1);
	free(v);
	v = NULL;
	store_rollback(st);

	/* CA A back under another id: on from #2, not from 1. */
	CHECK(add_ca(st, "again", 0xab));
	CHECK(store_crl_begin(st, "again", key_a, 0, &number, &v, &n, err,
		  sizeof(err)) == OB_OK &&
	    num64(&number) == 3);
	free(v);
	store_rollback(st);
	store_close(st);
}

static const struct test tests[] = {
    {"open_errors", test_open_errors},
    {"migrate_idempotent", test_migrate_idempotent},
    {"issuers", test_issuers},
    {"responder_replace", test_responder_replace},
    {"certs", test_certs},
    {"aliases", test_aliases},
    {"revoke", test_revoke},
    {"put_never_unrevokes", test_put_never_unrevokes},
    {"put_unchanged", test_put_unchanged},
    {"hold", test_hold},
    {"cert_each_remove", test_cert_each_remove},
    {"put_invalidity", test_put_invalidity},
    {"put_end", test_put_end},
    {"rollback", test_rollback},
    {"foreign_keys", test_foreign_keys},
    {"cache_put_get", test_cache_put_get},
    {"reads_nowait", test_reads_nowait},
    {"cache_revoke_race", test_cache_revoke_race},
    {"cache_two_connections", test_cache_two_connections},
    {"cache_refresh_todo", test_cache_refresh_todo},
    {"issuer_update_remove", test_issuer_update_remove},
    {"issuer_reused", test_issuer_reused},
    {"cache_clock_step", test_cache_clock_step},
    {"refresh_record", test_refresh_record},
    {"crl_numbers", test_store_numbers},
    {"crl_numbers_wide", test_store_wide_numbers},
    {"crl_failed_and_due", test_store_failed_and_due},
    {"crl_time_floor", test_store_time_floor},
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
