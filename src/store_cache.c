/*
 * The pre-signed response cache (ocsp_response_cache): lookup, write-back
 * with its status re-check, the refresh's to-do list, pruning and the
 * count of cached "unknown"s. store_cache_get is the hot path, one
 * primary-key lookup per OCSP request on a statement kept per connection;
 * the writes come from misses one at a time and from refresh in batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char *const status_names[] = {"good", "revoked", "unknown"};

enum ob_err
store_cache_get(struct store *st, const char *issuer_id, const char *serial,
    int64_t now, int64_t validity, unsigned char **der, size_t *len,
    int64_t *this_update, int64_t *next_update, int *status, char *errbuf,
    size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	const unsigned char *name;
	enum ob_err e;
	int rc;

	*der = NULL;
	*len = 0;
	*status = OCSP_UNKNOWN;
	if ((e = store_stmt_get(st, STMT_CACHE_GET,
		 "SELECT response_der, this_update, next_update, cert_status"
		 " FROM ocsp_response_cache"
		 " WHERE issuer_id = ? AND serial_hex = ?",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*this_update = store_column_time(stmt, 1);
		*next_update = store_column_time(stmt, 2);
		if ((name = sqlite3_column_text(stmt, 3)) != NULL)
			*status = strcmp((const char *)name, "good") == 0
			    ? OCSP_GOOD
			    : strcmp((const char *)name, "revoked") == 0
			    ? OCSP_REVOKED
			    : OCSP_UNKNOWN;
		/*
		 * A stale entry is a miss: never serve past nextUpdate. So is
		 * one from the future, signed before the clock stepped back:
		 * clients would find it not yet valid, or keep it longer
		 * than the validity.
		 */
		if (*next_update == INT64_MIN || *next_update <= now ||
		    *this_update == INT64_MIN ||
		    *this_update > now + STORE_CLOCK_SLACK ||
		    *next_update > now + validity + STORE_CLOCK_SLACK)
			e = OB_ERR_NOTFOUND;
		else if ((*der = store_column_blobdup(stmt, 0, len)) == NULL)
			e = OB_ERR_NOMEM;
		else
			e = OB_OK;
	} else if (rc == SQLITE_DONE)
		e = OB_ERR_NOTFOUND;
	else
		e = store_dberr(st, rc, "cache lookup", errbuf, errsz);
	store_stmt_done(stmt);
	return e;
}

/*
 * Whether the certificate's status now is the one c was signed with, and
 * its issuer still the CA it was signed for (c->key_sha1).
 */
static enum ob_err
status_unchanged(struct store *st, const struct store_cache_entry *c, int *same,
    char *errbuf, size_t errsz)
{
	int64_t at;
	int revoked, reason;
	enum ob_err e;

	*same = 0;
	e = store_cert_status(st, c->issuer_id, c->key_sha1, c->serial,
	    &revoked, &at, &reason, errbuf, errsz);
	if (e == OB_ERR_STALE)
		return OB_OK; /* signed for a CA no longer stored: dropped */
	if (e == OB_ERR_NOTFOUND) {
		*same = c->status == OCSP_UNKNOWN;
		return OB_OK;
	}
	if (e != OB_OK)
		return e;
	if (c->status == OCSP_GOOD)
		*same = !revoked;
	else if (c->status == OCSP_REVOKED)
		*same = revoked && at == c->revoked_at && reason == c->reason;
	return OB_OK;
}

