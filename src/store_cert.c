/*
 * The certificates table: registering certificates (one row at a time,
 * or an import's or a follower's batch), revoking (the cached response
 * dropped in the revoke's own transaction) and a certificate's status.
 * The status read runs once per cache miss, on a statement kept per
 * connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/*
 * A serial registered now was maybe answered "unknown" and cached: drop
 * that entry so the next request signs its real status.
 */
static enum ob_err
unknown_drop(struct store *st, const char *issuer_id, const char *serial,
    char *errbuf, size_t errsz)
{
	return store_run(st,
	    "DELETE FROM ocsp_response_cache WHERE issuer_id = ?"
	    " AND serial_hex = ? AND cert_status = 'unknown'",
	    "drop unknown entry", errbuf, errsz, "tt", issuer_id, serial);
}

enum ob_err
store_cert_get(struct store *st, const char *issuer_id, const char *serial,
    struct store_cert *out, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	memset(out, 0, sizeof(*out));
	out->reason = -1;
	out->invalidity_at = INT64_MIN;
	if ((e = store_issuer_exists(st, issuer_id, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_prepare(st,
		 "SELECT status = 'revoked', not_after, revoked_at,"
		 " revocation_reason, subject, created_at, updated_at,"
		 " invalidity_date FROM certificates"
		 " WHERE issuer_id = ? AND serial_hex = ?",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		out->revoked = sqlite3_column_int(stmt, 0);
		out->not_after = store_column_time(stmt, 1);
		out->revoked_at = store_column_time(stmt, 2);
		if (sqlite3_column_type(stmt, 3) != SQLITE_NULL)
			out->reason = sqlite3_column_int(stmt, 3);
		out->created_at = store_column_time(stmt, 5);
		out->updated_at = store_column_time(stmt, 6);
		out->invalidity_at = store_column_time(stmt, 7);
		if (sqlite3_column_type(stmt, 4) != SQLITE_NULL &&
		    (out->subject = store_column_strdup(stmt, 4)) == NULL) {
			snprintf(errbuf, errsz, "out of memory");
			e = OB_ERR_NOMEM;
		}
	} else if (rc == SQLITE_DONE) {
		snprintf(errbuf, errsz, "no certificate %s of issuer %s",
		    serial, issuer_id);
		e = OB_ERR_NOTFOUND;
	} else
		e = store_dberr(st, rc, "certificate lookup", errbuf, errsz);
	sqlite3_finalize(stmt);
	return e;
}

void
store_cert_clear(struct store_cert *c)
{
	free(c->subject);
	c->subject = NULL;
}

enum ob_err
store_cert_add(struct store *st, const char *issuer_id, const char *serial,
    int64_t not_after, const char *subject, int update, char *errbuf,
    size_t errsz)
{
	enum ob_err e;

	e = store_run(st,
	    update ? "INSERT INTO certificates (issuer_id, serial_hex,"
		     " not_after, subject) VALUES (?, ?, ?, ?)"
		     " ON CONFLICT (issuer_id, serial_hex) DO UPDATE SET"
		     " not_after = excluded.not_after,"
		     " subject = coalesce(excluded.subject, subject),"
		     " updated_at = " SQL_NOW
		   : "INSERT INTO certificates (issuer_id, serial_hex,"
		     " not_after, subject) VALUES (?, ?, ?, ?)",
	    "insert certificate", errbuf, errsz, "ttTt", issuer_id, serial,
	    not_after, subject);
	if (e == OB_OK)
		return unknown_drop(st, issuer_id, serial, errbuf, errsz);
	if (sqlite3_errcode(st->db) == SQLITE_CONSTRAINT) {
		/* The foreign key or the primary key: say which. */
		if ((e = store_issuer_exists(st, issuer_id, errbuf, errsz)) !=
		    OB_OK)
			return e;
		snprintf(errbuf, errsz,
		    "certificate %s of issuer %s "
		    "already registered",
		    serial, issuer_id);
		return OB_ERR_EXISTS;
	}
	return e;
}

/*
 * Drops the cached OCSP response of one certificate, inside the caller's
 * transaction. The seed's load-bearing invariant: no cached "good" may
 * outlive a revoke, so every revoke runs this in the same transaction,
 * making the two one event for every reader.
 */
static enum ob_err
cache_drop(struct store *st, const char *issuer_id, const char *serial,
    char *errbuf, size_t errsz)
{
	enum ob_err e;

	if ((e = store_run(st,
		 "DELETE FROM ocsp_response_cache"
		 " WHERE issuer_id = ? AND serial_hex = ?",
		 "invalidate cache", errbuf, errsz, "tt", issuer_id, serial)) !=
	    OB_OK)
		return e;
	if (sqlite3_changes(st->db) == 0)
		return OB_OK;
	return store_counter_add(st, "invalidations", 1, errbuf, errsz);
}

/*
 * The issuer's CRL no longer lists its revoked certificates as they are,
 * in a way their count does not show (a hold released or made another
 * reason, a revoked one removed): marked, inside the caller's
 * transaction, so that the CRL thread builds the next one at its next
 * look (store_crl_due).
 */
static enum ob_err
crl_behind(struct store *st, const char *issuer_id, char *errbuf, size_t errsz)
{
	return store_run(st,
	    "UPDATE crl_cache SET revocations_changed = TRUE"
	    " WHERE issuer_id = ?",
	    "mark crl", errbuf, errsz, "t", issuer_id);
}

/*
 * A held certificate (RFC 5280 5.3.1's certificateHold) revoked for good
 * now, with the reason and time given: the hold's row rewritten and its
 * cached answers dropped, inside the caller's transaction.
 */
static enum ob_err
hold_convert(struct store *st, const char *issuer_id, const char *serial,
    int reason, int64_t at, int64_t invalidity_at, char *errbuf, size_t errsz)
{
	enum ob_err e;

	if ((e = store_run(st,
		 "UPDATE certificates SET revoked_at = ?, revocation_reason = ?,"
		 " invalidity_date = ?, revocation_source = ?,"
		 " revocation_recorded_at = " SQL_NOW ","
		 " updated_at = " SQL_NOW " WHERE issuer_id = ?"
		 " AND serial_hex = ? AND status = 'revoked'"
		 " AND revocation_reason = 6",
		 "revoke", errbuf, errsz, "ToTttt", at, (int64_t)reason,
		 invalidity_at, st->source, issuer_id, serial)) != OB_OK ||
	    (e = crl_behind(st, issuer_id, errbuf, errsz)) != OB_OK)
		return e;
	return cache_drop(st, issuer_id, serial, errbuf, errsz);
}

enum ob_err
store_revoke_tx(struct store *st, const char *issuer_id, const char *serial,
    int reason, int64_t at, int *already, char *errbuf, size_t errsz)
{
	int64_t revoked, held;
	enum ob_err e;

	*already = 0;
	if ((e = store_run_int(st,
		 "SELECT status = 'revoked' FROM certificates"
		 " WHERE issuer_id = ? AND serial_hex = ?",
		 "revoke", &revoked, errbuf, errsz, "tt", issuer_id, serial)) !=
	    OB_OK)
		return e;
	if (revoked) {
		/* A hold made a revocation for another reason: 5.3.1. */
		if ((e = store_run_int(st,
			 "SELECT revocation_reason IS 6 FROM certificates"
			 " WHERE issuer_id = ? AND serial_hex = ?",
			 "revoke", &held, errbuf, errsz, "tt", issuer_id,
			 serial)) != OB_OK)
			return e;
		if (!held || reason < 0 ||
		    reason == OB_REASON_CERTIFICATE_HOLD) {
			*already = 1;
			return OB_OK;
		}
		*already = 2;
		return hold_convert(st, issuer_id, serial, reason, at,
		    INT64_MIN, errbuf, errsz);
	}
	if ((e = store_run(st,
		 "INSERT INTO certificates (issuer_id, serial_hex, status,"
		 " revoked_at, revocation_reason, revocation_source,"
		 " revocation_recorded_at)"
		 " VALUES (?, ?, 'revoked', ?, ?, ?, " SQL_NOW ")"
		 " ON CONFLICT (issuer_id, serial_hex) DO UPDATE SET"
		 " status = 'revoked', revoked_at = excluded.revoked_at,"
		 " revocation_reason = excluded.revocation_reason,"
		 " revocation_source = excluded.revocation_source,"
		 " revocation_recorded_at = excluded.revocation_recorded_at,"
		 " updated_at = " SQL_NOW,
		 "revoke", errbuf, errsz, "ttTot", issuer_id, serial, at,
		 (int64_t)reason, st->source)) != OB_OK)
		return e;
	return cache_drop(st, issuer_id, serial, errbuf, errsz);
}

enum ob_err
store_revoke(struct store *st, const char *issuer_id, const char *serial,
    int reason, int64_t at, int *already, char *errbuf, size_t errsz)
{
	enum ob_err e;
	int was;

	if (already != NULL)
		*already = 0;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_issuer_exists(st, issuer_id, errbuf, errsz)) != OB_OK ||
	    (e = store_revoke_tx(st, issuer_id, serial, reason, at, &was,
		 errbuf, errsz)) != OB_OK) {
		store_rollback(st);
		return e;
	}
	if (already != NULL)
		*already = was;
	if (was == 1) {
		store_rollback(st); /* nothing changed */
		return OB_OK;
	}
	return store_commit(st, errbuf, errsz);
}

/*
 * An import's upsert: not_after and subject refreshed; revoked when the
 * line says so, unless revoked before (every SET expression reads the
 * stored row, so a revoked row keeps its status, time and reason).
 */
#define PUT_SQL \
	"INSERT INTO certificates (issuer_id, serial_hex, not_after," \
	" subject, status, revoked_at, revocation_reason, invalidity_date," \
	" revocation_source, revocation_recorded_at, created_at," \
	" updated_at)" \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?10," \
	" CASE ?5 WHEN 'revoked' THEN ?8 END, ?8, ?8)" \
	" ON CONFLICT (issuer_id, serial_hex) DO UPDATE SET" \
	" not_after = excluded.not_after," \
	" subject = coalesce(excluded.subject, subject)," \
	" status = CASE status WHEN 'revoked' THEN status" \
	"  ELSE excluded.status END," \
	" revoked_at = CASE status WHEN 'revoked' THEN revoked_at" \
	"  ELSE excluded.revoked_at END," \
	" revocation_reason = CASE status WHEN 'revoked'" \
	"  THEN revocation_reason ELSE excluded.revocation_reason END," \
	" invalidity_date = CASE status WHEN 'revoked'" \
	"  THEN invalidity_date ELSE excluded.invalidity_date END," \
	" revocation_source = CASE status WHEN 'revoked'" \
	"  THEN revocation_source ELSE excluded.revocation_source END," \
	" revocation_recorded_at = CASE status WHEN 'revoked'" \
	"  THEN revocation_recorded_at" \
	"  ELSE excluded.revocation_recorded_at END," \
	" updated_at = excluded.updated_at" \
	" WHERE not_after IS NOT excluded.not_after" \
	" OR (excluded.subject IS NOT NULL" \
	"  AND subject IS NOT excluded.subject)" \
	" OR (status <> 'revoked' AND status IS NOT excluded.status)"

