/*
 * The CRL tables (crl_cache, crl_generation_events): numbering and
 * building in one write transaction, storing, serving, the due check and
 * importing an offline CA's CRL. The CRL thread builds a few per issuer a
 * day; store_crl_get runs once per CRL download.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/*
 * Keeps the newest CRL_EVENTS_KEEP successful generation events of an
 * issuer, and apart from them its newest CRL_FAILURES_KEEP failed ones:
 * failures never push the successes out.
 */
#define CRL_EVENTS_KEEP 1000
#define CRL_FAILURES_KEEP 100

static enum ob_err
crl_event(struct store *st, const char *issuer_id,
    const struct ob_crlnum *number, int64_t started_at, int64_t duration_ms,
    int64_t revoked_count, const char *error, char *errbuf, size_t errsz)
{
	enum ob_err e;

	/*
	 * A failure that repeats the issuer's newest event (a CA key still
	 * unreadable, tried again every 30 s) is counted on that event.
	 */
	if (error != NULL) {
		if ((e = store_run(st,
			 "UPDATE crl_generation_events SET"
			 " repeated = repeated + 1, last_at = ?2"
			 " WHERE id = (SELECT max(id) FROM crl_generation_events"
			 " WHERE issuer_id = ?1) AND succeeded = 0"
			 " AND error = ?3",
			 "crl event", errbuf, errsz, "tTt", issuer_id,
			 started_at, error)) != OB_OK)
			return e;
		if (sqlite3_changes(st->db) > 0)
			return OB_OK;
	}
	/* A failed build has no number and no count, only its error. */
	if ((e = store_run(st,
		 "INSERT INTO crl_generation_events (issuer_id, crl_number,"
		 " crl_number_hex, started_at, duration_ms, revoked_count,"
		 " succeeded, error, last_at)"
		 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?4)",
		 "crl event", errbuf, errsz, "tcTioit", issuer_id,
		 error == NULL ? number : NULL, started_at, duration_ms,
		 error == NULL ? revoked_count : -1, (int64_t)(error == NULL),
		 error)) != OB_OK)
		return e;
	return store_run(st,
	    "DELETE FROM crl_generation_events WHERE issuer_id = ?1"
	    " AND succeeded = ?2 AND id <= (SELECT id FROM"
	    " crl_generation_events WHERE issuer_id = ?1 AND succeeded = ?2"
	    " ORDER BY id DESC LIMIT 1 OFFSET ?3)",
	    "crl event", errbuf, errsz, "tii", issuer_id,
	    (int64_t)(error == NULL),
	    (int64_t)(error == NULL ? CRL_EVENTS_KEEP : CRL_FAILURES_KEEP));
}

/*
 * The highest cRLNumber this issuer ever had, in crl_cache or in the
 * events (which keep it should the cache row be gone), or that its CA
 * had under an issuer since removed (crl_number_floor, by its key):
 * OB_OK, or OB_ERR_NOTFOUND (*out zero) when it never had one.
 */