enum ob_err
store_cache_put(struct store *st, const struct store_cache_entry *v, size_t n,
    int64_t now, int64_t validity, size_t *written, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	size_t i, w = 0;
	int rc, same;

	if (written != NULL)
		*written = 0;
	if (n == 0)
		return OB_OK;
	/* IMMEDIATE: the status read below sees every committed revoke. */
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_stmt_get(st, STMT_CACHE_PUT,
		 "INSERT INTO ocsp_response_cache (issuer_id, serial_hex,"
		 " response_der, cert_status, revocation_reason, revoked_at,"
		 " this_update, next_update) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
		 " ON CONFLICT (issuer_id, serial_hex) DO UPDATE SET"
		 " response_der = excluded.response_der,"
		 " cert_status = excluded.cert_status,"
		 " revocation_reason = excluded.revocation_reason,"
		 " revoked_at = excluded.revoked_at,"
		 " this_update = excluded.this_update,"
		 " next_update = excluded.next_update,"
		 " generated_at = " SQL_NOW
		 " WHERE excluded.this_update >= this_update"
		 " OR excluded.next_update > next_update OR next_update <= ?11"
		 " OR this_update > ?9 OR next_update > ?10",
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		if (v[i].status < OCSP_GOOD || v[i].status > OCSP_UNKNOWN) {
			e = OB_ERR_INVAL;
			snprintf(
			    errbuf, errsz, "cache: bad status %d", v[i].status);
			goto fail;
		}
		if ((e = status_unchanged(st, &v[i], &same, errbuf, errsz)) !=
		    OB_OK)
			goto fail;
		if (!same)
			continue; /* a revoke won the race: drop it */
		sqlite3_bind_text(stmt, 1, v[i].issuer_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, v[i].serial, -1, SQLITE_STATIC);
		sqlite3_bind_blob(
		    stmt, 3, v[i].der, (int)v[i].len, SQLITE_STATIC);
		sqlite3_bind_text(
		    stmt, 4, status_names[v[i].status], -1, SQLITE_STATIC);
		if (v[i].status == OCSP_REVOKED) {
			if (v[i].reason >= 0)
				sqlite3_bind_int(stmt, 5, v[i].reason);
			store_bind_time(stmt, 6, v[i].revoked_at);
		}
		store_bind_time(stmt, 7, v[i].this_update);
		store_bind_time(stmt, 8, v[i].next_update);
		/* What is there is from the future: no newer entry. */
		store_bind_time(stmt, 9, now + STORE_CLOCK_SLACK);
		store_bind_time(stmt, 10, now + validity + STORE_CLOCK_SLACK);
		/* Stale, or valid for less: replaced, whatever its thisUpdate
		 * (a larger --backdate makes the new one's earlier). */
		store_bind_time(stmt, 11, now);
		rc = sqlite3_step(stmt);
		store_stmt_done(stmt);
		if (rc != SQLITE_DONE) {
			e = store_dberr(st, rc, "cache write", errbuf, errsz);
			goto fail;
		}
		w += (size_t)sqlite3_changes(st->db);
	}
	if ((e = store_commit(st, errbuf, errsz)) != OB_OK)
		return e;
	if (written != NULL)
		*written = w;
	return OB_OK;
fail:
	store_rollback(st);
	return e;
}

/*
 * Fills this connection's temporary table of issuers to re-sign (made on
 * first use; private to the connection, no lock on the database).
 */
static enum ob_err
resign_fill(struct store *st, const struct store_resign *v, size_t n,
    char *errbuf, size_t errsz)
{
	enum ob_err e;
	size_t i;

	if ((e = store_run(st,
		 "CREATE TEMP TABLE IF NOT EXISTS ob_resign"
		 " (issuer_id TEXT PRIMARY KEY, needle BLOB NOT NULL)",
		 "re-sign table", errbuf, errsz, "")) != OB_OK ||
	    (e = store_run(st, "DELETE FROM temp.ob_resign", "re-sign table",
		 errbuf, errsz, "")) != OB_OK)
		return e;
	for (i = 0; i < n; i++)
		if ((e = store_run(st,
			 "INSERT OR REPLACE INTO temp.ob_resign VALUES (?, ?)",
			 "re-sign table", errbuf, errsz, "tb", v[i].issuer_id,
			 v[i].needle, v[i].needle_len)) != OB_OK)
			return e;
	return OB_OK;
}

