/*
 * The cache's counters, the log of refresh runs, the stats document's
 * numbers and the admin token. Light traffic: the refresh thread adds its
 * counters and a run every pass; the admin API and the CLI read the stats;
 * serve reads and sets the token at startup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum ob_err
store_counter_add(struct store *st, const char *name, int64_t delta,
    char *errbuf, size_t errsz)
{
	if (delta == 0)
		return OB_OK;
	return store_run(st,
	    "INSERT INTO cache_counters (name, value) VALUES (?, ?)"
	    " ON CONFLICT (name) DO UPDATE SET"
	    " value = value + excluded.value,"
	    " updated_at = " SQL_NOW,
	    "cache counters", errbuf, errsz, "ti", name, delta);
}

enum ob_err
store_counters_add(struct store *st, int64_t hits, int64_t misses,
    int64_t live_signs, char *errbuf, size_t errsz)
{
	enum ob_err e;

	if (hits == 0 && misses == 0 && live_signs == 0)
		return OB_OK;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_counter_add(st, "hits", hits, errbuf, errsz)) != OB_OK ||
	    (e = store_counter_add(st, "misses", misses, errbuf, errsz)) !=
		OB_OK ||
	    (e = store_counter_add(
		 st, "live_signs", live_signs, errbuf, errsz)) != OB_OK) {
		store_rollback(st);
		return e;
	}
	return store_commit(st, errbuf, errsz);
}

enum ob_err
store_refresh_record(struct store *st, const struct store_refresh_run *run,
    char *errbuf, size_t errsz)
{
	enum ob_err e;

	if ((e = store_run(st,
		 "INSERT INTO cache_refresh_runs (started_at, duration_ms,"
		 " signed, errors, dropped, source)"
		 " VALUES (?, ?, ?, ?, ?, ?)",
		 "record refresh", errbuf, errsz, "Tiiiit", run->started_at,
		 run->duration_ms, run->nsigned, run->errors, run->dropped,
		 run->source)) != OB_OK)
		return e;
	return store_exec(st,
	    "DELETE FROM cache_refresh_runs WHERE id <="
	    " (SELECT max(id) - 1000 FROM cache_refresh_runs);",
	    "record refresh", errbuf, errsz);
}

static enum ob_err
stats_counters(
    struct store *st, struct store_stats *out, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	const char *name;
	enum ob_err e;
	int64_t v;
	int rc;

	if ((e = store_prepare(st, "SELECT name, value FROM cache_counters",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(stmt, 0);
		v = sqlite3_column_int64(stmt, 1);
		if (name == NULL)
			continue;
		if (strcmp(name, "hits") == 0)
			out->hits = v;
		else if (strcmp(name, "misses") == 0)
			out->misses = v;
		else if (strcmp(name, "live_signs") == 0)
			out->live_signs = v;
		else if (strcmp(name, "invalidations") == 0)
			out->invalidations = v;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_dberr(st, rc, "stats", errbuf, errsz);

	if ((e = store_prepare(st,
		 "SELECT started_at, duration_ms, signed, errors, dropped,"
		 " source FROM cache_refresh_runs ORDER BY id DESC LIMIT 1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		out->have_run = 1;
		out->last_run.started_at = store_column_time(stmt, 0);
		out->last_run.duration_ms = sqlite3_column_int64(stmt, 1);
		out->last_run.nsigned = sqlite3_column_int64(stmt, 2);
		out->last_run.errors = sqlite3_column_int64(stmt, 3);
		out->last_run.dropped = sqlite3_column_int64(stmt, 4);
		snprintf(out->last_run.source, sizeof(out->last_run.source),
		    "%s", (const char *)sqlite3_column_text(stmt, 5));
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(st, rc, "stats", errbuf, errsz);
	return OB_OK;
}

static enum ob_err
stats_issuers(struct store *st, int64_t now, struct store_stats *out,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	struct store_issuer_stats *nv, *is;
	size_t cap = 0;
	const char *id;
	enum ob_err e;
	int rc;

	if ((e = store_prepare(st,
		 "SELECT i.id, count(o.serial_hex),"
		 " coalesce(sum(o.cert_status = 'good'), 0),"
		 " coalesce(sum(o.cert_status = 'revoked'), 0),"
		 " coalesce(sum(o.cert_status = 'unknown'), 0),"
		 " coalesce(sum(o.next_update <= ?1), 0), min(o.next_update),"
		 " " CRLNUM_SQL ", cc.next_update,"
		 " i.crl_key_path IS NOT NULL,"
		 " cc.this_update, cc.revoked_count, cc.generated_at,"
		 " (SELECT coalesce(e.error, '') FROM crl_generation_events e"
		 " WHERE e.issuer_id = i.id ORDER BY e.id DESC LIMIT 1),"
		 " (SELECT count(*) FROM certificates c"
		 " WHERE c.issuer_id = i.id),"
		 " (SELECT count(*) FROM certificates c"
		 " WHERE c.issuer_id = i.id AND c.status = 'revoked'),"
		 " (SELECT count(*) FROM certificates c WHERE c.issuer_id = i.id"
		 " AND c.status = 'good' AND c.not_after <= ?1),"
		 " coalesce(cc.revocations_changed, 0)"
		 " FROM issuers i"
		 " LEFT JOIN ocsp_response_cache o ON o.issuer_id = i.id"
		 " LEFT JOIN crl_cache cc ON cc.issuer_id = i.id"
		 " GROUP BY i.id ORDER BY i.id",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	store_bind_time(stmt, 1, now);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		id = (const char *)sqlite3_column_text(stmt, 0);
		if (id == NULL || strlen(id) > OB_ID_MAX)
			continue;
		if (out->nissuers == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(out->issuers, cap * sizeof(*nv))) ==
			    NULL) {
				sqlite3_finalize(stmt);
				return OB_ERR_NOMEM;
			}
			out->issuers = nv;
		}
		is = &out->issuers[out->nissuers++];
		memset(is, 0, sizeof(*is));
		memcpy(is->id, id, strlen(id) + 1);
		is->entries = sqlite3_column_int64(stmt, 1);
		is->good = sqlite3_column_int64(stmt, 2);
		is->revoked = sqlite3_column_int64(stmt, 3);
		is->unknown = sqlite3_column_int64(stmt, 4);
		is->stale = sqlite3_column_int64(stmt, 5);
		is->next_update_min = store_column_time(stmt, 6);
		e = store_column_crlnum(
		    stmt, 7, &is->crl_number, is->id, errbuf, errsz);
		if (e == OB_ERR_INVAL) {
			sqlite3_finalize(stmt);
			return e;
		}
		is->crl_present = e == OB_OK;
		is->crl_next_update = store_column_time(stmt, 8);
		is->crl_key = sqlite3_column_int(stmt, 9);
		is->crl_this_update = store_column_time(stmt, 10);
		is->crl_revoked = sqlite3_column_int64(stmt, 11);
		is->crl_generated_at = store_column_time(stmt, 12);
		if (sqlite3_column_text(stmt, 13) != NULL)
			snprintf(is->crl_error, sizeof(is->crl_error), "%s",
			    (const char *)sqlite3_column_text(stmt, 13));
		is->cert_total = sqlite3_column_int64(stmt, 14);
		is->cert_revoked = sqlite3_column_int64(stmt, 15);
		is->cert_expired = sqlite3_column_int64(stmt, 16);
		is->cert_good =
		    is->cert_total - is->cert_revoked - is->cert_expired;
		/* What store_crl_due sees, the clock aside: a revocation the
		 * CRL lacks, or a change its count does not show. An offline
		 * CA's CRL is the one it signed: never "behind" here. */
		is->crl_behind = is->crl_present && is->crl_key &&
		    (sqlite3_column_int(stmt, 17) != 0 ||
			is->crl_revoked != is->cert_revoked);
		out->entries += is->entries;
		out->stale += is->stale;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_dberr(st, rc, "stats", errbuf, errsz);
	return OB_OK;
}