/*
 * An R line's answers, but a "revoked" one: the seed's invariant, in the
 * import's transaction. A certificate revoked before keeps its "revoked"
 * answer.
 */
#define PUT_DROP_SQL \
	"DELETE FROM ocsp_response_cache WHERE issuer_id = ?1" \
	" AND serial_hex = ?2 AND cert_status <> 'revoked'"

enum ob_err
store_cert_plan(struct store *st, const char *issuer_id,
    const struct index_entry *ent, enum store_put *what, int *write,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *q;
	int64_t at;
	int rc, revoked, reason, meta, by_index;
	int line_revoked = ent->status == 'R';
	enum ob_err e;

	*what = STORE_PUT_SAME;
	*write = 0;
	if ((e = store_stmt_get(st, STMT_CERT_SAME,
		 "SELECT status = 'revoked', revocation_reason, revoked_at,"
		 " not_after IS NOT ?3 OR (?4 IS NOT NULL AND subject IS NOT ?4),"
		 " revocation_source IN ('import', 'follow')"
		 " FROM certificates WHERE issuer_id = ?1 AND serial_hex = ?2",
		 &q, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(q, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, ent->serial, -1, SQLITE_STATIC);
	store_bind_time(q, 3, ent->not_after);
	if (ent->subject != NULL && ent->subject[0] != '\0')
		sqlite3_bind_text(q, 4, ent->subject, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		store_stmt_done(q);
		*what = STORE_PUT_NEW;
		*write = 1;
		return OB_OK;
	}
	if (rc != SQLITE_ROW) {
		e = store_dberr(st, rc, "certificate lookup", errbuf, errsz);
		store_stmt_done(q);
		return e;
	}
	revoked = sqlite3_column_int(q, 0);
	reason = sqlite3_column_type(q, 1) == SQLITE_NULL
	    ? -1
	    : sqlite3_column_int(q, 1);
	at = store_column_time(q, 2);
	meta = sqlite3_column_int(q, 3);
	by_index = sqlite3_column_int(q, 4);
	store_stmt_done(q);
	if (!revoked)
		*what = line_revoked ? STORE_PUT_REVOKED
		    : meta           ? STORE_PUT_UPDATED
				     : STORE_PUT_SAME;
	/*
	 * A hold an index made (imported or followed) is released by its
	 * line made V again; one made by `revoke` or the API is not, since
	 * an index that never held it says nothing of it. An R line of
	 * another reason makes a hold that revocation; one whose reason
	 * could not be read (-1) does not.
	 */
	else if (reason == OB_REASON_CERTIFICATE_HOLD && ent->status == 'V' &&
	    by_index)
		*what = STORE_PUT_RELEASED;
	else if (reason == OB_REASON_CERTIFICATE_HOLD && line_revoked &&
	    ent->reason >= 0 && ent->reason != OB_REASON_CERTIFICATE_HOLD)
		*what = STORE_PUT_REASON;
	else if (!line_revoked || at != ent->revoked_at ||
	    reason != ent->reason)
		*what = STORE_PUT_KEPT;
	else
		*what = meta ? STORE_PUT_UPDATED : STORE_PUT_SAME;
	*write = *what != STORE_PUT_SAME && (*what != STORE_PUT_KEPT || meta);
	return OB_OK;
}

/*
 * A certificateHold released (RFC 5280 5.3.1), inside the caller's
 * transaction: good again, with not_after and subject when given (an
 * index's V line; INT64_MIN and NULL keep the stored ones), its cached
 * answers (all "revoked") dropped with it, the CRL marked behind.
 */
static enum ob_err
hold_release(struct store *st, const char *issuer_id, const char *serial,
    int64_t not_after, const char *subject, char *errbuf, size_t errsz)
{
	enum ob_err e;

	if ((e = store_run(st,
		 "UPDATE certificates SET status = 'good', revoked_at = NULL,"
		 " revocation_reason = NULL, invalidity_date = NULL,"
		 " revocation_source = NULL, revocation_recorded_at = NULL,"
		 " not_after = coalesce(?, not_after),"
		 " subject = coalesce(?, subject),"
		 " updated_at = " SQL_NOW " WHERE issuer_id = ?"
		 " AND serial_hex = ? AND status = 'revoked'"
		 " AND revocation_reason = 6",
		 "release hold", errbuf, errsz, "Tttt", not_after, subject,
		 issuer_id, serial)) != OB_OK ||
	    (e = crl_behind(st, issuer_id, errbuf, errsz)) != OB_OK)
		return e;
	return cache_drop(st, issuer_id, serial, errbuf, errsz);
}

enum ob_err
store_cert_put(struct store *st, const char *issuer_id,
    const struct index_entry *ent, enum store_put *what, char *errbuf,
    size_t errsz)
{
	sqlite3_stmt *put, *drop;
	int revoked = ent->status == 'R', rc, write;
	const char *serial = ent->serial;
	enum store_put w;
	enum ob_err e, e2;

	if (what == NULL)
		what = &w;
	if ((e = store_cert_plan(
		 st, issuer_id, ent, what, &write, errbuf, errsz)) != OB_OK)
		return e;
	if (!write)
		return OB_OK;
	if (*what == STORE_PUT_RELEASED)
		return hold_release(st, issuer_id, serial, ent->not_after,
		    ent->subject != NULL && ent->subject[0] != '\0'
			? ent->subject
			: NULL,
		    errbuf, errsz);
	if (*what == STORE_PUT_REASON &&
	    (e = hold_convert(st, issuer_id, serial, ent->reason,
		 ent->revoked_at, ent->invalidity_at, errbuf, errsz)) != OB_OK)
		return e;
	/* Both prepared once per connection: an import runs them per line. */
	if ((e = store_stmt_get(
		 st, STMT_CERT_PUT, PUT_SQL, &put, errbuf, errsz)) != OB_OK ||
	    (e = store_stmt_get(st, STMT_CERT_PUT_DROP, PUT_DROP_SQL, &drop,
		 errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(put, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(put, 2, serial, -1, SQLITE_STATIC);
	store_bind_time(put, 3, ent->not_after);
	if (ent->subject != NULL && ent->subject[0] != '\0')
		sqlite3_bind_text(put, 4, ent->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(
	    put, 5, revoked ? "revoked" : "good", -1, SQLITE_STATIC);
	if (revoked) {
		store_bind_time(put, 6, ent->revoked_at);
		if (ent->reason >= 0)
			sqlite3_bind_int(put, 7, ent->reason);
		if (ent->invalidity_at != INT64_MIN)
			store_bind_time(put, 9, ent->invalidity_at);
		if (st->source != NULL)
			sqlite3_bind_text(
			    put, 10, st->source, -1, SQLITE_STATIC);
	}
	store_bind_time(put, 8, (int64_t)time(NULL));
	rc = sqlite3_step(put);
	store_stmt_done(put);
	if (rc != SQLITE_DONE) {
		/* SQLite's message first: the next statement replaces it. */
		e = store_dberr(st, rc, "import certificate", errbuf, errsz);
		if (rc == SQLITE_CONSTRAINT &&
		    (e2 = store_issuer_exists(st, issuer_id, errbuf, errsz)) !=
			OB_OK)
			return e2; /* the foreign key: say which */
		return e;
	}
	if (!revoked || *what == STORE_PUT_REASON || *what == STORE_PUT_KEPT)
		return OB_OK;
	sqlite3_bind_text(drop, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(drop, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(drop);
	store_stmt_done(drop);
	if (rc != SQLITE_DONE)
		return store_dberr(st, rc, "invalidate cache", errbuf, errsz);
	/* An invalidation, an "unknown" answer of a serial new here too. */
	if (sqlite3_changes(st->db) == 0)
		return OB_OK;
	return store_counter_add(st, "invalidations", 1, errbuf, errsz);
}

enum ob_err
store_cert_put_end(
    struct store *st, const char *issuer_id, char *errbuf, size_t errsz)
{
	/* idx_ocsp_response_cache_unknown: only the "unknown" answers. */
	return store_run(st,
	    "DELETE FROM ocsp_response_cache"
	    " WHERE issuer_id = ?1 AND cert_status = 'unknown'"
	    " AND EXISTS (SELECT 1 FROM certificates c"
	    "  WHERE c.issuer_id = ?1"
	    "  AND c.serial_hex = ocsp_response_cache.serial_hex)",
	    "drop unknown entries", errbuf, errsz, "t", issuer_id);
}

enum ob_err
store_cert_status(struct store *st, const char *issuer_id,
    const unsigned char *key_sha1, const char *serial, int *revoked,
    int64_t *revoked_at, int *reason, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	*revoked = 0;
	*revoked_at = 0;
	*reason = -1;
	/*
	 * One row while the issuer exists: whether it is still the CA of
	 * key_sha1 (?3; NULL: any), then the certificate's columns, NULL
	 * when the serial was never registered.
	 */
	if ((e = store_stmt_get(st, STMT_CERT_STATUS,
		 "SELECT ?3 IS NULL OR i.key_sha1 = ?3, c.serial_hex IS NOT NULL,"
		 " c.status = 'revoked', c.revoked_at, c.revocation_reason"
		 " FROM issuers i LEFT JOIN certificates c"
		 " ON c.issuer_id = i.id AND c.serial_hex = ?2 WHERE i.id = ?1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	if (key_sha1 != NULL)
		sqlite3_bind_blob(
		    stmt, 3, key_sha1, OB_SHA1_LEN, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 3);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 0) {
		snprintf(
		    errbuf, errsz, "issuer %s is now another CA", issuer_id);
		e = OB_ERR_STALE;
	} else if (rc == SQLITE_ROW && sqlite3_column_int(stmt, 1) != 0) {
		*revoked = sqlite3_column_int(stmt, 2);
		*revoked_at = store_column_time(stmt, 3);
		if (sqlite3_column_type(stmt, 4) != SQLITE_NULL)
			*reason = sqlite3_column_int(stmt, 4);
		e = OB_OK;
	} else if (rc == SQLITE_ROW)
		e = OB_ERR_NOTFOUND;
	else if (rc == SQLITE_DONE && key_sha1 != NULL) {
		snprintf(errbuf, errsz, "issuer %s was removed", issuer_id);
		e = OB_ERR_STALE;
	} else if (rc == SQLITE_DONE)
		e = OB_ERR_NOTFOUND;
	else
		e = store_dberr(st, rc, "certificate status", errbuf, errsz);
	store_stmt_done(stmt);
	return e;
}

enum ob_err
store_unrevoke(struct store *st, const char *issuer_id, const char *serial,
    char *errbuf, size_t errsz)
{
	struct store_cert c;
	enum ob_err e;

	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	/* Read in the write transaction: no revoke can come between. */
	if ((e = store_cert_get(st, issuer_id, serial, &c, errbuf, errsz)) !=
	    OB_OK)
		goto fail;
	store_cert_clear(&c);
	if (!c.revoked) {
		snprintf(errbuf, errsz,
		    "certificate %s of issuer %s is not revoked", serial,
		    issuer_id);
		e = OB_ERR_INVAL;
		goto fail;
	}
	if (c.reason != OB_REASON_CERTIFICATE_HOLD) {
		snprintf(errbuf, errsz,
		    "certificate %s of issuer %s is revoked (%s), not on "
		    "hold: only a certificateHold is ever released "
		    "(RFC 5280 5.3.1)",
		    serial, issuer_id,
		    c.reason >= 0 ? util_reason_name(c.reason)
				  : "no reason given");
		e = OB_ERR_INVAL;
		goto fail;
	}
	if ((e = hold_release(st, issuer_id, serial, INT64_MIN, NULL, errbuf,
		 errsz)) != OB_OK)
		goto fail;
	return store_commit(st, errbuf, errsz);
fail:
	store_rollback(st);
	return e;
}

enum ob_err
store_cert_remove(struct store *st, const char *issuer_id,
    const char *const *serials, size_t n, int revoked_too, size_t *bad,
    char *errbuf, size_t errsz)
{
	struct store_cert c;
	enum ob_err e;
	size_t i;

	*bad = 0;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	for (i = 0; i < n; i++) {
		*bad = i;
		if ((e = store_cert_get(st, issuer_id, serials[i], &c, errbuf,
			 errsz)) != OB_OK)
			goto fail;
		store_cert_clear(&c);
		if (c.revoked && !revoked_too) {
			snprintf(errbuf, errsz,
			    "certificate %s of issuer %s is revoked: removing "
			    "it takes it off the CRL and answers \"unknown\" "
			    "for it",
			    serials[i], issuer_id);
			e = OB_ERR_PERM;
			goto fail;
		}
		if ((e = store_run(st,
			 "DELETE FROM certificates"
			 " WHERE issuer_id = ? AND serial_hex = ?",
			 "remove certificate", errbuf, errsz, "tt", issuer_id,
			 serials[i])) != OB_OK ||
		    (c.revoked &&
			(e = crl_behind(st, issuer_id, errbuf, errsz)) !=
			    OB_OK) ||
		    (e = cache_drop(
			 st, issuer_id, serials[i], errbuf, errsz)) != OB_OK)
			goto fail;
	}
	return store_commit(st, errbuf, errsz);
fail:
	store_rollback(st);
	return e;
}

enum ob_err
store_cert_each(struct store *st, const char *issuer_id,
    enum store_cert_filter filter, int64_t now, int64_t since,
    int (*fn)(void *arg, const char *serial, const struct store_cert *c),
    void *arg, char *errbuf, size_t errsz)
{
	static const char *const where[] = {
	    [STORE_CERTS_ALL] = "",
	    [STORE_CERTS_GOOD] = (" AND status = 'good'"
				  " AND (not_after IS NULL OR not_after > ?2)"),
	    [STORE_CERTS_REVOKED] = " AND status = 'revoked'",
	    [STORE_CERTS_EXPIRED] = " AND status = 'good' AND not_after <= ?2",
	};
	struct store_cert c;
	sqlite3_stmt *stmt = NULL;
	char sql[512];
	enum ob_err e;
	int rc;

	if ((e = store_issuer_exists(st, issuer_id, errbuf, errsz)) != OB_OK)
		return e;
	/* Serials have no leading zeros: by length, then text, is numeric;
	 * negative ones last. */
	snprintf(sql, sizeof(sql),
	    "SELECT serial_hex, status = 'revoked', not_after, revoked_at,"
	    " revocation_reason, subject, created_at, updated_at,"
	    " invalidity_date FROM certificates WHERE issuer_id = ?1%s%s"
	    " ORDER BY serial_hex LIKE '-%%', length(serial_hex), serial_hex",
	    where[filter],
	    since != INT64_MIN ? " AND coalesce(CASE status WHEN 'revoked'"
				 " THEN revocation_recorded_at END,"
				 " updated_at) >= ?3"
			       : "");
	if ((e = store_prepare(st, sql, &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	if (filter == STORE_CERTS_GOOD || filter == STORE_CERTS_EXPIRED)
		store_bind_time(stmt, 2, now);
	if (since != INT64_MIN)
		store_bind_time(stmt, 3, since);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.revoked = sqlite3_column_int(stmt, 1);
		c.not_after = store_column_time(stmt, 2);
		c.revoked_at = store_column_time(stmt, 3);
		c.reason = sqlite3_column_type(stmt, 4) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int(stmt, 4);
		c.subject = (char *)sqlite3_column_text(stmt, 5);
		c.created_at = store_column_time(stmt, 6);
		c.updated_at = store_column_time(stmt, 7);
		c.invalidity_at = store_column_time(stmt, 8);
		if (fn(arg, (const char *)sqlite3_column_text(stmt, 0), &c) !=
		    0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		e = store_dberr(st, rc, "list certificates", errbuf, errsz);
	sqlite3_finalize(stmt);
	return e;
}

void
store_source(struct store *st, const char *source)
{
	st->source = source;
}