enum ob_err
store_refresh_resign(struct store *st, const struct store_resign *resign,
    size_t nresign, char *errbuf, size_t errsz)
{
	return resign_fill(st, resign, nresign, errbuf, errsz);
}

/*
 * An entry is due when it is missing, falls due within the horizon
 * (unless its nextUpdate is its responder's notAfter already: a new
 * signature would end there too), comes from the future, says another
 * status, or was signed by an earlier responder: written before the
 * active one was registered, or (for an issuer whose responder this
 * server replaced while serving) not holding the active one's needle.
 * ?1 now, ?2 now + horizon, ?3 and ?4 the bounds of an entry from the
 * future (store_cache_get). The cached answer's columns come from
 * idx_ocsp_response_cache_refresh (migration 000031): its row, a page
 * per four answers, is read only for the re-sign check (z.needle).
 */
#define TODO_FROM \
	" FROM certificates c LEFT JOIN ocsp_response_cache o" \
	" INDEXED BY idx_ocsp_response_cache_refresh" \
	" ON o.issuer_id = c.issuer_id AND o.serial_hex = c.serial_hex" \
	" LEFT JOIN responder_certs r" \
	" ON r.issuer_id = c.issuer_id AND r.active" \
	" LEFT JOIN temp.ob_resign z ON z.issuer_id = c.issuer_id" \
	" WHERE (c.not_after IS NULL OR c.not_after > ?1)" \
	" AND (o.serial_hex IS NULL" \
	" OR (o.next_update <= ?2" \
	"  AND (r.not_after IS NULL OR o.next_update < min(r.not_after," \
	"   (SELECT i.not_after FROM issuers i WHERE i.id = c.issuer_id))))" \
	" OR o.this_update > ?3 OR o.next_update > ?4" \
	" OR o.cert_status <> c.status" \
	" OR o.generated_at < r.created_at" \
	" OR (z.needle IS NOT NULL" \
	"  AND instr(o.response_der, z.needle) = 0))"

static void
todo_bind(sqlite3_stmt *stmt, int64_t now, int64_t horizon, int64_t validity)
{
	store_bind_time(stmt, 1, now);
	store_bind_time(stmt, 2, now + horizon);
	/* From the future (store_cache_get): due, whatever its nextUpdate. */
	store_bind_time(stmt, 3, now + STORE_CLOCK_SLACK);
	store_bind_time(stmt, 4, now + validity + STORE_CLOCK_SLACK);
}

enum ob_err
store_refresh_count(struct store *st, int64_t now, int64_t horizon,
    int64_t validity, size_t *n, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	*n = 0;
	if ((e = store_prepare(st, "SELECT count(*)" TODO_FROM, &stmt, errbuf,
		 errsz)) != OB_OK)
		return e;
	todo_bind(stmt, now, horizon, validity);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		return store_dberr(st, rc, "refresh count", errbuf, errsz);
	return OB_OK;
}