enum ob_err
store_stats(struct store *st, int64_t now, struct store_stats *out,
    char *errbuf, size_t errsz)
{
	enum ob_err e;

	memset(out, 0, sizeof(*out));
	/* One read transaction: the numbers agree with each other. */
	if ((e = store_exec(st, "BEGIN;", "stats", errbuf, errsz)) != OB_OK)
		return e;
	if ((e = stats_counters(st, out, errbuf, errsz)) == OB_OK)
		e = stats_issuers(st, now, out, errbuf, errsz);
	store_rollback(st);
	if (e != OB_OK)
		store_stats_free(out);
	return e;
}

void
store_stats_free(struct store_stats *s)
{
	if (s == NULL)
		return;
	free(s->issuers);
	s->issuers = NULL;
	s->nissuers = 0;
}

enum ob_err
store_admin_token(
    struct store *st, unsigned char hash[32], char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = store_prepare(st,
		 "SELECT token_sha256 FROM admin_tokens"
		 " ORDER BY id DESC LIMIT 1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == 32) {
		store_column_fixed(stmt, 0, hash, 32);
		e = OB_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		e = OB_ERR_NOTFOUND;
	else
		e = store_dberr(st, rc, "admin token", errbuf, errsz);
	sqlite3_finalize(stmt);
	return e;
}

enum ob_err
store_admin_token_set(
    struct store *st, const unsigned char hash[32], char *errbuf, size_t errsz)
{
	enum ob_err e;

	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_exec(st, "DELETE FROM admin_tokens;", "admin token",
		 errbuf, errsz)) != OB_OK ||
	    (e = store_run(st,
		 "INSERT INTO admin_tokens (token_sha256) VALUES (?)",
		 "admin token", errbuf, errsz, "b", hash, (size_t)32)) != OB_OK)
		goto fail;
	return store_commit(st, errbuf, errsz);