static enum ob_err
crl_last_number(struct store *st, const char *issuer_id, struct ob_crlnum *out,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((e = store_prepare(st,
		 "SELECT max(n) FROM (SELECT " CRLNUM_SQL " AS n"
		 " FROM crl_cache WHERE issuer_id = ?1"
		 " UNION ALL SELECT " CRLNUM_SQL
		 " FROM crl_generation_events WHERE issuer_id = ?1"
		 " UNION ALL SELECT crl_number_hex FROM crl_number_floor"
		 " WHERE key_sha1 = (SELECT key_sha1 FROM issuers"
		 " WHERE id = ?1))",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		e = store_column_crlnum(stmt, 0, out, issuer_id, errbuf, errsz);
	else
		e = store_dberr(st, rc, "crl number", errbuf, errsz);
	sqlite3_finalize(stmt);
	return e;
}

/*
 * Inside the write transaction: OB_OK when issuer_id is still the CA of
 * key_sha1 (OB_SHA1_LEN octets), else OB_ERR_STALE, or the store's error.
 */
static enum ob_err
same_ca(struct store *st, const char *issuer_id, const unsigned char *key_sha1,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = store_prepare(st,
		 "SELECT key_sha1 = ?2 FROM issuers WHERE id = ?1", &stmt,
		 errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 2, key_sha1, OB_SHA1_LEN, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 1)
		e = OB_OK;
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		snprintf(errbuf, errsz,
		    "issuer %s was removed or is now another "
		    "CA; no CRL built with the key loaded for it",
		    issuer_id);
		e = OB_ERR_STALE;
	} else
		e = store_dberr(st, rc, "issuer", errbuf, errsz);
	sqlite3_finalize(stmt);
	return e;
}

enum ob_err
store_crl_begin(struct store *st, const char *issuer_id,
    const unsigned char *key_sha1, int time_floor, struct ob_crlnum *number,
    struct crl_entry **out, size_t *n, char *errbuf, size_t errsz)
{
	struct ob_crlnum floor;
	struct timespec ts;
	sqlite3_stmt *stmt = NULL;
	struct crl_entry *v = NULL, *nv, *ce;
	struct ob_crlnum last;
	char canon[OB_SERIAL_HEX_MAX + 1], dec[OB_CRLNUM_DEC + 1];
	const char *serial;
	size_t cap = 0;
	enum ob_err e;
	int rc;

	memset(number, 0, sizeof(*number));
	*out = NULL;
	*n = 0;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if (key_sha1 != NULL &&
	    (e = same_ca(st, issuer_id, key_sha1, errbuf, errsz)) != OB_OK)
		goto fail;
	/*
	 * Read in the write transaction that will store the new CRL: two
	 * builders, in one process or two, can never take the same number.
	 */
	e = crl_last_number(st, issuer_id, &last, errbuf, errsz);
	if (e == OB_ERR_NOTFOUND)
		util_crlnum_set(number, 1);
	else if (e != OB_OK)
		goto fail;
	else if ((e = util_crlnum_next(&last, number)) != OB_OK) {
		/* Never wrap, never reuse: stop, and say why. */
		util_crlnum_dec(&last, dec);
		snprintf(errbuf, errsz,
		    "cRLNumber %s is the last: the next would be longer than "
		    "20 octets (RFC 5280 5.2.3); no CRL built",
		    dec);
		goto fail;
	}
	/*
	 * The wall clock in milliseconds as a floor, read under the write
	 * lock (as Boulder numbers its CRLs by time): a database restored
	 * from a backup numbers its next CRL above every one served since
	 * the backup was made, which a count alone would repeat.
	 */
	if (time_floor && clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
	    ts.tv_sec > 0) {
		util_crlnum_set(&floor,
		    (uint64_t)ts.tv_sec * 1000 +
			(uint64_t)ts.tv_nsec / 1000000);
		if (util_crlnum_cmp(&floor, number) > 0)
			*number = floor;
	}
	if ((e = store_prepare(st,
		 "SELECT serial_hex, revoked_at, revocation_reason,"
		 " invalidity_date"
		 " FROM certificates WHERE issuer_id = ? AND status = 'revoked'"
		 " ORDER BY revoked_at, serial_hex",
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		serial = (const char *)sqlite3_column_text(stmt, 0);
		if (serial == NULL || strlen(serial) > OB_SERIAL_HEX_MAX ||
		    util_serial_canon(serial, canon) != OB_OK ||
		    strcmp(serial, canon) != 0) {
			/* Written by hand, not by ocspbox: say so, list none */
			snprintf(errbuf, errsz,
			    "certificates: a revoked row of issuer %s has an "
			    "unusable serial \"%.40s\"",
			    issuer_id, serial != NULL ? serial : "");
			sqlite3_finalize(stmt);
			e = OB_ERR_INVAL;
			goto fail;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				sqlite3_finalize(stmt);
				snprintf(errbuf, errsz, "out of memory");
				e = OB_ERR_NOMEM;
				goto fail;
			}
			v = nv;
		}
		ce = &v[(*n)++];
		memcpy(ce->serial, serial, strlen(serial) + 1);
		ce->revoked_at = store_column_time(stmt, 1);
		ce->reason = sqlite3_column_type(stmt, 2) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int(stmt, 2);
		ce->invalidity_at = sqlite3_column_type(stmt, 3) == SQLITE_NULL
		    ? 0
		    : store_column_time(stmt, 3);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		e = store_dberr(st, rc, "crl revoked", errbuf, errsz);
		goto fail;
	}
	*out = v;
	return OB_OK;
fail:
	store_rollback(st);
	free(v);
	*n = 0;
	return e;
}

enum ob_err
store_crl_put(
    struct store *st, const struct store_crl *c, char *errbuf, size_t errsz)
{
	char dec[OB_CRLNUM_DEC + 1];
	enum ob_err e;

	if ((e = store_run(st,
		 "INSERT INTO crl_cache (issuer_id, crl_der, crl_number,"
		 " crl_number_hex, this_update, next_update, generated_at,"
		 " generation_duration_ms, revoked_count)"
		 " VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
		 " " SQL_NOW ", ?7, ?8)"
		 " ON CONFLICT (issuer_id) DO UPDATE SET"
		 " crl_der = excluded.crl_der, crl_number = excluded.crl_number,"
		 " crl_number_hex = excluded.crl_number_hex,"
		 " this_update = excluded.this_update,"
		 " next_update = excluded.next_update,"
		 " generated_at = excluded.generated_at,"
		 " generation_duration_ms = excluded.generation_duration_ms,"
		 " revoked_count = excluded.revoked_count,"
		 " revocations_changed = FALSE"
		 " WHERE excluded.crl_number_hex > " CRLNUM_SQL,
		 "store crl", errbuf, errsz, "tbcTTii", c->issuer_id, c->der,
		 c->len, &c->number, c->this_update, c->next_update,
		 c->duration_ms, c->revoked_count)) != OB_OK)
		goto fail;
	if (sqlite3_changes(st->db) != 1) {
		/* store_crl_begin numbered it: cannot happen, never hide it */
		util_crlnum_dec(&c->number, dec);
		snprintf(errbuf, errsz,
		    "store crl: crlNumber %s not above the stored one", dec);
		e = OB_ERR_DB;
		goto fail;
	}
	if ((e = crl_event(st, c->issuer_id, &c->number, c->started_at,
		 c->duration_ms, c->revoked_count, NULL, errbuf, errsz)) !=
	    OB_OK)
		goto fail;
	return store_commit(st, errbuf, errsz);
fail:
	store_rollback(st);
	return e;
}

enum ob_err
store_crl_failed(struct store *st, const char *issuer_id, int64_t started_at,
    int64_t duration_ms, const char *error, char *errbuf, size_t errsz)
{
	enum ob_err e;

	/* The repeat's UPDATE, the INSERT and the pruning as one: two
	 * processes never both add the same failure. */
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = crl_event(st, issuer_id, NULL, started_at, duration_ms, 0,
		 error != NULL && error[0] != '\0' ? error : "failed", errbuf,
		 errsz)) != OB_OK) {
		store_rollback(st);
		return e;
	}
	return store_commit(st, errbuf, errsz);
}

enum ob_err
store_crl_get(struct store *st, const char *issuer_id, unsigned char **der,
    size_t *len, struct ob_crlnum *number, int64_t *this_update,
    int64_t *next_update, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	const void *blob;
	enum ob_err e;
	int rc, n;

	*der = NULL;
	*len = 0;
	if ((e = store_prepare(st,
		 "SELECT crl_der, this_update, next_update, " CRLNUM_SQL
		 " FROM crl_cache WHERE issuer_id = ?1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		blob = sqlite3_column_blob(stmt, 0);
		n = sqlite3_column_bytes(stmt, 0);
		*this_update = store_column_time(stmt, 1);
		*next_update = store_column_time(stmt, 2);
		e = store_column_crlnum(
		    stmt, 3, number, issuer_id, errbuf, errsz);
		if (e == OB_ERR_NOTFOUND) /* crl_number is NOT NULL */
			snprintf(errbuf, errsz,
			    "issuer %s: a CRL without a cRLNumber", issuer_id);
		if (e != OB_OK)
			e = OB_ERR_INVAL;
		else if (n > 0 && blob != NULL &&
		    (*der = malloc((size_t)n)) != NULL) {
			memcpy(*der, blob, (size_t)n);
			*len = (size_t)n;
		} else
			e = n > 0 ? OB_ERR_NOMEM : OB_ERR_NOTFOUND;
	} else if (rc == SQLITE_DONE)
		e = OB_ERR_NOTFOUND;
	else
		e = store_dberr(st, rc, "crl", errbuf, errsz);
	sqlite3_finalize(stmt);
	if (e == OB_ERR_NOTFOUND)
		snprintf(errbuf, errsz, "no CRL for issuer %s", issuer_id);
	return e;
}

enum ob_err
store_crl_due(struct store *st, const char *issuer_id, int64_t now, int *due,
    int64_t *this_update, int64_t *next_update, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	*due = 0;
	if (this_update != NULL)
		*this_update = INT64_MIN;
	if (next_update != NULL)
		*next_update = INT64_MIN;
	/*
	 * A count that differs from the CRL's means the CRL lacks a
	 * revocation; what a count does not show (a hold released or made
	 * another reason, a revoked one removed) sets revocations_changed
	 * in its own transaction. No CRL at all is due too, and so is one
	 * the clock has left: expired, or dated after now. The count walks
	 * idx_certificates_issuer_status_not_after.
	 */
	if ((e = store_prepare(st,
		 "SELECT c.revoked_count IS NOT (SELECT count(*)"
		 " FROM certificates WHERE issuer_id = ?1"
		 " AND status = 'revoked') OR c.revocations_changed"
		 " OR c.next_update IS NULL OR c.next_update <= ?2"
		 " OR c.this_update IS NULL OR c.this_update > ?2,"
		 " c.this_update, c.next_update"
		 " FROM (SELECT 1) LEFT JOIN crl_cache c ON c.issuer_id = ?1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	store_bind_time(stmt, 2, now);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*due = sqlite3_column_int(stmt, 0) != 0;
		if (this_update != NULL)
			*this_update = store_column_time(stmt, 1);
		if (next_update != NULL)
			*next_update = store_column_time(stmt, 2);
		e = OB_OK;
	} else
		e = store_dberr(st, rc, "crl due", errbuf, errsz);
	sqlite3_finalize(stmt);
	return e;
}

/*
 * Revokes each entry of ci as it says, inside the caller's transaction
 * (a revocation already stored is kept, a hold made another reason:
 * store_revoke_tx; an entry dated after now is revoked as of now);
 * *revoked counts those revoked now.
 */
static enum ob_err
apply_entries(struct store *st, const char *issuer_id,
    const struct crl_info *ci, size_t *revoked, char *errbuf, size_t errsz)
{
	int64_t now = (int64_t)time(NULL), at;
	enum ob_err e;
	size_t i;
	int was;

	for (i = 0; i < ci->n; i++) {
		/* A CA's clock ahead of ours: revoked as of now, as a
		 * followed index's line is, never dated after it is made. */
		at = ci->entries[i].revoked_at > now
		    ? now
		    : ci->entries[i].revoked_at;
		if ((e = store_revoke_tx(st, issuer_id, ci->entries[i].serial,
			 ci->entries[i].reason, at, &was, errbuf, errsz)) !=
		    OB_OK)
			return e;
		if (was != 1)
			(*revoked)++;
	}
	return OB_OK;
}

enum ob_err
store_crl_apply(struct store *st, const char *issuer_id,
    const struct crl_info *ci, size_t *revoked, char *errbuf, size_t errsz)
{
	enum ob_err e;

	*revoked = 0;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_issuer_exists(st, issuer_id, errbuf, errsz)) != OB_OK ||
	    (e = apply_entries(st, issuer_id, ci, revoked, errbuf, errsz)) !=
		OB_OK) {
		store_rollback(st);
		return e;
	}
	return store_commit(st, errbuf, errsz);
}

enum ob_err
store_crl_import(struct store *st, const char *issuer_id,
    const struct crl_info *ci, int64_t duration_ms, size_t *revoked,
    char *errbuf, size_t errsz)
{
	struct store_crl c;
	struct ob_crlnum have;
	char got[OB_CRLNUM_DEC + 1], last[OB_CRLNUM_DEC + 1];
	enum ob_err e;

	*revoked = 0;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_issuer_exists(st, issuer_id, errbuf, errsz)) != OB_OK)
		goto fail;
	/* Never go back to an older CRL, nor serve one number twice. */
	e = crl_last_number(st, issuer_id, &have, errbuf, errsz);
	if (e != OB_OK && e != OB_ERR_NOTFOUND)
		goto fail;
	if (e == OB_OK && util_crlnum_cmp(&ci->number, &have) <= 0) {
		util_crlnum_dec(&ci->number, got);
		util_crlnum_dec(&have, last);
		snprintf(errbuf, errsz,
		    "cRLNumber %s is not above %s, the last one here", got,
		    last);
		e = OB_ERR_EXISTS;
		goto fail;
	}
	if ((e = apply_entries(st, issuer_id, ci, revoked, errbuf, errsz)) !=
	    OB_OK)
		goto fail;
	memset(&c, 0, sizeof(c));
	c.issuer_id = issuer_id;
	c.der = ci->der;
	c.len = ci->len;
	c.number = ci->number;
	c.this_update = ci->this_update;
	c.next_update = ci->next_update;
	c.started_at = (int64_t)time(NULL);
	c.duration_ms = duration_ms;
	c.revoked_count = (int64_t)ci->n;
	return store_crl_put(st, &c, errbuf, errsz); /* commits */
fail:
	store_rollback(st);
	return e;
}