enum ob_err
store_refresh_todo(struct store *st, int64_t now, int64_t horizon,
    int64_t validity, struct store_todo_cursor *cur, struct store_todo *out,
    size_t max, size_t *n, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	struct store_todo *t;
	size_t len = 0;
	enum ob_err e;
	const char *id, *serial;
	int rc = SQLITE_DONE;

	*n = 0;
	/*
	 * Keyset pagination: the page after the cursor in primary-key
	 * order, one short read each, so memory does not grow with the
	 * number of certificates and no read transaction stays open
	 * beside the writers. The cursor starts at ("", ""), before any
	 * issuer id.
	 */
	if ((e = store_prepare(st,
		 "SELECT c.issuer_id, c.serial_hex, c.status = 'revoked',"
		 " c.revoked_at, c.revocation_reason" TODO_FROM
		 " AND (c.issuer_id, c.serial_hex) > (?5, ?6)"
		 /*
		  * What the cursor could not hold is never listed: keys too
		  * long, not text, or with a NUL or a non-ASCII byte inside
		  * (length() counts characters up to a NUL). Only a hand
		  * edit writes such keys; listed, a truncated cursor would
		  * list them again and again.
		  */
		 " AND typeof(c.issuer_id) = 'text'"
		 " AND typeof(c.serial_hex) = 'text'"
		 " AND length(CAST(c.issuer_id AS BLOB)) = length(c.issuer_id)"
		 " AND length(CAST(c.serial_hex AS BLOB)) = length(c.serial_hex)"
		 " AND length(c.issuer_id) <= ?8"
		 " AND length(c.serial_hex) <= ?9"
		 " ORDER BY c.issuer_id, c.serial_hex LIMIT ?7",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	todo_bind(stmt, now, horizon, validity);
	sqlite3_bind_text(stmt, 5, cur->issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, cur->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)max);
	sqlite3_bind_int(stmt, 8, OB_ID_MAX);
	sqlite3_bind_int(stmt, 9, OB_SERIAL_HEX_MAX);
	while (len < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		id = (const char *)sqlite3_column_text(stmt, 0);
		serial = (const char *)sqlite3_column_text(stmt, 1);
		/* Never, after the filter above; skipping one here would cut
		 * the page short, which means its end. */
		if (id == NULL || serial == NULL || strlen(id) > OB_ID_MAX ||
		    strlen(serial) > OB_SERIAL_HEX_MAX) {
			snprintf(
			    errbuf, errsz, "refresh list: an unusable key");
			sqlite3_finalize(stmt);
			return OB_ERR_INVAL;
		}
		memcpy(cur->issuer_id, id, strlen(id) + 1);
		memcpy(cur->serial, serial, strlen(serial) + 1);
		t = &out[len++];
		memset(t, 0, sizeof(*t));
		memcpy(t->issuer_id, id, strlen(id) + 1);
		memcpy(t->serial, serial, strlen(serial) + 1);
		t->status =
		    sqlite3_column_int(stmt, 2) ? OCSP_REVOKED : OCSP_GOOD;
		t->revoked_at = store_column_time(stmt, 3);
		t->reason = sqlite3_column_type(stmt, 4) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int(stmt, 4);
	}
	if (len < max && rc != SQLITE_DONE) {
		e = store_dberr(st, rc, "refresh list", errbuf, errsz);
		sqlite3_finalize(stmt);
		return e;
	}
	sqlite3_finalize(stmt);
	*n = len;
	return OB_OK;
}

enum ob_err
store_cache_prune(struct store *st, int64_t now, int64_t validity,
    size_t *dropped, char *errbuf, size_t errsz)
{
	enum ob_err e;

	*dropped = 0;
	if ((e = store_run(st,
		 "DELETE FROM ocsp_response_cache"
		 " WHERE (cert_status = 'unknown' AND (next_update <= ?1"
		 " OR this_update > ?2 OR next_update > ?3))"
		 " OR EXISTS (SELECT 1 FROM certificates c"
		 " WHERE c.issuer_id = ocsp_response_cache.issuer_id"
		 " AND c.serial_hex = ocsp_response_cache.serial_hex"
		 " AND c.not_after IS NOT NULL AND c.not_after <= ?1)",
		 "cache prune", errbuf, errsz, "TTT", now,
		 now + STORE_CLOCK_SLACK,
		 now + validity + STORE_CLOCK_SLACK)) != OB_OK)
		return e;
	*dropped = (size_t)sqlite3_changes(st->db);
	return OB_OK;
}

enum ob_err
store_cache_unknown_count(
    struct store *st, int64_t *n, char *errbuf, size_t errsz)
{
	return store_run_int(st,
	    "SELECT count(*) FROM ocsp_response_cache"
	    " WHERE cert_status = 'unknown'",
	    "query", n, errbuf, errsz, "");
}