fail:
	store_rollback(st);
	return e;
}

/* Grows *v (of *cap elements of size sz) to hold one more; 0: no memory. */
static int
grow(void **v, size_t *cap, size_t n, size_t sz)
{
	void *nv;

	if (n < *cap)
		return 1;
	*cap = *cap ? *cap * 2 : 16;
	if ((nv = realloc(*v, *cap * sz)) == NULL)
		return 0;
	*v = nv;
	return 1;
}

static enum ob_err
history_revocations(struct store *st, size_t limit, struct store_history *h,
    char *errbuf, size_t errsz)
{
	struct store_revocation_event *r;
	sqlite3_stmt *stmt = NULL;
	const char *id, *serial, *src;
	size_t cap = 0;
	enum ob_err e;
	int rc;

	if ((e = store_prepare(st,
		 "SELECT issuer_id, serial_hex, revoked_at, revocation_reason,"
		 " revocation_source,"
		 " coalesce(revocation_recorded_at, updated_at) AS t"
		 " FROM certificates WHERE status = 'revoked'"
		 " ORDER BY t DESC, rowid DESC LIMIT ?1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_int64(stmt, 1, (int64_t)limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		id = (const char *)sqlite3_column_text(stmt, 0);
		serial = (const char *)sqlite3_column_text(stmt, 1);
		if (id == NULL || serial == NULL || strlen(id) > OB_ID_MAX ||
		    strlen(serial) > OB_SERIAL_HEX_MAX)
			continue; /* written by hand: not ours to show */
		if (!grow((void **)&h->revocations, &cap, h->nrevocations,
			sizeof(*r))) {
			sqlite3_finalize(stmt);
			snprintf(errbuf, errsz, "out of memory");
			return OB_ERR_NOMEM;
		}
		r = &h->revocations[h->nrevocations++];
		memset(r, 0, sizeof(*r));
		memcpy(r->issuer_id, id, strlen(id) + 1);
		memcpy(r->serial, serial, strlen(serial) + 1);
		r->revoked_at = store_column_time(stmt, 2);
		r->reason = sqlite3_column_type(stmt, 3) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int(stmt, 3);
		if ((src = (const char *)sqlite3_column_text(stmt, 4)) != NULL)
			snprintf(r->source, sizeof(r->source), "%s", src);
		r->recorded_at = store_column_time(stmt, 5);
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE
	    ? OB_OK
	    : store_dberr(st, rc, "history", errbuf, errsz);
}

static enum ob_err
history_crl(struct store *st, size_t limit, struct store_history *h,
    char *errbuf, size_t errsz)
{
	struct store_crl_event *c;
	sqlite3_stmt *stmt = NULL;
	const char *id, *err;
	size_t cap = 0;
	enum ob_err e;
	int rc;

	if ((e = store_prepare(st,
		 "SELECT issuer_id, started_at, coalesce(last_at, started_at),"
		 " repeated, " CRLNUM_SQL ", revoked_count, succeeded,"
		 " duration_ms, error FROM crl_generation_events"
		 " ORDER BY id DESC LIMIT ?1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_int64(stmt, 1, (int64_t)limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		id = (const char *)sqlite3_column_text(stmt, 0);
		if (id == NULL || strlen(id) > OB_ID_MAX)
			continue;
		if (!grow((void **)&h->crl_builds, &cap, h->ncrl_builds,
			sizeof(*c))) {
			sqlite3_finalize(stmt);
			snprintf(errbuf, errsz, "out of memory");
			return OB_ERR_NOMEM;
		}
		c = &h->crl_builds[h->ncrl_builds++];
		memset(c, 0, sizeof(*c));
		memcpy(c->issuer_id, id, strlen(id) + 1);
		c->started_at = store_column_time(stmt, 1);
		c->last_at = store_column_time(stmt, 2);
		c->repeated = sqlite3_column_int64(stmt, 3);
		c->has_number = store_column_crlnum(stmt, 4, &c->number, id,
				    errbuf, errsz) == OB_OK;
		c->revoked_count = sqlite3_column_type(stmt, 5) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int64(stmt, 5);
		c->succeeded = sqlite3_column_int(stmt, 6);
		c->duration_ms = sqlite3_column_int64(stmt, 7);
		if ((err = (const char *)sqlite3_column_text(stmt, 8)) != NULL)
			snprintf(c->error, sizeof(c->error), "%s", err);
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE
	    ? OB_OK
	    : store_dberr(st, rc, "history", errbuf, errsz);
}

static enum ob_err
history_runs(struct store *st, size_t limit, struct store_history *h,
    char *errbuf, size_t errsz)
{
	struct store_refresh_run *r;
	sqlite3_stmt *stmt = NULL;
	const char *src;
	size_t cap = 0;
	enum ob_err e;
	int rc;

	if ((e = store_prepare(st,
		 "SELECT started_at, duration_ms, signed, errors, dropped,"
		 " source FROM cache_refresh_runs ORDER BY id DESC LIMIT ?1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_int64(stmt, 1, (int64_t)limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!grow((void **)&h->runs, &cap, h->nruns, sizeof(*r))) {
			sqlite3_finalize(stmt);
			snprintf(errbuf, errsz, "out of memory");
			return OB_ERR_NOMEM;
		}
		r = &h->runs[h->nruns++];
		memset(r, 0, sizeof(*r));
		r->started_at = store_column_time(stmt, 0);
		r->duration_ms = sqlite3_column_int64(stmt, 1);
		r->nsigned = sqlite3_column_int64(stmt, 2);
		r->errors = sqlite3_column_int64(stmt, 3);
		r->dropped = sqlite3_column_int64(stmt, 4);
		if ((src = (const char *)sqlite3_column_text(stmt, 5)) != NULL)
			snprintf(r->source, sizeof(r->source), "%s", src);
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE
	    ? OB_OK
	    : store_dberr(st, rc, "history", errbuf, errsz);
}

enum ob_err
store_history(struct store *st, size_t limit, struct store_history *out,
    char *errbuf, size_t errsz)
{
	enum ob_err e;

	memset(out, 0, sizeof(*out));
	/* One read transaction: the three lists agree with each other. */
	if ((e = store_exec(st, "BEGIN;", "history", errbuf, errsz)) != OB_OK)
		return e;
	if ((e = history_revocations(st, limit, out, errbuf, errsz)) == OB_OK &&
	    (e = history_crl(st, limit, out, errbuf, errsz)) == OB_OK)
		e = history_runs(st, limit, out, errbuf, errsz);
	store_rollback(st);
	if (e != OB_OK)
		store_history_free(out);
	return e;
}

void
store_history_free(struct store_history *h)
{
	if (h == NULL)
		return;
	free(h->revocations);
	free(h->crl_builds);
	free(h->runs);
	memset(h, 0, sizeof(*h));
}
